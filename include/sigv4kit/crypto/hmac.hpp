// sigv4kit/crypto/hmac.hpp - HMAC-SHA256 (RFC 2104) as a reusable key context.
//
// Following BearSSL's hmac_key_context: the key is processed once into the two hash states
// that follow the ipad and opad blocks. A message then costs only its own blocks plus one
// outer block, which is what lets the signing-key cache skip both pad blocks.
#ifndef SIGV4KIT_CRYPTO_HMAC_HPP
#define SIGV4KIT_CRYPTO_HMAC_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/sha256.hpp>
#include <sigv4kit/crypto/wipe.hpp>

#include <cstddef>

SIGV4KIT_BEGIN_NAMESPACE

/// A processed HMAC-SHA256 key: the midstates after the ipad and opad blocks. Plain data,
/// copyable; wiped on destruction. Holds secret-derived state: never log it.
template <class Crypto = default_crypto>
class hmac_key {
 public:
  using context = typename Crypto::sha256_context;

  hmac_key() noexcept = default;
  /// Processes `key` (any length; keys over 64 bytes are hashed first, RFC 2104 section 2).
  hmac_key(const void* key, std::size_t n) noexcept { set(key, n); }
  hmac_key(const hmac_key&) noexcept = default;
  hmac_key& operator=(const hmac_key&) noexcept = default;
  ~hmac_key() { secure_wipe(this, sizeof *this); }

  void set(const void* key, std::size_t n) noexcept {
    unsigned char block[64] = {};
    if (n > 64) {
      sha256<Crypto>::hash(key, n, block);
    } else if (n) {
      std::memcpy(block, key, n);
    }
    for (unsigned char& b : block) b ^= 0x36;
    Crypto::init(inner_);
    Crypto::update(inner_, block, 64);
    for (unsigned char& b : block) b ^= 0x36 ^ 0x5c;
    Crypto::init(outer_);
    Crypto::update(outer_, block, 64);
    secure_wipe(block, sizeof block);
  }

  const context& inner() const noexcept { return inner_; }
  const context& outer() const noexcept { return outer_; }

 private:
  context inner_;
  context outer_;
};

/// One HMAC computation, started from a key context (cheap: two context copies).
template <class Crypto = default_crypto>
class hmac {
 public:
  explicit hmac(const hmac_key<Crypto>& key) noexcept : inner_(key.inner()), outer_(key.outer()) {}
  hmac(const hmac&) = delete;
  hmac& operator=(const hmac&) = delete;
  ~hmac() { secure_wipe(this, sizeof *this); }

  hmac& update(const void* data, std::size_t n) noexcept {
    Crypto::update(inner_, data, n);
    return *this;
  }
  /// Writes the 32-byte MAC. The object is spent afterwards.
  void finish(unsigned char out[32]) noexcept {
    unsigned char ih[32];
    Crypto::finish(inner_, ih);
    Crypto::update(outer_, ih, 32);
    Crypto::finish(outer_, out);
    secure_wipe(ih, sizeof ih);
  }

  /// One-shot HMAC-SHA256(key, data).
  static void mac(const void* key, std::size_t key_len, const void* data, std::size_t n,
                  unsigned char out[32]) noexcept {
    hmac_key<Crypto> k(key, key_len);
    hmac h(k);
    h.update(data, n);
    h.finish(out);
  }

 private:
  typename Crypto::sha256_context inner_;
  typename Crypto::sha256_context outer_;
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_HMAC_HPP
