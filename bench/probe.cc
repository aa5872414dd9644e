// The dispatch-latency probe (see RunProbe in load.h). Its worker's poll
// and its decider's requests go on two connections of one executor, so the
// probe needs no locks.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/json.h"
#include "load.h"
#include "swf_client.h"

namespace weft::bench {
namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

double Millis(BenchClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The worker's outstanding poll; the probe coroutine waits on `wake`.
struct PendingPoll {
  explicit PendingPoll(net::any_io_executor ex) : wake(ex) {}
  net::steady_timer wake;
  bool done = false;
  BenchClock::time_point answered;
  SwfReply reply;
};

net::awaitable<void> Poll(SwfClient& worker, std::string body,
                          std::shared_ptr<PendingPoll> pending) {
  SwfReply reply = co_await worker.Call("PollForActivityTask", body);
  pending->answered = BenchClock::now();
  pending->reply = std::move(reply);
  pending->done = true;
  pending->wake.cancel();
}

struct ProbeRun {
  const ProbeOptions& options;
  ProbeResult& result;
  SwfClient decider;
  SwfClient worker;

  std::string Quoted(std::string_view s) {
    std::string out;
    AppendJsonString(out, s);
    return out;
  }
  std::string decision_list() { return "probe-decisions-" + options.tag; }
  std::string activity_list() { return "probe-activities-" + options.tag; }

  bool Failed(const SwfReply& reply, std::string_view what) {
    if (reply.ok()) return false;
    ++result.errors;
    if (result.first_error.empty()) {
      result.first_error = std::string(what) + ": " + reply.fault + " " + reply.message;
    }
    return true;
  }

  // Polls the probe's decision list until a task comes; its token, or "".
  net::awaitable<std::string> NextDecisionTask() {
    std::string body = PollBody(options.domain, decision_list(), "probe-decider");
    for (int attempt = 0; attempt < 3; ++attempt) {
      SwfReply task = co_await decider.Call("PollForDecisionTask", body);
      if (Failed(task, "PollForDecisionTask")) co_return std::string();
      const json::string* token = FindString(task.body, "taskToken");
      if (token && !token->empty()) co_return std::string(*token);
    }
    co_return std::string();
  }

  net::awaitable<bool> Iteration(int i) {
    std::string start = R"({"domain":)" + Quoted(options.domain) + R"(,"workflowId":)" +
                        Quoted("probe-" + options.tag + "-" + std::to_string(i)) +
                        R"(,"workflowType":{"name":"bench-wf","version":"1"},"taskList":{"name":)" +
                        Quoted(decision_list()) + "}}";
    SwfReply started = co_await decider.Call("StartWorkflowExecution", start);
    if (Failed(started, "StartWorkflowExecution")) co_return false;
    std::string token = co_await NextDecisionTask();
    if (token.empty()) co_return false;

    auto executor = co_await net::this_coro::executor;
    auto pending = std::make_shared<PendingPoll>(executor);
    std::string poll = PollBody(options.domain, activity_list(), "probe-worker");
    net::co_spawn(executor, Poll(worker, poll, pending), net::detached);
    net::steady_timer settle(executor, options.settle);
    co_await settle.async_wait(kUseTuple);

    std::string respond = R"({"taskToken":)" + Quoted(token) +
                          R"(,"decisions":[{"decisionType":"ScheduleActivityTask",)"
                          R"("scheduleActivityTaskDecisionAttributes":{"activityType":)"
                          R"({"name":"bench-act","version":"1"},"activityId":"probe","taskList":)"
                          R"({"name":)" +
                          Quoted(activity_list()) + "}}}]}";
    auto sent = BenchClock::now();
    SwfReply responded = co_await decider.Call("RespondDecisionTaskCompleted", respond);
    auto replied = BenchClock::now();
    // Nothing was scheduled: end the poll rather than wait out its timeout.
    if (!responded.ok()) worker.Close();
    if (!pending->done) {
      pending->wake.expires_at(BenchClock::time_point::max());
      co_await pending->wake.async_wait(kUseTuple);
    }
    if (Failed(responded, "RespondDecisionTaskCompleted")) co_return false;
    if (Failed(pending->reply, "PollForActivityTask")) co_return false;
    const json::string* activity_token = FindString(pending->reply.body, "taskToken");
    if (!activity_token) {
      SwfReply empty;
      empty.fault = "EmptyPoll";
      Failed(empty, "PollForActivityTask");
      co_return false;
    }
    result.dispatch_ms.push_back(std::max(0.0, Millis(pending->answered - replied)));
    result.end_to_end_ms.push_back(Millis(pending->answered - sent));
    result.respond_rtt_ms.push_back(Millis(replied - sent));

    std::string complete = R"({"taskToken":)" + Quoted(*activity_token) + R"(,"result":"ok"})";
    SwfReply completed = co_await worker.Call("RespondActivityTaskCompleted", complete);
    if (Failed(completed, "RespondActivityTaskCompleted")) co_return false;
    token = co_await NextDecisionTask();
    if (token.empty()) co_return false;
    std::string close = R"({"taskToken":)" + Quoted(token) +
                        R"(,"decisions":[{"decisionType":"CompleteWorkflowExecution"}]})";
    SwfReply closed = co_await decider.Call("RespondDecisionTaskCompleted", close);
    co_return !Failed(closed, "RespondDecisionTaskCompleted(close)");
  }
};

}  // namespace

net::awaitable<void> RunProbe(ProbeOptions options, ProbeResult& result) {
  auto executor = co_await net::this_coro::executor;
  ProbeRun run{options, result, SwfClient(executor, options.server),
               SwfClient(executor, options.server)};
  for (int i = 0; i < options.iterations; ++i) {
    if (options.stop && options.stop->load()) break;
    bool ok = co_await run.Iteration(i);
    if (!ok && result.errors > 20) break;  // the server is not answering as it should
  }
}

}  // namespace weft::bench
