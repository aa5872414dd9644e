// bench/open_executions.cc: fills a running weft server with executions
// that stay open, as a service's users leave them: SWF workflows waiting
// for a decider or for an activity worker, Step Functions executions waiting
// in a Wait state or in an activity Task. bench/open/run.sh measures the
// server holding them (memory, disk, restart) afterwards.
//
//   weft_open_bench --port P --swf 500000 --sfn 500000 [--connections 32]
//
// Half of the SWF workflows get one decision (this program is their
// decider) that schedules an activity no worker takes; the other half wait
// for their first decision. Half of the Step Functions executions wait in a
// day-long Wait state, the other half in a Task of an activity no worker
// polls. Prints one JSON line: what was started and how fast.
#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <string>

#include "common/json.h"
#include "swf_client.h"

namespace weft::bench {
namespace {

struct Options {
  int port = 0;
  int64_t swf = 0, sfn = 0;
  int connections = 32;
  std::string tag = "open";
};

struct Shared {
  Options o;
  std::atomic<int64_t> next_swf{0}, next_sfn{0}, errors{0};
  std::string first_error;
  std::string wait_machine, task_machine;
};

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

SwfClient Client(net::any_io_executor ex, const Options& o, bool sfn) {
  net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"),
                                static_cast<unsigned short>(o.port));
  return SwfClient(std::move(ex), server, sfn ? "AWSStepFunctions." : "SimpleWorkflowService.");
}

bool Ok(Shared& s, const SwfReply& r, std::string_view what) {
  if (r.ok()) return true;
  if (s.errors.fetch_add(1) == 0) {
    s.first_error = std::string(what) + ": " + r.fault + " " + r.message;
  }
  return false;
}

// Registration errors are ignored: a second run finds them registered.
net::awaitable<int> Setup(Shared& s) {
  const Options& o = s.o;
  SwfClient swf = Client(co_await net::this_coro::executor, o, false);
  const std::string domain = "open-" + o.tag;
  (void)co_await swf.Call(
      "RegisterDomain",
      R"({"name":)" + Quoted(domain) + R"(,"workflowExecutionRetentionPeriodInDays":"1"})");
  (void)co_await swf.Call(
      "RegisterWorkflowType",
      R"({"domain":)" + Quoted(domain) +
          R"(,"name":"wf","version":"1","defaultTaskList":{"name":"deciders"},)"
          R"("defaultTaskStartToCloseTimeout":"NONE","defaultExecutionStartToCloseTimeout":"2592000",)"
          R"("defaultChildPolicy":"TERMINATE"})");
  (void)co_await swf.Call(
      "RegisterActivityType",
      R"({"domain":)" + Quoted(domain) +
          R"(,"name":"act","version":"1","defaultTaskList":{"name":"workers"},)"
          R"("defaultTaskScheduleToStartTimeout":"NONE","defaultTaskScheduleToCloseTimeout":"NONE",)"
          R"("defaultTaskStartToCloseTimeout":"NONE","defaultTaskHeartbeatTimeout":"NONE"})");

  SwfClient sfn = Client(co_await net::this_coro::executor, o, true);
  SwfReply act = co_await sfn.Call("CreateActivity", R"({"name":"open-)" + o.tag + R"("})");
  const json::value* act_arn_value = act.ok() ? act.body.if_contains("activityArn") : nullptr;
  const json::string* act_arn = act_arn_value ? act_arn_value->if_string() : nullptr;
  std::string wait_def =
      R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"End":true}}})";
  std::string task_def = R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":)" +
                         Quoted(act_arn ? std::string(*act_arn) : "") + R"(,"End":true}}})";
  for (auto [def, out] : {std::pair{&wait_def, &s.wait_machine}, {&task_def, &s.task_machine}}) {
    std::string name = std::string(out == &s.wait_machine ? "open-wait-" : "open-task-") + o.tag;
    SwfReply r = co_await sfn.Call(
        "CreateStateMachine", R"({"name":)" + Quoted(name) + R"(,"definition":)" + Quoted(*def) +
                                  R"(,"roleArn":"arn:aws:iam::123456789012:role/bench"})");
    if (Ok(s, r, "CreateStateMachine")) {
      *out = std::string(r.body.at("stateMachineArn").as_string());
    }
  }
  co_return 0;
}

// One SWF workflow; odd ones are decided once: an activity is scheduled.
net::awaitable<void> OpenWorkflow(Shared& s, SwfClient& c, int64_t i) {
  const std::string domain = "open-" + s.o.tag;
  std::string id = "wf-" + std::to_string(i);
  SwfReply r = co_await c.Call("StartWorkflowExecution",
                               R"({"domain":)" + Quoted(domain) + R"(,"workflowId":)" + Quoted(id) +
                                   R"(,"workflowType":{"name":"wf","version":"1"},"input":"x"})");
  if (!Ok(s, r, "StartWorkflowExecution") || i % 2 == 0) co_return;
  // Decide it: this connection's own poll takes some workflow's task.
  SwfReply task = co_await c.Call("PollForDecisionTask", PollBody(domain, "deciders", "open"));
  if (!Ok(s, task, "PollForDecisionTask")) co_return;
  const json::value* token = task.body.if_contains("taskToken");
  if (!token || !token->is_string()) co_return;
  std::string decision =
      R"({"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{)"
      R"("activityType":{"name":"act","version":"1"},"activityId":"a1","input":"work"}})";
  SwfReply done = co_await c.Call(
      "RespondDecisionTaskCompleted",
      R"({"taskToken":)" + Quoted(token->as_string()) + R"(,"decisions":[)" + decision + "]}");
  (void)Ok(s, done, "RespondDecisionTaskCompleted");
}

net::awaitable<void> OpenMachine(Shared& s, SwfClient& c, int64_t i) {
  const std::string& machine = i % 2 == 0 ? s.wait_machine : s.task_machine;
  SwfReply r = co_await c.Call("StartExecution", R"({"stateMachineArn":)" + Quoted(machine) +
                                                     R"(,"name":"e-)" + s.o.tag + "-" +
                                                     std::to_string(i) + R"(","input":"{}"})");
  (void)Ok(s, r, "StartExecution");
}

net::awaitable<void> Worker(Shared& s) {
  SwfClient swf = Client(co_await net::this_coro::executor, s.o, false);
  for (int64_t i = s.next_swf.fetch_add(1); i < s.o.swf; i = s.next_swf.fetch_add(1)) {
    co_await OpenWorkflow(s, swf, i);
  }
  SwfClient sfn = Client(co_await net::this_coro::executor, s.o, true);
  for (int64_t i = s.next_sfn.fetch_add(1); i < s.o.sfn; i = s.next_sfn.fetch_add(1)) {
    co_await OpenMachine(s, sfn, i);
  }
}

int Main(int argc, char** argv) {
  CLI::App app{"weft_open_bench: fills a weft server with executions that stay open"};
  Shared s;
  app.add_option("--port", s.o.port, "the server's port on 127.0.0.1")->required();
  app.add_option("--swf", s.o.swf, "SWF workflows to start");
  app.add_option("--sfn", s.o.sfn, "Step Functions executions to start");
  app.add_option("--connections", s.o.connections, "concurrent connections");
  app.add_option("--tag", s.o.tag, "names the domain, state machines and executions");
  CLI11_PARSE(app, argc, argv);

  net::io_context io(1);
  auto begin = std::chrono::steady_clock::now();
  RunOn(io, Setup(s));
  for (int i = 0; i < s.o.connections; ++i) net::co_spawn(io, Worker(s), net::detached);
  io.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << R"({"swf":)" << s.o.swf << R"(,"sfn":)" << s.o.sfn << R"(,"seconds":)" << seconds
            << R"(,"per_second":)" << static_cast<int64_t>((s.o.swf + s.o.sfn) / seconds)
            << R"(,"errors":)" << s.errors.load() << R"(,"first_error":)" << Quoted(s.first_error)
            << "}\n";
  return s.errors.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace weft::bench

int main(int argc, char** argv) { return weft::bench::Main(argc, argv); }
