// A tiny consumer program: signs the AWS SigV4 suite's get-vanilla request and checks the
// signature. Built by each packaging test (find_package, add_subdirectory, single header).
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>

int main() {
  sigv4kit::signer s;
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", {}, "", ""};
  char buf[1024];
  auto res = s.sign(r, p, buf);
  bool ok = res && res->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  std::printf("consumer: %s\n", ok ? "signature ok" : "WRONG");
  return ok ? 0 : 1;
}
