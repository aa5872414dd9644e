// Choice rules: compile (field shapes) and evaluate (asl/choice.h).
#include "asl/choice.h"

#include <array>
#include <cmath>

#include "asl/asl.h"
#include "asl/definition_fields.h"

namespace weft::asl {
namespace {

enum class Operand { kNone, kString, kNumber, kTimestamp, kBoolean };

struct OpInfo {
  std::string_view name;
  ChoiceOp op;
  Operand operand;
};

constexpr std::array<OpInfo, 23> kOps = {{
    {"StringEquals", ChoiceOp::kStringEquals, Operand::kString},
    {"StringLessThan", ChoiceOp::kStringLessThan, Operand::kString},
    {"StringGreaterThan", ChoiceOp::kStringGreaterThan, Operand::kString},
    {"StringLessThanEquals", ChoiceOp::kStringLessThanEquals, Operand::kString},
    {"StringGreaterThanEquals", ChoiceOp::kStringGreaterThanEquals, Operand::kString},
    {"StringMatches", ChoiceOp::kStringMatches, Operand::kString},
    {"NumericEquals", ChoiceOp::kNumericEquals, Operand::kNumber},
    {"NumericLessThan", ChoiceOp::kNumericLessThan, Operand::kNumber},
    {"NumericGreaterThan", ChoiceOp::kNumericGreaterThan, Operand::kNumber},
    {"NumericLessThanEquals", ChoiceOp::kNumericLessThanEquals, Operand::kNumber},
    {"NumericGreaterThanEquals", ChoiceOp::kNumericGreaterThanEquals, Operand::kNumber},
    {"TimestampEquals", ChoiceOp::kTimestampEquals, Operand::kTimestamp},
    {"TimestampLessThan", ChoiceOp::kTimestampLessThan, Operand::kTimestamp},
    {"TimestampGreaterThan", ChoiceOp::kTimestampGreaterThan, Operand::kTimestamp},
    {"TimestampLessThanEquals", ChoiceOp::kTimestampLessThanEquals, Operand::kTimestamp},
    {"TimestampGreaterThanEquals", ChoiceOp::kTimestampGreaterThanEquals, Operand::kTimestamp},
    {"BooleanEquals", ChoiceOp::kBooleanEquals, Operand::kBoolean},
    {"IsNull", ChoiceOp::kIsNull, Operand::kBoolean},
    {"IsPresent", ChoiceOp::kIsPresent, Operand::kBoolean},
    {"IsNumeric", ChoiceOp::kIsNumeric, Operand::kBoolean},
    {"IsString", ChoiceOp::kIsString, Operand::kBoolean},
    {"IsBoolean", ChoiceOp::kIsBoolean, Operand::kBoolean},
    {"IsTimestamp", ChoiceOp::kIsTimestamp, Operand::kBoolean},
}};

bool IsTypeTest(ChoiceOp op) { return op >= ChoiceOp::kIsNull; }

const OpInfo* FindOp(std::string_view key, bool* is_path) {
  *is_path = false;
  for (const auto& info : kOps) {
    if (key == info.name) return &info;
    if (key.size() == info.name.size() + 4 && key.substr(0, info.name.size()) == info.name &&
        key.substr(info.name.size()) == "Path" && info.op != ChoiceOp::kStringMatches &&
        !IsTypeTest(info.op)) {
      *is_path = true;
      return &info;
    }
  }
  return nullptr;
}

bool OperandFits(Operand kind, const json::value& v) {
  switch (kind) {
    case Operand::kString:
      return v.is_string();
    case Operand::kNumber:
      return v.is_number();
    case Operand::kTimestamp:
      return v.is_string() && ParseTimestamp(std::string_view(v.as_string())).has_value();
    case Operand::kBoolean:
      return v.is_bool();
    case Operand::kNone:
      return true;
  }
  return false;
}

std::string_view OperandWord(Operand kind) {
  switch (kind) {
    case Operand::kString:
      return "a string";
    case Operand::kNumber:
      return "a number";
    case Operand::kTimestamp:
      return "an RFC 3339 timestamp string";
    case Operand::kBoolean:
      return "a boolean";
    case Operand::kNone:
      return "a value";
  }
  return "a value";
}

void Add(std::vector<Diagnostic>& diags, std::string location, std::string message) {
  diags.push_back(Diagnostic{std::move(location), std::move(message)});
}

bool CompileBoolean(const json::object& o, const std::string& loc, ChoiceRule& rule,
                    std::vector<Diagnostic>& diags) {
  const json::value* v = nullptr;
  std::string key;
  if ((v = Find(o, "And")))
    key = "And", rule.op = ChoiceOp::kAnd;
  else if ((v = Find(o, "Or")))
    key = "Or", rule.op = ChoiceOp::kOr;
  else if ((v = Find(o, "Not")))
    key = "Not", rule.op = ChoiceOp::kNot;
  else
    return false;
  if (Find(o, "Variable")) Add(diags, loc + "/Variable", "a " + key + " rule takes no Variable");
  if (rule.op == ChoiceOp::kNot) {
    if (!v->is_object()) {
      Add(diags, loc + "/Not", "Not must be one choice rule (an object)");
      return true;
    }
    auto child = CompileChoiceRule(*v, loc + "/Not", false, diags);
    if (child) rule.children.push_back(std::move(*child));
    return true;
  }
  if (!v->is_array() || v->as_array().empty()) {
    Add(diags, loc + "/" + key, key + " must be a non-empty array of choice rules");
    return true;
  }
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    auto child = CompileChoiceRule(arr[i], loc + "/" + key + "/" + std::to_string(i), false, diags);
    if (child) rule.children.push_back(std::move(*child));
  }
  return true;
}

void CompileComparison(const json::object& o, const std::string& loc, ChoiceRule& rule,
                       std::vector<Diagnostic>& diags) {
  const OpInfo* found = nullptr;
  bool found_path = false;
  std::string found_key;
  int count = 0;
  for (const auto& kv : o) {
    bool is_path = false;
    const OpInfo* info = FindOp(kv.key(), &is_path);
    if (!info) continue;
    ++count;
    found = info, found_path = is_path, found_key = kv.key();
  }
  if (count == 0) {
    Add(diags, loc,
        "the choice rule has no comparison operator (StringEquals, IsPresent, And, ...)");
    return;
  }
  if (count > 1) Add(diags, loc, "a choice rule takes exactly one comparison operator");
  rule.op = found->op;
  const json::value& operand = o.at(found_key);
  if (found_path) {
    if (!operand.is_string()) {
      Add(diags, loc + "/" + found_key, found_key + " must be a reference path string");
    } else {
      auto p = Path::CompileReference(std::string_view(operand.as_string()));
      if (!p)
        Add(diags, loc + "/" + found_key, p.error().message());
      else
        rule.operand_path = std::move(*p);
    }
  } else if (!OperandFits(found->operand, operand)) {
    Add(diags, loc + "/" + found_key,
        found_key + " must be " + std::string(OperandWord(found->operand)));
  } else {
    rule.operand = operand;
  }
  const json::value* var = Find(o, "Variable");
  if (!var) {
    Add(diags, loc, "the choice rule has no Variable");
  } else if (!var->is_string()) {
    Add(diags, loc + "/Variable", "Variable must be a path string");
  } else {
    auto p = Path::Compile(std::string_view(var->as_string()));
    if (!p)
      Add(diags, loc + "/Variable", p.error().message());
    else
      rule.variable = std::move(*p);
  }
}

// Orders a against b: <0, 0, >0; nullopt when the types do not compare.
std::optional<int> Compare(ChoiceOp op, const json::value& a, const json::value& b) {
  if (op >= ChoiceOp::kStringEquals && op <= ChoiceOp::kStringGreaterThanEquals) {
    if (!a.is_string() || !b.is_string()) return std::nullopt;
    int c = std::string_view(a.as_string()).compare(std::string_view(b.as_string()));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (op >= ChoiceOp::kNumericEquals && op <= ChoiceOp::kNumericGreaterThanEquals) {
    if (!a.is_number() || !b.is_number()) return std::nullopt;
    if (a.is_double() || b.is_double()) {
      double x = a.to_number<double>(), y = b.to_number<double>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is_int64() && b.is_int64()) {
      int64_t x = a.as_int64(), y = b.as_int64();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (op >= ChoiceOp::kTimestampEquals && op <= ChoiceOp::kTimestampGreaterThanEquals) {
    if (!a.is_string() || !b.is_string()) return std::nullopt;
    auto x = ParseTimestamp(std::string_view(a.as_string()));
    auto y = ParseTimestamp(std::string_view(b.as_string()));
    if (!x || !y) return std::nullopt;
    return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  return std::nullopt;
}

bool Ordered(ChoiceOp op, int c) {
  int rel = 0;  // 0 Equals, 1 LessThan, 2 GreaterThan, 3 LessThanEquals, 4 GreaterThanEquals
  if (op >= ChoiceOp::kTimestampEquals)
    rel = static_cast<int>(op) - static_cast<int>(ChoiceOp::kTimestampEquals);
  else if (op >= ChoiceOp::kNumericEquals)
    rel = static_cast<int>(op) - static_cast<int>(ChoiceOp::kNumericEquals);
  else
    rel = static_cast<int>(op) - static_cast<int>(ChoiceOp::kStringEquals);
  switch (rel) {
    case 0:
      return c == 0;
    case 1:
      return c < 0;
    case 2:
      return c > 0;
    case 3:
      return c <= 0;
    case 4:
      return c >= 0;
  }
  return false;
}

bool TypeTest(ChoiceOp op, const json::value* v) {
  switch (op) {
    case ChoiceOp::kIsPresent:
      return v != nullptr;
    case ChoiceOp::kIsNull:
      return v && v->is_null();
    case ChoiceOp::kIsNumeric:
      return v && v->is_number();
    case ChoiceOp::kIsString:
      return v && v->is_string();
    case ChoiceOp::kIsBoolean:
      return v && v->is_bool();
    case ChoiceOp::kIsTimestamp:
      return v && v->is_string() && ParseTimestamp(std::string_view(v->as_string())).has_value();
    default:
      return false;
  }
}

}  // namespace

std::optional<ChoiceRule> CompileChoiceRule(const json::value& value, const std::string& loc,
                                            bool top_level, std::vector<Diagnostic>& diags) {
  if (!value.is_object()) {
    Add(diags, loc, "a choice rule must be an object");
    return std::nullopt;
  }
  const auto& o = value.as_object();
  ChoiceRule rule;
  size_t before = diags.size();
  if (!CompileBoolean(o, loc, rule, diags)) CompileComparison(o, loc, rule, diags);
  const json::value* next = Find(o, "Next");
  if (top_level) {
    if (!next)
      Add(diags, loc, "a top-level choice rule needs Next");
    else if (!next->is_string())
      Add(diags, loc + "/Next", "Next must be a state name (a string)");
    else
      rule.next = std::string(next->as_string());
    if (const json::value* assign = Find(o, "Assign")) {
      if (!assign->is_object()) {
        Add(diags, loc + "/Assign", "Assign must be an object");
      } else {
        auto t = Template::Compile(*assign);
        if (!t)
          Add(diags, loc + "/Assign", t.error().message());
        else
          rule.assign = std::move(*t);
        CheckVariableNames(*assign, loc + "/Assign", diags);
      }
    }
  } else if (next) {
    Add(diags, loc + "/Next", "Next is allowed only in a top-level choice rule");
  }
  if (diags.size() != before) return std::nullopt;
  return rule;
}

Result<bool> EvaluateChoiceRule(const ChoiceRule& rule, const EvalScope& scope) {
  switch (rule.op) {
    case ChoiceOp::kAnd:
      for (const auto& c : rule.children) {
        auto r = EvaluateChoiceRule(c, scope);
        if (!r || !*r) return r;
      }
      return true;
    case ChoiceOp::kOr:
      for (const auto& c : rule.children) {
        auto r = EvaluateChoiceRule(c, scope);
        if (!r || *r) return r;
      }
      return false;
    case ChoiceOp::kNot: {
      auto r = EvaluateChoiceRule(rule.children.at(0), scope);
      if (!r) return r;
      return !*r;
    }
    default:
      break;
  }
  if (IsTypeTest(rule.op)) {
    json::value holder;
    const json::value* v = nullptr;
    if (rule.variable->is_reference()) {
      v = rule.variable->Find(scope);
    } else {
      auto r = rule.variable->Evaluate(scope);
      if (r) holder = std::move(*r), v = &holder;
    }
    return TypeTest(rule.op, v) == rule.operand.as_bool();
  }
  auto var = rule.variable->Evaluate(scope);
  if (!var) return std::move(var).error();
  json::value operand_holder;
  const json::value* operand = &rule.operand;
  if (rule.operand_path) {
    auto r = rule.operand_path->Evaluate(scope);
    if (!r) return std::move(r).error();
    operand_holder = std::move(*r);
    operand = &operand_holder;
  }
  if (rule.op == ChoiceOp::kBooleanEquals) {
    return var->is_bool() && operand->is_bool() && var->as_bool() == operand->as_bool();
  }
  if (rule.op == ChoiceOp::kStringMatches) {
    return var->is_string() && operand->is_string() &&
           StringMatchesPattern(std::string_view(var->as_string()),
                                std::string_view(operand->as_string()));
  }
  auto c = Compare(rule.op, *var, *operand);
  return c.has_value() && Ordered(rule.op, *c);
}

bool StringMatchesPattern(std::string_view value, std::string_view pattern) {
  // Tokenise: literal characters and '*' wildcards ("\\*" is a literal star).
  std::vector<int> tokens;  // -1: wildcard; else a byte
  for (size_t i = 0; i < pattern.size(); ++i) {
    char ch = pattern[i];
    if (ch == '\\' && i + 1 < pattern.size()) {
      tokens.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (ch == '*') {
      tokens.push_back(-1);
    } else {
      tokens.push_back(static_cast<unsigned char>(ch));
    }
  }
  // Greedy matching with backtracking to the last wildcard.
  size_t v = 0, t = 0, star_t = std::string_view::npos, star_v = 0;
  while (v < value.size()) {
    if (t < tokens.size() && tokens[t] == -1) {
      star_t = t++, star_v = v;
    } else if (t < tokens.size() && tokens[t] == static_cast<unsigned char>(value[v])) {
      ++t, ++v;
    } else if (star_t != std::string_view::npos) {
      t = star_t + 1, v = ++star_v;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t] == -1) ++t;
  return t == tokens.size();
}

}  // namespace weft::asl
