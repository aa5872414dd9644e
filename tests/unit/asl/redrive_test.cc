// RedriveExecution in the interpreter: the top-level state that was running
// is entered again, and every Map and Parallel state in progress at the
// close, at any depth, runs again only its children that did not succeed.
// Replay of a redriven history rebuilds the same state.
#include <gtest/gtest.h>

#include <algorithm>

#include "asl/asl.h"
#include "test_context.h"

namespace weft::asl {
namespace {

constexpr std::string_view kTask = "arn:aws:states:us-east-1:123456789012:activity:a";

// A Parallel whose first branch maps items through a Task and whose second
// branch is one Task.
std::string NestedDefinition() {
  std::string task =
      R"({"Type": "Task", "Resource": ")" + std::string(kTask) + R"(", "End": true})";
  return R"({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
      "Branches": [
        {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": true,
          "ItemProcessor": {"StartAt": "Item", "States": {"Item": )" +
         task + R"(}}}}},
        {"StartAt": "Solo", "States": {"Solo": )" +
         task + R"(}}]}}})";
}

std::vector<Command> Tasks(const StepResult& r) {
  std::vector<Command> out;
  for (const auto& c : r.commands)
    if (c.kind == CommandKind::kScheduleTask) out.push_back(c);
  return out;
}

const Command& ByInput(const std::vector<Command>& tasks, std::string_view input) {
  auto it =
      std::find_if(tasks.begin(), tasks.end(), [&](const Command& c) { return c.input == input; });
  EXPECT_NE(it, tasks.end()) << input;
  return *it;
}

Feedback Ok(const Command& c, std::string output) {
  return Feedback{Feedback::Kind::kTaskSucceeded, c.id, std::move(output), {}, {}};
}

TEST(RedriveTest, AMapInsideAParallelRunsOnlyItsItemsThatDidNotSucceed) {
  CompileResult compiled = Compile(NestedDefinition());
  ASSERT_TRUE(compiled.machine) << FormatDiagnostic(compiled.diagnostics.at(0));
  StepResult r;
  std::vector<HistoryEvent> history;
  auto take = [&history](StepResult& step) {
    for (auto& e : step.events) history.push_back(e);
    step = StepResult{};
  };
  auto exec =
      Execution::Start(compiled.machine, testing::TestContext(), "[1, 2, 3]", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<Command> first = Tasks(r);
  ASSERT_EQ(first.size(), 4u);  // three items and the solo branch
  take(r);
  // Items 1 and 3 succeed; the solo branch fails while item 2 still runs.
  ASSERT_TRUE(exec->Apply(Ok(ByInput(first, "1"), "10"), 1'000'010, &r).ok());
  ASSERT_TRUE(exec->Apply(Ok(ByInput(first, "3"), "30"), 1'000'020, &r).ok());
  take(r);
  const Command* solo = nullptr;
  for (const auto& c : first)
    if (c.input == "[1,2,3]") solo = &c;
  ASSERT_NE(solo, nullptr);
  ASSERT_TRUE(
      exec->Apply({Feedback::Kind::kTaskFailed, solo->id, "", "Boom", "solo"}, 1'000'030, &r).ok());
  take(r);
  ASSERT_EQ(exec->status(), ExecutionStatus::kFailed);

  ASSERT_TRUE(exec->Redrive(history, 1'000'040, &r).ok());
  std::vector<Command> again = Tasks(r);
  take(r);
  ASSERT_EQ(again.size(), 2u) << "item 2 and the solo branch; items 1 and 3 keep their results";
  const Command& item2 = ByInput(again, "2");
  const Command& solo2 = ByInput(again, "[1,2,3]");
  ASSERT_TRUE(exec->Apply(Ok(item2, "20"), 1'000'050, &r).ok());
  ASSERT_TRUE(exec->Apply(Ok(solo2, "\"s\""), 1'000'060, &r).ok());
  take(r);
  ASSERT_EQ(exec->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(exec->output(), R"([[10,20,30],"s"])");

  // The redriven history replays to the same end.
  auto replayed = Execution::Replay(compiled.machine, testing::TestContext(), history);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  EXPECT_EQ(replayed->output(), exec->output());
}

TEST(RedriveTest, ACaughtFailureInsideIsNotResumedByARedrive) {
  // In the Outer Map's iteration a Parallel holds an inner Map; the inner
  // Map fails after one of its two items succeeded, the Parallel catches
  // that and goes on to Last, which fails the execution. A redrive runs the
  // iteration again from its start: both inner items run, because the
  // progress of a failure that was caught is not what a redrive resumes.
  std::string task =
      R"({"Type": "Task", "Resource": ")" + std::string(kTask) + R"(", "End": true})";
  CompileResult compiled = Compile(R"({"StartAt": "Outer", "States": {
      "Outer": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Next": "Last",
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Last"}],
          "Branches": [{"StartAt": "Inner", "States": {"Inner": {
            "Type": "Map", "ItemsPath": "$.xs", "End": true,
            "ItemProcessor": {"StartAt": "T", "States": {"T": )" +
                                   task + R"(}}}}}]},
        "Last": )" + task + R"(}}}}})");
  ASSERT_TRUE(compiled.machine) << FormatDiagnostic(compiled.diagnostics.at(0));
  StepResult r;
  std::vector<HistoryEvent> history;
  auto take = [&history](StepResult& step) {
    for (auto& e : step.events) history.push_back(e);
    step = StepResult{};
  };
  auto exec = Execution::Start(compiled.machine, testing::TestContext(), R"([{"xs": [1, 2]}])",
                               1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<Command> inner = Tasks(r);
  ASSERT_EQ(inner.size(), 2u);
  take(r);
  ASSERT_TRUE(exec->Apply(Ok(ByInput(inner, "1"), "1"), 1'000'010, &r).ok());
  ASSERT_TRUE(exec->Apply({Feedback::Kind::kTaskFailed, ByInput(inner, "2").id, "", "E", "c"},
                          1'000'020, &r)
                  .ok());
  std::vector<Command> last = Tasks(r);
  ASSERT_EQ(last.size(), 1u) << "caught: on to Last";
  take(r);
  ASSERT_TRUE(
      exec->Apply({Feedback::Kind::kTaskFailed, last[0].id, "", "E", "c"}, 1'000'030, &r).ok());
  take(r);
  ASSERT_EQ(exec->status(), ExecutionStatus::kFailed);
  ASSERT_TRUE(exec->Redrive(history, 1'000'040, &r).ok());
  std::vector<Command> again = Tasks(r);
  ASSERT_EQ(again.size(), 2u) << "item 1 runs again too";
  ByInput(again, "1");
  ByInput(again, "2");
}

}  // namespace
}  // namespace weft::asl
