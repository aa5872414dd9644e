// VerifySnapshots: every stored run's snapshot, of both kinds, against its
// replayed history (the snapshot is a cache of the history, never its own
// truth).
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

// What a Step Functions snapshot holds that its history does not: a task's
// last heartbeat ("9"), the tokens of tasks that timed out ("5"), when a
// Distributed Map iteration's task was scheduled (it has no event: "6"),
// and the nested execution a .sync task started ("8"; replay does not
// recover it, which is one reason the snapshot is read first).
std::string WithoutMachineMemory(const std::string& snapshot) {
  auto parsed = ParseJson(snapshot);
  if (!parsed.ok() || !parsed->is_object()) return snapshot;
  json::object& o = parsed->as_object();
  o.erase("5");
  if (json::value* tasks = o.if_contains("2"); tasks && tasks->is_array()) {
    for (json::value& t : tasks->as_array()) {
      if (!t.is_object()) continue;
      json::object& task = t.as_object();
      task.erase("9");
      const bool iteration =
          task.if_contains("3") &&
          task.at("3") == json::value(static_cast<int64_t>(MachineTaskKind::kMapIteration));
      if (iteration) {
        task.erase("6");
      } else {
        task.erase("8");
      }
    }
  }
  return ToJson(o);
}

Result<std::string> VerifyMachines(store::Store& store) {
  net::io_context io;
  SystemClock clock;
  Engine::Impl impl(io, store, clock, EngineOptions{});
  if (Status s = impl.registry.Load(store); !s.ok()) return s.error();
  if (Status s = LoadTokenKey(impl); !s.ok()) return s.error();
  auto runs = RunsOf(store, std::string(kMachineDomain));
  if (!runs.ok()) return runs.error();
  std::string differences;
  for (const auto& listed : *runs) {
    auto record = store.GetExecution(listed.run_id);
    if (!record.ok()) return record.error();
    if (!*record || (*record)->snapshot.empty()) continue;
    auto replayed = impl.ReplayMachine(**record);
    if (!replayed.ok()) return replayed.error();
    std::string want = WithoutMachineMemory(MachineSnapshotOf(*replayed->run));
    std::string got = WithoutMachineMemory((*record)->snapshot);
    if (got != want) {
      differences +=
          "execution " + listed.run_id + ": snapshot " + got + "\n  replayed " + want + "\n";
    }
  }
  return differences;
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
  auto machines = VerifyMachines(store);
  if (!machines.ok()) return machines.error();
  return differences + *machines;
}

}  // namespace weft::engine
