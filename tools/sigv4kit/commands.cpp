// tools/sigv4kit/commands.cpp - `sigv4kit sign URL` and `sigv4kit presign URL`: sign one
// request described curl-style on the command line, with credentials from the environment.
#include "cli.hpp"

#include <sigv4kit/sigv4kit.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4kit_cli {
namespace {

struct options {
  bool presign = false;
  std::string_view service, region, method, timestamp, url, expires;
  std::vector<std::string_view> header_args;
  std::string data;
  bool have_data = false;
  bool unsigned_payload = false;
  bool curl = false;
  bool jsonl = false;
  bool help = false;
  int others = 0;  // options other than --jsonl (they do not combine with it)
};

void err(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  std::string s = "sigv4kit: ";
  s += a;
  s += b;
  s += c;
  s += '\n';
  std::fputs(s.c_str(), stderr);
}

int usage_error(const options& o, std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  err(a, b, c);
  std::fputs(o.presign ? "Try 'sigv4kit presign --help'.\n" : "Try 'sigv4kit sign --help'.\n", stderr);
  return exit_usage;
}

/// Reads a whole file ("-" = standard input) into `out`; false with errno's text in `why`.
bool read_file(std::string_view name, std::string& out, std::string& why) {
  std::string path(name);
  std::FILE* f = name == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    why = std::strerror(errno);
    return false;
  }
  char chunk[65536];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) out.append(chunk, n);
  bool ok = !std::ferror(f);
  if (!ok) why = std::strerror(errno);
  if (f != stdin) std::fclose(f);
  return ok;
}

/// One data option, as curl reads it: -d/--data "@file" strips CR and LF from the file,
/// --data-binary "@file" keeps it as it is, --data-raw never reads a file. Pieces are joined
/// with '&'.
int add_data(options& o, std::string_view how, std::string_view value) {
  std::string piece;
  bool from_file = how != "--data-raw" && !value.empty() && value[0] == '@';
  if (from_file) {
    std::string why;
    if (!read_file(value.substr(1), piece, why)) {
      err("cannot read '", value.substr(1), "': " + why);
      return exit_failure;
    }
    if (how == "--data") {
      std::string kept;
      for (char c : piece)
        if (c != '\r' && c != '\n') kept.push_back(c);
      piece.swap(kept);
    }
  } else {
    piece = std::string(value);
  }
  if (o.have_data) o.data.push_back('&');
  o.data += piece;
  o.have_data = true;
  return exit_ok;
}

/// Matches option `a` against its short and long spellings and takes its value: "-X VALUE",
/// "-XVALUE", "--request VALUE", "--request=VALUE". 1 = matched, 0 = not this option,
/// -1 = matched but the value is missing.
int take(const std::vector<std::string_view>& args, std::size_t& i, std::string_view short_name,
         std::string_view long_name, std::string_view& value) {
  std::string_view a = args[i];
  if (a == long_name || (!short_name.empty() && a == short_name)) {
    if (i + 1 >= args.size()) return -1;
    value = args[++i];
    return 1;
  }
  if (a.size() > long_name.size() && a.substr(0, long_name.size()) == long_name && a[long_name.size()] == '=') {
    value = a.substr(long_name.size() + 1);
    return 1;
  }
  if (!short_name.empty() && a.size() > 2 && a.substr(0, 2) == short_name) {
    value = a.substr(2);
    return 1;
  }
  return 0;
}

int parse(const std::vector<std::string_view>& args, options& o) {
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      if (!o.url.empty()) return usage_error(o, "more than one URL given: '", a, "'");
      o.url = a;
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      o.help = true;
      continue;
    }
    if (!o.presign && a == "--jsonl") {
      o.jsonl = true;
      continue;
    }
    ++o.others;
    if (!o.presign && a == "--unsigned-payload") {
      o.unsigned_payload = true;
      continue;
    }
    if (!o.presign && a == "--curl") {
      o.curl = true;
      continue;
    }
    struct spec {
      std::string_view short_name, long_name;
      std::string_view* target;
      bool sign_only, presign_only;
    };
    std::string_view header, data;
    const spec specs[] = {
        {"", "--service", &o.service, false, false},   {"", "--region", &o.region, false, false},
        {"-X", "--request", &o.method, false, false},   {"-H", "--header", &header, false, false},
        {"", "--timestamp", &o.timestamp, false, false}, {"", "--expires", &o.expires, false, true},
        {"-d", "--data", &data, true, false},            {"", "--data-binary", &data, true, false},
        {"", "--data-raw", &data, true, false},
    };
    bool matched = false;
    for (const spec& s : specs) {
      if ((s.sign_only && o.presign) || (s.presign_only && !o.presign)) continue;
      std::string_view value;
      int r = take(args, i, s.short_name, s.long_name, value);
      if (r == 0) continue;
      if (r < 0) return usage_error(o, "option '", a, "' needs a value");
      matched = true;
      if (s.target == &header) {
        o.header_args.push_back(value);
      } else if (s.target == &data) {
        if (int st = add_data(o, s.long_name, value); st != exit_ok) return st;
      } else {
        *s.target = value;
      }
      break;
    }
    if (!matched) return usage_error(o, "unknown option '", a, "'");
  }
  return exit_ok;
}

/// Header arguments as curl reads them: "Name: value" (blanks after the colon skipped);
/// "Name;" is a header with an empty value; "Name:" with nothing after it is dropped, because
/// curl then sends no such header at all.
int parse_headers(const options& o, std::vector<sigv4kit::header>& out) {
  for (std::string_view h : o.header_args) {
    std::size_t colon = h.find(':');
    if (colon == std::string_view::npos) {
      if (!h.empty() && h.back() == ';') {
        out.push_back(sigv4kit::header{h.substr(0, h.size() - 1), std::string_view()});
        continue;
      }
      return usage_error(o, "header '", h, "' has no ':'; write it as -H 'Name: value'");
    }
    std::string_view name = h.substr(0, colon), value = h.substr(colon + 1);
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t')) value.remove_prefix(1);
    if (name.empty()) return usage_error(o, "header '", h, "' has no name before the ':'");
    if (value.empty()) continue;
    out.push_back(sigv4kit::header{name, value});
  }
  return exit_ok;
}

/// The URL's host name, lower-cased, without user info, port or brackets ("" if none).
std::string url_host(std::string_view url) {
  std::size_t s = url.find("://");
  if (s == std::string_view::npos) return {};
  std::string_view auth = url.substr(s + 3);
  auth = auth.substr(0, auth.find_first_of("/?#"));
  std::size_t at = auth.rfind('@');
  if (at != std::string_view::npos) auth = auth.substr(at + 1);
  if (!auth.empty() && auth[0] == '[') return {};  // an IPv6 literal names no service
  auth = auth.substr(0, auth.find(':'));
  std::string host;
  for (char c : auth) host.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

/// "us-east-1", "us-gov-west-1", "cn-north-1": two letters, words, a number.
bool is_region_label(std::string_view l) {
  std::size_t first = l.find('-'), last = l.rfind('-');
  if (first != 2 || last == first) return false;
  for (std::size_t i = 0; i < l.size(); ++i) {
    char c = l[i];
    bool ok = i > last ? (c >= '0' && c <= '9') : ((c >= 'a' && c <= 'z') || c == '-');
    if (!ok) return false;
  }
  return last + 1 < l.size();
}

/// The signing name guessed from an AWS host: "s3" when a label is s3 (or s3-...), else the
/// last label before the region and amazonaws.com ("sts.us-east-1.amazonaws.com" -> sts,
/// "abc.execute-api.eu-west-1.amazonaws.com" -> execute-api, "iam.amazonaws.com" -> iam),
/// without a "-fips" suffix. "" when the host is not an AWS endpoint.
std::string guess_service(const std::string& host) {
  std::vector<std::string_view> labels;
  std::string_view h = host;
  for (std::size_t pos = 0;;) {
    std::size_t dot = h.find('.', pos);
    labels.push_back(h.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos));
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  std::size_t n = labels.size();
  if (n >= 3 && labels[n - 1] == "cn" && labels[n - 2] == "com" && labels[n - 3] == "amazonaws") n -= 3;
  else if (n >= 2 && labels[n - 1] == "com" && labels[n - 2] == "amazonaws") n -= 2;
  else return {};
  for (std::size_t i = 0; i < n; ++i)
    if (labels[i] == "s3" || labels[i].substr(0, 3) == "s3-") return "s3";
  while (n > 0 && is_region_label(labels[n - 1])) --n;
  if (n == 0 || labels[n - 1].empty()) return {};
  std::string_view name = labels[n - 1];
  if (name.size() > 5 && name.substr(name.size() - 5) == "-fips") name.remove_suffix(5);
  return std::string(name);
}

std::string_view env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string_view(v) : std::string_view();
}

/// Shell-quotes `s` with single quotes (a ' inside becomes '\'').
std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q.push_back(c);
  }
  q += '\'';
  return q;
}

}  // namespace

int run_sign_command(const std::vector<std::string_view>& args, bool presign) {
  options o;
  o.presign = presign;
  if (int st = parse(args, o); st != exit_ok) return st;
  if (o.help) {
    if (presign) print_presign_usage(true);
    else print_sign_usage(true);
    return exit_ok;
  }
  if (o.jsonl) {
    if (o.others || !o.url.empty()) return usage_error(o, "--jsonl reads everything from standard input; it takes no other options");
    return run_jsonl();
  }
  if (o.url.empty()) return usage_error(o, "no URL given");

  // Scope: region from --region or the environment; service from --service or the host.
  std::string_view region = o.region;
  if (region.empty()) region = env("AWS_REGION");
  if (region.empty()) region = env("AWS_DEFAULT_REGION");
  if (region.empty()) return usage_error(o, "no region: pass --region or set AWS_REGION");
  std::string service(o.service);
  if (service.empty()) {
    std::string host = url_host(o.url);
    service = guess_service(host);
    if (service.empty())
      return usage_error(o, "cannot tell the service from the host '", host,
                         "'; pass --service (e.g. --service s3, --service execute-api)");
  }

  std::vector<sigv4kit::header> headers;
  if (int st = parse_headers(o, headers); st != exit_ok) return st;

  std::uint32_t expires = 3600;
  if (!o.expires.empty()) {
    std::uint64_t v = 0;
    for (char c : o.expires) {
      if (c < '0' || c > '9') return usage_error(o, "--expires needs a number of seconds (1..604800), not '", o.expires, "'");
      if (v <= 604800) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    expires = static_cast<std::uint32_t>(v > 604801 ? 604801 : v);  // the signer checks the range
  }

  std::string_view akid = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (akid.empty() || secret.empty()) {
    err("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)");
    return exit_failure;
  }

  char now[16];
  std::string_view timestamp = o.timestamp;
  if (timestamp.empty()) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    timestamp = sigv4kit::format_amz_date(static_cast<std::int64_t>(secs.count()), now);
  }

  bool s3 = service == "s3";
  sigv4kit::signing_params p;
  p.credentials = sigv4kit::credentials_view{akid, secret, env("AWS_SESSION_TOKEN")};
  p.region = region;
  p.service = service;
  p.timestamp = timestamp;
  p.use_s3_rules(s3);
  p.mode = presign ? sigv4kit::signing_mode::query : sigv4kit::signing_mode::header;
  p.expires = expires;

  std::string_view method = o.method;
  if (method.empty()) method = o.have_data ? "POST" : "GET";
  std::string_view payload_hash;
  if ((presign && s3) || o.unsigned_payload) payload_hash = sigv4kit::payload::unsigned_payload;
  sigv4kit::request r{method, o.url, sigv4kit::span<sigv4kit::header>(headers), o.data, payload_hash};

  sigv4kit::signer signer;
  std::vector<char> buf;
  sigv4kit::result<sigv4kit::signed_request> res = sign_growing(signer, r, p, buf, nullptr);
  if (!res) {
    err("cannot sign: ", res.err().message(), std::string(" [") + std::string(sigv4kit::to_string(res.err().kind())) + "]");
    return exit_failure;
  }

  std::string out;
  if (presign) {
    out.assign(res->url.data(), res->url.size());
    out += '\n';
  } else if (o.curl) {
    for (const sigv4kit::header& h : res->headers_to_add()) {
      if (!out.empty()) out += ' ';
      out += "-H ";
      std::string line(h.name);
      line += ": ";
      line += h.value;
      out += shell_quote(line);
    }
    out += '\n';
  } else {
    for (const sigv4kit::header& h : res->headers_to_add()) {
      out += h.name;
      out += ": ";
      out += h.value;
      out += '\n';
    }
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    err("cannot write to standard output");
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace sigv4kit_cli
