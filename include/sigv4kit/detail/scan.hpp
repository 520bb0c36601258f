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

#include <sigv4kit/config.hpp>
#include <sigv4kit/detail/text.hpp>

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
