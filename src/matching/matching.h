// src/matching/matching.h: task lists and long polls.
//
// Matching hands the tasks that wait for a worker (decision tasks and
// activity tasks) in task lists to the pollers that wait for a task. A task
// goes straight to a waiting poller; a long poll is a suspended coroutine,
// not a thread.
//
// Stored tasks (Task::stored) are kept by a TaskSource (the engine's store):
// matching holds only the first ones of each list, up to
// MatchingOptions::tasks_in_memory, and reads the next ones from the source
// as the list empties. So memory does not grow with how much is queued, and
// after a restart a list is read when it is first polled. A task is queued
// again if it is read while handed out and not yet recorded as started.
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
  int32_t priority = 0;  // higher first
  // Among equal priorities, lower first (the order tasks were scheduled
  // in); 0: matching numbers it on arrival.
  int64_t seq = 0;
  // Kept by the TaskSource too (an Express execution's tasks are not).
  bool stored = false;
};

// Where stored tasks are kept: the engine's store.
class TaskSource {
 public:
  virtual ~TaskSource() = default;
  // Up to `limit` stored tasks of `key` that come after `after` (from the
  // first when nullopt), in hand-out order: priority descending, then seq,
  // run_id and scheduled_event_id ascending.
  virtual net::awaitable<Result<std::vector<Task>>> Read(TaskListKey key, std::optional<Task> after,
                                                         int64_t limit) = 0;
  // The number of stored tasks of one kind (for the pending-tasks gauge).
  virtual int64_t CountStored(TaskKind kind) = 0;
};

struct MatchingOptions {
  // More pollers than this on one task list get LimitExceededFault, as in SWF.
  size_t max_pollers_per_task_list = 1000;
  // Stored tasks held in memory per list; more are read when it runs low.
  size_t tasks_in_memory = 1000;
};

class Matching {
 public:
  // Without a source every task is held in memory.
  Matching(net::io_context& io, MatchingOptions options = {}, TaskSource* source = nullptr);
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

  // The number of tasks of a list queued in memory (not counting ones
  // handed out); with `only_unstored`, of those not kept by the source.
  int64_t CountTasks(const TaskListKey& key, bool only_unstored = false) const;
  // Tasks of one kind waiting for a poller: the source's and the others.
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
  // Hands `task` to a waiting poller, else queues it (mu_ held).
  void OfferLocked(TaskList& list, Task task);
  // Starts reading the next stored tasks of a list, unless it is already
  // reading or has read all (mu_ held).
  void ReadAheadLocked(const TaskListKey& key, TaskList& list);
  static net::awaitable<void> ReadAhead(Matching* self, std::weak_ptr<int> alive, TaskListKey key,
                                        std::optional<Task> after, int64_t limit);
  void OnRead(const TaskListKey& key, Result<std::vector<Task>> read, int64_t limit);
  void Finish(const std::shared_ptr<Waiter>& w);  // mu_ held
  void Abandon(const TaskListKey& key, const std::shared_ptr<Waiter>& w);
  static net::awaitable<void> WaitOnStrand(Matching* self, std::shared_ptr<Waiter> w,
                                           std::chrono::milliseconds timeout);

  net::io_context& io_;
  MatchingOptions options_;
  TaskSource* source_;
  mutable std::mutex mu_;
  std::unordered_map<TaskListKey, std::unique_ptr<TaskList>, KeyHash> lists_;
  int64_t next_seq_ = 1;
  bool shutdown_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // for reads in flight
  std::vector<metrics::GaugeHandle> pending_gauges_;       // last: removed before the rest goes
};

}  // namespace weft::matching
