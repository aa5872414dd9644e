// RunLocally(): a one-process host for an execution (asl/asl.h). Tasks are
// answered from mocks in the order they were scheduled; timers fire in time
// order and the clock jumps to them, so nothing ever sleeps.
#include <deque>
#include <map>
#include <set>

#include "asl/asl.h"
#include "asl/mocks.h"

namespace weft::asl {

Result<LocalRunResult> RunLocally(StateMachinePtr machine, std::string_view input_json,
                                  const LocalRunOptions& options) {
  ExecutionContext ctx;
  const std::string prefix = "arn:aws:states:us-east-1:123456789012:";
  ctx.state_machine_name = options.state_machine_name;
  ctx.state_machine_arn = prefix + "stateMachine:" + options.state_machine_name;
  ctx.execution_name = "local";
  ctx.execution_arn = options.express
                          ? prefix + "express:" + options.state_machine_name +
                                ":local:00000000-0000-4000-8000-000000000000"
                          : prefix + "execution:" + options.state_machine_name + ":local";
  ctx.role_arn = "arn:aws:iam::123456789012:role/weft-local";
  ctx.start_time_ms = options.start_time_ms;
  ctx.express = options.express;

  std::string mock_machine, test_case;
  if (options.mocks) {
    auto tc = options.mocks->ResolveTestCase(options.state_machine_name, options.test_case,
                                             &mock_machine);
    if (!tc) return std::move(tc).error();
    test_case = *tc;
  }

  LocalRunResult result;
  int64_t now = options.start_time_ms;
  std::deque<Command> tasks;
  std::multimap<std::pair<int64_t, int64_t>, std::string> timers;  // (fire at, seq) -> id
  int64_t timer_seq = 0;
  std::map<std::string, int64_t> invocations;  // state -> calls so far

  auto absorb = [&](StepResult& r) {
    for (auto& e : r.events) result.history.push_back(std::move(e));
    for (auto& c : r.commands) {
      switch (c.kind) {
        case CommandKind::kScheduleTask:
          tasks.push_back(std::move(c));
          break;
        case CommandKind::kStartTimer:
          timers.emplace(std::pair{c.fire_at_ms, timer_seq++}, c.id);
          break;
        case CommandKind::kCancelTimer:
          std::erase_if(timers, [&](const auto& kv) { return kv.second == c.id; });
          break;
        case CommandKind::kCancelTask:
          std::erase_if(tasks, [&](const Command& t) { return t.id == c.id; });
          break;
        default:
          break;
      }
    }
    r = StepResult{};
  };

  StepResult step;
  auto exec = Execution::Start(machine, ctx, input_json, now, &step);
  if (!exec) return std::move(exec).error();
  absorb(step);
  while (exec->status() == ExecutionStatus::kRunning) {
    if (static_cast<int64_t>(result.history.size()) > options.max_events)
      return Error::Validation("the execution produced more than " +
                               std::to_string(options.max_events) + " events; stopped");
    Feedback fb;
    if (!tasks.empty()) {
      Command task = std::move(tasks.front());
      tasks.pop_front();
      int64_t n = invocations[task.state_name]++;
      std::optional<MockedResponse> mock;
      if (options.mocks) {
        auto r = options.mocks->Response(mock_machine, test_case, task.state_name, n);
        if (!r) return std::move(r).error();
        mock = std::move(*r);
      }
      if (!mock)
        return Error::Validation("Task state \"" + task.state_name + "\" (" + task.resource +
                                 ") has no mocked response" +
                                 (options.mocks ? " in test case \"" + test_case + "\""
                                                : std::string(": pass --mocks FILE")));
      fb.id = task.id;
      if (mock->is_throw) {
        fb.kind = Feedback::Kind::kTaskFailed;
        fb.error = mock->error;
        fb.cause = mock->cause;
      } else {
        fb.kind = Feedback::Kind::kTaskSucceeded;
        fb.output = mock->output;
      }
    } else if (!timers.empty()) {
      auto it = timers.begin();
      now = std::max(now, it->first.first);
      fb.kind = Feedback::Kind::kTimerFired;
      fb.id = it->second;
      timers.erase(it);
    } else {
      return Error::Internal("the execution is waiting for nothing");
    }
    auto st = exec->Apply(fb, now, &step);
    if (!st) return std::move(st).error();
    absorb(step);
  }
  result.status = exec->status();
  result.output = exec->output();
  result.error = exec->error();
  result.cause = exec->cause();
  return result;
}

}  // namespace weft::asl
