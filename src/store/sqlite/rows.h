// src/store/sqlite/rows.h: how store records map to SQLite rows.
//
// Internal to store/sqlite; shared by the reads, the writes and the
// visibility queries so that the column order is spelled in one place.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace weft::store::sqlite {

// The executions columns in the order ReadExecution expects them.
inline constexpr const char* kExecutionColumns =
    "run_id, domain, workflow_id, type_name, type_version, open, close_status, start_time, "
    "close_time, shard, last_event_id, tags, data";

// kExecutionColumns, the snapshot and has_work (not read by visibility lists).
inline constexpr const char* kExecutionColumnsWithSnapshot =
    "run_id, domain, workflow_id, type_name, type_version, open, close_status, start_time, "
    "close_time, shard, last_event_id, tags, data, snapshot, has_work";

// Reads the current row of a statement that selected kExecutionColumns (or
// kExecutionColumnsWithSnapshot, `with_snapshot`) first.
// Errors: Internal when the stored tags are not a JSON array of strings.
Result<ExecutionRecord> ReadExecution(const Statement& stmt, bool with_snapshot = false);

// Tags as stored in executions.tags: a JSON array of strings.
std::string TagsToJson(const std::vector<std::string>& tags);

// Error(kConflict, "ConflictException", message).
Error ConflictError(std::string message);

}  // namespace weft::store::sqlite
