// src/engine/engine.h: the engine module's public header.
//
// The engine owns executions. An execution is event-sourced: its history is
// the truth and its MutableState is derived from it. The engine decides what
// each command appends (validating decisions, resolving defaults, writing the
// documented *Failed events), commits the new events durably (one batch per
// command, group-committed by store::Committer), and only then answers, hands
// out tasks (matching) and arms timeouts.
//
// Concurrency: executions are hashed to shards by (domain, workflowId); all
// work on a shard's executions runs on that shard's strand, so an execution's
// state needs no lock and its commands apply in order. Every public method
// may be called from any thread, from a coroutine on the io_context.
//
// After a crash, Recover() replays every open execution's stored history and
// rebuilds the task lists and the timers from it: nothing answered is lost.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "asl/asl.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/json.h"
#include "common/service.h"
#include "engine/history_event.h"
#include "engine/registry.h"
#include "matching/matching.h"
#include "outbound/outbound.h"
#include "store/store.h"

namespace weft::engine {

namespace net = boost::asio;

struct MachineStart;
// What a state machine, version or alias ARN starts: MachineStart with the
// target's fields filled (state machine, version, alias, revision,
// definition, role, express); the caller fills the execution's. Given by the
// Step Functions front door, which owns the registry entries of state
// machines (nested executions resolve through it).
using MachineResolver = std::function<Result<MachineStart>(std::string_view arn)>;

struct EngineOptions {
  // The number of shards of a new store. It is stored in the store when it
  // is created and the stored number is used from then on (executions and
  // their timer rows are placed by it); Recover() applies it.
  int shards = 2;
  // How many executions of each kind (SWF, Step Functions) memory holds,
  // over all shards: the others are in the store and loaded (from their
  // row's snapshot) when a command needs them. About 3 KB each for a
  // typical waiting workflow (its state and its short history), 1 to 2 KB
  // for a waiting Step Functions execution.
  int64_t cache_size = 20'000;
  // Activity heartbeats write no event. The last one is written to the
  // execution's row when the previous write is this old, so a crash loses
  // at most this much of a heartbeat's progress (the timeout may then come
  // this much early); until written, the execution stays in memory.
  std::chrono::milliseconds heartbeat_flush{5'000};
  // Start-up reads the open executions this many rows at a time, so that
  // memory holds one page of rows (with their snapshots), not all of them.
  int64_t recovery_page = 10'000;
  // Tasks waiting for a worker are rows of the store; memory holds the
  // first this many of each task list and reads more as they are taken.
  size_t tasks_in_memory = 1000;
  // How long a PollFor*Task waits for a task before answering empty. SWF
  // holds polls for 60 s; clients time out at 60-70 s.
  std::chrono::milliseconds poll_timeout{60'000};
  // Connections and Lambda functions Task states may call (weft server --config).
  outbound::OutboundConfig outbound;
  // Extra CA certificates (PEM) trusted by HTTP tasks besides the system's (tests).
  std::string extra_ca_pem;
  // An SWF run whose history reaches this many events is terminated
  // (WorkflowExecutionTerminated, cause EVENT_LIMIT_EXCEEDED), as SWF does
  // at 25,000.
  int64_t max_history_events = 25'000;
};

// Registry kinds.
inline constexpr std::string_view kDomainKind = "domain";
inline constexpr std::string_view kWorkflowTypeKind = "workflow_type";
inline constexpr std::string_view kActivityTypeKind = "activity_type";
// Step Functions kinds (their data: sfn/ops/ops.h). The engine reads
// revisions to run executions and activities to serve their tasks.
inline constexpr std::string_view kStateMachineKind = "state_machine";
inline constexpr std::string_view kStateMachineRevisionKind = "state_machine_revision";
inline constexpr std::string_view kStateMachineVersionKind = "state_machine_version";
inline constexpr std::string_view kStateMachineAliasKind = "state_machine_alias";
inline constexpr std::string_view kActivityKind = "activity";

struct WorkflowType {
  std::string name, version;
};

// ---- SWF decisions (RespondDecisionTaskCompleted), parsed and checked by
// the SWF front door: required members present, identifiers non-empty, a
// closing decision last. Durations are the model's strings of seconds.
namespace decision {
using Text = std::optional<std::string>;
struct ScheduleActivityTask {
  WorkflowType activity_type;  // {name, version} of an activity type
  std::string activity_id;
  Text control, input, schedule_to_close_timeout, task_list, task_priority,
      schedule_to_start_timeout, start_to_close_timeout, heartbeat_timeout;
};
struct RequestCancelActivityTask {
  std::string activity_id;
};
struct CompleteWorkflowExecution {
  Text result;
};
struct FailWorkflowExecution {
  Text reason, details;
};
struct CancelWorkflowExecution {
  Text details;
};
// The settings of a run a decision starts (a continuation, a child); absent
// ones come from the workflow type's defaults.
struct RunSettings {
  Text input;
  Text execution_start_to_close_timeout;
  Text task_list;
  Text task_priority;
  Text task_start_to_close_timeout;
  Text child_policy;
  std::vector<std::string> tag_list;
  Text lambda_role;
};
struct ContinueAsNewWorkflowExecution {
  RunSettings settings;
  Text workflow_type_version;  // absent: the current run's version
};
struct RecordMarker {
  std::string marker_name;
  Text details;
};
struct StartTimer {
  std::string timer_id;
  std::string start_to_fire_timeout;
  Text control;
};
struct CancelTimer {
  std::string timer_id;
};
struct SignalExternalWorkflowExecution {
  std::string workflow_id, signal_name;
  Text run_id, input, control;
};
struct RequestCancelExternalWorkflowExecution {
  std::string workflow_id;
  Text run_id, control;
};
struct StartChildWorkflowExecution {
  WorkflowType workflow_type;
  std::string workflow_id;
  Text control;
  RunSettings settings;
};
struct ScheduleLambdaFunction {
  std::string id, name;
  Text control, input, start_to_close_timeout;
};
}  // namespace decision

using Decision =
    std::variant<decision::ScheduleActivityTask, decision::RequestCancelActivityTask,
                 decision::CompleteWorkflowExecution, decision::FailWorkflowExecution,
                 decision::CancelWorkflowExecution, decision::ContinueAsNewWorkflowExecution,
                 decision::RecordMarker, decision::StartTimer, decision::CancelTimer,
                 decision::SignalExternalWorkflowExecution,
                 decision::RequestCancelExternalWorkflowExecution,
                 decision::StartChildWorkflowExecution, decision::ScheduleLambdaFunction>;

// StartWorkflowExecution, shapes checked by the caller; defaults not resolved.
struct StartRequest {
  std::string domain;
  std::string workflow_id;
  WorkflowType type;
  std::optional<std::string> task_list;
  std::optional<std::string> task_priority;
  std::optional<std::string> input;
  std::optional<std::string> execution_start_to_close_timeout;
  std::optional<std::string> task_start_to_close_timeout;
  std::optional<std::string> child_policy;
  std::optional<std::string> lambda_role;
  std::vector<std::string> tags;
};

// Names an execution; an empty run_id means the open run of the workflowId.
struct ExecutionRef {
  std::string domain;
  std::string workflow_id;
  std::string run_id;
};

struct DecisionTask {
  std::string task_token;
  int64_t started_event_id = 0;
  int64_t previous_started_event_id = 0;
  std::string workflow_id, run_id;
  WorkflowType type;
  std::vector<HistoryEvent> events;  // the history up to and including DecisionTaskStarted
};

// ---- Step Functions executions ("machine executions"): decided by the asl
// interpreter inside the engine, stored like SWF runs (ExecutionRecord with
// domain kMachineDomain, run_id and workflow_id the execution ARN, type_name
// the state machine ARN, type_version the version ARN; events numbered from
// kFirstMachineEventType). Express executions are not stored.

// No SWF domain contains ':', so no SWF run is ever in this domain.
inline constexpr std::string_view kMachineDomain = "aws:states";

struct MachineStart {
  std::string execution_arn;
  std::string name;
  std::string state_machine_arn;  // unqualified
  std::string state_machine_name;
  std::string version_arn;  // "" unless started by a version or through an alias
  std::string alias_arn;    // "" unless started through an alias
  std::string revision_id;  // names the definition (kStateMachineRevisionKind)
  std::string definition;   // that revision's text; compiled once per revision
  std::string role_arn;
  bool express = false;
  std::string input = "{}";  // JSON text, checked by the caller
  // A nested execution (states:startExecution): the parent's ARN, which
  // its context and DescribeExecution show.
  std::string parent_execution_arn;
  // A Distributed Map iteration's child execution: its Map Run, and the
  // ItemProcessor it runs (asl::ExecutionContext::root_block) of the
  // definition of `definition_arn` (the parent's state machine; then
  // state_machine_arn is "<that ARN>/<label>", as AWS names it).
  std::string map_run_arn;
  int root_block = 0;
  std::string definition_arn;
};

// Map Runs: one store row each (domain kMapRunDomain, run_id the Map Run
// ARN, workflow_id the parent execution's ARN, type_name its state
// machine), written in the parent's steps; its child executions carry the
// tag MapRunTag(arn).
inline constexpr std::string_view kMapRunDomain = "aws:states:mapRun";
inline std::string MapRunTag(std::string_view map_run_arn) {
  return "mapRun=" + std::string(map_run_arn);
}

// Items, or child executions, by status.
struct MapRunCounts {
  int64_t pending = 0, running = 0, succeeded = 0, failed = 0, timed_out = 0, aborted = 0,
          total = 0;
};

// DescribeMapRun's facts.
struct MapRunDescription {
  std::string map_run_arn, execution_arn, state_machine_arn;
  std::string status;  // RUNNING, SUCCEEDED, FAILED, ABORTED
  Millis start_time = 0, stop_time = 0;
  int64_t max_concurrency = 0, tolerated_count = 0;
  double tolerated_percentage = 0;
  MapRunCounts items;  // one item per child execution (no ItemBatcher)
};

// What a Task state's resource asks the engine to do: the one list of what
// weft can run (the front door refuses the rest at create).
enum class MachineTaskKind {
  kActivity,        // arn:aws:states:REGION:ACCOUNT:activity:NAME: workers take it
  kHttp,            // arn:aws:states:::http:invoke[.waitForTaskToken]
  kLambda,          // a Lambda function (an ARN, or lambda:invoke[.waitForTaskToken]):
                    // only when the operator mapped it to an HTTP endpoint
  kStartExecution,  // arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]
  kUnsupported,     // anything else; a stored definition may still name one
  kMapIteration,    // not a resource: a Distributed Map iteration's child execution
};
MachineTaskKind ClassifyMachineResource(std::string_view resource);

struct MachineStarted {
  std::string execution_arn;
  Millis start_time = 0;
};

// DescribeExecution's facts.
struct MachineExecution {
  std::string execution_arn, name, state_machine_arn, version_arn, alias_arn, revision_id;
  std::string status;  // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
  bool express = false;
  Millis start_time = 0, stop_time = 0;  // stop_time 0 while running
  std::string input;
  std::optional<std::string> output, error, cause;
  std::string parent_execution_arn;
  std::string map_run_arn;     // a Distributed Map iteration's child execution
  std::string definition_arn;  // then: the state machine whose definition it runs
  int64_t redrive_count = 0;
  Millis redrive_time = 0;
};

struct MachineHistoryPage {
  std::vector<asl::HistoryEvent> events;  // in the order asked for
  int64_t total = 0;                      // events in the whole history
};

struct MachineActivityTask {
  std::string task_token;
  std::string input;  // JSON text
};

struct ActivityTask {
  std::string task_token;
  std::string activity_id;
  int64_t started_event_id = 0;
  std::string workflow_id, run_id;
  json::object activity_type;
  std::optional<std::string> input;
};

class Engine {
 public:
  Engine(net::io_context& io, store::Store& store, const Clock& clock, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads the registry and every open execution, and re-creates their tasks
  // and timers. Call once, before serving.
  Status Recover();
  // Ends waiting polls (empty answers) and stops accepting new ones.
  void Shutdown();
  // Deletes the closed executions whose retention is over (retention.cc):
  // an SWF domain's workflowExecutionRetentionPeriodInDays (0 or NONE: at
  // once), 90 days for Step Functions executions and Map Runs. Returns how
  // many; a sweep deletes at most a few thousand per domain.
  net::awaitable<Result<int64_t>> PurgeClosedExecutions();
  // Runs PurgeClosedExecutions every `interval` until Shutdown.
  void StartRetentionSweeps(std::chrono::milliseconds interval);

  Registry& registry();
  const Clock& clock() const;

  // The domain an SWF task token was issued in (for the front door's
  // permission check, which runs before the operation); kInvalidToken for a
  // token this store's engine did not make.
  Result<std::string> TaskTokenDomain(std::string_view task_token) const;

  net::awaitable<Result<std::string>> StartWorkflowExecution(StartRequest request);
  net::awaitable<Status> SignalWorkflowExecution(ExecutionRef ref, std::string signal_name,
                                                 std::optional<std::string> input);
  net::awaitable<Status> RequestCancelWorkflowExecution(ExecutionRef ref);
  net::awaitable<Status> TerminateWorkflowExecution(ExecutionRef ref,
                                                    std::optional<std::string> reason,
                                                    std::optional<std::string> details,
                                                    std::optional<std::string> child_policy);

  // nullopt: no task within the poll timeout (or the client went away).
  net::awaitable<Result<std::optional<DecisionTask>>> PollForDecisionTask(
      std::string domain, std::string task_list, std::string identity,
      std::shared_ptr<DisconnectSignal> disconnect);
  // `decisions` were checked by the front door; each becomes its event or
  // its documented *Failed event with its cause.
  // `task_list` (and `schedule_to_start`, seconds) move the execution's
  // next decision tasks to another task list.
  net::awaitable<Status> RespondDecisionTaskCompleted(std::string task_token,
                                                      std::vector<Decision> decisions,
                                                      std::optional<std::string> context,
                                                      std::optional<std::string> task_list,
                                                      std::optional<std::string> schedule_to_start);

  net::awaitable<Result<std::optional<ActivityTask>>> PollForActivityTask(
      std::string domain, std::string task_list, std::string identity,
      std::shared_ptr<DisconnectSignal> disconnect);
  enum class ActivityOutcome { kCompleted, kFailed, kCanceled };
  // kCompleted: a = result. kFailed: a = reason, b = details. kCanceled: b = details.
  net::awaitable<Status> RespondActivityTask(std::string task_token, ActivityOutcome outcome,
                                             std::optional<std::string> a,
                                             std::optional<std::string> b);
  // Returns cancelRequested.
  net::awaitable<Result<bool>> RecordActivityTaskHeartbeat(std::string task_token,
                                                           std::optional<std::string> details);

  // Tasks of a list waiting for a poller (CountPending*Tasks).
  net::awaitable<Result<int64_t>> CountPendingTasks(std::string domain, std::string task_list,
                                                    matching::TaskKind kind);

  // The whole history of a run (open or closed).
  net::awaitable<Result<std::vector<HistoryEvent>>> GetHistory(ExecutionRef ref);
  // One page of it, read from the store alone: up to `page_size` events
  // from `from_id` on (0: the first event; with `reverse`, from `from_id`
  // down, 0: the last event). next_id: where the next page starts (0: none).
  struct HistoryPage {
    std::vector<HistoryEvent> events;
    int64_t next_id = 0;
  };
  net::awaitable<Result<HistoryPage>> GetHistoryPage(ExecutionRef ref, int64_t from_id,
                                                     int64_t page_size, bool reverse);
  // DescribeWorkflowExecution's response.
  net::awaitable<Result<json::object>> DescribeWorkflowExecution(ExecutionRef ref);
  // The executionInfo shape for a stored execution record (visibility lists).
  static json::object ExecutionInfoJson(const store::ExecutionRecord& record,
                                        bool cancel_requested);

  // Visibility reads of the store, run on the engine's read pool so that
  // the threads serving requests never wait for the disk.
  net::awaitable<Result<store::ExecutionPage>> ListExecutions(store::ExecutionQuery query);
  net::awaitable<Result<int64_t>> CountExecutions(store::ExecutionQuery query);
  // A stored execution's row (open or closed), without its history.
  net::awaitable<Result<std::optional<store::ExecutionRecord>>> GetStoredExecution(
      std::string run_id);

  store::Store& store();

  // ---- Step Functions executions (machines.cc, machine_tasks.cc)

  // Starts an execution; with the name of a running one and the same input,
  // answers that one (AWS's idempotent start). kAlreadyExists otherwise for a
  // name already used; kValidation for a definition that does not compile.
  net::awaitable<Result<MachineStarted>> StartMachineExecution(MachineStart start);
  // StartSyncExecution (Express): runs the execution to its end, then answers.
  net::awaitable<Result<MachineExecution>> RunMachineExecution(MachineStart start);
  // StopExecution: aborts what is in flight; kUnknownResource for no such
  // execution. A closed execution is left as it is (its stop time answered).
  net::awaitable<Result<Millis>> StopMachineExecution(std::string execution_arn,
                                                      std::optional<std::string> error,
                                                      std::optional<std::string> cause);
  net::awaitable<Result<MachineExecution>> DescribeMachineExecution(std::string execution_arn);
  // RedriveExecution: kConflict when it cannot be redriven (running,
  // succeeded, closed over 14 days ago); returns the redrive time.
  net::awaitable<Result<Millis>> RedriveMachineExecution(std::string execution_arn);
  // A page of the committed history of a Standard execution: `limit`
  // events (-1: all) from position `start` (0 = the first event, or with
  // `reverse` the last), read from the store page by page, not whole.
  net::awaitable<Result<MachineHistoryPage>> GetMachineHistory(std::string execution_arn,
                                                               int64_t start = 0,
                                                               int64_t limit = -1,
                                                               bool reverse = false);
  // GetActivityTask: nullopt when nothing came within the poll timeout.
  net::awaitable<Result<std::optional<MachineActivityTask>>> PollMachineActivity(
      std::string activity_arn, std::string worker_name,
      std::shared_ptr<DisconnectSignal> disconnect);
  // SendTaskSuccess/Failure/Heartbeat: kInvalidToken (not a token of this
  // store), kTaskTimedOut (the task timed out, or its execution closed),
  // kStaleTask (no such task any more).
  net::awaitable<Status> SendTaskSuccess(std::string task_token, std::string output);
  net::awaitable<Status> SendTaskFailure(std::string task_token, std::optional<std::string> error,
                                         std::optional<std::string> cause);
  net::awaitable<Status> SendTaskHeartbeat(std::string task_token);
  // DescribeMapRun: kUnknownResource for no such Map Run.
  net::awaitable<Result<MapRunDescription>> DescribeMapRun(std::string map_run_arn);
  // UpdateMapRun: the new settings take effect at once. kUnknownResource for
  // no such Map Run, kValidation for one that has ended.
  net::awaitable<Status> UpdateMapRun(std::string map_run_arn, asl::MapRunUpdate update);
  // Set once, before serving, by the Step Functions front door.
  void SetMachineResolver(MachineResolver resolver);

  struct Impl;  // engine_impl.h; public so that the engine's files can share it

 private:
  std::unique_ptr<Impl> impl_;
};

// The snapshots' check: replays the history of every stored run (SWF runs
// of every domain and Step Functions executions, open and closed) and
// compares the state it gives with the
// snapshot in the run's row. What differs, one line per run ("" when all
// agree; a run without a snapshot, as written before them, has nothing to
// check). Used by the tests after every engine test.
Result<std::string> VerifySnapshots(store::Store& store);

}  // namespace weft::engine
