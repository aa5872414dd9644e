// VerifySnapshots: every stored SWF run's snapshot against its replayed
// history (the snapshot is a cache of the history, never its own truth).
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

Result<std::vector<store::ExecutionRecord>> RunsOf(store::Store& store, const std::string& domain) {
  std::vector<store::ExecutionRecord> runs;
  store::ExecutionQuery q;
  q.domain = domain;
  q.open_and_closed = true;
  for (;;) {
    auto page = store.ListExecutions(q);
    if (!page.ok()) return page.error();
    for (auto& r : page->executions) runs.push_back(std::move(r));
    if (page->next_page_token.empty()) return runs;
    q.page_token = page->next_page_token;
  }
}

// Heartbeats write no event: an activity's last heartbeat time and details
// are in the snapshot but not in the history ("14" and "15" of an activity,
// engine/snapshot.cc), so they are not compared.
json::object WithoutHeartbeats(json::object snapshot) {
  if (json::value* activities = snapshot.if_contains("25"); activities && activities->is_array()) {
    for (json::value& a : activities->as_array()) {
      if (!a.is_object()) continue;
      a.as_object().erase("14");
      a.as_object().erase("15");
    }
  }
  return snapshot;
}

// "" when the run's snapshot is the state its history gives.
Result<std::string> VerifyRun(store::Store& store, const std::string& run_id) {
  auto record = store.GetExecution(run_id);
  if (!record.ok()) return record.error();
  if (!*record) return std::string();
  const store::ExecutionRecord& r = **record;
  if (r.snapshot.empty()) return std::string();  // none: it is loaded by replay
  auto replayed = ReplayExecution(store, r);
  if (!replayed.ok()) return replayed.error();
  std::string want = ToJson(WithoutHeartbeats((*replayed)->state.Save()));
  auto stored = ParseJson(r.snapshot);
  std::string got = stored.ok() && stored->is_object()
                        ? ToJson(WithoutHeartbeats(std::move(stored->as_object())))
                        : r.snapshot;
  if (got == want) return std::string();
  return "run " + run_id + ": snapshot " + r.snapshot + "\n  replayed " + want + "\n";
}

}  // namespace

Result<std::string> VerifySnapshots(store::Store& store) {
  auto registry = store.LoadRegistry();
  if (!registry.ok()) return registry.error();
  std::string differences;
  for (const auto& entry : *registry) {
    if (entry.kind != kDomainKind) continue;
    auto runs = RunsOf(store, entry.name);
    if (!runs.ok()) return runs.error();
    for (const auto& r : *runs) {
      auto diff = VerifyRun(store, r.run_id);
      if (!diff.ok()) return diff.error();
      differences += *diff;
    }
  }
  return differences;
}

}  // namespace weft::engine
