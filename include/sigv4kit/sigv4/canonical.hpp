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

#include <sigv4kit/config.hpp>
#include <sigv4kit/detail/result.hpp>
#include <sigv4kit/detail/scan.hpp>
#include <sigv4kit/detail/text.hpp>
#include <sigv4kit/sigv4/request.hpp>

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
