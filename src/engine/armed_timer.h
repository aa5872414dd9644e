// src/engine/armed_timer.h: the engine's timers (internal to engine/).
//
// Every timeout and timer of both kinds of execution is an ArmedTimer: an
// Asio timer on the execution's shard strand, due at a wall-clock time of the
// engine's Clock. With a FakeClock, tests move time with Advance() and the
// engine fires what became due (Engine::Impl::FireDueTimers), so timeouts are
// tested without sleeping.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace weft::engine {

namespace net = boost::asio;

struct ArmedTimer {
  explicit ArmedTimer(const net::strand<net::io_context::executor_type>& strand) : timer(strand) {}
  net::steady_timer timer;
  Millis due = 0;
  bool due_now = false;  // the clock moved past `due`: fire although the wait was cut short
};

template <class Key>
using ArmedTimers = std::unordered_multimap<Key, std::shared_ptr<ArmedTimer>>;

// Arms a timer due at `due`; `on_due` runs on the strand when it is due,
// unless it is disarmed first.
inline std::shared_ptr<ArmedTimer> StartTimer(
    const net::strand<net::io_context::executor_type>& strand, const Clock& clock, Millis due,
    std::function<void(const std::shared_ptr<ArmedTimer>&)> on_due) {
  auto t = std::make_shared<ArmedTimer>(strand);
  t->due = due;
  t->timer.expires_after(std::chrono::milliseconds(std::max<Millis>(0, due - clock.Now())));
  t->timer.async_wait([t, on_due = std::move(on_due)](boost::system::error_code ec) {
    if (ec && !t->due_now) return;  // disarmed
    on_due(t);
  });
  return t;
}

// Disarms every timer under `key`.
template <class Key>
void Disarm(ArmedTimers<Key>& timers, const Key& key) {
  auto [first, last] = timers.equal_range(key);
  for (auto t = first; t != last; ++t) t->second->timer.cancel();
  timers.erase(first, last);
}

// Forgets `timer` (it fired).
template <class Key>
void Forget(ArmedTimers<Key>& timers, const Key& key, const std::shared_ptr<ArmedTimer>& timer) {
  auto [first, last] = timers.equal_range(key);
  for (auto t = first; t != last; ++t) {
    if (t->second == timer) {
      timers.erase(t);
      return;
    }
  }
}

// Fires at once the timers that are due at `now` (a FakeClock moved).
template <class Key>
void FireDue(ArmedTimers<Key>& timers, Millis now) {
  for (auto& [key, t] : timers) {
    if (t->due <= now && !t->due_now) {
      t->due_now = true;
      t->timer.cancel();
    }
  }
}

template <class Key>
void DisarmAll(ArmedTimers<Key>& timers) {
  for (auto& [key, t] : timers) t->timer.cancel();
  timers.clear();
}

// The armed timers of a shard's executions, by execution id, then by Key
// (what each one times). Kept by the shard, whether or not the execution
// is in memory; a timer is forgotten here as it fires.
template <class Key>
class TimersByRun {
 public:
  // Arms a timer of `run` under `key`: `on_due` runs on the strand when it
  // is due, unless it is disarmed first.
  void Arm(const net::strand<net::io_context::executor_type>& strand, const Clock& clock,
           Millis due, const std::string& run, Key key, std::function<void()> on_due) {
    auto timer = StartTimer(
        strand, clock, due,
        [this, run, key, on_due = std::move(on_due)](const std::shared_ptr<ArmedTimer>& t) {
          if (auto it = runs_.find(run); it != runs_.end()) {
            Forget(it->second, key, t);
            if (it->second.empty()) runs_.erase(it);
          }
          on_due();
        });
    runs_[run].emplace(std::move(key), std::move(timer));
  }
  // Disarms the timers of `run` under `keys`.
  void Disarm(const std::string& run, const std::vector<Key>& keys) {
    auto it = runs_.find(run);
    if (it == runs_.end()) return;
    for (const Key& key : keys) engine::Disarm(it->second, key);
    if (it->second.empty()) runs_.erase(it);
  }
  // Disarms every timer of `run` (it closed).
  void DisarmRun(const std::string& run) {
    if (auto it = runs_.find(run); it != runs_.end()) {
      DisarmAll(it->second);
      runs_.erase(it);
    }
  }
  void FireDue(Millis now) {
    for (auto& [run, timers] : runs_) engine::FireDue(timers, now);
  }

 private:
  std::unordered_map<std::string, ArmedTimers<Key>> runs_;
};

}  // namespace weft::engine
