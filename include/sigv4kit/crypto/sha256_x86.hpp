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

/// The 64 rounds of FIPS 180-4's compression with SHA256RNDS2/MSG1/MSG2, and the final
/// additions, for `Lanes` independent states (ABEF/CDGH, the layout the instructions use)
/// whose blocks' first 16 message words are already in registers (see sha256_shani_lanes).
template <int Lanes>
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_rounds(__m128i* state0, __m128i* state1,
                                                                                          __m128i (*m)[4]) noexcept {
  // m[l][0..4): lane l's message words 0..15, four to a vector (lane 0 first).
  __m128i abef[Lanes], cdgh[Lanes];
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    abef[l] = state0[l];
    cdgh[l] = state1[l];
  }
  SIGV4KIT_UNROLL for (int g = 0; g < 16; ++g) {  // 16 groups of 4 rounds
    const __m128i kg = _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g));
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
      __m128i* ml = m[l];
      __m128i& w = ml[g & 3];
      if (g >= 4) {
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

/// h[0..4), h[4..8) as vectors (DCBA, HGFE: H0 in lane 0) to the instructions' ABEF/CDGH.
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_from_words(
    __m128i dcba, __m128i hgfe, __m128i& abef, __m128i& cdgh) noexcept {
  const __m128i tmp = _mm_shuffle_epi32(dcba, 0xB1);  // CDAB
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  abef = _mm_alignr_epi8(tmp, efgh, 8);
  cdgh = _mm_blend_epi16(efgh, tmp, 0xF0);
}
/// The reverse: ABEF/CDGH to DCBA, HGFE.
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_to_words(
    __m128i abef, __m128i cdgh, __m128i& dcba, __m128i& hgfe) noexcept {
  const __m128i tmp = _mm_shuffle_epi32(abef, 0x1B);  // FEBA
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(tmp, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, tmp, 8);
}

/// FIPS 180-4 compression with SHA256RNDS2/MSG1/MSG2 of one block in each of `Lanes`
/// independent states, round by round in step. A compression is one long dependency chain
/// (each SHA256RNDS2 waits for the one before), so two chains issued in step overlap better
/// than two issued one after the other: the signing-key derivation's five ipad/opad pairs took
/// 563 ns in step against 647 (a test program on a Zen 5). The state is kept as ABEF/CDGH lane
/// pairs, the layout the instructions use.
template <int Lanes>
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_lanes(
    std::uint32_t* const* h, const unsigned char* const* p, std::size_t blocks) noexcept {
  const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i state0[Lanes], state1[Lanes];
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l)
    sha256_shani_from_words(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l])),
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l] + 4)), state0[l], state1[l]);
  for (std::size_t b = 0; b < blocks; ++b) {
    __m128i m[Lanes][4];
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l)
      SIGV4KIT_UNROLL for (int g = 0; g < 4; ++g)
        m[l][g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p[l] + 64 * b + 16 * g)), byteswap);
    sha256_shani_rounds<Lanes>(state0, state1, m);
  }
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    __m128i dcba, hgfe;
    sha256_shani_to_words(state0[l], state1[l], dcba, hgfe);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l]), dcba);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l] + 4), hgfe);
  }
}

/// One block (m[0]) into the state a0/a1 and, when `b` is not null, block `b` into the state
/// r0/r1 in step (m[1] is its room): a chain's step with a rider's block (see sha256_rider).
__attribute__((target("sha,sse4.1,ssse3"))) SIGV4KIT_ALWAYS_INLINE void sha256_shani_ride(
    __m128i& a0, __m128i& a1, __m128i& r0, __m128i& r1, __m128i (*m)[4], const unsigned char* b) noexcept {
  if (!b) {
    sha256_shani_rounds<1>(&a0, &a1, m);
    return;
  }
  const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  for (int g = 0; g < 4; ++g)
    m[1][g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16 * g)), byteswap);
  __m128i s0[2] = {a0, r0}, s1[2] = {a1, r1};
  sha256_shani_rounds<2>(s0, s1, m);
  a0 = s0[0], a1 = s1[0], r0 = s0[1], r1 = s1[1];
}

/// HMAC-SHA256 applied `steps` times in a chain, each key the MAC before it, with every
/// state, key and block in registers (SigV4's signing-key derivation, AWS General Reference
/// "Calculate the signature"): key 0 is k[0..64) (a key of at most a block, zero-padded:
/// RFC 2104), key i + 1 = HMAC(key i, message i), where blocks[i] is message i already laid
/// out as the inner hash's block after the ipad block (message, 0x80, zeros, the bit length
/// of 64 + its length). The result: the chaining values after key `steps`'s ipad and opad
/// blocks, in inner[8] and outer[8]. Each step's ipad and opad blocks are compressed in step.
/// Between compressions nothing goes through memory: a digest's words are the next block's
/// words, so a store and a reload (~15 cycles each way on a Zen 5) are not on the chain.
/// With `rider`, its blocks go in step with the steps' message and outer blocks, which are
/// otherwise alone (see sha256_rider), up to two per step; not with the ipad/opad pairs: a
/// third state in step made the pairs slower (the chain with 5 blocks alongside: 533 ns
/// against 516).
__attribute__((target("sha,sse4.1,ssse3"))) inline void sha256_hmac_chain_shani(const unsigned char k[64],
                                                                                const unsigned char (*blocks)[64],
                                                                                int steps, std::uint32_t inner[8],
                                                                                std::uint32_t outer[8],
                                                                                sha256_rider* rider) noexcept {
  const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  const __m128i ipad = _mm_set1_epi32(0x36363636), opad = _mm_set1_epi32(0x5c5c5c5c);
  std::uint32_t iv[8];
  sha256_init_h(iv);
  __m128i iv0, iv1;
  sha256_shani_from_words(_mm_loadu_si128(reinterpret_cast<const __m128i*>(iv)),
                          _mm_loadu_si128(reinterpret_cast<const __m128i*>(iv + 4)), iv0, iv1);
  __m128i key[4];
  for (int g = 0; g < 4; ++g)
    key[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 16 * g)), byteswap);
  // States: [0] inner, [1] outer, [2] the rider's (when it has blocks).
  __m128i s0[3], s1[3];
  const int ride = rider ? rider->count : 0;
  int rode = 0;
  s0[2] = s1[2] = _mm_setzero_si128();  // (not read without a rider)
  if (ride)
    sha256_shani_from_words(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rider->h)),
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(rider->h + 4)), s0[2], s1[2]);
  for (int step = 0;; ++step) {
    __m128i m[2][4];
    for (int g = 0; g < 4; ++g) {
      m[0][g] = _mm_xor_si128(key[g], ipad);
      m[1][g] = _mm_xor_si128(key[g], opad);
    }
    s0[0] = s0[1] = iv0;
    s1[0] = s1[1] = iv1;
    sha256_shani_rounds<2>(s0, s1, m);
    if (step == steps) break;
    __m128i mi[2][4];
    for (int g = 0; g < 4; ++g)
      mi[0][g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks[step] + 16 * g)), byteswap);
    sha256_shani_ride(s0[0], s1[0], s0[2], s1[2], mi, rode < ride ? rider->block[rode++] : nullptr);
    // The outer block: the inner digest, 0x80, zeros, (64 + 32) * 8 bits.
    __m128i mo[2][4];
    sha256_shani_to_words(s0[0], s1[0], mo[0][0], mo[0][1]);
    mo[0][2] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u));
    mo[0][3] = _mm_set_epi32(0x300, 0, 0, 0);
    sha256_shani_ride(s0[1], s1[1], s0[2], s1[2], mo, rode < ride ? rider->block[rode++] : nullptr);
    sha256_shani_to_words(s0[1], s1[1], key[0], key[1]);  // the next key: this MAC, zero-padded
    key[2] = key[3] = _mm_setzero_si128();
  }
  __m128i w0, w1;
  sha256_shani_to_words(s0[0], s1[0], w0, w1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(inner), w0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(inner + 4), w1);
  sha256_shani_to_words(s0[1], s1[1], w0, w1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(outer), w0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(outer + 4), w1);
  if (ride) {
    sha256_shani_to_words(s0[2], s1[2], w0, w1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(rider->h), w0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(rider->h + 4), w1);
    rider->done = rode;
  }
}

/// FIPS 180-4 compression of `blocks` 64-byte blocks. One copy (noclone): GCC would otherwise
/// add a clone for callers passing blocks = 1, and a signature then runs both, ~220 more
/// distinct instructions to decode; the signing path is front-end bound (see SIGV4KIT_COLD),
/// and the clone cost a warm s3-get signature ~30 ns on a Zen 5.
SIGV4KIT_HOT __attribute__((target("sha,sse4.1,ssse3")
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
struct hmac_chain_impl<sha256_compress_shani> {
  static bool run(const unsigned char* k, const unsigned char (*blocks)[64], int steps, std::uint32_t* inner,
                  std::uint32_t* outer, sha256_rider* rider) noexcept {
    sha256_hmac_chain_shani(k, blocks, steps, inner, outer, rider);
    burn_stack();
    return true;
  }
};
template <>
struct compress_pair<sha256_compress_shani> {
  static constexpr bool in_step = true;
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
