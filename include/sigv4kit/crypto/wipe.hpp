// sigv4kit/crypto/wipe.hpp - secure wipe and constant-time comparison.
#ifndef SIGV4KIT_CRYPTO_WIPE_HPP
#define SIGV4KIT_CRYPTO_WIPE_HPP

#include <sigv4kit/config.hpp>

#include <cstddef>
#include <cstring>
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD) && !defined(SIGV4KIT_OPTIMIZE_SIZE)
#include <emmintrin.h>
#endif

SIGV4KIT_BEGIN_NAMESPACE

/// Overwrites `n` bytes at `p` with zeros in a way the optimiser may not remove (as
/// Monocypher's crypto_wipe: the stores are followed by a barrier that uses the memory).
#ifdef SIGV4KIT_OPTIMIZE_SIZE
SIGV4KIT_NOINLINE  // (one call each: inlined where it has few callers, the memset's arguments cost more)
#endif
inline void secure_wipe(void* p, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  // Zero stores, then an empty asm that "reads" p with a memory clobber: they must happen.
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD) && !defined(SIGV4KIT_OPTIMIZE_SIZE)
  // 16 bytes a store: GCC (generic tuning) makes any fixed-size clear over 64 bytes
  // `rep stosq`, whose start-up cost 12 ns for a signature's 224-byte HMAC key on a Zen 5.
  // The empty asm hides the pointer, so that the loop is not recognised as a memset either.
  unsigned char* b = static_cast<unsigned char*>(p);
  for (; n >= 16; n -= 16, b += 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(b), _mm_setzero_si128());
    __asm__("" : "+r"(b));
  }
  if (n) std::memset(b, 0, n);
#elif defined(SIGV4KIT_OPTIMIZE_SIZE)
  p = std::memset(p, 0, n);  // (its result, the same pointer: p is not kept across the call)
#else
  std::memset(p, 0, n);
#endif
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  volatile unsigned char* b = static_cast<volatile unsigned char*>(p);
  while (n--) *b++ = 0;
#endif
}

/// Zeroes 256 bytes of stack where the frame of a function the caller has just called was:
/// register-resident hashing (sha256_hmac_chain_shani) spills some secret-derived state there,
/// which would otherwise outlive it (as libgcrypt's _gcry_burn_stack).
SIGV4KIT_NOINLINE inline void burn_stack() noexcept {
  unsigned char b[256];
  secure_wipe(b, sizeof b);
}

/// Compares two buffers of `n` bytes without branching on their contents (the time depends
/// only on `n`). Returns true when they are equal.
inline bool constant_time_equal(const void* a, const void* b, std::size_t n) noexcept {
  const volatile unsigned char* x = static_cast<const volatile unsigned char*>(a);
  const volatile unsigned char* y = static_cast<const volatile unsigned char*>(b);
  unsigned char diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff = static_cast<unsigned char>(diff | (x[i] ^ y[i]));
  return diff == 0;
}

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_WIPE_HPP
