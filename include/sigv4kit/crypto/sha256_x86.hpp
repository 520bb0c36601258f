// sigv4kit/crypto/sha256_x86.hpp - SHA-256 with the x86 SHA extensions (SHA-NI).
//
// The block function is compiled for the SHA/SSE4.1 instruction sets with a function target
// attribute, so users need no special compiler flags; it is only called after CPUID says the
// CPU has them (Intel SDM vol. 2, CPUID leaf 7 EBX bit 29 "SHA"; leaf 1 ECX bits 19/9).
#ifndef SIGV4KIT_CRYPTO_SHA256_X86_HPP
#define SIGV4KIT_CRYPTO_SHA256_X86_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/sha256_portable.hpp>

#include <cstddef>
#include <cstdint>

#if !defined(SIGV4KIT_NO_SHANI) && (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define SIGV4KIT_HAVE_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define SIGV4KIT_HAVE_SHANI 0
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

#if SIGV4KIT_HAVE_SHANI

/// True when this CPU executes the SHA extensions (and the SSSE3/SSE4.1 they are used with).
inline bool cpu_has_shani() noexcept {
  static const bool has = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    bool ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (__get_cpuid_max(0, nullptr) < 7) return false;
    __cpuid_count(7, 0, a, b, c, d);
    return ssse3 && sse41 && ((b >> 29) & 1);
  }();
  return has;
}

/// FIPS 180-4 compression with SHA256RNDS2/MSG1/MSG2 of one block in each of `Lanes`
/// independent states, round by round in step. A compression is one long dependency chain
/// (each SHA256RNDS2 waits for the one before), so two chains issued in step overlap where two
/// issued one after the other do not fully: on a Zen 5, ~45 ns for two blocks in step against
/// ~68 ns one after the other (the signing-key derivation's ipad and opad blocks). The state is
/// kept as ABEF/CDGH lane pairs, the layout the instructions use.
template <int Lanes>
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_lanes(
    std::uint32_t* const* h, const unsigned char* const* p, std::size_t blocks) noexcept {
  const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i state0[Lanes], state1[Lanes];
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l]));         // DCBA
    __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l] + 4));      // HGFE
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                                             // CDAB
    s1 = _mm_shuffle_epi32(s1, 0x1B);                                               // EFGH
    state0[l] = _mm_alignr_epi8(tmp, s1, 8);                                        // ABEF
    state1[l] = _mm_blend_epi16(s1, tmp, 0xF0);                                     // CDGH
  }
  for (std::size_t b = 0; b < blocks; ++b) {
    __m128i abef[Lanes], cdgh[Lanes], m[Lanes][4];
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
      abef[l] = state0[l];
      cdgh[l] = state1[l];
    }
    SIGV4KIT_UNROLL for (int g = 0; g < 16; ++g) {  // 16 groups of 4 rounds
      const __m128i kg = _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g));
      SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
        __m128i* ml = m[l];
        __m128i& w = ml[g & 3];
        if (g < 4) {
          w = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p[l] + 64 * b + 16 * g)), byteswap);
        } else {
          // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time.
          __m128i x = _mm_sha256msg1_epu32(ml[g & 3], ml[(g + 1) & 3]);
          x = _mm_add_epi32(x, _mm_alignr_epi8(ml[(g + 3) & 3], ml[(g + 2) & 3], 4));
          w = _mm_sha256msg2_epu32(x, ml[(g + 3) & 3]);
        }
        const __m128i k = _mm_add_epi32(w, kg);
        state1[l] = _mm_sha256rnds2_epu32(state1[l], state0[l], k);
        state0[l] = _mm_sha256rnds2_epu32(state0[l], state1[l], _mm_shuffle_epi32(k, 0x0E));
      }
    }
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
      state0[l] = _mm_add_epi32(state0[l], abef[l]);
      state1[l] = _mm_add_epi32(state1[l], cdgh[l]);
    }
  }
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    __m128i tmp = _mm_shuffle_epi32(state0[l], 0x1B);  // FEBA
    __m128i s1 = _mm_shuffle_epi32(state1[l], 0xB1);   // DCHG
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l]), _mm_blend_epi16(tmp, s1, 0xF0));   // DCBA
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l] + 4), _mm_alignr_epi8(s1, tmp, 8));  // HGFE
  }
}

/// FIPS 180-4 compression of `blocks` 64-byte blocks. One copy (noclone): GCC would otherwise
/// add a clone for callers passing blocks = 1, and a signature then runs both, ~220 more
/// distinct instructions to decode; the signing path is front-end bound (see SIGV4KIT_COLD),
/// and the clone cost a warm s3-get signature ~30 ns on a Zen 5.
__attribute__((target("sha,sse4.1,ssse3")
#if defined(__GNUC__) && !defined(__clang__)
               , noclone
#endif
               )) inline void sha256_compress_shani(std::uint32_t h[8],
                                                                              const unsigned char* p,
                                                                              std::size_t blocks) noexcept {
  sha256_shani_lanes<1>(&h, &p, blocks);
}

/// One block into each of two independent states, in step (see sha256_shani_lanes).
__attribute__((target("sha,sse4.1,ssse3"))) inline void sha256_compress2_shani(std::uint32_t h1[8],
                                                                               const unsigned char* p1,
                                                                               std::uint32_t h2[8],
                                                                               const unsigned char* p2) noexcept {
  std::uint32_t* const h[2] = {h1, h2};
  const unsigned char* const p[2] = {p1, p2};
  sha256_shani_lanes<2>(h, p, 1);
}

#if !defined(SIGV4KIT_SMALL_SHA256)
template <>
struct compress_pair<sha256_compress_shani> {
  static void run(std::uint32_t* h1, const unsigned char* p1, std::uint32_t* h2, const unsigned char* p2) noexcept {
    sha256_compress2_shani(h1, p1, h2, p2);
  }
};
#endif

#endif  // SIGV4KIT_HAVE_SHANI

}  // namespace detail

#if SIGV4KIT_HAVE_SHANI
/// Backend using SHA-NI unconditionally: only for CPUs that have it (check
/// detail::cpu_has_shani()); auto_crypto picks it for you.
using shani_crypto = block_crypto<detail::sha256_compress_shani>;
#endif

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_X86_HPP
