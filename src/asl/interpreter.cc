// The run loop of an execution: frames, events, errors, closing
// (asl/interpreter.h).
#include "asl/interpreter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "asl/errors.h"
#include "common/clock.h"

namespace weft::asl {

ScopeChain::ScopeChain(const std::map<int, Frame>& frames, const Frame& f) {
  // The next scope outwards, or null: a Distributed Map iteration is a child
  // execution in AWS and does not see the variables of the states around it.
  auto outer = [&frames](const Frame* p) -> const Frame* {
    if (p->parent < 0) return nullptr;
    const Frame* parent = &frames.at(p->parent);
    return p->silent && !parent->silent ? nullptr : parent;
  };
  size_t depth = 0;
  for (const Frame* p = &f; p; p = outer(p)) ++depth;
  if (depth > kInline) {
    heap_.resize(depth);
    data_ = heap_.data();
  }
  for (const Frame* p = &f; p; p = outer(p)) data_[size_++] = Variables{&p->vars, nullptr};
  for (size_t i = 0; i + 1 < size_; ++i) data_[i].parent = &data_[i + 1];
}

const FanOut& Frame::fan() const {
  static const FanOut kNone;
  return fan_out ? *fan_out : kNone;
}

namespace {

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

void ExecutionState::Start(std::string_view input_text, json::value input, int64_t now,
                           StepResult* out) {
  now_ = now, out_ = out;
  // Even the shortest execution has a few events: skip the first regrowths.
  if (out_ && out_->events.capacity() == 0) out_->events.reserve(16);
  input_text_ = std::string(input_text);
  rng_ = Fnv1a(ctx_.execution_arn);
  EmitText(nullptr, "ExecutionStarted",
           DetailsText(DetailsRoom(input_text_.size()))
               .Str("input", input_text_)
               .NotTruncated("inputDetails")
               .Str("roleArn", ctx_.role_arn)
               .Take(),
           0);
  // The root frame owns the parsed input; $$.Execution.Input is parsed
  // again from input_text_ when a state first reads the context.
  Frame& root = NewFrame(-1, ctx_.root_block, std::move(input));
  root.prev_event = 0;
  // A Distributed Map's child execution has no TimeoutSeconds of its own.
  if (auto t = ctx_.root_block == 0 ? m_->timeout_seconds : std::nullopt) {
    timers_["execution-timeout"] = {ctx_.start_time_ms + *t * 1000, -1};
    Command c;
    c.kind = CommandKind::kStartTimer;
    c.id = "execution-timeout";
    c.fire_at_ms = ctx_.start_time_ms + *t * 1000;
    out_->commands.push_back(std::move(c));
  }
  Run();
  out_ = nullptr;
}

Status ExecutionState::Apply(const Feedback& fb, int64_t now, StepResult* out) {
  if (status_ != ExecutionStatus::kRunning) return Error::Validation("the execution is closed");
  now_ = now, out_ = out;
  Status st;
  if (fb.kind == Feedback::Kind::kTimerFired) {
    auto it = timers_.find(fb.id);
    if (it == timers_.end()) {
      st = Error::Validation("no pending timer \"" + fb.id + "\"");
    } else if (it->second.second < 0) {
      timers_.erase(it);
      CloseExecution(ExecutionStatus::kTimedOut, &frames_.at(0), nullptr, std::nullopt,
                     std::nullopt);
    } else {
      Frame& f = frames_.at(it->second.second);
      timers_.erase(it);
      OnTimer(f);
    }
  } else {
    auto it = tasks_.find(fb.id);
    if (it == tasks_.end()) {
      st = Error::Validation("no pending task \"" + fb.id + "\"");
    } else {
      Frame& f = frames_.at(it->second);
      if (fb.kind != Feedback::Kind::kTaskStarted && fb.kind != Feedback::Kind::kTaskSubmitted)
        tasks_.erase(it);
      if (f.wait == FrameWait::kChildren)
        OnIterationResult(f, fb);
      else
        OnTaskResult(f, fb);
    }
  }
  Run();
  out_ = nullptr;
  return st;
}

Status ExecutionState::Stop(std::optional<std::string> error, std::optional<std::string> cause,
                            int64_t now, StepResult* out) {
  if (status_ != ExecutionStatus::kRunning) return Error::Validation("the execution is closed");
  now_ = now, out_ = out;
  auto root = frames_.find(0);
  if (root != frames_.end()) {
    redrive_vars_ = root->second.vars;
    AbortFrame(root->second);  // keeps the progress of every Map and Parallel
  }
  NoteRedrivePoint();
  for (auto& [id, timer] : timers_) {
    Command c;
    c.kind = CommandKind::kCancelTimer;
    c.id = id;
    out_->commands.push_back(std::move(c));
  }
  timers_.clear();
  tasks_.clear();
  json::object details;
  if (error) details["error"] = *error;
  if (cause) details["cause"] = *cause;
  Emit(nullptr, "ExecutionAborted", std::move(details), next_event_id_ - 1);
  Command c;
  c.kind = CommandKind::kAbortExecution;
  c.error = error;
  c.cause = cause;
  out_->commands.push_back(std::move(c));
  error_ = std::move(error);
  cause_ = std::move(cause);
  status_ = ExecutionStatus::kAborted;
  frames_.clear();
  ready_.clear();
  out_ = nullptr;
  return {};
}

void ExecutionState::NoteRedrivePoint() {
  if (auto top = frames_.find(0); top != frames_.end()) redrive_vars_ = top->second.vars;
  for (const auto& [id, f] : frames_) KeepProgress(f);  // the states still in progress
  redrive_done_ = std::move(kept_);
  kept_.clear();
}

std::string ExecutionState::PathOf(const Frame& f) const {
  std::vector<const Frame*> chain;
  for (const Frame* p = &f; p; p = p->parent < 0 ? nullptr : &frames_.at(p->parent))
    chain.push_back(p);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Frame& p = **it;
    path += "b" + std::to_string(p.block) + ".s" + std::to_string(p.state) + ".i" +
            std::to_string(p.child_index) + "/";
  }
  return path;
}

void ExecutionState::KeepProgress(const Frame& f) {
  if (!f.fan_out || f.fan_out->succeeded.empty() || f.state < 0) return;
  StateType type = CurrentState(f).type;
  if (type != StateType::kMap && type != StateType::kParallel) return;
  const json::array& results = f.fan_out->results;
  ChildResults& kept = kept_[PathOf(f)];
  for (int64_t i : f.fan_out->succeeded)
    if (i >= 0 && static_cast<size_t>(i) < results.size()) kept[i] = results[i];
}

void ExecutionState::DropProgress(const Frame& f, std::map<std::string, ChildResults>& from) {
  if (from.empty()) return;
  std::string prefix = PathOf(f);
  for (auto it = from.lower_bound(prefix); it != from.end() && it->first.starts_with(prefix);)
    it = from.erase(it);
}

Status ExecutionState::Redrive(const std::vector<HistoryEvent>& history, int64_t now,
                               StepResult* out) {
  if (status_ == ExecutionStatus::kRunning || status_ == ExecutionStatus::kSucceeded) {
    return Error::Validation("Execution is " + std::string(ExecutionStatusName(status_)) +
                             " and cannot be redriven");
  }
  // The top-level state that was running when the execution closed: the last
  // top-level state entered (state names are unique in a state machine).
  const HistoryEvent* entered = nullptr;
  int state = -1;
  const Block& top = m_->block(ctx_.root_block);
  for (auto it = history.rbegin(); it != history.rend() && !entered; ++it) {
    if (!it->type.ends_with("StateEntered")) continue;
    json::object details = it->Details();
    const json::string* name = FindString(details, "name");
    auto at = name ? top.index.find(std::string(*name)) : top.index.end();
    if (at != top.index.end()) entered = &*it, state = at->second;
  }
  if (!entered) return Error::Validation("Execution has no state to redrive from");
  json::object details = entered->Details();
  const json::string* input_text = FindString(details, "input");
  auto input = ParseJson(input_text ? std::string_view(*input_text) : std::string_view("{}"));
  if (!input) return Error::Validation("the state's recorded input is not JSON");
  now_ = now, out_ = out;
  ++redrive_count_;
  Emit(nullptr, "ExecutionRedriven", json::object{{"redriveCount", redrive_count_}},
       next_event_id_ - 1);
  status_ = ExecutionStatus::kRunning;
  output_.clear();
  error_.reset();
  cause_.reset();
  StateType type = top.states[static_cast<size_t>(state)].type;
  if (type != StateType::kMap && type != StateType::kParallel) redrive_done_.clear();
  next_frame_id_ = 0;  // the top level is frame 0 again (no frame is left)
  Frame& f = NewFrame(-1, ctx_.root_block, std::move(*input));
  f.state = state;
  f.vars = redrive_vars_;
  f.prev_event = next_event_id_ - 1;
  Run();
  out_ = nullptr;
  return {};
}

Frame& ExecutionState::NewFrame(int parent, int block, json::value input) {
  int id = next_frame_id_++;
  Frame& f = frames_[id];
  f.id = id;
  f.parent = parent;
  f.block = block;
  f.state = m_->block(block).start_index;
  f.input = std::move(input);
  f.ready = true;
  ready_.push_back(id);
  return f;
}

void ExecutionState::Run() {
  while (!ready_.empty() && status_ == ExecutionStatus::kRunning) {
    int id = ready_.front();
    ready_.pop_front();
    auto it = frames_.find(id);
    if (it == frames_.end() || !it->second.ready) continue;
    it->second.ready = false;
    EnterState(it->second);
  }
}

void ExecutionState::Emit(Frame* f, std::string type, json::object details, int64_t prev) {
  if (f && f->silent) return;
  EmitText(f, std::move(type), ToJson(details), prev);
}

void ExecutionState::EmitText(Frame* f, std::string type, std::string details_json, int64_t prev) {
  if (f && f->silent) return;
  HistoryEvent e;
  e.id = next_event_id_++;
  e.previous_event_id = prev >= 0 ? prev : (f ? f->prev_event : e.id - 1);
  e.timestamp_ms = now_;
  e.type = std::move(type);
  e.details_json = std::move(details_json);
  if (f) f->prev_event = e.id;
  if (out_) out_->events.push_back(std::move(e));
}

void ExecutionState::Transition(Frame& f, int next, json::value output,
                                json::string output_quoted) {
  f.input = std::move(output);
  f.input_quoted = std::move(output_quoted);
  f.state = next;
  f.wait = FrameWait::kNone;
  f.ready = true;
  ready_.push_front(f.id);  // depth first: a branch runs until it blocks
}

void ExecutionState::FinishFrame(Frame& f, bool ok, json::value output,
                                 std::optional<std::string> error, std::optional<std::string> cause,
                                 std::string output_text) {
  if (f.parent < 0) {
    CloseExecution(ok ? ExecutionStatus::kSucceeded : ExecutionStatus::kFailed, &f,
                   std::move(output), std::move(error), std::move(cause), std::move(output_text));
    return;
  }
  Frame& parent = frames_.at(f.parent);
  ChildFinished(parent, f, ok, std::move(output), std::move(error), std::move(cause));
}

std::string ExecutionState::NewTimer(Frame& f, int64_t fire_at, const std::string& state_name) {
  std::string id = "timer-" + std::to_string(++id_seq_);
  timers_[id] = {fire_at, f.id};
  f.wait_id = id;
  Command c;
  c.kind = CommandKind::kStartTimer;
  c.id = id;
  c.state_name = state_name;
  c.fire_at_ms = fire_at;
  out_->commands.push_back(std::move(c));
  return id;
}

double ExecutionState::NextRandom() {
  if (random_) return random_();
  return static_cast<double>(SplitMix(rng_) >> 11) * 0x1.0p-53;
}

void ExecutionState::FailStateRuntime(Frame& f, const Error& e) {
  const State& s = CurrentState(f);
  std::string type = e.type().rfind("States.", 0) == 0 ? e.type() : std::string(errors::kRuntime);
  FailState(f, type, errors::StateCausePrefix(s.name, f.entered_event) + e.message());
}

bool ExecutionState::CatchJsonPath(Frame& f, const State& s, const Catcher& c,
                                   json::value err_value, json::value& output,
                                   json::object& assigned) {
  output = f.input;
  switch (c.result_path.mode) {
    case ResultPathSpec::Mode::kReplace:
      output = err_value;
      break;
    case ResultPathSpec::Mode::kDiscard:
      break;
    case ResultPathSpec::Mode::kPath: {
      auto st = c.result_path.path->Assign(output, err_value);
      if (!st) {
        FinishFrame(f, false, nullptr, st.error().type(),
                    errors::StateCausePrefix(s.name, f.entered_event) + st.error().message());
        return false;
      }
    }
  }
  if (c.assign) {
    ScopeChain chain(frames_, f);
    json::value ctx = s.needs_context ? Context(f, s) : json::value();
    EvalScope scope{&err_value, &ctx, chain.innermost()};
    auto a = c.assign->Evaluate(scope);
    if (!a) {
      FinishFrame(f, false, nullptr, a.error().type(),
                  errors::StateCausePrefix(s.name, f.entered_event) + a.error().message());
      return false;
    }
    if (a->is_object()) assigned = std::move(a->as_object());
  }
  return true;
}

void ExecutionState::FailState(Frame& f, std::optional<std::string> error_name,
                               std::optional<std::string> cause) {
  const State& s = CurrentState(f);
  const std::string error = error_name.value_or("");
  f.wait = FrameWait::kNone;
  // Retry: the first retrier that names the error decides.
  for (size_t i = 0; i < s.retry.size(); ++i) {
    const Retrier& r = s.retry[i];
    if (!errors::Matches(r.error_equals, error)) continue;
    if (f.retry_counts.size() < s.retry.size()) f.retry_counts.resize(s.retry.size(), 0);
    if (f.retry_counts[i] >= r.max_attempts) break;
    int64_t attempt = ++f.retry_counts[i];
    ++f.retry_total;
    double delay = r.interval_seconds * std::pow(r.backoff_rate, static_cast<double>(attempt - 1));
    if (r.max_delay_seconds) delay = std::min(delay, static_cast<double>(*r.max_delay_seconds));
    if (r.jitter_full) delay *= NextRandom();
    DropProgress(f, kept_);
    if (f.fan_out) f.fan_out->succeeded.clear();
    f.wait = FrameWait::kRetry;
    NewTimer(f, now_ + static_cast<int64_t>(delay * 1000.0), s.name);
    return;
  }
  // Catch.
  for (const Catcher& c : s.catchers) {
    if (!errors::Matches(c.error_equals, error)) continue;
    DropProgress(f, kept_);
    if (f.fan_out) f.fan_out->succeeded.clear();
    json::object err;
    if (error_name) err["Error"] = error;
    if (cause) err["Cause"] = *cause;
    json::value err_value(std::move(err));
    json::value output;
    json::object assigned;
    if (s.jsonata) {
      if (!CatchJsonata(f, s, c, err_value, output, assigned)) return;
    } else if (!CatchJsonPath(f, s, c, std::move(err_value), output, assigned)) {
      return;
    }
    for (auto& kv : assigned) f.vars[kv.key()] = kv.value();
    json::string output_quoted = QuoteJsonOf(output);
    DetailsText details(output_quoted.size() + s.name.size() + 96);
    details.Str("name", s.name).Quoted("output", output_quoted).NotTruncated("outputDetails");
    if (c.assign || c.jsonata.assign)
      details.TextsOf("assignedVariables", assigned).NotTruncated("assignedVariablesDetails");
    EmitText(&f, std::string(StateTypeName(s.type)) + "StateExited", details.Take());
    f.retry_counts.clear();
    f.retry_total = 0;
    Transition(f, c.next_index, std::move(output), std::move(output_quoted));
    return;
  }
  FinishFrame(f, false, nullptr, std::move(error_name), std::move(cause));
}

std::vector<int> ExecutionState::ChildrenOf(int frame_id) const {
  std::vector<int> out;
  for (const auto& [id, f] : frames_)
    if (f.parent == frame_id) out.push_back(id);
  return out;
}

void ExecutionState::AbortFrame(Frame& f) {
  // Only a frame waiting for its children has any (the scan is O(frames)).
  for (int child : f.wait == FrameWait::kChildren ? ChildrenOf(f.id) : std::vector<int>{}) {
    auto it = frames_.find(child);
    if (it != frames_.end()) AbortFrame(it->second);
  }
  if (f.state >= 0 && f.wait != FrameWait::kNone) {
    const State& s = CurrentState(f);
    if (f.wait == FrameWait::kTask || s.type == StateType::kTask)
      Emit(&f, "TaskStateAborted", {});
    else if (s.type == StateType::kWait)
      Emit(&f, "WaitStateAborted", {});
    else if (s.type == StateType::kMap)
      AbortMap(f);
    else if (s.type == StateType::kParallel)
      Emit(&f, "ParallelStateAborted", {});
  }
  if (f.wait == FrameWait::kTask && tasks_.erase(f.wait_id)) {
    Command c;
    c.kind = CommandKind::kCancelTask;
    c.id = f.wait_id;
    out_->commands.push_back(std::move(c));
  }
  if ((f.wait == FrameWait::kTimer || f.wait == FrameWait::kRetry) && timers_.erase(f.wait_id)) {
    Command c;
    c.kind = CommandKind::kCancelTimer;
    c.id = f.wait_id;
    out_->commands.push_back(std::move(c));
  }
  KeepProgress(f);
  const int id = f.id;  // not a reference into the node being erased
  frames_.erase(id);
}

void ExecutionState::CloseExecution(ExecutionStatus status, Frame* root, json::value output,
                                    std::optional<std::string> error,
                                    std::optional<std::string> cause, std::string output_text) {
  for (auto& [id, task] : tasks_) {
    Command c;
    c.kind = CommandKind::kCancelTask;
    c.id = id;
    out_->commands.push_back(std::move(c));
  }
  for (auto& [id, timer] : timers_) {
    Command c;
    c.kind = CommandKind::kCancelTimer;
    c.id = id;
    out_->commands.push_back(std::move(c));
  }
  // Map Runs still in progress end with the execution (their child
  // executions were stopped just above).
  for (const auto& [id, f] : frames_)
    if (f.fan_out && !f.fan_out->map_run_arn.empty() && f.wait == FrameWait::kChildren)
      NoteMapRun(f, "ABORTED");
  tasks_.clear();
  timers_.clear();
  int64_t prev = root ? root->prev_event : next_event_id_ - 1;
  Command c;
  if (status == ExecutionStatus::kSucceeded) {
    output_ = output_text.empty() ? std::string(ToJsonView(output)) : std::move(output_text);
    EmitText(nullptr, "ExecutionSucceeded",
             DetailsText(DetailsRoom(output_.size()))
                 .Str("output", output_)
                 .NotTruncated("outputDetails")
                 .Take(),
             prev);
    c.kind = CommandKind::kCompleteExecution;
    c.output = output_;
  } else {
    json::object details;
    if (error) details["error"] = *error;
    if (cause) details["cause"] = *cause;
    Emit(nullptr, status == ExecutionStatus::kTimedOut ? "ExecutionTimedOut" : "ExecutionFailed",
         std::move(details), prev);
    c.kind = status == ExecutionStatus::kTimedOut ? CommandKind::kTimeOutExecution
                                                  : CommandKind::kFailExecution;
    c.error = error;
    c.cause = cause;
  }
  error_ = std::move(error);
  cause_ = std::move(cause);
  out_->commands.push_back(std::move(c));
  status_ = status;
  NoteRedrivePoint();
  frames_.clear();
  ready_.clear();
}

const json::value& ExecutionState::ExecutionInput() const {
  if (!input_) {
    auto parsed = ParseJson(input_text_);  // valid: Start and Load parsed it before
    input_ = parsed ? std::move(*parsed) : json::value();
  }
  return *input_;
}

json::value ExecutionState::Context(const Frame& f, const State& s, const json::value* map_item,
                                    int64_t map_index) const {
  json::object execution{{"Id", ctx_.execution_arn},
                         {"Input", ExecutionInput()},
                         {"Name", ctx_.execution_name},
                         {"RoleArn", ctx_.role_arn},
                         {"StartTime", FormatIso8601(ctx_.start_time_ms)}};
  if (!ctx_.express) execution["RedriveCount"] = redrive_count_;
  json::object state{{"EnteredTime", FormatIso8601(f.entered_time_ms)}, {"Name", s.name}};
  // As recorded on AWS: a JSONata state that cannot retry has no RetryCount.
  bool can_retry =
      s.type == StateType::kTask || s.type == StateType::kMap || s.type == StateType::kParallel;
  if (!ctx_.express && (!s.jsonata || can_retry)) state["RetryCount"] = f.retry_total;
  json::object ctx{{"Execution", std::move(execution)},
                   {"State", std::move(state)},
                   {"StateMachine", json::object{{"Id", ctx_.state_machine_arn},
                                                 {"Name", ctx_.state_machine_name}}}};
  if (!f.task_token.empty()) ctx["Task"] = json::object{{"Token", f.task_token}};
  if (map_item)
    ctx["Map"] = json::object{{"Item", json::object{{"Index", map_index}, {"Value", *map_item}}}};
  return ctx;
}

// ---------------------------------------------------------------- Execution

Execution::Execution(std::unique_ptr<ExecutionState> state) : state_(std::move(state)) {}
Execution::Execution(Execution&&) noexcept = default;
Execution& Execution::operator=(Execution&&) noexcept = default;
Execution::~Execution() = default;

Result<Execution> Execution::Start(StateMachinePtr machine, ExecutionContext context,
                                   std::string_view input_json, int64_t now_ms, StepResult* out) {
  if (!machine) return Error::Validation("no state machine");
  auto input = ParseJson(input_json.empty() ? std::string_view("{}") : input_json);
  if (!input)
    return Error::Validation("the execution input is not valid JSON: " + input.error().message());
  auto state = std::make_unique<ExecutionState>(std::move(machine), std::move(context));
  state->Start(input_json.empty() ? std::string_view("{}") : input_json, std::move(*input), now_ms,
               out);
  return Execution(std::move(state));
}

Status Execution::Apply(const Feedback& feedback, int64_t now_ms, StepResult* out) {
  return state_->Apply(feedback, now_ms, out);
}

Status Execution::Stop(std::optional<std::string> error, std::optional<std::string> cause,
                       int64_t now_ms, StepResult* out) {
  return state_->Stop(std::move(error), std::move(cause), now_ms, out);
}

Status Execution::Redrive(const std::vector<HistoryEvent>& history, int64_t now_ms,
                          StepResult* out) {
  return state_->Redrive(history, now_ms, out);
}
int64_t Execution::redrive_count() const { return state_->redrive_count_; }

Status Execution::UpdateMapRun(std::string_view map_run_arn, const MapRunUpdate& update,
                               int64_t now_ms, StepResult* out) {
  return state_->UpdateMapRun(map_run_arn, update, now_ms, out);
}

void Execution::set_random_source(RandomSource random) { state_->random_ = std::move(random); }
ExecutionStatus Execution::status() const { return state_->status_; }
const std::string& Execution::output() const { return state_->output_; }
const std::string& Execution::input() const { return state_->input_text(); }
const std::optional<std::string>& Execution::error() const { return state_->error_; }
const std::optional<std::string>& Execution::cause() const { return state_->cause_; }
int64_t Execution::last_event_id() const { return state_->next_event_id_ - 1; }

}  // namespace weft::asl
