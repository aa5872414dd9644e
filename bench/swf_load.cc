// weft_swf_bench: many concurrent SWF workflows of N activities each, run
// against a weft server over HTTP by in-process deciders and workers
// (C++ coroutines on keep-alive connections), then a dispatch-latency probe.
// Prints a Markdown block of results. See docs/benchmarks.md.
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "load.h"
#include "report.h"
#include "swf_client.h"

namespace weft::bench {
namespace {

struct Flags {
  std::string server = "127.0.0.1:7070";
  int threads = 1;
  int probe_iterations = 1000;
  bool probe_under_load = true;
  int settle_us = 2000;
  int server_pid = 0;
  double timeout_seconds = 600;
};

struct CpuSnapshot {
  double server = 0;
  double self = 0;
  MachineCpu machine;
  int64_t server_write_calls = 0;  // /proc/<pid>/io syscw: write(2), pwrite(2)...
  int64_t server_disk_bytes = 0;   // /proc/<pid>/io write_bytes
  std::vector<ThreadTimes> server_threads;
};

CpuSnapshot TakeCpu(int server_pid) {
  CpuSnapshot s{server_pid > 0 ? ProcessCpuSeconds(server_pid) : 0, SelfCpuSeconds(),
                ReadMachineCpu()};
  if (server_pid > 0) {
    s.server_write_calls = ProcIoField(server_pid, "syscw");
    s.server_disk_bytes = ProcIoField(server_pid, "write_bytes");
    s.server_threads = ReadThreadTimes(server_pid);
  }
  return s;
}

struct Measured {
  double seconds = 0;
  CpuSnapshot cpu_before, cpu_after;
  ProbeResult probe_load, probe_idle;
  bool timed_out = false;
};

void SpawnLoad(const LoadOptions& load, LoadStats& stats,
               std::vector<std::unique_ptr<net::io_context>>& contexts) {
  size_t next = 0;
  auto on = [&]() -> net::io_context& { return *contexts[next++ % contexts.size()]; };
  for (int i = 0; i < load.workers; ++i) {
    net::co_spawn(on(), RunWorker(load, stats, i), net::detached);
  }
  for (int i = 0; i < load.deciders; ++i) {
    net::co_spawn(on(), RunDecider(load, stats, i), net::detached);
  }
  for (int i = 0; i < load.starters; ++i) {
    net::co_spawn(on(), RunStarter(load, stats, i), net::detached);
  }
}

void Progress(const LoadStats& stats) {
  std::fprintf(stderr, "  %.1fs: started %ld, completed %ld, activity tasks %ld\n",
               stats.Since(BenchClock::now()) / 1e9, stats.started.load(), stats.completed.load(),
               stats.activity_tasks.load());
}

// Runs the workload (and the probe under load) until every workflow closed.
void RunLoad(const Flags& flags, const LoadOptions& load, LoadStats& stats, Measured& m) {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (int i = 0; i < flags.threads; ++i) contexts.push_back(std::make_unique<net::io_context>(1));
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& c : contexts) guards.push_back(net::make_work_guard(*c));

  m.cpu_before = TakeCpu(flags.server_pid);
  stats.begin = BenchClock::now();
  SpawnLoad(load, stats, contexts);
  if (flags.probe_under_load && flags.probe_iterations > 0) {
    ProbeOptions probe{load.server,
                       load.domain,
                       load.tag + "-load",
                       flags.probe_iterations,
                       std::chrono::microseconds(flags.settle_us),
                       &stats.done};
    net::co_spawn(*contexts[0], RunProbe(probe, m.probe_load), net::detached);
  }
  std::vector<std::thread> threads;
  for (auto& c : contexts) threads.emplace_back([&io = *c] { io.run(); });

  auto deadline = BenchClock::now() + std::chrono::duration<double>(flags.timeout_seconds);
  auto next_progress = BenchClock::now() + std::chrono::seconds(5);
  while (!stats.done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (BenchClock::now() > next_progress) {
      Progress(stats);
      next_progress += std::chrono::seconds(5);
    }
    if (BenchClock::now() > deadline) {
      m.timed_out = true;
      stats.end_ns = stats.Since(BenchClock::now());
      stats.done = true;
    }
  }
  m.cpu_after = TakeCpu(flags.server_pid);
  m.seconds = stats.end_ns.load() / 1e9;
  for (auto& c : contexts) c->stop();
  for (auto& t : threads) t.join();
}

void PrintRate(const char* name, int64_t count, double seconds) {
  std::printf("| %s | %.0f/s (%ld in %.2f s) |\n", name, seconds > 0 ? count / seconds : 0.0, count,
              seconds);
}

// Per server thread, the share of the run it spent on a CPU and runnable
// but waiting for one: high waiting means the 2 cores were oversubscribed.
void PrintThreads(const Measured& m, double wall) {
  std::string on_cpu, waiting;
  for (const ThreadTimes& after : m.cpu_after.server_threads) {
    ThreadTimes before{after.tid, 0, 0};
    for (const ThreadTimes& t : m.cpu_before.server_threads) {
      if (t.tid == after.tid) before = t;
    }
    double cpu = (after.on_cpu - before.on_cpu) / wall;
    if (cpu < 0.01) continue;  // idle threads
    char text[64];
    std::snprintf(text, sizeof text, "%s%.2f", on_cpu.empty() ? "" : ", ", cpu);
    on_cpu += text;
    std::snprintf(text, sizeof text, "%s%.2f", waiting.empty() ? "" : ", ",
                  (after.waiting - before.waiting) / wall);
    waiting += text;
  }
  std::printf("| server threads: on CPU / runnable but waiting for a CPU | %s / %s |\n",
              on_cpu.c_str(), waiting.c_str());
}

void PrintCpu(const Flags& flags, const LoadStats& stats, const Measured& m) {
  double wall = m.seconds > 0 ? m.seconds : 1;
  double server = (m.cpu_after.server - m.cpu_before.server) / wall;
  double self = (m.cpu_after.self - m.cpu_before.self) / wall;
  double busy = (m.cpu_after.machine.busy - m.cpu_before.machine.busy) / wall;
  double cores = (m.cpu_after.machine.total - m.cpu_before.machine.total) / wall;
  if (flags.server_pid > 0) {
    double server_seconds = m.cpu_after.server - m.cpu_before.server;
    int64_t tasks = std::max<int64_t>(1, stats.activity_tasks.load());
    int64_t requests = std::max<int64_t>(1, stats.requests.load());
    std::printf("| server CPU | %.2f cores; %.0f us per activity task, %.0f us per request |\n",
                server, server_seconds * 1e6 / tasks, server_seconds * 1e6 / requests);
  }
  if (flags.server_pid > 0 && m.cpu_before.server_write_calls >= 0) {
    int64_t requests = std::max<int64_t>(1, stats.requests.load());
    double calls = m.cpu_after.server_write_calls - m.cpu_before.server_write_calls;
    double bytes = m.cpu_after.server_disk_bytes - m.cpu_before.server_disk_bytes;
    std::printf("| server file writes | %.1f write calls and %.1f KB to disk per request |\n",
                calls / requests, bytes / 1024 / requests);
  }
  if (flags.server_pid > 0) PrintThreads(m, wall);
  std::printf("| load generator CPU | %.2f cores |\n", self);
  std::printf("| whole machine busy | %.2f of %.0f cores (other processes: %.2f) |\n", busy, cores,
              busy - self - (flags.server_pid > 0 ? server : 0));
}

void PrintProbe(const char* when, const ProbeResult& p) {
  std::printf("| dispatch latency, %s (decision reply -> poll reply) | %s |\n", when,
              Summary(p.dispatch_ms).c_str());
  std::printf("| same, from RespondDecisionTaskCompleted sent | %s |\n",
              Summary(p.end_to_end_ms).c_str());
  std::printf("| RespondDecisionTaskCompleted round trip | %s |\n",
              Summary(p.respond_rtt_ms).c_str());
  if (p.errors > 0)
    std::printf("| probe errors | %d (first: %s) |\n", p.errors, p.first_error.c_str());
}

void PrintReport(const Flags& flags, const LoadOptions& load, const LoadStats& stats,
                 const Measured& m) {
  std::printf("\n### %d workflows x %d activities (%s), %d deciders, %d workers, %d thread(s)\n\n",
              load.workflows, load.activities, load.parallel ? "parallel" : "sequential",
              load.deciders, load.workers, flags.threads);
  std::printf("| measure | value |\n|---|---|\n");
  if (m.timed_out) std::printf("| TIMED OUT | after %.0f s |\n", flags.timeout_seconds);
  PrintRate("workflows completed", stats.completed.load(), m.seconds);
  PrintRate("activity tasks completed", stats.activity_tasks.load(), m.seconds);
  PrintRate("decision tasks completed", stats.decision_tasks.load(), m.seconds);
  PrintRate("HTTP requests", stats.requests.load(), m.seconds);
  if (stats.all_started_ns.load() > 0) {
    PrintRate("workflows started", load.workflows, stats.all_started_ns.load() / 1e9);
  }
  std::printf("| workflows failed or not started | %ld |\n", stats.failed.load());
  std::printf("| empty polls, extra history pages | %ld, %ld |\n", stats.empty_polls.load(),
              stats.history_pages.load());
  std::printf("| activity schedule-to-start under load | %s |\n",
              Summary(stats.ScheduleToStartMillis()).c_str());
  for (const auto& [operation, millis] : stats.RoundTripMillis()) {
    std::printf("| round trip under load: %s | %s |\n", operation.c_str(), Summary(millis).c_str());
  }
  if (flags.probe_under_load) PrintProbe("under load", m.probe_load);
  if (flags.probe_iterations > 0) PrintProbe("idle server", m.probe_idle);
  PrintCpu(flags, stats, m);
  if (flags.server_pid > 0) {
    std::printf("| server peak memory (VmHWM) | %s |\n",
                ProcStatusField(flags.server_pid, "VmHWM").c_str());
  }
  for (const auto& [what, count] : stats.Errors()) {
    std::printf("| errors: %s | %ld |\n", what.c_str(), count);
  }
  if (!stats.FirstErrorMessage().empty()) {
    std::printf("\nfirst error: %s\n", stats.FirstErrorMessage().c_str());
  }
}

int Main(int argc, char** argv) {
  CLI::App app{"weft_swf_bench: concurrent SWF workflows against a weft server over HTTP"};
  Flags flags;
  LoadOptions load;
  app.add_option("--server", flags.server, "HOST:PORT of the weft server")->capture_default_str();
  app.add_option("--workflows", load.workflows, "Workflows to run")->capture_default_str();
  app.add_option("--activities", load.activities, "Activities per workflow")->capture_default_str();
  app.add_flag("--parallel", load.parallel, "Schedule all activities at once, not one by one");
  app.add_option("--deciders", load.deciders, "Decider coroutines (one connection each)")
      ->capture_default_str();
  app.add_option("--workers", load.workers, "Activity worker coroutines (one connection each)")
      ->capture_default_str();
  app.add_option("--starters", load.starters, "Coroutines starting workflows")
      ->capture_default_str();
  app.add_option("--open-limit", load.open_limit, "Most workflows open at once (0: no limit)")
      ->capture_default_str();
  app.add_option("--threads", flags.threads, "Generator threads (one io_context each)")
      ->capture_default_str();
  app.add_option("--domain", load.domain, "SWF domain (registered if missing)")
      ->capture_default_str();
  app.add_option("--probe", flags.probe_iterations, "Dispatch-latency probe iterations (0: none)")
      ->capture_default_str();
  app.add_flag("!--no-probe-under-load", flags.probe_under_load,
               "Run the probe only on the idle server, not also during the load");
  app.add_option("--settle-us", flags.settle_us,
                 "Probe: microseconds between sending the poll and the decision")
      ->capture_default_str();
  app.add_option("--server-pid", flags.server_pid, "Server process, for its CPU and VmHWM");
  app.add_option("--timeout", flags.timeout_seconds, "Give up after this many seconds")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto colon = flags.server.rfind(':');
  boost::system::error_code ec;
  auto address = net::ip::make_address(flags.server.substr(0, colon), ec);
  if (colon == std::string::npos || ec) {
    std::cerr << "weft_swf_bench: --server must be IP:PORT\n";
    return 2;
  }
  load.server = {address, static_cast<unsigned short>(std::stoi(flags.server.substr(colon + 1)))};
  load.tag = std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                            std::chrono::milliseconds(1));

  net::io_context io(1);
  std::string failure = RunOn(io, Register(load));
  if (!failure.empty()) {
    std::cerr << "weft_swf_bench: registration failed: " << failure << "\n";
    return 1;
  }
  LoadStats stats(load);
  Measured m;
  std::fprintf(stderr, "running %d workflows...\n", load.workflows);
  RunLoad(flags, load, stats, m);
  if (flags.probe_iterations > 0) {
    std::fprintf(stderr, "probing dispatch latency on the idle server...\n");
    ProbeOptions probe{load.server,
                       load.domain,
                       load.tag + "-idle",
                       flags.probe_iterations,
                       std::chrono::microseconds(flags.settle_us),
                       nullptr};
    net::co_spawn(io, RunProbe(probe, m.probe_idle), net::detached);
    io.run();
  }
  PrintReport(flags, load, stats, m);
  bool ok = !m.timed_out && stats.failed.load() == 0 && m.probe_idle.errors == 0;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace weft::bench

int main(int argc, char** argv) { return weft::bench::Main(argc, argv); }
