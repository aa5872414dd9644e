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
#include <unordered_map>

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

}  // namespace weft::engine
