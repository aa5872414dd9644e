#include "matching/matching.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>

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

struct Matching::TaskList {
  // Ordered by (-priority, arrival): the first entry is the next to hand out.
  std::map<std::pair<int64_t, uint64_t>, Task> queue;
  // run_id/scheduled id -> queue key, for RemoveTask and de-duplication.
  std::unordered_map<std::string, std::pair<int64_t, uint64_t>> index;
  std::deque<std::shared_ptr<Waiter>> waiters;

  static std::string TaskId(const std::string& run_id, int64_t scheduled_event_id) {
    return run_id + '/' + std::to_string(scheduled_event_id);
  }
  std::optional<Task> Pop() {
    if (queue.empty()) return std::nullopt;
    auto it = queue.begin();
    Task t = std::move(it->second);
    queue.erase(it);
    index.erase(TaskId(t.run_id, t.scheduled_event_id));
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

Matching::Matching(net::io_context& io, MatchingOptions options) : io_(io), options_(options) {
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
  if (!slot) slot = std::make_unique<TaskList>();
  return *slot;
}

void Matching::Finish(const std::shared_ptr<Waiter>& w) {
  w->finished = true;
  net::post(w->strand, [w] { w->timer.cancel(); });
}

void Matching::AddTask(const TaskListKey& key, Task task) {
  std::lock_guard lock(mu_);
  TaskList& list = ListLocked(key);
  std::string id = TaskList::TaskId(task.run_id, task.scheduled_event_id);
  if (list.index.contains(id)) return;
  while (!list.waiters.empty()) {
    auto w = std::move(list.waiters.front());
    list.waiters.pop_front();
    if (w->finished) continue;
    w->task = std::move(task);
    Finish(w);
    return;
  }
  std::pair<int64_t, uint64_t> order{-static_cast<int64_t>(task.priority), next_seq_++};
  list.index.emplace(std::move(id), order);
  list.queue.emplace(order, std::move(task));
}

bool Matching::RemoveTask(const TaskListKey& key, const std::string& run_id,
                          int64_t scheduled_event_id) {
  std::lock_guard lock(mu_);
  auto it = lists_.find(key);
  if (it == lists_.end()) return false;
  TaskList& list = *it->second;
  auto idx = list.index.find(TaskList::TaskId(run_id, scheduled_event_id));
  if (idx == list.index.end()) return false;
  list.queue.erase(idx->second);
  list.index.erase(idx);
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
    if (auto t = list.Pop()) co_return timer.Done(std::move(t));
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
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& [key, list] : lists_)
    if (key.kind == kind) n += static_cast<int64_t>(list->queue.size());
  return n;
}

int64_t Matching::CountTasks(const TaskListKey& key) const {
  std::lock_guard lock(mu_);
  auto it = lists_.find(key);
  return it == lists_.end() ? 0 : static_cast<int64_t>(it->second->queue.size());
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
