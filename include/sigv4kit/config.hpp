// sigv4kit/config.hpp - every compile-time switch of sigv4kit, in one place.
//
// Define any of these before including a sigv4kit header (or on the command line) to
// override the default. Capacities are hard limits: a request that exceeds one is rejected
// with error_kind::capacity_exceeded, never truncated.
//
//   SIGV4KIT_MAX_HEADERS          headers in one request (default 64)
//   SIGV4KIT_MAX_QUERY_PARAMS     query parameters in one URL (default 64)
//   SIGV4KIT_MAX_PATH_SEGMENTS    path segments when normalising a path (default 128)
//   SIGV4KIT_MAX_HEADER_NAME_BYTES  bytes of all signed header names together (default 4096)
//   SIGV4KIT_MAX_SCOPE_PART       bytes of a region or service name (default 64)
//   SIGV4KIT_MAX_ACCESS_KEY_ID    bytes of an access key id (default 128, IAM's maximum)
//   SIGV4KIT_SINK_BYTES           buffer between the canonical request and SHA-256 (default 512:
//                                 a typical request is hashed whole, after it is written;
//                                 with SIGV4KIT_OPTIMIZE_SIZE there is no such buffer: the
//                                 pieces go straight to the hash, for less code and stack)
//   SIGV4KIT_KEY_CACHE_SIZE       derived signing keys a signer keeps (default 8; 0 = none)
//   SIGV4KIT_KEY_CACHE_ID_BYTES   bytes a cache entry holds of key id, secret, date, region and
//                                 service, each rounded up to whole words (on 32-bit targets
//                                 one word more; one-thread size builds: a length byte and the
//                                 bytes of each); longer ones are signed uncached (default 256)
//   SIGV4KIT_NO_THREADS           no <mutex>: the default cache lock is a no-op (bare metal);
//                                 automatic where the C++ library has no threads
//   SIGV4KIT_NO_ERROR_MESSAGES    errors carry their kind only (message() is the kind's word):
//                                 saves the sentences' flash on microcontrollers
//   SIGV4KIT_NO_PRESIGN           header mode only: presigned URLs (signing_mode::query) are
//                                 compiled out and refused with error_kind::unsupported
//                                 (sign_minimal: 1,408 bytes less flash on a Cortex-M4)
//   SIGV4KIT_FORCE_PORTABLE_SHA256  the default backend is the portable SHA-256 (no SHA-NI,
//                                 no ARMv8 dispatch)
//   SIGV4KIT_OPTIMIZE_SIZE        smaller code over speed: looped SHA-256 rounds, no lookup
//                                 tables beyond the character classes (default: on at -Os)
//   SIGV4KIT_SMALL_SHA256         only the looped SHA-256 rounds (implied by the above)
#ifndef SIGV4KIT_CONFIG_HPP
#define SIGV4KIT_CONFIG_HPP

#define SIGV4KIT_VERSION_MAJOR 0
#define SIGV4KIT_VERSION_MINOR 1
#define SIGV4KIT_VERSION_PATCH 0
#define SIGV4KIT_VERSION_STRING "0.1.0"

#ifndef SIGV4KIT_MAX_HEADERS
#define SIGV4KIT_MAX_HEADERS 64
#endif
#ifndef SIGV4KIT_MAX_QUERY_PARAMS
#define SIGV4KIT_MAX_QUERY_PARAMS 64
#endif
#ifndef SIGV4KIT_MAX_PATH_SEGMENTS
#define SIGV4KIT_MAX_PATH_SEGMENTS 128
#endif
#ifndef SIGV4KIT_MAX_HEADER_NAME_BYTES
#define SIGV4KIT_MAX_HEADER_NAME_BYTES 4096
#endif
#ifndef SIGV4KIT_MAX_SCOPE_PART
#define SIGV4KIT_MAX_SCOPE_PART 64
#endif
#ifndef SIGV4KIT_MAX_ACCESS_KEY_ID
#define SIGV4KIT_MAX_ACCESS_KEY_ID 128
#endif
#ifndef SIGV4KIT_KEY_CACHE_SIZE
#define SIGV4KIT_KEY_CACHE_SIZE 8
#endif
#ifndef SIGV4KIT_KEY_CACHE_ID_BYTES
#define SIGV4KIT_KEY_CACHE_ID_BYTES 256
#endif

#if defined(__OPTIMIZE_SIZE__) && !defined(SIGV4KIT_OPTIMIZE_SIZE)
#define SIGV4KIT_OPTIMIZE_SIZE 1
#endif
#if defined(SIGV4KIT_OPTIMIZE_SIZE) && !defined(SIGV4KIT_SMALL_SHA256)
#define SIGV4KIT_SMALL_SHA256 1
#endif
#ifndef SIGV4KIT_SINK_BYTES
#define SIGV4KIT_SINK_BYTES 512
#endif

// Unrolls the fixed-count loop that follows fully. The SHA instruction loops need it: GCC
// unrolls them only at -O3, and rolled, their message words live in memory (a SHA-NI block
// then cost 40 ns instead of 32 at -O2 on a Zen 5).
#if defined(__clang__)
#define SIGV4KIT_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define SIGV4KIT_UNROLL _Pragma("GCC unroll 16")
#else
#define SIGV4KIT_UNROLL
#endif

#define SIGV4KIT_STRINGIFY2(x) #x
#define SIGV4KIT_STRINGIFY(x) SIGV4KIT_STRINGIFY2(x)

// The sentences of error messages, or nothing when SIGV4KIT_NO_ERROR_MESSAGES is defined.
#ifdef SIGV4KIT_NO_ERROR_MESSAGES
#define SIGV4KIT_TEXT(sentence) ""
#else
#define SIGV4KIT_TEXT(sentence) sentence
#endif

#if SIGV4KIT_MAX_HEADERS < 1 || SIGV4KIT_MAX_HEADERS > 4096
#error "SIGV4KIT_MAX_HEADERS must be between 1 and 4096"
#endif
#if SIGV4KIT_MAX_QUERY_PARAMS < 1 || SIGV4KIT_MAX_QUERY_PARAMS > 4096
#error "SIGV4KIT_MAX_QUERY_PARAMS must be between 1 and 4096"
#endif
#if SIGV4KIT_KEY_CACHE_SIZE < 0 || SIGV4KIT_KEY_CACHE_SIZE > 1024
#error "SIGV4KIT_KEY_CACHE_SIZE must be between 0 and 1024"
#endif

// The inline namespace carries the version and the switches that change object layout, so
// two translation units built with different settings fail to link instead of silently
// violating the one-definition rule.
#define SIGV4KIT_ABI_CAT2(a, b, c, d, e) abi_v##a##_##b##_h##c##_q##d##_c##e
#define SIGV4KIT_ABI_CAT(a, b, c, d, e) SIGV4KIT_ABI_CAT2(a, b, c, d, e)
#define SIGV4KIT_ABI_NAMESPACE                                                     \
  SIGV4KIT_ABI_CAT(SIGV4KIT_VERSION_MAJOR, SIGV4KIT_VERSION_MINOR, SIGV4KIT_MAX_HEADERS, \
                   SIGV4KIT_MAX_QUERY_PARAMS, SIGV4KIT_KEY_CACHE_SIZE)
#define SIGV4KIT_BEGIN_NAMESPACE \
  namespace sigv4kit {           \
  inline namespace SIGV4KIT_ABI_NAMESPACE {
#define SIGV4KIT_END_NAMESPACE \
  }                            \
  }

#if defined(__GNUC__) || defined(__clang__)
#define SIGV4KIT_ALWAYS_INLINE inline __attribute__((always_inline))
#define SIGV4KIT_NOINLINE __attribute__((noinline))
#else
#define SIGV4KIT_ALWAYS_INLINE inline
#define SIGV4KIT_NOINLINE
#endif

// Error paths, out of the way. The signing path is short enough that the front end, not the
// work, bounds it: when its code does not stay in the CPU's decoded-instruction cache, it
// runs at decode speed. A cold function is kept out of line, and GCC and Clang move the
// branches that lead to it out of the hot code, so the instructions that run are packed into
// fewer lines (on a Zen 5, a warm s3-get signature ~590 -> ~535 ns from the error paths
// alone). Not when optimising size, which keeps its own layout.
//
// The functions a warm signature runs are SIGV4KIT_HOT: GCC puts them in .text.hot, which the
// GNU linkers lay out together, so they fill one contiguous stretch of the instruction cache
// (~20 KB) instead of lines scattered over the program that compete for the same cache sets
// (a warm s3-get 497 -> 482 ns on a Zen 5, alternated in one run).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(SIGV4KIT_OPTIMIZE_SIZE)
#define SIGV4KIT_COLD __attribute__((cold, noinline))
#define SIGV4KIT_HOT __attribute__((hot))
#define SIGV4KIT_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIGV4KIT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SIGV4KIT_COLD
#define SIGV4KIT_HOT
#define SIGV4KIT_LIKELY(x) (x)
#define SIGV4KIT_UNLIKELY(x) (x)
#endif

#endif  // SIGV4KIT_CONFIG_HPP
