// src/asl/jsonata_template.h: the field values of JSONata states (internal
// to asl/). A field holds any JSON; a string of the form "{% expr %}"
// anywhere in it is a JSONata expression, evaluated when the state runs.
// Every other value is literal: keys ending in ".$", "$.x" strings and
// intrinsic calls mean nothing here, and " {% x %} " (with spaces outside
// the braces) is a plain string, as in Step Functions.
//
// Compiled once with the definition, like the JSONPath templates
// (expr.h); evaluation is thread-safe on a compiled template.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/expr.h"
#include "asl/jsonata.h"
#include "common/error.h"
#include "common/json.h"

namespace weft::asl {

struct Diagnostic;

inline constexpr std::string_view kQueryEvaluationError = "States.QueryEvaluationError";

// Whether `s` is a JSONata expression field ("{%" ... "%}").
bool IsJsonataExpression(std::string_view s);

// What an expression reads: $states ({input, result, errorOutput, context},
// the members that are set) and the workflow variables ($name).
struct StatesScope {
  const json::value* input = nullptr;         // $states.input: the state's input
  const json::value* result = nullptr;        // $states.result: what the work returned
  const json::value* error_output = nullptr;  // $states.errorOutput: in a Catch
  const json::value* context = nullptr;       // $states.context: the context object
  const Variables* variables = nullptr;
  // $now, $millis, $random, $uuid: the execution's clock and random source,
  // so that replay gives the same values. Null: the system's.
  jsonata::Environment* environment = nullptr;
};

class JsonataTemplate {
 public:
  // Compiles the value of the field `field` ("Output", "Arguments") found at
  // `location` (its JSON pointer, for diagnostics). An expression that does
  // not compile is a diagnostic located at its own place in the value.
  static std::optional<JsonataTemplate> Compile(const json::value& v, std::string_view field,
                                                const std::string& location,
                                                std::vector<Diagnostic>& diags);

  // The value with every expression replaced by its result. Errors have the
  // type States.QueryEvaluationError and AWS's cause without the state part
  // ("The JSONata expression '$x' specified for the field 'Output/a'
  // returned nothing (undefined)."); `failed_at`, when given, receives the
  // failing field ("Output/a").
  Result<json::value> Evaluate(const StatesScope& scope, std::string* failed_at = nullptr) const;

  // Whether some expression reads $states.context (the interpreter builds
  // the context object only then).
  bool reads_context() const;
  // The literal value, when the field holds no expression at all.
  const json::value* literal() const;
  // The expression's text, when the whole field is one expression.
  const std::string* expression_text() const;

  struct Node;

 private:
  explicit JsonataTemplate(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

// The Output and Assign of a JSONata state, choice rule or catcher.
struct JsonataOutput {
  std::optional<JsonataTemplate> output;
  std::optional<JsonataTemplate> assign;  // an object: variable name -> value
};

// The cause of a field that evaluated to a value of the wrong type:
// "The JSONata expression '1' specified for the field 'Items' returned an
// unexpected result type. Expected 'array', but was 'number' for value: 1".
std::string UnexpectedTypeCause(std::string_view expression, std::string_view field,
                                std::string_view expected, const json::value& value);

}  // namespace weft::asl
