// Saving, restoring and replaying an execution (asl/asl.h, interpreter.h).
//
// Replay re-runs the interpreter from ExecutionStarted and feeds it the host
// results found in the recorded history (task results; timers fire where
// the history shows the interpreter moved on without one). Because the
// interpreter is deterministic (its random source is seeded from the
// execution ARN and kept in the state), this rebuilds the same state, and
// every produced event is checked against the recorded one.
#include <charconv>
#include <set>
#include <unordered_map>

#include "asl/interpreter.h"

namespace weft::asl {
namespace {

json::value Opt(const std::optional<std::string>& s) { return s ? json::value(*s) : nullptr; }
std::optional<std::string> OptFrom(const json::object& o, std::string_view key) {
  if (auto* s = FindString(o, key)) return std::string(*s);
  return std::nullopt;
}

// A frame's fields at their defaults are left out: most frames are a
// position and an input, and the host writes the saved state at every step.
json::object SaveFan(const FanOut& fan) {
  return json::object{{"items", fan.items},
                      {"results", fan.results},
                      {"runningChildren", fan.running_children},
                      {"nextChild", fan.next_child},
                      {"doneChildren", fan.done_children},
                      {"failedChildren", fan.failed_children},
                      {"maxConcurrency", fan.max_concurrency},
                      {"toleratedCount", fan.tolerated_count},
                      {"toleratedPercentage", fan.tolerated_percentage},
                      {"lastChildEvent", fan.last_child_event},
                      {"mapRunArn", fan.map_run_arn},
                      {"reused", fan.reused},
                      {"succeeded", json::array(fan.succeeded.begin(), fan.succeeded.end())}};
}

json::object SaveFrame(const Frame& f) {
  json::object o{{"id", f.id}, {"parent", f.parent}, {"block", f.block}, {"state", f.state}};
  auto put_int = [&o](std::string_view key, int64_t v) {
    if (v != 0) o[key] = v;
  };
  auto put_str = [&o](std::string_view key, const std::string& v) {
    if (!v.empty()) o[key] = v;
  };
  put_int("childIndex", f.child_index);
  if (f.ready) o["ready"] = true;
  put_int("wait", static_cast<int>(f.wait));
  put_str("waitId", f.wait_id);
  if (!f.input.is_null()) o["input"] = f.input;
  if (!f.effective.is_null()) o["effective"] = f.effective;
  if (!f.vars.empty()) o["vars"] = f.vars;
  put_int("enteredEvent", f.entered_event);
  put_int("prevEvent", f.prev_event);
  put_int("enteredTime", f.entered_time_ms);
  if (!f.retry_counts.empty()) {
    o["retryCounts"] = json::array(f.retry_counts.begin(), f.retry_counts.end());
  }
  put_int("retryTotal", f.retry_total);
  put_str("taskToken", f.task_token);
  put_str("taskKind", f.task_kind);
  if (f.fan_out && !(*f.fan_out == FanOut{})) o["fan"] = SaveFan(*f.fan_out);
  if (f.silent) o["silent"] = true;
  return o;
}

int64_t I(const json::object& o, std::string_view key) { return FindInt(o, key).value_or(0); }

std::unique_ptr<FanOut> LoadFan(const json::object& o) {
  auto fan = std::make_unique<FanOut>();
  if (auto* a = FindArray(o, "items")) fan->items = *a;
  if (auto* a = FindArray(o, "results")) fan->results = *a;
  fan->running_children = I(o, "runningChildren");
  fan->next_child = I(o, "nextChild");
  fan->done_children = I(o, "doneChildren");
  fan->failed_children = I(o, "failedChildren");
  fan->max_concurrency = I(o, "maxConcurrency");
  fan->tolerated_count = FindInt(o, "toleratedCount").value_or(-1);
  const json::value* pct = Find(o, "toleratedPercentage");
  fan->tolerated_percentage = pct && pct->is_number() ? pct->to_number<double>() : -1;
  fan->last_child_event = I(o, "lastChildEvent");
  fan->map_run_arn = OptFrom(o, "mapRunArn").value_or("");
  fan->reused = I(o, "reused");
  if (auto* a = FindArray(o, "succeeded"))
    for (const auto& v : *a)
      if (v.is_int64()) fan->succeeded.push_back(v.as_int64());
  return fan;
}

Frame LoadFrame(const json::object& o) {
  Frame f;
  f.id = static_cast<int>(I(o, "id"));
  f.parent = static_cast<int>(FindInt(o, "parent").value_or(-1));
  f.block = static_cast<int>(I(o, "block"));
  f.state = static_cast<int>(FindInt(o, "state").value_or(-1));
  f.child_index = I(o, "childIndex");
  f.ready = FindBool(o, "ready").value_or(false);
  f.wait = static_cast<FrameWait>(I(o, "wait"));
  f.wait_id = OptFrom(o, "waitId").value_or("");
  if (const json::value* v = Find(o, "input")) f.input = *v;
  if (const json::value* v = Find(o, "effective")) f.effective = *v;
  if (auto* v = FindObject(o, "vars")) f.vars = *v;
  f.entered_event = I(o, "enteredEvent");
  f.prev_event = I(o, "prevEvent");
  f.entered_time_ms = I(o, "enteredTime");
  if (auto* a = FindArray(o, "retryCounts"))
    for (const auto& v : *a)
      if (v.is_int64()) f.retry_counts.push_back(v.as_int64());
  f.retry_total = I(o, "retryTotal");
  f.task_token = OptFrom(o, "taskToken").value_or("");
  f.task_kind = OptFrom(o, "taskKind").value_or("");
  if (auto* fan = FindObject(o, "fan")) f.fan_out = LoadFan(*fan);
  f.silent = FindBool(o, "silent").value_or(false);
  return f;
}

bool IsTaskResult(std::string_view type) {
  for (std::string_view t :
       {"TaskSucceeded", "TaskFailed", "TaskTimedOut", "TaskSubmitted", "ActivityStarted",
        "ActivitySucceeded", "ActivityFailed", "ActivityTimedOut", "LambdaFunctionSucceeded",
        "LambdaFunctionFailed", "LambdaFunctionTimedOut"})
    if (type == t) return true;
  return false;
}

bool IsScheduled(std::string_view type) {
  return type == "TaskScheduled" || type == "ActivityScheduled" ||
         type == "LambdaFunctionScheduled";
}

json::object SaveChildResults(const std::map<std::string, ExecutionState::ChildResults>& m) {
  json::object out;
  for (const auto& [path, results] : m) {
    json::object children;
    for (const auto& [index, value] : results) children[std::to_string(index)] = value;
    out[path] = std::move(children);
  }
  return out;
}

std::map<std::string, ExecutionState::ChildResults> LoadChildResults(const json::object* o) {
  std::map<std::string, ExecutionState::ChildResults> out;
  if (!o) return out;
  for (const auto& kv : *o) {
    ExecutionState::ChildResults& results = out[kv.key()];
    if (!kv.value().is_object()) continue;
    for (const auto& child : kv.value().as_object()) {
      int64_t index = 0;
      std::string_view key = child.key();
      if (std::from_chars(key.data(), key.data() + key.size(), index).ec != std::errc()) continue;
      results[index] = child.value();
    }
  }
  return out;
}

}  // namespace

json::value ExecutionState::Save() const {
  json::array frames;
  for (const auto& [id, f] : frames_) frames.push_back(SaveFrame(f));
  json::array ready;
  for (int id : ready_) ready.push_back(id);
  json::object tasks;
  for (const auto& [id, frame] : tasks_) tasks[id] = frame;
  json::object timers;
  for (const auto& [id, t] : timers_) timers[id] = json::array{t.first, t.second};
  return json::object{{"version", 1},
                      {"context", json::object{{"executionArn", ctx_.execution_arn},
                                               {"executionName", ctx_.execution_name},
                                               {"stateMachineArn", ctx_.state_machine_arn},
                                               {"stateMachineName", ctx_.state_machine_name},
                                               {"roleArn", ctx_.role_arn},
                                               {"startTime", ctx_.start_time_ms},
                                               {"express", ctx_.express},
                                               {"childIterations", ctx_.child_iterations},
                                               {"rootBlock", ctx_.root_block}}},
                      {"status", std::string(ExecutionStatusName(status_))},
                      {"output", output_},
                      {"error", Opt(error_)},
                      {"cause", Opt(cause_)},
                      {"nextEventId", next_event_id_},
                      {"nextFrameId", next_frame_id_},
                      {"idSeq", id_seq_},
                      {"rng", std::to_string(rng_)},
                      {"input", input_text_},
                      {"frames", std::move(frames)},
                      {"ready", std::move(ready)},
                      {"tasks", std::move(tasks)},
                      {"timers", std::move(timers)},
                      {"redriveCount", redrive_count_},
                      {"redriveVars", redrive_vars_},
                      {"kept", SaveChildResults(kept_)},
                      {"redriveDone", SaveChildResults(redrive_done_)}};
}

Status ExecutionState::Load(const json::value& saved) {
  if (!saved.is_object() || FindInt(saved.as_object(), "version") != 1)
    return Error::Validation("not a saved execution (version 1)");
  const auto& o = saved.as_object();
  if (auto* c = FindObject(o, "context")) {
    ctx_.execution_arn = OptFrom(*c, "executionArn").value_or("");
    ctx_.execution_name = OptFrom(*c, "executionName").value_or("");
    ctx_.state_machine_arn = OptFrom(*c, "stateMachineArn").value_or("");
    ctx_.state_machine_name = OptFrom(*c, "stateMachineName").value_or("");
    ctx_.role_arn = OptFrom(*c, "roleArn").value_or("");
    ctx_.start_time_ms = I(*c, "startTime");
    ctx_.express = FindBool(*c, "express").value_or(false);
    ctx_.child_iterations = FindBool(*c, "childIterations").value_or(false);
    ctx_.root_block = static_cast<int>(I(*c, "rootBlock"));
    if (ctx_.root_block < 0 || ctx_.root_block >= m_->block_count())
      return Error::Validation("the saved execution does not match the definition");
  }
  std::string status = OptFrom(o, "status").value_or("RUNNING");
  for (auto s : {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
                 ExecutionStatus::kTimedOut, ExecutionStatus::kAborted})
    if (ExecutionStatusName(s) == status) status_ = s;
  output_ = OptFrom(o, "output").value_or("");
  error_ = OptFrom(o, "error");
  cause_ = OptFrom(o, "cause");
  next_event_id_ = I(o, "nextEventId");
  next_frame_id_ = static_cast<int>(I(o, "nextFrameId"));
  id_seq_ = I(o, "idSeq");
  std::string rng = OptFrom(o, "rng").value_or("0");
  if (std::from_chars(rng.data(), rng.data() + rng.size(), rng_).ec != std::errc())
    return Error::Validation("not a saved execution: its random state is not a number");
  input_text_ = OptFrom(o, "input").value_or("{}");
  auto input = ParseJson(input_text_);
  if (!input) return std::move(input).error();
  input_ = std::move(*input);
  if (auto* a = FindArray(o, "frames"))
    for (const auto& v : *a) {
      Frame f = LoadFrame(v.as_object());
      if (f.block < 0 || f.block >= m_->block_count())
        return Error::Validation("the saved execution does not match the definition");
      frames_[f.id] = std::move(f);
    }
  if (auto* a = FindArray(o, "ready"))
    for (const auto& v : *a) ready_.push_back(static_cast<int>(v.to_number<int64_t>()));
  if (auto* t = FindObject(o, "tasks"))
    for (const auto& kv : *t) tasks_[kv.key()] = static_cast<int>(kv.value().to_number<int64_t>());
  redrive_count_ = I(o, "redriveCount");
  if (auto* v = FindObject(o, "redriveVars")) redrive_vars_ = *v;
  kept_ = LoadChildResults(FindObject(o, "kept"));
  redrive_done_ = LoadChildResults(FindObject(o, "redriveDone"));
  if (auto* t = FindObject(o, "timers"))
    for (const auto& kv : *t) {
      const auto& a = kv.value().as_array();
      timers_[kv.key()] = {a.at(0).to_number<int64_t>(),
                           static_cast<int>(a.at(1).to_number<int64_t>())};
    }
  return {};
}

json::value Execution::Save() const { return state_->Save(); }

Result<Execution> Execution::Restore(StateMachinePtr machine, const json::value& saved,
                                     ExecutionContext context) {
  auto state = std::make_unique<ExecutionState>(std::move(machine), std::move(context));
  Status st;
  try {
    st = state->Load(saved);
  } catch (const std::exception& e) {  // a value of the wrong kind (as_array(), at())
    return Error::Validation(std::string("not a saved execution: ") + e.what());
  }
  if (!st) return std::move(st).error();
  return Execution(std::move(state));
}

namespace {

Status Check(const std::vector<HistoryEvent>& produced, const std::vector<HistoryEvent>& history,
             size_t& cursor) {
  for (const auto& e : produced) {
    if (cursor >= history.size()) return {};  // the history ends here (still running)
    const HistoryEvent& h = history[cursor];
    if (h.type != e.type || h.id != e.id || h.previous_event_id != e.previous_event_id)
      return Error::Validation("the history diverges from the definition at event #" +
                               std::to_string(h.id) + ": recorded " + h.type + ", replayed " +
                               e.type);
    ++cursor;
  }
  return {};
}

}  // namespace

// Feeds the outcomes of a Map Run's finished child executions until the
// event at `cursor` (MapRunSucceeded or MapRunFailed) has been produced.
namespace {

template <class Note>
Status FeedIterations(Execution& exec, const ExecutionState& state,
                      const std::map<std::string, Command>& outstanding,
                      const IterationLookup& iterations, const std::vector<HistoryEvent>& history,
                      size_t& cursor, Note& note) {
  const size_t target = cursor;
  const HistoryEvent& next = history[target];
  while (cursor == target) {
    Feedback pick;
    bool found = false;
    for (const auto& [id, c] : outstanding) {
      if (c.kind != CommandKind::kStartIteration || !state.pending_tasks().contains(id)) continue;
      auto outcome = iterations.outcome(c);
      if (!outcome || (found && outcome->kind != Feedback::Kind::kTaskSucceeded)) continue;
      pick = std::move(*outcome);
      pick.id = id;
      found = true;
      if (pick.kind == Feedback::Kind::kTaskSucceeded) break;
    }
    if (!found)
      return Error::Validation("the history continues at event #" + std::to_string(next.id) + " (" +
                               next.type + ") but the Map Run's iterations have not ended");
    StepResult step;
    if (auto st = exec.Apply(pick, next.timestamp_ms, &step); !st) return st;
    if (auto c = Check(step.events, history, cursor); !c) return c;
    note(step);
  }
  return {};
}

}  // namespace

Result<Execution> Execution::Replay(StateMachinePtr machine, ExecutionContext context,
                                    const std::vector<HistoryEvent>& history,
                                    std::vector<Command>* pending,
                                    const IterationLookup* iterations) {
  // Commands that started tasks, iterations and timers, by id, to hand back
  // those still outstanding at the end.
  std::map<std::string, Command> outstanding;
  std::vector<std::string> started_runs;  // Map Runs whose stored settings to apply
  std::set<std::string> updated_runs;
  auto note = [&](StepResult& step) {
    for (auto& c : step.commands) {
      if (c.kind == CommandKind::kScheduleTask || c.kind == CommandKind::kStartTimer ||
          c.kind == CommandKind::kStartIteration) {
        outstanding[c.id] = std::move(c);
      } else if (c.kind == CommandKind::kMapRunChanged && c.map_run.status == "RUNNING" &&
                 iterations && iterations->settings && !updated_runs.contains(c.id)) {
        started_runs.push_back(c.id);
      }
    }
  };
  if (history.empty() || history[0].type != "ExecutionStarted")
    return Error::Validation("a history starts with ExecutionStarted");
  std::string input = "{}";
  json::object started = history[0].Details();
  if (auto* s = FindString(started, "input")) input = std::string(*s);
  std::unordered_map<int64_t, const HistoryEvent*> by_id;
  for (const auto& e : history) by_id[e.id] = &e;

  StepResult step;
  auto exec = Start(machine, std::move(context), input, history[0].timestamp_ms, &step);
  if (!exec) return exec;
  size_t cursor = 0;
  if (auto st = Check(step.events, history, cursor); !st) return std::move(st).error();
  note(step);
  ExecutionState& s = *exec->state_;
  // UpdateMapRun is not in the history: a Map Run takes its stored settings
  // as it starts, so that it ends where the history says it did.
  auto apply_settings = [&](int64_t now) -> Status {
    while (!started_runs.empty()) {
      std::string arn = std::move(started_runs.back());
      started_runs.pop_back();
      updated_runs.insert(arn);
      auto update = iterations->settings(arn);
      if (!update) continue;
      StepResult more;
      if (auto st = exec->UpdateMapRun(arn, *update, now, &more); !st) return st;
      if (auto c = Check(more.events, history, cursor); !c) return c;
      note(more);
    }
    return {};
  };
  if (auto st = apply_settings(history[0].timestamp_ms); !st) return std::move(st).error();
  while (cursor < history.size()) {
    if (s.status_ != ExecutionStatus::kRunning) {
      // Closed; a later RedriveExecution reopened it.
      if (history[cursor].type != "ExecutionRedriven") break;
      std::vector<HistoryEvent> before(history.begin(), history.begin() + cursor);
      step = StepResult{};
      int64_t redriven = history[cursor].timestamp_ms;
      auto st = exec->Redrive(before, redriven, &step);
      if (!st) return std::move(st).error();
      if (auto c = Check(step.events, history, cursor); !c) return std::move(c).error();
      note(step);
      // A Map Run the redrive started takes its settings before it goes on.
      if (auto applied = apply_settings(redriven); !applied) return std::move(applied).error();
      continue;
    }
    const HistoryEvent& next = history[cursor];
    Feedback fb;
    // At a step boundary an abort event can only come from StopExecution
    // (aborts inside a step, e.g. of Parallel siblings, were checked with it).
    if (next.type.ends_with("Aborted")) {
      const HistoryEvent* aborted = &next;
      for (size_t i = cursor; i < history.size(); ++i)
        if (history[i].type == "ExecutionAborted") {
          aborted = &history[i];
          break;  // the first: a redrive may have run and been stopped again
        }
      step = StepResult{};
      json::object details = aborted->Details();
      auto st = exec->Stop(OptFrom(details, "error"), OptFrom(details, "cause"), next.timestamp_ms,
                           &step);
      if (!st) return std::move(st).error();
      if (auto c = Check(step.events, history, cursor); !c) return std::move(c).error();
      note(step);
      continue;  // closed: only a redrive can follow
    }
    if (iterations && (next.type == "MapRunSucceeded" || next.type == "MapRunFailed")) {
      // Child executions ended the Map Run: feed their outcomes until the
      // recorded event comes (successes first; a failure ends it on the
      // threshold, whichever iteration crossed it).
      auto fed = FeedIterations(*exec, s, outstanding, *iterations, history, cursor, note);
      if (!fed) return std::move(fed).error();
      if (auto st = apply_settings(next.timestamp_ms); !st) return std::move(st).error();
      continue;
    }
    if (IsTaskResult(next.type)) {
      const HistoryEvent* e = &next;
      while (e && !IsScheduled(e->type)) {
        auto it = by_id.find(e->previous_event_id);
        e = it == by_id.end() ? nullptr : it->second;
      }
      if (!e)
        return Error::Validation("no Scheduled event before event #" + std::to_string(next.id));
      fb.id = "task-" + std::to_string(e->id);
      json::object details = next.Details();
      if (next.type == "ActivityStarted") {
        fb.kind = Feedback::Kind::kTaskStarted;
        fb.output = OptFrom(details, "workerName").value_or("");
      } else if (next.type == "TaskSubmitted") {
        fb.kind = Feedback::Kind::kTaskSubmitted;
        fb.output = OptFrom(details, "output").value_or("");
      } else if (next.type.ends_with("Succeeded")) {
        fb.kind = Feedback::Kind::kTaskSucceeded;
        fb.output = OptFrom(details, "output").value_or("null");
      } else {
        fb.kind = next.type.ends_with("TimedOut") ? Feedback::Kind::kTaskTimedOut
                                                  : Feedback::Kind::kTaskFailed;
        fb.error = OptFrom(details, "error");
        fb.cause = OptFrom(details, "cause");
      }
    } else {
      // The interpreter moved on by itself: the earliest timer fired.
      fb.kind = Feedback::Kind::kTimerFired;
      if (next.type == "ExecutionTimedOut") {
        fb.id = "execution-timeout";
      } else {
        int64_t best = INT64_MAX;
        for (const auto& [id, t] : s.pending_timers())
          if (t.second >= 0 && t.first < best) best = t.first, fb.id = id;
      }
      if (fb.id.empty())
        return Error::Validation("the history continues at event #" + std::to_string(next.id) +
                                 " (" + next.type + ") but the execution waits for a task");
    }
    step = StepResult{};
    auto st = exec->Apply(fb, next.timestamp_ms, &step);
    if (!st) return std::move(st).error();
    if (auto c = Check(step.events, history, cursor); !c) return std::move(c).error();
    note(step);
    if (auto st = apply_settings(next.timestamp_ms); !st) return std::move(st).error();
  }
  if (pending) {
    for (auto& [id, c] : outstanding) {
      bool open = c.kind == CommandKind::kStartTimer ? s.pending_timers().contains(id)
                                                     : s.pending_tasks().contains(id);
      if (open) pending->push_back(std::move(c));
    }
  }
  return exec;
}

}  // namespace weft::asl
