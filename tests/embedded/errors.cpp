// Errors in the footprint configuration (sign_minimal's: no error sentences, header mode only,
// one cached key, small capacities): each kind of bad input is refused with its kind, and
// message() is the kind's word. The status and error types are laid out differently without
// sentences (a status is one word), so this build's error paths are checked on their own, on
// the microcontroller (cortex-m-errors) and on the host (unit-no-messages). Prints a short
// report and returns non-zero on any failure.
#define SIGV4KIT_MAX_HEADERS 16
#define SIGV4KIT_MAX_QUERY_PARAMS 4
#define SIGV4KIT_MAX_PATH_SEGMENTS 32
#define SIGV4KIT_MAX_HEADER_NAME_BYTES 256
#define SIGV4KIT_MAX_SCOPE_PART 32
#define SIGV4KIT_MAX_ACCESS_KEY_ID 32
#define SIGV4KIT_KEY_CACHE_SIZE 1
#define SIGV4KIT_NO_THREADS
#define SIGV4KIT_NO_ERROR_MESSAGES
#define SIGV4KIT_NO_PRESIGN
#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>

namespace {

using sigv4kit::error_kind;

int passed = 0, failed = 0;

void check(const char* what, bool ok) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s\n", what);
  }
}

struct input {
  sigv4kit::header headers[20] = {{"Host", "example.amazonaws.com"}};
  std::size_t header_count = 1;
  sigv4kit::request req{"GET", "https://example.amazonaws.com/", {}, "", ""};
  sigv4kit::signing_params p;
  input() {
    p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
    p.region = "us-east-1";
    p.service = "service";
    p.timestamp = "20150830T123600Z";
  }
};

char out[512];

// Signs `in` and checks the outcome: `want` is the error kind, or nothing for a signature.
void expect(const char* what, input& in, const error_kind* want, std::size_t capacity = sizeof out) {
  static sigv4kit::signer signer;
  in.req.headers = sigv4kit::span<sigv4kit::header>(in.headers, in.header_count);
  auto r = signer.sign(in.req, in.p, out, capacity);
  if (!want) {
    check(what, r && r->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    return;
  }
  check(what, !r && r.err().kind() == *want && r.err().message() == sigv4kit::to_string(*want));
}

void expect(const char* what, input& in, error_kind want, std::size_t capacity = sizeof out) {
  expect(what, in, &want, capacity);
}

}  // namespace

int main() {
  {
    input in;
    expect("get-vanilla signs", in, nullptr);
  }
  {
    input in;
    in.req.method = "G ET";
    expect("method with a space", in, error_kind::invalid_method);
  }
  const char* bad_urls[] = {"example.amazonaws.com/", "https://example.amazonaws.com/#frag", "https://example.amazonaws.com:x/",
                            "https://user@example.amazonaws.com/", "https://[::1/", "https://example.amazonaws.com/a\nb",
                            "https://example.amazonaws.com/?a=\x01"};
  for (const char* u : bad_urls) {
    input in;
    in.req.url = u;
    in.headers[0].value = "example.amazonaws.com";
    expect("malformed URL", in, error_kind::invalid_url);
  }
  {
    input in;
    in.headers[in.header_count++] = {"Bad Name", "x"};
    expect("header name with a space", in, error_kind::invalid_header);
  }
  {
    input in;
    in.headers[in.header_count++] = {"X-A", "a\rb"};
    expect("header value with a bare CR", in, error_kind::invalid_header);
  }
  {
    input in;
    in.headers[in.header_count++] = {"host", "example.amazonaws.com"};
    expect("two Host headers", in, error_kind::invalid_header);
  }
  {
    input in;
    in.p.timestamp = "20150230T123600Z";
    expect("February 30th", in, error_kind::invalid_timestamp);
  }
  {
    input in;
    in.p.region = "us/east";
    expect("region with a slash", in, error_kind::invalid_scope);
  }
  {
    input in;
    in.p.service = "";
    expect("empty service", in, error_kind::invalid_scope);
  }
  {
    input in;
    in.p.credentials.access_key_id = "";
    expect("empty access key id", in, error_kind::invalid_credentials);
  }
  {
    input in;
    in.p.credentials.secret_access_key = "";
    expect("empty secret", in, error_kind::invalid_credentials);
  }
  {
    input in;
    in.p.credentials.session_token = "TOK\nEN";
    expect("session token with a line feed", in, error_kind::invalid_credentials);
  }
  {
    input in;
    in.req.payload_hash = "STREAMING-UNSIGNED-PAYLOAD";
    expect("unknown payload hash constant", in, error_kind::invalid_payload_hash);
  }
  {
    input in;
    static const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"};
    for (const char* n : names) in.headers[in.header_count++] = {n, "v"};
    expect("more signed headers than SIGV4KIT_MAX_HEADERS", in, error_kind::capacity_exceeded);
  }
  {
    input in;
    in.req.url = "https://example.amazonaws.com/?a=1&b=2&c=3&d=4&e=5";
    expect("more query parameters than SIGV4KIT_MAX_QUERY_PARAMS", in, error_kind::capacity_exceeded);
  }
  {
    input in;
    in.req.url = "https://example.amazonaws.com/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21/22/23/24/25/26/27/28/29/30/31/32/33";
    expect("more path segments than SIGV4KIT_MAX_PATH_SEGMENTS", in, error_kind::capacity_exceeded);
  }
  {
    input in;
    expect("output buffer too small", in, error_kind::buffer_too_small, 64);
  }
  {
    input in;
    in.p.mode = sigv4kit::signing_mode::query;
    expect("presigning compiled out", in, error_kind::unsupported);
  }
  {
    input in;
    expect("signs again after the errors (same signer, cached key)", in, nullptr);
  }
  {
    sigv4kit::status ok;
    sigv4kit::status bad = sigv4kit::error(error_kind::invalid_query);
    check("status: success and failure", ok.ok() && !bad && bad.err().kind() == error_kind::invalid_query &&
                                              bad.err().message() == "invalid_query");
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
