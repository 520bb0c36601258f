// sigv4kit-demo: signs and presigns the requests of shared/bench/workload.json (written in
// here, so the demo needs no files), checks each signature against the workload's
// expected_signature, and prints ns per signature and signatures per second.
//
// This is a quick demonstration, not the benchmark suite: it times a warm signer (derived key
// cached) with std::chrono over a fixed number of rounds and reports the median round.
#include <sigv4kit/sigv4kit.hpp>

#include "machine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct workload_case {
  const char* name;
  sigv4kit::request req;
  sigv4kit::signing_params params;
  const char* expected;
};

// shared/bench/workload.json: credentials, clock and requests.
constexpr std::string_view akid = "AKIDEXAMPLE";
constexpr std::string_view secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view token = "FQoGZXIvYXdzEXAMPLESESSIONTOKENFORBENCHMARKSONLYxyz0123456789abcdefABCDEF==";
constexpr std::string_view clock_time = "20150830T123600Z";

const sigv4kit::header s3_get_headers[] = {{"Host", "examplebucket.s3.us-east-1.amazonaws.com"},
                                           {"Range", "bytes=0-1048575"},
                                           {"User-Agent", "bench/1.0"},
                                           {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
const sigv4kit::header sts_headers[] = {{"Host", "sts.us-east-1.amazonaws.com"},
                                        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
const sigv4kit::header presign_headers[] = {{"Host", "examplebucket.s3.eu-west-1.amazonaws.com"}};

std::vector<workload_case> make_cases() {
  std::vector<workload_case> v;
  sigv4kit::signing_params p;
  p.timestamp = clock_time;

  p.credentials = {akid, secret, {}};
  p.region = "us-east-1";
  p.service = "s3";
  p.use_s3_rules();
  v.push_back({"s3-get",
               {"GET",
                "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2015/08/cat%20picture.jpg"
                "?versionId=3HL4kqtJlcpXroDTDmJ%2Bq&response-content-type=image%2Fjpeg",
                s3_get_headers, "", sigv4kit::payload::unsigned_payload},
               p,
               "ccb426c6838465c42d69ca7721952202eb74d1ccc59afbc3f8638fe58330e47e"});

  p = sigv4kit::signing_params{};
  p.timestamp = clock_time;
  p.credentials = {akid, secret, token};
  p.region = "us-east-1";
  p.service = "sts";
  v.push_back({"sts-assume-role",
               {"POST", "https://sts.us-east-1.amazonaws.com/", sts_headers,
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
                "&RoleSessionName=n8n-session&ExternalId=unique-external-id-1234&DurationSeconds=3600",
                ""},
               p,
               "396bdc39da95c223f93ab6e35c0d008c1d7e6d8422c276ec09cf9435e6ca0a0d"});

  p = sigv4kit::signing_params{};
  p.timestamp = clock_time;
  p.credentials = {akid, secret, token};
  p.region = "eu-west-1";
  p.service = "s3";
  p.use_s3_rules();
  p.mode = sigv4kit::signing_mode::query;
  p.expires = 3600;
  v.push_back({"s3-presign",
               {"GET", "https://examplebucket.s3.eu-west-1.amazonaws.com/reports/2015/q3%20summary.pdf",
                presign_headers, "", sigv4kit::payload::unsigned_payload},
               p,
               "655d98fce7431ae5b839fe26b551fa20a98a2ebc0402f71009e56011680a20f2"});
  return v;
}

}  // namespace

int main() {
  sigv4kit::signer signer;
  char out[4096];
  auto cases = make_cases();
  std::printf("sigv4kit %s demo on %s (%s SHA-256, one thread)\n\n", SIGV4KIT_VERSION_STRING,
              bench::cpu_model().c_str(), bench::sha256_path());
  int wrong = 0;
  for (auto& c : cases) {
    auto r = signer.sign(c.req, c.params, out);
    if (!r) {
      std::printf("%-16s ERROR %s: %.*s\n", c.name, std::string(sigv4kit::to_string(r.err().kind())).c_str(),
                  static_cast<int>(r.err().message().size()), r.err().message().data());
      ++wrong;
      continue;
    }
    bool ok = r->signature == c.expected;
    wrong += ok ? 0 : 1;
    std::printf("%-16s %s signature %.*s\n", c.name, ok ? "correct" : "WRONG  ", static_cast<int>(r->signature.size()),
                r->signature.data());
    if (c.params.mode == sigv4kit::signing_mode::query)
      std::printf("%-16s url %.*s\n", "", static_cast<int>(r->url.size()), r->url.data());
    else
      std::printf("%-16s Authorization: %.*s\n", "", static_cast<int>(r->authorization.size()),
                  r->authorization.data());
  }
  std::printf("\n%-16s %14s %16s\n", "case", "ns/signature", "signatures/s");
  for (auto& c : cases) {
    constexpr int rounds = 15, per_round = 20000;
    std::vector<double> ns;
    unsigned sink = 0;
    for (int round = 0; round < rounds; ++round) {
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < per_round; ++i) {
        auto r = signer.sign(c.req, c.params, out);
        sink += static_cast<unsigned char>(r->signature[0]);
      }
      auto t1 = std::chrono::steady_clock::now();
      ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / per_round);
    }
    std::sort(ns.begin(), ns.end());
    double median = ns[rounds / 2];
    std::printf("%-16s %14.0f %16.0f%s\n", c.name, median, 1e9 / median, sink ? "" : " ");
  }
  std::printf("\n(median of 15 rounds of 20,000 warm signatures; `sigv4kit-bench` has the full benchmarks)\n");
  return wrong == 0 ? 0 : 1;
}
