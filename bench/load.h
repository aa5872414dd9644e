// bench/load.h: the SWF workload of the load generator: starters, deciders
// and activity workers over HTTP, and the dispatch-latency probe.
//
// Threads: the generator runs one io_context per thread; every coroutine
// lives on one of them. Shared state (LoadStats, the latency slots) is
// atomic or under a mutex, so coroutines on different threads may update it.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace weft::bench {

namespace net = boost::asio;
using BenchClock = std::chrono::steady_clock;

struct LoadOptions {
  net::ip::tcp::endpoint server;
  std::string domain = "weft-bench";
  std::string tag;  // makes workflow ids and task lists unique to this run
  int workflows = 2000;
  int activities = 3;
  bool parallel = false;  // schedule all activities in the first decision
  int starters = 64;
  int deciders = 64;
  int workers = 128;
  int open_limit = 0;  // most workflows open at once; 0: no limit
  std::string decision_list() const { return "bench-decisions-" + tag; }
  std::string activity_list() const { return "bench-activities-" + tag; }
  std::string workflow_id(int i) const { return "bench-" + tag + "-" + std::to_string(i); }
};

// Counters of one run, updated by every coroutine.
class LoadStats {
 public:
  explicit LoadStats(const LoadOptions& options);

  std::atomic<int64_t> next_start{0};  // the next workflow a starter starts
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> started{0};
  std::atomic<int64_t> completed{0};  // CompleteWorkflowExecution answered 200
  std::atomic<int64_t> failed{0};     // the decider saw something unexpected and failed it
  std::atomic<int64_t> decision_tasks{0};
  std::atomic<int64_t> activity_tasks{0};
  std::atomic<int64_t> empty_polls{0};
  std::atomic<int64_t> history_pages{0};  // extra pages fetched with nextPageToken
  std::atomic<bool> done{false};
  BenchClock::time_point begin;
  std::atomic<int64_t> end_ns{0};          // since begin, when the last workflow closed
  std::atomic<int64_t> all_started_ns{0};  // since begin, when the last start was answered

  void RecordError(const std::string& operation, const std::string& fault,
                   const std::string& message);
  std::map<std::string, int64_t> Errors() const;
  std::string FirstErrorMessage() const;

  // Schedule-to-start of activity k of workflow i, from the reply to the
  // decision that scheduled it to the worker's poll reply (0 when the poll
  // answered first).
  void MarkScheduled(int workflow, int activity, BenchClock::time_point at);
  void MarkPolled(int workflow, int activity, BenchClock::time_point at);
  std::vector<double> ScheduleToStartMillis() const;

  // Round trips of successful requests, by operation (polls: including the
  // time they waited for a task).
  void RecordRoundTrip(std::string_view operation, BenchClock::duration d);
  std::map<std::string, std::vector<double>> RoundTripMillis() const;

  int64_t Since(BenchClock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - begin).count();
  }

 private:
  int activities_;
  std::unique_ptr<std::atomic<int64_t>[]> scheduled_ns_;
  std::unique_ptr<std::atomic<int64_t>[]> polled_ns_;
  size_t slots_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> errors_;
  std::string first_error_;
  std::map<std::string, std::vector<double>, std::less<>> round_trips_;
};

// Registers the domain and the two types; an existing one is fine.
// Returns an empty string, or what went wrong.
net::awaitable<std::string> Register(const LoadOptions& options);

// The three roles. Each owns one connection and runs until stats.done.
net::awaitable<void> RunStarter(const LoadOptions& options, LoadStats& stats, int index);
net::awaitable<void> RunDecider(const LoadOptions& options, LoadStats& stats, int index);
net::awaitable<void> RunWorker(const LoadOptions& options, LoadStats& stats, int index);

struct ProbeOptions {
  net::ip::tcp::endpoint server;
  std::string domain;
  std::string tag;  // "<run tag>-idle" or "<run tag>-load"
  int iterations = 1000;
  std::chrono::microseconds settle{2000};   // time given to the poll to reach the server
  const std::atomic<bool>* stop = nullptr;  // ends the probe early when set
};

struct ProbeResult {
  std::vector<double> dispatch_ms;     // RespondDecisionTaskCompleted reply -> poll reply
  std::vector<double> end_to_end_ms;   // RespondDecisionTaskCompleted sent -> poll reply
  std::vector<double> respond_rtt_ms;  // RespondDecisionTaskCompleted round trip
  int errors = 0;
  std::string first_error;
};

// One workflow per iteration: a worker polls an otherwise idle task list,
// then the probe's decision schedules one activity on it; the worker
// completes it and the decider completes the workflow.
net::awaitable<void> RunProbe(ProbeOptions options, ProbeResult& result);

}  // namespace weft::bench
