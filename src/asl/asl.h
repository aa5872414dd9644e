// src/asl/asl.h: the public face of the Amazon States Language module.
//
// What it offers:
//  - Compile(): parse and validate a state machine definition once; every
//    path, template and intrinsic call is compiled here. All problems are
//    reported together, each with a JSON-pointer-like location.
//  - Execution: a PURE, event-driven interpreter for one execution. It has no
//    clock, no I/O and no threads: the host passes `now` with each call and
//    receives Step Functions history events plus commands (schedule a task,
//    start a timer, the execution closed). The host feeds results back
//    (task started/succeeded/failed/timed out, timer fired).
//  - RunLocally(): a one-process host that answers tasks from an AWS Step
//    Functions Local mock configuration and fast-forwards timers (`weft run`).
//
// Threads: a compiled StateMachine is immutable and may be shared by any
// number of threads and executions. An Execution is a plain value: one caller
// at a time (the engine drives it from its shard's strand).
//
// Language reference: ../../../shared/reference/asl-notes.md; the compatibility
// status is in docs/compatibility.md ("Amazon States Language").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace weft::asl {

// ---------------------------------------------------------------- definitions

// One problem in a definition. `location` is a JSON pointer into the
// definition ("/States/Foo/Next"; "" for the top level).
struct Diagnostic {
  std::string location;
  std::string message;
};

class StateMachine;  // compiled definition; see definition.h (internal)
using StateMachinePtr = std::shared_ptr<const StateMachine>;

struct CompileResult {
  StateMachinePtr machine;              // null when diagnostics is not empty
  std::vector<Diagnostic> diagnostics;  // every problem: field problems, then graph problems
};

// Parses JSON text (or a parsed value) and validates it.
CompileResult Compile(std::string_view definition_text);
CompileResult Compile(const json::value& definition);

// "location: message" lines, as `weft validate` prints them.
std::string FormatDiagnostic(const Diagnostic& d);

// ----------------------------------------------------------------- execution

// Facts about the execution that the host owns (names, ARNs, start time).
struct ExecutionContext {
  std::string execution_arn;
  std::string execution_name;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::string role_arn;
  int64_t start_time_ms = 0;
  bool express = false;  // Express: the context has no RedriveCount/RetryCount
  // How a Distributed Map runs its iterations. false: inside this execution,
  // without events (`weft run`). true: each as a child execution the host
  // starts (kStartIteration) and reports back like a task; its Map Run is
  // described to the host by kMapRunChanged.
  bool child_iterations = false;
  // What this execution runs: 0 the definition's top level; for a child
  // execution of a Distributed Map, the `processor` of its kStartIteration.
  int root_block = 0;
  // Turns the interpreter's task token (unique within the execution and
  // deterministic, so that replay reproduces it) into the token workers and
  // callbacks see as $$.Task.Token: the engine signs it. Must be
  // deterministic too. Unset: the interpreter's token as it is.
  std::function<std::string(std::string_view token)> mint_task_token;
};

// A Step Functions history event, as GetExecutionHistory returns it. The
// details are the `<type>EventDetails` member (e.g. stateEnteredEventDetails),
// named by DetailsKey(); empty for the types that have none. They are kept
// as compact JSON text (the interpreter writes it directly, a host stores it
// as is): Details() parses it for a host that wants the members.
struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_ms = 0;
  std::string type;                // "PassStateEntered", "TaskScheduled", ...
  std::string details_json;        // a JSON object's text; "" = no details
  std::string DetailsKey() const;  // "" when the type has no details shape
  json::object Details() const;    // parsed details_json; {} when empty or not an object
};
// {"timestamp": epoch seconds, "type", "id", "previousEventId", "<key>": {...}}
json::object HistoryEventToJson(const HistoryEvent& e);
// The same as compact JSON text, without parsing the details.
std::string HistoryEventToJsonText(const HistoryEvent& e);
// The inverse (for replay from a stored history). Errors: Validation.
Result<HistoryEvent> HistoryEventFromJson(const json::object& o);

enum class CommandKind {
  kScheduleTask,       // run `resource` with `input`; answer with Feedback
  kStartTimer,         // call Apply(kTimerFired, id) at fire_at_ms ("execution-timeout":
                       // the state machine's TimeoutSeconds)
  kCancelTimer,        // a timer started earlier is no longer wanted
  kCancelTask,         // a task scheduled earlier is no longer wanted
  kCompleteExecution,  // closed: SUCCEEDED with `output`
  kFailExecution,      // closed: FAILED with `error`/`cause`
  kTimeOutExecution,   // closed: TIMED_OUT
  kAbortExecution,     // closed: ABORTED (after Stop)
  kStartIteration,     // a Distributed Map iteration: start a child execution that runs
                       // block `processor` with `input`; answer like a task (its output,
                       // or its error and cause); kCancelTask stops it
  kMapRunChanged,      // a Map Run started, changed its settings or closed: `map_run`
};

// A Distributed Map's run as the host keeps it (DescribeMapRun).
struct MapRunInfo {
  std::string arn;
  std::string status = "RUNNING";  // RUNNING, SUCCEEDED, FAILED, ABORTED
  int64_t total = 0;               // items
  int64_t max_concurrency = 0;     // 0: no limit
  int64_t tolerated_count = 0;
  double tolerated_percentage = 0;
};

// UpdateMapRun: the settings to change (absent: unchanged).
struct MapRunUpdate {
  std::optional<int64_t> max_concurrency;
  std::optional<int64_t> tolerated_count;
  std::optional<double> tolerated_percentage;
};

struct Command {
  CommandKind kind = CommandKind::kScheduleTask;
  std::string id;          // task or timer id, unique within the execution
  std::string state_name;  // the state that asked (task, Wait, retry)
  // kScheduleTask
  std::string resource;
  std::string input;              // JSON text
  int64_t timeout_seconds = 0;    // 0: none
  int64_t heartbeat_seconds = 0;  // 0: none
  std::string task_token;         // `.waitForTaskToken` and activity tasks; deterministic
  // kStartTimer
  int64_t fire_at_ms = 0;
  // kCompleteExecution / kFailExecution
  std::string output;  // JSON text
  std::optional<std::string> error;
  std::optional<std::string> cause;
  // kStartIteration (also `input`, `state_name` the Map state)
  std::string map_run_arn;
  int64_t item_index = 0;
  int processor = 0;
  // kMapRunChanged
  MapRunInfo map_run;
};

// What the host reports back. kTaskStarted (an activity worker took the
// task: `output` is the worker name) and kTaskSubmitted (a `.sync` or
// `.waitForTaskToken` request was accepted: `output` is the service's
// response) only add an event; the others finish the task.
struct Feedback {
  enum class Kind {
    kTaskStarted,
    kTaskSucceeded,
    kTaskFailed,
    kTaskTimedOut,
    kTimerFired,
    kTaskSubmitted,
  };
  Kind kind = Kind::kTimerFired;
  std::string id;                    // the Command id
  std::string output;                // kTaskSucceeded: JSON text
  std::optional<std::string> error;  // kTaskFailed / kTaskTimedOut
  std::optional<std::string> cause;
};

// Everything one call produced, in order.
struct StepResult {
  std::vector<HistoryEvent> events;
  std::vector<Command> commands;
};

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };
std::string_view ExecutionStatusName(ExecutionStatus s);  // "RUNNING", ...

// A uniform double in [0, 1) for retry jitter. Default: a deterministic
// generator kept in the execution state (so that replay reproduces it).
using RandomSource = std::function<double()>;

class ExecutionState;  // internal; see interpreter.h

// What replay needs from the host about Distributed Map iterations that ran
// as child executions.
struct IterationLookup {
  // The outcome of the child of a kStartIteration, as the Feedback that
  // reports it (kTaskSucceeded or kTaskFailed); nullopt while it runs.
  std::function<std::optional<Feedback>(const Command& iteration)> outcome;
  // The settings of a Map Run as UpdateMapRun last left them; nullopt: as
  // the definition set them.
  std::function<std::optional<MapRunUpdate>(const std::string& map_run_arn)> settings;
};

class Execution {
 public:
  // Starts an execution: appends ExecutionStarted and runs until the
  // execution waits for a task or a timer, or closes.
  static Result<Execution> Start(StateMachinePtr machine, ExecutionContext context,
                                 std::string_view input_json, int64_t now_ms, StepResult* out);
  // Applies one host result and runs as far as possible. Errors (Validation)
  // only for feedback that names no pending task or timer; nothing changes.
  Status Apply(const Feedback& feedback, int64_t now_ms, StepResult* out);
  // StopExecution: aborts every state in flight (their *StateAborted
  // events, cancel commands for their tasks and timers), then
  // ExecutionAborted. Errors: Validation when the execution is closed.
  Status Stop(std::optional<std::string> error, std::optional<std::string> cause, int64_t now_ms,
              StepResult* out);

  // RedriveExecution of a FAILED, TIMED_OUT or ABORTED execution:
  // appends ExecutionRedriven and re-enters the top-level state that was
  // running when it closed, with the input that state was entered with (read
  // from `history`, this execution's events) and the workflow variables the
  // top level had. Of every Map or Parallel state in progress at the close,
  // at any depth, only the iterations and branches that did not succeed run
  // again (the others keep their results).
  // Errors: Validation when it cannot be redriven (running, succeeded, or no
  // top-level state was entered).
  Status Redrive(const std::vector<HistoryEvent>& history, int64_t now_ms, StepResult* out);
  int64_t redrive_count() const;

  // Rebuilds an execution from its recorded history: the events must be the
  // ones this interpreter produced (same definition, input and results).
  // Errors: Validation when the history diverges from the definition.
  // `pending`, when given, receives the kScheduleTask and kStartTimer
  // commands still outstanding at the end of the history (the host re-creates
  // its tasks and timers from them).
  // `iterations`, for a history with Distributed Map iterations run as
  // child executions: what became of them (their events are not in this
  // history).
  static Result<Execution> Replay(StateMachinePtr machine, ExecutionContext context,
                                  const std::vector<HistoryEvent>& history,
                                  std::vector<Command>* pending = nullptr,
                                  const IterationLookup* iterations = nullptr);

  // UpdateMapRun of a Map Run in progress: new settings take effect at once
  // (more iterations may start). Errors: kUnknownResource when no such Map
  // Run is running.
  Status UpdateMapRun(std::string_view map_run_arn, const MapRunUpdate& update, int64_t now_ms,
                      StepResult* out);

  // The state as JSON (small: the current position of every branch, inputs,
  // variables and counters; not the history) and back. Restore takes what
  // the saved form cannot hold from `context` (mint_task_token); its other
  // fields are the saved ones.
  json::value Save() const;
  // The same as JSON text appended to `out`, written in place (for a host
  // that stores it at every step); without the context when the host gives
  // it back at Restore.
  void SaveTo(std::string& out, bool with_context = true) const;
  static Result<Execution> Restore(StateMachinePtr machine, const json::value& saved,
                                   ExecutionContext context = {});

  // Replaces the retry-jitter source (tests). Replay reproduces only the
  // default generator: a host that injects one must inject it again after
  // Replay/Restore with the same sequence.
  void set_random_source(RandomSource random);

  ExecutionStatus status() const;
  const std::string& input() const;   // the execution's input, JSON text
  const std::string& output() const;  // JSON text, when kSucceeded
  const std::optional<std::string>& error() const;
  const std::optional<std::string>& cause() const;
  int64_t last_event_id() const;

  Execution(Execution&&) noexcept;
  Execution& operator=(Execution&&) noexcept;
  ~Execution();

 private:
  explicit Execution(std::unique_ptr<ExecutionState> state);
  std::unique_ptr<ExecutionState> state_;
};

// ----------------------------------------------------- one state's data flow

// The steps of one state's input and output processing, as the TestState
// API's inspectionData shows them, each as compact JSON text. A step the
// state does not have passes its input on unchanged. Filled up to the first
// step that fails (then `error`/`cause` name the failure as an execution
// would: States.Runtime, ...); the result steps only when there is a result.
struct DataFlow {
  // A JSONata state has none of the JSONPath steps: only `after_arguments`
  // (a Task's or Parallel's Arguments) and `result` are filled.
  bool jsonata = false;
  std::string after_arguments;
  std::string after_input_path;
  std::string after_parameters;  // Parameters (a Map's ItemSelector is per item: not here)
  std::string result;            // the given result; a Pass state's own (Result or its input)
  std::string after_result_selector;
  std::string after_result_path;
  std::optional<std::string> error, cause;
};

// Traces the top-level state `state_name` of `machine` on `input_json`.
// `result_json`: the state's result (a Task's response, a Map's or
// Parallel's array); not needed for Pass. `context_json` is what "$$" reads
// ("" = {}), `variables_json` a JSON object of workflow variables ("" =
// none). Pure: no task runs. Errors: Validation (a text that is not JSON, an
// unknown state).
Result<DataFlow> TraceDataFlow(const StateMachinePtr& machine, std::string_view state_name,
                               std::string_view input_json,
                               std::optional<std::string_view> result_json,
                               std::string_view context_json, std::string_view variables_json);

// ------------------------------------------------------------ local running

// AWS Step Functions Local's mock configuration:
//   {"StateMachines": {"<name>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
//    "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {...}}}}}
class MockConfig;
Result<std::shared_ptr<const MockConfig>> ParseMockConfig(std::string_view text);

struct LocalRunOptions {
  std::string state_machine_name = "StateMachine";
  std::shared_ptr<const MockConfig> mocks;  // may be null: then every Task fails
  std::string test_case;                    // "" = the only test case, if one
  int64_t start_time_ms = 1'700'000'000'000;
  int64_t max_events = 1'000'000;  // guard against endless loops
  bool express = false;
};

struct LocalRunResult {
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string output;  // JSON text
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::vector<HistoryEvent> history;
};

// Runs one execution to its end: tasks answered from the mocks at once,
// timers fired in time order without sleeping. Errors: Validation (bad input
// JSON, mock problems that are not the workflow's).
Result<LocalRunResult> RunLocally(StateMachinePtr machine, std::string_view input_json,
                                  const LocalRunOptions& options);

}  // namespace weft::asl
