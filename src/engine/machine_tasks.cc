// The tasks and timers of Step Functions executions: what a step's commands
// turn into, committing a step and carrying out its effects, timeouts and
// heartbeats, activity workers (GetActivityTask, SendTask*), and the calls
// the engine makes itself (HTTP, Lambda, nested executions).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

bool IsCallback(std::string_view resource) { return resource.ends_with(".waitForTaskToken"); }

// The timers of a task as it stands: its timeout counts from when it was
// scheduled; its heartbeat timeout from the last heartbeat, and for an
// activity only once a worker took it.
void AddTaskTimers(const std::string& arn, const std::string& id, const MachineTask& t,
                   MachineEffects& fx) {
  if (t.command.timeout_seconds > 0) {
    fx.timers.push_back({MachineTimer::Kind::kTaskTimeout, arn, id,
                         t.scheduled_time + 1000 * t.command.timeout_seconds});
  }
  bool heartbeat_running = t.kind != MachineTaskKind::kActivity || t.started;
  if (t.command.heartbeat_seconds > 0 && heartbeat_running) {
    fx.timers.push_back({MachineTimer::Kind::kTaskHeartbeat, arn, id,
                         t.last_heartbeat + 1000 * t.command.heartbeat_seconds});
  }
}

// Offers the task to workers or makes its call.
void AddTaskWork(const std::string& arn, const std::string& id, const MachineTask& t,
                 MachineEffects& fx) {
  if (t.kind == MachineTaskKind::kActivity) {
    if (!t.started) {
      fx.add_tasks.push_back(
          {ActivityTaskList(t.command.resource), matching::Task{arn, arn, TaskNumber(id), 0}});
    }
  } else {
    fx.calls.push_back(id);
  }
}

MachineTask NewTask(asl::Command c, Millis now) {
  MachineTask t;
  if (c.kind == asl::CommandKind::kStartIteration) {
    t.kind = MachineTaskKind::kMapIteration;
    t.child_arn = MapRunChildOf(c.map_run_arn, c.item_index).execution_arn;
    t.scheduled_time = t.last_heartbeat = now;
    t.command = std::move(c);
    return t;
  }
  t.kind = ClassifyMachineResource(c.resource);
  t.callback = IsCallback(c.resource);
  t.scheduled_event_id = std::max<int64_t>(0, TaskNumber(c.id));
  t.scheduled_time = now;
  t.last_heartbeat = now;
  t.command = std::move(c);
  return t;
}

}  // namespace

int64_t TaskNumber(std::string_view id) {
  bool silent = id.starts_with("task-d");
  std::string_view digits = id.substr(silent ? 6 : 5);
  int64_t n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return silent ? -n : n;
}

std::string TaskIdOf(int64_t number) {
  return number < 0 ? "task-d" + std::to_string(-number) : "task-" + std::to_string(number);
}

// ---------------------------------------------------------------- steps

void MachineStep::ScheduleTask(asl::Command c) {
  std::string id = c.id;
  MachineTask t = NewTask(std::move(c), now_);
  const std::string& arn = run_.start.execution_arn;
  AddTaskTimers(arn, id, t, effects_);
  AddTaskWork(arn, id, t, effects_);
  if (!t.command.task_token.empty()) run_.task_by_token[t.command.task_token] = id;
  run_.tasks[id] = std::move(t);
}

void MachineStep::EndTask(const std::string& id, bool abandoned) {
  auto it = run_.tasks.find(id);
  if (it == run_.tasks.end()) return;
  const MachineTask& t = it->second;
  if (abandoned && !t.child_arn.empty()) effects_.stop_children.push_back(t.child_arn);
  if (t.kind == MachineTaskKind::kActivity && !t.started) {
    effects_.remove_tasks.push_back({ActivityTaskList(t.command.resource), TaskNumber(id)});
  }
  if (!t.command.task_token.empty()) run_.task_by_token.erase(t.command.task_token);
  effects_.disarm.push_back(id);
  run_.tasks.erase(it);
}

void MachineStep::Absorb() {
  for (auto& e : result_.events) events_.push_back(std::move(e));
  for (auto& c : result_.commands) {
    switch (c.kind) {
      case asl::CommandKind::kScheduleTask:
      case asl::CommandKind::kStartIteration:
        ScheduleTask(std::move(c));
        break;
      case asl::CommandKind::kMapRunChanged:
        map_runs_.push_back(std::move(c.map_run));
        break;
      case asl::CommandKind::kStartTimer:
        run_.timers[c.id] = c.fire_at_ms;
        effects_.timers.push_back(
            {MachineTimer::Kind::kTimer, run_.start.execution_arn, c.id, c.fire_at_ms});
        break;
      case asl::CommandKind::kCancelTimer:
        run_.timers.erase(c.id);
        effects_.disarm.push_back(c.id);
        break;
      case asl::CommandKind::kCancelTask:
        EndTask(c.id, /*abandoned=*/true);
        break;
      case asl::CommandKind::kCompleteExecution:
      case asl::CommandKind::kFailExecution:
      case asl::CommandKind::kTimeOutExecution:
      case asl::CommandKind::kAbortExecution: {
        run_.stop_time = now_;
        effects_.closed = true;
        std::vector<std::string> ids;
        for (const auto& [id, t] : run_.tasks) ids.push_back(id);
        for (const auto& id : ids) EndTask(id, /*abandoned=*/true);
        for (const auto& [id, due] : run_.timers) effects_.disarm.push_back(id);
        run_.timers.clear();
        break;
      }
    }
  }
  result_ = asl::StepResult{};
}

store::WriteBatch MachineStep::TakeBatch() {
  store::WriteBatch batch;
  batch.shard = shard_.index;
  store::ExecutionWrite w;
  w.expected_last_event_id = run_.submitted_event_id;
  if (run_.submitted_event_id == 0) {
    // A name is free again 90 days after its execution closed (AWS).
    batch.erase.push_back({run_.start.execution_arn, now_ - kNameReuseAfter});
  }
  w.events.reserve(events_.size());
  for (const auto& e : events_) w.events.push_back(MachineEventRecord(e));
  if (!events_.empty()) run_.submitted_event_id = events_.back().id;
  // The Map Run rows first: they change the run's own (its snapshot).
  std::vector<store::ExecutionWrite> map_run_writes;
  for (const auto& m : map_runs_) map_run_writes.push_back(MapRunWrite(m));
  map_runs_.clear();
  w.execution = MachineRecordOf(run_, shard_.index);
  batch.executions.push_back(std::move(w));
  for (auto& m : map_run_writes) batch.executions.push_back(std::move(m));
  effects_.view = ViewOf(run_);
  events_.clear();
  return batch;
}

store::ExecutionWrite MachineStep::MapRunWrite(const asl::MapRunInfo& m) {
  auto [at, added] = run_.map_run_starts.try_emplace(m.arn, now_);
  store::ExecutionWrite w;  // no events: expected_last_event_id stays 0
  store::ExecutionRecord& r = w.execution;
  r.run_id = m.arn;
  r.domain = std::string(kMapRunDomain);
  r.workflow_id = run_.start.execution_arn;
  r.type_name = run_.start.state_machine_arn;
  r.open = m.status == "RUNNING";
  r.start_time = at->second;
  if (!r.open) {
    r.close_status = m.status;
    r.close_time = now_;
    run_.map_run_starts.erase(at);
  }
  r.shard = shard_.index;
  r.data = ToJson(json::object{{"total", m.total},
                               {"maxConcurrency", m.max_concurrency},
                               {"toleratedFailureCount", m.tolerated_count},
                               {"toleratedFailurePercentage", m.tolerated_percentage}});
  return w;
}

void RestorePendingWork(MachineRun& run, const std::vector<asl::HistoryEvent>& history,
                        std::vector<asl::Command> pending) {
  std::unordered_map<int64_t, const asl::HistoryEvent*> started;  // by ActivityScheduled id
  std::unordered_map<int64_t, Millis> times;
  for (const auto& e : history) {
    times[e.id] = e.timestamp_ms;
    if (e.type == "ActivityStarted") started[e.previous_event_id] = &e;
  }
  for (auto& c : pending) {
    if (c.kind == asl::CommandKind::kStartTimer) {
      run.timers[c.id] = c.fire_at_ms;
      continue;
    }
    std::string id = c.id;
    MachineTask t = NewTask(std::move(c), 0);
    if (auto at = times.find(t.scheduled_event_id); at != times.end()) {
      t.scheduled_time = t.last_heartbeat = at->second;
    }
    if (auto s = started.find(t.scheduled_event_id); s != started.end()) {
      t.started = true;
      // Heartbeats are not stored: after a restart the heartbeat timeout
      // counts again from the start (never earlier than it would have).
      t.last_heartbeat = s->second->timestamp_ms;
    }
    if (!t.command.task_token.empty()) run.task_by_token[t.command.task_token] = id;
    run.tasks[id] = std::move(t);
  }
}

bool MachineHasCalls(const MachineRun& run) {
  if (!run.open()) return false;
  for (const auto& [id, t] : run.tasks) {
    // As MachineEffectsOfRun: a call to make again (not a worker's task, not
    // a callback whose token is out).
    if (t.kind != MachineTaskKind::kActivity && !t.callback) return true;
  }
  return false;
}

MachineEffects MachineEffectsOfRun(const MachineRun& run) {
  MachineEffects fx;
  fx.execution_arn = run.start.execution_arn;
  for (const auto& [id, due] : run.timers) {
    fx.timers.push_back({MachineTimer::Kind::kTimer, fx.execution_arn, id, due});
  }
  for (const auto& [id, t] : run.tasks) {
    AddTaskTimers(fx.execution_arn, id, t, fx);
    // A callback's call was made before the crash: the token is out there.
    if (!(t.callback && t.kind != MachineTaskKind::kActivity))
      AddTaskWork(fx.execution_arn, id, t, fx);
  }
  return fx;
}

// ---------------------------------------------------------------- commit

net::awaitable<Status> Engine::Impl::CommitMachine(Shard& shard, MachineStep& step,
                                                   std::unique_ptr<MachineRun> creating) {
  MachineRun& run = step.run();
  const std::string arn = run.start.execution_arn;
  std::optional<store::WriteBatch> batch;
  if (run.start.express) {
    step.effects().view = ViewOf(run);  // nothing to write: it holds at once
  } else {
    // Written even without events: the snapshot changed (a Distributed Map
    // iteration's outcome, for one, adds no event to its parent).
    batch = step.TakeBatch();
  }
  MachineEffects effects = step.TakeEffects();
  bool pinned = false;
  if (batch) {
    // The timers it arms are rows written with it; so are the deletes of
    // fired ones (not with a first write, which may lose to a stored run).
    for (const MachineTimer& t : effects.timers) {
      batch->timers.push_back(MachineTimerRowOf(t, shard.index));
    }
    if (!creating) batch->timers_done = shard.TakeFiredTimers();
    WriteTaskRows(*batch, arn, effects.add_tasks, effects.remove_tasks);
    NoteRowWritten(shard.machines, arn, run, clock.Now());
    // Pinned while written: memory is ahead of the store until it is
    // durable. A run being created is not in the cache until then: a
    // stored execution of that name (the write then fails) is what
    // commands meanwhile must find.
    if (creating) {
      shard.starting[arn] = &run;
    } else {
      shard.machines.Pin(arn);
      pinned = true;
    }
    Status s = co_await WriteStep(std::move(*batch), /*creates=*/creating != nullptr);
    if (creating) shard.starting.erase(arn);
    if (!s.ok()) co_return MachineExecutionExists(arn);  // only a first write fails
  }
  if (creating) {
    shard.machines.Insert(arn, std::move(creating));
    // An Express run is never stored, and a waiter is told only by the run
    // in memory: either stays in memory until it closes.
    if (run.start.express || !run.on_close.empty()) shard.machines.Pin(arn);
    shard.machines.Pin(arn);
    pinned = true;
  }
  ApplyMachine(shard, std::move(effects));
  // Unpinned once its effects are carried out (they need it in memory).
  if (pinned) shard.machines.Unpin(arn);
  co_return Status();
}

void Engine::Impl::ApplyMachine(Shard& shard, MachineEffects fx) {
  const std::string& arn = fx.execution_arn;
  MachineRun* run = shard.machines.Find(arn);
  if (run && fx.view) run->view = std::move(fx.view);
  shard.machine_armed.Disarm(arn, fx.disarm);
  for (auto& [key, id] : fx.remove_tasks) matching.RemoveTask(key, arn, id);
  for (auto& [key, task] : fx.add_tasks) matching.AddTask(key, std::move(task));
  if (!run) return;
  // Timers due later are read from their rows when due soon; an Express
  // run's are not stored.
  for (auto& t : fx.timers) {
    if (run->start.express || ArmsNow(t.due)) ArmMachineTimer(shard, std::move(t));
  }
  for (const auto& id : fx.calls) StartCall(shard, *run, id);
  for (const auto& child : fx.stop_children) StopChild(child);
  if (fx.closed && !run->open()) {
    auto waiters = std::move(run->on_close);
    for (auto& w : waiters) w();
    // Closed and durable: later reads come from the store.
    shard.machines.Erase(arn);
    shard.machine_armed.DisarmRun(arn);
  }
}

net::awaitable<Status> Engine::Impl::Feed(Shard* shard, std::string arn, asl::Feedback fb) {
  auto found = FindMachine(*shard, arn);
  if (!found.ok()) co_return std::move(found).error();
  if (!*found || !(*found)->open()) co_return UnknownMachineExecution(arn);
  MachineRun& run = **found;
  MachineStep step(*shard, run, clock.Now());
  bool ends_task = fb.kind == asl::Feedback::Kind::kTaskSucceeded ||
                   fb.kind == asl::Feedback::Kind::kTaskFailed ||
                   fb.kind == asl::Feedback::Kind::kTaskTimedOut;
  if (ends_task) step.EndTask(fb.id);
  if (fb.kind == asl::Feedback::Kind::kTimerFired) run.timers.erase(fb.id);
  if (fb.kind == asl::Feedback::Kind::kTaskSubmitted) {
    auto task = run.tasks.find(fb.id);
    auto response = ParseJson(fb.output);
    if (task != run.tasks.end() && task->second.kind == MachineTaskKind::kStartExecution &&
        response.ok() && response->is_object()) {
      if (const auto* child = FindString(response->as_object(), "ExecutionArn")) {
        task->second.child_arn = std::string(*child);
      }
    }
  }
  Status s = run.interpreter->Apply(fb, step.now(), step.result());
  if (!s.ok()) co_return s;
  step.Absorb();
  co_return co_await CommitMachine(*shard, step);
}

// ---------------------------------------------------------------- timers

// The execution need not be in memory: the timer is kept by the shard, and
// firing it loads the execution.
void Engine::Impl::ArmMachineTimer(Shard& shard, MachineTimer spec) {
  Shard* s = &shard;
  Millis due = spec.due;
  std::string arn = spec.execution_arn;
  std::string key = spec.id;
  shard.machine_armed.Arm(shard.strand, clock, due, arn, std::move(key),
                          [this, s, spec = std::move(spec)] {
                            net::co_spawn(s->strand, FireMachineTimer(s, spec), net::detached);
                          });
}

void Engine::Impl::NoteMachineTimerFired(Shard& shard, const MachineTimer& spec) {
  shard.fired_timers.push_back(MachineTimerRowOf(spec, shard.index));
}

net::awaitable<void> Engine::Impl::FireMachineTimer(Shard* shard, MachineTimer spec) {
  NoteMachineTimerFired(*shard, spec);  // its row is deleted with the next write
  auto found = FindMachine(*shard, spec.execution_arn);
  if (!found.ok() || !*found || !(*found)->open()) co_return;
  MachineRun& run = **found;
  asl::Feedback fb;
  fb.id = spec.id;
  if (spec.kind == MachineTimer::Kind::kTimer) {
    if (!run.timers.contains(spec.id)) co_return;
    fb.kind = asl::Feedback::Kind::kTimerFired;
  } else {
    auto task = run.tasks.find(spec.id);
    if (task == run.tasks.end()) co_return;
    MachineTask& t = task->second;
    fb.kind = asl::Feedback::Kind::kTaskTimedOut;
    fb.error = "States.Timeout";
    if (spec.kind == MachineTimer::Kind::kTaskHeartbeat) {
      Millis due = t.last_heartbeat + 1000 * t.command.heartbeat_seconds;
      if (clock.Now() < due) {  // a heartbeat came since it was armed: a new row
        spec.due = due;
        // A stored run's once its row is durable: a reader that moved past
        // it meanwhile has read it, or it is armed here.
        const bool express = run.start.express;
        if (!express) co_await WriteTimerRow(*shard, MachineTimerRowOf(spec, shard->index));
        if (express || ArmsNow(due)) ArmMachineTimer(*shard, spec);
        co_return;
      }
      fb.error = "States.HeartbeatTimeout";
    }
    if (!t.command.task_token.empty()) run.timed_out_tokens.insert(t.command.task_token);
  }
  Status fed = co_await Feed(shard, spec.execution_arn, std::move(fb));
  if (!fed.ok()) log::Error("timer of " + spec.execution_arn + ": " + fed.error().message());
}

// ---------------------------------------------------------------- workers

namespace {

net::awaitable<Result<std::optional<MachineActivityTask>>> StartActivityOnShard(
    Engine::Impl* impl, Shard* shard, std::string domain, matching::Task task, std::string worker) {
  (void)domain;
  auto loaded = impl->FindMachine(*shard, task.run_id);
  if (!loaded.ok()) co_return std::move(loaded).error();
  if (!*loaded || !(*loaded)->open()) co_return std::nullopt;
  MachineRun& run = **loaded;
  std::string id = TaskIdOf(task.scheduled_event_id);
  auto found = run.tasks.find(id);
  if (found == run.tasks.end() || found->second.started) co_return std::nullopt;
  MachineTask& t = found->second;
  MachineStep step(*shard, run, impl->clock.Now());
  asl::Feedback fb{asl::Feedback::Kind::kTaskStarted, id, worker, std::nullopt, std::nullopt};
  if (Status s = run.interpreter->Apply(fb, step.now(), step.result()); !s.ok()) {
    co_return std::nullopt;
  }
  t.started = true;
  t.last_heartbeat = step.now();
  step.effects().remove_tasks.push_back(
      {ActivityTaskList(t.command.resource), task.scheduled_event_id});
  if (t.command.heartbeat_seconds > 0) {
    step.effects().timers.push_back({MachineTimer::Kind::kTaskHeartbeat, run.start.execution_arn,
                                     id, step.now() + 1000 * t.command.heartbeat_seconds});
  }
  MachineActivityTask grant{t.command.task_token, t.command.input};
  step.Absorb();
  Status committed = co_await impl->CommitMachine(*shard, step);  // aborts on failure
  (void)committed;
  co_return std::optional(std::move(grant));
}

enum class TaskAnswer { kSuccess, kFailure, kHeartbeat };

net::awaitable<Status> AnswerOnShard(Engine::Impl* impl, Shard* shard, std::string arn,
                                     std::string token, TaskAnswer answer, asl::Feedback fb) {
  auto found = impl->FindMachine(*shard, arn);
  if (!found.ok()) co_return std::move(found).error();
  if (!*found || !(*found)->open()) {
    co_return Error(Errc::kTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'");
  }
  MachineRun& run = **found;
  auto by_token = run.task_by_token.find(token);
  if (by_token == run.task_by_token.end()) {
    if (run.timed_out_tokens.contains(token)) {
      co_return Error(Errc::kTaskTimedOut,
                      "Task Timed Out: 'Provided task does not exist anymore'");
    }
    co_return Error(Errc::kStaleTask, "Task Does Not Exist: 'Provided task does not exist'");
  }
  MachineTask& t = run.tasks.at(by_token->second);
  if (answer == TaskAnswer::kHeartbeat) {
    Millis now = impl->clock.Now();
    t.last_heartbeat = now;
    // Durable within --heartbeat-flush: written now if the row is that old,
    // else kept in memory (pinned) until the next write.
    if (run.start.express) co_return Status();
    if (RowDueForWrite(shard->machines, arn, run, now, impl->options.heartbeat_flush.count())) {
      store::ExecutionRecord record = MachineRecordOf(run, shard->index);
      co_return co_await impl->WriteRowOnly(shard->machines, arn, run, std::move(record),
                                            shard->index);  // aborts on failure
    }
    co_return Status();
  }
  fb.id = by_token->second;
  co_return co_await impl->Feed(shard, arn, std::move(fb));
}

}  // namespace

net::awaitable<Result<std::optional<MachineActivityTask>>> Engine::PollMachineActivity(
    std::string activity_arn, std::string worker_name,
    std::shared_ptr<DisconnectSignal> disconnect) {
  co_return co_await PollLoop<MachineActivityTask>(
      impl_.get(), std::string(kMachineDomain), ActivityTaskList(activity_arn),
      std::move(worker_name), std::move(disconnect), &StartActivityOnShard);
}

namespace {

net::awaitable<Status> Answer(Engine::Impl* impl, std::string token, TaskAnswer answer,
                              asl::Feedback fb) {
  auto t = DecodeMachineTaskToken(impl->tokens, token);
  if (!t.ok()) co_return std::move(t).error();
  Shard& shard = impl->ShardFor(std::string(kMachineDomain), t->execution_arn);
  co_return co_await net::co_spawn(
      shard.strand,
      AnswerOnShard(impl, &shard, t->execution_arn, std::move(token), answer, std::move(fb)),
      use_awaitable);
}

}  // namespace

net::awaitable<Status> Engine::SendTaskSuccess(std::string task_token, std::string output) {
  asl::Feedback fb{asl::Feedback::Kind::kTaskSucceeded, "", std::move(output), std::nullopt,
                   std::nullopt};
  co_return co_await Answer(impl_.get(), std::move(task_token), TaskAnswer::kSuccess,
                            std::move(fb));
}

net::awaitable<Status> Engine::SendTaskFailure(std::string task_token,
                                               std::optional<std::string> error,
                                               std::optional<std::string> cause) {
  asl::Feedback fb{asl::Feedback::Kind::kTaskFailed, "", "", std::move(error), std::move(cause)};
  co_return co_await Answer(impl_.get(), std::move(task_token), TaskAnswer::kFailure,
                            std::move(fb));
}

net::awaitable<Status> Engine::SendTaskHeartbeat(std::string task_token) {
  asl::Feedback none;  // named: g++ 12 destroys a temporary in co_await twice
  co_return co_await Answer(impl_.get(), std::move(task_token), TaskAnswer::kHeartbeat,
                            std::move(none));
}

}  // namespace weft::engine
