// src/asl/jsonata_fn_string.cc: JSONata's string functions (functions.js).
// Lengths and offsets count Unicode code points, as jsonata-js does
// (Array.from(str)); $match's index counts UTF-16 units, as JavaScript does.
#include <cmath>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

char32_t CaseMap(char32_t c, bool upper) {
  if (upper) {
    if (c >= 'a' && c <= 'z') return c - 32;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
    if (c == 0xFF) return 0x178;
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
    if (c == 0x3C2) return 0x3A3;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
      bool odd_is_lower = !((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E));
      if (odd_is_lower ? (c % 2 == 1) : (c % 2 == 0)) return c - 1;
    }
    return c;
  }
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x138 && c != 0x149 && c != 0x17F) {
    bool even_is_upper = !((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E));
    if (even_is_upper ? (c % 2 == 0) : (c % 2 == 1)) return c + 1;
  }
  return c;
}

std::string ChangeCase(const std::string& s, bool upper) {
  std::string out;
  out.reserve(s.size());
  std::u32string cps = ToU32(s);
  auto letter = [](char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xC0;
  };
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    // The special casings of String.prototype.toUpperCase/toLowerCase that
    // expand (a small subset of Unicode's SpecialCasing.txt).
    if (upper && c == 0xDF) {
      out += "SS";
      continue;
    }
    if (upper && c >= 0xFB00 && c <= 0xFB06) {
      static const char* const kLigatures[] = {"FF", "FI", "FL", "FFI", "FFL", "ST", "ST"};
      out += kLigatures[c - 0xFB00];
      continue;
    }
    if (!upper && c == 0x130) {
      out += "i\u0307";
      continue;
    }
    // Final sigma, as String.prototype.toLowerCase.
    if (!upper && c == 0x3A3 && i > 0 && letter(cps[i - 1]) &&
        (i + 1 == cps.size() || !letter(cps[i + 1]))) {
      AppendUtf8(out, 0x3C2);
      continue;
    }
    AppendUtf8(out, CaseMap(c, upper));
  }
  return out;
}

// Array.prototype.slice's index: truncated, negative from the end.
int64_t SliceIndex(double d, int64_t len) {
  if (std::isnan(d)) return 0;
  if (std::isinf(d)) return d < 0 ? 0 : len;
  auto i = static_cast<int64_t>(std::trunc(d));
  if (i < 0) return std::max<int64_t>(0, len + i);
  return std::min(i, len);
}

std::string Substring(const std::string& str, double start, const Value& length) {
  std::u32string cps = ToU32(str);
  auto len = static_cast<double>(cps.size());
  if (len + start < 0) start = 0;
  double end = len;
  if (length.defined()) {
    double l = length.number();
    if (l <= 0) return "";
    end = start >= 0 ? start + l : len + start + l;
  }
  int64_t b = SliceIndex(start, static_cast<int64_t>(len));
  int64_t e = SliceIndex(end, static_cast<int64_t>(len));
  if (e <= b) return "";
  return FromU32(
      std::u32string_view(cps).substr(static_cast<size_t>(b), static_cast<size_t>(e - b)));
}

Value FnString(Evaluator&, std::vector<Value>& args, const Value&) {
  Value arg = Arg(args, 0);
  if (arg.undefined()) return Value();
  if (arg.is_array() && arg.arr().outer_wrapper && !arg.arr().items.empty())
    arg = arg.arr().items[0];
  bool pretty = Arg(args, 1).is_bool() && Arg(args, 1).boolean();
  return Value::Str(StringOf(arg, pretty));
}

Value FnSubstring(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Str(Substring(args[0].str(), Num(Arg(args, 1)), Arg(args, 2)));
}

Value FnSubstringBefore(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& s = args[0].str();
  if (Arg(args, 1).undefined()) return args[0];
  size_t pos = s.find(args[1].str());
  return pos == std::string::npos ? args[0] : Value::Str(s.substr(0, pos));
}

Value FnSubstringAfter(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& s = args[0].str();
  if (Arg(args, 1).undefined()) return args[0];
  size_t pos = s.find(args[1].str());
  return pos == std::string::npos ? args[0] : Value::Str(s.substr(pos + args[1].str().size()));
}

Value FnLowercase(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Str(ChangeCase(args[0].str(), false));
}

Value FnUppercase(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Str(ChangeCase(args[0].str(), true));
}

Value FnLength(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Num(static_cast<double>(ToU32(args[0].str()).size()));
}

Value FnTrim(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  std::string out;
  bool in_space = false;
  for (char c : args[0].str()) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!in_space) out += ' ';
      in_space = true;
    } else {
      out += c;
      in_space = false;
    }
  }
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return Value::Str(out);
}

Value FnPad(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& str = args[0].str();
  std::string ch = Arg(args, 2).is_string() ? args[2].str() : "";
  if (ch.empty()) ch = " ";
  double width = Num(Arg(args, 1));
  double pad_length = std::fabs(width) - static_cast<double>(ToU32(str).size());
  if (!(pad_length > 0)) return args[0];
  if (pad_length > 1e7) Throw("D2014", -1, "", FormatNumberJs(pad_length));
  auto n = static_cast<size_t>(pad_length);
  std::string padding;
  for (size_t i = 0; i < n; ++i) padding += ch;
  if (ToU32(ch).size() > 1) padding = Substring(padding, 0, Value::Num(static_cast<double>(n)));
  return Value::Str(width > 0 ? str + padding : padding + str);
}

// Byte offset in UTF-8 `s` of UTF-16 offset `units` (clamped).
size_t ByteOfUtf16(const std::string& s, double units) {
  if (!(units > 0)) return 0;
  size_t u = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) == 0x80) continue;
    if (static_cast<double>(u) >= units) return i;
    u += (b >> 3) == 30 ? 2 : 1;
  }
  return s.size();
}

// The matches of a matcher: a regex, or a function that returns jsonata's
// match objects ({match, start, end, groups, next}) as a regex does.
std::vector<RegexMatch> Matches(Evaluator& ev, const Value& matcher, const std::string& s,
                                int64_t limit) {
  if (matcher.is_function() && matcher.fn().kind == Function::Kind::kRegex &&
      !matcher.fn().regex_subject)
    return RegexAll(*matcher.fn().regex, s, limit);
  auto bad = [] {
    ThrowArg("T1010",
             "The matcher function argument passed to function {{token}} does not return the "
             "correct object structure");
  };
  if (!matcher.is_function()) bad();
  std::vector<RegexMatch> out;
  Value result = ev.Apply(matcher, {Value::Str(s)}, Value::Null(), nullptr);
  while (result.defined()) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
    if (!result.is_object()) bad();
    const Object& o = result.obj();
    const Value* start = o.Find("start");
    const Value* groups = o.Find("groups");
    const Value* next = o.Find("next");
    if (!(start && start->is_number()) && !(groups && groups->is_array()) &&
        !(next && next->is_function()))
      bad();
    RegexMatch m;
    const Value* match = o.Find("match");
    m.match = match && match->is_string() ? match->str() : "";
    m.start = ByteOfUtf16(s, start && start->is_number() ? start->number() : 0);
    const Value* end = o.Find("end");
    m.end = end && end->is_number() ? ByteOfUtf16(s, end->number()) : m.start + m.match.size();
    if (groups && groups->is_array()) m.groups = groups->arr().items;
    out.push_back(std::move(m));
    if (!(next && next->is_function())) break;
    result = ev.Apply(*next, {}, Value::Null(), nullptr);
  }
  return out;
}

Value FnContains(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& s = args[0].str();
  if (Arg(args, 1).is_string()) return Value::Bool(s.find(args[1].str()) != std::string::npos);
  return Value::Bool(!Matches(ev, Arg(args, 1), s, 1).empty());
}

double LimitOf(const Value& v, const char* code, int index) {
  if (v.undefined()) return -1;
  double limit = v.number();
  if (limit < 0)
    throw JsonataError{code, -1,
                       "Third argument of function {{token}} must evaluate to a positive number"
                       " (argument " +
                           std::to_string(index) + ")"};
  return limit;
}

Value FnMatch(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double limit = LimitOf(Arg(args, 2), "D3040", 3);
  auto result = NewSequence();
  if (limit == 0) return Value::Arr(result);
  const std::string& s = args[0].str();
  auto matches =
      Matches(ev, Arg(args, 1), s, limit < 0 ? -1 : static_cast<int64_t>(std::ceil(limit)));
  for (const auto& m : matches) {
    auto obj = NewObject();
    obj->Set("match", Value::Str(m.match));
    obj->Set("index", Value::Num(static_cast<double>(Utf16Offset(s, m.start))));
    auto groups = NewArray();
    groups->items = m.groups;
    obj->Set("groups", Value::Arr(groups));
    result->items.push_back(Value::Obj(obj));
  }
  return Value::Arr(result);
}

std::string ExpandReplacement(const std::string& replacement, const RegexMatch& m) {
  std::string out;
  size_t position = 0;
  size_t index = replacement.find('$', position);
  while (index != std::string::npos && position < replacement.size()) {
    out += replacement.substr(position, index - position);
    position = index + 1;
    char dollar = position < replacement.size() ? replacement[position] : '\0';
    if (dollar == '$') {
      out += '$';
      ++position;
    } else if (dollar == '0') {
      out += m.match;
      ++position;
    } else {
      size_t groups = m.groups.size();
      size_t max_digits = groups == 0 ? 1 : static_cast<size_t>(std::floor(std::log10(groups))) + 1;
      auto parse = [&](size_t digits) -> long {
        std::string part = replacement.substr(position, digits);
        size_t k = 0;
        while (k < part.size() && part[k] >= '0' && part[k] <= '9') ++k;
        if (k == 0) return -1;
        return std::stol(part.substr(0, k));
      };
      long group = parse(max_digits);
      if (max_digits > 1 && group > static_cast<long>(groups)) group = parse(max_digits - 1);
      if (group >= 0) {
        if (groups > 0 && group >= 1 && static_cast<size_t>(group) <= groups) {
          const Value& sub = m.groups[static_cast<size_t>(group) - 1];
          if (sub.is_string()) out += sub.str();
        }
        position += std::to_string(group).size();
      } else {
        out += '$';
      }
    }
    index = replacement.find('$', position);
  }
  if (position < replacement.size()) out += replacement.substr(position);
  return out;
}

Value FnReplace(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& str = args[0].str();
  const Value& pattern = Arg(args, 1);
  const Value& replacement = Arg(args, 2);
  if (pattern.is_string() && pattern.str().empty())
    ThrowArg("D3010", "Second argument of replace function cannot be an empty string");
  double limit = Arg(args, 3).undefined() ? -1 : args[3].number();
  if (Arg(args, 3).defined() && limit < 0)
    ThrowArg("D3011", "Fourth argument of replace function must evaluate to a positive number");
  if (limit == 0) return args[0];
  std::string result;
  size_t position = 0;
  int64_t count = 0;
  auto under_limit = [&] { return limit < 0 || static_cast<double>(count) < limit; };
  if (pattern.is_string()) {
    std::string rep = replacement.is_string() ? replacement.str() : StringOf(replacement);
    size_t index = str.find(pattern.str(), position);
    while (index != std::string::npos && under_limit()) {
      result += str.substr(position, index - position);
      result += rep;
      position = index + pattern.str().size();
      ++count;
      index = str.find(pattern.str(), position);
    }
    result += str.substr(position);
    return Value::Str(result);
  }
  auto matches = Matches(ev, pattern, str, limit < 0 ? -1 : static_cast<int64_t>(std::ceil(limit)));
  if (matches.empty()) return args[0];
  for (const auto& m : matches) {
    result += str.substr(position, m.start - position);
    if (replacement.is_string()) {
      result += ExpandReplacement(replacement.str(), m);
    } else {
      auto obj = NewObject();
      obj->Set("match", Value::Str(m.match));
      obj->Set("start", Value::Num(static_cast<double>(Utf16Offset(str, m.start))));
      obj->Set("end", Value::Num(static_cast<double>(Utf16Offset(str, m.end))));
      auto groups = NewArray();
      groups->items = m.groups;
      obj->Set("groups", Value::Arr(groups));
      Value with = ev.Apply(replacement, {Value::Obj(obj)}, Value::Null(), nullptr);
      if (!with.is_string()) Throw("D3012", -1, "", Describe(with));
      result += with.str();
    }
    position = m.start + m.match.size();
  }
  result += str.substr(position);
  return Value::Str(result);
}

Value FnSplit(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& str = args[0].str();
  double limit = Arg(args, 2).undefined() ? -1 : args[2].number();
  if (Arg(args, 2).defined() && limit < 0)
    ThrowArg("D3020", "Third argument of split function must evaluate to a positive number");
  auto result = NewArray();
  auto under_limit = [&] {
    return limit < 0 || static_cast<double>(result->items.size()) < std::floor(limit);
  };
  if (limit == 0) return Value::Arr(result);
  const Value& sep = Arg(args, 1);
  if (sep.is_string()) {
    const std::string& s = sep.str();
    if (s.empty()) {
      for (char32_t c : ToU32(str)) {
        if (!under_limit()) break;
        std::string one;
        AppendUtf8(one, c);
        result->items.push_back(Value::Str(one));
      }
      return Value::Arr(result);
    }
    size_t start = 0;
    for (;;) {
      if (!under_limit()) break;
      size_t at = str.find(s, start);
      if (at == std::string::npos) {
        result->items.push_back(Value::Str(str.substr(start)));
        break;
      }
      result->items.push_back(Value::Str(str.substr(start, at - start)));
      start = at + s.size();
    }
    return Value::Arr(result);
  }
  auto matches = Matches(ev, sep, str, limit < 0 ? -1 : static_cast<int64_t>(std::ceil(limit)));
  if (matches.empty()) {
    result->items.push_back(args[0]);
    return Value::Arr(result);
  }
  size_t start = 0;
  for (const auto& m : matches) {
    result->items.push_back(Value::Str(str.substr(start, m.start - start)));
    start = m.end;
  }
  if (under_limit()) result->items.push_back(Value::Str(str.substr(start)));
  return Value::Arr(result);
}

Value FnJoin(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  std::string sep = Arg(args, 1).is_string() ? args[1].str() : "";
  std::string out;
  bool first = true;
  for (const auto& s : args[0].arr().items) {
    if (!first) out += sep;
    first = false;
    out += s.str();
  }
  return Value::Str(out);
}

// Buffer.from(str, 'binary'): each UTF-16 unit's low byte.
std::string Latin1Bytes(const std::string& s) {
  std::string out;
  for (char32_t c : ToU32(s)) {
    if (c >= 0x10000) {
      char32_t v = c - 0x10000;
      out += static_cast<char>((0xD800 + (v >> 10)) & 0xFF);
      out += static_cast<char>((0xDC00 + (v & 0x3FF)) & 0xFF);
    } else {
      out += static_cast<char>(c & 0xFF);
    }
  }
  return out;
}

Value FnBase64Encode(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes = Latin1Bytes(args[0].str());
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += kChars[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kChars[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Value::Str(out);
}

Value FnBase64Decode(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  // Buffer.from(s, 'base64') skips characters outside the alphabet and
  // stops at '='; also accepts the URL-safe alphabet.
  std::string bytes;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : args[0].str()) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+' || c == '-') v = 62;
    if (c == '/' || c == '_') v = 63;
    if (c == '=') break;
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  std::string out;
  for (char b : bytes) AppendUtf8(out, static_cast<unsigned char>(b));
  return Value::Str(out);
}

Value Encode(const std::vector<Value>& args, std::string_view keep) {
  if (Arg(args, 0).undefined()) return Value();
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : args[0].str()) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        (c < 0x80 && keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return Value::Str(out);
}

Value FnEncodeUrlComponent(Evaluator&, std::vector<Value>& args, const Value&) {
  return Encode(args, "-_.!~*'()");
}
Value FnEncodeUrl(Evaluator&, std::vector<Value>& args, const Value&) {
  return Encode(args, "-_.!~*'();/?:@&=+$,#");
}

Value Decode(const std::vector<Value>& args, std::string_view reserved, const char* name) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& s = args[0].str();
  auto fail = [&]() {
    std::string v;
    AppendJsonString(v, s);
    ThrowArg("D3140", "Malformed URL passed to $" + std::string(name) + "(): " + v);
  };
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) fail();
    auto b = static_cast<unsigned char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    if (b < 0x80) {
      if (reserved.find(static_cast<char>(b)) != std::string_view::npos) {
        out += s.substr(i, 3);
      } else {
        out += static_cast<char>(b);
      }
      i += 2;
      continue;
    }
    size_t len = (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0) fail();
    std::string seq(1, static_cast<char>(b));
    i += 2;
    for (size_t k = 1; k < len; ++k) {
      if (i + 3 > s.size() || s[i + 1] != '%' || hex(s[i + 2]) < 0 || hex(s[i + 3]) < 0) fail();
      auto cb = static_cast<unsigned char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
      if ((cb & 0xC0) != 0x80) fail();
      seq += static_cast<char>(cb);
      i += 3;
    }
    std::u32string cp = ToU32(seq);
    if (cp.size() != 1 || cp[0] == 0xFFFD || (cp[0] >= 0xD800 && cp[0] <= 0xDFFF)) fail();
    out += seq;
  }
  return Value::Str(out);
}

Value FnDecodeUrlComponent(Evaluator&, std::vector<Value>& args, const Value&) {
  return Decode(args, "", "decodeUrlComponent");
}
Value FnDecodeUrl(Evaluator&, std::vector<Value>& args, const Value&) {
  return Decode(args, ";/?:@&=+$,#", "decodeUrl");
}

Value FnEval(Evaluator&, std::vector<Value>&, const Value&) {
  ThrowArg("D3200", "$eval is not supported: Step Functions does not allow it");
}

Value FnError(Evaluator&, std::vector<Value>& args, const Value&) {
  ThrowArg("D3137", Arg(args, 0).is_string() ? args[0].str() : "$error() function evaluated");
}

Value FnAssert(Evaluator&, std::vector<Value>& args, const Value&) {
  if (!(Arg(args, 0).is_bool() && args[0].boolean()))
    ThrowArg("D3141", Arg(args, 1).is_string() ? args[1].str() : "$assert() statement failed");
  return Value();
}

}  // namespace

void AddStringFunctions(std::vector<Builtin>& out) {
  out.insert(out.end(), {
                            {"string", "<x-b?:s>", FnString, 1, nullptr},
                            {"substring", "<s-nn?:s>", FnSubstring, 3, nullptr},
                            {"substringBefore", "<s-s:s>", FnSubstringBefore, 2, nullptr},
                            {"substringAfter", "<s-s:s>", FnSubstringAfter, 2, nullptr},
                            {"lowercase", "<s-:s>", FnLowercase, 1, nullptr},
                            {"uppercase", "<s-:s>", FnUppercase, 1, nullptr},
                            {"length", "<s-:n>", FnLength, 1, nullptr},
                            {"trim", "<s-:s>", FnTrim, 1, nullptr},
                            {"pad", "<s-ns?:s>", FnPad, 3, nullptr},
                            {"match", "<s-f<s:o>n?:a<o>>", FnMatch, 3, nullptr},
                            {"contains", "<s-(sf):b>", FnContains, 2, nullptr},
                            {"replace", "<s-(sf)(sf)n?:s>", FnReplace, 4, nullptr},
                            {"split", "<s-(sf)n?:a<s>>", FnSplit, 3, nullptr},
                            {"join", "<a<s>s?:s>", FnJoin, 2, nullptr},
                            {"base64encode", "<s-:s>", FnBase64Encode, 1, nullptr},
                            {"base64decode", "<s-:s>", FnBase64Decode, 1, nullptr},
                            {"encodeUrlComponent", "<s-:s>", FnEncodeUrlComponent, 1, nullptr},
                            {"encodeUrl", "<s-:s>", FnEncodeUrl, 1, nullptr},
                            {"decodeUrlComponent", "<s-:s>", FnDecodeUrlComponent, 1, nullptr},
                            {"decodeUrl", "<s-:s>", FnDecodeUrl, 1, nullptr},
                            {"eval", "<sx?:x>", FnEval, 2, nullptr},
                            {"error", "<s?:x>", FnError, 1, nullptr},
                            {"assert", "<bs?:x>", FnAssert, 2, nullptr},
                        });
}

}  // namespace weft::asl::jsonata::detail
