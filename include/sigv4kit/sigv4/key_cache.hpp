// sigv4kit/sigv4/key_cache.hpp - SigV4 signing-key derivation and a bounded cache of the
// derived keys as processed HMAC key contexts.
#ifndef SIGV4KIT_SIGV4_KEY_CACHE_HPP
#define SIGV4KIT_SIGV4_KEY_CACHE_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/hmac.hpp>
#include <sigv4kit/crypto/wipe.hpp>

#include <cstddef>
#include <cstring>
#include <string_view>

#ifndef SIGV4KIT_NO_THREADS
#include <mutex>
#endif

SIGV4KIT_BEGIN_NAMESPACE

/// Derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request") and returns it processed as an HMAC key context (AWS General Reference,
/// "Calculate the signature"). `date` is "YYYYMMDD". Intermediate keys are wiped.
template <class Crypto = default_crypto>
hmac_key<Crypto> derive_signing_key(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service) noexcept {
  unsigned char k[32];
  {
    // "AWS4" + secret, streamed into the key: secrets up to 60 bytes fit one block; longer
    // ones are hashed by hmac_key as RFC 2104 requires, so build the key in a bounded buffer.
    unsigned char seed[4 + 128];
    std::size_t n = secret.size() <= 128 ? secret.size() : 128;
    std::memcpy(seed, "AWS4", 4);
    std::memcpy(seed + 4, secret.data(), n);
    if (secret.size() <= 128) {
      hmac<Crypto>::mac(seed, 4 + n, date.data(), date.size(), k);
    } else {
      // Longer than any AWS secret: hash "AWS4" + secret in pieces (RFC 2104: K = H(K)).
      unsigned char hk[32];
      sha256<Crypto> h;
      h.update("AWS4", 4).update(secret.data(), secret.size());
      h.finish(hk);
      hmac<Crypto>::mac(hk, 32, date.data(), date.size(), k);
      secure_wipe(hk, sizeof hk);
    }
    secure_wipe(seed, sizeof seed);
  }
  hmac<Crypto>::mac(k, 32, region.data(), region.size(), k);
  hmac<Crypto>::mac(k, 32, service.data(), service.size(), k);
  hmac<Crypto>::mac(k, 32, "aws4_request", 12, k);
  hmac_key<Crypto> key(k, 32);
  secure_wipe(k, sizeof k);
  return key;
}

/// Lock policies for the cache. `null_lock` for one thread (or bare metal, where there may
/// be no <mutex>); `mutex_lock` where signers are shared between threads.
struct null_lock {
  void lock() noexcept {}
  void unlock() noexcept {}
};
#ifndef SIGV4KIT_NO_THREADS
struct mutex_lock {
  void lock() noexcept { m.lock(); }
  void unlock() noexcept { m.unlock(); }
  std::mutex m;
};
using default_lock = mutex_lock;
#else
using default_lock = null_lock;
#endif

/// A bounded cache of derived signing keys, keyed by the *whole* identity that determines
/// the key: access key id, secret, date, region and service. Keying on the secret too means a
/// rotated secret under the same key id never hits an old entry. Entries hold a copy of the
/// secret (compared in constant time) and are wiped when evicted and when the cache dies.
/// Replacement is first-in-first-out: a hit writes nothing, so concurrent readers of a warm
/// entry do not write shared cache lines other than the lock.
/// Thread-safety: as `Lock` provides (default_lock: safe to share across threads).
template <class Crypto = default_crypto, class Lock = default_lock,
          std::size_t Capacity = SIGV4KIT_KEY_CACHE_SIZE>
class signing_key_cache {
 public:
  static constexpr std::size_t capacity = Capacity;
  static constexpr std::size_t id_bytes = SIGV4KIT_KEY_CACHE_ID_BYTES;

  signing_key_cache() noexcept = default;
  signing_key_cache(const signing_key_cache&) = delete;
  signing_key_cache& operator=(const signing_key_cache&) = delete;
  ~signing_key_cache() { clear(); }

  /// Returns the signing key for this identity, deriving and storing it on a miss.
  /// `hit` (optional) tells which happened.
  hmac_key<Crypto> get(std::string_view access_key_id, std::string_view secret,
                       std::string_view date, std::string_view region, std::string_view service,
                       bool* hit = nullptr) noexcept {
    if (hit) *hit = false;
    if constexpr (Capacity == 0) {
      return derive_signing_key<Crypto>(secret, date, region, service);
    } else {
      std::size_t need = access_key_id.size() + secret.size() + date.size() + region.size() + service.size();
      if (need > id_bytes) return derive_signing_key<Crypto>(secret, date, region, service);
      lock_.lock();
      if (const entry* e = find(access_key_id, secret, date, region, service)) {
        hmac_key<Crypto> key = e->key;
        lock_.unlock();
        if (hit) *hit = true;
        return key;
      }
      lock_.unlock();
      // Derive outside the lock: a miss costs ~8 compressions; others keep signing meanwhile.
      hmac_key<Crypto> key = derive_signing_key<Crypto>(secret, date, region, service);
      lock_.lock();
      if (find(access_key_id, secret, date, region, service)) {  // another thread stored it first
        lock_.unlock();
        return key;
      }
      std::size_t slot;
      if (used_ < Capacity) {
        slot = used_++;
      } else {
        slot = next_;
        next_ = (next_ + 1) % Capacity;
        entries_[slot].wipe();
      }
      entries_[slot].store(access_key_id, secret, date, region, service, key);
      lock_.unlock();
      return key;
    }
  }

  /// Number of entries held.
  std::size_t size() noexcept {
    lock_.lock();
    std::size_t n = used_;
    lock_.unlock();
    return n;
  }

  /// Wipes and drops every entry (e.g. after credentials are revoked).
  void clear() noexcept {
    lock_.lock();
    for (std::size_t i = 0; i < used_; ++i) entries_[i].wipe();
    used_ = 0;
    next_ = 0;
    lock_.unlock();
  }

 private:
  struct entry;
  const entry* find(std::string_view a, std::string_view s, std::string_view d, std::string_view r,
                    std::string_view v) const noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (entries_[i].matches(a, s, d, r, v)) return &entries_[i];
    return nullptr;
  }

  struct entry {
    // id = access_key_id | secret | date | region | service, lengths kept apart.
    unsigned short len[5];
    char id[id_bytes];
    hmac_key<Crypto> key;

    bool matches(std::string_view a, std::string_view s, std::string_view d, std::string_view r,
                 std::string_view v) const noexcept {
      if (len[0] != a.size() || len[1] != s.size() || len[2] != d.size() || len[3] != r.size() ||
          len[4] != v.size())
        return false;
      const char* p = id;
      // Non-secret parts first; the secret last, in constant time. (Lengths already match.)
      for (std::string_view part : {d, a, r, v}) {
        if (!part.empty() && std::memcmp(p, part.data(), part.size()) != 0) return false;
        p += part.size();
      }
      return constant_time_equal(p, s.data(), s.size());
    }
    void store(std::string_view a, std::string_view s, std::string_view d, std::string_view r,
               std::string_view v, const hmac_key<Crypto>& k) noexcept {
      // The caller checked that all parts together fit id_bytes (<= 65535).
      len[0] = static_cast<unsigned short>(a.size());
      len[1] = static_cast<unsigned short>(s.size());
      len[2] = static_cast<unsigned short>(d.size());
      len[3] = static_cast<unsigned short>(r.size());
      len[4] = static_cast<unsigned short>(v.size());
      char* p = id;
      for (std::string_view part : {d, a, r, v, s}) {
        if (part.empty()) continue;  // data() may be null
        std::memcpy(p, part.data(), part.size());
        p += part.size();
      }
      key = k;
    }
    void wipe() noexcept { secure_wipe(this, sizeof *this); }
  };
  static_assert(SIGV4KIT_KEY_CACHE_ID_BYTES <= 65535, "SIGV4KIT_KEY_CACHE_ID_BYTES is too large");

  Lock lock_;
  std::size_t used_ = 0;
  std::size_t next_ = 0;
  entry entries_[Capacity == 0 ? 1 : Capacity];
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_KEY_CACHE_HPP
