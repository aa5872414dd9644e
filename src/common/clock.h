// src/common/clock.h: time as weft sees it.
//
// Everything that reads the time takes a Clock, so that tests drive timers by
// advancing a FakeClock instead of sleeping. Times are wall-clock (they are
// written into history events and compared across restarts), kept in
// milliseconds since the Unix epoch.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace weft {

using Millis = int64_t;  // milliseconds since 1970-01-01T00:00:00Z

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;  // thread-safe
  // `moved` runs after the clock jumps (a FakeClock's Advance or Set), so
  // that timers waiting on it fire what became due. A real clock never
  // jumps: it keeps nothing.
  virtual void OnAdvance(std::function<void()> moved) const { (void)moved; }
};

class SystemClock final : public Clock {
 public:
  Millis Now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Millis start = 1'700'000'000'000) : now_(start) {}
  Millis Now() const override { return now_.load(); }
  void OnAdvance(std::function<void()> moved) const override {
    std::lock_guard lock(mu_);
    listeners_.push_back(std::move(moved));
  }
  void Advance(Millis ms) {
    now_ += ms;
    Notify();
  }
  void Set(Millis ms) {
    now_ = ms;
    Notify();
  }

 private:
  void Notify() {
    std::vector<std::function<void()>> listeners;
    {
      std::lock_guard lock(mu_);
      listeners = listeners_;
    }
    for (auto& l : listeners) l();
  }
  std::atomic<Millis> now_;
  mutable std::mutex mu_;
  mutable std::vector<std::function<void()>> listeners_;
};

// Epoch seconds with millisecond precision, as the AWS JSON protocols write
// timestamps (1326592619.474).
inline double ToEpochSeconds(Millis ms) { return static_cast<double>(ms) / 1000.0; }

// RFC 3339 / ISO 8601 in UTC with milliseconds: 2024-01-02T03:04:05.678Z.
std::string FormatIso8601(Millis ms);

}  // namespace weft
