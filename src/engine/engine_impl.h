// src/engine/engine_impl.h: the engine's insides, shared by its .cc files.
// Internal to engine/.
#pragma once

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/metrics.h"
#include "engine/armed_timer.h"
#include "engine/engine.h"
#include "engine/execution_cache.h"
#include "engine/machine_run.h"
#include "engine/mutable_state.h"
#include "engine/task_token.h"

namespace weft::engine {

// One open (or just closed) execution, owned by its shard.
struct Execution {
  Execution(std::string domain, std::string workflow_id, std::string run_id, WorkflowType t,
            std::vector<std::string> tag_list)
      : state(std::move(domain), std::move(workflow_id), std::move(run_id)),
        type(std::move(t)),
        tags(std::move(tag_list)) {}
  Execution(MutableState s, WorkflowType t, std::vector<std::string> tag_list)
      : state(std::move(s)), type(std::move(t)), tags(std::move(tag_list)) {}
  MutableState state;
  WorkflowType type;
  std::vector<std::string> tags;
  int64_t submitted_event_id = 0;  // the last event handed to the store
  Millis row_written = 0;          // when its row was last handed to the store
  // Its history, kept while it is short and the execution was created in
  // memory, so that a decision task does not read it back from the store;
  // `history_cached` false: read it from the store.
  std::vector<HistoryEvent> history;
  bool history_cached = false;
  // A heartbeat changed it since: pinned in the cache until written.
  bool unwritten_heartbeat = false;
};

enum class TimerKind : uint8_t {
  kExecutionStartToClose,
  kDecisionStartToClose,
  kDecisionScheduleToStart,
  kLambdaStartToClose,
  kActivityScheduleToStart,
  kActivityScheduleToClose,
  kActivityStartToClose,
  kActivityHeartbeat,
  kUserTimer,
};

struct TimerSpec {
  TimerKind kind;
  Millis due = 0;
  std::string domain, workflow_id, run_id;
  int64_t event_id = 0;  // scheduled event (tasks) or TimerStarted event
  int64_t started_event_id = 0;
  std::string timer_id;
};

// A signal or cancel request to carry to another execution once the event
// that initiated it is durable (external.cc).
struct Outgoing {
  std::string domain, workflow_id, run_id;  // the initiator
  ExternalRequest request;
};

// Child workflows (children.cc): a child to start for its parent; a
// child's close to tell its parent; a child policy to apply to a child.
struct ChildStart {
  std::string domain, parent_workflow_id, parent_run_id;
  ChildInfo child;
};
struct ParentNotice {
  std::string domain;
  ParentInfo parent;
  std::string child_workflow_id, child_run_id;
  json::object workflow_type;
  EventType close = EventType::kWorkflowExecutionCompleted;
  json::object close_attributes;
};
struct ChildPolicyAction {
  std::string domain, workflow_id, run_id;
  std::string policy;  // TERMINATE or REQUEST_CANCEL
};
// A child whose parent may have closed without applying its child policy to
// it (the child started after the parent closed, or a crash came between
// the parent's close and the policy).
struct ParentCheck {
  std::string domain;
  ParentInfo parent;
  std::string child_workflow_id, child_run_id;
};

// Whether a run closed by `close` applies its child policy to its children:
// on termination, timeout and continue-as-new, not on its own decisions.
bool AppliesChildPolicy(EventType close);

// What to do once a step is durable: offer tasks, withdraw tasks, arm timers,
// carry signals and cancel requests to other executions, start children,
// tell a parent its child closed.
struct Effects {
  std::vector<std::pair<matching::TaskListKey, matching::Task>> add_tasks;
  std::vector<std::pair<matching::TaskListKey, int64_t>> remove_tasks;  // scheduled ids
  std::vector<TimerSpec> timers;
  std::vector<int64_t> disarm;  // keys of Shard::armed[run_id] no longer needed
  std::vector<Outgoing> outgoing;
  std::vector<ChildStart> start_children;
  std::vector<ParentNotice> notify_parents;
  std::vector<ChildPolicyAction> child_policies;
  std::vector<ChildStart> watch_children;   // recovery: did a started child close unseen?
  std::vector<ParentCheck> parent_checks;   // recovery: is a policy owed to this child?
  std::vector<int64_t> lambda_calls;        // scheduled event ids of Lambda functions to call
  std::string domain, workflow_id, run_id;  // the execution
  bool closed = false;
};

struct Shard {
  Shard(net::io_context& io, int i, size_t cache_size)
      : index(i),
        strand(net::make_strand(io)),
        runs(cache_size, [this](Execution& dropped) { Evicted(dropped); }),
        machines(cache_size, [](MachineRun&) { CountEviction(); }) {}
  // An execution left memory: its workflowId's open run is found in the store.
  void Forget(const Execution& ex);
  // The same for an execution the cache dropped to make room (counted).
  void Evicted(const Execution& ex);
  static void CountEviction();
  int index;
  net::strand<net::io_context::executor_type> strand;
  ExecutionCache<Execution> runs;                          // by runId
  std::unordered_map<std::string, std::string> open_runs;  // WorkflowKey() -> runId, of `runs`
  // Workflows whose start's write is pending, by WorkflowKey(): the new run
  // is in neither `runs` nor `open_runs` until the write is durable, since
  // it fails when the store has an open run of that workflowId that memory
  // does not (a start of the same workflowId meanwhile is refused here).
  std::unordered_set<std::string> starting_runs;
  // Armed timeouts and timers of SWF runs (in the cache or not), by runId,
  // then by the event that started what they time (0: the execution
  // itself), so that they are released as soon as what they time is over.
  TimersByRun<int64_t> armed;
  // Durable timers (timer_rows.cc): fired rows not yet deleted.
  std::vector<store::TimerRecord> fired_timers;
  // The fired rows, handed to a batch that deletes them.
  std::vector<store::TimerRecord> TakeFiredTimers() { return std::exchange(fired_timers, {}); }
  // Step Functions executions in memory, by execution ARN: a cache of the
  // open ones in the store (Express ones, never stored, are pinned until
  // they close), and their armed timers (kept whether or not the run is).
  ExecutionCache<MachineRun> machines;
  TimersByRun<std::string> machine_armed;
  // Executions whose first write is pending, by ARN: not in `machines` yet
  // (a start of the same name finds them here).
  std::unordered_map<std::string, const MachineRun*> starting;
};

// Changes that write no event (heartbeats) reach the store with the next
// write of the execution's row, or on their own once the row is
// --heartbeat-flush old; until then the execution stays pinned in its
// cache. `Run` is Execution or MachineRun (row_written,
// unwritten_heartbeat).
template <class Run>
void NoteRowWritten(ExecutionCache<Run>& cache, const std::string& key, Run& run, Millis now) {
  run.row_written = now;
  if (run.unwritten_heartbeat) {
    run.unwritten_heartbeat = false;
    cache.Unpin(key);
  }
}
// True when such a change must be written now; else the execution is
// pinned until its next write.
template <class Run>
bool RowDueForWrite(ExecutionCache<Run>& cache, const std::string& key, Run& run, Millis now,
                    Millis flush) {
  if (now - run.row_written >= flush) return true;
  if (!run.unwritten_heartbeat) {
    run.unwritten_heartbeat = true;
    cache.Pin(key);
  }
  return false;
}

// Counts a cache miss that loaded an execution (weft_execution_cache_loads_total).
void CountCacheLoad();

inline std::string WorkflowKey(const std::string& domain, const std::string& workflow_id) {
  return domain + '\x1f' + workflow_id;
}

// How long a history the cache keeps in memory with its execution
// (Execution::history); longer ones are read from the store when needed.
inline constexpr size_t kCachedHistoryEvents = 128;

// One command's change to one execution: events are appended (and applied)
// one by one, then written as one batch.
class Step {
 public:
  Step(Shard& shard, Execution& execution, Millis now)
      : shard_(shard), execution_(execution), now_(now) {
    effects_.domain = execution.state.domain();
    effects_.workflow_id = execution.state.workflow_id();
    effects_.run_id = execution.state.run_id();
  }
  const HistoryEvent& Append(EventType type, json::object attributes);
  // Appends DecisionTaskScheduled if the decider has news and no task covers it.
  void ScheduleDecisionIfDue();
  MutableState& state() { return execution_.state; }
  Execution& execution() { return execution_; }
  Millis now() const { return now_; }
  Effects& effects() { return effects_; }
  bool empty() const { return new_events_.empty(); }
  store::WriteBatch TakeBatch();
  // ContinueAsNew: creates the new run of this workflowId (the same shard)
  // and its step, which is written in the same batch as this one.
  Step& StartContinuation(std::string run_id, WorkflowType type, std::vector<std::string> tags);
  Step* continuation() { return next_.get(); }

 private:
  void NoteEffects(const HistoryEvent& e);
  // A run closed: tell its parent (unless it continues as new), apply its
  // child policy to its open children (on termination, timeout or continue
  // as new).
  void NoteClose(const HistoryEvent& e);
  void WithdrawQueuedTasks();

  Shard& shard_;
  Execution& execution_;
  Millis now_;
  std::deque<HistoryEvent>
      new_events_;  // appended, not yet taken (a deque: Append's references stay valid)
  Effects effects_;
  std::unique_ptr<Step> next_;
};

// Loads a run's history from the store and applies it: the state it had
// when its last event was written.
Result<std::unique_ptr<Execution>> ReplayExecution(store::Store& store,
                                                   const store::ExecutionRecord& record);
// The same from the snapshot in its row (one row read, no history), or by
// replay when the row has none (written before snapshots) or one of an
// unknown version.
Result<std::unique_ptr<Execution>> LoadExecution(store::Store& store,
                                                 const store::ExecutionRecord& record);
// The last event of a stored run (a closed run's close event).
Result<HistoryEvent> LoadLastEvent(store::Store& store, const store::ExecutionRecord& record);
// Events `after_event_id` < id of a stored run, ascending, at most `limit`
// (-1: all).
Result<std::vector<HistoryEvent>> LoadHistory(store::Store& store, const std::string& run_id,
                                              int64_t after_event_id = 0, int64_t limit = -1);

// Effects that re-create the tasks and timers of a replayed execution.
Effects EffectsOfState(const Execution& execution);
// Whether a run has work that start-up must re-create from its state
// (store::ExecutionRecord::has_work): Lambda calls, children, a parent to
// check, signals and cancels to carry.
bool HasOutboundWork(const MutableState& state);

store::ExecutionRecord RecordOf(const Execution& execution, int shard);

// Durable timers (timer_rows.cc): how far ahead of the clock each shard
// arms the timers of its rows, and a timer's row.
inline constexpr Millis kTimerReadAhead = 60'000;
store::TimerRecord TimerRowOf(const TimerSpec& spec, int shard);
std::optional<TimerSpec> TimerSpecOf(const store::TimerRecord& row);

// What GET /metrics shows of executions (engine/metrics.cc), counted from
// the batches as they become durable: starts and closes by kind (swf, sfn)
// and status, Step Functions state transitions, and open executions.
// Express executions are not written, so not counted.
class ExecutionMetrics {
 public:
  ExecutionMetrics();
  // What a batch changes, taken before it is handed to the store ...
  struct Delta {
    int64_t started[2] = {0, 0};
    int64_t transitions = 0;
    std::vector<std::pair<int, std::string>> closed;  // kind, close status
  };
  static Delta Of(const store::WriteBatch& batch);
  // ... and counted once it is durable.
  void Count(const Delta& delta);
  // Open executions counted in the store after a start (which reads only
  // those with work outstanding).
  void AddOpen(bool machine, int64_t n) { open_[machine ? 1 : 0].fetch_add(n); }

 private:
  std::atomic<int64_t> open_[2] = {0, 0};
  std::vector<metrics::GaugeHandle> gauges_;
};

// What a start writes, once, for a store made before timers (of either
// kind of execution) and tasks were rows: the rows of its open runs; and
// the has_work flags it clears.
struct RecoveryBackfill {
  bool swf_timers = false, machine_timers = false, tasks = false;
  std::vector<store::TimerRecord> timer_rows;
  std::vector<store::TaskRecord> task_rows;
  // Rows read with has_work that have none (an older store's, all set).
  std::vector<std::string> no_work;
};

// Durable task queues (task_rows.cc): the name of a list's rows, and a
// task's row.
std::string TaskListName(const matching::TaskListKey& key);
store::TaskRecord TaskRowOf(const matching::TaskListKey& key, const matching::Task& task);

// Matching's TaskSource: the task rows of the store, read on the read pool.
class StoredTasks final : public matching::TaskSource {
 public:
  explicit StoredTasks(Engine::Impl& impl) : impl_(impl) {}
  net::awaitable<Result<std::vector<matching::Task>>> Read(matching::TaskListKey key,
                                                           std::optional<matching::Task> after,
                                                           int64_t limit) override;
  int64_t CountStored(matching::TaskKind kind) override;

 private:
  Engine::Impl& impl_;
};

struct Engine::Impl {
  Impl(net::io_context& io, store::Store& store, const Clock& clock, EngineOptions options);

  // Replaces the shards (before Recover() is done: nothing runs on them yet).
  void MakeShards(int count);
  Shard& ShardFor(const std::string& domain, const std::string& workflow_id);
  // Finds the execution a command names, in memory or else loaded from the
  // store into the shard's cache. UnknownResourceFault when there is no
  // such open run.
  Result<Execution*> FindOpen(Shard& shard, const ExecutionRef& ref);
  // The open run `run_id` of the shard: from the cache, else loaded from
  // the store into it. Null if there is no such open run.
  Result<Execution*> LoadRun(Shard& shard, const std::string& run_id);
  // The runId of the open run of a workflowId (loaded into the cache), if
  // there is one.
  Result<std::optional<std::string>> OpenRunOf(Shard& shard, const std::string& domain,
                                               const std::string& workflow_id);
  // The one durable write of every step of both kinds of execution: the
  // batch, group-committed. A failed write leaves memory ahead of the store:
  // the process stops (fail-stop) and recovery rebuilds from what is durable.
  // Only a step that `creates` an execution may fail, with kConflict, when
  // the store already has it (nothing was written).
  net::awaitable<Status> WriteStep(store::WriteBatch batch, bool creates);
  // Writes the step, then carries out its effects. A failed write leaves
  // memory ahead of the store: the process stops (fail-stop) and recovery
  // rebuilds from what is durable. `creating`: the run a start creates (the
  // step's execution), put in the cache once its write is durable;
  // kAlreadyExists when the store has an open run of its workflowId
  // (nothing is written then).
  net::awaitable<Status> Commit(Shard& shard, Step& step,
                                std::unique_ptr<Execution> creating = nullptr);
  // Writes an execution's row (`record`, with its snapshot) without events:
  // a heartbeat. `Run` is Execution or MachineRun, `cache` the shard's cache
  // of them; pinned there while written.
  template <class Run>
  net::awaitable<Status> WriteRowOnly(ExecutionCache<Run>& cache, std::string key, Run& run,
                                      store::ExecutionRecord record, int shard) {
    NoteRowWritten(cache, key, run, clock.Now());
    store::WriteBatch batch;
    batch.shard = shard;
    store::ExecutionWrite w;
    w.execution = std::move(record);
    w.expected_last_event_id = run.submitted_event_id;
    batch.executions.push_back(std::move(w));
    cache.Pin(key);
    Status s = co_await WriteStep(std::move(batch), /*creates=*/false);
    cache.Unpin(key);
    co_return s;
  }
  void Apply(Shard& shard, Effects effects);
  // Arms a timer in memory (its row is durable, or it is due before the
  // shard's read level).
  void ArmTimer(Shard& shard, TimerSpec spec);
  // timer_rows.cc: arms, on their shards, the timers of the rows due
  // before now + kTimerReadAhead, of every shard in one read (the rows are
  // in due order, so that the rows a commit adds are near each other
  // whatever the number of shards); deletes the rows of fired timers;
  // reads periodically.
  void ReadTimers();
  // Whether a timer due at `due`, its row durable, is armed in memory now
  // by the one who wrote it: the reader has moved past it.
  bool ArmsNow(Millis due) const { return due < timer_arm_level.load(); }
  // Arms the timer of a row (either kind); an unreadable row is dropped.
  void ArmTimerRow(Shard& shard, const store::TimerRecord& row);
  // Writes one timer row (a heartbeat timeout moved on), with the deletes
  // of fired rows.
  net::awaitable<void> WriteTimerRow(Shard& shard, store::TimerRecord row);
  void NoteTimerFired(Shard& shard, const TimerSpec& spec);
  void FlushFiredTimers(Shard& shard);
  void StartTimerReaders();
  // Carries a signal or cancel request to its target, then records the
  // outcome on the initiator (external.cc).
  void SendExternal(Outgoing outgoing);
  // children.cc: starts a child and tells its parent; tells a parent its
  // child closed; applies a child policy; finds a child's missed close;
  // applies a closed parent's policy that a child missed.
  void StartChild(ChildStart start);
  void NotifyParent(ParentNotice notice);
  void ApplyChildPolicy(ChildPolicyAction action);
  void WatchChild(ChildStart child);
  void CheckParent(ParentCheck check);
  // lambda.cc: records LambdaFunctionStarted, calls the function's HTTP
  // endpoint, records its outcome.
  void InvokeLambdaFunction(Shard& shard, const std::string& domain, const std::string& workflow_id,
                            const std::string& run_id, int64_t scheduled_event_id);
  net::awaitable<void> FireTimer(Shard* shard, TimerSpec spec);
  // ---- machine executions (machines.cc, machine_tasks.cc)
  // The compiled definition of a revision (compiled once, then shared).
  Result<asl::StateMachinePtr> Compile(const std::string& state_machine_arn,
                                       const std::string& revision_id,
                                       const std::string& definition);
  asl::ExecutionContext ContextOf(const MachineStart& start, Millis start_time);
  // Writes the step (not for Express runs), then carries out its effects.
  // `creating`: the run of a start, put in the cache once its first write
  // is durable (kAlreadyExists when the store has an execution of that
  // name; nothing is written then).
  net::awaitable<Status> CommitMachine(Shard& shard, MachineStep& step,
                                       std::unique_ptr<MachineRun> creating = nullptr);
  void ApplyMachine(Shard& shard, MachineEffects effects);
  // Fires the timers due by now on every shard: a FakeClock moved.
  void FireDueTimers();
  void ArmMachineTimer(Shard& shard, MachineTimer timer);
  void NoteMachineTimerFired(Shard& shard, const MachineTimer& timer);
  net::awaitable<void> FireMachineTimer(Shard* shard, MachineTimer timer);
  // Makes the outgoing call of a task (HTTP, Lambda, nested execution); its
  // answer comes back to the execution as feedback.
  void StartCall(Shard& shard, MachineRun& run, const std::string& task_id);
  // Feeds the interpreter one result and commits what it did.
  net::awaitable<Status> Feed(Shard* shard, std::string execution_arn, asl::Feedback feedback);
  Status RecoverMachine(const store::ExecutionRecord& record, RecoveryBackfill& backfill);
  // A recovered run's tasks are rows (written now, for a store made before
  // they were): `tasks` is emptied.
  void BackfillTaskRows(RecoveryBackfill& backfill,
                        std::vector<std::pair<matching::TaskListKey, matching::Task>>& tasks);
  // The open run `arn` of the shard: from the cache, else loaded from the
  // store into it. Null if there is no such open run.
  Result<MachineRun*> FindMachine(Shard& shard, const std::string& arn);
  // Rebuilds a stored run from its snapshot, or by replaying its history
  // when the row has none it can read.
  Result<std::unique_ptr<MachineRun>> LoadMachine(const store::ExecutionRecord& record);
  // Rebuilds a stored run (open or closed) from its history.
  Result<LoadedRun> ReplayMachine(const store::ExecutionRecord& record);
  // Writes a machine run's row without events (a heartbeat).
  net::awaitable<Result<MachineStarted>> StartMachine(MachineStart start);
  // The same with the definition compiled (a Map Run's child execution runs
  // its parent's).
  net::awaitable<Result<MachineStarted>> StartCompiled(MachineStart start,
                                                       asl::StateMachinePtr machine);
  // What replay of `parent_arn` needs of its Map Runs' child executions, read
  // from the store; fills `open_map_runs` (ARN -> start) with its Map Runs
  // in progress.
  asl::IterationLookup StoredIterations(const std::string& parent_arn,
                                        std::map<std::string, Millis>& open_map_runs);
  net::awaitable<Result<Millis>> StopMachine(std::string execution_arn,
                                             std::optional<std::string> error,
                                             std::optional<std::string> cause);
  // Stops a nested execution whose parent no longer waits for it.
  void StopChild(const std::string& execution_arn);
  net::awaitable<Result<MachineExecution>> DescribeMachine(std::string execution_arn);
  // Calls `watch` with the execution's description once it has closed (at
  // once if it has); nothing if there is no such execution.
  net::awaitable<void> WatchMachine(std::string execution_arn,
                                    std::function<void(MachineExecution)> watch);

  // A step's tasks to offer become rows of its batch (numbered in
  // scheduling order and marked stored); the ones it withdraws or starts
  // are deleted with it.
  void WriteTaskRows(store::WriteBatch& batch, const std::string& run_id,
                     std::vector<std::pair<matching::TaskListKey, matching::Task>>& add,
                     const std::vector<std::pair<matching::TaskListKey, int64_t>>& remove);
  int64_t NextTaskSeq();
  // Deletes the row of a task whose offer was stale (its execution closed,
  // or the task started, timed out or was withdrawn) so that no later read
  // offers it again.
  void DropStaleTask(const matching::TaskListKey& key, const matching::Task& task);

  matching::TaskListKey DecisionList(const std::string& domain, const std::string& name) const {
    return {domain, name, matching::TaskKind::kDecision};
  }

  net::io_context& io;
  store::Store& store;
  const Clock& clock;
  EngineOptions options;
  store::Committer committer;
  StoredTasks stored_tasks{*this};
  std::atomic<int64_t> last_task_seq{0};
  matching::Matching matching;
  Registry registry;
  // Replaced by the store's own key in Recover (LoadTokenKey).
  TokenSigner tokens{NewRandomId(32)};
  std::vector<std::unique_ptr<Shard>> shards;
  MachineResolver resolver;                               // set by the sfn front door
  std::unique_ptr<outbound::HttpClient> http;             // null if it could not be set up
  std::shared_ptr<int> alive = std::make_shared<int>(0);  // for the clock's callback
  std::shared_ptr<net::steady_timer> sweep_timer;         // retention sweeps, if started
  // The timer reader (timer_rows.cc). A timer row due before
  // `timer_arm_level` is armed by whoever wrote it, once it is durable; the
  // reader raises the level before it reads, so a row is either read or
  // armed by its writer (or both: arming twice is harmless). Rows due
  // before `timer_read_cursor` have been read (under timer_read_mu).
  std::atomic<Millis> timer_arm_level{0};
  Millis timer_read_cursor = 0;
  std::mutex timer_read_mu;
  std::shared_ptr<net::steady_timer> timer_reader;
  std::mutex definitions_mu;
  std::unordered_map<std::string, asl::StateMachinePtr> definitions;  // arn '#' revision
  ExecutionMetrics execution_metrics;
  // Blocking store reads (histories, closed executions) run here, so that
  // the threads serving requests and shards never wait for the disk.
  // Declared last: joined first, while everything it reads is still there.
  net::thread_pool reads{2};
};

// Runs `fn` (a blocking store read) on the read pool and returns its result.
// (The lambdas are named, never temporaries inside a co_await: g++ 12
// destroys such temporaries twice; docs/architecture.md, "Coroutines".)
template <class Fn>
net::awaitable<std::invoke_result_t<Fn&>> OnReadPool(Engine::Impl& impl, Fn fn) {
  using R = std::invoke_result_t<Fn&>;
  auto read = [fn = std::move(fn)]() mutable -> net::awaitable<R> { co_return fn(); };
  co_return co_await net::co_spawn(impl.reads, std::move(read), net::use_awaitable);
}

// The secret task tokens are signed with, from the store's registry
// (created at its first start).
Status LoadTokenKey(Engine::Impl& impl);

Error UnknownMachineExecution(const std::string& execution_arn);
// DescribeExecution of a stored run, from its row and first event.
Result<MachineExecution> DescribeStoredMachine(store::Store& store, const std::string& arn);
Error MachineExecutionExists(const std::string& execution_arn);

// The poll loop of both kinds of activity and decision tasks (tasks.cc):
// waits for a task from matching, then asks `start` (on the task's shard) to
// record it as started. A stale offer (nullopt) is dropped and the loop
// polls again; an error (a failed read) puts the task back and is the
// poll's answer.
template <class Grant, class StartFn>
net::awaitable<Result<std::optional<Grant>>> PollLoop(Engine::Impl* impl, std::string domain,
                                                      matching::TaskListKey key,
                                                      std::string identity,
                                                      std::shared_ptr<DisconnectSignal> disconnect,
                                                      StartFn start) {
  using SteadyClock = std::chrono::steady_clock;
  auto deadline = SteadyClock::now() + impl->options.poll_timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0 || (disconnect && disconnect->fired())) co_return std::optional<Grant>();
    auto task = co_await impl->matching.Poll(key, left, disconnect);
    if (!task.ok()) co_return std::move(task).error();
    if (!task->has_value()) co_return std::optional<Grant>();
    Shard& shard = impl->ShardFor(domain, (*task)->workflow_id);
    matching::Task offered = **task;
    Result<std::optional<Grant>> grant = co_await net::co_spawn(
        shard.strand, start(impl, &shard, domain, std::move(**task), identity), net::use_awaitable);
    if (!grant.ok()) {
      impl->matching.AddTask(key, std::move(offered));
      co_return std::move(grant);
    }
    if (*grant) co_return std::move(grant);
    if (offered.stored) impl->DropStaleTask(key, offered);
  }
}

Error UnknownExecution(const ExecutionRef& ref);
// WorkflowExecutionStarted's attributes for `req` with the type's defaults
// (`config`, its registered configuration) filled in, in the documented
// order: the first one missing is a kDefaultUndefined error whose message
// names the field ("taskList").
Result<json::object> StartedAttributes(const StartRequest& req, const json::object& config);
// The failure cause a decision gets for StartedAttributes' kDefaultUndefined
// error ("DEFAULT_TASK_LIST_UNDEFINED", ...).
std::string_view DefaultUndefinedCause(const Error& e);
// Creates a run of req.workflowId (WorkflowExecutionStarted with `attrs`, a
// decision task) on its shard; kAlreadyExists when one is open. Its runId.
net::awaitable<Result<std::string>> StartRunOnShard(Engine::Impl* impl, Shard* shard,
                                                    StartRequest req, json::object attrs);
Error UnknownDomain(const std::string& domain);
// Applies the decisions of a RespondDecisionTaskCompleted (decisions.cc).
void ApplyDecisions(Engine::Impl& impl, Step& step, const std::vector<Decision>& decisions,
                    int64_t completed_event_id, bool unhandled_events);

}  // namespace weft::engine
