// sigv4kit/crypto/sha256_arm.hpp - SHA-256 with the ARMv8 cryptography extension (SHA2).
//
// The block function is compiled for "+crypto" with a function target attribute, so users
// need no special flags. It runs when the CPU has SHA2: always when the compiler targets it
// (__ARM_FEATURE_SHA2 / __ARM_FEATURE_CRYPTO), else when Linux reports HWCAP_SHA2 (Arm
// Architecture Reference Manual, SHA256H/SHA256H2/SHA256SU0/SHA256SU1; Linux
// Documentation/arch/arm64/elf_hwcaps.rst).
#ifndef SIGV4KIT_CRYPTO_SHA256_ARM_HPP
#define SIGV4KIT_CRYPTO_SHA256_ARM_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/sha256_portable.hpp>

#include <cstddef>
#include <cstdint>

#if !defined(SIGV4KIT_NO_ARMV8_SHA2) && defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define SIGV4KIT_HAVE_ARMV8_SHA2 1
#include <arm_neon.h>
#if defined(__linux__) && !(defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO))
#include <sys/auxv.h>
#endif
#else
#define SIGV4KIT_HAVE_ARMV8_SHA2 0
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

#if SIGV4KIT_HAVE_ARMV8_SHA2

/// True when this CPU executes the ARMv8 SHA-256 instructions.
inline bool cpu_has_armv8_sha2() noexcept {
#if defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO)
  return true;
#elif defined(__linux__)
  static const bool has = (getauxval(AT_HWCAP) & (1ul << 6)) != 0;  // HWCAP_SHA2
  return has;
#else
  return false;
#endif
}

/// FIPS 180-4 compression with SHA256H/H2/SU0/SU1 of one block in each of `Lanes`
/// independent states, round by round in step (two dependency chains overlap; see
/// sha256_shani_lanes): four rounds per pair of instructions, the state as ABCD/EFGH vectors.
template <int Lanes>
__attribute__((target("+crypto"))) SIGV4KIT_ALWAYS_INLINE void sha256_armv8_lanes(
    std::uint32_t* const* h, const unsigned char* const* p, std::size_t blocks) noexcept {
  uint32x4_t abcd[Lanes], efgh[Lanes];
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    abcd[l] = vld1q_u32(h[l]);
    efgh[l] = vld1q_u32(h[l] + 4);
  }
  for (std::size_t b = 0; b < blocks; ++b) {
    uint32x4_t abcd0[Lanes], efgh0[Lanes], m[Lanes][4];
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
      abcd0[l] = abcd[l];
      efgh0[l] = efgh[l];
      for (int i = 0; i < 4; ++i) m[l][i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p[l] + 64 * b + 16 * i)));
    }
    SIGV4KIT_UNROLL for (int g = 0; g < 16; ++g) {  // 16 groups of 4 rounds
      const uint32x4_t kg = vld1q_u32(sha256_k + 4 * g);
      SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
        uint32x4_t* ml = m[l];
        uint32x4_t wk = vaddq_u32(ml[g & 3], kg);
        if (g < 12)  // W for group g + 4 = SU1(SU0(W[g], W[g+1]), W[g+2], W[g+3])
          ml[g & 3] = vsha256su1q_u32(vsha256su0q_u32(ml[g & 3], ml[(g + 1) & 3]), ml[(g + 2) & 3], ml[(g + 3) & 3]);
        uint32x4_t prev = abcd[l];
        abcd[l] = vsha256hq_u32(abcd[l], efgh[l], wk);
        efgh[l] = vsha256h2q_u32(efgh[l], prev, wk);
      }
    }
    SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
      abcd[l] = vaddq_u32(abcd[l], abcd0[l]);
      efgh[l] = vaddq_u32(efgh[l], efgh0[l]);
    }
  }
  SIGV4KIT_UNROLL for (int l = 0; l < Lanes; ++l) {
    vst1q_u32(h[l], abcd[l]);
    vst1q_u32(h[l] + 4, efgh[l]);
  }
}

/// FIPS 180-4 compression of `blocks` 64-byte blocks (one copy: see sha256_compress_shani).
SIGV4KIT_HOT __attribute__((target("+crypto")
#if defined(__GNUC__) && !defined(__clang__)
               , noclone
#endif
               )) inline void sha256_compress_armv8(std::uint32_t h[8], const unsigned char* p,
                                                                     std::size_t blocks) noexcept {
  sha256_armv8_lanes<1>(&h, &p, blocks);
}

/// One block into each of two independent states, in step (see sha256_armv8_lanes).
__attribute__((target("+crypto"))) inline void sha256_compress2_armv8(std::uint32_t h1[8], const unsigned char* p1,
                                                                      std::uint32_t h2[8],
                                                                      const unsigned char* p2) noexcept {
  std::uint32_t* const h[2] = {h1, h2};
  const unsigned char* const p[2] = {p1, p2};
  sha256_armv8_lanes<2>(h, p, 1);
}

#if !defined(SIGV4KIT_SMALL_SHA256)
template <>
struct compress_pair<sha256_compress_armv8> {
  static constexpr bool in_step = true;
  static void run(std::uint32_t* h1, const unsigned char* p1, std::uint32_t* h2, const unsigned char* p2) noexcept {
    sha256_compress2_armv8(h1, p1, h2, p2);
  }
};
#endif

#endif  // SIGV4KIT_HAVE_ARMV8_SHA2

}  // namespace detail

#if SIGV4KIT_HAVE_ARMV8_SHA2
/// Backend using the ARMv8 SHA2 instructions unconditionally: only for CPUs that have them
/// (detail::cpu_has_armv8_sha2()); auto_crypto picks it for you.
using armv8_crypto = block_crypto<detail::sha256_compress_armv8>;
#endif

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_ARM_HPP
