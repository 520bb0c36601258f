// tools/sigv4kit/json.hpp - the small JSON reader and writer of the sigv4kit program.
//
// Reader: RFC 8259, strict. The text must be UTF-8; strings are decoded (escapes, including
// \u0000 and surrogate pairs, become UTF-8 bytes); every value keeps a view of its raw text
// so it can be echoed back unchanged. Values live in one flat array (no recursion in the
// data), nesting is limited, duplicate object keys are allowed and the last one wins (as
// Python's json does). No exceptions: parse() returns false and error() says why.
//
// Writer: write_string() emits a JSON string. Valid UTF-8 passes through unchanged, except
// that '"', '\\', the C0 and C1 control characters, DEL, U+2028 and U+2029 are escaped (so no
// line-splitting reader can break an answer line); a byte that is not part of a valid UTF-8
// sequence is written as \u00XX of its value (read back, it is that byte's Latin-1
// character), so the output is always valid JSON and valid UTF-8.
#ifndef SIGV4KIT_TOOLS_JSON_HPP
#define SIGV4KIT_TOOLS_JSON_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4kit_cli {
namespace json {

enum class kind : unsigned char { null, boolean, number, string, array, object };

inline constexpr std::uint32_t none = 0xffffffffu;

struct node {
  kind type = kind::null;
  bool boolean = false;
  std::string_view raw;  ///< the value as written (a view into the parsed text)
  std::string key;       ///< decoded key, when this node is a member of an object
  std::string text;      ///< decoded bytes, when this node is a string
  std::uint32_t first = none;  ///< first element or member (arrays, objects)
  std::uint32_t next = none;   ///< next sibling in the parent array or object
};

/// Length of the valid UTF-8 sequence at p[0..n), or 0 when there is none (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF).
inline std::size_t utf8_sequence(const unsigned char* p, std::size_t n) noexcept {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (std::size_t i = 2; i < len; ++i)
    if (p[i] < 0x80 || p[i] > 0xbf) return 0;
  return len;
}

/// Offset of the first byte that is not valid UTF-8, or npos.
inline std::size_t find_invalid_utf8(std::string_view s) noexcept {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0, n = s.size();
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence(p + i, n - i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

/// A parsed JSON text. Views (raw) point into the text given to parse(), which must outlive
/// the document's use.
class document {
 public:
  static constexpr int max_depth = 64;

  /// Parses `text` (one complete JSON value, surrounded by optional whitespace).
  bool parse(std::string_view text) {
    nodes_.clear();
    text_ = text;
    pos_ = 0;
    error_.clear();
    std::size_t bad = find_invalid_utf8(text);
    if (bad != std::string_view::npos) return fail_at(bad, "text is not valid UTF-8");
    std::uint32_t root;
    if (!parse_value(root, 0)) return false;
    skip_ws();
    if (pos_ != text_.size()) return fail("unexpected text after the JSON value");
    return true;
  }

  const node& root() const noexcept { return nodes_[0]; }
  const node& at(std::uint32_t i) const noexcept { return nodes_[i]; }

  /// The member `key` of object `obj` (the last one when repeated), or nullptr.
  const node* member(const node& obj, std::string_view key) const noexcept {
    const node* found = nullptr;
    if (obj.type != kind::object) return nullptr;
    for (std::uint32_t i = obj.first; i != none; i = nodes_[i].next)
      if (nodes_[i].key == key) found = &nodes_[i];
    return found;
  }

  /// Appends value `n` as JSON: its raw text when that is safe to put on one output line,
  /// else the same value written out again (compact, strings through write_string).
  void write(std::string& out, const node& n) const;

  /// What went wrong, e.g. "invalid JSON at byte 12: expected ':' after an object key".
  const std::string& error() const noexcept { return error_; }

  /// Overwrites every decoded string with zeros (they may hold secrets) and forgets them.
  template <class Wipe>
  void wipe(Wipe wipe_fn) {
    for (node& n : nodes_) {
      if (!n.text.empty()) wipe_fn(&n.text[0], n.text.size());
    }
    nodes_.clear();
  }

 private:
  bool fail(const char* what) { return fail_at(pos_, what); }
  bool fail_at(std::size_t at, const char* what) {
    error_ = "invalid JSON at byte ";
    error_ += std::to_string(at);
    error_ += ": ";
    error_ += what;
    return false;
  }

  void skip_ws() noexcept {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return text_[pos_]; }

  std::uint32_t new_node(kind k) {
    nodes_.emplace_back();
    nodes_.back().type = k;
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  bool parse_value(std::uint32_t& out, int depth) {
    skip_ws();
    if (at_end()) return fail("expected a value, found the end of the line");
    std::size_t start = pos_;
    char c = peek();
    bool ok;
    switch (c) {
      case '{':
        ok = parse_object(out, depth);
        break;
      case '[':
        ok = parse_array(out, depth);
        break;
      case '"': {
        out = new_node(kind::string);
        std::string s;
        ok = parse_string(s);
        if (ok) nodes_[out].text.swap(s);
        break;
      }
      case 't':
      case 'f':
      case 'n':
        ok = parse_literal(out);
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          ok = parse_number(out);
        } else {
          return fail("expected a value");
        }
    }
    if (ok) nodes_[out].raw = text_.substr(start, pos_ - start);
    return ok;
  }

  bool parse_literal(std::uint32_t& out) {
    std::string_view rest = text_.substr(pos_);
    if (rest.substr(0, 4) == "true") {
      out = new_node(kind::boolean);
      nodes_[out].boolean = true;
      pos_ += 4;
    } else if (rest.substr(0, 5) == "false") {
      out = new_node(kind::boolean);
      pos_ += 5;
    } else if (rest.substr(0, 4) == "null") {
      out = new_node(kind::null);
      pos_ += 4;
    } else {
      return fail("expected a value (true, false, null, a number, a string, [ or {)");
    }
    return true;
  }

  bool digits() {
    std::size_t b = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > b;
  }

  bool parse_number(std::uint32_t& out) {
    if (peek() == '-') ++pos_;
    if (at_end()) return fail("a number needs digits");
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return fail("a number needs digits");
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (!digits()) return fail("a number needs digits after '.'");
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (!digits()) return fail("a number needs digits in its exponent");
    }
    out = new_node(kind::number);
    return true;
  }

  bool hex4(std::uint32_t& v) {
    if (text_.size() - pos_ < 4) return fail("\\u needs four hex digits");
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                                              : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
      if (d < 0) {
        --pos_;
        return fail("\\u needs four hex digits");
      }
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  // At the opening quote; decodes into `out` and leaves pos_ after the closing quote.
  bool parse_string(std::string& out) {
    ++pos_;
    for (;;) {
      std::size_t run = pos_;
      while (!at_end()) {
        unsigned char c = static_cast<unsigned char>(peek());
        if (c == '"' || c == '\\' || c < 0x20) break;
        ++pos_;
      }
      out.append(text_.data() + run, pos_ - run);
      if (at_end()) return fail("unterminated string");
      char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') return fail("control character in a string (write it as \\n, \\t or \\u00XX)");
      ++pos_;
      if (at_end()) return fail("unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xdc00 && cp <= 0xdfff) return fail("\\u escape is a lone low surrogate");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            std::uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") return fail("\\u escape is a high surrogate without its low half");
            pos_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return fail("\\u escape is a high surrogate without its low half");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          return fail("unknown escape in a string");
      }
    }
  }

  void link(std::uint32_t parent, std::uint32_t& last, std::uint32_t child) {
    if (last == none) nodes_[parent].first = child;
    else nodes_[last].next = child;
    last = child;
  }

  bool parse_array(std::uint32_t& out, int depth) {
    if (depth >= max_depth) return fail("values nested too deeply");
    out = new_node(kind::array);
    ++pos_;
    skip_ws();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return true;
    }
    std::uint32_t last = none;
    for (;;) {
      std::uint32_t child;
      if (!parse_value(child, depth + 1)) return false;
      link(out, last, child);
      skip_ws();
      if (at_end()) return fail("unterminated array (expected ',' or ']')");
      char c = text_[pos_++];
      if (c == ']') return true;
      if (c != ',') {
        --pos_;
        return fail("expected ',' or ']' in an array");
      }
    }
  }

  bool parse_object(std::uint32_t& out, int depth) {
    if (depth >= max_depth) return fail("values nested too deeply");
    out = new_node(kind::object);
    ++pos_;
    skip_ws();
    if (!at_end() && peek() == '}') {
      ++pos_;
      return true;
    }
    std::uint32_t last = none;
    for (;;) {
      skip_ws();
      if (at_end() || peek() != '"') return fail("expected a string key in an object");
      std::string key;
      if (!parse_string(key)) return false;
      skip_ws();
      if (at_end() || peek() != ':') return fail("expected ':' after an object key");
      ++pos_;
      std::uint32_t child;
      if (!parse_value(child, depth + 1)) return false;
      nodes_[child].key.swap(key);
      link(out, last, child);
      skip_ws();
      if (at_end()) return fail("unterminated object (expected ',' or '}')");
      char c = text_[pos_++];
      if (c == '}') return true;
      if (c != ',') {
        --pos_;
        return fail("expected ',' or '}' in an object");
      }
    }
  }

  std::vector<node> nodes_;
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

/// Appends `s` to `out` as a JSON string (quotes included); see the file comment.
inline void write_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), run = 0, i = 0;
  auto flush = [&](std::size_t upto) { out.append(s.data() + run, upto - run); };
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t len = utf8_sequence(p + i, n - i);
      // C1 controls (U+0080..U+009F) and the line/paragraph separators (U+2028, U+2029)
      // are escaped too: readers that split lines on them (Python's str.splitlines) stay safe.
      bool c1 = len == 2 && c == 0xc2 && p[i + 1] <= 0x9f;
      bool separator = len == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9);
      if (len && !c1 && !separator) {
        i += len;
        continue;
      }
      if (c1 || separator) {
        flush(i);
        std::uint32_t cp = c1 ? p[i + 1] : (p[i + 2] == 0xa8 ? 0x2028u : 0x2029u);
        char e[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15], hex[cp & 15]};
        out.append(e, 6);
        i += len;
        run = i;
        continue;
      }
    }
    flush(i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(e, 6);
      }
    }
    run = ++i;
  }
  flush(n);
  out.push_back('"');
}

/// True when raw JSON text holds a character some line readers split on: CR (in whitespace),
/// U+0085, U+2028 or U+2029 (inside strings).
inline bool has_line_breaking_text(std::string_view raw) noexcept {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '\r') return true;
    if (c == 0xc2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0x85) return true;
    if (c == 0xe2 && i + 2 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(raw[i + 2]) == 0xa8 || static_cast<unsigned char>(raw[i + 2]) == 0xa9))
      return true;
  }
  return false;
}

inline void document::write(std::string& out, const node& n) const {
  if (!has_line_breaking_text(n.raw)) {
    out.append(n.raw.data(), n.raw.size());
    return;
  }
  switch (n.type) {
    case kind::string:
      write_string(out, n.text);
      return;
    case kind::array:
    case kind::object: {
      bool obj = n.type == kind::object;
      out.push_back(obj ? '{' : '[');
      for (std::uint32_t i = n.first; i != none; i = nodes_[i].next) {
        if (i != n.first) out.push_back(',');
        if (obj) {
          write_string(out, nodes_[i].key);
          out.push_back(':');
        }
        write(out, nodes_[i]);
      }
      out.push_back(obj ? '}' : ']');
      return;
    }
    default:  // literals and numbers never hold such text
      out.append(n.raw.data(), n.raw.size());
  }
}

}  // namespace json
}  // namespace sigv4kit_cli

#endif  // SIGV4KIT_TOOLS_JSON_HPP
