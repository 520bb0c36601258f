// sigv4kit/sigv4/request.hpp - what the signer is given and what it gives back.
//
// Everything here is a view: the signer reads the caller's strings in place and writes its
// output into a caller buffer, so a signature needs no heap. Views must stay valid for the
// duration of the call that takes them; a signed_request's views point into the caller's
// output buffer and credentials, and live as long as those do.
#ifndef SIGV4KIT_SIGV4_REQUEST_HPP
#define SIGV4KIT_SIGV4_REQUEST_HPP

#include <sigv4kit/config.hpp>

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
