// Typed field reads for the definition parser (asl/definition_fields.h).
#include "asl/definition_fields.h"

#include <cmath>

namespace weft::asl {

std::string EscapePointer(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

void FieldReader::Add(std::string location, std::string message) {
  diags_.push_back(Diagnostic{std::move(location), std::move(message)});
}

void FieldReader::CheckAllowed(const json::object& o, const std::string& loc,
                               const std::set<std::string_view>& allowed,
                               const std::string& where) {
  for (const auto& kv : o) {
    if (!allowed.count(std::string_view(kv.key())))
      Add(loc + "/" + EscapePointer(kv.key()),
          "field \"" + std::string(kv.key()) + "\" is not allowed " + where);
  }
}

void FieldReader::Exclusive(const json::object& o, const std::string& loc,
                            std::initializer_list<const char*> keys) {
  std::vector<std::string> present;
  for (const char* k : keys)
    if (Find(o, k)) present.emplace_back(k);
  if (present.size() > 1) Add(loc, present[0] + " and " + present[1] + " cannot be used together");
}

std::optional<std::string> FieldReader::String(const json::object& o, const char* key,
                                               const std::string& loc, bool required) {
  const json::value* v = Find(o, key);
  if (!v) {
    if (required) Add(loc, std::string(key) + " is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    Add(loc + "/" + key,
        std::string(key) + " must be a string, not " + std::string(KindName(v->kind())));
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<int64_t> FieldReader::Integer(const json::object& o, const char* key,
                                            const std::string& loc, int64_t min, int64_t max) {
  const json::value* v = Find(o, key);
  if (!v) return std::nullopt;
  std::optional<int64_t> n;
  if (v->is_int64())
    n = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= INT64_MAX)
    n = static_cast<int64_t>(v->as_uint64());
  else if (v->is_double() && std::floor(v->as_double()) == v->as_double() &&
           std::abs(v->as_double()) < 9e18)
    n = static_cast<int64_t>(v->as_double());
  if (!n || *n < min) {
    Add(loc + "/" + key,
        std::string(key) + " must be an integer" + (min == 0 ? " >= 0" : (min == 1 ? " > 0" : "")));
    return std::nullopt;
  }
  if (*n > max) {  // AWS's wording (SCHEMA_VALIDATION_FAILED)
    Add(loc + "/" + key, "Maximum value is " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<Path> FieldReader::PathField(const json::object& o, const char* key,
                                           const std::string& loc, bool reference) {
  const json::value* v = Find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Add(loc + "/" + key, std::string(key) + " must be a path string such as \"$.items\"");
    return std::nullopt;
  }
  std::string_view text(v->as_string());
  auto p = reference ? Path::CompileReference(text) : Path::Compile(text);
  if (!p) {
    Add(loc + "/" + key, p.error().message());
    return std::nullopt;
  }
  return std::move(*p);
}

IoPath FieldReader::IoPathField(const json::object& o, const char* key, const std::string& loc) {
  IoPath out;
  const json::value* v = Find(o, key);
  if (!v) return out;
  if (v->is_null()) {
    out.is_null = true;
    return out;
  }
  out.path = PathField(o, key, loc, false);
  return out;
}

ResultPathSpec FieldReader::ResultPathValue(const json::value& v, const std::string& loc) {
  ResultPathSpec out;
  if (v.is_null()) {
    out.mode = ResultPathSpec::Mode::kDiscard;
    return out;
  }
  if (!v.is_string()) {
    Add(loc, "ResultPath must be a reference path string or null");
    return out;
  }
  std::string_view text(v.as_string());
  if (text == "$") return out;
  auto p = Path::CompileReference(text);
  if (!p) {
    Add(loc, p.error().message());
    return out;
  }
  if (p->root() != Path::Root::kInput) {
    Add(loc, "ResultPath must start with \"$\" (it writes into the state input)");
    return out;
  }
  out.mode = ResultPathSpec::Mode::kPath;
  out.path = std::move(*p);
  return out;
}

ResultPathSpec FieldReader::ResultPathField(const json::object& o, const char* key,
                                            const std::string& loc) {
  const json::value* v = Find(o, key);
  if (!v) return {};
  return ResultPathValue(*v, loc + "/" + key);
}

void CheckVariableNames(const json::value& assign, const std::string& location,
                        std::vector<Diagnostic>& diags) {
  if (!assign.is_object()) return;
  for (const auto& kv : assign.as_object()) {
    std::string_view name = kv.key();
    if (name.ends_with(".$")) name.remove_suffix(2);
    if (name == "states")
      diags.push_back({location + "/" + EscapePointer(kv.key()),
                       "the variable name \"states\" is reserved: $states holds a JSONata "
                       "state's input, result, error output and context"});
  }
}

const json::value* FieldReader::PayloadField(const json::object& o, const char* key,
                                             const std::string& loc, bool object_only) {
  const json::value* v = Find(o, key);
  if (v && object_only && !v->is_object()) {
    Add(loc + "/" + key, std::string(key) + " must be an object");
    return nullptr;
  }
  if (v && std::string_view(key) == "Assign") CheckVariableNames(*v, loc + "/" + key, diags_);
  return v;
}

std::optional<Template> FieldReader::TemplateField(const json::object& o, const char* key,
                                                   const std::string& loc, bool object_only) {
  const json::value* v = PayloadField(o, key, loc, object_only);
  if (!v) return std::nullopt;
  auto t = Template::Compile(*v);
  if (!t) {
    Add(loc + "/" + key, t.error().message());
    return std::nullopt;
  }
  return std::move(*t);
}

std::optional<ValueExpr> FieldReader::ValueExprField(const json::object& o, const char* key,
                                                     const std::string& loc) {
  const json::value* v = Find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Add(loc + "/" + key, std::string(key) + " must be a path or an intrinsic function call");
    return std::nullopt;
  }
  std::string_view text(v->as_string());
  if (Intrinsic::LooksLikeCall(text)) {
    auto i = Intrinsic::Compile(text);
    if (!i) {
      Add(loc + "/" + key, i.error().message());
      return std::nullopt;
    }
    return ValueExpr{std::move(*i), std::string(text)};
  }
  auto p = Path::Compile(text);
  if (!p) {
    Add(loc + "/" + key, p.error().message());
    return std::nullopt;
  }
  return ValueExpr{std::move(*p), std::string(text)};
}

bool FieldReader::ErrorEquals(const json::object& o, const std::string& loc, bool last,
                              std::vector<std::string>& out) {
  const json::value* v = Find(o, "ErrorEquals");
  if (!v) {
    Add(loc, "ErrorEquals is required");
    return false;
  }
  if (!v->is_array() || v->as_array().empty()) {
    Add(loc + "/ErrorEquals", "ErrorEquals must be a non-empty array of error names");
    return false;
  }
  const auto& arr = v->as_array();
  bool ok = true;
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      Add(loc + "/ErrorEquals/" + std::to_string(i), "an error name must be a string");
      ok = false;
      continue;
    }
    std::string name(arr[i].as_string());
    if (name == "States.ALL") {
      if (arr.size() != 1)
        Add(loc + "/ErrorEquals/" + std::to_string(i),
            "States.ALL must appear alone in ErrorEquals");
      if (!last)
        Add(loc + "/ErrorEquals/" + std::to_string(i),
            "States.ALL must be in the last retrier or catcher");
    }
    out.push_back(std::move(name));
  }
  return ok;
}

std::optional<Retrier> FieldReader::RetrierField(const json::value& v, const std::string& loc,
                                                 bool last) {
  if (!v.is_object()) {
    Add(loc, "a retrier must be an object");
    return std::nullopt;
  }
  const auto& o = v.as_object();
  CheckAllowed(o, loc,
               {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                "JitterStrategy", "Comment"},
               "in a retrier");
  Retrier r;
  ErrorEquals(o, loc, last, r.error_equals);
  if (auto i = Integer(o, "IntervalSeconds", loc, 1, kSchemaMaximum))
    r.interval_seconds = static_cast<double>(*i);
  if (auto m = Integer(o, "MaxAttempts", loc, 0, kSchemaMaximum)) r.max_attempts = *m;
  if (const json::value* b = Find(o, "BackoffRate")) {
    if (!b->is_number() || b->to_number<double>() < 1.0)
      Add(loc + "/BackoffRate", "BackoffRate must be a number >= 1.0");
    else
      r.backoff_rate = b->to_number<double>();
  }
  // AWS caps the delay at 366 days (31,622,400 s), not at the schema maximum.
  r.max_delay_seconds = Integer(o, "MaxDelaySeconds", loc, 1, 31'622'400);
  if (auto j = String(o, "JitterStrategy", loc, false)) {
    if (*j == "FULL")
      r.jitter_full = true;
    else if (*j != "NONE")
      Add(loc + "/JitterStrategy", "JitterStrategy must be FULL or NONE");
  }
  return r;
}

std::optional<Catcher> FieldReader::CatcherField(const json::value& v, const std::string& loc,
                                                 bool last, bool jsonata) {
  if (!v.is_object()) {
    Add(loc, "a catcher must be an object");
    return std::nullopt;
  }
  const auto& o = v.as_object();
  std::set<std::string_view> allowed = {"ErrorEquals", "Next", "Comment", "Assign"};
  allowed.insert(jsonata ? "Output" : "ResultPath");
  CheckAllowed(o, loc, CheckLanguageFields(o, loc, jsonata, allowed), "in a catcher");
  Catcher c;
  ErrorEquals(o, loc, last, c.error_equals);
  if (auto n = String(o, "Next", loc, true)) c.next = *n;
  if (jsonata) {
    c.jsonata.output = JsonataField(o, "Output", loc, false);
    c.jsonata.assign = JsonataField(o, "Assign", loc, true);
    return c;
  }
  c.result_path = ResultPathField(o, "ResultPath", loc);
  if (auto t = TemplateField(o, "Assign", loc, true)) c.assign = std::move(*t);
  return c;
}

std::optional<JsonataTemplate> FieldReader::JsonataField(const json::object& o, const char* key,
                                                         const std::string& loc, bool object_only) {
  const json::value* v = PayloadField(o, key, loc, object_only);
  if (!v) return std::nullopt;
  return JsonataTemplate::Compile(*v, key, loc + "/" + key, diags_);
}

void FieldReader::IntegerOrExpression(const json::object& o, const char* key,
                                      const std::string& loc, int64_t min, int64_t max,
                                      std::optional<int64_t>& literal,
                                      std::optional<JsonataTemplate>& expr) {
  const json::value* v = Find(o, key);
  if (v && v->is_string() && IsJsonataExpression(v->as_string())) {
    expr = JsonataField(o, key, loc, false);
    return;
  }
  if (v && v->is_string()) {
    Add(loc + "/" + key,
        std::string(key) + " must be an integer or a JSONata expression \"{% ... %}\"");
    return;
  }
  literal = Integer(o, key, loc, min, max);
}

void FieldReader::StringOrExpression(const json::object& o, const char* key, const std::string& loc,
                                     std::optional<std::string>& literal,
                                     std::optional<JsonataTemplate>& expr) {
  const json::value* v = Find(o, key);
  if (v && v->is_string() && IsJsonataExpression(v->as_string())) {
    expr = JsonataField(o, key, loc, false);
    return;
  }
  literal = String(o, key, loc, false);
}

std::set<std::string_view> FieldReader::CheckLanguageFields(
    const json::object& o, const std::string& loc, bool jsonata,
    const std::set<std::string_view>& allowed) {
  static const std::set<std::string_view> kJsonPathOnly = {"InputPath",
                                                           "OutputPath",
                                                           "Parameters",
                                                           "ResultSelector",
                                                           "ResultPath",
                                                           "Result",
                                                           "ItemsPath",
                                                           "SecondsPath",
                                                           "TimestampPath",
                                                           "TimeoutSecondsPath",
                                                           "HeartbeatSecondsPath",
                                                           "ErrorPath",
                                                           "CausePath",
                                                           "MaxConcurrencyPath",
                                                           "ToleratedFailurePercentagePath",
                                                           "ToleratedFailureCountPath"};
  static const std::set<std::string_view> kJsonataOnly = {"Arguments", "Output", "Items"};
  const auto& other = jsonata ? kJsonPathOnly : kJsonataOnly;
  std::set<std::string_view> widened = allowed;
  for (const auto& kv : o) {
    std::string_view key = kv.key();
    if (allowed.count(key) || !other.count(key)) continue;
    widened.insert(key);
    if (jsonata)
      Add(loc + "/" + std::string(key),
          "field \"" + std::string(key) +
              "\" is JSONPath and this state uses JSONata: use Arguments, Output and Assign "
              "with \"{% ... %}\" expressions instead");
    else
      Add(loc + "/" + std::string(key),
          "field \"" + std::string(key) +
              "\" is JSONata and this state uses JSONPath: set \"QueryLanguage\": \"JSONata\" "
              "on the state or the state machine");
  }
  return widened;
}

}  // namespace weft::asl
