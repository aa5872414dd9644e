// src/asl/choice.h: Choice state rules (internal to asl/): compiled once,
// evaluated against a state's effective input.
//
// Semantics (asl-notes.md, "Choice"): comparing values of different types is
// false, not an error; a missing Variable (or *Path operand) is a
// States.Runtime error except for IsPresent, which tests exactly that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "asl/expr.h"
#include "asl/jsonata_template.h"
#include "common/error.h"
#include "common/json.h"

namespace weft::asl {

struct Diagnostic;

enum class ChoiceOp {
  kAnd,
  kOr,
  kNot,
  kStringEquals,
  kStringLessThan,
  kStringGreaterThan,
  kStringLessThanEquals,
  kStringGreaterThanEquals,
  kStringMatches,
  kNumericEquals,
  kNumericLessThan,
  kNumericGreaterThan,
  kNumericLessThanEquals,
  kNumericGreaterThanEquals,
  kTimestampEquals,
  kTimestampLessThan,
  kTimestampGreaterThan,
  kTimestampLessThanEquals,
  kTimestampGreaterThanEquals,
  kBooleanEquals,
  kIsNull,
  kIsPresent,
  kIsNumeric,
  kIsString,
  kIsBoolean,
  kIsTimestamp,
};

struct ChoiceRule {
  ChoiceOp op = ChoiceOp::kAnd;
  std::optional<Path> variable;
  json::value operand;               // literal operand
  std::optional<Path> operand_path;  // the *Path forms
  std::vector<ChoiceRule> children;  // And/Or (any number), Not (one)
  // Top-level rules only:
  std::string next;
  int next_index = -1;
  std::optional<Template> assign;
  // A JSONata rule: {Condition, Next, Output, Assign}; the fields above
  // other than `next` are unused.
  std::optional<JsonataTemplate> condition;
  JsonataOutput jsonata;
};

// Compiles one rule found at `location` ("/States/C/Choices/0"); `top_level`
// rules need Next, nested ones must not have it. Problems go to `diags`;
// returns nullopt when the rule is unusable.
std::optional<ChoiceRule> CompileChoiceRule(const json::value& rule, const std::string& location,
                                            bool top_level, std::vector<Diagnostic>& diags);

// Errors: States.Runtime (a missing path), with AWS's cause text.
Result<bool> EvaluateChoiceRule(const ChoiceRule& rule, const EvalScope& scope);

// StringMatches: '*' matches any run of characters; "\\*" and "\\\\" escape.
bool StringMatchesPattern(std::string_view value, std::string_view pattern);

}  // namespace weft::asl
