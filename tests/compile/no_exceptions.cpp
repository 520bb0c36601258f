// Compile-only check (built with -fno-exceptions -fno-rtti): the whole umbrella header builds,
// and signing works without exceptions. Also linked with second_tu.cpp to catch ODR slips.
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "this test must be compiled with -fno-exceptions"
#endif
#if defined(__GXX_RTTI) || defined(__cpp_rtti)
#error "this test must be compiled with -fno-rtti"
#endif

std::string_view sign_in_second_tu(char* buf, std::size_t n);

int main() {
  sigv4kit::signer s;
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  char buf[1024], buf2[1024];
  auto res = s.sign(r, p, buf);
  // AWS SigV4 suite, get-vanilla.
  const std::string_view want = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  bool ok = res && res->signature == want && sign_in_second_tu(buf2, sizeof buf2) == want;
  std::puts(ok ? "no-exceptions build signs get-vanilla correctly" : "WRONG SIGNATURE");
  return ok ? 0 : 1;
}
