// Entering and leaving states; Pass, Choice, Wait, Succeed, Fail and Task
// (asl/interpreter.h). Input and output processing follows the order of the
// Amazon States Language: InputPath, Parameters, the work, ResultSelector,
// ResultPath, OutputPath; Assign sees the state's result.
#include <cmath>

#include "asl/errors.h"
#include "asl/interpreter.h"

namespace weft::asl {
namespace {

// A copy of one built object: cheaper than building it from a list each time.
json::object TruncatedFalse() {
  static const json::object kTruncatedFalse{{"truncated", false}};
  return kTruncatedFalse;
}

// The Step Functions payload quota (UTF-8 bytes of a state's output).
constexpr size_t kMaxPayloadBytes = 262'144;

struct TaskKind {
  std::string kind;           // "task", "activity", "lambda"
  std::string resource_type;  // task: "lambda", "sqs", ...
  std::string resource;       // task: "invoke", "sendMessage.waitForTaskToken"
};

TaskKind ClassifyResource(const std::string& arn) {
  const std::string_view kService = "arn:aws:states:::";
  if (arn.rfind(kService, 0) == 0) {
    std::string rest = arn.substr(kService.size());
    auto colon = rest.find(':');
    if (colon == std::string::npos) return {"task", rest, rest};
    return {"task", rest.substr(0, colon), rest.substr(colon + 1)};
  }
  if (arn.find(":activity:") != std::string::npos) return {"activity", "", arn};
  if (arn.rfind("arn:aws:lambda:", 0) == 0) return {"lambda", "", arn};
  return {"task", "", arn};
}

std::string RegionOf(const std::string& arn) {
  // arn:aws:states:<region>:<account>:stateMachine:<name>
  size_t pos = 0;
  for (int i = 0; i < 3 && pos != std::string::npos; ++i) pos = arn.find(':', pos + 1);
  if (pos == std::string::npos) return "us-east-1";
  size_t end = arn.find(':', pos + 1);
  std::string region = arn.substr(pos + 1, end == std::string::npos ? end : end - pos - 1);
  return region.empty() ? "us-east-1" : region;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// Evaluates an InputPath/OutputPath: absent is "$", null is {}.
static Result<json::value> ApplyIoPath(const IoPath& p, const json::value& value,
                                       const EvalScope& base) {
  if (p.is_null) return json::value(json::object{});
  if (!p.path) return value;
  EvalScope scope = base;
  scope.input = &value;
  return p.path->Evaluate(scope);
}

// The same on a value that is not needed afterwards: "$" moves it through.
static Result<json::value> ApplyIoPath(const IoPath& p, json::value&& value,
                                       const EvalScope& base) {
  if (!p.is_null && !p.path) return std::move(value);
  return ApplyIoPath(p, static_cast<const json::value&>(value), base);
}

// Whether nothing reads a state's raw input once its output is being built:
// only Retry (which runs the state again) and Catch (ResultPath on the raw
// input) do. A state without them may move its input into its output.
static bool InputConsumable(const State& s) { return s.retry.empty() && s.catchers.empty(); }

std::string Printable(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : ToJson(v);
}

std::optional<int64_t> WholeNumber(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= INT64_MAX) return static_cast<int64_t>(v.as_uint64());
  if (v.is_double() && std::floor(v.as_double()) == v.as_double() && std::abs(v.as_double()) < 9e18)
    return static_cast<int64_t>(v.as_double());
  return std::nullopt;
}

json::value TakeInput(Frame& f, const State& s) {
  if (InputConsumable(s)) return std::move(f.input);
  return f.input;
}

void ExecutionState::EnterState(Frame& f) {
  const State& s = CurrentState(f);
  f.entered_time_ms = now_;
  f.retry_counts.clear();
  f.retry_total = 0;
  f.task_token.clear();
  f.wait = FrameWait::kNone;
  // The previous state's StateExited already serialised and quoted this input.
  json::string input_quoted =
      f.input_quoted.empty() ? QuoteJsonOf(f.input) : std::move(f.input_quoted);
  f.input_quoted = json::string();
  entered_prev_ = f.prev_event;
  EmitText(&f, std::string(StateTypeName(s.type)) + "StateEntered",
           DetailsText(input_quoted.size() + s.name.size() + 96)
               .Str("name", s.name)
               .Quoted("input", input_quoted)
               .NotTruncated("inputDetails")
               .Take());
  f.entered_event = f.prev_event;
  switch (s.type) {
    case StateType::kPass:
      RunPass(f, s);
      break;
    case StateType::kChoice:
      RunChoice(f, s);
      break;
    case StateType::kWait:
      RunWait(f, s);
      break;
    case StateType::kSucceed:
      RunSucceed(f, s);
      break;
    case StateType::kFail:
      RunFail(f, s);
      break;
    case StateType::kTask:
      RunTask(f, s);
      break;
    case StateType::kParallel:
    case StateType::kMap:
      ExecuteAction(f);
      break;
  }
}

void ExecutionState::ExecuteAction(Frame& f) {
  const State& s = CurrentState(f);
  switch (s.type) {
    case StateType::kMap:
      RunMap(f, s);
      break;
    case StateType::kParallel:
      RunParallel(f, s);
      break;
    default:
      RunTask(f, s);
      break;
  }
}

// The effective input: InputPath, then Parameters.
static Result<json::value> EffectiveInput(const State& s, const json::value& input,
                                          const EvalScope& base, bool with_parameters) {
  if (with_parameters && s.parameters && !s.input_path.is_null && !s.input_path.path) {
    EvalScope scope = base;  // InputPath "$": Parameters read the input itself
    scope.input = &input;
    return s.parameters->Evaluate(scope);
  }
  auto e = ApplyIoPath(s.input_path, input, base);
  if (!e || !with_parameters || !s.parameters) return e;
  EvalScope scope = base;
  scope.input = &*e;
  return s.parameters->Evaluate(scope);
}

void ExecutionState::RunPass(Frame& f, const State& s) {
  if (s.jsonata) return RunPassJsonata(f, s);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope base{&f.input, &ctx, chain.innermost()};
  if (s.result && !s.parameters && !s.input_path.path && !s.input_path.is_null) {
    CompleteState(f, s, *s.result, false);
    return;
  }
  if (!s.result && !s.parameters && s.result_path.mode == ResultPathSpec::Mode::kReplace &&
      InputConsumable(s)) {
    // The input becomes the result: nothing else reads it.
    auto e = ApplyIoPath(s.input_path, std::move(f.input), base);
    if (!e) return FailStateRuntime(f, e.error());
    CompleteState(f, s, std::move(*e), false);
    return;
  }
  auto e = EffectiveInput(s, f.input, base, true);
  if (!e) return FailStateRuntime(f, e.error());
  CompleteState(f, s, s.result ? *s.result : std::move(*e), false);
}

bool ExecutionState::CompleteState(Frame& f, const State& s, json::value result,
                                   bool apply_selector) {
  if (s.jsonata) return CompleteJsonata(f, s, &result, nullptr, s.next_index);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope scope{&result, &ctx, chain.innermost()};
  if (apply_selector && s.result_selector) {
    auto r = s.result_selector->Evaluate(scope);
    if (!r) {
      FailStateRuntime(f, r.error());
      return false;
    }
    result = std::move(*r);
    scope.input = &result;
  }
  json::object assigned;
  if (s.assign) {
    auto a = s.assign->Evaluate(scope);
    if (!a) {
      FailStateRuntime(f, a.error());
      return false;
    }
    if (a->is_object()) assigned = std::move(a->as_object());
  }
  json::value output;
  switch (s.result_path.mode) {
    case ResultPathSpec::Mode::kReplace:
      output = std::move(result);
      break;
    case ResultPathSpec::Mode::kDiscard:
      output = TakeInput(f, s);
      break;
    case ResultPathSpec::Mode::kPath: {
      output = TakeInput(f, s);
      auto st = s.result_path.path->Assign(output, std::move(result));
      if (!st) {
        FailStateRuntime(f, st.error());
        return false;
      }
    }
  }
  auto out = ApplyIoPath(s.output_path, std::move(output), scope);
  if (!out) {
    FailStateRuntime(f, out.error());
    return false;
  }
  return Exit(f, s, std::move(*out), s.assign ? &assigned : nullptr, s.next_index);
}

bool ExecutionState::Exit(Frame& f, const State& s, json::value output,
                          const json::object* assigned, int next) {
  json::string quoted = QuoteJsonOf(output);
  // The quota counts the output's own text, which is never longer than this.
  if (quoted.size() > kMaxPayloadBytes && ToJsonView(output).size() > kMaxPayloadBytes) {
    // Terminal: no Retry or Catch sees States.DataLimitExceeded.
    FailState(f, std::string(errors::kDataLimitExceeded),
              "The state/task '" + s.name +
                  "' returned a result with a size exceeding the maximum number of bytes service "
                  "limit.");
    return false;
  }
  bool finishes = s.type == StateType::kSucceed || (s.end && next < 0);
  DetailsText details(quoted.size() + s.name.size() + 96);
  details.Str("name", s.name);
  if (assigned) {
    for (const auto& kv : *assigned) f.vars[kv.key()] = kv.value();
    details.TextsOf("assignedVariables", *assigned).NotTruncated("assignedVariablesDetails");
  }
  details.Quoted("output", quoted).NotTruncated("outputDetails");
  EmitText(&f, std::string(StateTypeName(s.type)) + "StateExited", details.Take());
  if (finishes) {
    FinishFrame(f, true, std::move(output), std::nullopt, std::nullopt);
  } else {
    Transition(f, next, std::move(output), std::move(quoted));  // the next StateEntered input
  }
  return true;
}

void ExecutionState::RunChoice(Frame& f, const State& s) {
  if (s.jsonata) return RunChoiceJsonata(f, s);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope base{&f.input, &ctx, chain.innermost()};
  auto e = ApplyIoPath(s.input_path, TakeInput(f, s), base);
  if (!e) return FailStateRuntime(f, e.error());
  EvalScope scope{&*e, &ctx, chain.innermost()};
  const ChoiceRule* matched = nullptr;
  for (const ChoiceRule& rule : s.choices) {
    auto r = EvaluateChoiceRule(rule, scope);
    if (!r) return FailStateRuntime(f, r.error());
    if (*r) {
      matched = &rule;
      break;
    }
  }
  int next = matched ? matched->next_index : s.default_index;
  if (next < 0) {
    return FailState(f, std::string(errors::kNoChoiceMatched), "No Matches!");
  }
  json::object assigned;
  bool any_assign = false;
  for (const std::optional<Template>* t : {&s.assign, matched ? &matched->assign : nullptr}) {
    if (!t || !*t) continue;
    any_assign = true;
    auto a = (*t)->Evaluate(scope);
    if (!a) return FailStateRuntime(f, a.error());
    if (a->is_object())
      for (auto& kv : a->as_object()) assigned[kv.key()] = kv.value();
  }
  auto out = ApplyIoPath(s.output_path, std::move(*e), scope);
  if (!out) return FailStateRuntime(f, out.error());
  Exit(f, s, std::move(*out), any_assign ? &assigned : nullptr, next);
}

void ExecutionState::RunWait(Frame& f, const State& s) {
  if (s.jsonata) return RunWaitJsonata(f, s);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope base{&f.input, &ctx, chain.innermost()};
  auto e = EffectiveInput(s, f.input, base, false);
  if (!e) return FailStateRuntime(f, e.error());
  f.effective = std::move(*e);
  EvalScope scope{&f.effective, &ctx, chain.innermost()};
  int64_t fire_at = now_;
  auto runtime = [&](std::string msg) {
    FailState(f, std::string(errors::kRuntime),
              errors::StateCausePrefix(s.name, f.entered_event) + msg);
  };
  if (s.seconds) {
    fire_at = now_ + *s.seconds * 1000;
  } else if (s.timestamp) {
    fire_at = ParseTimestamp(*s.timestamp).value_or(now_);
  } else if (s.seconds_path) {
    const std::string& text = s.seconds_path->text();
    auto v = s.seconds_path->Evaluate(scope);
    if (!v) return runtime("The SecondsPath parameter does not reference an input value: " + text);
    std::optional<int64_t> secs;
    if (v->is_int64())
      secs = v->as_int64();
    else if (v->is_uint64())
      secs = static_cast<int64_t>(v->as_uint64());
    if (!secs)
      return runtime("The SecondsPath parameter cannot be parsed as a long value: " + text +
                     " == " + Printable(*v));
    if (*secs < 0)
      return runtime("The SecondsPath parameter references a negative value: " + text +
                     " == " + Printable(*v));
    if (*secs >= (int64_t{1} << 31))
      return runtime("The SecondsPath parameter references a value that is too large: " + text +
                     " == " + Printable(*v));
    fire_at = now_ + *secs * 1000;
  } else if (s.timestamp_path) {
    const std::string& text = s.timestamp_path->text();
    auto v = s.timestamp_path->Evaluate(scope);
    if (!v)
      return runtime("The TimestampPath parameter does not reference an input value: " + text);
    std::optional<int64_t> ts;
    if (v->is_string()) ts = ParseTimestamp(std::string_view(v->as_string()));
    if (!ts)
      return runtime(
          "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
          "date-time format string: " +
          text + " == " + Printable(*v));
    fire_at = *ts;
  }
  f.wait = FrameWait::kTimer;
  NewTimer(f, fire_at, s.name);
}

void ExecutionState::OnTimer(Frame& f) {
  const State& s = CurrentState(f);
  if (f.wait == FrameWait::kRetry) {
    f.wait = FrameWait::kNone;
    ExecuteAction(f);
    return;
  }
  f.wait = FrameWait::kNone;
  if (s.jsonata) {
    CompleteJsonata(f, s, nullptr, nullptr, s.next_index);
    return;
  }
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope scope{&f.effective, &ctx, chain.innermost()};
  json::object assigned;
  if (s.assign) {
    auto a = s.assign->Evaluate(scope);
    if (!a) return FailStateRuntime(f, a.error());
    if (a->is_object()) assigned = std::move(a->as_object());
  }
  auto out = ApplyIoPath(s.output_path, f.effective, scope);
  if (!out) return FailStateRuntime(f, out.error());
  Exit(f, s, std::move(*out), s.assign ? &assigned : nullptr, s.next_index);
}

void ExecutionState::RunSucceed(Frame& f, const State& s) {
  if (s.jsonata) {
    CompleteJsonata(f, s, nullptr, nullptr, -1);
    return;
  }
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope base{&f.input, &ctx, chain.innermost()};
  auto e = ApplyIoPath(s.input_path, TakeInput(f, s), base);
  if (!e) return FailStateRuntime(f, e.error());
  auto out = ApplyIoPath(s.output_path, std::move(*e), base);
  if (!out) return FailStateRuntime(f, out.error());
  Exit(f, s, std::move(*out), nullptr, -1);
}

void ExecutionState::RunFail(Frame& f, const State& s) {
  if (s.jsonata) return RunFailJsonata(f, s);
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope scope{&f.input, &ctx, chain.innermost()};
  std::optional<std::string> error = s.error, cause = s.cause;
  for (auto [expr, field, target] : {std::tuple{&s.error_path, "ErrorPath", &error},
                                     std::tuple{&s.cause_path, "CausePath", &cause}}) {
    if (!*expr) continue;
    auto v = (*expr)->Evaluate(scope);
    if (!v) {
      if (v.error().type() == errors::kRuntime && std::holds_alternative<Path>((*expr)->expr)) {
        return FinishFrame(f, false, nullptr, std::string(errors::kRuntime),
                           errors::StateCausePrefix(s.name, f.entered_event) + "The JSONPath '" +
                               (*expr)->text + "' specified for the field '" + field +
                               "' could not be found in the input '" + ToJson(f.input) + "'");
      }
      return FinishFrame(f, false, nullptr, v.error().type(),
                         errors::StateCausePrefix(s.name, f.entered_event) + v.error().message());
    }
    *target = Printable(*v);
  }
  FinishFrame(f, false, nullptr, std::move(error), std::move(cause));
}

std::optional<ExecutionState::TaskRequest> ExecutionState::JsonPathTaskRequest(Frame& f,
                                                                               const State& s) {
  ScopeChain chain(frames_, f);
  json::value ctx = s.needs_context ? Context(f, s) : json::value();
  EvalScope base{&f.input, &ctx, chain.innermost()};
  auto e = EffectiveInput(s, f.input, base, true);
  if (!e) {
    FailStateRuntime(f, e.error());
    return std::nullopt;
  }
  TaskRequest r{std::move(*e), s.timeout_seconds.value_or(0), s.heartbeat_seconds.value_or(0)};
  EvalScope scope{&f.input, &ctx, chain.innermost()};
  for (auto [path, target, name] :
       {std::tuple{&s.timeout_seconds_path, &r.timeout, "TimeoutSecondsPath"},
        std::tuple{&s.heartbeat_seconds_path, &r.heartbeat, "HeartbeatSecondsPath"}}) {
    if (!*path) continue;
    auto v = (*path)->Evaluate(scope);
    if (!v) {
      FailStateRuntime(f, v.error());
      return std::nullopt;
    }
    if (!v->is_int64() || v->as_int64() <= 0 || v->as_int64() > kSchemaMaximum) {
      FailState(f, std::string(errors::kRuntime),
                errors::StateCausePrefix(s.name, f.entered_event) + "The " + name +
                    " field refers to value \"" + Printable(*v) +
                    "\" which is not a valid positive integer: " + (*path)->text());
      return std::nullopt;
    }
    *target = v->as_int64();
  }
  return r;
}

void ExecutionState::RunTask(Frame& f, const State& s) {
  TaskKind kind = ClassifyResource(s.resource);
  if (f.task_token.empty() &&
      (EndsWith(s.resource, ".waitForTaskToken") || kind.kind == "activity")) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(
                      Fnv1a(ctx_.execution_arn + "#" + std::to_string(f.entered_event))));
    f.task_token = std::string(buf) + "-" + std::to_string(f.entered_event) + "-" +
                   std::to_string(f.retry_total);
    if (ctx_.mint_task_token) f.task_token = ctx_.mint_task_token(f.task_token);
  }
  auto request = s.jsonata ? JsonataTaskRequest(f, s) : JsonPathTaskRequest(f, s);
  if (!request) return;                                     // the state failed
  const json::value effective = std::move(request->input);  // only sent: not kept in the frame
  const int64_t timeout = request->timeout, heartbeat = request->heartbeat;
  // "task-<TaskScheduled event id>" lets Replay match results to tasks;
  // Distributed Map iterations have no events here, so they count instead.
  std::string id =
      f.silent ? "task-d" + std::to_string(++id_seq_) : "task-" + std::to_string(next_event_id_);
  f.task_kind = kind.kind;
  std::string input_text = ToJson(effective);
  if (kind.kind == "activity") {
    json::object d{
        {"resource", s.resource}, {"input", input_text}, {"inputDetails", TruncatedFalse()}};
    if (timeout) d["timeoutInSeconds"] = timeout;
    if (heartbeat) d["heartbeatInSeconds"] = heartbeat;
    Emit(&f, "ActivityScheduled", std::move(d));
  } else if (kind.kind == "lambda") {
    json::object d{
        {"resource", s.resource}, {"input", input_text}, {"inputDetails", TruncatedFalse()}};
    if (timeout) d["timeoutInSeconds"] = timeout;
    Emit(&f, "LambdaFunctionScheduled", std::move(d));
    Emit(&f, "LambdaFunctionStarted", {});
  } else {
    json::object d{{"resourceType", kind.resource_type},
                   {"resource", kind.resource},
                   {"region", RegionOf(ctx_.state_machine_arn)},
                   {"parameters", input_text}};
    if (timeout) d["timeoutInSeconds"] = timeout;
    if (heartbeat) d["heartbeatInSeconds"] = heartbeat;
    Emit(&f, "TaskScheduled", std::move(d));
    Emit(&f, "TaskStarted",
         json::object{{"resourceType", kind.resource_type}, {"resource", kind.resource}});
  }
  f.wait = FrameWait::kTask;
  f.wait_id = id;
  tasks_[id] = f.id;
  Command c;
  c.kind = CommandKind::kScheduleTask;
  c.id = id;
  c.state_name = s.name;
  c.resource = s.resource;
  c.input = std::move(input_text);
  c.timeout_seconds = timeout;
  c.heartbeat_seconds = heartbeat;
  c.task_token = f.task_token;
  out_->commands.push_back(std::move(c));
}

void ExecutionState::OnTaskResult(Frame& f, const Feedback& fb) {
  const State& s = CurrentState(f);
  TaskKind kind = ClassifyResource(s.resource);
  std::string prefix = kind.kind == "activity" ? "Activity"
                       : kind.kind == "lambda" ? "LambdaFunction"
                                               : "Task";
  auto details = [&](json::object d) {
    if (kind.kind == "task") {
      d["resourceType"] = kind.resource_type;
      d["resource"] = kind.resource;
    }
    return d;
  };
  switch (fb.kind) {
    case Feedback::Kind::kTaskStarted:
      if (kind.kind == "activity")
        Emit(&f, "ActivityStarted", json::object{{"workerName", fb.output}});
      return;
    case Feedback::Kind::kTaskSubmitted:
      if (kind.kind == "task")
        Emit(&f, "TaskSubmitted",
             details(json::object{{"output", fb.output}, {"outputDetails", TruncatedFalse()}}));
      return;
    case Feedback::Kind::kTaskSucceeded: {
      Emit(&f, prefix + "Succeeded",
           details(json::object{{"output", fb.output}, {"outputDetails", TruncatedFalse()}}));
      f.wait = FrameWait::kNone;
      auto result = ParseJson(fb.output.empty() ? std::string_view("null") : fb.output);
      if (!result)
        return FailState(f, std::string(errors::kRuntime),
                         errors::StateCausePrefix(s.name, f.entered_event) +
                             "The task output is not valid JSON");
      CompleteState(f, s, std::move(*result), true);
      return;
    }
    case Feedback::Kind::kTaskFailed:
    case Feedback::Kind::kTaskTimedOut: {
      bool timed_out = fb.kind == Feedback::Kind::kTaskTimedOut;
      std::string error = fb.error.value_or(timed_out ? std::string(errors::kTimeout) : "");
      json::object d;
      if (!error.empty() || timed_out) d["error"] = error;
      if (fb.cause) d["cause"] = *fb.cause;
      Emit(&f, prefix + (timed_out ? "TimedOut" : "Failed"), details(std::move(d)));
      f.wait = FrameWait::kNone;
      FailState(f, error, fb.cause);
      return;
    }
    case Feedback::Kind::kTimerFired:
      return;
  }
}

}  // namespace weft::asl
