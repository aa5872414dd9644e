// src/store/sqlite/run_rows.h: the SQL that writes one run (its executions
// row, its execution_tags rows and its events).
//
// Internal to store/sqlite; used by write.cc on the writer connection, inside
// the group's transaction. Each function is one or a few cached statements and
// returns SQLite failures as Error::Internal.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace weft::store::sqlite {

// What is stored for a run: its executions row without `data` (which a write
// replaces without looking at it), with the tags as stored (JSON text).
struct StoredRun {
  bool exists = false;  // false: a new run (every other field is empty)
  ExecutionRecord row;  // row.tags and row.data are left empty
  std::string tags_json;
};

Result<StoredRun> LoadStoredRun(Connection& conn, const std::string& run_id);
// Deletes a run: its row, tags and events.
Status EraseRun(Connection& conn, const std::string& run_id);

// What a successful write of `e` leaves stored.
StoredRun StoredAfter(const ExecutionRecord& e, std::string tags_json);

// Writes the executions row of `e` (and its tags) given what was stored
// before. A new run is INSERTed with its tags. An existing run's UPDATE sets
// only the columns that changed, so that SQLite leaves alone the index entries
// of the columns that did not (usually only last_event_id and data change; at
// close also open, close_status and close_time); its execution_tags rows are
// rewritten only when its tags changed. A new open SWF run whose workflow
// id has an open run already fails with kConflict, having written nothing
// (the unique index executions_open_workflow refused the INSERT).
Status WriteExecutionRow(Connection& conn, const ExecutionRecord& e, const std::string& tags_json,
                         const StoredRun& before);

Status AppendEvents(Connection& conn, const std::string& run_id,
                    const std::vector<EventRecord>& events);

}  // namespace weft::store::sqlite
