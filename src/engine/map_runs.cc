// Map Runs: a Distributed Map's iterations as child executions.
//
// The parent's interpreter asks for each iteration (kStartIteration) and
// describes its Map Run (kMapRunChanged); the parent's step writes the Map
// Run's row with its events, and each child execution is an ordinary stored
// execution, named by its Map Run and item (MapRunChildOf), that reports its
// close back to the parent like a task (machine_calls.cc). Counts are not
// kept anywhere: DescribeMapRun counts the children's rows by status.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "asl/interpreter.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

Error UnknownMapRun(const std::string& arn) {
  return Error(Errc::kUnknownResource, "Map Run Does Not Exist: '" + arn + "'");
}

Error MapRunEnded(const std::string& arn, const std::string& status) {
  return Error(Errc::kValidation,
               "Map Run '" + arn + "' is " + status + ": only a running Map Run can be updated");
}

Result<store::ExecutionRecord> MapRunRow(store::Store& store, const std::string& arn) {
  auto row = store.GetExecution(arn);
  if (!row.ok()) return row.error();
  if (!*row || (*row)->domain != kMapRunDomain) return UnknownMapRun(arn);
  return std::move(**row);
}

json::object DataOf(const store::ExecutionRecord& r) {
  auto data = ParseJson(r.data);
  return data.ok() && data->is_object() ? std::move(data->as_object()) : json::object{};
}

}  // namespace

MapRunChild MapRunChildOf(std::string_view map_run_arn, int64_t item_index) {
  // arn:aws:states:R:A:mapRun:<machine>/<label>:<id>
  std::string arn(map_run_arn);
  size_t type = arn.find(":mapRun:");
  size_t id = arn.rfind(':');
  MapRunChild c;
  c.name = asl::StableUuid(arn + "#" + std::to_string(item_index));
  if (type == std::string::npos || id <= type + 7) return c;  // not a Map Run ARN
  std::string head = arn.substr(0, type);
  std::string machine = arn.substr(type + 8, id - type - 8);  // <machine>/<label>
  c.state_machine_arn = head + ":stateMachine:" + machine;
  c.execution_arn = head + ":execution:" + machine + ":" + c.name;
  return c;
}

asl::Feedback IterationOutcome(const MachineExecution& child, std::string task_id) {
  asl::Feedback fb;
  fb.id = std::move(task_id);
  if (child.status == "SUCCEEDED") {
    fb.kind = asl::Feedback::Kind::kTaskSucceeded;
    fb.output = child.output.value_or("null");
  } else {
    fb.kind = asl::Feedback::Kind::kTaskFailed;
    fb.error = child.error.value_or("States." + child.status);
    fb.cause = child.cause;
  }
  return fb;
}

asl::IterationLookup Engine::Impl::StoredIterations(const std::string& parent_arn,
                                                    std::map<std::string, Millis>& open_map_runs) {
  store::ExecutionQuery q;
  q.domain = std::string(kMapRunDomain);
  q.workflow_id = parent_arn;
  q.open = true;
  for (;;) {
    auto page = store.ListExecutions(q);
    if (!page.ok()) break;  // replay then finds what it lacks and says so
    for (const auto& r : page->executions) open_map_runs[r.run_id] = r.start_time;
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  asl::IterationLookup lookup;
  store::Store* s = &store;
  lookup.outcome = [s](const asl::Command& c) -> std::optional<asl::Feedback> {
    std::string arn = MapRunChildOf(c.map_run_arn, c.item_index).execution_arn;
    auto child = DescribeStoredMachine(*s, arn);
    if (!child.ok() || child->status == "RUNNING") return std::nullopt;
    return IterationOutcome(*child, c.id);
  };
  lookup.settings = [s](const std::string& arn) -> std::optional<asl::MapRunUpdate> {
    auto row = MapRunRow(*s, arn);
    if (!row.ok()) return std::nullopt;
    json::object data = DataOf(*row);
    asl::MapRunUpdate u;
    u.max_concurrency = FindInt(data, "maxConcurrency");
    // A tolerance of 0 is stored for "none" too, and a Distributed Map
    // tolerates no failure either way: replay leaves it as the definition
    // set it, as the running execution has it.
    if (auto count = FindInt(data, "toleratedFailureCount"); count && *count > 0)
      u.tolerated_count = count;
    if (const json::value* p = Find(data, "toleratedFailurePercentage");
        p && p->is_number() && p->to_number<double>() > 0)
      u.tolerated_percentage = p->to_number<double>();
    return u;
  };
  return lookup;
}

net::awaitable<Result<MapRunDescription>> Engine::DescribeMapRun(std::string map_run_arn) {
  store::Store& store = impl_->store;
  auto row = MapRunRow(store, map_run_arn);
  if (!row.ok()) co_return std::move(row).error();
  json::object data = DataOf(*row);
  MapRunDescription d;
  d.map_run_arn = map_run_arn;
  d.execution_arn = row->workflow_id;
  d.state_machine_arn = row->type_name;
  d.status = row->open ? "RUNNING" : row->close_status;
  d.start_time = row->start_time;
  d.stop_time = row->close_time;
  d.max_concurrency = FindInt(data, "maxConcurrency").value_or(0);
  d.tolerated_count = FindInt(data, "toleratedFailureCount").value_or(0);
  if (const json::value* p = Find(data, "toleratedFailurePercentage"); p && p->is_number())
    d.tolerated_percentage = p->to_number<double>();
  // The children by status, counted in the store.
  store::ExecutionQuery q;
  q.domain = std::string(kMachineDomain);
  q.tag = MapRunTag(map_run_arn);
  auto count = [&](bool open, std::optional<std::string> status) -> Result<int64_t> {
    q.open = open;
    q.close_status = std::move(status);
    return store.CountExecutions(q);
  };
  MapRunCounts& n = d.items;
  struct Slot {
    bool open;
    const char* status;
    int64_t* into;
  };
  for (Slot slot : {Slot{true, nullptr, &n.running}, Slot{false, "SUCCEEDED", &n.succeeded},
                    Slot{false, "FAILED", &n.failed}, Slot{false, "TIMED_OUT", &n.timed_out},
                    Slot{false, "ABORTED", &n.aborted}}) {
    auto c = count(slot.open, slot.status ? std::optional<std::string>(slot.status)
                                          : std::optional<std::string>());
    if (!c.ok()) co_return std::move(c).error();
    *slot.into = *c;
  }
  n.total = FindInt(data, "total").value_or(0);
  int64_t started = n.running + n.succeeded + n.failed + n.timed_out + n.aborted;
  n.pending = std::max<int64_t>(0, n.total - started);
  co_return d;
}

namespace {

net::awaitable<Status> UpdateOnShard(Engine::Impl* impl, Shard* shard, std::string parent,
                                     std::string arn, asl::MapRunUpdate update) {
  auto found = impl->FindMachine(*shard, parent);
  if (!found.ok()) co_return std::move(found).error();
  if (!*found || !(*found)->open()) co_return MapRunEnded(arn, "closed");
  MachineRun& run = **found;
  MachineStep step(*shard, run, impl->clock.Now());
  Status s = run.interpreter->UpdateMapRun(arn, update, step.now(), step.result());
  if (!s.ok()) co_return MapRunEnded(arn, "closed");
  step.Absorb();
  co_return co_await impl->CommitMachine(*shard, step);
}

}  // namespace

net::awaitable<Status> Engine::UpdateMapRun(std::string map_run_arn, asl::MapRunUpdate update) {
  auto row = MapRunRow(impl_->store, map_run_arn);
  if (!row.ok()) co_return std::move(row).error();
  if (!row->open) co_return MapRunEnded(map_run_arn, row->close_status);
  Shard& shard = impl_->ShardFor(std::string(kMachineDomain), row->workflow_id);
  co_return co_await net::co_spawn(
      shard.strand, UpdateOnShard(impl_.get(), &shard, row->workflow_id, map_run_arn, update),
      use_awaitable);
}

}  // namespace weft::engine
