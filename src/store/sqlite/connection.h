// src/store/sqlite/connection.h: a thin RAII layer over one sqlite3 handle.
//
// Internal to store/sqlite. A Connection owns its handle and a cache of
// prepared statements keyed by SQL text, so each statement is compiled once
// per connection. A Connection (and its statements) must be used by one thread
// at a time; the owner (SqliteStore) guarantees that with its writer mutex and
// reader pool. Failures come back as Error::Internal naming the SQLite message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/error.h"

namespace weft::store::sqlite {

// A prepared statement borrowed from a Connection's cache. Binding is by
// 1-based index; the statement is reset (bindings cleared) on destruction so
// that the next borrower starts clean.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);

  // Advances: true when a row is ready, false when done; errors are Internal.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;
  // After a failed Step() or Run(): SQLite's extended result code
  // (SQLITE_CONSTRAINT_UNIQUE, ...).
  int ErrorCode() const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;  // first bind failure, reported by Step()
};

class Connection {
 public:
  // Opens `path` (creating it) and applies weft's pragmas: WAL,
  // synchronous=FULL, busy_timeout, foreign_keys=OFF. `read_only` connections
  // also set query_only so that a bug cannot write through them.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (schema, BEGIN, COMMIT, ...).
  Status Exec(const std::string& sql);
  // A cached prepared statement for `sql`; compiled on first use.
  Result<Statement> Prepare(const std::string& sql);

  // True when no transaction is open (SQLite may roll one back on I/O errors).
  bool InAutocommit() const { return sqlite3_get_autocommit(db_) != 0; }
  sqlite3* handle() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Error::Internal("SQLite: <what>: <sqlite3_errmsg>").
Error SqliteError(sqlite3* db, std::string_view what);

}  // namespace weft::store::sqlite
