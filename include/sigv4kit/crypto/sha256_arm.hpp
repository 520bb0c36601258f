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

/// FIPS 180-4 compression of `blocks` 64-byte blocks with SHA256H/H2/SU0/SU1: four rounds per
/// pair of instructions, the state as ABCD/EFGH vectors.
__attribute__((target("+crypto"))) inline void sha256_compress_armv8(std::uint32_t h[8], const unsigned char* p,
                                                                     std::size_t blocks) noexcept {
  uint32x4_t abcd = vld1q_u32(h), efgh = vld1q_u32(h + 4);
  while (blocks--) {
    const uint32x4_t abcd0 = abcd, efgh0 = efgh;
    uint32x4_t m[4];
    for (int i = 0; i < 4; ++i) m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    SIGV4KIT_UNROLL for (int g = 0; g < 16; ++g) {  // 16 groups of 4 rounds
      uint32x4_t wk = vaddq_u32(m[g & 3], vld1q_u32(sha256_k + 4 * g));
      if (g < 12)  // W for group g + 4 = SU1(SU0(W[g], W[g+1]), W[g+2], W[g+3])
        m[g & 3] = vsha256su1q_u32(vsha256su0q_u32(m[g & 3], m[(g + 1) & 3]), m[(g + 2) & 3], m[(g + 3) & 3]);
      uint32x4_t prev = abcd;
      abcd = vsha256hq_u32(abcd, efgh, wk);
      efgh = vsha256h2q_u32(efgh, prev, wk);
    }
    abcd = vaddq_u32(abcd, abcd0);
    efgh = vaddq_u32(efgh, efgh0);
    p += 64;
  }
  vst1q_u32(h, abcd);
  vst1q_u32(h + 4, efgh);
}

#endif  // SIGV4KIT_HAVE_ARMV8_SHA2

}  // namespace detail

#if SIGV4KIT_HAVE_ARMV8_SHA2
/// Backend using the ARMv8 SHA2 instructions unconditionally: only for CPUs that have them
/// (detail::cpu_has_armv8_sha2()); auto_crypto picks it for you.
using armv8_crypto = block_crypto<detail::sha256_compress_armv8>;
#endif

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_ARM_HPP
