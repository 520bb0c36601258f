// tools/sigv4kit/cli.hpp - what the parts of the sigv4kit program share.
#ifndef SIGV4KIT_TOOLS_CLI_HPP
#define SIGV4KIT_TOOLS_CLI_HPP

#include <sigv4kit/sigv4kit.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4kit_cli {

/// Exit statuses: 0 done, 1 could not sign (credentials, file, the signer refused),
/// 2 bad command line.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

/// `sigv4kit sign --jsonl`: the batch contract of shared/conformance/jsonl.md.
int run_jsonl();
/// `sigv4kit sign ...` (presign = false) and `sigv4kit presign ...` (presign = true);
/// args are the words after the command name.
int run_sign_command(const std::vector<std::string_view>& args, bool presign);

void print_main_usage(bool to_stdout);
void print_sign_usage(bool to_stdout);
void print_presign_usage(bool to_stdout);

/// The canonical request and string to sign, collected through signing_params::debug_sink.
struct capture {
  std::string canonical_request;
  std::string string_to_sign;

  static void sink(void* user, int part, const char* data, std::size_t n) {
    capture& c = *static_cast<capture*>(user);
    (part == 0 ? c.canonical_request : c.string_to_sign).append(data, n);
  }
};

/// Signs into `buf`, sized with sigv4kit::output_capacity (always enough). When `cap` is not
/// null it is cleared and filled (params' debug sink must point at it).
inline sigv4kit::result<sigv4kit::signed_request> sign_growing(const sigv4kit::signer& s,
                                                                const sigv4kit::request& r,
                                                                const sigv4kit::signing_params& p,
                                                                std::vector<char>& buf, capture* cap) {
  std::size_t want = sigv4kit::output_capacity(r, p);
  if (buf.size() < want) buf.resize(want);
  if (cap) {
    cap->canonical_request.clear();
    cap->string_to_sign.clear();
  }
  return s.sign(r, p, buf.data(), buf.size());
}

/// Decodes standard base64 (RFC 4648 section 4; '=' padding optional, ASCII whitespace
/// ignored). False when the text is not base64.
inline bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0, symbols = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else {
      return false;
    }
    if (pad) return false;  // data after padding
    ++symbols;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (symbols % 4 == 1) return false;                  // 6 bits cannot end a byte
  if (pad && (symbols + pad) % 4 != 0) return false;   // wrong padding
  if (pad > 2) return false;
  if (bits && (acc & ((1u << bits) - 1)) != 0) return false;  // non-canonical trailing bits
  return true;
}

/// ASCII case-insensitive equality of header names.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace sigv4kit_cli

#endif  // SIGV4KIT_TOOLS_CLI_HPP
