// Map and Parallel states: child frames in the same execution
// (asl/interpreter.h). Iterations of an inline Map and Parallel branches run
// depth first, at most MaxConcurrency at a time; their events interleave in
// the history as they happen. A Distributed Map runs its iterations here too
// but, as in AWS, their events are not part of the parent's history.
#include <cmath>

#include "asl/errors.h"
#include "asl/interpreter.h"

namespace weft::asl {

std::string MapRunArn(std::string_view state_machine_arn, std::string_view label,
                      std::string_view id) {
  // arn:aws:states:<region>:<account>:stateMachine:<name>
  std::string_view prefix = state_machine_arn;
  size_t at = prefix.find(":stateMachine:");
  std::string head = at == std::string_view::npos ? "arn:aws:states:us-east-1:123456789012"
                                                  : std::string(prefix.substr(0, at));
  std::string name(at == std::string_view::npos ? state_machine_arn : prefix.substr(at + 14));
  return head + ":mapRun:" + name + "/" + std::string(label) + ":" + std::string(id);
}

std::string StableUuid(std::string_view seed) {
  uint64_t a = Fnv1a(seed);
  uint64_t b = Fnv1a(std::string(seed) + "#uuid");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xfff),
                static_cast<unsigned long long>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

namespace {

// AWS also reads these fields from strings holding a number ("1").
std::optional<double> AsNumber(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string()) {
    auto parsed = ParseJson(std::string_view(v.as_string()));
    if (parsed && parsed->is_number()) return parsed->to_number<double>();
  }
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_string()) {
    auto parsed = ParseJson(std::string_view(v.as_string()));
    if (parsed && (parsed->is_int64() || parsed->is_uint64())) return WholeNumber(*parsed);
    return std::nullopt;
  }
  return WholeNumber(v);
}

// {"index": i, "name": the Map state}, the details of the MapIteration* events.
std::string IterationDetails(int64_t index, const std::string& name) {
  return DetailsText(name.size() + 40).Int("index", index).Str("name", name).Take();
}

}  // namespace

bool ExecutionState::RetryPending(const Frame& f, const State& s, std::string_view error) const {
  for (size_t i = 0; i < s.retry.size(); ++i) {
    if (!errors::Matches(s.retry[i].error_equals, error)) continue;
    int64_t used = i < f.retry_counts.size() ? f.retry_counts[i] : 0;
    return used < s.retry[i].max_attempts;
  }
  return false;
}

void ExecutionState::RunMap(Frame& f, const State& s) {
  if (s.jsonata) return RunMapJsonata(f, s);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  auto runtime = [&](const std::string& msg) {
    FailState(f, std::string(errors::kRuntime),
              errors::StateCausePrefix(s.name, f.entered_event) + msg);
  };
  // Nothing reads the Map's raw input after this: its items can be moved
  // to the iterations instead of copied (see StartChildren).
  const bool input_dead =
      s.retry.empty() && s.catchers.empty() && s.result_path.mode == ResultPathSpec::Mode::kReplace;
  json::value own_effective;  // when InputPath is not "$"
  const json::value* effective = &f.input;
  if (s.input_path.is_null) {
    own_effective = json::object{};
    effective = &own_effective;
  } else if (s.input_path.path) {
    EvalScope base{&f.input, &ctx, chain.innermost()};
    auto e = s.input_path.path->Evaluate(base);
    if (!e) return FailStateRuntime(f, e.error());
    own_effective = std::move(*e);
    effective = &own_effective;
  }
  EvalScope scope{effective, &ctx, chain.innermost()};
  json::value own_items;  // when ItemsPath is not a reference into the input
  const json::value* items = effective;
  if (s.items_path) {
    items = s.items_path->is_reference() ? s.items_path->Find(scope) : nullptr;
    if (!items) {
      auto r = s.items_path->Evaluate(scope);
      if (!r) return FailStateRuntime(f, r.error());
      own_items = std::move(*r);
      items = &own_items;
    }
  }
  if (!items->is_array())
    return runtime("Unable to apply ItemsPath " + (s.items_path ? s.items_path->text() : "$") +
                   " : the value is not an array: " + ToJson(*items));
  f.fan().max_concurrency = s.max_concurrency;
  if (s.max_concurrency_path) {
    auto v = s.max_concurrency_path->Evaluate(scope);
    if (!v) return FailStateRuntime(f, v.error());
    auto n = AsInteger(*v);
    if (!n || *n < 0 || *n > INT32_MAX)  // AWS reads it as a Java int
      return runtime("The MaxConcurrencyPath field refers to value \"" + Printable(*v) +
                     "\" which is not a valid integer: " + s.max_concurrency_path->text());
    f.fan().max_concurrency = *n;
  }
  const json::array& arr = items->as_array();
  Emit(&f, "MapStateStarted", json::object{{"length", static_cast<int64_t>(arr.size())}});
  f.fan().tolerated_count = s.tolerated_failure_count.value_or(-1);
  f.fan().tolerated_percentage = s.tolerated_failure_percentage.value_or(-1);
  if (s.tolerated_failure_count_path) {
    auto v = s.tolerated_failure_count_path->Evaluate(scope);
    if (!v) return FailStateRuntime(f, v.error());
    auto n = AsInteger(*v);
    if (!n || *n < 0) return runtime("ToleratedFailureCount cannot be negative.");
    f.fan().tolerated_count = *n;
  }
  if (s.tolerated_failure_percentage_path) {
    auto v = s.tolerated_failure_percentage_path->Evaluate(scope);
    if (!v) return FailStateRuntime(f, v.error());
    auto pct = AsNumber(*v);
    if (!pct || *pct < 0 || *pct > 100)
      return runtime("ToleratedFailurePercentage must be between 0 and 100.");
    f.fan().tolerated_percentage = *pct;
  }
  const size_t n = arr.size();
  // The items are ours to take when nothing reads them again: they are in
  // own_items or own_effective, or in a raw input that is dead.
  const bool items_ours =
      items == &own_items || ((!s.items_path || s.items_path->root() == Path::Root::kInput) &&
                              (effective != &f.input || input_dead));
  json::array inputs;
  if (!s.parameters && items_ours) {
    inputs = std::move(const_cast<json::value*>(items)->as_array());  // `arr` is empty now
  } else if (!s.parameters) {
    inputs = arr;
  } else {
    inputs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      json::value item_ctx = Context(f, s, &arr[i], static_cast<int64_t>(i));
      EvalScope item_scope{effective, &item_ctx, chain.innermost()};
      auto v = s.parameters->Evaluate(item_scope);
      if (!v) return FailStateRuntime(f, v.error());
      inputs.push_back(std::move(*v));
    }
  }
  if (input_dead) f.input = nullptr;  // the Map's result replaces it
  StartIterations(f, s, std::move(inputs));
}

void ExecutionState::StartIterations(Frame& f, const State& s, json::array inputs) {
  const size_t n = inputs.size();
  std::string map_run_arn;
  if (s.distributed) {
    // A Map Run per entry and attempt of the state, named the same on replay.
    std::string label = s.label.empty() ? StableUuid(s.name) : s.label;
    map_run_arn = MapRunArn(ctx_.state_machine_arn, label,
                            StableUuid(ctx_.execution_arn + "#" + std::to_string(f.entered_event) +
                                       "#" + std::to_string(f.retry_total)));
    Emit(&f, "MapRunStarted", json::object{{"mapRunArn", map_run_arn}});
  }
  f.fan().results = json::array(n);
  f.fan().items = std::move(inputs);
  StartFanOut(f);
  if (ChildIterations(s)) {
    f.fan().map_run_arn = std::move(map_run_arn);
    f.fan().reused = 0;
    if (auto done = redrive_done_.find(PathOf(f)); done != redrive_done_.end())
      f.fan().reused = static_cast<int64_t>(done->second.size());
    NoteMapRun(f, "RUNNING");
  }
  if (n == 0) {
    ChildFinished(f, f, true, nullptr, std::nullopt, std::nullopt);
    return;
  }
  StartChildren(f, s);
}

std::optional<json::value> ExecutionState::JsonPathParallelInput(Frame& f, const State& s) {
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  json::value effective = f.input;
  EvalScope base{&f.input, &ctx, chain.innermost()};
  if (s.input_path.is_null) {
    effective = json::object{};
  } else if (s.input_path.path) {
    auto e = s.input_path.path->Evaluate(base);
    if (!e) {
      FailStateRuntime(f, e.error());
      return std::nullopt;
    }
    effective = std::move(*e);
  }
  if (s.parameters) {
    EvalScope scope{&effective, &ctx, chain.innermost()};
    auto p = s.parameters->Evaluate(scope);
    if (!p) {
      FailStateRuntime(f, p.error());
      return std::nullopt;
    }
    effective = std::move(*p);
  }
  return effective;
}

void ExecutionState::RunParallel(Frame& f, const State& s) {
  auto input = s.jsonata ? JsonataParallelInput(f, s) : JsonPathParallelInput(f, s);
  if (!input) return;  // the state failed
  const json::value effective = std::move(*input);
  Emit(&f, "ParallelStateStarted", {});
  f.fan().items = json::array(s.branches.size(), effective);
  f.fan().results = json::array(s.branches.size());
  f.fan().max_concurrency = 0;
  f.fan().tolerated_count = -1;
  f.fan().tolerated_percentage = -1;
  StartFanOut(f);
  StartChildren(f, s);
}

void ExecutionState::StartFanOut(Frame& f) {
  FanOut& fan = f.fan();
  fan.succeeded.clear();
  fan.map_run_arn.clear();                                // set again by a Distributed Map
  if (f.retry_total > 0) DropProgress(f, redrive_done_);  // a retry runs every child again
  fan.next_child = fan.done_children = fan.failed_children = 0;
  fan.running_children = 0;
  fan.last_child_event = f.prev_event;
  f.wait = FrameWait::kChildren;
}

void ExecutionState::StartChildren(Frame& f, const State& s) {
  int64_t n = static_cast<int64_t>(f.fan().items.size());
  bool is_map = s.type == StateType::kMap;
  // A redrive runs again only the children that did not succeed.
  ChildResults* done = nullptr;
  if (!redrive_done_.empty()) {
    auto it = redrive_done_.find(PathOf(f));
    if (it != redrive_done_.end()) done = &it->second;
  }
  while (f.fan().next_child < n &&
         (f.fan().max_concurrency == 0 || f.fan().running_children < f.fan().max_concurrency)) {
    int64_t i = f.fan().next_child++;
    if (done) {
      if (auto kept = done->find(i); kept != done->end()) {
        f.fan().results[static_cast<size_t>(i)] = std::move(kept->second);
        done->erase(kept);
        f.fan().succeeded.push_back(i);
        ++f.fan().done_children;
        if (f.fan().done_children == n) {
          redrive_done_.erase(PathOf(f));
          return ChildFinished(f, f, true, nullptr, std::nullopt, std::nullopt);
        }
        continue;
      }
    }
    if (is_map && ChildIterations(s)) {
      StartIteration(f, s, i, std::move(f.fan().items[static_cast<size_t>(i)]));
      ++f.fan().running_children;
      continue;
    }
    int block = is_map ? s.processor : s.branches[static_cast<size_t>(i)];
    int parent_id = f.id;
    bool silent = f.silent || (is_map && s.distributed);
    int64_t prev = f.prev_event;
    // An item is read only to start its iteration: move it there.
    json::value input = std::move(f.fan().items[static_cast<size_t>(i)]);
    Frame& child = NewFrame(parent_id, block, std::move(input));
    Frame& parent = frames_.at(parent_id);  // NewFrame may rehash nothing (std::map): stable
    child.child_index = i;
    child.silent = silent;
    child.prev_event = prev;
    if (is_map && !silent) {
      EmitText(nullptr, "MapIterationStarted", IterationDetails(i, s.name), prev);
      child.prev_event = next_event_id_ - 1;
    }
    ++parent.fan().running_children;
  }
}

void ExecutionState::ChildFinished(Frame& parent, Frame& child, bool ok, json::value output,
                                   std::optional<std::string> error,
                                   std::optional<std::string> cause) {
  if (&child == &parent) {  // no children at all
    ChildDone(parent, -1, 0, ok, std::move(output), std::move(error), std::move(cause));
    return;
  }
  int64_t index = child.child_index;
  int64_t child_last = child.prev_event;
  if (!ok) KeepProgress(child);  // a Map or Parallel that failed in it
  frames_.erase(child.id);       // `child` is gone from here on
  ChildDone(parent, index, child_last, ok, std::move(output), std::move(error), std::move(cause));
}

void ExecutionState::ChildDone(Frame& parent, int64_t index, int64_t child_last, bool ok,
                               json::value output, std::optional<std::string> error,
                               std::optional<std::string> cause) {
  const State& s = CurrentState(parent);
  bool is_map = s.type == StateType::kMap;
  bool inline_events = is_map && !s.distributed && !parent.silent;
  bool map_run = is_map && ChildIterations(s);
  if (index >= 0) {
    --parent.fan().running_children;
    if (!parent.silent) parent.prev_event = child_last;
    if (inline_events) {
      EmitText(nullptr, ok ? "MapIterationSucceeded" : "MapIterationFailed",
               IterationDetails(index, s.name), child_last);
      parent.fan().last_child_event = next_event_id_ - 1;
    } else if (!parent.silent) {
      parent.fan().last_child_event = child_last;
    }
    ++parent.fan().done_children;
    if (ok) {
      parent.fan().succeeded.push_back(index);
      parent.fan().results[static_cast<size_t>(index)] = std::move(output);
    } else {
      ++parent.fan().failed_children;
      int64_t n = static_cast<int64_t>(parent.fan().items.size());
      bool tolerated =
          is_map &&
          ((parent.fan().tolerated_count >= 0 &&
            parent.fan().failed_children <= parent.fan().tolerated_count) ||
           (parent.fan().tolerated_percentage >= 0 &&
            parent.fan().failed_children * 100.0 <= parent.fan().tolerated_percentage * n));
      if (!tolerated) {
        bool tolerance_set =
            parent.fan().tolerated_count >= 0 || parent.fan().tolerated_percentage >= 0;
        std::optional<std::string> err = error;
        // A Distributed Map tolerates no failure unless told otherwise: it
        // fails on the threshold, whichever iteration crossed it.
        if (is_map && (tolerance_set || s.distributed)) {
          err = std::string(errors::kExceedToleratedFailureThreshold);
          cause = "The specified tolerated failure threshold was exceeded";
        }
        if (map_run) {
          CancelIterations(parent);
          NoteMapRun(parent, "FAILED");
        }
        for (int id : ChildrenOf(parent.id)) {
          auto it = frames_.find(id);
          if (it == frames_.end()) continue;
          int64_t idx = it->second.child_index;
          AbortFrame(it->second);
          if (inline_events)
            EmitText(nullptr, "MapIterationAborted", IterationDetails(idx, s.name),
                     parent.prev_event);
        }
        parent.fan().running_children = 0;
        parent.wait = FrameWait::kNone;
        if (!RetryPending(parent, s, err.value_or(""))) {
          if (is_map && s.distributed)
            Emit(&parent, "MapRunFailed",
                 json::object{{"error", err.value_or("")}, {"cause", cause.value_or("")}});
          Emit(&parent, is_map ? "MapStateFailed" : "ParallelStateFailed", {});
        }
        FailState(parent, err, cause);
        return;
      }
    }
  }
  if (parent.fan().done_children < static_cast<int64_t>(parent.fan().items.size())) {
    StartChildren(parent, s);
    return;
  }
  parent.wait = FrameWait::kNone;
  int64_t prev = inline_events ? parent.fan().last_child_event : parent.prev_event;
  int64_t exited_prev = prev;
  if (map_run) NoteMapRun(parent, "SUCCEEDED");
  if (is_map && s.distributed && !parent.silent) {
    // AWS links MapStateSucceeded and (in most recorded histories; it
    // varies with timing) MapStateExited to MapRunSucceeded.
    Emit(&parent, "MapRunSucceeded", {});
    prev = exited_prev = parent.prev_event;
  }
  if (!parent.silent) {
    Emit(nullptr, is_map ? "MapStateSucceeded" : "ParallelStateSucceeded", {}, prev);
    parent.prev_event = exited_prev;
  }
  json::value results(std::move(parent.fan().results));
  parent.fan().results = json::array();
  parent.fan().items = json::array();
  parent.fan().succeeded.clear();
  CompleteState(parent, s, std::move(results), true);
}

// ---------------------------------------------------------------- Map Runs

void ExecutionState::StartIteration(Frame& f, const State& s, int64_t index, json::value input) {
  // Unique in the execution: a state entry, an attempt, an item.
  std::string id = "iter-" + std::to_string(f.entered_event) + "-" + std::to_string(f.retry_total) +
                   "-" + std::to_string(index);
  tasks_[id] = f.id;
  Command c;
  c.kind = CommandKind::kStartIteration;
  c.id = std::move(id);
  c.state_name = s.name;
  c.input = ToJson(input);
  c.map_run_arn = f.fan().map_run_arn;
  c.item_index = index;
  c.processor = s.processor;
  out_->commands.push_back(std::move(c));
}

void ExecutionState::OnIterationResult(Frame& f, const Feedback& fb) {
  bool ok = fb.kind == Feedback::Kind::kTaskSucceeded;
  if (!ok && fb.kind != Feedback::Kind::kTaskFailed && fb.kind != Feedback::Kind::kTaskTimedOut)
    return;  // started, submitted: nothing to record
  int64_t index = 0;
  size_t dash = fb.id.rfind('-');
  if (dash != std::string::npos) index = std::strtoll(fb.id.c_str() + dash + 1, nullptr, 10);
  json::value output;
  if (ok) {
    auto parsed = ParseJson(fb.output.empty() ? std::string_view("null") : fb.output);
    if (parsed) output = std::move(*parsed);
  }
  ChildDone(f, index, f.prev_event, ok, std::move(output), fb.error, fb.cause);
}

void ExecutionState::CancelIterations(const Frame& f) {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second != f.id || !it->first.starts_with("iter-")) {
      ++it;
      continue;
    }
    Command c;
    c.kind = CommandKind::kCancelTask;
    c.id = it->first;
    out_->commands.push_back(std::move(c));
    it = tasks_.erase(it);
  }
}

void ExecutionState::NoteMapRun(const Frame& f, std::string_view status) {
  const FanOut& fan = f.fan();
  Command c;
  c.kind = CommandKind::kMapRunChanged;
  c.id = fan.map_run_arn;
  c.map_run.arn = fan.map_run_arn;
  c.map_run.status = std::string(status);
  c.map_run.total = static_cast<int64_t>(fan.items.size()) - fan.reused;
  c.map_run.max_concurrency = fan.max_concurrency;
  c.map_run.tolerated_count = std::max<int64_t>(0, fan.tolerated_count);
  c.map_run.tolerated_percentage = std::max(0.0, fan.tolerated_percentage);
  out_->commands.push_back(std::move(c));
}

void ExecutionState::AbortMap(Frame& f) {
  const State& s = CurrentState(f);
  if (s.distributed && f.wait == FrameWait::kChildren) {
    if (!f.fan().map_run_arn.empty()) {
      CancelIterations(f);
      NoteMapRun(f, "ABORTED");
    }
    Emit(&f, "MapRunAborted", {});
  }
  Emit(&f, "MapStateAborted", {});
}

Status ExecutionState::UpdateMapRun(std::string_view map_run_arn, const MapRunUpdate& update,
                                    int64_t now, StepResult* out) {
  Frame* f = nullptr;
  if (status_ == ExecutionStatus::kRunning)
    for (auto& [id, frame] : frames_)
      if (frame.fan_out && frame.fan_out->map_run_arn == map_run_arn &&
          frame.wait == FrameWait::kChildren)
        f = &frame;
  if (!f) return Error(Errc::kUnknownResource, "the Map Run is not running");
  now_ = now, out_ = out;
  FanOut& fan = f->fan();
  if (update.max_concurrency) fan.max_concurrency = *update.max_concurrency;
  if (update.tolerated_count) fan.tolerated_count = *update.tolerated_count;
  if (update.tolerated_percentage) fan.tolerated_percentage = *update.tolerated_percentage;
  NoteMapRun(*f, "RUNNING");
  StartChildren(*f, CurrentState(*f));  // a higher MaxConcurrency starts more now
  Run();
  out_ = nullptr;
  return {};
}

}  // namespace weft::asl
