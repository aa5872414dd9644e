// Durable timers: every timeout and timer of both kinds of execution (SWF
// timeouts and timers; Step Functions Wait states, retry delays, task and
// heartbeat timeouts) is a row of the store's timers table, written in the
// batch of the step that arms it. Memory holds
// only the timers due soon: one reader reads the rows of every shard due
// within the next kTimerReadAhead (its level moves forward as it reads) and
// arms each on its shard, and a timer written behind the level is armed at
// once by its writer instead (it would never be read again). The rows are
// ordered by due time, not by shard first, so that the rows one commit adds
// (due a fixed timeout after now) sit together in the table whatever the
// number of shards: with 256 shards, ordering by shard put each on a page
// of its own. A row is deleted once its timer has fired; a row that fires
// twice (a crash before its delete) is harmless, because firing checks the
// execution's state (timeouts.cc).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

constexpr int64_t kTimerReadLimit = 100'000;  // rows per read; the rest on the next

}  // namespace

store::TimerRecord TimerRowOf(const TimerSpec& spec, int shard) {
  store::TimerRecord row;
  row.shard = shard;
  row.due = spec.due;
  row.run_id = spec.run_id;
  row.key = std::to_string(static_cast<int>(spec.kind)) + ":" + std::to_string(spec.event_id) +
            ":" + std::to_string(spec.started_event_id) + ":" + spec.timer_id;
  row.data = ToJson(json::object{{"d", spec.domain}, {"w", spec.workflow_id}});
  return row;
}

std::optional<TimerSpec> TimerSpecOf(const store::TimerRecord& row) {
  TimerSpec spec;
  spec.due = row.due;
  spec.run_id = row.run_id;
  // key: kind ':' event id ':' started event id ':' timer id (may hold ':')
  size_t a = row.key.find(':');
  size_t b = a == std::string::npos ? a : row.key.find(':', a + 1);
  size_t c = b == std::string::npos ? b : row.key.find(':', b + 1);
  auto data = ParseJson(row.data);
  if (c == std::string::npos || !data.ok() || !data->is_object()) return std::nullopt;
  try {
    int kind = std::stoi(row.key.substr(0, a));
    if (kind < 0 || kind > static_cast<int>(TimerKind::kUserTimer)) return std::nullopt;
    spec.kind = static_cast<TimerKind>(kind);
    spec.event_id = std::stoll(row.key.substr(a + 1, b - a - 1));
    spec.started_event_id = std::stoll(row.key.substr(b + 1, c - b - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  spec.timer_id = row.key.substr(c + 1);
  const auto* domain = FindString(data->as_object(), "d");
  const auto* workflow_id = FindString(data->as_object(), "w");
  if (!domain || !workflow_id) return std::nullopt;
  spec.domain = std::string(*domain);
  spec.workflow_id = std::string(*workflow_id);
  return spec;
}

// A machine timer's key: 'm', its kind, ':', its id ("m0:wait-3"). An SWF
// timer's starts with a digit.
store::TimerRecord MachineTimerRowOf(const MachineTimer& timer, int shard) {
  store::TimerRecord row;
  row.shard = shard;
  row.due = timer.due;
  row.run_id = timer.execution_arn;
  row.key = "m" + std::to_string(static_cast<int>(timer.kind)) + ":" + timer.id;
  return row;
}

std::optional<MachineTimer> MachineTimerOf(const store::TimerRecord& row) {
  if (row.key.size() < 3 || row.key[0] != 'm' || row.key[2] != ':') return std::nullopt;
  int kind = row.key[1] - '0';
  if (kind < 0 || kind > static_cast<int>(MachineTimer::Kind::kTaskHeartbeat)) return std::nullopt;
  return MachineTimer{static_cast<MachineTimer::Kind>(kind), row.run_id, row.key.substr(3),
                      row.due};
}

namespace {

bool IsMachineTimerRow(const store::TimerRecord& row) {
  return !row.key.empty() && row.key[0] == 'm';
}

}  // namespace

void Engine::Impl::ArmTimerRow(Shard& shard, const store::TimerRecord& row) {
  if (IsMachineTimerRow(row)) {
    if (auto timer = MachineTimerOf(row)) return ArmMachineTimer(shard, std::move(*timer));
  } else if (auto spec = TimerSpecOf(row)) {
    return ArmTimer(shard, std::move(*spec));
  }
  log::Error("an unreadable timer row of " + row.run_id + " is dropped");
  shard.fired_timers.push_back(row);
}

void Engine::Impl::ReadTimers() {
  std::lock_guard lock(timer_read_mu);
  Millis level = clock.Now() + kTimerReadAhead;
  if (level <= timer_read_cursor) return;
  // Raised first: a row made durable from now on with a due time below it
  // is armed by its writer; one made durable before is in the read below.
  if (level > timer_arm_level.load()) timer_arm_level.store(level);
  auto rows = store.LoadTimers(std::nullopt, timer_read_cursor, level, kTimerReadLimit);
  if (!rows.ok()) {
    log::Error("reading timers: " + rows.error().message());
    return;  // read again next time, from the same cursor
  }
  // Cut short by the limit: read on from the last due time next time (its
  // rows are left for then), unless they all have that due time: then
  // past it (the rest of that millisecond may be armed twice; harmless).
  if (static_cast<int64_t>(rows->size()) == kTimerReadLimit) {
    level = rows->back().due;
    if (level <= timer_read_cursor) level = rows->back().due + 1;
  }
  std::vector<std::vector<store::TimerRecord>> by_shard(shards.size());
  for (auto& row : *rows) {
    if (row.due >= level) break;
    if (row.shard < 0 || static_cast<size_t>(row.shard) >= shards.size()) {
      log::Error("a timer row of " + row.run_id + " names no shard of this store; left alone");
      continue;
    }
    by_shard[row.shard].push_back(std::move(row));
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    if (by_shard[i].empty()) continue;
    Shard* shard = shards[i].get();
    net::post(shard->strand, [this, shard, due = std::move(by_shard[i])] {
      for (const auto& row : due) ArmTimerRow(*shard, row);
    });
  }
  timer_read_cursor = level;
}

void Engine::Impl::NoteTimerFired(Shard& shard, const TimerSpec& spec) {
  shard.fired_timers.push_back(TimerRowOf(spec, shard.index));
}

void Engine::Impl::FlushFiredTimers(Shard& shard) {
  if (shard.fired_timers.empty()) return;
  store::WriteBatch batch;
  batch.shard = shard.index;
  batch.timers_done = shard.TakeFiredTimers();
  // Not waited for: a row whose delete is lost fires again, harmlessly.
  committer.Submit(std::move(batch), [](Status s) {
    if (!s.ok()) log::Error("deleting fired timers: " + s.error().message());
  });
}

net::awaitable<void> Engine::Impl::WriteTimerRow(Shard& shard, store::TimerRecord row) {
  store::WriteBatch batch;
  batch.shard = shard.index;
  batch.timers.push_back(std::move(row));
  batch.timers_done = shard.TakeFiredTimers();
  Status written = co_await WriteStep(std::move(batch), /*creates=*/false);
  (void)written;  // aborts on failure
}

namespace {

net::awaitable<void> TimerReaderLoop(Engine::Impl* impl, std::shared_ptr<net::steady_timer> timer) {
  for (;;) {
    timer->expires_after(std::chrono::milliseconds(kTimerReadAhead / 2));
    boost::system::error_code ec;
    co_await timer->async_wait(net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;  // shut down
    impl->ReadTimers();
    for (auto& shard : impl->shards) {
      Shard* s = shard.get();
      net::post(s->strand, [impl, s] { impl->FlushFiredTimers(*s); });
    }
  }
}

}  // namespace

void Engine::Impl::StartTimerReaders() {
  timer_reader = std::make_shared<net::steady_timer>(io);
  net::co_spawn(io, TimerReaderLoop(this, timer_reader), net::detached);
}

}  // namespace weft::engine
