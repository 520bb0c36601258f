// sigv4kit/sigv4/key_cache.hpp - SigV4 signing-key derivation and a bounded cache of the
// derived keys as processed HMAC key contexts.
#ifndef SIGV4KIT_SIGV4_KEY_CACHE_HPP
#define SIGV4KIT_SIGV4_KEY_CACHE_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/hmac.hpp>
#include <sigv4kit/crypto/wipe.hpp>
#include <sigv4kit/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <atomic>
#include <string_view>
#include <type_traits>

// A C++ library without threads (bare-metal newlib) has no std::mutex: no threads here either.
#if !defined(SIGV4KIT_NO_THREADS) && defined(__GLIBCXX__) && !defined(_GLIBCXX_HAS_GTHREADS)
#define SIGV4KIT_NO_THREADS
#endif
#ifndef SIGV4KIT_NO_THREADS
#include <mutex>
#endif

SIGV4KIT_BEGIN_NAMESPACE

namespace detail {
/// The default check of signing_key_cache::get_started: none.
struct always_true {
  constexpr bool operator()() const noexcept { return true; }
};
/// The default `prehash` of signing_key_cache::get_started: no blocks alongside.
struct no_rider {
  constexpr bool operator()(sha256_rider*&) const noexcept { return true; }
};

/// Whether a backend offers compress(h, p, blocks) on a bare chaining value (block_crypto
/// does, except in small builds).
template <class Crypto, class = void>
struct has_compress : std::false_type {};
template <class Crypto>
struct has_compress<Crypto, std::void_t<decltype(Crypto::compress(static_cast<std::uint32_t*>(nullptr),
                                                                  static_cast<const unsigned char*>(nullptr),
                                                                  std::size_t(0)))>> : std::true_type {};

/// Whether a backend also offers compress2(h1, p1, h2, p2): one block into each of two
/// chaining values (block_crypto does, except in small builds).
template <class Crypto, class = void>
struct has_compress2 : std::false_type {};
template <class Crypto>
struct has_compress2<Crypto, std::void_t<decltype(Crypto::compress2(
                                 static_cast<std::uint32_t*>(nullptr), static_cast<const unsigned char*>(nullptr),
                                 static_cast<std::uint32_t*>(nullptr), static_cast<const unsigned char*>(nullptr)))>>
    : std::true_type {};

/// Whether blocks of another hash can ride along a derivation for little (see sha256_rider):
/// the backend has compress() and a compress2 that runs its two blocks in step
/// (compress2_in_step). Where it runs them one after the other nothing is gained, and the
/// signer keeps its plain order (less code, e.g. for microcontrollers built for speed).
template <class Crypto, class = void>
struct can_ride : std::false_type {};
template <class Crypto>
struct can_ride<Crypto, std::enable_if_t<Crypto::compress2_in_step>> : has_compress<Crypto> {};

/// Whether a backend offers hmac_chain(k, blocks, steps, inner, outer) (block_crypto does,
/// except in small builds; it returns false where its block function has no such path).
template <class Crypto, class = void>
struct has_hmac_chain : std::false_type {};
template <class Crypto>
struct has_hmac_chain<Crypto, std::void_t<decltype(Crypto::hmac_chain(
                                  static_cast<const unsigned char*>(nullptr),
                                  static_cast<const unsigned char (*)[64]>(nullptr), 0,
                                  static_cast<std::uint32_t*>(nullptr), static_cast<std::uint32_t*>(nullptr)))>>
    : std::true_type {};

/// The derivation on bare chaining values, for backends with compress() and keys whose
/// states are two chaining values (hmac_key::compact_state). Every step's key fits a block
/// and every message (date, region, service, "aws4_request", <= 55 bytes) one block with its
/// padding, so an HMAC step is four compressions with no streaming context, no buffering and
/// no per-step key object to wipe: the ipad and opad blocks, then the message block and the
/// outer block. The four message blocks and the outer block's padding are laid out before
/// the first compression: a compression reading bytes stored piece by piece just before it
/// waits until they reach the cache. The ipad and opad blocks are independent: compress2 runs
/// them in step. With SHA-NI the whole chain runs in registers (Crypto::hmac_chain).
/// derive_signing_key on a Zen 5: 694 ns one compression after another, 616 with the pairs,
/// 501 with the chain in registers.
/// `k` holds "AWS4" + secret, zero-padded (or its SHA-256 when longer than a block). The
/// result: the ipad and opad states of kSigning, in `state` (32 + 32 bytes). With `rider`,
/// its blocks are compressed alongside the steps' one-block compressions (see sha256_rider).
template <class Crypto>
void derive_signing_state(unsigned char k[64], const std::string_view* msg, unsigned char state[64],
                          sha256_rider* rider = nullptr) noexcept {
  alignas(16) unsigned char mb[4][64];
  for (int i = 0; i < 4; ++i) {  // the message, 0x80, zeros, the bit length of ipad block + message
    const std::size_t n = msg[i].size();
    std::memset(mb[i], 0, 64);
    detail::copy_bytes(reinterpret_cast<char*>(mb[i]), msg[i].data(), n);  // (inline: no library call)
    mb[i][n] = 0x80;
    store_be32(mb[i] + 60, static_cast<std::uint32_t>((64 + n) * 8));
  }
  std::uint32_t hi[8], ho[8];
  bool done = false;
  if constexpr (has_hmac_chain<Crypto>::value) done = Crypto::hmac_chain(k, mb, 4, hi, ho, rider);
  if (!done) {
    // One block into `h`, and the rider's next block in step (when it has one left).
    auto single = [&](std::uint32_t* h, const unsigned char* p) {
      if constexpr (can_ride<Crypto>::value) {
        if (rider && rider->done < rider->count) {
          Crypto::compress2(h, p, rider->h, rider->block[rider->done++]);
          return;
        }
      }
      Crypto::compress(h, p, 1);
    };
    alignas(16) unsigned char ip[64], op[64], ob[64];
    std::memset(ob + 32, 0, 32);  // the outer block: the inner digest, 0x80, zeros, (64 + 32) * 8 bits
    ob[32] = 0x80;
    ob[62] = 0x03;
    for (int step = 0;; ++step) {
      for (int i = 0; i < 64; ++i) {  // RFC 2104: K ^ ipad, K ^ opad
        ip[i] = static_cast<unsigned char>(k[i] ^ 0x36);
        op[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
      }
      sha256_init_h(hi);
      sha256_init_h(ho);
      if constexpr (has_compress2<Crypto>::value) {
        Crypto::compress2(hi, ip, ho, op);
      } else {
        Crypto::compress(hi, ip, 1);
        Crypto::compress(ho, op, 1);
      }
      if (step == 4) break;
      single(hi, mb[step]);
      store_be32x8(ob, hi);
      single(ho, ob);
      // The next key: this MAC, zero-padded to a block.
      store_be32x8(k, ho);
      std::memset(k + 32, 0, 32);
    }
    secure_wipe(ip, sizeof ip);  // (mb held only the public messages)
    secure_wipe(op, sizeof op);
    secure_wipe(ob, 32);
  }
  std::memcpy(state, hi, 32);
  std::memcpy(state + 32, ho, 32);
  secure_wipe(hi, sizeof hi);
  secure_wipe(ho, sizeof ho);
}

// derive_signing_key into an existing key object (the cache derives into the key it returns).
// `in` is {secret, date, region, service, "aws4_request"}: an array the cache shares with
// its identity, so the five views are laid out once. `rider`: see derive_signing_state (where
// the derivation takes another way, it compresses none of the rider's blocks).
template <class Crypto>
void derive_signing_key_into(hmac_key<Crypto>& key, const std::string_view* in,
                             sha256_rider* rider = nullptr) noexcept {
  if constexpr (has_compress<Crypto>::value && hmac_key<Crypto>::compact_state) {
    if (in[1].size() <= 55 && in[2].size() <= 55 && in[3].size() <= 55) {
      alignas(16) unsigned char k[64] = {};
      if (in[0].size() <= 60) {
        std::memcpy(k, "AWS4", 4);
        detail::copy_bytes(reinterpret_cast<char*>(k + 4), in[0].data(), in[0].size());
      } else {  // longer than a block: the key is its hash (RFC 2104 section 2)
        typename Crypto::sha256_context c;
        Crypto::init(c);
        Crypto::update(c, "AWS4", 4);
        Crypto::update(c, in[0].data(), in[0].size());
        Crypto::finish(c, k);
        secure_wipe(&c, sizeof c);
      }
      unsigned char state[64];
      derive_signing_state<Crypto>(k, in + 1, state, rider);
      key.load_state(state);
      secure_wipe(state, sizeof state);
      secure_wipe(k, sizeof k);
      return;
    }
  }
  // One key object, re-processed at each step: kDate, kRegion, kService, kSigning. Each
  // intermediate key is wiped (the object before it is reused, `k` at the end).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  key.set("AWS4", 4, in[0].data(), in[0].size());
#else
  key.set(aws4_text, 4, in[0].data(), in[0].size());
#endif
#if defined(SIGV4KIT_SMALL_SHA256)
  if constexpr (is_block_crypto<Crypto>::value) {
    // Built for size: each MAC goes straight into the key (see hmac_key::set_to_mac), which
    // overwrites the step before: no intermediate key to keep and wipe.
    for (int i = 1; i < 5; ++i) key.set_to_mac(in[i].data(), in[i].size());
    return;
  }
#endif
  unsigned char k[32];
  for (int i = 1; i < 5; ++i) {
    key.mac_once(in[i].data(), in[i].size(), k);
    secure_wipe(&key, sizeof key);
    key.set(k, 32);
  }
  secure_wipe(k, sizeof k);
}
}  // namespace detail

/// Derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request") and returns it processed as an HMAC key context (AWS General Reference,
/// "Calculate the signature"). `date` is "YYYYMMDD". Intermediate keys are wiped.
template <class Crypto = default_crypto>
hmac_key<Crypto> derive_signing_key(std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service) noexcept {
  const std::string_view in[5] = {secret, date, region, service, std::string_view("aws4_request", 12)};
  hmac_key<Crypto> key;
  detail::derive_signing_key_into(key, in);
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
/// identity, secret included (compared without early exit), and are wiped when evicted, on
/// clear() and when the cache dies. Replacement is first-in-first-out.
///
/// Concurrency: lookups take no lock and write nothing shared. Each entry is a seqlock: a
/// sequence number that is odd while a writer changes the entry, and data held in relaxed
/// atomic words, so a reader racing with a writer reads a torn copy it then discards (it sees
/// the sequence change) instead of a data race. Writers (misses, clear) serialise on `Lock`.
/// So warm signatures on several threads scale without cache-line ping-pong. With null_lock
/// (one thread) the entries are plain data, without the seqlock.
/// Thread-safety: as `Lock` provides (default_lock: safe to share across threads).
template <class Crypto = default_crypto, class Lock = default_lock,
          std::size_t Capacity = SIGV4KIT_KEY_CACHE_SIZE>
class signing_key_cache {
  using word = std::size_t;  // lock-free as an atomic on every target we build for
  static constexpr std::size_t id_words = (SIGV4KIT_KEY_CACHE_ID_BYTES + sizeof(word) - 1) / sizeof(word);
  static constexpr std::size_t key_words = (hmac_key<Crypto>::state_size + sizeof(word) - 1) / sizeof(word);
  // null_lock promises one thread: no seqlock, no atomics, no second lookup (smaller code,
  // which is what the single-thread microcontroller build wants).
  static constexpr bool one_thread = std::is_same<Lock, null_lock>::value;
  // Speed builds with a block backend keep one more thing per entry: the inner HMAC state
  // after the first 64 bytes of the last string to sign (see get_started). Those bytes are
  // "AWS4-HMAC-SHA256\n", the time and the start of the scope, so every signature with this
  // key within the same second shares them, and a warm signature saves that compression.
  static constexpr bool keep_block = hmac_key<Crypto>::compact_state && Capacity != 0;
  static constexpr std::size_t block_words = keep_block ? 64 / sizeof(word) : 1;
  static constexpr std::size_t chain_words = keep_block ? 32 / sizeof(word) : 1;

  // The identity as it is stored and compared: each part (access key id, secret, date,
  // region, service) in its own run of whole words, zero-padded, one after the other, and the
  // five lengths (each below 256) in `lens` (on 32-bit targets the last two in w[0]). Whole
  // words per part let a lookup compare the caller's parts where they lie (see diff_parts),
  // without first copying the identity, secret included, onto the stack and wiping it.
  // `lens` also has its top bit set, so that neither a cleared entry's 0 nor an erased one's
  // ~0 matches any identity.
  static constexpr std::size_t word_bytes = sizeof(word);
  static constexpr bool wide = word_bytes >= 8;
  static constexpr std::size_t first_slot = wide ? 0 : 1;
  static word lengths_of(const std::string_view* parts, word& extra) noexcept {
    constexpr word top = word(1) << (8 * word_bytes - 1);
    if constexpr (wide) {
      extra = 0;
      return static_cast<word>(parts[0].size() | parts[1].size() << 8 | parts[2].size() << 16 |
                               parts[3].size() << 24 | static_cast<std::uint64_t>(parts[4].size()) << 32) | top;
    } else {
      extra = static_cast<word>(parts[3].size() | parts[4].size() << 8);
      return static_cast<word>(parts[0].size() | parts[1].size() << 8 | parts[2].size() << 16) | top;
    }
  }
  // The words an identity of these parts takes, or no_room when it cannot be stored (a part
  // over 255 bytes, or more than id_words in all).
  static constexpr std::size_t no_room = ~std::size_t(0);
  static std::size_t words_for(const std::string_view* parts) noexcept {
    std::size_t n = first_slot;
    for (int i = 0; i < 5; ++i) {
      if (parts[i].size() > 255) return no_room;
      n += (parts[i].size() + word_bytes - 1) / word_bytes;
    }
    return n <= id_words ? n : no_room;
  }
  static word load_word(const char* p) noexcept {
    word v;
    std::memcpy(&v, p, word_bytes);
    return v;
  }
  // The bytes p[at..n) (1 to word_bytes - 1 of them) as the zero-padded word pack() stores.
  static word tail_word(const char* p, std::size_t at, std::size_t n) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // Overlapping loads, no loop: the word ending at n with its first bytes shifted out; for
    // a part shorter than a word, two 4-byte halves or three bytes (overlaps repeat bytes).
    if (n >= word_bytes) return load_word(p + n - word_bytes) >> (8 * (word_bytes - (n - at)));
    if (n >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      return static_cast<word>(lo) | static_cast<word>(hi) << (8 * (n - 4));
    }
    const auto b = [p](std::size_t i) { return static_cast<word>(static_cast<unsigned char>(p[i])) << (8 * i); };
    return b(0) | b(n / 2) | b(n - 1);
#else
    word v = 0;
    unsigned char* b = reinterpret_cast<unsigned char*>(&v);
    for (std::size_t i = at; i < n; ++i) b[i - at] = static_cast<unsigned char>(p[i]);
    return v;
#endif
  }
  // The OR of the differences between the identity of `parts` (its lengths already known to
  // match) and the one whose words at(i) gives: 0 when they are the same. No early exit: the
  // secret is part of it.
  template <class At>
  static word diff_parts(const std::string_view* parts, At&& at) noexcept {
    word diff = 0;
    std::size_t slot = first_slot;
    // Unrolled on 64-bit targets (~30 instructions fewer a lookup on x86-64); a loop on
    // 32-bit ones, where the copies cost a microcontroller's speed build ~2 KB.
#if SIZE_MAX > 0xffffffffu
    SIGV4KIT_UNROLL
#endif
    for (int k = 0; k < 5; ++k) {
      const char* const d = parts[k].data();
      const std::size_t n = parts[k].size(), whole = n / word_bytes;
      for (std::size_t j = 0; j < whole; ++j) diff |= at(slot + j) ^ load_word(d + j * word_bytes);
      slot += whole;
      if (n % word_bytes) diff |= at(slot++) ^ tail_word(d, whole * word_bytes, n);
    }
    return diff;
  }

  struct identity {
    word lens = 0;  // (set by pack; initialised so no compiler sees a read before it)
    std::size_t nwords = 0;
    word w[id_words];

    // parts[0..5): access key id, secret, date, region, service (get()'s array).
    bool pack(const std::string_view* parts) noexcept {
      const std::size_t n = words_for(parts);
      if (n == no_room) return false;
      nwords = n;
      word extra;
      lens = lengths_of(parts, extra);
      if constexpr (!wide) w[0] = extra;
      std::size_t slot = first_slot;
      for (int i = 0; i < 5; ++i) {
        const std::size_t len = parts[i].size();
        if (!len) continue;  // data() may be null
        const std::size_t words = (len + word_bytes - 1) / word_bytes;
        w[slot + words - 1] = 0;  // the padding
        detail::copy_bytes(reinterpret_cast<char*>(w + slot), parts[i].data(), len);
        slot += words;
      }
      return true;
    }
    void wipe() noexcept { secure_wipe(w, nwords * sizeof(word)); }
  };

 public:
  static constexpr std::size_t capacity = Capacity;
  static constexpr std::size_t id_bytes = id_words * sizeof(word);

  signing_key_cache() noexcept = default;
  signing_key_cache(const signing_key_cache&) = delete;
  signing_key_cache& operator=(const signing_key_cache&) = delete;
  /// Wipes every entry, without the lock: nothing may use a cache while it is destroyed.
  ~signing_key_cache() {
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    if constexpr (one_thread) {
      clear();  // (no lock in a one-thread size build either: see clear)
      return;
    }
#endif
    const std::size_t n = used_.load(std::memory_order_relaxed);
    if constexpr (one_thread)
      secure_wipe(entries_, n * sizeof(entry));
    else
      for (std::size_t i = 0; i < n; ++i) entries_[i].erase();
  }

  /// Returns the signing key for this identity, deriving and storing it on a miss.
  /// `hit` (optional) tells which happened.
  // Optimising size, the caller lays out the parts (its views are at hand: no arguments to
  // copy) and the work is out of line (get_parts), so the identity (~270 bytes) stays out of
  // sign()'s stack frame.
  SIGV4KIT_SIZE_INLINE hmac_key<Crypto> get(std::string_view access_key_id, std::string_view secret,
                                            std::string_view date, std::string_view region,
                                            std::string_view service, bool* hit = nullptr) noexcept {
    // The identity's parts, then the last step of the derivation (derive reads from [1]).
    const std::string_view parts[6] = {access_key_id, secret, date, region, service,
                                       std::string_view("aws4_request", 12)};
    return get_parts(parts, hit);
  }

#ifdef SIGV4KIT_OPTIMIZE_SIZE
  /// get() with its parts laid out by the caller (access key id, secret, date, region,
  /// service and "aws4_request", in this order), into the caller's `key`. One thread: inlined
  /// (without an identity buffer the lookup needs almost no stack), and filling the caller's
  /// key instead of returning one (inlined, GCC kept a second key object and a copy).
  SIGV4KIT_ALWAYS_INLINE void get_laid_out(const std::string_view* parts, hmac_key<Crypto>& key) noexcept {
    if constexpr (one_thread && Capacity != 0) get_small(parts, key, nullptr);
    else get_parts_into(parts, nullptr, key);
  }
#endif

  /// What get_started leaves for store() when given one: a key it derived, and the string to
  /// sign's first block with the inner state after it. The signer stores them once the
  /// signature is done, under one lock, the block with its new entry (without it: a lock for
  /// the key, another for the block, and a second search for the entry). Wiped when it dies
  /// (it holds the identity, secret included, and the key). Opaque: for get_started and store.
  struct deferred {
    enum : int { new_key = 1, new_block = 2 };
    int what = 0;
    identity id;  // a new key's (packed only for one)
    // A new block for a key held already: its entry is found again by these views of the
    // caller's parts (access key id, secret, date, region, service), compared where they lie
    // (the caller's strings outlive its store()); no copy of the identity.
    std::string_view parts[5];
    unsigned char key_state[hmac_key<Crypto>::state_size];
    word block[block_words];
    unsigned char chain[32];
    deferred() noexcept = default;
    deferred(const deferred&) = delete;
    deferred& operator=(const deferred&) = delete;
    ~deferred() {
      if (what) {
        id.wipe();
        secure_wipe(key_state, sizeof key_state);
        secure_wipe(chain, sizeof chain);
      }
    }
  };

  /// Stores what get_started deferred (one lock for both), then wipes it.
  void store(deferred& d) noexcept {
    if constexpr (keep_block) {  // (only get_started's block path defers)
      if (d.what) store_deferred(d);
    }
  }

 private:
  void store_deferred(deferred& d) noexcept {
    lock_.lock();
    const bool block = d.what & deferred::new_block;
    // A new key goes in with its block; a key already held (or stored meanwhile by another
    // thread) gets the block if it is later than its own.
    if (d.what & deferred::new_key) {
      if (!insert_locked(d.id, d.key_state, block ? d.block : nullptr, d.chain) && block)
        remember_block_locked(d.id, d.block, d.chain);
    } else if (block) {
      remember_block_locked(d.parts, d.block, d.chain);
    }
    lock_.unlock();
    d.id.wipe();
    secure_wipe(d.key_state, sizeof d.key_state);
    secure_wipe(d.chain, sizeof d.chain);
    d.what = 0;
  }

 public:

  /// get(), then the key's inner hash started with `sts[0..n)`, the string to sign's first
  /// bytes: the same as key.update_inner(sts, n) on get()'s result. When the first 64 of them
  /// are those of the entry's last string to sign (same identity, same second), the inner
  /// state after them comes from the cache instead of a compression. A string to sign that
  /// sorts after the stored one (a later time) replaces it; an earlier one is used but not
  /// stored, so signers working through different times do not keep rewriting the entry.
  ///
  /// `check()` (returning bool) runs before anything is derived or stored, except when the
  /// identity and those 64 bytes are both held: the signer validates the scope there, which a
  /// full hit has been already (only a signature that passed the check stores a block, and
  /// the block holds the whole time). When it returns false nothing is derived or stored,
  /// `*rejected` is set, and the key returned must not be used.
  ///
  /// With `later`, what would be stored (a derived key, a new block) goes into it instead,
  /// for store(*later) once the caller is done (see deferred); until then the cache does not
  /// hold it. `later` must be fresh (or spent by store) and is used by one thread.
  ///
  /// `prehash(detail::sha256_rider*& r)` (returning bool) runs when a key is about to be
  /// derived here, after check(): it may set `r` to blocks of another hash to compress
  /// alongside the derivation (see detail::sha256_rider; r->done then says how many were).
  /// When it returns false it is treated as check() returning false.
  // Inlined into its caller (the signer, once): GCC's own choice varies with the code around.
  template <class Check = detail::always_true, class Prehash = detail::no_rider>
  SIGV4KIT_ALWAYS_INLINE hmac_key<Crypto> get_started(std::string_view access_key_id, std::string_view secret,
                                                     std::string_view date, std::string_view region,
                                                     std::string_view service, const char* sts, std::size_t n,
                                                     bool* hit = nullptr, Check&& check = Check{},
                                                     bool* rejected = nullptr, deferred* later = nullptr,
                                                     Prehash&& prehash = Prehash{}) noexcept {
    const std::string_view parts[6] = {access_key_id, secret, date, region, service,
                                       std::string_view("aws4_request", 12)};
    hmac_key<Crypto> key;
    if constexpr (keep_block) {
      const bool cacheable = words_for(parts) != no_room;  // else too long to store
      if (cacheable && n >= 64) {
        // The entries are searched with the parts compared where they lie (see diff_parts):
        // the identity is packed (secret included) only when something is to be stored.
        word extra;
        const word want = lengths_of(parts, extra);
        int found = 0;
        for (std::size_t i = 0, used = used_.load(std::memory_order_acquire); i < used && !found; ++i)
          found = entries_[i].read_started(parts, want, extra, key, sts);
        if (hit) *hit = found != 0;
        if (found != 2) {
          if (SIGV4KIT_UNLIKELY(!check())) {
            if (rejected) *rejected = true;
            return key;
          }
          identity local;
          identity& id = later ? later->id : local;
          if (!found) {
            id.pack(parts);  // (fits: words_for said so)
            detail::sha256_rider* rider = nullptr;
            if (SIGV4KIT_UNLIKELY(!prehash(rider))) {
              if (rejected) *rejected = true;
              id.wipe();
              return key;
            }
            detail::derive_signing_key_into(key, parts + 1, rider);
            if (later) {
              key.store_state(later->key_state);
              later->what |= deferred::new_key;
            } else {
              insert(id, key);
            }
          }
          key.update_inner(sts, 64);
          if (found != 1) {  // a new key, or a later block than the stored one: store it
            word block[block_words];
            std::memcpy(block, sts, 64);
            if (later) {
              key.store_inner_chaining(later->chain);
              std::memcpy(later->block, block, 64);
              if (found)
                for (int k = 0; k < 5; ++k) later->parts[k] = parts[k];
              later->what |= deferred::new_block;
            } else {
              unsigned char chain[32];
              key.store_inner_chaining(chain);
              lock_.lock();
              if (found) remember_block_locked(parts, block, chain);
              else remember_block_locked(id, block, chain);
              lock_.unlock();
              secure_wipe(chain, sizeof chain);
              if (!found) id.wipe();
            }
          }
        }
        key.update_inner(sts + 64, n - 64);
        return key;
      }
      identity id;
      if (cacheable) id.pack(parts);
      if (SIGV4KIT_UNLIKELY(!check())) {
        if (rejected) *rejected = true;
        if (cacheable) id.wipe();
        return key;
      }
      fetch(parts, id, cacheable, key, hit);
      key.update_inner(sts, n);
      if (cacheable) id.wipe();
      return key;
    } else {
      if (SIGV4KIT_UNLIKELY(!check())) {
        if (rejected) *rejected = true;
        return key;
      }
      key = get_parts(parts, hit);
      key.update_inner(sts, n);
      return key;
    }
  }

  /// Number of entries held.
  std::size_t size() const noexcept { return used_.load(std::memory_order_acquire); }

  /// Wipes and drops every entry (e.g. after credentials are revoked).
  void clear() noexcept {
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    if constexpr (one_thread) {
      // One thread, optimising size: every entry wiped, a constant size (no count to read and
      // multiply), then the count cleared (after the wipe: in the destructor, a dead store).
      secure_wipe(entries_, sizeof entries_);
      used_.store(0, std::memory_order_relaxed);
      next_ = 0;
      return;
    }
#endif
    lock_.lock();
    std::size_t n = used_.load(std::memory_order_relaxed);
    used_.store(0, std::memory_order_release);
    if constexpr (one_thread)
      secure_wipe(entries_, n * sizeof(entry));  // plain data: one wipe (a zero lens matches nothing)
    else
      for (std::size_t i = 0; i < n; ++i) entries_[i].erase();
    next_ = 0;
    lock_.unlock();
  }

 private:
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  hmac_key<Crypto> get_parts(const std::string_view* parts, bool* hit) noexcept {
    if (hit) *hit = false;
    // One key object, returned on every path (no copies of it), and one derivation site.
    hmac_key<Crypto> key;
    identity id;
    bool cacheable = Capacity != 0 && id.pack(parts);  // else too long to store
    fetch(parts, id, cacheable, key, hit);
    if (cacheable) id.wipe();
    return key;
  }
#else
  hmac_key<Crypto> get_parts(const std::string_view* parts, bool* hit) noexcept {
    hmac_key<Crypto> key;
    get_parts_into(parts, hit, key);
    return key;
  }
  // The work, out of line (a threaded cache's identity, ~270 bytes, stays out of the caller's
  // frame), into the caller's key.
  SIGV4KIT_NOINLINE void get_parts_into(const std::string_view* parts, bool* hit, hmac_key<Crypto>& key) noexcept {
    if (hit) *hit = false;
    if constexpr (one_thread && Capacity != 0) {
      get_small(parts, key, hit);
    } else {
      identity id;
      bool cacheable = Capacity != 0 && id.pack(parts);  // else too long to store
      fetch(parts, id, cacheable, key, hit);
      if (cacheable) id.wipe();
    }
  }
#endif

  struct seqlock_entry {
    std::atomic<unsigned> seq{0};
    std::atomic<word> lens{0};
    std::atomic<word> id[id_words];
    std::atomic<word> key[key_words];
    std::atomic<word> block[block_words];  // keep_block: zero, or a string to sign's first 64 bytes
    std::atomic<word> chain[chain_words];  // the inner chaining value after that block
    // Writers only (under the lock): the id words that may be non-zero. A reader compares a
    // stored identity only when `lens` matches, so only the words written with that lens.
    std::size_t id_used = 0;

    bool holds(const identity& want) const noexcept {
      if (lens.load(std::memory_order_relaxed) != want.lens) return false;
      word diff = 0;  // no early exit: the secret is part of the identity
      for (std::size_t i = 0; i < want.nwords; ++i) diff |= id[i].load(std::memory_order_relaxed) ^ want.w[i];
      return diff == 0;
    }
    // The same for the identity of parts[0..5) (`want_lens` and `extra` its lengths_of).
    bool holds(const std::string_view* parts, word want_lens, word extra) const noexcept {
      if (lens.load(std::memory_order_relaxed) != want_lens) return false;
      word diff = diff_parts(parts, [this](std::size_t i) noexcept { return id[i].load(std::memory_order_relaxed); });
      if constexpr (!wide) diff |= id[0].load(std::memory_order_relaxed) ^ extra;
      return diff == 0;
    }

    // Reader: copies the key out and returns true when the identity matches and no writer
    // interfered.
    bool read(const identity& want, hmac_key<Crypto>& out) const noexcept {
      unsigned s1 = seq.load(std::memory_order_acquire);
      if (s1 & 1u) return false;  // being written: a miss (the caller derives instead)
      if (!holds(want)) return false;
      // Straight into the caller's key: on a torn read the caller discards it (it derives).
      out.load_state_words(key, key_words);
      std::atomic_thread_fence(std::memory_order_acquire);
      return seq.load(std::memory_order_relaxed) == s1;
    }

    // Reader, for get_started (keep_block): compares the identity of `parts` (`want_lens` and
    // `extra` its lengths_of) with this entry's where the parts lie (diff_parts: no copy of
    // the identity), and sts[0..64) with the stored block. 0: not held (or a writer
    // interfered); 2: both held, and the key with the chaining value after the block are in
    // `out`; else the key is in `out`, and 3 when sts[0..64) sorts after the stored block, 1
    // when not.
    int read_started(const std::string_view* parts, word want_lens, word extra, hmac_key<Crypto>& out,
                     const char* sts) const noexcept {
      const unsigned s1 = seq.load(std::memory_order_acquire);
      if ((s1 & 1u) || lens.load(std::memory_order_relaxed) != want_lens) return 0;
      word diff = diff_parts(parts, [this](std::size_t i) noexcept { return id[i].load(std::memory_order_relaxed); });
      if constexpr (!wide) diff |= id[0].load(std::memory_order_relaxed) ^ extra;
      if (diff) return 0;
      // Straight into the caller's key: on a torn read the caller discards it (it derives).
      word bdiff = 0;
      SIGV4KIT_UNROLL for (std::size_t i = 0; i < block_words; ++i)
        bdiff |= block[i].load(std::memory_order_relaxed) ^ load_word(sts + i * word_bytes);
      int found = 2;
      if (!bdiff) {
        out.load_started_words(key, chain);  // (the inner key state not needed)
      } else {
        word old[block_words];
        for (std::size_t i = 0; i < block_words; ++i) old[i] = block[i].load(std::memory_order_relaxed);
        found = std::memcmp(sts, old, 64) > 0 ? 3 : 1;
        out.load_state_words(key, key_words);
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      return seq.load(std::memory_order_relaxed) == s1 ? found : 0;
    }

    // Writer (holding the lock): stores `blk` and its chaining value if `blk` sorts after the
    // stored block (any real one sorts after the zeros of none).
    void write_block(const word* blk, const unsigned char* c) noexcept {
      word old[block_words];
      for (std::size_t i = 0; i < block_words; ++i) old[i] = block[i].load(std::memory_order_relaxed);
      if (std::memcmp(blk, old, 64) <= 0) return;
      word cw[chain_words];
      std::memcpy(cw, c, 32);
      unsigned s = seq.load(std::memory_order_relaxed);
      seq.store(s + 1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      for (std::size_t i = 0; i < block_words; ++i) block[i].store(blk[i], std::memory_order_relaxed);
      for (std::size_t i = 0; i < chain_words; ++i) chain[i].store(cw[i], std::memory_order_relaxed);
      seq.store(s + 2, std::memory_order_release);
      secure_wipe(cw, sizeof cw);
    }

    // Writer (holding the lock): odd sequence, new words, even sequence.
    // `state`: hmac_key::store_state's bytes; `blk` and `c` (optional): a first block and the
    // chaining value after it, stored with the key (else none).
    void write(const identity& idn, const unsigned char* state, const word* blk = nullptr,
               const unsigned char* c = nullptr) noexcept {
      unsigned s = seq.load(std::memory_order_relaxed);
      seq.store(s + 1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      lens.store(idn.lens, std::memory_order_relaxed);
      for (std::size_t i = 0; i < idn.nwords; ++i) id[i].store(idn.w[i], std::memory_order_relaxed);
      for (std::size_t i = idn.nwords; i < id_used; ++i) id[i].store(0, std::memory_order_relaxed);  // the old tail
      id_used = idn.nwords;
      constexpr std::size_t state_size = hmac_key<Crypto>::state_size;
      for (std::size_t i = 0; i < key_words; ++i) {
        word w = 0;
        const std::size_t at = i * sizeof(word);
        std::memcpy(&w, state + at, state_size - at < sizeof(word) ? state_size - at : sizeof(word));
        key[i].store(w, std::memory_order_relaxed);
      }
      if constexpr (keep_block) {
        if (blk) {
          word cw[chain_words];
          std::memcpy(cw, c, 32);
          for (std::size_t i = 0; i < block_words; ++i) block[i].store(blk[i], std::memory_order_relaxed);
          for (std::size_t i = 0; i < chain_words; ++i) chain[i].store(cw[i], std::memory_order_relaxed);
          secure_wipe(cw, sizeof cw);
          seq.store(s + 2, std::memory_order_release);
          return;
        }
      }
      for (auto& w : block) w.store(0, std::memory_order_relaxed);  // none for the new key yet
      for (auto& w : chain) w.store(0, std::memory_order_relaxed);
      seq.store(s + 2, std::memory_order_release);
    }

    void erase() noexcept {
      unsigned s = seq.load(std::memory_order_relaxed);
      seq.store(s + 1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      lens.store(~word(0), std::memory_order_relaxed);  // matches no identity
      for (std::size_t i = 0; i < id_used; ++i) id[i].store(0, std::memory_order_relaxed);
      id_used = 0;
      for (auto& w : key) w.store(0, std::memory_order_relaxed);
      for (auto& w : block) w.store(0, std::memory_order_relaxed);
      for (auto& w : chain) w.store(0, std::memory_order_relaxed);
      seq.store(s + 2, std::memory_order_release);
    }
  };

  // One thread's entry: the same layout without atomics or sequence.
  struct plain_entry {
    word lens;
    word id[id_words];
    word key[key_words];
    word block[block_words];
    word chain[chain_words];

    bool holds(const identity& want) const noexcept {
      if (lens != want.lens) return false;
      word diff = 0;  // no early exit: the secret is part of the identity
      for (std::size_t i = 0; i < want.nwords; ++i) diff |= id[i] ^ want.w[i];
      return diff == 0;
    }
    bool holds(const std::string_view* parts, word want_lens, word extra) const noexcept {
      if (lens != want_lens) return false;
      word diff = diff_parts(parts, [this](std::size_t i) noexcept { return id[i]; });
      if constexpr (!wide) diff |= id[0] ^ extra;
      return diff == 0;
    }
    bool read(const identity& want, hmac_key<Crypto>& out) const noexcept {
      if (!holds(want)) return false;
      out.load_state(reinterpret_cast<const unsigned char*>(key));
      return true;
    }
    int read_started(const std::string_view* parts, word want_lens, word extra, hmac_key<Crypto>& out,
                     const char* sts) const noexcept {
      if (lens != want_lens) return 0;
      word diff = diff_parts(parts, [this](std::size_t i) noexcept { return id[i]; });
      if constexpr (!wide) diff |= id[0] ^ extra;
      if (diff) return 0;
      out.load_state(reinterpret_cast<const unsigned char*>(key));
      word bdiff = 0;
      for (std::size_t i = 0; i < block_words; ++i) bdiff |= block[i] ^ load_word(sts + i * word_bytes);
      if (!bdiff) {
        out.load_inner_chaining_words(chain);
        return 2;
      }
      return std::memcmp(sts, block, 64) > 0 ? 3 : 1;
    }
    void write_block(const word* blk, const unsigned char* c) noexcept {
      if (std::memcmp(blk, block, 64) <= 0) return;
      std::memcpy(block, blk, 64);
      std::memcpy(chain, c, 32);
    }
    void write(const identity& idn, const unsigned char* state, const word* blk = nullptr,
               const unsigned char* c = nullptr) noexcept {
      lens = idn.lens;
      for (std::size_t i = 0; i < id_words; ++i) id[i] = i < idn.nwords ? idn.w[i] : 0;  // wipes the old tail
      std::memcpy(key, state, hmac_key<Crypto>::state_size);
      if constexpr (keep_block) {
        if (blk) {
          std::memcpy(block, blk, 64);
          std::memcpy(chain, c, 32);
          return;
        }
      }
      if constexpr (keep_block) {
        for (word& w : block) w = 0;
        for (word& w : chain) w = 0;
      }
    }
  };

  // The entry count, read by lookups: an atomic shared with the writers, or a plain number.
  struct plain_count {
    std::size_t v;
    constexpr plain_count(std::size_t n) noexcept : v(n) {}
    std::size_t load(std::memory_order) const noexcept { return v; }
    void store(std::size_t n, std::memory_order) noexcept { v = n; }
  };

  using entry = std::conditional_t<one_thread, plain_entry, seqlock_entry>;

#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // One thread, optimising size (a microcontroller): the identity is packed (each part's
  // length, then its bytes) straight into an entry's id (plain_entry::id; `lens` is not used),
  // and compared with an entry where it lies, by the same walk: no copy of the identity (the
  // secret) on the stack to clear, fill, copy and wipe, and no separate insert and lookup
  // code. The comparison has no early exit. Matching the request's packed bytes is enough: the
  // stored lengths then equal the request's, so the stored identity is no longer. A stored
  // identity still overwrites all of the one before it (the id is cleared first).
  // Returns the OR of the differences between the packed identity and `e`; with `store`,
  // writes it to `e` first (and returns 0).
  static unsigned walk_identity(unsigned char* e, const std::string_view* parts, bool store) noexcept {
    unsigned diff = 0;
    for (int k = 0; k < 5; ++k) {
      const std::size_t len = parts[k].size();
      const unsigned char* d = reinterpret_cast<const unsigned char*>(parts[k].data());
      for (std::size_t j = 0; j <= len; ++j, ++e) {  // the length byte, then the bytes
        const unsigned char b = j ? d[j - 1] : static_cast<unsigned char>(len);
        if (store) *e = b;
        diff |= static_cast<unsigned>(*e ^ b);
      }
    }
    return diff;
  }

  SIGV4KIT_ALWAYS_INLINE void get_small(const std::string_view* parts, hmac_key<Crypto>& key, bool* hit) noexcept {
    // Too long to store (a part over 255 bytes, or more than id_bytes in all): derived every time.
    bool cacheable = true;
    if constexpr (id_bytes <= 256) {
      // Room for at most 256 bytes: one sum, each length counted as at most 256 (which is too
      // long whatever the rest: no wrap-around), with a length byte each.
      std::size_t total = 5;
      for (int k = 0; k < 5; ++k) {
        const std::size_t len = parts[k].size();
        total += len < 256 ? len : 256;
      }
      cacheable = total <= id_bytes;
    } else {
      std::size_t total = 0;
      for (int k = 0; k < 5; ++k) {
        const std::size_t len = parts[k].size();
        total += 1 + len;  // (no wrap-around: at most id_bytes before)
        if (len > 255 || total > id_bytes) cacheable = false;
        if (!cacheable) break;
      }
    }
    std::size_t n = used_.v, i = 0;  // i < n: entry i holds this identity
    if (!cacheable) i = n;
    for (; i < n; ++i)
      if (!walk_identity(reinterpret_cast<unsigned char*>(entries_[i].id), parts, false)) break;
    if (i < n) {
      key.load_state(reinterpret_cast<const unsigned char*>(entries_[i].key));
      if (hit) *hit = true;
    } else {
      detail::derive_signing_key_into(key, parts + 1);
      if (cacheable) {
        if (n < Capacity) {
          used_.v = n + 1;
        } else {
          i = next_;
          next_ = (next_ + 1) % Capacity;
        }
        unsigned char* id = reinterpret_cast<unsigned char*>(entries_[i].id);
        std::memset(id, 0, sizeof entries_[i].id);  // (the old identity's tail too)
        walk_identity(id, parts, true);
        key.store_state(reinterpret_cast<unsigned char*>(entries_[i].key));
      }
    }
  }
#endif

  void insert(const identity& id, const hmac_key<Crypto>& key) noexcept {
    unsigned char state[hmac_key<Crypto>::state_size];
    key.store_state(state);
    lock_.lock();
    insert_locked(id, state);
    lock_.unlock();
    secure_wipe(state, sizeof state);
  }
  // `state`: hmac_key::store_state's bytes; `blk` and `c` as entry::write. Returns false when
  // another thread had stored this identity (nothing written).
  bool insert_locked(const identity& id, const unsigned char* state, const word* blk = nullptr,
                     const unsigned char* c = nullptr) noexcept {
    // Stored already: by another thread since this one's lookup, or (a deferred store) by a
    // signature made in between.
    bool stored = false;
    for (std::size_t i = 0, n = used_.load(std::memory_order_relaxed); i < n && !stored; ++i)
      stored = entries_[i].holds(id);
    if (!stored) {
      std::size_t n = used_.load(std::memory_order_relaxed);
      if (n < Capacity) {
        entries_[n].write(id, state, blk, c);
        used_.store(n + 1, std::memory_order_release);  // publish after the entry is complete
      } else {
        entries_[next_].write(id, state, blk, c);
        next_ = (next_ + 1) % Capacity;
      }
    }
    return !stored;
  }

  // Whether the key is held (it is then in `out`).
  bool lookup(const identity& id, hmac_key<Crypto>& out) const noexcept {
    std::size_t n = used_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < n; ++i)
      if (entries_[i].read(id, out)) return true;
    return false;
  }

  // The key for parts[0..5) into `key`, from the cache or derived (and then stored).
  void fetch(const std::string_view* parts, const identity& id, bool cacheable, hmac_key<Crypto>& key,
             bool* hit) noexcept {
    const bool found = cacheable && lookup(id, key);
    if (hit) *hit = found != 0;
    if (!found) {
      // Derive outside the lock: a miss costs ~18 compressions; others keep signing meanwhile.
      detail::derive_signing_key_into(key, parts + 1);
      if constexpr (Capacity != 0) {  // (insert's "% Capacity" is not for a cache of none)
        if (cacheable) insert(id, key);
      }
    }
  }

  void remember_block_locked(const identity& id, const word* blk, const unsigned char* chain) noexcept {
    std::size_t n = used_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i)
      if (entries_[i].holds(id)) {
        entries_[i].write_block(blk, chain);
        break;
      }
  }
  // The same for the entry holding the identity of parts[0..5), compared where they lie.
  void remember_block_locked(const std::string_view* parts, const word* blk, const unsigned char* chain) noexcept {
    word extra;
    const word want = lengths_of(parts, extra);
    std::size_t n = used_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i)
      if (entries_[i].holds(parts, want, extra)) {
        entries_[i].write_block(blk, chain);
        break;
      }
  }

  Lock lock_;  // serialises writers only
  std::conditional_t<one_thread, plain_count, std::atomic<std::size_t>> used_{0};
  std::size_t next_ = 0;  // next entry to replace once full (guarded by lock_)
  entry entries_[Capacity == 0 ? 1 : Capacity];
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_KEY_CACHE_HPP
