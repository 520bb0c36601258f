// libFuzzer harness: arbitrary bytes become a request (method, URL, headers, body, payload
// hash) and signing parameters; sign() must never crash, read out of bounds or loop, an
// accepted request must produce a 64-hex signature, and a key-cache miss must sign as a hit
// does. Not part of the default test command:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I include \
//       tests/fuzz/fuzz_sign.cpp -o fuzz_sign && ./fuzz_sign -max_total_time=60
#include <sigv4kit/sigv4kit.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {
// Splits the input at 0xFF bytes into fields.
std::vector<std::string_view> fields(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> out;
  const char* p = reinterpret_cast<const char*>(data);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0xFF) {
      out.emplace_back(p + start, i - start);
      start = i + 1;
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static sigv4kit::signer signer;
  auto f = fields(data, size);
  auto at = [&](std::size_t i, std::string_view fallback) { return i < f.size() ? f[i] : fallback; };
  std::uint8_t flags = size ? data[0] : 0;
  std::vector<sigv4kit::header> headers;
  for (std::size_t i = 6; i + 1 < f.size(); i += 2) headers.push_back({f[i], f[i + 1]});
  sigv4kit::request req{at(1, "GET"), at(2, "https://example.amazonaws.com/"), headers, at(3, ""),
                        (flags & 1) ? at(4, "") : std::string_view()};
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", (flags & 2) ? at(5, "") : ""};
  p.region = "us-east-1";
  p.service = (flags & 4) ? "s3" : "service";
  p.timestamp = "20150830T123600Z";
  p.mode = (flags & 8) ? sigv4kit::signing_mode::query : sigv4kit::signing_mode::header;
  p.normalize_path = flags & 16;
  p.double_encode = flags & 32;
  p.add_content_sha256 = flags & 64;
  p.sign_session_token = !(flags & 128);
  std::vector<char> out(sigv4kit::output_capacity(req, p));
  auto r = signer.sign(req, p, out.data(), out.size());
  if (r) {
    if (r->signature.size() != 64) __builtin_trap();
    for (char c : r->signature)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) __builtin_trap();
  } else if (r.err().kind() == sigv4kit::error_kind::buffer_too_small) {
    __builtin_trap();  // output_capacity must always be enough
  }
  // The same request through a signer with an empty cache: a miss, which writes the canonical
  // request before deriving the key and hashes it alongside (the shared signer mostly hits).
  // Both must give the same signature, or the same kind of error.
  sigv4kit::signer fresh;
  std::vector<char> out2(out.size());
  auto r2 = fresh.sign(req, p, out2.data(), out2.size());
  if (r.ok() != r2.ok()) __builtin_trap();
  if (r ? r->signature != r2->signature : r.err().kind() != r2.err().kind()) __builtin_trap();
  return 0;
}
