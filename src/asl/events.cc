// History events: the details member names of the Step Functions API model
// and the JSON form GetExecutionHistory returns (asl/asl.h).
#include <array>

#include "asl/asl.h"
#include "common/clock.h"

namespace weft::asl {
namespace {

// The `*EventDetails` members of HistoryEvent in stepfunctions-2016-11-23.
constexpr std::array<std::string_view, 39> kDetailMembers = {
    "activityFailedEventDetails",
    "activityScheduleFailedEventDetails",
    "activityScheduledEventDetails",
    "activityStartedEventDetails",
    "activitySucceededEventDetails",
    "activityTimedOutEventDetails",
    "taskFailedEventDetails",
    "taskScheduledEventDetails",
    "taskStartFailedEventDetails",
    "taskStartedEventDetails",
    "taskSubmitFailedEventDetails",
    "taskSubmittedEventDetails",
    "taskSucceededEventDetails",
    "taskTimedOutEventDetails",
    "executionFailedEventDetails",
    "executionStartedEventDetails",
    "executionSucceededEventDetails",
    "executionAbortedEventDetails",
    "executionTimedOutEventDetails",
    "executionRedrivenEventDetails",
    "mapStateStartedEventDetails",
    "mapIterationStartedEventDetails",
    "mapIterationSucceededEventDetails",
    "mapIterationFailedEventDetails",
    "mapIterationAbortedEventDetails",
    "lambdaFunctionFailedEventDetails",
    "lambdaFunctionScheduleFailedEventDetails",
    "lambdaFunctionScheduledEventDetails",
    "lambdaFunctionStartFailedEventDetails",
    "lambdaFunctionSucceededEventDetails",
    "lambdaFunctionTimedOutEventDetails",
    "mapRunStartedEventDetails",
    "mapRunFailedEventDetails",
    "mapRunRedrivenEventDetails",
    "evaluationFailedEventDetails",
    "stateEnteredEventDetails",
    "stateExitedEventDetails",
    "",
    "",
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string HistoryEvent::DetailsKey() const {
  if (EndsWith(type, "StateEntered")) return "stateEnteredEventDetails";
  if (EndsWith(type, "StateExited")) return "stateExitedEventDetails";
  if (type.empty()) return "";
  std::string key = type + "EventDetails";
  key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
  for (auto m : kDetailMembers)
    if (!m.empty() && m == key) return key;
  return "";
}

json::object HistoryEvent::Details() const {
  if (details_json.empty()) return {};
  auto v = ParseJson(details_json);
  if (!v || !v->is_object()) return {};
  return std::move(v->as_object());
}

namespace {

json::object EventHeader(const HistoryEvent& e) {
  json::object o;
  o["timestamp"] = ToEpochSeconds(e.timestamp_ms);
  o["type"] = e.type;
  o["id"] = e.id;
  o["previousEventId"] = e.previous_event_id;
  return o;
}

}  // namespace

json::object HistoryEventToJson(const HistoryEvent& e) {
  json::object o = EventHeader(e);
  std::string key = e.DetailsKey();
  if (!key.empty()) o[key] = e.Details();
  return o;
}

std::string HistoryEventToJsonText(const HistoryEvent& e) {
  std::string text = ToJson(EventHeader(e));
  std::string key = e.DetailsKey();
  if (key.empty()) return text;
  text.pop_back();  // the closing brace
  text += ",\"";
  text += key;
  text += "\":";
  text += e.details_json.empty() ? std::string_view("{}") : std::string_view(e.details_json);
  text.push_back('}');
  return text;
}

Result<HistoryEvent> HistoryEventFromJson(const json::object& o) {
  HistoryEvent e;
  const json::string* type = FindString(o, "type");
  auto id = FindInt(o, "id");
  if (!type || !id) return Error::Validation("a history event needs type and id");
  e.type = std::string(*type);
  e.id = *id;
  e.previous_event_id = FindInt(o, "previousEventId").value_or(0);
  if (const json::value* ts = Find(o, "timestamp"); ts && ts->is_number())
    e.timestamp_ms = static_cast<int64_t>(ts->to_number<double>() * 1000.0 + 0.5);
  std::string key = e.DetailsKey();
  if (!key.empty())
    if (const json::object* d = FindObject(o, key)) e.details_json = ToJson(*d);
  return e;
}

std::string_view ExecutionStatusName(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "RUNNING";
}

}  // namespace weft::asl
