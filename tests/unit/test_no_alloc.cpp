// The signing path allocates nothing: global operator new is replaced in this test binary
// to count allocations made by the current thread, and a signature must add none.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <new>

#include "helpers.hpp"

// AddressSanitizer owns operator new/delete; replacing them there is a mismatch it reports.
// The sanitizer build leaves this test out (it runs in the GCC Release build).
#if defined(__SANITIZE_ADDRESS__)
#define SIGV4KIT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIGV4KIT_TEST_ASAN 1
#endif
#endif

#ifndef SIGV4KIT_TEST_ASAN
namespace {
thread_local long allocations = 0;
}

void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("Signing allocates nothing, cold or warm, header or query mode", "[alloc]") {
  sigv4kit::signer s;
  sigv4kit::header hs[] = {{"Host", "examplebucket.s3.us-east-1.amazonaws.com"},
                           {"Range", "bytes=0-1048575"},
                           {"X-Folded", "a\r\n  b   c"}};
  sigv4kit::request r{"GET", "https://examplebucket.s3.us-east-1.amazonaws.com/a%20b/../c?z=1&a=%7e&a=b", hs, "body",
                      ""};
  char buf[4096];
  for (auto mode : {sigv4kit::signing_mode::header, sigv4kit::signing_mode::query}) {
    for (bool s3 : {false, true}) {
      sigv4kit::signing_params p;
      p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/+="};
      p.region = "us-east-1";
      p.service = s3 ? "s3" : "service";
      p.timestamp = "20150830T123600Z";
      p.mode = mode;
      p.use_s3_rules(s3);
      long before = allocations;
      auto cold = s.sign(r, p, buf);
      auto warm = s.sign(r, p, buf);
      long after = allocations;
      REQUIRE(cold.ok());
      REQUIRE(warm.ok());
      CHECK(after - before == 0);
    }
  }
  // An error path allocates nothing either.
  sigv4kit::signing_params bad;
  long before = allocations;
  auto e = s.sign(r, bad, buf);
  CHECK_FALSE(e.ok());
  CHECK(allocations - before == 0);
  // The counter works: a std::string of 100 characters allocates.
  before = allocations;
  std::string probe(100, 'x');
  CHECK(allocations - before >= 1);
}
#endif  // SIGV4KIT_TEST_ASAN
