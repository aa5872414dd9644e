// Timeouts and user timers. Each is an Asio timer on the shard's strand; when
// it fires, the execution's current state decides whether it still applies
// (the task may have completed, or been restarted, since it was armed).
// Due times are wall-clock times derived from history events, so a timer
// re-armed after a restart fires when it would have without the restart.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

json::object TimedOutAttrs(std::string_view type, const ActivityInfo& a) {
  json::object e{{"timeoutType", type},
                 {"scheduledEventId", a.scheduled_event_id},
                 {"startedEventId", a.started_event_id}};
  if (a.heartbeat_details) e["details"] = *a.heartbeat_details;
  return e;
}

}  // namespace

// The execution need not be in memory: the timer is kept by the shard, and
// firing it loads the execution.
void Engine::Impl::ArmTimer(Shard& shard, TimerSpec spec) {
  Shard* s = &shard;
  Millis due = spec.due;
  std::string run_id = spec.run_id;
  int64_t key = spec.event_id;
  shard.armed.Arm(shard.strand, clock, due, run_id, key, [this, s, spec = std::move(spec)] {
    net::co_spawn(s->strand, FireTimer(s, spec), net::detached);
  });
}

void Engine::Impl::FireDueTimers() {
  ReadTimers();  // the rows due now are armed on their strands first
  for (auto& shard : shards) {
    Shard* s = shard.get();
    net::post(s->strand, [this, s] {
      FlushFiredTimers(*s);
      Millis now = clock.Now();
      s->armed.FireDue(now);
      s->machine_armed.FireDue(now);
    });
  }
}

net::awaitable<void> Engine::Impl::FireTimer(Shard* shard, TimerSpec spec) {
  NoteTimerFired(*shard, spec);  // its row is deleted with the next write
  auto ex = FindOpen(*shard, {spec.domain, spec.workflow_id, spec.run_id});
  if (!ex.ok()) co_return;
  MutableState& s = (*ex)->state;
  Millis now = clock.Now();
  Step step(*shard, **ex, now);
  switch (spec.kind) {
    case TimerKind::kExecutionStartToClose: {
      const auto* policy = FindString(s.started(), "childPolicy");
      step.Append(EventType::kWorkflowExecutionTimedOut,
                  {{"timeoutType", "START_TO_CLOSE"},
                   {"childPolicy", policy ? std::string(*policy) : "TERMINATE"}});
      break;
    }
    case TimerKind::kDecisionStartToClose: {
      const auto& d = s.decision_task();
      if (!d || d->scheduled_event_id != spec.event_id ||
          d->started_event_id != spec.started_event_id) {
        co_return;
      }
      step.Append(EventType::kDecisionTaskTimedOut, {{"timeoutType", "START_TO_CLOSE"},
                                                     {"scheduledEventId", d->scheduled_event_id},
                                                     {"startedEventId", d->started_event_id}});
      break;
    }
    case TimerKind::kLambdaStartToClose: {
      auto it = s.lambdas().find(spec.event_id);
      if (it == s.lambdas().end() || it->second.started_event_id != spec.started_event_id) {
        co_return;
      }
      step.Append(EventType::kLambdaFunctionTimedOut, {{"scheduledEventId", spec.event_id},
                                                       {"startedEventId", spec.started_event_id},
                                                       {"timeoutType", "START_TO_CLOSE"}});
      break;
    }
    case TimerKind::kDecisionScheduleToStart: {
      const auto& d = s.decision_task();
      if (!d || d->scheduled_event_id != spec.event_id || d->started_event_id != 0) co_return;
      step.Append(EventType::kDecisionTaskTimedOut, {{"timeoutType", "SCHEDULE_TO_START"},
                                                     {"scheduledEventId", d->scheduled_event_id},
                                                     {"startedEventId", 0}});
      break;
    }
    case TimerKind::kActivityScheduleToStart:
    case TimerKind::kActivityScheduleToClose:
    case TimerKind::kActivityStartToClose:
    case TimerKind::kActivityHeartbeat: {
      ActivityInfo* a = s.FindActivity(spec.event_id);
      if (!a) co_return;
      std::string_view type;
      if (spec.kind == TimerKind::kActivityScheduleToStart) {
        if (a->started_event_id != 0) co_return;
        type = "SCHEDULE_TO_START";
      } else if (spec.kind == TimerKind::kActivityScheduleToClose) {
        type = "SCHEDULE_TO_CLOSE";
      } else {
        if (a->started_event_id != spec.started_event_id) co_return;
        if (spec.kind == TimerKind::kActivityHeartbeat) {
          Millis due = a->last_heartbeat + 1000 * a->heartbeat;
          if (now < due) {  // a heartbeat came since this was armed: a new row
            spec.due = due;
            co_await WriteTimerRow(*shard, TimerRowOf(spec, shard->index));
            // Once the row is durable: a reader that moved past it
            // meanwhile has read it, or it is armed here.
            if (ArmsNow(due)) ArmTimer(*shard, spec);
            co_return;
          }
          type = "HEARTBEAT";
        } else {
          type = "START_TO_CLOSE";
        }
      }
      step.Append(EventType::kActivityTaskTimedOut, TimedOutAttrs(type, *a));
      break;
    }
    case TimerKind::kUserTimer: {
      auto it = s.timers().find(spec.timer_id);
      if (it == s.timers().end() || it->second.started_event_id != spec.event_id) co_return;
      step.Append(EventType::kTimerFired,
                  {{"timerId", spec.timer_id}, {"startedEventId", spec.event_id}});
      break;
    }
  }
  step.ScheduleDecisionIfDue();
  Status committed = co_await Commit(*shard, step);  // aborts on failure
  (void)committed;
}

}  // namespace weft::engine
