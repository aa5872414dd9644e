// Visibility queries on the SQLite store (issue 11: "100,000 closed
// executions in a domain, any filter, first page in under 10 ms"). Fills a
// fresh store with closed executions (10 workflow types plus one rare one, 6
// close statuses, 100 tags, unique workflowIds), then times the first page of
// ListExecutions (what List/CountClosedWorkflowExecutions run) for every
// filter the model allows, and CountExecutions. Prints a Markdown table.
//
//   weft_visibility_bench [--executions N] [--page N] [--repeats N] [--dir D]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using namespace weft;
using Steady = std::chrono::steady_clock;

constexpr std::string_view kStatuses[] = {"COMPLETED",  "FAILED",           "CANCELED",
                                          "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"};

store::ExecutionRecord Closed(int64_t i) {
  store::ExecutionRecord r;
  r.run_id = "run-" + std::to_string(i);
  r.domain = "bench";
  r.workflow_id = "wf-" + std::to_string(i);
  r.type_name = i % 10'000 == 7 ? "rare" : "t" + std::to_string(i % 10);
  r.type_version = "1";
  r.open = false;
  r.close_status = std::string(kStatuses[i % 6]);
  r.start_time = 1'000'000 + i * 10;
  r.close_time = r.start_time + 5 + (i % 97);
  r.shard = static_cast<int32_t>(i % 2);
  r.last_event_id = 0;
  r.tags = {"tag-" + std::to_string(i % 100)};
  r.data = "{}";
  return r;
}

Status Fill(store::Store& s, int64_t n) {
  constexpr int64_t kBatch = 2'000;
  for (int64_t first = 0; first < n; first += kBatch) {
    store::WriteBatch b;
    for (int64_t i = first; i < std::min(n, first + kBatch); ++i) {
      store::ExecutionWrite w;
      w.execution = Closed(i);
      b.executions.push_back(std::move(w));
    }
    const store::WriteBatch* ptr = &b;
    auto results = s.Write(std::span<const store::WriteBatch* const>(&ptr, 1));
    if (!results[0].ok()) return results[0];
  }
  return {};
}

struct Case {
  std::string name;
  store::ExecutionQuery query;
};

std::vector<Case> Cases(int32_t page) {
  auto base = [page] {
    store::ExecutionQuery q;
    q.domain = "bench";
    q.open = false;
    q.start_oldest = 0;  // startTimeFilter, as the model requires one
    q.page_size = page;
    return q;
  };
  std::vector<Case> out;
  auto add = [&](std::string name, auto change) {
    store::ExecutionQuery q = base();
    change(q);
    out.push_back({std::move(name), std::move(q)});
  };
  using Q = store::ExecutionQuery;
  add("start time only", [](Q&) {});
  add("close time only (ordered by close)", [](Q& q) {
    q.start_oldest.reset();
    q.close_oldest = 0;
  });
  add("workflowId", [](Q& q) { q.workflow_id = "wf-54321"; });
  add("type name (1 in 10)", [](Q& q) { q.type_name = "t3"; });
  add("type name (10 in 100,000)", [](Q& q) { q.type_name = "rare"; });
  add("type name and version", [](Q& q) {
    q.type_name = "t3";
    q.type_version = "1";
  });
  add("close status (1 in 6)", [](Q& q) { q.close_status = "TIMED_OUT"; });
  add("tag (1 in 100)", [](Q& q) { q.tag = "tag-42"; });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft visibility query benchmark (SQLite store)"};
  int64_t executions = 100'000;
  int32_t page = 100;
  int repeats = 20;
  std::string dir = (std::filesystem::temp_directory_path() / "weft-visibility-bench").string();
  app.add_option("--executions", executions, "closed executions in the domain");
  app.add_option("--page", page, "page size (1..1000)");
  app.add_option("--repeats", repeats, "runs of each query (the median is shown)");
  app.add_option("--dir", dir, "data dir (removed first)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(dir);
  auto opened = store::OpenSqliteStore(dir);
  if (!opened.ok()) {
    std::cerr << opened.error().message() << "\n";
    return 1;
  }
  store::Store& s = **opened;
  auto fill_start = Steady::now();
  if (Status st = Fill(s, executions); !st.ok()) {
    std::cerr << st.error().message() << "\n";
    return 1;
  }
  double fill_s = std::chrono::duration<double>(Steady::now() - fill_start).count();
  std::cout << "### " << executions << " closed executions, first page of " << page
            << ", median of " << repeats << " runs (filled in " << fill_s << " s)\n\n";
  std::cout << "| filter | first page (ms) | rows | count (ms) |\n|---|---:|---:|---:|\n";
  for (const Case& c : Cases(page)) {
    std::vector<double> list_ms, count_ms;
    size_t rows = 0;
    for (int i = 0; i < repeats; ++i) {
      auto t0 = Steady::now();
      auto r = s.ListExecutions(c.query);
      list_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
      if (!r.ok()) {
        std::cerr << c.name << ": " << r.error().message() << "\n";
        return 1;
      }
      rows = r->executions.size();
      auto t1 = Steady::now();
      auto n = s.CountExecutions(c.query);
      count_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t1).count());
      if (!n.ok()) return 1;
    }
    std::sort(list_ms.begin(), list_ms.end());
    std::sort(count_ms.begin(), count_ms.end());
    std::printf("| %s | %.2f | %zu | %.2f |\n", c.name.c_str(), list_ms[list_ms.size() / 2], rows,
                count_ms[count_ms.size() / 2]);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
