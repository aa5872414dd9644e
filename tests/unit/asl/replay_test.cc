// Replay property: feeding an execution's recorded history back rebuilds the
// same interpreter state (Save() equal) at every point of the execution, and
// Save/Restore continues exactly like an uninterrupted run.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>

#include "asl/asl.h"
#include "test_context.h"

namespace weft::asl {
namespace {

// A host: tasks answered in scheduling order (call n of a state gets
// answer(state, n)), timers fired in time order; the clock moves 10 ms per
// step and jumps to timers.
struct Host {
  std::function<Feedback(const Command&, int64_t)> answer;
  std::deque<Command> tasks;
  std::map<std::pair<int64_t, std::string>, std::string> timers;
  std::map<std::string, int64_t> calls;
  std::vector<HistoryEvent> history;
  std::vector<std::pair<size_t, std::string>> checkpoints;  // (events so far, Save())
  int64_t now = 1'000'000;

  void Absorb(StepResult& r, const Execution& exec) {
    for (auto& e : r.events) history.push_back(std::move(e));
    for (auto& c : r.commands) {
      if (c.kind == CommandKind::kScheduleTask) tasks.push_back(c);
      if (c.kind == CommandKind::kStartTimer) timers[{c.fire_at_ms, c.id}] = c.id;
      if (c.kind == CommandKind::kCancelTimer)
        std::erase_if(timers, [&](auto& kv) { return kv.second == c.id; });
      if (c.kind == CommandKind::kCancelTask)
        std::erase_if(tasks, [&](auto& t) { return t.id == c.id; });
    }
    checkpoints.emplace_back(history.size(), ToJson(exec.Save()));
    r = StepResult{};
  }

  // One host step; false when nothing is pending.
  bool Step(Execution& exec) {
    now += 10;
    Feedback fb;
    if (!tasks.empty()) {
      Command c = tasks.front();
      tasks.pop_front();
      fb = answer(c, calls[c.state_name]++);
      fb.id = c.id;
    } else if (!timers.empty()) {
      auto it = timers.begin();
      now = std::max(now, it->first.first);
      fb.kind = Feedback::Kind::kTimerFired;
      fb.id = it->second;
      timers.erase(it);
    } else {
      return false;
    }
    StepResult r;
    EXPECT_TRUE(exec.Apply(fb, now, &r).ok());
    Absorb(r, exec);
    return true;
  }
};

Feedback Succeed(std::string output) {
  Feedback f;
  f.kind = Feedback::Kind::kTaskSucceeded;
  f.output = std::move(output);
  return f;
}
Feedback Fail(std::string error) {
  Feedback f;
  f.kind = Feedback::Kind::kTaskFailed;
  f.error = std::move(error);
  f.cause = "because";
  return f;
}

struct ReplayCase {
  const char* name;
  const char* definition;
  const char* input;
  std::function<Feedback(const Command&, int64_t)> answer;
  const char* final_status;
};

std::vector<ReplayCase> Cases() {
  return {
      {"task retried after failures, then a Wait",
       R"json({"StartAt": "T", "States": {
         "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 3, "JitterStrategy": "FULL"}], "Next": "W"},
         "W": {"Type": "Wait", "Seconds": 30, "End": true}}})json",
       "{}", [](const Command&, int64_t n) { return n < 2 ? Fail("E") : Succeed(R"({"ok":1})"); },
       "SUCCEEDED"},
      {"Map of tasks, two at a time, with a caught failure",
       R"json({"StartAt": "M", "States": {
         "M": {"Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.xs",
               "ItemProcessor": {"StartAt": "T", "States": {
                 "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}], "End": true},
         "Done": {"Type": "Pass", "End": true}}})json",
       R"json({"xs": [1, 2, 3, 4, 5]})json",
       [](const Command&, int64_t n) { return n == 3 ? Fail("Bad") : Succeed("1"); }, "SUCCEEDED"},
      {"Parallel branches with tasks and a nested Map",
       R"json({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
           {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true}}},
           {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "W",
              "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "B"},
                         "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}}}}]}}})json",
       "[1, 2]", [](const Command& c, int64_t) { return Succeed(c.input); }, "SUCCEEDED"},
      {"Choice loop with variables until a counter is reached",
       R"json({"StartAt": "Init", "States": {
         "Init": {"Type": "Pass", "Assign": {"i": 0}, "Next": "Work"},
         "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Assign": {"i.$": "States.MathAdd($i, 1)"}, "Next": "Check"},
         "Check": {"Type": "Choice", "Choices": [{"Variable": "$i", "NumericLessThan": 3, "Next": "Work"}],
                   "Default": "Fail"},
         "Fail": {"Type": "Fail", "Error": "Done", "Cause": "three"}}})json",
       "{}", [](const Command&, int64_t) { return Succeed("{}"); }, "FAILED"},
      {"JSONata: clock and random values in variables, a retried and caught task, a Map of waits "
       "and tasks",
       R"json({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
         "Init": {"Type": "Pass", "Next": "T",
                  "Assign": {"r": "{% $random() %}", "u": "{% $uuid() %}", "t": "{% $millis() %}"}},
         "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Arguments": {"r": "{% $r %}", "now": "{% $now() %}"},
               "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1, "JitterStrategy": "FULL"}],
               "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                          "Assign": {"failedAt": "{% $millis() %}"}, "Next": "M"}],
               "Output": {"r": "{% $states.result %}"}, "Next": "M"},
         "M": {"Type": "Map", "Items": "{% [1, 2, 3] %}", "MaxConcurrency": 2, "End": true,
               "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "r": "{% $random() %}"},
               "ItemProcessor": {"StartAt": "W", "States": {
                 "W": {"Type": "Wait", "Seconds": "{% $states.input.i %}", "Next": "B"},
                 "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                       "Output": "{% [$states.result, $random()] %}"}}}}}})json",
       "{}",
       [](const Command& c, int64_t n) {
         return c.state_name == "T" ? (n < 2 ? Fail("E") : Succeed(c.input)) : Succeed(c.input);
       },
       "SUCCEEDED"},
  };
}

TEST(ReplayTest, ReplayRebuildsTheSameStateAtEveryStep) {
  for (const ReplayCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    CompileResult compiled = Compile(std::string_view(c.definition));
    ASSERT_TRUE(compiled.machine) << FormatDiagnostic(compiled.diagnostics.at(0));
    Host host;
    host.answer = c.answer;
    StepResult r;
    auto exec = Execution::Start(compiled.machine, testing::TestContext(), c.input, host.now, &r);
    ASSERT_TRUE(exec.ok());
    host.Absorb(r, *exec);
    int steps = 0;
    while (exec->status() == ExecutionStatus::kRunning && host.Step(*exec))
      ASSERT_LT(++steps, 1000);
    EXPECT_EQ(ExecutionStatusName(exec->status()), c.final_status);
    ASSERT_GT(host.checkpoints.size(), 2u);
    for (const auto& [count, saved] : host.checkpoints) {
      std::vector<HistoryEvent> prefix(host.history.begin(), host.history.begin() + count);
      auto replayed = Execution::Replay(compiled.machine, testing::TestContext(), prefix);
      ASSERT_TRUE(replayed.ok()) << "after " << count << " events: " << replayed.error().message();
      EXPECT_EQ(ToJson(replayed->Save()), saved) << "after " << count << " events";
    }
  }
}

TEST(ReplayTest, RestoredStateContinuesLikeTheOriginal) {
  for (const ReplayCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    auto m = Compile(std::string_view(c.definition)).machine;
    ASSERT_TRUE(m);
    // Uninterrupted run.
    Host a;
    a.answer = c.answer;
    StepResult r;
    auto ea = Execution::Start(m, testing::TestContext(), c.input, a.now, &r);
    ASSERT_TRUE(ea.ok());
    a.Absorb(r, *ea);
    while (ea->status() == ExecutionStatus::kRunning && a.Step(*ea)) {
    }
    // The same, but saved and restored after every step.
    Host b;
    b.answer = c.answer;
    auto eb = Execution::Start(m, testing::TestContext(), c.input, b.now, &r);
    ASSERT_TRUE(eb.ok());
    b.Absorb(r, *eb);
    Execution current = std::move(*eb);
    int steps = 0;
    while (current.status() == ExecutionStatus::kRunning) {
      auto restored = Execution::Restore(m, current.Save());
      ASSERT_TRUE(restored.ok()) << restored.error().message();
      current = std::move(*restored);
      if (!b.Step(current) || ++steps > 1000) break;
    }
    ASSERT_EQ(a.history.size(), b.history.size());
    for (size_t i = 0; i < a.history.size(); ++i) {
      EXPECT_EQ(ToJson(HistoryEventToJson(a.history[i])), ToJson(HistoryEventToJson(b.history[i])));
    }
    EXPECT_EQ(current.output(), ea->output());
  }
}

TEST(ReplayTest, DivergingHistoryIsRejected) {
  auto m = Compile(std::string_view(
                       R"json({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                           "B": {"Type": "Wait", "Seconds": 1, "End": true}}})json"))
               .machine;
  ASSERT_TRUE(m);
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 0, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<HistoryEvent> history = r.events;
  history[2].type = "PassStateEntered";  // was PassStateExited
  auto replayed = Execution::Replay(m, testing::TestContext(), history);
  ASSERT_FALSE(replayed.ok());
  EXPECT_NE(replayed.error().message().find("diverges"), std::string::npos);
}

}  // namespace
}  // namespace weft::asl

namespace weft::asl {
namespace {

TEST(ReplayTest, CallbackTaskWithSubmittedAndActivityStarted) {
  auto m = Compile(std::string_view(R"json({"StartAt": "Cb", "States": {
      "Cb": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"token.$": "$$.Task.Token"}, "Next": "Act"},
      "Act": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true}}})json"))
               .machine;
  ASSERT_TRUE(m);
  std::vector<HistoryEvent> history;
  auto take = [&](StepResult& r) {
    for (auto& e : r.events) history.push_back(e);
    std::string id;
    for (auto& c : r.commands)
      if (c.kind == CommandKind::kScheduleTask) id = c.id;
    r = StepResult{};
    return id;
  };
  StepResult r;
  auto exec = Execution::Start(m, testing::TestContext(), "{}", 100, &r);
  ASSERT_TRUE(exec.ok());
  std::string cb = take(r);
  ASSERT_TRUE(
      exec->Apply({Feedback::Kind::kTaskSubmitted, cb, R"({"MessageId":"m"})", {}, {}}, 110, &r)
          .ok());
  take(r);
  ASSERT_TRUE(
      exec->Apply({Feedback::Kind::kTaskSucceeded, cb, R"({"ok":true})", {}, {}}, 120, &r).ok());
  std::string act = take(r);
  ASSERT_FALSE(act.empty());
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskStarted, act, "worker-1", {}, {}}, 130, &r).ok());
  take(r);
  std::vector<std::string> types;
  for (const auto& e : history) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered",
                                             "TaskScheduled", "TaskStarted", "TaskSubmitted",
                                             "TaskSucceeded", "TaskStateExited", "TaskStateEntered",
                                             "ActivityScheduled", "ActivityStarted"}));
  auto replayed = Execution::Replay(m, testing::TestContext(), history);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  EXPECT_EQ(ToJson(replayed->Save()), ToJson(exec->Save()));
  // The replayed execution goes on like the original.
  StepResult a, b;
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskSucceeded, act, "7", {}, {}}, 140, &a).ok());
  ASSERT_TRUE(replayed->Apply({Feedback::Kind::kTaskSucceeded, act, "7", {}, {}}, 140, &b).ok());
  EXPECT_EQ(replayed->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(replayed->output(), "7");
  ASSERT_EQ(a.events.size(), b.events.size());
}

}  // namespace
}  // namespace weft::asl
