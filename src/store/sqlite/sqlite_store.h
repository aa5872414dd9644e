// src/store/sqlite/sqlite_store.h: the embedded SQLite Store.
//
// Internal to store/; others use OpenSqliteStore() from store/store.h.
// One database file, <data_dir>/weft.db, in WAL mode with synchronous=FULL.
// Writes go through one writer connection, used only inside Write() under
// write_mu_; reads borrow a connection from a small pool, so they run while a
// write is in progress and see only committed data (WAL snapshots).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace weft::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Creates data_dir if needed, opens (creating) weft.db and migrates it.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& data_dir);

  std::vector<Status> Write(std::span<const WriteBatch* const> batches) override;
  Result<std::vector<RegistryRecord>> LoadRegistry() override;
  Result<std::vector<ExecutionRecord>> LoadExecutionsWithWork(const std::string& after_run_id,
                                                              int64_t limit) override;
  Result<std::optional<ExecutionRecord>> GetExecution(const std::string& run_id) override;
  Result<std::vector<TimerRecord>> LoadTimers(std::optional<int32_t> shard, Millis from,
                                              Millis before, int64_t limit) override;
  Result<std::vector<TaskRecord>> LoadTasks(const std::string& task_list, const TaskRecord* after,
                                            int64_t limit) override;
  Result<int64_t> CountTasks(const std::string& from, const std::string& before) override;
  Result<std::optional<ExecutionRecord>> GetOpenExecution(const std::string& domain,
                                                          const std::string& workflow_id) override;
  Result<std::vector<EventRecord>> LoadEvents(const std::string& run_id, int64_t after_event_id,
                                              int64_t limit) override;
  Result<ExecutionPage> ListExecutions(const ExecutionQuery& query) override;
  Result<int64_t> CountExecutions(const ExecutionQuery& query) override;

 private:
  // A reader connection borrowed from the pool; returned on destruction.
  class Reader {
   public:
    Reader(SqliteStore* store, std::unique_ptr<Connection> conn)
        : store_(store), conn_(std::move(conn)) {}
    Reader(Reader&&) = default;
    ~Reader();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> conn_;
  };

  SqliteStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  // Waits for an idle reader, opening a new one while fewer than
  // kMaxReaders exist.
  Result<Reader> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> conn);

  const std::string path_;

  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  // Checkpoints the WAL from its own thread (hooked on writer_'s commits);
  // declared after writer_ so that it is destroyed (unhooked) first.
  std::unique_ptr<Checkpointer> checkpointer_;

  std::mutex readers_mu_;
  std::condition_variable reader_idle_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by readers_mu_
  int open_readers_ = 0;                                   // guarded by readers_mu_
};

}  // namespace weft::store::sqlite
