// The Store conformance suite, part 2: visibility queries (List/Count).
#include "store_suite.h"

namespace weft::store::testing {
namespace {

struct Row {
  std::string run_id, domain, workflow_id, type_name, type_version;
  Millis start_time;
  std::string close_status;  // "" = open
  Millis close_time;
  std::vector<std::string> tags;
};

// Open runs b and c share a start time: run_id breaks the tie. A
// workflowId has one open run at most (in a domain).
const std::vector<Row> kRows = {
    {"a", "d", "w1", "T", "1", 100, "", 0, {"x"}},
    {"b", "d", "w2", "T", "2", 200, "", 0, {"x", "y"}},
    {"c", "d", "w4", "U", "1", 200, "", 0, {}},
    {"d", "d", "w1", "T", "1", 50, "COMPLETED", 500, {"y"}},
    {"e", "d", "w3", "T", "1", 150, "FAILED", 400, {"x"}},
    {"f", "d", "w2", "U", "1", 300, "COMPLETED", 350, {}},
    {"g", "d", "w3", "T", "2", 120, "TIMED_OUT", 900, {"z"}},
    {"h", "other", "w1", "T", "1", 250, "", 0, {"x"}},
    {"i", "other", "w1", "T", "1", 60, "COMPLETED", 600, {}},
};

void Seed(Store& store) {
  WriteBatch batch;
  for (const Row& row : kRows) {
    ExecutionRecord e = MakeExecution(row.run_id, row.start_time, row.domain);
    e.workflow_id = row.workflow_id;
    e.type_name = row.type_name;
    e.type_version = row.type_version;
    e.open = row.close_status.empty();
    e.close_status = row.close_status;
    e.close_time = row.close_time;
    e.tags = row.tags;
    batch.executions.push_back(Append(e, 0, 1));
  }
  ASSERT_TRUE(WriteTo(store, batch).ok());
}

ExecutionQuery Open() {
  ExecutionQuery q;
  q.domain = "d";
  return q;
}

ExecutionQuery Closed() {
  ExecutionQuery q = Open();
  q.open = false;
  return q;
}

TEST_P(StoreSuite, VisibilityEveryFilterOrderAndCount) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  struct Case {
    std::string name;
    std::function<ExecutionQuery()> query;
    std::vector<std::string> want;
  };
  auto with = [](ExecutionQuery q, auto change) {
    change(q);
    return q;
  };
  std::vector<Case> cases = {
      {"open, newest start first, ties by run id", [&] { return Open(); }, {"c", "b", "a"}},
      {"open and closed, newest start first",
       [&] { return with(Open(), [](auto& q) { q.open_and_closed = true; }); },
       {"f", "c", "b", "e", "g", "a", "d"}},
      {"open and closed with a close time window sorts by start time",
       [&] {
         return with(Open(), [](auto& q) {
           q.open_and_closed = true;
           q.close_oldest = 400;
         });
       },
       {"e", "g", "d"}},
      {"open reversed",
       [&] { return with(Open(), [](auto& q) { q.reverse = true; }); },
       {"a", "b", "c"}},
      {"start_oldest inclusive",
       [&] { return with(Open(), [](auto& q) { q.start_oldest = 200; }); },
       {"c", "b"}},
      {"start_latest inclusive",
       [&] { return with(Open(), [](auto& q) { q.start_latest = 100; }); },
       {"a"}},
      {"start window",
       [&] {
         return with(Open(), [](auto& q) {
           q.start_oldest = 101;
           q.start_latest = 200;
         });
       },
       {"c", "b"}},
      {"workflow id", [&] { return with(Open(), [](auto& q) { q.workflow_id = "w1"; }); }, {"a"}},
      {"type name", [&] { return with(Open(), [](auto& q) { q.type_name = "T"; }); }, {"b", "a"}},
      {"type name and version",
       [&] {
         return with(Open(), [](auto& q) {
           q.type_name = "T";
           q.type_version = "2";
         });
       },
       {"b"}},
      {"tag", [&] { return with(Open(), [](auto& q) { q.tag = "x"; }); }, {"b", "a"}},
      {"tag on one run", [&] { return with(Open(), [](auto& q) { q.tag = "y"; }); }, {"b"}},
      {"tag of closed runs only", [&] { return with(Open(), [](auto& q) { q.tag = "z"; }); }, {}},
      {"closed, newest start first", [&] { return Closed(); }, {"f", "e", "g", "d"}},
      {"closed with close_oldest: by close time",
       [&] { return with(Closed(), [](auto& q) { q.close_oldest = 400; }); },
       {"g", "d", "e"}},
      {"closed with close_latest: by close time",
       [&] { return with(Closed(), [](auto& q) { q.close_latest = 450; }); },
       {"e", "f"}},
      {"close window reversed",
       [&] {
         return with(Closed(), [](auto& q) {
           q.close_oldest = 350;
           q.close_latest = 500;
           q.reverse = true;
         });
       },
       {"f", "e", "d"}},
      {"close status",
       [&] { return with(Closed(), [](auto& q) { q.close_status = "COMPLETED"; }); },
       {"f", "d"}},
      {"close status by close time",
       [&] {
         return with(Closed(), [](auto& q) {
           q.close_status = "COMPLETED";
           q.close_oldest = 0;
         });
       },
       {"d", "f"}},
      {"closed workflow id",
       [&] { return with(Closed(), [](auto& q) { q.workflow_id = "w3"; }); },
       {"e", "g"}},
      {"closed tag", [&] { return with(Closed(), [](auto& q) { q.tag = "z"; }); }, {"g"}},
      {"closed type",
       [&] {
         return with(Closed(), [](auto& q) {
           q.type_name = "T";
           q.type_version = "1";
         });
       },
       {"e", "d"}},
      {"tag and start filter",
       [&] {
         return with(Closed(), [](auto& q) {
           q.tag = "x";
           q.start_oldest = 100;
         });
       },
       {"e"}},
      {"other domain", [&] { return with(Open(), [](auto& q) { q.domain = "other"; }); }, {"h"}},
      {"unknown domain", [&] { return with(Open(), [](auto& q) { q.domain = "zzz"; }); }, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<ExecutionPage> page = store().ListExecutions(c.query());
    ASSERT_TRUE(page.ok()) << page.error().message();
    EXPECT_EQ(RunIds(page->executions), c.want);
    EXPECT_EQ(page->next_page_token, "");
    Result<int64_t> count = store().CountExecutions(c.query());
    ASSERT_TRUE(count.ok()) << count.error().message();
    EXPECT_EQ(*count, static_cast<int64_t>(c.want.size()));
  }
}

TEST_P(StoreSuite, VisibilityListedRecordsAreComplete) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  ExecutionQuery q = Open();
  q.workflow_id = "w2";
  Result<ExecutionPage> page = store().ListExecutions(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->executions.size(), 1u);
  const ExecutionRecord& b = page->executions[0];
  EXPECT_EQ(b.run_id, "b");
  EXPECT_EQ(b.type_version, "2");
  EXPECT_EQ(b.tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b.last_event_id, 1);
  EXPECT_EQ(b.data, "{\"run\":\"b\"}");
}

// Reads every page of `query` with the given page size.
std::vector<std::string> ReadAllPages(Store& store, ExecutionQuery query, int32_t page_size,
                                      int* pages) {
  std::vector<std::string> ids;
  query.page_size = page_size;
  *pages = 0;
  for (;;) {
    Result<ExecutionPage> page = store.ListExecutions(query);
    EXPECT_TRUE(page.ok());
    if (!page.ok() || ++*pages > 100) break;
    EXPECT_LE(page->executions.size(), static_cast<size_t>(page_size));
    for (const std::string& id : RunIds(page->executions)) ids.push_back(id);
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  return ids;
}

TEST_P(StoreSuite, VisibilityPagesConcatenateToTheWholeList) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  // More runs with equal start times, so that pages split inside a tie.
  WriteBatch batch;
  for (int i = 0; i < 6; ++i) {
    batch.executions.push_back(Append(MakeExecution("p" + std::to_string(i), 200), 0, 1));
  }
  ASSERT_TRUE(WriteOne(batch).ok());
  struct Case {
    std::string name;
    ExecutionQuery query;
  };
  ExecutionQuery reversed = Open();
  reversed.reverse = true;
  ExecutionQuery by_close = Closed();
  by_close.close_oldest = 0;
  ExecutionQuery by_close_reversed = by_close;
  by_close_reversed.reverse = true;
  for (const Case& c : std::vector<Case>{{"open", Open()},
                                         {"open reversed", reversed},
                                         {"closed", Closed()},
                                         {"closed by close time", by_close},
                                         {"closed by close time reversed", by_close_reversed}}) {
    SCOPED_TRACE(c.name);
    int pages = 0;
    std::vector<std::string> all = ReadAllPages(store(), c.query, 1000, &pages);
    EXPECT_EQ(pages, 1);
    for (int32_t size : {1, 2, 3, static_cast<int32_t>(all.size())}) {
      EXPECT_EQ(ReadAllPages(store(), c.query, size, &pages), all) << "page size " << size;
      EXPECT_EQ(pages, static_cast<int>((all.size() + size - 1) / size)) << "page size " << size;
    }
  }
}

TEST_P(StoreSuite, VisibilityNewRunsDoNotShiftLaterPages) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  ExecutionQuery q = Open();
  q.page_size = 1;
  Result<ExecutionPage> first = store().ListExecutions(q);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(RunIds(first->executions), (std::vector<std::string>{"c"}));
  // A newer run appears before the next page is read.
  ASSERT_TRUE(WriteOne(BatchOf({Append(MakeExecution("new", 999), 0, 1)})).ok());
  q.page_token = first->next_page_token;
  q.page_size = 10;
  Result<ExecutionPage> rest = store().ListExecutions(q);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(RunIds(rest->executions), (std::vector<std::string>{"b", "a"}));
}

TEST_P(StoreSuite, VisibilityBadPageTokensAndSizesAreValidationErrors) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  ExecutionQuery q = Open();
  q.page_size = 1;
  Result<ExecutionPage> first = store().ListExecutions(q);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token.empty());

  struct Case {
    std::string name;
    std::string token;
    bool reverse;
  };
  for (const Case& c : std::vector<Case>{{"not base64", "%%%", false},
                                         {"base64 of text", "aGVsbG8=", false},
                                         {"truncated", first->next_page_token.substr(1), false},
                                         {"from another order", first->next_page_token, true}}) {
    SCOPED_TRACE(c.name);
    ExecutionQuery bad = Open();
    bad.page_token = c.token;
    bad.reverse = c.reverse;
    Result<ExecutionPage> page = store().ListExecutions(bad);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code(), Errc::kValidation);
    EXPECT_EQ(page.error().message(), "Invalid nextPageToken");
  }
  for (int32_t size : {0, -1, 1001}) {
    ExecutionQuery bad = Open();
    bad.page_size = size;
    Result<ExecutionPage> page = store().ListExecutions(bad);
    ASSERT_FALSE(page.ok()) << size;
    EXPECT_EQ(page.error().code(), Errc::kValidation);
  }
  ExecutionQuery version_only = Open();
  version_only.type_version = "1";
  Result<ExecutionPage> page = store().ListExecutions(version_only);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), Errc::kValidation);
}

TEST_P(StoreSuite, VisibilityChangedTagsAreRequeried) {
  ASSERT_NO_FATAL_FAILURE(Seed(store()));
  ExecutionRecord a = MakeExecution("a", 100);
  a.workflow_id = "w1";
  a.tags = {"new"};
  ASSERT_TRUE(WriteOne(BatchOf({Append(a, 1, 1)})).ok());
  for (auto [tag, want] : std::vector<std::pair<std::string, int64_t>>{{"x", 1}, {"new", 1}}) {
    ExecutionQuery q = Open();
    q.tag = tag;
    Result<int64_t> count = store().CountExecutions(q);
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, want) << tag;  // "x": only b now
  }
  ExecutionQuery q = Open();
  q.tag = "x";
  Result<ExecutionPage> page = store().ListExecutions(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(RunIds(page->executions), (std::vector<std::string>{"b"}));
}

}  // namespace

}  // namespace weft::store::testing
