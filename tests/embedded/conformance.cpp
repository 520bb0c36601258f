// Conformance on the microcontroller: AWS documentation examples and the benchmark workload
// (expected values written in), header and query mode, with and without a session token, the
// key cache; and, when the build generated it from ../shared/conformance, every case of the
// AWS SigV4 suite (sigv4kit_suite_cases.hpp, reached through __has_include). Prints a short
// report over semihosting and returns non-zero on any failure.
//
// Builds alone with only -I include (the suite part is then left out, and says so).
#define SIGV4KIT_MAX_HEADERS 16
#define SIGV4KIT_MAX_QUERY_PARAMS 16
#define SIGV4KIT_MAX_PATH_SEGMENTS 32
#define SIGV4KIT_MAX_HEADER_NAME_BYTES 512
#define SIGV4KIT_KEY_CACHE_SIZE 2
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>
#include <cstring>

#if defined(__has_include)
#if __has_include("sigv4kit_suite_cases.hpp")
#include "sigv4kit_suite_cases.hpp"
#define HAVE_SUITE 1
#endif
#endif

namespace {

int passed = 0, failed = 0;

void check(const char* what, bool ok) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s\n", what);
  }
}

sigv4kit::signer signer;
char out[2048];

bool signature_is(const sigv4kit::request& r, const sigv4kit::signing_params& p, const char* expected) {
  auto res = signer.sign(r, p, out);
  if (!res) {
    std::printf("  error: %.*s\n", static_cast<int>(res.err().message().size()), res.err().message().data());
    return false;
  }
  return res->signature == expected;
}

constexpr std::string_view suite_akid = "AKIDEXAMPLE";
constexpr std::string_view suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view wl_token = "FQoGZXIvYXdzEXAMPLESESSIONTOKENFORBENCHMARKSONLYxyz0123456789abcdefABCDEF==";

void documentation_examples() {
  // AWS S3 API Reference, "Signature Calculations for the Authorization Header" and
  // "Authenticating Requests: Using Query Parameters".
  sigv4kit::signing_params p;
  p.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.timestamp = "20130524T000000Z";
  p.use_s3_rules();
  const sigv4kit::header range[] = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  check("docs: S3 GET object with Range",
        signature_is({"GET", "https://examplebucket.s3.amazonaws.com/test.txt", range, "", ""}, p,
                     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
  const sigv4kit::header host[] = {{"Host", "examplebucket.s3.amazonaws.com"}};
  check("docs: S3 GET bucket list",
        signature_is({"GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", host, "", ""}, p,
                     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
  p.mode = sigv4kit::signing_mode::query;
  p.expires = 86400;
  check("docs: S3 presigned GET",
        signature_is({"GET", "https://examplebucket.s3.amazonaws.com/test.txt", host, "", "UNSIGNED-PAYLOAD"}, p,
                     "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
}

void workload() {
  // shared/bench/workload.json's three cases, values written in.
  sigv4kit::signing_params p;
  p.timestamp = "20150830T123600Z";
  p.credentials = {suite_akid, suite_secret, {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.use_s3_rules();
  const sigv4kit::header get_headers[] = {{"Host", "examplebucket.s3.us-east-1.amazonaws.com"},
                                          {"Range", "bytes=0-1048575"},
                                          {"User-Agent", "bench/1.0"},
                                          {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  check("workload: s3-get (header mode, no token)",
        signature_is({"GET",
                      "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2015/08/cat%20picture.jpg"
                      "?versionId=3HL4kqtJlcpXroDTDmJ%2Bq&response-content-type=image%2Fjpeg",
                      get_headers, "", "UNSIGNED-PAYLOAD"},
                     p, "ccb426c6838465c42d69ca7721952202eb74d1ccc59afbc3f8638fe58330e47e"));

  sigv4kit::signing_params sts;
  sts.timestamp = "20150830T123600Z";
  sts.credentials = {suite_akid, suite_secret, wl_token};
  sts.region = "us-east-1";
  sts.service = "sts";
  const sigv4kit::header sts_headers[] = {{"Host", "sts.us-east-1.amazonaws.com"},
                                          {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  check("workload: sts-assume-role (header mode, session token, body)",
        signature_is({"POST", "https://sts.us-east-1.amazonaws.com/", sts_headers,
                      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
                      "&RoleSessionName=n8n-session&ExternalId=unique-external-id-1234&DurationSeconds=3600",
                      ""},
                     sts, "396bdc39da95c223f93ab6e35c0d008c1d7e6d8422c276ec09cf9435e6ca0a0d"));

  sigv4kit::signing_params q = p;
  q.credentials.session_token = wl_token;
  q.region = "eu-west-1";
  q.mode = sigv4kit::signing_mode::query;
  q.expires = 3600;
  const sigv4kit::header presign_headers[] = {{"Host", "examplebucket.s3.eu-west-1.amazonaws.com"}};
  check("workload: s3-presign (query mode, session token)",
        signature_is({"GET", "https://examplebucket.s3.eu-west-1.amazonaws.com/reports/2015/q3%20summary.pdf",
                      presign_headers, "", "UNSIGNED-PAYLOAD"},
                     q, "655d98fce7431ae5b839fe26b551fa20a98a2ebc0402f71009e56011680a20f2"));
}

void key_cache() {
  // AWS SigV4 suite get-vanilla, signed twice: the second signature comes from the cached key.
  sigv4kit::signing_params p;
  p.credentials = {suite_akid, suite_secret, {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  signer.cache().clear();
  check("cache: cold", signature_is(r, p, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  bool hit = false;
  signer.cache().get(suite_akid, suite_secret, "20150830", "us-east-1", "service", &hit);
  check("cache: entry stored", hit);
  check("cache: warm", signature_is(r, p, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  // A rotated secret under the same key id must not reuse the old key.
  p.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz";
  check("cache: rotated secret",
        !signature_is(r, p, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

#ifdef HAVE_SUITE
void aws_suite() {
  int before_failed = failed;
  for (const suite::test_case& c : suite::cases) {
    sigv4kit::header hs[16];
    std::size_t n = 0;
    for (std::size_t i = 0; i < c.header_count && n < 16; ++i) hs[n++] = {c.headers[i].name, c.headers[i].value};
    sigv4kit::request r{c.method, c.url, sigv4kit::span<sigv4kit::header>(hs, n), std::string_view(c.body, c.body_size),
                        c.payload_hash};
    sigv4kit::signing_params p;
    p.credentials = {c.akid, c.secret, c.token};
    p.region = c.region;
    p.service = c.service;
    p.timestamp = c.timestamp;
    p.normalize_path = c.normalize;
    p.add_content_sha256 = c.content_sha256;
    p.sign_session_token = !c.omit_token;
    char label[96];
    std::snprintf(label, sizeof label, "suite %s (header)", c.name);
    check(label, signature_is(r, p, c.header_signature));
    p.mode = sigv4kit::signing_mode::query;
    p.expires = c.expires;
    std::snprintf(label, sizeof label, "suite %s (query)", c.name);
    check(label, signature_is(r, p, c.query_signature));
  }
  std::printf("AWS SigV4 suite: %d cases x 2 modes, %d failed\n", static_cast<int>(sizeof suite::cases / sizeof suite::cases[0]),
              failed - before_failed);
}
#endif

}  // namespace

int main() {
  documentation_examples();
  workload();
  key_cache();
#ifdef HAVE_SUITE
  aws_suite();
#else
  std::printf("AWS SigV4 suite: not built in (sigv4kit_suite_cases.hpp not generated; needs ../shared)\n");
#endif
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
