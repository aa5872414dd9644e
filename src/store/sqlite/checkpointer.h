// src/store/sqlite/checkpointer.h: WAL checkpoints off the commit path.
//
// Internal to store/sqlite. SQLite's automatic checkpoint runs inside the
// COMMIT that pushes the WAL past 1,000 pages: it copies those pages into the
// database file and fsyncs it while the writer (and so every batch queued
// behind it) waits. A Checkpointer replaces it: a WAL hook on the writer
// connection wakes a thread of its own, which checkpoints through its own
// connection while the writer goes on committing.
//
// Its checkpoints are PASSIVE (they never block the writer), which cannot
// reset the WAL while commits keep arriving; once the WAL reaches
// kRestartPages the thread takes the owner's writer mutex (so that no write
// is in progress, and none starts: SQLite's own wait for the write lock
// would poll and could starve behind a busy writer) and runs one RESTART
// checkpoint: it copies what the passive ones have not (little), waits for
// readers of the old WAL, and makes the next commit start the WAL file from
// its beginning.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/error.h"
#include "store/sqlite/connection.h"

namespace weft::store::sqlite {

class Checkpointer {
 public:
  // Opens a connection to `path` and installs the hook on `writer`, which is
  // used only under `write_mu`. Both must outlive the Checkpointer; `writer`
  // must not be in use during this call or the destructor.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, Connection& writer,
                                                     std::mutex& write_mu);
  // Removes the hook and stops the thread (a checkpoint in progress ends
  // first). SQLite checkpoints whatever is left when the last connection
  // closes.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Pages appended since the last checkpoint before the next one runs
  // (SQLite's own automatic checkpoint uses 1,000).
  static constexpr int kCheckpointPages = 1000;
  // The WAL size (pages, 4 KiB each) at which a RESTART checkpoint runs.
  static constexpr int kRestartPages = 8000;
  // How long a RESTART checkpoint waits for readers before giving up.
  static constexpr int kReaderWaitMs = 200;

 private:
  Checkpointer(std::unique_ptr<Connection> conn, sqlite3* writer, std::mutex& write_mu)
      : conn_(std::move(conn)), writer_(writer), write_mu_(write_mu) {}

  // The WAL hook: runs on the writer thread after each commit.
  static int OnCommit(void* self, sqlite3* db, const char* name, int wal_pages);
  void Run();

  std::unique_ptr<Connection> conn_;  // used only by thread_
  sqlite3* writer_;
  std::mutex& write_mu_;  // the owner's: held for a RESTART checkpoint
  std::mutex mu_;
  std::condition_variable wake_;
  int wal_pages_ = 0;      // guarded by mu_: the WAL's size after the last commit
  int backfilled_ = 0;     // guarded by mu_: pages the last checkpoint had copied
  bool pending_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace weft::store::sqlite
