// Step Functions executions: start, stop, describe, history, recovery. Each
// command runs on the execution's shard strand; see machine_run.h.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

// Starts the run on its shard. `on_close`, when set, is told once the run
// has closed (StartSyncExecution).
net::awaitable<Result<MachineStarted>> StartOnShard(Engine::Impl* impl, Shard* shard,
                                                    MachineStart start,
                                                    asl::StateMachinePtr machine,
                                                    std::function<void()> on_close) {
  // AWS: the same name and input while it runs answers the running one.
  auto answer = [&start](const MachineRun& run) -> Result<MachineStarted> {
    if (run.open() && !start.express && run.start.input == start.input) {
      return MachineStarted{start.execution_arn, run.start_time};
    }
    return MachineExecutionExists(start.execution_arn);
  };
  if (const MachineRun* run = shard->machines.Find(start.execution_arn)) co_return answer(*run);
  if (auto it = shard->starting.find(start.execution_arn); it != shard->starting.end()) {
    co_return answer(*it->second);
  }
  Millis now = impl->clock.Now();
  auto owned = std::make_unique<MachineRun>();
  MachineRun& run = *owned;
  run.start = std::move(start);
  run.start.definition.clear();  // the compiled form is enough
  run.machine = machine;
  run.start_time = now;
  if (on_close) run.on_close.push_back(std::move(on_close));
  const std::string arn = run.start.execution_arn;
  MachineStep step(*shard, run, now);
  auto x = asl::Execution::Start(machine, impl->ContextOf(run.start, now), run.start.input, now,
                                 step.result());
  if (!x.ok()) co_return Error(Errc::kValidation, x.error().message());
  run.interpreter.emplace(std::move(*x));
  const bool express = run.start.express;
  const std::string input = run.start.input;
  step.Absorb();
  Status committed = co_await impl->CommitMachine(*shard, step, std::move(owned));
  if (!committed.ok()) {
    // The name is taken in the store. By a running execution that is not in
    // memory, with the same input: the same answer as above.
    auto stored = express ? Result<MachineExecution>(committed.error())
                          : DescribeStoredMachine(impl->store, arn);
    if (stored.ok() && stored->status == "RUNNING" && stored->input == input) {
      co_return MachineStarted{arn, stored->start_time};
    }
    co_return std::move(committed).error();
  }
  co_return MachineStarted{arn, now};
}

struct SyncWait {
  explicit SyncWait(net::strand<net::io_context::executor_type> strand)
      : timer(strand, net::steady_timer::time_point::max()) {}
  net::steady_timer timer;
  std::optional<MachineExecution> result;
};

net::awaitable<Result<MachineExecution>> RunOnShard(Engine::Impl* impl, Shard* shard,
                                                    MachineStart start,
                                                    asl::StateMachinePtr machine) {
  auto wait = std::make_shared<SyncWait>(shard->strand);
  std::string arn = start.execution_arn;
  std::function<void()> on_close = [wait, shard, arn] {
    if (const MachineRun* run = shard->machines.Find(arn)) wait->result = DescribeRun(*run);
    wait->timer.cancel();
  };
  auto started =
      co_await StartOnShard(impl, shard, std::move(start), std::move(machine), std::move(on_close));
  if (!started.ok()) co_return std::move(started).error();
  if (!wait->result) {
    boost::system::error_code ec;
    co_await wait->timer.async_wait(net::redirect_error(use_awaitable, ec));
  }
  if (!wait->result) co_return Error::Internal("the execution ended without a result");
  co_return std::move(*wait->result);
}

net::awaitable<std::optional<Result<Millis>>> StopOnShard(Engine::Impl* impl, Shard* shard,
                                                          std::string arn,
                                                          std::optional<std::string> error,
                                                          std::optional<std::string> cause) {
  auto found = impl->FindMachine(*shard, arn);
  if (!found.ok()) co_return Result<Millis>(std::move(found).error());
  // A run whose first step is not durable is not there yet (and a second
  // write must not follow a start that may still lose to a stored execution).
  if (!*found || !(*found)->view) co_return std::nullopt;
  MachineRun& run = **found;
  if (!run.open()) co_return Result<Millis>(run.stop_time);
  Millis now = impl->clock.Now();
  MachineStep step(*shard, run, now);
  Status s = run.interpreter->Stop(std::move(error), std::move(cause), now, step.result());
  if (!s.ok()) co_return Result<Millis>(std::move(s).error());
  step.Absorb();
  Status committed = co_await impl->CommitMachine(*shard, step);
  if (!committed.ok()) co_return Result<Millis>(std::move(committed).error());
  co_return Result<Millis>(now);
}

// A run in memory; one that is not is described from its row.
net::awaitable<std::optional<MachineExecution>> DescribeOnShard(Shard* shard, std::string arn) {
  const MachineRun* run = shard->machines.Find(arn);
  // A run whose first step is not durable yet is not there for readers.
  if (!run || !run->view) co_return std::nullopt;
  co_return DescribeRun(*run);
}

// DescribeExecution of a run that is not in memory (closed): its row and its
// first event (the input).
}  // namespace

Result<MachineExecution> DescribeStoredMachine(store::Store& store, const std::string& arn) {
  auto record = store.GetExecution(arn);
  if (!record.ok()) return record.error();
  if (!*record || (*record)->domain != kMachineDomain) return UnknownMachineExecution(arn);
  const store::ExecutionRecord& r = **record;
  MachineExecution d;
  d.execution_arn = arn;
  d.state_machine_arn = r.type_name;
  d.version_arn = r.type_version;
  for (const auto& tag : r.tags) {
    if (tag.rfind("alias=", 0) == 0) d.alias_arn = tag.substr(6);
  }
  d.status = r.open ? "RUNNING" : r.close_status;
  d.start_time = r.start_time;
  d.stop_time = r.close_time;
  auto data = ParseJson(r.data);
  if (data.ok() && data->is_object()) {
    const json::object& o = data->as_object();
    auto str = [&o](std::string_view key) -> std::optional<std::string> {
      if (const auto* s = FindString(o, key)) return std::string(*s);
      return std::nullopt;
    };
    d.name = str("name").value_or("");
    d.revision_id = str("revisionId").value_or("");
    d.parent_execution_arn = str("parent").value_or("");
    d.map_run_arn = str("mapRun").value_or("");
    d.definition_arn = str("definitionOf").value_or("");
    d.redrive_count = FindInt(o, "redriveCount").value_or(0);
    d.redrive_time = FindInt(o, "redriveDate").value_or(0);
    d.output = str("output");
    d.error = str("error");
    d.cause = str("cause");
  }
  auto first = store.LoadEvents(arn, 0, 1);
  if (!first.ok()) return first.error();
  if (!first->empty()) {
    auto e = MachineEventFromRecord(first->front());
    if (!e.ok()) return e.error();
    json::object details = e->Details();  // by value: keep it while reading it
    if (const auto* in = FindString(details, "input")) d.input = std::string(*in);
  }
  return d;
}

namespace {}  // namespace

Error MachineExecutionExists(const std::string& execution_arn) {
  return Error(Errc::kAlreadyExists, "Execution Already Exists: '" + execution_arn + "'");
}

Error UnknownMachineExecution(const std::string& execution_arn) {
  return Error(Errc::kUnknownResource, "Execution Does Not Exist: '" + execution_arn + "'");
}

Result<asl::StateMachinePtr> Engine::Impl::Compile(const std::string& state_machine_arn,
                                                   const std::string& revision_id,
                                                   const std::string& definition) {
  std::string key = state_machine_arn + '#' + revision_id;
  {
    std::lock_guard lock(definitions_mu);
    if (auto it = definitions.find(key); it != definitions.end()) return it->second;
  }
  asl::CompileResult compiled = asl::Compile(definition);
  if (!compiled.machine) {
    std::string message = "the definition does not compile:";
    for (const auto& d : compiled.diagnostics) message += " " + asl::FormatDiagnostic(d) + ";";
    return Error(Errc::kValidation, std::move(message));
  }
  std::lock_guard lock(definitions_mu);
  return definitions.emplace(key, compiled.machine).first->second;
}

asl::ExecutionContext Engine::Impl::ContextOf(const MachineStart& start, Millis start_time) {
  asl::ExecutionContext c;
  c.execution_arn = start.execution_arn;
  c.execution_name = start.name;
  c.state_machine_arn = start.state_machine_arn;
  c.state_machine_name = start.state_machine_name;
  c.role_arn = start.role_arn;
  c.start_time_ms = start_time;
  c.express = start.express;
  // Express executions are not stored: their Distributed Maps run inline.
  c.child_iterations = !start.express;
  c.root_block = start.root_block;
  c.mint_task_token = [this, arn = start.execution_arn](std::string_view token) {
    return EncodeMachineTaskToken(tokens, arn, token);
  };
  return c;
}

net::awaitable<Result<MachineStarted>> Engine::Impl::StartMachine(MachineStart start) {
  auto machine = Compile(start.state_machine_arn, start.revision_id, start.definition);
  if (!machine.ok()) co_return std::move(machine).error();
  co_return co_await StartCompiled(std::move(start), std::move(*machine));
}

net::awaitable<Result<MachineStarted>> Engine::Impl::StartCompiled(MachineStart start,
                                                                   asl::StateMachinePtr machine) {
  Shard& shard = ShardFor(std::string(kMachineDomain), start.execution_arn);
  std::function<void()> no_waiter;  // named: see docs/architecture.md (g++ 12)
  co_return co_await net::co_spawn(
      shard.strand,
      StartOnShard(this, &shard, std::move(start), std::move(machine), std::move(no_waiter)),
      use_awaitable);
}

net::awaitable<Result<MachineStarted>> Engine::StartMachineExecution(MachineStart start) {
  co_return co_await impl_->StartMachine(std::move(start));
}

namespace {

// On the watched execution's shard: true when the watch was left with the
// running execution.
net::awaitable<bool> WatchOnShard(Engine::Impl* impl, Shard* shard, std::string arn,
                                  std::function<void(MachineExecution)> watch) {
  // A run in memory is watched even when it has just closed: its close may
  // not be durable yet (the store still says RUNNING), and its watchers are
  // told once it is (ApplyMachine). It stays in memory until then.
  auto found = impl->FindMachine(*shard, arn);
  if (!found.ok() || !*found) co_return false;
  MachineRun* run = *found;
  run->on_close.push_back([run, watch = std::move(watch)] { watch(DescribeRun(*run)); });
  shard->machines.Pin(arn);
  co_return true;
}

}  // namespace

net::awaitable<void> Engine::Impl::WatchMachine(std::string execution_arn,
                                                std::function<void(MachineExecution)> watch) {
  Shard& shard = ShardFor(std::string(kMachineDomain), execution_arn);
  std::function<void(MachineExecution)> copy = watch;
  bool left = co_await net::co_spawn(
      shard.strand, WatchOnShard(this, &shard, execution_arn, std::move(copy)), use_awaitable);
  if (left) co_return;
  auto stored = DescribeStoredMachine(store, execution_arn);
  if (stored.ok() && stored->status != "RUNNING") watch(std::move(*stored));
}

net::awaitable<Result<MachineExecution>> Engine::RunMachineExecution(MachineStart start) {
  auto machine = impl_->Compile(start.state_machine_arn, start.revision_id, start.definition);
  if (!machine.ok()) co_return std::move(machine).error();
  Shard& shard = impl_->ShardFor(std::string(kMachineDomain), start.execution_arn);
  co_return co_await net::co_spawn(
      shard.strand, RunOnShard(impl_.get(), &shard, std::move(start), std::move(*machine)),
      use_awaitable);
}

net::awaitable<Result<Millis>> Engine::Impl::StopMachine(std::string execution_arn,
                                                         std::optional<std::string> error,
                                                         std::optional<std::string> cause) {
  Shard& shard = ShardFor(std::string(kMachineDomain), execution_arn);
  auto in_memory = co_await net::co_spawn(
      shard.strand, StopOnShard(this, &shard, execution_arn, std::move(error), std::move(cause)),
      use_awaitable);
  if (in_memory) co_return std::move(*in_memory);
  auto stored = DescribeStoredMachine(store, execution_arn);
  if (!stored.ok()) co_return std::move(stored).error();
  co_return stored->stop_time;
}

net::awaitable<Result<Millis>> Engine::StopMachineExecution(std::string execution_arn,
                                                            std::optional<std::string> error,
                                                            std::optional<std::string> cause) {
  co_return co_await impl_->StopMachine(std::move(execution_arn), std::move(error),
                                        std::move(cause));
}

namespace {

net::awaitable<void> StopChildNow(Engine::Impl* impl, std::string arn) {
  auto stopped = co_await impl->StopMachine(arn, std::nullopt, std::nullopt);
  if (!stopped.ok())
    log::Info("stopping nested execution " + arn + ": " + stopped.error().message());
}

}  // namespace

void Engine::Impl::StopChild(const std::string& execution_arn) {
  net::co_spawn(io, StopChildNow(this, execution_arn), net::detached);
}

net::awaitable<Result<MachineExecution>> Engine::Impl::DescribeMachine(std::string execution_arn) {
  Shard& shard = ShardFor(std::string(kMachineDomain), execution_arn);
  auto in_memory =
      co_await net::co_spawn(shard.strand, DescribeOnShard(&shard, execution_arn), use_awaitable);
  if (in_memory) co_return std::move(*in_memory);
  co_return DescribeStoredMachine(store, execution_arn);
}

net::awaitable<Result<MachineExecution>> Engine::DescribeMachineExecution(
    std::string execution_arn) {
  co_return co_await impl_->DescribeMachine(std::move(execution_arn));
}

net::awaitable<Result<MachineHistoryPage>> Engine::GetMachineHistory(std::string execution_arn,
                                                                     int64_t start, int64_t limit,
                                                                     bool reverse) {
  auto record = impl_->store.GetExecution(execution_arn);
  if (!record.ok()) co_return std::move(record).error();
  if (!*record || (*record)->domain != kMachineDomain) {
    co_return UnknownMachineExecution(execution_arn);
  }
  MachineHistoryPage page;
  page.total = (*record)->last_event_id;  // ids are 1..total
  int64_t count = std::max<int64_t>(0, page.total - start);
  if (limit >= 0) count = std::min(count, limit);
  if (count == 0) co_return page;
  // Forward: ids start+1 .. start+count; reverse: total-start down to
  // total-start-count+1.
  int64_t after = reverse ? page.total - start - count : start;
  auto events = impl_->store.LoadEvents(execution_arn, after, count);
  if (!events.ok()) co_return std::move(events).error();
  page.events.reserve(events->size());
  for (const auto& r : *events) {
    auto e = MachineEventFromRecord(r);
    if (!e.ok()) co_return std::move(e).error();
    page.events.push_back(std::move(*e));
  }
  if (reverse) std::reverse(page.events.begin(), page.events.end());
  co_return page;
}

namespace {

// A stored run as its row gives it: its start (all but the input, which is
// in its first event and in its snapshot), compiled definition and times.
Result<std::unique_ptr<MachineRun>> RunOfRow(Engine::Impl& impl, const store::ExecutionRecord& r) {
  auto data = ParseJson(r.data);
  const json::object empty;
  const json::object& o = data.ok() && data->is_object() ? data->as_object() : empty;
  auto str = [&o](std::string_view key) {
    const auto* s = FindString(o, key);
    return s ? std::string(*s) : std::string();
  };
  MachineStart start;
  start.execution_arn = r.run_id;
  start.name = str("name");
  start.state_machine_arn = r.type_name;
  start.state_machine_name = r.type_name.substr(r.type_name.rfind(':') + 1);
  start.version_arn = r.type_version;
  for (const auto& tag : r.tags) {
    if (tag.rfind("alias=", 0) == 0) start.alias_arn = tag.substr(6);
  }
  start.revision_id = str("revisionId");
  start.role_arn = str("roleArn");
  start.parent_execution_arn = str("parent");
  start.map_run_arn = str("mapRun");
  start.definition_arn = str("definitionOf");
  start.root_block = static_cast<int>(FindInt(o, "rootBlock").value_or(0));
  const std::string& definition_arn =
      start.definition_arn.empty() ? r.type_name : start.definition_arn;
  auto revision = impl.registry.Get(kStateMachineRevisionKind, definition_arn, start.revision_id);
  const auto* definition = revision ? FindString(revision->data, "definition") : nullptr;
  if (!definition) {
    return Error::Internal("execution " + r.run_id + ": its definition (revision " +
                           start.revision_id + ") is not in the registry");
  }
  auto machine = impl.Compile(definition_arn, start.revision_id, std::string(*definition));
  if (!machine.ok()) return machine.error();
  auto run = std::make_unique<MachineRun>();
  run->start = std::move(start);
  run->machine = *machine;
  run->start_time = r.start_time;
  run->stop_time = r.close_time;
  run->redrive_time = FindInt(o, "redriveDate").value_or(0);
  run->submitted_event_id = r.last_event_id;
  return run;
}

}  // namespace

Result<std::unique_ptr<MachineRun>> Engine::Impl::LoadMachine(const store::ExecutionRecord& r) {
  auto parsed = r.snapshot.empty() ? Result<json::value>(Error::Internal("no snapshot"))
                                   : ParseJson(r.snapshot);
  if (parsed.ok() && parsed->is_object()) {
    auto run = RunOfRow(*this, r);
    if (!run.ok()) return run.error();
    MachineRun& x = **run;
    Status restored =
        RestoreMachineSnapshot(x, parsed->as_object(), ContextOf(x.start, r.start_time));
    // A snapshot this weft cannot read, or one behind the row's history
    // (never written so): the history is the truth.
    if (restored.ok() && x.interpreter->last_event_id() == r.last_event_id) {
      x.start.input = x.interpreter->input();
      x.view = ViewOf(x);  // its row is durable
      return std::move(*run);
    }
  }
  auto replayed = ReplayMachine(r);
  if (!replayed.ok()) return replayed.error();
  return std::move(replayed->run);
}

Result<LoadedRun> Engine::Impl::ReplayMachine(const store::ExecutionRecord& r) {
  auto made = RunOfRow(*this, r);
  if (!made.ok()) return made.error();
  auto records = store.LoadEvents(r.run_id);
  if (!records.ok()) return records.error();
  LoadedRun loaded;
  std::vector<asl::HistoryEvent>& history = loaded.history;
  history.reserve(records->size());
  for (const auto& rec : *records) {
    auto e = MachineEventFromRecord(rec);
    if (!e.ok()) return e.error();
    history.push_back(std::move(*e));
  }
  if (history.empty()) return Error::Internal("execution " + r.run_id + " has no history");
  std::unique_ptr<MachineRun> run = std::move(*made);
  json::object started = history.front().Details();  // by value: keep it while reading it
  if (const auto* in = FindString(started, "input")) run->start.input = *in;
  run->submitted_event_id = history.back().id;
  std::vector<asl::Command> pending;
  run->map_run_starts.clear();
  asl::IterationLookup iterations = StoredIterations(r.run_id, run->map_run_starts);
  auto x = asl::Execution::Replay(run->machine, ContextOf(run->start, r.start_time), history,
                                  &pending, &iterations);
  if (!x.ok()) {
    return Error::Internal("execution " + r.run_id + " does not replay: " + x.error().message());
  }
  run->interpreter.emplace(std::move(*x));
  run->view = ViewOf(*run);  // its history is durable
  RestorePendingWork(*run, history, std::move(pending));
  loaded.run = std::move(run);
  return loaded;
}

Result<MachineRun*> Engine::Impl::FindMachine(Shard& shard, const std::string& arn) {
  if (MachineRun* run = shard.machines.Find(arn)) return run;
  auto record = store.GetExecution(arn);
  if (!record.ok()) return record.error();
  if (!*record || !(*record)->open || (*record)->domain != kMachineDomain) return nullptr;
  CountCacheLoad();
  auto loaded = LoadMachine(**record);
  if (!loaded.ok()) return loaded.error();
  return &shard.machines.Insert(arn, std::move(*loaded));
}

Status Engine::Impl::RecoverMachine(const store::ExecutionRecord& r, RecoveryBackfill& backfill) {
  auto loaded = LoadMachine(r);
  if (!loaded.ok()) return loaded.error();
  Shard& shard = ShardFor(std::string(kMachineDomain), r.run_id);
  MachineEffects fx = MachineEffectsOfRun(**loaded);
  // Its timers are rows (written now for a store made before they were).
  if (backfill.machine_timers) {
    for (const MachineTimer& t : fx.timers) {
      backfill.timer_rows.push_back(MachineTimerRowOf(t, shard.index));
    }
  }
  fx.timers.clear();
  BackfillTaskRows(backfill, fx.add_tasks);
  if (fx.calls.empty()) backfill.no_work.push_back(r.run_id);
  // In memory while the cache has room (its calls are made from it).
  shard.machines.Insert(r.run_id, std::move(*loaded));
  ApplyMachine(shard, std::move(fx));
  return {};
}

namespace {

constexpr Millis kRedriveWindow = 14LL * 24 * 3600 * 1000;  // AWS: 14 days after the close

Error NotRedrivable(const std::string& arn, const std::string& why) {
  return Error(Errc::kConflict, "Execution Not Redrivable: '" + arn + "': " + why);
}

net::awaitable<Result<Millis>> RedriveOnShard(Engine::Impl* impl, Shard* shard,
                                              std::shared_ptr<LoadedRun> loaded) {
  MachineRun& loaded_run = *loaded->run;
  const std::string arn = loaded_run.start.execution_arn;
  // Running again since it was read (a redrive that raced this one)?
  auto row = impl->store.GetExecution(arn);
  if (shard->machines.Contains(arn) || !row.ok() || !*row || (*row)->open) {
    co_return NotRedrivable(arn, "it is running");
  }
  Millis now = impl->clock.Now();
  MachineRun& run = shard->machines.Insert(arn, std::move(loaded->run));
  MachineStep step(*shard, run, now);
  Status s = run.interpreter->Redrive(loaded->history, now, step.result());
  if (!s.ok()) {
    shard->machines.Erase(arn);
    co_return NotRedrivable(arn, s.error().message());
  }
  run.stop_time = 0;
  run.redrive_time = now;
  step.Absorb();
  Status committed = co_await impl->CommitMachine(*shard, step);
  if (!committed.ok()) co_return std::move(committed).error();
  co_return now;
}

}  // namespace

net::awaitable<Result<Millis>> Engine::RedriveMachineExecution(std::string execution_arn) {
  auto record = impl_->store.GetExecution(execution_arn);
  if (!record.ok()) co_return std::move(record).error();
  if (!*record || (*record)->domain != kMachineDomain) {
    co_return UnknownMachineExecution(execution_arn);
  }
  const store::ExecutionRecord& r = **record;
  if (r.open) co_return NotRedrivable(execution_arn, "it is RUNNING");
  if (r.close_status == "SUCCEEDED") co_return NotRedrivable(execution_arn, "it SUCCEEDED");
  if (impl_->clock.Now() - r.close_time > kRedriveWindow) {
    co_return NotRedrivable(execution_arn, "it closed more than 14 days ago");
  }
  auto loaded = impl_->ReplayMachine(r);  // Redrive reads its history
  if (!loaded.ok()) co_return std::move(loaded).error();
  if (const std::string& map_run = loaded->run->start.map_run_arn; !map_run.empty()) {
    co_return NotRedrivable(execution_arn, "it is a child execution of Map Run '" + map_run +
                                               "': redrive its parent execution");
  }
  auto shared = std::make_shared<LoadedRun>(std::move(*loaded));
  Shard& shard = impl_->ShardFor(std::string(kMachineDomain), execution_arn);
  co_return co_await net::co_spawn(shard.strand, RedriveOnShard(impl_.get(), &shard, shared),
                                   use_awaitable);
}

}  // namespace weft::engine
