// RespondDecisionTaskCompleted's decisions: the request's array read into
// the engine's typed decisions and checked as the model constrains every
// attribute (types, lengths, enums, durations, priorities, the SWF name rule),
// with AWS's wording ("Value 'X' at 'decisions.1.member.decisionType' failed
// to satisfy constraint: ..."). One bad decision and none is applied.
#include <initializer_list>

#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

using engine::Decision;
namespace d = engine::decision;

constexpr Length kIdLen{1, 256};           // ActivityId, TimerId, MarkerName, FunctionId, ...
constexpr Length kFunctionNameLen{1, 64};  // FunctionName

constexpr std::string_view kDecisionTypeValues[] = {
    "ScheduleActivityTask",
    "RequestCancelActivityTask",
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
    "RecordMarker",
    "StartTimer",
    "CancelTimer",
    "SignalExternalWorkflowExecution",
    "RequestCancelExternalWorkflowExecution",
    "StartChildWorkflowExecution",
    "ScheduleLambdaFunction",
};

// "ScheduleActivityTask" -> "scheduleActivityTaskDecisionAttributes".
std::string AttributesKey(std::string_view type) {
  std::string key(type);
  key[0] = static_cast<char>(key[0] - 'A' + 'a');
  return key + "DecisionAttributes";
}

bool ClosesExecution(std::string_view type) {
  return type == "CompleteWorkflowExecution" || type == "FailWorkflowExecution" ||
         type == "CancelWorkflowExecution" || type == "ContinueAsNewWorkflowExecution";
}

// A required {name, version} structure (WorkflowType, ActivityType).
engine::WorkflowType ReadType(RequestReader& a, std::string_view member) {
  RequestReader t = a.Object(member);
  return engine::WorkflowType{t.String("name", kNameLen), t.String("version", kVersionLen)};
}

std::vector<std::string> ReadTags(RequestReader& a) {
  std::vector<std::string> tags;
  if (const json::array* list = a.OptArray("tagList", 5)) {
    for (size_t i = 0; i < list->size(); ++i) {
      if (auto tag = a.StringAt("tagList", *list, i, kTagLen)) tags.push_back(std::move(*tag));
    }
  }
  return tags;
}

// A required duration of seconds: StartTimer's startToFireTimeout
// (DurationInSeconds: 1-8 characters, NONE not allowed).
std::string ReadSeconds(RequestReader& a, std::string_view member) {
  if (!a.Has(member)) return a.String(member, kDurationLen);  // reports it missing
  auto s = a.OptDuration(member);
  if (s && (s->empty() || *s == "NONE")) {
    a.AddError("Value '" + *s + "' at '" + a.PathOf(member) +
               "' failed to satisfy constraint: Member must be a number of seconds");
    return {};
  }
  return s.value_or("");
}

engine::decision::RunSettings ReadRunSettings(RequestReader& a) {
  engine::decision::RunSettings s;
  s.input = a.OptString("input", kDataLen);
  s.execution_start_to_close_timeout = a.OptDuration("executionStartToCloseTimeout");
  s.task_list = ReadOptTaskList(a, "taskList");
  s.task_priority = a.OptPriority("taskPriority");
  s.task_start_to_close_timeout = a.OptDuration("taskStartToCloseTimeout");
  s.child_policy = a.OptEnum("childPolicy", kChildPolicies);
  s.tag_list = ReadTags(a);
  s.lambda_role = a.OptString("lambdaRole", kArnLen);
  return s;
}

Decision ReadTyped(std::string_view type, RequestReader& a) {
  if (type == "ScheduleActivityTask") {
    d::ScheduleActivityTask x;
    x.activity_type = ReadType(a, "activityType");
    x.activity_id = a.Name("activityId", kIdLen);
    x.control = a.OptString("control", kDataLen);
    x.input = a.OptString("input", kDataLen);
    x.schedule_to_close_timeout = a.OptDuration("scheduleToCloseTimeout");
    x.task_list = ReadOptTaskList(a, "taskList");
    x.task_priority = a.OptPriority("taskPriority");
    x.schedule_to_start_timeout = a.OptDuration("scheduleToStartTimeout");
    x.start_to_close_timeout = a.OptDuration("startToCloseTimeout");
    x.heartbeat_timeout = a.OptDuration("heartbeatTimeout");
    return x;
  }
  if (type == "RequestCancelActivityTask") {
    return d::RequestCancelActivityTask{a.Name("activityId", kIdLen)};
  }
  if (type == "CompleteWorkflowExecution") {
    return d::CompleteWorkflowExecution{a.OptString("result", kDataLen)};
  }
  if (type == "FailWorkflowExecution") {
    return d::FailWorkflowExecution{a.OptString("reason", kReasonLen),
                                    a.OptString("details", kDataLen)};
  }
  if (type == "CancelWorkflowExecution") {
    return d::CancelWorkflowExecution{a.OptString("details", kDataLen)};
  }
  if (type == "ContinueAsNewWorkflowExecution") {
    d::ContinueAsNewWorkflowExecution x;
    x.settings = ReadRunSettings(a);
    x.workflow_type_version = a.OptString("workflowTypeVersion", kVersionLen);
    return x;
  }
  if (type == "RecordMarker") {
    return d::RecordMarker{a.String("markerName", kIdLen), a.OptString("details", kDataLen)};
  }
  if (type == "StartTimer") {
    d::StartTimer x;
    x.timer_id = a.Name("timerId", kIdLen);
    x.start_to_fire_timeout = ReadSeconds(a, "startToFireTimeout");
    x.control = a.OptString("control", kDataLen);
    return x;
  }
  if (type == "CancelTimer") return d::CancelTimer{a.Name("timerId", kIdLen)};
  if (type == "SignalExternalWorkflowExecution") {
    d::SignalExternalWorkflowExecution x;
    x.workflow_id = a.Name("workflowId", kWorkflowIdLen);
    x.run_id = a.OptString("runId", kRunIdOptionalLen);
    x.signal_name = a.String("signalName", kNameLen);
    x.input = a.OptString("input", kDataLen);
    x.control = a.OptString("control", kDataLen);
    return x;
  }
  if (type == "RequestCancelExternalWorkflowExecution") {
    d::RequestCancelExternalWorkflowExecution x;
    x.workflow_id = a.Name("workflowId", kWorkflowIdLen);
    x.run_id = a.OptString("runId", kRunIdOptionalLen);
    x.control = a.OptString("control", kDataLen);
    return x;
  }
  if (type == "StartChildWorkflowExecution") {
    d::StartChildWorkflowExecution x;
    x.workflow_type = ReadType(a, "workflowType");
    x.workflow_id = a.Name("workflowId", kWorkflowIdLen);
    x.control = a.OptString("control", kDataLen);
    x.settings = ReadRunSettings(a);
    return x;
  }
  d::ScheduleLambdaFunction x;  // ScheduleLambdaFunction
  x.id = a.Name("id", kIdLen);
  x.name = a.Name("name", kFunctionNameLen);
  x.control = a.OptString("control", kDataLen);
  x.input = a.OptString("input", kDataLen);
  x.start_to_close_timeout = a.OptDuration("startToCloseTimeout");
  return x;
}

}  // namespace

std::vector<Decision> ReadDecisions(RequestReader& r, const json::array& decisions) {
  static constexpr EnumValues kDecisionTypes = kDecisionTypeValues;
  static const json::object kNoAttributes;
  std::vector<Decision> out;
  out.reserve(decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    auto decision = r.MemberAt("decisions", decisions, i);
    if (!decision) continue;
    std::string type = decision->Enum("decisionType", kDecisionTypes);
    if (type.empty()) continue;
    std::string key = AttributesKey(type);
    // The decisions that close the execution are the ones whose attributes
    // all have defaults: theirs may be left out, the others' must be there.
    bool closes = ClosesExecution(type);
    std::optional<RequestReader> attributes =
        closes ? decision->OptObject(key) : std::optional(decision->Object(key));
    json::object none;
    RequestReader empty(none);
    out.push_back(ReadTyped(type, attributes ? *attributes : empty));
    if (closes && i + 1 != decisions.size()) {
      r.AddError("Value '" + type + "' at '" + r.PathOf("decisions." + std::to_string(i + 1)) +
                 ".member.decisionType' failed to satisfy constraint: a decision that closes the "
                 "workflow execution must be the last decision");
    }
  }
  return out;
}

}  // namespace weft::swf
