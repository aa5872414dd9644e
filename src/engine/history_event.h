// src/engine/history_event.h: the events of an execution's history.
//
// An execution is event-sourced: its history is the truth, and everything
// else about it is derived by applying the events in order (mutable_state.h).
// Attributes are kept as the JSON object the API shows
// (`<lowerCamelType>EventAttributes`), which is also how they are stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"

namespace weft::engine {

// Stored in the database (events.type): DO NOT CHANGE OR REUSE THESE NUMBERS.
// 1..54 are the SWF event types in the order of the SWF API model; Step
// Functions event types will take numbers from 101 on.
enum class EventType : uint16_t {
  kWorkflowExecutionStarted = 1,
  kWorkflowExecutionCancelRequested = 2,
  kWorkflowExecutionCompleted = 3,
  kCompleteWorkflowExecutionFailed = 4,
  kWorkflowExecutionFailed = 5,
  kFailWorkflowExecutionFailed = 6,
  kWorkflowExecutionTimedOut = 7,
  kWorkflowExecutionCanceled = 8,
  kCancelWorkflowExecutionFailed = 9,
  kWorkflowExecutionContinuedAsNew = 10,
  kContinueAsNewWorkflowExecutionFailed = 11,
  kWorkflowExecutionTerminated = 12,
  kDecisionTaskScheduled = 13,
  kDecisionTaskStarted = 14,
  kDecisionTaskCompleted = 15,
  kDecisionTaskTimedOut = 16,
  kActivityTaskScheduled = 17,
  kScheduleActivityTaskFailed = 18,
  kActivityTaskStarted = 19,
  kActivityTaskCompleted = 20,
  kActivityTaskFailed = 21,
  kActivityTaskTimedOut = 22,
  kActivityTaskCanceled = 23,
  kActivityTaskCancelRequested = 24,
  kRequestCancelActivityTaskFailed = 25,
  kWorkflowExecutionSignaled = 26,
  kMarkerRecorded = 27,
  kRecordMarkerFailed = 28,
  kTimerStarted = 29,
  kStartTimerFailed = 30,
  kTimerFired = 31,
  kTimerCanceled = 32,
  kCancelTimerFailed = 33,
  kStartChildWorkflowExecutionInitiated = 34,
  kStartChildWorkflowExecutionFailed = 35,
  kChildWorkflowExecutionStarted = 36,
  kChildWorkflowExecutionCompleted = 37,
  kChildWorkflowExecutionFailed = 38,
  kChildWorkflowExecutionTimedOut = 39,
  kChildWorkflowExecutionCanceled = 40,
  kChildWorkflowExecutionTerminated = 41,
  kSignalExternalWorkflowExecutionInitiated = 42,
  kSignalExternalWorkflowExecutionFailed = 43,
  kExternalWorkflowExecutionSignaled = 44,
  kRequestCancelExternalWorkflowExecutionInitiated = 45,
  kRequestCancelExternalWorkflowExecutionFailed = 46,
  kExternalWorkflowExecutionCancelRequested = 47,
  kLambdaFunctionScheduled = 48,
  kLambdaFunctionStarted = 49,
  kLambdaFunctionCompleted = 50,
  kLambdaFunctionFailed = 51,
  kLambdaFunctionTimedOut = 52,
  kScheduleLambdaFunctionFailed = 53,
  kStartLambdaFunctionFailed = 54,
};

inline constexpr int kSwfEventTypeCount = 54;

// "WorkflowExecutionStarted" for kWorkflowExecutionStarted.
std::string_view EventTypeName(EventType type);
// "workflowExecutionStartedEventAttributes".
const std::string& EventAttributesKey(EventType type);
std::optional<EventType> EventTypeFromNumber(uint16_t number);

struct HistoryEvent {
  int64_t id = 0;  // 1, 2, 3, ... within a run
  EventType type{};
  Millis time = 0;
  json::object attributes;
};

// The SWF wire form: {eventId, eventTimestamp, eventType, <key>: attributes}.
json::object ToSwfJson(const HistoryEvent& event);
// Appends the same as JSON text, without building a json::object.
void AppendSwfJson(std::string& out, const HistoryEvent& event);

}  // namespace weft::engine
