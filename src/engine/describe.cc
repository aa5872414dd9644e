// Reading executions: their history and DescribeWorkflowExecution. An open
// execution is read from memory on its shard; a closed one from the store.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

// The stored row of the run `ref` names (UnknownResource if there is none).
Result<store::ExecutionRecord> StoredRecord(store::Store& store, const ExecutionRef& ref) {
  if (ref.run_id.empty()) return UnknownExecution(ref);
  auto record = store.GetExecution(ref.run_id);
  if (!record.ok()) return record.error();
  if (!*record || (*record)->domain != ref.domain || (*record)->workflow_id != ref.workflow_id) {
    return UnknownExecution(ref);
  }
  return std::move(**record);
}

// Loads a closed (or not in memory) run from its row.
Result<std::unique_ptr<Execution>> LoadFromStore(store::Store& store, const ExecutionRef& ref) {
  auto record = StoredRecord(store, ref);
  if (!record.ok()) return record.error();
  return LoadExecution(store, *record);
}

json::object Describe(const Execution& ex) {
  const MutableState& s = ex.state;
  store::ExecutionRecord r = RecordOf(ex, 0);
  json::object out;
  out["executionInfo"] = Engine::ExecutionInfoJson(r, s.cancel_requested());
  const json::object& st = s.started();
  json::object config;
  for (auto key : {"taskStartToCloseTimeout", "executionStartToCloseTimeout", "taskList",
                   "taskPriority", "childPolicy", "lambdaRole"}) {
    if (const auto* v = Find(st, key)) config[key] = *v;
  }
  out["executionConfiguration"] = std::move(config);
  int64_t open_timers = static_cast<int64_t>(s.timers().size());
  out["openCounts"] =
      json::object{{"openActivityTasks", static_cast<int64_t>(s.activities().size())},
                   {"openDecisionTasks", s.decision_task() ? 1 : 0},
                   {"openTimers", open_timers},
                   {"openChildWorkflowExecutions", 0},
                   {"openLambdaFunctions", 0}};
  if (s.latest_activity_task_timestamp() != 0) {
    out["latestActivityTaskTimestamp"] = ToEpochSeconds(s.latest_activity_task_timestamp());
  }
  if (s.latest_execution_context()) out["latestExecutionContext"] = *s.latest_execution_context();
  return out;
}

// nullopt when the run is not in memory (closed, or never existed).
net::awaitable<std::optional<Result<json::object>>> DescribeOnShard(Engine::Impl* impl,
                                                                    Shard* shard,
                                                                    ExecutionRef ref) {
  const Execution* cached = shard->runs.Find(ref.run_id);
  if (!cached || !cached->state.open()) co_return std::nullopt;
  const Execution& ex = *cached;
  if (ex.state.domain() != ref.domain || ex.state.workflow_id() != ref.workflow_id) {
    co_return Result<json::object>(UnknownExecution(ref));
  }
  (void)impl;
  co_return Result<json::object>(Describe(ex));
}

// The history of a stored run: every durable event (a step being written
// is not shown until it is durable).
Result<std::vector<HistoryEvent>> ReadHistory(store::Store& store, const ExecutionRef& ref) {
  auto record = StoredRecord(store, ref);
  if (!record.ok()) return record.error();
  return LoadHistory(store, ref.run_id);
}

Result<Engine::HistoryPage> ReadHistoryPage(store::Store& store, const ExecutionRef& ref,
                                            int64_t from_id, int64_t page_size, bool reverse) {
  auto record = StoredRecord(store, ref);
  if (!record.ok()) return record.error();
  Engine::HistoryPage page;
  if (!reverse) {
    int64_t first = std::max<int64_t>(1, from_id);
    auto events = LoadHistory(store, ref.run_id, first - 1, page_size + 1);  // one more: next?
    if (!events.ok()) return events.error();
    if (static_cast<int64_t>(events->size()) > page_size) {
      page.next_id = events->back().id;
      events->pop_back();
    }
    page.events = std::move(*events);
    return page;
  }
  // Event ids are 1..last_event_id without gaps: the page is a range of them.
  int64_t top = from_id > 0 ? std::min(from_id, record->last_event_id) : record->last_event_id;
  int64_t low = std::max<int64_t>(1, top - page_size + 1);
  if (top < 1) return page;
  auto events = LoadHistory(store, ref.run_id, low - 1, top - low + 1);
  if (!events.ok()) return events.error();
  page.events.assign(std::make_move_iterator(events->rbegin()),
                     std::make_move_iterator(events->rend()));
  page.next_id = low > 1 ? low - 1 : 0;
  return page;
}

}  // namespace

net::awaitable<Result<Engine::HistoryPage>> Engine::GetHistoryPage(ExecutionRef ref,
                                                                   int64_t from_id,
                                                                   int64_t page_size,
                                                                   bool reverse) {
  store::Store* store = &impl_->store;
  auto read = [store, ref, from_id, page_size, reverse] {
    return ReadHistoryPage(*store, ref, from_id, page_size, reverse);
  };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

json::object Engine::ExecutionInfoJson(const store::ExecutionRecord& r, bool cancel_requested) {
  json::object info;
  info["execution"] = json::object{{"workflowId", r.workflow_id}, {"runId", r.run_id}};
  info["workflowType"] = json::object{{"name", r.type_name}, {"version", r.type_version}};
  info["startTimestamp"] = ToEpochSeconds(r.start_time);
  if (!r.open) info["closeTimestamp"] = ToEpochSeconds(r.close_time);
  info["executionStatus"] = r.open ? "OPEN" : "CLOSED";
  if (!r.open) info["closeStatus"] = r.close_status;
  if (!r.tags.empty()) {
    json::array tags;
    for (const auto& t : r.tags) tags.emplace_back(t);
    info["tagList"] = std::move(tags);
  }
  info["cancelRequested"] = cancel_requested;
  return info;
}

net::awaitable<Result<std::vector<HistoryEvent>>> Engine::GetHistory(ExecutionRef ref) {
  store::Store* store = &impl_->store;
  auto read = [store, ref] { return ReadHistory(*store, ref); };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

net::awaitable<Result<json::object>> Engine::DescribeWorkflowExecution(ExecutionRef ref) {
  if (!impl_->registry.Get(kDomainKind, "", ref.domain)) co_return UnknownDomain(ref.domain);
  Shard& shard = impl_->ShardFor(ref.domain, ref.workflow_id);
  auto in_memory = co_await net::co_spawn(shard.strand, DescribeOnShard(impl_.get(), &shard, ref),
                                          use_awaitable);
  if (in_memory) co_return std::move(*in_memory);
  store::Store* store = &impl_->store;
  auto read = [store, ref]() -> Result<json::object> {
    auto ex = LoadFromStore(*store, ref);
    if (!ex.ok()) return ex.error();
    return Describe(**ex);
  };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

net::awaitable<Result<store::ExecutionPage>> Engine::ListExecutions(store::ExecutionQuery query) {
  store::Store* store = &impl_->store;
  auto read = [store, query = std::move(query)] { return store->ListExecutions(query); };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

net::awaitable<Result<int64_t>> Engine::CountExecutions(store::ExecutionQuery query) {
  store::Store* store = &impl_->store;
  auto read = [store, query = std::move(query)] { return store->CountExecutions(query); };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

net::awaitable<Result<std::optional<store::ExecutionRecord>>> Engine::GetStoredExecution(
    std::string run_id) {
  store::Store* store = &impl_->store;
  auto read = [store, run_id = std::move(run_id)] { return store->GetExecution(run_id); };
  co_return co_await OnReadPool(*impl_, std::move(read));
}

}  // namespace weft::engine
