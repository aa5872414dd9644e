#include "store/sqlite/schema.h"

#include <string>
#include <vector>

namespace weft::store::sqlite {

namespace {

// Migration N (1-based) is kMigrations[N-1]. Append only: a released
// migration never changes, a fix is a new migration.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: registry, executions (+ tags), events.
      R"sql(
CREATE TABLE registry (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL,
  created INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, scope, name, version)
) WITHOUT ROWID;

CREATE TABLE executions (
  run_id TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  type_name TEXT NOT NULL,
  type_version TEXT NOT NULL,
  open INTEGER NOT NULL,
  close_status TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  close_time INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  last_event_id INTEGER NOT NULL,
  tags TEXT NOT NULL,
  data TEXT NOT NULL
);
-- Visibility queries: every one names a domain and open/closed; the default
-- order is by start time, closed queries with a close filter order by close
-- time; run_id breaks ties (and is the paging key's second half).
CREATE INDEX executions_by_start ON executions (domain, open, start_time, run_id);
CREATE INDEX executions_by_close ON executions (domain, open, close_time, run_id);
CREATE INDEX executions_by_workflow ON executions (domain, workflow_id, open, start_time, run_id);
-- LoadOpenExecutions at start-up reads only open runs.
CREATE INDEX executions_open ON executions (run_id) WHERE open = 1;

-- Tags again, one row each, so that a tag filter is an indexed lookup.
CREATE TABLE execution_tags (
  run_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX execution_tags_by_tag ON execution_tags (tag, run_id);

CREATE TABLE events (
  run_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  time INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  PRIMARY KEY (run_id, event_id)
) WITHOUT ROWID;
)sql",
      // 2: visibility filters on a type name or a close status alone answer
      // from an index, not a scan of the domain (bench/visibility.cc).
      R"sql(
CREATE INDEX executions_by_type ON executions (domain, type_name, open, start_time, run_id);
CREATE INDEX executions_by_status ON executions (domain, close_status, open, start_time, run_id);
)sql",
      // 3: each run's mutable state, so that loading it reads its row, not
      // its history (engine/snapshot.cc). Old rows have none: replayed.
      R"sql(
ALTER TABLE executions ADD COLUMN snapshot TEXT NOT NULL DEFAULT '';
)sql",
      // 4: durable timers, read by each shard a little ahead of their due
      // time (engine/timer_rows.cc).
      R"sql(
CREATE TABLE timers (
  shard INTEGER NOT NULL,
  due INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (shard, due, run_id, key)
) WITHOUT ROWID;
)sql",
      // 5: durable task queues (engine/task_rows.cc). `rank` is -priority,
      // so that the hand-out order is one ascending index range.
      R"sql(
CREATE TABLE tasks (
  task_list TEXT NOT NULL,
  run_id TEXT NOT NULL,
  scheduled_id INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  workflow_id TEXT NOT NULL,
  PRIMARY KEY (task_list, run_id, scheduled_id)
) WITHOUT ROWID;
CREATE INDEX tasks_in_order ON tasks (task_list, rank, seq, run_id, scheduled_id);
)sql",
      // 6: start-up reads only the open runs with work outstanding (calls
      // to make, executions to tell); rows of older stores are read once,
      // and cleared then if they have none.
      R"sql(
ALTER TABLE executions ADD COLUMN has_work INTEGER NOT NULL DEFAULT 1;
CREATE INDEX executions_with_work ON executions (run_id) WHERE open = 1 AND has_work = 1;
DROP INDEX executions_open;
)sql",
      // 7: at most one open run per SWF workflow id, kept by the database,
      // so that a start writes without reading first (the insert of a
      // second open run fails: kConflict). Step Functions rows are left out:
      // their domains (aws:states, aws:states:mapRun) hold a ':', which no
      // SWF domain name can, and a parent has several open Map Runs.
      R"sql(
CREATE UNIQUE INDEX executions_open_workflow ON executions (domain, workflow_id)
  WHERE open = 1 AND instr(domain, ':') = 0;
)sql",
      // 8: timer rows in due order, read for every shard at once
      // (engine/timer_rows.cc): the rows a commit adds, due a fixed timeout
      // after now, sit together instead of one page per shard.
      R"sql(
CREATE TABLE timers_by_due (
  shard INTEGER NOT NULL,
  due INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (due, shard, run_id, key)
) WITHOUT ROWID;
INSERT INTO timers_by_due SELECT shard, due, run_id, key, data FROM timers;
DROP TABLE timers;
ALTER TABLE timers_by_due RENAME TO timers;
)sql",
  };
  return kMigrations;
}

Result<int> ReadVersion(Connection& conn) {
  Status s = conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  if (!s.ok()) return std::move(s).error();
  Result<Statement> stmt = conn.Prepare("SELECT max(version) FROM schema_version");
  if (!stmt.ok()) return std::move(stmt).error();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return std::move(row).error();
  return *row && !stmt->IsNull(0) ? static_cast<int>(stmt->Int(0)) : 0;
}

// Applies what is missing in one transaction, taken before the version is
// read, so that two processes opening a new store cannot both migrate it.
Status MigrateLocked(Connection& conn) {
  Result<int> version = ReadVersion(conn);
  if (!version.ok()) return std::move(version).error();
  if (*version > CurrentSchemaVersion()) {
    return Error::Internal("the store's schema version " + std::to_string(*version) +
                           " is newer than this weft's (" + std::to_string(CurrentSchemaVersion()) +
                           ")");
  }
  for (int v = *version + 1; v <= CurrentSchemaVersion(); ++v) {
    if (Status s = conn.Exec(Migrations()[v - 1]); !s.ok()) return s;
  }
  if (*version == CurrentSchemaVersion()) return {};
  return conn.Exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                   std::to_string(CurrentSchemaVersion()) + ")");
}

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(Migrations().size()); }

Status Migrate(Connection& conn) {
  if (Status s = conn.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = MigrateLocked(conn);
  if (s.ok()) s = conn.Exec("COMMIT");
  if (!s.ok() && !conn.InAutocommit()) (void)conn.Exec("ROLLBACK");
  return s;
}

}  // namespace weft::store::sqlite
