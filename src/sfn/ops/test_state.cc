// TestState: runs one state on an input, with no execution, no history and
// no task sent anywhere.
//
// The state becomes a one-state machine whose every transition target
// (Next, Default, Choices[i].Next, Catch[i].Next) is replaced by a Succeed
// stub of its own, and the asl interpreter runs it: entering a stub tells
// where the state went (a Catch stub: CAUGHT_ERROR) and with what output.
// Task states are answered by `mock` (result or errorOutput); without one,
// weft calls nothing and the task fails with States.TaskFailed (see
// docs/compatibility.md). Timers fire at once (Wait states do not wait); a
// retry timer stops the test as RETRIABLE unless
// stateConfiguration.retrierRetryCount says that retries were made before.
#include <array>
#include <deque>
#include <map>

#include "asl/asl.h"
#include "sfn/ops/definition_check.h"
#include "sfn/ops/resources.h"

namespace weft::sfn {
namespace {

constexpr auto kLevels = std::to_array<std::string_view>({"INFO", "DEBUG", "TRACE"});
constexpr auto kValidationModes = std::to_array<std::string_view>({"STRICT", "PRESENT", "NONE"});
constexpr int64_t kMaxEvents = 100'000;  // a guard against a state that never ends

struct Mock {
  std::optional<std::string> result;
  std::optional<std::string> error, cause;
  bool given() const { return result || error || cause; }
};

// A transition target replaced by a stub.
struct Stub {
  std::string original;
  int catch_index = -1;  // >= 0: Catch[catch_index].Next
};

struct TestMachine {
  json::object definition;
  std::map<std::string, Stub> stubs;  // stub name -> what it stands for
};

TestMachine BuildMachine(json::object state, const std::string& name) {
  TestMachine m;
  json::object states;
  auto replace = [&](json::value* target, int catch_index) {
    if (target == nullptr || !target->is_string()) return;
    std::string stub = "_weft_next_" + std::to_string(m.stubs.size());
    while (stub == name) stub += "_";
    m.stubs[stub] = Stub{std::string(target->as_string()), catch_index};
    *target = stub;
    states[stub] = json::object{{"Type", "Succeed"}};
  };
  replace(state.if_contains("Next"), -1);
  replace(state.if_contains("Default"), -1);
  for (std::string_view list : {"Choices", "Catch"}) {
    json::value* items = state.if_contains(list);
    if (items == nullptr || !items->is_array()) continue;
    for (size_t i = 0; i < items->as_array().size(); ++i) {
      json::value& item = items->as_array()[i];
      if (!item.is_object()) continue;
      replace(item.as_object().if_contains("Next"), list == "Catch" ? static_cast<int>(i) : -1);
    }
  }
  // A state given without a transition ends (AWS's TestState accepts it).
  const json::string* type = FindString(state, "Type");
  bool transitions = type && (*type == "Choice" || *type == "Succeed" || *type == "Fail");
  if (!transitions && !state.contains("Next") && !state.contains("End")) state["End"] = true;
  states[name] = std::move(state);
  m.definition = json::object{{"StartAt", name}, {"States", std::move(states)}};
  return m;
}

// How the state ended.
struct Outcome {
  std::string status;  // SUCCEEDED, FAILED, CAUGHT_ERROR, RETRIABLE
  std::optional<std::string> output, next_state, error, cause;
  std::optional<int64_t> catch_index, retry_backoff_seconds;
  // What the state's first task was sent: its Parameters or Arguments as
  // the run evaluated them ($uuid(), States.UUID() included).
  std::optional<std::string> task_input;
};

// The last failure's error and cause, from a *Failed / *TimedOut event.
void NoteFailure(const asl::HistoryEvent& e, Outcome& out) {
  if (!e.type.ends_with("Failed") && !e.type.ends_with("TimedOut")) return;
  json::object d = e.Details();
  const json::string* error = FindString(d, "error");
  const json::string* cause = FindString(d, "cause");
  out.error = error ? std::optional<std::string>(std::string(*error)) : std::nullopt;
  out.cause = cause ? std::optional<std::string>(std::string(*cause)) : std::nullopt;
}

Result<Outcome> Run(const TestMachine& m, const std::string& name, const std::string& input,
                    const Mock& mock, int64_t retries_done, Millis now) {
  auto compiled = asl::Compile(json::value(m.definition));
  if (!compiled.machine) {
    std::vector<DefinitionProblem> problems;
    for (const auto& d : compiled.diagnostics) {
      problems.push_back({"ERROR", "SCHEMA_VALIDATION_FAILED", d.location, d.message});
    }
    return InvalidDefinition(problems);
  }
  asl::ExecutionContext context;
  context.state_machine_name = "TestState";
  context.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:TestState";
  context.execution_name = "test";
  context.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:TestState:test";
  context.start_time_ms = now;
  asl::StepResult step;
  auto exec = asl::Execution::Start(compiled.machine, context, input, now, &step);
  if (!exec.ok()) {
    return Fault(Errc::kValidation, "InvalidExecutionInput",
                 "Invalid input: " + exec.error().message());
  }
  Outcome out;
  std::deque<asl::Feedback> pending;
  int64_t events = 0;
  while (true) {
    for (const auto& e : step.events) {
      NoteFailure(e, out);
      if (!e.type.ends_with("StateEntered")) continue;
      json::object details = e.Details();
      const json::string* entered = FindString(details, "name");
      auto stub = entered ? m.stubs.find(std::string(*entered)) : m.stubs.end();
      if (stub != m.stubs.end()) {
        const json::string* stub_input = FindString(details, "input");
        out.output = stub_input ? std::string(*stub_input) : "{}";
        out.next_state = stub->second.original;
        if (stub->second.catch_index >= 0) {
          out.status = "CAUGHT_ERROR";
          out.catch_index = stub->second.catch_index;
        } else {
          out.status = "SUCCEEDED";
          out.error.reset();
          out.cause.reset();
        }
        return out;
      }
    }
    events += static_cast<int64_t>(step.events.size());
    for (const auto& c : step.commands) {
      asl::Feedback fb;
      fb.id = c.id;
      if (c.kind == asl::CommandKind::kScheduleTask) {
        if (!out.task_input && c.state_name == name) out.task_input = c.input;
        if (mock.result) {
          fb.kind = asl::Feedback::Kind::kTaskSucceeded;
          fb.output = *mock.result;
        } else {
          fb.kind = asl::Feedback::Kind::kTaskFailed;
          fb.error = mock.given() ? mock.error : "States.TaskFailed";
          fb.cause = mock.given() ? mock.cause
                                  : "weft's TestState calls no task resource ('" + c.resource +
                                        "'): give a mock (result or errorOutput) to test a Task";
        }
        pending.push_back(std::move(fb));
      } else if (c.kind == asl::CommandKind::kStartTimer) {
        // A retry of the state tested (not a Wait, not a state inside it).
        if (c.state_name == name && out.error && retries_done-- <= 0) {
          out.status = "RETRIABLE";
          out.retry_backoff_seconds = std::max<int64_t>(0, (c.fire_at_ms - now) / 1000);
          return out;
        }
        fb.kind = asl::Feedback::Kind::kTimerFired;
        pending.push_back(std::move(fb));
      }
    }
    step = asl::StepResult{};
    if (exec->status() != asl::ExecutionStatus::kRunning) break;
    if (pending.empty() || events > kMaxEvents) {
      return Error::Validation("The state did not finish (it waits for nothing weft can give)");
    }
    asl::Feedback next = std::move(pending.front());
    pending.pop_front();
    if (auto s = exec->Apply(next, now, &step); !s) return std::move(s).error();
  }
  if (exec->status() == asl::ExecutionStatus::kSucceeded) {
    out.status = "SUCCEEDED";
    out.output = exec->output();
    out.error.reset();
    out.cause.reset();
  } else {
    out.status = "FAILED";
    out.error = exec->error();
    out.cause = exec->cause();
  }
  return out;
}

std::optional<std::string> OptText(RequestReader& r, std::string_view name, Length length) {
  return r.OptString(name, length);
}

}  // namespace

OpResult TestState(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string definition = r.String("definition", kDefinitionLen);
  auto role = r.OptString("roleArn", kArnLen);
  std::string input = OptText(r, "input", kSensitiveDataLen).value_or("{}");
  std::string level = r.OptEnum("inspectionLevel", kLevels).value_or("INFO");
  r.OptBool("revealSecrets");
  std::string variables = OptText(r, "variables", kSensitiveDataLen).value_or("");
  auto state_name = r.OptString("stateName", {1, 80});
  std::string context = OptText(r, "context", kSensitiveDataLen).value_or("");
  Mock mock;
  if (auto m = r.OptObject("mock")) {
    mock.result = m->OptString("result", kSensitiveDataLen);
    if (auto e = m->OptObject("errorOutput")) {
      mock.error = e->OptString("error", kErrorLen);
      mock.cause = e->OptString("cause", kCauseLen);
    }
    m->OptEnum("fieldValidationMode", kValidationModes);
    if (mock.result && (mock.error || mock.cause)) {
      m->AddError("A mock has a result or an errorOutput, not both");
    }
  }
  int64_t retries_done = 0;
  if (auto config = r.OptObject("stateConfiguration")) {
    retries_done = config->OptInt("retrierRetryCount", 0, INT32_MAX).value_or(0);
    config->OptString("errorCausedByState", {1, 80});
    config->OptInt("mapIterationFailureCount", 0, INT32_MAX);
    config->OptString("mapItemReaderData", kSensitiveDataLen);
  }
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (role && !role->starts_with("arn:")) co_return InvalidArn(*role);

  // The state: the whole definition, or one state of a state machine.
  auto parsed = ParseJson(definition);
  auto invalid = [](std::string why) {
    return InvalidDefinition({{"ERROR", "SCHEMA_VALIDATION_FAILED", "", std::move(why)}});
  };
  if (!parsed.ok() || !parsed->is_object())
    co_return invalid("the definition is not a JSON object");
  json::object state = parsed->as_object();
  std::string name = state_name.value_or("TestState");
  if (state_name) {
    const json::object* states = FindObject(state, "States");
    const json::value* found = states ? Find(*states, *state_name) : nullptr;
    if (found == nullptr || !found->is_object()) {
      co_return invalid("state \"" + *state_name + "\" is not in the definition's States");
    }
    // The state keeps the query language it has in its machine.
    const json::value* language = parsed->as_object().if_contains("QueryLanguage");
    state = found->as_object();
    if (language && !state.contains("QueryLanguage")) state["QueryLanguage"] = *language;
  }
  if (auto in = ParseJson(input); !in.ok()) {
    co_return Fault(Errc::kValidation, "InvalidExecutionInput",
                    "Invalid input: " + in.error().message());
  }
  TestMachine machine = BuildMachine(state, name);
  Millis now = ctx.engine.clock().Now();
  auto outcome = Run(machine, name, input, mock, retries_done, now);
  if (!outcome.ok()) co_return std::move(outcome).error();

  json::object out{{"status", outcome->status}};
  if (outcome->output && outcome->status != "FAILED" && outcome->status != "RETRIABLE") {
    out["output"] = *outcome->output;
  }
  if (outcome->next_state) out["nextState"] = *outcome->next_state;
  if (outcome->error) out["error"] = *outcome->error;
  if (outcome->cause) out["cause"] = *outcome->cause;
  if (level == "INFO") co_return json::value(std::move(out));

  // DEBUG and TRACE: the data flow. A Map's or Parallel's result is what the
  // state gives before ResultSelector, ResultPath and OutputPath: run it
  // once more without them.
  json::object inspection{{"input", input}};
  std::optional<std::string> result;
  const json::string* type = FindString(state, "Type");
  if (type && *type == "Task" && mock.result && outcome->status == "SUCCEEDED") {
    result = mock.result;
  } else if (type && (*type == "Map" || *type == "Parallel") && outcome->status == "SUCCEEDED") {
    json::object bare = state;
    for (std::string_view key :
         {"ResultSelector", "ResultPath", "OutputPath", "Assign", "Output"}) {
      bare.erase(key);
    }
    auto raw = Run(BuildMachine(bare, name), name, input, mock, retries_done, now);
    if (raw.ok() && raw->output) result = raw->output;
  }
  auto compiled = asl::Compile(json::value(machine.definition));
  auto flow = asl::TraceDataFlow(compiled.machine, name, input, result, context, variables);
  // A task's input is the one the run sent (the trace evaluates again).
  if (flow.ok() && flow->jsonata) {
    if (!flow->after_arguments.empty()) {
      inspection["afterArguments"] = outcome->task_input.value_or(flow->after_arguments);
    }
    if (!flow->result.empty()) inspection["result"] = flow->result;
  } else if (flow.ok()) {
    inspection["afterInputPath"] = flow->after_input_path;
    inspection["afterParameters"] = outcome->task_input.value_or(flow->after_parameters);
    if (!flow->result.empty()) inspection["result"] = flow->result;
    if (!flow->after_result_selector.empty()) {
      inspection["afterResultSelector"] = flow->after_result_selector;
    }
    if (!flow->after_result_path.empty()) inspection["afterResultPath"] = flow->after_result_path;
  }
  if (!variables.empty()) inspection["variables"] = variables;
  json::object details;
  if (outcome->catch_index) details["catchIndex"] = *outcome->catch_index;
  if (outcome->retry_backoff_seconds) {
    details["retryBackoffIntervalSeconds"] = *outcome->retry_backoff_seconds;
  }
  if (!details.empty()) inspection["errorDetails"] = std::move(details);
  out["inspectionData"] = std::move(inspection);
  co_return json::value(std::move(out));
}

}  // namespace weft::sfn
