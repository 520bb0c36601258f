// A header-only build (SIGV4KIT_NO_PRESIGN, with the size-optimised code a firmware gets):
// header mode signs exactly as the full build, and query mode is refused with a clear error,
// never signed some other way. Its own program: the macro changes inline functions' bodies,
// so it may not share a program with translation units built without it.
#define SIGV4KIT_NO_PRESIGN
#define SIGV4KIT_OPTIMIZE_SIZE
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "helpers.hpp"

#include <cstring>

using sigv4kit::request;

namespace {
const sigv4kit::header vanilla_headers[] = {{"Host", "example.amazonaws.com"}};
const request vanilla{"GET", "https://example.amazonaws.com/", vanilla_headers, "", ""};
}  // namespace

TEST_CASE("SIGV4KIT_NO_PRESIGN: header mode signs as always", "[no-presign]") {
  auto o = test::sign(vanilla, test::suite_params());
  REQUIRE(o.ok);
  CHECK(o.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("SIGV4KIT_NO_PRESIGN: query mode is an 'unsupported' error naming the macro", "[no-presign]") {
  sigv4kit::signing_params p = test::suite_params();
  p.mode = sigv4kit::signing_mode::query;
  sigv4kit::signer s;
  char out[1024];
  std::memset(out, '#', sizeof out);
  auto r = s.sign(vanilla, p, out);
  REQUIRE(!r);
  CHECK(r.err().kind() == sigv4kit::error_kind::unsupported);
  CHECK(sigv4kit::to_string(r.err().kind()) == "unsupported");
  CHECK(r.err().message().find("SIGV4KIT_NO_PRESIGN") != std::string_view::npos);
  for (char c : out) REQUIRE(c == '#');  // nothing written
  // The same through the shared helper (with a token, which a URL would have carried).
  p.credentials.session_token = "TOKEN";
  auto o = test::sign(vanilla, p);
  CHECK(!o.ok);
  CHECK(o.kind == "unsupported");
  CHECK(o.message.find("TOKEN") == std::string::npos);
}
