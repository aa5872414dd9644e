// src/store/sqlite/schema.h: the SQLite schema and its migrations.
//
// Internal to store/sqlite. The schema is a list of numbered migrations; the
// table schema_version holds the number of the last one applied. Migrate()
// applies the missing ones, each in its own transaction, so that a store
// written by an older weft is upgraded in place when it is opened. A store
// newer than this binary is refused rather than misread.
#pragma once

#include "common/error.h"
#include "store/sqlite/connection.h"

namespace weft::store::sqlite {

// The schema version this binary writes.
int CurrentSchemaVersion();

// Brings the database behind `conn` to CurrentSchemaVersion().
Status Migrate(Connection& conn);

}  // namespace weft::store::sqlite
