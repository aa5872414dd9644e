#include "engine/engine.h"

#include <openssl/rand.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>

#include "common/base64.h"
#include "common/ids.h"
#include "common/log.h"
#include "engine/commit.h"
#include "engine/engine_impl.h"

namespace weft::engine {

Error UnknownExecution(const ExecutionRef& ref) {
  if (ref.run_id.empty()) {
    return Error(Errc::kUnknownResource, "Unknown execution, workflowId = " + ref.workflow_id);
  }
  return Error(Errc::kUnknownResource, "Unknown execution: WorkflowExecution=[workflowId=" +
                                           ref.workflow_id + ", runId=" + ref.run_id + "]");
}

Error UnknownDomain(const std::string& domain) {
  return Error(Errc::kUnknownResource, "Unknown domain: " + domain);
}

Engine::Impl::Impl(net::io_context& io_context, store::Store& s, const Clock& c, EngineOptions o)
    : io(io_context),
      store(s),
      clock(c),
      options(o),
      committer(s),
      matching(io_context, matching::MatchingOptions{.tasks_in_memory = o.tasks_in_memory},
               &stored_tasks),
      registry(io_context, committer) {
  MakeShards(options.shards);
  // A FakeClock (tests) tells the engine when it moves.
  clock.OnAdvance([this, alive = std::weak_ptr<int>(this->alive)] {
    if (!alive.expired()) FireDueTimers();
  });
  outbound::HttpClientOptions http_options;
  http_options.extra_ca_pem = options.extra_ca_pem;
  if (auto client = outbound::HttpClient::Create(http_options); client.ok()) {
    http = std::move(*client);
  } else {
    log::Error("HTTP tasks are not available: " + client.error().message());
  }
}

// FNV-1a: stable across processes and builds (std::hash is not), since the
// shard an execution belongs to is stored and, with several nodes sharing a
// database, must be the same on every node.
Shard& Engine::Impl::ShardFor(const std::string& domain, const std::string& workflow_id) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : WorkflowKey(domain, workflow_id)) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return *shards[h % shards.size()];
}

void Engine::Impl::MakeShards(int count) {
  count = std::max(1, count);
  size_t per_shard = static_cast<size_t>(std::max<int64_t>(1, options.cache_size / count));
  shards.clear();
  for (int i = 0; i < count; ++i) {
    shards.push_back(std::make_unique<Shard>(io, i, per_shard));
  }
}

void Shard::Forget(const Execution& ex) {
  auto open = open_runs.find(WorkflowKey(ex.state.domain(), ex.state.workflow_id()));
  if (open != open_runs.end() && open->second == ex.state.run_id()) open_runs.erase(open);
}

void Shard::Evicted(const Execution& ex) {
  CountEviction();
  Forget(ex);
}

void Shard::CountEviction() {
  static metrics::Counter& evictions = metrics::GetCounter(
      "weft_execution_cache_evictions_total",
      "Executions (SWF and Step Functions) dropped from memory to make room (--cache-size)");
  evictions.Add();
}

void CountCacheLoad() {
  static metrics::Counter& loads = metrics::GetCounter(
      "weft_execution_cache_loads_total",
      "Executions (SWF and Step Functions) loaded from the store into memory (cache misses)");
  loads.Add();
}

namespace {

// Puts a stored open run into the shard's cache.
Result<Execution*> CacheRun(Shard& shard, store::Store& store, const store::ExecutionRecord& r) {
  CountCacheLoad();
  auto loaded = LoadExecution(store, r);
  if (!loaded.ok()) return loaded.error();
  Execution& ex = shard.runs.Insert(r.run_id, std::move(*loaded));
  shard.open_runs[WorkflowKey(r.domain, r.workflow_id)] = r.run_id;
  return &ex;
}

// A started run, durable now, joins the cache (pinned: the caller's step
// carries out its effects), unless a command loaded it from its row
// meanwhile: commands queued on the strand before this continuation may
// have read the store after the write; their copy stays.
void AdmitStarted(Shard& shard, const std::string& workflow, std::unique_ptr<Execution> run) {
  const std::string run_id = run->state.run_id();
  if (!shard.runs.Contains(run_id)) {
    shard.runs.Insert(run_id, std::move(run));
    shard.open_runs[workflow] = run_id;
  }
  shard.runs.Pin(run_id);
}

}  // namespace

Result<Execution*> Engine::Impl::LoadRun(Shard& shard, const std::string& run_id) {
  if (Execution* ex = shard.runs.Find(run_id)) return ex;
  auto record = store.GetExecution(run_id);
  if (!record.ok()) return record.error();
  if (!*record || !(*record)->open) return nullptr;
  return CacheRun(shard, store, **record);
}

Result<std::optional<std::string>> Engine::Impl::OpenRunOf(Shard& shard, const std::string& domain,
                                                           const std::string& workflow_id) {
  if (auto it = shard.open_runs.find(WorkflowKey(domain, workflow_id));
      it != shard.open_runs.end()) {
    return std::optional<std::string>(it->second);
  }
  auto record = store.GetOpenExecution(domain, workflow_id);
  if (!record.ok()) return record.error();
  if (!*record) return std::optional<std::string>();
  auto cached = CacheRun(shard, store, **record);
  if (!cached.ok()) return cached.error();
  return std::optional<std::string>((*record)->run_id);
}

Result<Execution*> Engine::Impl::FindOpen(Shard& shard, const ExecutionRef& ref) {
  std::string run_id = ref.run_id;
  if (run_id.empty()) {
    auto open = OpenRunOf(shard, ref.domain, ref.workflow_id);
    if (!open.ok()) return open.error();
    if (!*open) return UnknownExecution(ref);
    run_id = std::move(**open);
  }
  auto found = LoadRun(shard, run_id);
  if (!found.ok()) return found.error();
  Execution* ex = *found;
  if (!ex || !ex->state.open() || ex->state.domain() != ref.domain ||
      ex->state.workflow_id() != ref.workflow_id) {
    return UnknownExecution(ref);
  }
  return ex;
}

net::awaitable<Status> Engine::Impl::WriteStep(store::WriteBatch batch, bool creates) {
  ExecutionMetrics::Delta delta = ExecutionMetrics::Of(batch);
  Status s = co_await CommitBatch(committer, std::move(batch));
  if (s.ok()) execution_metrics.Count(delta);
  if (s.ok() || (creates && s.error().code() == Errc::kConflict)) co_return s;
  // Memory is now ahead of the store; continuing would serve state that a
  // restart would not see. Stop, and let recovery rebuild from the store.
  log::Error("store write failed, stopping: " + s.error().message());
  std::abort();
}

net::awaitable<Status> Engine::Impl::Commit(Shard& shard, Step& step,
                                            std::unique_ptr<Execution> creating) {
  if (step.empty()) co_return Status();
  // The history limit: the last event is the termination.
  const MutableState& state = step.state();
  if (state.open() && state.last_event_id() + 1 >= options.max_history_events) {
    step.Append(EventType::kWorkflowExecutionTerminated,
                {{"childPolicy", state.child_policy()}, {"cause", "EVENT_LIMIT_EXCEEDED"}});
  }
  Effects effects = std::move(step.effects());
  store::WriteBatch batch = step.TakeBatch();
  // A run continued as new: the new run is written in the same batch.
  std::optional<Effects> next_effects;
  if (Step* next = step.continuation()) {
    next_effects = std::move(next->effects());
    store::WriteBatch more = next->TakeBatch();
    for (auto& w : more.executions) batch.executions.push_back(std::move(w));
  }
  // The timers it arms and the tasks it offers are rows written with it; so
  // are the deletes of timers that fired and of tasks withdrawn or started.
  for (Effects* fx : {&effects, next_effects ? &*next_effects : nullptr}) {
    if (!fx) continue;
    for (const TimerSpec& t : fx->timers) batch.timers.push_back(TimerRowOf(t, shard.index));
    WriteTaskRows(batch, fx->run_id, fx->add_tasks, fx->remove_tasks);
  }
  // Not with a start's write, which may lose to a stored run.
  if (!creating) batch.timers_done = shard.TakeFiredTimers();
  NoteRowWritten(shard.runs, step.state().run_id(), step.execution(), clock.Now());
  if (Step* next = step.continuation()) {
    NoteRowWritten(shard.runs, next->state().run_id(), next->execution(), clock.Now());
  }
  // Pinned while written: memory is ahead of the store until it is durable.
  std::string run_id = step.state().run_id();
  std::string next_run_id = step.continuation() ? step.continuation()->state().run_id() : "";
  shard.runs.Pin(run_id);
  shard.runs.Pin(next_run_id);
  std::string workflow;
  if (creating) {
    workflow = WorkflowKey(step.state().domain(), step.state().workflow_id());
    shard.starting_runs.insert(workflow);
  }
  Status s = co_await WriteStep(std::move(batch), /*creates=*/creating != nullptr);
  if (creating) {
    shard.starting_runs.erase(workflow);
    if (!s.ok()) co_return Error(Errc::kAlreadyExists, "Already Started");
    AdmitStarted(shard, workflow, std::move(creating));
  }
  Apply(shard, std::move(effects));
  if (next_effects) Apply(shard, std::move(*next_effects));
  shard.runs.Unpin(run_id);
  shard.runs.Unpin(next_run_id);
  co_return s;
}

void Engine::Impl::Apply(Shard& shard, Effects effects) {
  shard.armed.Disarm(effects.run_id, effects.disarm);
  for (auto& [key, id] : effects.remove_tasks) matching.RemoveTask(key, effects.run_id, id);
  for (auto& [key, task] : effects.add_tasks) matching.AddTask(key, std::move(task));
  // The others are read from their rows when they are due soon.
  for (auto& t : effects.timers) {
    if (ArmsNow(t.due)) ArmTimer(shard, std::move(t));
  }
  for (auto& o : effects.outgoing) SendExternal(std::move(o));
  for (auto& c : effects.start_children) StartChild(std::move(c));
  for (auto& n : effects.notify_parents) NotifyParent(std::move(n));
  for (auto& p : effects.child_policies) ApplyChildPolicy(std::move(p));
  for (auto& w : effects.watch_children) WatchChild(std::move(w));
  for (auto& c : effects.parent_checks) CheckParent(std::move(c));
  for (int64_t id : effects.lambda_calls) {
    InvokeLambdaFunction(shard, effects.domain, effects.workflow_id, effects.run_id, id);
  }
  if (effects.closed) {
    // The run is closed and durable: later reads come from the store.
    Execution* ex = shard.runs.Find(effects.run_id);
    if (ex && !ex->state.open() && ex->submitted_event_id == ex->state.last_event_id()) {
      shard.Forget(*ex);
      shard.runs.Erase(effects.run_id);
      shard.armed.DisarmRun(effects.run_id);
    }
  }
}

namespace {

Result<HistoryEvent> EventOf(const store::EventRecord& rec, const std::string& run_id) {
  auto type = EventTypeFromNumber(rec.type);
  auto attrs = ParseJson(rec.attributes);
  if (!type || !attrs.ok() || !attrs->is_object()) {
    return Error::Internal("Corrupt event " + std::to_string(rec.event_id) + " of run " + run_id);
  }
  return HistoryEvent{rec.event_id, *type, rec.time, std::move(attrs->as_object())};
}

}  // namespace

Result<std::unique_ptr<Execution>> ReplayExecution(store::Store& store,
                                                   const store::ExecutionRecord& r) {
  auto events = store.LoadEvents(r.run_id);
  if (!events.ok()) return events.error();
  auto ex = std::make_unique<Execution>(r.domain, r.workflow_id, r.run_id,
                                        WorkflowType{r.type_name, r.type_version}, r.tags);
  for (auto& rec : *events) {
    auto e = EventOf(rec, r.run_id);
    if (!e.ok()) return e.error();
    ex->state.Apply(*e);
  }
  ex->submitted_event_id = ex->state.last_event_id();
  return ex;
}

Result<std::unique_ptr<Execution>> LoadExecution(store::Store& store,
                                                 const store::ExecutionRecord& r) {
  if (r.snapshot.empty()) return ReplayExecution(store, r);
  auto parsed = ParseJson(r.snapshot);
  if (!parsed.ok() || !parsed->is_object()) return ReplayExecution(store, r);
  auto state = MutableState::Restore(r.domain, r.workflow_id, r.run_id, parsed->as_object());
  // Not a snapshot this weft can read (a newer format): the history is the truth.
  if (!state.ok() || state->last_event_id() != r.last_event_id) return ReplayExecution(store, r);
  auto ex = std::make_unique<Execution>(std::move(*state),
                                        WorkflowType{r.type_name, r.type_version}, r.tags);
  ex->submitted_event_id = ex->state.last_event_id();
  return ex;
}

Result<std::vector<HistoryEvent>> LoadHistory(store::Store& store, const std::string& run_id,
                                              int64_t after_event_id, int64_t limit) {
  auto records = store.LoadEvents(run_id, after_event_id, limit);
  if (!records.ok()) return records.error();
  std::vector<HistoryEvent> events;
  events.reserve(records->size());
  for (const auto& rec : *records) {
    auto e = EventOf(rec, run_id);
    if (!e.ok()) return e.error();
    events.push_back(std::move(*e));
  }
  return events;
}

Result<HistoryEvent> LoadLastEvent(store::Store& store, const store::ExecutionRecord& r) {
  auto events = store.LoadEvents(r.run_id, r.last_event_id - 1, 1);
  if (!events.ok()) return events.error();
  if (events->empty()) return Error::Internal("run " + r.run_id + " has no events");
  return EventOf(events->front(), r.run_id);
}

Engine::Engine(net::io_context& io, store::Store& store, const Clock& clock, EngineOptions options)
    : impl_(std::make_unique<Impl>(io, store, clock, options)) {}

Engine::~Engine() = default;

Registry& Engine::registry() { return impl_->registry; }
const Clock& Engine::clock() const { return impl_->clock; }
store::Store& Engine::store() { return impl_->store; }

void Engine::Shutdown() {
  impl_->matching.Shutdown();
  if (impl_->timer_reader) impl_->timer_reader->cancel();
  if (impl_->sweep_timer) impl_->sweep_timer->cancel();
}

namespace {

// Writes one registry entry of the engine's own (a secret, a setting, a
// marker) straight to the store at start-up, and reloads the registry.
Status WriteOwnEntry(Engine::Impl& impl, std::string_view kind, std::string_view name,
                     json::object data) {
  store::WriteBatch batch;
  store::RegistryWrite w;
  w.record = {std::string(kind), "", std::string(name), "", "REGISTERED", 0, ToJson(data)};
  batch.registry.push_back(std::move(w));
  const store::WriteBatch* batches[] = {&batch};
  if (Status s = impl.store.Write(batches)[0]; !s.ok()) return s;
  return impl.registry.Load(impl.store);
}

}  // namespace

// The secret task tokens are signed with: created at the store's first start
// and kept in its registry, so tokens survive restarts (and, with several
// nodes on one database, are the same on every node).
Status LoadTokenKey(Engine::Impl& impl) {
  constexpr std::string_view kKind = "secret";
  constexpr std::string_view kName = "task_tokens";
  if (auto e = impl.registry.Get(kKind, "", kName)) {
    const auto* key = FindString(e->data, "key");
    auto bytes = key ? Base64Decode(*key) : std::nullopt;
    if (!bytes || bytes->size() < 32)
      return Error::Internal("the stored task token key is corrupt");
    impl.tokens = TokenSigner(std::move(*bytes));
    return {};
  }
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Error::Internal("no random bytes for the task token key");
  }
  if (Status s = WriteOwnEntry(impl, kKind, kName, {{"key", Base64Encode(key)}}); !s.ok()) {
    return s;
  }
  impl.tokens = TokenSigner(std::move(key));
  return {};
}

namespace {

constexpr std::string_view kConfigKind = "config";
constexpr std::string_view kShardsConfig = "shards";

// The store's shard count: stored at its first start (from the options),
// read at every later one, whatever the options say.
Status ApplyStoredShardCount(Engine::Impl& impl) {
  if (auto stored = impl.registry.Get(kConfigKind, "", kShardsConfig)) {
    auto count = FindInt(stored->data, "count");
    if (!count || *count < 1 || *count > 65'536) {
      return Error::Internal("the store's shard count is corrupt");
    }
    if (*count != impl.options.shards) {
      log::Info("the store has " + std::to_string(*count) + " shards (not " +
                std::to_string(impl.options.shards) + "): a store keeps its shard count");
    }
    impl.options.shards = static_cast<int>(*count);
    impl.MakeShards(impl.options.shards);
    return {};
  }
  return WriteOwnEntry(impl, kConfigKind, kShardsConfig,
                       {{"count", std::max(1, impl.options.shards)}});
}

constexpr std::string_view kMarkerKind = "marker";
// The timers of SWF runs are rows; those of Step Functions executions too
// (they became rows later); and the tasks of both, later still.
constexpr std::string_view kTimerRowsMarker = "timer_rows";
constexpr std::string_view kMachineTimerRowsMarker = "machine_timer_rows";
constexpr std::string_view kTaskRowsMarker = "task_rows";

// Writes `rows` into the batches' `field`, kRowsPerBatch at a time.
template <class Row>
Status WriteRows(Engine::Impl& impl, std::vector<Row> rows,
                 std::vector<Row> store::WriteBatch::*field) {
  constexpr size_t kRowsPerBatch = 10'000;
  for (size_t i = 0; i < rows.size(); i += kRowsPerBatch) {
    store::WriteBatch batch;
    auto begin = rows.begin() + static_cast<std::ptrdiff_t>(i);
    auto end = rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + kRowsPerBatch));
    (batch.*field).assign(std::make_move_iterator(begin), std::make_move_iterator(end));
    const store::WriteBatch* batches[] = {&batch};
    if (Status s = impl.store.Write(batches)[0]; !s.ok()) return s;
  }
  return {};
}

// A store written before timers (or tasks) were rows: those of its open
// runs are written as rows once, at the first start of this weft.
Status WriteBackfill(Engine::Impl& impl, RecoveryBackfill backfill) {
  if (Status s = WriteRows(impl, std::move(backfill.no_work), &store::WriteBatch::no_work);
      !s.ok()) {
    return s;
  }
  std::vector<std::string_view> markers;
  if (backfill.swf_timers) markers.push_back(kTimerRowsMarker);
  if (backfill.machine_timers) markers.push_back(kMachineTimerRowsMarker);
  if (backfill.tasks) markers.push_back(kTaskRowsMarker);
  if (markers.empty()) return {};
  const size_t timers = backfill.timer_rows.size(), tasks = backfill.task_rows.size();
  Status s = WriteRows(impl, std::move(backfill.timer_rows), &store::WriteBatch::timers);
  if (s.ok()) s = WriteRows(impl, std::move(backfill.task_rows), &store::WriteBatch::tasks);
  if (!s.ok()) return s;
  if (timers + tasks > 0) {
    log::Info("wrote " + std::to_string(timers) + " timer rows and " + std::to_string(tasks) +
              " task rows");
  }
  for (std::string_view marker : markers) {
    if (Status s = WriteOwnEntry(impl, kMarkerKind, marker, {}); !s.ok()) return s;
  }
  return {};
}

}  // namespace

void Engine::Impl::BackfillTaskRows(
    RecoveryBackfill& backfill,
    std::vector<std::pair<matching::TaskListKey, matching::Task>>& tasks) {
  if (backfill.tasks) {
    for (auto& [key, task] : tasks) {
      task.seq = NextTaskSeq();
      backfill.task_rows.push_back(TaskRowOf(key, task));
    }
  }
  tasks.clear();  // rows: matching reads them when their list is polled
}

namespace {

// Re-creates the tasks and pending work of one open SWF run (its timers
// are rows); the run itself stays in memory only while the cache has room.
Status RecoverRun(Engine::Impl& impl, const store::ExecutionRecord& r, RecoveryBackfill& backfill) {
  auto loaded = LoadExecution(impl.store, r);
  if (!loaded.ok()) return loaded.error();
  std::unique_ptr<Execution> ex = std::move(*loaded);
  Shard& shard = impl.ShardFor(r.domain, r.workflow_id);
  Effects fx = EffectsOfState(*ex);
  if (backfill.swf_timers) {
    for (const TimerSpec& t : fx.timers) backfill.timer_rows.push_back(TimerRowOf(t, shard.index));
  }
  fx.timers.clear();
  impl.BackfillTaskRows(backfill, fx.add_tasks);
  if (!HasOutboundWork(ex->state)) backfill.no_work.push_back(r.run_id);
  if (shard.runs.size() < shard.runs.capacity()) {
    shard.open_runs[WorkflowKey(r.domain, r.workflow_id)] = r.run_id;
    shard.runs.Insert(r.run_id, std::move(ex));
  }
  impl.Apply(shard, std::move(fx));
  return {};
}

// The open-execution gauges start from the store's counts, read after the
// start (which reads only executions with work) on the read pool.
void CountOpenExecutions(Engine::Impl& impl) {
  std::vector<std::string> domains;
  for (const RegistryEntry& d : impl.registry.List(kDomainKind, "")) {
    domains.push_back(d.record.name);
  }
  net::post(impl.reads, [&impl, domains = std::move(domains)] {
    auto count = [&impl](const std::string& domain) -> int64_t {
      store::ExecutionQuery q;
      q.domain = domain;
      auto n = impl.store.CountExecutions(q);
      if (!n.ok()) log::Error("counting open executions failed: " + n.error().message());
      return n.ok() ? *n : 0;
    };
    int64_t swf = 0;
    for (const std::string& d : domains) swf += count(d);
    impl.execution_metrics.AddOpen(false, swf);
    impl.execution_metrics.AddOpen(true, count(std::string(kMachineDomain)));
  });
}

}  // namespace

Status Engine::Recover() {
  if (Status s = impl_->registry.Load(impl_->store); !s.ok()) return s;
  if (Status s = LoadTokenKey(*impl_); !s.ok()) return s;
  if (Status s = ApplyStoredShardCount(*impl_); !s.ok()) return s;
  RecoveryBackfill backfill;
  backfill.swf_timers = !impl_->registry.Get(kMarkerKind, "", kTimerRowsMarker);
  backfill.machine_timers = !impl_->registry.Get(kMarkerKind, "", kMachineTimerRowsMarker);
  backfill.tasks = !impl_->registry.Get(kMarkerKind, "", kTaskRowsMarker);
  int64_t recovered = 0;
  std::string after;
  for (;;) {
    // A page at a time (EngineOptions::recovery_page).
    const int64_t page_size = std::max<int64_t>(1, impl_->options.recovery_page);
    auto page = impl_->store.LoadExecutionsWithWork(after, page_size);
    if (!page.ok()) return page.error();
    for (const auto& r : *page) {
      Status s;
      if (r.domain == kMachineDomain) {
        s = impl_->RecoverMachine(r, backfill);
      } else if (r.domain == kMapRunDomain) {  // a Map Run's row: its parent recovers it
        backfill.no_work.push_back(r.run_id);
      } else {
        s = RecoverRun(*impl_, r, backfill);
      }
      if (!s.ok()) return s;
    }
    recovered += static_cast<int64_t>(page->size());
    if (static_cast<int64_t>(page->size()) < page_size) break;
    after = page->back().run_id;
  }
  if (Status s = WriteBackfill(*impl_, std::move(backfill)); !s.ok()) return s;
  impl_->ReadTimers();
  impl_->StartTimerReaders();
  CountOpenExecutions(*impl_);
  log::Info("read " + std::to_string(recovered) + " open executions with work outstanding (" +
            std::to_string(impl_->shards.size()) + " shards)");
  return {};
}

}  // namespace weft::engine
