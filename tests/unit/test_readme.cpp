// The README's examples, written the same way (placeholders filled in, and the request of
// "Sign a request" swapped for the AWS suite's post-vanilla so that the signature is known),
// so the documented API cannot drift. Expected values: AWS SigV4 suite and S3 docs.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

// "Plug in a crypto backend": a user-written backend with its own context type. Here it
// forwards to the portable code and counts calls, the way an MCU engine's driver would be
// wired in.
struct my_mcu_crypto {
  struct sha256_context {
    sigv4kit::detail::sha256_state s;
  };
  static inline int updates = 0;
  static void init(sha256_context& c) noexcept { sigv4kit::portable_crypto::init(c.s); }
  static void update(sha256_context& c, const void* data, std::size_t n) noexcept {
    ++updates;
    sigv4kit::portable_crypto::update(c.s, data, n);
  }
  static void finish(sha256_context& c, unsigned char out[32]) noexcept { sigv4kit::portable_crypto::finish(c.s, out); }
};

}  // namespace

TEST_CASE("README: sign a request", "[readme]") {
  std::string_view access_key_id = test::suite_akid, secret_access_key = test::suite_secret, session_token;
  std::int64_t unix_seconds = 1440938160;  // 2015-08-30T12:36:00Z, the suite's clock
  std::vector<std::pair<std::string, std::string>> sent;
  auto set_header = [&](std::string_view n, std::string_view v) { sent.emplace_back(n, v); };

  sigv4kit::signer signer;
  sigv4kit::header headers[] = {{"Host", "example.amazonaws.com"}};  // AWS suite post-vanilla
  sigv4kit::request req{"POST", "https://example.amazonaws.com/", headers, "", /*payload_hash=*/""};
  sigv4kit::signing_params p;
  p.credentials = {access_key_id, secret_access_key, session_token /* may be empty */};
  p.region = "us-east-1";
  p.service = "service";
  char now[16];
  p.timestamp = sigv4kit::format_amz_date(unix_seconds, now);  // the signer has no clock
  char out[2048];
  auto signed_req = signer.sign(req, p, out);
  REQUIRE(signed_req);
  for (const sigv4kit::header& h : signed_req->headers_to_add()) set_header(h.name, h.value);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0] == std::make_pair(std::string("X-Amz-Date"), std::string("20150830T123600Z")));
  CHECK(sent[1].second.find("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b") !=
        std::string::npos);
}

TEST_CASE("README: presign a URL", "[readme]") {
  sigv4kit::signer signer;
  std::string_view access_key_id = "AKIAIOSFODNN7EXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  std::string url;
  auto use = [&](std::string_view u) { url = std::string(u); };

  sigv4kit::header host[] = {{"Host", "examplebucket.s3.amazonaws.com"}};
  sigv4kit::request req{"GET", "https://examplebucket.s3.amazonaws.com/test.txt", host, "",
                        sigv4kit::payload::unsigned_payload};
  sigv4kit::signing_params p;
  p.credentials = {access_key_id, secret_access_key, {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.timestamp = "20130524T000000Z";
  p.use_s3_rules();
  p.mode = sigv4kit::signing_mode::query;
  p.expires = 86400;  // 1..604800
  char out[2048];
  if (auto r = signer.sign(req, p, out)) use(r->url);
  CHECK(url.find("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404") !=
        std::string::npos);
}

TEST_CASE("README: plug in a crypto backend", "[readme]") {
  sigv4kit::basic_signer<my_mcu_crypto> signer;                        // shared across threads
  sigv4kit::basic_signer<my_mcu_crypto, sigv4kit::null_lock> signer1;  // one thread, no <mutex>
  sigv4kit::request req{"GET", "https://example.amazonaws.com/", {}, "", ""};
  sigv4kit::signing_params p = test::suite_params();
  char out[1024];
  my_mcu_crypto::updates = 0;
  auto a = signer.sign(req, p, out);
  REQUIRE(a);
  CHECK(a->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");  // get-vanilla
  CHECK(my_mcu_crypto::updates > 0);  // the user's backend did the hashing
  auto b = signer1.sign(req, p, out);
  REQUIRE(b);
  CHECK(b->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}
