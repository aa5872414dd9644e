// GET /metrics for executions (ExecutionMetrics in engine_impl.h): counted
// from what each durable batch writes, so that both front doors and every
// path that starts or closes an execution are counted in one place.
#include <array>
#include <map>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

constexpr const char* kKinds[2] = {"swf", "sfn"};

// The stored numbers of the Step Functions events this counts.
struct MachineNumbers {
  uint16_t started = 0;
  std::vector<uint16_t> state_entered;  // every "<Type>StateEntered"
};

const MachineNumbers& Numbers() {
  static const MachineNumbers numbers = [] {
    MachineNumbers n;
    n.started = MachineEventTypeNumber("ExecutionStarted").value_or(0);
    // From the table of stored types, so that a state type added there is counted.
    constexpr std::string_view kEntered = "StateEntered";
    for (int number = kFirstMachineEventType;; ++number) {
      auto name = MachineEventTypeName(static_cast<uint16_t>(number));
      if (!name) break;
      if (name->size() > kEntered.size() && name->ends_with(kEntered))
        n.state_entered.push_back(static_cast<uint16_t>(number));
    }
    return n;
  }();
  return numbers;
}

}  // namespace

ExecutionMetrics::ExecutionMetrics() {
  for (int kind = 0; kind < 2; ++kind) {
    gauges_.push_back(metrics::AddGauge(
        "weft_open_executions", "Executions open now (Express ones not counted)",
        {{"kind", kKinds[kind]}}, [this, kind] { return double(open_[kind].load()); }));
  }
}

ExecutionMetrics::Delta ExecutionMetrics::Of(const store::WriteBatch& batch) {
  const MachineNumbers& numbers = Numbers();
  Delta d;
  for (const auto& w : batch.executions) {
    const auto& r = w.execution;
    if (r.domain == kMapRunDomain || w.events.empty()) continue;
    int kind = r.domain == kMachineDomain ? 1 : 0;
    for (const auto& e : w.events) {
      if (kind == 0 && e.type == static_cast<uint16_t>(EventType::kWorkflowExecutionStarted)) {
        ++d.started[0];
      } else if (kind == 1 && e.type == numbers.started) {
        ++d.started[1];
      } else if (kind == 1 && std::find(numbers.state_entered.begin(), numbers.state_entered.end(),
                                        e.type) != numbers.state_entered.end()) {
        ++d.transitions;
      }
    }
    if (!r.open) d.closed.emplace_back(kind, r.close_status);
  }
  return d;
}

void ExecutionMetrics::Count(const Delta& d) {
  static metrics::Counter* started[2] = {
      &metrics::GetCounter("weft_executions_started_total", "Executions started",
                           {{"kind", kKinds[0]}}),
      &metrics::GetCounter("weft_executions_started_total", "Executions started",
                           {{"kind", kKinds[1]}})};
  static metrics::Counter& transitions = metrics::GetCounter(
      "weft_state_transitions_total", "Step Functions states entered (state transitions)");
  for (int kind = 0; kind < 2; ++kind) {
    if (d.started[kind] == 0) continue;  // no shared cache line touched for nothing
    started[kind]->Add(static_cast<uint64_t>(d.started[kind]));
    open_[kind].fetch_add(d.started[kind]);
  }
  if (d.transitions) transitions.Add(static_cast<uint64_t>(d.transitions));
  for (const auto& [kind, status] : d.closed) {
    // The registry is asked once per thread, kind and status.
    thread_local std::map<std::pair<int, std::string>, metrics::Counter*> closed;
    metrics::Counter*& counter = closed[{kind, status}];
    if (!counter) {
      counter =
          &metrics::GetCounter("weft_executions_closed_total", "Executions closed, by close status",
                               {{"kind", kKinds[kind]}, {"status", status}});
    }
    counter->Add();
    open_[kind].fetch_sub(1);
  }
}

}  // namespace weft::engine
