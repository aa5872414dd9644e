#include "matching/matching.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <set>
#include <thread>
#include <tuple>

namespace weft::matching {
namespace {

using namespace std::chrono_literals;

const TaskListKey kList{"d", "tl", TaskKind::kActivity};

Task MakeTask(std::string run, int64_t id, int32_t priority = 0) {
  return Task{"wf", std::move(run), id, priority};
}

// Runs a poll to completion on `io` and returns its result.
Result<std::optional<Task>> RunPoll(net::io_context& io, Matching& m, const TaskListKey& key,
                                    std::chrono::milliseconds timeout,
                                    std::shared_ptr<DisconnectSignal> d = nullptr) {
  std::optional<Result<std::optional<Task>>> out;
  net::co_spawn(
      io, [&]() -> net::awaitable<void> { out.emplace(co_await m.Poll(key, timeout, d)); },
      net::detached);
  io.restart();
  io.run();
  return std::move(*out);
}

TEST(MatchingTest, QueuedTaskIsReturnedAtOnce) {
  net::io_context io;
  Matching m(io);
  m.AddTask(kList, MakeTask("r1", 5));
  EXPECT_EQ(m.CountTasks(kList), 1);
  auto r = RunPoll(io, m, kList, 10s);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->run_id, "r1");
  EXPECT_EQ(m.CountTasks(kList), 0);
}

TEST(MatchingTest, HigherPriorityFirstThenFifo) {
  net::io_context io;
  Matching m(io);
  m.AddTask(kList, MakeTask("a", 1, 0));
  m.AddTask(kList, MakeTask("b", 1, 5));
  m.AddTask(kList, MakeTask("c", 1, 0));
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) order.push_back((*RunPoll(io, m, kList, 1s))->run_id);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a", "c"}));
}

TEST(MatchingTest, DuplicateTaskIsQueuedOnceAndCanBeRemoved) {
  net::io_context io;
  Matching m(io);
  m.AddTask(kList, MakeTask("a", 1));
  m.AddTask(kList, MakeTask("a", 1));
  EXPECT_EQ(m.CountTasks(kList), 1);
  EXPECT_TRUE(m.RemoveTask(kList, "a", 1));
  EXPECT_FALSE(m.RemoveTask(kList, "a", 1));
  EXPECT_EQ(m.CountTasks(kList), 0);
}

TEST(MatchingTest, EmptyPollTimesOut) {
  net::io_context io;
  Matching m(io);
  auto r = RunPoll(io, m, kList, 20ms);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(MatchingTest, TaskGoesToWaitingPollerFromAnotherThread) {
  net::io_context io;
  Matching m(io);
  std::thread adder([&] {
    std::this_thread::sleep_for(50ms);
    m.AddTask(kList, MakeTask("late", 7));
  });
  auto r = RunPoll(io, m, kList, 10s);
  adder.join();
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->scheduled_event_id, 7);
  EXPECT_EQ(m.CountTasks(kList), 0);
}

TEST(MatchingTest, DisconnectEndsPollWithoutTakingTask) {
  net::io_context io;
  Matching m(io);
  auto d = std::make_shared<DisconnectSignal>();
  std::thread closer([&] {
    std::this_thread::sleep_for(30ms);
    d->Fire();
  });
  auto r = RunPoll(io, m, kList, 10s, d);
  closer.join();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  m.AddTask(kList, MakeTask("x", 1));  // must be queued, not given to the gone poller
  EXPECT_EQ(m.CountTasks(kList), 1);
}

TEST(MatchingTest, ManyWaitingPollersCostNoThreadAndEachGetsOneTask) {
  net::io_context io;
  Matching m(io);
  constexpr int kPollers = 1000;
  int got = 0, empty = 0;
  for (int i = 0; i < kPollers; ++i) {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          auto r = co_await m.Poll(kList, 5s, nullptr);
          if (r.ok() && r->has_value())
            ++got;
          else
            ++empty;
        },
        net::detached);
  }
  net::steady_timer t(io, 20ms);
  t.async_wait([&](auto) {
    for (int i = 0; i < kPollers; ++i) m.AddTask(kList, MakeTask("r" + std::to_string(i), 1));
  });
  io.run();  // one thread
  EXPECT_EQ(got, kPollers);
  EXPECT_EQ(empty, 0);
}

TEST(MatchingTest, TooManyPollersIsLimitExceeded) {
  net::io_context io;
  Matching m(io, MatchingOptions{.max_pollers_per_task_list = 1});
  std::optional<Result<std::optional<Task>>> second;
  net::co_spawn(
      io, [&]() -> net::awaitable<void> { co_await m.Poll(kList, 50ms, nullptr); }, net::detached);
  net::co_spawn(
      io, [&]() -> net::awaitable<void> { second.emplace(co_await m.Poll(kList, 50ms, nullptr)); },
      net::detached);
  io.run();
  ASSERT_TRUE(second.has_value());
  ASSERT_FALSE(second->ok());
  EXPECT_EQ(second->error().code(), Errc::kLimitExceeded);
}

TEST(MatchingTest, ShutdownEndsWaitingPolls) {
  net::io_context io;
  Matching m(io);
  std::thread stopper([&] {
    std::this_thread::sleep_for(30ms);
    m.Shutdown();
  });
  auto r = RunPoll(io, m, kList, 10s);
  stopper.join();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

// ---- stored tasks: a TaskSource holds them, matching a few of each list.

// The rows of one list, as the engine's store keeps them (in hand-out
// order); a test deletes a row when its task is taken, as the engine's
// start step does.
class FakeSource final : public TaskSource {
 public:
  using Key = std::tuple<int64_t, int64_t, std::string, int64_t>;
  static Key KeyOf(const Task& t) {
    return {-static_cast<int64_t>(t.priority), t.seq, t.run_id, t.scheduled_event_id};
  }
  // Writes the row; the caller offers the task to matching next, as the
  // engine does once the row is durable.
  Task Put(std::string run, int64_t seq, int32_t priority = 0) {
    Task t{"wf", std::move(run), 1, priority, seq, /*stored=*/true};
    rows[KeyOf(t)] = t;
    return t;
  }
  void Take(const Task& t) { rows.erase(KeyOf(t)); }

  net::awaitable<Result<std::vector<Task>>> Read(TaskListKey, std::optional<Task> after,
                                                 int64_t limit) override {
    limits.push_back(limit);
    if (fail) co_return Error::Internal("disk on fire");
    std::vector<Task> out;
    auto it = after ? rows.upper_bound(KeyOf(*after)) : rows.begin();
    for (; it != rows.end() && static_cast<int64_t>(out.size()) < limit; ++it) {
      out.push_back(it->second);
    }
    co_return out;
  }
  int64_t CountStored(TaskKind) override { return static_cast<int64_t>(rows.size()); }

  std::map<Key, Task> rows;
  std::vector<int64_t> limits;  // of every read
  bool fail = false;
};

// Polls once; the task taken (if any) has its row deleted.
std::string Take(net::io_context& io, Matching& m, FakeSource& source) {
  auto r = RunPoll(io, m, kList, 50ms);
  if (!r.ok() || !r->has_value()) return "";
  source.Take(**r);
  return (*r)->run_id;
}

TEST(MatchingTest, StoredTasksAreReadAFewAtATimeInPriorityThenSeqOrder) {
  net::io_context io;
  FakeSource source;
  source.Put("old", 10);
  source.Put("urgent", 40, 5);
  source.Put("mid", 20);
  source.Put("new", 30);
  source.Put("low", 5, -1);
  Matching m(io, MatchingOptions{.tasks_in_memory = 2}, &source);
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) {
    order.push_back(Take(io, m, source));
    EXPECT_LE(m.CountTasks(kList), 2) << "memory holds at most tasks_in_memory of a list";
  }
  EXPECT_EQ(order, (std::vector<std::string>{"urgent", "old", "mid", "new", "low"}));
  EXPECT_EQ(Take(io, m, source), "") << "each task once";
  for (int64_t limit : source.limits) EXPECT_LE(limit, 2);
  EXPECT_GE(source.limits.size(), 3u);
}

TEST(MatchingTest, AStoredTaskPastWhatWasReadIsLeftToTheSource) {
  net::io_context io;
  FakeSource source;
  source.Put("a", 10);
  source.Put("b", 20);
  source.Put("c", 30);
  Matching m(io, MatchingOptions{.tasks_in_memory = 2}, &source);
  EXPECT_EQ(Take(io, m, source), "a");  // reads a and b
  m.AddTask(kList, source.Put("d", 40));
  EXPECT_EQ(m.CountTasks(kList), 1) << "d comes after c, which is not read yet";
  // One ahead of what was read is held at once (and the last read is
  // dropped from memory to make room for it).
  m.AddTask(kList, source.Put("first", 5, 3));
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) order.push_back(Take(io, m, source));
  EXPECT_EQ(order, (std::vector<std::string>{"first", "b", "c", "d", ""}));
}

TEST(MatchingTest, AWaitingPollerGetsAStoredTaskAtOnce) {
  net::io_context io;
  FakeSource source;
  Matching m(io, MatchingOptions{.tasks_in_memory = 2}, &source);
  std::thread adder([&] {
    std::this_thread::sleep_for(50ms);
    m.AddTask(kList, source.Put("late", 99));
  });
  auto r = RunPoll(io, m, kList, 10s);
  adder.join();
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->run_id, "late");
}

TEST(MatchingTest, UnstoredTasksStayInMemoryAndAreCountedWithTheStored) {
  net::io_context io;
  FakeSource source;
  source.Put("s1", 10);
  source.Put("s2", 20);
  source.Put("s3", 30);
  Matching m(io, MatchingOptions{.tasks_in_memory = 1}, &source);
  m.AddTask(kList, MakeTask("express", 1));  // not stored: only matching has it
  EXPECT_EQ(m.CountTasks(kList, /*only_unstored=*/true), 1);
  EXPECT_EQ(m.CountPending(TaskKind::kActivity), 4);
  std::multiset<std::string> got;
  for (int i = 0; i < 4; ++i) got.insert(Take(io, m, source));
  EXPECT_EQ(got, (std::multiset<std::string>{"express", "s1", "s2", "s3"}));
  EXPECT_EQ(m.CountPending(TaskKind::kActivity), 0);
}

TEST(MatchingTest, AFailedReadLeavesTheTasksToTheNextPoll) {
  net::io_context io;
  FakeSource source;
  source.Put("a", 10);
  source.fail = true;
  Matching m(io, MatchingOptions{.tasks_in_memory = 2}, &source);
  EXPECT_EQ(Take(io, m, source), "");
  source.fail = false;
  EXPECT_EQ(Take(io, m, source), "a");
}

}  // namespace
}  // namespace weft::matching
