// SwfService driven in-process (no HTTP) on a real engine and SQLite store in
// a temporary directory. The boto3 suite in tests/integration covers the
// decider/worker loop; this covers what it does not: tags, visibility
// filters and paging, decision task paging without a second poll, and the
// registration choices documented in docs/compatibility.md.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <set>
#include <thread>

#include "swf/swf.h"

namespace weft::swf {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

net::awaitable<Result<json::value>> InvokeOp(SwfService* service, std::string op,
                                             json::object request) {
  RequestContext context;
  co_return co_await service->Invoke(op, context, request);
}

class SwfServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("weft-swf-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
    engine::EngineOptions options;
    options.poll_timeout = 200ms;
    engine_ = std::make_unique<engine::Engine>(io_, *store_, clock_, options);
    ASSERT_TRUE(engine_->Recover().ok());
    service_ = std::make_unique<SwfService>(*engine_);
    work_.emplace(io_.get_executor());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    engine_->Shutdown();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    service_.reset();
    engine_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Result<json::value> Call(std::string op, std::string_view body) {
    auto parsed = ParseJson(body);
    EXPECT_TRUE(parsed.ok()) << body;
    json::object request = parsed->as_object();
    return net::co_spawn(io_, InvokeOp(service_.get(), std::move(op), std::move(request)),
                         net::use_future)
        .get();
  }

  // The response of an operation that must succeed.
  json::object Ok(std::string op, std::string_view body) {
    auto r = Call(op, body);
    EXPECT_TRUE(r.ok()) << op << " " << body << ": " << (r.ok() ? "" : r.error().message());
    if (!r.ok() || !r->is_object()) return {};
    return r->as_object();
  }

  // The fault name of an operation that must fail.
  std::string Fails(std::string op, std::string_view body) {
    auto r = Call(op, body);
    EXPECT_FALSE(r.ok()) << op << " " << body << " succeeded: " << (r.ok() ? ToJson(*r) : "");
    return r.ok() ? "" : r.error().type();
  }

  void RegisterBasics() {
    Ok("RegisterDomain", R"({"name":"d","workflowExecutionRetentionPeriodInDays":"1"})");
    Ok("RegisterWorkflowType",
       R"({"domain":"d","name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
       R"("defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"60",)"
       R"("defaultChildPolicy":"TERMINATE"})");
  }

  std::string Start(const std::string& workflow_id, const std::string& tag = "t") {
    json::object start =
        Ok("StartWorkflowExecution", R"({"domain":"d","workflowId":")" + workflow_id +
                                         R"(","workflowType":{"name":"wf",)"
                                         R"("version":"1"},"tagList":[")" +
                                         tag + R"("]})");
    const json::string* run = FindString(start, "runId");
    return run ? std::string(*run) : "";
  }

  fs::path dir_;
  FakeClock clock_;
  net::io_context io_{2};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<SwfService> service_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

TEST_F(SwfServiceTest, ServesEveryOperationOfTheModel) {
  for (std::string_view op : {"CountClosedWorkflowExecutions",
                              "CountOpenWorkflowExecutions",
                              "CountPendingActivityTasks",
                              "CountPendingDecisionTasks",
                              "DeleteActivityType",
                              "DeleteWorkflowType",
                              "DeprecateActivityType",
                              "DeprecateDomain",
                              "DeprecateWorkflowType",
                              "DescribeActivityType",
                              "DescribeDomain",
                              "DescribeWorkflowExecution",
                              "DescribeWorkflowType",
                              "GetWorkflowExecutionHistory",
                              "ListActivityTypes",
                              "ListClosedWorkflowExecutions",
                              "ListDomains",
                              "ListOpenWorkflowExecutions",
                              "ListTagsForResource",
                              "ListWorkflowTypes",
                              "PollForActivityTask",
                              "PollForDecisionTask",
                              "RecordActivityTaskHeartbeat",
                              "RegisterActivityType",
                              "RegisterDomain",
                              "RegisterWorkflowType",
                              "RequestCancelWorkflowExecution",
                              "RespondActivityTaskCanceled",
                              "RespondActivityTaskCompleted",
                              "RespondActivityTaskFailed",
                              "RespondDecisionTaskCompleted",
                              "SignalWorkflowExecution",
                              "StartWorkflowExecution",
                              "TagResource",
                              "TerminateWorkflowExecution",
                              "UndeprecateActivityType",
                              "UndeprecateDomain",
                              "UndeprecateWorkflowType",
                              "UntagResource"}) {
    EXPECT_TRUE(service_->HasOperation(op)) << op;
    // An empty request is a ValidationException for every one of them
    // (each has a required member), never a crash or a success.
    EXPECT_EQ(Fails(std::string(op), "{}"), "ValidationException") << op;
  }
  EXPECT_FALSE(service_->HasOperation("NoSuchOperation"));
  EXPECT_FALSE(service_->HasOperation("registerDomain"));
}

TEST_F(SwfServiceTest, DomainTagsByArn) {
  Ok("RegisterDomain",
     R"({"name":"d","workflowExecutionRetentionPeriodInDays":"NONE","tags":[{"key":"a","value":"1"}]})");
  json::object info = Ok("DescribeDomain", R"({"name":"d"})");
  EXPECT_EQ(info["domainInfo"].as_object()["arn"], "arn:aws:swf:us-east-1:123456789012:/domain/d");
  EXPECT_EQ(info["configuration"].as_object()["workflowExecutionRetentionPeriodInDays"], "NONE");
  EXPECT_FALSE(info.contains("tags")) << "tags are not part of DescribeDomain";
  const std::string arn = R"("resourceArn":"arn:aws:swf:us-east-1:123456789012:/domain/d")";

  Ok("TagResource", "{" + arn + R"(,"tags":[{"key":"b"},{"key":"a","value":"2"}]})");
  EXPECT_EQ(ToJson(Ok("ListTagsForResource", "{" + arn + "}")),
            R"({"tags":[{"key":"a","value":"2"},{"key":"b"}]})");
  Ok("UntagResource", "{" + arn + R"(,"tagKeys":["a","missing"]})");
  EXPECT_EQ(ToJson(Ok("ListTagsForResource", "{" + arn + "}")), R"({"tags":[{"key":"b"}]})");

  std::string many = "{" + arn + R"(,"tags":[)";
  for (int i = 0; i < 50; ++i)
    many += (i ? "," : "") + std::string(R"({"key":"k)") + std::to_string(i) + R"("})";
  EXPECT_EQ(Fails("TagResource", many + "]}"), "TooManyTagsFault");
  EXPECT_EQ(ToJson(Ok("ListTagsForResource", "{" + arn + "}")), R"({"tags":[{"key":"b"}]})")
      << "a refused TagResource changes nothing";
  EXPECT_EQ(Fails("ListTagsForResource",
                  R"({"resourceArn":"arn:aws:swf:us-east-1:123456789012:/domain/other"})"),
            "UnknownResourceFault");
  EXPECT_EQ(Fails("ListTagsForResource", R"({"resourceArn":"arn:aws:sqs:x"})"),
            "UnknownResourceFault");
  EXPECT_EQ(Fails("TagResource", "{" + arn + R"(,"tags":[{"key":"bad#key"}]})"),
            "ValidationException");
}

TEST_F(SwfServiceTest, DomainDeprecationCascadesToTypesButUndeprecationDoesNot) {
  RegisterBasics();
  Ok("RegisterActivityType", R"({"domain":"d","name":"a","version":"1"})");
  Ok("DeprecateDomain", R"({"name":"d"})");
  for (auto [op, member] : {std::pair{"DescribeWorkflowType", R"("workflowType":{"name":"wf")"},
                            std::pair{"DescribeActivityType", R"("activityType":{"name":"a")"}}) {
    json::object t = Ok(op, std::string(R"({"domain":"d",)") + member + R"(,"version":"1"}})");
    EXPECT_EQ(t["typeInfo"].as_object()["status"], "DEPRECATED") << op;
    EXPECT_TRUE(t["typeInfo"].as_object().contains("deprecationDate")) << op;
  }
  EXPECT_EQ(Fails("RegisterActivityType", R"({"domain":"d","name":"b","version":"1"})"),
            "UnknownResourceFault");
  EXPECT_EQ(Fails("StartWorkflowExecution",
                  R"({"domain":"d","workflowId":"w","workflowType":{"name":"wf","version":"1"}})"),
            "UnknownResourceFault");
  Ok("UndeprecateDomain", R"({"name":"d"})");
  json::object t =
      Ok("DescribeActivityType", R"({"domain":"d","activityType":{"name":"a","version":"1"}})");
  EXPECT_EQ(t["typeInfo"].as_object()["status"], "DEPRECATED");
  Ok("RegisterActivityType", R"({"domain":"d","name":"b","version":"1"})");
}

TEST_F(SwfServiceTest, TypeFaultsNameTheType) {
  RegisterBasics();
  auto r =
      Call("DescribeWorkflowType", R"({"domain":"d","workflowType":{"name":"x","version":"2"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "UnknownResourceFault");
  EXPECT_EQ(r.error().message(), "Unknown type: WorkflowType=[name=x, version=2]");
  auto d = Call("DescribeDomain", R"({"name":"nope"})");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "Unknown domain: nope");
  EXPECT_EQ(
      Fails("DeleteWorkflowType", R"({"domain":"d","workflowType":{"name":"wf","version":"1"}})"),
      "TypeNotDeprecatedFault");
  EXPECT_EQ(Fails("RegisterWorkflowType", R"({"domain":"d","name":"wf","version":"1"})"),
            "TypeAlreadyExistsFault");
  EXPECT_EQ(Fails("RegisterWorkflowType", R"({"domain":"d","name":"a:b","version":"1"})"),
            "ValidationException");
}

TEST_F(SwfServiceTest, ListTypesFiltersByNameAndPagesWithItsOwnTokens) {
  RegisterBasics();
  for (auto v : {"1", "2", "3"}) {
    Ok("RegisterActivityType",
       std::string(R"({"domain":"d","name":"a","version":")") + v + R"("})");
  }
  Ok("RegisterActivityType", R"({"domain":"d","name":"b","version":"1"})");
  std::vector<std::string> seen;
  std::string token;
  for (int i = 0; i < 10; ++i) {
    std::string body = R"({"domain":"d","registrationStatus":"REGISTERED","name":"a",)"
                       R"("maximumPageSize":2,"reverseOrder":true)";
    if (!token.empty()) body += R"(,"nextPageToken":")" + token + "\"";
    json::object page = Ok("ListActivityTypes", body + "}");
    for (const auto& info : page["typeInfos"].as_array()) {
      seen.emplace_back(info.at("activityType").at("version").as_string());
    }
    const json::string* next = FindString(page, "nextPageToken");
    if (next == nullptr) break;
    token = std::string(*next);
    EXPECT_EQ(Fails("ListWorkflowTypes",
                    R"({"domain":"d","registrationStatus":"REGISTERED","nextPageToken":")" + token +
                        "\"}"),
              "ValidationException")
        << "a token of ListActivityTypes is not one of ListWorkflowTypes";
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"3", "2", "1"}));
}

TEST_F(SwfServiceTest, VisibilityFiltersPagesAndCounts) {
  RegisterBasics();
  std::vector<std::string> runs;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1000);
    runs.push_back(Start("w" + std::to_string(i), i % 2 ? "odd" : "even"));
  }
  Ok("TerminateWorkflowExecution", R"({"domain":"d","workflowId":"w0"})");
  Ok("RequestCancelWorkflowExecution", R"({"domain":"d","workflowId":"w1"})");
  const std::string open = R"({"domain":"d","startTimeFilter":{"oldestDate":0})";

  json::object count = Ok("CountOpenWorkflowExecutions", open + "}");
  EXPECT_EQ(ToJson(count), R"({"count":4,"truncated":false})");
  EXPECT_EQ(Ok("CountOpenWorkflowExecutions", open + R"(,"tagFilter":{"tag":"odd"}})")["count"], 2);
  EXPECT_EQ(Ok("CountOpenWorkflowExecutions",
               open + R"(,"executionFilter":{"workflowId":"w3"}})")["count"],
            1);
  EXPECT_EQ(Ok("CountOpenWorkflowExecutions",
               open + R"(,"typeFilter":{"name":"wf","version":"2"}})")["count"],
            0);

  // Newest first, in pages of 3; w1 shows its cancel request.
  json::object first = Ok("ListOpenWorkflowExecutions", open + R"(,"maximumPageSize":3})");
  ASSERT_EQ(first["executionInfos"].as_array().size(), 3u);
  EXPECT_EQ(first["executionInfos"].as_array()[0].at("execution").at("workflowId"), "w4");
  ASSERT_TRUE(first.contains("nextPageToken"));
  json::object second =
      Ok("ListOpenWorkflowExecutions", open + R"(,"maximumPageSize":3,"nextPageToken":")" +
                                           std::string(first["nextPageToken"].as_string()) + "\"}");
  ASSERT_EQ(second["executionInfos"].as_array().size(), 1u);
  const json::value& w1 = second["executionInfos"].as_array()[0];
  EXPECT_EQ(w1.at("execution").at("workflowId"), "w1");
  EXPECT_EQ(w1.at("cancelRequested"), true);
  EXPECT_EQ(w1.at("executionStatus"), "OPEN");
  EXPECT_FALSE(second.contains("nextPageToken"));

  json::object closed =
      Ok("ListClosedWorkflowExecutions", R"({"domain":"d","closeTimeFilter":{"oldestDate":0},)"
                                         R"("closeStatusFilter":{"status":"TERMINATED"}})");
  ASSERT_EQ(closed["executionInfos"].as_array().size(), 1u);
  EXPECT_EQ(closed["executionInfos"].as_array()[0].at("closeStatus"), "TERMINATED");
  EXPECT_EQ(Ok("CountClosedWorkflowExecutions",
               R"({"domain":"d","startTimeFilter":{"oldestDate":0},)"
               R"("closeStatusFilter":{"status":"COMPLETED"}})")["count"],
            0);
  // A start time window that ends before the first start matches nothing.
  EXPECT_EQ(Ok("CountOpenWorkflowExecutions",
               R"({"domain":"d","startTimeFilter":{"oldestDate":0,"latestDate":1}})")["count"],
            0);
  EXPECT_EQ(Fails("ListClosedWorkflowExecutions", R"({"domain":"d"})"), "ValidationException");
  EXPECT_EQ(
      Fails("CountOpenWorkflowExecutions", R"({"domain":"x","startTimeFilter":{"oldestDate":0}})"),
      "UnknownResourceFault");
}

TEST_F(SwfServiceTest, DecisionTaskPagesComeFromTheSameTaskWithoutPollingAgain) {
  RegisterBasics();
  std::string run = Start("w");
  for (int i = 0; i < 3; ++i) {
    Ok("SignalWorkflowExecution",
       R"({"domain":"d","workflowId":"w","signalName":"s)" + std::to_string(i) + "\"}");
  }
  const std::string poll =
      R"({"domain":"d","taskList":{"name":"deciders"},"identity":"me","maximumPageSize":2)";
  json::object page = Ok("PollForDecisionTask", poll + "}");
  ASSERT_TRUE(page.contains("taskToken"));
  const json::value token = page["taskToken"];
  int64_t started = page["startedEventId"].as_int64();
  EXPECT_FALSE(page.contains("previousStartedEventId")) << "omitted for the first task";
  EXPECT_EQ(page["workflowExecution"].at("runId").as_string(), run);
  std::vector<int64_t> ids;
  for (int pages = 1;; ++pages) {
    ASSERT_LE(page["events"].as_array().size(), 2u);
    for (const auto& e : page["events"].as_array()) ids.push_back(e.at("eventId").as_int64());
    EXPECT_EQ(page["taskToken"], token) << "every page belongs to the same task";
    EXPECT_EQ(page["startedEventId"], started);
    EXPECT_EQ(ToJson(page["workflowType"]), R"({"name":"wf","version":"1"})");
    const json::string* next = FindString(page, "nextPageToken");
    if (next == nullptr) break;
    if (pages == 1) {  // a token is good only in the domain of its task
      Ok("RegisterDomain", R"({"name":"e","workflowExecutionRetentionPeriodInDays":"1"})");
      EXPECT_EQ(Fails("PollForDecisionTask",
                      R"({"domain":"e","taskList":{"name":"deciders"},"nextPageToken":")" +
                          std::string(*next) + "\"}"),
                "UnknownResourceFault");
    }
    ASSERT_LT(pages, 20);
    page = Ok("PollForDecisionTask", poll + R"(,"nextPageToken":")" + std::string(*next) + "\"}");
  }
  std::vector<int64_t> expected;
  for (int64_t id = 1; id <= started; ++id) expected.push_back(id);
  EXPECT_EQ(ids, expected);

  // No other task is pending: a plain poll answers empty, without taskToken.
  json::object empty = Ok("PollForDecisionTask", poll + "}");
  EXPECT_EQ(ToJson(empty), R"({"startedEventId":0,"previousStartedEventId":0})");
  EXPECT_EQ(ToJson(Ok("PollForActivityTask", R"({"domain":"d","taskList":{"name":"x"}})")),
            R"({"startedEventId":0})");
  EXPECT_EQ(Fails("PollForDecisionTask", poll + R"(,"nextPageToken":"garbage"})"),
            "ValidationException");
}

TEST_F(SwfServiceTest, HistoryPagesBackwardsAndRefusesAnotherRunsToken) {
  RegisterBasics();
  std::string run = Start("w");
  std::string other = Start("v");
  for (int i = 0; i < 4; ++i) {
    Ok("SignalWorkflowExecution", R"({"domain":"d","workflowId":"w","signalName":"s"})");
  }
  const std::string ex = R"({"domain":"d","execution":{"workflowId":"w","runId":")" + run + "\"}";
  std::vector<int64_t> ids;
  std::string token;
  for (int i = 0; i < 20; ++i) {
    std::string body = ex + R"(,"maximumPageSize":3,"reverseOrder":true)";
    if (!token.empty()) body += R"(,"nextPageToken":")" + token + "\"";
    json::object page = Ok("GetWorkflowExecutionHistory", body + "}");
    for (const auto& e : page["events"].as_array()) ids.push_back(e.at("eventId").as_int64());
    const json::string* next = FindString(page, "nextPageToken");
    if (next == nullptr) break;
    token = std::string(*next);
  }
  ASSERT_GE(ids.size(), 6u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], int64_t(ids.size() - i));
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Fails("GetWorkflowExecutionHistory",
                  R"({"domain":"d","execution":{"workflowId":"v","runId":")" + other +
                      R"("},"nextPageToken":")" + token + "\"}"),
            "ValidationException");
}

}  // namespace
}  // namespace weft::swf
