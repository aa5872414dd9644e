// src/asl/expr.h: the expression layer of the Amazon States Language (JSONPath
// query language): paths, reference paths, payload templates and intrinsic
// functions. Compiled once when a definition is parsed; evaluated many times.
//
// Internal to asl/ (the module's public header is asl/asl.h); pure: no I/O,
// no clock. Evaluation is thread-safe on a compiled object (it is immutable).
//
// Errors. Compile* return Error::Validation with a message naming the
// problem (the caller adds the field's location). Evaluation returns an
// Error whose type() is the States.* error name ("States.Runtime",
// "States.IntrinsicFailure", "States.ResultPathMatchFailure", ...) and whose
// message() is the part of the AWS cause that the expression knows, e.g.
//   "Invalid path '$.x' : No results for path: $['x']"
// The interpreter prefixes the state part ("An error occurred while executing
// the state 'S' (entered at the event id #2). ") where AWS does.
//
// Note for the interpreter (additions since the first version, all source
// compatible): StatesError() below builds such errors; Template::Evaluate
// reports a missing path in AWS's template form ("The JSONPath '$.x'
// specified for the field 'v.$' could not be found in the input '{...}'");
// Path::Find on a non-reference path returns nullptr; ParseTimestamp accepts
// what Java's ISO_OFFSET_DATE_TIME accepts (offset required).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace weft::asl {

// The Error of a States.* failure during evaluation: type() is `name`
// ("States.Runtime", ...), message() the cause text.
inline Error StatesError(std::string name, std::string cause) {
  return Error(Errc::kValidation, std::move(name), std::move(cause));
}

// Workflow variables ($name), in nested scopes: an inline Map iteration or a
// Parallel branch reads its parents' variables (not the other way round).
struct Variables {
  const json::object* values = nullptr;  // may be null: no variables here
  const Variables* parent = nullptr;
  const json::value* Find(std::string_view name) const;  // nullptr if unset
};

// What an expression can read.
struct EvalScope {
  const json::value* input = nullptr;    // $   (the effective input)
  const json::value* context = nullptr;  // $$  (the context object)
  const Variables* variables = nullptr;  // $name; may be null
};

// A compiled JSONPath: "$", "$.a.b[0]", "$..x", "$.a[*].b", "$.a[?(@.n > 1)]",
// "$.a[1:3]", "$['key with space']", also "$$.Execution.Id" and "$var.x".
class Path {
 public:
  static Result<Path> Compile(std::string_view text);
  // The same, for the places that allow only a reference path (a single node:
  // .name, ['name'], [index]): ResultPath, Choice Variable and *Path operands.
  static Result<Path> CompileReference(std::string_view text);

  const std::string& text() const;
  bool is_reference() const;  // names at most one node
  enum class Root { kInput, kContext, kVariable };
  Root root() const;

  // A reference path yields the node; a path with wildcards, filters, slices
  // or `..` yields an array of the nodes it matches (possibly empty, also
  // when a member on the way is missing, as AWS: "$.items[*]" on {} is []).
  // A missing node: Error("States.Runtime", "Invalid path '<text>' : No
  // results for path: $['a']['b']").
  Result<json::value> Evaluate(const EvalScope& scope) const;
  // Like Evaluate, but a missing node is nullptr instead of an error (Choice
  // IsPresent, reads that tolerate absence). Only for reference paths.
  const json::value* Find(const EvalScope& scope) const;

  // Writes `value` at this reference path into `target` (ResultPath),
  // creating objects on the way; "$" replaces `target`. Errors (target left
  // unchanged): States.ResultPathMatchFailure, "Unable to apply ReferencePath
  // $.a.b to input {"a":"str"}" (a member of a non-object, an index outside
  // an array or into a missing member; also a $$ or $var path).
  Status Assign(json::value& target, json::value value) const;

  Path();
  ~Path();
  Path(Path&&) noexcept;
  Path& operator=(Path&&) noexcept;
  Path(const Path&);
  Path& operator=(const Path&);

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A compiled intrinsic function call: "States.Format('x {}', $.a)", nested.
class Intrinsic {
 public:
  static bool LooksLikeCall(std::string_view text);  // starts with "States."
  static Result<Intrinsic> Compile(std::string_view text);
  const std::string& text() const;
  // Errors: States.IntrinsicFailure (bad arguments, limits) or
  // States.Runtime (a missing path argument), with AWS's cause text.
  Result<json::value> Evaluate(const EvalScope& scope) const;

  Intrinsic();
  ~Intrinsic();
  Intrinsic(Intrinsic&&) noexcept;
  Intrinsic& operator=(Intrinsic&&) noexcept;
  Intrinsic(const Intrinsic&);
  Intrinsic& operator=(const Intrinsic&);

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// A compiled payload template (Parameters, ItemSelector, ResultSelector,
// Assign, Credentials): a JSON value whose object keys ending in ".$" take a
// path, a context path, a variable or an intrinsic call; the key is emitted
// without ".$". Everything else is copied as is. Compiling a template with no
// ".$" key anywhere makes Evaluate a plain copy.
class Template {
 public:
  static Result<Template> Compile(const json::value& tpl);
  Result<json::value> Evaluate(const EvalScope& scope) const;

  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  Template(const Template&);
  Template& operator=(const Template&);

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// RFC 3339 timestamps as ASL accepts them (Wait Timestamp, Timestamp*
// Choice operators, IsTimestamp): "2016-03-14T01:59:00Z", with optional
// fraction and offset. Returns milliseconds since the epoch, or nullopt.
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace weft::asl
