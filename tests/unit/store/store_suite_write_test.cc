// The Store conformance suite, part 4: what a write stores when batches of
// one Write touch the same run, and that an upsert of an existing run
// replaces every column (and what visibility queries find by it).
#include <functional>

#include "store_suite.h"

namespace weft::store::testing {
namespace {

std::vector<int64_t> EventIdsOf(Store& store, const std::string& run_id) {
  Result<std::vector<EventRecord>> events = store.LoadEvents(run_id);
  EXPECT_TRUE(events.ok());
  std::vector<int64_t> ids;
  if (!events.ok()) return ids;
  for (const EventRecord& e : *events) ids.push_back(e.event_id);
  return ids;
}

// Each batch is checked against the run as the batches before it in the same
// Write left it, and a failed batch (even one that wrote the run once before
// failing on a second write) leaves the run as it was for the batches after.
TEST_P(StoreSuite, BatchesOfOneWriteSeeEachOthersRuns) {
  ExecutionRecord r = MakeExecution("r");
  struct Step {
    std::string name;
    std::function<WriteBatch()> batch;
    bool ok;
  };
  std::vector<Step> steps = {
      {"create", [&] { return BatchOf({Append(r, 0, 2)}); }, true},
      {"stale: expects a later end", [&] { return BatchOf({Append(r, 5, 1)}); }, false},
      {"two appends to r in one batch",
       [&] {
         return BatchOf({Append(r, 2, 1), Append(r, 3, 1)});
       },
       true},
      {"stale: expects the end before the previous batch",
       [&] { return BatchOf({Append(r, 2, 1)}); }, false},
      {"second write of r in the batch is stale",
       [&] {
         return BatchOf({Append(r, 4, 1), Append(MakeExecution("side"), 0, 1), Append(r, 4, 1)});
       },
       false},
      {"continues where the last good batch ended", [&] { return BatchOf({Append(r, 4, 1)}); },
       true},
  };
  std::vector<WriteBatch> batches;
  for (const Step& step : steps) batches.push_back(step.batch());
  std::vector<Status> results = Write(batches);
  ASSERT_EQ(results.size(), steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(results[i].ok(), steps[i].ok) << steps[i].name;
    if (!steps[i].ok && !results[i].ok()) {
      EXPECT_EQ(results[i].error().code(), Errc::kConflict) << steps[i].name;
    }
  }
  EXPECT_EQ(EventIdsOf(store(), "r"), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  Result<std::optional<ExecutionRecord>> side = store().GetExecution("side");
  ASSERT_TRUE(side.ok());
  EXPECT_FALSE(side->has_value());
  EXPECT_TRUE(EventIdsOf(store(), "side").empty());
  Result<std::optional<ExecutionRecord>> got = store().GetExecution("r");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->last_event_id, 5);
}

void ExpectSameRecord(const ExecutionRecord& got, const ExecutionRecord& want) {
  EXPECT_EQ(got.run_id, want.run_id);
  EXPECT_EQ(got.domain, want.domain);
  EXPECT_EQ(got.workflow_id, want.workflow_id);
  EXPECT_EQ(got.type_name, want.type_name);
  EXPECT_EQ(got.type_version, want.type_version);
  EXPECT_EQ(got.open, want.open);
  EXPECT_EQ(got.close_status, want.close_status);
  EXPECT_EQ(got.start_time, want.start_time);
  EXPECT_EQ(got.close_time, want.close_time);
  EXPECT_EQ(got.shard, want.shard);
  EXPECT_EQ(got.last_event_id, want.last_event_id);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.data, want.data);
  EXPECT_EQ(got.snapshot, want.snapshot);
}

// The run ids a query over the record's own domain, open state, workflow id,
// type, start (and close) time and (if any) first tag finds.
std::vector<std::string> FoundBy(Store& store, const ExecutionRecord& e) {
  ExecutionQuery q;
  q.domain = e.domain;
  q.open = e.open;
  q.workflow_id = e.workflow_id;
  q.type_name = e.type_name;
  q.type_version = e.type_version;
  if (!e.tags.empty()) q.tag = e.tags[0];
  if (!e.open) q.close_oldest = e.close_time;
  q.start_oldest = e.start_time;
  q.start_latest = e.start_time;
  Result<ExecutionPage> page = store.ListExecutions(q);
  EXPECT_TRUE(page.ok());
  return page.ok() ? RunIds(page->executions) : std::vector<std::string>{};
}

// An append may change any column of the run: the stored record is the one
// written, visibility finds it by its new values and not by its old ones.
TEST_P(StoreSuite, AppendReplacesEveryColumnOfTheRun) {
  struct Case {
    std::string name;
    std::function<void(ExecutionRecord&)> change;
    bool old_values_still_match = false;  // no queryable column changed
  };
  std::vector<Case> cases = {
      {"data only", [](ExecutionRecord& e) { e.data = "{\"new\":1}"; }, true},
      {"snapshot only", [](ExecutionRecord& e) { e.snapshot = "{\"v\":1,\"1\":2}"; }, true},
      {"snapshot and close",
       [](ExecutionRecord& e) {
         e.snapshot = "{\"v\":1,\"10\":\"FAILED\"}";
         e.open = false;
         e.close_status = "FAILED";
         e.close_time = 5000;
       }},
      {"close",
       [](ExecutionRecord& e) {
         e.open = false;
         e.close_status = "COMPLETED";
         e.close_time = 5000;
       }},
      {"domain", [](ExecutionRecord& e) { e.domain = "d2"; }},
      {"workflow id", [](ExecutionRecord& e) { e.workflow_id = "wf-moved"; }},
      {"type", [](ExecutionRecord& e) { e.type_name = "U", e.type_version = "2"; }},
      {"start time", [](ExecutionRecord& e) { e.start_time = 777; }},
      {"shard", [](ExecutionRecord& e) { e.shard = 9; }, true},
      {"tags",
       [](ExecutionRecord& e) {
         e.tags = {"t2", "t3"};
       }},
      {"tags removed", [](ExecutionRecord& e) { e.tags.clear(); }},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExecutionRecord before = MakeExecution("run" + std::to_string(n++));
    before.tags = {"t1"};
    ASSERT_TRUE(WriteOne(BatchOf({Append(before, 0, 1)})).ok());
    ExecutionRecord after = before;
    c.change(after);
    ExecutionWrite w = Append(after, 1, 1);
    ASSERT_TRUE(WriteOne(BatchOf({w})).ok());

    Result<std::optional<ExecutionRecord>> got = store().GetExecution(before.run_id);
    ASSERT_TRUE(got.ok() && got->has_value());
    ExpectSameRecord(**got, w.execution);
    EXPECT_EQ(FoundBy(store(), w.execution), (std::vector<std::string>{before.run_id}));
    before.last_event_id = 2;
    std::vector<std::string> by_old = FoundBy(store(), before);
    EXPECT_EQ(by_old.empty(), !c.old_values_still_match);
  }
}

// A run whose retention is over is erased (row, tags, events) and its id
// used again in the same batch; only a run closed before the given time is,
// and an erase of a run that is not stored does nothing.
TEST_P(StoreSuite, ARunClosedLongAgoIsErasedAndItsIdUsedAgain) {
  WriteBatch first = BatchOf({Append(MakeExecution("new"), 0, 1)});
  first.erase.push_back(RunErase{"new", 2000});
  ASSERT_TRUE(WriteTo(store(), first).ok());
  EXPECT_EQ(EventIdsOf(store(), "new"), (std::vector<int64_t>{1}));
  ExecutionRecord old = MakeExecution("r");
  old.tags = {"t1"};
  ASSERT_TRUE(WriteTo(store(), BatchOf({Append(old, 0, 3)})).ok());
  WriteBatch too_soon = BatchOf({Append(MakeExecution("r", 5000), 0, 1)});
  too_soon.erase.push_back(RunErase{"r", 2000});
  Status open = WriteTo(store(), too_soon);
  ASSERT_FALSE(open.ok()) << "an open run is never erased";
  EXPECT_EQ(open.error().code(), Errc::kConflict);

  old.open = false;
  old.close_status = "SUCCEEDED";
  old.close_time = 3000;
  ASSERT_TRUE(WriteTo(store(), BatchOf({Append(old, 3, 1)})).ok());
  Status recent = WriteTo(store(), too_soon);  // closed at 3000, not before 2000
  ASSERT_FALSE(recent.ok());
  EXPECT_EQ(recent.error().code(), Errc::kConflict);

  ExecutionRecord fresh = MakeExecution("r", 5000);
  WriteBatch replace = BatchOf({Append(fresh, 0, 2)});
  replace.erase.push_back(RunErase{"r", 4000});
  ASSERT_TRUE(WriteTo(store(), replace).ok());
  Reopen();
  EXPECT_EQ(EventIdsOf(store(), "r"), (std::vector<int64_t>{1, 2}));
  Result<std::optional<ExecutionRecord>> stored = store().GetExecution("r");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_TRUE((*stored)->open);
  EXPECT_EQ((*stored)->start_time, 5000);
  ExecutionQuery by_tag;
  by_tag.domain = "d";
  by_tag.open_and_closed = true;
  by_tag.tag = "t1";
  Result<ExecutionPage> tagged = store().ListExecutions(by_tag);
  ASSERT_TRUE(tagged.ok());
  EXPECT_TRUE(tagged->executions.empty()) << "the old run's tags went with it";
}

// At most one open run per SWF workflow id: the store refuses the write
// of a second one (kConflict, nothing of its batch written, the rest of
// the group committed), so that a start need not read first. A run
// closed and its successor created in one batch (continue-as-new) is
// fine; Step Functions rows (domains with ':', as a parent's several open
// Map Runs) are not held to it.
TEST_P(StoreSuite, AWorkflowIdHasOneOpenRunAtATime) {
  auto run = [](const std::string& run_id, const std::string& domain = "d") {
    ExecutionRecord e = MakeExecution(run_id, 1000, domain);
    e.workflow_id = "w";
    return e;
  };
  ASSERT_TRUE(WriteOne(BatchOf({Append(run("first"), 0, 2)})).ok());
  std::vector<Status> group = Write({BatchOf({Append(run("second"), 0, 2)}),
                                     BatchOf({Append(run("elsewhere", "d2"), 0, 1)}),
                                     BatchOf({Append(run("third"), 0, 1)})});
  ASSERT_EQ(group.size(), 3u);
  ASSERT_FALSE(group[0].ok());
  EXPECT_EQ(group[0].error().code(), Errc::kConflict);
  EXPECT_TRUE(group[1].ok()) << "another domain's workflow id of that name";
  ASSERT_FALSE(group[2].ok());
  EXPECT_EQ(group[2].error().code(), Errc::kConflict);
  for (const char* refused : {"second", "third"}) {
    Result<std::optional<ExecutionRecord>> stored = store().GetExecution(refused);
    ASSERT_TRUE(stored.ok());
    EXPECT_FALSE(stored->has_value()) << refused;
    EXPECT_TRUE(EventIdsOf(store(), refused).empty()) << refused;
  }

  // Continue-as-new: the open run closes and the next one opens, one batch.
  ExecutionRecord closed = run("first");
  closed.open = false;
  closed.close_status = "CONTINUED_AS_NEW";
  closed.close_time = 2000;
  ASSERT_TRUE(WriteOne(BatchOf({Append(closed, 2, 1), Append(run("next"), 0, 1)})).ok());
  Reopen();
  Status again = WriteOne(BatchOf({Append(run("after-restart"), 0, 1)}));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Errc::kConflict);
  Result<std::optional<ExecutionRecord>> open = store().GetOpenExecution("d", "w");
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->run_id, "next");

  ExecutionRecord map_run = run("map-run-1", "aws:states:mapRun");
  ASSERT_TRUE(WriteOne(BatchOf({Append(map_run, 0, 0)})).ok());
  map_run.run_id = "map-run-2";
  EXPECT_TRUE(WriteOne(BatchOf({Append(map_run, 0, 0)})).ok());
}

}  // namespace
}  // namespace weft::store::testing
