#include "load.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/json.h"
#include "swf_client.h"

namespace weft::bench {
namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view kWorkflowType = R"({"name":"bench-wf","version":"1"})";
constexpr std::string_view kActivityType = R"({"name":"bench-act","version":"1"})";

net::awaitable<void> Sleep(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(kUseTuple);
}

// The number after the last '-' of a workflow id, or -1.
int WorkflowIndex(const json::object& task) {
  const json::object* execution = FindObject(task, "workflowExecution");
  const json::string* id = execution ? FindString(*execution, "workflowId") : nullptr;
  if (!id) return -1;
  std::string_view s(*id);
  auto dash = s.rfind('-');
  if (dash == std::string_view::npos) return -1;
  int n = 0;
  for (char c : s.substr(dash + 1)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// What a decider needs from a history.
struct Tally {
  int scheduled = 0;
  int completed = 0;
  std::string anomaly;  // the first event a healthy run never has
};

void TallyEvents(const json::object& page, Tally& tally) {
  const json::array* events = FindArray(page, "events");
  if (!events) return;
  for (const json::value& e : *events) {
    if (!e.is_object()) continue;
    const json::string* type = FindString(e.as_object(), "eventType");
    if (!type) continue;
    std::string_view t(*type);
    if (t == "ActivityTaskScheduled") {
      ++tally.scheduled;
    } else if (t == "ActivityTaskCompleted") {
      ++tally.completed;
    } else if (tally.anomaly.empty() &&
               (t.ends_with("Failed") || t.ends_with("TimedOut") || t.ends_with("Canceled"))) {
      tally.anomaly = std::string(t);
    }
  }
}

void AppendSchedule(std::string& out, const LoadOptions& options, int activity) {
  out += R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)";
  out += R"("activityType":)";
  out += kActivityType;
  out += R"(,"activityId":"a)" + std::to_string(activity) + R"(","taskList":{"name":)";
  AppendJsonString(out, options.activity_list());
  out += R"(},"input":"payload"}})";
}

struct Decision {
  std::string json;            // the decisions array
  std::vector<int> scheduled;  // activity numbers it schedules
  bool completes = false;
  bool fails = false;
};

Decision Decide(const LoadOptions& options, const Tally& tally) {
  Decision d;
  d.json = "[";
  if (!tally.anomaly.empty()) {
    d.fails = true;
    d.json +=
        R"({"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":{"reason":)";
    AppendJsonString(d.json, "unexpected " + tally.anomaly);
    d.json += "}}";
  } else if (tally.completed >= options.activities) {
    d.completes = true;
    d.json +=
        R"({"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"done"}})";
  } else if (options.parallel ? tally.scheduled == 0 : tally.scheduled == tally.completed) {
    int first = tally.scheduled;
    int last = options.parallel ? options.activities : tally.scheduled + 1;
    for (int k = first; k < last; ++k) {
      if (k > first) d.json += ",";
      AppendSchedule(d.json, options, k);
      d.scheduled.push_back(k);
    }
  }
  d.json += "]";
  return d;
}

// Sends one request and records its round trip under its operation.
net::awaitable<SwfReply> Send(LoadStats& stats, SwfClient& client, std::string_view operation,
                              const std::string& body) {
  auto sent = BenchClock::now();
  SwfReply reply = co_await client.Call(operation, body);
  if (reply.ok()) stats.RecordRoundTrip(operation, BenchClock::now() - sent);
  co_return reply;
}

// Returns false when the reply was not 200 (and records why).
bool Check(LoadStats& stats, const SwfReply& reply, const std::string& operation) {
  stats.requests.fetch_add(1, std::memory_order_relaxed);
  if (reply.ok()) return true;
  if (!stats.done.load()) stats.RecordError(operation, reply.fault, reply.message);
  return false;
}

void CountClosed(const LoadOptions& options, LoadStats& stats, std::atomic<int64_t>& counter) {
  counter.fetch_add(1);
  if (stats.completed.load() + stats.failed.load() == options.workflows) {
    stats.end_ns = stats.Since(BenchClock::now());
    stats.done = true;
  }
}

// Reads the remaining pages of a decision task's history into tally.
net::awaitable<bool> ReadMorePages(const LoadOptions& options, LoadStats& stats, SwfClient& client,
                                   const json::object& first, const std::string& identity,
                                   Tally& tally) {
  const json::string* next = FindString(first, "nextPageToken");
  std::string token = next ? std::string(*next) : std::string();
  while (!token.empty()) {
    std::string body = PollBody(options.domain, options.decision_list(), identity);
    body.pop_back();
    body += ",\"nextPageToken\":";
    AppendJsonString(body, token);
    body += "}";
    SwfReply page = co_await Send(stats, client, "PollForDecisionTask", body);
    if (!Check(stats, page, "PollForDecisionTask(page)")) co_return false;
    stats.history_pages.fetch_add(1, std::memory_order_relaxed);
    TallyEvents(page.body, tally);
    next = FindString(page.body, "nextPageToken");
    token = next ? std::string(*next) : std::string();
  }
  co_return true;
}

}  // namespace

net::awaitable<std::string> Register(const LoadOptions& options) {
  SwfClient client(co_await net::this_coro::executor, options.server);
  std::string domain;
  AppendJsonString(domain, options.domain);
  struct Step {
    std::string_view operation;
    std::string body;
    std::string_view tolerated;
  };
  std::vector<Step> steps = {
      {"RegisterDomain",
       R"({"name":)" + domain + R"(,"workflowExecutionRetentionPeriodInDays":"1"})",
       "DomainAlreadyExistsFault"},
      {"RegisterWorkflowType",
       R"({"domain":)" + domain +
           R"(,"name":"bench-wf","version":"1","defaultExecutionStartToCloseTimeout":"3600",)"
           R"("defaultTaskStartToCloseTimeout":"600","defaultChildPolicy":"TERMINATE"})",
       "TypeAlreadyExistsFault"},
      {"RegisterActivityType",
       R"({"domain":)" + domain +
           R"(,"name":"bench-act","version":"1","defaultTaskScheduleToStartTimeout":"3600",)"
           R"("defaultTaskScheduleToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"600",)"
           R"("defaultTaskHeartbeatTimeout":"NONE"})",
       "TypeAlreadyExistsFault"},
  };
  for (const Step& step : steps) {
    SwfReply reply = co_await client.Call(step.operation, step.body);
    if (!reply.ok() && reply.fault != step.tolerated) {
      co_return std::string(step.operation) + ": " + reply.fault + " " + reply.message;
    }
  }
  co_return std::string();
}

net::awaitable<void> RunStarter(const LoadOptions& options, LoadStats& stats, int index) {
  SwfClient client(co_await net::this_coro::executor, options.server);
  (void)index;
  while (!stats.done.load()) {
    int i = static_cast<int>(stats.next_start.fetch_add(1));
    if (i >= options.workflows) break;
    while (options.open_limit > 0 && !stats.done.load() &&
           stats.started.load() - stats.completed.load() - stats.failed.load() >=
               options.open_limit) {
      co_await Sleep(std::chrono::milliseconds(1));
    }
    std::string body = R"({"domain":)";
    AppendJsonString(body, options.domain);
    body += R"(,"workflowId":)";
    AppendJsonString(body, options.workflow_id(i));
    body += R"(,"workflowType":)";
    body += kWorkflowType;
    body += R"(,"taskList":{"name":)";
    AppendJsonString(body, options.decision_list());
    body += R"(},"input":"bench"})";
    SwfReply reply = co_await Send(stats, client, "StartWorkflowExecution", body);
    if (Check(stats, reply, "StartWorkflowExecution")) {
      if (stats.started.fetch_add(1) + 1 == options.workflows) {
        stats.all_started_ns = stats.Since(BenchClock::now());
      }
    } else {
      CountClosed(options, stats, stats.failed);  // never started: will not close
    }
  }
}

net::awaitable<void> RunDecider(const LoadOptions& options, LoadStats& stats, int index) {
  SwfClient client(co_await net::this_coro::executor, options.server);
  std::string identity = "decider-" + std::to_string(index);
  const std::string poll = PollBody(options.domain, options.decision_list(), identity);
  while (!stats.done.load()) {
    SwfReply task = co_await Send(stats, client, "PollForDecisionTask", poll);
    if (!Check(stats, task, "PollForDecisionTask")) {
      co_await Sleep(std::chrono::milliseconds(10));
      continue;
    }
    const json::string* token = FindString(task.body, "taskToken");
    if (!token || token->empty()) {
      stats.empty_polls.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    Tally tally;
    TallyEvents(task.body, tally);
    bool paged = co_await ReadMorePages(options, stats, client, task.body, identity, tally);
    if (!paged) continue;
    Decision decision = Decide(options, tally);
    std::string body = R"({"taskToken":)";
    AppendJsonString(body, *token);
    body += R"(,"decisions":)" + decision.json + "}";
    SwfReply reply = co_await Send(stats, client, "RespondDecisionTaskCompleted", body);
    if (!Check(stats, reply, "RespondDecisionTaskCompleted")) continue;
    auto now = BenchClock::now();
    stats.decision_tasks.fetch_add(1, std::memory_order_relaxed);
    int workflow = WorkflowIndex(task.body);
    for (int k : decision.scheduled) stats.MarkScheduled(workflow, k, now);
    if (decision.completes) CountClosed(options, stats, stats.completed);
    if (decision.fails) {
      stats.RecordError("decider", "FailedWorkflow", tally.anomaly);
      CountClosed(options, stats, stats.failed);
    }
  }
}

net::awaitable<void> RunWorker(const LoadOptions& options, LoadStats& stats, int index) {
  SwfClient client(co_await net::this_coro::executor, options.server);
  std::string identity = "worker-" + std::to_string(index);
  const std::string poll = PollBody(options.domain, options.activity_list(), identity);
  while (!stats.done.load()) {
    SwfReply task = co_await Send(stats, client, "PollForActivityTask", poll);
    auto polled = BenchClock::now();
    if (!Check(stats, task, "PollForActivityTask")) {
      co_await Sleep(std::chrono::milliseconds(10));
      continue;
    }
    const json::string* token = FindString(task.body, "taskToken");
    if (!token || token->empty()) {
      stats.empty_polls.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    const json::string* activity_id = FindString(task.body, "activityId");
    if (activity_id && activity_id->size() > 1) {
      stats.MarkPolled(WorkflowIndex(task.body), std::atoi(activity_id->c_str() + 1), polled);
    }
    std::string body = R"({"taskToken":)";
    AppendJsonString(body, *token);
    body += R"(,"result":"ok"})";
    SwfReply reply = co_await Send(stats, client, "RespondActivityTaskCompleted", body);
    if (Check(stats, reply, "RespondActivityTaskCompleted")) {
      stats.activity_tasks.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace weft::bench
