// src/asl/path_internal.h: the compiled form of a JSONPath (internal to asl/).
//
// A path is a root plus a vector of steps; a filter is a small expression
// tree. Compiled once by ParsePath (path_parser.cc), walked by path.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/expr.h"

namespace weft::asl::path_detail {

struct FilterExpr;

// A POSIX extended regular expression that must match a whole string.
// POSIX <regex.h> rather than std::regex: GCC 12 reports false
// maybe-uninitialized warnings inside <regex> under the sanitizer build.
class Regex {
 public:
  // nullptr when `pattern` does not compile.
  static std::shared_ptr<const Regex> Compile(const std::string& pattern, bool ignore_case);
  bool FullMatch(const std::string& s) const;
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

 private:
  Regex() = default;
  struct State;
  std::unique_ptr<State> state_;
};

enum class StepKind : uint8_t {
  kName,      // .name, ['name']
  kIndex,     // [n], [-n]
  kWildcard,  // .*, [*]
  kNames,     // ['a','b']
  kIndexes,   // [0,2]
  kSlice,     // [a:b]
  kFilter,    // [?(...)]
};

struct Step {
  StepKind kind = StepKind::kName;
  bool deep = false;  // preceded by "..": applies to the node and every descendant
  std::string name;
  int64_t index = 0;
  std::vector<std::string> names;
  std::vector<int64_t> indexes;
  std::optional<int64_t> slice_start, slice_end;
  std::shared_ptr<const FilterExpr> filter;
};

// An operand of a filter comparison: a literal or a path relative to the
// current item (@) or to the root ($).
struct Operand {
  enum class Kind : uint8_t { kLiteral, kCurrent, kRoot } kind = Kind::kLiteral;
  json::value literal;
  std::vector<Step> steps;  // for kCurrent / kRoot; definite steps only
};

// Jayway's filter operators. kRegex: =~ /re/flags (full match of a string);
// kIn, kNin: left is (not) an element of the right array; kSubsetOf,
// kAnyOf, kNoneOf: set relations of two arrays; kSize: the length of a
// string or array equals the right number; kEmpty: emptiness equals the
// right boolean.
enum class FilterOp : uint8_t {
  kExists,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kRegex,
  kIn,
  kNin,
  kSubsetOf,
  kAnyOf,
  kNoneOf,
  kSize,
  kEmpty,
  kAnd,
  kOr,
  kNot
};

struct FilterExpr {
  FilterOp op = FilterOp::kExists;
  Operand left, right;                         // comparisons; kExists uses left
  std::shared_ptr<const FilterExpr> lhs, rhs;  // kAnd, kOr; kNot uses lhs
  std::shared_ptr<const Regex> regex;          // kRegex
};

struct ParsedPath {
  Path::Root root = Path::Root::kInput;
  std::string variable;  // for Root::kVariable
  std::vector<Step> steps;
};

// Parses `text` (which starts with '$'). reference_only restricts the steps
// to .name, ['name'] and [n]. Errors: Error::Validation naming the problem.
Result<ParsedPath> ParsePath(std::string_view text, bool reference_only);

// True when every step names at most one node (no wildcard, slice, filter,
// union or deep scan).
bool IsDefinite(const std::vector<Step>& steps);

// Jayway's normalised form of the steps: $['a'][0]['b'].
std::string NormalisedPath(const std::vector<Step>& steps);

// Follows definite steps from `node`; nullptr when a step has no match.
const json::value* FollowDefinite(const json::value* node, const std::vector<Step>& steps);

// Appends every node the steps match from `node` (document order).
void Collect(const json::value& node, const std::vector<Step>& steps, size_t first,
             const json::value& root, std::vector<const json::value*>& out);

bool EvalFilter(const FilterExpr& f, const json::value& current, const json::value& root);

}  // namespace weft::asl::path_detail
