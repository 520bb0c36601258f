// sigv4kit - AWS Signature Version 4 for C++17, as one header.
//
// GENERATED FILE - DO NOT EDIT. It is made from include/sigv4kit/ by
// tools/amalgamate.py; edit those headers and run `python3 tools/amalgamate.py`.
// ---- begin sigv4kit/sigv4kit.hpp ----
// sigv4kit/sigv4kit.hpp - the umbrella header: everything sigv4kit offers.
//
// sigv4kit: AWS Signature Version 4 signing for C++17, header-only, no heap on the signing
// path, no exceptions, pluggable crypto. See README.md.
#ifndef SIGV4KIT_SIGV4KIT_HPP
#define SIGV4KIT_SIGV4KIT_HPP

// ---- begin sigv4kit/config.hpp ----
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
// ---- end sigv4kit/config.hpp ----
// ---- begin sigv4kit/detail/result.hpp ----
// sigv4kit/detail/result.hpp - the one error vocabulary and result type of the library.
#ifndef SIGV4KIT_DETAIL_RESULT_HPP
#define SIGV4KIT_DETAIL_RESULT_HPP


#include <cstddef>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

SIGV4KIT_BEGIN_NAMESPACE

/// What went wrong, as a machine-readable word (see to_string(error_kind)).
enum class error_kind : unsigned char {
  invalid_method,        ///< method is not an HTTP token
  invalid_url,           ///< URL malformed: no scheme, no host, fragment, control character
  invalid_header,        ///< header name not a token, or CR/LF/NUL in a value outside a fold
  invalid_query,         ///< query parameter that may not be there (e.g. X-Amz-Signature)
  invalid_timestamp,     ///< not YYYYMMDDTHHMMSSZ or not a real calendar time
  invalid_scope,         ///< region or service empty, too long, or with '/' or whitespace
  invalid_credentials,   ///< access key id or secret missing or malformed
  invalid_payload_hash,  ///< not 64 lower-case hex digits nor a known constant
  invalid_expires,       ///< X-Amz-Expires outside 1..604800
  capacity_exceeded,     ///< more headers/params/segments than configured (SIGV4KIT_MAX_*)
  buffer_too_small,      ///< the caller's output buffer cannot hold the result
  invalid_argument,      ///< anything else the caller passed that cannot be used
  unsupported,           ///< a feature this build compiled out (presigning with SIGV4KIT_NO_PRESIGN)
};

/// Short stable word for an error kind, e.g. "invalid_header".
constexpr std::string_view to_string(error_kind k) noexcept {
  switch (k) {
    case error_kind::invalid_method: return "invalid_method";
    case error_kind::invalid_url: return "invalid_url";
    case error_kind::invalid_header: return "invalid_header";
    case error_kind::invalid_query: return "invalid_query";
    case error_kind::invalid_timestamp: return "invalid_timestamp";
    case error_kind::invalid_scope: return "invalid_scope";
    case error_kind::invalid_credentials: return "invalid_credentials";
    case error_kind::invalid_payload_hash: return "invalid_payload_hash";
    case error_kind::invalid_expires: return "invalid_expires";
    case error_kind::capacity_exceeded: return "capacity_exceeded";
    case error_kind::buffer_too_small: return "buffer_too_small";
    case error_kind::invalid_argument: return "invalid_argument";
    case error_kind::unsupported: return "unsupported";
  }
  return "unknown";
}

/// An error: its kind and a message for a person. The message is composed when the error is
/// made, from a fixed sentence and at most one short piece of non-secret context (a header
/// name, a parameter name); callers never pass secrets as context. No heap is used.
class error {
 public:
#ifdef SIGV4KIT_NO_ERROR_MESSAGES
  constexpr error() noexcept = default;
  constexpr error(error_kind kind, std::string_view = {}, std::string_view = {}) noexcept : kind_(kind) {}
  constexpr error_kind kind() const noexcept { return kind_; }
  /// Without messages compiled in, the kind's word, e.g. "invalid_header".
  constexpr std::string_view message() const noexcept { return to_string(kind_); }

 private:
  error_kind kind_ = error_kind::invalid_argument;
#else
  static constexpr std::size_t max_message = 160;

  // The text buffer is not cleared: a success status carries an unused error, and zeroing
  // 160 bytes on every successful call showed up in the signing profile.
  error() noexcept { text_[0] = '\0'; }
  // Cold: every call is on an error path (see SIGV4KIT_COLD).
  SIGV4KIT_COLD error(error_kind kind, std::string_view what, std::string_view context = {}) noexcept
      : kind_(kind) {
    text_[0] = '\0';
    append(what);
    if (!context.empty()) {
      append(": '");
      constexpr std::size_t max_context = 48;
      if (context.size() > max_context) {
        append(std::string_view(context.data(), max_context));
        append("...");
      } else {
        append(context);
      }
      append("'");
    }
  }

  error_kind kind() const noexcept { return kind_; }
  /// The message, e.g. "header name has a character not allowed in a token: 'My Header'".
  std::string_view message() const noexcept { return std::string_view(text_, len_); }

 private:
  void append(std::string_view s) noexcept {
    for (char c : s) {
      if (std::size_t(len_) + 1 >= max_message) break;
      // Keep messages printable even when context came from hostile input.
      unsigned char u = static_cast<unsigned char>(c);
      text_[len_++] = (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    text_[len_] = '\0';
  }

  error_kind kind_ = error_kind::invalid_argument;
  unsigned char len_ = 0;
  char text_[max_message];
#endif
};

namespace detail {
struct in_place_t {
  explicit in_place_t() = default;
};
inline constexpr in_place_t in_place{};
}  // namespace detail

/// Either a value or an error. Never throws; check with `ok()` / `operator bool` before
/// calling `value()`.
template <class T>
class result {
  static_assert(std::is_nothrow_move_constructible<T>::value, "T must be nothrow movable");

 public:
  result(T value) noexcept : ok_(true) { ::new (static_cast<void*>(&storage_.value)) T(std::move(value)); }
  /// A default-constructed value, to be filled in place (no copy on return: see fail()).
  explicit result(detail::in_place_t) noexcept : ok_(true) { ::new (static_cast<void*>(&storage_.value)) T(); }
  result(error e) noexcept : ok_(false) { ::new (static_cast<void*>(&storage_.err)) error(e); }
  result(const result& o) noexcept(std::is_nothrow_copy_constructible<T>::value) : ok_(o.ok_) {
    if (ok_) ::new (static_cast<void*>(&storage_.value)) T(o.storage_.value);
    else ::new (static_cast<void*>(&storage_.err)) error(o.storage_.err);
  }
  result(result&& o) noexcept : ok_(o.ok_) {
    if (ok_) ::new (static_cast<void*>(&storage_.value)) T(std::move(o.storage_.value));
    else ::new (static_cast<void*>(&storage_.err)) error(o.storage_.err);
  }
  result& operator=(const result&) = delete;
  result& operator=(result&&) = delete;
  ~result() {
    if (ok_) storage_.value.~T();
  }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  T& value() noexcept { return storage_.value; }
  const T& value() const noexcept { return storage_.value; }
  T* operator->() noexcept { return &storage_.value; }
  const T* operator->() const noexcept { return &storage_.value; }
  T& operator*() noexcept { return storage_.value; }
  const T& operator*() const noexcept { return storage_.value; }
  const error& err() const noexcept { return storage_.err; }
  /// Replaces the value with `e`: lets a function return one named result on every path.
  void fail(const error& e) noexcept {
    if (ok_) storage_.value.~T();
    ::new (static_cast<void*>(&storage_.err)) error(e);
    ok_ = false;
  }

 private:
  union storage_t {
    storage_t() noexcept {}
    ~storage_t() {}
    T value;
    error err;
  } storage_;
  bool ok_;
};

/// result<void>: success, or an error.
class
#ifdef SIGV4KIT_NO_ERROR_MESSAGES
    // Without messages, one whole word (all of it defined): returned in a register and tested
    // there, where a two-byte struct is taken apart and rebuilt byte by byte (GCC, Arm).
    alignas(4)
#endif
        status {
 public:
  status() noexcept = default;
  status(error e) noexcept : ok_(false), err_(e) {}
  bool ok() const noexcept { return SIGV4KIT_LIKELY(ok_); }
  explicit operator bool() const noexcept { return SIGV4KIT_LIKELY(ok_); }  // (failure: an error path)
  const error& err() const noexcept { return err_; }

 private:
  bool ok_ = true;
  error err_;
#ifdef SIGV4KIT_NO_ERROR_MESSAGES
  [[maybe_unused]] unsigned short unused_ = 0;  // (only to define the whole word)
#endif
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_DETAIL_RESULT_HPP
// ---- end sigv4kit/detail/result.hpp ----
// ---- begin sigv4kit/detail/text.hpp ----
// sigv4kit/detail/text.hpp - character classes, hex, percent-encoding and ISO 8601 basic time.
// Nothing here knows of AWS: these are the byte-level rules the canonical request is made of.
#ifndef SIGV4KIT_DETAIL_TEXT_HPP
#define SIGV4KIT_DETAIL_TEXT_HPP


#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__) && !defined(SIGV4KIT_OPTIMIZE_SIZE) && !defined(SIGV4KIT_NO_SIMD)
#include <emmintrin.h>
#endif

// Out of line when optimising size: for small helpers called from many places, where
// GCC's -Os heuristics would otherwise inline a copy into some callers.
#ifdef SIGV4KIT_OPTIMIZE_SIZE
#define SIGV4KIT_SIZE_NOINLINE SIGV4KIT_NOINLINE
#else
#define SIGV4KIT_SIZE_NOINLINE
#endif
// Always inlined when optimising size: functions with a single caller, whose call, prologue
// and epilogue cost more than nothing (GCC does not inline them by itself: an inline
// function has vague linkage, so it does not know that there is one caller).
#ifdef SIGV4KIT_OPTIMIZE_SIZE
#define SIGV4KIT_SIZE_INLINE SIGV4KIT_ALWAYS_INLINE
#else
#define SIGV4KIT_SIZE_INLINE inline
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

inline constexpr char hex_upper[] = "0123456789ABCDEF";
inline constexpr char hex_lower[] = "0123456789abcdef";
#ifdef SIGV4KIT_OPTIMIZE_SIZE
/// Size builds: the six payload hash constants (see payload:: in request.hpp) in one text,
/// three with "-TRAILER" and each of those without it, and "UNSIGNED-PAYLOAD" inside
/// "STREAMING-UNSIGNED-PAYLOAD-TRAILER" (see is_known_payload_constant).
inline constexpr char payload_constants_text[] =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"          // 0
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER"                  // 42
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";   // 76
/// One copy of the text that "AWS4" (the key prefix), the algorithm name and a payload
/// constant's core begin with: "AWS4-HMAC-SHA256-PAYLOAD", in the text above.
inline constexpr const char* aws4_text = payload_constants_text + 10;
#endif

#ifndef SIGV4KIT_OPTIMIZE_SIZE
/// copy_bytes past 64 bytes (65..256, a URL or a token, 16 bytes a step with SSE2; longer,
/// memcpy). Out of line: rare, and the inlined copies stay small.
SIGV4KIT_NOINLINE inline void copy_long(char* dst, const char* src, std::size_t n) noexcept {
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  if (n <= 256) {  // (n > 16) the last step overlapping
    for (std::size_t i = 0; i < n - 16; i += 16)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16), _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16)));
    return;
  }
#endif
  std::memcpy(dst, src, n);
}
#endif

/// memcpy for the short pieces a canonical request is made of: up to 16 bytes as two
/// overlapping fixed-size copies (1 to 3 as three bytes), up to 64 (with SSE2) as two or four
/// overlapping 16-byte ones (inlined: no library call through the PLT), longer ones by
/// copy_long.
/// Reads and writes only [src, src + n) and [dst, dst + n). When optimising size, memcpy
/// itself (a microcontroller's C startup code links it anyway).
SIGV4KIT_HOT inline void copy_bytes(char* dst, const char* src, std::size_t n) noexcept {
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  if (n) std::memcpy(dst, src, n);  // memcpy may not be given null, which an empty view may hold
#else
  if (n <= 16) {
    if (n >= 8) {
      std::uint64_t a, b;
      std::memcpy(&a, src, 8);
      std::memcpy(&b, src + n - 8, 8);
      std::memcpy(dst, &a, 8);
      std::memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
      std::uint32_t a, b;
      std::memcpy(&a, src, 4);
      std::memcpy(&b, src + n - 4, 4);
      std::memcpy(dst, &a, 4);
      std::memcpy(dst + n - 4, &b, 4);
    } else if (n) {  // 1..3: the first, middle and last bytes (some the same), no loop
      const char a = src[0], b = src[n / 2], c = src[n - 1];
      dst[0] = a;
      dst[n / 2] = b;
      dst[n - 1] = c;
    }
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  } else if (n <= 64) {  // 17..64: two or four overlapping 16-byte copies, no library call
    const std::size_t mid = n > 32 ? 16 : 0;
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + mid));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16 - mid));
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + mid), b);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16 - mid), c);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16), d);
#endif
  } else {
    copy_long(dst, src, n);
  }
#endif
}

/// Character classes, one table lookup per byte on the hot path.
enum : unsigned char {
  cc_unreserved = 1,  ///< RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~"
  cc_tchar = 2,       ///< RFC 9110 section 5.6.2 token character (method, header name)
  cc_scheme = 4,      ///< RFC 3986 section 3.1 after the first: ALPHA / DIGIT / "+" / "-" / "." (size builds' table only)
  cc_upper_hex = 8,   ///< 0-9 A-F (the canonical form of a percent escape)
  cc_url = 16,        ///< allowed in a URL as we accept it (no CTL; spaces are encoded later)
  cc_scope = 32,      ///< allowed in a region, service or access key id: VCHAR but '/' and ','
  cc_upper = 64,      ///< A-Z
  cc_hex = 128,       ///< 0-9 A-F a-f
};

struct char_table {
  unsigned char v[256];
};

constexpr char_table make_char_table() noexcept {
  char_table t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    bool digit = c >= '0' && c <= '9';
    unsigned char v = 0;
    if (alpha || digit || c == '-' || c == '.' || c == '_' || c == '~') v |= cc_unreserved;
    if (alpha || digit || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
        c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~')
      v |= cc_tchar;
    bool ctl = c < 0x20 || c == 0x7f;
    if (digit || (c >= 'A' && c <= 'F')) v |= cc_upper_hex;
    if (!ctl) v |= cc_url;
    if (c > 0x20 && c < 0x7f && c != '/' && c != ',') v |= cc_scope;
    if (c >= 'A' && c <= 'Z') v |= cc_upper;
    if (digit || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')) v |= cc_hex;
    t.v[c] = v;
  }
  return t;
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline constexpr char_table char_classes = make_char_table();
/// The classes of byte `c` (cc_* bits).
constexpr unsigned char char_class(unsigned char c) noexcept { return char_classes.v[c]; }
#else
/// When optimising size, the table covers only 0x20..0x7f: the control characters below have
/// no class, and the bytes from 0x80 up (obs-text) are allowed in URLs and nothing else (both
/// checked below).
struct ascii_table {
  unsigned char v[96];
};
constexpr ascii_table make_ascii_table() noexcept {
  ascii_table t{};
  for (int c = 0x20; c < 0x80; ++c) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    t.v[c - 0x20] = static_cast<unsigned char>(make_char_table().v[c] |
                                               (alnum || c == '+' || c == '-' || c == '.' ? cc_scheme : 0));
  }
  return t;
}
inline constexpr ascii_table char_classes = make_ascii_table();
constexpr bool outside_table_alike() noexcept {
  for (int c = 0; c < 0x20; ++c)
    if (make_char_table().v[c] != 0) return false;
  for (int c = 128; c < 256; ++c)
    if (make_char_table().v[c] != cc_url) return false;
  return true;
}
static_assert(outside_table_alike(), "the bytes outside the table must have the classes char_class gives them");
#if defined(__GNUC__) || defined(__clang__)
__attribute__((const))  // a function of `c` alone: repeated calls for one byte are merged
#endif
SIGV4KIT_NOINLINE constexpr unsigned char char_class(unsigned char c) noexcept {
  const unsigned i = c - 0x20u;  // (control characters wrap around, past the table)
  if (i < 96) return char_classes.v[i];
  return c >= 0x80 ? cc_url : 0;
}
#endif

/// For a token character its lower-case form, for any other byte 0: checks and lower-cases a
/// header name with one lookup per byte (computed from the class table when optimising size).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
constexpr char_table make_lower_token_table() noexcept {
  char_table t{};
  for (int c = 0; c < 256; ++c)
    if (make_char_table().v[c] & cc_tchar) t.v[c] = static_cast<unsigned char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
  return t;
}
inline constexpr char_table lower_token_table = make_lower_token_table();
inline unsigned char lower_token(unsigned char c) noexcept { return lower_token_table.v[c]; }
#else
inline unsigned char lower_token(unsigned char c) noexcept {
  unsigned char v = char_class(c);
  return (v & cc_tchar) ? static_cast<unsigned char>((v & cc_upper) ? c + 32 : c) : 0;
}
#endif

#ifdef SIGV4KIT_OPTIMIZE_SIZE
SIGV4KIT_ALWAYS_INLINE  // (else GCC makes an out-of-line copy, and two lookups of one byte)
#endif
constexpr bool has_class(unsigned char c, unsigned char cls) noexcept { return (char_class(c) & cls) != 0; }

/// RFC 3986 section 2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
constexpr bool is_unreserved(unsigned char c) noexcept { return has_class(c, cc_unreserved); }

/// RFC 9110 section 5.6.2 tchar (the characters of a token: method, header name).
constexpr bool is_tchar(unsigned char c) noexcept { return has_class(c, cc_tchar); }

#ifndef SIGV4KIT_OPTIMIZE_SIZE
constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}
#else
/// True when every byte of s[0..n) has class `cls`: one loop for the size build's token,
/// scope and control-character checks.
SIGV4KIT_NOINLINE constexpr bool all_of_class(const char* s, std::size_t n, unsigned char cls) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    if (!has_class(static_cast<unsigned char>(s[i]), cls)) return false;
  return true;
}
constexpr bool is_token(std::string_view s) noexcept { return !s.empty() && all_of_class(s.data(), s.size(), cc_tchar); }
#endif

#ifndef SIGV4KIT_OPTIMIZE_SIZE
constexpr int hex_value(unsigned char c) noexcept {
  return (c >= '0' && c <= '9')   ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                  : -1;
}
#else
constexpr int hex_value(unsigned char c) noexcept {
  unsigned d = c - unsigned{'0'};  // (below '0': wraps around to a large number)
  if (d < 10) return static_cast<int>(d);
  d = (c | 0x20u) - unsigned{'a'};  // only A-F and a-f land on a-f
  return d < 6 ? static_cast<int>(d + 10) : -1;
}
#endif

/// s.substr(pos, n) that cannot throw: positions past the end give an empty view. (substr
/// would pull the library's exception-throwing helpers, and abort(), into a no-exceptions
/// firmware image.)
constexpr std::string_view sub(std::string_view s, std::size_t pos,
                               std::size_t n = std::string_view::npos) noexcept {
  if (pos > s.size()) pos = s.size();
  std::size_t rest = s.size() - pos;
  return std::string_view(s.data() + pos, n < rest ? n : rest);
}

/// -1, 0 or 1 as `a` orders before, the same as, or after `b` (bytes unsigned).
SIGV4KIT_SIZE_INLINE int compare_text(std::string_view a, std::string_view b) noexcept {
  std::size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;  // memcmp may not be given null
  if (c) return c < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : a.size() != b.size();
}

/// a == b.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && compare_text(a, b) == 0;
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}
#else
/// Size builds: the loop on pointers (views passed by value are stored to the stack first).
SIGV4KIT_NOINLINE constexpr bool iequals_n(const char* a, const char* b, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && iequals_n(a.data(), b.data(), a.size());
}
#endif

/// Writes 2*n lower-case hex digits of `bytes` to `out` (two digits per table lookup; when
/// optimising size, one digit a step, computed: no table).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
struct hex_pair_table {
  char v[512];
};
constexpr hex_pair_table make_hex_pairs() noexcept {
  hex_pair_table t{};
  for (int b = 0; b < 256; ++b) {
    t.v[2 * b] = hex_lower[b >> 4];
    t.v[2 * b + 1] = hex_lower[b & 15];
  }
  return t;
}
inline constexpr hex_pair_table hex_pairs = make_hex_pairs();

inline void to_hex(const unsigned char* bytes, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  // 16 bytes at a time: high and low nibbles interleaved into 32 lanes, then '0' + nibble,
  // plus 'a' - '0' - 10 in lanes above 9.
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    const __m128i low4 = _mm_set1_epi8(0x0f);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low4), lo = _mm_and_si128(x, low4);
    auto text = [](__m128i nib) {
      __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(nib, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
      return _mm_add_epi8(_mm_add_epi8(nib, _mm_set1_epi8('0')), letter);
    };
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i), text(_mm_unpacklo_epi8(hi, lo)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i + 16), text(_mm_unpackhi_epi8(hi, lo)));
  }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Four bytes at a time in a word: spread the high and low nibbles into alternate byte
  // lanes, then add '0', or 'a' - 10 for nibbles of 10 and more, lane by lane.
  constexpr std::uint64_t lanes = 0x0101010101010101ull;
  for (; i + 4 <= n; i += 4) {
    std::uint32_t x;
    std::memcpy(&x, bytes + i, 4);
    auto spread = [](std::uint32_t v) {
      std::uint64_t y = v;
      y = (y | (y << 16)) & 0x0000FFFF0000FFFFull;
      return (y | (y << 8)) & 0x00FF00FF00FF00FFull;
    };
    std::uint64_t nib = spread((x >> 4) & 0x0F0F0F0Fu) | (spread(x & 0x0F0F0F0Fu) << 8);
    std::uint64_t letter = ((nib + 6 * lanes) >> 4) & lanes;  // 1 in lanes holding 10..15
    std::uint64_t text = nib + 0x30 * lanes + letter * ('a' - '0' - 10);
    std::memcpy(out + 2 * i, &text, 8);
  }
#endif
  for (char* o = out + 2 * i; i < n; ++i, o += 2) std::memcpy(o, hex_pairs.v + 2 * bytes[i], 2);
}
#else
inline void to_hex(const unsigned char* bytes, std::size_t n, char* out) noexcept {
  for (std::size_t i = 0; i < 2 * n; ++i) {
    unsigned b = bytes[i / 2];
    if (!(i & 1)) b >>= 4;
    b &= 15;
    if (b > 9) b += 'a' - '0' - 10;
    out[i] = static_cast<char>(b + '0');
  }
}
#endif

#ifndef SIGV4KIT_OPTIMIZE_SIZE
constexpr bool is_hex(std::string_view s) noexcept {
  for (char c : s)
    if (hex_value(static_cast<unsigned char>(c)) < 0) return false;
  return true;
}
#else
constexpr bool is_hex(std::string_view s) noexcept { return all_of_class(s.data(), s.size(), cc_hex); }
#endif

/// True when s[i] starts a "%XX" escape with two hex digits.
constexpr bool is_escape_at(std::string_view s, std::size_t i) noexcept {
  return i + 2 < s.size() && s[i] == '%' && hex_value(static_cast<unsigned char>(s[i + 1])) >= 0 &&
         hex_value(static_cast<unsigned char>(s[i + 2])) >= 0;
}

/// ISO 8601 basic format as SigV4 uses it, "YYYYMMDDTHHMMSSZ": true when `s` is exactly that
/// and names a real UTC calendar time (month 1..12, day within the month incl. leap years,
/// 00:00:00..23:59:59).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
SIGV4KIT_SIZE_INLINE constexpr bool is_amz_date(std::string_view s) noexcept {
#else
SIGV4KIT_SIZE_INLINE bool is_amz_date(std::string_view s) noexcept {  // (not constexpr: `f` is not cleared)
#endif
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  // Seven two-digit fields: century, year of century, month, day, hour, minute, second.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  unsigned f[7] = {};
#else
  unsigned f[7];  // each written before it is read
#endif
  for (unsigned i = 0; i < 7; ++i) {
    std::size_t at = 2 * i + (i >= 4);  // past the 'T'
    unsigned hi = static_cast<unsigned char>(s[at] - '0'), lo = static_cast<unsigned char>(s[at + 1] - '0');
    if (hi > 9 || lo > 9) return false;
    f[i] = hi * 10 + lo;
  }
  unsigned month = f[2], day = f[3];
  // Gregorian leap year: the year of century divisible by 4, or for a century year the century.
  bool leap = ((f[1] != 0 ? f[1] : f[0]) & 3) == 0;
  // 31 days in months 1 3 5 7 8 10 12: odd months up to July, even ones from August.
  unsigned dim = month == 2 ? 28 + leap : 30 + ((month + (month >> 3)) & 1);
  return f[0] * 100 + f[1] >= 1970 && month - 1 < 12 && day - 1 < dim && f[4] <= 23 && f[5] <= 59 && f[6] <= 59;
}

/// Formats seconds since 1970-01-01T00:00:00Z as "YYYYMMDDTHHMMSSZ" into out[0..16) (no NUL).
/// Civil-from-days after H. Hinnant's public-domain algorithm. Valid for years 1970..9999.
inline void format_amz_date(std::int64_t unix_seconds, char out[16]) noexcept {
  std::int64_t days = unix_seconds / 86400, secs = unix_seconds % 86400;
  if (secs < 0) secs += 86400, --days;
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t doe = days - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  auto put = [](char* p, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  };
  put(out, y, 4);
  put(out + 4, m, 2);
  put(out + 6, d, 2);
  out[8] = 'T';
  put(out + 9, secs / 3600, 2);
  put(out + 11, secs / 60 % 60, 2);
  put(out + 13, secs % 60, 2);
  out[15] = 'Z';
}

}  // namespace detail
SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_DETAIL_TEXT_HPP
// ---- end sigv4kit/detail/text.hpp ----
// ---- begin sigv4kit/crypto/wipe.hpp ----
// sigv4kit/crypto/wipe.hpp - secure wipe and constant-time comparison.
#ifndef SIGV4KIT_CRYPTO_WIPE_HPP
#define SIGV4KIT_CRYPTO_WIPE_HPP


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
// ---- end sigv4kit/crypto/wipe.hpp ----
// ---- begin sigv4kit/crypto/sha256.hpp ----
// sigv4kit/crypto/sha256.hpp - SHA-256 over a backend, and the built-in backends.
//
// Backends: portable_crypto (plain C++, everywhere), shani_crypto (x86 SHA extensions) and
// armv8_crypto (ARMv8 SHA2), where the CPU has them, auto_crypto (picks at run time) and default_crypto (auto_crypto, or
// portable_crypto with SIGV4KIT_FORCE_PORTABLE_SHA256). See sha256_portable.hpp for the
// backend concept.
#ifndef SIGV4KIT_CRYPTO_SHA256_HPP
#define SIGV4KIT_CRYPTO_SHA256_HPP

// ---- begin sigv4kit/crypto/sha256_portable.hpp ----
// sigv4kit/crypto/sha256_portable.hpp - portable SHA-256 (FIPS 180-4) and the crypto backend concept.
//
// A crypto backend is a type with static members:
//
//   struct Backend {
//     struct sha256_context;                  // trivially copyable, no pointers inside
//     static void init(sha256_context&) noexcept;
//     static void update(sha256_context&, const void* data, std::size_t n) noexcept;
//     static void finish(sha256_context&, unsigned char out[32]) noexcept;  // then re-init
//   };                                        // (finish need not wipe: callers wipe secrets)
//
// HMAC, the signing-key cache and the signer are written once over that concept, so an
// MCU's hash engine plugs in by writing those four members (see README "Plug in a backend").
#ifndef SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP
#define SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP


#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
#include <emmintrin.h>
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

inline std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept { return (x >> n) | (x << (32 - n)); }

inline std::uint32_t load_be32(const unsigned char* p) noexcept {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}
inline void store_be32(unsigned char* p, std::uint32_t v) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // One byte swap and one store (GCC does not merge the four byte stores below on Arm).
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
#else
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
#endif
}

/// h[0..8) as 32 big-endian bytes; with SSE2 in two 16-byte stores, so that a compression's
/// 16-byte loads of them are forwarded from the stores (see sha256_layout_final).
inline void store_be32x8(unsigned char* p, const std::uint32_t h[8]) noexcept {
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  for (int i = 0; i < 2; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4 * i));
    v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xB1), 0xB1);   // the 16-bit halves swapped
    v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));  // then the bytes in each
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 16 * i), v);
  }
#else
  for (int i = 0; i < 8; ++i) store_be32(p + 4 * i, h[i]);
#endif
}

// FIPS 180-4 section 4.2.2. On a cache line for the SIMD rounds (SHA-NI loads it 16 bytes at
// a time, aligned); built for size where there are no x86 SIMD rounds (microcontrollers),
// word-aligned only, which saves the padding before it in flash (up to 60 bytes).
#if defined(SIGV4KIT_SMALL_SHA256) && !(defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86))
inline constexpr std::size_t sha256_k_align = 4;
#else
inline constexpr std::size_t sha256_k_align = 64;
#endif
alignas(sha256_k_align) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#if defined(SIGV4KIT_SMALL_SHA256)
/// memcpy(dst, src, n) as a call to the C library's memcpy, which every program links
/// anyway: with `n` known, the compiler would expand the copy inline (a loop, on Cortex-M).
inline void copy_by_call(void* dst, const void* src, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(n));
#endif
  std::memcpy(dst, src, n);
}

#endif

/// Processes `blocks` 64-byte blocks into `h` (FIPS 180-4 section 6.2.2). The 64 rounds are
/// written out eight at a time with the working variables renamed instead of shifted, and
/// the message schedule is kept in a 16-word ring, the usual shape of a fast portable SHA-256.
/// Not inlined: one copy serves every caller, which keeps embedded code small.
/// Built for size (SIGV4KIT_SMALL_SHA256, on at -Os), one round in a loop instead: about a tenth of the code, for microcontrollers where flash is scarce.
SIGV4KIT_NOINLINE inline void sha256_compress_portable(std::uint32_t h[8], const unsigned char* p,
                                                       std::size_t blocks) noexcept {
#if defined(SIGV4KIT_SMALL_SHA256)
  // The schedule ring is written twice (w[j] and w[j + 16]), so the words a round reads are at
  // fixed offsets from one pointer: no index arithmetic for each of them. The first 16 words
  // are loaded by the rounds that use them (no loop of their own).
  std::uint32_t w[32];
  for (; blocks; --blocks, p += 64) {
    std::uint32_t v[8];
    copy_by_call(v, h, sizeof v);
    for (unsigned i = 0; i < 64; ++i) {
      std::uint32_t* q = w + (i & 15);  // q[0..16) = W[i-16..i)
      std::uint32_t wi;
      if (i < 16) {
        wi = load_be32(p + 4 * i);
      } else {
        std::uint32_t w15 = q[1], w2 = q[14];
        wi = (rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3)) + q[9] + (rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10)) +
             q[0];
      }
      q[0] = q[16] = wi;
#if defined(__GNUC__) || defined(__clang__)
      // The working variables stay in memory, read and written at fixed offsets each round:
      // held in registers across the loop (as GCC would), they cost spills and more code.
      __asm__("" : "+m"(v));
#endif
      // t1 first, and the e half of the state moved down, then t2 and the a half: fewer values
      // live at once than with all eight read first (GCC then spilled some).
      const std::uint32_t e = v[4], f = v[5], g = v[6];
      const std::uint32_t t1 =
          sha256_k[i] + wi + v[7] + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g)));
      // The working variables move down one place: stores of the values just read (a loop
      // that shifts them costs as much code and 28 more instructions a round).
      v[7] = g;
      v[6] = f;
      v[5] = e;
      v[4] = v[3] + t1;
      const std::uint32_t a = v[0], b = v[1], c = v[2];
      const std::uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));
      v[3] = c;
      v[2] = b;
      v[1] = a;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; ++i) h[i] += v[i];
  }
#else
  std::uint32_t w[16];
  while (blocks--) {
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(p + 4 * i);
// One round: t1 uses the e-chain, t2 the a-chain; then d += t1 and h = t1 + t2 (renamed).
#define SIGV4KIT_SHA256_ROUND(a, b, c, d, e, f, g, h, i, wi)                                        \
  do {                                                                                             \
    std::uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g))) +  \
                       sha256_k[i] + (wi);                                                         \
    std::uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));  \
    d += t1;                                                                                       \
    h = t1 + t2;                                                                                   \
  } while (0)
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], in the ring.
#define SIGV4KIT_SHA256_W(t)                                                                                \
  (w[(t)&15] += (rotr32(w[((t)-2) & 15], 17) ^ rotr32(w[((t)-2) & 15], 19) ^ (w[((t)-2) & 15] >> 10)) +     \
                w[((t)-7) & 15] + (rotr32(w[((t)-15) & 15], 7) ^ rotr32(w[((t)-15) & 15], 18) ^ (w[((t)-15) & 15] >> 3)))
#define SIGV4KIT_SHA256_8ROUNDS(i, W)              \
  SIGV4KIT_SHA256_ROUND(a, b, c, d, e, f, g, k, i + 0, W(i + 0)); \
  SIGV4KIT_SHA256_ROUND(k, a, b, c, d, e, f, g, i + 1, W(i + 1)); \
  SIGV4KIT_SHA256_ROUND(g, k, a, b, c, d, e, f, i + 2, W(i + 2)); \
  SIGV4KIT_SHA256_ROUND(f, g, k, a, b, c, d, e, i + 3, W(i + 3)); \
  SIGV4KIT_SHA256_ROUND(e, f, g, k, a, b, c, d, i + 4, W(i + 4)); \
  SIGV4KIT_SHA256_ROUND(d, e, f, g, k, a, b, c, i + 5, W(i + 5)); \
  SIGV4KIT_SHA256_ROUND(c, d, e, f, g, k, a, b, i + 6, W(i + 6)); \
  SIGV4KIT_SHA256_ROUND(b, c, d, e, f, g, k, a, i + 7, W(i + 7))
#define SIGV4KIT_SHA256_W_PLAIN(t) w[t]
    SIGV4KIT_SHA256_8ROUNDS(0, SIGV4KIT_SHA256_W_PLAIN);
    SIGV4KIT_SHA256_8ROUNDS(8, SIGV4KIT_SHA256_W_PLAIN);
    SIGV4KIT_SHA256_8ROUNDS(16, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(24, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(32, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(40, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(48, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(56, SIGV4KIT_SHA256_W);
#undef SIGV4KIT_SHA256_W_PLAIN
#undef SIGV4KIT_SHA256_8ROUNDS
#undef SIGV4KIT_SHA256_W
#undef SIGV4KIT_SHA256_ROUND
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    p += 64;
  }
#endif
  secure_wipe(w, sizeof w);
}

/// Streaming SHA-256 over a block function. The context is plain data (copyable with
/// memcpy), so a running hash - an HMAC midstate - can be saved and resumed.
struct sha256_state {
  std::uint32_t h[8];
  std::uint64_t total;  // bytes absorbed
  unsigned char buf[64];
  std::uint32_t used;  // bytes in buf
};

/// The initial hash value (FIPS 180-4 section 5.3.3).
inline void sha256_init_h(std::uint32_t h[8]) noexcept {
  static constexpr std::uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
#if defined(SIGV4KIT_SMALL_SHA256)
  copy_by_call(h, iv, sizeof iv);
#else
  std::memcpy(h, iv, sizeof iv);
#endif
}

#if defined(SIGV4KIT_SMALL_SHA256) && (defined(__GNUC__) || defined(__clang__))
inline constexpr std::uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
/// Built for size: the initial value copied by a call to memcpy into the state's first bytes
/// (h), whose result the stores then use (no register saved across the call), and one zero
/// register for the three of them.
inline void sha256_state_init(sha256_state& s) noexcept {
  static_assert(offsetof(sha256_state, h) == 0, "h comes first");
  std::size_t n = sizeof sha256_iv;
  __asm__("" : "+r"(n));  // a call, not the copy expanded inline
  sha256_state& t = *static_cast<sha256_state*>(std::memcpy(&s, sha256_iv, n));
  std::uint32_t zero = 0;
  __asm__("" : "+r"(zero));
  t.total = std::uint64_t(zero) << 32 | zero;
  t.used = zero;
}
#else
inline void sha256_state_init(sha256_state& s) noexcept {
  sha256_init_h(s.h);
  s.total = 0;
  s.used = 0;
}
#endif

#if defined(SIGV4KIT_SMALL_SHA256)
/// Built for size: every byte through the block buffer, one at a time (one short loop;
/// copying costs little next to compressing). `data` may be the buffer itself while it is
/// empty: each byte is then copied onto itself (hmac_key::set absorbs a key block that way).
/// Each byte is absorbed xor `mask`: hmac_key::set absorbs the key block xor ipad and xor opad
/// so, without a loop of its own that xors it.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_update(sha256_state& s, const void* data, std::size_t n, unsigned mask = 0) noexcept {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  s.total += n;
  std::uint32_t used = s.used;
  for (const unsigned char* end = p + n; p != end;) {
    s.buf[used] = static_cast<unsigned char>(*p++ ^ mask);
    if (++used == 64) {
      Compress(s.h, s.buf, 1);
      used = 0;
    }
  }
  s.used = used;
}

/// Built for size: the padding (FIPS 180-4 section 5.1.1) goes through update too - 0x80,
/// then zeros until 56 bytes of a block are filled (in a second block when the first has no
/// room) - so there is no second code path that writes and compresses blocks; the bit length
/// fills the last 8 bytes.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_finish(sha256_state& s, unsigned char out[32]) noexcept {
  static constexpr unsigned char pad[2] = {0x80, 0};  // (not a byte on the stack: no frame)
  const std::uint64_t bits = s.total * 8;
  const unsigned char* b = pad;
  do {
    sha256_state_update<Compress>(s, b, 1);
    b = pad + 1;
  } while (s.used != 56);
  store_be32(s.buf + 56, static_cast<std::uint32_t>(bits >> 32));
  store_be32(s.buf + 60, static_cast<std::uint32_t>(bits));
  Compress(s.h, s.buf, 1);
  store_be32x8(out, s.h);
  // Not wiped here, as in the other finish below (the owners of secret states wipe them).
  sha256_state_init(s);
}
#else
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_update(sha256_state& s, const void* data, std::size_t n) noexcept {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  s.total += n;
  if (s.used) {
    std::size_t take = 64 - s.used < n ? 64 - s.used : n;
    std::memcpy(s.buf + s.used, p, take);
    s.used += static_cast<std::uint32_t>(take);
    p += take;
    n -= take;
    if (s.used < 64) return;
    Compress(s.h, s.buf, 1);
    s.used = 0;
  }
  if (n >= 64) {
    Compress(s.h, p, n / 64);
    p += n & ~std::size_t(63);
    n &= 63;
  }
  if (n) {
    std::memcpy(s.buf, p, n);
    s.used = static_cast<std::uint32_t>(n);
  }
}

template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_finish(sha256_state& s, unsigned char out[32]) noexcept {
  std::uint64_t bits = s.total * 8;
  s.buf[s.used++] = 0x80;
  if (s.used > 56) {
    std::memset(s.buf + s.used, 0, 64 - s.used);
    Compress(s.h, s.buf, 1);
    s.used = 0;
  }
  std::memset(s.buf + s.used, 0, 56 - s.used);
  store_be32(s.buf + 56, static_cast<std::uint32_t>(bits >> 32));
  store_be32(s.buf + 60, static_cast<std::uint32_t>(bits));
  Compress(s.h, s.buf, 1);
  store_be32x8(out, s.h);
  // Not wiped here: most hashes (canonical requests, bodies) are of public data, and the
  // secret-derived states (HMAC keys) are wiped by their owners (hmac_key's destructor).
  sha256_state_init(s);
}
#endif  // SIGV4KIT_SMALL_SHA256

/// Zeros p[0..128): two blocks' room for a message's padded tail. (In every build: the
/// signer's key-cache miss uses it with SIGV4KIT_SMALL_SHA256 alone too.)
SIGV4KIT_ALWAYS_INLINE void zero_128(unsigned char* p) noexcept {
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  // 16-byte stores. GCC makes a memset of this size, or a loop it recognises as one, a
  // `rep stos`, whose start-up is slow (and this runs twice on a signature's last hashes):
  // the empty asm hides the pointer from that recognition (as in secure_wipe).
  for (int i = 0; i < 8; ++i, p += 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_setzero_si128());
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(p));
#endif
  }
#else
  std::memset(p, 0, 128);
#endif
}

#if !defined(SIGV4KIT_SMALL_SHA256)
/// The blocks of a finished message that are not whole blocks of the caller's data - the
/// pending bytes joined with the data's head, and the padded tail - laid out in one place.
struct sha256_final_blocks {
  unsigned char head[64];
  unsigned char tail[128];
  const unsigned char* whole;  // whole blocks of the caller's data, compressed in place
  std::size_t nhead, nwhole, ntail;
};

/// Lays out update(data, n) followed by finish: every byte store happens here, before any
/// block of it is compressed. A compression reads its block 16 bytes at a time; bytes stored
/// just before, piece by piece, cannot be forwarded to those loads, which then wait until the
/// stores reach the cache - and stores younger than a compression still in flight wait for
/// it. That wait cost ~20 ns per block on a Zen 5 with SHA-NI (padding written after the last
/// data block was compressed, each sink block written while the previous one compressed).
SIGV4KIT_HOT inline void sha256_layout_final(const sha256_state& s, const unsigned char* p, std::size_t n,
                                sha256_final_blocks& f) noexcept {
  const std::uint64_t bits = (s.total + n) * 8;
  std::size_t used = s.used & 63;  // (always below 64; the mask tells the compiler so)
  f.nhead = 0;
  if (used && n && used + n >= 64) {  // the pending bytes and the data's head make a block
    std::size_t take = 64 - used;
    copy_bytes(reinterpret_cast<char*>(f.head), reinterpret_cast<const char*>(s.buf), used);
    copy_bytes(reinterpret_cast<char*>(f.head + used), reinterpret_cast<const char*>(p), take & 63);  // (1..63)
    f.nhead = 1;
    p += take;
    n -= take;
    used = 0;
  }
  f.whole = p;
  f.nwhole = n / 64;
  p += n & ~std::size_t(63);
  n &= 63;
  // The tail: pending bytes (when no head block took them), the data's last bytes, 0x80,
  // zeros and the length (FIPS 180-4 section 5.1.1), in one block or two.
  // (Zeros first, all 128 bytes: a fixed size, stored inline; the variable-length copies are
  // copy_bytes', inline too. Library memcpy and memset calls cost more than they copy here.)
  zero_128(f.tail);
  copy_bytes(reinterpret_cast<char*>(f.tail), reinterpret_cast<const char*>(s.buf), used);
  copy_bytes(reinterpret_cast<char*>(f.tail + used), reinterpret_cast<const char*>(p), n);
  used += n;
  f.ntail = used + 9 > 64 ? 2 : 1;
  f.tail[used] = 0x80;
  store_be32(f.tail + 64 * f.ntail - 8, static_cast<std::uint32_t>(bits >> 32));
  store_be32(f.tail + 64 * f.ntail - 4, static_cast<std::uint32_t>(bits));
}

template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_compress_final(std::uint32_t h[8], const sha256_final_blocks& f) noexcept {
  if (f.nhead) Compress(h, f.head, 1);
  if (f.nwhole) Compress(h, f.whole, f.nwhole);
  Compress(h, f.tail, f.ntail);
}

/// The same a block at a time, with `between()` after each compression is issued: work that
/// does not depend on the hash runs while the compression's long dependency chain does.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class Between>
SIGV4KIT_ALWAYS_INLINE void sha256_compress_final(std::uint32_t h[8], const sha256_final_blocks& f, Between& between) noexcept {
  if (f.nhead) {
    Compress(h, f.head, 1);
    between();
  }
  for (std::size_t i = 0; i < f.nwhole; ++i) {
    Compress(h, f.whole + 64 * i, 1);
    between();
  }
  for (std::size_t i = 0; i < f.ntail; ++i) {
    Compress(h, f.tail + 64 * i, 1);
    between();
  }
}

/// update(data, n) then finish(out), with the stores all before the compressions (see
/// sha256_layout_final).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class... Between>
inline void sha256_state_update_finish(sha256_state& s, const void* data, std::size_t n, unsigned char out[32],
                                       Between&... between) noexcept {
  sha256_final_blocks f;
  sha256_layout_final(s, static_cast<const unsigned char*>(data), n, f);
  sha256_compress_final<Compress>(s.h, f, between...);
  store_be32x8(out, s.h);
  sha256_state_init(s);
}

/// HMAC's last steps (RFC 2104): absorbs data[0..n) into `inner` and finishes it, then hashes
/// its 32-byte digest under `outer`, which must be the state just past the opad block
/// (nothing else absorbed), into `out`. The outer hash's only block - digest, 0x80, zeros,
/// bit length (64 + 32) * 8 - is laid out directly, its padding before the inner blocks are
/// compressed and the digest in two 16-byte stores where SSE2 has them (see
/// sha256_layout_final). Both states are spent (their owner wipes them).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class... Between>
inline void sha256_state_finish_hmac(sha256_state& inner, sha256_state& outer, const void* data, std::size_t n,
                                     unsigned char out[32], Between&... between) noexcept {
  sha256_final_blocks f;
  sha256_layout_final(inner, static_cast<const unsigned char*>(data), n, f);
  unsigned char block[64];
  block[32] = 0x80;
  std::memset(block + 33, 0, 29);
  block[62] = 0x03;  // 768 bits, big-endian
  block[63] = 0x00;
  sha256_compress_final<Compress>(inner.h, f, between...);
  store_be32x8(block, inner.h);
  Compress(outer.h, block, 1);
  (between(), ...);
  store_be32x8(out, outer.h);
  secure_wipe(block, 32);  // the inner digest (f holds only message bytes)
}
#endif  // !SIGV4KIT_SMALL_SHA256

/// Blocks of another, independent hash that an HMAC chain compresses alongside its own
/// (see sha256_hmac_chain_shani): each step of a chain has two compressions that depend on
/// the one before them (the message block, then the outer block), and with two states in
/// step the second costs little more than the first (a test program on a Zen 5: the chain
/// 485 ns alone, 516 ns with 5 blocks alongside, against 642 ns for the chain and then the 5
/// blocks). `h` is that hash's chaining value; block[0..count) its next blocks, in order;
/// `done` says how many the chain compressed (into `h`): the caller compresses the rest.
struct sha256_rider {
  static constexpr int capacity = 8;  // two per step of SigV4's four-step chain
  std::uint32_t h[8];
  const unsigned char* block[capacity];
  int count = 0;
  int done = 0;
};
}  // namespace detail

#if !defined(SIGV4KIT_SMALL_SHA256)
namespace detail {
/// One block into each of two independent chaining values. By default one after the other;
/// the hardware block functions specialise it to run both in step (see sha256_shani_lanes).
/// HMAC chained `steps` times in registers, where a block function has it (see
/// sha256_hmac_chain_shani); run() returns false where it has not (the caller then does the
/// same with compress()).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct hmac_chain_impl {
  static bool run(const unsigned char*, const unsigned char (*)[64], int, std::uint32_t*, std::uint32_t*,
                  sha256_rider*) noexcept {
    return false;
  }
};
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct compress_pair {
  static constexpr bool in_step = false;
  static void run(std::uint32_t* h1, const unsigned char* p1, std::uint32_t* h2, const unsigned char* p2) noexcept {
    Compress(h1, p1, 1);
    Compress(h2, p2, 1);
  }
};
}  // namespace detail
#endif

/// A backend made of a block function: the streaming, padding and context are shared, only
/// the compression differs (portable C++, SHA-NI, ...).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct block_crypto {
  using sha256_context = detail::sha256_state;
  static void init(sha256_context& c) noexcept { detail::sha256_state_init(c); }
  static void update(sha256_context& c, const void* data, std::size_t n) noexcept {
    detail::sha256_state_update<Compress>(c, data, n);
  }
  static void finish(sha256_context& c, unsigned char out[32]) noexcept {
    detail::sha256_state_finish<Compress>(c, out);
  }
#if defined(SIGV4KIT_SMALL_SHA256)
  /// Small builds only: update with each byte xor `mask` (see detail::sha256_state_update).
  static void update_xor(sha256_context& c, const void* data, std::size_t n, unsigned mask) noexcept {
    detail::sha256_state_update<Compress>(c, data, n, mask);
  }
#else  // (small builds: the general way, no second copy of it)
  /// Optional for a backend (the signing-key derivation uses it when present): the block
  /// function itself, on a bare chaining value.
  static void compress(std::uint32_t h[8], const unsigned char* p, std::size_t blocks) noexcept {
    Compress(h, p, blocks);
  }
  /// Optional for a backend (the signing-key derivation uses it when present): one block
  /// into each of two independent chaining values, which hardware paths compress in step.
  static void compress2(std::uint32_t h1[8], const unsigned char* p1, std::uint32_t h2[8],
                        const unsigned char* p2) noexcept {
    detail::compress_pair<Compress>::run(h1, p1, h2, p2);
  }
  /// Optional for a backend: whether compress2 runs its two blocks in step (hardware paths),
  /// so that a second block costs little beside the first (see detail::sha256_rider).
  static constexpr bool compress2_in_step = detail::compress_pair<Compress>::in_step;
  /// Optional for a backend (the signing-key derivation uses it when present): HMAC chained
  /// `steps` times with the states in registers (see detail::sha256_hmac_chain_shani), and
  /// `rider`'s blocks (when given) alongside; false when this block function has no such
  /// path (nothing was done).
  static bool hmac_chain(const unsigned char k[64], const unsigned char (*blocks)[64], int steps,
                         std::uint32_t inner[8], std::uint32_t outer[8],
                         detail::sha256_rider* rider = nullptr) noexcept {
    return detail::hmac_chain_impl<Compress>::run(k, blocks, steps, inner, outer, rider);
  }
  /// Optional for a backend (hmac_key uses it when present): the end of an HMAC, see
  /// detail::sha256_state_finish_hmac.
  static void finish_hmac(sha256_context& inner, sha256_context& outer, const void* data, std::size_t n,
                          unsigned char out[32]) noexcept {
    detail::sha256_state_finish_hmac<Compress>(inner, outer, data, n, out);
  }
  /// Optional for a backend (the signer uses it when present): update(data, n) then finish.
  static void update_finish(sha256_context& c, const void* data, std::size_t n, unsigned char out[32]) noexcept {
    detail::sha256_state_update_finish<Compress>(c, data, n, out);
  }
  /// Optional for a backend (the signer uses them when present): finish_hmac and update_finish
  /// that call `between()` after each compression (see detail::sha256_compress_final).
  template <class Between>
  static void finish_hmac(sha256_context& inner, sha256_context& outer, const void* data, std::size_t n,
                          unsigned char out[32], Between& between) noexcept {
    detail::sha256_state_finish_hmac<Compress>(inner, outer, data, n, out, between);
  }
  template <class Between>
  static void update_finish(sha256_context& c, const void* data, std::size_t n, unsigned char out[32],
                            Between& between) noexcept {
    detail::sha256_state_update_finish<Compress>(c, data, n, out, between);
  }
#endif
};

#if defined(SIGV4KIT_SMALL_SHA256)
namespace detail {
/// Whether a backend is a block_crypto (whose context and streaming are the ones above).
template <class Crypto>
struct is_block_crypto {
  static constexpr bool value = false;
};
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct is_block_crypto<block_crypto<Compress>> {
  static constexpr bool value = true;
};
}  // namespace detail
#endif

/// The built-in portable backend: plain C++17, no intrinsics, no tables beyond the 64 round
/// constants. Correct everywhere; hardware paths are separate backends.
using portable_crypto = block_crypto<detail::sha256_compress_portable>;

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP
// ---- end sigv4kit/crypto/sha256_portable.hpp ----
// ---- begin sigv4kit/crypto/sha256_arm.hpp ----
// sigv4kit/crypto/sha256_arm.hpp - SHA-256 with the ARMv8 cryptography extension (SHA2).
//
// The block function is compiled for "+crypto" with a function target attribute, so users
// need no special flags. It runs when the CPU has SHA2: always when the compiler targets it
// (__ARM_FEATURE_SHA2 / __ARM_FEATURE_CRYPTO), else when Linux reports HWCAP_SHA2 (Arm
// Architecture Reference Manual, SHA256H/SHA256H2/SHA256SU0/SHA256SU1; Linux
// Documentation/arch/arm64/elf_hwcaps.rst).
#ifndef SIGV4KIT_CRYPTO_SHA256_ARM_HPP
#define SIGV4KIT_CRYPTO_SHA256_ARM_HPP


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
// ---- end sigv4kit/crypto/sha256_arm.hpp ----
// ---- begin sigv4kit/crypto/sha256_x86.hpp ----
// sigv4kit/crypto/sha256_x86.hpp - SHA-256 with the x86 SHA extensions (SHA-NI).
//
// The block function is compiled for the SHA/SSE4.1 instruction sets with a function target
// attribute, so users need no special compiler flags; it is only called after CPUID says the
// CPU has them (Intel SDM vol. 2, CPUID leaf 7 EBX bit 29 "SHA"; leaf 1 ECX bits 19/9).
#ifndef SIGV4KIT_CRYPTO_SHA256_X86_HPP
#define SIGV4KIT_CRYPTO_SHA256_X86_HPP


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
// ---- end sigv4kit/crypto/sha256_x86.hpp ----

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
// ---- end sigv4kit/crypto/sha256.hpp ----
// ---- begin sigv4kit/crypto/hmac.hpp ----
// sigv4kit/crypto/hmac.hpp - HMAC-SHA256 (RFC 2104) as a reusable key context.
//
// Following BearSSL's hmac_key_context: the key is processed once into the two hash states
// that follow the ipad and opad blocks. A message then costs only its own blocks plus one
// outer block, which is what lets the signing-key cache skip both pad blocks.
#ifndef SIGV4KIT_CRYPTO_HMAC_HPP
#define SIGV4KIT_CRYPTO_HMAC_HPP


#include <atomic>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

SIGV4KIT_BEGIN_NAMESPACE

namespace detail {
/// Whether a backend offers finish_hmac(inner, outer, data, n, out) (block_crypto does).
template <class Crypto, class = void>
struct has_finish_hmac_impl : std::false_type {};
template <class Crypto>
struct has_finish_hmac_impl<Crypto, std::void_t<decltype(Crypto::finish_hmac(
                                        std::declval<typename Crypto::sha256_context&>(),
                                        std::declval<typename Crypto::sha256_context&>(),
                                        static_cast<const void*>(nullptr), std::size_t(0),
                                        static_cast<unsigned char*>(nullptr)))>> : std::true_type {};
/// Whether a backend offers update_finish(ctx, data, n, out) (block_crypto does).
template <class Crypto, class = void>
struct has_update_finish_impl : std::false_type {};
template <class Crypto>
struct has_update_finish_impl<Crypto, std::void_t<decltype(Crypto::update_finish(
                                          std::declval<typename Crypto::sha256_context&>(),
                                          static_cast<const void*>(nullptr), std::size_t(0),
                                          static_cast<unsigned char*>(nullptr)))>> : std::true_type {};
/// A `between` step that does nothing (for has_between_steps).
struct no_between {
  void operator()() noexcept {}
};
/// Whether a backend offers update_finish and finish_hmac with a last `between` argument,
/// called after each compression (block_crypto does: see detail::sha256_compress_final).
template <class Crypto, class = void>
struct has_between_steps_impl : std::false_type {};
template <class Crypto>
struct has_between_steps_impl<
    Crypto, std::void_t<decltype(Crypto::update_finish(std::declval<typename Crypto::sha256_context&>(),
                                                       static_cast<const void*>(nullptr), std::size_t(0),
                                                       static_cast<unsigned char*>(nullptr), std::declval<no_between&>())),
                        decltype(Crypto::finish_hmac(std::declval<typename Crypto::sha256_context&>(),
                                                     std::declval<typename Crypto::sha256_context&>(),
                                                     static_cast<const void*>(nullptr), std::size_t(0),
                                                     static_cast<unsigned char*>(nullptr), std::declval<no_between&>()))>>
    : std::true_type {};
}  // namespace detail
template <class Crypto>
using has_finish_hmac = detail::has_finish_hmac_impl<Crypto>;
template <class Crypto>
using has_update_finish = detail::has_update_finish_impl<Crypto>;
template <class Crypto>
using has_between_steps = detail::has_between_steps_impl<Crypto>;

namespace detail {
/// update(c, data, n) then finish(c, out), through the backend's own shortcut when it has one.
template <class Crypto>
inline void sha256_update_finish(typename Crypto::sha256_context& c, const void* data, std::size_t n,
                                 unsigned char out[32]) noexcept {
  if constexpr (has_update_finish<Crypto>::value) {
    Crypto::update_finish(c, data, n, out);
  } else {
    if (n) Crypto::update(c, data, n);
    Crypto::finish(c, out);
  }
}
/// The same, calling between() after each compression when the backend can (see
/// has_between_steps); otherwise never (the caller then runs its steps afterwards).
template <class Crypto, class Between>
inline void sha256_update_finish(typename Crypto::sha256_context& c, const void* data, std::size_t n,
                                 unsigned char out[32], Between& between) noexcept {
  if constexpr (has_between_steps<Crypto>::value) Crypto::update_finish(c, data, n, out, between);
  else sha256_update_finish<Crypto>(c, data, n, out);
}
}  // namespace detail

/// A processed HMAC-SHA256 key: the midstates after the ipad and opad blocks. Plain data,
/// copyable; wiped on destruction. Holds secret-derived state: never log it.
template <class Crypto = default_crypto>
class hmac_key {
 public:
  using context = typename Crypto::sha256_context;
  static_assert(std::is_trivially_copyable<context>::value,
                "a backend's sha256_context must be plain data (it is saved and copied as a midstate)");

  hmac_key() noexcept = default;
  /// Processes `key` (any length; keys over 64 bytes are hashed first, RFC 2104 section 2).
  hmac_key(const void* key, std::size_t n) noexcept { set(key, n); }
  hmac_key(const hmac_key&) noexcept = default;
  hmac_key& operator=(const hmac_key&) noexcept = default;
  ~hmac_key() { secure_wipe(this, sizeof *this); }

  void set(const void* key, std::size_t n) noexcept { set(nullptr, 0, key, n); }
  /// Processes the concatenation prefix + key as the key without assembling it (SigV4's
  /// "AWS4" + secret): the same as set() on the joined bytes.
  void set(const void* prefix, std::size_t np, const void* key, std::size_t n) noexcept {
#if defined(SIGV4KIT_SMALL_SHA256)
    if constexpr (detail::is_block_crypto<Crypto>::value) {
      // Built for size, with a block backend: the key block is made in ctx_[1]'s buffer,
      // without a buffer of its own (nor a wipe of it). The key goes through ctx_[1]: longer
      // than a block, it is hashed there and the digest written to the buffer; else its bytes
      // are all in the buffer (a block of exactly 64 was compressed, but stays there). Zeros
      // follow.
      context& c = ctx_[1];
      Crypto::init(c);
      Crypto::update(c, prefix, np);
      Crypto::update(c, key, n);
      std::size_t len = static_cast<std::size_t>(c.total);
      if (c.total > 64) {
        Crypto::finish(c, c.buf);
        len = 32;
      }
      std::memset(c.buf + len, 0, 64 - len);
      // ctx_[0] absorbs key ^ ipad, ctx_[1] key ^ opad from its own buffer: update (built
      // for size: a byte at a time, into the buffer from its start, each byte xor the mask)
      // copies it onto itself.
      unsigned pad = 0x36;
      for (context& x : ctx_) {
        Crypto::init(x);
        Crypto::update_xor(x, c.buf, 64, pad);
        pad = 0x5c;
      }
      return;
    }
#endif
    unsigned char block[64] = {};
    if (np + n > 64) {
      context c;
      Crypto::init(c);
      if (np) Crypto::update(c, prefix, np);
      Crypto::update(c, key, n);
      Crypto::finish(c, block);
      secure_wipe(&c, sizeof c);
    } else {
      if (np) std::memcpy(block, prefix, np);  // a null pointer with length 0 is not for memcpy
      if (n) std::memcpy(block + np, key, n);
    }
    // ctx_[0] absorbs key ^ ipad, ctx_[1] key ^ opad: one loop for both, for code size.
    unsigned char pad = 0x36;
    for (context& c : ctx_) {
      for (unsigned char& b : block) b ^= pad;
      Crypto::init(c);
      Crypto::update(c, block, 64);
      pad = 0x36 ^ 0x5c;
    }
    secure_wipe(block, sizeof block);
  }

#if defined(SIGV4KIT_SMALL_SHA256)
  /// Built for size, block backends only: replaces the key with HMAC(key, data), processed as
  /// a key (a step of SigV4's key derivation). The MAC passes through ctx_[1]'s buffer, where
  /// set() then finds it (update copies it onto itself), so there is no buffer of its own to
  /// wipe, and every byte of the old key's states is overwritten by the new key's.
  void set_to_mac(const void* data, std::size_t n) noexcept {
    static_assert(detail::is_block_crypto<Crypto>::value, "for block_crypto backends");
    update_inner(data, n);
    finish_mac(ctx_[1].buf);
    set(ctx_[1].buf, 32);
  }
#endif

  const context& inner() const noexcept { return ctx_[0]; }
  /// The inner context itself, for a message fed through another writer (Crypto::update); then
  /// finish_mac(out).
  context& inner() noexcept { return ctx_[0]; }
  const context& outer() const noexcept { return ctx_[1]; }

  /// HMAC of one message using this key's own states, without copying them: the key is
  /// spent afterwards (its states are finished and wiped). For a key that was itself a copy,
  /// such as one just read from a cache.
  void mac_once(const void* data, std::size_t n, unsigned char out[32]) noexcept {
    update_inner(data, n);
    finish_mac(out);
  }
  /// The same in pieces: update_inner for each piece of the message, then finish_mac.
  void update_inner(const void* data, std::size_t n) noexcept { Crypto::update(ctx_[0], data, n); }
  void finish_mac(unsigned char out[32]) noexcept {
    if constexpr (has_finish_hmac<Crypto>::value) {
      Crypto::finish_hmac(ctx_[0], ctx_[1], nullptr, 0, out);  // the backend's shortcut for these steps
    } else {
      // The inner digest passes through `out`, which the MAC then overwrites: no buffer of
      // its own to wipe.
      Crypto::finish(ctx_[0], out);
      Crypto::update(ctx_[1], out, 32);
      Crypto::finish(ctx_[1], out);
    }
  }
  /// update_inner(data, n) then finish_mac(out), in one step (which a block backend lays out
  /// before compressing: see detail::sha256_layout_final).
  void finish_mac(const void* data, std::size_t n, unsigned char out[32]) noexcept {
    if constexpr (has_finish_hmac<Crypto>::value) {
      Crypto::finish_hmac(ctx_[0], ctx_[1], data, n, out);
    } else {
      update_inner(data, n);
      finish_mac(out);
    }
  }
  /// The same, calling between() after each compression when the backend can (see
  /// has_between_steps); otherwise never.
  template <class Between>
  void finish_mac(const void* data, std::size_t n, unsigned char out[32], Between& between) noexcept {
    if constexpr (has_between_steps<Crypto>::value) Crypto::finish_hmac(ctx_[0], ctx_[1], data, n, out, between);
    else finish_mac(data, n, out);
  }

  /// The processed key as bytes, for caches: only for a key no message has gone into yet.
  /// Block backends' states then sit just past a pad block, so their chaining values are all
  /// there is (64 bytes instead of two whole contexts: less to copy on every warm signature,
  /// and less RAM per cache entry); other backends' contexts are stored whole, as are all
  /// when optimising size (the whole copy is less code).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  static constexpr bool compact_state = std::is_same<context, detail::sha256_state>::value;
#else
  static constexpr bool compact_state = false;
#endif
  static constexpr std::size_t state_size = compact_state ? 64 : 2 * sizeof(context);
  void store_state(unsigned char* out) const noexcept {
    if constexpr (compact_state) {
      std::memcpy(out, chaining(ctx_[0]), 32);
      std::memcpy(out + 32, chaining(ctx_[1]), 32);
    } else {
      std::memcpy(out, ctx_, state_size);
    }
  }
  void load_state(const unsigned char* in) noexcept {
    if constexpr (compact_state) {
      for (int i = 0; i < 2; ++i) {
        std::memcpy(chaining(ctx_[i]), in + 32 * i, 32);
        set_block_boundary(ctx_[i]);
      }
    } else {
      std::memcpy(ctx_, in, state_size);
    }
  }
  /// For compact_state keys only. The inner chaining value after exactly one message block
  /// (update_inner of 64 bytes and nothing else), and the reverse: a key just loaded with
  /// load_state continues from such a saved value as if that block had been absorbed. The
  /// key cache keeps one of these per entry (the block of a string to sign's first 64 bytes).
  void store_inner_chaining(unsigned char out[32]) const noexcept { std::memcpy(out, chaining(ctx_[0]), 32); }
  /// For compact_state keys only: load_state_words' outer state, and the inner state as
  /// load_inner_chaining_words leaves it, from `chain`: the key cache's full hit, which then
  /// does not copy the inner key state only to replace it.
  template <class Word>
  void load_started_words(const std::atomic<Word>* words, const std::atomic<Word>* chain) noexcept {
    static_assert(32 % sizeof(Word) == 0, "whole words");
    load_chaining_words(ctx_[0], chain);
    load_chaining_words(ctx_[1], words + 32 / sizeof(Word));
    ctx_[0].total = 128;  // the pad block and the message block
    ctx_[0].used = 0;
    set_block_boundary(ctx_[1]);
  }
  template <class Word>
  void load_inner_chaining_words(const Word* words) noexcept {
    static_assert(32 % sizeof(Word) == 0, "whole words");
    std::memcpy(chaining(ctx_[0]), words, 32);
    ctx_[0].total = 128;  // the pad block and the message block
    ctx_[0].used = 0;
  }

  /// Loads the state from relaxed atomic words (a seqlock reader's copy; see key_cache.hpp).
  /// `n` words cover state_size bytes (the last one possibly in part).
  template <class Word>
  void load_state_words(const std::atomic<Word>* words, std::size_t n) noexcept {
    if constexpr (compact_state && 32 % sizeof(Word) == 0) {
      // Straight into the two chaining values: no copy of the secret state to wipe.
      (void)n;
      load_chaining_words(ctx_[0], words);
      load_chaining_words(ctx_[1], words + 32 / sizeof(Word));
      set_block_boundary(ctx_[0]);
      set_block_boundary(ctx_[1]);
      return;
    }
    unsigned char bytes[state_size];
    for (std::size_t i = 0; i < n; ++i) {
      Word w = words[i].load(std::memory_order_relaxed);
      std::size_t at = i * sizeof(Word);
      std::memcpy(bytes + at, &w, at + sizeof(Word) <= state_size ? sizeof(Word) : state_size - at);
    }
    load_state(bytes);
    secure_wipe(bytes, sizeof bytes);
  }

 private:
  // For compact_state (context is detail::sha256_state); written so that it compiles for any
  // context, but called only for that one.
  template <class C>
  static auto chaining(C& c) noexcept -> decltype(&c.h[0]) { return c.h; }
  template <class C, class Word>
  static void load_chaining_words(C& c, const std::atomic<Word>* words) noexcept {
    unsigned char* h = reinterpret_cast<unsigned char*>(chaining(c));
    SIGV4KIT_UNROLL for (std::size_t i = 0; i < 32 / sizeof(Word); ++i) {
      const Word w = words[i].load(std::memory_order_relaxed);
      std::memcpy(h + i * sizeof(Word), &w, sizeof(Word));
    }
  }
  template <class C>
  static void set_block_boundary(C& c) noexcept {
    c.total = 64;  // the pad block
    c.used = 0;
  }

  context ctx_[2];  // the states after the ipad block and after the opad block
};

/// One HMAC computation, started from a key context (cheap: two context copies).
template <class Crypto = default_crypto>
class hmac {
 public:
  explicit hmac(const hmac_key<Crypto>& key) noexcept : state_(key) {}
  hmac(const hmac&) = delete;
  hmac& operator=(const hmac&) = delete;

  hmac& update(const void* data, std::size_t n) noexcept {
    state_.update_inner(data, n);
    return *this;
  }
  /// Writes the 32-byte MAC. The object is spent afterwards.
  void finish(unsigned char out[32]) noexcept { state_.finish_mac(out); }

  /// One-shot HMAC-SHA256(key, data): the processed key is used once, without a copy.
  static void mac(const void* key, std::size_t key_len, const void* data, std::size_t n,
                  unsigned char out[32]) noexcept {
    hmac_key<Crypto> k(key, key_len);
    k.mac_once(data, n, out);
  }

 private:
  hmac_key<Crypto> state_;  // a copy of the key's midstates, advanced by this message (wiped)
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_HMAC_HPP
// ---- end sigv4kit/crypto/hmac.hpp ----
// ---- begin sigv4kit/sigv4/request.hpp ----
// sigv4kit/sigv4/request.hpp - what the signer is given and what it gives back.
//
// Everything here is a view: the signer reads the caller's strings in place and writes its
// output into a caller buffer, so a signature needs no heap. Views must stay valid for the
// duration of the call that takes them; a signed_request's views point into the caller's
// output buffer and credentials, and live as long as those do.
#ifndef SIGV4KIT_SIGV4_REQUEST_HPP
#define SIGV4KIT_SIGV4_REQUEST_HPP


#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

SIGV4KIT_BEGIN_NAMESPACE

/// A read-only run of `T` (a minimal C++17 stand-in for std::span).
template <class T>
class span {
 public:
  constexpr span() noexcept = default;
  constexpr span(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}
  template <std::size_t N>
  constexpr span(const T (&array)[N]) noexcept : data_(array), size_(N) {}
  /// Any contiguous container with data() and size() (std::vector, std::array, ...).
  template <class C, class = std::enable_if_t<std::is_convertible<
                         decltype(std::declval<const C&>().data()), const T*>::value>>
  constexpr span(const C& c) noexcept : data_(c.data()), size_(c.size()) {}

  constexpr const T* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  constexpr const T* begin() const noexcept { return data_; }
  constexpr const T* end() const noexcept { return data_ + size_; }

 private:
  const T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// One HTTP header as given: any case, value untrimmed, possibly with folded lines.
struct header {
  std::string_view name;
  std::string_view value;
};

/// The request to sign, as it will be sent.
struct request {
  std::string_view method;         ///< HTTP method, a token ("GET", "PUT", ...)
  std::string_view url;            ///< absolute URL as sent: scheme://host[:port]/path?query
  span<header> headers;            ///< in order; repeated names allowed
  std::string_view body;           ///< payload bytes (hashed unless payload_hash is set)
  std::string_view payload_hash;   ///< empty: SHA-256 of body; else 64 hex digits (used as given),
                                   ///< "UNSIGNED-PAYLOAD" or a "STREAMING-..." constant
};

/// Credentials as views. The signer never copies the secret except into its key cache
/// (wiped on eviction) and never prints it.
struct credentials_view {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token;  ///< empty when the credentials are long-term
};

enum class signing_mode : unsigned char {
  header,  ///< add an Authorization header
  query,   ///< presign: put the signature in the URL's query string
};

/// The well-known payload hash constants (AWS S3 API reference, "Signature Calculations").
namespace payload {
inline constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view streaming_payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view streaming_payload_trailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view streaming_unsigned_trailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view streaming_ecdsa_payload = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
inline constexpr std::string_view streaming_ecdsa_payload_trailer =
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
}  // namespace payload

/// Headers the signer leaves unsigned unless told otherwise: they are changed by proxies and
/// clients after signing (the AWS SDKs' policy; hop-by-hop headers per RFC 9110 section 7.6.1).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline constexpr std::string_view default_unsigned_headers[] = {
    "user-agent", "x-amzn-trace-id", "authorization", "connection", "expect", "keep-alive",
    "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"};
#else
namespace detail {
/// Size builds: the names below in one text, without a terminator each ("te" is the end of
/// "proxy-authenticate", "authorization" of "proxy-authorization").
inline constexpr char default_unsigned_text[] =
    "user-agentx-amzn-trace-idconnectionexpectkeep-aliveproxy-authenticateproxy-authorizationtrailer"
    "transfer-encodingupgrade";
constexpr std::string_view default_unsigned_at(std::size_t pos, std::size_t n) noexcept {
  return std::string_view(default_unsigned_text + pos, n);
}
}  // namespace detail
inline constexpr std::string_view default_unsigned_headers[] = {
    detail::default_unsigned_at(0, 10),  detail::default_unsigned_at(10, 15), detail::default_unsigned_at(75, 13),
    detail::default_unsigned_at(25, 10), detail::default_unsigned_at(35, 6),  detail::default_unsigned_at(41, 10),
    detail::default_unsigned_at(51, 18), detail::default_unsigned_at(69, 19), detail::default_unsigned_at(67, 2),
    detail::default_unsigned_at(88, 7),  detail::default_unsigned_at(95, 17), detail::default_unsigned_at(112, 7)};
static_assert(default_unsigned_headers[0] == "user-agent" && default_unsigned_headers[1] == "x-amzn-trace-id" &&
                  default_unsigned_headers[2] == "authorization" && default_unsigned_headers[3] == "connection" &&
                  default_unsigned_headers[4] == "expect" && default_unsigned_headers[5] == "keep-alive" &&
                  default_unsigned_headers[6] == "proxy-authenticate" &&
                  default_unsigned_headers[7] == "proxy-authorization" && default_unsigned_headers[8] == "te" &&
                  default_unsigned_headers[9] == "trailer" && default_unsigned_headers[10] == "transfer-encoding" &&
                  default_unsigned_headers[11] == "upgrade" && sizeof detail::default_unsigned_text == 120,
              "default_unsigned_headers must be the list above");
#endif

/// How to sign. Defaults are the generic (non-S3) AWS rules in header mode; call
/// `use_s3_rules()` (or set the three path/hash flags) for S3.
struct signing_params {
  credentials_view credentials;
  std::string_view region;     ///< e.g. "us-east-1"
  std::string_view service;    ///< signing name, e.g. "s3", "sts", "dynamodb"
  std::string_view timestamp;  ///< signing time, "YYYYMMDDTHHMMSSZ" (UTC); see format_amz_date
  signing_mode mode = signing_mode::header;
#ifndef SIGV4KIT_NO_PRESIGN
  std::uint32_t expires = 3600;        ///< query mode: X-Amz-Expires, 1..604800 seconds
#else
  // Header-only builds have no query mode and never read this. Its default is 0 there: with
  // one constant fewer GCC builds a default signing_params by clearing it and storing the
  // rest (about 36 bytes of code) instead of copying an 84-byte image of it (about 96 bytes).
  std::uint32_t expires = 0;           ///< query mode only (compiled out by SIGV4KIT_NO_PRESIGN)
#endif
  bool normalize_path = true;          ///< remove "." and ".." segments and empty segments
  bool double_encode = true;           ///< encode the path as sent once more ("%" -> "%25")
  bool add_content_sha256 = false;     ///< header mode: add signed x-amz-content-sha256
  bool sign_session_token = true;      ///< false: add X-Amz-Security-Token after signing
  /// Headers never signed: by default the SDKs' set below; assign another list (or an empty
  /// span) to change it. `host` is signed whatever the lists say.
  span<std::string_view> default_unsigned{default_unsigned_headers};
  span<std::string_view> unsigned_headers;  ///< left unsigned besides default_unsigned

  /// Debug: when set, receives the canonical request and then the string to sign, in pieces
  /// (`part` 0 = canonical request, 1 = string to sign). Off on the hot path.
  void (*debug_sink)(void* user, int part, const char* data, std::size_t n) = nullptr;
  void* debug_user = nullptr;

  /// S3's rules: path as sent (no second encoding, no normalisation) and a signed
  /// x-amz-content-sha256 header (AWS S3 API reference, "Signature Calculations").
  signing_params& use_s3_rules(bool on = true) noexcept {
    normalize_path = !on;
    double_encode = !on;
    add_content_sha256 = on;
    return *this;
  }
};

/// The result of signing. All views point into the caller's output buffer (or, for the
/// session token, into the caller's credentials).
struct signed_request {
  std::string_view signature;      ///< 64 lower-case hex digits
  std::string_view amz_date;       ///< "YYYYMMDDTHHMMSSZ"
  std::string_view authorization;  ///< header mode: the Authorization header's value
  std::string_view url;            ///< query mode: the presigned URL
  /// The Host value that was signed: the request's Host header, or (when it has none) the
  /// URL's host[:port] lower-cased, without a default port. Send exactly this Host header.
  std::string_view host;
  /// Header mode: headers to set on the request (replacing any of the same name):
  /// X-Amz-Date, [x-amz-content-sha256], [X-Amz-Security-Token], Authorization.
  /// Query mode: none (the signature travels in `url`).
  header headers[4];
  std::size_t header_count = 0;

  span<header> headers_to_add() const noexcept { return span<header>(headers, header_count); }
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_REQUEST_HPP
// ---- end sigv4kit/sigv4/request.hpp ----
// ---- begin sigv4kit/sigv4/canonical.hpp ----
// sigv4kit/sigv4/canonical.hpp - the SigV4 canonical request, validated and streamed.
//
// The canonical request is never built as a string: `prepare` validates the request and
// gathers views of its parts in fixed-capacity arrays (sorted), and `emit_canonical_request`
// writes it piece by piece into a sink that feeds SHA-256. None of this depends on the
// crypto backend, so one copy of the code serves every backend (fmt's thin-template rule).
//
// Rules: AWS General Reference, "Create a canonical request for Signature Version 4", and the
// AWS SigV4 test suite. Header rules: RFC 9110 sections 5.5 (field values) and 5.6.2 (tokens).
#ifndef SIGV4KIT_SIGV4_CANONICAL_HPP
#define SIGV4KIT_SIGV4_CANONICAL_HPP

// ---- begin sigv4kit/detail/scan.hpp ----
// sigv4kit/detail/scan.hpp - byte scanning for the hot path: 16 bytes per step with SSE2.
//
// Most of a canonical request is runs of RFC 3986 unreserved bytes (host names, path segments,
// query keys and values, header names) that are copied or checked unchanged. These helpers
// find where such a run ends 16 bytes at a time on x86-64 (SSE2 is part of its baseline, so
// no flag or dispatch is needed) and a byte at a time elsewhere or when optimising for size.
// They never read outside [s, s + n): short inputs are read as two overlapping 8- or 4-byte
// loads, so AddressSanitizer and page boundaries are never a concern.
#ifndef SIGV4KIT_DETAIL_SCAN_HPP
#define SIGV4KIT_DETAIL_SCAN_HPP


#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) && !defined(SIGV4KIT_OPTIMIZE_SIZE) && !defined(SIGV4KIT_NO_SIMD)
#define SIGV4KIT_SCAN_SSE2 1
#include <emmintrin.h>
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

#ifdef SIGV4KIT_SCAN_SSE2
/// One bit per byte of `x`: set where the byte is unreserved (or '/', with Slash).
template <bool Slash>
SIGV4KIT_ALWAYS_INLINE unsigned unreserved_bits(__m128i x) noexcept {
  // Signed compares: bytes >= 0x80 are negative, below every bound, so they fail each range.
  const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
  __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  // '-' '.' '/' '0'..'9' are one range (0x2D..0x39); '/' is taken out unless wanted.
  __m128i range = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('-' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
  if (!Slash) range = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')), range);
  ok = _mm_or_si128(ok, range);
  ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8('~'))));
  return static_cast<unsigned>(_mm_movemask_epi8(ok));
}

/// All ones in the lanes of `x` that hold A-Z.
SIGV4KIT_ALWAYS_INLINE __m128i upper_lanes(__m128i x) noexcept {
  return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
}

/// One bit per byte of `x`: set where the byte is A-Z.
SIGV4KIT_ALWAYS_INLINE unsigned upper_bits(__m128i x) noexcept {
  return static_cast<unsigned>(_mm_movemask_epi8(upper_lanes(x)));
}

/// `x` with A-Z lower-cased.
SIGV4KIT_ALWAYS_INLINE __m128i lower_lanes(__m128i x) noexcept {
  return _mm_or_si128(x, _mm_and_si128(upper_lanes(x), _mm_set1_epi8(0x20)));
}

/// The bytes s[0..n) for 4 <= n < 16 as one vector: two overlapping loads, so lane k holds
/// s[k] for k < half and s[n - 2 * half + k] for k >= half (half = 8, or 4 when n < 8).
SIGV4KIT_ALWAYS_INLINE __m128i load_short(const char* s, std::size_t n, std::size_t& half) noexcept {
  if (n >= 8) {
    half = 8;
    return _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s)),
                              _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s + n - 8)));
  }
  half = 4;
  std::uint32_t a, b;
  std::memcpy(&a, s, 4);
  std::memcpy(&b, s + n - 4, 4);
  return _mm_unpacklo_epi32(_mm_cvtsi32_si128(static_cast<int>(a)), _mm_cvtsi32_si128(static_cast<int>(b)));
}

/// The position in s of the first set bit of `bad` (a mask over load_short's lanes).
SIGV4KIT_ALWAYS_INLINE std::size_t short_position(unsigned bad, std::size_t n, std::size_t half) noexcept {
  unsigned k = static_cast<unsigned>(__builtin_ctz(bad));
  return k < half ? k : n - 2 * half + k;
}
#endif

/// Length of the leading run of s[0..n) made of unreserved bytes (and '/', with Slash).
/// With `upper`, also sets *upper when that run holds an A-Z letter.
template <bool Slash = false>
inline std::size_t unreserved_run(const char* s, std::size_t n, bool* upper = nullptr) noexcept {
#ifdef SIGV4KIT_SCAN_SSE2
  if (n >= 16) {
    std::size_t i = 0;
    unsigned caps = 0;
    for (;; i += 16) {
      if (i + 16 > n) i = n - 16;  // the last, overlapping block
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      unsigned bad = ~unreserved_bits<Slash>(x) & 0xffffu;
      if (upper) caps |= upper_bits(x) & (bad ? (1u << __builtin_ctz(bad)) - 1 : 0xffffu);
      if (bad) {
        if (upper && caps) *upper = true;
        return i + static_cast<unsigned>(__builtin_ctz(bad));
      }
      if (i + 16 == n) {
        if (upper && caps) *upper = true;
        return n;
      }
    }
  }
  if (n >= 4) {
    std::size_t half;
    __m128i x = load_short(s, n, half);
    unsigned lanes = half == 8 ? 0xffffu : 0xffu;
    unsigned bad = ~unreserved_bits<Slash>(x) & lanes;
    std::size_t end = bad ? short_position(bad, n, half) : n;
    if (upper) {
      // Lanes before the first bad one are all inside the run (overlapping lanes repeat).
      unsigned before = bad ? (1u << __builtin_ctz(bad)) - 1 : lanes;
      if (upper_bits(x) & before) *upper = true;
    }
    return end;
  }
#endif
  std::size_t i = 0;
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!(is_unreserved(c) || (Slash && c == '/'))) break;
    if (upper && has_class(c, cc_upper)) *upper = true;
  }
  return i;
}

/// The bytes of s[0..n) outside the unreserved set among s[at..at + 16), as bits (bit k for
/// s[at + k]; none past n). With SSE2 one 16-byte classification: the last window is loaded
/// overlapping the one before, and a string shorter than 16 bytes (at == 0) as two
/// overlapping halves mapped back to positions.
inline unsigned reserved_bits(const char* s, std::size_t n, std::size_t at) noexcept {
#ifdef SIGV4KIT_SCAN_SSE2
  if (n >= 16) {
    const std::size_t left = n - at;
    const std::size_t from = left >= 16 ? at : n - 16;
    const unsigned m = ~unreserved_bits<false>(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + from))) & 0xffffu;
    return left >= 16 ? m : m >> (16 - left);
  }
  if (n >= 4) {
    std::size_t half;
    const unsigned m = ~unreserved_bits<false>(load_short(s, n, half)) & (half == 8 ? 0xffffu : 0xffu);
    return (m & ((1u << half) - 1)) | ((m >> half) << (n - half));
  }
#endif
  unsigned m = 0;
  const std::size_t end = n - at < 16 ? n : at + 16;
  for (std::size_t k = at; k < end; ++k)
    if (!is_unreserved(static_cast<unsigned char>(s[k]))) m |= 1u << (k - at);
  return m;
}

/// Position of the lowest set bit of m (m != 0).
inline unsigned lowest_bit(unsigned m) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctz(m));
#else
  unsigned k = 0;
  while (!(m & 1u)) m >>= 1, ++k;
  return k;
#endif
}

/// Length of the leading run of s[0..n) whose bytes pass: `vec_ok` gives a 16-bit mask of
/// the passing lanes of a vector, `byte_ok` judges one byte (the two must agree).
template <class VecOk, class ByteOk>
SIGV4KIT_ALWAYS_INLINE std::size_t class_run(const char* s, std::size_t n, VecOk vec_ok, ByteOk byte_ok) noexcept {
#ifdef SIGV4KIT_SCAN_SSE2
  if (n >= 16) {
    for (std::size_t i = 0;; i += 16) {
      if (i + 16 > n) i = n - 16;  // the last, overlapping block
      unsigned bad = ~vec_ok(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))) & 0xffffu;
      if (bad) return i + static_cast<unsigned>(__builtin_ctz(bad));
      if (i + 16 == n) return n;
    }
  }
  if (n >= 4) {
    std::size_t half;
    __m128i x = load_short(s, n, half);
    unsigned bad = ~vec_ok(x) & (half == 8 ? 0xffffu : 0xffu);
    return bad ? short_position(bad, n, half) : n;
  }
#else
  (void)vec_ok;
#endif
  std::size_t i = 0;
  while (i < n && byte_ok(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

#ifdef SIGV4KIT_SCAN_SSE2
#define SIGV4KIT_VEC_OK(body) [](__m128i x) noexcept -> unsigned { return static_cast<unsigned>(_mm_movemask_epi8(body)); }
#else
#define SIGV4KIT_VEC_OK(body) 0
#endif

/// Length of the leading run of bytes allowed in a region, service or access key id
/// (cc_scope: printable ASCII but '/' and ',').
inline std::size_t scope_run(const char* s, std::size_t n) noexcept {
  return class_run(
      s, n,
      SIGV4KIT_VEC_OK(_mm_andnot_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')), _mm_cmpeq_epi8(x, _mm_set1_epi8(','))),
          _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f))))),
      [](unsigned char c) { return has_class(c, cc_scope); });
}

/// Length of the leading run of bytes from `Min` up, DEL (0x7f) excepted; bytes from 0x80
/// are allowed. Min = 0x20: no control character (cc_url, as URLs and tokens must be);
/// Min = 0x21: header-value text that needs no attention (no space either).
template <unsigned char Min>
inline std::size_t printable_run(const char* s, std::size_t n) noexcept {
  return class_run(
      s, n,
      SIGV4KIT_VEC_OK(_mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(static_cast<char>(Min))), x))),
      [](unsigned char c) { return c >= Min && c != 0x7f; });
}
inline std::size_t no_control_run(const char* s, std::size_t n) noexcept { return printable_run<0x20>(s, n); }
/// Length of the leading run of s[0..n) without '?' or '#' (a URL's path).
inline std::size_t path_run(const char* s, std::size_t n) noexcept {
  return class_run(s, n,
                   SIGV4KIT_VEC_OK(_mm_cmpeq_epi8(
                       _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('?')), _mm_cmpeq_epi8(x, _mm_set1_epi8('#'))),
                       _mm_setzero_si128())),
                   [](unsigned char c) { return c != '?' && c != '#'; });
}
inline std::size_t field_text_run(const char* s, std::size_t n) noexcept { return printable_run<0x21>(s, n); }
#undef SIGV4KIT_VEC_OK

/// Lower-cases the header name s[0..n) into dst[0..n) and tells whether it is a token
/// (RFC 9110 section 5.6.2). Writes only dst[0..n).
inline bool lower_token_copy(char* dst, const char* s, std::size_t n) noexcept {
  std::size_t i = 0;
#ifdef SIGV4KIT_SCAN_SSE2
  // Fast path for the names requests carry: letters, digits, '-', '.', '_' and '~' are all
  // tchars; a block with anything else is done by the table below.
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    if (unreserved_bits<false>(x) != 0xffffu) break;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), lower_lanes(x));
  }
  if (i < n && n - i >= 4 && n - i < 16) {
    std::size_t half, m = n - i;
    __m128i x = load_short(s + i, m, half);
    unsigned lanes = half == 8 ? 0xffffu : 0xffu;
    if ((unreserved_bits<false>(x) & lanes) == lanes) {
      x = lower_lanes(x);
      // Store the two halves where they were loaded from (the second overlaps the first).
      if (half == 8) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + i), x);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + n - 8), _mm_unpackhi_epi64(x, x));
      } else {
        std::uint32_t a = static_cast<std::uint32_t>(_mm_cvtsi128_si32(x));
        std::uint32_t b = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(x, 4)));
        std::memcpy(dst + i, &a, 4);
        std::memcpy(dst + n - 4, &b, 4);
      }
      return true;
    }
  }
#endif
  unsigned char bad = 0;
  for (; i < n; ++i) {
    unsigned char l = lower_token(static_cast<unsigned char>(s[i]));
    bad |= static_cast<unsigned char>(l == 0);
    dst[i] = static_cast<char>(l);
  }
  return bad == 0;
}

}  // namespace detail
SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_DETAIL_SCAN_HPP
// ---- end sigv4kit/detail/scan.hpp ----

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>
#include <type_traits>

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::uint32_t max_expires = 604800;  // 7 days: AWS's presigned-URL limit
inline constexpr std::size_t max_access_key_id = SIGV4KIT_MAX_ACCESS_KEY_ID;  // IAM: 128 at most
inline constexpr std::size_t max_host = 255 + 1 + 5;    // RFC 1035 name + ":" + port
/// False with SIGV4KIT_NO_PRESIGN: the query-mode code is then compiled out (see presign()).
#ifdef SIGV4KIT_NO_PRESIGN
inline constexpr bool presign_enabled = false;
#else
inline constexpr bool presign_enabled = true;
#endif

/// A buffered byte sink: writes are collected in `buf` and handed to `write` in chunks, so
/// the hash is fed in large pieces and the canonicaliser needs no template parameter. (When
/// optimising size, unbuffered: see below.)
struct sink {
  /// Receives the bytes in order; `last` marks the final call (made once, by finish()).
  using write_fn = void (*)(void* ctx, const char* data, std::size_t n, bool last) noexcept;
  sink(write_fn w, void* c) noexcept : write(w), ctx(c) {}
  write_fn write;
  void* ctx;
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // Size builds: no buffer (nor its stack); each piece is handed on as it comes, and the
  // hash's own block buffer collects them. No piece is empty (none of the views written
  // whole in a size build can be: a method, header names, the payload hash, the signing
  // parameters, the string to sign's parts), so there is no test for one.
  SIGV4KIT_NOINLINE void put(const char* p, std::size_t n) noexcept { write(ctx, p, n, false); }
  void put(std::string_view s) noexcept { put(s.data(), s.size()); }
  void put(char c) noexcept { put(&c, 1); }
  /// [p, p + n) and a line end: most lines of the canonical request and string to sign.
  SIGV4KIT_NOINLINE void put_line(const char* p, std::size_t n) noexcept {
    put(p, n);
    put('\n');
  }
  void pump() noexcept {}
  void finish() noexcept { write(ctx, nullptr, 0, true); }
#else
  std::size_t len = 0;
  std::size_t done = 0;  // bytes of buf already handed on (whole blocks)
  char buf[SIGV4KIT_SINK_BYTES];

  void flush() noexcept {
    if (len > done) write(ctx, buf + done, len - done, false);
    len = 0;
    done = 0;
  }
  /// Called between pieces of output: hands on the whole blocks that were complete a block
  /// ago. A compression runs ~150 cycles on one dependency chain (SHA-NI); the integer work
  /// that follows it in program order runs alongside its tail, so compressing block by
  /// block as the text is written hides part of the writing (~20 ns of s3-get's 5 blocks,
  /// measured in sigv4kit-bench). Not the block just completed: a compression loading bytes
  /// that are still in the store queue, written piece by piece, waits for them to reach the
  /// cache (measured slower).
  void pump() noexcept {
    if (len >= done + 128) {
      std::size_t n = (len - 64 - done) & ~std::size_t(63);
      write(ctx, buf + done, n, false);
      done += n;
    }
  }
  /// Hands on what is buffered as the end of the stream (the hash then finishes in one step).
  void finish() noexcept {
    write(ctx, buf + done, len - done, true);
    len = 0;
    done = 0;
  }
  void put(char c) noexcept {
    if (len == sizeof buf) flush();
    buf[len++] = c;
  }
  void put(std::string_view s) noexcept {
    if (s.size() < sizeof buf - len) {  // copy_bytes reads nothing for an empty view
      copy_bytes(buf + len, s.data(), s.size());
      len += s.size();
      return;
    }
    put_long(s.data(), s.size());
  }
  /// The buffer is topped up and handed on whole, and whole buffers' worth of a long piece go
  /// straight through: the hash always receives complete blocks, which it compresses in place
  /// instead of copying them into its own block buffer.
  SIGV4KIT_HOT SIGV4KIT_NOINLINE void put_long(const char* p, std::size_t n) noexcept {
    std::size_t room = sizeof buf - len;
    copy_bytes(buf + len, p, room);
    write(ctx, buf + done, sizeof buf - done, false);
    done = 0;
    p += room;
    n -= room;
    len = 0;
    std::size_t whole = n - n % sizeof buf;
    if (whole) write(ctx, p, whole, false);
    copy_bytes(buf, p + whole, n - whole);
    len = n - whole;
  }
#endif
  void put_escape(unsigned char b) noexcept {
    char e[3] = {'%', hex_upper[b >> 4], hex_upper[b & 15]};
    put(std::string_view(e, 3));
  }
};

/// The parts of an absolute URL (RFC 3986 section 3) that signing uses, as views into it.
struct url_parts {
#ifndef SIGV4KIT_OPTIMIZE_SIZE  // (size builds: parse_url gives these two to its caller's variables)
  std::string_view host;       ///< the Host header value: host[:port] without a default port
#endif
  std::string_view path;       ///< as written; "" when absent
  std::string_view query;      ///< after '?', as written; "" when absent
  std::string_view before_query;  ///< scheme://authority/path (for presigned URLs)
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  bool host_has_upper = false;    ///< the authority has upper-case letters
#endif
};

/// Splits an absolute URL. Scheme and authority are checked here; the path and query are
/// checked for control characters where they are read byte by byte anyway (canonical URI,
/// query parameters), so the hot path reads each byte once.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
SIGV4KIT_HOT SIGV4KIT_SIZE_INLINE status parse_url(std::string_view url, url_parts& out) noexcept {
#else
// Size builds: the host into `host` (prepare's: no copy of it) and whether the authority has
// capitals into `upper` (a register, not a member stored and read back); url_parts::host and
// host_has_upper are not used.
SIGV4KIT_ALWAYS_INLINE status parse_url(std::string_view url, url_parts& out, std::string_view& host, bool& upper) noexcept {
#endif
  // Pointers, not offsets and sub(): no clamping code for positions known to be in range.
  const char* const b = url.data();
  const char* const e = b + url.size();
  const char* p = b;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  // "https://" (most URLs signed) as one word: the loop below costs ~50 instructions, and a
  // warm signature's time follows its instruction count (~10 instructions a nanosecond on a
  // Zen 5, measured with valgrind and sigv4kit-bench).
  if (url.size() >= 8) {
    std::uint64_t w, https;
    std::memcpy(&w, b, 8);
    std::memcpy(&https, "https://", 8);
    if (w == https) p = b + 5;
  }
  for (; p < e; ++p) {  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    unsigned char c = static_cast<unsigned char>(*p);
    if (static_cast<unsigned char>((c | 0x20) - 'a') < 26) continue;
    if (p == b || !(static_cast<unsigned char>(c - '0') < 10 || c == '+' || c == '-' || c == '.')) break;
  }
  if (p == b || e - p < 3 || p[0] != ':' || p[1] != '/' || p[2] != '/') {
#else
  // The same scheme, its bytes after the first through the class table.
  if (p < e && static_cast<unsigned char>((*p | 0x20) - 'a') < 26)
    do ++p;
    while (p < e && has_class(static_cast<unsigned char>(*p), cc_scheme));
  // One text for "://" here and the default ports' schemes below.
  static constexpr char https_text[] = "https://";
  if (p == b || e - p < 3 || !iequals_n(p, https_text + 5, 3)) {  // (no letters: the same as ==)
#endif
    if (p < e && !has_class(static_cast<unsigned char>(*p), cc_url))
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL needs a scheme and host, like https://host/path"));
  }
  const std::string_view scheme(b, static_cast<std::size_t>(p - b));
  const char* const auth = p + 3;
  const char *colon = nullptr, *close = nullptr;  // the last ':' and ']'
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  bool upper = false;
  std::size_t i = static_cast<std::size_t>(auth - b);  // an index here: GCC then sees i <= url.size()
  for (; i < url.size(); ++i) {
    i += unreserved_run(b + i, url.size() - i, &upper);
    if (i == url.size()) break;
    unsigned char c = static_cast<unsigned char>(b[i]);
    if (c == '/' || c == '?' || c == '#') break;
    if (!has_class(c, cc_url))
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
    if (c == ':') colon = b + i;
    else if (c == ']') close = b + i;
    else if (c == '@') return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL must not contain user information ('user@host')"));
    else if (c == ' ' || c == '\\') return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL host contains a space or backslash"));
  }
  const char* const auth_end = b + i;
#else
  // Size builds: one loop that calls nothing (no registers to save around a class lookup).
  upper = false;
  for (p = auth; p < e; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '/' || c == '?' || c == '#') break;
    if (c < 0x20 || c == 0x7f)  // (not cc_url)
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
    if (static_cast<unsigned char>(c - 'A') < 26) upper = true;
    if (c == ':') colon = p;
    else if (c == ']') close = p;
    else if (c == '@') return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL must not contain user information ('user@host')"));
    else if (c == ' ' || c == '\\') return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL host contains a space or backslash"));
  }
  const char* const auth_end = p;
#endif
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  const std::size_t rest = url.size() - i;  // path and query
#endif
  const std::string_view authority(auth, static_cast<std::size_t>(auth_end - auth));
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  out.host_has_upper = upper;
  // The path ends at the first '?' or '#'; a '#' after the '?' is found by prepare's query
  // split, which reads every byte of the query anyway. (One inline scan, no C library calls.)
  const char* const path_end = auth_end + path_run(auth_end, rest);
  if (path_end != e && *path_end == '#')
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has a fragment ('#...'), which is never sent to the server; remove it"));
#else
  // Size builds: one loop, not two memchr calls (no C library memchr linked: 160 bytes on a
  // Cortex-M). Backwards, so the '?' it ends on is the first one.
  const char* qm = e;
  for (const char* r = e; r != auth_end;) {
    const char c = *--r;
    if (c == '#')
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has a fragment ('#...'), which is never sent to the server; remove it"));
    if (c == '?') qm = r;
  }
#endif

  // Host [auth, host_end) and port [port, auth_end); an IPv6 literal is bracketed (RFC 3986
  // section 3.2.2).
  const char *host_end = auth_end, *port = auth_end;
  if (auth < auth_end && *auth == '[') {
    if (!close) return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has an unterminated IPv6 address ('[')"));
    host_end = close + 1;
    if (host_end < auth_end) {
      if (*host_end != ':')
        return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has text after an IPv6 address"), authority);
      port = host_end + 1;
    }
  } else if (colon) {
    host_end = colon;
    port = colon + 1;
    if (port == auth_end) return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has ':' but no port"), authority);
  }
  const std::size_t host_len = static_cast<std::size_t>(host_end - auth);
  if (host_len == 0 || (host_len == 2 && *auth == '['))  // "" or "[]"
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has no host"));
  const std::string_view port_text(port, static_cast<std::size_t>(auth_end - port));
  std::uint32_t port_num = 0;
  for (char c : port_text) {
    // A number past 65535 stays past it (or a non-digit follows): the same error either way.
    std::uint32_t d = static_cast<unsigned char>(c - '0');
    port_num = port_num * 10 + d;
    if (d > 9 || port_num > 65535)
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL port is not a number 0..65535"), port_text);
  }
  // The Host header omits the scheme's default port, as HTTP clients send it (RFC 9110 7.2):
  // "443" for https, "80" for http (written exactly so: "0443" is kept). One iequals call:
  // "http" is the first 4 bytes of "https".
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::size_t scheme_len = port_num == 443 ? 5 : (port_num == 80 ? 4 : 0);
  bool default_port = scheme_len && port_text.size() == scheme_len - 2 && iequals(scheme, std::string_view("https", scheme_len));
#else
  // The same from the scheme's length: 5 wants 443, any other 80 (then only "http", 4, can
  // match; the comparison stops at a scheme's first byte that differs, before ':').
  const bool default_port = port_text.size() + 2 == scheme.size() && port_num == (scheme.size() == 5 ? 443u : 80u) &&
                            iequals_n(b, https_text, scheme.size());
#endif
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  out.host = std::string_view(auth, (port_text.empty() || default_port) ? host_len : authority.size());
#else
  host = std::string_view(auth, (port_text.empty() || default_port) ? host_len : authority.size());
#endif

#ifndef SIGV4KIT_OPTIMIZE_SIZE
  out.path = std::string_view(auth_end, static_cast<std::size_t>(path_end - auth_end));
  out.before_query = std::string_view(b, static_cast<std::size_t>(path_end - b));
  out.query = path_end != e ? std::string_view(path_end + 1, static_cast<std::size_t>(e - path_end - 1)) : std::string_view();
#else
  out.path = std::string_view(auth_end, static_cast<std::size_t>(qm - auth_end));
  if constexpr (presign_enabled) out.before_query = std::string_view(b, static_cast<std::size_t>(qm - b));  // (query mode's)
  out.query = qm != e ? std::string_view(qm + 1, static_cast<std::size_t>(e - qm - 1)) : std::string_view();
#endif
  return {};
}

/// Reads a query key or value (text as sent in a URL) as its canonical encoding, byte by
/// byte: percent-decoded first (an invalid '%' is a literal '%'), then every byte but the
/// RFC 3986 unreserved set is written as %XX with upper-case hex.
struct encoded_reader {
  const char* p;
  const char* end;
  char pending[2];
  int npending = 0;

  explicit encoded_reader(std::string_view s) noexcept : p(s.data()), end(s.data() + s.size()) {}

  int next() noexcept {
    if (npending) return static_cast<unsigned char>(pending[2 - npending--]);
    if (p == end) return -1;
    unsigned char b = static_cast<unsigned char>(*p++);
    int hi, lo;
    if (b == '%' && end - p >= 2 && (hi = hex_value(static_cast<unsigned char>(p[0]))) >= 0 &&
        (lo = hex_value(static_cast<unsigned char>(p[1]))) >= 0) {
      b = static_cast<unsigned char>(hi * 16 + lo);
      p += 2;
    }
    if (is_unreserved(b)) return b;
    pending[0] = hex_upper[b >> 4];
    pending[1] = hex_upper[b & 15];
    npending = 2;
    return '%';
  }
};

/// A string view that is trivially default-constructible, for the large fixed arrays below:
/// std::string_view's constructor would clear every element of every array on every call.
struct view {
  const char* ptr;
  std::size_t len;
  view() noexcept = default;
  constexpr view(std::string_view s) noexcept : ptr(s.data()), len(s.size()) {}
  template <std::size_t N>
  constexpr view(const char (&literal)[N]) noexcept : ptr(literal), len(N - 1) {}
  constexpr operator std::string_view() const noexcept { return std::string_view(ptr, len); }
  constexpr std::size_t size() const noexcept { return len; }
  constexpr bool empty() const noexcept { return len == 0; }
  constexpr const char* begin() const noexcept { return ptr; }
  constexpr const char* end() const noexcept { return ptr + len; }
};

/// A query parameter of the URL, as a view into it: the key, then (after '=') the value.
/// Packed: 16 bytes on 32-bit targets, 24 on 64-bit.
struct query_param {
  /// has_equals: "key=value" or "key=" as sent (else the key alone); with both canonical
  /// flags, the canonical "key=value" is the URL's text from key_ptr (one copy).
  enum : unsigned char { key_canonical = 1, value_canonical = 2, has_equals = 4 };
  const char* key_ptr;
  std::uint32_t key_len;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::uint32_t value_len;  // the value starts at key_ptr + key_len + 1
#else
  std::uint32_t rest_len;  // size builds: bytes after the key, 0 or the '=' and the value
#endif
  unsigned char flags;  // (not set in size builds, which mark nothing canonical: see prepare)

  std::string_view key() const noexcept { return std::string_view(key_ptr, key_len); }
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::string_view value() const noexcept {
    return value_len ? std::string_view(key_ptr + key_len + 1, value_len) : std::string_view();
  }
#else
  std::string_view value() const noexcept {
    const std::uint32_t eq = rest_len != 0;  // (no branch)
    return std::string_view(key_ptr + key_len + eq, rest_len - eq);
  }
#endif
};

/// Orders two query texts by their canonical encodings (-1, 0, 1).
inline int compare_encoded(std::string_view a, bool a_canonical, std::string_view b, bool b_canonical) noexcept {
  if (a_canonical && b_canonical) return compare_text(a, b);
  encoded_reader x(a), y(b);
  for (;;) {
    int cx = x.next(), cy = y.next();
    if (cx != cy) return cx < cy ? -1 : 1;
    if (cx < 0) return 0;
  }
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline bool query_less(const query_param& a, const query_param& b) noexcept {
  int c = compare_encoded(a.key(), a.flags & query_param::key_canonical, b.key(), b.flags & query_param::key_canonical);
  if (c) return c < 0;
  return compare_encoded(a.value(), a.flags & query_param::value_canonical, b.value(),
                         b.flags & query_param::value_canonical) < 0;
}
#else
/// Size builds: a parameter's canonical "key=value" as one run of bytes, the '=' read as 0.
/// Encoded bytes are all above 0, so comparing two runs orders by key, then by value (as
/// query_less above), and one loop writes a parameter.
///
/// The same reader gives a URL path's bytes as the canonical URI writes them (see
/// emit_path_bytes), so one out-of-line next() encodes both: every byte but the unreserved
/// ones (and in a path '/') as %XX with upper-case hex; a query's escapes decoded first (an
/// invalid '%' is a literal '%', as encoded_reader), a path's with `keep_escapes` (S3) kept
/// as sent, else encoded again ("%" as "%25").
struct param_reader {
  enum : unsigned char { decode = 1, keep_escapes = 2, path = 4 };
  const char* p;
  const char* end;
  const query_param* q;  // the parameter whose value follows once the key is read; null after it, and for a path
  unsigned char mode;
  unsigned char npending = 0;  // hex digits of `escaped` still to read
  unsigned char escaped;
  explicit param_reader(const query_param& x) noexcept : p(x.key_ptr), end(x.key_ptr + x.key_len), q(&x), mode(decode) {}
  /// A path's bytes [b, e); `m` is path, or path | keep_escapes.
  param_reader(const char* b, const char* e, unsigned char m) noexcept : p(b), end(e), q(nullptr), mode(m) {}
  /// The next byte, 0 between a parameter's key and value, -1 at the end.
  SIGV4KIT_NOINLINE int next() noexcept {
    if (npending) {  // upper-case hex, computed (no table linked): the high digit first
      --npending;
      const unsigned d = escaped >> 4;
      escaped = static_cast<unsigned char>(escaped << 4);
      return static_cast<int>(d + (d < 10 ? '0' : 'A' - 10));
    }
    if (p == end) {
      if (!q) return -1;
      if (q->rest_len) {  // the '=' and the value after the key (else p == end stays true)
        p = end + 1;
        end += q->rest_len;
      }
      q = nullptr;
      return 0;
    }
    unsigned char b = static_cast<unsigned char>(*p++);
    if (b == '%' && (mode & (decode | keep_escapes)) && end - p >= 2 && all_of_class(p, 2, cc_hex)) {
      if (!(mode & decode)) return b;  // kept: its hex digits follow, unreserved
      // A hex digit's value is its low 4 bits once a letter (0x40 set) has 9 added: no
      // hex_value() linked. (The byte keeps the high digit's low 4 bits only.)
      auto digit = [](unsigned char c) { return c + 9u * (c >> 6); };
      b = static_cast<unsigned char>(digit(static_cast<unsigned char>(p[0])) << 4 | (digit(static_cast<unsigned char>(p[1])) & 15));
      p += 2;
    }
    if (b != '%' && (is_unreserved(b) || (b == '/' && (mode & path)))) return b;  // ('%': no lookup)
    escaped = b;
    npending = 2;
    return '%';
  }
};

inline bool query_less(const query_param& a, const query_param& b) noexcept {
  param_reader x(a), y(b);
  for (;;) {
    int cx = x.next(), cy = y.next();
    if (cx != cy) return cx < cy;
    if (cx < 0) return false;
  }
}
#endif

/// s == lit, for a literal: the length is a constant, so the comparison is inlined. (Speed
/// builds: as 8- or 4-byte words, the literal's folded into constants; GCC calls memcmp for
/// lengths past 8.)
template <std::size_t N>
SIGV4KIT_ALWAYS_INLINE bool equals_literal(std::string_view s, const char (&lit)[N]) noexcept {
  constexpr std::size_t n = N - 1;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  if constexpr (n >= 4) {
    if (s.size() != n) return false;
    using word = std::conditional_t<(n >= 8), std::uint64_t, std::uint32_t>;
    constexpr std::size_t w = sizeof(word);
    auto at = [](const char* p) noexcept {
      word v;
      std::memcpy(&v, p, w);
      return v;
    };
    word diff = 0;
    for (std::size_t i = 0; i + w <= n; i += w) diff |= at(s.data() + i) ^ at(lit + i);
    if constexpr (n % w != 0) diff |= at(s.data() + n - w) ^ at(lit + n - w);  // the last word overlaps
    return diff == 0;
  }
#endif
  return s.size() == n && std::memcmp(s.data(), lit, n) == 0;
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline constexpr std::size_t name_key_slack = 8;
/// The first 8 bytes of a header name as a number that orders as the bytes do (zero-padded
/// past the name's end: names have no NUL). 8 bytes must be readable at `p`.
inline std::uint64_t name_sort_key(const char* p, std::size_t n) noexcept {
  std::uint64_t k = 0;
  std::memcpy(&k, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  k = __builtin_bswap64(k);
#endif
  return n >= 8 ? k : k & ~(~std::uint64_t(0) >> (8 * n));
}
#else
inline constexpr std::size_t name_key_slack = 0;
#endif

/// The names the signer adds, with room to read 8 bytes of each (see name_sort_key; not when
/// optimising size, where names have no sort key).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline constexpr char name_host[8] = "host";
inline constexpr char name_x_amz_date[16] = "x-amz-date";
inline constexpr char name_x_amz_content_sha256[24] = "x-amz-content-sha256";
inline constexpr char name_x_amz_security_token[24] = "x-amz-security-token";
#else
// Size builds: one text, without a terminator each.
inline constexpr char signer_names_text[] = "hostx-amz-datex-amz-security-tokenx-amz-content-sha256";
inline constexpr const char* name_host = signer_names_text;
inline constexpr const char* name_x_amz_date = signer_names_text + 4;
inline constexpr const char* name_x_amz_security_token = signer_names_text + 14;
inline constexpr const char* name_x_amz_content_sha256 = signer_names_text + 34;
#endif

/// A signed header. Packed (16 bytes on 32-bit targets, 24 on 64-bit, plus the sort key when
/// optimising speed): the name is at most SIGV4KIT_MAX_HEADER_NAME_BYTES (< 64 KiB), a value
/// at most 4 GiB.
struct header_entry {
  const char* name_ptr;   ///< lower case (a copy in prepared_request::names, or a literal)
  const char* value_ptr;  ///< as given; canonicalised when written
  std::uint32_t value_len;
  std::uint16_t name_len;
  bool plain;   ///< the value is already canonical: no outer whitespace, no runs, no tab or fold
  bool repeat;  ///< once sorted: same name as the header before it (its value joins that line)
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::uint64_t key;  ///< name_sort_key of the name
#endif

  header_entry() noexcept = default;
  /// 8 bytes must be readable at n.data() (a name in prepared_request::names or name_*).
  header_entry(std::string_view n, std::string_view v, bool is_plain) noexcept
      : name_ptr(n.data()), value_ptr(v.data()), value_len(static_cast<std::uint32_t>(v.size())),
        name_len(static_cast<std::uint16_t>(n.size())), plain(is_plain), repeat(false)
#ifndef SIGV4KIT_OPTIMIZE_SIZE
        , key(name_sort_key(n.data(), n.size()))
#endif
  {}
  std::string_view name() const noexcept { return std::string_view(name_ptr, name_len); }
  std::string_view value() const noexcept { return std::string_view(value_ptr, value_len); }
};

/// -1, 0 or 1 as a's name orders before, the same as, or after b's.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline int compare_names(const header_entry& a, const header_entry& b) noexcept {
  if (a.key != b.key) return a.key < b.key ? -1 : 1;
  if (a.name_len <= 8 || b.name_len <= 8) return a.name_len == b.name_len ? 0 : (a.name_len < b.name_len ? -1 : 1);
  return compare_text(a.name(), b.name());
}
#else
// Size builds: sort_entries' comparison for headers (see entry_compare), with no wrapper;
// below 0, 0 or above 0 (memcmp's result, or the difference of the lengths; a name is never a
// null pointer: a literal, or in prepared_request::names). It also marks `a` as repeating
// `b`'s name or not: sort_entries' last comparison of an entry is with the one it stops after
// (see there).
inline int compare_names(void* a, const void* b) noexcept {
  header_entry& x = *static_cast<header_entry*>(a);
  const header_entry& y = *static_cast<const header_entry*>(b);
  int c = std::memcmp(x.name_ptr, y.name_ptr, x.name_len < y.name_len ? x.name_len : y.name_len);
  if (!c) c = x.name_len - y.name_len;
  x.repeat = c == 0;
  return c;
}
#endif
static_assert(SIGV4KIT_MAX_HEADER_NAME_BYTES <= 65535, "SIGV4KIT_MAX_HEADER_NAME_BYTES must be below 64 KiB");

/// Everything the canonical request, string to sign and output are made of, gathered and
/// validated. Fixed capacity; lives on the caller's stack for one signature.
struct prepared_request {
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // Size builds: the counts and the arrays first, where Thumb's short loads and stores reach
  // them (measured: 50 bytes less code on a Cortex-M4 than after the other fields).
  std::size_t header_count;
  std::size_t param_count;
  std::size_t signed_list_size;  // bytes of "name;name;..." (the SignedHeaders value)
  header_entry headers[SIGV4KIT_MAX_HEADERS + 4];
  query_param params[SIGV4KIT_MAX_QUERY_PARAMS];  // the URL's; the X-Amz-* ones are merged in
#endif
  std::string_view method;
  url_parts url;
  signing_mode mode;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  bool normalize_path;
  bool double_encode;
  bool token_signed;                // token is part of the signature
  bool add_content_sha256;
#else
  // Size builds: the order of signing_params' flags, so prepare copies the four as one word
  // (token_signed in the place of sign_session_token, then set).
  bool normalize_path;
  bool double_encode;
  bool add_content_sha256;
  bool token_signed;                // token is part of the signature
#endif
  std::string_view amz_date;        // "YYYYMMDDTHHMMSSZ"
  // The scope's date ("YYYYMMDD"), region and service, and the access key id, through the
  // accessors below. Size builds: in the order the key cache takes its parts (access key id,
  // secret, date, region, service, "aws4_request"; signing_key_cache::get_laid_out), so the
  // signer passes them without copying them into an array first.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::string_view date_;
  std::string_view region_, service_;
  std::string_view access_key_id_;
  std::string_view& date() noexcept { return date_; }
  std::string_view& region() noexcept { return region_; }
  std::string_view& service() noexcept { return service_; }
  std::string_view& access_key_id() noexcept { return access_key_id_; }
  const std::string_view& date() const noexcept { return date_; }
  const std::string_view& region() const noexcept { return region_; }
  const std::string_view& service() const noexcept { return service_; }
  const std::string_view& access_key_id() const noexcept { return access_key_id_; }
#else
  enum key_part : unsigned char { kp_access_key_id, kp_secret, kp_date, kp_region, kp_service };
  std::string_view key_parts[6] = {{}, {}, {}, {}, {}, std::string_view("aws4_request", 12)};
  std::string_view& date() noexcept { return key_parts[kp_date]; }
  std::string_view& region() noexcept { return key_parts[kp_region]; }
  std::string_view& service() noexcept { return key_parts[kp_service]; }
  std::string_view& access_key_id() noexcept { return key_parts[kp_access_key_id]; }
  const std::string_view& date() const noexcept { return key_parts[kp_date]; }
  const std::string_view& region() const noexcept { return key_parts[kp_region]; }
  const std::string_view& service() const noexcept { return key_parts[kp_service]; }
  const std::string_view& access_key_id() const noexcept { return key_parts[kp_access_key_id]; }
#endif
  std::string_view session_token;   // empty: none
  std::string_view payload_hash;    // what goes on the last line of the canonical request

  // Query mode: X-Amz-Expires, its digits right-aligned in expires_digits (written last digit
  // first in one loop) with their count, so no strlen is needed to view them.
  char expires_digits[7];
  unsigned char expires_len = 0;  // stays 0 in header mode (emit_canonical_query views it)
  char payload_hash_hex[64];
  std::string_view host;  // the Host value signed: a given Host header, or the URL's (lower-cased)

#ifndef SIGV4KIT_OPTIMIZE_SIZE
  header_entry headers[SIGV4KIT_MAX_HEADERS + 4];
#endif
  // The signed headers' names lower-cased once, after the URL's host when that had capitals.
  char names[SIGV4KIT_MAX_HEADER_NAME_BYTES + name_key_slack];  // see name_sort_key
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::size_t header_count;
  std::size_t signed_list_size;  // bytes of "name;name;..." (the SignedHeaders value)
  // Header mode, when set (the signer does, once the output's room is checked): where the
  // output's SignedHeaders value goes. The canonical request's list is written there and
  // hashed from there, and the output writer leaves it in place: one list, not two.
  char* signed_list_out = nullptr;
  query_param params[SIGV4KIT_MAX_QUERY_PARAMS];  // the URL's; the X-Amz-* ones are merged in
  std::size_t param_count;
  // Sorting moves these indices, not the entries (size builds sort the entries themselves).
  unsigned short header_order[SIGV4KIT_MAX_HEADERS + 4];
  unsigned short param_order[SIGV4KIT_MAX_QUERY_PARAMS];
#endif
  // Query mode: the encoded X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Security-Token
  // values, as written into the presigned URL by write_output_start.
  view credential_encoded, signed_headers_encoded, token_encoded;

  std::string_view expires() const noexcept {
    return std::string_view(expires_digits + sizeof expires_digits - expires_len, expires_len);
  }
  /// Query mode (a presigned URL). A constant false with SIGV4KIT_NO_PRESIGN, so that every
  /// presigning branch is compiled out (prepare rejects query mode in such a build).
  bool presign() const noexcept { return presign_enabled && mode == signing_mode::query; }
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  const header_entry& header_at(std::size_t i) const noexcept { return headers[header_order[i]]; }
  const query_param& param_at(std::size_t i) const noexcept { return params[param_order[i]]; }
#else
  const header_entry& header_at(std::size_t i) const noexcept { return headers[i]; }
  const query_param& param_at(std::size_t i) const noexcept { return params[i]; }
#endif

  /// "<date>/<region>/<service>/aws4_request" (the credential scope) and the credential,
  /// "<access key id>/<scope>", written piece by piece through put(std::string_view), so no
  /// buffer holds them.
  template <class Put>
  void put_scope(Put&& put) const noexcept {
    // Through a function pointer into one out-of-line body when optimising size; inlined (and
    // the calls made direct) otherwise.
    put_scope_to([](void* f, const char* s, std::size_t n) noexcept { (*static_cast<Put*>(f))(std::string_view(s, n)); },
                 &put);
  }
  using piece_fn = void (*)(void* ctx, const char* s, std::size_t n) noexcept;
  SIGV4KIT_SIZE_NOINLINE void put_scope_to(piece_fn put, void* ctx) const noexcept {
    put(ctx, date().data(), date().size());
    put(ctx, "/", 1);
    put(ctx, region().data(), region().size());
    put(ctx, "/", 1);
    put(ctx, service().data(), service().size());
    put(ctx, "/aws4_request", 13);
  }
  /// Appends a signed header (room for it was checked). 8 bytes must be readable at `name`.
  /// Four arguments, the value by reference: all in registers on 32-bit ARM.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  SIGV4KIT_SIZE_NOINLINE void add_header(const char* name, std::size_t name_len, const std::string_view& value,
                                         bool plain) noexcept {
    headers[header_count++] = header_entry{std::string_view(name, name_len), value, plain};
  }
#else
  // Size builds: `plain` is never read (every value is canonicalised when written), so it is
  // not passed (on 32-bit ARM a fifth argument goes through the stack).
  SIGV4KIT_NOINLINE void add_header(const char* name, std::size_t name_len, const std::string_view& value) noexcept {
    header_entry& e = headers[header_count++];
    e.name_ptr = name;
    e.value_ptr = value.data();
    e.value_len = static_cast<std::uint32_t>(value.size());
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // name_len and then plain and repeat, both false, as one word.
    static_assert(offsetof(header_entry, plain) == offsetof(header_entry, name_len) + 2 &&
                      offsetof(header_entry, repeat) == offsetof(header_entry, name_len) + 3,
                  "name_len, plain and repeat must fill one word");
    const std::uint32_t w = static_cast<std::uint32_t>(name_len);
    std::memcpy(reinterpret_cast<char*>(&e) + offsetof(header_entry, name_len), &w, 4);
#else
    e.name_len = static_cast<std::uint16_t>(name_len);
    e.plain = false;
    e.repeat = false;
#endif
  }
#endif
  std::size_t credential_size() const noexcept {
    return access_key_id().size() + 1 + date().size() + 1 + region().size() + 1 + service().size() + 13;
  }
};

/// dst[0..n) = src[0..n) with A-Z lower-cased (the URL's host; size builds: header names too).
/// Out of line: speed builds call it only for a host with capitals, a rare path.
SIGV4KIT_NOINLINE inline void lower_copy(char* dst, const char* src, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) dst[i] = to_lower(src[i]);
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
/// Position of the name [s, s + n) in list[0..count) ignoring ASCII case, or `count` when
/// absent. Plain scalar arguments: all in registers on 32-bit ARM, where views go through memory.
SIGV4KIT_SIZE_NOINLINE inline std::size_t find_name(const std::string_view* list, std::size_t count, const char* s,
                                                    std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i < count; ++i)
    if (iequals(std::string_view(s, n), list[i])) break;
  return i;
}

inline bool is_listed(span<std::string_view> names, std::string_view name) noexcept {
  return find_name(names.data(), names.size(), name.data(), name.size()) != names.size();
}
#else
/// Size builds: the name [s, s + n) in list[0..count) ignoring ASCII case, counted from the
/// end: count - position, or 0 when absent (a test for zero: the caller keeps no count).
SIGV4KIT_NOINLINE inline std::size_t find_name(const std::string_view* list, std::size_t count, const char* s,
                                               std::size_t n) noexcept {
  for (; count; --count, ++list)
    if (list->size() == n && iequals_n(s, list->data(), n)) break;
  return count;
}

inline bool is_listed(span<std::string_view> names, std::string_view name) noexcept {
  return find_name(names.data(), names.size(), name.data(), name.size()) != 0;
}
#endif

/// The headers the signer sets itself, in the order signer_name_index numbers them.
inline constexpr std::string_view signer_header_names[] = {
    std::string_view(name_host, 4), std::string_view(name_x_amz_date, 10),
    std::string_view(name_x_amz_security_token, 20), std::string_view(name_x_amz_content_sha256, 20)};
static_assert(signer_header_names[0] == "host" && signer_header_names[1] == "x-amz-date" &&
                  signer_header_names[2] == "x-amz-security-token" && signer_header_names[3] == "x-amz-content-sha256",
              "the signer's header names");

/// 0 host, 1 x-amz-date, 2 x-amz-security-token, 3 x-amz-content-sha256, 4 any other name.
/// `lower`: the name is lower case already, so exact comparison suffices. (Size builds count
/// from the end, as find_name: 4 host, 3 x-amz-date, 2 x-amz-security-token,
/// 1 x-amz-content-sha256, 0 any other name.)
inline std::size_t signer_name_index(std::string_view name, bool lower) noexcept {
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  (void)lower;
  return find_name(signer_header_names, std::size(signer_header_names), name.data(), name.size());
#else
  // By length first, then literal comparisons of constant length (inlined).
  auto is = [lower, name](const auto& lit) { return lower ? equals_literal(name, lit) : iequals(name, lit); };
  switch (name.size()) {
    case 4: return is("host") ? 0 : 4;
    case 10: return is("x-amz-date") ? 1 : 4;
    case 20: return is("x-amz-security-token") ? 2 : (is("x-amz-content-sha256") ? 3 : 4);
    default: return 4;
  }
#endif
}

/// is_listed(default_unsigned_headers, name) for a lower-case name, by length first.
inline bool is_default_unsigned_lower(std::string_view n) noexcept {
  switch (n.size()) {
    case 2: return equals_literal(n, "te");
    case 6: return equals_literal(n, "expect");
    case 7: return equals_literal(n, "trailer") || equals_literal(n, "upgrade");
    case 10: return equals_literal(n, "user-agent") || equals_literal(n, "connection") || equals_literal(n, "keep-alive");
    case 13: return equals_literal(n, "authorization");
    case 15: return equals_literal(n, "x-amzn-trace-id");
    case 17: return equals_literal(n, "transfer-encoding");
    case 18: return equals_literal(n, "proxy-authenticate");
    case 19: return equals_literal(n, "proxy-authorization");
    default: return false;
  }
}

/// Checks a header value (RFC 9110 section 5.5: no CR, LF or NUL except an obsolete line fold,
/// CRLF or LF followed by space or tab, which is signed as one space; no other control
/// character but tab) and tells whether it is already in canonical form (`plain`), so that
/// the common value is written with one copy. (Speed builds: inlined into prepare's header
/// loop, measured faster than a call per header: s3-get 480 -> 461 ns, alternated.)
#ifndef SIGV4KIT_OPTIMIZE_SIZE
SIGV4KIT_ALWAYS_INLINE status check_header_value(const header& h, bool& plain) noexcept {
  const unsigned char* v = reinterpret_cast<const unsigned char*>(h.value.data());
  const std::size_t n = h.value.size();
  plain = n == 0 || (v[0] != ' ' && v[n - 1] != ' ');
  for (std::size_t i = 0; i < n; ++i) {
    i += field_text_run(h.value.data() + i, n - i);  // up to a space or control character
    if (i == n) break;
    unsigned char c = v[i];
    if (c == ' ') {
      if (i + 1 < n && v[i + 1] == ' ') plain = false;
      continue;
    }
    plain = false;
    if (c == '\t') continue;
    if (c == '\r' || c == '\n') {
      if (c == '\r') {
        if (i + 1 >= n || v[i + 1] != '\n')
          return error(error_kind::invalid_header, SIGV4KIT_TEXT("header value has a CR that is not part of a line fold"), h.name);
        ++i;
      }
      if (i + 1 >= n || (v[i + 1] != ' ' && v[i + 1] != '\t'))
        return error(error_kind::invalid_header,
                     SIGV4KIT_TEXT("header value has a line break that is not a fold (CR/LF must be followed by a space)"),
                     h.name);
    } else if (c == 0) {
      return error(error_kind::invalid_header, SIGV4KIT_TEXT("header value contains a NUL byte"), h.name);
    } else {
      return error(error_kind::invalid_header, SIGV4KIT_TEXT("header value contains a control character"), h.name);
    }
  }
  return {};
}
#else
// Size builds: the same checks and errors, a byte at a time, with no call in the loop;
// `plain` is not looked for (every value is canonicalised when written, which gives the same
// text). A control character is allowed only as a fold's CR (followed by LF) or LF (followed
// by a space or tab); the error says which rule the first other one breaks.
SIGV4KIT_ALWAYS_INLINE status check_header_value(const header& h, bool& plain) noexcept {
  const unsigned char* v = reinterpret_cast<const unsigned char*>(h.value.data());
  const std::size_t n = h.value.size();
  plain = false;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned c = v[i];
    if (c >= 0x20 ? c != 0x7f : c == '\t') continue;  // (has_class(c, cc_url) or a tab)
    const unsigned next = i + 1 < n ? v[i + 1] : 0;
    if (c == '\r' ? next == '\n' : (c == '\n' && (next == ' ' || next == '\t'))) continue;
    return error(error_kind::invalid_header,
                 c == '\r'   ? SIGV4KIT_TEXT("header value has a CR that is not part of a line fold")
                 : c == '\n' ? SIGV4KIT_TEXT("header value has a line break that is not a fold (CR/LF must be followed by a space)")
                 : c == 0    ? SIGV4KIT_TEXT("header value contains a NUL byte")
                             : SIGV4KIT_TEXT("header value contains a control character"),
                 h.name);
  }
  return {};
}
#endif

/// True when every byte of `s` may be in a region, service or access key id (cc_scope).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline bool all_scope_chars(std::string_view s) noexcept { return scope_run(s.data(), s.size()) == s.size(); }
#else
inline bool all_scope_chars(std::string_view s) noexcept { return all_of_class(s.data(), s.size(), cc_scope); }
#endif

#ifdef SIGV4KIT_OPTIMIZE_SIZE
/// 1 to `max` bytes, each allowed in a region, service or access key id.
SIGV4KIT_ALWAYS_INLINE bool is_scope_text(std::string_view s, std::size_t max) noexcept {
  return !s.empty() && s.size() <= max && all_scope_chars(s);
}
#endif

inline status validate_scope_part(std::string_view s, const char* what) noexcept {
  if (s.empty()) return error(error_kind::invalid_scope, what, "(empty)");
  if (s.size() > SIGV4KIT_MAX_SCOPE_PART || !all_scope_chars(s)) return error(error_kind::invalid_scope, what, s);
  return {};
}

#ifndef SIGV4KIT_OPTIMIZE_SIZE
/// The timestamp (a real UTC time, YYYYMMDDTHHMMSSZ), the region and service (1 to
/// SIGV4KIT_MAX_SCOPE_PART scope characters) and the access key id's characters, in this
/// order. Speed builds: prepare checks only the lengths; the signer runs this whenever the
/// key cache has not seen the scope and second before (see signing_key_cache::get_started).
SIGV4KIT_NOINLINE inline status check_scope(const signing_params& sp) noexcept {
  if (!is_amz_date(sp.timestamp))
    return error(error_kind::invalid_timestamp,
                 SIGV4KIT_TEXT("timestamp must be a real UTC time written YYYYMMDDTHHMMSSZ, like 20150830T123600Z"),
                 sp.timestamp);
  if (status s = validate_scope_part(sp.region, SIGV4KIT_TEXT("region must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_SCOPE_PART) " printable characters without '/', ',' or spaces")); !s)
    return s;
  if (status s = validate_scope_part(sp.service, SIGV4KIT_TEXT("service must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_SCOPE_PART) " printable characters without '/', ',' or spaces")); !s)
    return s;
  const std::string_view id = sp.credentials.access_key_id;  // (its length: prepare's error)
  if (!id.empty() && id.size() <= max_access_key_id && !all_scope_chars(id))
    return error(error_kind::invalid_credentials,
                 SIGV4KIT_TEXT("access key id may hold only printable characters other than '/', ',' and space"));
  return {};
}
#endif

/// True when [s, s + n) is in list[0..count) (exact comparison).
SIGV4KIT_NOINLINE inline bool has_text(const std::string_view* list, std::size_t count, const char* s,
                                            std::size_t n) noexcept {
  for (std::size_t i = 0; i < count; ++i)  // non-empty entries: memcmp never sees a null pointer
    if (list[i].size() == n && std::memcmp(list[i].data(), s, n) == 0) return true;
  return false;
}

inline constexpr std::string_view known_payload_constants[] = {
    payload::unsigned_payload,          payload::streaming_payload,       payload::streaming_payload_trailer,
    payload::streaming_unsigned_trailer, payload::streaming_ecdsa_payload, payload::streaming_ecdsa_payload_trailer};

#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline bool is_known_payload_constant(std::string_view s) noexcept {
  // UNSIGNED-PAYLOAD (S3's usual) inline; the STREAMING-... ones in a loop.
  static_assert(known_payload_constants[0] == "UNSIGNED-PAYLOAD" && known_payload_constants[1].size() != 16 &&
                    known_payload_constants[2].size() != 16 && known_payload_constants[3].size() != 16 &&
                    known_payload_constants[4].size() != 16 && known_payload_constants[5].size() != 16,
                "the only 16-byte constant comes first");
  if (s.size() == 16) return equals_literal(s, "UNSIGNED-PAYLOAD");
  return has_text(known_payload_constants + 1, std::size(known_payload_constants) - 1, s.data(), s.size());
}
#else
/// The same six constants, each an (offset, length) in payload_constants_text: one memcmp
/// call in a loop over 12 bytes of table (less flash than comparing their shared pieces).
inline constexpr unsigned char payload_constant_at[6][2] = {{52, 16}, {0, 34}, {0, 42}, {42, 34}, {76, 40}, {76, 48}};
SIGV4KIT_ALWAYS_INLINE bool is_known_payload_constant(std::string_view s) noexcept {
  for (const auto& at : payload_constant_at)
    if (s.size() == at[1] && std::memcmp(s.data(), payload_constants_text + at[0], at[1]) == 0) return true;
  return false;
}
constexpr std::string_view payload_constant(std::size_t i) noexcept {
  return std::string_view(payload_constants_text + payload_constant_at[i][0], payload_constant_at[i][1]);
}
static_assert(payload_constant(0) == payload::unsigned_payload && payload_constant(1) == payload::streaming_payload &&
                  payload_constant(2) == payload::streaming_payload_trailer &&
                  payload_constant(3) == payload::streaming_unsigned_trailer &&
                  payload_constant(4) == payload::streaming_ecdsa_payload &&
                  payload_constant(5) == payload::streaming_ecdsa_payload_trailer &&
                  std::string_view(aws4_text, 24) == "AWS4-HMAC-SHA256-PAYLOAD" && sizeof payload_constants_text == 125,
              "payload_constant_at must give the six constants");
#endif

/// The query parameters a presigned URL gets from the signer, without their "X-Amz-" prefix.
inline constexpr std::string_view presign_param_suffixes[] = {"Algorithm", "Credential",    "Date",          "Expires",
                                                              "SignedHeaders", "Signature", "Security-Token"};

/// Whether a URL's parameter is one the signer adds to a presigned URL (X-Amz-<suffix>).
inline bool is_signing_param(const query_param& qp) noexcept {
  return qp.key_len > 6 && std::memcmp(qp.key_ptr, "X-Amz-", 6) == 0 &&
         has_text(presign_param_suffixes, std::size(presign_param_suffixes), qp.key_ptr + 6, qp.key_len - 6);
}

#ifdef SIGV4KIT_OPTIMIZE_SIZE
/// Orders two entries: below 0 when a goes before b, 0 when they tie. (`a` is the entry being
/// sorted in: see compare_names.)
using entry_compare = int (*)(void* a, const void* b) noexcept;
/// Query parameters by their canonical "key=value" runs, as query_less (the difference of the
/// first bytes that differ).
inline int param_compare(void* a, const void* b) noexcept {
  param_reader x(*static_cast<const query_param*>(a)), y(*static_cast<const query_param*>(b));
  for (;;) {
    int cx = x.next(), cy = y.next();
    if (cx != cy || cx < 0) return cx - cy;
  }
}

/// Sorts the n entries of `size` bytes at `base` by `compare`, stably: one out-of-line
/// insertion sort for both arrays when optimising size, which moves the entries themselves (an
/// entry goes down by swapping bytes with the one before it), so no index array is kept or
/// read. (prepare's own loops over index arrays, with the comparison called directly, are
/// faster on the hot path: a shared sort cost s3-get ~50 ns on x86-64.)
///
/// An entry's last comparison is with the entry it stops after (`compare` >= 0), or, when it
/// goes first, with the entry it passes last (< 0); entries it passes are greater than it. So
/// once sorted, an entry that compared equal last is equal to the one before it, and no later
/// entry comes between the two (it would stop after the second).
SIGV4KIT_NOINLINE inline void sort_entries(void* base, std::size_t n, std::size_t size, entry_compare compare) noexcept {
  unsigned char* const b = static_cast<unsigned char*>(base);
  unsigned char* const e = b + n * size;
  for (unsigned char* next = b + size; next < e; next += size)
    for (unsigned char* x = next; x != b; x -= size) {
      unsigned char* y = x - size;  // the entry before x
      if (compare(x, y) >= 0) break;
      for (std::size_t k = 0; k < size; ++k) {
        unsigned char t = x[k];
        x[k] = y[k];
        y[k] = t;
      }
    }
}
#endif

/// Validates everything and fills `p`. `payload_hash_hex` is consulted only when the request
/// carries no payload hash (the caller hashes the body with its backend first).
SIGV4KIT_HOT SIGV4KIT_SIZE_INLINE status prepare(const request& req, const signing_params& sp, prepared_request& p) noexcept {
  // Method: an HTTP token (RFC 9110 section 9.1).
  if (!is_token(req.method))
    return error(error_kind::invalid_method, SIGV4KIT_TEXT("HTTP method must be a non-empty token like GET or POST"), req.method);
  p.method = req.method;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  if (status s = parse_url(req.url, p.url); !s) return s;
  if (p.url.host.size() > max_host)
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL host is longer than 255 characters"));
  p.host = p.url.host;
  std::size_t names_used = 0;
  if (SIGV4KIT_UNLIKELY(p.url.host_has_upper)) {  // DNS names ignore case: sign the host lower-cased, as botocore
    names_used = p.url.host.size();
    if (names_used > SIGV4KIT_MAX_HEADER_NAME_BYTES)
      return error(error_kind::capacity_exceeded,
                   SIGV4KIT_TEXT("URL host with capitals is longer than SIGV4KIT_MAX_HEADER_NAME_BYTES"));
    lower_copy(p.names, p.url.host.data(), names_used);
    p.host = std::string_view(p.names, names_used);
  }
#else
  bool upper;
  if (status s = parse_url(req.url, p.url, p.host, upper); !s) return s;
  if (p.host.size() > max_host)
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL host is longer than 255 characters"));
  std::size_t names_used = 0;
  if (upper) {  // DNS names ignore case: sign the host lower-cased, as botocore
    names_used = p.host.size();
    if (names_used > SIGV4KIT_MAX_HEADER_NAME_BYTES)
      return error(error_kind::capacity_exceeded,
                   SIGV4KIT_TEXT("URL host with capitals is longer than SIGV4KIT_MAX_HEADER_NAME_BYTES"));
    lower_copy(p.names, p.host.data(), names_used);
    p.host = std::string_view(p.names, names_used);
  }
#endif

  // Scope and credentials.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  // The lengths only (the buffers depend on them). The characters, and whether the time is a
  // real one, are check_scope's, which the signer runs unless the key cache has seen this
  // scope and second signed before (see signing_key_cache::get_started).
  if (sp.timestamp.size() != 16) return check_scope(sp);  // (its error)
  p.amz_date = sp.timestamp;
  p.date_ = sub(sp.timestamp, 0, 8);
  if (sp.region.empty() || sp.region.size() > SIGV4KIT_MAX_SCOPE_PART || sp.service.empty() ||
      sp.service.size() > SIGV4KIT_MAX_SCOPE_PART)
    return check_scope(sp);
  p.region_ = sp.region;
  p.service_ = sp.service;
  const credentials_view& cr = sp.credentials;
  if (cr.access_key_id.empty() || cr.access_key_id.size() > max_access_key_id) {
    if (status s = check_scope(sp); !s) return s;  // (the errors before this one)
    return error(error_kind::invalid_credentials,
                 SIGV4KIT_TEXT("access key id must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_ACCESS_KEY_ID) " characters"));
  }
#else
  if (!is_amz_date(sp.timestamp))
    return error(error_kind::invalid_timestamp,
                 SIGV4KIT_TEXT("timestamp must be a real UTC time written YYYYMMDDTHHMMSSZ, like 20150830T123600Z"),
                 sp.timestamp);
  p.amz_date = sp.timestamp;
  p.date() = std::string_view(sp.timestamp.data(), 8);  // (16 bytes: checked above)
  // One check for the three (1..max bytes, each cc_scope); the same errors as above.
  if (!is_scope_text(sp.region, SIGV4KIT_MAX_SCOPE_PART))
    return error(error_kind::invalid_scope, SIGV4KIT_TEXT("region must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_SCOPE_PART) " printable characters without '/', ',' or spaces"),
                 sp.region.empty() ? std::string_view("(empty)") : sp.region);
  if (!is_scope_text(sp.service, SIGV4KIT_MAX_SCOPE_PART))
    return error(error_kind::invalid_scope, SIGV4KIT_TEXT("service must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_SCOPE_PART) " printable characters without '/', ',' or spaces"),
                 sp.service.empty() ? std::string_view("(empty)") : sp.service);
  p.region() = sp.region;
  p.service() = sp.service;
  const credentials_view& cr = sp.credentials;
  if (!is_scope_text(cr.access_key_id, max_access_key_id))
    return error(error_kind::invalid_credentials,
                 cr.access_key_id.empty() || cr.access_key_id.size() > max_access_key_id
                     ? SIGV4KIT_TEXT("access key id must be 1 to " SIGV4KIT_STRINGIFY(SIGV4KIT_MAX_ACCESS_KEY_ID) " characters")
                     : SIGV4KIT_TEXT("access key id may hold only printable characters other than '/', ',' and space"));
#endif
  if (cr.secret_access_key.empty())
    return error(error_kind::invalid_credentials, SIGV4KIT_TEXT("secret access key is empty"));
  const std::string_view token = cr.session_token;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  if (no_control_run(token.data(), token.size()) != token.size())  // never echo the token itself
#else
  if (!all_of_class(token.data(), token.size(), cc_url))  // (cc_url: no control character)
#endif
    return error(error_kind::invalid_credentials, SIGV4KIT_TEXT("session token contains a control character (CR, LF, NUL, ...)"));
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  p.access_key_id_ = cr.access_key_id;
#else
  p.access_key_id() = cr.access_key_id;
  p.key_parts[prepared_request::kp_secret] = cr.secret_access_key;
#endif
  p.session_token = cr.session_token;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  p.token_signed = !cr.session_token.empty() && sp.sign_session_token;
#endif
#ifdef SIGV4KIT_NO_PRESIGN
  if (sp.mode != signing_mode::header)
    return error(error_kind::unsupported,
                 SIGV4KIT_TEXT("presigned URLs (signing_mode::query) are compiled out by SIGV4KIT_NO_PRESIGN; "
                               "build without it to presign"));
#endif
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  p.mode = sp.mode;
  p.normalize_path = sp.normalize_path;
  p.double_encode = sp.double_encode;
  p.add_content_sha256 = sp.add_content_sha256 && !p.presign();
#else
  // The four flags as one word (laid out alike: see prepared_request), then the two computed.
  static_assert(offsetof(signing_params, double_encode) == offsetof(signing_params, normalize_path) + 1 &&
                    offsetof(signing_params, add_content_sha256) == offsetof(signing_params, normalize_path) + 2 &&
                    offsetof(signing_params, sign_session_token) == offsetof(signing_params, normalize_path) + 3 &&
                    offsetof(prepared_request, double_encode) == offsetof(prepared_request, normalize_path) + 1 &&
                    offsetof(prepared_request, add_content_sha256) == offsetof(prepared_request, normalize_path) + 2 &&
                    offsetof(prepared_request, token_signed) == offsetof(prepared_request, normalize_path) + 3,
                "the flags must be laid out alike");
  std::memcpy(&p.normalize_path, &sp.normalize_path, 4);
  p.token_signed = !cr.session_token.empty() && sp.sign_session_token;
  if constexpr (presign_enabled) {  // (header-only builds: mode is never read, and header)
    p.mode = sp.mode;
    p.add_content_sha256 = sp.add_content_sha256 && !p.presign();
  }
#endif

  if (p.presign()) {
    if (sp.expires < 1 || sp.expires > max_expires)
      return error(error_kind::invalid_expires, SIGV4KIT_TEXT("expires must be 1..604800 seconds (7 days) for a presigned URL"));
    std::size_t n = 0;  // digits: at most 6
    for (std::uint32_t v = sp.expires; v; v /= 10)
      p.expires_digits[sizeof p.expires_digits - ++n] = static_cast<char>('0' + v % 10);
    p.expires_len = static_cast<unsigned char>(n);
  }

  // Payload hash.
  if (!req.payload_hash.empty()) {
    // Used as given, as the AWS SDKs do (S3 documents lower-case hex; the caller decides).
    if (!((req.payload_hash.size() == 64 && is_hex(req.payload_hash)) ||
          is_known_payload_constant(req.payload_hash)))
      return error(error_kind::invalid_payload_hash,
                   SIGV4KIT_TEXT("payload hash must be 64 hex digits, UNSIGNED-PAYLOAD or a STREAMING-... constant"),
                   req.payload_hash);
    p.payload_hash = req.payload_hash;
  } else {
    p.payload_hash = std::string_view(p.payload_hash_hex, 64);  // filled by the caller
  }

  // Query parameters of the URL, split in one pass that also notes which keys and values are
  // already in canonical form (most are) and rejects control characters.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  p.param_count = 0;
#endif  // (size builds: stored after the split)
  const bool query_mode = p.presign();
  const char* q = p.url.query.data();
  const std::size_t qn = p.url.query.size();
  if (qn > 0xffffffffu) return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("URL query is longer than 4 GiB"));
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // Split only, a byte at a time: no key or value is marked canonical (see query_param). The
  // count is kept in a register and stored once, after the loop.
  std::size_t count = 0;
  for (std::size_t i = 0; i < qn;) {
    std::size_t begin = i, key_end = std::string_view::npos;  // the first '=', if any
    for (; i < qn && q[i] != '&'; ++i) {
      const unsigned char c = static_cast<unsigned char>(q[i]);
      if (c == '=' && key_end > i) key_end = i;
      if (c < 0x20 || c == 0x7f)  // (not cc_url: no call in the loop)
        return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
    }
    std::size_t end = i++;
    if (end == begin) continue;  // "a=1&&b=2": no parameter between the ampersands
    if (count == SIGV4KIT_MAX_QUERY_PARAMS)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("URL has more query parameters than SIGV4KIT_MAX_QUERY_PARAMS"));
    query_param& qp = p.params[count++];
    if (key_end > end) key_end = end;
    qp.key_ptr = q + begin;
    qp.key_len = static_cast<std::uint32_t>(key_end - begin);
    qp.rest_len = static_cast<std::uint32_t>(end - key_end);
    if (query_mode && is_signing_param(qp))
      return error(error_kind::invalid_query, SIGV4KIT_TEXT("URL to presign already has a signing parameter"), qp.key());
  }
#else
  // 16 bytes a step: the bytes outside the unreserved set ('&', '=', '%', and anything that
  // makes a parameter non-canonical or the URL bad) are read off a bit mask, lowest first, and
  // the query's end is one more '&'. Unreserved bytes (most) are not visited one by one.
  std::size_t begin = 0, eq = std::string_view::npos;  // the parameter's first byte; its first '='
  bool canonical = true, key_canonical = true;          // the text since the '=' (or begin); the key
  for (std::size_t base = 0; qn; base += 16) {
    const bool last = qn - base <= 16;
    unsigned m = base < qn ? reserved_bits(q, qn, base) : 0u;
    if (last) m |= 1u << (qn - base);  // the end
    for (; m; m &= m - 1) {
      const std::size_t i = base + lowest_bit(m);
      const unsigned char c = i < qn ? static_cast<unsigned char>(q[i]) : '&';
      if (c == '&') {
        if (i != begin) {  // ("a=1&&b=2": no parameter between the ampersands)
          if (p.param_count == SIGV4KIT_MAX_QUERY_PARAMS)
            return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("URL has more query parameters than SIGV4KIT_MAX_QUERY_PARAMS"));
          query_param& qp = p.params[p.param_count++];
          qp.key_ptr = q + begin;
          unsigned char equals = query_param::has_equals;
          if (eq == std::string_view::npos) {
            qp.key_len = static_cast<std::uint32_t>(i - begin);
            qp.value_len = 0;
            key_canonical = canonical;
            canonical = true;
            equals = 0;
          } else {
            qp.key_len = static_cast<std::uint32_t>(eq - begin);
            qp.value_len = static_cast<std::uint32_t>(i - eq - 1);
          }
          qp.flags = static_cast<unsigned char>((key_canonical ? query_param::key_canonical : 0) |
                                                (canonical ? query_param::value_canonical : 0) | equals);
          if (query_mode && is_signing_param(qp))
            return error(error_kind::invalid_query, SIGV4KIT_TEXT("URL to presign already has a signing parameter"), qp.key());
        }
        begin = i + 1;
        eq = std::string_view::npos;
        canonical = key_canonical = true;
        continue;
      }
      if (c == '=' && eq == std::string_view::npos) {
        eq = i;
        key_canonical = canonical;
        canonical = true;
        continue;
      }
      if (!has_class(c, cc_url))
        return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
      // "%XX" with upper-case hex naming a byte outside the unreserved set is canonical already
      // (its hex digits are unreserved: no bits of their own).
      if (c == '%' && i + 2 < qn && has_class(static_cast<unsigned char>(q[i + 1]), cc_upper_hex) &&
          has_class(static_cast<unsigned char>(q[i + 2]), cc_upper_hex) &&
          !is_unreserved(static_cast<unsigned char>(hex_value(static_cast<unsigned char>(q[i + 1])) * 16 +
                                                    hex_value(static_cast<unsigned char>(q[i + 2])))))
        continue;
      if (SIGV4KIT_UNLIKELY(c == '#'))  // (parse_url looked for one only in the path)
        return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL has a fragment ('#...'), which is never sent to the server; remove it"));
      canonical = false;
    }
    if (last) break;
  }
#endif
  // Insertion sorts: stable, no allocation, and fast for the few parameters and headers
  // requests carry. Headers: repeated names keep their order.
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  p.param_count = count;
  sort_entries(p.params, count, sizeof(query_param), param_compare);
#else
  if (p.param_count) p.param_order[0] = 0;
  for (std::size_t i = 1; i < p.param_count; ++i) {
    unsigned short x = static_cast<unsigned short>(i);
    std::size_t j = i;
    for (; j > 0 && query_less(p.params[x], p.params[p.param_order[j - 1]]); --j) p.param_order[j] = p.param_order[j - 1];
    p.param_order[j] = x;
  }
#endif

  // Headers: validate all, keep the signed ones with their names lower-cased once.
  const bool header_mode = !query_mode;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  p.header_count = 0;
  bool have_host = false;
  const unsigned replaced = (header_mode ? 2u : 0u) | (header_mode && !p.session_token.empty() ? 4u : 0u) |
                            (p.add_content_sha256 ? 8u : 0u);  // by signer_name_index
  char* names = p.names + names_used;
  std::size_t names_left = SIGV4KIT_MAX_HEADER_NAME_BYTES - names_used;
  for (const header& h : req.headers) {
    const std::size_t n = h.name.size();
    if (n == 0) return error(error_kind::invalid_header, SIGV4KIT_TEXT("header name is empty"));
    const bool room = n <= names_left;
    if (room) {
      if (!lower_token_copy(names, h.name.data(), n)) return error(error_kind::invalid_header, SIGV4KIT_TEXT("header name has a character not allowed in an HTTP token"), h.name);
    } else if (!is_token(h.name)) {
      return error(error_kind::invalid_header, SIGV4KIT_TEXT("header name has a character not allowed in an HTTP token"), h.name);
    }
    bool plain;
    if (status s = check_header_value(h, plain); !s) return s;
    if (h.value.size() > 0xffffffffu)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("header value is longer than 4 GiB"), h.name);
    // Lower-cased when there was room (compare with ==); else as given (iequals).
    std::string_view name = room ? std::string_view(names, n) : h.name;
    const std::size_t role = signer_name_index(name, room);
    if (role == 0) {
      if (have_host) return error(error_kind::invalid_header, SIGV4KIT_TEXT("request has more than one Host header"));
      have_host = true;
      p.host = h.value;
    } else {
      bool default_list = sp.default_unsigned.data() == default_unsigned_headers && room;
      // Headers the signer sets itself (the bits of `replaced`) replace the caller's.
      if ((replaced >> role & 1) ||
          (default_list ? is_default_unsigned_lower(name) : is_listed(sp.default_unsigned, name)) ||
          is_listed(sp.unsigned_headers, name))
        continue;
    }
    if (!room)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("signed header names exceed SIGV4KIT_MAX_HEADER_NAME_BYTES"));
    if (p.header_count == SIGV4KIT_MAX_HEADERS)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("request has more signed headers than SIGV4KIT_MAX_HEADERS"));
    p.add_header(name.data(), n, h.value, plain);
    names += n;
    names_left -= n;
  }
  if (!have_host) p.add_header(name_host, 4, p.host, true);
  if (header_mode) {
    p.add_header(name_x_amz_date, 10, p.amz_date, true);
    if (p.add_content_sha256) p.add_header(name_x_amz_content_sha256, 20, p.payload_hash, true);
    if (p.token_signed) {
      // Signed trimmed and with inner runs of spaces as one, as every header value (botocore
      // does so too): written as given only when that is the same text. (Real tokens have no
      // spaces; the value was checked for control characters above, so this cannot fail.)
      bool plain;
      (void)check_header_value(header{std::string_view(name_x_amz_security_token, 20), p.session_token}, plain);
      p.add_header(name_x_amz_security_token, 20, p.session_token, plain);
    }
  }
#else
  // Size builds: the same checks in the same order. The bits of `signer`, by
  // signer_name_index (counted from the end: 4 host, 3 x-amz-date, 2 x-amz-security-token,
  // 1 x-amz-content-sha256, 0 any other name), are the headers the signer adds: the host until
  // the request gives one, then in header mode the date, the token when it is signed and the
  // content hash when asked for (never in query mode). The caller's headers of those names are
  // dropped, and in header mode the caller's x-amz-security-token whenever there is a token
  // (`token_bit`). Bit 0 stays clear.
  unsigned signer = 0x10u | (header_mode ? 0x8u : 0u) | (header_mode && p.token_signed ? 0x4u : 0u) |
                    (p.add_content_sha256 ? 0x2u : 0u);
  const unsigned token_bit = header_mode && !p.session_token.empty() ? 0x4u : 0u;
  p.header_count = 0;
  char* names = p.names + names_used;
  std::size_t names_left = SIGV4KIT_MAX_HEADER_NAME_BYTES - names_used;
  for (const header& h : req.headers) {
    const std::size_t n = h.name.size();
#ifndef SIGV4KIT_NO_ERROR_MESSAGES
    if (n == 0) return error(error_kind::invalid_header, SIGV4KIT_TEXT("header name is empty"));
#endif  // (else is_token below rejects it, with the same kind)
    if (!is_token(h.name))
      return error(error_kind::invalid_header, SIGV4KIT_TEXT("header name has a character not allowed in an HTTP token"), h.name);
    bool plain;
    if (status s = check_header_value(h, plain); !s) return s;
    if (h.value.size() > 0xffffffffu)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("header value is longer than 4 GiB"), h.name);
    // The lists are searched ignoring case (find_name): the name as given serves them. It is
    // lower-cased, by a plain copy, once it is known to be signed.
    const std::size_t role = signer_name_index(h.name, false);
    if (role == 4) {
      if (!(signer & 0x10u)) return error(error_kind::invalid_header, SIGV4KIT_TEXT("request has more than one Host header"));
      signer &= ~0x10u;
      p.host = h.value;
    } else if (((signer | token_bit) >> role & 1) || is_listed(sp.default_unsigned, h.name) || is_listed(sp.unsigned_headers, h.name)) {
      continue;
    }
    if (n > names_left)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("signed header names exceed SIGV4KIT_MAX_HEADER_NAME_BYTES"));
    if (p.header_count == SIGV4KIT_MAX_HEADERS)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("request has more signed headers than SIGV4KIT_MAX_HEADERS"));
    lower_copy(names, h.name.data(), n);
    p.add_header(names, n, h.value);
    names += n;
    names_left -= n;
  }
  // The signer's headers, by one call in a loop. Each name is there once, so the order they
  // are added in does not matter once sorted.
  static constexpr unsigned short signer_header_values[] = {
      offsetof(prepared_request, host), offsetof(prepared_request, amz_date), offsetof(prepared_request, session_token),
      offsetof(prepared_request, payload_hash)};  // by signer_name_index
  for (std::size_t k = 0; k < 4; ++k, signer <<= 1)
    if (signer & 0x10u)
      p.add_header(signer_header_names[k].data(), signer_header_names[k].size(),
                   *reinterpret_cast<const std::string_view*>(reinterpret_cast<const char*>(&p) + signer_header_values[k]));
#endif
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  sort_entries(p.headers, p.header_count, sizeof(header_entry), compare_names);
#else
  p.header_order[0] = 0;  // there is always a host header
  for (std::size_t i = 1; i < p.header_count; ++i) {
    const header_entry& x = p.headers[i];
    std::size_t j = i;
    for (; j > 0 && compare_names(x, p.headers[p.header_order[j - 1]]) < 0; --j)
      p.header_order[j] = p.header_order[j - 1];
    p.header_order[j] = static_cast<unsigned short>(i);
  }
#endif
  // Each header learns whether it repeats the name before it, and the SignedHeaders list's
  // size is known.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  std::size_t list = p.headers[p.header_order[0]].name_len;
  for (std::size_t i = 1; i < p.header_count; ++i) {
    header_entry& h = p.headers[p.header_order[i]];
    h.repeat = compare_names(h, p.header_at(i - 1)) == 0;
    if (!h.repeat) list += 1 + h.name_len;
  }
#else
  // (The sort marked the repeats: see compare_names. The first header never repeats: its
  // `repeat` is the false add_header stored, or the false of its last comparison.)
  std::size_t list = std::size_t(0) - 1;
  for (const header_entry* h = p.headers; h < p.headers + p.header_count; ++h)
    if (!h->repeat) list += 1 + h->name_len;
#endif
  p.signed_list_size = list;
  return {};
}

/// Header value as signed: leading and trailing whitespace removed, each inner run of
/// whitespace (spaces, tabs and line folds) written as one space.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
inline void emit_header_value(sink& s, std::string_view v, bool plain) noexcept {
  if (plain) {
    s.put(v);
    return;
  }
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t b = 0, e = v.size();
  while (b < e && ws(v[b])) ++b;
  while (e > b && ws(v[e - 1])) --e;
  std::size_t run = b;
  for (std::size_t i = b; i < e; ++i) {
    if (ws(v[i])) {
      s.put(sub(v, run, i - run));
      s.put(' ');
      while (i + 1 < e && ws(v[i + 1])) ++i;
      run = i + 1;
    }
  }
  s.put(sub(v, run, e - run));
}
#else
// Size builds: every byte up to ' ' is whitespace here. The values were checked (prepare:
// check_header_value, and the signer's own are URL host, date, hash and token, which have
// no control characters), so the only bytes below ' ' left are tab, and CR and LF in folds.
inline void emit_header_value(sink& s, std::string_view v, bool) noexcept {
  bool space = false, any = false;  // a run of whitespace after text, text so far
  for (char c : v) {
    if (static_cast<unsigned char>(c) <= ' ') {
      space = any;
      continue;
    }
    if (space) s.put(' ');
    space = false;
    any = true;
    s.put(c);
  }
}
#endif

#ifndef SIGV4KIT_OPTIMIZE_SIZE
/// Writes one path byte run: unreserved and '/' as they are; with `keep_escapes` (S3, single
/// encoding) an existing "%XX" stays as sent; every other byte as %XX. A control character
/// (CR, LF, NUL, ...) in the path is an error, found here where each byte is read anyway.
SIGV4KIT_HOT inline status emit_path_bytes(sink& s, std::string_view t, bool keep_escapes) noexcept {
  const char *p = t.data(), *const e = p + t.size(), *run = p;
  for (;; ++p) {
    p += unreserved_run<true>(p, static_cast<std::size_t>(e - p));
    s.put(std::string_view(run, static_cast<std::size_t>(p - run)));
    if (p == e) return {};
    unsigned char c = static_cast<unsigned char>(*p);
    if (!has_class(c, cc_url))
      return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
    if (keep_escapes && is_escape_at(std::string_view(p, static_cast<std::size_t>(e - p)), 0)) {
      run = p;  // the escape is copied with the run after it
      p += 2;
    } else {
      s.put_escape(c);
      run = p + 1;
    }
  }
}

/// The canonical URI. With normalisation, "." segments, ".." segments (with the segment they
/// cancel) and empty segments are dropped, as botocore's remove_dot_segments does, and a
/// trailing '/' is kept. The kept segments are marked in a bitset, so no copy of the path is
/// made: one pass checks and marks, one writes.
SIGV4KIT_HOT inline status emit_canonical_uri(sink& s, std::string_view path, bool normalize, bool double_encode) noexcept {
  if (path.empty() || (path.size() == 1 && path[0] == '/')) {  // (most APIs but S3's: "/")
    s.put('/');
    return {};
  }
  if (!normalize) return emit_path_bytes(s, path, !double_encode);
  constexpr std::size_t max_segments = SIGV4KIT_MAX_PATH_SEGMENTS;
  unsigned char keep[(max_segments + 7) / 8] = {};
  const char *const e = path.data() + path.size(), *seg = path.data();
  std::size_t count = 0;  // segments before seg
  for (const char* p = seg;; ++p) {
    if (p != e && *p != '/') {
      if (!has_class(static_cast<unsigned char>(*p), cc_url))
        return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
      continue;
    }
    // Segment [seg, p): a ".." drops the nearest kept segment before it (a stack, as
    // remove_dot_segments), "" and "." are dropped, any other is kept.
    std::size_t n = static_cast<std::size_t>(p - seg);
    if (count < max_segments) {
      if (n == 2 && seg[0] == '.' && seg[1] == '.') {
        for (std::size_t k = count; k-- > 0;)
          if (keep[k / 8] & (1u << (k % 8))) {
            keep[k / 8] = static_cast<unsigned char>(keep[k / 8] & ~(1u << (k % 8)));
            break;
          }
      } else if (n > 1 || (n == 1 && *seg != '.')) {
        keep[count / 8] = static_cast<unsigned char>(keep[count / 8] | (1u << (count % 8)));
      }
    }
    ++count;  // past the capacity, still counted (and the rest checked for control characters)
    if (p == e) break;
    seg = p + 1;
  }
  if (count > max_segments)
    return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("URL path has more segments than SIGV4KIT_MAX_PATH_SEGMENTS"));
  bool any = false;
  seg = path.data();
  for (std::size_t i = 0; i < count; ++i) {
    const char* end = seg;  // (segments are short: no library call)
    while (end != e && *end != '/') ++end;
    if (keep[i / 8] & (1u << (i % 8))) {
      s.put('/');
      // Cannot fail: every byte was checked above.
      (void)emit_path_bytes(s, std::string_view(seg, static_cast<std::size_t>(end - seg)), !double_encode);
      any = true;
    }
    seg = end + (end != e);
  }
  if (!any || e[-1] == '/') s.put('/');  // "/" alone, or the kept trailing slash
  return {};
}

#else
/// Size builds: the path is checked for control characters once, up front, then written a
/// byte at a time (unreserved and '/' as they are, with `keep_escapes` an existing "%XX" as
/// sent, every other byte as %XX: param_reader's encoding), with the same normalisation as
/// above, found without marks (see below).
SIGV4KIT_NOINLINE inline void emit_path_bytes(sink& s, const char* p, const char* e, bool keep_escapes) noexcept {
  param_reader r(p, e, keep_escapes ? param_reader::path | param_reader::keep_escapes : param_reader::path);
  for (int c; (c = r.next()) >= 0;) s.put(static_cast<char>(c));
}

/// The end of the path segment that starts at `b`, with its weight for remove_dot_segments
/// (below) added to `sum`: ".." +1, "" and "." 0, any other -1, and -1 for the empty last
/// segment, which is kept (as the trailing '/').
inline const char* path_segment(const char* b, const char* e, int& sum) noexcept {
  const char* end = b;
  std::size_t dots = 0;
  for (; end != e && *end != '/'; ++end) dots += *end == '.';
  const std::size_t n = static_cast<std::size_t>(end - b);
  if (dots != n || n > 2 || b == e) --sum;  // not "", "." or "..", or the empty last one
  else if (n == 2) ++sum;
  return end;
}

SIGV4KIT_ALWAYS_INLINE status emit_canonical_uri(sink& s, std::string_view path, bool normalize, bool double_encode) noexcept {
  const char *const b = path.data(), *const e = b + path.size();
  if (!all_of_class(b, path.size(), cc_url))
    return error(error_kind::invalid_url, SIGV4KIT_TEXT("URL contains a control character (CR, LF, NUL, ...)"));
  bool any;  // a byte written: else the URI is "/"
  if (!normalize) {
    emit_path_bytes(s, b, e, !double_encode);
    any = b != e;
  } else {
    std::size_t count = 1;  // segments: one more than the slashes
    for (const char* p = b; p != e; ++p) count += *p == '/';
    if (count > SIGV4KIT_MAX_PATH_SEGMENTS)
      return error(error_kind::capacity_exceeded, SIGV4KIT_TEXT("URL path has more segments than SIGV4KIT_MAX_PATH_SEGMENTS"));
    // remove_dot_segments without a stack: a segment is kept when no ".." after it cancels
    // it, that is when it weighs -1 (not "", "." or "..") and no run of the segments after it
    // weighs more than 0: when every run of segments that starts with it weighs less than 0.
    // An empty last segment (a trailing '/') weighs -1 too: it is kept, written as "/", and
    // lowers no run that decides whether a segment before it is kept.
    any = false;
    for (const char* seg = b;; seg++) {
      int sum = 0;
      const char* end = path_segment(seg, e, sum);
      for (const char* t = end; t != e && sum < 0;) t = path_segment(t + 1, e, sum);
      if (sum < 0) {
        s.put('/');
        emit_path_bytes(s, seg, end, !double_encode);
        any = true;
      }
      if (end == e) break;
      seg = end;
    }
  }
  if (!any) s.put('/');  // "" as sent, or every segment dropped
  return {};
}
#endif

/// Writes a query key or value in canonical encoding (see encoded_reader), copying runs of
/// unreserved bytes whole.
SIGV4KIT_HOT inline void emit_query_text(sink& s, std::string_view t, bool canonical) noexcept {
  if (canonical) {
    s.put(t);
    return;
  }
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  encoded_reader r(t);  // the same encoding, a byte at a time
  for (int c; (c = r.next()) >= 0;) s.put(static_cast<char>(c));
#else
  const unsigned char* b = reinterpret_cast<const unsigned char*>(t.data());
  std::size_t run = 0, n = t.size();
  for (std::size_t i = 0; i < n; ++i) {
    i += unreserved_run(t.data() + i, n - i);
    if (i == n) break;
    unsigned char c = b[i];
    s.put(sub(t, run, i - run));
    if (c == '%' && i + 2 < n && hex_value(b[i + 1]) >= 0 && hex_value(b[i + 2]) >= 0) {
      c = static_cast<unsigned char>(hex_value(b[i + 1]) * 16 + hex_value(b[i + 2]));
      i += 2;
    }
    if (is_unreserved(c)) s.put(static_cast<char>(c));
    else s.put_escape(c);
    run = i + 1;
  }
  s.put(sub(t, run));
#endif
}

#ifdef SIGV4KIT_OPTIMIZE_SIZE
/// One parameter's "key=value" in canonical encoding (see param_reader).
inline void emit_param(sink& s, const query_param& q) noexcept {
  param_reader r(q);
  for (int c; (c = r.next()) >= 0;) s.put(c ? static_cast<char>(c) : '=');
}
#endif

/// The canonical query: the URL's parameters (sorted by prepare) merged with, in query mode,
/// the signing parameters, which have fixed keys listed here in their sorted order (a URL
/// that already has one of these keys is rejected, so keys never tie).
SIGV4KIT_HOT inline void emit_canonical_query(sink& s, const prepared_request& p) noexcept {
#ifdef SIGV4KIT_NO_PRESIGN
  // Header mode only: the URL's parameters alone (GCC does not see that the merge below
  // never takes a signing parameter when there are none, and keeps all of it).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  for (std::size_t i = 0; i < p.param_count; ++i) {
    const query_param& q = p.param_at(i);
    if (i) s.put('&');
    constexpr unsigned as_sent = query_param::key_canonical | query_param::value_canonical | query_param::has_equals;
    if ((q.flags & as_sent) == as_sent) {  // "key=value" as sent (see query_param)
      s.put(std::string_view(q.key_ptr, std::size_t(q.key_len) + 1 + q.value_len));
      continue;
    }
    emit_query_text(s, q.key(), q.flags & query_param::key_canonical);
    s.put('=');
    emit_query_text(s, q.value(), q.flags & query_param::value_canonical);
  }
#else
  for (const query_param* q = p.params; q != p.params + p.param_count; ++q) {  // (sorted in place)
    if (q != p.params) s.put('&');
    emit_param(s, *q);
  }
#endif
#else
  // With the '=' after each key, written with it; compared without it.
  static constexpr view keys[] = {"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Date=", "X-Amz-Expires=",
                                  "X-Amz-Security-Token=", "X-Amz-SignedHeaders="};
  constexpr std::size_t token = 4;  // keys[token] is there only when the token is signed
  const view values[] = {algorithm, p.credential_encoded, p.amz_date, p.expires(),
                         p.token_encoded, p.signed_headers_encoded};
  const std::size_t na = p.presign() ? 6 : 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < p.param_count || j < na;) {
    if (j == token && !p.token_signed) {
      ++j;
      continue;
    }
    if (i || j) s.put('&');
    if (i < p.param_count) {
      const query_param& q = p.param_at(i);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
      bool key_canonical = q.flags & query_param::key_canonical;
#else
      constexpr bool key_canonical = false;  // (size builds do not mark canonical keys: see prepare)
#endif
      if (j == na || compare_encoded(q.key(), key_canonical, std::string_view(keys[j].ptr, keys[j].len - 1), true) < 0) {
#ifndef SIGV4KIT_OPTIMIZE_SIZE
        constexpr unsigned as_sent = query_param::key_canonical | query_param::value_canonical | query_param::has_equals;
        if ((q.flags & as_sent) == as_sent) {  // (most parameters)
          s.put(std::string_view(q.key_ptr, std::size_t(q.key_len) + 1 + q.value_len));
        } else {
          emit_query_text(s, q.key(), key_canonical);
          s.put('=');
          emit_query_text(s, q.value(), q.flags & query_param::value_canonical);
        }
#else
        emit_param(s, q);
#endif
        ++i;
        continue;
      }
    }
    s.put(keys[j]);
    s.put(values[j]);
    ++j;
  }
#endif
}

/// Header-only size builds write the output up to the signature before anything is hashed
/// (see basic_signer::sign), and the canonical request and the string to sign copy two of its
/// pieces from it: the SignedHeaders list and the credential scope. One piece of code then
/// writes each of them, not three.
#if defined(SIGV4KIT_OPTIMIZE_SIZE) && defined(SIGV4KIT_NO_PRESIGN)
#define SIGV4KIT_DETAIL_OUTPUT_FIRST 1
#endif

/// Where the output is being written: write_output_start fills everything before the
/// signature, write_output_finish appends it.
struct output_cursor {
  char* start;  ///< the Authorization value or the URL
  char* pos;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
  const char* scope;        ///< the credential scope in the Authorization value
  const char* signed_list;  ///< the SignedHeaders value in it (p.signed_list_size bytes)
#endif
};

/// Streams the canonical request into `s` (the caller then finishes the sink).
#ifndef SIGV4KIT_DETAIL_OUTPUT_FIRST
SIGV4KIT_HOT SIGV4KIT_SIZE_INLINE status emit_canonical_request(sink& s, const prepared_request& p) noexcept {
#else
SIGV4KIT_SIZE_INLINE status emit_canonical_request(sink& s, const prepared_request& p, const output_cursor& c) noexcept {
#endif
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  s.put(p.method);
  s.put('\n');
#else
  s.put_line(p.method.data(), p.method.size());
#endif
  if (status st = emit_canonical_uri(s, p.url.path, p.normalize_path, p.double_encode); !st) return st;
  s.put('\n');
  emit_canonical_query(s, p);
  s.pump();
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  s.put('\n');
  for (std::size_t i = 0; i < p.header_count; ++i) {
    const header_entry& h = p.header_at(i);
    if (h.repeat) {  // the same name as the header before: its value joins that line
      s.put(',');
    } else {
      if (i) s.put('\n');
      s.put(h.name());
      s.put(':');
    }
    emit_header_value(s, h.value(), h.plain);
    s.pump();
  }
#else
  // Size builds: each header starts with its separator, the query's line end for the first
  // (there is always a host header, and the first never repeats a name).
  const header_entry* const end = p.headers + p.header_count;  // (read once: the calls may change it, says GCC)
  for (const header_entry* h = p.headers; h != end; ++h) {
    s.put(h->repeat ? ',' : '\n');  // a repeated name's value joins the line before
    if (!h->repeat) {
      s.put(h->name());
      s.put(':');
    }
    emit_header_value(s, h->value(), h->plain);
  }
#endif
  s.put(std::string_view("\n\n", 2));
#ifndef SIGV4KIT_DETAIL_OUTPUT_FIRST
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  if (char* const list = p.signed_list_out) {  // the list written into the output, then hashed from it
    char* o = list;
    for (std::size_t i = 0; i < p.header_count; ++i) {
      const header_entry& h = p.header_at(i);
      if (h.repeat) continue;
      if (i) *o++ = ';';
      copy_bytes(o, h.name_ptr, h.name_len);
      o += h.name_len;
    }
    s.put(std::string_view(list, p.signed_list_size));
  } else
#endif
  {
    for (std::size_t i = 0; i < p.header_count; ++i) {  // the signed header list
      const header_entry& h = p.header_at(i);
      if (h.repeat) continue;
      if (i) s.put(';');
      s.put(h.name());
    }
  }
  s.pump();
  s.put('\n');
#else
  s.put_line(c.signed_list, p.signed_list_size);  // the list as the output has it
#endif
  s.put(p.payload_hash);
  return {};
}

/// Streams the string to sign (AWS4-HMAC-SHA256, time, scope, hex hash of the canonical
/// request, one per line) but its last line, the hash, into `put(const char*, std::size_t)`:
/// all of it is known before the canonical request is hashed.
inline constexpr std::size_t string_to_sign_capacity =
    17 + 16 + 1 + 8 + 1 + 2 * SIGV4KIT_MAX_SCOPE_PART + 2 + 12 + 1 + 64;
template <class Put>
SIGV4KIT_ALWAYS_INLINE void put_string_to_sign_prefix(const prepared_request& p, Put&& put) noexcept {
  // Inlined (each build has one caller): the pieces' lengths are then mostly constants.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  put("AWS4-HMAC-SHA256\n", 17);
#else
  put(aws4_text, 16);
  put("\n", 1);
#endif
  put(p.amz_date.data(), 16);  // prepare checked it: YYYYMMDDTHHMMSSZ
  put("\n", 1);
  p.put_scope([&put](std::string_view piece) { put(piece.data(), piece.size()); });
  put("\n", 1);
}

#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
/// Header-only size builds: the whole string to sign into `s`, its scope copied from the
/// output's credential (see output_cursor) and `hex` the canonical request's hash.
SIGV4KIT_ALWAYS_INLINE void put_string_to_sign(sink& s, const prepared_request& p, const output_cursor& c,
                                               const char* hex) noexcept {
  s.put_line(aws4_text, 16);
  s.put_line(p.amz_date.data(), 16);  // prepare checked it: YYYYMMDDTHHMMSSZ
  s.put_line(c.scope, static_cast<std::size_t>(c.signed_list - 16 - c.scope));  // (", SignedHeaders=" follows it)
  s.put(hex, 64);
}
#endif

/// Writes `s` with every byte but the unreserved ones as %XX (upper-case hex) at `o`, which
/// has room for 3 bytes per byte; returns the end.
inline char* write_encoded(char* o, std::string_view s) noexcept {
  for (char ch : s) {
    unsigned char u = static_cast<unsigned char>(ch);
    *o = ch;
    if (is_unreserved(u)) {
      ++o;
    } else {
      o[0] = '%';
      o[1] = hex_upper[u >> 4];
      o[2] = hex_upper[u & 15];
      o += 3;
    }
  }
  return o;
}

/// Appends a header for the caller to send (room for it is in signed_request). Out of line
/// when optimising size, so each of the four appends is a call; the name as pointer and
/// length keeps the arguments in registers on 32-bit ARM.
SIGV4KIT_SIZE_NOINLINE inline void add_output_header(signed_request& r, const char* name, std::size_t name_len,
                                                     const std::string_view& value) noexcept {
  r.headers[r.header_count++] = header{std::string_view(name, name_len), value};
}

/// Appends to the caller's output buffer (its size was checked beforehand). One out-of-line
/// copy and one encoder when optimising size, so each piece costs a call, not inlined code.
/// (Size builds: the copy is append_text, and every put is inlined, so the writer's position
/// stays in a register from one call to the next instead of in a text_out in memory.)
#ifdef SIGV4KIT_OPTIMIZE_SIZE
/// Size builds: [s, s + n) copied to `o`; returns the end. The position goes in and out in a
/// register, so a writer's calls pass it on without storing it (text_out below).
SIGV4KIT_NOINLINE inline char* append_text(char* o, const char* s, std::size_t n) noexcept {
  copy_bytes(o, s, n);
  return o + n;
}
#endif
struct text_out {
  char* o;

#ifndef SIGV4KIT_OPTIMIZE_SIZE
  SIGV4KIT_SIZE_NOINLINE void put(const char* s, std::size_t n) noexcept {
    copy_bytes(o, s, n);
    o += n;
  }
#else
  SIGV4KIT_ALWAYS_INLINE void put(const char* s, std::size_t n) noexcept { o = append_text(o, s, n); }
#endif
  SIGV4KIT_SIZE_INLINE void put(std::string_view s) noexcept { put(s.data(), s.size()); }
  template <std::size_t N>
  SIGV4KIT_SIZE_INLINE void put(const char (&literal)[N]) noexcept {
    put(literal, N - 1);
  }
  /// With `encoded` (query mode only), every byte but the unreserved ones as %XX (see
  /// write_encoded).
  SIGV4KIT_SIZE_NOINLINE void put(std::string_view s, bool encoded) noexcept {
    if (presign_enabled && encoded) o = write_encoded(o, s);
    else put(s);
  }
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
  /// Header-only size builds: "<access key id>/<scope>", and where the scope starts into
  /// `scope`. The parts from the key cache's layout of them (the secret skipped), "/" before
  /// each but the first.
  void put_credential(const prepared_request& p, const char*& scope) noexcept {
    put(p.access_key_id());
    scope = o + 1;
    for (std::size_t i = prepared_request::kp_date; i < std::size(p.key_parts); ++i) {
      *o++ = '/';  // (a store, not a copy call)
      put(p.key_parts[i]);
    }
  }
#else
  /// "<access key id>/<scope>", encoded or not.
  void put_credential(const prepared_request& p, bool encoded) noexcept {
    if constexpr (!presign_enabled) {  // header mode only: never encoded
      (void)encoded;
      put(p.access_key_id());
      put("/");
      p.put_scope([this](std::string_view piece) { put(piece); });
    } else {
      put(p.access_key_id(), encoded);
      put(std::string_view("/", 1), encoded);
      p.put_scope([this, encoded](std::string_view piece) { put(piece, encoded); });
    }
  }
#endif
  /// The SignedHeaders value: each signed name once, in order, `separator` between them.
  void put_signed_headers(const prepared_request& p, std::string_view separator) noexcept {
    for (std::size_t i = 0; i < p.header_count; ++i) {
      const header_entry& h = p.header_at(i);
      if (h.repeat) continue;
      if (i) put(separator);
      put(h.name());
    }
  }
  /// The view of what was written since `begin`.
  std::string_view since(const char* begin) const noexcept {
    return std::string_view(begin, static_cast<std::size_t>(o - begin));
  }
};

/// Whether the caller's buffer, `cap` bytes, has room for the output (an upper bound: see
/// output_capacity); the error says how much is needed. Checked before anything is written.
SIGV4KIT_SIZE_INLINE status check_output_room(const prepared_request& p, std::size_t cap) noexcept {
  std::size_t shl = p.signed_list_size;
  std::size_t need;
  if (!p.presign()) {
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    need = p.host.size() + 16 + (p.add_content_sha256 ? p.payload_hash.size() : 0) + algorithm.size() + 12 +
           p.credential_size() + 16 + shl + 12 + 64;
#else  // (the same, the scope's date 8 bytes: prepare made it so)
    need = p.host.size() + 16 + (p.add_content_sha256 ? p.payload_hash.size() : 0) + algorithm.size() + 12 +
           p.access_key_id().size() + 1 + 8 + 1 + p.region().size() + 1 + p.service().size() + 13 + 16 + shl + 12 + 64;
#endif
  } else {
    // URL + '?'/'&' + each parameter, encoded (at most 3 bytes per byte of credential,
    // signed-header list and token).
    need = p.host.size() + p.url.before_query.size() + 1 + p.url.query.size() + 1 + 16 + algorithm.size() + 18 +
           3 * p.credential_size() + 12 + 16 + 15 + 8 + 21 + 3 * shl + 17 + 64 + 22 + 3 * p.session_token.size();
  }
  if (need > cap) {
    char num[24];
    std::size_t n = 0;
    for (std::size_t v = need; v; v /= 10) num[n++] = static_cast<char>('0' + v % 10);
    char txt[24];
    for (std::size_t i = 0; i < n; ++i) txt[i] = num[n - 1 - i];
    return error(error_kind::buffer_too_small, SIGV4KIT_TEXT("output buffer too small; bytes needed at most"),
                 std::string_view(txt, n));
  }
  return {};
}

/// Writes the output up to the signature into the caller's buffer (its room checked by
/// check_output_room): in header mode the Host, X-Amz-Date, content hash and the
/// Authorization value up to "Signature="; in query mode the presigned URL up to
/// "X-Amz-Signature=". In query mode the encoded X-Amz-Credential, X-Amz-SignedHeaders and
/// X-Amz-Security-Token written here are also the canonical query's values (their views are
/// kept in `p`), so each is encoded once. `r` is freshly constructed (empty views, no headers).
///
/// In three steps, one per call, so that a speed build's header-mode signer can run each
/// between two compressions of its last hashes (see detail::sha256_compress_final): nothing
/// written here depends on a hash, and a compression is one long dependency chain that
/// leaves the core's other units idle. finish() runs the steps not yet run.
/// Header mode: the Authorization value's text before the credential, and before the list.
inline constexpr std::string_view authorization_prefix = "AWS4-HMAC-SHA256 Credential=";
inline constexpr std::string_view signed_headers_label = ", SignedHeaders=";

struct output_writer {
  prepared_request& p;
  signed_request& r;
  output_cursor& c;
  char* out;
  char* o = out;  // where the next step writes (not a text_out member: with the writer's
                  // address never taken, size builds keep its fields in registers)
  int next = 0;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  /// Header mode, when set: the credential scope as the string to sign holds it, copied whole
  /// instead of written piece by piece (the signer sets it before the steps run).
  const char* scope_text = nullptr;
#endif

  /// The next step.
  SIGV4KIT_HOT void operator()() noexcept {
    text_out w{o};
    switch (next++) {
      case 0: step0(w); break;
      case 1: step1(w); break;
      case 2: step2(w); break;
      default: break;
    }
    o = w.o;
  }
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  /// Header mode, before any step: sets p.signed_list_out to where step2 leaves the
  /// SignedHeaders value (after the Host, X-Amz-Date, the content hash and the Authorization
  /// value up to the list, as the steps write them).
  void place_signed_list() noexcept {
    p.signed_list_out = out + p.host.size() + 16 + (p.add_content_sha256 ? p.payload_hash.size() : 0) +
                        authorization_prefix.size() + p.credential_size() + signed_headers_label.size();
  }
#endif
  /// All the steps, in a row (none has run).
  SIGV4KIT_ALWAYS_INLINE void all() noexcept {
    text_out w{o};
    step0(w);
    step1(w);
    step2(w);
  }
  /// The steps not yet run, in a row.
  void finish() noexcept {
    while (next < 3) (*this)();
  }

 private:
  // The Host and, in header mode, the headers the signer adds.
  SIGV4KIT_SIZE_INLINE void step0(text_out& w) noexcept {
    w.put(p.host);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    r.host = w.since(out);
#else
    r.host = std::string_view(out, p.host.size());  // (no position read back)
#endif
    if (!p.presign()) {
      char* begin = w.o;
      w.put(p.amz_date);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
      r.amz_date = w.since(begin);
#else
      r.amz_date = std::string_view(begin, 16);
#endif
      add_output_header(r, "X-Amz-Date", 10, r.amz_date);
      if (p.add_content_sha256) {
        begin = w.o;
        w.put(p.payload_hash);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
        add_output_header(r, "x-amz-content-sha256", 20, w.since(begin));
#else
        add_output_header(r, name_x_amz_content_sha256, 20, w.since(begin));  // (the signed name's bytes)
#endif
      }
      if (!p.session_token.empty()) add_output_header(r, "X-Amz-Security-Token", 20, p.session_token);
    }
  }
  // The Authorization value, or the URL as given and then the signing parameters, canonically
  // encoded, up to the credential (and in query mode the date and expiry). The two modes
  // share the credential and the signed header list (one copy of each).
  SIGV4KIT_SIZE_INLINE void step1(text_out& w) noexcept {
    const bool header_mode = !p.presign();
    c.start = w.o;
    if (!header_mode) {
      w.put(p.url.before_query);
      w.put("?");
      if (!p.url.query.empty()) {
        w.put(p.url.query);
        if (p.url.query.back() != '&') w.put("&");
      }
    }
#if defined(SIGV4KIT_OPTIMIZE_SIZE) && defined(SIGV4KIT_NO_PRESIGN)
    w.put(std::string_view(aws4_text, 16));
    w.put(view(" Credential="));
#else
    w.put(header_mode ? view(authorization_prefix) : view("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="));
#endif
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
    w.put_credential(p, c.scope);
    char* begin;
#else
    char* begin = w.o;
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    if (header_mode && scope_text) {
      w.put(p.access_key_id());
      *w.o++ = '/';
      w.put(scope_text, p.credential_size() - p.access_key_id().size() - 1);
    } else
#endif
    {
      w.put_credential(p, !header_mode);
      if (presign_enabled) p.credential_encoded = w.since(begin);  // (read by the canonical query)
    }
#endif
    if (!header_mode) {
      w.put("&X-Amz-Date=");
      begin = w.o;
      w.put(p.amz_date);
      r.amz_date = w.since(begin);
      w.put("&X-Amz-Expires=");
      w.put(p.expires());
    }
  }
  // The signed header list (and in query mode the token), up to the signature.
  SIGV4KIT_SIZE_INLINE void step2(text_out& w) noexcept {
    const bool header_mode = !p.presign();
    w.put(header_mode ? view(signed_headers_label) : view("&X-Amz-SignedHeaders="));
    char* begin = w.o;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
    // Header-only size builds: each signed name once, in order, with a ';' after it (a
    // store, no test for the first); the last ';' is then overwritten by ", Signature=".
    c.signed_list = begin;
    const header_entry* const end = p.headers + p.header_count;  // (read once: the stores may alias it)
    for (const header_entry* h = p.headers; h != end; ++h) {
      if (h->repeat) continue;
      w.put(h->name());
      *w.o++ = ';';
    }
    --w.o;
#else
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    if (header_mode && p.signed_list_out)  // written there with the canonical request's
      w.o += p.signed_list_size;
    else
#endif
      w.put_signed_headers(p, header_mode ? view(";") : view("%3B"));  // ';' is not unreserved
#endif
    if (presign_enabled) p.signed_headers_encoded = w.since(begin);
    if (!header_mode && p.token_signed) {
      w.put("&X-Amz-Security-Token=");
      begin = w.o;
      w.put(p.session_token, true);
      p.token_encoded = w.since(begin);
    }
    w.put(header_mode ? view(", Signature=") : view("&X-Amz-Signature="));
    c.pos = w.o;
  }
};

/// check_output_room, then all of output_writer's steps.
SIGV4KIT_SIZE_INLINE status write_output_start(prepared_request& p, char* out, std::size_t cap, signed_request& r,
                                               output_cursor& c) noexcept {
  status s = check_output_room(p, cap);
  if (s) output_writer{p, r, c, out}.all();
  return s;
}

/// Appends the signature as hex (and, in query mode, a token added after signing) and points
/// `r` at the finished output.
inline void write_output_finish(const prepared_request& p, const unsigned char signature[32], output_cursor c,
                                signed_request& r) noexcept {
  to_hex(signature, 32, c.pos);
  r.signature = std::string_view(c.pos, 64);
  char* o = c.pos + 64;
  if (!p.presign()) {
    r.authorization = std::string_view(c.start, static_cast<std::size_t>(o - c.start));
    add_output_header(r, "Authorization", 13, r.authorization);
    return;
  }
  if (!p.token_signed && !p.session_token.empty()) {  // added after signing
    std::memcpy(o, "&X-Amz-Security-Token=", 22);
    o = write_encoded(o + 22, p.session_token);
  }
  r.url = std::string_view(c.start, static_cast<std::size_t>(o - c.start));
}

}  // namespace detail

/// An output-buffer size that is always enough for signing `req` with `params` (a cheap upper
/// bound, not the exact size): header mode needs room for the Authorization value, query mode
/// for the whole presigned URL with its encoded parameters.
inline std::size_t output_capacity(const request& req, const signing_params& params) noexcept {
  std::size_t names = 64;  // host;x-amz-content-sha256;x-amz-date;x-amz-security-token
  std::size_t host = req.url.size();
  for (const header& h : req.headers) {
    names += h.name.size() + 1;
    if (h.value.size() > host) host = h.value.size();
  }
  std::size_t credential = params.credentials.access_key_id.size() + params.region.size() +
                           params.service.size() + 32;
  std::size_t fixed = 512;  // parameter names, date, expires, algorithm, signature, separators
  if (params.mode == signing_mode::header) return host + credential + names + 64 + fixed;
  return host + req.url.size() + 3 * credential + 3 * names + 3 * params.credentials.session_token.size() + fixed;
}

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_CANONICAL_HPP
// ---- end sigv4kit/sigv4/canonical.hpp ----
// ---- begin sigv4kit/sigv4/key_cache.hpp ----
// sigv4kit/sigv4/key_cache.hpp - SigV4 signing-key derivation and a bounded cache of the
// derived keys as processed HMAC key contexts.
#ifndef SIGV4KIT_SIGV4_KEY_CACHE_HPP
#define SIGV4KIT_SIGV4_KEY_CACHE_HPP


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
// ---- end sigv4kit/sigv4/key_cache.hpp ----
// ---- begin sigv4kit/sigv4/signer.hpp ----
// sigv4kit/sigv4/signer.hpp - AWS Signature Version 4: header signing and presigned URLs.
#ifndef SIGV4KIT_SIGV4_SIGNER_HPP
#define SIGV4KIT_SIGV4_SIGNER_HPP


#include <cstddef>
#include <string_view>

SIGV4KIT_BEGIN_NAMESPACE

/// Signs requests with SigV4. The time is always the caller's (`signing_params::timestamp`):
/// the signer has no clock. Derived signing keys are cached (SIGV4KIT_KEY_CACHE_SIZE entries),
/// so a warm signature hashes the canonical request and runs one HMAC from a stored midstate.
///
/// Thread-safety: `sign` may be called concurrently on one signer when `Lock` is a real lock
/// (the default unless SIGV4KIT_NO_THREADS); with `null_lock`, use one signer per thread.
/// Heap: none. Exceptions: none.
template <class Crypto = default_crypto, class Lock = default_lock>
class basic_signer {
 public:
  using crypto = Crypto;
  using key_cache = signing_key_cache<Crypto, Lock>;

  basic_signer() noexcept = default;
  basic_signer(const basic_signer&) = delete;
  basic_signer& operator=(const basic_signer&) = delete;

  /// Signs `req` as `params` say and writes the result (Authorization header value, or the
  /// presigned URL) into `out[0..capacity)`. The returned views point into `out` and into
  /// `params.credentials.session_token`. `output_capacity(req, params)` bytes are always
  /// enough (for typical requests 1-2 KiB); a smaller buffer that cannot hold the result gives
  /// error_kind::buffer_too_small and writes nothing. After any other error the buffer's
  /// contents are unspecified (part of the output may have been written before the error was
  /// found: the output is written alongside the hashing).
  SIGV4KIT_HOT result<signed_request> sign(const request& req, const signing_params& params, char* out,
                              std::size_t capacity) const noexcept {
    // One named result, returned on every path, filled in place (no copy of the value).
    result<signed_request> res(detail::in_place);
    signed_request& r = *res;
    detail::prepared_request p;
    if (status s = detail::prepare(req, params, p); !s) {
      res.fail(s.err());
      return res;
    }
#ifndef SIGV4KIT_OPTIMIZE_SIZE  // (size builds: the body is hashed below, in the canonical request's context)
    if (req.payload_hash.empty()) {
      unsigned char digest[32];
      sha256<Crypto>::hash(req.body.data(), req.body.size(), digest);
      detail::to_hex(digest, 32, p.payload_hash_hex);
    }
#endif

#ifdef SIGV4KIT_OPTIMIZE_SIZE
    detail::output_cursor cursor{};  // (zeroed: GCC cannot tell that the inlined writer sets it)
#else
    // The output's room is checked before anything is written. Query mode writes the output
    // up to the signature first: it holds the encoded parameter values that the canonical
    // query then reuses. Header mode writes it while the last hashes run (the writer's steps
    // go between their compressions: see detail::output_writer).
    const bool header_mode = !p.presign();
    detail::output_cursor cursor;
    if (status st = detail::check_output_room(p, capacity); !st) {
      res.fail(st.err());
      return res;
    }
    detail::output_writer writer{p, r, cursor, out};
    if (!header_mode) writer.finish();
    else writer.place_signed_list();  // (the canonical request writes the list there)
#endif

    // Signature = hex(HMAC(kSigning, string to sign)), kSigning from the cache.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    // Everything of the string to sign before the canonical request's hash is known now: it
    // goes into the HMAC here, so only the hash line is left once the canonical request is
    // hashed. Its first block's state usually comes from the cache (see get_started).
    char sts[detail::string_to_sign_capacity];
    std::size_t prefix = 0;
    detail::put_string_to_sign_prefix(p, [&](const char* d, std::size_t n) {
      detail::copy_bytes(sts + prefix, d, n);
      prefix += n;
    });
    writer.scope_text = sts + 17 + 17;  // after "AWS4-HMAC-SHA256\n" and the time's line
    // The canonical request's sink and its hash, here (not where the canonical request is
    // written below) so that a key derived in get_started can hash the request alongside
    // (see canonical_rider): the sink's buffer then holds its bytes meanwhile.
    hash_target target(params, writer);
    detail::sink s(&hash_target::write, &target);
    canonical_rider ride(params, s);
    // The scope's characters and the time are checked here, not in prepare: only when the
    // cache has not seen this scope and second signed before (a full hit was checked then).
    // A key derived here, and a new first block, are stored once the signature is done (see
    // signing_key_cache::deferred).
    status early_status;  // check_scope's, or writing the canonical request's for the rider
    bool rejected = false;
    typename key_cache::deferred later;
    hmac_key<Crypto> key = cache_.get_started(
        p.access_key_id(), params.credentials.secret_access_key, p.date(), p.region(), p.service(), sts, prefix,
        nullptr, [&] { return (early_status = detail::check_scope(params)).ok(); }, &rejected, &later,
        [&](detail::sha256_rider*& rider) {
          if constexpr (detail::can_ride<Crypto>::value) {
            s.write = &canonical_rider::write;
            s.ctx = &ride;
            if (!(early_status = detail::emit_canonical_request(s, p)).ok()) return false;
            s.finish();
            rider = ride.lay_out();
          }
          return true;
        });
    if (SIGV4KIT_UNLIKELY(rejected)) {
      res.fail(early_status.err());
      return res;
    }
    char* canonical_hex = sts + prefix;  // the string to sign's last line
#else
    char canonical_hex[64];
#endif

    // Canonical request, streamed into SHA-256 (and into the debug sink when asked) a whole
    // block at a time, hashed in place from the sink's buffer.
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    // One writer and one sink for both hashes: the canonical request's (debug part 0), then
    // the string to sign's (part 1, the key's inner context).
    hash_target target{params, nullptr, 0};
    detail::sink s(&hash_target::write, &target);
    {
      typename Crypto::sha256_context ctx;
      Crypto::init(ctx);
      unsigned char digest[32];
      if (req.payload_hash.empty()) {  // the body first: finish() leaves the context initialised
        Crypto::update(ctx, req.body.data(), req.body.size());
        Crypto::finish(ctx, digest);
        detail::to_hex(digest, 32, p.payload_hash_hex);
      }
      // The output up to the signature, in both modes, before the canonical request (its room
      // checked before anything is written): it holds the payload hash but nothing else
      // that depends on a hash. Query mode's canonical query reuses its encoded parameter
      // values; header-only builds copy its SignedHeaders list and credential scope (see
      // output_cursor).
      if (status st = detail::write_output_start(p, out, capacity, r, cursor); !st) {
        res.fail(st.err());
        return res;
      }
      target.ctx = &ctx;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
      if (status st = detail::emit_canonical_request(s, p, cursor); !st) {
#else
      if (status st = detail::emit_canonical_request(s, p); !st) {
#endif
        res.fail(st.err());
        return res;
      }
      Crypto::finish(ctx, digest);
      detail::to_hex(digest, 32, canonical_hex);
    }
#else
    // A miss has written the canonical request already, before deriving the key, and the
    // derivation hashed most or all of it (see canonical_rider).
    if (detail::can_ride<Crypto>::value && ride.written) {
      ride.finish(canonical_hex);
    } else {
      if (status st = detail::emit_canonical_request(s, p); !st) {
        res.fail(st.err());
        return res;
      }
      s.finish();
      detail::to_hex(target.digest, 32, canonical_hex);
    }
#endif
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    // The key only now, and the string to sign piece by piece: a small stack holds neither
    // a buffer for it nor the key while the canonical request is hashed. The pieces go to the
    // key's inner hash through the same writer (and to the debug sink as part 1).
    hmac_key<Crypto> key;
    cache_.get_laid_out(p.key_parts, key);  // (prepared_request keeps the parts in order)
    {
      target.ctx = &key.inner();
      target.part = 1;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
      detail::put_string_to_sign(s, p, cursor, canonical_hex);
#else
      detail::put_string_to_sign_prefix(p, [&s](const char* d, std::size_t n) { s.put(d, n); });
      s.put(canonical_hex, 64);
#endif
    }
    unsigned char mac[32];
    key.finish_mac(mac);
#else
    if (SIGV4KIT_UNLIKELY(params.debug_sink != nullptr)) params.debug_sink(params.debug_user, 1, sts, prefix + 64);
    unsigned char mac[32];
    key.finish_mac(canonical_hex, 64, mac, writer);
    writer.finish();
#endif
    detail::write_output_finish(p, mac, cursor, r);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    cache_.store(later);
#endif
    return res;
  }

  template <std::size_t N>
  result<signed_request> sign(const request& req, const signing_params& params, char (&out)[N]) const noexcept {
    return sign(req, params, out, N);
  }

  /// The cache of derived keys (e.g. to clear() it when credentials are revoked).
  key_cache& cache() const noexcept { return cache_; }

 private:
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // Size builds: one writer for both hashes of a signature, the canonical request's (debug
  // part 0) and the string to sign's (the signing key's inner context, part 1). The caller
  // finishes the hash (the sink's finish() is not used).
  struct hash_target {
    const signing_params& params;
    typename Crypto::sha256_context* ctx;
    int part;
    static void write(void* self, const char* data, std::size_t n, bool) noexcept {
      hash_target& t = *static_cast<hash_target*>(self);
      if (t.params.debug_sink) t.params.debug_sink(t.params.debug_user, t.part, data, n);
      Crypto::update(*t.ctx, data, n);  // (after the debug copy: fewer registers saved)
    }
  };
#else
  struct hash_target {
    hash_target(const signing_params& p, detail::output_writer& w) noexcept : params(p), writer(w) { Crypto::init(ctx); }
    typename Crypto::sha256_context ctx;
    const signing_params& params;
    detail::output_writer& writer;  // its steps run between the last compressions
    unsigned char digest[32];
    SIGV4KIT_HOT static void write(void* self, const char* data, std::size_t n, bool last) noexcept {
      hash_target& t = *static_cast<hash_target*>(self);
      if (last) detail::sha256_update_finish<Crypto>(t.ctx, data, n, t.digest, t.writer);
      else Crypto::update(t.ctx, data, n);
      if (SIGV4KIT_UNLIKELY(t.params.debug_sink != nullptr) && n) t.params.debug_sink(t.params.debug_user, 0, data, n);
    }
  };

  // A key-cache miss writes the canonical request before the key is derived, and the
  // derivation compresses its blocks alongside its own one-block steps (detail::sha256_rider):
  // s3-get's 5 blocks then add ~30 ns to the derivation instead of ~150 after it (a test
  // program on a Zen 5). The sink's buffer keeps the bytes in place; only the padded tail is
  // laid out here. A canonical request the buffer cannot hold whole (its bytes are reused) is
  // hashed as it comes instead.
  struct canonical_rider {
    canonical_rider(const signing_params& p, const detail::sink& s) noexcept
        : params(p), buf_end(s.buf + sizeof s.buf) {}
    const signing_params& params;
    const char* const buf_end;
    const char* start = nullptr;  // the bytes, in the sink's buffer
    std::size_t n = 0;
    bool written = false;   // the canonical request came this way
    bool streamed = false;  // and was hashed as it came (into ctx, then digest)
    std::size_t whole = 0, blocks = 0;
    typename Crypto::sha256_context ctx;
    unsigned char digest[32];
    detail::sha256_rider rider;
    alignas(16) unsigned char tail[128];

    static void write(void* self, const char* data, std::size_t n, bool last) noexcept {
      canonical_rider& t = *static_cast<canonical_rider*>(self);
      t.written = true;
      if (SIGV4KIT_UNLIKELY(t.params.debug_sink != nullptr) && n) t.params.debug_sink(t.params.debug_user, 0, data, n);
      if (!t.streamed) {
        if (!t.start) t.start = data;
        // Still in place: the next bytes of the buffer, and not the buffer's end unless this
        // is the last write (a full buffer is reused after this call).
        if (data == t.start + t.n && (last || data + n < t.buf_end)) {
          t.n += n;
          return;
        }
        t.streamed = true;
        Crypto::init(t.ctx);
        Crypto::update(t.ctx, t.start, t.n);
      }
      if (last) detail::sha256_update_finish<Crypto>(t.ctx, data, n, t.digest);
      else Crypto::update(t.ctx, data, n);
    }
    const unsigned char* block(std::size_t i) const noexcept {
      return i < whole ? reinterpret_cast<const unsigned char*>(start) + 64 * i : tail + 64 * (i - whole);
    }
    /// The blocks, padded (FIPS 180-4 section 5.1.1), for the derivation; null when hashed.
    detail::sha256_rider* lay_out() noexcept {
      if (streamed) return nullptr;
      whole = n / 64;
      const std::size_t rest = n % 64, ntail = rest + 9 > 64 ? 2 : 1;
      detail::zero_128(tail);
      detail::copy_bytes(reinterpret_cast<char*>(tail), start + 64 * whole, rest);
      tail[rest] = 0x80;
      detail::store_be32(tail + 64 * ntail - 8, static_cast<std::uint32_t>(std::uint64_t(n) * 8 >> 32));
      detail::store_be32(tail + 64 * ntail - 4, static_cast<std::uint32_t>(n * 8));
      blocks = whole + ntail;
      detail::sha256_init_h(rider.h);
      rider.count = static_cast<int>(blocks < detail::sha256_rider::capacity ? blocks : detail::sha256_rider::capacity);
      for (int i = 0; i < rider.count; ++i) rider.block[i] = block(static_cast<std::size_t>(i));
      return &rider;
    }
    /// The blocks the derivation did not compress, and the digest as hex into hex[0..64).
    void finish(char* hex) noexcept {
      if (!streamed) {
        if constexpr (detail::has_compress<Crypto>::value)
          for (std::size_t i = static_cast<std::size_t>(rider.done); i < blocks; ++i) Crypto::compress(rider.h, block(i), 1);
        detail::store_be32x8(digest, rider.h);
      }
      detail::to_hex(digest, 32, hex);
    }
  };
#endif

  mutable key_cache cache_;
};

/// The signer with the default (built-in) crypto backend.
using signer = basic_signer<>;

/// Formats seconds since the Unix epoch as the SigV4 timestamp "YYYYMMDDTHHMMSSZ" into
/// out[0..16) and returns a view of it (no NUL is written).
inline std::string_view format_amz_date(std::int64_t unix_seconds, char (&out)[16]) noexcept {
  detail::format_amz_date(unix_seconds, out);
  return std::string_view(out, 16);
}

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_SIGNER_HPP
// ---- end sigv4kit/sigv4/signer.hpp ----

#endif  // SIGV4KIT_SIGV4KIT_HPP
// ---- end sigv4kit/sigv4kit.hpp ----
