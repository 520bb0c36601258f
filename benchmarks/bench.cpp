// sigv4kit-bench: Google Benchmark suite for the signer.
//
//   sign/<case>/warm      a signer whose key cache already holds the derived key
//   sign/<case>/cold      a new signer (new scope) every iteration: the key is derived
//   sign/<case>/warm-new-second  warm, but every signature in another second than the last,
//                         so the key cache's remembered first block of the string to sign
//                         never applies (a moving clock's first signature in each second)
//   floor/<case>          exactly the SHA-256 compressions a warm signature of <case> needs
//                         (canonical request blocks + HMAC inner blocks + 1 outer block),
//                         with the default SHA-256 path: the physical floor
//   glue/<case>           a warm signature of <case> with its texts known in advance: the
//                         hashing and copying a signature needs without reading the request
//                         (see bm_glue)
//   sha256/<path>/<bytes> hashing throughput per available SHA-256 path
//   openssl_naive/<case>  the textbook algorithm on OpenSSL (key derived every time, canonical
//                         request built as a std::string), when built with OpenSSL
//
// The cases are read from shared/bench/workload.json (SIGV4KIT_WORKLOAD or the path compiled
// in); each signature is checked against the case's expected_signature before timing.
// Counter allocs_per_signature counts global operator new and malloc calls per iteration.
#include <benchmark/benchmark.h>
#include <sigv4kit/sigv4kit.hpp>

#include "machine.hpp"

#include "../tools/sigv4kit/json.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <vector>

#if defined(SIGV4KIT_BENCH_OPENSSL)
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#endif

// ---- allocation counting ---------------------------------------------------------------
// operator new/delete below are malloc/free; GCC cannot see that pairing through inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
thread_local std::uint64_t allocation_count = 0;
}
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" {
void* malloc(std::size_t n) {
  ++allocation_count;
  return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
  ++allocation_count;
  return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
  ++allocation_count;
  return __libc_realloc(p, n);
}
}
void* operator new(std::size_t n) {
  if (void* p = malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

// ---- the workload ------------------------------------------------------------------------
struct bench_case {
  std::string name, mode, region, service, method, url, body, payload_hash, expected;
  std::vector<std::pair<std::string, std::string>> header_text;
  std::vector<sigv4kit::header> headers;
  bool token = false, s3 = false;
  unsigned expires = 3600;
  sigv4kit::request req;
  sigv4kit::signing_params params;
  std::size_t floor_blocks = 0;
  // What a warm signature produces, for glue/<case>: the canonical request, the string to
  // sign, and the output written before the signature.
  std::string canonical, string_to_sign, output_prefix;
};

struct workload {
  std::string akid, secret, token, timestamp;
  std::vector<std::unique_ptr<bench_case>> cases;
};

workload& the_workload() {
  static workload w;
  return w;
}

std::string str(const sigv4kit_cli::json::document& d, const sigv4kit_cli::json::node& obj, const char* key) {
  const auto* n = d.member(obj, key);
  return n ? n->text : std::string();
}

bool load_workload(const std::string& path, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "cannot open " + path + " (set SIGV4KIT_WORKLOAD to shared/bench/workload.json)";
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  static sigv4kit_cli::json::document doc;
  static std::string keep;
  keep = text;
  if (!doc.parse(keep)) {
    why = path + ": " + doc.error();
    return false;
  }
  workload& w = the_workload();
  const auto& root = doc.root();
  const auto* cr = doc.member(root, "credentials");
  w.akid = str(doc, *cr, "access_key_id");
  w.secret = str(doc, *cr, "secret_access_key");
  w.token = str(doc, *cr, "session_token");
  w.timestamp = str(doc, root, "timestamp");
  const auto* cases = doc.member(root, "cases");
  for (std::uint32_t i = cases->first; i != sigv4kit_cli::json::none; i = doc.at(i).next) {
    const auto& c = doc.at(i);
    auto bc = std::make_unique<bench_case>();
    bc->name = str(doc, c, "name");
    bc->mode = str(doc, c, "mode");
    bc->region = str(doc, c, "region");
    bc->service = str(doc, c, "service");
    bc->method = str(doc, c, "method");
    bc->url = str(doc, c, "url");
    bc->body = str(doc, c, "body");
    bc->payload_hash = str(doc, c, "payload_hash");
    if (bc->payload_hash == "sha256-of-body") bc->payload_hash.clear();
    bc->expected = str(doc, c, "expected_signature");
    if (const auto* t = doc.member(c, "session_token")) bc->token = t->boolean;
    if (const auto* s = doc.member(c, "s3_path_rules")) bc->s3 = s->boolean;
    if (const auto* e = doc.member(c, "expires")) bc->expires = static_cast<unsigned>(std::atoi(std::string(e->raw).c_str()));
    const auto* hs = doc.member(c, "headers");
    for (std::uint32_t h = hs->first; h != sigv4kit_cli::json::none; h = doc.at(h).next) {
      const auto& pair = doc.at(h);
      bc->header_text.emplace_back(doc.at(pair.first).text, doc.at(doc.at(pair.first).next).text);
    }
    for (auto& h : bc->header_text) bc->headers.push_back({h.first, h.second});
    bc->req = sigv4kit::request{bc->method, bc->url, bc->headers, bc->body, bc->payload_hash};
    sigv4kit::signing_params& p = bc->params;
    p.credentials = {w.akid, w.secret, bc->token ? std::string_view(w.token) : std::string_view()};
    p.region = bc->region;
    p.service = bc->service;
    p.timestamp = w.timestamp;
    p.use_s3_rules(bc->s3);
    p.mode = bc->mode == "query" ? sigv4kit::signing_mode::query : sigv4kit::signing_mode::header;
    p.expires = bc->expires;
    w.cases.push_back(std::move(bc));
  }
  return true;
}

// Checks the signature and keeps the canonical request, string to sign and output prefix.
bool verify(bench_case& c, std::string& why) {
  sigv4kit::signer s;
  sigv4kit::signing_params p = c.params;
  c.canonical.clear();
  c.string_to_sign.clear();
  p.debug_sink = [](void* u, int part, const char* d, std::size_t n) {
    auto& cs = *static_cast<bench_case*>(u);
    (part == 0 ? cs.canonical : cs.string_to_sign).append(d, n);
  };
  p.debug_user = &c;
  char out[4096];
  auto r = s.sign(c.req, p, out);
  if (!r) {
    why = std::string(r.err().message());
    return false;
  }
  if (r->signature != c.expected) {
    why = "signature " + std::string(r->signature) + " != expected " + c.expected;
    return false;
  }
  c.output_prefix.assign(out, static_cast<std::size_t>(r->signature.data() - out));
  // SHA-256 blocks for n bytes: n + 0x80 + 8-byte length, rounded up to 64.
  auto blocks = [](std::size_t n) { return (n + 9 + 63) / 64; };
  // The HMAC inner hash continues from the ipad midstate (64 bytes already absorbed).
  c.floor_blocks = blocks(c.canonical.size()) + (blocks(64 + c.string_to_sign.size()) - 1) + 1;
  if (!c.payload_hash.size() && !c.body.empty()) c.floor_blocks += blocks(c.body.size());
  return true;
}

// ---- signing -----------------------------------------------------------------------------
// This thread's CPU time in ns (what Google Benchmark's cpu_time reports for one thread).
double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// The floor of a case as floor/<case> measures it (its compressions, one update call each),
// measured here in the same process and moment as the signatures it is compared with, so
// that a run filtered to sign/<case>/warm still has it: CPU ns per iteration over 18,000
// iterations (the mean, as the timed loop's figure is).
double measure_floor(std::size_t nblocks) {
  using crypto = sigv4kit::default_crypto;
  alignas(64) unsigned char block[64] = {1, 2, 3};
  crypto::sha256_context ctx;
  crypto::init(ctx);
  const int iterations = 18000;
  const double t0 = thread_cpu_ns();
  for (int k = 0; k < iterations; ++k) {
    for (std::size_t i = 0; i < nblocks; ++i) crypto::update(ctx, block, 64);
    benchmark::DoNotOptimize(ctx);
  }
  return (thread_cpu_ns() - t0) / iterations;
}

// Counters floor_ns (see measure_floor: the mean of one measurement just before the timed
// loop and one just after, as this VM's speed drifts within a run) and x_floor (the timed
// loop's CPU time per signature over it): the ratio the performance target is set in.
void bm_sign_warm(benchmark::State& state, bench_case* c) {
  static sigv4kit::signer shared;  // shared by the threads of a multi-threaded run
  char out[4096];
  (void)shared.sign(c->req, c->params, out);  // warm the cache
  const double floor_before = measure_floor(c->floor_blocks);
  std::uint64_t before = allocation_count;
  const double t0 = thread_cpu_ns();
  for (auto _ : state) {
    auto r = shared.sign(c->req, c->params, out);
    benchmark::DoNotOptimize(r);
  }
  const double per_signature = (thread_cpu_ns() - t0) / static_cast<double>(state.iterations());
  const std::uint64_t allocations = allocation_count - before;
  const double floor_ns = (floor_before + measure_floor(c->floor_blocks)) / 2;
  state.counters["allocs_per_signature"] = benchmark::Counter(
      static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
  state.counters["signatures/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["floor_ns"] = benchmark::Counter(floor_ns, benchmark::Counter::kAvgThreads);
  state.counters["x_floor"] = benchmark::Counter(per_signature / floor_ns, benchmark::Counter::kAvgThreads);
}

// Warm, but each signature in a later second than the one before (up to 32768 seconds, all
// within the workload's date), so the string to sign's first block is never the one the key
// cache remembers: the cost of the first signature in each second with a moving clock.
void bm_sign_warm_new_second(benchmark::State& state, bench_case* c) {
  const std::string t0(c->params.timestamp);
  const int day_second = std::stoi(t0.substr(9, 2)) * 3600 + std::stoi(t0.substr(11, 2)) * 60 + std::stoi(t0.substr(13, 2));
  const int n = std::min(32768, 86400 - day_second);
  std::vector<std::array<char, 16>> times(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const int s = day_second + k, hms[3] = {s / 3600, s / 60 % 60, s % 60};
    char* t = times[static_cast<std::size_t>(k)].data();
    std::copy(t0.begin(), t0.begin() + 16, t);  // YYYYMMDDT......Z
    for (int j = 0; j < 3; ++j) {
      t[9 + 2 * j] = static_cast<char>('0' + hms[j] / 10);
      t[10 + 2 * j] = static_cast<char>('0' + hms[j] % 10);
    }
  }
  sigv4kit::signer s;
  char out[4096];
  (void)s.sign(c->req, c->params, out);  // the key is cached
  sigv4kit::signing_params p = c->params;
  std::size_t i = 0;
  std::uint64_t before = allocation_count;
  for (auto _ : state) {
    p.timestamp = std::string_view(times[i].data(), 16);
    if (++i == times.size()) i = 0;  // (then earlier seconds: still not the remembered block)
    auto r = s.sign(c->req, p, out);
    benchmark::DoNotOptimize(r);
  }
  state.counters["allocs_per_signature"] = benchmark::Counter(
      static_cast<double>(allocation_count - before), benchmark::Counter::kAvgIterations);
  state.counters["signatures/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void bm_sign_cold(benchmark::State& state, bench_case* c) {
  char out[4096];
  std::uint64_t before = allocation_count;
  for (auto _ : state) {
    sigv4kit::signer fresh;  // new scope: empty key cache, so the signing key is derived
    auto r = fresh.sign(c->req, c->params, out);
    benchmark::DoNotOptimize(r);
  }
  state.counters["allocs_per_signature"] = benchmark::Counter(
      static_cast<double>(allocation_count - before), benchmark::Counter::kAvgIterations);
  state.counters["signatures/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ---- the glue: a warm signature without canonicalisation ---------------------------------
// Everything a warm signature does but reading the request: the canonical request's text is
// known (copied into place whole), the key state after the string to sign's first lines is
// at hand (as the key cache keeps it), the output before the signature is known (copied in
// three pieces between the last compressions, as the signer writes it). It hashes the body
// (when the case has one), the canonical request, the hash line and the HMAC's outer block,
// and writes the signature. What glue/<case> takes beyond floor/<case> is the cost of
// hashing a signature's way at all; what sign/<case>/warm takes beyond glue/<case> is the
// cost of reading, checking and canonicalising the request.
void bm_glue(benchmark::State& state, bench_case* c) {
  using crypto = sigv4kit::default_crypto;
  const std::string& sts = c->string_to_sign;
  const std::string& pre = c->output_prefix;
  const std::string_view date(sts.data() + 17, 8);  // "AWS4-HMAC-SHA256\n" YYYYMMDD...
  sigv4kit::hmac_key<crypto> started =
      sigv4kit::derive_signing_key<crypto>(c->params.credentials.secret_access_key, date, c->region, c->service);
  started.update_inner(sts.data(), sts.size() - 64);  // all but the hash line
  const bool body = c->payload_hash.empty() && !c->body.empty();
  alignas(64) char buf[2048];
  char out[4096], body_hex[64], line[64];
  auto sign_once = [&] {
    if (body) {
      unsigned char d[32];
      sigv4kit::sha256<crypto>::hash(c->body.data(), c->body.size(), d);
      sigv4kit::detail::to_hex(d, 32, body_hex);
      benchmark::DoNotOptimize(body_hex);
    }
    std::copy(c->canonical.begin(), c->canonical.end(), buf);
    std::size_t step = 0;
    auto between = [&] {
      if (step == 3) return;
      const std::size_t b = step * (pre.size() / 3), e = step == 2 ? pre.size() : b + pre.size() / 3;
      std::copy(pre.data() + b, pre.data() + e, out + b);
      ++step;
    };
    crypto::sha256_context ctx;
    crypto::init(ctx);
    unsigned char d[32], mac[32];
    sigv4kit::detail::sha256_update_finish<crypto>(ctx, buf, c->canonical.size(), d, between);
    sigv4kit::detail::to_hex(d, 32, line);
    sigv4kit::hmac_key<crypto> k = started;
    k.finish_mac(line, 64, mac, between);
    while (step < 3) between();
    sigv4kit::detail::to_hex(mac, 32, out + pre.size());
  };
  sign_once();
  if (std::string(out, pre.size() + 64) != pre + c->expected) {
    state.SkipWithError("glue does not reproduce the expected signature");
    return;
  }
  for (auto _ : state) {
    sign_once();
    benchmark::DoNotOptimize(out);
  }
  state.counters["signatures/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// ---- the floor and raw SHA-256 ----------------------------------------------------------
template <class Crypto>
void bm_blocks(benchmark::State& state, std::size_t nblocks) {
  alignas(64) unsigned char block[64] = {1, 2, 3};
  typename Crypto::sha256_context ctx;
  Crypto::init(ctx);
  for (auto _ : state) {
    // Each block is a separate compression, as in a signature (no multi-block batching).
    for (std::size_t i = 0; i < nblocks; ++i) Crypto::update(ctx, block, 64);
    benchmark::DoNotOptimize(ctx);
  }
  state.counters["compressions"] = static_cast<double>(nblocks);
}

template <class Crypto>
void bm_sha256(benchmark::State& state) {
  std::vector<unsigned char> data(static_cast<std::size_t>(state.range(0)), 0x5a);
  unsigned char digest[32];
  for (auto _ : state) {
    sigv4kit::sha256<Crypto>::hash(data.data(), data.size(), digest);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

#if defined(SIGV4KIT_BENCH_OPENSSL)
// ---- the textbook baseline on OpenSSL -----------------------------------------------------
std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}
std::string sha256_hex(const std::string& s) {
  unsigned char d[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return hex(d, 32);
}
std::string hmac(const std::string& key, const std::string& msg) {
  unsigned char d[32];
  unsigned int n = 32;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), d, &n);
  return std::string(reinterpret_cast<char*>(d), 32);
}
std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
std::string uri_encode(const std::string& s, bool keep_slash) {
  std::string o;
  char buf[4];
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
      o += static_cast<char>(ch);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      o += buf;
    }
  }
  return o;
}

// The algorithm as AWS documents it, with no caching and strings everywhere (the workload's
// URLs are already canonically encoded, so the query is split and sorted as written).
std::string naive_sign(const bench_case& c, const workload& w) {
  std::string url = c.url;
  std::size_t after_scheme = url.find("://") + 3;
  std::size_t path_at = url.find('/', after_scheme);
  std::size_t q = url.find('?');
  std::string path = url.substr(path_at, q == std::string::npos ? std::string::npos : q - path_at);
  std::string query = q == std::string::npos ? "" : url.substr(q + 1);
  std::string date = w.timestamp.substr(0, 8);
  std::string scope = date + "/" + c.region + "/" + c.service + "/aws4_request";
  bool query_mode = c.mode == "query";
  std::vector<std::pair<std::string, std::string>> hs;
  for (auto& h : c.header_text) {
    std::string n = lower(h.first);
    if (n == "user-agent" || (c.s3 && !query_mode && n == "x-amz-content-sha256")) continue;
    hs.emplace_back(n, h.second);
  }
  std::string payload = c.payload_hash.empty() ? sha256_hex(c.body) : c.payload_hash;
  if (!query_mode) {
    hs.emplace_back("x-amz-date", w.timestamp);
    if (c.s3) hs.emplace_back("x-amz-content-sha256", payload);
    if (c.token) hs.emplace_back("x-amz-security-token", w.token);
  }
  std::sort(hs.begin(), hs.end());
  std::string signed_headers;
  for (auto& h : hs) signed_headers += (signed_headers.empty() ? "" : ";") + h.first;
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t at = 0;
  while (at < query.size()) {
    std::size_t amp = query.find('&', at);
    if (amp == std::string::npos) amp = query.size();
    std::string kv = query.substr(at, amp - at);
    std::size_t eq = kv.find('=');
    params.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    at = amp + 1;
  }
  if (query_mode) {
    params.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    params.emplace_back("X-Amz-Credential", uri_encode(w.akid + "/" + scope, false));
    params.emplace_back("X-Amz-Date", w.timestamp);
    params.emplace_back("X-Amz-Expires", std::to_string(c.expires));
    params.emplace_back("X-Amz-SignedHeaders", uri_encode(signed_headers, false));
    if (c.token) params.emplace_back("X-Amz-Security-Token", uri_encode(w.token, false));
  }
  std::sort(params.begin(), params.end());
  std::string cq;
  for (auto& p : params) cq += (cq.empty() ? "" : "&") + p.first + "=" + p.second;
  std::string canonical = c.method + "\n" + (c.s3 ? path : uri_encode(path, true)) + "\n" + cq + "\n";
  for (auto& h : hs) canonical += h.first + ":" + h.second + "\n";
  canonical += "\n" + signed_headers + "\n" + payload;
  std::string sts = "AWS4-HMAC-SHA256\n" + w.timestamp + "\n" + scope + "\n" + sha256_hex(canonical);
  std::string k = hmac("AWS4" + w.secret, date);
  k = hmac(k, c.region);
  k = hmac(k, c.service);
  k = hmac(k, "aws4_request");
  std::string sig = hmac(k, sts);
  return hex(reinterpret_cast<const unsigned char*>(sig.data()), 32);
}

void bm_openssl_naive(benchmark::State& state, bench_case* c) {
  const workload& w = the_workload();
  std::string first = naive_sign(*c, w);
  if (first != c->expected) {
    state.SkipWithError(("naive baseline signature " + first + " != expected").c_str());
    return;
  }
  std::uint64_t before = allocation_count;
  for (auto _ : state) {
    std::string s = naive_sign(*c, w);
    benchmark::DoNotOptimize(s);
  }
  state.counters["allocs_per_signature"] = benchmark::Counter(
      static_cast<double>(allocation_count - before), benchmark::Counter::kAvgIterations);
  state.counters["signatures/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
#endif

void register_all() {
  for (auto& up : the_workload().cases) {
    bench_case* c = up.get();
    std::string why;
    if (!verify(*c, why)) {
      std::fprintf(stderr, "sigv4kit-bench: case %s: %s\n", c->name.c_str(), why.c_str());
      std::exit(1);
    }
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(("sign/" + c->name + "/warm").c_str(), bm_sign_warm, c)->Threads(threads)->UseRealTime();
      benchmark::RegisterBenchmark(("sign/" + c->name + "/cold").c_str(), bm_sign_cold, c)->Threads(threads)->UseRealTime();
    }
    benchmark::RegisterBenchmark(("sign/" + c->name + "/warm-new-second").c_str(), bm_sign_warm_new_second, c)->UseRealTime();
    benchmark::RegisterBenchmark(("floor/" + c->name).c_str(), bm_blocks<sigv4kit::default_crypto>, c->floor_blocks);
    benchmark::RegisterBenchmark(("glue/" + c->name).c_str(), bm_glue, c);
#if defined(SIGV4KIT_BENCH_OPENSSL)
    benchmark::RegisterBenchmark(("openssl_naive/" + c->name).c_str(), bm_openssl_naive, c);
#endif
  }
  auto sizes = [](benchmark::internal::Benchmark* b) {
    for (std::int64_t n : {64, 256, 1024, 4096, 16384, 65536, 1 << 20}) b->Arg(n);
  };
  sizes(benchmark::RegisterBenchmark("sha256/portable", bm_sha256<sigv4kit::portable_crypto>));
  benchmark::RegisterBenchmark("sha256_block/portable", bm_blocks<sigv4kit::portable_crypto>, std::size_t(1));
#if SIGV4KIT_HAVE_SHANI
  if (sigv4kit::detail::cpu_has_shani()) {
    sizes(benchmark::RegisterBenchmark("sha256/shani", bm_sha256<sigv4kit::shani_crypto>));
    benchmark::RegisterBenchmark("sha256_block/shani", bm_blocks<sigv4kit::shani_crypto>, std::size_t(1));
  }
#endif
#if SIGV4KIT_HAVE_ARMV8_SHA2
  if (sigv4kit::detail::cpu_has_armv8_sha2()) {
    sizes(benchmark::RegisterBenchmark("sha256/armv8", bm_sha256<sigv4kit::armv8_crypto>));
    benchmark::RegisterBenchmark("sha256_block/armv8", bm_blocks<sigv4kit::armv8_crypto>, std::size_t(1));
  }
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("SIGV4KIT_WORKLOAD");
  std::string path = env ? env : SIGV4KIT_WORKLOAD_PATH;
  std::string why;
  if (!load_workload(path, why)) {
    std::fprintf(stderr, "sigv4kit-bench: %s\n", why.c_str());
    return 1;
  }
  benchmark::AddCustomContext("cpu_model", bench::cpu_model());
  benchmark::AddCustomContext("sha256_default_path", bench::sha256_path());
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
