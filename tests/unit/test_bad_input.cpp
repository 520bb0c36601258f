// One test per kind of bad input: each must give a clear error of the right kind, never a
// signature, and the message must not carry any secret.
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"

using sigv4kit::header;
using sigv4kit::request;
using sigv4kit::signing_mode;
using sigv4kit::signing_params;

namespace {
constexpr std::string_view secret = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCY";
constexpr std::string_view token = "TOKENsecretsessiontoken";

signing_params params() {
  signing_params p;
  p.credentials = {"AKIDEXAMPLE", secret, token};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  return p;
}

test::signed_out fails(const request& r, const signing_params& p, const char* kind) {
  auto o = test::sign(r, p);
  INFO("message: " << o.message);
  CHECK_FALSE(o.ok);
  CHECK(o.kind == kind);
  CHECK_FALSE(o.message.empty());
  CHECK(o.message.find("SECRET") == std::string::npos);
  CHECK(o.message.find("TOKEN") == std::string::npos);
  return o;
}
}  // namespace

TEST_CASE("Bad input: CR, LF or NUL in a header value (but a proper fold is fine)", "[bad-input]") {
  for (std::string_view v : {std::string_view("a\rb"), std::string_view("a\nb"), std::string_view("a\r\nb"),
                             std::string_view("a\0b", 3), std::string_view("trailing\n"), std::string_view("a\x01")}) {
    header hs[] = {{"X-Test", v}};
    request r{"GET", "https://example.amazonaws.com/", hs, "", ""};
    auto o = fails(r, params(), "invalid_header");
    CHECK(o.message.find("X-Test") != std::string::npos);  // names the header
  }
  header ok[] = {{"X-Test", "a\r\n b\n\tc"}};
  CHECK(test::sign(request{"GET", "https://example.amazonaws.com/", ok, "", ""}, params()).ok);
}

TEST_CASE("Bad input: header names that are not tokens", "[bad-input]") {
  for (std::string_view n : {"", "My Header", "a:b", "x\r\ny", "caf\xc3\xa9", "(x)"}) {
    header hs[] = {{n, "v"}};
    fails(request{"GET", "https://example.amazonaws.com/", hs, "", ""}, params(), "invalid_header");
  }
  header two_hosts[] = {{"Host", "a"}, {"host", "b"}};
  fails(request{"GET", "https://example.amazonaws.com/", two_hosts, "", ""}, params(), "invalid_header");
}

TEST_CASE("Bad input: CR/LF/NUL in the session token", "[bad-input]") {
  signing_params p = params();
  p.credentials.session_token = "TOKEN\r\nX-Injected: 1";
  fails(request{"GET", "https://example.amazonaws.com/", {}, "", ""}, p, "invalid_credentials");
}

TEST_CASE("Bad input: region and service", "[bad-input]") {
  const std::string too_long(65, 'a');
  for (std::string_view v : {std::string_view(""), std::string_view("us/east"), std::string_view("us east"),
                             std::string_view("a\nb"), std::string_view(too_long)}) {
    signing_params p = params();
    p.region = v;
    fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_scope");
    p = params();
    p.service = v;
    fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_scope");
  }
}

TEST_CASE("Bad input: malformed or impossible timestamps", "[bad-input]") {
  for (std::string_view t : {"", "2015-08-30T12:36:00Z", "20150830T123600", "20150830 123600Z", "20150230T000000Z",
                             "20150431T000000Z", "20150001T000000Z", "20151301T000000Z", "20150830T243600Z",
                             "20150830T126000Z", "20150830T123660Z", "19000229T000000Z", "2015083aT123600Z"}) {
    signing_params p = params();
    p.timestamp = t;
    fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_timestamp");
  }
  signing_params leap = params();
  leap.timestamp = "20000229T235959Z";
  CHECK(test::sign(request{"GET", "https://h/", {}, "", ""}, leap).ok);
}

// Speed builds check the scope's characters and the time only when the key cache has not
// seen the scope and second signed before. A warm cache must not let a bad one through: not a
// bad time within a signed date, nor a scope whose key a caller put in the cache directly.
TEST_CASE("Bad input: scope and time with a warm key cache", "[bad-input]") {
  sigv4kit::signer s;
  const request r{"GET", "https://h/", {}, "", ""};
  signing_params p = params();
  CHECK(test::sign(r, p, &s).ok);
  CHECK(test::sign(r, p, &s).ok);  // (the same scope and second: a full hit)
  for (std::string_view t : {"20150830T243600Z", "20150830T126000Z", "20150830T12360aZ"}) {
    signing_params q = params();
    q.timestamp = t;
    INFO("timestamp " << t);
    auto o = test::sign(r, q, &s);
    CHECK_FALSE(o.ok);
    CHECK(o.kind == "invalid_timestamp");
  }
  CHECK(test::sign(r, p, &s).ok);
  // Keys put in by the caller (signing_key_cache::get does not validate): signing with that
  // scope is still refused.
  (void)s.cache().get("AKIDEXAMPLE", secret, "20150830", "us east", "service");
  (void)s.cache().get("AKID/EXAMPLE", secret, "20150830", "us-east-1", "service");
  signing_params bad_region = params();
  bad_region.region = "us east";
  for (int i = 0; i < 2; ++i) {
    auto o = test::sign(r, bad_region, &s);
    CHECK_FALSE(o.ok);
    CHECK(o.kind == "invalid_scope");
  }
  signing_params bad_id = params();
  bad_id.credentials.access_key_id = "AKID/EXAMPLE";
  for (int i = 0; i < 2; ++i) {
    auto o = test::sign(r, bad_id, &s);
    CHECK_FALSE(o.ok);
    CHECK(o.kind == "invalid_credentials");
  }
}

TEST_CASE("Bad input: URLs without scheme or host, or otherwise malformed", "[bad-input]") {
  for (std::string_view u : {"", "example.amazonaws.com/", "/path", "https://", "https:///path", "https//h/",
                             "1http://h/", "https://h:port/", "https://h:99999/", "https://h:/", "https://user@h/",
                             "https://h/a#frag", "https://h/a\r\nb", "https://[::1/"}) {
    fails(request{"GET", u, {}, "", ""}, params(), "invalid_url");
  }
  CHECK(test::sign(request{"GET", "https://[::1]:8443/x", {}, "", ""}, params()).ok);
}

TEST_CASE("Bad input: a fragment anywhere after the host, in both modes", "[bad-input]") {
  // Speed builds look for '#' in the path with the '?' and in the query while splitting it:
  // each place, short and long (the scanners' 16-byte steps), is covered here.
  const std::string long_path = "https://h/" + std::string(40, 'p');
  const std::string long_query = "https://h/a?" + std::string(40, 'q') + "=v";
  for (const std::string& u :
       {std::string("https://h#f"), std::string("https://h/#"), std::string("https://h/a?x=1#f"),
        std::string("https://h/a?#"), std::string("https://h?x#y"), std::string("https://h/a?x=%41#f"),
        std::string("https://h/a?k=%2F#"), std::string("https://h/a?x=1&y#"), long_path + "#f",
        long_path + "?x=1#f", long_query + "#f", long_query.substr(0, 30) + "#" + long_query.substr(30)}) {
    INFO(u);
    for (signing_mode m : {signing_mode::header, signing_mode::query}) {
      signing_params p = params();
      p.mode = m;
      auto o = fails(request{"GET", u, {}, "", ""}, p, "invalid_url");
      CHECK(o.message.find("fragment") != std::string::npos);
    }
  }
  // '#' escaped is data, not a fragment.
  CHECK(test::sign(request{"GET", long_query + "%23", {}, "", ""}, params()).ok);
  CHECK(test::sign(request{"GET", "https://h/a%23b?c=%23", {}, "", ""}, params()).ok);
}

TEST_CASE("Bad input: expires out of range in query mode", "[bad-input]") {
  for (std::uint32_t e : {0u, 604801u, 4000000000u}) {
    signing_params p = params();
    p.mode = signing_mode::query;
    p.expires = e;
    fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_expires");
  }
  signing_params p = params();
  p.mode = signing_mode::query;
  p.expires = 604800;
  CHECK(test::sign(request{"GET", "https://h/", {}, "", ""}, p).ok);
  p.expires = 1;
  CHECK(test::sign(request{"GET", "https://h/", {}, "", ""}, p).ok);
}

TEST_CASE("Bad input: payload hash that is not 64 hex digits or a known constant", "[bad-input]") {
  for (std::string_view h : {"abc", "UNSIGNED", "unsigned-payload", "STREAMING-FOO",
                             // near misses of the constants (pieces of them, in other orders)
                             "UNSIGNED-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD", "STREAMING-",
                             "STREAMING--TRAILER", "-TRAILER", "AWS4-HMAC-SHA256-PAYLOAD",
                             "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER-TRAILER",
                             "STREAMING-STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256",
                             "UNSIGNED-PAYLOAD ", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILEr",
                             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2001g5a",
                             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
                             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adz"}) {
    fails(request{"PUT", "https://h/", {}, "", h}, params(), "invalid_payload_hash");
  }
}

TEST_CASE("Bad input: method that is not an HTTP token", "[bad-input]") {
  for (std::string_view m : {"", "GE T", "GET\r\n", "G(E)T", "GET/1"}) {
    fails(request{m, "https://h/", {}, "", ""}, params(), "invalid_method");
  }
}

TEST_CASE("Bad input: credentials", "[bad-input]") {
  signing_params p = params();
  p.credentials.access_key_id = "";
  fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_credentials");
  p.credentials.access_key_id = "AKID/EXAMPLE";
  fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_credentials");
  p = params();
  p.credentials.secret_access_key = "";
  fails(request{"GET", "https://h/", {}, "", ""}, p, "invalid_credentials");
}

TEST_CASE("Bad input: a URL to presign that already carries signing parameters", "[bad-input]") {
  signing_params p = params();
  p.mode = signing_mode::query;
  fails(request{"GET", "https://h/?X-Amz-Signature=abc", {}, "", ""}, p, "invalid_query");
  fails(request{"GET", "https://h/?a=1&X-Amz-Credential=x", {}, "", ""}, p, "invalid_query");
}

TEST_CASE("Bad input: capacities are errors, never truncation", "[bad-input]") {
  std::vector<header> many(SIGV4KIT_MAX_HEADERS + 1, header{"X-H", "v"});
  fails(request{"GET", "https://h/", many, "", ""}, params(), "capacity_exceeded");
  std::vector<header> just(SIGV4KIT_MAX_HEADERS - 1, header{"X-H", "v"});  // + host
  CHECK(test::sign(request{"GET", "https://h/", just, "", ""}, params()).ok);

  std::string url = "https://h/?";
  for (int i = 0; i <= SIGV4KIT_MAX_QUERY_PARAMS; ++i) url += "p" + std::to_string(i) + "=1&";
  fails(request{"GET", url, {}, "", ""}, params(), "capacity_exceeded");

  std::vector<std::string> long_names;
  for (int i = 0; i < 8; ++i) long_names.push_back("X-" + std::to_string(i) + std::string(SIGV4KIT_MAX_HEADER_NAME_BYTES / 8, 'n'));
  std::vector<header> long_headers;
  for (auto& n : long_names) long_headers.push_back({n, "v"});
  fails(request{"GET", "https://h/", long_headers, "", ""}, params(), "capacity_exceeded");
  signing_params unsign = params();
  std::vector<std::string_view> all(long_names.begin(), long_names.end());
  unsign.unsigned_headers = all;  // unsigned names need no room
  CHECK(test::sign(request{"GET", "https://h/", long_headers, "", ""}, unsign).ok);

  std::string path = "https://h";
  for (int i = 0; i <= SIGV4KIT_MAX_PATH_SEGMENTS; ++i) path += "/s";
  fails(request{"GET", path, {}, "", ""}, params(), "capacity_exceeded");
  signing_params raw = params();
  raw.normalize_path = false;  // without normalisation there is no segment limit
  CHECK(test::sign(request{"GET", path, {}, "", ""}, raw).ok);
}

TEST_CASE("Bad input: output buffer too small; output_capacity is always enough", "[bad-input]") {
  sigv4kit::signer s;
  char small[64];
  auto r = s.sign(request{"GET", "https://h/", {}, "", ""}, params(), small);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().kind() == sigv4kit::error_kind::buffer_too_small);
  // Long header names, a long token, query mode: the bound holds.
  std::vector<std::string> names;
  for (int i = 0; i < 60; ++i) names.push_back("X-Long-Header-Name-" + std::string(40, 'a' + i % 26) + std::to_string(i));
  std::vector<header> hs;
  for (auto& n : names) hs.push_back({n, "v"});
  for (auto mode : {signing_mode::header, signing_mode::query}) {
    signing_params p = params();
    p.mode = mode;
    std::string token(2000, '/');
    p.credentials.session_token = token;
    request req{"GET", "https://h/a%20b?x=1", hs, "", ""};
    std::vector<char> buf(sigv4kit::output_capacity(req, p));
    auto ok = s.sign(req, p, buf.data(), buf.size());
    INFO(std::string(ok ? "" : ok.err().message()));
    CHECK(ok.ok());
  }
}
