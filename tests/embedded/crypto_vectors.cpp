// SHA-256 and HMAC-SHA256 on the microcontroller, built as firmware is (-Os: the size-mode
// code, SIGV4KIT_OPTIMIZE_SIZE and SIGV4KIT_SMALL_SHA256): FIPS 180-4 / NIST examples, RFC 4231
// cases, and every message length from 0 to 200 and HMAC key length from 0 to 140, chained
// into one digest each (the same chains and values as tests/unit/test_crypto.cpp, from
// Python's hashlib and hmac). Prints a short report over semihosting; non-zero on failure.
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>
#include <cstring>

namespace {

int passed = 0, failed = 0;

void check(const char* what, const unsigned char d[32], const char* want) {
  char hex[65];
  sigv4kit::detail::to_hex(d, 32, hex);
  hex[64] = '\0';
  if (std::strcmp(hex, want) == 0) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s: %s\n", what, hex);
  }
}

void sha(const char* what, const void* m, std::size_t n, const char* want) {
  unsigned char d[32];
  sigv4kit::sha256<>::hash(m, n, d);
  check(what, d, want);
}

void mac(const char* what, const void* k, std::size_t nk, const void* m, std::size_t n, const char* want) {
  unsigned char d[32];
  sigv4kit::hmac<>::mac(k, nk, m, n, d);
  check(what, d, want);
}

unsigned char buf[256];

void pattern(unsigned char* p, std::size_t n, unsigned m, unsigned a) {
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>((i * m + a) & 255);
}

}  // namespace

int main() {
  sha("empty", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  sha("abc", "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  sha("448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

  // One million 'a' in uneven pieces (1, 2, ... 130 bytes, over and over).
  {
    std::memset(buf, 'a', sizeof buf);
    sigv4kit::sha256<> h;
    std::size_t left = 1000000, piece = 1;
    while (left) {
      std::size_t n = piece < left ? piece : left;
      h.update(buf, n);
      left -= n;
      piece = piece % 130 + 1;
    }
    unsigned char d[32];
    h.finish(d);
    check("one million a", d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  // Every message length from 0 to 200, each digest into one chained hash.
  {
    sigv4kit::sha256<> chain;
    for (std::size_t n = 0; n <= 200; ++n) {
      unsigned char d[32];
      pattern(buf, n, 7, 3);
      sigv4kit::sha256<>::hash(buf, n, d);
      chain.update(d, 32);
    }
    unsigned char d[32];
    chain.finish(d);
    check("lengths 0-200", d, "3275febb4612d86d586eb9f11cd21e648a9fc7d95e0f6b8d362786e28c9c5b79");
  }

  // RFC 4231 cases 1, 2, 3, 6 and 7 (6 and 7: a 131-byte key, hashed first).
  {
    unsigned char k[131], m[152];
    std::memset(k, 0x0b, 20);
    mac("RFC 4231 case 1", k, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    mac("RFC 4231 case 2", "Jefe", 4, "what do ya want for nothing?", 28,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    std::memset(k, 0xaa, sizeof k);
    std::memset(m, 0xdd, 50);
    mac("RFC 4231 case 3", k, 20, m, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    mac("RFC 4231 case 6", k, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char* m7 =
        "This is a test using a larger than block-size key and a larger than block-size data. The key "
        "needs to be hashed before being used by the HMAC algorithm.";
    mac("RFC 4231 case 7", k, 131, m7, std::strlen(m7),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  }

  // Every HMAC key length from 0 to 140, whole and in two pieces, chained.
  {
    sigv4kit::sha256<> whole, split;
    unsigned char key[140], data[150];
    for (std::size_t n = 0; n <= 140; ++n) {
      pattern(key, n, 13, 1);
      std::size_t nd = (n * 3) % 150;
      pattern(data, nd, 5, 9);
      unsigned char a[32], b[32];
      sigv4kit::hmac<>::mac(key, n, data, nd, a);
      whole.update(a, 32);
      sigv4kit::hmac_key<> k;
      k.set(key, n / 2, key + n / 2, n - n / 2);
      k.mac_once(data, nd, b);
      split.update(b, 32);
    }
    unsigned char d[32];
    whole.finish(d);
    check("HMAC key lengths 0-140", d, "c43cdf77cdd6eeab30e81e1d1dc76d95f567f1415c7084e486b209c16768d169");
    split.finish(d);
    check("HMAC key lengths 0-140, in two pieces", d, "c43cdf77cdd6eeab30e81e1d1dc76d95f567f1415c7084e486b209c16768d169");
  }

  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
