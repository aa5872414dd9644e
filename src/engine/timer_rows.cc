// Durable timers: every timeout and timer of both kinds of execution (SWF
// timeouts and timers; Step Functions Wait states, retry delays, task and
// heartbeat timeouts) is a row of the store's timers table, written in the
// batch of the step that arms it. Memory holds
// only the timers due soon: each shard reads the rows due within the next
// kTimerReadAhead (its read level moves forward as it reads), and a timer
// written behind the read level is armed at once instead (it would never be
// read again). A row is deleted once its timer has fired; a row that fires
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

void Engine::Impl::ReadTimers(Shard& shard) {
  FlushFiredTimers(shard);
  Millis level = clock.Now() + kTimerReadAhead;
  if (level <= shard.timer_read_level) return;
  auto rows = store.LoadTimers(shard.index, shard.timer_read_level, level, kTimerReadLimit);
  if (!rows.ok()) {
    log::Error("reading timers of shard " + std::to_string(shard.index) + ": " +
               rows.error().message());
    return;  // read again next time, from the same level
  }
  // Cut short by the limit: read on from the last due time next time (its
  // rows are left for then), unless they all have that due time: then
  // past it (the rest of that millisecond may be armed twice; harmless).
  if (static_cast<int64_t>(rows->size()) == kTimerReadLimit) {
    level = rows->back().due;
    if (level <= shard.timer_read_level) level = rows->back().due + 1;
  }
  for (const auto& row : *rows) {
    if (row.due >= level) break;
    ArmTimerRow(shard, row);
  }
  shard.timer_read_level = level;
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

net::awaitable<void> TimerReaderLoop(Engine::Impl* impl, Shard* shard,
                                     std::shared_ptr<net::steady_timer> timer) {
  for (;;) {
    timer->expires_after(std::chrono::milliseconds(kTimerReadAhead / 2));
    boost::system::error_code ec;
    co_await timer->async_wait(net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;  // shut down
    impl->ReadTimers(*shard);
  }
}

}  // namespace

void Engine::Impl::StartTimerReaders() {
  for (auto& shard : shards) {
    shard->timer_reader = std::make_shared<net::steady_timer>(shard->strand);
    net::co_spawn(shard->strand, TimerReaderLoop(this, shard.get(), shard->timer_reader),
                  net::detached);
  }
}

}  // namespace weft::engine
