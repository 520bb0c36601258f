// Small helpers shared by the unit tests.
#pragma once
#include <sigv4kit/sigv4kit.hpp>

#include <string>
#include <vector>

namespace test {

inline std::string hex(const unsigned char* p, std::size_t n) {
  std::string s(2 * n, '0');
  sigv4kit::detail::to_hex(p, n, &s[0]);
  return s;
}

inline std::string str(std::string_view v) { return std::string(v); }

// The AWS SigV4 test-suite credentials (public example values).
constexpr std::string_view suite_akid = "AKIDEXAMPLE";
constexpr std::string_view suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Parameters of the AWS SigV4 test suite: its credentials, scope and clock.
inline sigv4kit::signing_params suite_params() {
  sigv4kit::signing_params p;
  p.credentials = {suite_akid, suite_secret, {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  return p;
}

struct signed_out {
  bool ok = false;
  std::string kind, message, signature, authorization, url, canonical, string_to_sign;
  std::vector<std::pair<std::string, std::string>> headers;
};

template <class Signer = sigv4kit::signer>
inline signed_out sign(const sigv4kit::request& r, sigv4kit::signing_params p, Signer* s = nullptr) {
  static Signer shared;
  if (!s) s = &shared;
  signed_out o;
  std::string parts[2];
  p.debug_sink = [](void* u, int part, const char* d, std::size_t n) {
    static_cast<std::string*>(u)[part].append(d, n);
  };
  p.debug_user = parts;
  std::vector<char> buf(8192 + 4 * r.url.size() + 4 * p.credentials.session_token.size());
  auto res = s->sign(r, p, buf.data(), buf.size());
  if (!res) {
    o.kind = str(sigv4kit::to_string(res.err().kind()));
    o.message = str(res.err().message());
    return o;
  }
  o.ok = true;
  o.signature = str(res->signature);
  o.authorization = str(res->authorization);
  o.url = str(res->url);
  o.canonical = parts[0];
  o.string_to_sign = parts[1];
  for (const auto& h : res->headers_to_add()) o.headers.emplace_back(str(h.name), str(h.value));
  return o;
}

// The portable backend with only the required members (init, update, finish): the signer and
// the key derivation then take their general paths (no compress, update_finish, finish_hmac
// or between steps), the reference the block paths are compared with.
struct streaming_only_crypto {
  using sha256_context = sigv4kit::portable_crypto::sha256_context;
  static void init(sha256_context& c) noexcept { sigv4kit::portable_crypto::init(c); }
  static void update(sha256_context& c, const void* d, std::size_t n) noexcept { sigv4kit::portable_crypto::update(c, d, n); }
  static void finish(sha256_context& c, unsigned char out[32]) noexcept { sigv4kit::portable_crypto::finish(c, out); }
};

}  // namespace test
