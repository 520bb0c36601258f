// SHA-256 against FIPS 180-4 / NIST CSRC examples, HMAC-SHA256 against RFC 4231.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "helpers.hpp"

using sigv4kit::hmac;
using sigv4kit::hmac_key;
using sigv4kit::sha256;

namespace {
template <class C = sigv4kit::default_crypto>
std::string sha_hex(const std::string& m) {
  unsigned char d[32];
  sha256<C>::hash(m.data(), m.size(), d);
  return test::hex(d, 32);
}
template <class C = sigv4kit::default_crypto>
std::string hmac_hex(const std::string& key, const std::string& data) {
  unsigned char d[32];
  hmac<C>::mac(key.data(), key.size(), data.data(), data.size(), d);
  return test::hex(d, 32);
}

// compress2 (one block into each of two chaining values; hardware paths run them in step):
// FIPS 180-4 examples laid out as padded blocks, each message in either lane. The 56-byte
// message takes two blocks; "abc" and "" one each, beside its first and second.
template <class C>
void check_compress2() {
  auto padded = [](const std::string& m, unsigned char (&b)[128]) {
    std::memset(b, 0, sizeof b);
    std::memcpy(b, m.data(), m.size());
    b[m.size()] = 0x80;
    const std::size_t blocks = m.size() + 9 > 64 ? 2 : 1, bits = m.size() * 8;
    b[64 * blocks - 2] = static_cast<unsigned char>(bits >> 8);
    b[64 * blocks - 1] = static_cast<unsigned char>(bits);
  };
  auto digest = [](const std::uint32_t* h) {
    unsigned char d[32];
    sigv4kit::detail::store_be32x8(d, h);
    return test::hex(d, 32);
  };
  unsigned char two[128], abc[128], empty[128];
  padded("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", two);
  padded("abc", abc);
  padded("", empty);
  for (int lane = 0; lane < 2; ++lane) {
    INFO("the two-block message in lane " << lane);
    std::uint32_t a[8], b[8], c[8];
    sigv4kit::detail::sha256_init_h(a);
    sigv4kit::detail::sha256_init_h(b);
    sigv4kit::detail::sha256_init_h(c);
    if (lane == 0) {
      C::compress2(a, two, b, abc);
      C::compress2(a, two + 64, c, empty);
    } else {
      C::compress2(b, abc, a, two);
      C::compress2(c, empty, a, two + 64);
    }
    CHECK(digest(a) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(digest(b) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(digest(c) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}

// The derivation with a rider (blocks of another hash compressed alongside its one-block
// steps, see detail::sha256_rider): the key is the one derived without, and the rider's
// blocks, the ones the chain took and then the rest, hash their message as the streaming
// path does. Messages of 1 to 11 padded blocks: fewer, as many and more than the chain's 8
// free places. The digests chained, against Python's hashlib (message byte i = i * 7 + 3, of
// 64 * b - 9 and 64 * b - 30 bytes for b = 1..11).
template <class C>
void check_rider() {
  const std::string_view in[5] = {"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "s3",
                                  "aws4_request"};
  const hmac_key<C> want = sigv4kit::derive_signing_key<C>(in[0], in[1], in[2], in[3]);
  unsigned char want_mac[32];
  hmac_key<C>(want).mac_once("m", 1, want_mac);
  sha256<C> chain;
  for (std::size_t b = 1; b <= 11; ++b) {
    for (std::size_t n : {64 * b - 9, 64 * b - 30}) {
      INFO(n << " bytes, " << b << " blocks");
      std::vector<unsigned char> m(64 * b, 0);
      for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<unsigned char>(i * 7 + 3);
      m[n] = 0x80;
      for (int i = 0; i < 8; ++i) m[64 * b - 1 - i] = static_cast<unsigned char>((n * 8) >> (8 * i));
      sigv4kit::detail::sha256_rider r;
      sigv4kit::detail::sha256_init_h(r.h);
      r.count = static_cast<int>(b < 8 ? b : 8);
      for (int i = 0; i < r.count; ++i) r.block[i] = m.data() + 64 * i;
      hmac_key<C> key;
      sigv4kit::detail::derive_signing_key_into(key, in, &r);
      unsigned char mac[32];
      key.mac_once("m", 1, mac);
      CHECK(test::hex(mac, 32) == test::hex(want_mac, 32));
      // The chain, or compress2 where it runs in step, takes them all; else none are taken.
      CHECK(r.done == (sigv4kit::detail::can_ride<C>::value ? r.count : 0));
      for (std::size_t i = static_cast<std::size_t>(r.done); i < b; ++i) C::compress(r.h, m.data() + 64 * i, 1);
      unsigned char d[32], ref[32];
      sigv4kit::detail::store_be32x8(d, r.h);
      sha256<C>::hash(m.data(), n, ref);
      CHECK(test::hex(d, 32) == test::hex(ref, 32));
      chain.update(d, 32);
    }
  }
  unsigned char d[32];
  chain.finish(d);
  CHECK(test::hex(d, 32) == "dc1e995fe1ddebbfe1bc371b47ea3145bb7e53640b2ef35b4a24b1ec617b64b2");
}

// FIPS 180-4 / NIST examples and RFC 4231 cases 1, 2, 6 and 7 through one backend, plus
// streaming in uneven pieces (every path must agree with the vectors, not only with itself).
template <class C>
void check_backend() {
  CHECK(sha_hex<C>("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha_hex<C>("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha_hex<C>("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha_hex<C>(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(hmac_hex<C>(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_hex<C>("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_hex<C>(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Multi-block updates (several blocks in one call) against byte-by-byte feeding.
  std::string m;
  for (int i = 0; i < 1000; ++i) m.push_back(static_cast<char>(i * 7 + 3));
  sha256<C> h;
  for (char c : m) h.update(&c, 1);
  unsigned char a[32], b[32];
  h.finish(a);
  sha256<C>::hash(m.data(), m.size(), b);
  CHECK(test::hex(a, 32) == test::hex(b, 32));
  CHECK(test::hex(a, 32) == sha_hex<sigv4kit::portable_crypto>(m));
  // Messages of 'a' whose padding falls on each side of the block edges (55/56: length fits
  // or not; 63/64/65; 119/120 in the second block). Digests from Python's hashlib.
  const struct {
    std::size_t n;
    const char* digest;
  } edges[] = {{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
               {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
               {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
               {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
               {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
               {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
               {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
               {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
               {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"}};
  for (const auto& e : edges) {
    INFO("length " << e.n);
    CHECK(sha_hex<C>(std::string(e.n, 'a')) == e.digest);
    // The same message in two pieces, the first ending inside the block.
    sha256<C> h2;
    h2.update(std::string(e.n, 'a').data(), e.n / 3).update(std::string(e.n, 'a').data(), e.n - e.n / 3);
    unsigned char d[32];
    h2.finish(d);
    CHECK(test::hex(d, 32) == e.digest);
    // update then update_finish (the one-step end the signer uses), split at every point
    // that puts the pending bytes on each side of a block edge.
    for (std::size_t k = 0; k <= e.n; ++k) {
      typename C::sha256_context c;
      C::init(c);
      if (k) C::update(c, std::string(k, 'a').data(), k);
      const std::string rest(e.n - k, 'a');
      sigv4kit::detail::sha256_update_finish<C>(c, rest.data(), rest.size(), d);
      INFO("split at " << k);
      CHECK(test::hex(d, 32) == e.digest);
    }
  }
  // HMAC ended with finish_mac(data, n): RFC 4231 case 7 (152 bytes of data, a 131-byte key),
  // the message split at every point.
  const std::string data7 =
      "This is a test using a larger than block-size key and a larger than block-size data. The key "
      "needs to be hashed before being used by the HMAC algorithm.";
  const hmac_key<C> key7(std::string(131, '\xaa').data(), 131);
  for (std::size_t k = 0; k <= data7.size(); ++k) {
    hmac_key<C> m = key7;
    m.update_inner(data7.data(), k);
    unsigned char d[32];
    m.finish_mac(data7.data() + k, data7.size() - k, d);
    INFO("split at " << k);
    CHECK(test::hex(d, 32) == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  }
  // Every message length from 0 to 200 (every padding case, one and two final blocks, up to
  // three blocks and more), and HMAC with every key length from 0 to 140 (within a block, a
  // block exactly, hashed first): digests chained into one SHA-256, against Python's hashlib
  // and hmac (message byte i = i * 7 + 3; key byte i = i * 13 + 1, with (n * 3) % 150 bytes of
  // data, byte i = i * 5 + 9). Keys are also given in two pieces, split in the middle.
  auto pattern = [](std::size_t n, unsigned m, unsigned a) {
    std::string v(n, '\0');
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<char>((i * m + a) & 255);
    return v;
  };
  sha256<C> chain;
  for (std::size_t n = 0; n <= 200; ++n) {
    const std::string msg = pattern(n, 7, 3);
    unsigned char d[32];
    sha256<C>::hash(msg.data(), msg.size(), d);
    chain.update(d, 32);
  }
  unsigned char d[32];
  chain.finish(d);
  CHECK(test::hex(d, 32) == "3275febb4612d86d586eb9f11cd21e648a9fc7d95e0f6b8d362786e28c9c5b79");
  sha256<C> chain_whole, chain_split;
  for (std::size_t n = 0; n <= 140; ++n) {
    const std::string key = pattern(n, 13, 1), data = pattern((n * 3) % 150, 5, 9);
    unsigned char a[32], b[32];
    hmac<C>::mac(key.data(), key.size(), data.data(), data.size(), a);
    chain_whole.update(a, 32);
    hmac_key<C> k;
    k.set(key.data(), n / 2, key.data() + n / 2, n - n / 2);
    k.mac_once(data.data(), data.size(), b);
    chain_split.update(b, 32);
  }
  chain_whole.finish(d);
  CHECK(test::hex(d, 32) == "c43cdf77cdd6eeab30e81e1d1dc76d95f567f1415c7084e486b209c16768d169");
  chain_split.finish(d);
  CHECK(test::hex(d, 32) == "c43cdf77cdd6eeab30e81e1d1dc76d95f567f1415c7084e486b209c16768d169");
  if constexpr (sigv4kit::detail::has_compress2<C>::value) check_compress2<C>();
  if constexpr (sigv4kit::detail::has_compress<C>::value && hmac_key<C>::compact_state) check_rider<C>();
}
}  // namespace

TEST_CASE("Every SHA-256 path: portable", "[crypto][paths]") { check_backend<sigv4kit::portable_crypto>(); }

TEST_CASE("Every SHA-256 path: auto (run-time dispatch)", "[crypto][paths]") { check_backend<sigv4kit::auto_crypto>(); }

#if SIGV4KIT_HAVE_SHANI
TEST_CASE("Every SHA-256 path: x86 SHA-NI", "[crypto][paths]") {
  if (!sigv4kit::detail::cpu_has_shani()) {
    WARN("this CPU has no SHA-NI: shani_crypto is not exercised here (portable and auto are)");
    return;
  }
  check_backend<sigv4kit::shani_crypto>();
}
#endif

#if SIGV4KIT_HAVE_ARMV8_SHA2
TEST_CASE("Every SHA-256 path: ARMv8 SHA2", "[crypto][paths]") {
  if (!sigv4kit::detail::cpu_has_armv8_sha2()) {
    WARN("this CPU has no ARMv8 SHA2: armv8_crypto is not exercised here (portable and auto are)");
    return;
  }
  check_backend<sigv4kit::armv8_crypto>();
}
#endif

TEST_CASE("SHA-256: FIPS 180-4 example messages", "[crypto]") {
  CHECK(sha_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448-bit message: the padding needs a second block.
  CHECK(sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896-bit message.
  CHECK(sha_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("SHA-256: one million 'a', fed in uneven pieces", "[crypto]") {
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  std::string chunk(1000, 'a');
  sha256<> h;
  std::size_t fed = 0, step = 1;
  while (fed < 1000000) {
    std::size_t n = std::min<std::size_t>(step, 1000000 - fed);
    n = std::min<std::size_t>(n, chunk.size());
    h.update(chunk.data(), n);
    fed += n;
    step = step * 7 % 997 + 1;  // 1..997 bytes: crosses block boundaries in every way
  }
  unsigned char d[32];
  h.finish(d);
  CHECK(test::hex(d, 32) == expected);
  CHECK(sha_hex(std::string(1000000, 'a')) == expected);
}

TEST_CASE("SHA-256: every length around the padding boundaries", "[crypto]") {
  // Streaming byte-by-byte must equal one-shot for lengths 0..200 (55/56/63/64 are the edges).
  for (std::size_t len = 0; len <= 200; ++len) {
    std::string m;
    for (std::size_t i = 0; i < len; ++i) m.push_back(static_cast<char>('a' + i % 26));
    sha256<> h;
    for (char c : m) h.update(&c, 1);
    unsigned char a[32], b[32];
    h.finish(a);
    sha256<>::hash(m.data(), m.size(), b);
    INFO("length " << len);
    CHECK(std::memcmp(a, b, 32) == 0);
  }
}

TEST_CASE("SHA-256: a context copy continues independently (midstate)", "[crypto]") {
  sha256<> h;
  h.update("ab", 2);
  sha256<> copy = h;
  h.update("c", 1);
  copy.update("c", 1);
  unsigned char a[32], b[32];
  h.finish(a);
  copy.finish(b);
  CHECK(test::hex(a, 32) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(std::memcmp(a, b, 32) == 0);
  // finish() resets: the object hashes a new message.
  h.update("abc", 3);
  h.finish(b);
  CHECK(std::memcmp(a, b, 32) == 0);
}

TEST_CASE("HMAC-SHA256: RFC 4231 test cases 1-7", "[crypto]") {
  CHECK(hmac_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_hex(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<char>(i));
  CHECK(hmac_hex(key4, std::string(50, '\xcd')) == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Case 5 is truncated to 128 bits in the RFC.
  CHECK(hmac_hex(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32) == "a3b6167473100ee06e0c796c2955552b");
  // Cases 6 and 7: keys longer than a block are hashed first.
  CHECK(hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(hmac_hex(std::string(131, '\xaa'),
                 "This is a test using a larger than block-size key and a larger than block-size data. The key "
                 "needs to be hashed before being used by the HMAC algorithm.") ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA256: a key context is reusable and messages may be streamed", "[crypto]") {
  hmac_key<> key("Jefe", 4);
  for (int round = 0; round < 3; ++round) {
    hmac<> h(key);
    h.update("what do ya ", 11).update("want for nothing?", 17);
    unsigned char d[32];
    h.finish(d);
    CHECK(test::hex(d, 32) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}

TEST_CASE("HMAC-SHA256: a key given in two pieces is their concatenation (RFC 4231 cases 2 and 6)", "[crypto]") {
  auto mac_split = [](const std::string& key, std::size_t at, const std::string& data) {
    hmac_key<> k;
    k.set(key.data(), at, key.data() + at, key.size() - at);
    hmac<> h(k);
    h.update(data.data(), data.size());
    unsigned char d[32];
    h.finish(d);
    return test::hex(d, 32);
  };
  for (std::size_t at : {0, 1, 2, 4}) {
    INFO("split at " << at);
    CHECK(mac_split("Jefe", at, "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  // A 131-byte key, longer than a block: hashed first, whatever the split.
  for (std::size_t at : {0, 4, 63, 64, 65, 131}) {
    INFO("split at " << at);
    CHECK(mac_split(std::string(131, '\xaa'), at, "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  }
}

TEST_CASE("constant_time_equal and secure_wipe", "[crypto]") {
  unsigned char a[32], b[32];
  for (int i = 0; i < 32; ++i) a[i] = b[i] = static_cast<unsigned char>(i * 7);
  CHECK(sigv4kit::constant_time_equal(a, b, 32));
  b[31] ^= 1;
  CHECK_FALSE(sigv4kit::constant_time_equal(a, b, 32));
  b[31] ^= 1;
  b[0] ^= 0x80;
  CHECK_FALSE(sigv4kit::constant_time_equal(a, b, 32));
  CHECK(sigv4kit::constant_time_equal(a, b, 0));
  sigv4kit::secure_wipe(a, sizeof a);
  for (unsigned char c : a) CHECK(c == 0);
  // Every length and offset around the 16-byte stores: exactly [at, at + n) is zeroed.
  for (std::size_t at = 0; at < 16; ++at)
    for (std::size_t n = 0; n <= 70; ++n) {
      unsigned char buf[96];
      std::memset(buf, 0xa5, sizeof buf);
      sigv4kit::secure_wipe(buf + at, n);
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < sizeof buf; ++i) wrong += buf[i] != (i >= at && i < at + n ? 0 : 0xa5);
      INFO("offset " << at << ", length " << n);
      CHECK(wrong == 0);
    }
}

TEST_CASE("SigV4 signing key derivation: AWS documentation example", "[crypto]") {
  // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4":
  // secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam gives kSigning
  // f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d. Check it through the
  // key context: HMAC(kSigning, m) must equal HMAC computed with the raw documented key.
  auto key = sigv4kit::derive_signing_key<>("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  const unsigned char documented[32] = {0xf4, 0x78, 0x0e, 0x2d, 0x9f, 0x65, 0xfa, 0x89, 0x5f, 0x9c, 0x67,
                                        0xb3, 0x2c, 0xe1, 0xba, 0xf0, 0xb0, 0xd8, 0xa4, 0x35, 0x05, 0xa0,
                                        0x00, 0xa1, 0xa9, 0xe0, 0x90, 0xd4, 0x14, 0xdb, 0x40, 0x4d};
  unsigned char a[32], b[32];
  hmac<> h(key);
  h.update("message", 7);
  h.finish(a);
  hmac<>::mac(documented, 32, "message", 7, b);
  CHECK(test::hex(a, 32) == test::hex(b, 32));
}

TEST_CASE("SigV4 signing key derivation: secrets longer than a block with AWS4", "[crypto]") {
  // "AWS4" + secret over 64 bytes is hashed first (RFC 2104); 200 bytes is also past any
  // buffer. kSigning and HMAC(kSigning, "m") from Python's hmac module.
  const struct {
    std::size_t n;
    const char* mac;
  } cases[] = {{61, "8ff8424cce33fa0a8b68efd4cd1945ed66064b83edab746656d9ac690d064710"},
               {200, "ef6f6c3217b017ede31f2261d9db44d408d73c30872f4d23e2cdd9c6ae14fe23"}};
  for (const auto& c : cases) {
    INFO("secret of " << c.n << " bytes");
    auto key = sigv4kit::derive_signing_key<>(std::string(c.n, 'k'), "20150830", "us-east-1", "s3");
    hmac<> h(key);
    h.update("m", 1);
    unsigned char d[32];
    h.finish(d);
    CHECK(test::hex(d, 32) == c.mac);
  }
}

namespace {
// The portable backend without compress(): the derivation then takes the general path
// (hmac_key::set and mac_once through the streaming context), the reference here.
using test::streaming_only_crypto;
template <class Crypto>
std::string derived_mac(const std::string& secret, const std::string& date, const std::string& region,
                        const std::string& service) {
  sigv4kit::hmac<Crypto> h(sigv4kit::derive_signing_key<Crypto>(secret, date, region, service));
  h.update("m", 1);
  unsigned char d[32];
  h.finish(d);
  return test::hex(d, 32);
}
}  // namespace

TEST_CASE("SigV4 signing key derivation: the block path equals the streaming path at every size", "[crypto]") {
  static_assert(!sigv4kit::detail::has_compress<streaming_only_crypto>::value, "the reference takes the general path");
  // Secrets around the block boundary ("AWS4" + 60 bytes is exactly a block; 61 is hashed
  // first) and messages up to one block's room (55 bytes) and past it (general path).
  for (std::size_t ns : {0, 1, 40, 59, 60, 61, 64, 200}) {
    for (std::size_t nm : {0, 1, 8, 12, 54, 55, 56, 64, 100}) {
      INFO("secret " << ns << " bytes, messages " << nm << " bytes");
      const std::string secret(ns, 's'), part(nm, 'p');
      const std::string want = derived_mac<streaming_only_crypto>(secret, part, "us-east-1", "s3");
      CHECK(derived_mac<sigv4kit::default_crypto>(secret, part, "us-east-1", "s3") == want);
      CHECK(derived_mac<sigv4kit::portable_crypto>(secret, part, "us-east-1", "s3") == want);
      CHECK(derived_mac<sigv4kit::default_crypto>(secret, "20150830", part, "s3") ==
            derived_mac<streaming_only_crypto>(secret, "20150830", part, "s3"));
      CHECK(derived_mac<sigv4kit::default_crypto>(secret, "20150830", "us-east-1", part) ==
            derived_mac<streaming_only_crypto>(secret, "20150830", "us-east-1", part));
    }
  }
}

TEST_CASE("is_amz_date: agrees with the C library's calendar", "[text]") {
  // Every day from 1970 to 2400 (leap years, 2000 and 2100 and 2400) as gmtime() prints it.
  char buf[32];
  for (std::time_t day = 0; day <= 157525; ++day) {  // up to 2400-12-31
    std::time_t t = day * 86400 + (day % 86400);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    INFO(buf);
    REQUIRE(sigv4kit::detail::is_amz_date(std::string_view(buf, 16)));
  }
  // Every month 0..13 and day 0..32 of some years: valid exactly when timegm() does not
  // normalise the date into another one (and the year is 1970 or later).
  for (int year : {1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2400, 9996, 9999}) {
    for (int month = 0; month <= 13; ++month) {
      for (int day = 0; day <= 32; ++day) {
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        std::time_t t = timegm(&tm);
        std::tm back{};
        gmtime_r(&t, &back);
        bool real = year >= 1970 && back.tm_year == year - 1900 && back.tm_mon == month - 1 && back.tm_mday == day;
        std::snprintf(buf, sizeof buf, "%04d%02d%02dT000000Z", year, month, day);
        INFO(buf);
        CHECK(sigv4kit::detail::is_amz_date(std::string_view(buf, 16)) == real);
      }
    }
  }
  // Times of day at and past their limits; malformed shapes.
  for (int h = 0; h <= 25; ++h)
    for (int m = 0; m <= 61; m += 1) {
      std::snprintf(buf, sizeof buf, "20240229T%02d%02d%02dZ", h, m, m);
      INFO(buf);
      CHECK(sigv4kit::detail::is_amz_date(std::string_view(buf, 16)) == (h <= 23 && m <= 59));
    }
  for (std::string_view bad : {"", "20150830T123600", "20150830T123600ZZ", "20150830t123600Z", "20150830T123600z",
                               "2015083aT123600Z", "20150830T12360/Z", "2015-830T123600Z", "20150830 123600Z",
                               "/0150830T123600Z", ":0150830T123600Z"})
    CHECK_FALSE(sigv4kit::detail::is_amz_date(bad));
}

TEST_CASE("to_hex: every byte value, every length up to 40 (word path and tail)", "[crypto]") {
  unsigned char b[256];
  for (int i = 0; i < 256; ++i) b[i] = static_cast<unsigned char>(i);
  char out[512];
  sigv4kit::detail::to_hex(b, 256, out);
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 256; ++i) {
    CHECK(out[2 * i] == digits[i >> 4]);
    CHECK(out[2 * i + 1] == digits[i & 15]);
  }
  for (std::size_t n = 0; n <= 40; ++n) {
    char o[80];
    sigv4kit::detail::to_hex(b + 200, n, o);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(o[2 * i] == digits[b[200 + i] >> 4]);
      CHECK(o[2 * i + 1] == digits[b[200 + i] & 15]);
    }
  }
}
