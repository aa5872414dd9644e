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

std::optional<std::string> OptFrom(const json::object& o, std::string_view key) {
  if (auto* s = FindString(o, key)) return std::string(*s);
  return std::nullopt;
}

// The saved state is written as JSON text in place (no tree is built, and
// no input or variables are copied): the host writes it at every step.
class ObjectText {
 public:
  explicit ObjectText(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectText() { out_ += '}'; }
  ObjectText(const ObjectText&) = delete;
  ObjectText& operator=(const ObjectText&) = delete;
  // Writes `key`: and leaves the value to the caller.
  std::string& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendJsonString(out_, key);
    out_ += ':';
    return out_;
  }
  void Int(std::string_view key, int64_t v) { Key(key) += std::to_string(v); }
  void Bool(std::string_view key, bool v) { Key(key) += v ? "true" : "false"; }
  void Str(std::string_view key, std::string_view v) { AppendJsonString(Key(key), v); }
  void Value(std::string_view key, const json::value& v) { AppendJson(Key(key), v); }
  void OptStr(std::string_view key, const std::optional<std::string>& v) {
    if (v) {
      Str(key, *v);
    } else {
      Key(key) += "null";
    }
  }
  // Leaves out a field at its default.
  void IntIf(std::string_view key, int64_t v) {
    if (v != 0) Int(key, v);
  }
  void StrIf(std::string_view key, std::string_view v) {
    if (!v.empty()) Str(key, v);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

template <class Range>
void AppendIntArray(std::string& out, const Range& values) {
  out += '[';
  bool first = true;
  for (auto v : values) {
    if (!first) out += ',';
    first = false;
    out += std::to_string(v);
  }
  out += ']';
}

void SaveFan(std::string& out, const FanOut& fan) {
  ObjectText o(out);
  AppendJson(o.Key("items"), fan.items);
  AppendJson(o.Key("results"), fan.results);
  o.Int("runningChildren", fan.running_children);
  o.Int("nextChild", fan.next_child);
  o.Int("doneChildren", fan.done_children);
  o.Int("failedChildren", fan.failed_children);
  o.Int("maxConcurrency", fan.max_concurrency);
  o.Int("toleratedCount", fan.tolerated_count);
  o.Value("toleratedPercentage", json::value(fan.tolerated_percentage));
  o.Int("lastChildEvent", fan.last_child_event);
  o.Str("mapRunArn", fan.map_run_arn);
  o.Int("reused", fan.reused);
  AppendIntArray(o.Key("succeeded"), fan.succeeded);
}

// A frame's fields at their defaults are left out: most frames are a
// position and an input.
void SaveFrame(std::string& out, const Frame& f) {
  ObjectText o(out);
  o.Int("id", f.id);
  o.Int("parent", f.parent);
  o.Int("block", f.block);
  o.Int("state", f.state);
  o.IntIf("childIndex", f.child_index);
  if (f.ready) o.Bool("ready", true);
  o.IntIf("wait", static_cast<int>(f.wait));
  o.StrIf("waitId", f.wait_id);
  if (!f.input.is_null()) o.Value("input", f.input);
  if (!f.effective.is_null()) o.Value("effective", f.effective);
  if (!f.vars.empty()) AppendJson(o.Key("vars"), f.vars);
  o.IntIf("enteredEvent", f.entered_event);
  o.IntIf("prevEvent", f.prev_event);
  o.IntIf("enteredTime", f.entered_time_ms);
  if (!f.retry_counts.empty()) AppendIntArray(o.Key("retryCounts"), f.retry_counts);
  o.IntIf("retryTotal", f.retry_total);
  o.StrIf("taskToken", f.task_token);
  o.StrIf("taskKind", f.task_kind);
  if (f.fan_out && !(*f.fan_out == FanOut{})) SaveFan(o.Key("fan"), *f.fan_out);
  if (f.silent) o.Bool("silent", true);
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

void SaveChildResults(std::string& out,
                      const std::map<std::string, ExecutionState::ChildResults>& m) {
  ObjectText paths(out);
  for (const auto& [path, results] : m) {
    ObjectText children(paths.Key(path));
    for (const auto& [index, value] : results) children.Value(std::to_string(index), value);
  }
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

void ExecutionState::SaveTo(std::string& out, bool with_context) const {
  ObjectText o(out);
  o.Int("version", 1);
  if (with_context) {
    ObjectText c(o.Key("context"));
    c.Str("executionArn", ctx_.execution_arn);
    c.Str("executionName", ctx_.execution_name);
    c.Str("stateMachineArn", ctx_.state_machine_arn);
    c.Str("stateMachineName", ctx_.state_machine_name);
    c.Str("roleArn", ctx_.role_arn);
    c.Int("startTime", ctx_.start_time_ms);
    c.Bool("express", ctx_.express);
    c.Bool("childIterations", ctx_.child_iterations);
    c.Int("rootBlock", ctx_.root_block);
  }
  o.Str("status", ExecutionStatusName(status_));
  o.Str("output", output_);
  o.OptStr("error", error_);
  o.OptStr("cause", cause_);
  o.Int("nextEventId", next_event_id_);
  o.Int("nextFrameId", next_frame_id_);
  o.Int("idSeq", id_seq_);
  o.Str("rng", std::to_string(rng_));
  o.Str("input", input_text_);
  std::string& frames = o.Key("frames");
  frames += '[';
  bool first = true;
  for (const auto& [id, f] : frames_) {
    if (!first) frames += ',';
    first = false;
    SaveFrame(frames, f);
  }
  frames += ']';
  AppendIntArray(o.Key("ready"), ready_);
  {
    ObjectText tasks(o.Key("tasks"));
    for (const auto& [id, frame] : tasks_) tasks.Int(id, frame);
  }
  {
    ObjectText timers(o.Key("timers"));
    for (const auto& [id, t] : timers_) {
      std::string& v = timers.Key(id);
      v += '[' + std::to_string(t.first) + ',' + std::to_string(t.second) + ']';
    }
  }
  o.Int("redriveCount", redrive_count_);
  AppendJson(o.Key("redriveVars"), redrive_vars_);
  SaveChildResults(o.Key("kept"), kept_);
  SaveChildResults(o.Key("redriveDone"), redrive_done_);
}

json::value ExecutionState::Save() const {
  std::string text;
  SaveTo(text, /*with_context=*/true);
  auto parsed = ParseJson(text);
  return parsed ? std::move(*parsed) : json::value();
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
void Execution::SaveTo(std::string& out, bool with_context) const {
  state_->SaveTo(out, with_context);
}

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
