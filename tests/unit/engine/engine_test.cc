// The engine driven directly (no HTTP), on a real SQLite store in a temporary
// directory, with its io_context running on two threads as in the server.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "common/metrics.h"
#include "engine/mutable_state.h"
#include "engine/task_token.h"
#include "engine_fixture.h"

namespace weft::engine {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class EngineTest : public EngineFixture {
 protected:
  // A counter's value in GET /metrics (0 before its first use).
  static int64_t CounterValue(const std::string& name) {
    std::string text = metrics::RenderPrometheus();
    size_t at = text.find("\n" + name + " ");
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + name.size() + 2));
  }

  void RegisterBasics() {
    Registry::Mutation domain =
        [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
      return std::optional(RegistryEntry{});
    };
    ASSERT_TRUE(
        Run(engine_->registry().Update(std::string(kDomainKind), "", "d", "", domain)).ok());
    Registry::Mutation wf =
        [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
      RegistryEntry e;
      e.record.status = "REGISTERED";
      e.data["configuration"] =
          json::object{{"defaultTaskList", json::object{{"name", "deciders"}}},
                       {"defaultExecutionStartToCloseTimeout", "3600"},
                       {"defaultTaskStartToCloseTimeout", "60"},
                       {"defaultChildPolicy", "TERMINATE"}};
      return std::optional(e);
    };
    ASSERT_TRUE(
        Run(engine_->registry().Update(std::string(kWorkflowTypeKind), "d", "wf", "1", wf)).ok());
    Registry::Mutation act =
        [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
      RegistryEntry e;
      e.record.status = "REGISTERED";
      e.data["configuration"] = json::object{{"defaultTaskList", json::object{{"name", "workers"}}},
                                             {"defaultTaskScheduleToStartTimeout", "600"},
                                             {"defaultTaskScheduleToCloseTimeout", "900"},
                                             {"defaultTaskStartToCloseTimeout", "300"}};
      return std::optional(e);
    };
    ASSERT_TRUE(
        Run(engine_->registry().Update(std::string(kActivityTypeKind), "d", "act", "1", act)).ok());
  }

  std::string Start(const std::string& workflow_id) {
    StartRequest req;
    req.domain = "d";
    req.workflow_id = workflow_id;
    req.type = {"wf", "1"};
    req.input = "in";
    auto r = Run(engine_->StartWorkflowExecution(std::move(req)));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? *r : "";
  }

  std::optional<DecisionTask> PollDecision() {
    auto r = Run(engine_->PollForDecisionTask("d", "deciders", "decider", nullptr));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }
  std::optional<ActivityTask> PollActivity() {
    auto r = Run(engine_->PollForActivityTask("d", "workers", "worker", nullptr));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }
  Status Decide(const std::string& token, std::vector<Decision> decisions) {
    auto s = Run(engine_->RespondDecisionTaskCompleted(token, std::move(decisions), std::nullopt,
                                                       std::nullopt, std::nullopt));
    if (!s.ok()) std::cerr << "decide: " << s.error().type() << ": " << s.error().message() << "\n";
    return s;
  }

  std::vector<std::string> Types(const std::string& workflow_id, const std::string& run_id) {
    auto h = Run(engine_->GetHistory({"d", workflow_id, run_id}));
    EXPECT_TRUE(h.ok());
    std::vector<std::string> out;
    if (h.ok()) {
      for (const auto& e : *h) out.emplace_back(EventTypeName(e.type));
    }
    return out;
  }

  // The events of one type in a run's history, once there are some (or 2 s).
  std::vector<HistoryEvent> WaitForEvents(const std::string& workflow_id, const std::string& run_id,
                                          EventType type) {
    for (int i = 0; i < 400 && EventsOf(workflow_id, run_id, type).empty(); ++i)
      std::this_thread::sleep_for(5ms);
    return EventsOf(workflow_id, run_id, type);
  }

  static Decision StartChild(const std::string& workflow_id) {
    decision::StartChildWorkflowExecution start;
    start.workflow_type = {"wf", "1"};
    start.workflow_id = workflow_id;
    start.settings.input = "for the child";
    return start;
  }

  // The events of one type in a run's history.
  std::vector<HistoryEvent> EventsOf(const std::string& workflow_id, const std::string& run_id,
                                     EventType type) {
    auto h = Run(engine_->GetHistory({"d", workflow_id, run_id}));
    std::vector<HistoryEvent> out;
    if (h.ok()) {
      for (const auto& e : *h)
        if (e.type == type) out.push_back(e);
    }
    return out;
  }

  static Decision Schedule(const std::string& id, const std::string& type = "act") {
    decision::ScheduleActivityTask d;
    d.activity_type = {type, "1"};
    d.activity_id = id;
    d.input = "x";
    return d;
  }
  static Decision Complete() { return decision::CompleteWorkflowExecution{"done"}; }
};

// SignalExternal and RequestCancelExternal: the target records each request
// once, and the initiator its outcome once, also when the server dies
// between the two sides (the initiated event is the outbox).
TEST_F(EngineTest, ExternalSignalsAndCancelsCrossOnceAcrossACrash) {
  RegisterBasics();
  for (int round = 0; round < 3; ++round) {
    std::string from = "from" + std::to_string(round), to = "to" + std::to_string(round);
    std::string from_run = Start(from);
    auto task = PollDecision();
    ASSERT_TRUE(task);
    ASSERT_EQ(task->workflow_id, from);
    std::string to_run = Start(to);
    decision::SignalExternalWorkflowExecution signal{to, "hello", std::nullopt, "x", "c"};
    decision::RequestCancelExternalWorkflowExecution cancel{to, to_run, std::nullopt};
    decision::SignalExternalWorkflowExecution lost{"nobody", "hello", std::nullopt, std::nullopt,
                                                   "k"};
    ASSERT_TRUE(Decide(task->task_token, std::vector<Decision>{signal, cancel, lost}).ok());
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2 * round));
    Close();  // as after kill -9, at a different moment each round
    Open();
    for (int i = 0; i < 400; ++i) {
      if (EventsOf(from, from_run, EventType::kExternalWorkflowExecutionSignaled).size() +
              EventsOf(from, from_run, EventType::kExternalWorkflowExecutionCancelRequested)
                  .size() +
              EventsOf(from, from_run, EventType::kSignalExternalWorkflowExecutionFailed).size() ==
          3)
        break;
      std::this_thread::sleep_for(5ms);
    }
    auto signaled = EventsOf(to, to_run, EventType::kWorkflowExecutionSignaled);
    ASSERT_EQ(signaled.size(), 1u) << "round " << round;
    EXPECT_EQ(*FindString(signaled[0].attributes, "input"), "x");
    const auto* external = FindObject(signaled[0].attributes, "externalWorkflowExecution");
    ASSERT_NE(external, nullptr);
    EXPECT_EQ(*FindString(*external, "runId"), from_run);
    auto initiated = EventsOf(from, from_run, EventType::kSignalExternalWorkflowExecutionInitiated);
    ASSERT_EQ(initiated.size(), 2u);
    EXPECT_EQ(FindInt(signaled[0].attributes, "externalInitiatedEventId"), initiated[0].id);
    EXPECT_EQ(EventsOf(to, to_run, EventType::kWorkflowExecutionCancelRequested).size(), 1u);
    auto acked = EventsOf(from, from_run, EventType::kExternalWorkflowExecutionSignaled);
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(FindInt(acked[0].attributes, "initiatedEventId"), initiated[0].id);
    EXPECT_EQ(EventsOf(from, from_run, EventType::kExternalWorkflowExecutionCancelRequested).size(),
              1u);
    auto failed = EventsOf(from, from_run, EventType::kSignalExternalWorkflowExecutionFailed);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(*FindString(failed[0].attributes, "cause"), "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION");
    EXPECT_EQ(*FindString(failed[0].attributes, "control"), "k");
    // Both executions have a decision task for what happened.
    for (int k = 0; k < 2; ++k) {
      auto next = PollDecision();
      ASSERT_TRUE(next) << "round " << round;
      ASSERT_TRUE(Decide(next->task_token, std::vector<Decision>{Complete()}).ok());
    }
  }
}

// A child workflow is started once and its close reaches its parent once,
// whenever the engine dies: after the parent's decision, or after the
// child's close (the parent then finds the close in the store).
TEST_F(EngineTest, AChildStartsOnceAndItsCloseReachesTheParentAcrossCrashes) {
  RegisterBasics();
  for (int round = 0; round < 3; ++round) {
    std::string parent = "parent" + std::to_string(round);
    std::string child = "child" + std::to_string(round);
    std::string parent_run = Start(parent);
    auto task = PollDecision();
    ASSERT_TRUE(task);
    ASSERT_TRUE(Decide(task->task_token, {StartChild(child)}).ok());
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(3 * round));
    Close();  // kill -9 after the parent's decision
    Open();
    auto started = WaitForEvents(parent, parent_run, EventType::kChildWorkflowExecutionStarted);
    ASSERT_EQ(started.size(), 1u) << "round " << round;
    const auto* execution = FindObject(started[0].attributes, "workflowExecution");
    ASSERT_NE(execution, nullptr);
    std::string child_run(*FindString(*execution, "runId"));
    // The child's decision task and the parent's (for the start): complete
    // the child, then kill -9 at once.
    for (int k = 0; k < 2; ++k) {
      auto next = PollDecision();
      ASSERT_TRUE(next);
      if (next->workflow_id == child) {
        EXPECT_EQ(next->run_id, child_run);
        ASSERT_TRUE(Decide(next->task_token, std::vector<Decision>{Complete()}).ok());
      } else {
        ASSERT_TRUE(Decide(next->task_token, {}).ok());
      }
    }
    Close();
    Open();
    auto completed = WaitForEvents(parent, parent_run, EventType::kChildWorkflowExecutionCompleted);
    ASSERT_EQ(completed.size(), 1u) << "round " << round;
    EXPECT_EQ(*FindString(completed[0].attributes, "result"), "done");
    EXPECT_EQ(FindInt(completed[0].attributes, "startedEventId"), started[0].id);
    store::ExecutionQuery q;
    q.domain = "d";
    q.open_and_closed = true;
    q.workflow_id = child;
    auto runs = store_->ListExecutions(q);
    ASSERT_TRUE(runs.ok());
    EXPECT_EQ(runs->executions.size(), 1u) << "one child run, round " << round;
    // The parent's decider hears of the close (in the task it had, or a new one).
    if (auto next = PollDecision()) {
      ASSERT_TRUE(Decide(next->task_token, std::vector<Decision>{Complete()}).ok());
    }
    std::vector<std::string> types = Types(parent, parent_run);
    auto completed_at = std::find(types.begin(), types.end(), "ChildWorkflowExecutionCompleted");
    EXPECT_NE(std::find(completed_at, types.end(), "DecisionTaskStarted"), types.end());
  }
}

// A crash right after a parent's termination became durable, before its
// child policy reached the child: at recovery the child finds its parent
// closed and applies the policy itself, once (a second restart adds
// nothing). The crash is made exact by writing the parent's close into the
// store while the engine is down, as the dying engine had.
TEST_F(EngineTest, AChildPolicyLostInACrashIsAppliedAtRecovery) {
  RegisterBasics();
  for (std::string policy : {"TERMINATE", "REQUEST_CANCEL"}) {
    SCOPED_TRACE(policy);
    std::string parent = "parent-" + policy, child = "child-" + policy;
    std::string parent_run = Start(parent);
    auto task = PollDecision();
    ASSERT_TRUE(task);
    ASSERT_TRUE(Decide(task->task_token, {StartChild(child)}).ok());
    auto started = WaitForEvents(parent, parent_run, EventType::kChildWorkflowExecutionStarted);
    ASSERT_EQ(started.size(), 1u);
    std::string child_run(
        *FindString(*FindObject(started[0].attributes, "workflowExecution"), "runId"));
    Close();

    auto reopened = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(reopened.ok());
    auto stored = (*reopened)->GetExecution(parent_run);
    ASSERT_TRUE(stored.ok() && *stored);
    store::ExecutionWrite w;
    w.execution = **stored;
    w.expected_last_event_id = w.execution.last_event_id;
    w.execution.open = false;
    w.execution.close_status = "TERMINATED";
    w.execution.close_time = clock_.Now();
    w.execution.last_event_id += 1;
    // No snapshot, as a weft before snapshots wrote rows: loaded by replay.
    w.execution.snapshot.clear();
    w.events.push_back(
        {w.execution.last_event_id, static_cast<uint16_t>(EventType::kWorkflowExecutionTerminated),
         clock_.Now(),
         ToJson(json::object{{"childPolicy", policy}, {"cause", "OPERATOR_INITIATED"}})});
    store::WriteBatch batch;
    batch.shard = w.execution.shard;
    batch.executions.push_back(std::move(w));
    const store::WriteBatch* batches[] = {&batch};
    ASSERT_TRUE((*reopened)->Write(batches)[0].ok());
    reopened->reset();

    for (int restart = 0; restart < 2; ++restart) {
      Open();
      EventType want = policy == "TERMINATE" ? EventType::kWorkflowExecutionTerminated
                                             : EventType::kWorkflowExecutionCancelRequested;
      auto applied = WaitForEvents(child, child_run, want);
      ASSERT_EQ(applied.size(), 1u) << "restart " << restart;
      EXPECT_EQ(*FindString(applied[0].attributes, "cause"), "CHILD_POLICY_APPLIED");
      Close();
    }
    Open();
  }
}

// A Lambda function that does not answer within its startToCloseTimeout
// times out (the fake clock moves; the endpoint accepts and never answers).
TEST_F(EngineTest, ALambdaFunctionThatDoesNotAnswerTimesOut) {
  net::io_context listener_io;
  net::ip::tcp::acceptor silent(listener_io, {net::ip::make_address("127.0.0.1"), 0});
  Close();
  outbound::LambdaFunction f;
  f.url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
  options_.outbound.lambda_functions["slow"] = f;
  Open();
  RegisterBasics();
  std::string run = Start("w1");
  auto task = PollDecision();
  ASSERT_TRUE(task);
  decision::ScheduleLambdaFunction call{"l1", "slow", std::nullopt, "{}", "30"};
  ASSERT_TRUE(Decide(task->task_token, std::vector<Decision>{call}).ok());
  for (int i = 0; i < 200 && EventsOf("w1", run, EventType::kLambdaFunctionStarted).empty(); ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(EventsOf("w1", run, EventType::kLambdaFunctionStarted).size(), 1u);
  clock_.Advance(30'000);
  for (int i = 0; i < 200 && EventsOf("w1", run, EventType::kLambdaFunctionTimedOut).empty(); ++i)
    std::this_thread::sleep_for(5ms);
  auto timed_out = EventsOf("w1", run, EventType::kLambdaFunctionTimedOut);
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(*FindString(timed_out[0].attributes, "timeoutType"), "START_TO_CLOSE");
  EXPECT_TRUE(PollDecision()) << "the decider hears of it";
}

// A history that reaches the limit ends with WorkflowExecutionTerminated,
// cause EVENT_LIMIT_EXCEEDED.
TEST_F(EngineTest, AHistoryAtTheEventLimitIsTerminated) {
  Close();
  options_.max_history_events = 12;
  Open();
  RegisterBasics();
  std::string run = Start("chatty");  // 2 events: Started, DecisionTaskScheduled
  for (int i = 0; i < 20; ++i) {
    Status s = Run(engine_->SignalWorkflowExecution({"d", "chatty", ""}, "s", std::nullopt));
    if (!s.ok()) break;  // terminated: the workflow is closed
  }
  auto h = Run(engine_->GetHistory({"d", "chatty", run}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 12u);
  EXPECT_EQ(h->back().type, EventType::kWorkflowExecutionTerminated);
  EXPECT_EQ(*FindString(h->back().attributes, "cause"), "EVENT_LIMIT_EXCEEDED");
}

// Retention: a closed execution is deleted once the domain's retention
// period is over, an open one never.
TEST_F(EngineTest, ClosedExecutionsArePurgedAfterTheDomainsRetention) {
  RegisterBasics();
  Registry::Mutation one_day =
      [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
    RegistryEntry e;
    e.data["configuration"] = json::object{{"workflowExecutionRetentionPeriodInDays", "1"}};
    return std::optional(e);
  };
  ASSERT_TRUE(Run(engine_->registry().Update(std::string(kDomainKind), "", "d", "", one_day)).ok());
  std::string closed = Start("closes");
  auto task = PollDecision();
  ASSERT_TRUE(task);
  ASSERT_TRUE(Decide(task->task_token, std::vector<Decision>{Complete()}).ok());
  std::string open = Start("stays-open");
  clock_.Advance(24 * 3600 * 1000 - 1);
  auto early = Run(engine_->PurgeClosedExecutions());
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0);
  EXPECT_TRUE(Run(engine_->GetHistory({"d", "closes", closed})).ok());
  clock_.Advance(2);
  auto purged = Run(engine_->PurgeClosedExecutions());
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  auto gone = Run(engine_->GetHistory({"d", "closes", closed}));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), Errc::kUnknownResource);
  auto events = store_->LoadEvents(closed);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty()) << "its history went with it";
  EXPECT_TRUE(Run(engine_->GetHistory({"d", "stays-open", open})).ok());
}

// RespondDecisionTaskCompleted's taskList moves the next decision tasks;
// with taskListScheduleToStartTimeout, a task nobody takes there in time
// times out (SCHEDULE_TO_START) and goes back to the execution's task list.
TEST_F(EngineTest, ADeciderMovesTheNextDecisionTasksToAnotherTaskList) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Run(engine_->RespondDecisionTaskCompleted(d1->task_token, {}, std::nullopt,
                                                        std::string("sticky"), std::string("5")))
                  .ok());
  ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", "w1", ""}, "s", std::nullopt)).ok());
  EXPECT_EQ(Pending("d", "sticky", matching::TaskKind::kDecision), 1);
  EXPECT_EQ(Pending("d", "deciders", matching::TaskKind::kDecision), 0);
  clock_.Advance(5'000);  // nobody polled "sticky"
  for (int i = 0; i < 200 && Pending("d", "deciders", matching::TaskKind::kDecision) == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(Pending("d", "sticky", matching::TaskKind::kDecision), 0);
  auto d2 = PollDecision();
  ASSERT_TRUE(d2) << "back on the execution's task list";
  auto h = Run(engine_->GetHistory({"d", "w1", run}));
  ASSERT_TRUE(h.ok());
  std::vector<std::string> tail;
  for (size_t i = 4; i < h->size(); ++i) tail.emplace_back(EventTypeName((*h)[i].type));
  EXPECT_EQ(tail, (std::vector<std::string>{"WorkflowExecutionSignaled", "DecisionTaskScheduled",
                                            "DecisionTaskTimedOut", "DecisionTaskScheduled",
                                            "DecisionTaskStarted"}));
  EXPECT_EQ(FindString((*h)[3].attributes, "taskListScheduleToStartTimeout")
                ? std::string(*FindString((*h)[3].attributes, "taskListScheduleToStartTimeout"))
                : "",
            "5");
  EXPECT_EQ(*FindString((*h)[6].attributes, "timeoutType"), "SCHEDULE_TO_START");
  // Without a timeout the move is for good.
  ASSERT_TRUE(Run(engine_->RespondDecisionTaskCompleted(d2->task_token, {}, std::nullopt,
                                                        std::string("sticky"), std::nullopt))
                  .ok());
  ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", "w1", ""}, "t", std::nullopt)).ok());
  clock_.Advance(60'000);  // long past any schedule-to-start timeout
  auto moved = Run(engine_->PollForDecisionTask("d", "sticky", "decider", nullptr));
  ASSERT_TRUE(moved.ok() && moved->has_value());
}

TEST_F(EngineTest, DeciderAndWorkerLoopWritesTheDocumentedHistory) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  EXPECT_EQ(d1->previous_started_event_id, 0);
  EXPECT_EQ(d1->events.size(), 3u);
  ASSERT_TRUE(Decide(d1->task_token, std::vector<Decision>{Schedule("a1")}).ok());
  auto a1 = PollActivity();
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->activity_id, "a1");
  EXPECT_EQ(a1->input, "x");
  ASSERT_TRUE(Run(engine_->RespondActivityTask(a1->task_token, Engine::ActivityOutcome::kCompleted,
                                               "r", std::nullopt))
                  .ok());
  auto d2 = PollDecision();
  ASSERT_TRUE(d2);
  EXPECT_EQ(d2->previous_started_event_id, d1->started_event_id);
  ASSERT_TRUE(Decide(d2->task_token, std::vector<Decision>{Complete()}).ok());
  EXPECT_EQ(Types("w1", run),
            (std::vector<std::string>{
                "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
                "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
                "DecisionTaskCompleted", "WorkflowExecutionCompleted"}));
  // Closed: tokens are stale and the workflowId can be used again.
  auto stale = Run(
      engine_->RespondActivityTask(a1->task_token, Engine::ActivityOutcome::kCompleted, "r", {}));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), Errc::kUnknownResource);
  EXPECT_NE(Start("w1"), run);
}

// Far more workflows than the cache holds (one per shard here): each is
// evicted and loaded again from its snapshot at nearly every step, timers
// fire for executions not in memory, a workflowId's open run is found in the
// store, and a restart in the middle loses nothing.
TEST_F(EngineTest, WorkflowsRunCorrectlyThroughATinyCacheAndARestart) {
  RegisterBasics();
  const int64_t loads_before = CounterValue("weft_execution_cache_loads_total");
  const int64_t evictions_before = CounterValue("weft_execution_cache_evictions_total");
  constexpr int kWorkflows = 12;
  std::map<std::string, std::string> runs;  // workflowId -> runId
  for (int i = 0; i < kWorkflows; ++i) {
    std::string id = "w" + std::to_string(i);
    runs[id] = Start(id);
  }
  // A second start of each is refused although most are not in memory.
  for (const auto& [id, run] : runs) {
    StartRequest again;
    again.domain = "d";
    again.workflow_id = id;
    again.type = {"wf", "1"};
    auto r = Run(engine_->StartWorkflowExecution(std::move(again)));
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.error().code(), Errc::kAlreadyExists);
  }
  // First decisions: an activity and a 60 s timer each.
  for (int i = 0; i < kWorkflows; ++i) {
    auto d = PollDecision();
    ASSERT_TRUE(d);
    ASSERT_TRUE(Decide(d->task_token, {Schedule("a"), decision::StartTimer{"t", "60", {}}}).ok());
  }
  // A signal to each by workflowId alone (the open run, looked up in the store).
  for (const auto& [id, run] : runs) {
    ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", id, ""}, "go", "s")).ok()) << id;
  }
  Close();
  Open();
  // The activities offered again after the restart, each taken once.
  for (int i = 0; i < kWorkflows; ++i) {
    auto a = PollActivity();
    ASSERT_TRUE(a);
    ASSERT_TRUE(Run(engine_->RespondActivityTask(a->task_token, Engine::ActivityOutcome::kCompleted,
                                                 "r", {}))
                    .ok());
  }
  clock_.Advance(61'000);  // every timer fires, its execution loaded to record it
  for (const auto& [id, run] : runs) {
    ASSERT_EQ(WaitForEvents(id, run, EventType::kTimerFired).size(), 1u) << id;
  }
  // The deciders close them all; a decision task covers what happened.
  int closed = 0;
  for (int polls = 0; closed < kWorkflows && polls < 4 * kWorkflows; ++polls) {
    auto d = PollDecision();
    ASSERT_TRUE(d);
    if (Decide(d->task_token, {Complete()}).ok()) ++closed;
  }
  EXPECT_EQ(closed, kWorkflows);
  // Many more loads than workflows: the cache really was too small.
  EXPECT_GT(CounterValue("weft_execution_cache_loads_total") - loads_before, 3 * kWorkflows);
  EXPECT_GT(CounterValue("weft_execution_cache_evictions_total") - evictions_before,
            2 * kWorkflows);
  for (const auto& [id, run] : runs) {
    auto types = Types(id, run);
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.back(), "WorkflowExecutionCompleted") << id;
    for (auto type : {"ActivityTaskCompleted", "TimerFired", "WorkflowExecutionSignaled"}) {
      EXPECT_EQ(std::count(types.begin(), types.end(), type), 1) << id << " " << type;
    }
  }
}

// The task rows of one kind ("a": activity, "d": decision), from the store.
int64_t TaskRows(store::Store& store, const char* kind) {
  const std::string from(kind), before(1, static_cast<char>(kind[0] + 1));
  auto n = store.CountTasks(from, before);
  EXPECT_TRUE(n.ok());
  return n.ok() ? *n : -1;
}

// Tasks waiting for a worker are rows: after a restart (which builds no
// task queue from the executions) they are handed out by priority, each
// once, two in memory at a time; a row whose task is gone is dropped.
TEST_F(EngineTest, TasksAreRowsHandedOutByPriorityAfterARestartEachOnce) {
  RegisterBasics();
  constexpr int kWorkflows = 6;
  std::map<std::string, std::string> runs;
  for (int i = 0; i < kWorkflows; ++i)
    runs["w" + std::to_string(i)] = Start("w" + std::to_string(i));
  EXPECT_EQ(TaskRows(*store_, "d"), kWorkflows);
  // Priorities 0, 1, 1, 0, 7, 1 in scheduling order: the hand-out order is
  // the highest first, the oldest first among equals.
  const int priorities[kWorkflows] = {0, 1, 1, 0, 7, 1};
  std::vector<std::tuple<int, int, std::string>> scheduled;  // (-priority, order, id)
  for (int i = 0; i < kWorkflows; ++i) {
    auto d = PollDecision();
    ASSERT_TRUE(d);
    auto schedule = std::get<decision::ScheduleActivityTask>(Schedule("a"));
    schedule.task_priority = std::to_string(priorities[i]);
    ASSERT_TRUE(Decide(d->task_token, {schedule}).ok());
    scheduled.emplace_back(-priorities[i], i, d->workflow_id);
  }
  std::sort(scheduled.begin(), scheduled.end());
  std::vector<std::string> expected;
  for (const auto& [priority, i, id] : scheduled) expected.push_back(id);
  EXPECT_EQ(TaskRows(*store_, "d"), 0) << "a started task's row is deleted with its start";
  EXPECT_EQ(TaskRows(*store_, "a"), kWorkflows);
  Close();  // as after kill -9
  Open();
  // A row whose task is gone (its run unknown) is a stale offer: dropped.
  store::WriteBatch stray;
  stray.tasks.push_back(
      store::TaskRecord{std::string("a\x1f") + "d\x1fworkers", "no-such-run", 5, 99, 1, "ghost"});
  const store::WriteBatch* batches[] = {&stray};
  ASSERT_TRUE(store_->Write(batches)[0].ok());
  std::vector<std::string> order;
  for (int i = 0; i < kWorkflows; ++i) {
    auto a = PollActivity();
    ASSERT_TRUE(a) << i;
    order.push_back(a->workflow_id);
  }
  EXPECT_EQ(order, expected);
  EXPECT_FALSE(PollActivity()) << "each task once";
  EXPECT_EQ(TaskRows(*store_, "a"), 0) << "started and stale rows are deleted";
  for (const auto& [id, run] : runs) {
    auto types = Types(id, run);
    EXPECT_EQ(std::count(types.begin(), types.end(), "ActivityTaskStarted"), 1) << id;
  }
}

// A store written before tasks were rows gets the rows of its open runs'
// tasks at its first start.
TEST_F(EngineTest, AStoreWithoutTaskRowsGetsThemAtItsFirstStart) {
  RegisterBasics();
  for (std::string id : {"w1", "w2", "w3"}) Start(id);
  Close();
  {  // as an older weft left it: no task rows, no marker
    auto opened = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(opened.ok());
    const std::string list = std::string("d\x1f") + "d\x1f" + "deciders";
    auto rows = (*opened)->LoadTasks(list, nullptr, 100);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 3u);
    store::WriteBatch batch;
    batch.tasks_done = *rows;
    batch.registry.push_back({store::RegistryRecord{"marker", "", "task_rows", "", "", 0, ""},
                              /*erase=*/true});
    const store::WriteBatch* batches[] = {&batch};
    ASSERT_TRUE((*opened)->Write(batches)[0].ok());
    ASSERT_EQ(TaskRows(**opened, "d"), 0);
  }
  FlagEveryRowAsFromAnOlderStore();
  Open();
  {  // and cleared once read, since these runs have no other work
    auto read = store_->LoadExecutionsWithWork("", -1);
    ASSERT_TRUE(read.ok());
    EXPECT_TRUE(read->empty());
  }
  EXPECT_EQ(TaskRows(*store_, "d"), 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(PollDecision()) << i;
  EXPECT_FALSE(PollDecision());
}

// Start-up reads only the open runs with work outstanding beyond their
// timers and tasks (rows): here a parent and its child, not a workflow that
// only waits for its activity.
TEST_F(EngineTest, StartUpReadsOnlyTheRunsWithWorkOutstanding) {
  RegisterBasics();
  std::string plain = Start("plain");
  std::string parent = Start("parent");
  for (int i = 0; i < 2; ++i) {
    auto d = PollDecision();
    ASSERT_TRUE(d);
    ASSERT_TRUE(
        Decide(d->task_token, {d->workflow_id == "parent" ? StartChild("kid") : Schedule("a")})
            .ok());
  }
  auto started = WaitForEvents("parent", parent, EventType::kChildWorkflowExecutionStarted);
  ASSERT_EQ(started.size(), 1u);
  std::string kid =
      FindString(*FindObject(started[0].attributes, "workflowExecution"), "runId")->c_str();
  auto flagged = [this] {
    std::set<std::string> ids;
    auto read = store_->LoadExecutionsWithWork("", -1);
    EXPECT_TRUE(read.ok());
    if (read.ok())
      for (const auto& r : *read) ids.insert(r.run_id);
    return ids;
  };
  EXPECT_EQ(flagged(), (std::set<std::string>{parent, kid}));
  Close();
  Open();
  auto a = PollActivity();
  ASSERT_TRUE(a) << "the activity of a run start-up did not read";
  EXPECT_EQ(a->run_id, plain);
  ASSERT_TRUE(
      Run(engine_->RespondActivityTask(a->task_token, Engine::ActivityOutcome::kCompleted, "r", {}))
          .ok());
  EXPECT_EQ(flagged(), (std::set<std::string>{parent, kid}));
}

TEST_F(EngineTest, SecondStartOfOpenWorkflowIdIsRefused) {
  RegisterBasics();
  Start("w1");
  StartRequest req;
  req.domain = "d";
  req.workflow_id = "w1";
  req.type = {"wf", "1"};
  auto r = Run(engine_->StartWorkflowExecution(std::move(req)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kAlreadyExists);
}

// Starts of one workflowId in flight at once start one run: refused from
// memory while its run is there (or being started), and by the store,
// which writes no second open run of a workflowId, when it is not (evicted,
// or after a restart), so that a start reads nothing first. Once the run
// has closed, the workflowId starts again.
TEST_F(EngineTest, ConcurrentStartsOfAWorkflowIdStartOneRun) {
  RegisterBasics();
  // Sends every start before awaiting any; the runIds of those that started.
  auto start_together = [this](std::vector<std::string> ids) {
    std::vector<std::future<Result<std::string>>> pending;
    for (const std::string& id : ids) {
      StartRequest req;
      req.domain = "d";
      req.workflow_id = id;
      req.type = {"wf", "1"};
      pending.push_back(
          net::co_spawn(*io_, engine_->StartWorkflowExecution(std::move(req)), net::use_future));
    }
    std::vector<std::string> runs;
    for (auto& p : pending) {
      Result<std::string> r = p.get();
      if (r.ok()) {
        runs.push_back(*r);
      } else {
        EXPECT_EQ(r.error().code(), Errc::kAlreadyExists) << r.error().message();
      }
    }
    return runs;
  };
  std::vector<std::string> first = start_together({"w1", "w1", "w1"});
  ASSERT_EQ(first.size(), 1u);
  const std::string run = first[0];

  // Many more workflows than the cache holds (one per shard): w1's run is
  // no longer in memory.
  const int64_t evictions_before = CounterValue("weft_execution_cache_evictions_total");
  for (int i = 0; i < 10; ++i) Start("other" + std::to_string(i));
  EXPECT_GE(CounterValue("weft_execution_cache_evictions_total") - evictions_before, 9);
  EXPECT_EQ(start_together({"w1", "w1"}).size(), 0u);
  EXPECT_EQ(start_together({"w2", "w1", "w2"}).size(), 1u);

  Close();
  Open();
  EXPECT_EQ(start_together({"w1", "w1"}).size(), 0u);
  // The refused starts changed nothing: w1's open run is the one started first.
  ASSERT_TRUE(Run(engine_->TerminateWorkflowExecution({"d", "w1", ""}, "test", {}, {})).ok());
  EXPECT_EQ(Types("w1", run).back(), "WorkflowExecutionTerminated");
  std::vector<std::string> after_close = start_together({"w1", "w1"});
  ASSERT_EQ(after_close.size(), 1u);
  EXPECT_NE(after_close[0], run);
}

TEST_F(EngineTest, CloseDecisionWithUnseenSignalFailsAsUnhandled) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", "w1", ""}, "go", "payload")).ok());
  ASSERT_TRUE(Decide(d1->task_token, std::vector<Decision>{Complete()}).ok());
  auto types = Types("w1", run);
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[types.size() - 2], "CompleteWorkflowExecutionFailed");
  EXPECT_EQ(types.back(), "DecisionTaskScheduled");
  auto d2 = PollDecision();
  ASSERT_TRUE(d2);
  ASSERT_TRUE(Decide(d2->task_token, std::vector<Decision>{Complete()}).ok());
  EXPECT_EQ(Types("w1", run).back(), "WorkflowExecutionCompleted");
}

TEST_F(EngineTest, FailedDecisionsGetDocumentedCauses) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  std::vector<Decision> decisions{Schedule("a1", "nope"), decision::CancelTimer{"t0"},
                                  decision::RequestCancelActivityTask{"zz"}};
  ASSERT_TRUE(Decide(d1->task_token, decisions).ok());
  auto h = Run(engine_->GetHistory({"d", "w1", run}));
  ASSERT_TRUE(h.ok());
  std::vector<std::string> causes;
  for (const auto& e : *h) {
    if (const auto* c = FindString(e.attributes, "cause")) causes.emplace_back(*c);
  }
  EXPECT_EQ(causes, (std::vector<std::string>{"ACTIVITY_TYPE_DOES_NOT_EXIST", "TIMER_ID_UNKNOWN",
                                              "ACTIVITY_ID_UNKNOWN"}));
  EXPECT_EQ(h->back().type, EventType::kDecisionTaskScheduled);  // the decider must hear of it
}

TEST_F(EngineTest, MalformedTokenIsValidationAndForeignTokenUnknown) {
  RegisterBasics();
  auto bad = Run(engine_->RespondActivityTask("not-a-token", Engine::ActivityOutcome::kCompleted,
                                              std::nullopt, std::nullopt));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::kInvalidToken);
}

TEST_F(EngineTest, AlteredOrForeignTokensAreInvalid) {
  RegisterBasics();
  Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  std::string token = d1->task_token;
  // One character of the payload or the signature changed.
  for (size_t at : {size_t{2}, token.size() - 2}) {
    std::string altered = token;
    altered[at] = altered[at] == 'A' ? 'B' : 'A';
    auto r = Decide(altered, std::vector<Decision>{Complete()});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::kInvalidToken) << at;
  }
  // The same payload signed under another key (another store's token).
  TokenSigner other(std::string(32, 'k'));
  auto payload = TokenSigner(std::string(32, 'x')).Verify(token);
  EXPECT_FALSE(payload.has_value());
  auto foreign =
      Decide(other.Sign("w1[\"d\",\"d\",\"w1\",\"r\",1,2]"), std::vector<Decision>{Complete()});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code(), Errc::kInvalidToken);
  EXPECT_TRUE(Decide(token, std::vector<Decision>{Complete()}).ok());
}

TEST_F(EngineTest, CancelOfUnstartedActivityCancelsItAtOnce) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(Decide(d1->task_token, std::vector<Decision>{Schedule("a1")}).ok());
  EXPECT_EQ(Pending("d", "workers", matching::TaskKind::kActivity), 1);
  auto d2 = Run(engine_->SignalWorkflowExecution({"d", "w1", run}, "cancel-it", std::nullopt));
  ASSERT_TRUE(d2.ok());
  auto d3 = PollDecision();
  ASSERT_TRUE(d3);
  std::vector<Decision> cancel{decision::RequestCancelActivityTask{"a1"}};
  ASSERT_TRUE(Decide(d3->task_token, cancel).ok());
  auto types = Types("w1", run);
  EXPECT_EQ(types[types.size() - 3], "ActivityTaskCancelRequested");
  EXPECT_EQ(types[types.size() - 2], "ActivityTaskCanceled");
  EXPECT_EQ(Pending("d", "workers", matching::TaskKind::kActivity), 0);
  EXPECT_FALSE(PollActivity().has_value());
}

TEST_F(EngineTest, HeartbeatReportsCancelRequestOfStartedActivity) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(Decide(d1->task_token, std::vector<Decision>{Schedule("a1")}).ok());
  auto a1 = PollActivity();
  ASSERT_TRUE(a1);
  auto hb = Run(engine_->RecordActivityTaskHeartbeat(a1->task_token, "50%"));
  ASSERT_TRUE(hb.ok());
  EXPECT_FALSE(*hb);
  ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", "w1", run}, "s", std::nullopt)).ok());
  auto d2 = PollDecision();
  std::vector<Decision> cancel{decision::RequestCancelActivityTask{"a1"}};
  ASSERT_TRUE(Decide(d2->task_token, cancel).ok());
  hb = Run(engine_->RecordActivityTaskHeartbeat(a1->task_token, std::nullopt));
  ASSERT_TRUE(hb.ok());
  EXPECT_TRUE(*hb);
  ASSERT_TRUE(Run(engine_->RespondActivityTask(a1->task_token, Engine::ActivityOutcome::kCanceled,
                                               std::nullopt, "stopped"))
                  .ok());
  EXPECT_EQ(Types("w1", run).back(), "DecisionTaskScheduled");
}

// A snapshot this weft cannot read (another version, or behind its row's
// last event) is not trusted: the run is replayed from its history instead.
TEST_F(EngineTest, AnUnreadableSnapshotIsReplacedByReplay) {
  RegisterBasics();
  std::string run = Start("u");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Decide(d1->task_token, {Schedule("a1")}).ok());
  for (std::string bad : {"{\"v\":99}", "not json", "{\"v\":1,\"1\":2,\"2\":1}"}) {
    SCOPED_TRACE(bad);
    ReplaceSnapshot(run, bad);  // restarts
    // Its activity is offered again and recorded on the replayed state.
    auto a = PollActivity();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->activity_id, "a1");
    auto described = Run(engine_->DescribeWorkflowExecution({"d", "u", run}));
    ASSERT_TRUE(described.ok());
    EXPECT_EQ(described->at("openCounts").at("openActivityTasks").as_int64(), 1);
    // The next step writes a good snapshot again (checked at tear-down).
    ASSERT_TRUE(
        Run(engine_->RespondActivityTask(a->task_token, Engine::ActivityOutcome::kFailed, "r", {}))
            .ok());
    auto d = PollDecision();
    ASSERT_TRUE(d);
    ASSERT_TRUE(Decide(d->task_token, {Schedule("a1")}).ok());
  }
}

// Timers are rows: a user timer an hour away and the execution's timeout
// are written with the events that arm them, fire in due order across
// restarts (memory arms only what is due within a minute), and their rows
// are deleted once they have fired. A store without timer rows (an older
// weft's) gets them from the executions' state at its first start.
TEST_F(EngineTest, TimersAreRowsThatFireInDueOrderAcrossRestarts) {
  RegisterBasics();
  std::string run = Start("t");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Decide(d1->task_token, {decision::StartTimer{"later", "3000", {}},
                                      decision::StartTimer{"sooner", "1200", {}}})
                  .ok());
  auto keys = [this] {
    std::set<std::string> out;
    for (const auto& r : AllTimerRows(*store_)) out.insert(r.key);
    return out;
  };
  std::set<std::string> written = keys();
  EXPECT_TRUE(written.contains("0:0:0:")) << "the execution's timeout";
  EXPECT_TRUE(written.contains("8:5:0:later"));
  EXPECT_TRUE(written.contains("8:6:0:sooner"));

  // As an older weft left the store: no timer rows and no marker.
  Close();
  {
    auto s = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(s.ok());
    store::WriteBatch forget;
    forget.timers_done = AllTimerRows(**s);
    forget.registry.push_back({store::RegistryRecord{"marker", "", "timer_rows", ""}, true});
    const store::WriteBatch* batches[] = {&forget};
    ASSERT_TRUE((*s)->Write(batches)[0].ok());
  }
  FlagEveryRowAsFromAnOlderStore();
  Open();
  EXPECT_EQ(keys(), (std::set<std::string>{"0:0:0:", "8:5:0:later", "8:6:0:sooner"}));

  clock_.Advance(1'200'000);
  ASSERT_EQ(WaitForEvents("t", run, EventType::kTimerFired).size(), 1u);
  Close();
  Open();
  clock_.Advance(1'800'000);
  auto fired = EventsOf("t", run, EventType::kTimerFired);
  for (int i = 0; i < 400 && fired.size() < 2; ++i) {
    std::this_thread::sleep_for(5ms);
    fired = EventsOf("t", run, EventType::kTimerFired);
  }
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(*FindString(fired[0].attributes, "timerId"), "sooner");
  EXPECT_EQ(*FindString(fired[1].attributes, "timerId"), "later");
  clock_.Advance(600'000);  // past the execution's timeout (3600 s)
  ASSERT_EQ(WaitForEvents("t", run, EventType::kWorkflowExecutionTimedOut).size(), 1u);
  // Every row has fired; their deletes are written with the next read.
  clock_.Advance(1);
  for (int i = 0; i < 400 && !keys().empty(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(keys().empty()) << ::testing::PrintToString(keys());
}

// A timer row this weft cannot read (a Step Functions kind it does not
// know, an SWF key that does not parse) is dropped when it comes due and
// deleted; the shard's other timers fire as they should.
TEST_F(EngineTest, AnUnreadableTimerRowIsDroppedAndDeleted) {
  RegisterBasics();
  std::string run = Start("t");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Decide(d1->task_token, {decision::StartTimer{"t1", "60", {}}}).ok());
  Close();
  {
    auto s = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(s.ok());
    store::WriteBatch bad;
    bad.timers = {{0, clock_.Now() + 30'000, "x", "m9:what", ""},
                  {0, clock_.Now() + 30'000, "y", "not a key", "{}"}};
    const store::WriteBatch* batches[] = {&bad};
    ASSERT_TRUE((*s)->Write(batches)[0].ok());
  }
  Open();
  clock_.Advance(61'000);
  EXPECT_EQ(WaitForEvents("t", run, EventType::kTimerFired).size(), 1u);
  auto unreadable = [this] {
    int n = 0;
    for (const auto& r : AllTimerRows(*store_)) n += r.run_id.size() == 1;
    return n;
  };
  for (int i = 0; i < 400 && unreadable() > 0; ++i) {
    std::this_thread::sleep_for(5ms);
    clock_.Advance(1);
  }
  EXPECT_EQ(unreadable(), 0) << "the unreadable rows are deleted";
}

// The shard count is the store's: fixed when it is created, whatever a
// later start asks for (executions and their timer rows are placed by it).
TEST_F(EngineTest, AStoreKeepsTheShardCountItWasCreatedWith) {
  RegisterBasics();
  std::string run = Start("s");
  auto d1 = PollDecision();
  ASSERT_TRUE(d1);
  ASSERT_TRUE(Decide(d1->task_token, {decision::StartTimer{"t", "120", {}}}).ok());
  for (int shards : {7, 1}) {
    Close();
    options_.shards = shards;
    Open();
    std::vector<store::RegistryRecord> config;
    auto registry = store_->LoadRegistry();
    ASSERT_TRUE(registry.ok());
    for (const auto& r : *registry) {
      if (r.kind == "config" && r.name == "shards") config.push_back(r);
    }
    ASSERT_EQ(config.size(), 1u);
    EXPECT_EQ(config[0].data, "{\"count\":2}");
    // New runs are placed on the store's two shards, not on the flag's.
    for (int i = 0; i < 12; ++i) {
      std::string id = "n" + std::to_string(shards) + "-" + std::to_string(i);
      auto stored = store_->GetExecution(Start(id));
      ASSERT_TRUE(stored.ok() && *stored);
      EXPECT_LT((*stored)->shard, 2) << id;
    }
  }
  // Still found where it is, its timer still fires.
  ASSERT_TRUE(Run(engine_->SignalWorkflowExecution({"d", "s", ""}, "x", std::nullopt)).ok());
  clock_.Advance(121'000);
  EXPECT_EQ(WaitForEvents("s", run, EventType::kTimerFired).size(), 1u);
}

// A heartbeat writes no event, yet neither eviction from the cache nor a
// restart forgets it: it is written to the row (at most --heartbeat-flush
// after the previous write), and an execution whose last heartbeat is not
// written yet stays in memory.
TEST_F(EngineTest, HeartbeatsSurviveEvictionAndRestart) {
  for (bool flush_at_once : {true, false}) {
    SCOPED_TRACE(flush_at_once ? "written at once" : "kept in memory");
    Close();
    fs::remove_all(dir_);
    options_.heartbeat_flush = flush_at_once ? 0ms : 3'600'000ms;
    Open();
    RegisterBasics();
    std::string run = Start("hb");
    auto d1 = PollDecision();
    ASSERT_TRUE(d1);
    decision::ScheduleActivityTask act = std::get<decision::ScheduleActivityTask>(Schedule("a1"));
    act.heartbeat_timeout = "60";
    ASSERT_TRUE(Decide(d1->task_token, {act}).ok());
    auto a1 = PollActivity();
    ASSERT_TRUE(a1);
    clock_.Advance(50'000);
    ASSERT_TRUE(Run(engine_->RecordActivityTaskHeartbeat(a1->task_token, "half")).ok());
    for (int i = 0; i < 8; ++i) Start("other-" + std::to_string(i));  // evicts "hb" if it can
    clock_.Advance(20'000);  // 70 s after the start, 20 s after the heartbeat
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(EventsOf("hb", run, EventType::kActivityTaskTimedOut).empty());
    if (flush_at_once) {
      Close();
      Open();
      clock_.Advance(5'000);  // 25 s after the heartbeat
      std::this_thread::sleep_for(50ms);
      EXPECT_TRUE(EventsOf("hb", run, EventType::kActivityTaskTimedOut).empty());
    }
    clock_.Advance(60'000);
    auto timed_out = WaitForEvents("hb", run, EventType::kActivityTaskTimedOut);
    ASSERT_EQ(timed_out.size(), 1u);
    EXPECT_EQ(*FindString(timed_out[0].attributes, "timeoutType"), "HEARTBEAT");
    EXPECT_EQ(*FindString(timed_out[0].attributes, "details"), "half");
  }
}

// The history is the truth: an engine started on the same store continues
// every open execution where the first left it, tasks included.
TEST_F(EngineTest, RecoveryRebuildsStateTasksAndTokens) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  ASSERT_TRUE(Decide(d1->task_token, std::vector<Decision>{Schedule("a1"), Schedule("a2")}).ok());
  auto a1 = PollActivity();
  ASSERT_TRUE(a1);
  Close();
  Open();
  // a1 was started before the restart: its token still works.
  ASSERT_TRUE(Run(engine_->RespondActivityTask(a1->task_token, Engine::ActivityOutcome::kCompleted,
                                               "r1", std::nullopt))
                  .ok());
  // a2 was queued: it is queued again.
  auto a2 = PollActivity();
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->activity_id == "a1" ? "a2" : a2->activity_id, "a2");
  ASSERT_TRUE(Run(engine_->RespondActivityTask(a2->task_token, Engine::ActivityOutcome::kCompleted,
                                               "r2", std::nullopt))
                  .ok());
  auto d2 = PollDecision();
  ASSERT_TRUE(d2);
  ASSERT_TRUE(Decide(d2->task_token, std::vector<Decision>{Complete()}).ok());
  auto types = Types("w1", run);
  EXPECT_EQ(types.back(), "WorkflowExecutionCompleted");
  EXPECT_EQ(std::count(types.begin(), types.end(), "ActivityTaskCompleted"), 2);
}

// Replaying a history rebuilds the same state as applying it live.
TEST_F(EngineTest, ReplayOfStoredHistoryRebuildsSameState) {
  RegisterBasics();
  std::string run = Start("w1");
  auto d1 = PollDecision();
  std::vector<Decision> decisions{Schedule("a1"), Schedule("a2"),
                                  decision::StartTimer{"t1", "600", std::nullopt}};
  ASSERT_TRUE(Decide(d1->task_token, decisions).ok());
  auto a1 = PollActivity();
  ASSERT_TRUE(a1);
  auto h = Run(engine_->GetHistory({"d", "w1", run}));
  ASSERT_TRUE(h.ok());
  MutableState replayed("d", "w1", run);
  for (const auto& e : *h) replayed.Apply(e);
  auto described = Run(engine_->DescribeWorkflowExecution({"d", "w1", run}));
  ASSERT_TRUE(described.ok());
  const auto& counts = described->at("openCounts").as_object();
  EXPECT_EQ(counts.at("openActivityTasks").as_int64(),
            static_cast<int64_t>(replayed.activities().size()));
  EXPECT_EQ(counts.at("openTimers").as_int64(), static_cast<int64_t>(replayed.timers().size()));
  EXPECT_EQ(replayed.activities().size(), 2u);
  EXPECT_EQ(replayed.timers().size(), 1u);
  EXPECT_EQ(replayed.previous_started_event_id(), d1->started_event_id);
  EXPECT_FALSE(replayed.decision_task().has_value());
  int started = 0;
  for (const auto& [id, a] : replayed.activities()) started += a.started_event_id != 0;
  EXPECT_EQ(started, 1);
}

TEST_F(EngineTest, TerminateClosesAndWithdrawsQueuedTasks) {
  RegisterBasics();
  std::string run = Start("w1");
  EXPECT_EQ(Pending("d", "deciders", matching::TaskKind::kDecision), 1);
  ASSERT_TRUE(
      Run(engine_->TerminateWorkflowExecution({"d", "w1", ""}, "why", std::nullopt, std::nullopt))
          .ok());
  EXPECT_EQ(Pending("d", "deciders", matching::TaskKind::kDecision), 0);
  EXPECT_EQ(Types("w1", run).back(), "WorkflowExecutionTerminated");
  auto again = Run(engine_->SignalWorkflowExecution({"d", "w1", ""}, "s", std::nullopt));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Errc::kUnknownResource);
  auto described = Run(engine_->DescribeWorkflowExecution({"d", "w1", run}));
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->at("executionInfo").at("closeStatus").as_string(), "TERMINATED");
}

// A store whose writes can be made to fail, to see what the engine does then.
class FailingStore final : public store::Store {
 public:
  explicit FailingStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}
  std::atomic<bool> fail{false};
  std::atomic<bool> fail_reads{false};  // of an execution's row

  std::vector<Status> Write(std::span<const store::WriteBatch* const> batches) override {
    if (fail) return std::vector<Status>(batches.size(), Error::Internal("disk on fire"));
    return inner_->Write(batches);
  }
  Result<std::vector<store::RegistryRecord>> LoadRegistry() override {
    return inner_->LoadRegistry();
  }
  Result<std::vector<store::ExecutionRecord>> LoadExecutionsWithWork(const std::string& after,
                                                                     int64_t limit) override {
    return inner_->LoadExecutionsWithWork(after, limit);
  }
  Result<std::optional<store::ExecutionRecord>> GetExecution(const std::string& run_id) override {
    if (fail_reads) return Error::Internal("disk unreadable");
    return inner_->GetExecution(run_id);
  }
  Result<std::optional<store::ExecutionRecord>> GetOpenExecution(
      const std::string& domain, const std::string& workflow_id) override {
    return inner_->GetOpenExecution(domain, workflow_id);
  }
  Result<std::vector<store::EventRecord>> LoadEvents(const std::string& run_id, int64_t after,
                                                     int64_t limit) override {
    return inner_->LoadEvents(run_id, after, limit);
  }
  Result<store::ExecutionPage> ListExecutions(const store::ExecutionQuery& q) override {
    return inner_->ListExecutions(q);
  }
  Result<int64_t> CountExecutions(const store::ExecutionQuery& q) override {
    return inner_->CountExecutions(q);
  }
  Result<std::vector<store::TimerRecord>> LoadTimers(std::optional<int32_t> shard, Millis from,
                                                     Millis before, int64_t limit) override {
    return inner_->LoadTimers(shard, from, before, limit);
  }
  Result<std::vector<store::TaskRecord>> LoadTasks(const std::string& list,
                                                   const store::TaskRecord* after,
                                                   int64_t limit) override {
    return inner_->LoadTasks(list, after, limit);
  }
  Result<int64_t> CountTasks(const std::string& from, const std::string& before) override {
    return inner_->CountTasks(from, before);
  }

 private:
  std::unique_ptr<store::Store> inner_;
};

// Memory must never run ahead of the store: a failed write of an execution's
// events stops the process (a restart recovers what was durable), while a
// failed registration is just an error for its caller.
// Runs an engine on a store that fails once registration is done; exits
// with a code naming any step that did not behave.
void RunUntilFailedWrite(const fs::path& dir) {
  fs::remove_all(dir);
  auto opened = store::OpenSqliteStore(dir.string());
  if (!opened.ok()) std::abort();
  FailingStore store(std::move(*opened));
  net::io_context io;
  SystemClock clock;
  Engine engine(io, store, clock);
  if (!engine.Recover().ok()) std::exit(3);
  auto work = net::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  Registry::Mutation put =
      [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
    RegistryEntry e;
    e.record.status = "REGISTERED";
    e.data["configuration"] = json::object{{"defaultTaskList", json::object{{"name", "t"}}},
                                           {"defaultExecutionStartToCloseTimeout", "60"},
                                           {"defaultTaskStartToCloseTimeout", "60"},
                                           {"defaultChildPolicy", "TERMINATE"}};
    return std::optional(e);
  };
  auto run = [&](auto a) { return net::co_spawn(io, std::move(a), net::use_future).get(); };
  if (!run(engine.registry().Update(std::string(kDomainKind), "", "d", "", put)).ok()) {
    std::exit(4);
  }
  if (!run(engine.registry().Update(std::string(kWorkflowTypeKind), "d", "wf", "1", put)).ok()) {
    std::exit(5);
  }
  store.fail = true;
  auto refused = run(engine.registry().Update(std::string(kDomainKind), "", "d2", "", put));
  if (refused.ok() || refused.error().code() != Errc::kInternal) std::exit(6);
  StartRequest req;
  req.domain = "d";
  req.workflow_id = "w";
  req.type = {"wf", "1"};
  (void)run(engine.StartWorkflowExecution(std::move(req)));
  std::exit(7);  // not reached: the failed write aborts
}

TEST(EngineDeathTest, FailedExecutionWriteStopsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto dir = fs::temp_directory_path() / ("weft-engine-death-" + std::to_string(::getpid()));
  EXPECT_DEATH(RunUntilFailedWrite(dir), "store write failed, stopping: disk on fire");
  fs::remove_all(dir);
}

// A task offered for a run the store cannot read right now is not lost:
// the poll answers the error, and the task is offered again once the store
// reads.
TEST(EngineStoreTest, AnUnreadableOfferedRunFailsThePollAndKeepsTheTask) {
  auto dir = fs::temp_directory_path() / ("weft-engine-reads-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  SystemClock clock;
  auto boot = [&](FailingStore& store, auto body) {
    net::io_context io;
    EngineOptions options;
    options.poll_timeout = 300ms;
    Engine engine(io, store, clock, options);
    ASSERT_TRUE(engine.Recover().ok());
    auto work = net::make_work_guard(io);
    std::thread runner([&io] { io.run(); });
    auto run = [&](auto a) { return net::co_spawn(io, std::move(a), net::use_future).get(); };
    body(engine, run);
    engine.Shutdown();
    work.reset();
    io.stop();
    runner.join();
  };
  auto opened = store::OpenSqliteStore(dir.string());
  ASSERT_TRUE(opened.ok());
  FailingStore store(std::move(*opened));
  boot(store, [](Engine& engine, auto run) {
    Registry::Mutation put =
        [](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
      RegistryEntry e;
      e.record.status = "REGISTERED";
      e.data["configuration"] = json::object{{"defaultTaskList", json::object{{"name", "t"}}},
                                             {"defaultExecutionStartToCloseTimeout", "600"},
                                             {"defaultTaskStartToCloseTimeout", "60"},
                                             {"defaultChildPolicy", "TERMINATE"}};
      return std::optional(e);
    };
    ASSERT_TRUE(run(engine.registry().Update(std::string(kDomainKind), "", "d", "", put)).ok());
    ASSERT_TRUE(
        run(engine.registry().Update(std::string(kWorkflowTypeKind), "d", "wf", "1", put)).ok());
    StartRequest req;
    req.domain = "d";
    req.workflow_id = "w";
    req.type = {"wf", "1"};
    ASSERT_TRUE(run(engine.StartWorkflowExecution(std::move(req))).ok());
  });
  // After a restart the run is not in memory: the offer of its decision
  // task has to read its row.
  boot(store, [&store](Engine& engine, auto run) {
    store.fail_reads = true;
    auto failed = run(engine.PollForDecisionTask("d", "t", "decider", nullptr));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message(), "disk unreadable");
    store.fail_reads = false;
    auto task = run(engine.PollForDecisionTask("d", "t", "decider", nullptr));
    ASSERT_TRUE(task.ok());
    ASSERT_TRUE(task->has_value()) << "the task was put back";
    EXPECT_EQ((*task)->workflow_id, "w");
  });
  fs::remove_all(dir);
}

}  // namespace
}  // namespace weft::engine
