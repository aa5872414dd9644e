// Event details written as JSON text (asl/event_text.h).
#include "asl/event_text.h"

#include <array>
#include <cstring>

namespace weft::asl {
namespace {

// The bytes each byte takes inside a JSON string: 1, 2 ("\\n") or 6
// ("\\u0001"); the same escapes as AppendJsonString.
constexpr std::array<uint8_t, 256> kQuotedBytes = [] {
  std::array<uint8_t, 256> t{};
  t.fill(1);
  for (int c = 0; c < 0x20; ++c) t[c] = 6;
  t['"'] = t['\\'] = t['\n'] = t['\r'] = t['\t'] = t['\b'] = t['\f'] = 2;
  return t;
}();

size_t QuotedSize(std::string_view s) {
  size_t n = 2;
  for (unsigned char c : s) n += kQuotedBytes[c];
  return n;
}

// Writes QuotedSize(s) bytes at p: one pass, no appends (event texts are
// mostly JSON, full of quotes to escape).
void WriteQuoted(char* p, std::string_view s, size_t quoted_size) {
  static constexpr char kHex[] = "0123456789abcdef";
  *p++ = '"';
  if (quoted_size == s.size() + 2) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  } else {
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      switch (kQuotedBytes[c]) {
        case 1:
          *p++ = ch;
          break;
        case 2:
          *p++ = '\\';
          *p++ = c == '\n'   ? 'n'
                 : c == '\r' ? 'r'
                 : c == '\t' ? 't'
                 : c == '\b' ? 'b'
                 : c == '\f' ? 'f'
                             : ch;  // '"' and '\\'
          break;
        default:
          std::memcpy(p, "\\u00", 4);
          p[4] = kHex[c >> 4];
          p[5] = kHex[c & 15];
          p += 6;
      }
    }
  }
  *p = '"';
}

// The escape AppendJsonString writes for c (kQuotedBytes[c] > 1) at p;
// returns its length.
size_t RawEscape(unsigned char c, char* p) {
  static constexpr char kHex[] = "0123456789abcdef";
  p[0] = '\\';
  switch (c) {
    case '"':
    case '\\':
      p[1] = static_cast<char>(c);
      return 2;
    case '\n':
      p[1] = 'n';
      return 2;
    case '\r':
      p[1] = 'r';
      return 2;
    case '\t':
      p[1] = 't';
      return 2;
    case '\b':
      p[1] = 'b';
      return 2;
    case '\f':
      p[1] = 'f';
      return 2;
    default:
      std::memcpy(p + 1, "u00", 3);
      p[4] = kHex[c >> 4];
      p[5] = kHex[c & 15];
      return 6;
  }
}

// Appends AppendJsonString(s)'s text, itself escaped as JSON string content:
// \"...\" with every escape's backslash doubled.
void AppendDoublyEscaped(std::string& out, std::string_view s) {
  out += "\\\"";
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (kQuotedBytes[c] == 1) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    char raw[6];
    size_t n = RawEscape(c, raw);
    for (size_t k = 0; k < n; ++k) {
      if (raw[k] == '\\' || raw[k] == '"') out.push_back('\\');
      out.push_back(raw[k]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += "\\\"";
}

// Appends ToJson(v) escaped as JSON string content (no outer quotes).
void AppendEscapedJson(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        AppendDoublyEscaped(out, kv.key());
        out.push_back(':');
        AppendEscapedJson(out, kv.value());
      }
      out.push_back('}');
      return;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        AppendEscapedJson(out, e);
      }
      out.push_back(']');
      return;
    }
    case json::kind::string:
      AppendDoublyEscaped(out, v.get_string());
      return;
    default:  // numbers, true, false, null: no character to escape
      AppendJson(out, v);
  }
}

// A per-thread scratch buffer, cleared; a large one is let go first.
std::string& Scratch() {
  constexpr size_t kKeepBytes = 64 * 1024;
  thread_local std::string buffer;
  if (buffer.capacity() > kKeepBytes) std::string().swap(buffer);
  buffer.clear();
  return buffer;
}

}  // namespace

json::string QuoteJsonOf(const json::value& v) {
  std::string& buffer = Scratch();
  buffer.push_back('"');
  AppendEscapedJson(buffer, v);
  buffer.push_back('"');
  return json::string(buffer);
}

std::string_view ToJsonView(const json::value& v) {
  std::string& buffer = Scratch();  // no fresh string per call
  AppendJson(buffer, v);
  return buffer;
}

json::string QuoteJson(std::string_view text) {
  size_t n = QuotedSize(text);
  json::string out;
  out.resize(n);
  WriteQuoted(out.data(), text, n);
  return out;
}

DetailsText::DetailsText(size_t reserve) {
  text_.reserve(reserve);
  text_.push_back('{');
}

void DetailsText::Key(std::string_view key) {
  if (text_.size() > 1) text_.push_back(',');
  text_.push_back('"');
  text_ += key;
  text_ += "\":";
}

DetailsText& DetailsText::Str(std::string_view key, std::string_view value) {
  Key(key);
  size_t at = text_.size(), n = QuotedSize(value);
  text_.resize(at + n);
  WriteQuoted(text_.data() + at, value, n);
  return *this;
}

DetailsText& DetailsText::Raw(std::string_view key, std::string_view json_text) {
  Key(key);
  text_ += json_text;
  return *this;
}

DetailsText& DetailsText::Int(std::string_view key, int64_t value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

DetailsText& DetailsText::NotTruncated(std::string_view key) {
  return Raw(key, R"({"truncated":false})");
}

DetailsText& DetailsText::TextsOf(std::string_view key, const json::object& values) {
  Key(key);
  text_.push_back('{');
  bool first = true;
  for (const auto& kv : values) {
    if (!first) text_.push_back(',');
    first = false;
    AppendJsonString(text_, kv.key());
    text_.push_back(':');
    AppendJsonString(text_, ToJson(kv.value()));
  }
  text_.push_back('}');
  return *this;
}

std::string DetailsText::Take() {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace weft::asl
