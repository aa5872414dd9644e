// src/store/store.h: durable storage for weft, behind one interface.
//
// What is stored (docs/architecture.md, "Storage"):
//  - the registry: domains, workflow types, activity types (later: state
//    machines, activities), each one row of indexable columns plus an opaque
//    JSON `data` text owned by the layer above;
//  - executions: one row per run (indexable columns for visibility queries,
//    plus opaque `data`), and its history: an append-only list of events.
// Each execution row also holds a snapshot of its state, written with its
// events; the history stays the truth (see engine/).
//
// Implementations: SQLite (store/sqlite/, embedded, the default) and later
// PostgreSQL (several nodes). The same test suite (tests/unit/store/) runs
// against every implementation.
//
// Thread safety: every method may be called from any thread. Write() calls
// are serialised by the implementation; reads run concurrently with writes
// and see only committed data. Calls block: the engine issues them from its
// store Committer thread (writes) or briefly from request handlers (reads of
// closed executions, visibility queries).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace weft::store {

struct RegistryRecord {
  std::string kind;   // "domain", "workflow_type", "activity_type", ...
  std::string scope;  // the domain of a type; "" for a domain
  std::string name;
  std::string version;  // "" for kinds without versions
  std::string status;   // "REGISTERED" or "DEPRECATED"
  Millis created = 0;
  std::string data;  // JSON text, owned by the layer above
};

struct RegistryWrite {
  RegistryRecord record;  // upserted on (kind, scope, name, version)
  bool erase = false;     // delete the row instead
};

struct EventRecord {
  int64_t event_id = 0;  // 1, 2, 3, ... within a run
  uint16_t type = 0;     // engine::EventType, a frozen number
  Millis time = 0;
  std::string attributes;  // JSON text
};

struct ExecutionRecord {
  std::string run_id;  // unique across the store
  std::string domain;
  std::string workflow_id;
  std::string type_name;
  std::string type_version;
  bool open = true;
  std::string close_status;  // "" while open; COMPLETED, FAILED, ...
  Millis start_time = 0;
  Millis close_time = 0;  // 0 while open
  int32_t shard = 0;
  int64_t last_event_id = 0;  // id of the last event in the stored history
  std::vector<std::string> tags;
  std::string data;  // JSON text, owned by the layer above
  // The execution's mutable state as of last_event_id (JSON text, owned by
  // the layer above): loading an execution reads it instead of replaying
  // the history. "" when there is none. Read by GetExecution and
  // LoadExecutionsWithWork, not by visibility lists.
  std::string snapshot;
  // The run has work outstanding beyond its timers and tasks (the layer
  // above decides: for the engine, calls to make and other executions to
  // tell): start-up reads only open rows that have.
  bool has_work = false;
};

struct ExecutionWrite {
  ExecutionRecord execution;  // upserted on run_id
  // Appended to the run's history; their ids must continue it without gaps.
  std::vector<EventRecord> events;
  // The history must end at this id before the write (0 for a new run);
  // otherwise the batch fails with Errc::kConflict and writes nothing. This
  // catches double appends and, with several nodes, a stale shard owner.
  // A workflowId has at most one open run (in domains without ':', i.e.
  // SWF's): a write that would open a second one fails the batch with
  // Errc::kConflict, and it writes nothing, so that a start need not look
  // for an open run first. Closing the open run earlier in the same batch
  // (continue-as-new) frees the workflowId.
  int64_t expected_last_event_id = 0;
};

// A run id used again once the run that had it is over for long enough: if
// the run is stored it must be closed, and closed before `closed_before`
// (otherwise the batch fails with Errc::kConflict and writes nothing), and it
// is deleted (row, tags, events) before the batch's execution writes; if it
// is not stored, nothing happens.
struct RunErase {
  std::string run_id;
  Millis closed_before = 0;
};

// A timer row: something of an execution is due at `due` (a timeout, a
// user timer, a Wait state). Written with the events that arm it; the
// engine reads the rows due soon (LoadTimers) and deletes a row once it has
// fired. `key` tells apart the timers of one run due at the same time;
// `data` is JSON text owned by the layer above.
struct TimerRecord {
  int32_t shard = 0;
  Millis due = 0;
  std::string run_id;
  std::string key;
  std::string data;  // "" in a timers_done entry
};

// A task row: a decision or activity task that waits for a worker. Written
// with the event that schedules it, deleted with the one that records it
// started or withdraws it, so that tasks outlive a restart without their
// executions being read (engine/task_rows.cc). `task_list` is the list's
// name as the layer above encodes it; a list hands out its rows by priority
// (highest first), then `seq` (oldest first).
struct TaskRecord {
  std::string task_list;
  std::string run_id;
  int64_t scheduled_id = 0;
  int32_t priority = 0;
  int64_t seq = 0;
  std::string workflow_id;  // unused in a tasks_done entry
};

// What one engine step changes, written atomically: all or nothing.
struct WriteBatch {
  int32_t shard = 0;           // the shard that wrote it
  uint64_t fencing_token = 0;  // the shard lease's token (PostgreSQL); unused by SQLite
  std::vector<RegistryWrite> registry;
  std::vector<RunErase> erase;
  std::vector<ExecutionWrite> executions;
  std::vector<TimerRecord> timers;       // inserted (a row already there is kept)
  std::vector<TimerRecord> timers_done;  // deleted, by (shard, due, run_id, key)
  std::vector<TaskRecord> tasks;         // inserted (a row already there is kept)
  std::vector<TaskRecord> tasks_done;    // deleted, by (task_list, run_id, scheduled_id)
  std::vector<std::string> no_work;      // runs whose has_work is cleared (start-up)
};

// A visibility query over one domain (List/Count Open/Closed executions).
struct ExecutionQuery {
  std::string domain;
  bool open = true;              // open executions, or closed ones
  bool open_and_closed = false;  // both (then `open` is not looked at)
  // Time filters, inclusive; nullopt = unbounded. start applies to
  // start_time, close to close_time.
  std::optional<Millis> start_oldest, start_latest;
  std::optional<Millis> close_oldest, close_latest;
  std::optional<std::string> workflow_id;
  std::optional<std::string> type_name;
  std::optional<std::string> type_version;  // only together with type_name
  std::optional<std::string> tag;
  std::optional<std::string> close_status;
  // Default order is newest first by start time (closed: by close time when a
  // close filter is given); reverse flips it.
  bool reverse = false;
  int32_t page_size = 1000;  // 1..1000
  std::string page_token;    // from a previous ExecutionPage; "" = first page
};

struct ExecutionPage {
  std::vector<ExecutionRecord> executions;
  std::string next_page_token;  // "" when there are no more
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes each batch atomically and durably (fsync) in one transaction
  // (group commit). Returns one Status per batch, in order: a batch that
  // fails (kConflict, kValidation) writes nothing and does not affect the
  // others. Only one Write runs at a time.
  virtual std::vector<Status> Write(std::span<const WriteBatch* const> batches) = 0;

  virtual Result<std::vector<RegistryRecord>> LoadRegistry() = 0;
  // Open executions with has_work and run_id > `after_run_id`, in run_id
  // order, at most `limit` (-1: all): start-up reads them a page at a time.
  virtual Result<std::vector<ExecutionRecord>> LoadExecutionsWithWork(
      const std::string& after_run_id, int64_t limit) = 0;
  virtual Result<std::optional<ExecutionRecord>> GetExecution(const std::string& run_id) = 0;
  // The open run of a workflowId in a domain, if there is one.
  virtual Result<std::optional<ExecutionRecord>> GetOpenExecution(
      const std::string& domain, const std::string& workflow_id) = 0;
  // Events with after_event_id < event_id, ascending, at most `limit` (-1 = all).
  virtual Result<std::vector<EventRecord>> LoadEvents(const std::string& run_id,
                                                      int64_t after_event_id = 0,
                                                      int64_t limit = -1) = 0;
  virtual Result<ExecutionPage> ListExecutions(const ExecutionQuery& query) = 0;
  // The number of executions the query matches (page fields ignored).
  virtual Result<int64_t> CountExecutions(const ExecutionQuery& query) = 0;
  // The timer rows with from <= due < before, of one shard or (nullopt) of
  // every shard, by due time (then shard), at most `limit`.
  virtual Result<std::vector<TimerRecord>> LoadTimers(std::optional<int32_t> shard, Millis from,
                                                      Millis before, int64_t limit) = 0;
  // The task rows of `task_list` in hand-out order, starting after `after`
  // (its priority, seq, run_id and scheduled_id; nullptr: from the first),
  // at most `limit`.
  virtual Result<std::vector<TaskRecord>> LoadTasks(const std::string& task_list,
                                                    const TaskRecord* after, int64_t limit) = 0;
  // The number of task rows whose task_list is in [from, before).
  virtual Result<int64_t> CountTasks(const std::string& from, const std::string& before) = 0;
};

// Opens (creating if needed) the SQLite store in `data_dir` (the directory is
// created too), in WAL mode with synchronous=FULL, migrating its schema.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir);

// Group commit: batches submitted from any thread are written by one writer
// thread, as many at a time as are queued (one transaction, one fsync).
// `done` runs on the writer thread once the batch is durable (or failed); it
// must be quick and must not call Submit on the same committer re-entrantly
// in a way that waits.
class Committer {
 public:
  explicit Committer(Store& store);
  ~Committer();  // drains the queue, then stops the writer thread
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void Submit(WriteBatch batch, std::function<void(Status)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::store
