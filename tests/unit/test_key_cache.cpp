// The signing-key cache: hit, miss, eviction, rotation, wiping, concurrent use.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

namespace {
std::string mac_hex(const sigv4kit::hmac_key<>& key) {
  sigv4kit::hmac<> h(key);
  h.update("m", 1);
  unsigned char d[32];
  h.finish(d);
  return test::hex(d, 32);
}
}  // namespace

TEST_CASE("Key cache: miss then hit, same key as a fresh derivation", "[cache]") {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 4> cache;
  bool hit = true;
  auto k1 = cache.get("AKID", "secret", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  auto k2 = cache.get("AKID", "secret", "20150830", "us-east-1", "s3", &hit);
  CHECK(hit);
  auto fresh = sigv4kit::derive_signing_key<>("secret", "20150830", "us-east-1", "s3");
  CHECK(mac_hex(k1) == mac_hex(fresh));
  CHECK(mac_hex(k2) == mac_hex(fresh));
  CHECK(cache.size() == 1);
  // Every part of the identity matters.
  cache.get("AKID", "secret", "20150831", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  cache.get("AKID", "secret", "20150830", "us-west-2", "s3", &hit);
  CHECK_FALSE(hit);
  cache.get("AKID", "secret", "20150830", "us-east-1", "sts", &hit);
  CHECK_FALSE(hit);
  cache.get("AKID2", "secret", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(cache.size() == 4);
}

TEST_CASE("Key cache: a rotated secret under the same key id never hits the old entry", "[cache]") {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 4> cache;
  bool hit = true;
  auto old_key = cache.get("AKID", "old-secret", "20150830", "us-east-1", "s3", &hit);
  auto new_key = cache.get("AKID", "new-secret", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(mac_hex(old_key) != mac_hex(new_key));
  CHECK(mac_hex(new_key) == mac_hex(sigv4kit::derive_signing_key<>("new-secret", "20150830", "us-east-1", "s3")));
  // Same length, one byte different.
  cache.get("AKID", "new-secreT", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
}

TEST_CASE("Key cache: bounded, first-in-first-out eviction, clear", "[cache]") {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 2> cache;
  bool hit = false;
  cache.get("A", "s", "20150830", "r", "one", &hit);
  cache.get("A", "s", "20150830", "r", "two", &hit);
  cache.get("A", "s", "20150830", "r", "three", &hit);  // evicts "one"
  CHECK(cache.size() == 2);
  cache.get("A", "s", "20150830", "r", "two", &hit);
  CHECK(hit);
  cache.get("A", "s", "20150830", "r", "three", &hit);
  CHECK(hit);
  cache.get("A", "s", "20150830", "r", "one", &hit);
  CHECK_FALSE(hit);
  cache.clear();
  CHECK(cache.size() == 0);
  cache.get("A", "s", "20150830", "r", "two", &hit);
  CHECK_FALSE(hit);
}

TEST_CASE("Key cache: identities too long to store are derived every time, correctly", "[cache]") {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 2> cache;
  std::string long_secret(300, 'k');
  bool hit = true;
  auto k = cache.get("AKID", long_secret, "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  cache.get("AKID", long_secret, "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(cache.size() == 0);
  CHECK(mac_hex(k) == mac_hex(sigv4kit::derive_signing_key<>(long_secret, "20150830", "us-east-1", "s3")));
}

TEST_CASE("Key cache: no cache at all (capacity 0) still signs", "[cache]") {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 0> cache;
  bool hit = true;
  auto k = cache.get("AKID", "secret", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(mac_hex(k) == mac_hex(sigv4kit::derive_signing_key<>("secret", "20150830", "us-east-1", "s3")));
}

TEST_CASE("Key cache: entries are wiped on clear", "[cache]") {
  using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 1>;
  alignas(cache_t) unsigned char storage[sizeof(cache_t)];
  cache_t* cache = new (storage) cache_t();
  const char* secret = "UNIQUESECRETVALUE1234567890";
  cache->get("AKID", secret, "20150830", "us-east-1", "s3");
  auto contains = [&](const char* needle) {
    std::size_t n = std::strlen(needle);
    for (std::size_t i = 0; i + n <= sizeof storage; ++i)
      if (std::memcmp(storage + i, needle, n) == 0) return true;
    return false;
  };
  CHECK(contains(secret));  // the cache keeps a copy to compare against
  cache->clear();
  CHECK_FALSE(contains(secret));
  cache->~cache_t();
}

TEST_CASE("Signer: concurrent signing on one shared signer gives correct signatures", "[cache][threads]") {
  sigv4kit::signer shared;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        // Alternate two dates so entries are inserted and hit concurrently.
        bool other = (i + t) % 2 == 1;
        sigv4kit::signing_params p;
        p.credentials = {test::suite_akid, test::suite_secret, {}};
        p.region = "us-east-1";
        p.service = "service";
        p.timestamp = other ? "20150831T123600Z" : "20150830T123600Z";
        sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
        char buf[1024];
        auto res = shared.sign(r, p, buf);
        if (!res) {
          ++bad;
          continue;
        }
        if (!other && res->signature != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  CHECK(shared.cache().size() == 2);
}
