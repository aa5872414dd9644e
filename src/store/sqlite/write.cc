#include "store/sqlite/write.h"

#include <string>
#include <unordered_map>
#include <utility>

#include "store/sqlite/rows.h"
#include "store/sqlite/run_rows.h"

namespace weft::store::sqlite {

namespace {

// Runs a statement without parameters through the statement cache (BEGIN,
// SAVEPOINT, ... are executed for every batch; compile them once).
Status RunCached(Connection& conn, const std::string& sql) {
  Result<Statement> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  return stmt->Run();
}

// Checks a batch needs no database for: the appended events continue each
// other, start right after expected_last_event_id, and the record's
// last_event_id names the end of the history after the write.
Status CheckShape(const ExecutionWrite& w) {
  const std::string& run_id = w.execution.run_id;
  if (run_id.empty()) return Error::Validation("an execution write has an empty run_id");
  int64_t next = w.expected_last_event_id + 1;
  for (const EventRecord& event : w.events) {
    if (event.event_id != next) {
      return ConflictError("run " + run_id + ": event " + std::to_string(event.event_id) +
                           " does not continue the history (expected event " +
                           std::to_string(next) + ")");
    }
    ++next;
  }
  if (w.execution.last_event_id != next - 1) {
    return ConflictError(
        "run " + run_id + ": last_event_id " + std::to_string(w.execution.last_event_id) +
        " is not the end of the history after the write (" + std::to_string(next - 1) + ")");
  }
  return {};
}

Status WriteRegistry(Connection& conn, const RegistryWrite& w) {
  const RegistryRecord& r = w.record;
  Result<Statement> stmt =
      w.erase
          ? conn.Prepare(
                "DELETE FROM registry WHERE kind = ? AND scope = ? AND name = ? AND version = ?")
          : conn.Prepare(
                "INSERT INTO registry (kind, scope, name, version, status, created, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, scope, name, version) DO "
                "UPDATE SET status = excluded.status, created = excluded.created, "
                "data = excluded.data");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, r.kind).Bind(2, r.scope).Bind(3, r.name).Bind(4, r.version);
  if (!w.erase) stmt->Bind(5, r.status).Bind(6, r.created).Bind(7, r.data);
  return stmt->Run();
}

// A write checked against what is stored: the run as it stood before it, and
// the tags it stores.
struct PlannedWrite {
  StoredRun before;
  std::string tags_json;
};

// What a batch will do once checked: the stored runs it deletes, then its
// execution writes.
struct Plan {
  std::vector<std::string> erase;
  std::vector<PlannedWrite> writes;
};

// Writes the batches of one group inside the caller's transaction. The runs
// the group touches are read once each and then kept here as the writes
// applied so far leave them, so that a batch is checked completely before it
// writes anything: a batch that fails a check costs no SQL write and no
// rollback. With `savepoints`, each batch also runs inside a SAVEPOINT, so
// that a SQLite error in the middle of a batch (which the checks cannot
// foresee: a full disk, a corrupt page) is undone for that batch alone;
// without, such an error leaves the transaction partly written and the
// caller must roll it back (partly_written()).
class GroupWriter {
 public:
  GroupWriter(Connection& conn, bool savepoints) : conn_(conn), savepoints_(savepoints) {}

  Status Write(const WriteBatch& batch);
  bool partly_written() const { return partly_written_; }

 private:
  // The run as the group's writes so far leave it; read from the table once.
  Result<const StoredRun*> Stored(const std::string& run_id);
  // Checks every erase and execution write of the batch; writes nothing.
  Result<Plan> Check(const WriteBatch& batch);
  // Writes a checked batch. `untouched`: it failed before writing anything.
  Status Apply(const WriteBatch& batch, const Plan& plan, bool& untouched);

  Connection& conn_;
  const bool savepoints_;
  bool partly_written_ = false;
  std::unordered_map<std::string, StoredRun> runs_;
};

Result<const StoredRun*> GroupWriter::Stored(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    Result<StoredRun> loaded = LoadStoredRun(conn_, run_id);
    if (!loaded.ok()) return std::move(loaded).error();
    it = runs_.emplace(run_id, std::move(*loaded)).first;
  }
  return &it->second;
}

Result<Plan> GroupWriter::Check(const WriteBatch& batch) {
  Plan result;
  std::vector<PlannedWrite>& plan = result.writes;
  plan.reserve(batch.executions.size());
  // Runs written earlier in this same batch, as those writes leave them.
  std::unordered_map<std::string, StoredRun> in_batch;
  for (const RunErase& erase : batch.erase) {
    Result<const StoredRun*> stored = Stored(erase.run_id);
    if (!stored.ok()) return std::move(stored).error();
    const StoredRun& run = **stored;
    if (!run.exists) continue;
    if (run.row.open || run.row.close_time >= erase.closed_before) {
      return ConflictError("run " + erase.run_id + " is not a run closed before " +
                           std::to_string(erase.closed_before));
    }
    result.erase.push_back(erase.run_id);
    in_batch[erase.run_id] = StoredRun{};
  }
  for (const ExecutionWrite& w : batch.executions) {
    if (Status s = CheckShape(w); !s.ok()) return std::move(s).error();
    const ExecutionRecord& e = w.execution;
    const StoredRun* before = nullptr;
    if (auto it = in_batch.find(e.run_id); it != in_batch.end()) {
      before = &it->second;
    } else {
      Result<const StoredRun*> stored = Stored(e.run_id);
      if (!stored.ok()) return std::move(stored).error();
      before = *stored;
    }
    if (before->row.last_event_id != w.expected_last_event_id) {
      return ConflictError("run " + e.run_id + ": the stored history ends at event " +
                           std::to_string(before->row.last_event_id) + ", the write expected " +
                           std::to_string(w.expected_last_event_id));
    }
    plan.push_back(PlannedWrite{*before, TagsToJson(e.tags)});
    in_batch[e.run_id] = StoredAfter(e, plan.back().tags_json);
  }
  return result;
}

Status WriteTimers(Connection& conn, const WriteBatch& batch) {
  for (const TimerRecord& t : batch.timers) {
    Result<Statement> stmt = conn.Prepare(
        "INSERT OR IGNORE INTO timers (shard, due, run_id, key, data) VALUES (?, ?, ?, ?, ?)");
    if (!stmt.ok()) return std::move(stmt).error();
    stmt->Bind(1, int64_t{t.shard}).Bind(2, t.due).Bind(3, t.run_id).Bind(4, t.key).Bind(5, t.data);
    if (Status s = stmt->Run(); !s.ok()) return s;
  }
  for (const TimerRecord& t : batch.timers_done) {
    Result<Statement> stmt =
        conn.Prepare("DELETE FROM timers WHERE shard = ? AND due = ? AND run_id = ? AND key = ?");
    if (!stmt.ok()) return std::move(stmt).error();
    stmt->Bind(1, int64_t{t.shard}).Bind(2, t.due).Bind(3, t.run_id).Bind(4, t.key);
    if (Status s = stmt->Run(); !s.ok()) return s;
  }
  return {};
}

Status ClearWork(Connection& conn, const WriteBatch& batch) {
  for (const std::string& run_id : batch.no_work) {
    Result<Statement> stmt = conn.Prepare("UPDATE executions SET has_work = 0 WHERE run_id = ?");
    if (!stmt.ok()) return std::move(stmt).error();
    if (Status s = stmt->Bind(1, run_id).Run(); !s.ok()) return s;
  }
  return {};
}

Status WriteTasks(Connection& conn, const WriteBatch& batch) {
  for (const TaskRecord& t : batch.tasks) {
    Result<Statement> stmt = conn.Prepare(
        "INSERT OR IGNORE INTO tasks (task_list, run_id, scheduled_id, rank, seq, workflow_id) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!stmt.ok()) return std::move(stmt).error();
    stmt->Bind(1, t.task_list)
        .Bind(2, t.run_id)
        .Bind(3, t.scheduled_id)
        .Bind(4, -int64_t{t.priority})
        .Bind(5, t.seq)
        .Bind(6, t.workflow_id);
    if (Status s = stmt->Run(); !s.ok()) return s;
  }
  for (const TaskRecord& t : batch.tasks_done) {
    Result<Statement> stmt =
        conn.Prepare("DELETE FROM tasks WHERE task_list = ? AND run_id = ? AND scheduled_id = ?");
    if (!stmt.ok()) return std::move(stmt).error();
    stmt->Bind(1, t.task_list).Bind(2, t.run_id).Bind(3, t.scheduled_id);
    if (Status s = stmt->Run(); !s.ok()) return s;
  }
  return {};
}

Status GroupWriter::Apply(const WriteBatch& batch, const Plan& checked, bool& untouched) {
  const std::vector<PlannedWrite>& plan = checked.writes;
  untouched = false;
  for (const std::string& run_id : checked.erase) {
    if (Status s = EraseRun(conn_, run_id); !s.ok()) return s;
  }
  // Each run's row before its events: the INSERT of a new run, which the
  // index of open workflow ids may refuse, is then the first statement of a
  // start's batch, and SQLite undoes a failed statement, so the batch that
  // lost leaves nothing written and the group goes on.
  for (size_t i = 0; i < batch.executions.size(); ++i) {
    const ExecutionWrite& w = batch.executions[i];
    Status s = WriteExecutionRow(conn_, w.execution, plan[i].tags_json, plan[i].before);
    if (!s.ok()) {
      untouched = i == 0 && checked.erase.empty() && s.error().code() == Errc::kConflict;
      return s;
    }
    s = AppendEvents(conn_, w.execution.run_id, w.events);
    if (!s.ok()) return s;
  }
  if (Status s = WriteTimers(conn_, batch); !s.ok()) return s;
  if (Status s = WriteTasks(conn_, batch); !s.ok()) return s;
  if (Status s = ClearWork(conn_, batch); !s.ok()) return s;
  for (const RegistryWrite& w : batch.registry) {
    if (Status s = WriteRegistry(conn_, w); !s.ok()) return s;
  }
  return {};
}

Status GroupWriter::Write(const WriteBatch& batch) {
  Result<Plan> plan = Check(batch);
  if (!plan.ok()) return std::move(plan).error();
  if (savepoints_) {
    if (Status s = RunCached(conn_, "SAVEPOINT batch"); !s.ok()) return s;
  }
  bool untouched = false;
  Status s = Apply(batch, *plan, untouched);
  if (s.ok() && savepoints_) s = RunCached(conn_, "RELEASE batch");
  if (s.ok()) {
    for (const std::string& run_id : plan->erase) runs_[run_id] = StoredRun{};
    for (const std::string& run_id : batch.no_work) runs_.erase(run_id);  // read again
    for (size_t i = 0; i < batch.executions.size(); ++i) {
      const ExecutionRecord& e = batch.executions[i].execution;
      runs_[e.run_id] = StoredAfter(e, std::move(plan->writes[i].tags_json));
    }
    return s;
  }
  if (!savepoints_) {
    partly_written_ = !untouched;
  } else if (!conn_.InAutocommit()) {
    Status undo = RunCached(conn_, "ROLLBACK TO batch");
    if (undo.ok()) undo = RunCached(conn_, "RELEASE batch");
    if (!undo.ok()) return undo;
  }
  return s;
}

// Marks every batch that had not already failed with `error`.
void FailRemaining(std::vector<Status>& results, const Error& error) {
  for (Status& s : results) {
    if (s.ok()) s = error;
  }
}

// One transaction. Sets `retry` (and rolls the transaction back) when a batch
// failed half-written without savepoints.
std::vector<Status> WriteGroup(Connection& conn, std::span<const WriteBatch* const> batches,
                               bool savepoints, bool& retry) {
  std::vector<Status> results(batches.size());
  if (Status s = RunCached(conn, "BEGIN IMMEDIATE"); !s.ok()) {
    FailRemaining(results, s.error());
    return results;
  }
  GroupWriter writer(conn, savepoints);
  for (size_t i = 0; i < batches.size(); ++i) {
    results[i] = writer.Write(*batches[i]);
    if (results[i].ok()) continue;
    if (conn.InAutocommit()) {
      // SQLite rolled the whole transaction back (e.g. disk full, I/O
      // error): the batches before this one are gone too.
      FailRemaining(results, results[i].error());
      return results;
    }
    if (writer.partly_written()) {
      (void)RunCached(conn, "ROLLBACK");
      retry = true;
      return results;
    }
  }
  if (Status s = RunCached(conn, "COMMIT"); !s.ok()) {
    if (!conn.InAutocommit()) (void)RunCached(conn, "ROLLBACK");
    FailRemaining(results, s.error());
  }
  return results;
}

}  // namespace

std::vector<Status> WriteBatches(Connection& conn, std::span<const WriteBatch* const> batches) {
  if (batches.empty()) return {};
  // The checks run before a batch writes, so a batch fails half-written only
  // on a SQLite error: rare enough to pay for the group twice, the second
  // time with a savepoint per batch so that only the failing one is lost.
  bool retry = false;
  std::vector<Status> results = WriteGroup(conn, batches, /*savepoints=*/false, retry);
  if (retry) results = WriteGroup(conn, batches, /*savepoints=*/true, retry);
  return results;
}

}  // namespace weft::store::sqlite
