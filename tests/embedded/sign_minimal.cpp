// sign_minimal: the footprint program. Signs the AWS SigV4 test suite's get-vanilla request in
// header mode with the built-in crypto, the way a firmware would, and returns 0 if and only if
// the signature is right. Nothing else: no printf, no extra features.
//
// Small-target configuration (see include/sigv4kit/config.hpp): capacities sized for a
// device's requests, one cached signing key, no <mutex>, header mode only (no presigned URLs).
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

int main() {
  // The signer (with its one-entry key cache) lives in main, which a firmware never leaves:
  // a global would need a static destructor (to wipe the cache) and with it the C library's
  // atexit machinery, about 250 bytes of flash for code that never runs on a device. As a
  // local its destructor still wipes the cache when main returns.
  sigv4kit::signer signer;
  const sigv4kit::header headers[] = {{"Host", "example.amazonaws.com"}};
  sigv4kit::request req{"GET", "https://example.amazonaws.com/", headers, "", ""};
  sigv4kit::signing_params p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}};
  p.region = "us-east-1";
  p.service = "service";
  p.timestamp = "20150830T123600Z";
  static char out[256];
  auto r = signer.sign(req, p, out);
  return r && r->signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" ? 0 : 1;
}
