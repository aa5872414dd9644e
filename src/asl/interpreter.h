// src/asl/interpreter.h: the execution state behind asl::Execution
// (internal to asl/).
//
// An execution is a tree of frames. A frame runs one list of states (a
// Block): the top level, a Parallel branch or a Map iteration. A frame is
// either ready to enter its current state, or blocked on a task, a timer, or
// its children. Run() advances ready frames until all are blocked; the events
// and host commands it produces go to the StepResult of the current call.
// Everything here is a plain value that Save()/Restore() round-trip.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/asl.h"
#include "asl/definition.h"
#include "asl/event_text.h"

namespace weft::asl {

enum class FrameWait { kNone, kTask, kTimer, kRetry, kChildren };

// The children of a Map or Parallel state in progress (see Frame::fan()).
struct FanOut {
  json::array items;  // Map: the items; Parallel: one input per branch
  json::array results;
  // Running children. Their ids are found by scanning frames_ (only on
  // abort), so that finishing one of 10,000 iterations costs O(1).
  int64_t running_children = 0;
  int64_t next_child = 0, done_children = 0, failed_children = 0;
  int64_t max_concurrency = 0;
  int64_t tolerated_count = -1;  // -1: none
  double tolerated_percentage = -1;
  int64_t last_child_event = 0;
  // The children that succeeded (their results are in `results`): what a
  // redrive keeps if the state ends unsuccessfully.
  std::vector<int64_t> succeeded;
  // A Distributed Map whose iterations are child executions (its Map Run),
  // and how many of its items a redrive took over without a child.
  std::string map_run_arn;
  int64_t reused = 0;
  bool operator==(const FanOut&) const = default;
};

struct Frame {
  int id = 0;
  int parent = -1;          // frame id; -1 for the top level
  int block = 0;            // StateMachine block id
  int state = -1;           // index in the block
  int64_t child_index = 0;  // Map item index or Parallel branch index
  bool ready = false;       // enter `state` on the next Run()
  FrameWait wait = FrameWait::kNone;
  std::string wait_id;        // the task or timer id waited for
  json::value input;          // raw input of the current state
  json::string input_quoted;  // QuoteJson(ToJson(input)) when the transition knew it, else empty
  json::value effective;      // Wait: after InputPath, read again when the timer fires
  json::object vars;          // this scope's workflow variables
  int64_t entered_event = 0;  // the current state's StateEntered event id
  int64_t prev_event = 0;     // the last event of this frame (previousEventId)
  int64_t entered_time_ms = 0;
  std::vector<int64_t> retry_counts;  // per retrier of the current state
  int64_t retry_total = 0;
  std::string task_token;
  std::string task_kind;  // "task", "activity", "lambda": names the task events

  // Map / Parallel in progress: allocated only for the frames of such
  // states, so that an iteration's frame stays small.
  FanOut& fan() {
    if (!fan_out) fan_out = std::make_unique<FanOut>();
    return *fan_out;
  }
  const FanOut& fan() const;  // defaults when there is none
  std::unique_ptr<FanOut> fan_out;
  bool silent = false;  // a Distributed Map iteration: its events are not in this history
};

class ExecutionState {
 public:
  ExecutionState(StateMachinePtr machine, ExecutionContext context)
      : m_(std::move(machine)), ctx_(std::move(context)) {}

  void Start(std::string_view input_text, json::value input, int64_t now, StepResult* out);
  Status Apply(const Feedback& f, int64_t now, StepResult* out);
  Status Stop(std::optional<std::string> error, std::optional<std::string> cause, int64_t now,
              StepResult* out);
  Status Redrive(const std::vector<HistoryEvent>& history, int64_t now, StepResult* out);
  Status UpdateMapRun(std::string_view map_run_arn, const MapRunUpdate& update, int64_t now,
                      StepResult* out);

  json::value Save() const;
  void SaveTo(std::string& out, bool with_context) const;
  Status Load(const json::value& saved);

  // The host ids of pending tasks and timers (replay).
  const std::map<std::string, int>& pending_tasks() const { return tasks_; }
  const std::map<std::string, std::pair<int64_t, int>>& pending_timers() const { return timers_; }

  StateMachinePtr m_;
  ExecutionContext ctx_;
  RandomSource random_;
  ExecutionStatus status_ = ExecutionStatus::kRunning;
  std::string output_;
  std::optional<std::string> error_, cause_;
  int64_t next_event_id_ = 1;
  int64_t redrive_count_ = 0;
  json::object redrive_vars_;  // the top level's variables when it closed unsuccessfully
  // What a redrive keeps: for each Map or Parallel state (at any depth) in
  // progress when the execution closed unsuccessfully, the results of its
  // children that succeeded, by the state's place (PathOf) and child index.
  // kept_ gathers them as such states end (failed or aborted) and the close
  // makes them redrive_done_; a redrive runs only the other children again.
  // All of it follows from the events: replay rebuilds it.
  using ChildResults = std::map<int64_t, json::value>;
  std::map<std::string, ChildResults> kept_, redrive_done_;
  const std::string& input_text() const { return input_text_; }

 private:
  // Run loop (interpreter.cc).
  void Run();
  Frame& NewFrame(int parent, int block, json::value input);
  void Emit(Frame* f, std::string type, json::object details, int64_t prev = -1);
  // The same with the details already as JSON text (DetailsText): the hot
  // events skip building a json::object.
  void EmitText(Frame* f, std::string type, std::string details_json, int64_t prev = -1);
  // `output_quoted` is QuoteJson(ToJson(output)) (the StateExited output), or empty.
  void Transition(Frame& f, int next, json::value output, json::string output_quoted = {});
  // `output_text`, when not empty, is ToJson(output) (the root frame's
  // execution output, already serialised for StateExited).
  void FinishFrame(Frame& f, bool ok, json::value output, std::optional<std::string> error,
                   std::optional<std::string> cause, std::string output_text = {});
  // A state failed: Retry, then Catch, else the frame fails. `error` is
  // absent for a Fail state without Error.
  void FailState(Frame& f, std::optional<std::string> error, std::optional<std::string> cause);
  void FailStateRuntime(Frame& f, const Error& e);
  // A JSONPath catcher's output (ResultPath) and variables; false when they
  // failed (the frame has failed then).
  bool CatchJsonPath(Frame& f, const State& s, const Catcher& c, json::value err_value,
                     json::value& output, json::object& assigned);
  void AbortFrame(Frame& f);
  void CloseExecution(ExecutionStatus status, Frame* root, json::value output,
                      std::optional<std::string> error, std::optional<std::string> cause,
                      std::string output_text = {});
  std::string NewTimer(Frame& f, int64_t fire_at, const std::string& state_name);
  double NextRandom();
  // Keeps what a redrive needs as the execution closes unsuccessfully.
  void NoteRedrivePoint();
  // Where a frame is: its block, state and child index and those of the
  // frames around it ("b0.s2.i0/b3.s0.i7/"), the same in a redrive.
  std::string PathOf(const Frame& f) const;
  // A Map or Parallel state of `f` ends unsuccessfully: keep its children
  // that succeeded (kept_).
  void KeepProgress(const Frame& f);
  // A failure at `f` was caught or is retried: what was kept below it is
  // not what a redrive would resume.
  void DropProgress(const Frame& f, std::map<std::string, ChildResults>& from);

  // States (interpreter_states.cc).
  void EnterState(Frame& f);
  void ExecuteAction(Frame& f);  // the retryable part of Task/Map/Parallel
  void RunPass(Frame& f, const State& s);
  void RunChoice(Frame& f, const State& s);
  void RunWait(Frame& f, const State& s);
  void RunSucceed(Frame& f, const State& s);
  void RunFail(Frame& f, const State& s);
  void RunTask(Frame& f, const State& s);
  void OnTaskResult(Frame& f, const Feedback& fb);
  void OnTimer(Frame& f);
  // Finishes a state with `result` (ResultSelector, ResultPath, OutputPath,
  // Assign, StateExited, transition). Returns false when it failed instead.
  bool CompleteState(Frame& f, const State& s, json::value result, bool apply_selector);
  bool Exit(Frame& f, const State& s, json::value output, const json::object* assigned, int next);
  // Whether FailState(f, error) would schedule a retry.
  bool RetryPending(const Frame& f, const State& s, std::string_view error) const;

  // JSONata states (interpreter_jsonata.cc): the same steps with
  // Arguments, Output and Assign in place of the JSONPath fields.
  class JsonataEnv;  // $now and $random: this step's time, the execution's random source
  struct TaskRequest {
    json::value input;
    int64_t timeout = 0, heartbeat = 0;
  };
  std::optional<TaskRequest> JsonPathTaskRequest(Frame& f, const State& s);
  std::optional<TaskRequest> JsonataTaskRequest(Frame& f, const State& s);
  void RunPassJsonata(Frame& f, const State& s);
  void RunChoiceJsonata(Frame& f, const State& s);
  void RunWaitJsonata(Frame& f, const State& s);
  void RunFailJsonata(Frame& f, const State& s);
  void RunMapJsonata(Frame& f, const State& s);
  // A Parallel state's branch input (Arguments, else its input); nullopt
  // when the state failed.
  std::optional<json::value> JsonataParallelInput(Frame& f, const State& s);
  std::optional<json::value> JsonPathParallelInput(Frame& f, const State& s);
  // Output and Assign (the state's, and those of the matched choice `rule`)
  // from `result` (null: none), then StateExited and the transition.
  bool CompleteJsonata(Frame& f, const State& s, json::value* result, const JsonataOutput* rule,
                       int next);
  // A JSONata catcher's output and variables; false when an evaluation
  // failed (the frame has failed then).
  bool CatchJsonata(Frame& f, const State& s, const Catcher& c, const json::value& error_output,
                    json::value& output, json::object& assigned);
  // Evaluates `t`; on failure fails the state (FailQuery) and gives nullopt.
  std::optional<json::value> EvalOrFail(Frame& f, const State& s, const JsonataTemplate& t,
                                        const StatesScope& scope,
                                        std::string_view state_failed_event = {},
                                        bool catchable = true);
  // A States.QueryEvaluationError: the EvaluationFailed event (then
  // `state_failed_event`, e.g. MapStateFailed, when given), and the state
  // fails with it (caught or retried like any error when `catchable`).
  void FailQuery(Frame& f, const State& s, const std::string& message, const std::string& location,
                 std::string_view state_failed_event = {}, bool catchable = true);

  // Map and Parallel (interpreter_map.cc).
  void RunMap(Frame& f, const State& s);
  // The fan-out of a Map whose item inputs are known: the Map Run of a
  // Distributed Map, then the iterations.
  void StartIterations(Frame& f, const State& s, json::array inputs);
  void RunParallel(Frame& f, const State& s);
  // Resets the fan of `f` and makes it wait for its children.
  void StartFanOut(Frame& f);
  void StartChildren(Frame& f, const State& s);
  void ChildFinished(Frame& parent, Frame& child, bool ok, json::value output,
                     std::optional<std::string> error, std::optional<std::string> cause);
  // A child (frame or child execution) of `parent` finished; `child_last`
  // is its last event in this history.
  void ChildDone(Frame& parent, int64_t index, int64_t child_last, bool ok, json::value output,
                 std::optional<std::string> error, std::optional<std::string> cause);
  // A Distributed Map whose iterations are child executions.
  bool ChildIterations(const State& s) const { return s.distributed && ctx_.child_iterations; }
  void StartIteration(Frame& f, const State& s, int64_t index, json::value input);
  void OnIterationResult(Frame& f, const Feedback& fb);
  // Stops the outstanding child executions of `f`'s Map Run.
  void CancelIterations(const Frame& f);
  // Tells the host the Map Run of `f` as it stands (kMapRunChanged).
  void NoteMapRun(const Frame& f, std::string_view status);
  // MapStateAborted, and for a Map Run its end (MapRunAborted first).
  void AbortMap(Frame& f);

  // Expression scopes.
  json::value Context(const Frame& f, const State& s, const json::value* map_item = nullptr,
                      int64_t map_index = 0) const;
  const json::value& ExecutionInput() const;  // $$.Execution.Input
  std::vector<int> ChildrenOf(int frame_id) const;
  const State& CurrentState(const Frame& f) const { return m_->block(f.block).states[f.state]; }

  std::map<int, Frame> frames_;
  int next_frame_id_ = 0;
  std::deque<int> ready_;
  std::map<std::string, int> tasks_;                       // task id -> frame
  std::map<std::string, std::pair<int64_t, int>> timers_;  // timer id -> (fire at, frame)
  std::string input_text_;                                 // the execution input
  mutable std::optional<json::value> input_;               // parsed input_text_, when needed
  uint64_t rng_ = 0;
  int64_t id_seq_ = 0;  // timer ids and Distributed Map task ids
  int64_t now_ = 0;
  StepResult* out_ = nullptr;
  // The previousEventId of the StateEntered event last emitted: AWS's
  // EvaluationFailed points there when an evaluation fails before the state
  // did anything. Not saved: such a failure happens in the step that entered
  // the state (every state but Wait emits an event or ends in that step, and
  // a Wait's EvaluationFailed follows its StateEntered).
  int64_t entered_prev_ = 0;
};

// A state's raw input, moved out of the frame when nothing reads it again
// (no Retry or Catch).
json::value TakeInput(Frame& f, const State& s);

// A value as AWS prints it in runtime errors: strings bare, the rest as JSON.
std::string Printable(const json::value& v);
// An integral JSON number (5, or 5.0 as JSONata and some clients write it).
std::optional<int64_t> WholeNumber(const json::value& v);

// FNV-1a: a hash that is the same in every build and process (std::hash is
// not), for what replay must reproduce.
inline uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<id>,
// region and account taken from the state machine's ARN.
std::string MapRunArn(std::string_view state_machine_arn, std::string_view label,
                      std::string_view id);
// A UUID-shaped id made from `seed`: the same seed, the same id (replay).
std::string StableUuid(std::string_view seed);

// Builds the variable chain of a frame (innermost first) for EvalScope.
// Built once per state step: a chain of up to kInline scopes (nesting
// depth) needs no heap allocation.
class ScopeChain {
 public:
  ScopeChain(const std::map<int, Frame>& frames, const Frame& f);
  ScopeChain(const ScopeChain&) = delete;  // the links point into this object
  ScopeChain& operator=(const ScopeChain&) = delete;
  const Variables* innermost() const { return size_ == 0 ? nullptr : data_; }

 private:
  static constexpr size_t kInline = 8;
  Variables inline_[kInline];
  std::vector<Variables> heap_;  // deeper chains
  Variables* data_ = inline_;
  size_t size_ = 0;
};

}  // namespace weft::asl
