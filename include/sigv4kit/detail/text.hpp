// sigv4kit/detail/text.hpp - character classes, hex, percent-encoding and ISO 8601 basic time.
// Nothing here knows of AWS: these are the byte-level rules the canonical request is made of.
#ifndef SIGV4KIT_DETAIL_TEXT_HPP
#define SIGV4KIT_DETAIL_TEXT_HPP

#include <sigv4kit/config.hpp>

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
