// Step Functions executions inside the engine, driven directly (no HTTP):
// the step pipeline, activity tasks and task tokens, timeouts and heartbeats
// by moving a FakeClock, Stop, and recovery from the store after a crash.
#include <gtest/gtest.h>

#include <set>

#include "engine/task_token.h"
#include "engine_fixture.h"

namespace weft::engine {
namespace {

constexpr std::string_view kMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
constexpr std::string_view kActivityArn = "arn:aws:states:us-east-1:123456789012:activity:a";

class MachineTest : public EngineFixture {
 protected:
  // Registers `definition` as revision `revision` (recovery reads it there).
  void Define(const std::string& revision, const std::string& definition) {
    Registry::Mutation put =
        [definition](const std::optional<RegistryEntry>&) -> Result<std::optional<RegistryEntry>> {
      RegistryEntry e;
      e.record.status = "REGISTERED";
      e.data["definition"] = definition;
      return std::optional(e);
    };
    ASSERT_TRUE(Run(engine_->registry().Update(std::string(kStateMachineRevisionKind),
                                               std::string(kMachineArn), revision, "", put))
                    .ok());
    revision_ = revision;
    definition_ = definition;
  }

  MachineStart Starting(const std::string& name, const std::string& input = "{}") {
    MachineStart s;
    s.name = name;
    s.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
    s.state_machine_arn = std::string(kMachineArn);
    s.state_machine_name = "m";
    s.revision_id = revision_;
    s.definition = definition_;
    s.input = input;
    return s;
  }

  std::string Start(const std::string& name, const std::string& input = "{}") {
    auto r = Run(engine_->StartMachineExecution(Starting(name, input)));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? r->execution_arn : "";
  }

  MachineExecution Describe(const std::string& arn) {
    auto d = Run(engine_->DescribeMachineExecution(arn));
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message());
    return d.ok() ? *d : MachineExecution{};
  }

  // Work the engine does after a command answered (a fired timer) runs on
  // its threads: wait for its outcome, with a deadline.
  MachineExecution WaitFor(const std::string& arn, const std::string& status) {
    MachineExecution d;
    for (int i = 0; i < 500; ++i) {
      d = Describe(arn);
      if (d.status == status) return d;
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << arn << " is " << d.status << ", not " << status;
    return d;
  }

  std::optional<MachineActivityTask> PollActivity() {
    auto r = Run(engine_->PollMachineActivity(std::string(kActivityArn), "worker", nullptr));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }

  std::vector<std::string> Types(const std::string& arn) {
    auto h = Run(engine_->GetMachineHistory(arn));
    EXPECT_TRUE(h.ok());
    std::vector<std::string> out;
    int64_t id = 0;
    for (const auto& e : h.ok() ? h->events : std::vector<asl::HistoryEvent>{}) {
      EXPECT_EQ(e.id, ++id) << "ids are contiguous from 1";
      out.push_back(e.type);
    }
    return out;
  }

  static std::string ActivityMachine(const std::string& extra = "") {
    return R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
           std::string(kActivityArn) + "\"" + extra + R"(,"End":true}}})";
  }

  std::string revision_ = "r1", definition_;
};

TEST_F(MachineTest, PassStatesRunToTheEndInOneDurableStep) {
  Define("r1", R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"Next":"B"},
                   "B":{"Type":"Pass","End":true}}})");
  std::string arn = Start("e1", R"({"in":true})");
  MachineExecution d = Describe(arn);
  EXPECT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(d.output, R"({"x":1})");
  EXPECT_EQ(d.input, R"({"in":true})");
  EXPECT_EQ(Types(arn), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                  "PassStateExited", "PassStateEntered",
                                                  "PassStateExited", "ExecutionSucceeded"}));
}

TEST_F(MachineTest, ClosedExecutionsArePurged90DaysAfterTheirClose) {
  Define("r1", R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  std::string arn = Start("e1");
  constexpr Millis kNinetyDays = 90LL * 24 * 3600 * 1000;
  clock_.Advance(kNinetyDays - 1);
  auto early = Run(engine_->PurgeClosedExecutions());
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(Describe(arn).status, "SUCCEEDED");
  clock_.Advance(2);
  auto purged = Run(engine_->PurgeClosedExecutions());
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  auto gone = Run(engine_->DescribeMachineExecution(arn));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), Errc::kUnknownResource);
}

TEST_F(MachineTest, HistoryPagesReadForwardAndBackwardMatchTheWhole) {
  Define("r1", R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                   "B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","End":true}}})");
  std::string arn = Start("e1");
  auto whole = Run(engine_->GetMachineHistory(arn));
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->total, 8);
  ASSERT_EQ(whole->events.size(), 8u);
  for (bool reverse : {false, true}) {
    std::vector<int64_t> ids;
    for (int64_t start = 0; start < whole->total; start += 3) {
      auto page = Run(engine_->GetMachineHistory(arn, start, 3, reverse));
      ASSERT_TRUE(page.ok());
      EXPECT_EQ(page->total, 8);
      for (const auto& e : page->events) ids.push_back(e.id);
    }
    std::vector<int64_t> want = {1, 2, 3, 4, 5, 6, 7, 8};
    if (reverse) std::reverse(want.begin(), want.end());
    EXPECT_EQ(ids, want) << "reverse=" << reverse;
  }
  auto past = Run(engine_->GetMachineHistory(arn, 8, 3));
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->events.empty());
}

TEST_F(MachineTest, NamesAreIdempotentWhileRunningAndFreeAgain90DaysAfterTheClose) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e1", R"({"a":1})");
  auto again = Run(engine_->StartMachineExecution(Starting("e1", R"({"a":1})")));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->execution_arn, arn);
  auto other_input = Run(engine_->StartMachineExecution(Starting("e1", R"({"a":2})")));
  ASSERT_FALSE(other_input.ok());
  EXPECT_EQ(other_input.error().code(), Errc::kAlreadyExists);
  auto task = PollActivity();
  ASSERT_TRUE(task);
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, "{}")).ok());
  WaitFor(arn, "SUCCEEDED");
  auto closed = Run(engine_->StartMachineExecution(Starting("e1", R"({"a":1})")));
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code(), Errc::kAlreadyExists);

  // 90 days after the close the name starts a new execution, which replaces
  // the old one.
  constexpr Millis kNinetyDays = 90LL * 24 * 3600 * 1000;
  clock_.Advance(kNinetyDays - 1);
  auto early = Run(engine_->StartMachineExecution(Starting("e1", R"({"a":3})")));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), Errc::kAlreadyExists);
  clock_.Advance(2);
  auto reused = Run(engine_->StartMachineExecution(Starting("e1", R"({"a":3})")));
  ASSERT_TRUE(reused.ok()) << reused.error().message();
  MachineExecution d = Describe(arn);
  EXPECT_EQ(d.status, "RUNNING");
  EXPECT_EQ(d.input, R"({"a":3})");
  EXPECT_EQ(Types(arn),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled"}))
      << "a history of its own, from event 1";
}

TEST_F(MachineTest, ActivityWorkerGetsTheTaskAndCompletesIt) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e1", R"({"item":7})");
  EXPECT_EQ(Pending(std::string(kMachineDomain), std::string(kActivityArn),
                    matching::TaskKind::kActivity),
            1);
  auto task = PollActivity();
  ASSERT_TRUE(task);
  EXPECT_EQ(task->input, R"({"item":7})");
  EXPECT_EQ(Pending(std::string(kMachineDomain), std::string(kActivityArn),
                    matching::TaskKind::kActivity),
            0);
  ASSERT_TRUE(Run(engine_->SendTaskHeartbeat(task->task_token)).ok());
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, R"({"ok":true})")).ok());
  EXPECT_EQ(Describe(arn).output, R"({"ok":true})");
  auto twice = Run(engine_->SendTaskSuccess(task->task_token, "{}"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), Errc::kTaskTimedOut) << "the execution is over";
  EXPECT_EQ(Types(arn),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                      "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                      "ExecutionSucceeded"}));
}

TEST_F(MachineTest, AlteredTokenIsInvalidAndFailureReachesTheExecution) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e1");
  auto task = PollActivity();
  ASSERT_TRUE(task);
  std::string altered = task->task_token;
  altered[3] = altered[3] == 'A' ? 'B' : 'A';
  auto bad = Run(engine_->SendTaskSuccess(altered, "{}"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::kInvalidToken);
  ASSERT_TRUE(Run(engine_->SendTaskFailure(task->task_token, "Bad.Item", "it broke")).ok());
  MachineExecution d = Describe(arn);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.error, "Bad.Item");
  EXPECT_EQ(d.cause, "it broke");
}

TEST_F(MachineTest, WaitStateFiresWhenTheClockMoves) {
  Define("r1", R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}})");
  std::string arn = Start("e1");
  EXPECT_EQ(Describe(arn).status, "RUNNING");
  clock_.Advance(3599'000);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(Describe(arn).status, "RUNNING") << "not due yet";
  clock_.Advance(1000);
  WaitFor(arn, "SUCCEEDED");
}

TEST_F(MachineTest, TaskTimeoutFailsTheStateAndLateAnswersAreRefused) {
  Define("r1", ActivityMachine(R"(,"TimeoutSeconds":60)"));
  std::string arn = Start("e1");
  auto task = PollActivity();
  ASSERT_TRUE(task);
  clock_.Advance(61'000);
  MachineExecution d = WaitFor(arn, "FAILED");
  EXPECT_EQ(d.error, "States.Timeout");
  auto late = Run(engine_->SendTaskSuccess(task->task_token, "{}"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), Errc::kTaskTimedOut);
}

TEST_F(MachineTest, HeartbeatsKeepATaskAliveUntilTheyStop) {
  Define("r1", ActivityMachine(R"(,"HeartbeatSeconds":10)"));
  std::string arn = Start("e1");
  clock_.Advance(60'000);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(Describe(arn).status, "RUNNING") << "the heartbeat counts once a worker has it";
  auto task = PollActivity();
  ASSERT_TRUE(task);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(8'000);
    ASSERT_TRUE(Run(engine_->SendTaskHeartbeat(task->task_token)).ok());
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(Describe(arn).status, "RUNNING");
  clock_.Advance(11'000);
  EXPECT_EQ(WaitFor(arn, "FAILED").error, "States.HeartbeatTimeout");
}

TEST_F(MachineTest, StopAbortsTheTaskAndWithdrawsIt) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e1");
  auto stopped = Run(engine_->StopMachineExecution(arn, "Oops", "stopped by a test"));
  ASSERT_TRUE(stopped.ok());
  MachineExecution d = Describe(arn);
  EXPECT_EQ(d.status, "ABORTED");
  EXPECT_EQ(d.error, "Oops");
  EXPECT_EQ(Pending(std::string(kMachineDomain), std::string(kActivityArn),
                    matching::TaskKind::kActivity),
            0);
  EXPECT_EQ(Types(arn).back(), "ExecutionAborted");
  auto unknown = Run(engine_->StopMachineExecution(arn + "x", std::nullopt, std::nullopt));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Errc::kUnknownResource);
}

TEST_F(MachineTest, ACrashLosesNothing) {
  Define("r1", R"({"StartAt":"T","States":{
      "T":{"Type":"Task","Resource":")" +
                   std::string(kActivityArn) + R"(","Next":"W"},
      "W":{"Type":"Wait","Seconds":30,"Next":"U"},
      "U":{"Type":"Task","Resource":")" +
                   std::string(kActivityArn) + R"(","End":true}}})");
  std::string a = Start("taken");    // its task handed to a worker before the crash
  std::string b = Start("waiting");  // its task still queued
  auto task = PollActivity();
  ASSERT_TRUE(task);
  Close();  // as after kill -9: only what is durable remains
  Open();
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, R"({"n":1})")).ok())
      << "a token handed out before the crash still works";
  auto queued = PollActivity();
  ASSERT_TRUE(queued) << "the queued task is offered again";
  EXPECT_FALSE(PollActivity()) << "the taken task is not offered twice";
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(queued->task_token, R"({"n":2})")).ok());
  Close();
  Open();  // both now sit in the Wait state
  clock_.Advance(30'000);
  for (int i = 0; i < 2; ++i) {
    auto next = PollActivity();
    ASSERT_TRUE(next) << i;
    ASSERT_TRUE(Run(engine_->SendTaskSuccess(next->task_token, R"({"done":true})")).ok());
  }
  for (const auto& arn : {a, b}) {
    EXPECT_EQ(WaitFor(arn, "SUCCEEDED").output, R"({"done":true})");
    std::vector<std::string> types = Types(arn);
    EXPECT_EQ(std::count(types.begin(), types.end(), "ActivityScheduled"), 2) << arn;
    EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionSucceeded"), 1) << arn;
  }
}

// The keys of the Step Functions timer rows in the store.
std::multiset<std::string> MachineTimerKeys(store::Store& store) {
  std::multiset<std::string> keys;
  for (const auto& row : AllTimerRows(store)) {
    if (row.key.starts_with("m")) keys.insert(row.key.substr(0, 3));
  }
  return keys;
}

// With one execution per shard in memory, executions are evicted and
// loaded from their snapshots all the time; Wait states, retry delays and
// task timeouts are timer rows written with their steps that fire after
// restarts, and whose rows are deleted once they have fired.
TEST_F(MachineTest, WaitsRetriesAndTimeoutsAreRowsThatFireAfterRestarts) {
  Define("r1", R"({"StartAt":"W","States":{
      "W":{"Type":"Wait","Seconds":3600,"Next":"T"},
      "T":{"Type":"Task","Resource":")" +
                   std::string(kActivityArn) + R"(","TimeoutSeconds":7200,
           "Retry":[{"ErrorEquals":["Bad"],"IntervalSeconds":600,"MaxAttempts":1}],"End":true}}})");
  std::vector<std::string> arns;
  for (int i = 0; i < 4; ++i) arns.push_back(Start("w" + std::to_string(i), "{\"i\":1}"));
  EXPECT_EQ(MachineTimerKeys(*store_), (std::multiset<std::string>{"m0:", "m0:", "m0:", "m0:"}))
      << "the Wait states";
  Close();
  Open();
  EXPECT_FALSE(PollActivity()) << "nothing before the Wait ends";
  clock_.Advance(3'600'000);
  for (int i = 0; i < 4; ++i) {
    auto task = PollActivity();
    ASSERT_TRUE(task) << i;
    ASSERT_TRUE(Run(engine_->SendTaskFailure(task->task_token, "Bad", "once")).ok());
  }
  Close();
  Open();  // each waits for its retry
  EXPECT_FALSE(PollActivity()) << "nothing before the retry interval";
  clock_.Advance(600'000);
  for (int i = 0; i < 4; ++i) {
    auto task = PollActivity();
    ASSERT_TRUE(task) << "retried after the restart: " << i;
    ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, "{\"ok\":1}")).ok());
  }
  for (const auto& arn : arns) EXPECT_EQ(WaitFor(arn, "SUCCEEDED").output, "{\"ok\":1}");
  // The task timeouts' rows are left; they fire on nothing and are deleted.
  EXPECT_EQ(MachineTimerKeys(*store_).count("m1:"), 8u);
  clock_.Advance(7'200'000);
  // Fired rows are deleted with the next write or read of timers (each
  // move of the clock reads).
  for (int i = 0; i < 400 && !MachineTimerKeys(*store_).empty(); ++i) {
    std::this_thread::sleep_for(5ms);
    clock_.Advance(1);
  }
  EXPECT_TRUE(MachineTimerKeys(*store_).empty());
  for (const auto& arn : arns) EXPECT_EQ(Describe(arn).status, "SUCCEEDED");
}

// A heartbeat writes no event, yet neither eviction nor a restart forgets
// it: it is written to the row (at most --heartbeat-flush after the
// previous write), and until then the execution stays in memory.
TEST_F(MachineTest, HeartbeatsSurviveEvictionAndRestart) {
  for (bool flush_at_once : {true, false}) {
    SCOPED_TRACE(flush_at_once ? "written at once" : "kept in memory");
    Close();
    fs::remove_all(dir_);
    options_.heartbeat_flush = flush_at_once ? 0ms : 3'600'000ms;
    Open();
    Define("r1", ActivityMachine(R"(,"HeartbeatSeconds":60)"));
    std::string arn = Start("hb");
    auto task = PollActivity();
    ASSERT_TRUE(task);
    clock_.Advance(50'000);
    ASSERT_TRUE(Run(engine_->SendTaskHeartbeat(task->task_token)).ok());
    for (int i = 0; i < 8; ++i) Start("other-" + std::to_string(i));  // evicts "hb" if it can
    clock_.Advance(20'000);  // 70 s after it started, 20 s after the heartbeat
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(Describe(arn).status, "RUNNING");
    if (flush_at_once) {
      Close();
      Open();
      clock_.Advance(5'000);  // 25 s after the heartbeat
      std::this_thread::sleep_for(50ms);
      EXPECT_EQ(Describe(arn).status, "RUNNING");
    }
    clock_.Advance(60'000);
    EXPECT_EQ(WaitFor(arn, "FAILED").error, "States.HeartbeatTimeout");
  }
}

// A snapshot this weft cannot read (another version, not JSON, not the
// interpreter's) is not trusted: the execution is replayed from its history
// and carries on.
TEST_F(MachineTest, AnUnreadableSnapshotIsReplacedByReplay) {
  Define("r1", ActivityMachine());
  int n = 0;
  for (std::string bad : {"{\"v\":99}", "not json", "{\"v\":1,\"1\":{\"version\":2}}"}) {
    SCOPED_TRACE(bad);
    ++n;
    std::string arn = Start("u" + std::to_string(n), "{\"n\":" + std::to_string(n) + "}");
    ReplaceSnapshot(arn, bad);  // restarts
    auto task = PollActivity();
    ASSERT_TRUE(task) << "its task is offered again";
    EXPECT_EQ(task->input, "{\"n\":" + std::to_string(n) + "}");
    ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, "\"done\"")).ok());
    EXPECT_EQ(WaitFor(arn, "SUCCEEDED").output, "\"done\"");
  }
}

// StartExecution again with the same name and input answers the running
// execution even when it is not in memory, and never puts a second copy of
// it there: its task is still answered once.
TEST_F(MachineTest, AStartOfARunningExecutionNotInMemoryAnswersIt) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e", "{\"a\":1}");
  MachineExecution first = Describe(arn);
  for (int i = 0; i < 8; ++i) Start("other-" + std::to_string(i));  // evicts "e"
  clock_.Advance(1'000);
  auto again = Run(engine_->StartMachineExecution(Starting("e", "{\"a\":1}")));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->start_time, first.start_time);
  auto other = Run(engine_->StartMachineExecution(Starting("e", "{\"a\":2}")));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), Errc::kAlreadyExists);
  for (int i = 0; i < 9; ++i) {
    auto task = PollActivity();
    ASSERT_TRUE(task) << i;
    ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, task->input)).ok());
  }
  EXPECT_FALSE(PollActivity()) << "no task twice";
  EXPECT_EQ(WaitFor(arn, "SUCCEEDED").output, "{\"a\":1}");
  std::vector<std::string> types = Types(arn);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1);
}

// Start-up reads the open rows a page at a time: executions spread over
// several pages (7 rows, pages of 2) all come back, each once.
TEST_F(MachineTest, StartUpReadsTheOpenRowsAPageAtATime) {
  Define("r1", ActivityMachine());
  std::set<std::string> inputs;
  for (int i = 0; i < 7; ++i) {
    std::string input = "{\"i\":" + std::to_string(i) + "}";
    Start("p" + std::to_string(i), input);
    inputs.insert(input);
  }
  Close();
  options_.recovery_page = 2;
  Open();
  std::set<std::string> offered;
  for (int i = 0; i < 7; ++i) {
    auto task = PollActivity();
    ASSERT_TRUE(task) << i;
    offered.insert(task->input);
    ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, "{}")).ok());
  }
  EXPECT_EQ(offered, inputs) << "every execution's task, each once";
  EXPECT_FALSE(PollActivity());
}

TEST_F(MachineTest, RedriveReentersTheFailedStateAndSurvivesARestart) {
  Define("r1", R"({"StartAt":"P","States":{
      "P":{"Type":"Pass","Assign":{"seen":"yes"},"Next":"T"},
      "T":{"Type":"Task","Resource":")" +
                   std::string(kActivityArn) + R"(",
           "Parameters":{"seen.$":"$seen","item.$":"$.item"},"End":true}}})");
  std::string arn = Start("e1", R"({"item":3})");
  auto first = PollActivity();
  ASSERT_TRUE(first);
  ASSERT_TRUE(Run(engine_->SendTaskFailure(first->task_token, "Flaky", "try again")).ok());
  EXPECT_EQ(Describe(arn).status, "FAILED");
  auto redriven = Run(engine_->RedriveMachineExecution(arn));
  ASSERT_TRUE(redriven.ok()) << redriven.error().message();
  MachineExecution d = Describe(arn);
  EXPECT_EQ(d.status, "RUNNING");
  EXPECT_EQ(d.redrive_count, 1);
  auto again = Run(engine_->RedriveMachineExecution(arn));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Errc::kConflict) << "a running execution is not redrivable";
  Close();
  Open();  // the redrive is replayed from the history
  auto second = PollActivity();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->input, R"({"seen":"yes","item":3})") << "variables and input come back";
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(second->task_token, R"({"ok":1})")).ok());
  d = WaitFor(arn, "SUCCEEDED");
  EXPECT_EQ(d.redrive_count, 1);
  std::vector<std::string> types = Types(arn);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionRedriven"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "PassStateEntered"), 1) << "P is not re-run";
  auto succeeded = Run(engine_->RedriveMachineExecution(arn));
  ASSERT_FALSE(succeeded.ok());
  EXPECT_EQ(succeeded.error().code(), Errc::kConflict);
}

TEST_F(MachineTest, RedriveOfAMapRunsOnlyTheIterationsThatDidNotSucceed) {
  Define("r1", R"({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
      "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
                   std::string(kActivityArn) + R"(","End":true}}},"End":true}}})");
  std::string arn = Start("e1", R"({"items":[0,1,2]})");
  std::vector<MachineActivityTask> tasks;
  for (int i = 0; i < 3; ++i) {
    auto t = PollActivity();
    ASSERT_TRUE(t);
    tasks.push_back(*t);
  }
  // Items 0 and 2 succeed, then item 1 fails the Map.
  std::sort(tasks.begin(), tasks.end(),
            [](const auto& a, const auto& b) { return (a.input == "1") < (b.input == "1"); });
  for (const auto& t : tasks) {
    if (t.input == "1") {
      ASSERT_TRUE(Run(engine_->SendTaskFailure(t.task_token, "Bad", "item 1")).ok());
    } else {
      ASSERT_TRUE(Run(engine_->SendTaskSuccess(t.task_token, "\"done " + t.input + "\"")).ok());
    }
  }
  EXPECT_EQ(WaitFor(arn, "FAILED").error, "Bad");
  ASSERT_TRUE(Run(engine_->RedriveMachineExecution(arn)).ok());
  Close();
  Open();  // the redrive point is rebuilt by replay
  auto again = PollActivity();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->input, "1") << "only the failed iteration runs again";
  EXPECT_FALSE(PollActivity());
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(again->task_token, "\"fixed 1\"")).ok());
  MachineExecution d = WaitFor(arn, "SUCCEEDED");
  EXPECT_EQ(d.output, R"(["done 0","fixed 1","done 2"])");
}

TEST_F(MachineTest, AStoppedExecutionCanBeRedriven) {
  Define("r1", ActivityMachine());
  std::string arn = Start("e1");
  ASSERT_TRUE(Run(engine_->StopMachineExecution(arn, std::nullopt, std::nullopt)).ok());
  ASSERT_TRUE(Run(engine_->RedriveMachineExecution(arn)).ok());
  auto task = PollActivity();
  ASSERT_TRUE(task);
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(task->task_token, "{}")).ok());
  WaitFor(arn, "SUCCEEDED");
  Close();
  Open();
  EXPECT_EQ(Describe(arn).status, "SUCCEEDED");
}

// ---------------------------------------------------------------- Map Runs

class MapRunTest : public MachineTest {
 protected:
  void SetUp() override {
    MachineTest::SetUp();
    Define("r1", R"({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
        "Label":"items","End":true,
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
          "StartAt":"T","States":{"T":{"Type":"Task","Resource":")" +
                     std::string(kActivityArn) + R"(","End":true}}}}}})");
  }

  std::vector<store::ExecutionRecord> Children(const std::string& map_run) {
    store::ExecutionQuery q;
    q.domain = std::string(kMachineDomain);
    q.tag = MapRunTag(map_run);
    q.open_and_closed = true;
    auto page = store_->ListExecutions(q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->executions : std::vector<store::ExecutionRecord>{};
  }

  std::string MapRunOf(const std::string& parent) {
    store::ExecutionQuery q;
    q.domain = std::string(kMapRunDomain);
    q.workflow_id = parent;
    q.open_and_closed = true;
    auto page = store_->ListExecutions(q);
    EXPECT_TRUE(page.ok() && page->executions.size() == 1);
    return page.ok() && !page->executions.empty() ? page->executions[0].run_id : "";
  }

  MapRunDescription DescribeRun(const std::string& arn) {
    auto d = Run(engine_->DescribeMapRun(arn));
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message());
    return d.ok() ? *d : MapRunDescription{};
  }
};

TEST_F(MapRunTest, EachItemIsAChildExecutionAndACrashLosesNone) {
  std::string parent = Start("p", "[1, 2, 3]");
  auto first = PollActivity();
  auto second = PollActivity();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(PollActivity()) << "MaxConcurrency 2";
  std::string map_run = MapRunOf(parent);
  EXPECT_TRUE(map_run.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:m/items:"))
      << map_run;
  MapRunDescription d = DescribeRun(map_run);
  EXPECT_EQ(d.status, "RUNNING");
  EXPECT_EQ(d.execution_arn, parent);
  EXPECT_EQ(d.max_concurrency, 2);
  EXPECT_EQ(d.items.total, 3);
  EXPECT_EQ(d.items.running, 2);
  EXPECT_EQ(d.items.pending, 1);
  auto children = Children(map_run);
  ASSERT_EQ(children.size(), 2u);
  MachineExecution child = Describe(children[0].run_id);
  EXPECT_EQ(child.map_run_arn, map_run);
  EXPECT_EQ(child.state_machine_arn, std::string(kMachineArn) + "/items");

  Close();  // as after kill -9
  Open();
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(first->task_token, "\"a\"")).ok());
  auto third = PollActivity();
  ASSERT_TRUE(third) << "the next item starts once one is done, after the restart too";
  Close();
  Open();
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(second->task_token, "\"b\"")).ok());
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(third->task_token, "\"c\"")).ok());
  MachineExecution done = WaitFor(parent, "SUCCEEDED");
  std::map<std::string, std::string> by_input{
      {first->input, "\"a\""}, {second->input, "\"b\""}, {third->input, "\"c\""}};
  EXPECT_EQ(done.output, "[" + by_input["1"] + "," + by_input["2"] + "," + by_input["3"] + "]");
  EXPECT_EQ(Types(parent),
            (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "MapStateStarted",
                                      "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded",
                                      "MapStateExited", "ExecutionSucceeded"}));
  d = DescribeRun(map_run);
  EXPECT_EQ(d.status, "SUCCEEDED");
  EXPECT_EQ(d.items.succeeded, 3);
  EXPECT_EQ(d.items.pending, 0);
  EXPECT_GT(d.stop_time, 0);
  EXPECT_EQ(Children(map_run).size(), 3u) << "no child started twice";
}

TEST_F(MapRunTest, UpdateMapRunStartsMoreAndAFailureFailsTheParent) {
  std::string parent = Start("p", "[1, 2, 3]");
  ASSERT_TRUE(PollActivity() && PollActivity());
  std::string map_run = MapRunOf(parent);
  asl::MapRunUpdate u;
  u.max_concurrency = 3;
  ASSERT_TRUE(Run(engine_->UpdateMapRun(map_run, u)).ok());
  auto third = PollActivity();
  ASSERT_TRUE(third) << "a higher MaxConcurrency starts the third item at once";
  EXPECT_EQ(DescribeRun(map_run).max_concurrency, 3);
  ASSERT_TRUE(Run(engine_->SendTaskFailure(third->task_token, "Bad", "item")).ok());
  MachineExecution failed = WaitFor(parent, "FAILED");
  EXPECT_EQ(failed.error, "States.ExceedToleratedFailureThreshold");
  MapRunDescription d = DescribeRun(map_run);
  EXPECT_EQ(d.status, "FAILED");
  EXPECT_EQ(d.items.failed, 1);
  for (int i = 0; i < 200 && DescribeRun(map_run).items.aborted < 2; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(DescribeRun(map_run).items.aborted, 2) << "the other children are stopped";
  Status ended = Run(engine_->UpdateMapRun(map_run, u));
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().code(), Errc::kValidation);
  auto unknown = Run(engine_->DescribeMapRun(map_run + "x"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Errc::kUnknownResource);
}

TEST_F(MapRunTest, RedriveRunsANewMapRunForTheItemsThatDidNotSucceed) {
  // One at a time, so that the first item's result has reached the parent
  // when the second starts.
  Define("r2", std::string(definition_)
                   .replace(definition_.find("\"MaxConcurrency\":2"), 18, "\"MaxConcurrency\":1"));
  std::string parent = Start("p", "[1, 2]");
  auto a = PollActivity();
  ASSERT_TRUE(a);
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(a->task_token, "\"one\"")).ok());
  auto b = PollActivity();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->input, "2");
  ASSERT_TRUE(Run(engine_->SendTaskFailure(b->task_token, "Bad", "two")).ok());
  WaitFor(parent, "FAILED");
  std::string failed_child;
  for (const auto& c : Children(MapRunOf(parent)))
    if (c.close_status == "FAILED") failed_child = c.run_id;
  auto direct = Run(engine_->RedriveMachineExecution(failed_child));
  ASSERT_FALSE(direct.ok()) << "a child is redriven through its parent";
  EXPECT_EQ(direct.error().code(), Errc::kConflict);
  ASSERT_TRUE(Run(engine_->RedriveMachineExecution(parent)).ok());
  auto again = PollActivity();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->input, "2") << "only the failed item runs again";
  EXPECT_FALSE(PollActivity());
  ASSERT_TRUE(Run(engine_->SendTaskSuccess(again->task_token, "\"two\"")).ok());
  EXPECT_EQ(WaitFor(parent, "SUCCEEDED").output, R"(["one","two"])");
  store::ExecutionQuery q;
  q.domain = std::string(kMapRunDomain);
  q.workflow_id = parent;
  q.open_and_closed = true;
  auto runs = store_->ListExecutions(q);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->executions.size(), 2u) << "the redrive started a second Map Run";
  for (const auto& run : runs->executions) {
    MapRunDescription d = DescribeRun(run.run_id);
    EXPECT_EQ(d.items.pending, 0) << run.run_id;
  }
}

}  // namespace
}  // namespace weft::engine
