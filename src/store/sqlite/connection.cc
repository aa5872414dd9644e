#include "store/sqlite/connection.h"

namespace weft::store::sqlite {

namespace {

// How long a connection waits for another connection's lock before failing
// with SQLITE_BUSY. Only checkpoints and a second process contend in practice.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Error SqliteError(sqlite3* db, std::string_view what) {
  std::string message = "SQLite: ";
  message += what;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return Error::Internal(std::move(message));
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may pass temporaries.
  int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(db_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  Result<bool> r = Step();
  if (!r.ok()) return std::move(r).error();
  return {};
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int Statement::ErrorCode() const { return sqlite3_extended_errcode(db_); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (see header).
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(db, "open " + path);
    sqlite3_close_v2(db);
    return error;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // synchronous=FULL: in WAL mode, every COMMIT fsyncs the WAL, so an
  // acknowledged write survives kill -9 and power loss.
  // temp_store=MEMORY: the per-batch SAVEPOINTs keep each touched page's old
  // content in a sub-journal; in a temp file that costs several pwrite()s
  // per batch (measured: most of the writer's time), in memory a memcpy.
  std::string pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; "
      "PRAGMA temp_store=MEMORY;";
  if (read_only) pragmas += " PRAGMA query_only=ON;";
  if (Status s = conn->Exec(pragmas); !s.ok()) return std::move(s).error();
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = "SQLite: " + sql + ": " + (message != nullptr ? message : "error");
  sqlite3_free(message);
  return Error::Internal(std::move(text));
}

Result<Statement> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, "prepare " + sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Statement(db_, it->second);
}

}  // namespace weft::store::sqlite
