// src/asl/jsonata.h: JSONata 2.0 (the version Step Functions runs, 2.0.6),
// compiled once and evaluated many times, for the JSONata query language of
// ASL ("{% expr %}"). Checked against jsonata-js 2.0.6 by a differential
// test (tests/unit/asl/jsonata_differential_test.cc).
//
// Internal to asl/ (the module's public header is asl/asl.h); pure: no I/O.
// The clock and randomness come from the host through Environment, so that a
// replayed evaluation gives the same result.
//
// Thread safety: an Expression is immutable after Compile; Evaluate may run
// on any number of threads at once. An Environment is used by one Evaluate
// call at a time (the host gives each call its own, or a thread-safe one).
//
// Errors carry the reference implementation's code ("S0202", "T2001",
// "D3030", ...), the character offset jsonata-js reports (counted in bytes of
// the UTF-8 text; jsonata-js counts UTF-16 units) and jsonata's message.
// Compile errors are S0xxx; evaluation errors are T/D xxxx. weft's own:
//  - U1001: the parser or evaluator passed its stack budget (deep nesting,
//    deep non-tail recursion) or the evaluation ran more than
//    Bindings::max_steps steps (a range costs its length): never a crash or
//    a hang;
//  - U1000: an internal error (a bug in weft), reported instead of thrown.
//
// Step Functions' additions are built in: $partition, $range, $hash,
// $random([seed]), $uuid, $parse. $eval is refused (Step Functions forbids
// it): calling it fails with "D3200".
//
// Known differences from jsonata-js: regular expressions use std::regex's
// ECMAScript grammar over code points (no lookbehind, no named groups, no
// \u{...}; '.' matches a whole astral character where JavaScript sees two
// UTF-16 units); strings hold Unicode
// characters, so lone UTF-16 surrogates cannot occur; case mapping covers
// Latin, Greek, Cyrillic and a few special casings only; ISO date-times without an offset read as
// UTC ($toMillis). A function in the result becomes "" (as $string writes it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/json.h"

namespace weft::asl::jsonata {

// A failure to compile or evaluate.
struct Error {
  std::string code;      // "S0202", "T2001", "U1001", ...
  int64_t position = 0;  // the offset in the expression text jsonata-js reports (-1: none)
  std::string message;   // what went wrong, for a person
};

// What a host provides for the parts of JSONata that are not deterministic.
class Environment {
 public:
  virtual ~Environment() = default;
  // $now() and $millis(): milliseconds since the Unix epoch. Read once per
  // evaluation (every $now() of one evaluation gives the same instant, as in
  // jsonata-js).
  virtual int64_t NowMillis() = 0;
  // $random() without a seed, $uuid(), $shuffle(): a number in [0, 1).
  virtual double Random() = 0;
};

// The system clock and a per-thread random generator; for hosts that do
// not replay.
Environment& SystemEnvironment();

struct Bindings {
  // Variables readable as $name (without the '$').
  std::map<std::string, json::value, std::less<>> variables;
  // The same for values the caller keeps alive during the call: bound
  // without a copy first (a state's input, its result). Null: unbound.
  std::map<std::string, const json::value*, std::less<>> references;
  // Objects bound as variables member by member, each member a value the
  // caller keeps alive: Step Functions' $states ({input, result, ...})
  // without building it first. A null member is left out.
  std::map<std::string, std::vector<std::pair<std::string, const json::value*>>, std::less<>>
      objects;
  // nullptr: SystemEnvironment().
  Environment* environment = nullptr;
  // Evaluation steps (nodes evaluated) before giving up with "U1001".
  uint64_t max_steps = 10'000'000;
  // Stack the evaluation may use before giving up with "U1001" (recursion
  // deeper than this is refused rather than overflowing the thread's
  // stack). Measured in bytes because frame sizes differ between builds:
  // 1 MiB is about 500 nested non-tail calls of a small lambda in a release
  // build, fewer under sanitizers.
  size_t max_stack_bytes = 1 << 20;
};

// The outcome of an evaluation: a value, "undefined" (no result: a missing
// path, an empty sequence; distinct from null), or an Error.
class Outcome {
 public:
  static Outcome Value(json::value v) { return Outcome(std::move(v)); }
  static Outcome Undefined() { return Outcome(); }
  static Outcome Failure(Error e) {
    Outcome o;
    o.error_ = std::move(e);
    return o;
  }
  bool ok() const { return !error_.has_value(); }
  bool is_undefined() const { return ok() && !value_.has_value(); }
  bool has_value() const { return value_.has_value(); }
  const json::value& value() const { return *value_; }
  json::value& value() { return *value_; }
  const Error& error() const { return *error_; }

 private:
  Outcome() = default;
  explicit Outcome(json::value v) : value_(std::move(v)) {}
  std::optional<json::value> value_;
  std::optional<Error> error_;
};

class CompileResult;

class Expression {
 public:
  // Compiles `text`. On failure the Error has the S0xxx code and position.
  static CompileResult Compile(std::string_view text);

  // Evaluates against `input` (the context value, `$`). `input` may be
  // nullptr for "no input" (undefined context).
  Outcome Evaluate(const json::value* input, const Bindings& bindings) const;
  Outcome Evaluate(const json::value& input, const Bindings& bindings) const {
    return Evaluate(&input, bindings);
  }

  const std::string& text() const;
  // The variables the expression reads ($name, without the '$'), each once:
  // a host binds only these.
  const std::vector<std::string>& variables() const;
  // Whether the expression may read the member `member` of $`variable`:
  // false only when every use of the variable is a path whose next step
  // names another member ($states.input does not read $states.context;
  // $states.*, $keys($states) may).
  bool MayRead(std::string_view variable, std::string_view member) const;

  struct Impl;

 private:
  explicit Expression(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// An Expression or the Error that stopped its compilation.
class CompileResult {
 public:
  CompileResult(Expression e) : v_(std::move(e)) {}  // NOLINT: implicit by design
  CompileResult(Error e) : v_(std::move(e)) {}       // NOLINT
  bool ok() const { return v_.index() == 0; }
  const Expression& value() const { return std::get<0>(v_); }
  const Expression* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<Expression, Error> v_;
};

// JavaScript's Number.prototype.toString for `d` (shortest round trip,
// exponent form outside [1e-7, 1e21)): how JSONata prints numbers.
std::string FormatNumber(double d);

// JSON text as JavaScript's JSON.stringify writes it (numbers as above, no
// spaces); for comparing results with the reference implementation.
std::string Stringify(const json::value& v);

}  // namespace weft::asl::jsonata
