#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>

namespace weft::metrics {
namespace {

enum class Type { kCounter, kHistogram, kGauge };

struct Gauge {
  uint64_t id;
  std::function<double()> read;
};

// One metric name: its help, type and one child per set of label values.
struct Family {
  std::string help;
  Type type;
  std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered labels
  std::map<std::string, std::unique_ptr<Histogram>> histograms;
  std::map<std::string, std::vector<Gauge>> gauges;
};

std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// {a="1",b="2"}, or "" without labels.
std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out += ',';
    out += key + "=\"" + Escape(value) + "\"";
  }
  return out + "}";
}

// `labels` ({...} or "") with one more label.
std::string WithLabel(const std::string& labels, const std::string& key, const std::string& value) {
  std::string pair = key + "=\"" + value + "\"";
  if (labels.empty()) return "{" + pair + "}";
  return labels.substr(0, labels.size() - 1) + "," + pair + "}";
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];  // the shortest text that reads back as v: 0.0025, not 0.0025000000000000001
  double magnitude = std::abs(v);
  bool fixed = v == 0 || (magnitude >= 1e-6 && magnitude < 1e15);  // 0.0001, not 1e-04
  auto [end, ec] = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

class Registry {
 public:
  static Registry& Get() {
    static Registry* registry = new Registry();  // never destroyed: used until exit
    return *registry;
  }

  template <class T>
  T& Child(std::string_view name, std::string_view help, Type type, const Labels& labels) {
    std::lock_guard lock(mu_);
    Family& f = FamilyOf(name, help, type);
    auto& children = ChildrenOf<T>(f);
    auto& slot = children[RenderLabels(labels)];
    if (!slot) slot = std::make_unique<T>();
    return *slot;
  }

  uint64_t AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                    std::function<double()> read) {
    std::lock_guard lock(mu_);
    uint64_t id = ++next_gauge_id_;
    FamilyOf(name, help, Type::kGauge)
        .gauges[RenderLabels(labels)]
        .push_back({id, std::move(read)});
    return id;
  }

  void RemoveGauge(uint64_t id) {
    std::lock_guard lock(mu_);
    for (auto& [name, f] : families_) {
      for (auto& [labels, list] : f.gauges) {
        std::erase_if(list, [id](const Gauge& g) { return g.id == id; });
      }
    }
  }

  std::string Render() {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& [name, f] : families_) {
      static constexpr const char* kTypeNames[] = {"counter", "histogram", "gauge"};
      out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + kTypeNames[static_cast<int>(f.type)] + "\n";
      for (const auto& [labels, c] : f.counters)
        out += name + labels + " " + std::to_string(c->value()) + "\n";
      for (const auto& [labels, h] : f.histograms) RenderHistogram(name, labels, *h, out);
      for (const auto& [labels, list] : f.gauges) {
        if (list.empty()) continue;
        double sum = 0;  // several live owners of one gauge add up (engines in tests)
        for (const auto& g : list) sum += g.read();
        out += name + labels + " " + Number(sum) + "\n";
      }
    }
    return out;
  }

 private:
  Family& FamilyOf(std::string_view name, std::string_view help, Type type) {
    auto [it, inserted] = families_.try_emplace(std::string(name));
    if (inserted) {
      it->second.help = std::string(help);
      it->second.type = type;
    }
    return it->second;
  }

  template <class T>
  static auto& ChildrenOf(Family& f) {
    if constexpr (std::is_same_v<T, Counter>)
      return f.counters;
    else
      return f.histograms;
  }

  static void RenderHistogram(const std::string& name, const std::string& labels,
                              const Histogram& h, std::string& out) {
    auto cumulative = h.Cumulative();
    for (size_t i = 0; i < cumulative.size(); ++i) {
      std::string le = i < Histogram::kBounds.size() ? Number(Histogram::kBounds[i]) : "+Inf";
      out += name + "_bucket" + WithLabel(labels, "le", le) + " " + std::to_string(cumulative[i]) +
             "\n";
    }
    out += name + "_sum" + labels + " " + Number(h.sum_seconds()) + "\n";
    out += name + "_count" + labels + " " + std::to_string(cumulative.back()) + "\n";
  }

  std::mutex mu_;
  std::map<std::string, Family> families_;  // sorted: a stable rendering

 public:
  // The sum of a counter family over its label values.
  uint64_t Total(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    uint64_t sum = 0;
    for (const auto& [labels, c] : it->second.counters) sum += c->value();
    return sum;
  }

 private:
  uint64_t next_gauge_id_ = 0;
};

// The series of the console's charts, and the counters they follow.
constexpr std::pair<const char*, const char*> kSeries[] = {
    {"executions_started", "weft_executions_started_total"},
    {"state_transitions", "weft_state_transitions_total"},
    {"tasks_handed_out", "weft_tasks_handed_out_total"},
};
constexpr size_t kMinutesKept = 24 * 60;

struct History {
  std::mutex mu;
  bool started = false;
  uint64_t last[std::size(kSeries)] = {};
  std::deque<uint64_t> minutes[std::size(kSeries)];
};

History& TheHistory() {
  static History* history = new History();  // never destroyed: used until exit
  return *history;
}

}  // namespace

void SampleMinute() {
  History& h = TheHistory();
  std::lock_guard lock(h.mu);
  for (size_t i = 0; i < std::size(kSeries); ++i) {
    uint64_t now = Registry::Get().Total(kSeries[i].second);
    if (h.started) {
      h.minutes[i].push_back(now - h.last[i]);
      if (h.minutes[i].size() > kMinutesKept) h.minutes[i].pop_front();
    }
    h.last[i] = now;
  }
  h.started = true;
}

std::string RenderHistoryJson() {
  History& h = TheHistory();
  std::lock_guard lock(h.mu);
  std::string out = "{\"interval_seconds\":60,\"series\":{";
  for (size_t i = 0; i < std::size(kSeries); ++i) {
    if (i) out += ',';
    out += "\"" + std::string(kSeries[i].first) + "\":[";
    bool first = true;
    for (uint64_t v : h.minutes[i]) {
      if (!first) out += ',';
      first = false;
      out += std::to_string(v);
    }
    out += ']';
  }
  return out + "}}";
}

void Histogram::Observe(double seconds) {
  size_t i = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6), std::memory_order_relaxed);
}

std::array<uint64_t, Histogram::kBounds.size() + 1> Histogram::Cumulative() const {
  std::array<uint64_t, kBounds.size() + 1> out{};
  uint64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

double Histogram::sum_seconds() const {
  return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
}

uint64_t Histogram::count() const { return Cumulative().back(); }

Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  return Registry::Get().Child<Counter>(name, help, Type::kCounter, labels);
}

Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels) {
  return Registry::Get().Child<Histogram>(name, help, Type::kHistogram, labels);
}

GaugeHandle AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                     std::function<double()> read) {
  return GaugeHandle(Registry::Get().AddGauge(name, help, labels, std::move(read)));
}

GaugeHandle& GaugeHandle::operator=(GaugeHandle&& other) noexcept {
  if (this != &other) {
    if (id_) Registry::Get().RemoveGauge(id_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

GaugeHandle::~GaugeHandle() {
  if (id_) Registry::Get().RemoveGauge(id_);
}

std::string RenderPrometheus() { return Registry::Get().Render(); }

}  // namespace weft::metrics
