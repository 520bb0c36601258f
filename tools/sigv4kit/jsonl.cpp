// tools/sigv4kit/jsonl.cpp - `sigv4kit sign --jsonl`: one JSON request per input line, one
// JSON answer per output line, in order, flushed after each (shared/conformance/jsonl.md).
//
// Choices the contract leaves open:
//   * error kinds of our own: "invalid_json" (not UTF-8, not JSON, not an object),
//     "missing_field" (a required field absent or null), "invalid_field" (wrong type or a
//     value that is not allowed); the signer's refusals use its words (to_string(kind)).
//   * an optional field given as null counts as absent; unknown fields are ignored.
//   * `id` is echoed as its raw text (as "null" when absent or when the line is not JSON);
//     should that text hold CR, U+0085, U+2028 or U+2029 it is written out again (same value).
//   * `headers` in the answer: the input headers in input order, minus those the signer
//     replaces (header mode: same name as one of headers_to_add(), any case); then, when no
//     Host header was given, ["Host", <the host the signer signed>]; then (header mode) the
//     added headers in headers_to_add() order. So a caller can send exactly `headers`.
#include "cli.hpp"
#include "json.hpp"

#include <sigv4kit/sigv4kit.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4kit_cli {
namespace {

struct line_error {
  std::string_view kind;
  std::string message;
};

/// Reads the fields of one request object; the first problem is kept in `error`.
class fields {
 public:
  fields(const json::document& d, const json::node& obj) : doc_(d), obj_(obj) {}

  /// The member, or nullptr when absent or null.
  const json::node* get(std::string_view name) const {
    const json::node* n = doc_.member(obj_, name);
    return (n && n->type != json::kind::null) ? n : nullptr;
  }

  bool string(std::string_view name, bool required, std::string_view& out) {
    const json::node* n = get(name);
    if (!n) return required ? missing(name) : true;
    if (n->type != json::kind::string) return invalid(name, "must be a string");
    out = n->text;
    return true;
  }

  bool boolean(std::string_view name, bool& out) {
    const json::node* n = get(name);
    if (!n) return true;
    if (n->type != json::kind::boolean) return invalid(name, "must be true or false");
    out = n->boolean;
    return true;
  }

  /// An integer, clamped to [lo, hi] (the signer judges the range).
  bool integer(std::string_view name, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out) {
    const json::node* n = get(name);
    if (!n) return true;
    if (n->type != json::kind::number) return invalid(name, "must be an integer");
    std::string_view t = n->raw;
    bool negative = !t.empty() && t[0] == '-';
    if (negative) t.remove_prefix(1);
    std::uint64_t v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return invalid(name, "must be an integer (no fraction or exponent)");
      if (v <= hi) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (negative && v != 0) v = lo;
    out = static_cast<std::uint32_t>(v < lo ? lo : (v > hi ? hi : v));
    return true;
  }

  bool missing(std::string_view name) {
    error.kind = "missing_field";
    error.message = "field '";
    error.message += name;
    error.message += "' is required";
    return false;
  }

  bool invalid(std::string_view name, std::string_view what) {
    error.kind = "invalid_field";
    error.message = "field '";
    error.message += name;
    error.message += "' ";
    error.message += what;
    return false;
  }

  const json::document& doc() const { return doc_; }
  line_error error;

 private:
  const json::document& doc_;
  const json::node& obj_;
};

struct line_state {
  sigv4kit::signer signer;
  std::vector<char> out_buf;
  capture cap;
  std::vector<sigv4kit::header> headers;
  std::vector<std::string_view> unsigned_headers;
  std::string body_storage;
};

void append_pair(std::string& out, bool& first, std::string_view name, std::string_view value) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('[');
  json::write_string(out, name);
  out.push_back(',');
  json::write_string(out, value);
  out.push_back(']');
}

/// Signs the request in `f`'s object and appends the answer's fields after the id to `out`.
/// False (with f.error set) when the request cannot be signed.
bool sign_request(fields& f, line_state& st, std::string& out) {
  std::string_view method, url, region, service, akid, secret, token, timestamp, mode_text, payload_hash;
  if (!f.string("method", true, method) || !f.string("url", true, url) || !f.string("region", true, region) ||
      !f.string("service", true, service) || !f.string("access_key_id", true, akid) ||
      !f.string("secret_access_key", true, secret) || !f.string("timestamp", true, timestamp) ||
      !f.string("session_token", false, token) || !f.string("mode", false, mode_text) ||
      !f.string("payload_hash", false, payload_hash))
    return false;

  sigv4kit::signing_params p;
  if (mode_text.empty() && !f.get("mode")) mode_text = "header";
  if (mode_text == "header") p.mode = sigv4kit::signing_mode::header;
  else if (mode_text == "query") p.mode = sigv4kit::signing_mode::query;
  else return f.invalid("mode", "must be \"header\" or \"query\"");
  bool query = p.mode == sigv4kit::signing_mode::query;

  // Headers: [[name, value], ...].
  st.headers.clear();
  if (const json::node* h = f.get("headers")) {
    if (h->type != json::kind::array) return f.invalid("headers", "must be a list of [name, value] string pairs");
    const json::document& d = f.doc();
    for (std::uint32_t i = h->first; i != json::none; i = d.at(i).next) {
      const json::node& pair = d.at(i);
      const json::node* name = pair.type == json::kind::array && pair.first != json::none ? &d.at(pair.first) : nullptr;
      const json::node* value = name && name->next != json::none ? &d.at(name->next) : nullptr;
      if (!value || value->next != json::none || name->type != json::kind::string ||
          value->type != json::kind::string)
        return f.invalid("headers", "must be a list of [name, value] string pairs");
      st.headers.push_back(sigv4kit::header{name->text, value->text});
    }
  }
  st.unsigned_headers.clear();
  if (const json::node* u = f.get("unsigned_headers")) {
    if (u->type != json::kind::array) return f.invalid("unsigned_headers", "must be a list of header names");
    const json::document& d = f.doc();
    for (std::uint32_t i = u->first; i != json::none; i = d.at(i).next) {
      if (d.at(i).type != json::kind::string) return f.invalid("unsigned_headers", "must be a list of header names");
      st.unsigned_headers.push_back(d.at(i).text);
    }
  }

  // Body: body_base64 wins over body.
  std::string_view body;
  if (const json::node* b64 = f.get("body_base64")) {
    if (b64->type != json::kind::string) return f.invalid("body_base64", "must be a string");
    if (!base64_decode(b64->text, st.body_storage)) return f.invalid("body_base64", "is not valid base64");
    body = st.body_storage;
  } else if (!f.string("body", false, body)) {
    return false;
  }

  // Rules: s3_path_rules first, then the one-by-one overrides.
  bool s3 = service == "s3";
  if (!f.boolean("s3_path_rules", s3)) return false;
  p.use_s3_rules(s3);
  bool omit_token = false;
  if (!f.boolean("normalize_path", p.normalize_path) || !f.boolean("double_encode", p.double_encode) ||
      !f.boolean("content_sha256_header", p.add_content_sha256) || !f.boolean("omit_session_token", omit_token))
    return false;
  p.sign_session_token = !omit_token;
  // Out-of-range values stay out of range (0 or 604801) so the signer rejects them in query mode.
  if (!f.integer("expires", 0, 604801, p.expires)) return false;

  p.credentials = sigv4kit::credentials_view{akid, secret, token};
  p.region = region;
  p.service = service;
  p.timestamp = timestamp;
  p.unsigned_headers = sigv4kit::span<std::string_view>(st.unsigned_headers);
  p.debug_sink = &capture::sink;
  p.debug_user = &st.cap;

  sigv4kit::request r{method, url, sigv4kit::span<sigv4kit::header>(st.headers), body, payload_hash};
  sigv4kit::result<sigv4kit::signed_request> res = sign_growing(st.signer, r, p, st.out_buf, &st.cap);
  if (!res) {
    f.error.kind = sigv4kit::to_string(res.err().kind());
    f.error.message = std::string(res.err().message());
    return false;
  }

  out += ",\"canonical_request\":";
  json::write_string(out, st.cap.canonical_request);
  out += ",\"string_to_sign\":";
  json::write_string(out, st.cap.string_to_sign);
  out += ",\"signature\":";
  json::write_string(out, res->signature);
  if (query) {
    out += ",\"url\":";
    json::write_string(out, res->url);
  } else {
    out += ",\"authorization\":";
    json::write_string(out, res->authorization);
  }
  out += ",\"headers\":[";
  bool first = true, have_host = false;
  sigv4kit::span<sigv4kit::header> added = res->headers_to_add();
  for (const sigv4kit::header& h : st.headers) {
    if (iequals(h.name, "host")) have_host = true;
    bool replaced = false;
    for (const sigv4kit::header& a : added)
      if (iequals(h.name, a.name)) replaced = true;
    if (!replaced) append_pair(out, first, h.name, h.value);
  }
  if (!have_host) append_pair(out, first, "Host", res->host);
  for (const sigv4kit::header& a : added) append_pair(out, first, a.name, a.value);
  out += "]}";
  return true;
}

/// Answers one non-blank line into `out` (without the newline).
void answer_line(std::string_view line, json::document& doc, line_state& st, std::string& out) {
  out.clear();
  if (!doc.parse(line)) {
    out += "{\"id\":null,\"error\":{\"kind\":\"invalid_json\",\"message\":";
    json::write_string(out, doc.error());
    out += "}}";
    return;
  }
  if (doc.root().type != json::kind::object) {
    out += "{\"id\":null,\"error\":{\"kind\":\"invalid_json\",\"message\":"
           "\"the line must be a JSON object (one request)\"}}";
    return;
  }
  out += "{\"id\":";
  const json::node* id = doc.member(doc.root(), "id");
  if (id) doc.write(out, *id);
  else out += "null";
  std::size_t id_end = out.size();
  fields f(doc, doc.root());
  if (sign_request(f, st, out)) return;
  out.resize(id_end);
  out += ",\"error\":{\"kind\":";
  json::write_string(out, f.error.kind);
  out += ",\"message\":";
  json::write_string(out, f.error.message);
  out += "}}";
}

bool is_blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

/// Reads one line (without its '\n') from `f`; false at the end of the input.
bool read_line(std::FILE* f, std::string& line) {
  line.clear();
  int c;
  while ((c = std::getc(f)) != EOF) {
    if (c == '\n') return true;
    line.push_back(static_cast<char>(c));
  }
  return !line.empty();
}

void wipe(std::string& s) {
  if (!s.empty()) sigv4kit::secure_wipe(&s[0], s.size());
}

}  // namespace

int run_jsonl() {
  line_state st;
  json::document doc;
  std::string line, out;
  int status = exit_ok;
  while (read_line(stdin, line)) {
    if (is_blank(line)) continue;
    answer_line(line, doc, st, out);
    out.push_back('\n');
    bool written = std::fwrite(out.data(), 1, out.size(), stdout) == out.size() && std::fflush(stdout) == 0;
    // The line and its decoded strings held the secret key; the answer never does.
    wipe(line);
    doc.wipe([](void* p, std::size_t n) { sigv4kit::secure_wipe(p, n); });
    if (!written) {
      std::fputs("sigv4kit: cannot write to standard output; stopping\n", stderr);
      return exit_failure;
    }
  }
  if (std::ferror(stdin)) {
    std::fputs("sigv4kit: error reading standard input; stopping\n", stderr);
    status = exit_failure;
  }
  return status;
}

}  // namespace sigv4kit_cli
