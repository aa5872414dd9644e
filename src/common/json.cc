#include "common/json.h"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>

namespace weft {
namespace {

void AppendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no NaN or Infinity
    out += "null";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, end - buf);
  out += text;
  if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

// Which bytes a JSON string escapes: controls, '"' and '\\'.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

template <class Int>
void AppendInteger(std::string& out, Int n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (byte(i + k) & 0xC0) == 0x80;
    if (ok && len > 1) {  // no overlong forms, surrogates or code points past U+10FFFF
      uint32_t cp = c & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Copy runs of characters that need no escape in one append: most strings
  // are all such characters.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendJson(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      AppendInteger(out, v.get_int64());
      break;
    case json::kind::uint64:
      AppendInteger(out, v.get_uint64());
      break;
    case json::kind::double_:
      AppendDouble(out, v.get_double());
      break;
    case json::kind::string:
      AppendJsonString(out, v.get_string());
      break;
    case json::kind::array:
      AppendJson(out, v.get_array());
      break;
    case json::kind::object:
      AppendJson(out, v.get_object());
      break;
  }
}

void AppendJson(std::string& out, const json::array& a) {
  out.push_back('[');
  bool first = true;
  for (const auto& e : a) {
    if (!first) out.push_back(',');
    first = false;
    AppendJson(out, e);
  }
  out.push_back(']');
}

void AppendJson(std::string& out, const json::object& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& m : o) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, m.key());
    out.push_back(':');
    AppendJson(out, m.value());
  }
  out.push_back('}');
}

std::string ToJson(const json::value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

std::string ToJson(const json::object& o) {
  std::string out;
  AppendJson(out, o);
  return out;
}

std::string ToJson(const json::array& a) {
  std::string out;
  AppendJson(out, a);
  return out;
}

namespace {

// Builds a json::value like Boost.JSON's own parser, except for numbers
// with a fraction or an exponent: Boost.JSON 1.81 rounds some of them to a
// neighbouring double (0.16093563898117103 becomes 0.16093563898117105),
// so that a value read back from the store or a history would differ from
// the one written. They are read again from their text, exactly.
struct PreciseHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();
  using error_code = boost::system::error_code;
  using string_view = json::string_view;

  json::value_stack st;
  std::string number;  // the first parts of a number split across writes

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, string_view, error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, string_view, error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, string_view s, error_code&) {
    number.append(s.data(), s.size());
    double exact = 0;
    auto [end, err] = std::from_chars(number.data(), number.data() + number.size(), exact);
    // Out of range (1e400) keeps Boost's reading.
    if (err == std::errc() && end == number.data() + number.size()) d = exact;
    number.clear();
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

Result<json::value> ParseJson(std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 512;
  boost::system::error_code ec;
  json::basic_parser<PreciseHandler> p(opt);
  p.handler().st.reset();
  size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (ec || n != text.size()) {
    return Error::Validation("Malformed JSON at byte " + std::to_string(n) + ": " + ec.message());
  }
  return p.handler().st.release();
}

const json::value* Find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}
const json::string* FindString(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v ? v->if_string() : nullptr;
}
const json::object* FindObject(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v ? v->if_object() : nullptr;
}
const json::array* FindArray(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  return v ? v->if_array() : nullptr;
}
std::optional<int64_t> FindInt(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}
std::optional<bool> FindBool(const json::object& o, std::string_view key) {
  const auto* v = Find(o, key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

std::string_view KindName(json::kind k) {
  switch (k) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

}  // namespace weft
