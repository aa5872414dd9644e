// RespondDecisionTaskCompleted's decisions: the request's array read into
// the engine's typed decisions, checked whole first (one bad decision and
// none is applied: ValidationException naming it).
#include <initializer_list>

#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

using engine::Decision;
namespace d = engine::decision;

struct DecisionKind {
  std::string_view type;
  std::string_view attributes_key;
  std::initializer_list<std::string_view> required;
  bool closes;  // closes the execution: must be the last decision
};

const DecisionKind kKinds[] = {
    {"ScheduleActivityTask",
     "scheduleActivityTaskDecisionAttributes",
     {"activityType", "activityId"},
     false},
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

const DecisionKind* KindOf(const json::object& o) {
  const auto* type = FindString(o, "decisionType");
  if (!type) return nullptr;
  for (const auto& k : kKinds) {
    if (k.type == *type) return &k;
  }
  return nullptr;
}

Error Invalid(size_t i, const std::string& what) {
  return Error::Validation("Invalid decision at decisions." + std::to_string(i + 1) + ": " + what);
}

std::optional<std::string> Str(const json::object& o, std::string_view key) {
  if (const auto* s = FindString(o, key)) return std::string(*s);
  return std::nullopt;
}

std::string Req(const json::object& o, std::string_view key) { return Str(o, key).value_or(""); }

engine::WorkflowType TypeOf(const json::object& a, std::string_view key) {
  const json::object* t = FindObject(a, key);
  return t ? engine::WorkflowType{Req(*t, "name"), Req(*t, "version")} : engine::WorkflowType{};
}

// The problem with a decision's attributes, or "" (required members, and the
// members that name things must be non-empty strings).
std::string Problem(const DecisionKind& k, const json::object& a) {
  for (auto key : k.required) {
    if (!Find(a, key)) {
      return std::string(k.attributes_key) + "." + std::string(key) + " is required for " +
             std::string(k.type);
    }
  }
  for (auto key : {"activityId", "timerId", "markerName", "startToFireTimeout", "workflowId",
                   "signalName", "id", "name"}) {
    if (const auto* v = Find(a, key); v && (!v->is_string() || v->as_string().empty())) {
      return std::string(key) + " must be a non-empty string";
    }
  }
  if (const auto* v = Find(a, "tagList")) {
    bool ok = v->is_array() && v->as_array().size() <= 5;
    for (const auto& t : ok ? v->as_array() : json::array{}) ok = ok && t.is_string();
    if (!ok) return "tagList must be a list of at most 5 strings";
  }
  if (const auto* v = Find(a, "childPolicy")) {
    bool ok = v->is_string() && (v->as_string() == "TERMINATE" ||
                                 v->as_string() == "REQUEST_CANCEL" || v->as_string() == "ABANDON");
    if (!ok) return "childPolicy must be one of TERMINATE, REQUEST_CANCEL, ABANDON";
  }
  for (auto key : {"activityType", "workflowType"}) {
    const auto* v = Find(a, key);
    if (v && (!v->is_object() || !FindString(v->as_object(), "name") ||
              !FindString(v->as_object(), "version"))) {
      return std::string(key) + " must have a name and a version";
    }
  }
  return "";
}

std::vector<std::string> Tags(const json::object& a) {
  std::vector<std::string> tags;
  if (const json::array* list = FindArray(a, "tagList")) {
    for (const auto& t : *list)
      if (t.is_string()) tags.emplace_back(t.as_string());
  }
  return tags;
}

std::optional<std::string> TaskListName(const json::object& a) {
  const json::object* tl = FindObject(a, "taskList");
  return tl ? Str(*tl, "name") : std::nullopt;
}

Decision Typed(std::string_view t, const json::object& a) {
  if (t == "ScheduleActivityTask") {
    return d::ScheduleActivityTask{TypeOf(a, "activityType"),
                                   Req(a, "activityId"),
                                   Str(a, "control"),
                                   Str(a, "input"),
                                   Str(a, "scheduleToCloseTimeout"),
                                   TaskListName(a),
                                   Str(a, "taskPriority"),
                                   Str(a, "scheduleToStartTimeout"),
                                   Str(a, "startToCloseTimeout"),
                                   Str(a, "heartbeatTimeout")};
  }
  if (t == "RequestCancelActivityTask") return d::RequestCancelActivityTask{Req(a, "activityId")};
  if (t == "CompleteWorkflowExecution") return d::CompleteWorkflowExecution{Str(a, "result")};
  if (t == "FailWorkflowExecution") {
    return d::FailWorkflowExecution{Str(a, "reason"), Str(a, "details")};
  }
  if (t == "CancelWorkflowExecution") return d::CancelWorkflowExecution{Str(a, "details")};
  if (t == "ContinueAsNewWorkflowExecution") {
    return d::ContinueAsNewWorkflowExecution{Str(a, "input"),
                                             Str(a, "executionStartToCloseTimeout"),
                                             TaskListName(a),
                                             Str(a, "taskPriority"),
                                             Str(a, "taskStartToCloseTimeout"),
                                             Str(a, "childPolicy"),
                                             Tags(a),
                                             Str(a, "workflowTypeVersion"),
                                             Str(a, "lambdaRole")};
  }
  if (t == "RecordMarker") return d::RecordMarker{Req(a, "markerName"), Str(a, "details")};
  if (t == "StartTimer") {
    return d::StartTimer{Req(a, "timerId"), Req(a, "startToFireTimeout"), Str(a, "control")};
  }
  if (t == "CancelTimer") return d::CancelTimer{Req(a, "timerId")};
  if (t == "SignalExternalWorkflowExecution") {
    return d::SignalExternalWorkflowExecution{Req(a, "workflowId"), Req(a, "signalName"),
                                              Str(a, "runId"), Str(a, "input"), Str(a, "control")};
  }
  if (t == "RequestCancelExternalWorkflowExecution") {
    return d::RequestCancelExternalWorkflowExecution{Req(a, "workflowId"), Str(a, "runId"),
                                                     Str(a, "control")};
  }
  if (t == "StartChildWorkflowExecution") {
    return d::StartChildWorkflowExecution{TypeOf(a, "workflowType"), Req(a, "workflowId"),
                                          Str(a, "control")};
  }
  return d::ScheduleLambdaFunction{Req(a, "id"), Req(a, "name"), Str(a, "control"), Str(a, "input"),
                                   Str(a, "startToCloseTimeout")};
}

}  // namespace

Result<std::vector<Decision>> ReadDecisions(const json::array& decisions) {
  static const json::object kNoAttributes;
  std::vector<Decision> out;
  out.reserve(decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (!decisions[i].is_object()) return Invalid(i, "a decision must be an object");
    const auto& o = decisions[i].as_object();
    const DecisionKind* k = KindOf(o);
    if (!k) return Invalid(i, "decisionType is missing or not a known decision type");
    const json::object* found = FindObject(o, k->attributes_key);
    const json::object& a = found ? *found : kNoAttributes;
    if (std::string problem = Problem(*k, a); !problem.empty()) return Invalid(i, problem);
    if (k->closes && i + 1 != decisions.size()) {
      return Invalid(i, std::string(k->type) + " must be the last decision");
    }
    out.push_back(Typed(k->type, a));
  }
  return out;
}

}  // namespace weft::swf
