// src/engine/machine_run.h: a Step Functions execution inside the engine
// (internal to engine/).
//
// The asl interpreter is the decider: the engine feeds it what happened (a
// worker took or finished a task, a timer fired, a call answered) and gets
// back history events and commands. A command's step goes through the same
// pipeline as an SWF step: the new events and the execution's row are
// written as one batch, and only once that is durable are its effects
// carried out (activity tasks offered to matching, timers armed, outgoing
// calls made, waiters told the execution closed).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "asl/asl.h"
#include "engine/engine.h"
#include "matching/matching.h"
#include "store/store.h"

namespace weft::engine {

struct Shard;

// Stored event numbers of Step Functions history events: 101 + the index in
// this list. DO NOT CHANGE OR REORDER: append only.
inline constexpr int kFirstMachineEventType = 101;
std::optional<uint16_t> MachineEventTypeNumber(std::string_view type);
std::optional<std::string_view> MachineEventTypeName(uint16_t number);
// The stored form: {"previousEventId": N, "details": {...}} (details absent
// when the type has none).
store::EventRecord MachineEventRecord(const asl::HistoryEvent& e);
Result<asl::HistoryEvent> MachineEventFromRecord(const store::EventRecord& r);

// How long after an execution closed its name may start another: the
// closed one is then deleted as the new one is created.
inline constexpr Millis kNameReuseAfter = 90LL * 24 * 3600 * 1000;

// One Task state's call in flight.
struct MachineTask {
  asl::Command command;  // the kScheduleTask: resource, input, timeouts, token
  MachineTaskKind kind = MachineTaskKind::kActivity;
  bool callback = false;           // .waitForTaskToken: done by SendTask*, not the call
  int64_t scheduled_event_id = 0;  // 0: a Distributed Map iteration's task (no event)
  Millis scheduled_time = 0;
  bool started = false;   // an activity worker took it
  std::string child_arn;  // a nested execution it started (.sync): stopped with the task
  Millis last_heartbeat = 0;
};

// An asl timer, or a task's timeout or heartbeat timeout.
struct MachineTimer {
  enum class Kind : uint8_t { kTimer, kTaskTimeout, kTaskHeartbeat };
  Kind kind = Kind::kTimer;
  std::string execution_arn;
  std::string id;  // the asl timer id or task id
  Millis due = 0;
};

// What DescribeExecution shows of a run: its state as of its last durable
// step (memory may be a step ahead while that step is being written).
struct MachineView {
  std::string status = "RUNNING";
  Millis stop_time = 0;
  std::optional<std::string> output, error, cause;
  int64_t redrive_count = 0;
  Millis redrive_time = 0;
};

// Effects of a durable machine step.
struct MachineEffects {
  std::string execution_arn;
  std::vector<std::pair<matching::TaskListKey, matching::Task>> add_tasks;
  std::vector<std::pair<matching::TaskListKey, int64_t>> remove_tasks;
  std::vector<MachineTimer> timers;
  std::vector<std::string> disarm;         // task and timer ids no longer timed
  std::vector<std::string> calls;          // task ids whose outgoing call to make now
  std::vector<std::string> stop_children;  // nested executions whose task was abandoned
  bool closed = false;
  std::optional<MachineView> view;  // published once the step is durable
};

struct MachineRun {
  MachineStart start;  // definition cleared once compiled
  asl::StateMachinePtr machine;
  std::optional<asl::Execution> interpreter;
  Millis start_time = 0;
  Millis stop_time = 0;                      // 0 while running
  Millis redrive_time = 0;                   // the last RedriveExecution; 0 if never
  int64_t submitted_event_id = 0;            // the last event handed to the store
  std::map<std::string, MachineTask> tasks;  // by task id ("task-12")
  std::unordered_map<std::string, std::string> task_by_token;  // task token -> task id
  std::map<std::string, Millis> timers;    // the interpreter's timers: id -> due
  std::set<std::string> timed_out_tokens;  // answered TaskTimedOut afterwards
  std::optional<MachineView> view;         // none until the first step is durable
  // Told once the execution has closed and its close is durable.
  std::vector<std::function<void()>> on_close;
  // Its Map Runs in progress: ARN -> start time (their rows are rewritten
  // whole as they change).
  std::map<std::string, Millis> map_run_starts;
  Millis row_written = 0;  // when its row was last handed to the store
  // A heartbeat changed it since: pinned in the cache until written.
  bool unwritten_heartbeat = false;

  bool open() const {
    return interpreter && interpreter->status() == asl::ExecutionStatus::kRunning;
  }
};

// The run as of its last durable step (run.view).
MachineExecution DescribeRun(const MachineRun& run);
// The run's view as it is in memory now.
MachineView ViewOf(const MachineRun& run);

// A stored run rebuilt by replaying its history, with that history.
struct LoadedRun {
  std::unique_ptr<MachineRun> run;
  std::vector<asl::HistoryEvent> history;
};

// One command's change to one machine execution: the interpreter writes its
// events and commands into result(); Absorb() turns the commands into task
// bookkeeping and effects; TakeBatch() the store batch.
class MachineStep {
 public:
  MachineStep(Shard& shard, MachineRun& run, Millis now) : shard_(shard), run_(run), now_(now) {
    effects_.execution_arn = run.start.execution_arn;
  }
  asl::StepResult* result() { return &result_; }
  Millis now() const { return now_; }
  MachineRun& run() { return run_; }
  // Call after each interpreter call.
  void Absorb();
  // The task is over: forget it, stop its timers, withdraw it from matching
  // if no worker took it. `abandoned`: cancelled rather than answered (a
  // nested execution it waits for is stopped too).
  void EndTask(const std::string& id, bool abandoned = false);
  MachineEffects& effects() { return effects_; }
  MachineEffects TakeEffects() { return std::move(effects_); }
  store::WriteBatch TakeBatch();

 private:
  void ScheduleTask(asl::Command c);
  store::ExecutionWrite MapRunWrite(const asl::MapRunInfo& info);

  Shard& shard_;
  MachineRun& run_;
  Millis now_;
  asl::StepResult result_;
  std::vector<asl::HistoryEvent> events_;
  std::vector<asl::MapRunInfo> map_runs_;  // Map Run rows to write
  MachineEffects effects_;
};

store::ExecutionRecord MachineRecordOf(const MachineRun& run, int shard);
// The snapshot its row holds (machine_snapshot.cc), as JSON text, and back:
// RestoreMachineSnapshot fills a run whose start and machine are set; an
// error when the snapshot is not one this weft reads (then replay).
std::string MachineSnapshotOf(const MachineRun& run);
Status RestoreMachineSnapshot(MachineRun& run, const json::object& snapshot,
                              asl::ExecutionContext context);
// A machine timer's durable row (timer_rows.cc), and back.
store::TimerRecord MachineTimerRowOf(const MachineTimer& timer, int shard);
std::optional<MachineTimer> MachineTimerOf(const store::TimerRecord& row);
// Re-creates the tasks and timers of a replayed run from the interpreter's
// outstanding commands; `history` tells which activities a worker took.
void RestorePendingWork(MachineRun& run, const std::vector<asl::HistoryEvent>& history,
                        std::vector<asl::Command> pending);
// The effects that re-create a recovered run's tasks and timers.
MachineEffects MachineEffectsOfRun(const MachineRun& run);
// Whether start-up must read the run (store::ExecutionRecord::has_work):
// it has calls to make again (HTTP, Lambda, nested executions, Map Run
// iterations).
bool MachineHasCalls(const MachineRun& run);
// "task-12" -> 12; "task-d3" (a Distributed Map iteration's task) -> -3.
int64_t TaskNumber(std::string_view task_id);
std::string TaskIdOf(int64_t number);
matching::TaskListKey ActivityTaskList(const std::string& activity_arn);

// The child execution of a Map Run's item, named the same every time (so
// that starting it again after a restart finds it): state machine ARN
// "<machine>/<label>", a UUID-shaped name, and the execution ARN.
struct MapRunChild {
  std::string state_machine_arn, name, execution_arn;
};
MapRunChild MapRunChildOf(std::string_view map_run_arn, int64_t item_index);
// How a closed child execution of a Map Run reports back to its parent.
asl::Feedback IterationOutcome(const MachineExecution& child, std::string task_id);

}  // namespace weft::engine
