#include "store/sqlite/checkpointer.h"

#include <string>
#include <utility>

#include "common/log.h"

namespace weft::store::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          Connection& writer,
                                                          std::mutex& write_mu) {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, /*read_only=*/false);
  if (!conn.ok()) return std::move(conn).error();
  // A RESTART checkpoint waits for readers of the old WAL while it holds the
  // writer off: give up soon (a later commit asks again) rather than stall
  // writes for the connection's usual 5 s.
  sqlite3_busy_timeout((*conn)->handle(), kReaderWaitMs);
  std::unique_ptr<Checkpointer> c(new Checkpointer(std::move(*conn), writer.handle(), write_mu));
  c->thread_ = std::thread([self = c.get()] { self->Run(); });
  // Replaces SQLite's automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(c->writer_, &Checkpointer::OnCommit, c.get());
  return c;
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int Checkpointer::OnCommit(void* self_ptr, sqlite3* /*db*/, const char* /*name*/, int wal_pages) {
  auto* self = static_cast<Checkpointer*>(self_ptr);
  {
    std::lock_guard lock(self->mu_);
    self->wal_pages_ = wal_pages;
    // A smaller WAL than what was copied: it has restarted from its beginning.
    if (wal_pages < self->backfilled_) self->backfilled_ = 0;
    if (wal_pages - self->backfilled_ < kCheckpointPages) return SQLITE_OK;
    self->pending_ = true;
  }
  self->wake_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::Run() {
  for (;;) {
    int wal_pages = 0;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return pending_ || stopping_; });
      if (stopping_) return;
      pending_ = false;
      wal_pages = wal_pages_;
    }
    bool restart = wal_pages >= kRestartPages;
    int log_pages = 0, copied = 0;
    int rc = SQLITE_OK;
    if (restart) {
      std::lock_guard writing(write_mu_);
      rc = sqlite3_wal_checkpoint_v2(conn_->handle(), "main", SQLITE_CHECKPOINT_RESTART, &log_pages,
                                     &copied);
    } else {
      rc = sqlite3_wal_checkpoint_v2(conn_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_pages,
                                     &copied);
    }
    // BUSY: readers held part of the WAL past the busy timeout; the next
    // commit's hook asks again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::Warn(std::string("store: WAL checkpoint failed: ") + sqlite3_errmsg(conn_->handle()));
    }
    std::lock_guard lock(mu_);
    if (restart && rc == SQLITE_OK) {
      backfilled_ = 0;
    } else if (copied >= 0) {
      backfilled_ = copied;
    }
    // Commits during the checkpoint asked for one; run again only if enough
    // was appended since what this one copied.
    pending_ = wal_pages_ - backfilled_ >= kCheckpointPages;
  }
}

}  // namespace weft::store::sqlite
