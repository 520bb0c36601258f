// A second translation unit including the headers (linked with no_exceptions.cpp).
#include <sigv4kit/sigv4kit.hpp>

std::string_view sign_in_second_tu(char* buf, std::size_t n) {
  sigv4kit::basic_signer<sigv4kit::portable_crypto, sigv4kit::null_lock> s;
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  sigv4kit::header hs[] = {{"Host", "example.amazonaws.com"}};
  sigv4kit::request r{"GET", "https://example.amazonaws.com/", hs, "", ""};
  auto res = s.sign(r, p, buf, n);
  return res ? res->signature : std::string_view();
}
