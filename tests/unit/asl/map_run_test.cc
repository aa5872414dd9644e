// Distributed Map iterations as child executions (ExecutionContext::
// child_iterations): the host protocol (kStartIteration, kMapRunChanged,
// results fed back like tasks), MaxConcurrency and UpdateMapRun, the
// tolerated failure threshold, Stop, and replay with the children's outcomes
// looked up from the host.
#include <gtest/gtest.h>

#include <map>

#include "asl/asl.h"
#include "test_context.h"

namespace weft::asl {
namespace {

constexpr std::string_view kMachine = R"({"StartAt": "M", "States": {"M": {
    "Type": "Map", "MaxConcurrency": 2, "Label": "lbl", "End": true,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
      "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}})";

ExecutionContext Ctx() {
  ExecutionContext ctx = testing::TestContext();
  ctx.child_iterations = true;
  return ctx;
}

StateMachinePtr MustCompile(std::string_view text) {
  CompileResult r = Compile(text);
  EXPECT_TRUE(r.machine) << (r.diagnostics.empty() ? "" : FormatDiagnostic(r.diagnostics[0]));
  return r.machine;
}

std::vector<Command> Of(const StepResult& r, CommandKind kind) {
  std::vector<Command> out;
  for (const auto& c : r.commands)
    if (c.kind == kind) out.push_back(c);
  return out;
}

std::vector<std::string> Types(const std::vector<HistoryEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

Feedback Succeeded(const Command& c, std::string output) {
  return Feedback{Feedback::Kind::kTaskSucceeded, c.id, std::move(output), {}, {}};
}

Feedback Failed(const Command& c) {
  return Feedback{Feedback::Kind::kTaskFailed, c.id, "", "Boom", "it broke"};
}

TEST(MapRunTest, IterationsAreChildExecutionsStartedUpToMaxConcurrency) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), R"([10, 20, 30])", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  auto starts = Of(r, CommandKind::kStartIteration);
  ASSERT_EQ(starts.size(), 2u);  // MaxConcurrency
  EXPECT_EQ(starts[0].input, "10");
  EXPECT_EQ(starts[1].item_index, 1);
  auto runs = Of(r, CommandKind::kMapRunChanged);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].map_run.status, "RUNNING");
  EXPECT_EQ(runs[0].map_run.total, 3);
  EXPECT_EQ(runs[0].map_run.max_concurrency, 2);
  EXPECT_EQ(runs[0].map_run.arn, starts[0].map_run_arn);
  EXPECT_TRUE(
      runs[0].map_run.arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:m/lbl:"))
      << runs[0].map_run.arn;
  EXPECT_EQ(Types(r.events), (std::vector<std::string>{"ExecutionStarted", "MapStateEntered",
                                                       "MapStateStarted", "MapRunStarted"}));

  // The second finishes first: the third item starts in its place.
  r = StepResult{};
  ASSERT_TRUE(exec->Apply(Succeeded(starts[1], R"({"b":2})"), 1'000'010, &r).ok());
  auto third = Of(r, CommandKind::kStartIteration);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].item_index, 2);
  EXPECT_TRUE(r.events.empty());  // an iteration's end is not in the parent's history
  r = StepResult{};
  ASSERT_TRUE(exec->Apply(Succeeded(third[0], "3"), 1'000'020, &r).ok());
  ASSERT_TRUE(exec->Apply(Succeeded(starts[0], "1"), 1'000'030, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(exec->output(), R"([1,{"b":2},3])");
  auto closed = Of(r, CommandKind::kMapRunChanged);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].map_run.status, "SUCCEEDED");
  EXPECT_EQ(Types(r.events), (std::vector<std::string>{"MapRunSucceeded", "MapStateSucceeded",
                                                       "MapStateExited", "ExecutionSucceeded"}));
}

TEST(MapRunTest, AFailureOverTheThresholdFailsTheMapAndStopsTheOthers) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), R"([1, 2, 3])", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  auto starts = Of(r, CommandKind::kStartIteration);
  ASSERT_EQ(starts.size(), 2u);
  r = StepResult{};
  ASSERT_TRUE(exec->Apply(Failed(starts[0]), 1'000'010, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kFailed);
  EXPECT_EQ(exec->error(), "States.ExceedToleratedFailureThreshold");
  auto cancels = Of(r, CommandKind::kCancelTask);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].id, starts[1].id);
  auto runs = Of(r, CommandKind::kMapRunChanged);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].map_run.status, "FAILED");
  EXPECT_EQ(Types(r.events),
            (std::vector<std::string>{"MapRunFailed", "MapStateFailed", "ExecutionFailed"}));
}

TEST(MapRunTest, UpdateMapRunRaisesConcurrencyAndTolerance) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), R"([1, 2, 3, 4])", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  auto starts = Of(r, CommandKind::kStartIteration);
  std::string arn = starts[0].map_run_arn;
  r = StepResult{};
  MapRunUpdate u;
  u.max_concurrency = 0;  // no limit
  u.tolerated_count = 1;
  ASSERT_TRUE(exec->UpdateMapRun(arn, u, 1'000'010, &r).ok());
  auto more = Of(r, CommandKind::kStartIteration);
  ASSERT_EQ(more.size(), 2u);
  auto runs = Of(r, CommandKind::kMapRunChanged);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].map_run.max_concurrency, 0);
  EXPECT_EQ(runs[0].map_run.tolerated_count, 1);
  // One failure is tolerated now.
  r = StepResult{};
  ASSERT_TRUE(exec->Apply(Failed(starts[0]), 1'000'020, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kRunning);
  for (const Command* c : {&starts[1], &more[0], &more[1]})
    ASSERT_TRUE(exec->Apply(Succeeded(*c, "0"), 1'000'030, &r).ok());
  EXPECT_EQ(exec->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(exec->output(), "[null,0,0,0]");

  StepResult none;
  Status unknown = exec->UpdateMapRun(arn, u, 1'000'040, &none);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Errc::kUnknownResource);
}

TEST(MapRunTest, StopAbortsTheMapRunAndItsChildren) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), R"([1, 2, 3])", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  r = StepResult{};
  ASSERT_TRUE(exec->Stop(std::nullopt, std::nullopt, 1'000'010, &r).ok());
  EXPECT_EQ(Of(r, CommandKind::kCancelTask).size(), 2u);
  auto runs = Of(r, CommandKind::kMapRunChanged);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].map_run.status, "ABORTED");
  EXPECT_EQ(Types(r.events),
            (std::vector<std::string>{"MapRunAborted", "MapStateAborted", "ExecutionAborted"}));
}

TEST(MapRunTest, AChildExecutionRunsTheItemProcessor) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto parent = Execution::Start(m, Ctx(), R"([{"x": 1}])", 1'000'000, &r);
  ASSERT_TRUE(parent.ok());
  auto start = Of(r, CommandKind::kStartIteration).at(0);
  ExecutionContext child = Ctx();
  child.root_block = start.processor;
  StepResult cr;
  auto c = Execution::Start(m, child, start.input, 1'000'010, &cr);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(c->output(), R"({"x":1})");
  EXPECT_EQ(Types(cr.events), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                        "PassStateExited", "ExecutionSucceeded"}));
}

// The outcomes of the children, as a host keeps them, by (Map Run, item).
struct Children {
  std::map<std::pair<std::string, int64_t>, Feedback> closed;
  std::map<std::string, MapRunUpdate> settings;
  IterationLookup Lookup() const {
    IterationLookup l;
    l.outcome = [this](const Command& c) -> std::optional<Feedback> {
      auto it = closed.find({c.map_run_arn, c.item_index});
      if (it == closed.end()) return std::nullopt;
      return it->second;
    };
    l.settings = [this](const std::string& arn) -> std::optional<MapRunUpdate> {
      auto it = settings.find(arn);
      if (it == settings.end()) return std::nullopt;
      return it->second;
    };
    return l;
  }
};

TEST(MapRunReplayTest, ReplayFeedsTheChildrenOutcomesAndKeepsTheOpenOnesPending) {
  auto m = MustCompile(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "MaxConcurrency": 1, "Next": "After",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}},
      "After": {"Type": "Map", "ItemsPath": "$", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
          "StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": true}}}}}})");
  std::vector<HistoryEvent> history;
  Children children;
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), "[1, 2]", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<Command> pending_live;
  int64_t now = 1'000'000;
  // The first Map Run: both items, one at a time; the second: left running.
  for (int step = 0; step < 2; ++step) {
    for (auto& e : r.events) history.push_back(e);
    auto start = Of(r, CommandKind::kStartIteration).at(0);
    Feedback done = Succeeded(start, std::to_string(start.item_index * 10));
    children.closed[{start.map_run_arn, start.item_index}] = done;
    r = StepResult{};
    ASSERT_TRUE(exec->Apply(done, now += 10, &r).ok());
  }
  for (auto& e : r.events) history.push_back(e);
  pending_live = Of(r, CommandKind::kStartIteration);
  ASSERT_EQ(pending_live.size(), 2u);  // the second Map: items [0, 10]

  IterationLookup lookup = children.Lookup();
  std::vector<Command> pending;
  auto replayed = Execution::Replay(m, Ctx(), history, &pending, &lookup);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  EXPECT_EQ(ToJson(replayed->Save()), ToJson(exec->Save()));
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].input, "0");
  EXPECT_EQ(pending[1].input, "10");

  // Without the children's outcomes the history cannot be followed.
  auto blind = Execution::Replay(m, Ctx(), history, nullptr, nullptr);
  EXPECT_FALSE(blind.ok());
}

TEST(MapRunReplayTest, ReplayAppliesTheStoredSettingsOfAMapRun) {
  auto m = MustCompile(kMachine);
  StepResult r;
  auto exec = Execution::Start(m, Ctx(), "[1, 2, 3]", 1'000'000, &r);
  ASSERT_TRUE(exec.ok());
  std::vector<HistoryEvent> history = r.events;
  auto starts = Of(r, CommandKind::kStartIteration);
  Children children;
  MapRunUpdate u;
  u.tolerated_count = 2;
  u.max_concurrency = 2;
  children.settings[starts[0].map_run_arn] = u;
  r = StepResult{};
  ASSERT_TRUE(exec->UpdateMapRun(starts[0].map_run_arn, u, 1'000'005, &r).ok());
  // Two failures are tolerated only with the updated setting.
  int64_t now = 1'000'010;
  std::vector<Command> open = starts;
  for (int i = 0; i < 3; ++i) {
    Command c = open.front();
    open.erase(open.begin());
    Feedback fb = i < 2 ? Failed(c) : Succeeded(c, "1");
    children.closed[{c.map_run_arn, c.item_index}] = fb;
    r = StepResult{};
    ASSERT_TRUE(exec->Apply(fb, now += 10, &r).ok());
    for (auto& more : Of(r, CommandKind::kStartIteration)) open.push_back(more);
    for (auto& e : r.events) history.push_back(e);
  }
  ASSERT_EQ(exec->status(), ExecutionStatus::kSucceeded);
  IterationLookup lookup = children.Lookup();
  auto replayed = Execution::Replay(m, Ctx(), history, nullptr, &lookup);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message();
  EXPECT_EQ(replayed->status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(replayed->output(), exec->output());
}

}  // namespace
}  // namespace weft::asl
