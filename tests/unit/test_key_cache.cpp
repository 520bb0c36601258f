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

// Every cache test runs over both implementations: plain entries (null_lock, one thread) and
// seqlock entries behind a mutex (the threaded default).
#ifdef SIGV4KIT_NO_THREADS
#define SIGV4KIT_TEST_LOCKS sigv4kit::null_lock
#else
#define SIGV4KIT_TEST_LOCKS sigv4kit::null_lock, sigv4kit::mutex_lock
#endif

TEMPLATE_TEST_CASE("Key cache: miss then hit, same key as a fresh derivation", "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 4> cache;
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

TEMPLATE_TEST_CASE("Key cache: a rotated secret under the same key id never hits the old entry", "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 4> cache;
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

TEMPLATE_TEST_CASE("Key cache: bounded, first-in-first-out eviction, clear", "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 2> cache;
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

TEMPLATE_TEST_CASE("Key cache: identities too long to store are derived every time, correctly", "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 2> cache;
  std::string long_secret(300, 'k');
  bool hit = true;
  auto k = cache.get("AKID", long_secret, "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  cache.get("AKID", long_secret, "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(cache.size() == 0);
  CHECK(mac_hex(k) == mac_hex(sigv4kit::derive_signing_key<>(long_secret, "20150830", "us-east-1", "s3")));
}

TEMPLATE_TEST_CASE("Key cache: no cache at all (capacity 0) still signs", "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 0> cache;
  bool hit = true;
  auto k = cache.get("AKID", "secret", "20150830", "us-east-1", "s3", &hit);
  CHECK_FALSE(hit);
  CHECK(mac_hex(k) == mac_hex(sigv4kit::derive_signing_key<>("secret", "20150830", "us-east-1", "s3")));
}

TEMPLATE_TEST_CASE("Key cache: entries are wiped on clear, on eviction and on destruction", "[cache]",
                   SIGV4KIT_TEST_LOCKS) {
  using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 1>;
  alignas(cache_t) unsigned char storage[sizeof(cache_t)];
  auto contains = [&](const void* needle, std::size_t n) {
    for (std::size_t i = 0; i + n <= sizeof storage; ++i)
      if (std::memcmp(storage + i, needle, n) == 0) return true;
    return false;
  };
  const std::string secret = "UNIQUESECRETVALUE1234567890";
  // The derived key as the cache stores it (its first 32 bytes: the inner midstate).
  unsigned char state[sigv4kit::hmac_key<>::state_size];
  sigv4kit::derive_signing_key<>(secret, "20150830", "us-east-1", "s3").store_state(state);
  // Any trace: the secret's tail as well (an entry overwritten in part keeps no whole copy).
  const std::string tail = secret.substr(secret.size() - 12);
  auto holds_entry = [&] { return contains(tail.data(), tail.size()) || contains(state, 32); };

  cache_t* cache = new (storage) cache_t();
  cache->get("AKID", secret, "20150830", "us-east-1", "s3");
  CHECK(contains(secret.data(), secret.size()));  // the cache keeps a copy to compare against
  CHECK(contains(state, 32));
  cache->clear();
  CHECK_FALSE(holds_entry());

  // Evicted by a shorter identity: the old bytes past the new ones must go too.
  cache->get("AKID", secret, "20150830", "us-east-1", "s3");
  cache->get("AKID", "x", "20150830", "us-east-1", "s3");
  CHECK(cache->size() == 1);
  CHECK_FALSE(holds_entry());

  cache->get("AKID", secret, "20150830", "us-east-1", "s3");
  CHECK(holds_entry());
  cache->~cache_t();
  CHECK_FALSE(holds_entry());
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
