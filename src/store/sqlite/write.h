// src/store/sqlite/write.h: Store::Write for SQLite.
//
// Internal to store/sqlite. The caller (SqliteStore) holds the writer mutex:
// `conn` is the one writer connection and no transaction is open on it.
#pragma once

#include <span>
#include <vector>

#include "common/error.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace weft::store::sqlite {

// All batches in one transaction (one fsync at COMMIT). Each batch is checked
// (expected_last_event_id, no gaps) before it writes anything, against the
// runs as the group's earlier batches leave them, so a batch that fails its
// checks (kConflict) writes nothing and needs no savepoint; the others
// commit. A SQLite error in the middle of a batch rolls the group back and
// writes it again with a SAVEPOINT per batch, so that only that batch fails.
// A SQLite failure that ends the transaction (I/O error, COMMIT failing)
// fails every batch that had not already failed, with kInternal.
std::vector<Status> WriteBatches(Connection& conn, std::span<const WriteBatch* const> batches);

}  // namespace weft::store::sqlite
