#include "matching/matching.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <tuple>
#include <unordered_set>

#include "common/log.h"

namespace weft::matching {

// A suspended poll. Its timer is only touched on its strand: the wait is
// armed there, and a wake-up posts its cancel there, so a wake-up can never
// slip in between "no task yet" and "start waiting".
struct Matching::Waiter {
  explicit Waiter(net::io_context& io) : strand(net::make_strand(io)), timer(strand) {}
  net::strand<net::io_context::executor_type> strand;
  net::steady_timer timer;
  bool finished = false;     // guarded by Matching::mu_
  std::optional<Task> task;  // guarded by Matching::mu_
};

// A task's place in its list: priority descending, then seq; run id and
// scheduled id make it total (the store's order, TaskSource::Read).
using Order = std::tuple<int64_t, int64_t, std::string, int64_t>;

Order OrderOf(const Task& t) {
  return {-static_cast<int64_t>(t.priority), t.seq, t.run_id, t.scheduled_event_id};
}

struct Matching::TaskList {
  explicit TaskList(bool read_all) : read_all(read_all) {}

  // The first entry is the next to hand out.
  std::map<Order, Task> queue;
  // run_id/scheduled id -> queue key, for RemoveTask and de-duplication.
  std::unordered_map<std::string, Order> index;
  std::deque<std::shared_ptr<Waiter>> waiters;
  size_t stored = 0;  // entries of `queue` the source keeps too
  // Every stored task ordered at or before `horizon` is in `queue` or was
  // handed out; those after it are read when the queue runs low. nullopt:
  // nothing read yet.
  std::optional<Order> horizon;
  bool read_all = false;  // the horizon is the end of the stored tasks
  bool reading = false;
  // Stored tasks added past the horizon while a read was in flight: the
  // read may have missed them, and the horizon may move past them.
  std::vector<Task> added_while_reading;

  static std::string TaskId(const std::string& run_id, int64_t scheduled_event_id) {
    return run_id + '/' + std::to_string(scheduled_event_id);
  }
  bool Holds(const Task& t) const {
    return !t.stored || read_all || (horizon && OrderOf(t) <= *horizon);
  }
  void Queue(Task t) {
    Order order = OrderOf(t);
    if (t.stored) ++stored;
    index.emplace(TaskId(t.run_id, t.scheduled_event_id), order);
    queue.emplace(std::move(order), std::move(t));
  }
  void Erase(std::map<Order, Task>::iterator it) {
    if (it->second.stored) --stored;
    index.erase(TaskId(it->second.run_id, it->second.scheduled_event_id));
    queue.erase(it);
  }
  // Drops the last stored entry and moves the horizon before it: it is read
  // again when its turn comes.
  void EvictLast() {
    for (auto it = queue.end(); it != queue.begin();) {
      --it;
      if (!it->second.stored) continue;
      Erase(it);
      read_all = false;
      horizon.reset();
      for (auto last = queue.rbegin(); last != queue.rend(); ++last) {
        if (last->second.stored) {
          horizon = last->first;
          break;
        }
      }
      return;
    }
  }
  std::optional<Task> Pop() {
    if (queue.empty()) return std::nullopt;
    auto it = queue.begin();
    if (it->second.stored) --stored;
    index.erase(TaskId(it->second.run_id, it->second.scheduled_event_id));
    Task t = std::move(it->second);
    queue.erase(it);
    return t;
  }
};

namespace {

const char* KindLabel(TaskKind kind) {
  return kind == TaskKind::kDecision ? "decision" : "activity";
}

// Times one poll and counts what it got: GET /metrics shows how long pollers
// wait (weft_poll_wait_seconds) and how many tasks were handed out.
class PollTimer {
 public:
  explicit PollTimer(TaskKind kind) : kind_(kind), start_(std::chrono::steady_clock::now()) {}

  std::optional<Task> Done(std::optional<Task> task) {
    static metrics::Histogram* waits[2][2];  // [kind][got a task]
    static metrics::Counter* handed[2];
    static std::once_flag once;
    std::call_once(once, [] {
      for (TaskKind k : {TaskKind::kDecision, TaskKind::kActivity}) {
        int i = static_cast<int>(k);
        handed[i] = &metrics::GetCounter("weft_tasks_handed_out_total",
                                         "Decision and activity tasks given to pollers",
                                         {{"kind", KindLabel(k)}});
        for (int got = 0; got < 2; ++got) {
          waits[i][got] = &metrics::GetHistogram(
              "weft_poll_wait_seconds", "How long a poll waited, by whether it got a task",
              {{"kind", KindLabel(k)}, {"outcome", got ? "task" : "empty"}});
        }
      }
    });
    int i = static_cast<int>(kind_);
    double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    waits[i][task ? 1 : 0]->Observe(waited);
    if (task) handed[i]->Add();
    return task;
  }

 private:
  TaskKind kind_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

size_t Matching::KeyHash::operator()(const TaskListKey& k) const {
  size_t h = std::hash<std::string>()(k.domain);
  h ^= std::hash<std::string>()(k.name) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h ^ static_cast<size_t>(k.kind);
}

Matching::Matching(net::io_context& io, MatchingOptions options, TaskSource* source)
    : io_(io), options_(options), source_(source) {
  options_.tasks_in_memory = std::max<size_t>(1, options_.tasks_in_memory);
  for (TaskKind kind : {TaskKind::kDecision, TaskKind::kActivity}) {
    pending_gauges_.push_back(
        metrics::AddGauge("weft_pending_tasks", "Tasks scheduled and waiting for a poller",
                          {{"kind", KindLabel(kind)}},
                          [this, kind] { return static_cast<double>(CountPending(kind)); }));
  }
}
Matching::~Matching() = default;

Matching::TaskList& Matching::ListLocked(const TaskListKey& key) {
  auto& slot = lists_[key];
  if (!slot) slot = std::make_unique<TaskList>(/*read_all=*/source_ == nullptr);
  return *slot;
}

void Matching::OfferLocked(TaskList& list, Task task) {
  while (!list.waiters.empty()) {
    auto w = std::move(list.waiters.front());
    list.waiters.pop_front();
    if (w->finished) continue;
    w->task = std::move(task);
    Finish(w);
    return;
  }
  list.Queue(std::move(task));
  if (list.stored > options_.tasks_in_memory) list.EvictLast();
}

void Matching::ReadAheadLocked(const TaskListKey& key, TaskList& list) {
  if (list.read_all || list.reading || shutdown_) return;
  list.reading = true;
  std::optional<Task> after;
  if (list.horizon) {
    const auto& [rank, seq, run_id, scheduled_id] = *list.horizon;
    after = Task{"", run_id, scheduled_id, static_cast<int32_t>(-rank), seq, true};
  }
  auto limit = static_cast<int64_t>(options_.tasks_in_memory - list.stored);
  // Posted: a read may complete at once, and mu_ is held here.
  std::weak_ptr<int> alive = alive_;
  net::post(io_, [this, alive, key, after = std::move(after), limit = std::max<int64_t>(1, limit)] {
    if (alive.expired()) return;
    net::co_spawn(io_, ReadAhead(this, alive, key, after, limit), net::detached);
  });
}

net::awaitable<void> Matching::ReadAhead(Matching* self, std::weak_ptr<int> alive, TaskListKey key,
                                         std::optional<Task> after, int64_t limit) {
  Result<std::vector<Task>> read = co_await self->source_->Read(key, std::move(after), limit);
  if (alive.expired()) co_return;
  self->OnRead(key, std::move(read), limit);
}

void Matching::OnRead(const TaskListKey& key, Result<std::vector<Task>> read, int64_t limit) {
  std::lock_guard lock(mu_);
  TaskList& list = ListLocked(key);
  list.reading = false;
  std::vector<Task> late = std::move(list.added_while_reading);
  list.added_while_reading.clear();
  if (!read.ok()) {  // the next poll tries again; the tasks stay stored
    log::Error("reading the tasks of list '" + key.name + "' failed: " + read.error().message());
    return;
  }
  std::unordered_set<std::string> seen;
  for (Task& t : *read) {
    list.horizon = OrderOf(t);
    std::string id = TaskList::TaskId(t.run_id, t.scheduled_event_id);
    if (list.index.contains(id)) continue;
    seen.insert(std::move(id));
    t.stored = true;
    OfferLocked(list, std::move(t));
  }
  if (static_cast<int64_t>(read->size()) < limit) list.read_all = true;
  for (Task& t : late) {
    std::string id = TaskList::TaskId(t.run_id, t.scheduled_event_id);
    if (list.Holds(t) && !seen.contains(id) && !list.index.contains(id)) {
      OfferLocked(list, std::move(t));
    }
  }
  // Pollers still waiting, and more may be stored: read on.
  bool waiting = std::any_of(list.waiters.begin(), list.waiters.end(),
                             [](const auto& w) { return !w->finished; });
  if (waiting && list.queue.empty()) ReadAheadLocked(key, list);
}

void Matching::Finish(const std::shared_ptr<Waiter>& w) {
  w->finished = true;
  net::post(w->strand, [w] { w->timer.cancel(); });
}

void Matching::AddTask(const TaskListKey& key, Task task) {
  std::lock_guard lock(mu_);
  TaskList& list = ListLocked(key);
  if (list.index.contains(TaskList::TaskId(task.run_id, task.scheduled_event_id))) return;
  if (task.seq == 0) task.seq = next_seq_++;
  bool waiting = std::any_of(list.waiters.begin(), list.waiters.end(),
                             [](const auto& w) { return !w->finished; });
  // Past the horizon a stored task is left to the source, which hands it
  // out in its turn; a waiting poller takes it at once all the same.
  if (!waiting && !list.Holds(task)) {
    if (list.reading) list.added_while_reading.push_back(std::move(task));
    return;
  }
  OfferLocked(list, std::move(task));
}

bool Matching::RemoveTask(const TaskListKey& key, const std::string& run_id,
                          int64_t scheduled_event_id) {
  std::lock_guard lock(mu_);
  auto it = lists_.find(key);
  if (it == lists_.end()) return false;
  TaskList& list = *it->second;
  auto idx = list.index.find(TaskList::TaskId(run_id, scheduled_event_id));
  if (idx == list.index.end()) return false;
  list.Erase(list.queue.find(idx->second));
  return true;
}

void Matching::Abandon(const TaskListKey& key, const std::shared_ptr<Waiter>& w) {
  std::lock_guard lock(mu_);
  if (w->finished) return;
  auto it = lists_.find(key);
  if (it != lists_.end()) {
    auto& waiters = it->second->waiters;
    std::erase(waiters, w);
  }
  Finish(w);
}

// Parameters by value: a coroutine lambda's captures would not live in the
// coroutine frame.
net::awaitable<void> Matching::WaitOnStrand(Matching* self, std::shared_ptr<Waiter> w,
                                            std::chrono::milliseconds timeout) {
  w->timer.expires_after(timeout);
  {
    std::lock_guard lock(self->mu_);
    if (w->finished) co_return;
  }
  co_await w->timer.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<Result<std::optional<Task>>> Matching::Poll(
    TaskListKey key, std::chrono::milliseconds timeout,
    std::shared_ptr<DisconnectSignal> disconnect) {
  auto w = std::make_shared<Waiter>(io_);
  PollTimer timer(key.kind);
  {
    std::lock_guard lock(mu_);
    if (shutdown_) co_return std::optional<Task>();
    TaskList& list = ListLocked(key);
    std::optional<Task> t = list.Pop();
    // Read the next stored tasks before the queue runs dry.
    if (list.queue.empty() || list.stored < (options_.tasks_in_memory + 1) / 2) {
      ReadAheadLocked(key, list);
    }
    if (t) co_return timer.Done(std::move(t));
    if (list.waiters.size() >= options_.max_pollers_per_task_list) {
      co_return Error(Errc::kLimitExceeded,
                      "Too many pollers on task list '" + key.name + "' (limit " +
                          std::to_string(options_.max_pollers_per_task_list) + ")");
    }
    list.waiters.push_back(w);
  }
  if (disconnect) disconnect->Connect([this, key, w] { Abandon(key, w); });

  co_await net::co_spawn(w->strand, WaitOnStrand(this, w, timeout), net::use_awaitable);

  std::lock_guard lock(mu_);
  if (!w->finished) {  // timed out
    auto it = lists_.find(key);
    if (it != lists_.end()) std::erase(it->second->waiters, w);
    w->finished = true;
  }
  co_return timer.Done(std::move(w->task));
}

int64_t Matching::CountPending(TaskKind kind) const {
  int64_t n = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, list] : lists_) {
      if (key.kind != kind) continue;
      n += static_cast<int64_t>(list->queue.size());
      if (source_) n -= static_cast<int64_t>(list->stored);  // counted by the source
    }
  }
  return source_ ? n + source_->CountStored(kind) : n;
}

int64_t Matching::CountTasks(const TaskListKey& key, bool only_unstored) const {
  std::lock_guard lock(mu_);
  auto it = lists_.find(key);
  if (it == lists_.end()) return 0;
  auto n = static_cast<int64_t>(it->second->queue.size());
  return only_unstored ? n - static_cast<int64_t>(it->second->stored) : n;
}

void Matching::Shutdown() {
  std::lock_guard lock(mu_);
  shutdown_ = true;
  for (auto& [key, list] : lists_) {
    for (auto& w : list->waiters) {
      if (!w->finished) Finish(w);
    }
    list->waiters.clear();
  }
}

}  // namespace weft::matching
