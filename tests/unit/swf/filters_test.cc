#include "swf/filters.h"

#include <gtest/gtest.h>

namespace weft::swf {
namespace {

struct Read {
  store::ExecutionQuery query;
  Status status;
};

Read ReadFilters(std::string_view text, bool open) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  const json::object& request = v->as_object();
  RequestReader r(request);
  Read out;
  ReadExecutionFilters(r, open, out.query);
  out.status = r.Finish();
  return out;
}

TEST(ExecutionFiltersTest, OpenReadsStartTimeAndOneFilter) {
  Read r = ReadFilters(
      R"({"domain":"d","startTimeFilter":{"oldestDate":1700000000,"latestDate":1700000001.25},)"
      R"("typeFilter":{"name":"t","version":"1"}})",
      true);
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  EXPECT_EQ(r.query.domain, "d");
  EXPECT_TRUE(r.query.open);
  EXPECT_EQ(r.query.start_oldest, 1700000000000);
  EXPECT_EQ(r.query.start_latest, 1700000001250);
  EXPECT_EQ(r.query.type_name, "t");
  EXPECT_EQ(r.query.type_version, "1");
  EXPECT_FALSE(r.query.close_oldest.has_value());
  EXPECT_FALSE(r.query.workflow_id.has_value());
}

TEST(ExecutionFiltersTest, ClosedTakesCloseTimeAndCloseStatus) {
  Read r = ReadFilters(
      R"({"domain":"d","closeTimeFilter":{"oldestDate":5},"closeStatusFilter":{"status":"FAILED"}})",
      false);
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  EXPECT_FALSE(r.query.open);
  EXPECT_EQ(r.query.close_oldest, 5000);
  EXPECT_FALSE(r.query.close_latest.has_value());
  EXPECT_FALSE(r.query.start_oldest.has_value());
  EXPECT_EQ(r.query.close_status, "FAILED");
}

struct BadCase {
  bool open;
  const char* request;
  const char* fragment;
};

class ExecutionFiltersBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ExecutionFiltersBad, IsValidationException) {
  Read r = ReadFilters(GetParam().request, GetParam().open);
  ASSERT_FALSE(r.status.ok()) << GetParam().request;
  EXPECT_EQ(r.status.error().type(), "ValidationException");
  EXPECT_NE(r.status.error().message().find(GetParam().fragment), std::string::npos)
      << r.status.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ExecutionFiltersBad,
    ::testing::Values(
        BadCase{true, R"({"domain":"d"})", "at 'startTimeFilter'"},
        BadCase{true, R"({"domain":"d","startTimeFilter":{}})", "at 'startTimeFilter.oldestDate'"},
        BadCase{true, R"({"startTimeFilter":{"oldestDate":1}})", "at 'domain'"},
        BadCase{true,
                R"({"domain":"d","startTimeFilter":{"oldestDate":1},)"
                R"("tagFilter":{"tag":"x"},"executionFilter":{"workflowId":"w"}})",
                "mutually exclusive"},
        BadCase{true, R"({"domain":"d","startTimeFilter":{"oldestDate":"yesterday"}})",
                "timestamp"},
        BadCase{true, R"({"domain":"d","startTimeFilter":{"oldestDate":1},"typeFilter":{}})",
                "at 'typeFilter.name'"},
        BadCase{false, R"({"domain":"d"})", "Either startTimeFilter or closeTimeFilter"},
        BadCase{false,
                R"({"domain":"d","startTimeFilter":{"oldestDate":1},)"
                R"("closeTimeFilter":{"oldestDate":1}})",
                "mutually exclusive"},
        BadCase{false,
                R"({"domain":"d","closeTimeFilter":{"oldestDate":1},)"
                R"("closeStatusFilter":{"status":"FAILED"},"typeFilter":{"name":"t"}})",
                "mutually exclusive"},
        BadCase{false,
                R"({"domain":"d","closeTimeFilter":{"oldestDate":1},)"
                R"("closeStatusFilter":{"status":"DONE"}})",
                "enum value set: [COMPLETED, FAILED, CANCELED, TERMINATED, CONTINUED_AS_NEW, "
                "TIMED_OUT]"}));

// closeStatusFilter is not a member of the open operations: ignored there,
// as unknown members are.
TEST(ExecutionFiltersTest, OpenIgnoresCloseStatusFilter) {
  Read r = ReadFilters(
      R"({"domain":"d","startTimeFilter":{"oldestDate":1},"closeStatusFilter":{"status":"X"},)"
      R"("tagFilter":{"tag":"t"}})",
      true);
  ASSERT_TRUE(r.status.ok()) << r.status.error().message();
  EXPECT_EQ(r.query.tag, "t");
  EXPECT_FALSE(r.query.close_status.has_value());
}

}  // namespace
}  // namespace weft::swf
