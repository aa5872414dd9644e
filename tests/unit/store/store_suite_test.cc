// The Store conformance suite (see store_suite.h): behaviour every backend
// must show. Backends instantiate it in their own *_test.cc file.
#include "store_suite.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace weft::store::testing {
namespace {

RegistryWrite Upsert(std::string kind, std::string scope, std::string name, std::string version,
                     std::string status = "REGISTERED", std::string data = "{}") {
  return RegistryWrite{RegistryRecord{std::move(kind), std::move(scope), std::move(name),
                                      std::move(version), std::move(status), 42, std::move(data)},
                       false};
}

std::vector<RegistryRecord> SortedRegistry(Store& store) {
  Result<std::vector<RegistryRecord>> loaded = store.LoadRegistry();
  EXPECT_TRUE(loaded.ok());
  if (!loaded.ok()) return {};
  std::vector<RegistryRecord> records = std::move(*loaded);
  std::sort(records.begin(), records.end(), [](const RegistryRecord& a, const RegistryRecord& b) {
    return std::tie(a.kind, a.scope, a.name, a.version) <
           std::tie(b.kind, b.scope, b.name, b.version);
  });
  return records;
}

std::vector<int64_t> EventIds(const std::vector<EventRecord>& events) {
  std::vector<int64_t> ids;
  for (const EventRecord& e : events) ids.push_back(e.event_id);
  return ids;
}

std::vector<std::string> TimerKeys(Store& store, std::optional<int32_t> shard, Millis from,
                                   Millis before, int64_t limit = 100) {
  Result<std::vector<TimerRecord>> timers = store.LoadTimers(shard, from, before, limit);
  EXPECT_TRUE(timers.ok());
  std::vector<std::string> keys;
  if (timers.ok()) {
    for (const TimerRecord& t : *timers) keys.push_back(t.run_id + "/" + t.key);
  }
  return keys;
}

std::vector<std::string> TaskIds(Store& store, const std::string& list,
                                 const TaskRecord* after = nullptr, int64_t limit = 100) {
  Result<std::vector<TaskRecord>> tasks = store.LoadTasks(list, after, limit);
  EXPECT_TRUE(tasks.ok());
  std::vector<std::string> ids;
  if (tasks.ok()) {
    for (const TaskRecord& t : *tasks)
      ids.push_back(t.run_id + "/" + std::to_string(t.scheduled_id));
  }
  return ids;
}

// Task rows: a list hands out by priority (highest first), then seq; paging
// continues after a cursor; rows are written again without harm, deleted by
// their identity, and atomic with their batch.
TEST_P(StoreSuite, TaskRowsAreReadInPriorityThenSeqOrderAndDeleted) {
  WriteBatch b;
  b.tasks = {{"a|dom|list", "r1", 5, 0, 300, "w1"},
             {"a|dom|list", "r2", 5, 7, 400, "w2"},
             {"a|dom|list", "r3", 9, 0, 100, "w3"},
             {"a|dom|list", "r4", 2, -3, 50, "w4"},
             {"d|dom|list", "r5", 2, 0, 10, "w5"}};
  ASSERT_TRUE(WriteOne(b).ok());
  ASSERT_TRUE(WriteOne(b).ok()) << "the same rows again are kept, not an error";
  const std::string list = "a|dom|list";
  EXPECT_EQ(TaskIds(store(), list), (std::vector<std::string>{"r2/5", "r3/9", "r1/5", "r4/2"}));
  Result<std::vector<TaskRecord>> first = store().LoadTasks(list, nullptr, 2);
  ASSERT_TRUE(first.ok() && first->size() == 2);
  EXPECT_EQ((*first)[0].priority, 7);
  EXPECT_EQ((*first)[0].workflow_id, "w2");
  EXPECT_EQ(TaskIds(store(), list, &first->back()), (std::vector<std::string>{"r1/5", "r4/2"}));
  EXPECT_EQ(TaskIds(store(), "d|dom|list"), (std::vector<std::string>{"r5/2"}));
  EXPECT_EQ(*store().CountTasks("a", "b"), 4);
  EXPECT_EQ(*store().CountTasks(list, list + "\x1f"), 4);
  EXPECT_EQ(*store().CountTasks("d", "e"), 1);

  WriteBatch done;
  done.tasks_done = {{list, "r3", 9, 0, 0, ""}, {list, "absent", 1, 0, 0, ""}};
  done.tasks = {{list, "r6", 4, 0, 350, "w6"}};
  ASSERT_TRUE(WriteOne(done).ok());
  EXPECT_EQ(TaskIds(store(), list), (std::vector<std::string>{"r2/5", "r1/5", "r6/4", "r4/2"}));

  // A batch that fails writes none of its task rows.
  WriteBatch conflict = BatchOf({Append(MakeExecution("rx"), 5, 1)});  // no such history
  conflict.tasks = {{list, "rx", 1, 0, 1, "wx"}};
  conflict.tasks_done = {{list, "r2", 5, 0, 0, ""}};
  ASSERT_FALSE(WriteOne(conflict).ok());
  EXPECT_EQ(TaskIds(store(), list), (std::vector<std::string>{"r2/5", "r1/5", "r6/4", "r4/2"}));
}

// Timer rows: read by due window in due order (of one shard or of every
// shard), written again without harm, deleted by their identity, atomic
// with the batch.
TEST_P(StoreSuite, TimerRowsAreReadByShardAndDueTimeAndDeleted) {
  WriteBatch b;
  b.timers = {{1, 3000, "r1", "late", "{\"n\":3}"},
              {1, 1000, "r1", "early", "{\"n\":1}"},
              {1, 2000, "r2", "mid", "{}"},
              {2, 1500, "r3", "other-shard", "{}"}};
  ASSERT_TRUE(WriteOne(b).ok());
  ASSERT_TRUE(WriteOne(b).ok()) << "the same rows again are kept, not an error";
  EXPECT_EQ(TimerKeys(store(), 1, 0, 10000),
            (std::vector<std::string>{"r1/early", "r2/mid", "r1/late"}));
  EXPECT_EQ(TimerKeys(store(), 1, 1000, 3000), (std::vector<std::string>{"r1/early", "r2/mid"}));
  EXPECT_EQ(TimerKeys(store(), 1, 0, 10000, 1), (std::vector<std::string>{"r1/early"}));
  EXPECT_EQ(TimerKeys(store(), 2, 0, 10000), (std::vector<std::string>{"r3/other-shard"}));
  EXPECT_EQ(TimerKeys(store(), std::nullopt, 0, 10000),
            (std::vector<std::string>{"r1/early", "r3/other-shard", "r2/mid", "r1/late"}))
      << "every shard's, in due order";
  EXPECT_EQ(TimerKeys(store(), std::nullopt, 1200, 2500, 1),
            (std::vector<std::string>{"r3/other-shard"}));
  Result<std::vector<TimerRecord>> late = store().LoadTimers(1, 3000, 3001, 10);
  ASSERT_TRUE(late.ok() && late->size() == 1);
  EXPECT_EQ((*late)[0].data, "{\"n\":3}");

  WriteBatch done;
  done.timers_done = {{1, 1000, "r1", "early", ""}, {1, 9999, "r1", "absent", ""}};
  done.timers = {{1, 4000, "r1", "next", "{}"}};
  ASSERT_TRUE(WriteOne(done).ok());
  EXPECT_EQ(TimerKeys(store(), 1, 0, 10000),
            (std::vector<std::string>{"r2/mid", "r1/late", "r1/next"}));

  // A batch that fails writes none of its timer rows.
  WriteBatch conflict = BatchOf({Append(MakeExecution("rx"), 5, 1)});  // no such history
  conflict.timers = {{1, 500, "rx", "never", "{}"}};
  conflict.timers_done = {{1, 2000, "r2", "mid", ""}};
  ASSERT_FALSE(WriteOne(conflict).ok());
  EXPECT_EQ(TimerKeys(store(), 1, 0, 10000),
            (std::vector<std::string>{"r2/mid", "r1/late", "r1/next"}));
}

TEST_P(StoreSuite, RegistryUpsertEraseLoad) {
  WriteBatch b;
  b.registry = {Upsert("domain", "", "d1", ""), Upsert("workflow_type", "d1", "T", "1"),
                Upsert("workflow_type", "d1", "T", "2")};
  ASSERT_TRUE(WriteOne(b).ok());

  WriteBatch change;
  change.registry = {Upsert("workflow_type", "d1", "T", "1", "DEPRECATED", "{\"x\":1}"),
                     RegistryWrite{RegistryRecord{"workflow_type", "d1", "T", "2"}, true},
                     RegistryWrite{RegistryRecord{"workflow_type", "d1", "absent", "9"}, true}};
  ASSERT_TRUE(WriteOne(change).ok());

  std::vector<RegistryRecord> records = SortedRegistry(store());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, "domain");
  EXPECT_EQ(records[0].name, "d1");
  EXPECT_EQ(records[0].status, "REGISTERED");
  EXPECT_EQ(records[0].created, 42);
  EXPECT_EQ(records[1].name, "T");
  EXPECT_EQ(records[1].version, "1");
  EXPECT_EQ(records[1].status, "DEPRECATED");
  EXPECT_EQ(records[1].data, "{\"x\":1}");
}

TEST_P(StoreSuite, CreateAppendAndReloadEvents) {
  ExecutionRecord e = MakeExecution("r1");
  e.tags = {"t1", "t2"};
  ASSERT_TRUE(WriteOne(BatchOf({Append(e, 0, 3)})).ok());
  e.data = "{\"step\":2}";
  e.snapshot = "{\"v\":1}";
  ASSERT_TRUE(WriteOne(BatchOf({Append(e, 3, 2)})).ok());

  Result<std::optional<ExecutionRecord>> got = store().GetExecution("r1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const ExecutionRecord& stored = **got;
  EXPECT_EQ(stored.domain, "d");
  EXPECT_EQ(stored.workflow_id, "wf-r1");
  EXPECT_EQ(stored.type_name, "T");
  EXPECT_EQ(stored.type_version, "1");
  EXPECT_TRUE(stored.open);
  EXPECT_EQ(stored.start_time, 1000);
  EXPECT_EQ(stored.shard, 3);
  EXPECT_EQ(stored.last_event_id, 5);
  EXPECT_EQ(stored.tags, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(stored.data, "{\"step\":2}");
  EXPECT_EQ(stored.snapshot, "{\"v\":1}");

  Result<std::vector<EventRecord>> all = store().LoadEvents("r1");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(EventIds(*all), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ((*all)[3].type, 7);
  EXPECT_EQ((*all)[3].time, 1004);
  EXPECT_EQ((*all)[3].attributes, "{\"id\":4}");

  struct Case {
    int64_t after, limit;
    std::vector<int64_t> want;
  };
  for (const Case& c : std::vector<Case>{{0, -1, {1, 2, 3, 4, 5}},
                                         {3, -1, {4, 5}},
                                         {1, 2, {2, 3}},
                                         {0, 0, {}},
                                         {5, -1, {}},
                                         {9, 3, {}}}) {
    Result<std::vector<EventRecord>> page = store().LoadEvents("r1", c.after, c.limit);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(EventIds(*page), c.want) << "after " << c.after << " limit " << c.limit;
  }
}

TEST_P(StoreSuite, UnknownRunIsAbsent) {
  Result<std::optional<ExecutionRecord>> got = store().GetExecution("nope");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  Result<std::vector<EventRecord>> events = store().LoadEvents("nope");
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST_P(StoreSuite, EmptyWriteReturnsNoResults) { EXPECT_TRUE(Write({}).empty()); }

// Several writes to the same run within one Write: each sees the previous.
TEST_P(StoreSuite, LaterBatchesSeeEarlierOnesInTheSameWrite) {
  ExecutionRecord e = MakeExecution("r");
  ExecutionRecord other = MakeExecution("o");
  std::vector<Status> results =
      Write({BatchOf({Append(e, 0, 2), Append(other, 0, 1)}), BatchOf({Append(e, 2, 1)})});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  Result<std::vector<EventRecord>> events = store().LoadEvents("r");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(EventIds(*events), (std::vector<int64_t>{1, 2, 3}));
}

// A batch that fails a history check writes nothing at all (not its registry
// writes, not its other executions), and the batches around it still commit.
TEST_P(StoreSuite, ConflictFailsOnlyItsBatch) {
  ExecutionRecord r = MakeExecution("r");
  struct Case {
    std::string name;
    std::function<ExecutionWrite()> bad;
  };
  std::vector<Case> cases = {
      {"stale expected id", [&] { return Append(r, 2, 1); }},
      {"create of an existing run", [&] { return Append(r, 0, 1); }},
      {"new run expecting history", [&] { return Append(MakeExecution("new"), 5, 1); }},
      {"first event skips ahead",
       [&] {
         ExecutionWrite w = Append(r, 3, 2);
         w.events[0].event_id = 5;
         w.events[1].event_id = 6;
         w.execution.last_event_id = 6;
         return w;
       }},
      {"gap between events",
       [&] {
         ExecutionWrite w = Append(r, 3, 2);
         w.events[1].event_id = 6;
         w.execution.last_event_id = 6;
         return w;
       }},
      {"record does not name the last event",
       [&] {
         ExecutionWrite w = Append(r, 3, 2);
         w.execution.last_event_id = 9;
         return w;
       }},
      {"record moves without events",
       [&] {
         ExecutionWrite w = Append(r, 3, 0);
         w.execution.last_event_id = 4;
         return w;
       }},
  };
  ASSERT_TRUE(WriteOne(BatchOf({Append(r, 0, 3)})).ok());
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string before = "before" + std::to_string(n), after = "after" + std::to_string(n);
    ++n;
    WriteBatch bad = BatchOf({Append(MakeExecution("side"), 0, 1), c.bad()});
    bad.registry = {Upsert("domain", "", "bad-domain", "")};
    std::vector<Status> results = Write({BatchOf({Append(MakeExecution(before), 0, 1)}), bad,
                                         BatchOf({Append(MakeExecution(after), 0, 2)})});
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0].ok());
    ASSERT_FALSE(results[1].ok());
    EXPECT_EQ(results[1].error().code(), Errc::kConflict);
    EXPECT_EQ(results[1].error().code(), Errc::kConflict);
    EXPECT_TRUE(results[2].ok());

    for (const std::string& committed : {before, after}) {
      Result<std::optional<ExecutionRecord>> got = store().GetExecution(committed);
      ASSERT_TRUE(got.ok());
      EXPECT_TRUE(got->has_value()) << committed;
    }
    for (std::string absent : {"side", "new"}) {
      Result<std::optional<ExecutionRecord>> got = store().GetExecution(absent);
      ASSERT_TRUE(got.ok());
      EXPECT_FALSE(got->has_value()) << absent;
      Result<std::vector<EventRecord>> events = store().LoadEvents(absent);
      ASSERT_TRUE(events.ok());
      EXPECT_TRUE(events->empty()) << absent;
    }
    EXPECT_TRUE(SortedRegistry(store()).empty());
    Result<std::vector<EventRecord>> events = store().LoadEvents("r");
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(EventIds(*events), (std::vector<int64_t>{1, 2, 3}));
    Result<std::optional<ExecutionRecord>> got = store().GetExecution("r");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->last_event_id, 3);
  }
}

TEST_P(StoreSuite, EmptyRunIdIsAValidationErrorOfItsBatchOnly) {
  std::vector<Status> results =
      Write({BatchOf({Append(MakeExecution("ok"), 0, 1), Append(MakeExecution(""), 0, 1)}),
             BatchOf({Append(MakeExecution("ok2"), 0, 1)})});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_FALSE(results[0].ok());
  EXPECT_EQ(results[0].error().code(), Errc::kValidation);
  EXPECT_TRUE(results[1].ok());
  Result<std::optional<ExecutionRecord>> ok = store().GetExecution("ok");
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->has_value());  // rolled back with its batch
  Result<std::optional<ExecutionRecord>> ok2 = store().GetExecution("ok2");
  ASSERT_TRUE(ok2.ok());
  EXPECT_TRUE(ok2->has_value());
}

TEST_P(StoreSuite, LoadExecutionsWithWorkSkipsClosedRuns) {
  ASSERT_TRUE(
      WriteOne(BatchOf({Append(MakeExecution("a"), 0, 1), Append(MakeExecution("b"), 0, 1)})).ok());
  ExecutionRecord b = MakeExecution("b");
  b.open = false;
  b.close_status = "COMPLETED";
  b.close_time = 2000;
  ASSERT_TRUE(WriteOne(BatchOf({Append(b, 1, 1)})).ok());

  Result<std::vector<ExecutionRecord>> open = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(RunIds(*open), (std::vector<std::string>{"a"}));
  Result<std::optional<ExecutionRecord>> closed = store().GetExecution("b");
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_FALSE((*closed)->open);
  EXPECT_EQ((*closed)->close_status, "COMPLETED");
  EXPECT_EQ((*closed)->close_time, 2000);
}

TEST_P(StoreSuite, LoadExecutionsWithWorkReadsPagesInRunIdOrder) {
  ASSERT_TRUE(
      WriteOne(BatchOf({Append(MakeExecution("c"), 0, 1), Append(MakeExecution("a"), 0, 1),
                        Append(MakeExecution("d"), 0, 1), Append(MakeExecution("b"), 0, 1)}))
          .ok());
  ExecutionRecord b = MakeExecution("b");
  b.open = false;
  b.close_status = "COMPLETED";
  b.close_time = 2000;
  ASSERT_TRUE(WriteOne(BatchOf({Append(b, 1, 1)})).ok());
  auto first = store().LoadExecutionsWithWork("", 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(RunIds(*first), (std::vector<std::string>{"a", "c"}));
  auto second = store().LoadExecutionsWithWork(first->back().run_id, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(RunIds(*second), (std::vector<std::string>{"d"}));
  auto none = store().LoadExecutionsWithWork("d", 2);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Start-up reads only open rows with work outstanding: the flag follows
// every write of the row, and a start clears it in bulk (no_work).
TEST_P(StoreSuite, LoadExecutionsWithWorkSkipsRowsWithout) {
  ExecutionRecord idle = MakeExecution("idle");
  idle.has_work = false;
  ASSERT_TRUE(WriteOne(BatchOf({Append(MakeExecution("busy"), 0, 1), Append(idle, 0, 1),
                                Append(MakeExecution("old"), 0, 1)}))
                  .ok());
  auto read = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(RunIds(*read), (std::vector<std::string>{"busy", "old"}));
  EXPECT_TRUE((*read)[0].has_work);
  // The flag changes with a write of the row (without other changes) ...
  idle.has_work = true;
  ExecutionRecord busy = MakeExecution("busy");
  busy.has_work = false;
  ASSERT_TRUE(WriteOne(BatchOf({Append(idle, 1, 1), Append(busy, 1, 1)})).ok());
  read = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(RunIds(*read), (std::vector<std::string>{"idle", "old"}));
  // ... and is cleared in bulk; a later write sets it again.
  WriteBatch clear;
  clear.no_work = {"old", "idle"};
  ASSERT_TRUE(WriteOne(clear).ok());
  read = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
  ASSERT_TRUE(WriteOne(BatchOf({Append(MakeExecution("old"), 1, 1)})).ok());
  read = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(RunIds(*read), (std::vector<std::string>{"old"}));
  auto got = store().GetExecution("idle");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->has_work);
}

TEST_P(StoreSuite, DataSurvivesReopen) {
  WriteBatch b = BatchOf({Append(MakeExecution("r"), 0, 4)});
  b.registry = {Upsert("domain", "", "d", "", "REGISTERED", "{\"retention\":3}")};
  ASSERT_TRUE(WriteOne(b).ok());
  Reopen();
  std::vector<RegistryRecord> registry = SortedRegistry(store());
  ASSERT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry[0].data, "{\"retention\":3}");
  Result<std::vector<ExecutionRecord>> open = store().LoadExecutionsWithWork("", -1);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(RunIds(*open), (std::vector<std::string>{"r"}));
  EXPECT_EQ((*open)[0].last_event_id, 4);
  Result<std::vector<EventRecord>> events = store().LoadEvents("r");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(EventIds(*events), (std::vector<int64_t>{1, 2, 3, 4}));
  // And writing continues where the history ends.
  EXPECT_TRUE(WriteOne(BatchOf({Append(MakeExecution("r"), 4, 1)})).ok());
}

}  // namespace
}  // namespace weft::store::testing
