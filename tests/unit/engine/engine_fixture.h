// tests/unit/engine/engine_fixture.h: a real Engine on a temporary SQLite
// store, driven from the test thread, with a FakeClock.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace weft::engine {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The timer rows of every shard, read straight from the store.
inline std::vector<store::TimerRecord> AllTimerRows(store::Store& store) {
  auto rows = store.LoadTimers(std::nullopt, 0, INT64_MAX, 100'000);
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? *rows : std::vector<store::TimerRecord>{};
}

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("weft-engine-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    // Every run the test left behind: its snapshot is its replayed history.
    if (auto s = store::OpenSqliteStore(dir_.string()); s.ok()) {
      auto differences = VerifySnapshots(**s);
      ASSERT_TRUE(differences.ok()) << differences.error().message();
      EXPECT_EQ(*differences, "");
    }
    fs::remove_all(dir_);
  }

  void Open() {
    auto s = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
    io_ = std::make_unique<net::io_context>(2);
    EngineOptions options = options_;
    options.poll_timeout = 300ms;
    engine_ = std::make_unique<Engine>(*io_, *store_, clock_, options);
    ASSERT_TRUE(engine_->Recover().ok());
    work_.emplace(io_->get_executor());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_->run(); });
  }

  // Stops everything as a crash would leave the store: no clean shutdown
  // steps beyond what is already durable.
  void Close() {
    if (!engine_) return;
    engine_->Shutdown();
    work_.reset();
    io_->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    engine_.reset();
    io_.reset();
    store_.reset();
  }

  // Restarts with the row of `run_id` holding `snapshot` instead of its own.
  void ReplaceSnapshot(const std::string& run_id, const std::string& snapshot) {
    Close();
    {
      auto s = store::OpenSqliteStore(dir_.string());
      ASSERT_TRUE(s.ok());
      auto stored = (*s)->GetExecution(run_id);
      ASSERT_TRUE(stored.ok() && *stored);
      store::WriteBatch batch;
      store::ExecutionWrite w;
      w.execution = **stored;
      w.execution.snapshot = snapshot;
      w.expected_last_event_id = w.execution.last_event_id;
      batch.executions.push_back(std::move(w));
      const store::WriteBatch* batches[] = {&batch};
      ASSERT_TRUE((*s)->Write(batches)[0].ok());
    }
    Open();
  }

  // Every execution row as migration 6 leaves an older store's: flagged as
  // having work outstanding, so that the next start reads it (with the
  // engine closed).
  void FlagEveryRowAsFromAnOlderStore() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "weft.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "UPDATE executions SET has_work = 1", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }

  template <class T>
  T Run(net::awaitable<T> a) {
    return net::co_spawn(*io_, std::move(a), net::use_future).get();
  }

  // CountPending*Tasks of a list (Step Functions activities: domain
  // kMachineDomain, the activity's ARN).
  int64_t Pending(std::string domain, std::string list, matching::TaskKind kind) {
    auto n = Run(engine_->CountPendingTasks(std::move(domain), std::move(list), kind));
    EXPECT_TRUE(n.ok()) << n.error().message();
    return n.ok() ? *n : -1;
  }

  fs::path dir_;
  // What Open() gives the engine (poll timeout aside). One execution of
  // each kind in memory per shard, and two tasks per task list: every test
  // runs with executions evicted and loaded from their snapshots, and tasks
  // read from their rows, all the time.
  EngineOptions options_{.cache_size = 2, .tasks_in_memory = 2};
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<net::io_context> io_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace weft::engine
