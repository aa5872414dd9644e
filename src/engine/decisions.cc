// RespondDecisionTaskCompleted: the decider's decisions (typed and checked by
// the SWF front door), each turned into its event or its documented *Failed
// event with its cause.
#include <string_view>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

constexpr size_t kMaxOpenActivities = 1000;
constexpr size_t kMaxOpenTimers = 1000;
constexpr size_t kMaxOpenChildren = 1000;
constexpr size_t kMaxOpenLambdas = 1000;

void SetIf(json::object& to, std::string_view key, const std::optional<std::string>& value) {
  if (value) to[key] = *value;
}

json::object TypeJson(const WorkflowType& t) {
  return json::object{{"name", t.name}, {"version", t.version}};
}

class DecisionApplier {
 public:
  DecisionApplier(Engine::Impl& impl, Step& step, int64_t completed_id, bool unhandled)
      : impl_(impl), step_(step), completed_id_(completed_id), unhandled_(unhandled) {}

  void operator()(const decision::ScheduleActivityTask& d) {
    json::object failed{{"activityType", TypeJson(d.activity_type)}, {"activityId", d.activity_id}};
    auto fail = [&](std::string_view cause) {
      failed["cause"] = cause;
      Append(EventType::kScheduleActivityTaskFailed, std::move(failed));
    };
    auto entry = impl_.registry.Get(kActivityTypeKind, step_.state().domain(), d.activity_type.name,
                                    d.activity_type.version);
    if (!entry) return fail("ACTIVITY_TYPE_DOES_NOT_EXIST");
    if (entry->record.status == "DEPRECATED") return fail("ACTIVITY_TYPE_DEPRECATED");
    if (step_.state().FindActivityById(d.activity_id)) return fail("ACTIVITY_ID_ALREADY_IN_USE");
    if (step_.state().activities().size() >= kMaxOpenActivities) {
      return fail("OPEN_ACTIVITIES_LIMIT_EXCEEDED");
    }
    static const json::object kNoConfig;
    const json::object* found = FindObject(entry->data, "configuration");
    const json::object& config = found ? *found : kNoConfig;
    // The decision's value, else the type's registered default.
    auto pick = [&](const std::optional<std::string>& given,
                    std::string_view default_key) -> std::optional<std::string> {
      if (given) return given;
      if (const auto* v = FindString(config, default_key)) return std::string(*v);
      return std::nullopt;
    };
    std::optional<std::string> task_list = d.task_list;
    if (!task_list) {
      const json::object* tl = FindObject(config, "defaultTaskList");
      if (const auto* name = tl ? FindString(*tl, "name") : nullptr) task_list = std::string(*name);
    }
    if (!task_list) return fail("DEFAULT_TASK_LIST_UNDEFINED");
    auto s2s = pick(d.schedule_to_start_timeout, "defaultTaskScheduleToStartTimeout");
    if (!s2s) return fail("DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED");
    auto s2c = pick(d.schedule_to_close_timeout, "defaultTaskScheduleToCloseTimeout");
    if (!s2c) return fail("DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED");
    auto st2c = pick(d.start_to_close_timeout, "defaultTaskStartToCloseTimeout");
    if (!st2c) return fail("DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED");
    auto heartbeat = pick(d.heartbeat_timeout, "defaultTaskHeartbeatTimeout").value_or("NONE");

    json::object e{{"activityType", TypeJson(d.activity_type)}, {"activityId", d.activity_id}};
    SetIf(e, "control", d.control);
    SetIf(e, "input", d.input);
    e["scheduleToStartTimeout"] = *s2s;
    e["scheduleToCloseTimeout"] = *s2c;
    e["startToCloseTimeout"] = *st2c;
    e["heartbeatTimeout"] = heartbeat;
    e["taskList"] = json::object{{"name", *task_list}};
    SetIf(e, "taskPriority", pick(d.task_priority, "defaultTaskPriority"));
    Append(EventType::kActivityTaskScheduled, std::move(e));
  }

  void operator()(const decision::RequestCancelActivityTask& d) {
    ActivityInfo* act = step_.state().FindActivityById(d.activity_id);
    if (!act) {
      return Append(EventType::kRequestCancelActivityTaskFailed,
                    {{"activityId", d.activity_id}, {"cause", "ACTIVITY_ID_UNKNOWN"}});
    }
    int64_t scheduled = act->scheduled_event_id;
    bool started = act->started_event_id != 0;
    Append(EventType::kActivityTaskCancelRequested, {{"activityId", d.activity_id}});
    if (!started) {  // no worker has it: it is cancelled at once
      int64_t requested = step_.state().last_event_id();
      step_.Append(EventType::kActivityTaskCanceled, {{"scheduledEventId", scheduled},
                                                      {"startedEventId", 0},
                                                      {"latestCancelRequestedEventId", requested}});
    }
  }

  void operator()(const decision::CompleteWorkflowExecution& d) {
    json::object e;
    SetIf(e, "result", d.result);
    Close(EventType::kWorkflowExecutionCompleted, EventType::kCompleteWorkflowExecutionFailed,
          std::move(e));
  }

  void operator()(const decision::FailWorkflowExecution& d) {
    json::object e;
    SetIf(e, "reason", d.reason);
    SetIf(e, "details", d.details);
    Close(EventType::kWorkflowExecutionFailed, EventType::kFailWorkflowExecutionFailed,
          std::move(e));
  }

  void operator()(const decision::CancelWorkflowExecution& d) {
    json::object e;
    SetIf(e, "details", d.details);
    Close(EventType::kWorkflowExecutionCanceled, EventType::kCancelWorkflowExecutionFailed,
          std::move(e));
  }

  void operator()(const decision::RecordMarker& d) {
    json::object e{{"markerName", d.marker_name}};
    SetIf(e, "details", d.details);
    Append(EventType::kMarkerRecorded, std::move(e));
  }

  void operator()(const decision::StartTimer& d) {
    auto fail = [&](std::string_view cause) {
      Append(EventType::kStartTimerFailed, {{"timerId", d.timer_id}, {"cause", cause}});
    };
    if (step_.state().timers().contains(d.timer_id)) return fail("TIMER_ID_ALREADY_IN_USE");
    if (step_.state().timers().size() >= kMaxOpenTimers) return fail("OPEN_TIMERS_LIMIT_EXCEEDED");
    json::object e{{"timerId", d.timer_id}, {"startToFireTimeout", d.start_to_fire_timeout}};
    SetIf(e, "control", d.control);
    Append(EventType::kTimerStarted, std::move(e));
  }

  void operator()(const decision::CancelTimer& d) {
    auto it = step_.state().timers().find(d.timer_id);
    if (it == step_.state().timers().end()) {
      return Append(EventType::kCancelTimerFailed,
                    {{"timerId", d.timer_id}, {"cause", "TIMER_ID_UNKNOWN"}});
    }
    Append(EventType::kTimerCanceled,
           {{"timerId", d.timer_id}, {"startedEventId", it->second.started_event_id}});
  }

  // Closes this run CONTINUED_AS_NEW and starts its successor (same
  // workflowId, a new runId) in the same durable step.
  void operator()(const decision::ContinueAsNewWorkflowExecution& d) {
    auto fail = [&](std::string_view cause) {
      Append(EventType::kContinueAsNewWorkflowExecutionFailed, {{"cause", cause}});
    };
    if (unhandled_) return fail("UNHANDLED_DECISION");
    const MutableState& s = step_.state();
    WorkflowType type{step_.execution().type.name,
                      d.workflow_type_version.value_or(step_.execution().type.version)};
    std::string_view cause;
    auto started = Resolve(s.workflow_id(), type, d.settings, cause);
    if (!started) return fail(cause);
    std::string run_id = NewRandomId(32);
    json::object closed = *started;  // the new run's settings, as the event shows them
    closed["newExecutionRunId"] = run_id;
    Append(EventType::kWorkflowExecutionContinuedAsNew, std::move(closed));
    json::object attrs = std::move(*started);
    attrs["continuedExecutionRunId"] = s.run_id();
    if (const auto& parent = s.parent()) {  // a child continued is still its parent's child
      attrs["parentWorkflowExecution"] =
          json::object{{"workflowId", parent->workflow_id}, {"runId", parent->run_id}};
      attrs["parentInitiatedEventId"] = parent->initiated_event_id;
    }
    Step& next = step_.StartContinuation(run_id, type, d.settings.tag_list);
    next.Append(EventType::kWorkflowExecutionStarted, std::move(attrs));
    next.ScheduleDecisionIfDue();
  }

  // A function the operator mapped to an HTTP endpoint (weft server
  // --config, lambdaFunctions) is called once this is durable (lambda.cc);
  // any other answers as SWF does where Lambda is not available.
  void operator()(const decision::ScheduleLambdaFunction& d) {
    auto fail = [&](std::string_view cause) {
      Append(EventType::kScheduleLambdaFunctionFailed,
             {{"id", d.id}, {"name", d.name}, {"cause", cause}});
    };
    if (!outbound::BuildLambdaRequest(d.name, "{}", impl_.options.outbound).ok()) {
      return fail("LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION");
    }
    const auto& open = step_.state().lambdas();
    for (const auto& [id, l] : open)
      if (l.id == d.id) return fail("ID_ALREADY_IN_USE");
    if (open.size() >= kMaxOpenLambdas) return fail("OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED");
    json::object e{{"id", d.id},
                   {"name", d.name},
                   {"startToCloseTimeout", d.start_to_close_timeout.value_or("300")}};
    SetIf(e, "control", d.control);
    SetIf(e, "input", d.input);
    Append(EventType::kLambdaFunctionScheduled, std::move(e));
  }
  // Recorded here and started on the child's shard once durable
  // (children.cc).
  void operator()(const decision::StartChildWorkflowExecution& d) {
    auto fail = [&](std::string_view cause) {
      json::object e{{"workflowType", TypeJson(d.workflow_type)},
                     {"cause", cause},
                     {"workflowId", d.workflow_id},
                     {"initiatedEventId", 0}};
      SetIf(e, "control", d.control);
      Append(EventType::kStartChildWorkflowExecutionFailed, std::move(e));
    };
    if (step_.state().children().size() >= kMaxOpenChildren) {
      return fail("OPEN_CHILDREN_LIMIT_EXCEEDED");
    }
    std::string_view cause;
    auto started = Resolve(d.workflow_id, d.workflow_type, d.settings, cause);
    if (!started) return fail(cause);
    json::object e = std::move(*started);
    e["workflowId"] = d.workflow_id;
    SetIf(e, "control", d.control);
    Append(EventType::kStartChildWorkflowExecutionInitiated, std::move(e));
  }
  // Recorded here and carried to the target once durable (external.cc).
  void operator()(const decision::SignalExternalWorkflowExecution& d) {
    json::object e{{"workflowId", d.workflow_id}, {"signalName", d.signal_name}};
    SetIf(e, "runId", d.run_id);
    SetIf(e, "input", d.input);
    SetIf(e, "control", d.control);
    Append(EventType::kSignalExternalWorkflowExecutionInitiated, std::move(e));
  }
  void operator()(const decision::RequestCancelExternalWorkflowExecution& d) {
    json::object e{{"workflowId", d.workflow_id}};
    SetIf(e, "runId", d.run_id);
    SetIf(e, "control", d.control);
    Append(EventType::kRequestCancelExternalWorkflowExecutionInitiated, std::move(e));
  }

 private:
  // The WorkflowExecutionStarted attributes of a run a decision starts, with
  // the type's defaults; nullopt and the failure `cause` when the type is
  // unknown or deprecated or a default is missing.
  std::optional<json::object> Resolve(const std::string& workflow_id, const WorkflowType& type,
                                      const decision::RunSettings& settings,
                                      std::string_view& cause) {
    const MutableState& s = step_.state();
    auto entry = impl_.registry.Get(kWorkflowTypeKind, s.domain(), type.name, type.version);
    if (!entry) {
      cause = "WORKFLOW_TYPE_DOES_NOT_EXIST";
      return std::nullopt;
    }
    if (entry->record.status == "DEPRECATED") {
      cause = "WORKFLOW_TYPE_DEPRECATED";
      return std::nullopt;
    }
    StartRequest req{s.domain(),
                     workflow_id,
                     type,
                     settings.task_list,
                     settings.task_priority,
                     settings.input,
                     settings.execution_start_to_close_timeout,
                     settings.task_start_to_close_timeout,
                     settings.child_policy,
                     settings.lambda_role,
                     settings.tag_list};
    static const json::object kNoConfig;
    const json::object* config = FindObject(entry->data, "configuration");
    auto started = StartedAttributes(req, config ? *config : kNoConfig);
    if (!started.ok()) {
      cause = DefaultUndefinedCause(started.error());
      return std::nullopt;
    }
    return std::move(*started);
  }

  void Append(EventType type, json::object attrs) {
    attrs["decisionTaskCompletedEventId"] = completed_id_;
    step_.Append(type, std::move(attrs));
  }

  void Close(EventType ok, EventType failed, json::object attrs) {
    if (unhandled_) return Append(failed, {{"cause", "UNHANDLED_DECISION"}});
    Append(ok, std::move(attrs));
  }

  Engine::Impl& impl_;
  Step& step_;
  int64_t completed_id_;
  bool unhandled_;
};

}  // namespace

void ApplyDecisions(Engine::Impl& impl, Step& step, const std::vector<Decision>& decisions,
                    int64_t completed_event_id, bool unhandled_events) {
  DecisionApplier applier(impl, step, completed_event_id, unhandled_events);
  for (const auto& d : decisions) {
    std::visit(applier, d);
    if (!step.state().open()) break;
  }
}

}  // namespace weft::engine
