#include "common/request.h"

#include <charconv>
#include <cmath>

namespace weft {
namespace {

const json::object& EmptyObject() {
  static const json::object kEmpty;
  return kEmpty;
}

// How a value appears in a message: 'text' (shortened), a number, or its kind.
std::string Repr(const json::value& v) {
  constexpr size_t kMax = 128;
  switch (v.kind()) {
    case json::kind::string: {
      std::string_view s = v.get_string();
      if (s.size() > kMax) return "'" + std::string(s.substr(0, kMax)) + "...'";
      return "'" + std::string(s) + "'";
    }
    case json::kind::null:
      return "null";
    case json::kind::object:
    case json::kind::array:
      return std::string(KindName(v.kind()));
    default:
      return "'" + ToJson(v) + "'";
  }
}

std::string Quote(std::string_view s) { return Repr(json::value(json::string(s))); }

std::string EnumSet(EnumValues values) {
  std::string out = "[";
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (it != values.begin()) out += ", ";
    out += *it;
  }
  return out + "]";
}

// An integer written in decimal with an optional sign, and nothing else.
std::optional<int64_t> ParseInteger(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsValidSwfName(std::string_view s) {
  if (s == "arn") return false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == ':' || c == '/' || c == '|' || c < 0x20 || c == 0x7F) return false;
    // U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < s.size()) {
      auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return true;
}

RequestReader::RequestReader(const json::object& request)
    : RequestReader(&request, "", std::make_shared<std::vector<std::string>>(), false) {}

RequestReader::RequestReader(const json::object* object, std::string prefix,
                             std::shared_ptr<std::vector<std::string>> errors, bool silent)
    : object_(object), prefix_(std::move(prefix)), errors_(std::move(errors)), silent_(silent) {}

std::string RequestReader::PathOf(std::string_view name) const {
  return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
}

bool RequestReader::Has(std::string_view name) const {
  const json::value* v = Find(*object_, name);
  return v != nullptr && !v->is_null();
}

void RequestReader::AddError(std::string message) {
  if (!silent_) errors_->push_back(std::move(message));
}

void RequestReader::AddConstraint(std::string_view name, std::string_view value_repr,
                                  std::string_view constraint) {
  AddError("Value " + std::string(value_repr) + " at '" + PathOf(name) +
           "' failed to satisfy constraint: " + std::string(constraint));
}

Status RequestReader::Finish() const {
  // At most this many problems are listed: a request with thousands of bad
  // members gets an answer of bounded size.
  constexpr size_t kListed = 20;
  if (errors_->empty()) return {};
  size_t n = errors_->size();
  std::string message =
      std::to_string(n) + (n == 1 ? " validation error" : " validation errors") + " detected: ";
  for (size_t i = 0; i < n && i < kListed; ++i) {
    if (i > 0) message += "; ";
    message += (*errors_)[i];
  }
  if (n > kListed) message += "; and " + std::to_string(n - kListed) + " more";
  return Error::Validation(std::move(message));
}

const json::value* RequestReader::Get(std::string_view name, bool required) {
  const json::value* v = Find(*object_, name);
  if (v != nullptr && !v->is_null()) return v;
  // An explicit null counts as absent, as the AWS SDKs send neither.
  if (required) AddConstraint(name, "null", "Member must not be null");
  return nullptr;
}

const json::string* RequestReader::GetString(std::string_view name, bool required) {
  const json::value* v = Get(name, required);
  if (v == nullptr) return nullptr;
  if (!v->is_string()) {
    AddConstraint(name, Repr(*v), "Member must be of type string");
    return nullptr;
  }
  return &v->get_string();
}

bool RequestReader::CheckLength(std::string_view name, std::string_view value, Length length) {
  size_t n = CharCount(value);
  if (n < length.min) {
    AddConstraint(name, Quote(value),
                  "Member must have length greater than or equal to " + std::to_string(length.min));
    return false;
  }
  if (n > length.max) {
    AddConstraint(name, Quote(value),
                  "Member must have length less than or equal to " + std::to_string(length.max));
    return false;
  }
  return true;
}

std::optional<std::string> RequestReader::OptString(std::string_view name, Length length) {
  const json::string* s = GetString(name, false);
  if (s == nullptr || !CheckLength(name, *s, length)) return std::nullopt;
  return std::string(*s);
}

std::string RequestReader::String(std::string_view name, Length length) {
  const json::string* s = GetString(name, true);
  if (s == nullptr || !CheckLength(name, *s, length)) return {};
  return std::string(*s);
}

std::optional<std::string> RequestReader::OptName(std::string_view name, Length length) {
  auto s = OptString(name, length);
  if (s && !IsValidSwfName(*s)) {
    AddConstraint(name, Quote(*s),
                  "Member must not contain ':', '/', '|' or control characters, and must not be "
                  "'arn'");
    return std::nullopt;
  }
  return s;
}

std::string RequestReader::Name(std::string_view name, Length length) {
  if (!Has(name)) return String(name, length);  // reports it missing
  return OptName(name, length).value_or("");
}

std::optional<std::string> RequestReader::OptEnum(std::string_view name, EnumValues values) {
  const json::string* s = GetString(name, false);
  if (s == nullptr) return std::nullopt;
  for (auto v : values) {
    if (v == *s) return std::string(*s);
  }
  AddConstraint(name, Quote(*s), "Member must satisfy enum value set: " + EnumSet(values));
  return std::nullopt;
}

std::string RequestReader::Enum(std::string_view name, EnumValues values) {
  if (!Has(name)) return String(name, {});  // reports it missing
  return OptEnum(name, values).value_or("");
}

std::optional<std::string> RequestReader::OptDuration(std::string_view name) {
  auto s = OptString(name, Length{0, 8});  // DurationInSecondsOptional
  if (!s) return std::nullopt;
  if (*s == "NONE") return s;
  auto n = ParseInteger(*s);
  if (!n || *n < 0 || s->front() == '+' || s->front() == '-') {
    AddConstraint(name, Quote(*s), "Member must be a number of seconds or NONE");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> RequestReader::OptExecutionTimeout(std::string_view name) {
  constexpr int64_t kOneYear = 365 * 24 * 3600;
  auto s = OptDuration(name);
  if (!s) return std::nullopt;
  if (*s == "NONE" || *ParseInteger(*s) > kOneYear) {
    AddConstraint(name, Quote(*s),
                  "Member must be a number of seconds from 0 to 31536000 (one year); NONE is not "
                  "allowed");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> RequestReader::OptPriority(std::string_view name) {
  auto s = OptString(name, {});
  if (!s) return std::nullopt;
  auto n = ParseInteger(*s);
  if (!n || *n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max()) {
    AddConstraint(name, Quote(*s), "Member must be an integer from -2147483648 to 2147483647");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> RequestReader::OptInt(std::string_view name, int64_t min, int64_t max) {
  const json::value* v = Get(name, false);
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    n = int64_t(v->get_uint64());
  }
  if (v->is_double() && std::trunc(v->get_double()) == v->get_double() &&
      std::fabs(v->get_double()) < 9e15) {
    n = int64_t(v->get_double());
  }
  if (!n) {
    AddConstraint(name, Repr(*v), "Member must be of type integer");
    return std::nullopt;
  }
  if (*n < min) {
    AddConstraint(name, Repr(*v),
                  "Member must have value greater than or equal to " + std::to_string(min));
    return std::nullopt;
  }
  if (*n > max) {
    AddConstraint(name, Repr(*v),
                  "Member must have value less than or equal to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> RequestReader::OptBool(std::string_view name) {
  const json::value* v = Get(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    AddConstraint(name, Repr(*v), "Member must be of type boolean");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<Millis> RequestReader::OptTimestamp(std::string_view name) {
  const json::value* v = Get(name, false);
  if (v == nullptr) return std::nullopt;
  double seconds = 0;
  if (v->is_int64()) {
    seconds = double(v->get_int64());
  } else if (v->is_uint64()) {
    seconds = double(v->get_uint64());
  } else if (v->is_double()) {
    seconds = v->get_double();
  } else {
    AddConstraint(name, Repr(*v), "Member must be a timestamp in epoch seconds");
    return std::nullopt;
  }
  // Year 9999 is far enough; this keeps the millisecond value in range.
  if (!std::isfinite(seconds) || std::fabs(seconds) > 253402300800.0) {
    AddConstraint(name, Repr(*v), "Member must be a timestamp in epoch seconds");
    return std::nullopt;
  }
  return static_cast<Millis>(std::llround(seconds * 1000.0));
}

Millis RequestReader::Timestamp(std::string_view name) {
  if (!Has(name)) {
    Get(name, true);  // reports it missing
    return 0;
  }
  return OptTimestamp(name).value_or(0);
}

RequestReader RequestReader::Object(std::string_view name) {
  if (auto r = OptObject(name)) return std::move(*r);
  bool missing = !Has(name);
  if (missing) AddConstraint(name, "null", "Member must not be null");
  return RequestReader(&EmptyObject(), PathOf(name), errors_, true);
}

std::optional<RequestReader> RequestReader::OptObject(std::string_view name) {
  const json::value* v = Get(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    AddConstraint(name, Repr(*v), "Member must be of type structure");
    return std::nullopt;
  }
  return RequestReader(&v->get_object(), PathOf(name), errors_, silent_);
}

const json::array* RequestReader::OptArray(std::string_view name, size_t max_items) {
  const json::value* v = Get(name, false);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    AddConstraint(name, Repr(*v), "Member must be of type list");
    return nullptr;
  }
  if (v->get_array().size() > max_items) {
    AddConstraint(name, Repr(*v),
                  "Member must have length less than or equal to " + std::to_string(max_items));
    return nullptr;
  }
  return &v->get_array();
}

const json::array* RequestReader::Array(std::string_view name, size_t max_items) {
  if (!Has(name)) {
    Get(name, true);  // reports it missing
    return nullptr;
  }
  return OptArray(name, max_items);
}

std::optional<RequestReader> RequestReader::ObjectAt(std::string_view array_name,
                                                     const json::array& array, size_t index) {
  std::string path = std::string(array_name) + "." + std::to_string(index + 1);
  const json::value& v = array.at(index);
  if (!v.is_object()) {
    AddConstraint(path, Repr(v), "Member must be of type structure");
    return std::nullopt;
  }
  return RequestReader(&v.get_object(), PathOf(path), errors_, silent_);
}

std::optional<RequestReader> RequestReader::MemberAt(std::string_view array_name,
                                                     const json::array& array, size_t index) {
  std::string path = std::string(array_name) + "." + std::to_string(index + 1) + ".member";
  const json::value& v = array.at(index);
  if (!v.is_object()) {
    AddConstraint(path, Repr(v), "Member must be of type structure");
    return std::nullopt;
  }
  return RequestReader(&v.get_object(), PathOf(path), errors_, silent_);
}

std::optional<std::string> RequestReader::StringAt(std::string_view array_name,
                                                   const json::array& array, size_t index,
                                                   Length length) {
  std::string path = std::string(array_name) + "." + std::to_string(index + 1);
  const json::value& v = array.at(index);
  if (!v.is_string()) {
    AddConstraint(path, Repr(v), "Member must be of type string");
    return std::nullopt;
  }
  if (!CheckLength(path, v.get_string(), length)) return std::nullopt;
  return std::string(v.get_string());
}

}  // namespace weft
