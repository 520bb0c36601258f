// The signing-key cache on the microcontroller (a 32-bit target): a second signature with
// the same identity and second is a hit, and a hit needs every byte of every part (access key
// id, secret, date, region, service) at every length 0..20: a byte changed, one more or less,
// a NUL more (the same bytes, only the length differs), or one moved into the next part (the
// same text run together) must miss. Built at the runner's flags (-Os: the size build's
// cache, which walks the identity a byte at a time) and again at -O2 (the speed build's,
// which packs it into 4-byte words and also keeps the string to sign's first block; see
// tests/CMakeLists.txt). The MACs are checked against a derivation without the cache. Prints
// a short report over semihosting; non-zero on failure.
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int passed = 0, failed = 0;

void expect(bool ok, const char* what, int part, std::size_t len) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s (part %d, length %u)\n", what, part, static_cast<unsigned>(len));
  }
}

// "AWS4-HMAC-SHA256\n<time>\n<scope>\n" and a stand-in for the hash line (133 bytes).
const std::string sts = std::string("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n") +
                        std::string(64, 'a');
const std::size_t prefix = sts.size() - 64;

using cache_t = sigv4kit::signing_key_cache<sigv4kit::default_crypto, sigv4kit::null_lock, 24>;
cache_t cache;  // (static: 24 entries)

void mac_of(sigv4kit::hmac_key<>& key, unsigned char d[32]) {
  sigv4kit::hmac<> h(key);
  h.update(sts.data() + prefix, sts.size() - prefix);
  h.finish(d);
}

// The MAC through the cache, and whether it was a hit.
bool cached(const std::string (&q)[5], unsigned char d[32]) {
  bool hit = false;
  auto key = cache.get_started(q[0], q[1], q[2], q[3], q[4], sts.data(), prefix, &hit);
  mac_of(key, d);
  return hit;
}

}  // namespace

int main() {
  for (int part = 0; part < 5; ++part) {
    for (std::size_t len = 0; len <= 20; ++len) {
      std::string p[5] = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service"};
      p[part].clear();
      for (std::size_t i = 0; i < len; ++i) p[part] += static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(part)) % 26);
      cache.clear();
      unsigned char want[32], d[32];
      {
        sigv4kit::hmac<> h(sigv4kit::derive_signing_key(p[1], p[2], p[3], p[4]));
        h.update(sts.data(), sts.size());
        h.finish(want);
      }
      expect(!cached(p, d), "first signature: a miss", part, len);
      expect(std::memcmp(d, want, 32) == 0, "first signature's MAC", part, len);
      expect(cached(p, d), "second signature: a hit", part, len);
      expect(std::memcmp(d, want, 32) == 0, "second signature's MAC", part, len);
      for (std::size_t i = 0; i <= len + 1; ++i) {
        std::string q[5] = {p[0], p[1], p[2], p[3], p[4]};
        if (i < len) q[part][i] = static_cast<char>(q[part][i] ^ 0x20);  // one byte changed
        else if (i == len) q[part] += 'x';                                  // one more
        else q[part] += '\0';                                               // a NUL more
        expect(!cached(q, d), "a changed identity: a miss", part, len);
        expect(cached(p, d) && std::memcmp(d, want, 32) == 0, "the original: still a hit", part, len);
      }
      if (len) {
        std::string q[5] = {p[0], p[1], p[2], p[3], p[4]};
        q[part].pop_back();  // one less
        expect(!cached(q, d), "a shorter part: a miss", part, len);
        if (part < 4) {  // that byte moved to the start of the next part: the same text run together
          q[part + 1].insert(q[part + 1].begin(), p[part].back());
          expect(!cached(q, d), "a byte moved into the next part: a miss", part, len);
        }
      }
    }
  }
  std::printf("key cache: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
