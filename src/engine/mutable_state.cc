#include "engine/mutable_state.h"

#include <charconv>

namespace weft::engine {
namespace {

std::string StringOr(const json::object& o, std::string_view key, std::string fallback = {}) {
  const auto* s = FindString(o, key);
  return s ? std::string(*s) : fallback;
}

int32_t PriorityOf(const json::object& o) {
  const auto* s = FindString(o, "taskPriority");
  int32_t p = 0;
  if (s) std::from_chars(s->data(), s->data() + s->size(), p);
  return p;
}

std::string TaskListName(const json::object& o) {
  const auto* tl = FindObject(o, "taskList");
  return tl ? StringOr(*tl, "name") : std::string();
}

}  // namespace

int64_t ParseDurationSeconds(const json::object& attrs, std::string_view key) {
  const auto* s = FindString(attrs, key);
  if (!s || *s == "NONE") return 0;
  int64_t v = 0;
  std::from_chars(s->data(), s->data() + s->size(), v);
  return v;
}

ActivityInfo* MutableState::FindActivity(int64_t scheduled_event_id) {
  auto it = activities_.find(scheduled_event_id);
  return it == activities_.end() ? nullptr : &it->second;
}

ActivityInfo* MutableState::FindActivityById(const std::string& activity_id) {
  auto it = activity_ids_.find(activity_id);
  return it == activity_ids_.end() ? nullptr : FindActivity(it->second);
}

// An event a decider must see: if no decision task is waiting to be picked
// up (none at all, or one already started), another one is due.
void MutableState::NoteReceived(const json::object& a) {
  const auto* from = FindObject(a, "externalWorkflowExecution");
  auto id = FindInt(a, "externalInitiatedEventId");
  if (from && id) received_.insert({StringOr(*from, "runId"), *id});
}

void MutableState::NoteDecisionTrigger() {
  if (!decision_ || decision_->started_event_id != 0) decision_pending_ = true;
}

void MutableState::ApplyStarted(const HistoryEvent& e) {
  const auto& a = e.attributes;
  for (auto key : {"taskStartToCloseTimeout", "executionStartToCloseTimeout", "taskList",
                   "taskPriority", "childPolicy", "lambdaRole"}) {
    if (const auto* v = Find(a, key)) started_[key] = *v;
  }
  task_list_ = TaskListName(a);
  task_priority_ = PriorityOf(a);
  execution_start_to_close_ = ParseDurationSeconds(a, "executionStartToCloseTimeout");
  task_start_to_close_ = ParseDurationSeconds(a, "taskStartToCloseTimeout");
  start_time_ = e.time;
  child_policy_ = StringOr(a, "childPolicy", "TERMINATE");
  if (const auto* p = FindObject(a, "parentWorkflowExecution")) {
    parent_ = ParentInfo{StringOr(*p, "workflowId"), StringOr(*p, "runId"),
                         FindInt(a, "parentInitiatedEventId").value_or(0)};
  }
  NoteDecisionTrigger();
}

void MutableState::ApplyActivityScheduled(const HistoryEvent& e) {
  const auto& a = e.attributes;
  ActivityInfo info;
  info.activity_id = StringOr(a, "activityId");
  info.scheduled_event_id = e.id;
  info.task_list = TaskListName(a);
  info.priority = PriorityOf(a);
  info.schedule_to_start = ParseDurationSeconds(a, "scheduleToStartTimeout");
  info.schedule_to_close = ParseDurationSeconds(a, "scheduleToCloseTimeout");
  info.start_to_close = ParseDurationSeconds(a, "startToCloseTimeout");
  info.heartbeat = ParseDurationSeconds(a, "heartbeatTimeout");
  info.scheduled_time = e.time;
  if (const auto* t = FindObject(a, "activityType")) info.activity_type = *t;
  if (const auto* in = FindString(a, "input")) info.input = std::string(*in);
  activity_ids_[info.activity_id] = e.id;
  activities_.emplace(e.id, std::move(info));
  latest_activity_scheduled_ = e.time;
}

void MutableState::Close(const HistoryEvent& e, std::string status) {
  close_status_ = std::move(status);
  if (const auto* policy = FindString(e.attributes, "childPolicy")) child_policy_ = *policy;
  close_time_ = e.time;
  decision_.reset();
  decision_pending_ = false;
  activities_.clear();
  activity_ids_.clear();
  timers_.clear();
  lambdas_.clear();
}

void MutableState::Apply(const HistoryEvent& e) {
  last_event_id_ = e.id;
  last_event_type_ = e.type;
  const auto& a = e.attributes;
  auto scheduled_id = [&a] { return FindInt(a, "scheduledEventId").value_or(0); };
  auto close_activity = [&](int64_t id) {
    auto it = activities_.find(id);
    if (it != activities_.end()) {
      activity_ids_.erase(it->second.activity_id);
      activities_.erase(it);
    }
    NoteDecisionTrigger();
  };

  switch (e.type) {
    case EventType::kWorkflowExecutionStarted:
      ApplyStarted(e);
      break;
    case EventType::kWorkflowExecutionCancelRequested:
      cancel_requested_ = true;
      NoteReceived(a);
      NoteDecisionTrigger();
      break;
    case EventType::kWorkflowExecutionSignaled:
      NoteReceived(a);
      NoteDecisionTrigger();
      break;
    case EventType::kSignalExternalWorkflowExecutionInitiated:
    case EventType::kRequestCancelExternalWorkflowExecutionInitiated: {
      ExternalRequest r;
      r.initiated_event_id = e.id;
      r.cancel = e.type == EventType::kRequestCancelExternalWorkflowExecutionInitiated;
      r.workflow_id = StringOr(a, "workflowId");
      r.run_id = StringOr(a, "runId");
      r.signal_name = StringOr(a, "signalName");
      if (const auto* in = FindString(a, "input")) r.input = std::string(*in);
      if (const auto* c = FindString(a, "control")) r.control = std::string(*c);
      r.decision_task_completed_event_id = FindInt(a, "decisionTaskCompletedEventId").value_or(0);
      external_[e.id] = std::move(r);
      break;
    }
    case EventType::kStartChildWorkflowExecutionInitiated: {
      ChildInfo c;
      c.initiated_event_id = e.id;
      c.workflow_id = StringOr(a, "workflowId");
      if (const auto* t = FindObject(a, "workflowType")) c.workflow_type = *t;
      c.initiated = a;
      children_[e.id] = std::move(c);
      break;
    }
    case EventType::kChildWorkflowExecutionStarted: {
      auto it = children_.find(FindInt(a, "initiatedEventId").value_or(0));
      if (it != children_.end()) {
        const auto* ex = FindObject(a, "workflowExecution");
        it->second.run_id = ex ? StringOr(*ex, "runId") : std::string();
        it->second.started_event_id = e.id;
      }
      NoteDecisionTrigger();
      break;
    }
    case EventType::kLambdaFunctionScheduled: {
      LambdaInfo l;
      l.scheduled_event_id = e.id;
      l.id = StringOr(a, "id");
      l.name = StringOr(a, "name");
      if (const auto* in = FindString(a, "input")) l.input = std::string(*in);
      if (int64_t t = ParseDurationSeconds(a, "startToCloseTimeout"); t > 0) l.start_to_close = t;
      lambdas_[e.id] = std::move(l);
      break;
    }
    case EventType::kLambdaFunctionStarted:
      if (auto it = lambdas_.find(scheduled_id()); it != lambdas_.end()) {
        it->second.started_event_id = e.id;
        it->second.started_time = e.time;
      }
      break;
    case EventType::kLambdaFunctionCompleted:
    case EventType::kLambdaFunctionFailed:
    case EventType::kLambdaFunctionTimedOut:
      lambdas_.erase(scheduled_id());
      NoteDecisionTrigger();
      break;
    case EventType::kChildWorkflowExecutionCompleted:
    case EventType::kChildWorkflowExecutionFailed:
    case EventType::kChildWorkflowExecutionTimedOut:
    case EventType::kChildWorkflowExecutionCanceled:
    case EventType::kChildWorkflowExecutionTerminated:
      children_.erase(FindInt(a, "initiatedEventId").value_or(0));
      NoteDecisionTrigger();
      break;
    case EventType::kExternalWorkflowExecutionSignaled:
    case EventType::kExternalWorkflowExecutionCancelRequested:
      external_.erase(FindInt(a, "initiatedEventId").value_or(0));
      NoteDecisionTrigger();
      break;

    case EventType::kDecisionTaskScheduled:
      decision_ = DecisionTaskInfo{e.id,
                                   0,
                                   e.time,
                                   0,
                                   TaskListName(a),
                                   PriorityOf(a),
                                   ParseDurationSeconds(a, "startToCloseTimeout"),
                                   ParseDurationSeconds(a, "scheduleToStartTimeout")};
      decision_pending_ = false;
      break;
    case EventType::kDecisionTaskStarted:
      if (decision_) {
        decision_->started_event_id = e.id;
        decision_->started_time = e.time;
      }
      break;
    case EventType::kDecisionTaskCompleted:
      if (decision_) previous_started_event_id_ = decision_->started_event_id;
      decision_.reset();
      if (const auto* ctx = FindString(a, "executionContext")) {
        latest_execution_context_ = std::string(*ctx);
      }
      if (std::string list = TaskListName(a); !list.empty()) {
        decision_list_override_ = std::move(list);
        override_schedule_to_start_ = ParseDurationSeconds(a, "taskListScheduleToStartTimeout");
      }
      break;
    case EventType::kDecisionTaskTimedOut: {
      decision_.reset();
      decision_pending_ = true;
      const auto* type = FindString(a, "timeoutType");
      if (type && *type == "SCHEDULE_TO_START") {  // back to the execution's task list
        decision_list_override_.clear();
        override_schedule_to_start_ = 0;
      }
      break;
    }

    case EventType::kActivityTaskScheduled:
      ApplyActivityScheduled(e);
      break;
    case EventType::kActivityTaskStarted:
      if (auto* act = FindActivity(scheduled_id())) {
        act->started_event_id = e.id;
        act->started_time = e.time;
        act->last_heartbeat = e.time;
      }
      break;
    case EventType::kActivityTaskCompleted:
    case EventType::kActivityTaskFailed:
    case EventType::kActivityTaskTimedOut:
    case EventType::kActivityTaskCanceled:
      close_activity(scheduled_id());
      break;
    case EventType::kActivityTaskCancelRequested:
      if (auto* act = FindActivityById(StringOr(a, "activityId"))) {
        act->cancel_requested = true;
        act->cancel_requested_event_id = e.id;
      }
      break;

    case EventType::kTimerStarted: {
      TimerInfo t{e.id, e.time + 1000 * ParseDurationSeconds(a, "startToFireTimeout")};
      timers_[StringOr(a, "timerId")] = t;
      break;
    }
    case EventType::kTimerFired:
      timers_.erase(StringOr(a, "timerId"));
      NoteDecisionTrigger();
      break;
    case EventType::kTimerCanceled:
      timers_.erase(StringOr(a, "timerId"));
      break;

    // A decision that could not be carried out: the decider must hear of it.
    case EventType::kScheduleActivityTaskFailed:
    case EventType::kRequestCancelActivityTaskFailed:
    case EventType::kStartTimerFailed:
    case EventType::kCancelTimerFailed:
    case EventType::kRecordMarkerFailed:
    case EventType::kCompleteWorkflowExecutionFailed:
    case EventType::kFailWorkflowExecutionFailed:
    case EventType::kCancelWorkflowExecutionFailed:
    case EventType::kContinueAsNewWorkflowExecutionFailed:
    case EventType::kStartChildWorkflowExecutionFailed:
    case EventType::kSignalExternalWorkflowExecutionFailed:
    case EventType::kRequestCancelExternalWorkflowExecutionFailed:
    case EventType::kScheduleLambdaFunctionFailed:
      external_.erase(FindInt(a, "initiatedEventId").value_or(-1));
      if (e.type == EventType::kStartChildWorkflowExecutionFailed) {
        children_.erase(FindInt(a, "initiatedEventId").value_or(-1));
      }
      NoteDecisionTrigger();
      break;

    case EventType::kWorkflowExecutionCompleted:
      Close(e, "COMPLETED");
      break;
    case EventType::kWorkflowExecutionFailed:
      Close(e, "FAILED");
      break;
    case EventType::kWorkflowExecutionCanceled:
      Close(e, "CANCELED");
      break;
    case EventType::kWorkflowExecutionTimedOut:
      Close(e, "TIMED_OUT");
      break;
    case EventType::kWorkflowExecutionTerminated:
      Close(e, "TERMINATED");
      break;
    case EventType::kWorkflowExecutionContinuedAsNew:
      Close(e, "CONTINUED_AS_NEW");
      break;

    default:
      break;  // markers and events of features not offered yet change nothing
  }
}

}  // namespace weft::engine
