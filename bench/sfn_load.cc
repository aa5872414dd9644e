// weft_sfn_bench: Step Functions executions started as fast as a server
// takes them, over HTTP (AWS JSON 1.0, keep-alive, C++ coroutines), against
// weft or moto's server. Two workloads:
//
//   pass: a Standard state machine of N Pass states (default 10; the states
//         of bench/asl/chain10.json), no workers;
//   task: a Standard state machine of N Task states (default 5) on one
//         activity, served by W worker connections looping
//         GetActivityTask -> SendTaskSuccess.
//
// A transition is one state run: entered and exited (a StateEntered /
// StateExited pair in the history), so a pass execution makes N of them.
// Prints a Markdown block and one "RESULT key=value ..." line that
// bench/sfn/run.sh collects. See docs/benchmarks.md ("Step Functions").
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "common/json.h"
#include "report.h"
#include "swf_client.h"

namespace weft::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

struct Options {
  net::ip::tcp::endpoint server;
  std::string authorization;  // --moto: a fake SigV4 header naming the states service
  std::string workload = "pass";
  std::string tag;
  int executions = 5000;
  int states = 0;  // 0: 10 for pass, 5 for task
  int starters = 64;
  int workers = 64;
  int samplers = 4;
  int threads = 1;
  int server_pid = 0;
  double timeout_seconds = 300;
};

SwfClient NewClient(net::any_io_executor ex, const Options& o) {
  return SwfClient(std::move(ex), o.server, "AWSStepFunctions.", o.authorization);
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string StepName(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "Step%02d", i);
  return name;
}

// The definition: a chain of `states` Pass states (each as in
// bench/asl/chain10.json) or Task states on the activity.
std::string Definition(const Options& o, const std::string& activity_arn) {
  std::string d = R"({"Comment":"weft_sfn_bench )" + o.workload + R"(","StartAt":"Step01","States":{)";
  for (int i = 1; i <= o.states; ++i) {
    if (i > 1) d += ",";
    d += Quoted(StepName(i)) + ":{";
    if (o.workload == "pass") {
      d += R"("Type":"Pass","Parameters":{"step":)" + std::to_string(i) +
           R"(,"value.$":"$.value","label.$":"$.name"},"ResultPath":"$.last",)";
    } else {
      d += R"("Type":"Task","Resource":)" + Quoted(activity_arn) + R"(,"ResultPath":"$.last",)";
    }
    d += i == o.states ? R"("End":true})" : R"("Next":)" + Quoted(StepName(i + 1)) + "}";
  }
  return d + "}}";
}

constexpr std::string_view kInput = R"({"value":42,"name":"bench","tags":["a","b","c"]})";

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

net::awaitable<void> Sleep(std::chrono::microseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(kUseTuple);
}

struct Stats {
  std::atomic<int64_t> next{0};  // the next execution index to start
  std::atomic<int64_t> started{0};
  std::atomic<int64_t> start_failed{0};
  std::atomic<int64_t> tasks{0};  // SendTaskSuccess answered 200
  std::atomic<int64_t> empty_polls{0};
  std::atomic<int64_t> requests{0};
  std::atomic<bool> done{false};
  Clock::time_point begin;
  std::atomic<int64_t> all_started_ns{0};
  std::atomic<int64_t> end_ns{0};

  std::mutex mu;
  std::map<std::string, int64_t> errors;
  std::string first_error;
  std::vector<double> start_rtt_ms, task_rtt_ms, sampled_ms;

  int64_t Since(Clock::time_point t) const { return (t - begin) / std::chrono::nanoseconds(1); }
  bool Ok(const SwfReply& reply, const std::string& operation) {
    requests.fetch_add(1, std::memory_order_relaxed);
    if (reply.ok()) return true;
    std::lock_guard lock(mu);
    ++errors[operation + ": " + reply.fault];
    if (first_error.empty()) first_error = operation + ": " + reply.fault + " " + reply.message;
    return false;
  }
  void Record(std::vector<double>& into, double ms) {
    std::lock_guard lock(mu);
    into.push_back(ms);
  }
};

struct Setup {
  std::string machine_arn;
  std::string activity_arn;
  std::string error;
};

net::awaitable<Setup> CreateResources(Options o) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  Setup s;
  if (o.workload == "task") {
    SwfReply r = co_await client.Call("CreateActivity", R"({"name":"bench-act-)" + o.tag + R"("})");
    const json::string* arn = r.ok() ? FindString(r.body, "activityArn") : nullptr;
    if (!arn) {
      s.error = "CreateActivity: " + r.fault + " " + r.message;
      co_return s;
    }
    s.activity_arn = std::string(*arn);
  }
  std::string body = R"({"name":"bench-)" + o.workload + "-" + o.tag + R"(","definition":)" +
                     Quoted(Definition(o, s.activity_arn)) +
                     R"(,"roleArn":"arn:aws:iam::123456789012:role/bench","type":"STANDARD"})";
  SwfReply r = co_await client.Call("CreateStateMachine", body);
  const json::string* arn = r.ok() ? FindString(r.body, "stateMachineArn") : nullptr;
  if (!arn) {
    s.error = "CreateStateMachine: " + r.fault + " " + r.message;
    co_return s;
  }
  s.machine_arn = std::string(*arn);
  co_return s;
}

std::string StartBody(const std::string& machine_arn, int64_t i) {
  return R"({"stateMachineArn":)" + Quoted(machine_arn) + R"(,"name":"e)" + std::to_string(i) +
         R"(","input":)" + Quoted(kInput) + "}";
}

// Claims the next execution index, or -1 when all are claimed.
int64_t Claim(const Options& o, Stats& stats) {
  int64_t i = stats.next.fetch_add(1);
  return i < o.executions ? i : -1;
}

void CountStarted(const Options& o, Stats& stats) {
  if (stats.started.fetch_add(1) + 1 + stats.start_failed.load() == o.executions) {
    stats.all_started_ns = stats.Since(Clock::now());
  }
}

net::awaitable<void> RunStarter(const Options& o, const Setup& setup, Stats& stats) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  for (int64_t i = Claim(o, stats); i >= 0 && !stats.done; i = Claim(o, stats)) {
    auto sent = Clock::now();
    SwfReply r = co_await client.Call("StartExecution", StartBody(setup.machine_arn, i));
    if (stats.Ok(r, "StartExecution")) {
      stats.Record(stats.start_rtt_ms, Millis(Clock::now() - sent));
      CountStarted(o, stats);
    } else {
      stats.start_failed.fetch_add(1);
    }
  }
}

// Starts executions one at a time and polls DescribeExecution (every 5 ms)
// until each ends: start-to-finish latency as a client sees it.
net::awaitable<void> RunSampler(const Options& o, const Setup& setup, Stats& stats) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  for (int64_t i = Claim(o, stats); i >= 0 && !stats.done; i = Claim(o, stats)) {
    auto sent = Clock::now();
    SwfReply r = co_await client.Call("StartExecution", StartBody(setup.machine_arn, i));
    if (!stats.Ok(r, "StartExecution")) {
      stats.start_failed.fetch_add(1);
      continue;
    }
    stats.Record(stats.start_rtt_ms, Millis(Clock::now() - sent));
    CountStarted(o, stats);
    const json::string* arn = FindString(r.body, "executionArn");
    std::string describe = R"({"executionArn":)" + Quoted(arn ? std::string_view(*arn) : "") + "}";
    while (!stats.done) {
      SwfReply d = co_await client.Call("DescribeExecution", describe);
      if (!stats.Ok(d, "DescribeExecution")) break;
      const json::string* status = FindString(d.body, "status");
      if (status && *status != "RUNNING") {
        stats.Record(stats.sampled_ms, Millis(Clock::now() - sent));
        break;
      }
      co_await Sleep(std::chrono::milliseconds(5));
    }
  }
}

net::awaitable<void> RunWorker(const Options& o, const Setup& setup, Stats& stats, int index) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  const std::string poll = R"({"activityArn":)" + Quoted(setup.activity_arn) +
                           R"(,"workerName":"w)" + std::to_string(index) + R"("})";
  while (!stats.done) {
    SwfReply task = co_await client.Call("GetActivityTask", poll);
    if (!stats.Ok(task, "GetActivityTask")) {
      co_await Sleep(std::chrono::milliseconds(10));
      continue;
    }
    const json::string* token = FindString(task.body, "taskToken");
    if (!token || token->empty()) {
      stats.empty_polls.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    auto sent = Clock::now();
    const json::string* input = FindString(task.body, "input");
    SwfReply r = co_await client.Call(
        "SendTaskSuccess", R"({"taskToken":)" + Quoted(*token) + R"(,"output":)" +
                               Quoted(input ? std::string_view(*input) : "{}") + "}");
    if (stats.Ok(r, "SendTaskSuccess")) {
      stats.Record(stats.task_rtt_ms, Millis(Clock::now() - sent));
      stats.tasks.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

// Waits until every execution was started (and, for the task workload, every
// task answered), then polls ListExecutions for RUNNING ones until none is
// left: that moment is the end of the run.
net::awaitable<void> RunWatcher(const Options& o, const Setup& setup, Stats& stats) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  const int64_t tasks = o.workload == "task" ? int64_t{o.executions} * o.states : 0;
  while (!stats.done && (stats.started + stats.start_failed < o.executions ||
                         stats.tasks < tasks - o.states * stats.start_failed)) {
    co_await Sleep(std::chrono::milliseconds(1));
  }
  const std::string body = R"({"stateMachineArn":)" + Quoted(setup.machine_arn) +
                           R"(,"statusFilter":"RUNNING","maxResults":1})";
  while (!stats.done) {
    SwfReply r = co_await client.Call("ListExecutions", body);
    if (stats.Ok(r, "ListExecutions")) {
      const json::array* running = FindArray(r.body, "executions");
      if (!running || running->empty()) break;
    }
    co_await Sleep(std::chrono::milliseconds(20));
  }
  if (!stats.done) {
    stats.end_ns = stats.Since(Clock::now());
    stats.done = true;
  }
}

// A timestamp of the AWS JSON protocol: epoch seconds (a number), or an ISO
// 8601 text (moto writes some as text). NaN when neither.
double EpochSeconds(const json::value* v) {
  if (!v) return NAN;
  if (v->is_number()) return v->to_number<double>();
  if (!v->is_string()) return NAN;
  std::string s(v->as_string());
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) rest = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!rest) return NAN;
  double seconds = static_cast<double>(timegm(&tm));
  if (*rest == '.') seconds += std::strtod(rest, nullptr);
  return seconds;  // the offset is +00:00 or Z in both servers
}

struct Closed {
  std::map<std::string, int64_t> statuses;
  std::vector<double> start_to_stop_ms;  // stopDate - startDate
  std::string error;
};

// Reads every execution of the machine (ListExecutions pages).
net::awaitable<Closed> ListAll(Options o, std::string machine_arn) {
  SwfClient client = NewClient(co_await net::this_coro::executor, o);
  Closed out;
  std::string token;
  do {
    std::string body = R"({"stateMachineArn":)" + Quoted(machine_arn) + R"(,"maxResults":1000)";
    if (!token.empty()) body += R"(,"nextToken":)" + Quoted(token);
    SwfReply r = co_await client.Call("ListExecutions", body + "}");
    if (!r.ok()) {
      out.error = "ListExecutions: " + r.fault + " " + r.message;
      break;
    }
    if (const json::array* executions = FindArray(r.body, "executions")) {
      for (const json::value& e : *executions) {
        if (!e.is_object()) continue;
        const json::string* status = FindString(e.as_object(), "status");
        ++out.statuses[status ? std::string(*status) : "?"];
        double start = EpochSeconds(Find(e.as_object(), "startDate"));
        double stop = EpochSeconds(Find(e.as_object(), "stopDate"));
        if (!std::isnan(start) && !std::isnan(stop)) {
          out.start_to_stop_ms.push_back((stop - start) * 1000);
        }
      }
    }
    const json::string* next = FindString(r.body, "nextToken");
    token = next ? std::string(*next) : std::string();
  } while (!token.empty());
  co_return out;
}

struct Cpu {
  double server = 0, self = 0;
  MachineCpu machine;
};
Cpu TakeCpu(const Options& o) {
  return {o.server_pid > 0 ? ProcessCpuSeconds(o.server_pid) : 0, SelfCpuSeconds(),
          ReadMachineCpu()};
}

// Runs the load until every execution ended (or the timeout).
bool RunLoad(const Options& o, const Setup& setup, Stats& stats, Cpu& before, Cpu& after) {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (int i = 0; i < o.threads; ++i) {
    contexts.push_back(std::make_unique<net::io_context>(1));
    guards.push_back(net::make_work_guard(*contexts.back()));
  }
  size_t next = 0;
  auto on = [&]() -> net::io_context& { return *contexts[next++ % contexts.size()]; };
  before = TakeCpu(o);
  stats.begin = Clock::now();
  if (o.workload == "task") {
    for (int i = 0; i < o.workers; ++i) net::co_spawn(on(), RunWorker(o, setup, stats, i), net::detached);
  }
  for (int i = 0; i < o.samplers; ++i) net::co_spawn(on(), RunSampler(o, setup, stats), net::detached);
  for (int i = 0; i < o.starters; ++i) net::co_spawn(on(), RunStarter(o, setup, stats), net::detached);
  net::co_spawn(on(), RunWatcher(o, setup, stats), net::detached);
  std::vector<std::thread> threads;
  for (auto& c : contexts) threads.emplace_back([&io = *c] { io.run(); });

  bool timed_out = false;
  auto deadline = Clock::now() + std::chrono::duration<double>(o.timeout_seconds);
  auto next_progress = Clock::now() + std::chrono::seconds(5);
  while (!stats.done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (Clock::now() > next_progress) {
      std::fprintf(stderr, "  %.1fs: started %ld, tasks %ld\n", stats.Since(Clock::now()) / 1e9,
                   stats.started.load(), stats.tasks.load());
      next_progress += std::chrono::seconds(5);
    }
    if (Clock::now() > deadline) {
      timed_out = true;
      stats.end_ns = stats.Since(Clock::now());
      stats.done = true;
    }
  }
  after = TakeCpu(o);
  for (auto& c : contexts) c->stop();
  for (auto& t : threads) t.join();
  return !timed_out;
}

void Report(const Options& o, const Stats& stats_in, const Closed& closed, const Cpu& before,
            const Cpu& after, bool finished, const std::string& label) {
  Stats& stats = const_cast<Stats&>(stats_in);
  double seconds = stats.end_ns / 1e9;
  double started_s = stats.all_started_ns > 0 ? stats.all_started_ns / 1e9 : seconds;
  int64_t succeeded = closed.statuses.count("SUCCEEDED") ? closed.statuses.at("SUCCEEDED") : 0;
  int64_t transitions = succeeded * o.states;
  double server_cpu = after.server - before.server;
  double self_cpu = after.self - before.self;
  double busy = after.machine.busy - before.machine.busy;
  double cores = (after.machine.total - before.machine.total) / std::max(seconds, 1e-9);
  std::vector<double> latency = closed.start_to_stop_ms;

  std::printf("\n### %s: %d executions x %d %s states, %d starters + %d samplers%s, %d thread(s)\n\n",
              label.c_str(), o.executions, o.states, o.workload == "pass" ? "Pass" : "Task",
              o.starters, o.samplers,
              o.workload == "task" ? (", " + std::to_string(o.workers) + " workers").c_str() : "",
              o.threads);
  std::printf("| measure | value |\n|---|---|\n");
  if (!finished) std::printf("| TIMED OUT | after %.0f s |\n", o.timeout_seconds);
  std::printf("| executions started | **%.0f/s** (%ld in %.2f s) |\n", stats.started / started_s,
              stats.started.load(), started_s);
  std::printf("| executions succeeded | %.0f/s (%ld in %.2f s, first start to last end) |\n",
              succeeded / seconds, succeeded, seconds);
  std::printf("| state transitions (%d per execution) | **%.0f/s** |\n", o.states,
              transitions / seconds);
  if (o.workload == "task") {
    std::printf("| activity tasks (SendTaskSuccess) | %.0f/s (%ld) |\n", stats.tasks / seconds,
                stats.tasks.load());
  }
  std::string other;
  for (const auto& [status, n] : closed.statuses) {
    if (status != "SUCCEEDED") other += status + " " + std::to_string(n) + " ";
  }
  std::printf("| executions not succeeded | %s|\n", other.empty() ? "none " : other.c_str());
  std::printf("| start to finish (stopDate - startDate, all) | %s |\n", Summary(latency).c_str());
  std::printf("| start to finish seen by a client (DescribeExecution) | %s |\n",
              Summary(stats.sampled_ms).c_str());
  std::printf("| StartExecution round trip | %s |\n", Summary(stats.start_rtt_ms).c_str());
  if (o.workload == "task") {
    std::printf("| SendTaskSuccess round trip | %s |\n", Summary(stats.task_rtt_ms).c_str());
  }
  double us_per_transition = transitions > 0 ? server_cpu * 1e6 / transitions : 0;
  if (o.server_pid > 0) {
    std::printf("| server CPU | %.2f cores; %.1f us per transition, %.0f us per execution |\n",
                server_cpu / seconds, us_per_transition,
                succeeded > 0 ? server_cpu * 1e6 / succeeded : 0.0);
    std::printf("| server peak memory (VmHWM) | %s |\n",
                ProcStatusField(o.server_pid, "VmHWM").c_str());
  }
  std::printf("| load generator CPU | %.2f cores |\n", self_cpu / seconds);
  std::printf("| whole machine busy | %.2f of %.0f cores (other processes: %.2f) |\n",
              busy / seconds, cores, (busy - self_cpu - server_cpu) / seconds);
  std::printf("| HTTP requests | %ld (%.0f/s) |\n", stats.requests.load(), stats.requests / seconds);
  for (const auto& [what, n] : stats.errors) std::printf("| errors: %s | %ld |\n", what.c_str(), n);
  if (!stats.first_error.empty()) std::printf("\nfirst error: %s\n", stats.first_error.c_str());
  if (!closed.error.empty()) std::printf("\nlisting failed: %s\n", closed.error.c_str());
  std::vector<double> lat = latency;
  auto q = [](std::vector<double>& v, double p) { return v.empty() ? -1.0 : Quantile(v, p); };
  std::printf(
      "RESULT label=%s workload=%s executions=%d succeeded=%ld seconds=%.3f started_per_s=%.1f "
      "executions_per_s=%.1f transitions_per_s=%.1f p50_ms=%.2f p99_ms=%.2f "
      "client_p50_ms=%.2f client_p99_ms=%.2f server_cores=%.2f server_us_per_transition=%.2f "
      "errors=%zu\n",
      label.c_str(), o.workload.c_str(), o.executions, succeeded, seconds,
      stats.started / started_s, succeeded / seconds, transitions / seconds, q(lat, 0.5),
      q(lat, 0.99), q(stats.sampled_ms, 0.5), q(stats.sampled_ms, 0.99),
      server_cpu / seconds, us_per_transition, stats.errors.size());
}

int Main(int argc, char** argv) {
  CLI::App app{"weft_sfn_bench: Step Functions executions against a server over HTTP"};
  Options o;
  std::string server = "127.0.0.1:7070";
  std::string label;
  bool moto = false;
  app.add_option("--server", server, "IP:PORT of the server")->capture_default_str();
  app.add_option("--workload", o.workload, "pass (N Pass states) or task (N activity Tasks)")
      ->check(CLI::IsMember({"pass", "task"}))
      ->capture_default_str();
  app.add_option("--executions", o.executions, "Executions to start")->capture_default_str();
  app.add_option("--states", o.states, "States per execution (default: pass 10, task 5)");
  app.add_option("--starters", o.starters, "Coroutines starting executions (one connection each)")
      ->capture_default_str();
  app.add_option("--samplers", o.samplers,
                 "Coroutines that start one execution at a time and poll DescribeExecution "
                 "until it ends (client-side latency)")
      ->capture_default_str();
  app.add_option("--workers", o.workers, "task: activity worker connections")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Generator threads (one io_context each)")
      ->capture_default_str();
  app.add_option("--server-pid", o.server_pid, "Server process, for its CPU and VmHWM");
  app.add_option("--timeout", o.timeout_seconds, "Give up after this many seconds")
      ->capture_default_str();
  app.add_flag("--moto", moto, "Send the Authorization header moto's server routes by");
  app.add_option("--label", label, "Name of the server in the report (default: weft or moto)");
  CLI11_PARSE(app, argc, argv);
  if (o.states <= 0) o.states = o.workload == "pass" ? 10 : 5;
  if (label.empty()) label = moto ? "moto" : "weft";
  if (moto) {
    o.authorization =
        "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/states/aws4_request, "
        "SignedHeaders=host, Signature=0";
  }
  auto colon = server.rfind(':');
  boost::system::error_code ec;
  auto address = net::ip::make_address(server.substr(0, colon), ec);
  if (colon == std::string::npos || ec) {
    std::cerr << "weft_sfn_bench: --server must be IP:PORT\n";
    return 2;
  }
  o.server = {address, static_cast<unsigned short>(std::stoi(server.substr(colon + 1)))};
  o.tag = std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                         std::chrono::milliseconds(1));

  net::io_context io(1);
  Setup setup = RunOn(io, CreateResources(o));
  if (!setup.error.empty()) {
    std::cerr << "weft_sfn_bench: " << setup.error << "\n";
    return 1;
  }
  Stats stats;
  Cpu before, after;
  std::fprintf(stderr, "%s: %d %s executions...\n", label.c_str(), o.executions,
               o.workload.c_str());
  bool finished = RunLoad(o, setup, stats, before, after);
  Closed closed = RunOn(io, ListAll(o, setup.machine_arn));
  Report(o, stats, closed, before, after, finished, label);
  int64_t succeeded = closed.statuses.count("SUCCEEDED") ? closed.statuses.at("SUCCEEDED") : 0;
  return finished && succeeded == o.executions ? 0 : 1;
}

}  // namespace
}  // namespace weft::bench

int main(int argc, char** argv) { return weft::bench::Main(argc, argv); }
