// src/asl/definition.h: the compiled form of a state machine definition
// (internal to asl/). Built once by Compile() (definition.cc, validate.cc);
// immutable afterwards, so executions share it across threads.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "asl/asl.h"
#include "asl/choice.h"
#include "asl/expr.h"
#include "asl/jsonata_template.h"

namespace weft::asl {

// The largest number of seconds (or retry attempts) a definition may give:
// AWS's schema maximum. It also keeps every deadline far from overflowing.
inline constexpr int64_t kSchemaMaximum = 99'999'999;

enum class StateType { kTask, kPass, kChoice, kWait, kSucceed, kFail, kParallel, kMap };
std::string_view StateTypeName(StateType t);  // "Task", ...

// InputPath / OutputPath: absent means "$", null means "{}".
struct IoPath {
  bool is_null = false;
  std::optional<Path> path;  // unset: "$"
};

// ResultPath: absent or "$" replaces the input, null keeps the input.
struct ResultPathSpec {
  enum class Mode { kReplace, kDiscard, kPath } mode = Mode::kReplace;
  std::optional<Path> path;
};

// A field that takes a path or an intrinsic call (ErrorPath, CausePath).
struct ValueExpr {
  std::variant<Path, Intrinsic> expr;
  std::string text;
  Result<json::value> Evaluate(const EvalScope& scope) const;
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  bool jitter_full = false;
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next;
  int next_index = -1;
  ResultPathSpec result_path;
  std::optional<Template> assign;
  JsonataOutput jsonata;  // a JSONata state's catcher: Output and Assign
};

// The fields of a JSONata state. A field given as a literal value (a
// number of seconds, an error name) is read into the State member of the
// same name like a JSONPath state's; given as "{% %}" it is here.
struct JsonataFields {
  JsonataOutput out;
  std::optional<JsonataTemplate> arguments;      // Task, Parallel
  std::optional<JsonataTemplate> items;          // Map
  std::optional<JsonataTemplate> item_selector;  // Map
  std::optional<JsonataTemplate> credentials;
  std::optional<JsonataTemplate> seconds, timestamp;                  // Wait
  std::optional<JsonataTemplate> timeout_seconds, heartbeat_seconds;  // Task
  std::optional<JsonataTemplate> max_concurrency, tolerated_failure_count,
      tolerated_failure_percentage;             // Map
  std::optional<JsonataTemplate> error, cause;  // Fail
};

struct Block;

struct State {
  std::string name;
  StateType type = StateType::kPass;
  int index = 0;
  std::string location;  // "/States/Name" (nested: ".../ItemProcessor/States/Name")
  std::string next;
  int next_index = -1;
  bool end = false;
  bool needs_context = false;  // the state's fields mention "$$"
  bool type_known = false;     // Type parsed (graph checks skip the rest)
  // Set when the state uses the JSONata query language (its own
  // QueryLanguage, else the top level's); the JSONPath fields below that
  // JSONata has no use for are then unset.
  std::optional<JsonataFields> jsonata;

  IoPath input_path, output_path;
  std::optional<Template> parameters;  // Parameters, or Map ItemSelector
  std::optional<Template> result_selector;
  ResultPathSpec result_path;
  std::optional<Template> assign;
  std::optional<json::value> result;  // Pass

  // Task
  std::string resource;
  std::optional<int64_t> timeout_seconds, heartbeat_seconds;
  std::optional<Path> timeout_seconds_path, heartbeat_seconds_path;
  std::optional<Template> credentials;
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  // Choice
  std::vector<ChoiceRule> choices;
  std::string default_next;
  int default_index = -1;

  // Wait
  std::optional<int64_t> seconds;
  std::optional<std::string> timestamp;
  std::optional<Path> seconds_path, timestamp_path;

  // Fail
  std::optional<std::string> error, cause;
  std::optional<ValueExpr> error_path, cause_path;

  // Parallel: the branch blocks; Map: the item processor block.
  std::vector<int> branches;
  int processor = -1;
  std::optional<Path> items_path;
  int64_t max_concurrency = 0;  // 0: unbounded
  std::optional<Path> max_concurrency_path;
  std::optional<double> tolerated_failure_percentage;
  std::optional<int64_t> tolerated_failure_count;
  std::optional<Path> tolerated_failure_percentage_path, tolerated_failure_count_path;
  bool distributed = false;
  std::string label;
};

// A list of states with a start: the top level, a Parallel branch or a Map
// item processor.
struct Block {
  int id = 0;
  std::string location;  // "" for the top level, "/States/P/Branches/0", ...
  std::string start_at;
  int start_index = -1;
  std::vector<State> states;
  std::unordered_map<std::string, int> index;
  const State* Find(std::string_view name) const;
};

// The whole compiled definition. Blocks are numbered: 0 is the top level,
// nested blocks follow in definition order (an execution's saved state names
// blocks by number, so the numbering depends only on the definition).
class StateMachine {
 public:
  const Block& block(int id) const { return *blocks[id]; }
  const Block& root() const { return *blocks[0]; }
  int block_count() const { return static_cast<int>(blocks.size()); }

  std::vector<std::unique_ptr<Block>> blocks;
  std::optional<int64_t> timeout_seconds;
  json::value definition;
};

// Parses `definition` into `machine`, adding every problem to `diags`.
void ParseDefinition(const json::value& definition, StateMachine& machine,
                     std::vector<Diagnostic>& diags);
// Graph checks on a parsed machine: resolves Next/Default/Catch targets to
// indexes and reports missing targets and unreachable states (validate.cc).
void ValidateGraph(StateMachine& machine, std::vector<Diagnostic>& diags);

}  // namespace weft::asl
