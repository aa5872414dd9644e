// The SQLite backend: the conformance suite instantiated over it, plus what is
// specific to SQLite (files, pragmas, schema version, survival of kill -9).
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "store/sqlite/checkpointer.h"
#include "store_suite.h"

namespace weft::store::testing {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "weft-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class SqliteBackend final : public Backend {
 public:
  Result<std::unique_ptr<Store>> Open() override { return OpenSqliteStore(data_dir()); }
  // A directory that does not exist yet: opening must create it.
  std::string data_dir() const { return dir_.path() + "/data"; }

 private:
  TempDir dir_;
};

BackendParam SqliteParam() {
  return {"Sqlite", [] { return std::make_unique<SqliteBackend>(); }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(SqliteParam()), BackendParamName);

// Runs a one-value query on the database file directly.
std::string QueryFile(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return out;
}

TEST(SqliteStore, CreatesDirectoryWalDatabaseAndSchemaVersion) {
  SqliteBackend backend;
  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.error().message();
  std::string db = backend.data_dir() + "/weft.db";
  ASSERT_TRUE(fs::exists(db));
  EXPECT_EQ(QueryFile(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryFile(db, "SELECT version FROM schema_version"), "8");
  store->reset();
  // Opening again does not migrate twice.
  ASSERT_TRUE(backend.Open().ok());
  EXPECT_EQ(QueryFile(db, "SELECT count(*) FROM schema_version"), "1");
}

TEST(SqliteStore, MigratesAStoreOfAnEarlierVersion) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.Open().ok());
  std::string db = backend.data_dir() + "/weft.db";
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK);
  // As version 1 left it: without the visibility indexes of migration 2,
  // the snapshot column of migration 3, the timers of migration 4, the
  // tasks of migration 5, the has_work flag of migration 6 (with the
  // index of open runs it replaces) and the unique index of open workflow
  // ids of migration 7.
  ASSERT_EQ(sqlite3_exec(
                conn,
                "DROP INDEX executions_open_workflow; "
                "DROP INDEX executions_by_type; DROP INDEX executions_by_status; "
                "ALTER TABLE executions DROP COLUMN snapshot; DROP TABLE timers; DROP TABLE tasks; "
                "DROP INDEX executions_with_work; "
                "ALTER TABLE executions DROP COLUMN has_work; "
                "CREATE INDEX executions_open ON executions (run_id) WHERE open = 1; "
                "UPDATE schema_version SET version = 1",
                nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(conn);
  ASSERT_TRUE(backend.Open().ok());
  EXPECT_EQ(QueryFile(db, "SELECT version FROM schema_version"), "8");
  EXPECT_EQ(QueryFile(db,
                      "SELECT count(*) FROM sqlite_master WHERE name IN "
                      "('executions_by_type', 'executions_by_status')"),
            "2");
  EXPECT_EQ(QueryFile(db,
                      "SELECT count(*) FROM pragma_table_info('executions') "
                      "WHERE name = 'snapshot'"),
            "1");
  EXPECT_EQ(QueryFile(db, "SELECT count(*) FROM sqlite_master WHERE name = 'tasks_in_order'"), "1");
  EXPECT_EQ(
      QueryFile(db, "SELECT count(*) FROM sqlite_master WHERE name = 'executions_open_workflow'"),
      "1");
}

// Migration 8 orders the timer rows by due time first; the rows of a store
// made before it are kept.
TEST(SqliteStore, TimerRowsOfAnEarlierStoreAreKeptInDueOrder) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.Open().ok());
  std::string db = backend.data_dir() + "/weft.db";
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(conn,
                         "DROP TABLE timers; "
                         "CREATE TABLE timers (shard INTEGER NOT NULL, due INTEGER NOT NULL, "
                         "run_id TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, "
                         "PRIMARY KEY (shard, due, run_id, key)) WITHOUT ROWID; "
                         "INSERT INTO timers VALUES (7, 2000, 'r1', 'k', '{}'), "
                         "(3, 5000, 'r2', 'k', '{\"x\":1}'); "
                         "UPDATE schema_version SET version = 7",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(conn);
  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.error().message();
  Result<std::vector<TimerRecord>> rows = (*store)->LoadTimers(std::nullopt, 0, 10000, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].run_id, "r1");
  EXPECT_EQ((*rows)[0].shard, 7);
  EXPECT_EQ((*rows)[1].run_id, "r2");
  EXPECT_EQ((*rows)[1].data, "{\"x\":1}");
  EXPECT_EQ(QueryFile(db,
                      "SELECT name FROM pragma_index_info((SELECT name FROM "
                      "pragma_index_list('timers') WHERE origin = 'pk')) WHERE seqno = 0"),
            "due");
}

TEST(SqliteStore, RefusesANewerSchema) {
  SqliteBackend backend;
  ASSERT_TRUE(backend.Open().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((backend.data_dir() + "/weft.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), Errc::kInternal);
}

TEST(SqliteStore, UnusableDataDirIsAnInternalError) {
  TempDir dir;
  std::string file = dir.path() + "/file";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(file + "/data");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), Errc::kInternal);
}

// A SQLite error that no check foresees (here: an events row that should
// not exist, planted behind the store's back, so that the INSERT of event 1
// fails its primary key half-way through a batch) fails that batch alone:
// its earlier writes are undone and the batches around it commit.
TEST(SqliteStore, SqliteErrorInsideABatchFailsOnlyThatBatch) {
  SqliteBackend backend;
  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_TRUE(store.ok());
  std::string db_path = backend.data_dir() + "/weft.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO events (run_id, event_id, type, time, attributes) "
                         "VALUES ('x', 1, 7, 0, '{}')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  WriteBatch bad = BatchOf({Append(MakeExecution("side"), 0, 1), Append(MakeExecution("x"), 0, 1)});
  bad.registry = {RegistryWrite{RegistryRecord{"domain", "", "bad", "", "REGISTERED", 1, "{}"}}};
  std::vector<WriteBatch> batches = {BatchOf({Append(MakeExecution("before"), 0, 1)}), bad,
                                     BatchOf({Append(MakeExecution("after"), 0, 2)})};
  std::vector<const WriteBatch*> ptrs;
  for (const WriteBatch& b : batches) ptrs.push_back(&b);
  std::vector<Status> results = (*store)->Write(ptrs);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code(), Errc::kInternal);
  EXPECT_TRUE(results[2].ok());

  for (const char* run : {"before", "after", "side", "x"}) {
    Result<std::optional<ExecutionRecord>> got = (*store)->GetExecution(run);
    ASSERT_TRUE(got.ok());
    bool committed = std::string(run) == "before" || std::string(run) == "after";
    EXPECT_EQ(got->has_value(), committed) << run;
  }
  EXPECT_EQ(QueryFile(db_path, "SELECT count(*) FROM events WHERE run_id = 'side'"), "0");
  EXPECT_EQ(QueryFile(db_path, "SELECT count(*) FROM registry"), "0");
  // The group goes on from where the committed batches left it.
  EXPECT_TRUE(WriteTo(**store, BatchOf({Append(MakeExecution("after"), 2, 1)})).ok());
}

// The WAL is checkpointed (by the store's checkpointer thread, not inside
// commits) and restarted from its beginning once it reaches the restart
// size, so that it stays bounded however much is written: here ~1.6 times
// the restart size in total, in groups of 1 MiB.
TEST(SqliteStore, WalStaysBoundedUnderSustainedWrites) {
  constexpr int64_t kRestartBytes = int64_t{sqlite::Checkpointer::kRestartPages} * 4096;
  constexpr int64_t kBatchBytes = 64 * 1024, kPerGroup = 16;
  const int64_t groups = kRestartBytes * 8 / 5 / (kBatchBytes * kPerGroup);
  SqliteBackend backend;
  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_TRUE(store.ok());
  std::string wal = backend.data_dir() + "/weft.db-wal";
  uintmax_t largest = 0;
  for (int64_t g = 0; g < groups; ++g) {
    std::vector<WriteBatch> batches;
    for (int64_t i = 0; i < kPerGroup; ++i) {
      ExecutionWrite w = Append(MakeExecution("w" + std::to_string(g * kPerGroup + i)), 0, 1);
      w.events[0].attributes = std::string(kBatchBytes, 'x');
      batches.push_back(BatchOf({w}));
    }
    std::vector<const WriteBatch*> ptrs;
    for (const WriteBatch& b : batches) ptrs.push_back(&b);
    for (const Status& s : (*store)->Write(ptrs)) ASSERT_TRUE(s.ok());
    std::error_code ec;
    uintmax_t size = fs::file_size(wal, ec);
    if (!ec) largest = std::max(largest, size);
  }
  EXPECT_GT(largest, 0u);
  // The restart size, plus what the writer appends before the checkpointer
  // takes the writer mutex (a few groups), plus slack.
  EXPECT_LT(largest, static_cast<uintmax_t>(kRestartBytes + 16 * kBatchBytes * kPerGroup));
  ExecutionQuery q;
  q.domain = "d";
  Result<int64_t> count = (*store)->CountExecutions(q);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, groups * kPerGroup);
}

// The child writes through a Committer from 4 threads and reports, through a
// pipe, each run whose batch `done` acknowledged. The parent kills it with
// SIGKILL after kN acknowledgements (while it is still writing), reopens the
// store and checks that every acknowledged run is there in full.
TEST(SqliteStore, AcknowledgedBatchesSurviveSigkill) {
  constexpr int kN = 200, kThreads = 4, kEvents = 3;
  SqliteBackend backend;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    Result<std::unique_ptr<Store>> store = backend.Open();
    if (!store.ok()) _exit(2);
    Committer committer(**store);
    std::atomic<int64_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (;;) {  // until killed
          int64_t i = next++;
          std::promise<void> acked;
          committer.Submit(BatchOf({Append(MakeExecution("k" + std::to_string(i)), 0, kEvents)}),
                           [&, i](Status s) {
                             if (!s.ok()) _exit(3);
                             if (write(fds[1], &i, sizeof i) != sizeof i) _exit(4);
                             acked.set_value();
                           });
          acked.get_future().wait();
        }
      });
    }
    for (std::thread& t : threads) t.join();
    _exit(0);
  }
  close(fds[1]);
  std::set<int64_t> acked;
  int64_t i = 0;
  while (acked.size() < kN && read(fds[0], &i, sizeof i) == sizeof i) acked.insert(i);
  kill(pid, SIGKILL);
  // Acknowledgements already in the pipe count too: drain it to EOF.
  while (read(fds[0], &i, sizeof i) == sizeof i) acked.insert(i);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(acked.size(), static_cast<size_t>(kN));

  Result<std::unique_ptr<Store>> store = backend.Open();
  ASSERT_TRUE(store.ok()) << store.error().message();
  for (int64_t run : acked) {
    std::string run_id = "k" + std::to_string(run);
    Result<std::optional<ExecutionRecord>> e = (*store)->GetExecution(run_id);
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE(e->has_value()) << run_id << " was acknowledged but is missing";
    EXPECT_EQ((*e)->last_event_id, kEvents);
    Result<std::vector<EventRecord>> events = (*store)->LoadEvents(run_id);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), static_cast<size_t>(kEvents)) << run_id;
  }
}

}  // namespace
}  // namespace weft::store::testing
