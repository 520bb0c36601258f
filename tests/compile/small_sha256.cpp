// SIGV4KIT_SMALL_SHA256 on its own (the looped compression function, the speed build's
// signer around it): the configuration builds, and signs the AWS SigV4 test suite's
// get-vanilla request, on a miss (key derived) and on a hit.
#define SIGV4KIT_SMALL_SHA256 1
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>

int main() {
  sigv4kit::signer s;
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  const sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  int failed = 0;
  for (const char* when : {"miss", "hit"}) {
    char out[1024];
    auto res = s.sign(r, p, out);
    if (!res || res->signature != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") {
      std::printf("get-vanilla (%s): wrong signature or error\n", when);
      ++failed;
    }
  }
  if (!failed) std::printf("get-vanilla signed on a miss and a hit\n");
  return failed;
}
