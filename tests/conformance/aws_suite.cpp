// The AWS SigV4 test suite (shared/conformance/aws-sigv4-suite/v4), read at run time: every
// case in header mode and in query mode, checking the canonical request, the string to sign,
// the signature and the signed request against the suite's files.
//
//   sigv4kit-aws-suite [SUITE_DIR]     exit 0 all pass, 1 a failure, 77 suite folder absent
#include <sigv4kit/sigv4kit.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool read_file(const fs::path& p, std::string& out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

// context.json is flat apart from "credentials": find "key": and read the value after it.
bool json_raw(const std::string& j, const std::string& key, std::string& out) {
  std::size_t k = j.find("\"" + key + "\"");
  if (k == std::string::npos) return false;
  std::size_t c = j.find(':', k);
  std::size_t v = j.find_first_not_of(" \t\r\n", c + 1);
  if (j[v] == '"') {
    std::size_t e = j.find('"', v + 1);
    out = j.substr(v + 1, e - v - 1);
  } else {
    std::size_t e = j.find_first_of(",}\r\n", v);
    out = j.substr(v, e - v);
  }
  return true;
}

struct suite_case {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string akid, secret, token, region, service, timestamp, payload_hash;
  bool normalize = true, sign_body = false, omit_token = false;
  unsigned expires = 3600;
};

// request.txt: request line, "Name:value" lines (a line starting with whitespace continues the
// previous value, kept as a folded line), blank line, body.
bool parse_request(const std::string& text, suite_case& c) {
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos > text.size()) return false;
    std::size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    line = text.substr(pos, e - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = e + 1;
    return true;
  };
  std::string line;
  if (!next_line(line)) return false;
  std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  c.method = line.substr(0, sp1);
  c.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (next_line(line)) {
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !c.headers.empty()) {
      c.headers.back().second += "\n" + line;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) return false;
    c.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  c.body = pos < text.size() ? text.substr(pos) : std::string();
  return true;
}

bool parse_context(const std::string& j, suite_case& c) {
  std::string v;
  if (!json_raw(j, "access_key_id", c.akid) || !json_raw(j, "secret_access_key", c.secret) ||
      !json_raw(j, "region", c.region) || !json_raw(j, "service", c.service) || !json_raw(j, "timestamp", v))
    return false;
  json_raw(j, "token", c.token);
  json_raw(j, "signed_body_value", c.payload_hash);  // e.g. UNSIGNED-PAYLOAD
  // "2015-08-30T12:36:00Z" -> "20150830T123600Z"
  v.erase(std::remove_if(v.begin(), v.end(), [](char ch) { return ch == '-' || ch == ':'; }), v.end());
  c.timestamp = v;
  if (json_raw(j, "normalize", v)) c.normalize = v == "true";
  if (json_raw(j, "sign_body", v)) c.sign_body = v == "true";
  if (json_raw(j, "omit_session_token", v)) c.omit_token = v == "true";
  if (json_raw(j, "expiration_in_seconds", v)) c.expires = static_cast<unsigned>(std::stoul(v));
  return true;
}

struct outcome {
  bool ok = false;
  std::string error, canonical, string_to_sign, signature, authorization, url;
  std::vector<sigv4kit::header> added;
};

outcome sign(const suite_case& c, sigv4kit::signing_mode mode, sigv4kit::signer& signer, std::string& store) {
  std::string host;
  std::vector<sigv4kit::header> hs;
  for (auto& h : c.headers) {
    hs.push_back({h.first, h.second});
    if (sigv4kit::detail::iequals(h.first, "host")) host = h.second;
  }
  store = "https://" + host + c.target;
  sigv4kit::request r{c.method, store, hs, c.body, c.payload_hash};
  sigv4kit::signing_params p;
  p.credentials = {c.akid, c.secret, c.token};
  p.region = c.region;
  p.service = c.service;
  p.timestamp = c.timestamp;
  p.mode = mode;
  p.expires = c.expires;
  p.normalize_path = c.normalize;
  p.double_encode = true;  // the suite uses the generic rules
  p.add_content_sha256 = c.sign_body;
  p.sign_session_token = !c.omit_token;
  outcome o;
  std::string parts[2];
  p.debug_sink = [](void* u, int part, const char* d, std::size_t n) { static_cast<std::string*>(u)[part].append(d, n); };
  p.debug_user = parts;
  static char buf[16384];
  auto res = signer.sign(r, p, buf);
  if (!res) {
    o.error = std::string(res.err().message());
    return o;
  }
  o.ok = true;
  o.canonical = parts[0];
  o.string_to_sign = parts[1];
  o.signature = std::string(res->signature);
  o.authorization = std::string(res->authorization);
  o.url = std::string(res->url);
  for (auto& h : res->headers_to_add()) o.added.push_back(h);
  return o;
}

std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The signed-request file: the request line and the headers; checked as a set of facts that
// do not depend on header order: the request target (query mode) and each header line.
bool signed_request_matches(const std::string& expected, const suite_case& c, const outcome& o,
                            sigv4kit::signing_mode mode, std::string& why) {
  std::istringstream in(expected);
  std::string line;
  std::getline(in, line);
  if (mode == sigv4kit::signing_mode::query) {
    // "GET /path?query HTTP/1.1": compare the parameters of our URL with the file's, as sets.
    std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto params = [](std::string q) {
      std::vector<std::string> v;
      std::size_t qm = q.find('?');
      q = qm == std::string::npos ? "" : q.substr(qm + 1);
      std::stringstream ss(q);
      for (std::string item; std::getline(ss, item, '&');) v.push_back(item);
      std::sort(v.begin(), v.end());
      return v;
    };
    std::string ours = o.url.substr(o.url.find('/', 8));
    if (params(target) != params(ours) || target.substr(0, target.find('?')) != ours.substr(0, ours.find('?'))) {
      why = "presigned target differs:\n  want " + target + "\n  got  " + ours;
      return false;
    }
  }
  // Every header line of the file must be either an input header or one we add.
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation of an input header
    std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    bool found = false;
    for (auto& h : o.added)
      if (sigv4kit::detail::iequals(h.name, name) && std::string(h.value) == value) found = true;
    for (auto& h : c.headers)
      if (sigv4kit::detail::iequals(h.first, name) && (h.second == value || h.second.rfind(value, 0) == 0)) found = true;
    if (!found) {
      why = "signed request has a header we do not produce: " + line;
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(SIGV4KIT_SHARED_DIR) / "conformance/aws-sigv4-suite/v4";
  if (!fs::is_directory(dir)) {
    std::printf("SKIP: AWS SigV4 suite not found at %s (it comes with ../shared/ next to the checkout)\n",
                dir.string().c_str());
    return 77;
  }
  std::vector<fs::path> cases;
  for (auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  sigv4kit::signer signer;
  int passed = 0, failed = 0;
  for (const fs::path& cd : cases) {
    std::string name = cd.filename().string(), req_text, ctx_text;
    suite_case c;
    if (!read_file(cd / "request.txt", req_text) || !read_file(cd / "context.json", ctx_text) ||
        !parse_request(req_text, c) || !parse_context(ctx_text, c)) {
      std::printf("FAIL %s: cannot read request.txt/context.json\n", name.c_str());
      ++failed;
      continue;
    }
    for (auto mode : {sigv4kit::signing_mode::header, sigv4kit::signing_mode::query}) {
      if (mode == sigv4kit::signing_mode::query && !sigv4kit::detail::presign_enabled) continue;  // (SIGV4KIT_NO_PRESIGN)
      const char* prefix = mode == sigv4kit::signing_mode::header ? "header" : "query";
      std::string label = name + " (" + prefix + ")", url;
      std::string want_cr, want_sts, want_sig, want_signed;
      bool have = read_file(cd / (std::string(prefix) + "-canonical-request.txt"), want_cr) &&
                  read_file(cd / (std::string(prefix) + "-string-to-sign.txt"), want_sts) &&
                  read_file(cd / (std::string(prefix) + "-signature.txt"), want_sig);
      if (!have) {
        std::printf("FAIL %s: expected-result files missing\n", label.c_str());
        ++failed;
        continue;
      }
      outcome o = sign(c, mode, signer, url);
      std::string why;
      if (!o.ok) why = "signing failed: " + o.error;
      else if (o.canonical != trim_trailing_newlines(want_cr)) why = "canonical request differs:\n--- want\n" + want_cr + "\n--- got\n" + o.canonical;
      else if (o.string_to_sign != trim_trailing_newlines(want_sts)) why = "string to sign differs:\n" + o.string_to_sign;
      else if (o.signature != trim_trailing_newlines(want_sig)) why = "signature differs: " + o.signature;
      else if (read_file(cd / (std::string(prefix) + "-signed-request.txt"), want_signed))
        signed_request_matches(want_signed, c, o, mode, why);
      if (why.empty()) {
        ++passed;
      } else {
        std::printf("FAIL %s: %s\n", label.c_str(), why.c_str());
        ++failed;
      }
    }
  }
  std::printf("AWS SigV4 suite at %s: %zu cases, %s\n", dir.string().c_str(), cases.size(),
              sigv4kit::detail::presign_enabled ? "both modes" : "header mode (presigning compiled out)");
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
