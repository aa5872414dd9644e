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
#include <string>

namespace weft {

using Millis = int64_t;  // milliseconds since 1970-01-01T00:00:00Z

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;  // thread-safe
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
  void Advance(Millis ms) { now_ += ms; }
  void Set(Millis ms) { now_ = ms; }

 private:
  std::atomic<Millis> now_;
};

// Epoch seconds with millisecond precision, as the AWS JSON protocols write
// timestamps (1326592619.474).
inline double ToEpochSeconds(Millis ms) { return static_cast<double>(ms) / 1000.0; }

// RFC 3339 / ISO 8601 in UTC with milliseconds: 2024-01-02T03:04:05.678Z.
std::string FormatIso8601(Millis ms);

}  // namespace weft
