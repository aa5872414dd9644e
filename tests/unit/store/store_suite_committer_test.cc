// The Store conformance suite, part 3: the group-commit Committer over the
// backend under test.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "store_suite.h"

namespace weft::store::testing {
namespace {

// Collects `done` results; Wait() blocks until `n` have arrived.
class Results {
 public:
  std::function<void(Status)> Callback(size_t index) {
    return [this, index](Status s) {
      std::lock_guard lock(mu_);
      statuses_[index].emplace_back(std::move(s));
      ++arrived_;
      cv_.notify_all();
    };
  }
  // Waits for n callbacks; false after a generous timeout (a hang, not speed).
  bool Wait(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return arrived_ >= n; });
  }
  // The statuses reported for `index` (a callback must run exactly once).
  std::vector<Status> For(size_t index) {
    std::lock_guard lock(mu_);
    return statuses_[index];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<size_t, std::vector<Status>> statuses_;
  size_t arrived_ = 0;
};

// Threads submit chains of appends to their own runs without waiting: the
// committer keeps each thread's order, so every append finds the history
// where the previous one left it. A reader meanwhile sees counts only grow.
TEST_P(StoreSuite, CommitterManyThreads) {
  constexpr int kThreads = 8, kAppends = 40;
  Results results;
  std::atomic<bool> writing{true};
  std::thread reader([&] {
    ExecutionQuery q;
    q.domain = "d";
    int64_t last = 0;
    while (writing) {
      Result<int64_t> count = store().CountExecutions(q);
      ASSERT_TRUE(count.ok()) << count.error().message();
      EXPECT_GE(*count, last);
      last = *count;
    }
  });
  {
    Committer committer(store());
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
      submitters.emplace_back([&, t] {
        for (int i = 0; i < kAppends; ++i) {
          ExecutionRecord e = MakeExecution("run" + std::to_string(t));
          committer.Submit(BatchOf({Append(e, i, 1)}), results.Callback(t * kAppends + i));
        }
      });
    }
    for (std::thread& s : submitters) s.join();
    EXPECT_TRUE(results.Wait(kThreads * kAppends));
  }
  writing = false;
  reader.join();
  for (size_t i = 0; i < kThreads * kAppends; ++i) {
    std::vector<Status> got = results.For(i);
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_TRUE(got[0].ok()) << i << ": " << got[0].error().message();
  }
  for (int t = 0; t < kThreads; ++t) {
    Result<std::vector<EventRecord>> events = store().LoadEvents("run" + std::to_string(t));
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), static_cast<size_t>(kAppends));
    Result<std::optional<ExecutionRecord>> e = store().GetExecution("run" + std::to_string(t));
    ASSERT_TRUE(e.ok() && e->has_value());
    EXPECT_EQ((*e)->last_event_id, kAppends);
  }
}

TEST_P(StoreSuite, CommitterReportsAFailureToItsOwnCallbackOnly) {
  ASSERT_TRUE(WriteOne(BatchOf({Append(MakeExecution("r"), 0, 1)})).ok());
  constexpr size_t kBatches = 30, kBad = 10;
  Results results;
  {
    Committer committer(store());
    for (size_t i = 0; i < kBatches; ++i) {
      WriteBatch b = i == kBad ? BatchOf({Append(MakeExecution("r"), 0, 1)})  // r exists
                               : BatchOf({Append(MakeExecution("n" + std::to_string(i)), 0, 1)});
      committer.Submit(std::move(b), results.Callback(i));
    }
    EXPECT_TRUE(results.Wait(kBatches));
  }
  for (size_t i = 0; i < kBatches; ++i) {
    std::vector<Status> got = results.For(i);
    ASSERT_EQ(got.size(), 1u) << i;
    if (i == kBad) {
      ASSERT_FALSE(got[0].ok());
      EXPECT_EQ(got[0].error().code(), Errc::kConflict);
    } else {
      EXPECT_TRUE(got[0].ok()) << i;
    }
  }
  ExecutionQuery q;
  q.domain = "d";
  Result<int64_t> count = store().CountExecutions(q);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int64_t>(kBatches));  // r + the 29 good ones
}

TEST_P(StoreSuite, CommitterDestructorDrainsTheQueue) {
  constexpr size_t kBatches = 200;
  Results results;
  {
    Committer committer(store());
    for (size_t i = 0; i < kBatches; ++i) {
      committer.Submit(BatchOf({Append(MakeExecution("q" + std::to_string(i)), 0, 1)}),
                       results.Callback(i));
    }
  }  // no waiting before the destructor
  for (size_t i = 0; i < kBatches; ++i) {
    std::vector<Status> got = results.For(i);
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_TRUE(got[0].ok()) << i;
  }
  ExecutionQuery q;
  q.domain = "d";
  Result<int64_t> count = store().CountExecutions(q);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int64_t>(kBatches));
}

}  // namespace
}  // namespace weft::store::testing
