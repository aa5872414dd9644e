// Step Functions history events in the store, and the facts of a machine
// run that its stored row and DescribeExecution show.
#include <array>

#include "common/json.h"
#include "engine/machine_run.h"

namespace weft::engine {
namespace {

// The stored numbers: kFirstMachineEventType + index. Append only.
constexpr auto kMachineEventTypes = std::to_array<std::string_view>({
    "ActivityFailed",
    "ActivityScheduled",
    "ActivityScheduleFailed",
    "ActivityStarted",
    "ActivitySucceeded",
    "ActivityTimedOut",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "ExecutionAborted",
    "ExecutionFailed",
    "ExecutionStarted",
    "ExecutionSucceeded",
    "ExecutionTimedOut",
    "FailStateEntered",
    "LambdaFunctionFailed",
    "LambdaFunctionScheduled",
    "LambdaFunctionScheduleFailed",
    "LambdaFunctionStarted",
    "LambdaFunctionStartFailed",
    "LambdaFunctionSucceeded",
    "LambdaFunctionTimedOut",
    "MapIterationAborted",
    "MapIterationFailed",
    "MapIterationStarted",
    "MapIterationSucceeded",
    "MapStateAborted",
    "MapStateEntered",
    "MapStateExited",
    "MapStateFailed",
    "MapStateStarted",
    "MapStateSucceeded",
    "ParallelStateAborted",
    "ParallelStateEntered",
    "ParallelStateExited",
    "ParallelStateFailed",
    "ParallelStateStarted",
    "ParallelStateSucceeded",
    "PassStateEntered",
    "PassStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "TaskFailed",
    "TaskScheduled",
    "TaskStarted",
    "TaskStartFailed",
    "TaskStateAborted",
    "TaskStateEntered",
    "TaskStateExited",
    "TaskSubmitFailed",
    "TaskSubmitted",
    "TaskSucceeded",
    "TaskTimedOut",
    "WaitStateAborted",
    "WaitStateEntered",
    "WaitStateExited",
    "MapRunAborted",
    "MapRunFailed",
    "MapRunStarted",
    "MapRunSucceeded",
    "ExecutionRedriven",
    "MapRunRedriven",
    "EvaluationFailed",
});
static_assert(kMachineEventTypes.size() == 62, "the model's HistoryEventType has 62 values");

}  // namespace

std::optional<uint16_t> MachineEventTypeNumber(std::string_view type) {
  for (size_t i = 0; i < kMachineEventTypes.size(); ++i) {
    if (kMachineEventTypes[i] == type) return static_cast<uint16_t>(kFirstMachineEventType + i);
  }
  return std::nullopt;
}

std::optional<std::string_view> MachineEventTypeName(uint16_t number) {
  if (number < kFirstMachineEventType) return std::nullopt;
  size_t i = number - kFirstMachineEventType;
  if (i >= kMachineEventTypes.size()) return std::nullopt;
  return kMachineEventTypes[i];
}

store::EventRecord MachineEventRecord(const asl::HistoryEvent& e) {
  store::EventRecord r;
  r.event_id = e.id;
  // The interpreter only writes types of the model; an unknown one is a bug
  // that must not be stored under another type's number.
  r.type = MachineEventTypeNumber(e.type).value_or(0);
  r.time = e.timestamp_ms;
  r.attributes.reserve(e.details_json.size() + 40);
  r.attributes += "{\"previousEventId\":";
  r.attributes += std::to_string(e.previous_event_id);
  if (!e.details_json.empty()) {
    r.attributes += ",\"details\":";
    r.attributes += e.details_json;
  }
  r.attributes += '}';
  return r;
}

Result<asl::HistoryEvent> MachineEventFromRecord(const store::EventRecord& r) {
  auto name = MachineEventTypeName(r.type);
  auto v = ParseJson(r.attributes);
  if (!name || !v.ok() || !v->is_object()) {
    return Error::Internal("corrupt Step Functions event " + std::to_string(r.event_id));
  }
  asl::HistoryEvent e;
  e.id = r.event_id;
  e.type = std::string(*name);
  e.timestamp_ms = r.time;
  e.previous_event_id = FindInt(v->as_object(), "previousEventId").value_or(0);
  if (const auto* d = Find(v->as_object(), "details")) e.details_json = ToJson(*d);
  return e;
}

MachineTaskKind ClassifyMachineResource(std::string_view resource) {
  constexpr std::string_view kService = "arn:aws:states:::";
  if (resource.starts_with("arn:") && resource.find(":states:") != std::string_view::npos &&
      resource.find(":activity:") != std::string_view::npos && !resource.starts_with(kService)) {
    return MachineTaskKind::kActivity;
  }
  if (resource.starts_with("arn:aws:lambda:") &&
      resource.find(":function:") != std::string_view::npos) {
    return MachineTaskKind::kLambda;
  }
  if (!resource.starts_with(kService)) return MachineTaskKind::kUnsupported;
  std::string_view integration = resource.substr(kService.size());
  if (integration == "http:invoke" || integration == "http:invoke.waitForTaskToken") {
    return MachineTaskKind::kHttp;
  }
  if (integration == "states:startExecution" || integration == "states:startExecution.sync" ||
      integration == "states:startExecution.sync:2" ||
      integration == "states:startExecution.waitForTaskToken") {
    return MachineTaskKind::kStartExecution;
  }
  if (integration == "lambda:invoke" || integration == "lambda:invoke.waitForTaskToken") {
    return MachineTaskKind::kLambda;
  }
  return MachineTaskKind::kUnsupported;
}

matching::TaskListKey ActivityTaskList(const std::string& activity_arn) {
  return {std::string(kMachineDomain), activity_arn, matching::TaskKind::kActivity};
}

MachineExecution DescribeRun(const MachineRun& run) {
  MachineExecution d;
  const MachineStart& s = run.start;
  d.execution_arn = s.execution_arn;
  d.name = s.name;
  d.state_machine_arn = s.state_machine_arn;
  d.version_arn = s.version_arn;
  d.alias_arn = s.alias_arn;
  d.revision_id = s.revision_id;
  d.express = s.express;
  d.start_time = run.start_time;
  d.input = s.input;
  d.parent_execution_arn = s.parent_execution_arn;
  d.map_run_arn = s.map_run_arn;
  d.definition_arn = s.definition_arn;
  MachineView view = run.view ? *run.view : MachineView{};
  d.status = std::move(view.status);
  d.stop_time = view.stop_time;
  d.output = std::move(view.output);
  d.error = std::move(view.error);
  d.cause = std::move(view.cause);
  d.redrive_count = view.redrive_count;
  d.redrive_time = view.redrive_time;
  return d;
}

MachineView ViewOf(const MachineRun& run) {
  MachineView v;
  const asl::Execution& x = *run.interpreter;
  v.status = std::string(asl::ExecutionStatusName(x.status()));
  v.stop_time = run.stop_time;
  if (x.status() == asl::ExecutionStatus::kSucceeded) v.output = x.output();
  v.error = x.error();
  v.cause = x.cause();
  v.redrive_count = x.redrive_count();
  v.redrive_time = run.redrive_time;
  return v;
}

store::ExecutionRecord MachineRecordOf(const MachineRun& run, int shard) {
  const MachineStart& s = run.start;
  store::ExecutionRecord r;
  r.run_id = s.execution_arn;
  r.domain = std::string(kMachineDomain);
  r.workflow_id = s.execution_arn;
  r.type_name = s.state_machine_arn;
  r.type_version = s.version_arn;
  r.open = run.open();
  if (!r.open) {
    r.close_status = std::string(asl::ExecutionStatusName(run.interpreter->status()));
    r.close_time = run.stop_time;
  }
  r.start_time = run.start_time;
  r.shard = shard;
  r.last_event_id = run.submitted_event_id;
  if (!s.alias_arn.empty()) r.tags.push_back("alias=" + s.alias_arn);
  json::object data{{"name", s.name}, {"revisionId", s.revision_id}};
  if (!s.role_arn.empty()) data["roleArn"] = s.role_arn;
  if (!s.parent_execution_arn.empty()) data["parent"] = s.parent_execution_arn;
  if (!s.map_run_arn.empty()) {
    data["mapRun"] = s.map_run_arn;
    data["definitionOf"] = s.definition_arn;
    data["rootBlock"] = s.root_block;
    r.tags.push_back(MapRunTag(s.map_run_arn));
  }
  if (int64_t n = run.interpreter->redrive_count(); n > 0) {
    data["redriveCount"] = n;
    data["redriveDate"] = run.redrive_time;
    r.tags.push_back("redriven");
  }
  if (!r.open) {
    const asl::Execution& x = *run.interpreter;
    if (x.status() == asl::ExecutionStatus::kSucceeded) data["output"] = x.output();
    if (x.error()) data["error"] = *x.error();
    if (x.cause()) data["cause"] = *x.cause();
  }
  r.data = ToJson(data);
  r.snapshot = MachineSnapshotOf(run);
  r.has_work = MachineHasCalls(run);
  return r;
}

}  // namespace weft::engine
