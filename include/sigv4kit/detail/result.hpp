// sigv4kit/detail/result.hpp - the one error vocabulary and result type of the library.
#ifndef SIGV4KIT_DETAIL_RESULT_HPP
#define SIGV4KIT_DETAIL_RESULT_HPP

#include <sigv4kit/config.hpp>

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
