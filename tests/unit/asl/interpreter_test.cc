// The interpreter: table cases (cases/interpreter.json: definition, input,
// mocked task results, expected status/output/error/cause/event types) run
// through RunLocally, plus host-protocol tests on Execution (commands, retry
// delays, jitter, task tokens, timeouts).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "asl/asl.h"
#include "cases/case_file.h"
#include "test_context.h"

namespace weft::asl {
namespace {

using testing::LoadCases;

// {"State": [response, ...]} -> an AWS Step Functions Local mock file.
std::string MockFile(const json::object& mocks) {
  json::object test_case, responses;
  for (const auto& kv : mocks) {
    std::string name = std::string(kv.key()) + "Response";
    test_case[kv.key()] = name;
    json::object by_call;
    const auto& list = kv.value().as_array();
    for (size_t i = 0; i < list.size(); ++i) by_call[std::to_string(i)] = list[i];
    responses[name] = std::move(by_call);
  }
  json::object doc{
      {"StateMachines",
       json::object{{"machine", json::object{{"TestCases", json::object{{"t", test_case}}}}}}},
      {"MockedResponses", std::move(responses)}};
  return ToJson(doc);
}

TEST(InterpreterTest, CaseTable) {
  json::array cases = LoadCases("interpreter.json");
  ASSERT_GT(cases.size(), 15u);
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    SCOPED_TRACE(std::string(o.at("name").as_string()));
    CompileResult compiled = Compile(o.at("definition"));
    ASSERT_TRUE(compiled.machine) << FormatDiagnostic(compiled.diagnostics.at(0));
    LocalRunOptions options;
    options.state_machine_name = "machine";
    if (const json::object* mocks = FindObject(o, "mocks")) {
      auto m = ParseMockConfig(MockFile(*mocks));
      ASSERT_TRUE(m.ok()) << m.error().message();
      options.mocks = *m;
    }
    auto r = RunLocally(compiled.machine, ToJson(o.at("input")), options);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const auto& expect = o.at("expect").as_object();
    EXPECT_EQ(ExecutionStatusName(r->status), std::string(expect.at("status").as_string()))
        << r->error.value_or("") << ": " << r->cause.value_or("");
    if (const json::value* out = Find(expect, "output")) {
      auto got = ParseJson(r->output);
      ASSERT_TRUE(got.ok()) << r->output;
      EXPECT_EQ(ToJson(*got), ToJson(*out));
    }
    if (auto* e = FindString(expect, "error")) {
      EXPECT_EQ(r->error.value_or(""), std::string(*e));
    }
    if (auto* c2 = FindString(expect, "cause")) {
      EXPECT_EQ(r->cause.value_or(""), std::string(*c2));
    }
    if (const json::array* events = FindArray(expect, "events")) {
      std::vector<std::string> want, got;
      for (const auto& e : *events) want.emplace_back(e.as_string());
      for (const auto& e : r->history) got.push_back(e.type);
      EXPECT_EQ(got, want);
    }
    // Event ids are 1..n and every previousEventId points backwards.
    for (size_t i = 0; i < r->history.size(); ++i) {
      EXPECT_EQ(r->history[i].id, static_cast<int64_t>(i + 1));
      EXPECT_LT(r->history[i].previous_event_id, r->history[i].id);
    }
  }
}

StateMachinePtr MustCompile(std::string_view text) {
  CompileResult r = Compile(text);
  EXPECT_TRUE(r.machine) << (r.diagnostics.empty() ? "" : FormatDiagnostic(r.diagnostics[0]));
  return r.machine;
}

const Command* FindCommand(const StepResult& r, CommandKind kind) {
  for (const auto& c : r.commands)
    if (c.kind == kind) return &c;
  return nullptr;
}

TEST(InterpreterTest, RetryDelaysBackOffUpToMaxDelay) {
  auto m = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "End": true,
      "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxDelaySeconds": 10,
                 "MaxAttempts": 3}]}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  int64_t now = 1'000'000;
  const int64_t want_delays[] = {2000, 6000, 10000};
  for (int64_t delay : want_delays) {
    const Command* task = FindCommand(r, CommandKind::kScheduleTask);
    ASSERT_NE(task, nullptr);
    Feedback failed{Feedback::Kind::kTaskFailed, task->id, "", "E", "c"};
    r = StepResult{};
    ASSERT_TRUE(exec->Apply(failed, now, &r).ok());
    const Command* timer = FindCommand(r, CommandKind::kStartTimer);
    ASSERT_NE(timer, nullptr);
    EXPECT_EQ(timer->fire_at_ms - now, delay);
    now = timer->fire_at_ms;
    Feedback fired{Feedback::Kind::kTimerFired, timer->id, "", {}, {}};
    r = StepResult{};
    ASSERT_TRUE(exec->Apply(fired, now, &r).ok());
  }
  const Command* task = FindCommand(r, CommandKind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  std::string last_id = task->id;
  r = StepResult{};
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskFailed, last_id, "", "E", "last"}, now, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kFailed);
  EXPECT_EQ(exec->cause(), "last");
  ASSERT_NE(FindCommand(r, CommandKind::kFailExecution), nullptr);
}

TEST(InterpreterTest, FullJitterScalesTheDelayByTheRandomSource) {
  auto m = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "End": true,
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  exec->set_random_source([] { return 0.25; });
  const Command* task = FindCommand(r, CommandKind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  std::string id = task->id;
  r = StepResult{};
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskFailed, id, "", "X", {}}, 0, &r).ok());
  const Command* timer = FindCommand(r, CommandKind::kStartTimer);
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(timer->fire_at_ms, 1000);
}

TEST(InterpreterTest, WaitForTaskTokenPassesTheTokenToParameters) {
  auto m = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters": {"token.$": "$$.Task.Token"}, "HeartbeatSecondsPath": "$.hb",
      "TimeoutSeconds": 100, "End": true}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), R"({"hb": 30})", 0, &r);
  ASSERT_TRUE(exec.ok());
  const Command* task = FindCommand(r, CommandKind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  EXPECT_FALSE(task->task_token.empty());
  EXPECT_EQ(task->input, ToJson(json::object{{"token", task->task_token}}));
  EXPECT_EQ(task->timeout_seconds, 100);
  EXPECT_EQ(task->heartbeat_seconds, 30);
  EXPECT_EQ(task->resource, "arn:aws:states:::sqs:sendMessage.waitForTaskToken");
}

// The values a state hands to its host (timeouts of a task, the time of a
// Wait) are checked as AWS checks them, whatever the input holds: each
// wrongly typed, out-of-range or malformed value fails the execution with
// States.Runtime and never reaches the host as a command.
TEST(InterpreterTest, EveryBadValueForAHostCommandFailsWithStatesRuntime) {
  const std::vector<std::string> task_values = {
      R"("10")", "-1",    "0",      "1.5",   "100000000",          "null", "true", "{}",
      "[1]",     "1e300", "-1e300", R"("")", "9223372036854775807"};
  struct Field {
    std::string definition;  // with $.v where the value goes
    std::vector<std::string> bad;
  };
  std::vector<Field> fields;
  for (const char* key : {"TimeoutSecondsPath", "HeartbeatSecondsPath"})
    fields.push_back({std::string(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", ")") +
                          key + R"(": "$.v", "End": true}}})",
                      task_values});
  fields.push_back({R"({"StartAt": "W", "States": {"W": {"Type": "Wait",
      "SecondsPath": "$.v", "End": true}}})",
                    {R"("10")", "-1", "1.5", "2147483648", "null", "{}", "[]", "1e300"}});
  fields.push_back(
      {R"({"StartAt": "W", "States": {"W": {"Type": "Wait",
      "TimestampPath": "$.v", "End": true}}})",
       {"5", R"("tomorrow")", R"("2024-13-01T00:00:00Z")", R"("2024-01-01")", "null", "[]"}});
  int checked = 0;
  for (const auto& field : fields) {
    auto m = MustCompile(field.definition);
    for (const auto& value : field.bad) {
      SCOPED_TRACE(field.definition + " with $.v = " + value);
      StepResult r;
      auto exec = Execution::Start(m, testing::TestContext(), R"({"v": )" + value + "}", 0, &r);
      ASSERT_TRUE(exec.ok());
      EXPECT_EQ(exec->status(), ExecutionStatus::kFailed);
      EXPECT_EQ(exec->error(), "States.Runtime");
      EXPECT_EQ(FindCommand(r, CommandKind::kScheduleTask), nullptr);
      EXPECT_EQ(FindCommand(r, CommandKind::kStartTimer), nullptr);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * 13 + 8 + 6);
}

TEST(InterpreterTest, TimedOutTaskFailsWithStatesTimeout) {
  auto m = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "End": true}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  std::string id = FindCommand(r, CommandKind::kScheduleTask)->id;
  r = StepResult{};  // `id` is a copy: r's commands are gone now
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskTimedOut, id, "", {}, {}}, 5, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kFailed);
  EXPECT_EQ(exec->error(), "States.Timeout");
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].type, "TaskTimedOut");
  EXPECT_EQ(r.events[0].timestamp_ms, 5);
}

TEST(InterpreterTest, FeedbackForAnUnknownIdIsRejected) {
  auto m = MustCompile(
      R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  StepResult r2;
  auto st = exec->Apply({Feedback::Kind::kTimerFired, "nope", "", {}, {}}, 0, &r2);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(r2.events.empty());
  EXPECT_EQ(exec->status(), ExecutionStatus::kRunning);
}

TEST(InterpreterTest, HistoryEventJsonUsesTheApiNames) {
  HistoryEvent e;
  e.id = 3;
  e.previous_event_id = 2;
  e.type = "PassStateExited";
  e.details_json = R"({"name":"A"})";
  json::object o = HistoryEventToJson(e);
  EXPECT_EQ(o.at("stateExitedEventDetails").as_object().at("name"), "A");
  EXPECT_EQ(o.at("previousEventId"), 2);
  e.type = "MapIterationStarted";
  EXPECT_EQ(e.DetailsKey(), "mapIterationStartedEventDetails");
  e.type = "ParallelStateStarted";
  EXPECT_EQ(e.DetailsKey(), "");
  auto back = HistoryEventFromJson(HistoryEventToJson(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, "ParallelStateStarted");
  EXPECT_EQ(back->id, 3);
}

TEST(InterpreterTest, HistoryEventTextIsTheJsonForm) {
  HistoryEvent e;
  e.id = 4;
  e.previous_event_id = 3;
  e.timestamp_ms = 1'700'000'000'123;
  e.type = "PassStateEntered";
  e.details_json = R"({"name":"A","input":"{\"k\":1}"})";
  std::string text = HistoryEventToJsonText(e);
  EXPECT_EQ(text, ToJson(HistoryEventToJson(e)));
  auto parsed = ParseJson(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("stateEnteredEventDetails").at("input"), R"({"k":1})");
  auto back = HistoryEventFromJson(parsed->as_object());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->details_json, e.details_json);
  e.type = "ParallelStateStarted";  // no details shape: no member
  EXPECT_EQ(ParseJson(HistoryEventToJsonText(e))->as_object().size(), 4u);
  e.details_json = "";
  EXPECT_TRUE(e.Details().empty());
}

// The interpreter writes details as text: names and payloads that need
// escaping come back intact, in the members the API model names.
TEST(InterpreterTest, EventDetailsTextEscapesPayloads) {
  auto m = MustCompile(R"({"StartAt": "Say \"hi\"", "States": {"Say \"hi\"": {"Type": "Pass",
      "Assign": {"v.$": "$.s"}, "Parameters": {"s.$": "$.s"}, "End": true}}})");
  std::string input =
      R"({"s": "quote \" backslash \\ newline \n \r tab \t \b \f \u0001 \u001f é"})";
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), input, 0, &r);
  ASSERT_TRUE(exec.ok());
  ASSERT_EQ(r.events.size(), 4u);
  json::object entered = r.events[1].Details();
  EXPECT_EQ(entered.at("name"), "Say \"hi\"");
  EXPECT_EQ(ParseJson(std::string(entered.at("input").as_string())).value(),
            ParseJson(input).value());
  EXPECT_EQ(entered.at("inputDetails").at("truncated"), false);
  json::object exited = r.events[2].Details();
  json::value s = ParseJson(input)->at("s");
  EXPECT_EQ(exited.at("assignedVariables").at("v").as_string(), ToJson(s));
  EXPECT_EQ(ParseJson(std::string(exited.at("output").as_string()))->at("s"), s);
  EXPECT_EQ(r.events[3].Details().at("output"), exited.at("output"));
  // The text is byte for byte what serialising the parsed details gives.
  for (const auto& e : r.events)
    EXPECT_EQ(HistoryEventToJsonText(e), ToJson(HistoryEventToJson(e)));
}

TEST(InterpreterTest, TaskWithoutMockIsAClearError) {
  auto m = MustCompile(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke", "End": true}}})");
  auto r = RunLocally(m, "{}", LocalRunOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no mocked response"), std::string::npos);
}

}  // namespace
}  // namespace weft::asl

namespace weft::asl {
namespace {

TEST(InterpreterStopTest, StopAbortsTheStateInFlightAndCancelsItsTimer) {
  CompileResult compiled = Compile(std::string_view(
      R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}})"));
  ASSERT_TRUE(compiled.machine);
  ExecutionContext ctx;
  ctx.execution_arn = "arn:aws:states:us-east-1:1:execution:m:e";
  StepResult r;
  auto exec = Execution::Start(compiled.machine, ctx, "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<HistoryEvent> history = r.events;
  StepResult s;
  ASSERT_TRUE(exec->Stop("Stopped", "by hand", 50, &s).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kAborted);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].type, "WaitStateAborted");
  EXPECT_EQ(s.events[1].type, "ExecutionAborted");
  bool cancelled = false, aborted = false;
  for (const auto& c : s.commands) {
    cancelled |= c.kind == CommandKind::kCancelTimer;
    aborted |= c.kind == CommandKind::kAbortExecution;
  }
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(aborted);
  EXPECT_FALSE(exec->Stop(std::nullopt, std::nullopt, 60, &s).ok());
  // Replay reaches the same closed state.
  for (auto& e : s.events) history.push_back(e);
  auto replayed = Execution::Replay(compiled.machine, ctx, history);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  EXPECT_EQ(ToJson(replayed->Save()), ToJson(exec->Save()));
}

}  // namespace
}  // namespace weft::asl

namespace weft::asl {
namespace {

TEST(InterpreterAbortTest, FailedBranchAbortsTheSiblingsTask) {
  CompileResult compiled = Compile(std::string_view(R"({"StartAt": "P", "States": {"P": {
      "Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}]}}})"));
  ASSERT_TRUE(compiled.machine);
  ExecutionContext ctx;
  ctx.execution_arn = "arn:aws:states:us-east-1:1:execution:m:e";
  StepResult r;
  auto exec = Execution::Start(compiled.machine, ctx, "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<std::string> tasks;
  for (const auto& c : r.commands)
    if (c.kind == CommandKind::kScheduleTask) tasks.push_back(c.id);
  ASSERT_EQ(tasks.size(), 2u);
  StepResult s;
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskFailed, tasks[1], "", "Bad", "c"}, 1, &s).ok());
  std::vector<std::string> types;
  for (const auto& e : s.events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"TaskFailed", "TaskStateAborted",
                                             "ParallelStateFailed", "ExecutionFailed"}));
  bool cancelled = false;
  for (const auto& c : s.commands)
    cancelled |= c.kind == CommandKind::kCancelTask && c.id == tasks[0];
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(exec->error(), "Bad");
  StepResult late;
  EXPECT_FALSE(
      exec->Apply({Feedback::Kind::kTaskSucceeded, tasks[0], "{}", {}, {}}, 2, &late).ok());
}

}  // namespace
}  // namespace weft::asl

namespace weft::asl {
namespace {

TEST(InterpreterJsonataTest, ArgumentsAndTimeoutExpressionsMakeTheTaskCommand) {
  auto m = MustCompile(R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
      "Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true,
      "Arguments": {"order": "{% $states.input.id %}", "token": "{% $states.context.Task.Token %}"},
      "TimeoutSeconds": "{% $states.input.t %}", "HeartbeatSeconds": 5}}})");
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), R"({"id": "o-1", "t": 60})", 1'000, &r);
  ASSERT_TRUE(exec.ok());
  const Command* task = FindCommand(r, CommandKind::kScheduleTask);
  ASSERT_NE(task, nullptr);
  EXPECT_FALSE(task->task_token.empty());
  EXPECT_EQ(task->input, ToJson(json::object{{"order", "o-1"}, {"token", task->task_token}}));
  EXPECT_EQ(task->timeout_seconds, 60);
  EXPECT_EQ(task->heartbeat_seconds, 5);
}

TEST(InterpreterJsonataTest, ClockAndRandomnessComeFromTheExecution) {
  auto m = MustCompile(R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
      "Type": "Pass", "End": true,
      "Output": {"millis": "{% $millis() %}", "now": "{% $now() %}", "r": "{% $random() %}",
                 "u": "{% $uuid() %}"}}}})");
  auto run = [&] {
    StepResult r;
    auto exec = Execution::Start(m, testing::TestContext(), "{}", 1'234'000, &r);
    EXPECT_TRUE(exec.ok());
    auto out = ParseJson(exec->output());
    EXPECT_TRUE(out.ok() && out->is_object()) << exec->output();
    return out->as_object();
  };
  json::object first = run();
  EXPECT_EQ(first.at("millis").to_number<int64_t>(), 1'234'000);
  EXPECT_EQ(first.at("now").as_string(), "1970-01-01T00:20:34.000Z");
  double r = first.at("r").to_number<double>();
  EXPECT_GE(r, 0.0);
  EXPECT_LT(r, 1.0);
  // The same execution (same ARN) draws the same values: what replay needs.
  EXPECT_EQ(ToJson(run()), ToJson(first));
}

}  // namespace
}  // namespace weft::asl
