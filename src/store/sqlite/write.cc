#include "store/sqlite/write.h"

#include <string>

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

Status WriteExecution(Connection& conn, const ExecutionWrite& w) {
  if (Status s = CheckShape(w); !s.ok()) return s;
  const ExecutionRecord& e = w.execution;
  Result<StoredRun> stored = LoadStoredRun(conn, e.run_id);
  if (!stored.ok()) return std::move(stored).error();
  if (stored->row.last_event_id != w.expected_last_event_id) {
    return ConflictError("run " + e.run_id + ": the stored history ends at event " +
                         std::to_string(stored->row.last_event_id) + ", the write expected " +
                         std::to_string(w.expected_last_event_id));
  }
  if (Status s = AppendEvents(conn, e.run_id, w.events); !s.ok()) return s;
  return WriteExecutionRow(conn, e, TagsToJson(e.tags), *stored);
}

Status ApplyBatch(Connection& conn, const WriteBatch& batch) {
  for (const RegistryWrite& w : batch.registry) {
    if (Status s = WriteRegistry(conn, w); !s.ok()) return s;
  }
  for (const ExecutionWrite& w : batch.executions) {
    if (Status s = WriteExecution(conn, w); !s.ok()) return s;
  }
  return {};
}

// One batch inside a savepoint; on failure the savepoint is rolled back so
// the batch leaves no trace, unless SQLite already ended the transaction.
Status WriteOne(Connection& conn, const WriteBatch& batch) {
  if (Status s = RunCached(conn, "SAVEPOINT batch"); !s.ok()) return s;
  Status s = ApplyBatch(conn, batch);
  if (s.ok()) return RunCached(conn, "RELEASE batch");
  if (!conn.InAutocommit()) {
    Status undo = RunCached(conn, "ROLLBACK TO batch");
    if (undo.ok()) undo = RunCached(conn, "RELEASE batch");
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

}  // namespace

std::vector<Status> WriteBatches(Connection& conn, std::span<const WriteBatch* const> batches) {
  std::vector<Status> results(batches.size());
  if (batches.empty()) return results;
  if (Status s = RunCached(conn, "BEGIN IMMEDIATE"); !s.ok()) {
    FailRemaining(results, s.error());
    return results;
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    results[i] = WriteOne(conn, *batches[i]);
    if (!results[i].ok() && conn.InAutocommit()) {
      // SQLite rolled the whole transaction back (e.g. disk full, I/O
      // error): the batches before this one are gone too.
      FailRemaining(results, results[i].error());
      return results;
    }
  }
  if (Status s = RunCached(conn, "COMMIT"); !s.ok()) {
    if (!conn.InAutocommit()) (void)RunCached(conn, "ROLLBACK");
    FailRemaining(results, s.error());
  }
  return results;
}

}  // namespace weft::store::sqlite
