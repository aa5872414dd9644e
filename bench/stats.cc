#include "load.h"

namespace weft::bench {

LoadStats::LoadStats(const LoadOptions& options)
    : activities_(options.activities),
      slots_(static_cast<size_t>(options.workflows) * options.activities) {
  scheduled_ns_ = std::make_unique<std::atomic<int64_t>[]>(slots_);
  polled_ns_ = std::make_unique<std::atomic<int64_t>[]>(slots_);
  for (size_t i = 0; i < slots_; ++i) {
    scheduled_ns_[i] = -1;
    polled_ns_[i] = -1;
  }
  begin = BenchClock::now();
}

void LoadStats::RecordError(const std::string& operation, const std::string& fault,
                            const std::string& message) {
  std::lock_guard lock(mu_);
  ++errors_[operation + ": " + fault];
  if (first_error_.empty()) first_error_ = operation + ": " + fault + " " + message;
}

std::map<std::string, int64_t> LoadStats::Errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::string LoadStats::FirstErrorMessage() const {
  std::lock_guard lock(mu_);
  return first_error_;
}

void LoadStats::RecordRoundTrip(std::string_view operation, BenchClock::duration d) {
  double ms = std::chrono::duration<double, std::milli>(d).count();
  std::lock_guard lock(mu_);
  auto it = round_trips_.find(operation);
  if (it == round_trips_.end())
    it = round_trips_.emplace(std::string(operation), std::vector<double>()).first;
  it->second.push_back(ms);
}

std::map<std::string, std::vector<double>> LoadStats::RoundTripMillis() const {
  std::lock_guard lock(mu_);
  return {round_trips_.begin(), round_trips_.end()};
}

void LoadStats::MarkScheduled(int workflow, int activity, BenchClock::time_point at) {
  size_t slot = static_cast<size_t>(workflow) * activities_ + activity;
  if (workflow < 0 || activity < 0 || activity >= activities_ || slot >= slots_) return;
  scheduled_ns_[slot] = Since(at);
}

void LoadStats::MarkPolled(int workflow, int activity, BenchClock::time_point at) {
  size_t slot = static_cast<size_t>(workflow) * activities_ + activity;
  if (workflow < 0 || activity < 0 || activity >= activities_ || slot >= slots_) return;
  polled_ns_[slot] = Since(at);
}

std::vector<double> LoadStats::ScheduleToStartMillis() const {
  std::vector<double> out;
  for (size_t i = 0; i < slots_; ++i) {
    int64_t s = scheduled_ns_[i].load();
    int64_t p = polled_ns_[i].load();
    if (s < 0 || p < 0) continue;
    out.push_back(p > s ? (p - s) / 1e6 : 0.0);
  }
  return out;
}

}  // namespace weft::bench
