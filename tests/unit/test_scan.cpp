// The byte scanners of detail/scan.hpp (SSE2 on x86-64, byte loops elsewhere and in the
// portable/size build of this suite) against the RFC definitions written out here: every
// length up to 70 and every position of the first stopping byte, each byte value 0..255, and
// inputs that end exactly at the end of a buffer (so an over-read would be caught by ASan).
#include <catch2/catch.hpp>

#include <sigv4kit/sigv4kit.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace {

// RFC 3986 section 2.3.
bool rfc_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
// RFC 9110 section 5.6.2.
bool rfc_tchar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

// A copy of s in a heap block of exactly its size: reading past it is an ASan error. (Not
// inlined: GCC would otherwise warn about the vector branches for lengths it can see are
// too short to take them.)
__attribute__((noinline)) std::unique_ptr<char[]> exact(const std::string& s) {
  std::unique_ptr<char[]> p(new char[s.size() ? s.size() : 1]);
  std::memcpy(p.get(), s.data(), s.size());
  return p;
}

template <bool Slash>
void check_run(const std::string& s) {
  std::size_t want = 0;
  bool want_upper = false;
  while (want < s.size() && (rfc_unreserved(static_cast<unsigned char>(s[want])) || (Slash && s[want] == '/'))) {
    want_upper |= s[want] >= 'A' && s[want] <= 'Z';
    ++want;
  }
  auto buf = exact(s);
  bool upper = false;
  INFO("input of " << s.size() << " bytes, run " << want);
  CHECK(sigv4kit::detail::unreserved_run<Slash>(buf.get(), s.size(), &upper) == want);
  CHECK(upper == want_upper);
  CHECK(sigv4kit::detail::unreserved_run<Slash>(buf.get(), s.size()) == want);
}

}  // namespace

TEST_CASE("unreserved_run stops at the first byte outside RFC 3986's unreserved set") {
  const std::string alphabet = "abcXYZ019-._~qRs";
  for (std::size_t n = 0; n <= 70; ++n) {
    std::string base;
    for (std::size_t i = 0; i < n; ++i) base += alphabet[(i * 7) % alphabet.size()];
    check_run<false>(base);
    check_run<true>(base);
    // One stopping byte at each position, each kind of byte.
    for (std::size_t at = 0; at < n; ++at) {
      for (int c : std::initializer_list<int>{0, '\t', ' ', '/', '%', '&', '=', '?', '@', '[', '`', '{', 0x7f, 0x80, 0xff}) {
        std::string s = base;
        s[at] = static_cast<char>(c);
        check_run<false>(s);
        check_run<true>(s);
      }
    }
  }
}

TEST_CASE("unreserved_run classifies every byte value as RFC 3986 does") {
  for (int c = 0; c < 256; ++c) {
    for (std::size_t n : {1u, 5u, 9u, 16u, 17u, 40u}) {
      for (std::size_t at : {std::size_t(0), n / 2, n - 1}) {
        std::string s(n, 'a');
        s[at] = static_cast<char>(c);
        check_run<false>(s);
        check_run<true>(s);
      }
    }
  }
}

TEST_CASE("unreserved_run reports capitals only inside the run") {
  bool upper = false;
  std::string s = "abc/DEF";  // the capitals are after the stop
  auto buf = exact(s);
  CHECK(sigv4kit::detail::unreserved_run<false>(buf.get(), s.size(), &upper) == 3);
  CHECK_FALSE(upper);
  CHECK(sigv4kit::detail::unreserved_run<true>(buf.get(), s.size(), &upper) == 7);
  CHECK(upper);
}

TEST_CASE("lower_token_copy lower-cases a header name and rejects non-token bytes") {
  const std::string alphabet = "Content-Type_X.amz~Z9!#$%&'*+^`|";
  for (std::size_t n = 1; n <= 70; ++n) {
    std::string base;
    for (std::size_t i = 0; i < n; ++i) base += alphabet[(i * 5) % alphabet.size()];
    for (std::size_t at = 0; at <= n; ++at) {
      for (int c : std::initializer_list<int>{-1, 0, ' ', '"', '(', ',', '/', ':', ';', '@', '[', '{', 0x7f, 0x80, 'Q', 'q'}) {
        std::string s = base;
        if (at < n && c >= 0) s[at] = static_cast<char>(c);
        bool want_ok = true;
        std::string want;
        for (char ch : s) {
          unsigned char u = static_cast<unsigned char>(ch);
          want_ok &= rfc_tchar(u);
          want += (u >= 'A' && u <= 'Z') ? static_cast<char>(u + 32) : ch;
        }
        auto buf = exact(s);
        std::string out(n + 16, '#');  // bytes past n must stay untouched
        bool ok = sigv4kit::detail::lower_token_copy(&out[0], buf.get(), n);
        INFO("name '" << s << "'");
        REQUIRE(ok == want_ok);
        if (ok) CHECK(out.substr(0, n) == want);
        CHECK(out.substr(n) == std::string(16, '#'));
      }
    }
  }
}

TEST_CASE("to_hex writes lower-case hex for every length and byte") {
  unsigned char bytes[70];
  for (int i = 0; i < 70; ++i) bytes[i] = static_cast<unsigned char>(i * 37 + 11);
  for (std::size_t n = 0; n <= 70; ++n) {
    std::string out(2 * n + 8, '#');
    sigv4kit::detail::to_hex(bytes, n, &out[0]);
    std::string want;
    char two[3];
    for (std::size_t i = 0; i < n; ++i) {
      std::snprintf(two, sizeof two, "%02x", bytes[i]);
      want += two;
    }
    CHECK(out.substr(0, 2 * n) == want);
    CHECK(out.substr(2 * n) == std::string(8, '#'));
  }
}

TEST_CASE("scope_run, no_control_run and field_text_run classify every byte as defined") {
  // The definitions, from the rules they implement: region/service/key id characters are
  // printable ASCII (0x21-0x7e) but '/' and ','; a URL or token may hold anything but the C0
  // controls and DEL; header-value text needing no attention is that without the space.
  auto scope = [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '/' && c != ','; };
  auto no_ctl = [](unsigned char c) { return c >= 0x20 && c != 0x7f; };
  auto field = [](unsigned char c) { return c > 0x20 && c != 0x7f; };
  for (int c = 0; c < 256; ++c) {
    for (std::size_t n : {1u, 3u, 4u, 7u, 8u, 15u, 16u, 17u, 33u}) {
      for (std::size_t at : {std::size_t(0), n / 2, n - 1}) {
        std::string s(n, 'k');
        s[at] = static_cast<char>(c);
        auto buf = exact(s);
        auto want = [&](auto ok) {
          std::size_t i = 0;
          while (i < n && ok(static_cast<unsigned char>(s[i]))) ++i;
          return i;
        };
        INFO("byte " << c << " at " << at << " of " << n);
        CHECK(sigv4kit::detail::scope_run(buf.get(), n) == want(scope));
        CHECK(sigv4kit::detail::no_control_run(buf.get(), n) == want(no_ctl));
        CHECK(sigv4kit::detail::field_text_run(buf.get(), n) == want(field));
      }
    }
  }
}

TEST_CASE("reserved_bits marks exactly the bytes outside the unreserved set, window by window") {
  const std::string alphabet = "ab%C=&9~._-/Zq?";
  for (std::size_t n = 0; n <= 70; ++n) {
    for (std::size_t seed = 0; seed < 5; ++seed) {
      std::string s;
      for (std::size_t i = 0; i < n; ++i) s += alphabet[(i * (seed + 3) + seed * 7 + i / 5) % alphabet.size()];
      if (n) s[n / 2] = static_cast<char>(0x80 + n);  // a byte from 0x80 (not unreserved)
      auto buf = exact(s);  // (reading past it is an ASan error)
      INFO("'" << s << "'");
      // Every window start (a string shorter than 16 bytes is one window, from 0).
      for (std::size_t at = 0; at < (n < 16 ? std::min<std::size_t>(n, 1) : n); ++at) {
        unsigned want = 0;
        for (std::size_t k = at; k < n && k < at + 16; ++k)
          if (!rfc_unreserved(static_cast<unsigned char>(s[k]))) want |= 1u << (k - at);
        CHECK(sigv4kit::detail::reserved_bits(buf.get(), n, at) == want);
      }
    }
  }
  CHECK(sigv4kit::detail::lowest_bit(1u) == 0);
  CHECK(sigv4kit::detail::lowest_bit(0x10000u) == 16);
  CHECK(sigv4kit::detail::lowest_bit(0x30u) == 4);
}

TEST_CASE("copy_bytes: every length up to 200, exactly [dst, dst + n) written from [src, src + n)", "[text]") {
  for (std::size_t n = 0; n <= 200; ++n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 37 + 11));
    auto src = exact(s);  // an over-read past n is an ASan error
    auto dst = exact(std::string(n, '\x5a'));  // and so is an over-write
    sigv4kit::detail::copy_bytes(dst.get(), src.get(), n);
    INFO("length " << n);
    CHECK(std::memcmp(dst.get(), s.data(), n) == 0);
  }
}
