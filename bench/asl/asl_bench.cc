// bench/asl/asl_bench.cc: weft's ASL interpreter (src/asl/asl.h), in
// process, on the workloads of bench/asl (issue 4, "Speed"):
//  - chain10.json: 10 Pass states with Parameters and ResultPath, executed
//    `--chain-runs` times (default 100,000);
//  - map10k.json: an inline Map over 10,000 items, Pass + Choice + Pass per
//    item, executed `--map-runs` times;
//  - chain10_jsonata.json, chain10_jsonata_merge.json (the same with
//    $merge) and map10k_jsonata.json: the same workloads in the JSONata
//    query language (their outputs are checked equal to the JSONPath
//    forms');
// and the memory an in-flight Map iteration costs (map_inflight.json, whose
// iterations wait on a Task, so that all of them are in flight at once).
//
// A transition is one state entered (one *StateEntered history event), as
// bench/asl/ts/bench.mjs counts them: 10 per chain10 execution, 1 + 3 * items
// per map10k execution. An untimed first execution checks that count. Each
// timed execution is Execution::Start on the compiled machine (the input is
// parsed, every history event is built, as `weft run` does), then the
// Execution and its events are destroyed. After a warm-up, the best of
// `--repeats` repetitions is reported.
//
// Memory is measured with a counting operator new/delete (bytes as
// malloc_usable_size reports them), switched on only for the memory part;
// the benchmark is single-threaded. `--rss-items N` instead runs one map10k
// execution over N items and prints the process's VmHWM (bench/asl/run.sh
// compares two such processes).
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>
#include <string>

#include "asl/asl.h"
#include "common/json.h"

// ------------------------------------------------------- counting allocator

namespace {
bool g_counting = false;  // the timed part runs with it off
int64_t g_live = 0, g_peak = 0, g_allocs = 0;

void* CountedAlloc(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  if (g_counting) {
    g_live += static_cast<int64_t>(malloc_usable_size(p));
    ++g_allocs;
    if (g_live > g_peak) g_peak = g_live;
  }
  return p;
}

void CountedFree(void* p) noexcept {
  if (p && g_counting) g_live -= static_cast<int64_t>(malloc_usable_size(p));
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, std::size_t) noexcept { CountedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { CountedFree(p); }

namespace {

using weft::asl::Execution;
using weft::asl::ExecutionStatus;
using weft::asl::StateMachinePtr;
using weft::asl::StepResult;
using Clock = std::chrono::steady_clock;

// Counts live bytes from construction; Peak() is relative to that start.
class HeapWindow {
 public:
  HeapWindow() {
    g_counting = true;
    g_live = g_peak = g_allocs = 0;
  }
  ~HeapWindow() { g_counting = false; }
  int64_t Live() const { return g_live; }
  int64_t Peak() const { return g_peak; }
  int64_t Allocations() const { return g_allocs; }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

StateMachinePtr CompileFile(const std::string& path) {
  auto r = weft::asl::Compile(ReadFile(path));
  if (!r.machine) {
    for (const auto& d : r.diagnostics)
      std::cerr << path << ": " << weft::asl::FormatDiagnostic(d) << "\n";
    std::exit(2);
  }
  return r.machine;
}

// The items of bench/asl/gen_map_input.py; with pad > 0 each item also has
// a "blob" of `pad` characters (to see how memory grows with an item's data).
std::string MapInput(int n, int pad = 0) {
  std::string blob =
      pad > 0 ? ",\"blob\":\"" + std::string(static_cast<size_t>(pad), 'x') + "\"" : "";
  std::string s = "{\"items\":[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"id\":" + std::to_string(i) + ",\"score\":" + std::to_string(i * 37 % 100) +
         ",\"name\":\"item-" + std::to_string(i) + "\"" + blob + "}";
  }
  return s + "]}";
}

weft::asl::ExecutionContext Context() {
  weft::asl::ExecutionContext c;
  c.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:Bench:run";
  c.execution_name = "run";
  c.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Bench";
  c.state_machine_name = "Bench";
  c.role_arn = "arn:aws:iam::123456789012:role/bench";
  c.start_time_ms = 1'700'000'000'000;
  return c;
}

constexpr int64_t kNow = 1'700'000'000'000;

// One execution to its end; exits the program if it did not succeed.
void RunOnce(const StateMachinePtr& m, const std::string& input, StepResult* out) {
  auto e = Execution::Start(m, Context(), input, kNow, out);
  if (!e || e->status() != ExecutionStatus::kSucceeded) {
    std::cerr << "execution did not succeed: "
              << (e ? e->error().value_or("") + " " + e->cause().value_or("") : e.error().message())
              << "\n";
    std::exit(1);
  }
}

int64_t StatesEntered(const StepResult& r) {
  int64_t n = 0;
  for (const auto& e : r.events)
    if (e.type.ends_with("StateEntered")) ++n;
  return n;
}

double TimeRuns(const StateMachinePtr& m, const std::string& input, int64_t runs) {
  auto start = Clock::now();
  for (int64_t i = 0; i < runs; ++i) {
    StepResult out;
    RunOnce(m, input, &out);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct SpeedResult {
  std::string workload;
  int64_t runs = 0, transitions = 0, events_per_run = 0, allocations_per_run = 0;
  double seconds = 0;
  std::string output;  // of the checked execution (run.sh compares it with the other engine's)
};

SpeedResult Speed(const std::string& name, const StateMachinePtr& m, const std::string& input,
                  int64_t runs, int64_t expected, int repeats) {
  StepResult first;
  int64_t allocations = 0;
  {
    HeapWindow w;
    RunOnce(m, input, &first);
    allocations = w.Allocations();
  }
  if (int64_t n = StatesEntered(first); n != expected) {
    std::cerr << name << ": " << n << " states entered per execution, expected " << expected
              << "\n";
    std::exit(1);
  }
  TimeRuns(m, input, std::max<int64_t>(1, runs / 10));  // warm-up: caches, allocator
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) best = std::min(best, TimeRuns(m, input, runs));
  SpeedResult r{name,        runs, expected * runs, static_cast<int64_t>(first.events.size()),
                allocations, best};
  weft::json::object last = first.events.back().Details();
  if (const auto* o = weft::FindString(last, "output")) r.output = *o;
  return r;
}

// Heap of the parsed input of n items (with `pad`, see MapInput).
int64_t MeasureItems(int n, int pad) {
  std::string text = MapInput(n, pad);
  HeapWindow w;
  auto doc = weft::ParseJson(text);
  return w.Live();
}

// Heap of one map10k execution over n items: the peak while it ran, and
// what its history (the StepResult) holds at the end.
struct MapHeap {
  int64_t peak = 0, history = 0;
};

MapHeap MeasureMap(const StateMachinePtr& m, int n) {
  std::string text = MapInput(n);
  HeapWindow w;
  auto out = std::make_unique<StepResult>();
  RunOnce(m, text, out.get());
  MapHeap h;
  h.peak = w.Peak();
  int64_t before = w.Live();
  out.reset();
  h.history = before - w.Live();
  return h;
}

// Heap held by an execution whose n Map iterations all wait on a task (its
// events and commands already handed to the host and dropped).
int64_t MeasureInFlight(const StateMachinePtr& m, int n, int pad) {
  std::string text = MapInput(n, pad);
  HeapWindow w;
  StepResult out;
  auto e = Execution::Start(m, Context(), text, kNow, &out);
  if (!e || e->status() != ExecutionStatus::kRunning) {
    std::cerr << "map_inflight: the execution is not running\n";
    std::exit(1);
  }
  int64_t tasks = 0;
  for (const auto& c : out.commands) tasks += c.kind == weft::asl::CommandKind::kScheduleTask;
  if (tasks != n) {
    std::cerr << "map_inflight: " << tasks << " tasks scheduled, expected " << n << "\n";
    std::exit(1);
  }
  out = StepResult{};
  return w.Live();
}

int64_t VmHwmKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  return -1;
}

void PrintSpeed(const SpeedResult& r, bool as_json) {
  double tps = static_cast<double>(r.transitions) / r.seconds;
  if (as_json) {
    weft::json::object o{{"workload", r.workload},
                         {"runs", r.runs},
                         {"transitions", r.transitions},
                         {"seconds", r.seconds},
                         {"transitions_per_s", tps},
                         {"events_per_run", r.events_per_run},
                         {"allocations_per_transition",
                          static_cast<double>(r.allocations_per_run) * r.runs / r.transitions}};
    if (auto parsed = weft::ParseJson(r.output)) o["output"] = std::move(*parsed);
    std::cout << weft::ToJson(o) << "\n";
    return;
  }
  std::printf(
      "%s: %lld executions, %lld transitions in %.3f s: %.0f transitions/s (%lld events and "
      "%lld heap allocations per execution)\n",
      r.workload.c_str(), static_cast<long long>(r.runs), static_cast<long long>(r.transitions),
      r.seconds, tps, static_cast<long long>(r.events_per_run),
      static_cast<long long>(r.allocations_per_run));
}

// Per item: the difference between 1,000 and 10,000 items, divided by 9,000.
// The in-flight cost is fitted as fixed + copies * item over two item sizes
// (without and with a 1,000-character "blob"): `copies` says how many times
// an iteration's data is held, `fixed` what it costs beyond that.
void PrintMemory(const StateMachinePtr& map, const StateMachinePtr& inflight, bool as_json) {
  constexpr int kSmall = 1000, kLarge = 10000, kPad = 1000;
  constexpr double kDiff = kLarge - kSmall;
  auto per_item = [&](auto measure) { return (measure(kLarge) - measure(kSmall)) / kDiff; };
  double item = per_item([](int n) { return MeasureItems(n, 0); });
  double item_pad = per_item([](int n) { return MeasureItems(n, kPad); });
  double iteration = per_item([&](int n) { return MeasureInFlight(inflight, n, 0); });
  double iteration_pad = per_item([&](int n) { return MeasureInFlight(inflight, n, kPad); });
  double copies = (iteration_pad - iteration) / (item_pad - item);
  double fixed = iteration - copies * item;
  MapHeap s = MeasureMap(map, kSmall), l = MeasureMap(map, kLarge);
  double map_peak = (l.peak - s.peak) / kDiff;
  double history = (l.history - s.history) / kDiff;
  if (as_json) {
    weft::json::object o{{"workload", "memory"},
                         {"item_bytes", item},
                         {"inflight_iteration_bytes", iteration},
                         {"inflight_overhead_bytes", iteration - item},
                         {"padded_item_bytes", item_pad},
                         {"padded_inflight_iteration_bytes", iteration_pad},
                         {"inflight_data_copies", copies},
                         {"inflight_fixed_bytes", fixed},
                         {"map10k_peak_bytes_per_item", map_peak},
                         {"map10k_history_bytes_per_item", history}};
    std::cout << weft::ToJson(o) << "\n";
    return;
  }
  std::printf("memory (heap, difference between %d and %d items, per item):\n", kSmall, kLarge);
  std::printf(
      "  in-flight Map iteration (map_inflight, waiting on its task): %.0f B with a %.0f B "
      "item, %.0f B with a %.0f B item\n",
      iteration, item, iteration_pad, item_pad);
  std::printf("  fitted: %.0f B fixed + %.2f x the item's data\n", fixed, copies);
  std::printf(
      "  map10k peak during an execution: %.0f B, of which %.0f B is the history "
      "(events) kept to the end\n",
      map_peak, history);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft ASL interpreter benchmark (bench/asl)"};
  std::string dir = "bench/asl";
  int64_t chain_runs = 100000, map_runs = 5;
  int repeats = 3, rss_items = 0;
  bool as_json = false;
  std::string only;
  app.add_option("--dir", dir, "folder of chain10.json, map10k.json, map_inflight.json");
  app.add_option("--chain-runs", chain_runs, "chain10 executions per repetition");
  app.add_option("--map-runs", map_runs, "map10k executions per repetition");
  app.add_option("--repeats", repeats, "timed repetitions (the best is reported)");
  app.add_option("--rss-items", rss_items, "only: one map10k execution over N items, print VmHWM");
  app.add_flag("--json", as_json, "one JSON object per line");
  app.add_option("--only", only, "run only this part (for profiling)")
      ->check(CLI::IsMember({"chain10", "map10k", "jsonata", "memory"}));
  CLI11_PARSE(app, argc, argv);

  StateMachinePtr map = CompileFile(dir + "/map10k.json");
  if (rss_items > 0) {
    int64_t before = VmHwmKb();
    StepResult out;
    std::string input = MapInput(rss_items);
    auto start = Clock::now();
    RunOnce(map, input, &out);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("{\"items\":%d,\"seconds\":%.6f,\"vmhwm_kb_before\":%lld,\"vmhwm_kb\":%lld}\n",
                rss_items, seconds, static_cast<long long>(before),
                static_cast<long long>(VmHwmKb()));
    return 0;
  }
  StateMachinePtr chain = CompileFile(dir + "/chain10.json");
  StateMachinePtr inflight = CompileFile(dir + "/map_inflight.json");
  std::string chain_input = ReadFile(dir + "/chain10.input.json");
  if (only.empty() || only == "chain10")
    PrintSpeed(Speed("chain10", chain, chain_input, chain_runs, 10, repeats), as_json);
  if (only.empty() || only == "map10k")
    PrintSpeed(Speed("map10k", map, MapInput(10000), map_runs, 1 + 3 * 10000, repeats), as_json);
  if (only.empty() || only == "jsonata") {
    SpeedResult chain_path = Speed("chain10", chain, chain_input, 1, 10, 1);
    SpeedResult map_path = Speed("map10k", map, MapInput(10000), 1, 1 + 3 * 10000, 1);
    SpeedResult chain_ata = Speed("chain10-jsonata", CompileFile(dir + "/chain10_jsonata.json"),
                                  chain_input, chain_runs, 10, repeats);
    SpeedResult merge_ata =
        Speed("chain10-jsonata-merge", CompileFile(dir + "/chain10_jsonata_merge.json"),
              chain_input, chain_runs, 10, repeats);
    SpeedResult map_ata = Speed("map10k-jsonata", CompileFile(dir + "/map10k_jsonata.json"),
                                MapInput(10000), map_runs, 1 + 3 * 10000, repeats);
    for (auto [ata, path] : {std::pair{&chain_ata, &chain_path}, std::pair{&merge_ata, &chain_path},
                             std::pair{&map_ata, &map_path}}) {
      if (ata->output != path->output) {
        std::cerr << ata->workload << ": the output differs from the JSONPath form's:\n"
                  << ata->output << "\n" << path->output << "\n";
        return 1;
      }
      PrintSpeed(*ata, as_json);
    }
  }
  if (only.empty() || only == "memory") PrintMemory(map, inflight, as_json);
  return 0;
}
