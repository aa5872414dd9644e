// Step: appending events to an execution and working out, from each event,
// what must happen once it is durable.
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

bool IsCloseEvent(EventType t) {
  switch (t) {
    case EventType::kWorkflowExecutionCompleted:
    case EventType::kWorkflowExecutionFailed:
    case EventType::kWorkflowExecutionCanceled:
    case EventType::kWorkflowExecutionTimedOut:
    case EventType::kWorkflowExecutionTerminated:
    case EventType::kWorkflowExecutionContinuedAsNew:
      return true;
    default:
      return false;
  }
}

matching::TaskListKey ActivityList(const std::string& domain, const std::string& name) {
  return {domain, name, matching::TaskKind::kActivity};
}

TimerSpec Spec(const MutableState& s, TimerKind kind, Millis due, int64_t id, int64_t started = 0) {
  return TimerSpec{kind, due, s.domain(), s.workflow_id(), s.run_id(), id, started, {}};
}

void AddActivityEffects(const MutableState& s, const ActivityInfo& a, Effects& fx) {
  if (a.started_event_id == 0) {
    fx.add_tasks.push_back(
        {ActivityList(s.domain(), a.task_list),
         matching::Task{s.workflow_id(), s.run_id(), a.scheduled_event_id, a.priority}});
    if (a.schedule_to_start > 0) {
      fx.timers.push_back(Spec(s, TimerKind::kActivityScheduleToStart,
                               a.scheduled_time + 1000 * a.schedule_to_start,
                               a.scheduled_event_id));
    }
  } else {
    if (a.start_to_close > 0) {
      fx.timers.push_back(Spec(s, TimerKind::kActivityStartToClose,
                               a.started_time + 1000 * a.start_to_close, a.scheduled_event_id,
                               a.started_event_id));
    }
    if (a.heartbeat > 0) {
      fx.timers.push_back(Spec(s, TimerKind::kActivityHeartbeat,
                               a.last_heartbeat + 1000 * a.heartbeat, a.scheduled_event_id,
                               a.started_event_id));
    }
  }
  if (a.schedule_to_close > 0 && a.started_event_id == 0) {
    fx.timers.push_back(Spec(s, TimerKind::kActivityScheduleToClose,
                             a.scheduled_time + 1000 * a.schedule_to_close, a.scheduled_event_id));
  }
}

void AddDecisionEffects(const MutableState& s, const DecisionTaskInfo& d, Effects& fx) {
  if (d.started_event_id == 0) {
    fx.add_tasks.push_back(
        {{s.domain(), d.task_list, matching::TaskKind::kDecision},
         matching::Task{s.workflow_id(), s.run_id(), d.scheduled_event_id, d.priority}});
    if (d.schedule_to_start > 0) {
      fx.timers.push_back(Spec(s, TimerKind::kDecisionScheduleToStart,
                               d.scheduled_time + 1000 * d.schedule_to_start,
                               d.scheduled_event_id));
    }
  } else if (d.start_to_close > 0) {
    fx.timers.push_back(Spec(s, TimerKind::kDecisionStartToClose,
                             d.started_time + 1000 * d.start_to_close, d.scheduled_event_id,
                             d.started_event_id));
  }
}

}  // namespace

void Step::WithdrawQueuedTasks() {
  MutableState& s = execution_.state;
  if (s.decision_task() && s.decision_task()->started_event_id == 0) {
    effects_.remove_tasks.push_back(
        {{s.domain(), s.decision_task()->task_list, matching::TaskKind::kDecision},
         s.decision_task()->scheduled_event_id});
  }
  for (const auto& [id, a] : s.activities()) {
    if (a.started_event_id == 0) {
      effects_.remove_tasks.push_back({ActivityList(s.domain(), a.task_list), id});
    }
  }
}

const HistoryEvent& Step::Append(EventType type, json::object attributes) {
  MutableState& s = execution_.state;
  if (IsCloseEvent(type)) {
    WithdrawQueuedTasks();
    effects_.closed = true;
  }
  // A decision task started, or timing out before a decider took it, leaves
  // its list (and its row is deleted with this step).
  if ((type == EventType::kDecisionTaskStarted || type == EventType::kDecisionTaskTimedOut) &&
      s.decision_task() && s.decision_task()->started_event_id == 0) {
    effects_.remove_tasks.push_back(
        {{s.domain(), s.decision_task()->task_list, matching::TaskKind::kDecision},
         s.decision_task()->scheduled_event_id});
  }
  // So does an activity task started, or closing before it started.
  if (type == EventType::kActivityTaskStarted || type == EventType::kActivityTaskCanceled ||
      type == EventType::kActivityTaskTimedOut) {
    int64_t id = FindInt(attributes, "scheduledEventId").value_or(0);
    if (const ActivityInfo* a = s.FindActivity(id); a && a->started_event_id == 0) {
      effects_.remove_tasks.push_back({ActivityList(s.domain(), a->task_list), id});
    }
  }
  const HistoryEvent& e =
      new_events_.emplace_back(s.last_event_id() + 1, type, now_, std::move(attributes));
  s.Apply(e);
  if (execution_.history_cached) {
    if (execution_.history.size() < kCachedHistoryEvents) {
      execution_.history.push_back(e);
    } else {  // too long to keep: the store has it
      execution_.history_cached = false;
      execution_.history = {};
    }
  }
  NoteEffects(e);
  if (IsCloseEvent(type)) NoteClose(e);
  return e;
}

bool AppliesChildPolicy(EventType close) {
  return close == EventType::kWorkflowExecutionTerminated ||
         close == EventType::kWorkflowExecutionTimedOut ||
         close == EventType::kWorkflowExecutionContinuedAsNew;
}

void Step::NoteClose(const HistoryEvent& e) {
  const MutableState& s = execution_.state;
  if (s.parent() && e.type != EventType::kWorkflowExecutionContinuedAsNew) {
    const WorkflowType& t = execution_.type;
    effects_.notify_parents.push_back({s.domain(), *s.parent(), s.workflow_id(), s.run_id(),
                                       json::object{{"name", t.name}, {"version", t.version}},
                                       e.type, e.attributes});
  }
  if (!AppliesChildPolicy(e.type) || s.child_policy() == "ABANDON") return;
  for (const auto& [id, child] : s.children()) {
    if (child.run_id.empty()) continue;  // not started yet: nothing to apply to
    effects_.child_policies.push_back(
        {s.domain(), child.workflow_id, child.run_id, s.child_policy()});
  }
}

void Step::NoteEffects(const HistoryEvent& e) {
  const MutableState& s = execution_.state;
  auto disarm = [&](std::string_view key) {
    effects_.disarm.push_back(FindInt(e.attributes, key).value_or(-1));
  };
  switch (e.type) {
    case EventType::kActivityTaskCompleted:
    case EventType::kActivityTaskFailed:
    case EventType::kActivityTaskTimedOut:
    case EventType::kActivityTaskCanceled:
    case EventType::kDecisionTaskCompleted:
    case EventType::kDecisionTaskTimedOut:
      disarm("scheduledEventId");
      break;
    case EventType::kTimerFired:
    case EventType::kTimerCanceled:
      disarm("startedEventId");
      break;
    case EventType::kWorkflowExecutionStarted:
      if (s.execution_start_to_close() > 0) {
        effects_.timers.push_back(Spec(s, TimerKind::kExecutionStartToClose,
                                       s.start_time() + 1000 * s.execution_start_to_close(), 0));
      }
      break;
    case EventType::kDecisionTaskScheduled:
    case EventType::kDecisionTaskStarted:
      if (s.decision_task()) AddDecisionEffects(s, *s.decision_task(), effects_);
      break;
    case EventType::kLambdaFunctionScheduled:
      effects_.lambda_calls.push_back(e.id);
      break;
    case EventType::kLambdaFunctionStarted:
      if (auto it = s.lambdas().find(FindInt(e.attributes, "scheduledEventId").value_or(0));
          it != s.lambdas().end()) {
        const LambdaInfo& l = it->second;
        effects_.timers.push_back(Spec(s, TimerKind::kLambdaStartToClose,
                                       l.started_time + 1000 * l.start_to_close,
                                       l.scheduled_event_id, l.started_event_id));
      }
      break;
    case EventType::kLambdaFunctionCompleted:
    case EventType::kLambdaFunctionFailed:
    case EventType::kLambdaFunctionTimedOut:
      disarm("scheduledEventId");
      break;
    case EventType::kStartChildWorkflowExecutionInitiated:
      if (auto it = s.children().find(e.id); it != s.children().end()) {
        effects_.start_children.push_back({s.domain(), s.workflow_id(), s.run_id(), it->second});
      }
      break;
    case EventType::kSignalExternalWorkflowExecutionInitiated:
    case EventType::kRequestCancelExternalWorkflowExecutionInitiated:
      if (auto it = s.external_requests().find(e.id); it != s.external_requests().end()) {
        effects_.outgoing.push_back({s.domain(), s.workflow_id(), s.run_id(), it->second});
      }
      break;
    case EventType::kActivityTaskScheduled:
    case EventType::kActivityTaskStarted: {
      int64_t id = e.type == EventType::kActivityTaskScheduled
                       ? e.id
                       : FindInt(e.attributes, "scheduledEventId").value_or(0);
      auto it = s.activities().find(id);
      if (it != s.activities().end()) AddActivityEffects(s, it->second, effects_);
      break;
    }
    case EventType::kTimerStarted: {
      const auto* timer_id = FindString(e.attributes, "timerId");
      auto it = timer_id ? s.timers().find(std::string(*timer_id)) : s.timers().end();
      if (it != s.timers().end()) {
        TimerSpec t = Spec(s, TimerKind::kUserTimer, it->second.fire_time, e.id);
        t.timer_id = it->first;
        effects_.timers.push_back(std::move(t));
      }
      break;
    }
    default:
      break;
  }
}

void Step::ScheduleDecisionIfDue() {
  MutableState& s = execution_.state;
  if (!s.open() || s.decision_task() || !s.decision_pending()) return;
  json::object a;
  a["taskList"] = json::object{{"name", s.decision_task_list()}};
  if (s.task_priority() != 0) a["taskPriority"] = std::to_string(s.task_priority());
  a["startToCloseTimeout"] =
      s.task_start_to_close() > 0 ? std::to_string(s.task_start_to_close()) : "NONE";
  if (s.decision_schedule_to_start() > 0) {
    a["scheduleToStartTimeout"] = std::to_string(s.decision_schedule_to_start());
  }
  Append(EventType::kDecisionTaskScheduled, std::move(a));
}

Step& Step::StartContinuation(std::string run_id, WorkflowType type,
                              std::vector<std::string> tags) {
  const MutableState& s = execution_.state;
  auto owned = std::make_unique<Execution>(s.domain(), s.workflow_id(), run_id, std::move(type),
                                           std::move(tags));
  owned->history_cached = true;
  Execution& next = shard_.runs.Insert(run_id, std::move(owned));
  shard_.open_runs[WorkflowKey(s.domain(), s.workflow_id())] = run_id;
  next_ = std::make_unique<Step>(shard_, next, now_);
  return *next_;
}

store::WriteBatch Step::TakeBatch() {
  store::WriteBatch batch;
  batch.shard = shard_.index;
  store::ExecutionWrite w;
  w.execution = RecordOf(execution_, shard_.index);
  w.expected_last_event_id = execution_.submitted_event_id;
  w.events.reserve(new_events_.size());
  for (const HistoryEvent& e : new_events_) {
    w.events.push_back(
        store::EventRecord{e.id, static_cast<uint16_t>(e.type), e.time, ToJson(e.attributes)});
  }
  new_events_.clear();
  execution_.submitted_event_id = execution_.state.last_event_id();
  batch.executions.push_back(std::move(w));
  return batch;
}

bool HasOutboundWork(const MutableState& s) {
  // What EffectsOfState re-creates besides tasks and timers (those are rows).
  return s.open() && (!s.lambdas().empty() || !s.children().empty() || s.parent() ||
                      !s.external_requests().empty());
}

Effects EffectsOfState(const Execution& execution) {
  const MutableState& s = execution.state;
  Effects fx;
  fx.domain = s.domain();
  fx.workflow_id = s.workflow_id();
  fx.run_id = s.run_id();
  if (!s.open()) return fx;
  if (s.execution_start_to_close() > 0) {
    fx.timers.push_back(Spec(s, TimerKind::kExecutionStartToClose,
                             s.start_time() + 1000 * s.execution_start_to_close(), 0));
  }
  if (s.decision_task()) AddDecisionEffects(s, *s.decision_task(), fx);
  for (const auto& [id, a] : s.activities()) {
    AddActivityEffects(s, a, fx);
    if (a.schedule_to_close > 0 && a.started_event_id != 0) {
      fx.timers.push_back(Spec(s, TimerKind::kActivityScheduleToClose,
                               a.scheduled_time + 1000 * a.schedule_to_close, id));
    }
  }
  for (const auto& [timer_id, t] : s.timers()) {
    TimerSpec spec = Spec(s, TimerKind::kUserTimer, t.fire_time, t.started_event_id);
    spec.timer_id = timer_id;
    fx.timers.push_back(std::move(spec));
  }
  // Lambda functions not ended: called again (at least once), timed from
  // their start.
  for (const auto& [id, l] : s.lambdas()) {
    fx.lambda_calls.push_back(id);
    if (l.started_event_id != 0) {
      fx.timers.push_back(Spec(s, TimerKind::kLambdaStartToClose,
                               l.started_time + 1000 * l.start_to_close, id, l.started_event_id));
    }
  }
  // Children initiated and not started: started again (the child's shard
  // finds one it started already); started ones: was a close missed?
  for (const auto& [id, child] : s.children()) {
    ChildStart c{s.domain(), s.workflow_id(), s.run_id(), child};
    (child.run_id.empty() ? fx.start_children : fx.watch_children).push_back(std::move(c));
  }
  // A child: did its parent close with a policy that a crash kept from it?
  if (s.parent())
    fx.parent_checks.push_back({s.domain(), *s.parent(), s.workflow_id(), s.run_id()});
  // Requests initiated before a crash and not answered: carried again (the
  // target records each once).
  for (const auto& [id, request] : s.external_requests()) {
    fx.outgoing.push_back({s.domain(), s.workflow_id(), s.run_id(), request});
  }
  return fx;
}

store::ExecutionRecord RecordOf(const Execution& execution, int shard) {
  const MutableState& s = execution.state;
  store::ExecutionRecord r;
  r.run_id = s.run_id();
  r.domain = s.domain();
  r.workflow_id = s.workflow_id();
  r.type_name = execution.type.name;
  r.type_version = execution.type.version;
  r.open = s.open();
  r.close_status = s.close_status();
  r.start_time = s.start_time();
  r.close_time = s.close_time();
  r.shard = shard;
  r.last_event_id = s.last_event_id();
  r.has_work = HasOutboundWork(s);
  r.tags = execution.tags;
  json::object data;
  if (s.cancel_requested()) data["cancelRequested"] = true;
  r.data = ToJson(data);
  r.snapshot = ToJson(s.Save());
  return r;
}

}  // namespace weft::engine
