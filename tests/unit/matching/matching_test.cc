#include "matching/matching.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

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

}  // namespace
}  // namespace weft::matching
