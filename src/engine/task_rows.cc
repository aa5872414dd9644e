// Durable task queues: every decision and activity task that waits for a
// worker (SWF decision and activity tasks, Step Functions activity tasks) is
// a row of the store's tasks table, written in the batch of the step that
// schedules it and deleted in the batch of the step that records it started
// or withdraws it. Matching holds only the first rows of each list and reads
// the next ones as pollers take them (matching.h), so a restart reads no
// execution to rebuild the queues, and memory does not grow with them.
//
// A task is recorded as started on its execution exactly once: a row read
// again while its task is handed out, or left behind by a crash, is a stale
// offer that the poll loop drops (and deletes).
#include <atomic>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {

namespace {

// The range of task_list values holding the rows of every list of one kind.
std::pair<std::string, std::string> RowsOfKind(matching::TaskKind kind) {
  if (kind == matching::TaskKind::kDecision) return {"d", "e"};
  return {"a", "b"};
}

}  // namespace

std::string TaskListName(const matching::TaskListKey& key) {
  // Names hold no control characters (SWF refuses them, ARNs have none), so
  // '\x1f' separates, and a list's rows are the range [name, name + '\x1f').
  std::string name = RowsOfKind(key.kind).first;
  name += '\x1f';
  name += key.domain;
  name += '\x1f';
  name += key.name;
  return name;
}

store::TaskRecord TaskRowOf(const matching::TaskListKey& key, const matching::Task& task) {
  return store::TaskRecord{TaskListName(key), task.run_id, task.scheduled_event_id,
                           task.priority,     task.seq,    task.workflow_id};
}

int64_t Engine::Impl::NextTaskSeq() {
  // Scheduling order, also across restarts: the clock in microseconds-ish
  // units, never repeating within a process.
  int64_t floor = clock.Now() * 1000;
  int64_t last = last_task_seq.load(std::memory_order_relaxed);
  int64_t next;
  do {
    next = std::max(floor, last + 1);
  } while (!last_task_seq.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return next;
}

void Engine::Impl::WriteTaskRows(
    store::WriteBatch& batch, const std::string& run_id,
    std::vector<std::pair<matching::TaskListKey, matching::Task>>& add,
    const std::vector<std::pair<matching::TaskListKey, int64_t>>& remove) {
  for (auto& [key, task] : add) {
    task.stored = true;
    task.seq = NextTaskSeq();
    batch.tasks.push_back(TaskRowOf(key, task));
  }
  for (const auto& [key, scheduled_id] : remove) {
    batch.tasks_done.push_back(store::TaskRecord{TaskListName(key), run_id, scheduled_id});
  }
}

void Engine::Impl::DropStaleTask(const matching::TaskListKey& key, const matching::Task& task) {
  store::WriteBatch batch;
  batch.tasks_done.push_back(TaskRowOf(key, task));
  committer.Submit(std::move(batch), [run_id = task.run_id](Status s) {
    // Not deleted: it is offered again later, and found stale again.
    if (!s.ok()) log::Error("deleting a stale task of " + run_id + ": " + s.error().message());
  });
}

net::awaitable<Result<std::vector<matching::Task>>> StoredTasks::Read(
    matching::TaskListKey key, std::optional<matching::Task> after, int64_t limit) {
  store::Store* store = &impl_.store;
  std::optional<store::TaskRecord> cursor;
  if (after) cursor = TaskRowOf(key, *after);
  auto read = [store, list = TaskListName(key), cursor = std::move(cursor), limit] {
    return store->LoadTasks(list, cursor ? &*cursor : nullptr, limit);
  };
  auto rows = co_await OnReadPool(impl_, std::move(read));
  if (!rows.ok()) co_return std::move(rows).error();
  std::vector<matching::Task> tasks;
  tasks.reserve(rows->size());
  for (store::TaskRecord& r : *rows) {
    tasks.push_back(matching::Task{std::move(r.workflow_id), std::move(r.run_id), r.scheduled_id,
                                   r.priority, r.seq, /*stored=*/true});
  }
  co_return tasks;
}

int64_t StoredTasks::CountStored(matching::TaskKind kind) {
  auto [from, before] = RowsOfKind(kind);
  auto n = impl_.store.CountTasks(from, before);
  if (!n.ok()) {
    log::Error("counting stored tasks failed: " + n.error().message());
    return 0;
  }
  return *n;
}

net::awaitable<Result<int64_t>> Engine::CountPendingTasks(std::string domain, std::string task_list,
                                                          matching::TaskKind kind) {
  // The list's rows, and the tasks it holds that are not stored.
  matching::TaskListKey key{std::move(domain), std::move(task_list), kind};
  store::Store* store = &impl_->store;
  auto count = [store, name = TaskListName(key)] { return store->CountTasks(name, name + '\x1f'); };
  auto stored = co_await OnReadPool(*impl_, std::move(count));
  if (!stored.ok()) co_return std::move(stored).error();
  co_return *stored + impl_->matching.CountTasks(key, /*only_unstored=*/true);
}

}  // namespace weft::engine
