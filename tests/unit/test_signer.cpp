// Signing: AWS documentation examples and the benchmark workload (expected values from AWS's
// documentation and from botocore/aws-c-auth/smithy as recorded in shared/bench/workload.json),
// plus the behaviour of each signing option.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "helpers.hpp"

using sigv4kit::header;
using sigv4kit::request;
using sigv4kit::signing_mode;
using sigv4kit::signing_params;

namespace {
// AWS S3 API Reference, "Signature Calculations for the Authorization Header" and
// "Query String Authentication" examples.
constexpr std::string_view doc_akid = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view doc_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

signing_params s3_doc_params() {
  signing_params p;
  p.credentials = {doc_akid, doc_secret, {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.timestamp = "20130524T000000Z";
  p.use_s3_rules();
  return p;
}

// shared/bench/workload.json credentials and clock.
constexpr std::string_view wl_akid = "AKIDEXAMPLE";
constexpr std::string_view wl_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view wl_token = "FQoGZXIvYXdzEXAMPLESESSIONTOKENFORBENCHMARKSONLYxyz0123456789abcdefABCDEF==";
}  // namespace

TEST_CASE("AWS docs: S3 GET object with Range", "[signer][docs]") {
  header hs[] = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  request r{"GET", "https://examplebucket.s3.amazonaws.com/test.txt", hs, "", ""};
  auto o = test::sign(r, s3_doc_params());
  REQUIRE(o.ok);
  CHECK(o.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  CHECK(o.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  // The headers to add: date, content hash, authorization (no token).
  REQUIRE(o.headers.size() == 3);
  CHECK(o.headers[0] == std::make_pair(std::string("X-Amz-Date"), std::string("20130524T000000Z")));
  CHECK(o.headers[1] == std::make_pair(std::string("x-amz-content-sha256"), std::string(empty_sha)));
  CHECK(o.headers[2].first == "Authorization");
}

TEST_CASE("AWS docs: S3 GET bucket (list objects)", "[signer][docs]") {
  header hs[] = {{"Host", "examplebucket.s3.amazonaws.com"}};
  request r{"GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", hs, "", ""};
  auto o = test::sign(r, s3_doc_params());
  REQUIRE(o.ok);
  CHECK(o.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_CASE("AWS docs: S3 presigned GET", "[signer][docs]") {
  header hs[] = {{"Host", "examplebucket.s3.amazonaws.com"}};
  request r{"GET", "https://examplebucket.s3.amazonaws.com/test.txt", hs, "", "UNSIGNED-PAYLOAD"};
  signing_params p = s3_doc_params();
  p.mode = signing_mode::query;
  p.expires = 86400;
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  CHECK(o.url ==
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  CHECK(o.headers.empty());
}

TEST_CASE("Workload: s3-get", "[signer][workload]") {
  header hs[] = {{"Host", "examplebucket.s3.us-east-1.amazonaws.com"},
                 {"Range", "bytes=0-1048575"},
                 {"User-Agent", "bench/1.0"},
                 {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  request r{"GET",
            "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2015/08/cat%20picture.jpg"
            "?versionId=3HL4kqtJlcpXroDTDmJ%2Bq&response-content-type=image%2Fjpeg",
            hs, "", "UNSIGNED-PAYLOAD"};
  signing_params p;
  p.credentials = {wl_akid, wl_secret, {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.timestamp = "20150830T123600Z";
  p.use_s3_rules();
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.signature == "ccb426c6838465c42d69ca7721952202eb74d1ccc59afbc3f8638fe58330e47e");
  // user-agent is unsigned by default; the given x-amz-content-sha256 is replaced, not doubled.
  CHECK(o.authorization.find("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,") != std::string::npos);
}

TEST_CASE("Workload: sts-assume-role (POST body, session token)", "[signer][workload]") {
  header hs[] = {{"Host", "sts.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request r{"POST", "https://sts.us-east-1.amazonaws.com/", hs,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
            "&RoleSessionName=n8n-session&ExternalId=unique-external-id-1234&DurationSeconds=3600",
            ""};
  signing_params p;
  p.credentials = {wl_akid, wl_secret, wl_token};
  p.region = "us-east-1";
  p.service = "sts";
  p.timestamp = "20150830T123600Z";
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.signature == "396bdc39da95c223f93ab6e35c0d008c1d7e6d8422c276ec09cf9435e6ca0a0d");
  REQUIRE(o.headers.size() == 3);
  CHECK(o.headers[1] == std::make_pair(std::string("X-Amz-Security-Token"), std::string(wl_token)));
}

TEST_CASE("Workload: s3-presign (query mode, token signed in the query)", "[signer][workload]") {
  header hs[] = {{"Host", "examplebucket.s3.eu-west-1.amazonaws.com"}};
  request r{"GET", "https://examplebucket.s3.eu-west-1.amazonaws.com/reports/2015/q3%20summary.pdf", hs, "",
            "UNSIGNED-PAYLOAD"};
  signing_params p;
  p.credentials = {wl_akid, wl_secret, wl_token};
  p.region = "eu-west-1";
  p.service = "s3";
  p.timestamp = "20150830T123600Z";
  p.use_s3_rules();
  p.mode = signing_mode::query;
  p.expires = 3600;
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.signature == "655d98fce7431ae5b839fe26b551fa20a98a2ebc0402f71009e56011680a20f2");
  CHECK(o.url.find("&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLESESSIONTOKENFORBENCHMARKSONLYxyz0123456789abcdefABCDEF%3D%3D") !=
        std::string::npos);
}

TEST_CASE("Host comes from the URL when absent, keeping a non-default port", "[signer]") {
  signing_params p = test::suite_params();
  // No Host header: get-vanilla's signature (host example.amazonaws.com, default port dropped).
  request r{"GET", "https://example.amazonaws.com:443/", {}, "", ""};
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  request r2{"GET", "http://example.amazonaws.com:8080/", {}, "", ""};
  auto o2 = test::sign(r2, p);
  REQUIRE(o2.ok);
  CHECK(o2.canonical.find("\nhost:example.amazonaws.com:8080\n") != std::string::npos);
  request r3{"GET", "http://example.amazonaws.com:80", {}, "", ""};
  auto o3 = test::sign(r3, p);
  REQUIRE(o3.ok);
  CHECK(o3.canonical.rfind("GET\n/\n\nhost:example.amazonaws.com\n", 0) == 0);
  // DNS names ignore case: the URL's host is signed lower-cased (as botocore does), and the
  // signed request says which Host to send.
  request r4{"GET", "https://Example.AmazonAWS.com/", {}, "", ""};
  sigv4kit::signer s;
  char buf[1024];
  auto res = s.sign(r4, p, buf);
  REQUIRE(res.ok());
  CHECK(res->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(res->host == "example.amazonaws.com");
  // A given Host header is signed as given.
  header given[] = {{"Host", "Example.AmazonAWS.com"}};
  request r5{"GET", "https://example.amazonaws.com/", given, "", ""};
  auto res5 = s.sign(r5, p, buf);
  REQUIRE(res5.ok());
  CHECK(res5->host == "Example.AmazonAWS.com");
  CHECK(res5->signature != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("Header canonical form: case, trimming, inner spaces, folds, repeats, sorting", "[signer][canonical]") {
  header hs[] = {{"Host", "example.amazonaws.com"},
                 {"My-Header", "  b   c  "},
                 {"my-header", "a"},
                 {"Folded", "one\r\n  two\n\tthree"},
                 {"Empty", ""},
                 {"User-Agent", "x"},
                 {"Connection", "keep-alive"}};
  request r{"GET", "https://example.amazonaws.com/", hs, "", ""};
  signing_params p = test::suite_params();
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.canonical ==
        "GET\n/\n\n"
        "empty:\n"
        "folded:one two three\n"
        "host:example.amazonaws.com\n"
        "my-header:b c,a\n"
        "x-amz-date:20150830T123600Z\n\n"
        "empty;folded;host;my-header;x-amz-date\n" +
            std::string(empty_sha));
  // A caller-chosen unsigned header, and host stays signed even when listed.
  std::string_view extra[] = {"my-header", "HOST"};
  p.unsigned_headers = extra;
  auto o2 = test::sign(r, p);
  REQUIRE(o2.ok);
  CHECK(o2.canonical.find("my-header") == std::string::npos);
  CHECK(o2.canonical.find("\nhost:example.amazonaws.com\n") != std::string::npos);
  // The default set can be replaced: here User-Agent is signed, Connection still is not.
  std::string_view only_connection[] = {"connection"};
  p.unsigned_headers = {};
  p.default_unsigned = only_connection;
  auto o3 = test::sign(r, p);
  REQUIRE(o3.ok);
  CHECK(o3.canonical.find("\nuser-agent:x\n") != std::string::npos);
  CHECK(o3.canonical.find("connection") == std::string::npos);
}

TEST_CASE("Query canonical form: encoding, sorting by key then value, bare and empty keys", "[signer][canonical]") {
  request r{"GET", "https://example.amazonaws.com/?b=2&a=z&a=y&c&d=&e=a%20b&f=a+b&g=%7e%41&&h=%2f&y", {}, "", ""};
  signing_params p = test::suite_params();
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.canonical.substr(0, o.canonical.find("\nhost")) ==
        "GET\n/\na=y&a=z&b=2&c=&d=&e=a%20b&f=a%2Bb&g=~A&h=%2F&y=");
}

TEST_CASE("Path rules: generic double encoding and normalisation vs S3 single encoding", "[signer][canonical]") {
  signing_params p = test::suite_params();
  auto canonical_uri = [&](std::string url) {
    request r{"GET", url, {}, "", ""};
    auto o = test::sign(r, p);
    REQUIRE(o.ok);
    std::size_t a = o.canonical.find('\n') + 1;
    return o.canonical.substr(a, o.canonical.find('\n', a) - a);
  };
  CHECK(canonical_uri("https://h/a%20b/c d/%E1%88%B4") == "/a%2520b/c%20d/%25E1%2588%25B4");
  CHECK(canonical_uri("https://h//a/./b/../c//") == "/a/c/");
  CHECK(canonical_uri("https://h/a/b/../../..") == "/");
  CHECK(canonical_uri("https://h") == "/");
  CHECK(canonical_uri("https://h/a/.") == "/a");
  p.normalize_path = false;
  CHECK(canonical_uri("https://h//a/./b/../c//") == "//a/./b/../c//");
  p.use_s3_rules();
  CHECK(canonical_uri("https://h/a%20b/c d/%E1%88%B4/x!y") == "/a%20b/c%20d/%E1%88%B4/x%21y");
  CHECK(canonical_uri("https://h/a/../b") == "/a/../b");
}

TEST_CASE("Payload hash variants", "[signer]") {
  signing_params p = test::suite_params();
  auto last_line = [&](std::string_view body, std::string_view hash) {
    request r{"PUT", "https://h/", {}, body, hash};
    auto o = test::sign(r, p);
    REQUIRE(o.ok);
    return o.canonical.substr(o.canonical.rfind('\n') + 1);
  };
  CHECK(last_line("abc", "") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(last_line("ignored", "UNSIGNED-PAYLOAD") == "UNSIGNED-PAYLOAD");
  // Every known constant is accepted and signed as given.
  for (std::string_view c : {sigv4kit::payload::unsigned_payload, sigv4kit::payload::streaming_payload,
                             sigv4kit::payload::streaming_payload_trailer, sigv4kit::payload::streaming_unsigned_trailer,
                             sigv4kit::payload::streaming_ecdsa_payload,
                             sigv4kit::payload::streaming_ecdsa_payload_trailer})
    CHECK(last_line("", c) == c);
  CHECK(last_line("", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Upper-case hex is 64 hex digits too: used as given, as botocore does.
  CHECK(last_line("", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD") ==
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  // x-amz-content-sha256 on request, outside S3.
  p.add_content_sha256 = true;
  request r{"PUT", "https://h/", {}, "abc", ""};
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.canonical.find("\nx-amz-content-sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n") !=
        std::string::npos);
}

TEST_CASE("Session token signed or added after signing", "[signer]") {
  signing_params p = test::suite_params();
  p.credentials.session_token = "TOKEN+/=";
  request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  auto signed_in = test::sign(r, p);
  REQUIRE(signed_in.ok);
  CHECK(signed_in.canonical.find("x-amz-security-token:TOKEN+/=") != std::string::npos);
  p.sign_session_token = false;
  auto after = test::sign(r, p);
  REQUIRE(after.ok);
  CHECK(after.canonical.find("x-amz-security-token") == std::string::npos);
  // Without the token in the signature it is get-vanilla's signature.
  CHECK(after.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  bool has_token = false;
  for (auto& h : after.headers) has_token |= h.first == "X-Amz-Security-Token" && h.second == "TOKEN+/=";
  CHECK(has_token);
  p.mode = signing_mode::query;
  auto q = test::sign(r, p);
  REQUIRE(q.ok);
  CHECK(q.canonical.find("X-Amz-Security-Token") == std::string::npos);
  const std::string tail = "&X-Amz-Security-Token=TOKEN%2B%2F%3D";
  CHECK(q.url.substr(q.url.size() - tail.size()) == tail);
}

TEST_CASE("A signed session token is a header value like any other: trimmed, inner spaces as one", "[signer]") {
  // AWS's canonical header rule (trim the value, sequential spaces as one) holds for the
  // token the signer adds as well; botocore signs it so. The header sent keeps it as given.
  signing_params p = test::suite_params();
  p.credentials.session_token = "  TOK   EN ";
  request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  auto o = test::sign(r, p);
  REQUIRE(o.ok);
  CHECK(o.canonical.find("x-amz-security-token:TOK EN\n") != std::string::npos);
  bool sent_as_given = false;
  for (auto& h : o.headers) sent_as_given |= h.first == "X-Amz-Security-Token" && h.second == "  TOK   EN ";
  CHECK(sent_as_given);
  p.credentials.session_token = "TOK EN";  // already canonical: the same signature
  auto same = test::sign(r, p);
  REQUIRE(same.ok);
  CHECK(same.signature == o.signature);
}

TEST_CASE("format_amz_date", "[signer]") {
  char buf[16];
  CHECK(sigv4kit::format_amz_date(0, buf) == "19700101T000000Z");
  CHECK(sigv4kit::format_amz_date(1440938160, buf) == "20150830T123600Z");
  CHECK(sigv4kit::format_amz_date(951782400, buf) == "20000229T000000Z");  // leap day
  CHECK(sigv4kit::format_amz_date(4102444799, buf) == "20991231T235959Z");
}

namespace {
#ifndef SIGV4KIT_SMALL_SHA256
// A block backend that notes, at each compression, how many bytes of the caller's output
// buffer (filled with 0x7f beforehand) have been written: the signer's header-mode output is
// written between the last compressions (detail::output_writer), not after them.
const char* watched_out = nullptr;
std::vector<std::size_t> written_at_compression;
void watching_compress(std::uint32_t* h, const unsigned char* p, std::size_t blocks) noexcept {
  if (watched_out) {
    std::size_t k = 0;
    while (watched_out[k] != '\x7f') ++k;
    written_at_compression.push_back(k);
  }
  sigv4kit::detail::sha256_compress_portable(h, p, blocks);
}
using watching_crypto = sigv4kit::block_crypto<watching_compress>;
#endif

// Everything a signature gives the caller, as one string.
template <class Signer>
std::string whole_output(Signer& s, const request& r, const signing_params& p) {
  char out[4096];
  auto res = s.sign(r, p, out);
  if (!res) return "error: " + test::str(sigv4kit::to_string(res.err().kind()));
  std::string o = test::str(res->authorization) + "|" + test::str(res->url) + "|" + test::str(res->host) + "|" +
                  test::str(res->amz_date) + "|" + test::str(res->signature);
  for (const auto& h : res->headers_to_add()) o += "|" + test::str(h.name) + "=" + test::str(h.value);
  return o;
}
}  // namespace

TEST_CASE("Output written between the last compressions equals the output written at once", "[signer]") {
#ifndef SIGV4KIT_SMALL_SHA256  // (small-SHA builds have no between steps: the output is written in one go)
  static_assert(sigv4kit::has_between_steps<sigv4kit::default_crypto>::value, "the built-in backends take the steps");
#endif
  static_assert(!sigv4kit::has_between_steps<test::streaming_only_crypto>::value, "the reference does not");
  sigv4kit::signer fast;
  sigv4kit::basic_signer<sigv4kit::portable_crypto> portable;
  sigv4kit::basic_signer<test::streaming_only_crypto> reference;
  const header hs[] = {{"Host", "examplebucket.s3.amazonaws.com"}, {"X-Amz-Meta-A", " a  b "}, {"x-amz-meta-a", "c"},
                       {"Range", "bytes=0-9"}};
  const std::string long_body(300, 'b');
  for (int variant = 0; variant < 8; ++variant) {
    signing_params p = test::suite_params();
    p.service = "s3";
    if (variant & 1) p.credentials.session_token = "TOKEN+/=";
    if (variant & 2) p.sign_session_token = false;
    if (variant & 4) p.add_content_sha256 = true;
    for (auto mode : {signing_mode::header, signing_mode::query}) {
      p.mode = mode;
      for (const std::string& body : {std::string(), long_body}) {
        request r{"PUT", "https://examplebucket.s3.amazonaws.com/a%20b/c?x=1&a=", hs, body, ""};
        INFO("variant " << variant << (mode == signing_mode::header ? " header" : " query") << " body " << body.size());
        const std::string want = whole_output(reference, r, p);
        REQUIRE(want.rfind("error", 0) != 0);
        CHECK(whole_output(fast, r, p) == want);
        CHECK(whole_output(portable, r, p) == want);
      }
    }
  }
}

TEST_CASE("A key-cache miss signs as a hit does, at every canonical request length", "[signer][cache]") {
  // On a miss the signer writes the canonical request before the key is derived and hashes
  // it alongside the derivation (its blocks in the sink's buffer, the padded tail laid out);
  // a canonical request longer than that buffer is hashed as it comes. On a hit it is hashed
  // as it is written. Canonical requests of ~240 to ~1,140 bytes, a byte apart (4 to 18
  // blocks: fewer and more than the derivation's 8 free places; every tail length; around
  // the 512-byte buffer), each signed by a new signer (a miss), again by it (a hit), and by
  // the reference backend (no block function: no derivation alongside), both modes.
  sigv4kit::basic_signer<test::streaming_only_crypto> reference;
  for (auto mode : {signing_mode::header, signing_mode::query}) {
    for (std::size_t n = 0; n <= 900; ++n) {
      const std::string value(n, 'v');
      const header hs[] = {{"Host", "examplebucket.s3.amazonaws.com"}, {"X-Amz-Meta-Pad", value}};
      request r{"GET", "https://examplebucket.s3.amazonaws.com/a%20b/c?x=1&a=", hs, "", "UNSIGNED-PAYLOAD"};
      signing_params p = test::suite_params();
      p.service = "s3";
      p.mode = mode;
      sigv4kit::signer s;
      const test::signed_out miss = test::sign(r, p, &s), hit = test::sign(r, p, &s), ref = test::sign(r, p, &reference);
      INFO((mode == signing_mode::header ? "header" : "query") << " mode, canonical request of " << ref.canonical.size()
                                                                 << " bytes");
      REQUIRE(ref.ok);
      CHECK(miss.signature == ref.signature);
      CHECK(hit.signature == ref.signature);
      CHECK(miss.canonical == ref.canonical);  // (the debug sink sees the same bytes)
      CHECK(miss.string_to_sign == ref.string_to_sign);
    }
  }
}

#ifndef SIGV4KIT_SMALL_SHA256
TEST_CASE("Header mode writes its output while the last hashes run", "[signer]") {
  sigv4kit::basic_signer<watching_crypto> s;
  request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  char out[1024];
  REQUIRE(s.sign(r, test::suite_params(), out));  // (derives and caches the key)
  std::memset(out, 0x7f, sizeof out);
  watched_out = out;
  written_at_compression.clear();
  auto res = s.sign(r, test::suite_params(), out);
  watched_out = nullptr;
  REQUIRE(res);
  CHECK(res->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");  // get-vanilla
  const std::size_t before_signature = static_cast<std::size_t>(res->signature.data() - out);
  // Some compression ran with part of the output written: the writing was spread over them.
  bool partly = false;
  for (std::size_t k : written_at_compression) partly |= k > 0 && k < before_signature;
  CHECK(partly);
  CHECK(written_at_compression.back() == before_signature);  // all of it before the last one
}
#endif

TEST_CASE("Output buffer too small: nothing is written", "[signer]") {
  sigv4kit::signer s;
  request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  for (auto mode : {signing_mode::header, signing_mode::query}) {
    signing_params p = test::suite_params();
    p.mode = mode;
    char small[100];
    std::memset(small, 0x7f, sizeof small);
    auto res = s.sign(r, p, small);
    REQUIRE_FALSE(res);
    CHECK(res.err().kind() == sigv4kit::error_kind::buffer_too_small);
    CHECK(std::count(small, small + sizeof small, '\x7f') == static_cast<long>(sizeof small));
  }
}
