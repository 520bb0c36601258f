// sigv4kit/crypto/sha256.hpp - SHA-256 over a backend, and the built-in backends.
//
// Backends: portable_crypto (plain C++, everywhere), shani_crypto (x86 SHA extensions) and
// armv8_crypto (ARMv8 SHA2), where the CPU has them, auto_crypto (picks at run time) and default_crypto (auto_crypto, or
// portable_crypto with SIGV4KIT_FORCE_PORTABLE_SHA256). See sha256_portable.hpp for the
// backend concept.
#ifndef SIGV4KIT_CRYPTO_SHA256_HPP
#define SIGV4KIT_CRYPTO_SHA256_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/sha256_portable.hpp>
#include <sigv4kit/crypto/sha256_arm.hpp>
#include <sigv4kit/crypto/sha256_x86.hpp>

#include <cstddef>
#include <cstdint>

SIGV4KIT_BEGIN_NAMESPACE

namespace detail {
/// The block function of auto_crypto: SHA-NI where the CPU has it, else portable C++.
SIGV4KIT_HOT inline void sha256_compress_auto(std::uint32_t h[8], const unsigned char* p, std::size_t blocks) noexcept {
#if SIGV4KIT_HAVE_SHANI
  if (cpu_has_shani()) {
    sha256_compress_shani(h, p, blocks);
    return;
  }
#endif
#if SIGV4KIT_HAVE_ARMV8_SHA2
  if (cpu_has_armv8_sha2()) {
    sha256_compress_armv8(h, p, blocks);
    return;
  }
#endif
  sha256_compress_portable(h, p, blocks);
}

#if !defined(SIGV4KIT_SMALL_SHA256)
/// auto_crypto's HMAC chain: in registers where the CPU has SHA-NI.
template <>
struct hmac_chain_impl<sha256_compress_auto> {
  static bool run(const unsigned char* k, const unsigned char (*blocks)[64], int steps, std::uint32_t* inner,
                  std::uint32_t* outer, sha256_rider* rider) noexcept {
#if SIGV4KIT_HAVE_SHANI
    if (cpu_has_shani()) {
      sha256_hmac_chain_shani(k, blocks, steps, inner, outer, rider);
      burn_stack();
      return true;
    }
#endif
    (void)k, (void)blocks, (void)steps, (void)inner, (void)outer, (void)rider;
    return false;
  }
};
/// auto_crypto's pair: in step where the CPU has SHA-NI or ARMv8 SHA2.
template <>
struct compress_pair<sha256_compress_auto> {
  static constexpr bool in_step = true;
  static void run(std::uint32_t* h1, const unsigned char* p1, std::uint32_t* h2, const unsigned char* p2) noexcept {
#if SIGV4KIT_HAVE_SHANI
    if (cpu_has_shani()) {
      sha256_compress2_shani(h1, p1, h2, p2);
      return;
    }
#endif
#if SIGV4KIT_HAVE_ARMV8_SHA2
    if (cpu_has_armv8_sha2()) {
      sha256_compress2_armv8(h1, p1, h2, p2);
      return;
    }
#endif
    sha256_compress_portable(h1, p1, 1);
    sha256_compress_portable(h2, p2, 1);
  }
};
#endif
}  // namespace detail

/// The built-in backend with run-time dispatch: x86 SHA-NI or ARMv8 SHA2 when the CPU reports
/// them, the portable code otherwise. Same context type as portable_crypto.
using auto_crypto = block_crypto<detail::sha256_compress_auto>;

/// The backend used when none is named (`basic_signer<>`, `sha256<>`): auto_crypto, or
/// portable_crypto when SIGV4KIT_FORCE_PORTABLE_SHA256 is defined.
#if defined(SIGV4KIT_FORCE_PORTABLE_SHA256) || !(SIGV4KIT_HAVE_SHANI || SIGV4KIT_HAVE_ARMV8_SHA2)
using default_crypto = portable_crypto;
#else
using default_crypto = auto_crypto;
#endif

/// One-shot and streaming SHA-256 over a backend. Copyable: a copy continues independently.
template <class Crypto = default_crypto>
class sha256 {
 public:
  static constexpr std::size_t digest_size = 32;
  sha256() noexcept { Crypto::init(ctx_); }
  sha256& update(const void* data, std::size_t n) noexcept {
    Crypto::update(ctx_, data, n);
    return *this;
  }
  /// Writes the digest to `out` (32 bytes) and resets the object for a new message. It does
  /// not wipe the last block from the context: after hashing a secret, wipe() the object.
  void finish(unsigned char out[32]) noexcept { Crypto::finish(ctx_, out); }
  void wipe() noexcept { secure_wipe(&ctx_, sizeof ctx_); }
  /// One-shot SHA-256; its context is wiped afterwards (it may have held a secret, such as an
  /// HMAC key longer than a block).
  static void hash(const void* data, std::size_t n, unsigned char out[32]) noexcept {
    typename Crypto::sha256_context c;
    Crypto::init(c);
    Crypto::update(c, data, n);
    Crypto::finish(c, out);
    secure_wipe(&c, sizeof c);
  }

 private:
  typename Crypto::sha256_context ctx_;
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_HPP
