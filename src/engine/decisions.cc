// RespondDecisionTaskCompleted: the decider's decisions, validated whole
// first, then each turned into its event or its documented *Failed event.
#include <string_view>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

constexpr size_t kMaxOpenActivities = 1000;
constexpr size_t kMaxOpenTimers = 1000;

struct DecisionKind {
  std::string_view type;
  std::string_view attributes_key;
  std::initializer_list<std::string_view> required;
  bool closes;
};

constexpr std::string_view kSchedule = "ScheduleActivityTask";
const DecisionKind kKinds[] = {
    {kSchedule, "scheduleActivityTaskDecisionAttributes", {"activityType", "activityId"}, false},
    {"RequestCancelActivityTask",
     "requestCancelActivityTaskDecisionAttributes",
     {"activityId"},
     false},
    {"CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes", {}, true},
    {"FailWorkflowExecution", "failWorkflowExecutionDecisionAttributes", {}, true},
    {"CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes", {}, true},
    {"ContinueAsNewWorkflowExecution",
     "continueAsNewWorkflowExecutionDecisionAttributes",
     {},
     true},
    {"RecordMarker", "recordMarkerDecisionAttributes", {"markerName"}, false},
    {"StartTimer", "startTimerDecisionAttributes", {"timerId", "startToFireTimeout"}, false},
    {"CancelTimer", "cancelTimerDecisionAttributes", {"timerId"}, false},
    {"SignalExternalWorkflowExecution",
     "signalExternalWorkflowExecutionDecisionAttributes",
     {"workflowId", "signalName"},
     false},
    {"RequestCancelExternalWorkflowExecution",
     "requestCancelExternalWorkflowExecutionDecisionAttributes",
     {"workflowId"},
     false},
    {"StartChildWorkflowExecution",
     "startChildWorkflowExecutionDecisionAttributes",
     {"workflowType", "workflowId"},
     false},
    {"ScheduleLambdaFunction", "scheduleLambdaFunctionDecisionAttributes", {"id", "name"}, false},
};

const DecisionKind* KindOf(const json::object& d) {
  const auto* type = FindString(d, "decisionType");
  if (!type) return nullptr;
  for (const auto& k : kKinds) {
    if (k.type == *type) return &k;
  }
  return nullptr;
}

const json::object& AttributesOf(const json::object& d, const DecisionKind& k) {
  static const json::object kEmpty;
  const auto* a = FindObject(d, k.attributes_key);
  return a ? *a : kEmpty;
}

Error Invalid(size_t i, const std::string& what) {
  return Error::Validation("Invalid decision at decisions." + std::to_string(i + 1) + ": " + what);
}

std::optional<std::string> Str(const json::object& o, std::string_view key) {
  if (const auto* s = FindString(o, key)) return std::string(*s);
  return std::nullopt;
}

void CopyIf(const json::object& from, json::object& to, std::string_view key) {
  if (const auto* v = Find(from, key)) to[key] = *v;
}

class DecisionApplier {
 public:
  DecisionApplier(Engine::Impl& impl, Step& step, int64_t completed_id, bool unhandled)
      : impl_(impl), step_(step), completed_id_(completed_id), unhandled_(unhandled) {}

  void Apply(const DecisionKind& k, const json::object& a) {
    std::string_view t = k.type;
    if (t == kSchedule) return ScheduleActivity(a);
    if (t == "RequestCancelActivityTask") return RequestCancelActivity(a);
    if (t == "CompleteWorkflowExecution") {
      return Close(a, EventType::kWorkflowExecutionCompleted,
                   EventType::kCompleteWorkflowExecutionFailed, {"result"});
    }
    if (t == "FailWorkflowExecution") {
      return Close(a, EventType::kWorkflowExecutionFailed, EventType::kFailWorkflowExecutionFailed,
                   {"reason", "details"});
    }
    if (t == "CancelWorkflowExecution") {
      return Close(a, EventType::kWorkflowExecutionCanceled,
                   EventType::kCancelWorkflowExecutionFailed, {"details"});
    }
    if (t == "RecordMarker") {
      json::object e{{"markerName", a.at("markerName")}};
      CopyIf(a, e, "details");
      return Append(EventType::kMarkerRecorded, std::move(e));
    }
    if (t == "StartTimer") return StartTimer(a);
    if (t == "CancelTimer") return CancelTimer(a);
    NotOffered(k, a);
  }

 private:
  void Append(EventType type, json::object attrs) {
    attrs["decisionTaskCompletedEventId"] = completed_id_;
    step_.Append(type, std::move(attrs));
  }

  void ScheduleActivity(const json::object& a) {
    const json::object& type = a.at("activityType").as_object();
    std::string name = Str(type, "name").value_or(""), version = Str(type, "version").value_or("");
    json::object failed{{"activityType", type}, {"activityId", a.at("activityId")}};
    auto fail = [&](std::string_view cause) {
      failed["cause"] = cause;
      Append(EventType::kScheduleActivityTaskFailed, std::move(failed));
    };
    auto entry = impl_.registry.Get(kActivityTypeKind, step_.state().domain(), name, version);
    if (!entry) return fail("ACTIVITY_TYPE_DOES_NOT_EXIST");
    if (entry->record.status == "DEPRECATED") return fail("ACTIVITY_TYPE_DEPRECATED");
    if (step_.state().FindActivityById(std::string(a.at("activityId").as_string()))) {
      return fail("ACTIVITY_ID_ALREADY_IN_USE");
    }
    if (step_.state().activities().size() >= kMaxOpenActivities) {
      return fail("OPEN_ACTIVITIES_LIMIT_EXCEEDED");
    }
    static const json::object kNoConfig;
    const json::object* found = FindObject(entry->data, "configuration");
    const json::object& config = found ? *found : kNoConfig;
    auto pick = [&](std::string_view key,
                    std::string_view default_key) -> std::optional<std::string> {
      if (auto v = Str(a, key)) return v;
      if (auto v = Str(config, default_key)) return v;
      return std::nullopt;
    };
    std::optional<std::string> task_list;
    if (const auto* tl = FindObject(a, "taskList")) task_list = Str(*tl, "name");
    if (!task_list) {
      if (const auto* tl = FindObject(config, "defaultTaskList")) task_list = Str(*tl, "name");
    }
    if (!task_list) return fail("DEFAULT_TASK_LIST_UNDEFINED");
    auto s2s = pick("scheduleToStartTimeout", "defaultTaskScheduleToStartTimeout");
    if (!s2s) return fail("DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED");
    auto s2c = pick("scheduleToCloseTimeout", "defaultTaskScheduleToCloseTimeout");
    if (!s2c) return fail("DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED");
    auto st2c = pick("startToCloseTimeout", "defaultTaskStartToCloseTimeout");
    if (!st2c) return fail("DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED");
    auto heartbeat = pick("heartbeatTimeout", "defaultTaskHeartbeatTimeout").value_or("NONE");

    json::object e{{"activityType", type}, {"activityId", a.at("activityId")}};
    CopyIf(a, e, "control");
    CopyIf(a, e, "input");
    e["scheduleToStartTimeout"] = *s2s;
    e["scheduleToCloseTimeout"] = *s2c;
    e["startToCloseTimeout"] = *st2c;
    e["heartbeatTimeout"] = heartbeat;
    e["taskList"] = json::object{{"name", *task_list}};
    if (auto p = pick("taskPriority", "defaultTaskPriority")) e["taskPriority"] = *p;
    Append(EventType::kActivityTaskScheduled, std::move(e));
  }

  void RequestCancelActivity(const json::object& a) {
    std::string activity_id(a.at("activityId").as_string());
    ActivityInfo* act = step_.state().FindActivityById(activity_id);
    if (!act) {
      return Append(EventType::kRequestCancelActivityTaskFailed,
                    {{"activityId", activity_id}, {"cause", "ACTIVITY_ID_UNKNOWN"}});
    }
    int64_t scheduled = act->scheduled_event_id;
    bool started = act->started_event_id != 0;
    Append(EventType::kActivityTaskCancelRequested, {{"activityId", activity_id}});
    if (!started) {  // no worker has it: it is cancelled at once
      int64_t requested = step_.state().last_event_id();
      step_.Append(EventType::kActivityTaskCanceled, {{"scheduledEventId", scheduled},
                                                      {"startedEventId", 0},
                                                      {"latestCancelRequestedEventId", requested}});
    }
  }

  void Close(const json::object& a, EventType ok, EventType failed,
             std::initializer_list<std::string_view> keys) {
    if (unhandled_) return Append(failed, {{"cause", "UNHANDLED_DECISION"}});
    json::object e;
    for (auto key : keys) CopyIf(a, e, key);
    Append(ok, std::move(e));
  }

  void StartTimer(const json::object& a) {
    std::string timer_id(a.at("timerId").as_string());
    auto fail = [&](std::string_view cause) {
      Append(EventType::kStartTimerFailed, {{"timerId", timer_id}, {"cause", cause}});
    };
    if (step_.state().timers().contains(timer_id)) return fail("TIMER_ID_ALREADY_IN_USE");
    if (step_.state().timers().size() >= kMaxOpenTimers) return fail("OPEN_TIMERS_LIMIT_EXCEEDED");
    json::object e{{"timerId", timer_id}, {"startToFireTimeout", a.at("startToFireTimeout")}};
    CopyIf(a, e, "control");
    Append(EventType::kTimerStarted, std::move(e));
  }

  void CancelTimer(const json::object& a) {
    std::string timer_id(a.at("timerId").as_string());
    auto it = step_.state().timers().find(timer_id);
    if (it == step_.state().timers().end()) {
      return Append(EventType::kCancelTimerFailed,
                    {{"timerId", timer_id}, {"cause", "TIMER_ID_UNKNOWN"}});
    }
    Append(EventType::kTimerCanceled,
           {{"timerId", timer_id}, {"startedEventId", it->second.started_event_id}});
  }

  // Decisions of features weft does not offer yet (docs/compatibility.md):
  // the decider learns it from the documented *Failed event and its cause.
  void NotOffered(const DecisionKind& k, const json::object& a) {
    std::string_view t = k.type;
    constexpr std::string_view kNotPermitted = "OPERATION_NOT_PERMITTED";
    if (t == "ContinueAsNewWorkflowExecution") {
      return Append(EventType::kContinueAsNewWorkflowExecutionFailed, {{"cause", kNotPermitted}});
    }
    if (t == "ScheduleLambdaFunction") {
      return Append(EventType::kScheduleLambdaFunctionFailed,
                    {{"id", a.at("id")},
                     {"name", a.at("name")},
                     {"cause", "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION"}});
    }
    json::object e{
        {"workflowId", a.at("workflowId")}, {"cause", kNotPermitted}, {"initiatedEventId", 0}};
    CopyIf(a, e, "control");
    if (t == "StartChildWorkflowExecution") {
      e["workflowType"] = a.at("workflowType");
      return Append(EventType::kStartChildWorkflowExecutionFailed, std::move(e));
    }
    CopyIf(a, e, "runId");
    Append(t == "SignalExternalWorkflowExecution"
               ? EventType::kSignalExternalWorkflowExecutionFailed
               : EventType::kRequestCancelExternalWorkflowExecutionFailed,
           std::move(e));
  }

  Engine::Impl& impl_;
  Step& step_;
  int64_t completed_id_;
  bool unhandled_;
};

}  // namespace

Status ValidateDecisions(const json::array& decisions) {
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (!decisions[i].is_object()) return Invalid(i, "a decision must be an object");
    const auto& d = decisions[i].as_object();
    const DecisionKind* k = KindOf(d);
    if (!k) return Invalid(i, "decisionType is missing or not a known decision type");
    const auto& a = AttributesOf(d, *k);
    for (auto key : k->required) {
      if (!Find(a, key)) {
        return Invalid(i, std::string(k->attributes_key) + "." + std::string(key) +
                              " is required for " + std::string(k->type));
      }
    }
    for (auto key : {"activityId", "timerId", "markerName", "startToFireTimeout", "workflowId"}) {
      if (const auto* v = Find(a, key); v && (!v->is_string() || v->as_string().empty())) {
        return Invalid(i, std::string(key) + " must be a non-empty string");
      }
    }
    for (auto key : {"activityType", "workflowType"}) {
      const auto* v = Find(a, key);
      if (v && (!v->is_object() || !FindString(v->as_object(), "name") ||
                !FindString(v->as_object(), "version"))) {
        return Invalid(i, std::string(key) + " must have a name and a version");
      }
    }
    if (k->closes && i + 1 != decisions.size()) {
      return Invalid(i, std::string(k->type) + " must be the last decision");
    }
  }
  return {};
}

void ApplyDecisions(Engine::Impl& impl, Step& step, const json::array& decisions,
                    int64_t completed_event_id, bool unhandled_events) {
  DecisionApplier applier(impl, step, completed_event_id, unhandled_events);
  for (const auto& d : decisions) {
    const auto& o = d.as_object();
    const DecisionKind* k = KindOf(o);
    applier.Apply(*k, AttributesOf(o, *k));
    if (!step.state().open()) break;
  }
}

}  // namespace weft::engine
