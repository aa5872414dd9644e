#include "engine/history_event.h"

#include <array>

namespace weft::engine {
namespace {

constexpr std::array<std::string_view, kSwfEventTypeCount> kNames = {
    "WorkflowExecutionStarted",
    "WorkflowExecutionCancelRequested",
    "WorkflowExecutionCompleted",
    "CompleteWorkflowExecutionFailed",
    "WorkflowExecutionFailed",
    "FailWorkflowExecutionFailed",
    "WorkflowExecutionTimedOut",
    "WorkflowExecutionCanceled",
    "CancelWorkflowExecutionFailed",
    "WorkflowExecutionContinuedAsNew",
    "ContinueAsNewWorkflowExecutionFailed",
    "WorkflowExecutionTerminated",
    "DecisionTaskScheduled",
    "DecisionTaskStarted",
    "DecisionTaskCompleted",
    "DecisionTaskTimedOut",
    "ActivityTaskScheduled",
    "ScheduleActivityTaskFailed",
    "ActivityTaskStarted",
    "ActivityTaskCompleted",
    "ActivityTaskFailed",
    "ActivityTaskTimedOut",
    "ActivityTaskCanceled",
    "ActivityTaskCancelRequested",
    "RequestCancelActivityTaskFailed",
    "WorkflowExecutionSignaled",
    "MarkerRecorded",
    "RecordMarkerFailed",
    "TimerStarted",
    "StartTimerFailed",
    "TimerFired",
    "TimerCanceled",
    "CancelTimerFailed",
    "StartChildWorkflowExecutionInitiated",
    "StartChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionStarted",
    "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTerminated",
    "SignalExternalWorkflowExecutionInitiated",
    "SignalExternalWorkflowExecutionFailed",
    "ExternalWorkflowExecutionSignaled",
    "RequestCancelExternalWorkflowExecutionInitiated",
    "RequestCancelExternalWorkflowExecutionFailed",
    "ExternalWorkflowExecutionCancelRequested",
    "LambdaFunctionScheduled",
    "LambdaFunctionStarted",
    "LambdaFunctionCompleted",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "ScheduleLambdaFunctionFailed",
    "StartLambdaFunctionFailed",
};

std::array<std::string, kSwfEventTypeCount> MakeKeys() {
  std::array<std::string, kSwfEventTypeCount> keys;
  for (size_t i = 0; i < kNames.size(); ++i) {
    std::string k(kNames[i]);
    k[0] = static_cast<char>(k[0] - 'A' + 'a');
    keys[i] = k + "EventAttributes";
  }
  return keys;
}

const std::array<std::string, kSwfEventTypeCount> kKeys = MakeKeys();

size_t Index(EventType t) { return static_cast<size_t>(t) - 1; }

}  // namespace

std::string_view EventTypeName(EventType type) { return kNames.at(Index(type)); }
const std::string& EventAttributesKey(EventType type) { return kKeys.at(Index(type)); }

std::optional<EventType> EventTypeFromNumber(uint16_t number) {
  if (number >= 1 && number <= kSwfEventTypeCount) return static_cast<EventType>(number);
  return std::nullopt;
}

json::object ToSwfJson(const HistoryEvent& e) {
  json::object o;
  o["eventId"] = e.id;
  o["eventTimestamp"] = ToEpochSeconds(e.time);
  o["eventType"] = EventTypeName(e.type);
  o[EventAttributesKey(e.type)] = e.attributes;
  return o;
}

void AppendSwfJson(std::string& out, const HistoryEvent& e) {
  out += "{\"eventId\":";
  out += std::to_string(e.id);
  out += ",\"eventTimestamp\":";
  AppendJson(out, json::value(ToEpochSeconds(e.time)));
  out += ",\"eventType\":\"";
  out += EventTypeName(e.type);
  out += "\",\"";
  out += EventAttributesKey(e.type);
  out += "\":";
  AppendJson(out, e.attributes);
  out += '}';
}

}  // namespace weft::engine
