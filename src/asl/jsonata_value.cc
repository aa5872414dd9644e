// src/asl/jsonata_value.cc: JavaScript-like values for the JSONata
// evaluator: objects in JS member order, JS number text, JSON.stringify,
// deep equality and jsonata's sequence helpers (utils.js, functions.js).
#include <charconv>
#include <cmath>
#include <cstdio>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

void Throw(std::string code, int64_t position, std::string token, std::string value_json) {
  std::string message(MessageTemplate(code));
  auto replace = [&](std::string_view field, const std::string& with, bool raw) {
    std::string key = raw ? "{{{" + std::string(field) + "}}}" : "{{" + std::string(field) + "}}";
    for (size_t at = message.find(key); at != std::string::npos; at = message.find(key, at)) {
      message.replace(at, key.size(), with);
      at += with.size();
    }
  };
  std::string quoted;
  AppendJsonString(quoted, token);
  replace("message", value_json, true);
  replace("value", value_json.empty() ? "undefined" : value_json, false);
  replace("token", quoted, false);
  if (message.empty()) message = code;
  throw JsonataError{std::move(code), position, std::move(message)};
}

void ThrowArg(std::string code, const std::string& message) {
  throw JsonataError{std::move(code), -1, message};
}

std::shared_ptr<void> Value::TakeShared() {
  std::shared_ptr<void> out;
  switch (type()) {
    case Type::kArray:
      out = std::move(std::get<ArrayPtr>(rep_));
      break;
    case Type::kObject:
      out = std::move(std::get<ObjectPtr>(rep_));
      break;
    case Type::kFunction:
      out = std::move(std::get<FunctionPtr>(rep_));
      break;
    default:
      return nullptr;
  }
  rep_ = std::monostate();
  return out;
}

namespace {
thread_local std::vector<std::shared_ptr<void>>* graveyard = nullptr;
thread_local int nesting = 0;
}  // namespace

void Bury(std::shared_ptr<void> p) {
  // Another owner keeps it alive: letting go destroys nothing.
  if (!p || p.use_count() > 1) return;
  if (graveyard != nullptr) {
    graveyard->push_back(std::move(p));
    return;
  }
  // The list is kept between calls: most evaluations bury many small values.
  thread_local std::vector<std::shared_ptr<void>> pending;
  pending.push_back(std::move(p));
  graveyard = &pending;
  while (!pending.empty()) {
    std::shared_ptr<void> last = std::move(pending.back());
    pending.pop_back();
    last.reset();  // its destructor buries what it owns into `pending`
  }
  if (pending.capacity() > 4096) pending.shrink_to_fit();  // after one huge value
  graveyard = nullptr;
}

void BuryValues(std::vector<Value>& values) {
  for (auto& v : values) Bury(v.TakeShared());
}

NestingGuard::NestingGuard() {
  if (++nesting > kMaxValueNesting) {
    --nesting;
    Throw("U1001", -1);
  }
}
NestingGuard::~NestingGuard() { --nesting; }

bool Value::is_sequence() const { return is_array() && arr().sequence; }
bool Value::is_tuple_stream() const { return is_array() && arr().tuple_stream; }

Value SequenceOf(Value v) {
  auto seq = NewSequence();
  seq->items.push_back(std::move(v));
  return Value::Arr(seq);
}

// ---- Object ----

// JS orders "array index" keys (canonical integers below 2^32 - 1) first.
bool IsIndexKey(std::string_view k, uint64_t* out) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
  uint64_t n = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n >= 4294967295ULL) return false;
  *out = n;
  return true;
}

const Value* Object::Find(std::string_view key) const {
  if (entries.size() < 8) {
    for (const auto& [k, v] : entries)
      if (k == key) return &v;
    return nullptr;
  }
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries[it->second].second;
}

void Object::Reindex() {
  index_.clear();
  if (entries.size() < 8) return;
  for (size_t i = 0; i < entries.size(); ++i) index_[entries[i].first] = i;
}

void Object::Set(const std::string& key, Value v) {
  if (entries.size() >= 8) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      entries[it->second].second = std::move(v);
      return;
    }
  } else {
    for (auto& [k, val] : entries) {
      if (k == key) {
        val = std::move(v);
        return;
      }
    }
  }
  uint64_t n = 0;
  if (IsIndexKey(key, &n)) {
    size_t at = 0;
    while (at < int_keys_) {
      uint64_t m = 0;
      IsIndexKey(entries[at].first, &m);
      if (m > n) break;
      ++at;
    }
    entries.insert(entries.begin() + static_cast<ptrdiff_t>(at), {key, std::move(v)});
    ++int_keys_;
    Reindex();
    return;
  }
  entries.emplace_back(key, std::move(v));
  if (entries.size() == 8) {
    Reindex();
  } else if (entries.size() > 8) {
    index_[key] = entries.size() - 1;
  }
}

void Object::Erase(std::string_view key) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first == key) {
      uint64_t n = 0;
      if (IsIndexKey(key, &n)) --int_keys_;
      entries.erase(entries.begin() + static_cast<ptrdiff_t>(i));
      Reindex();
      return;
    }
  }
}

// ---- Frames ----

void Frame::Bind(const std::string& name, Value v) {
  for (auto& [k, val] : vars) {
    if (k == name) {
      val = std::move(v);
      return;
    }
  }
  vars.emplace_back(name, std::move(v));
}

const Value* Frame::Lookup(std::string_view name) const {
  for (const Frame* f = this; f != nullptr; f = f->parent.get()) {
    for (const auto& [k, v] : f->vars)
      if (k == name) return &v;
  }
  return nullptr;
}

// ---- Numbers ----

std::string FormatNumberJs(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (text[0] == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e))
    if (c != '.') digits += c;
  int exp = std::atoi(std::string(text.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out += '.';
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

bool IsNumeric(const Value& v) {
  if (!v.is_number() || std::isnan(v.number())) return false;
  if (!std::isfinite(v.number())) Throw("D1001", -1, "", FormatNumberJs(v.number()));
  return true;
}

bool IsArrayOfStrings(const Value& v) {
  if (!v.is_array()) return false;
  for (const auto& item : v.arr().items)
    if (!item.is_string()) return false;
  return true;
}

bool IsArrayOfNumbers(const Value& v) {
  if (!v.is_array()) return false;
  for (const auto& item : v.arr().items)
    if (!item.is_number()) return false;
  return true;
}

bool DeepEqual(const Value& a, const Value& b) {
  NestingGuard guard;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kUndefined:
    case Type::kNull:
      return true;
    case Type::kBool:
      return a.boolean() == b.boolean();
    case Type::kNumber:
      return a.number() == b.number();
    case Type::kString:
      return a.str() == b.str();
    case Type::kArray: {
      const auto& x = a.arr().items;
      const auto& y = b.arr().items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!DeepEqual(x[i], y[i])) return false;
      return true;
    }
    case Type::kObject: {
      const auto& x = a.obj();
      const auto& y = b.obj();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* w = y.Find(k);
        if (w == nullptr || !DeepEqual(v, *w)) return false;
      }
      return true;
    }
    case Type::kFunction:
      return &a.fn() == &b.fn();
  }
  return false;
}

Value Boolean(const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
      return Value();
    case Type::kNull:
      return Value::Bool(false);
    case Type::kBool:
      return v;
    case Type::kNumber:
      return Value::Bool(IsNumeric(v) && v.number() != 0);
    case Type::kString:
      return Value::Bool(!v.str().empty());
    case Type::kArray: {
      const auto& items = v.arr().items;
      if (items.size() == 1) return Boolean(items[0]);
      for (const auto& item : items) {
        Value b = Boolean(item);
        if (b.is_bool() && b.boolean()) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    case Type::kObject:
      return Value::Bool(v.obj().size() > 0);
    case Type::kFunction:
      // jsonata-js functions are objects with members, except a regex,
      // which is a JS closure.
      return Value::Bool(v.fn().kind != Function::Kind::kRegex);
  }
  return Value::Bool(false);
}

bool Truthy(const Value& v, bool* defined) {
  Value b = Boolean(v);
  if (defined) *defined = b.defined();
  return b.is_bool() && b.boolean();
}

Value Lookup(const Value& input, const std::string& key) {
  if (input.is_array()) {
    auto result = NewSequence();
    for (const auto& item : input.arr().items) {
      Value res = Lookup(item, key);
      if (res.undefined()) continue;
      if (res.is_array()) {
        for (const auto& v : res.arr().items) result->items.push_back(v);
      } else {
        result->items.push_back(res);
      }
    }
    return Value::Arr(result);
  }
  if (input.is_object()) {
    const Value* v = input.obj().Find(key);
    return v ? *v : Value();
  }
  return Value();
}

Value Append(const Value& a, const Value& b) {
  if (a.undefined()) return b;
  if (b.undefined()) return a;
  auto out = NewArray();
  if (a.is_array()) {
    out->items = a.arr().items;
  } else {
    out->items.push_back(a);
  }
  if (b.is_array()) {
    out->items.insert(out->items.end(), b.arr().items.begin(), b.arr().items.end());
  } else {
    out->items.push_back(b);
  }
  return Value::Arr(out);
}

namespace {
void FlattenInto(const Value& v, std::vector<Value>& out) {
  NestingGuard guard;
  if (v.is_array()) {
    for (const auto& item : v.arr().items) FlattenInto(item, out);
  } else {
    out.push_back(v);
  }
}
}  // namespace

Value Flatten(const Value& v) {
  auto out = NewArray();
  FlattenInto(v, out->items);
  return Value::Arr(out);
}

Value Clone(const Value& v) {
  NestingGuard guard;
  switch (v.type()) {
    case Type::kArray: {
      auto out = NewArray();
      for (const auto& item : v.arr().items) {
        if (item.undefined() || item.is_function()) {
          out->items.push_back(item.is_function() ? Value::Str("") : Value::Null());
        } else {
          out->items.push_back(Clone(item));
        }
      }
      return Value::Arr(out);
    }
    case Type::kObject: {
      auto out = NewObject();
      for (const auto& [k, item] : v.obj().entries) {
        if (item.undefined()) continue;
        out->Set(k, item.is_function() ? Value::Str("") : Clone(item));
      }
      return Value::Obj(out);
    }
    case Type::kNumber:
      return std::isfinite(v.number()) ? v : Value::Null();
    case Type::kFunction:
      return Value::Str("");
    default:
      return v;
  }
}

// ---- JSON text ----

namespace {

double Round15(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", d);
  return std::strtod(buf, nullptr);
}

void AppendJs(std::string& out, const Value& v, bool pretty, bool round15, int indent) {
  NestingGuard guard;
  auto newline = [&](int level) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<size_t>(level) * 2, ' ');
  };
  switch (v.type()) {
    case Type::kUndefined:
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.boolean() ? "true" : "false";
      return;
    case Type::kNumber:
      if (!std::isfinite(v.number())) {
        out += "null";
      } else {
        out += FormatNumberJs(round15 ? Round15(v.number()) : v.number());
      }
      return;
    case Type::kString:
      AppendJsonString(out, v.str());
      return;
    case Type::kFunction:
      out += "\"\"";
      return;
    case Type::kArray: {
      const auto& items = v.arr().items;
      if (items.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        newline(indent + 1);
        AppendJs(out, items[i], pretty, round15, indent + 1);
      }
      newline(indent);
      out += ']';
      return;
    }
    case Type::kObject: {
      bool any = false;
      out += '{';
      for (const auto& [k, item] : v.obj().entries) {
        if (item.undefined()) continue;
        if (any) out += ',';
        any = true;
        newline(indent + 1);
        AppendJsonString(out, k);
        out += pretty ? ": " : ":";
        AppendJs(out, item, pretty, round15, indent + 1);
      }
      if (any) newline(indent);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string JsonOf(const Value& v, bool pretty, bool round15) {
  std::string out;
  AppendJs(out, v, pretty, round15, 0);
  return out;
}

std::string StringOf(const Value& v, bool pretty) {
  if (v.is_string()) return v.str();
  if (v.is_function()) return "";
  if (v.is_number() && !std::isfinite(v.number()))
    Throw("D3001", -1, "", FormatNumberJs(v.number()));
  return JsonOf(v, pretty, true);
}

std::string TypeName(const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
      return "undefined";
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
    case Type::kFunction:
      return "function";
  }
  return "undefined";
}

std::string Describe(const Value& v) {
  if (v.undefined()) return "";
  if (v.is_function()) return "{}";
  return JsonOf(v, false, false);
}

// ---- boost::json ----

Value FromJson(const json::value& v) {
  NestingGuard guard;
  switch (v.kind()) {
    case json::kind::null:
      return Value::Null();
    case json::kind::bool_:
      return Value::Bool(v.get_bool());
    case json::kind::int64:
      return Value::Num(static_cast<double>(v.get_int64()));
    case json::kind::uint64:
      return Value::Num(static_cast<double>(v.get_uint64()));
    case json::kind::double_:
      return Value::Num(v.get_double());
    case json::kind::string:
      return Value::Str(std::string(v.get_string()));
    case json::kind::array: {
      auto out = NewArray();
      out->items.reserve(v.get_array().size());
      for (const auto& item : v.get_array()) out->items.push_back(FromJson(item));
      return Value::Arr(out);
    }
    case json::kind::object: {
      auto out = NewObject();
      out->entries.reserve(v.get_object().size());
      for (const auto& [k, item] : v.get_object()) out->Set(std::string(k), FromJson(item));
      return Value::Obj(out);
    }
  }
  return Value();
}

json::value NumberJson(double d) {
  if (!std::isfinite(d)) return json::value(nullptr);
  if (d == std::trunc(d) && std::fabs(d) <= 9007199254740992.0)
    return json::value(static_cast<int64_t>(d));
  return json::value(d);
}

std::optional<json::value> ToJson(const Value& v) {
  NestingGuard guard;
  switch (v.type()) {
    case Type::kUndefined:
      return std::nullopt;
    case Type::kNull:
      return json::value(nullptr);
    case Type::kBool:
      return json::value(v.boolean());
    case Type::kNumber:
      return NumberJson(v.number());
    case Type::kString:
      return json::value(v.str());
    case Type::kFunction:
      return json::value("");
    case Type::kArray: {
      json::array out;
      out.reserve(v.arr().items.size());
      for (const auto& item : v.arr().items) {
        auto j = ToJson(item);
        out.push_back(j ? std::move(*j) : json::value(nullptr));
      }
      return json::value(std::move(out));
    }
    case Type::kObject: {
      json::object out;
      out.reserve(v.obj().entries.size());
      for (const auto& [k, item] : v.obj().entries) {
        auto j = ToJson(item);
        if (j) out.emplace(k, std::move(*j));  // keys are unique
      }
      return json::value(std::move(out));
    }
  }
  return std::nullopt;
}

// ---- UTF-8 ----

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::u32string ToU32(std::string_view s, std::vector<size_t>* offsets) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (offsets) offsets->push_back(i);
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out += c;
    i += len;
  }
  return out;
}

std::string FromU32(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

size_t Utf16Offset(std::string_view s, size_t byte_offset) {
  size_t units = 0;
  for (size_t i = 0; i < byte_offset && i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) == 0x80) continue;
    units += (b >> 3) == 30 ? 2 : 1;
  }
  return units;
}

size_t Utf16Length(std::string_view s) { return Utf16Offset(s, s.size()); }

int CompareJs(std::string_view a, std::string_view b) {
  // UTF-8 bytes order as code points do; UTF-16 units differ only between
  // a supplementary character and one in U+E000..U+FFFF.
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  while (i > 0 && (static_cast<unsigned char>(a[i]) & 0xC0) == 0x80) --i;  // start of the character
  std::u32string ca = ToU32(a.substr(i, 4));
  std::u32string cb = ToU32(b.substr(i, 4));
  auto unit = [](char32_t c) -> uint32_t {
    return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : static_cast<uint32_t>(c);
  };
  uint32_t ua = ca.empty() ? 0 : unit(ca[0]);
  uint32_t ub = cb.empty() ? 0 : unit(cb[0]);
  if (ua != ub) return ua < ub ? -1 : 1;
  char32_t xa = ca.empty() ? 0 : ca[0];
  char32_t xb = cb.empty() ? 0 : cb[0];
  return xa < xb ? -1 : xa > xb ? 1 : 0;
}

}  // namespace weft::asl::jsonata::detail

namespace weft::asl::jsonata {

std::string FormatNumber(double d) { return detail::FormatNumberJs(d); }

std::string Stringify(const json::value& v) {
  return detail::JsonOf(detail::FromJson(v), false, false);
}

}  // namespace weft::asl::jsonata
