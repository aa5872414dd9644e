// src/matching/matching.h: task lists and long polls.
//
// Matching holds, in memory, the tasks that wait for a worker (decision tasks
// and activity tasks) in task lists, and the pollers that wait for a task. A
// task goes straight to a waiting poller; a long poll is a suspended
// coroutine, not a thread. Nothing here is durable: the engine rebuilds the
// task lists from the stored histories at start-up (a task is "scheduled and
// not started" in its execution's history).
//
// A task handed to a poller is only an offer: the engine then records it as
// started on its execution, and if it has meanwhile been cancelled or timed
// out, the poller polls again.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/metrics.h"
#include "common/service.h"

namespace weft::matching {

namespace net = boost::asio;

enum class TaskKind : uint8_t { kDecision, kActivity };

// Identifies a task list: the same name in two domains, or for decisions and
// activities, are different lists.
struct TaskListKey {
  std::string domain;
  std::string name;
  TaskKind kind = TaskKind::kActivity;
  bool operator==(const TaskListKey&) const = default;
};

// What a poller receives: enough for the engine to find the execution and
// the task within it.
struct Task {
  std::string workflow_id;
  std::string run_id;
  int64_t scheduled_event_id = 0;
  int32_t priority = 0;  // higher first; FIFO among equals
};

struct MatchingOptions {
  // More pollers than this on one task list get LimitExceededFault, as in SWF.
  size_t max_pollers_per_task_list = 1000;
};

class Matching {
 public:
  Matching(net::io_context& io, MatchingOptions options = {});
  ~Matching();
  Matching(const Matching&) = delete;
  Matching& operator=(const Matching&) = delete;

  // Offers a task: to the longest-waiting poller of its list if there is one,
  // else queues it. Adding a task that is already queued does nothing.
  void AddTask(const TaskListKey& key, Task task);
  // Removes a queued task (an activity cancelled or timed out before it was
  // picked up). Returns whether it was queued.
  bool RemoveTask(const TaskListKey& key, const std::string& run_id, int64_t scheduled_event_id);

  // Waits up to `timeout` for a task. nullopt when the time ran out, the
  // client disconnected (`disconnect` fired) or Shutdown() was called.
  // LimitExceededFault when the list already has too many pollers.
  net::awaitable<Result<std::optional<Task>>> Poll(TaskListKey key,
                                                   std::chrono::milliseconds timeout,
                                                   std::shared_ptr<DisconnectSignal> disconnect);

  // The number of queued tasks in a list (not counting ones handed out).
  int64_t CountTasks(const TaskListKey& key) const;
  // The same over every list of one kind.
  int64_t CountPending(TaskKind kind) const;

  // Ends every waiting poll with no task, and makes later polls return at
  // once: the AWS protocols define an empty poll result, so a shutdown never
  // drops a client's connection mid-poll.
  void Shutdown();

 private:
  struct Waiter;
  struct TaskList;
  struct KeyHash {
    size_t operator()(const TaskListKey& k) const;
  };

  TaskList& ListLocked(const TaskListKey& key);
  void Finish(const std::shared_ptr<Waiter>& w);  // mu_ held
  void Abandon(const TaskListKey& key, const std::shared_ptr<Waiter>& w);
  static net::awaitable<void> WaitOnStrand(Matching* self, std::shared_ptr<Waiter> w,
                                           std::chrono::milliseconds timeout);

  net::io_context& io_;
  MatchingOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<TaskListKey, std::unique_ptr<TaskList>, KeyHash> lists_;
  uint64_t next_seq_ = 0;
  bool shutdown_ = false;
  std::vector<metrics::GaugeHandle> pending_gauges_;  // last: removed before the rest goes
};

}  // namespace weft::matching
