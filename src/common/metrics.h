// src/common/metrics.h: the process's counters, histograms and gauges, and
// their Prometheus text form (served at GET /metrics).
//
// One registry per process, as in Prometheus's own client libraries: a
// module asks for its metric once (by name and labels) and keeps the
// reference; updating it is one relaxed atomic add, so the hot paths (a
// state transition, an HTTP request) pay nothing measurable. Families and
// their label values are created on first use and live until the process
// ends, so keep label values bounded (operation names, statuses; never ids).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Durations in seconds, counted into fixed buckets from 100 us to 60 s.
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10, 60};
  void Observe(double seconds);
  // Cumulative counts per bound, then +Inf; the sum in microseconds.
  std::array<uint64_t, kBounds.size() + 1> Cumulative() const;
  double sum_seconds() const;
  uint64_t count() const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_us_{0};
};

// The metric `name` with these label values, created on first use.
Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {});

// A gauge whose value is read when the metrics are rendered, for as long as
// the returned handle lives (the reader may point into its owner).
class GaugeHandle {
 public:
  GaugeHandle() = default;
  explicit GaugeHandle(uint64_t id) : id_(id) {}
  GaugeHandle(GaugeHandle&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  GaugeHandle& operator=(GaugeHandle&& other) noexcept;
  GaugeHandle(const GaugeHandle&) = delete;
  GaugeHandle& operator=(const GaugeHandle&) = delete;
  ~GaugeHandle();

 private:
  uint64_t id_ = 0;
};
[[nodiscard]] GaugeHandle AddGauge(std::string_view name, std::string_view help,
                                   const Labels& labels, std::function<double()> read);

// Every metric in the Prometheus text exposition format (version 0.0.4).
std::string RenderPrometheus();

// The console's charts: per-minute increases of a few counters over the
// last 24 hours. SampleMinute() is called once a minute (by the server);
// RenderHistoryJson() answers GET /metrics/history:
// {"interval_seconds":60,"series":{"executions_started":[...], ...}}, oldest
// first, at most 1,440 values each.
void SampleMinute();
std::string RenderHistoryJson();

}  // namespace weft::metrics
