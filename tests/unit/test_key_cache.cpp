// The signing-key cache: hit, miss, eviction, rotation, wiping, concurrent use.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "helpers.hpp"

namespace {
// Whether [needle, needle + n) occurs anywhere in [mem, mem + size): a secret left behind.
bool holds_bytes(const unsigned char* mem, std::size_t size, const void* needle, std::size_t n) {
  for (std::size_t i = 0; i + n <= size; ++i)
    if (std::memcmp(mem + i, needle, n) == 0) return true;
  return false;
}

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

  // At the limit (config.hpp: each part rounded up to whole words, on 32-bit targets one word
  // more; one-thread size builds, a length byte and the bytes of each part): with the other
  // four parts 8 bytes each, the longest secret an entry holds is stored, one byte more is not.
  using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 2>;
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  constexpr bool packed = std::is_same<TestType, sigv4kit::null_lock>::value;
#else
  constexpr bool packed = false;
#endif
  constexpr std::size_t w = sizeof(std::size_t);
  constexpr std::size_t others = 4 * ((8 + w - 1) / w * w) + (w < 8 ? w : 0);
  constexpr std::size_t longest = packed ? cache_t::id_bytes - 5 - 4 * 8 : (cache_t::id_bytes - others) / w * w;
  static_assert(longest <= 255, "a part is at most 255 bytes");
  for (std::size_t n : {longest, longest + 1}) {
    INFO("secret of " << n << " bytes");
    cache_t c;
    const std::string secret(n, 's');
    auto first = c.get("AKID0000", secret, "20150830", "region01", "service1", &hit);
    CHECK_FALSE(hit);
    auto second = c.get("AKID0000", secret, "20150830", "region01", "service1", &hit);
    CHECK(hit == (n == longest));
    CHECK(c.size() == (n == longest ? 1u : 0u));
    const std::string want = mac_hex(sigv4kit::derive_signing_key<>(secret, "20150830", "region01", "service1"));
    CHECK(mac_hex(first) == want);
    CHECK(mac_hex(second) == want);
  }
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
  auto contains = [&](const void* needle, std::size_t n) { return holds_bytes(storage, sizeof storage, needle, n); };
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

namespace {
// A backend that counts its compressions (the portable ones underneath).
std::atomic<long> counted_blocks{0};
void counting_compress(std::uint32_t* h, const unsigned char* p, std::size_t blocks) {
  counted_blocks += static_cast<long>(blocks);
  sigv4kit::detail::sha256_compress_portable(h, p, blocks);
}
using counting_crypto = sigv4kit::block_crypto<counting_compress>;

// "AWS4-HMAC-SHA256\n<time>\n<scope>\n" and a stand-in for the hash line: 133 bytes, as for
// the AWS suite's requests.
std::string string_to_sign(const char* time) {
  return std::string("AWS4-HMAC-SHA256\n") + time + "\n20150830/us-east-1/service/aws4_request\n" +
         std::string(64, 'a');
}
// The MAC of `sts` under the key, computed without the cache: derivation, then plain HMAC.
std::string reference_mac(const std::string& secret, const std::string& sts) {
  sigv4kit::hmac<counting_crypto> h(
      sigv4kit::derive_signing_key<counting_crypto>(secret, "20150830", "us-east-1", "service"));
  h.update(sts.data(), sts.size());
  unsigned char d[32];
  h.finish(d);
  return test::hex(d, 32);
}
// get_started with the string to sign's first `n` bytes, then the rest: the MAC, and the
// compressions that get_started made.
template <class Cache>
std::string started_mac(Cache& cache, const std::string& secret, const std::string& sts, std::size_t n,
                        long* blocks = nullptr) {
  long before = counted_blocks;
  auto key = cache.get_started("AKID", secret, "20150830", "us-east-1", "service", sts.data(), n);
  if (blocks) *blocks = counted_blocks - before;
  sigv4kit::hmac<counting_crypto> h(key);
  h.update(sts.data() + n, sts.size() - n);
  unsigned char d[32];
  h.finish(d);
  return test::hex(d, 32);
}
}  // namespace

TEMPLATE_TEST_CASE("Key cache: the string to sign's first block is remembered per entry, and only reused when equal",
                   "[cache]", SIGV4KIT_TEST_LOCKS) {
  sigv4kit::signing_key_cache<counting_crypto, TestType, 2> cache;
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const std::string t1 = string_to_sign("20150830T123600Z"), t2 = string_to_sign("20150830T123601Z");
  const std::size_t prefix = t1.size() - 64;  // the part known before the canonical request's hash
  long blocks = 0;
  // Speed builds remember the block; size builds (SIGV4KIT_OPTIMIZE_SIZE) compress it each time.
  const long reused = sigv4kit::hmac_key<counting_crypto>::compact_state ? 0 : 1;
  // A miss derives the key (18 compressions) and compresses the first block (1).
  CHECK(started_mac(cache, secret, t1, prefix, &blocks) == reference_mac(secret, t1));
  CHECK(blocks == 19);
  // The same second: the block's state comes from the cache, no compression at all (the
  // prefix's 5 bytes past the block stay buffered).
  CHECK(started_mac(cache, secret, t1, prefix, &blocks) == reference_mac(secret, t1));
  CHECK(blocks == reused);
  // A later second: one compression, and it replaces the stored block...
  CHECK(started_mac(cache, secret, t2, prefix, &blocks) == reference_mac(secret, t2));
  CHECK(blocks == 1);
  CHECK(started_mac(cache, secret, t2, prefix, &blocks) == reference_mac(secret, t2));
  CHECK(blocks == reused);
  // ...an earlier one is compressed each time, and does not replace it.
  for (int i = 0; i < 2; ++i) {
    CHECK(started_mac(cache, secret, t1, prefix, &blocks) == reference_mac(secret, t1));
    CHECK(blocks == 1);
  }
  CHECK(started_mac(cache, secret, t2, prefix, &blocks) == reference_mac(secret, t2));
  CHECK(blocks == reused);
  // Any length given: shorter than a block (nothing to remember), exactly one, several.
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(63), std::size_t(64), std::size_t(65),
                        std::size_t(128), std::size_t(129), t2.size()}) {
    INFO("n = " << n);
    CHECK(started_mac(cache, secret, t2, n) == reference_mac(secret, t2));
    CHECK(started_mac(cache, secret, t1, n) == reference_mac(secret, t1));
  }
}

TEMPLATE_TEST_CASE("Key cache: a remembered block belongs to its entry's whole identity", "[cache]", SIGV4KIT_TEST_LOCKS) {
  // One entry: a new secret replaces it, with the same scope and time (so the same block).
  sigv4kit::signing_key_cache<counting_crypto, TestType, 1> cache;
  const std::string t1 = string_to_sign("20150830T123600Z");
  const std::size_t prefix = t1.size() - 64;
  long blocks = 0;
  const long reused = sigv4kit::hmac_key<counting_crypto>::compact_state ? 0 : 1;
  CHECK(started_mac(cache, "secret-one", t1, prefix) == reference_mac("secret-one", t1));
  CHECK(started_mac(cache, "secret-two", t1, prefix, &blocks) == reference_mac("secret-two", t1));
  CHECK(blocks == 19);
  CHECK(started_mac(cache, "secret-two", t1, prefix, &blocks) == reference_mac("secret-two", t1));
  CHECK(blocks == reused);
  CHECK(started_mac(cache, "secret-one", t1, prefix, &blocks) == reference_mac("secret-one", t1));
  CHECK(blocks == 19);
  // An identity too long to store: derived each time, and correct.
  const std::string long_secret(300, 'k');
  CHECK(started_mac(cache, long_secret, t1, prefix, &blocks) == reference_mac(long_secret, t1));
  CHECK(started_mac(cache, long_secret, t1, prefix, &blocks) == reference_mac(long_secret, t1));
  CHECK(blocks == 24);  // "AWS4" + the secret, 304 bytes, is hashed into the first key: 5 more
}

// A hit needs the whole identity: at every length of each part from 0 to 40 (shorter than a
// word, and across 8-byte word boundaries), a single changed byte at every position of every
// part, one byte more or less, a NUL more (the same bytes, only the length differs), or a byte
// moved into the next part (the same text run together) must miss; the held identity must
// still hit, with the right key. (tests/embedded/key_cache.cpp does the same on the
// microcontroller, a 32-bit target.)
TEMPLATE_TEST_CASE("Key cache: a hit needs every byte of every part, at every length", "[cache]",
                   SIGV4KIT_TEST_LOCKS) {
  const std::string sts = string_to_sign("20150830T123600Z");
  const std::size_t prefix = sts.size() - 64;
  for (int part = 0; part < 5; ++part) {
    for (std::size_t len = 0; len <= 40; ++len) {
      std::string p[5] = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service"};
      p[part].clear();
      for (std::size_t i = 0; i < len; ++i) p[part] += static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(part)) % 26);
      using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 48>;  // (room for all)
      cache_t cache;
      auto mac = [&](const std::string (&q)[5], bool& hit) {
        typename cache_t::deferred later;  // (stored at once, as the signer does after signing)
        auto key = cache.get_started(q[0], q[1], q[2], q[3], q[4], sts.data(), prefix, &hit,
                                     sigv4kit::detail::always_true{}, nullptr, &later);
        cache.store(later);
        sigv4kit::hmac<> h(key);
        h.update(sts.data() + prefix, sts.size() - prefix);
        unsigned char d[32];
        h.finish(d);
        return test::hex(d, 32);
      };
      bool hit = true;
      const std::string first = mac(p, hit);  // a miss: derived and stored with its block
      CHECK_FALSE(hit);
      CHECK(mac(p, hit) == first);  // a hit: the identity and the first block
      CHECK(hit);
      sigv4kit::hmac<> ref(sigv4kit::derive_signing_key(p[1], p[2], p[3], p[4]));
      ref.update(sts.data(), sts.size());
      unsigned char d[32];
      ref.finish(d);
      CHECK(first == test::hex(d, 32));
      // One byte different anywhere, or one byte more or less: never a hit. (Each changed
      // identity is stored beside the original, which stays.)
      std::vector<std::string> changed;
      for (std::size_t i = 0; i < len; ++i) {
        std::string c = p[part];
        c[i] = static_cast<char>(c[i] ^ 0x20);
        changed.push_back(c);
      }
      changed.push_back(p[part] + "x");
      changed.push_back(p[part] + std::string(1, '\0'));  // the same words: only the length differs
      if (len) changed.push_back(p[part].substr(0, len - 1));
      // And the same bytes with the boundary between two parts moved (one byte from the end of
      // this part to the start of the next): the same text run together, other lengths.
      if (len && part < 4) {
        std::string q[5] = {p[0], p[1], p[2], p[3], p[4]};
        q[part + 1].insert(q[part + 1].begin(), q[part].back());
        q[part].pop_back();
        INFO("part " << part << ", length " << len << ": boundary moved");
        hit = true;
        (void)mac(q, hit);
        CHECK_FALSE(hit);
        CHECK(mac(p, hit) == first);
        CHECK(hit);
      }
      for (const std::string& c : changed) {
        std::string q[5] = {p[0], p[1], p[2], p[3], p[4]};
        q[part] = c;
        INFO("part " << part << ", length " << len << ": " << c);
        hit = true;
        (void)mac(q, hit);
        CHECK_FALSE(hit);
        CHECK(mac(p, hit) == first);  // the original, still held
        CHECK(hit);
      }
    }
  }
}

TEMPLATE_TEST_CASE("Key cache: a remembered block's state is wiped with its entry", "[cache]", SIGV4KIT_TEST_LOCKS) {
  using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 1>;
  alignas(cache_t) unsigned char storage[sizeof(cache_t)];
  auto contains = [&](const void* needle, std::size_t n) { return holds_bytes(storage, sizeof storage, needle, n); };
  const std::string secret = "UNIQUESECRETVALUE1234567890";
  const std::string t1 = string_to_sign("20150830T123600Z");
  // The inner state after the first block, computed without the cache.
  auto key = sigv4kit::derive_signing_key<>(secret, "20150830", "us-east-1", "service");
  key.update_inner(t1.data(), 64);
  unsigned char chain[32];
  key.store_inner_chaining(chain);

  cache_t* cache = new (storage) cache_t();
  cache->get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), 69);
  if (sigv4kit::hmac_key<>::compact_state) CHECK(contains(chain, 32));
  cache->clear();
  CHECK_FALSE(contains(chain, 32));
  cache->get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), 69);
  cache->get_started("AKID", "x", "20150830", "us-east-1", "service", t1.data(), 69);  // evicts it
  CHECK_FALSE(contains(chain, 32));
  cache->get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), 69);
  cache->~cache_t();
  CHECK_FALSE(contains(chain, 32));
}

TEST_CASE("Signer: one signer through different seconds gives each second's signature", "[cache]") {
  // The AWS suite's get-vanilla at its own time, then a second later, and back: each from a
  // signer that has seen the others equals a fresh signer's.
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  sigv4kit::signer warm;
  const char* times[] = {"20150830T123600Z", "20150830T123601Z", "20150830T123600Z", "20150830T123601Z", "20150830T235959Z"};
  for (const char* t : times) {
    INFO(t);
    sigv4kit::signing_params p = test::suite_params();
    p.timestamp = t;
    sigv4kit::signer fresh;
    auto a = test::sign(r, p, &warm), b = test::sign(r, p, &fresh);
    REQUIRE(a.ok);
    CHECK(a.signature == b.signature);
    if (std::string_view(t) == "20150830T123600Z")
      CHECK(a.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }
}

TEST_CASE("Signer: concurrent signing on one shared signer gives correct signatures", "[cache][threads]") {
  // Two dates, so entries are inserted and hit concurrently, and the seconds moving on, so
  // every signature also stores its string to sign's first block in the entry while the
  // other threads read it. Expected: a fresh signer's signature for each time (and for the
  // AWS suite's own time, the suite's).
  constexpr int n = 240;
  std::vector<std::string> times, want;
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  auto params = [](const std::string& t) {
    sigv4kit::signing_params p;
    p.credentials = {test::suite_akid, test::suite_secret, {}};
    p.region = "us-east-1";
    p.service = "service";
    p.timestamp = t;
    return p;
  };
  for (int k = 0; k < n; ++k) {
    char t[17];
    std::snprintf(t, sizeof t, "2015083%dT12%02d%02dZ", k % 2, 36 + k / 120, k / 2 % 60);
    times.emplace_back(t, 16);
    sigv4kit::signer fresh;
    char buf[1024];
    auto res = fresh.sign(r, params(times.back()), buf);
    REQUIRE(res);
    want.emplace_back(res->signature);
  }
  REQUIRE(times[0] == "20150830T123600Z");
  REQUIRE(want[0] == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  sigv4kit::signer shared;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < n; ++k) {
        const int j = t % 2 ? k : (k ^ 1);  // half the threads one date ahead of the other
        char buf[1024];
        auto res = shared.sign(r, params(times[j]), buf);
        if (!res || res->signature != want[j]) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  CHECK(shared.cache().size() == 2);
}

TEMPLATE_TEST_CASE("Key cache: get_started with a deferred store stores nothing until store(), then the same; "
                   "without one, a later second's block is stored at once, an earlier one never",
                   "[cache]", SIGV4KIT_TEST_LOCKS) {
  using cache_t = sigv4kit::signing_key_cache<counting_crypto, TestType, 2>;
  if (!sigv4kit::hmac_key<counting_crypto>::compact_state) return;  // (size builds: no block path)
  cache_t cache;
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const std::string t1 = string_to_sign("20150830T123600Z"), t2 = string_to_sign("20150830T123601Z");
  const std::size_t prefix = t1.size() - 64;
  auto mac_of = [&](sigv4kit::hmac_key<counting_crypto> key, const std::string& sts) {
    sigv4kit::hmac<counting_crypto> h(key);
    h.update(sts.data() + prefix, sts.size() - prefix);
    unsigned char d[32];
    h.finish(d);
    return test::hex(d, 32);
  };
  auto started = [&](const std::string& sts, typename cache_t::deferred* later, long* blocks) {
    long before = counted_blocks;
    auto key = cache.get_started("AKID", secret, "20150830", "us-east-1", "service", sts.data(), prefix, nullptr,
                                 sigv4kit::detail::always_true{}, nullptr, later);
    *blocks = counted_blocks - before;
    return mac_of(key, sts);
  };
  long blocks = 0;
  {
    typename cache_t::deferred later;
    CHECK(started(t1, &later, &blocks) == reference_mac(secret, t1));  // a miss: derived, then the block
    CHECK(blocks == 19);
    CHECK(cache.size() == 0);  // nothing stored yet
    CHECK(started(t1, nullptr, &blocks) == reference_mac(secret, t1));  // so another miss (stored now)
    CHECK(blocks == 19);
    cache.store(later);  // the same identity: the entry is there already; the block is not later
    CHECK(cache.size() == 1);
  }
  {
    typename cache_t::deferred later;
    CHECK(started(t2, &later, &blocks) == reference_mac(secret, t2));  // key held, a later block
    CHECK(blocks == 1);
    cache.store(later);
    CHECK(started(t2, nullptr, &blocks) == reference_mac(secret, t2));  // the stored block's state
    CHECK(blocks == 0);
  }
  {
    const std::string t3 = string_to_sign("20150830T123602Z");
    CHECK(started(t3, nullptr, &blocks) == reference_mac(secret, t3));  // key held, a later block: stored
    CHECK(blocks == 1);
    CHECK(started(t3, nullptr, &blocks) == reference_mac(secret, t3));
    CHECK(blocks == 0);
    for (int i = 0; i < 2; ++i) {  // an earlier block: used, never stored
      CHECK(started(t1, nullptr, &blocks) == reference_mac(secret, t1));
      CHECK(blocks == 1);
    }
    CHECK(started(t3, nullptr, &blocks) == reference_mac(secret, t3));
    CHECK(blocks == 0);
    CHECK(cache.size() == 1);
  }
  // A new identity stored with its block: a hit on both afterwards, no compression.
  cache_t fresh;
  {
    typename cache_t::deferred later;
    auto key = fresh.get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), prefix, nullptr,
                                 sigv4kit::detail::always_true{}, nullptr, &later);
    CHECK(mac_of(key, t1) == reference_mac(secret, t1));
    fresh.store(later);
    fresh.store(later);  // (spent: stores nothing twice)
  }
  CHECK(fresh.size() == 1);
  long before = counted_blocks;
  auto key = fresh.get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), prefix);
  CHECK(counted_blocks - before == 0);
  CHECK(mac_of(key, t1) == reference_mac(secret, t1));
}

TEMPLATE_TEST_CASE("Key cache: a deferred store that is never made wipes what it held", "[cache]", SIGV4KIT_TEST_LOCKS) {
  using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, TestType, 1>;
  if (!sigv4kit::hmac_key<>::compact_state) return;
  using deferred = typename cache_t::deferred;
  cache_t cache;
  const std::string secret = "UNIQUESECRETVALUE1234567890";
  const std::string t1 = string_to_sign("20150830T123600Z");
  unsigned char state[sigv4kit::hmac_key<>::state_size];
  sigv4kit::derive_signing_key<>(secret, "20150830", "us-east-1", "service").store_state(state);
  alignas(deferred) unsigned char storage[sizeof(deferred)];
  auto contains = [&](const void* needle, std::size_t n) { return holds_bytes(storage, sizeof storage, needle, n); };
  deferred* later = new (storage) deferred();
  (void)cache.get_started("AKID", secret, "20150830", "us-east-1", "service", t1.data(), 69, nullptr,
                          sigv4kit::detail::always_true{}, nullptr, later);
  CHECK(contains(secret.data(), secret.size()));
  CHECK(contains(state, 32));
  later->~deferred();  // as when a signature fails after get_started
  CHECK_FALSE(contains(secret.data(), secret.size()));
  CHECK_FALSE(contains(state, 32));
  CHECK(cache.size() == 0);
}
