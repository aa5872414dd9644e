#include "store/sqlite/run_rows.h"

#include <utility>

#include "store/sqlite/rows.h"

namespace weft::store::sqlite {

namespace {

// The columns LoadStoredRun reads, in the order it reads them.
constexpr const char* kStoredColumns =
    "domain, workflow_id, type_name, type_version, open, close_status, start_time, close_time, "
    "shard, last_event_id, tags, has_work";

Status InsertExecution(Connection& conn, const ExecutionRecord& e, const std::string& tags_json) {
  Result<Statement> stmt = conn.Prepare(
      "INSERT INTO executions (run_id, domain, workflow_id, type_name, type_version, open, "
      "close_status, start_time, close_time, shard, last_event_id, tags, data, snapshot, "
      "has_work) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, e.run_id).Bind(2, e.domain).Bind(3, e.workflow_id).Bind(4, e.type_name);
  stmt->Bind(5, e.type_version).Bind(6, int64_t{e.open ? 1 : 0}).Bind(7, e.close_status);
  stmt->Bind(8, e.start_time).Bind(9, e.close_time).Bind(10, int64_t{e.shard});
  stmt->Bind(11, e.last_event_id).Bind(12, tags_json).Bind(13, e.data).Bind(14, e.snapshot);
  stmt->Bind(15, int64_t{e.has_work ? 1 : 0});
  Status s = stmt->Run();
  // The run_id is new (checked before), so a unique constraint that fails
  // is executions_open_workflow's: the workflow id has an open run.
  if (!s.ok() && stmt->ErrorCode() == SQLITE_CONSTRAINT_UNIQUE) {
    return ConflictError("run " + e.run_id + ": workflow id " + e.workflow_id +
                         " has an open run already");
  }
  return s;
}

// Every column: for the rare write that changes what identifies a run
// (domain, workflow id, type, start time, shard) or its tags.
Status UpdateWholeExecution(Connection& conn, const ExecutionRecord& e,
                            const std::string& tags_json) {
  Result<Statement> stmt = conn.Prepare(
      "UPDATE executions SET domain = ?, workflow_id = ?, type_name = ?, type_version = ?, "
      "open = ?, close_status = ?, start_time = ?, close_time = ?, shard = ?, "
      "last_event_id = ?, tags = ?, data = ?, snapshot = ?, has_work = ? WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, e.domain).Bind(2, e.workflow_id).Bind(3, e.type_name).Bind(4, e.type_version);
  stmt->Bind(5, int64_t{e.open ? 1 : 0}).Bind(6, e.close_status).Bind(7, e.start_time);
  stmt->Bind(8, e.close_time).Bind(9, int64_t{e.shard}).Bind(10, e.last_event_id);
  stmt->Bind(11, tags_json).Bind(12, e.data).Bind(13, e.snapshot);
  stmt->Bind(14, int64_t{e.has_work ? 1 : 0}).Bind(15, e.run_id);
  return stmt->Run();
}

// Open/closed changed: the indexes on open and close_time are rewritten.
Status UpdateCloseState(Connection& conn, const ExecutionRecord& e) {
  Result<Statement> stmt = conn.Prepare(
      "UPDATE executions SET open = ?, close_status = ?, close_time = ?, last_event_id = ?, "
      "data = ?, snapshot = ?, has_work = ? WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, int64_t{e.open ? 1 : 0}).Bind(2, e.close_status).Bind(3, e.close_time);
  stmt->Bind(4, e.last_event_id).Bind(5, e.data).Bind(6, e.snapshot);
  stmt->Bind(7, int64_t{e.has_work ? 1 : 0}).Bind(8, e.run_id);
  return stmt->Run();
}

// Work outstanding began or ended: the partial index of such runs changes.
Status UpdateWork(Connection& conn, const ExecutionRecord& e) {
  Result<Statement> stmt = conn.Prepare(
      "UPDATE executions SET last_event_id = ?, data = ?, snapshot = ?, has_work = ? "
      "WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, e.last_event_id).Bind(2, e.data).Bind(3, e.snapshot);
  stmt->Bind(4, int64_t{e.has_work ? 1 : 0}).Bind(5, e.run_id);
  return stmt->Run();
}

// The common case: no indexed column changes, so no index entry is touched.
Status UpdateProgress(Connection& conn, const ExecutionRecord& e) {
  Result<Statement> stmt = conn.Prepare(
      "UPDATE executions SET last_event_id = ?, data = ?, snapshot = ? WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, e.last_event_id).Bind(2, e.data).Bind(3, e.snapshot).Bind(4, e.run_id);
  return stmt->Run();
}

Status InsertTags(Connection& conn, const ExecutionRecord& e) {
  for (const std::string& tag : e.tags) {
    Result<Statement> ins =
        conn.Prepare("INSERT OR IGNORE INTO execution_tags (run_id, tag) VALUES (?, ?)");
    if (!ins.ok()) return std::move(ins).error();
    if (Status s = ins->Bind(1, e.run_id).Bind(2, tag).Run(); !s.ok()) return s;
  }
  return {};
}

Status ReplaceTags(Connection& conn, const ExecutionRecord& e) {
  Result<Statement> del = conn.Prepare("DELETE FROM execution_tags WHERE run_id = ?");
  if (!del.ok()) return std::move(del).error();
  if (Status s = del->Bind(1, e.run_id).Run(); !s.ok()) return s;
  return InsertTags(conn, e);
}

bool SameIdentity(const ExecutionRecord& a, const ExecutionRecord& b) {
  return a.domain == b.domain && a.workflow_id == b.workflow_id && a.type_name == b.type_name &&
         a.type_version == b.type_version && a.start_time == b.start_time && a.shard == b.shard;
}

bool SameCloseState(const ExecutionRecord& a, const ExecutionRecord& b) {
  return a.open == b.open && a.close_status == b.close_status && a.close_time == b.close_time;
}

}  // namespace

Result<StoredRun> LoadStoredRun(Connection& conn, const std::string& run_id) {
  Result<Statement> stmt =
      conn.Prepare(std::string("SELECT ") + kStoredColumns + " FROM executions WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, run_id);
  Result<bool> found = stmt->Step();
  if (!found.ok()) return std::move(found).error();
  StoredRun stored;
  if (!*found) return stored;
  stored.exists = true;
  ExecutionRecord& r = stored.row;
  r.run_id = run_id;
  r.domain = stmt->Text(0);
  r.workflow_id = stmt->Text(1);
  r.type_name = stmt->Text(2);
  r.type_version = stmt->Text(3);
  r.open = stmt->Int(4) != 0;
  r.close_status = stmt->Text(5);
  r.start_time = stmt->Int(6);
  r.close_time = stmt->Int(7);
  r.shard = static_cast<int32_t>(stmt->Int(8));
  r.last_event_id = stmt->Int(9);
  stored.tags_json = stmt->Text(10);
  r.has_work = stmt->Int(11) != 0;
  return stored;
}

Status EraseRun(Connection& conn, const std::string& run_id) {
  for (const char* sql :
       {"DELETE FROM events WHERE run_id = ?", "DELETE FROM execution_tags WHERE run_id = ?",
        "DELETE FROM executions WHERE run_id = ?"}) {
    Result<Statement> stmt = conn.Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).error();
    if (Status s = stmt->Bind(1, run_id).Run(); !s.ok()) return s;
  }
  return {};
}

StoredRun StoredAfter(const ExecutionRecord& e, std::string tags_json) {
  StoredRun after{true, e, std::move(tags_json)};
  after.row.tags.clear();
  after.row.data.clear();
  after.row.snapshot.clear();
  return after;
}

Status WriteExecutionRow(Connection& conn, const ExecutionRecord& e, const std::string& tags_json,
                         const StoredRun& before) {
  if (!before.exists) {
    if (Status s = InsertExecution(conn, e, tags_json); !s.ok()) return s;
    return InsertTags(conn, e);
  }
  if (before.tags_json != tags_json) {
    if (Status s = UpdateWholeExecution(conn, e, tags_json); !s.ok()) return s;
    return ReplaceTags(conn, e);
  }
  if (!SameIdentity(before.row, e)) return UpdateWholeExecution(conn, e, tags_json);
  if (!SameCloseState(before.row, e)) return UpdateCloseState(conn, e);
  if (before.row.has_work != e.has_work) return UpdateWork(conn, e);
  return UpdateProgress(conn, e);
}

Status AppendEvents(Connection& conn, const std::string& run_id,
                    const std::vector<EventRecord>& events) {
  for (const EventRecord& event : events) {
    Result<Statement> stmt = conn.Prepare(
        "INSERT INTO events (run_id, event_id, type, time, attributes) VALUES (?, ?, ?, ?, ?)");
    if (!stmt.ok()) return std::move(stmt).error();
    stmt->Bind(1, run_id).Bind(2, event.event_id).Bind(3, int64_t{event.type});
    stmt->Bind(4, event.time).Bind(5, event.attributes);
    if (Status s = stmt->Run(); !s.ok()) return s;
  }
  return {};
}

}  // namespace weft::store::sqlite
