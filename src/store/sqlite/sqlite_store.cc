#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <limits>
#include <system_error>

#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/visibility.h"
#include "store/sqlite/write.h"

namespace weft::store::sqlite {

namespace {

// Readers beyond this wait for one to be returned. Reads are short; a few
// connections cover the request threads of a small machine.
constexpr int kMaxReaders = 4;

// Turns off SQLite's allocation statistics, which take a global mutex on
// every malloc (measured: ~10% of the writer's time). Must run before SQLite
// initialises; if something in the process used SQLite first, the call fails
// harmlessly and statistics stay on.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& data_dir) {
  ConfigureSqliteOnce();
  if (sqlite3_threadsafe() == 0) {
    return Error::Internal("SQLite was built without thread support");
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error::Internal("cannot create data directory " + data_dir + ": " + ec.message());
  std::string path = (std::filesystem::path(data_dir) / "weft.db").string();
  Result<std::unique_ptr<Connection>> writer = Connection::Open(path, /*read_only=*/false);
  if (!writer.ok()) return std::move(writer).error();
  if (Status s = Migrate(**writer); !s.ok()) return std::move(s).error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(*writer)));
  Result<std::unique_ptr<Checkpointer>> checkpointer =
      Checkpointer::Start(path, *store->writer_, store->write_mu_);
  if (!checkpointer.ok()) return std::move(checkpointer).error();
  store->checkpointer_ = std::move(*checkpointer);
  return store;
}

SqliteStore::Reader::~Reader() {
  if (conn_ != nullptr) store_->ReleaseReader(std::move(conn_));
}

Result<SqliteStore::Reader> SqliteStore::AcquireReader() {
  std::unique_lock lock(readers_mu_);
  reader_idle_.wait(lock, [&] { return !idle_readers_.empty() || open_readers_ < kMaxReaders; });
  if (!idle_readers_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return Reader(this, std::move(conn));
  }
  ++open_readers_;
  lock.unlock();  // opening touches the disk; do not hold up other readers
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path_, /*read_only=*/true);
  if (!conn.ok()) {
    lock.lock();
    --open_readers_;
    reader_idle_.notify_one();
    return std::move(conn).error();
  }
  return Reader(this, std::move(*conn));
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(conn));
  }
  reader_idle_.notify_one();
}

std::vector<Status> SqliteStore::Write(std::span<const WriteBatch* const> batches) {
  std::lock_guard lock(write_mu_);
  return WriteBatches(*writer_, batches);
}

Result<std::vector<RegistryRecord>> SqliteStore::LoadRegistry() {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  Result<Statement> stmt = (*reader)->Prepare(
      "SELECT kind, scope, name, version, status, created, data FROM registry "
      "ORDER BY kind, scope, name, version");
  if (!stmt.ok()) return std::move(stmt).error();
  std::vector<RegistryRecord> records;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    records.push_back(RegistryRecord{stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Text(3),
                                     stmt->Text(4), stmt->Int(5), stmt->Text(6)});
  }
  return records;
}

namespace {

// Collects every row of a statement that selected kExecutionColumns.
Result<std::vector<ExecutionRecord>> ReadExecutions(Statement& stmt, bool with_snapshot) {
  std::vector<ExecutionRecord> executions;
  for (;;) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    Result<ExecutionRecord> e = ReadExecution(stmt, with_snapshot);
    if (!e.ok()) return std::move(e).error();
    executions.push_back(std::move(*e));
  }
  return executions;
}

// The first row (with its snapshot) of a statement that selects at most one.
Result<std::optional<ExecutionRecord>> FirstExecution(Statement& stmt) {
  Result<std::vector<ExecutionRecord>> found = ReadExecutions(stmt, /*with_snapshot=*/true);
  if (!found.ok()) return std::move(found).error();
  if (found->empty()) return std::optional<ExecutionRecord>();
  return std::optional<ExecutionRecord>(std::move(found->front()));
}

}  // namespace

Result<std::vector<ExecutionRecord>> SqliteStore::LoadExecutionsWithWork(
    const std::string& after_run_id, int64_t limit) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  // executions_with_work answers it.
  Result<Statement> stmt = (*reader)->Prepare(
      std::string("SELECT ") + kExecutionColumnsWithSnapshot +
      " FROM executions WHERE open = 1 AND has_work = 1 AND run_id > ? ORDER BY run_id LIMIT ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, after_run_id).Bind(2, limit);
  return ReadExecutions(*stmt, /*with_snapshot=*/true);
}

Result<std::optional<ExecutionRecord>> SqliteStore::GetExecution(const std::string& run_id) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  Result<Statement> stmt = (*reader)->Prepare(
      std::string("SELECT ") + kExecutionColumnsWithSnapshot + " FROM executions WHERE run_id = ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, run_id);
  return FirstExecution(*stmt);
}

Result<std::vector<TimerRecord>> SqliteStore::LoadTimers(std::optional<int32_t> shard, Millis from,
                                                         Millis before, int64_t limit) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  // One range of the primary key (due, shard, ...); one shard's rows are
  // picked out of it (only tests ask for them).
  Result<Statement> stmt = (*reader)->Prepare(
      "SELECT shard, due, run_id, key, data FROM timers WHERE due >= ? AND due < ? "
      "AND (? IS NULL OR shard = ?) ORDER BY due, shard, run_id, key LIMIT ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, from).Bind(2, before);
  if (shard) {
    stmt->Bind(3, int64_t{*shard}).Bind(4, int64_t{*shard});
  } else {
    stmt->BindNull(3).BindNull(4);
  }
  stmt->Bind(5, limit);
  std::vector<TimerRecord> timers;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return timers;
    timers.push_back(TimerRecord{static_cast<int32_t>(stmt->Int(0)), stmt->Int(1), stmt->Text(2),
                                 stmt->Text(3), stmt->Text(4)});
  }
}

Result<std::vector<TaskRecord>> SqliteStore::LoadTasks(const std::string& task_list,
                                                       const TaskRecord* after, int64_t limit) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  // One range of tasks_in_order: the row value comparison continues after
  // the cursor (rank is -priority).
  Result<Statement> stmt = (*reader)->Prepare(
      "SELECT run_id, scheduled_id, rank, seq, workflow_id FROM tasks WHERE task_list = ? AND "
      "(rank, seq, run_id, scheduled_id) > (?, ?, ?, ?) "
      "ORDER BY rank, seq, run_id, scheduled_id LIMIT ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, task_list);
  if (after) {
    stmt->Bind(2, -int64_t{after->priority})
        .Bind(3, after->seq)
        .Bind(4, after->run_id)
        .Bind(5, after->scheduled_id);
  } else {  // before every row: the lowest rank there can be, and any seq
    stmt->Bind(2, std::numeric_limits<int64_t>::min())
        .Bind(3, std::numeric_limits<int64_t>::min())
        .Bind(4, std::string())
        .Bind(5, std::numeric_limits<int64_t>::min());
  }
  stmt->Bind(6, limit);
  std::vector<TaskRecord> tasks;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return tasks;
    tasks.push_back(TaskRecord{task_list, stmt->Text(0), stmt->Int(1),
                               static_cast<int32_t>(-stmt->Int(2)), stmt->Int(3), stmt->Text(4)});
  }
}

Result<int64_t> SqliteStore::CountTasks(const std::string& from, const std::string& before) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  Result<Statement> stmt =
      (*reader)->Prepare("SELECT count(*) FROM tasks WHERE task_list >= ? AND task_list < ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, from).Bind(2, before);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? stmt->Int(0) : int64_t{0};
}

Result<std::optional<ExecutionRecord>> SqliteStore::GetOpenExecution(
    const std::string& domain, const std::string& workflow_id) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  // executions_by_workflow answers it.
  Result<Statement> stmt = (*reader)->Prepare(
      std::string("SELECT ") + kExecutionColumnsWithSnapshot +
      " FROM executions WHERE domain = ? AND workflow_id = ? AND open = 1 LIMIT 1");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, domain).Bind(2, workflow_id);
  return FirstExecution(*stmt);
}

Result<std::vector<EventRecord>> SqliteStore::LoadEvents(const std::string& run_id,
                                                         int64_t after_event_id, int64_t limit) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  // LIMIT -1 means no limit in SQLite, which is the contract's -1 too.
  Result<Statement> stmt = (*reader)->Prepare(
      "SELECT event_id, type, time, attributes FROM events WHERE run_id = ? AND event_id > ? "
      "ORDER BY event_id LIMIT ?");
  if (!stmt.ok()) return std::move(stmt).error();
  stmt->Bind(1, run_id).Bind(2, after_event_id).Bind(3, limit < 0 ? int64_t{-1} : limit);
  std::vector<EventRecord> events;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    events.push_back(EventRecord{stmt->Int(0), static_cast<uint16_t>(stmt->Int(1)), stmt->Int(2),
                                 stmt->Text(3)});
  }
  return events;
}

Result<ExecutionPage> SqliteStore::ListExecutions(const ExecutionQuery& query) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  return ListVisible(**reader, query);
}

Result<int64_t> SqliteStore::CountExecutions(const ExecutionQuery& query) {
  Result<Reader> reader = AcquireReader();
  if (!reader.ok()) return std::move(reader).error();
  return CountVisible(**reader, query);
}

}  // namespace weft::store::sqlite

namespace weft::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir) {
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(data_dir);
  if (!store.ok()) return std::move(store).error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace weft::store
