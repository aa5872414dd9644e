// Executions: StartExecution, StartSyncExecution, DescribeExecution,
// DescribeStateMachineForExecution, StopExecution, ListExecutions,
// GetExecutionHistory, RedriveExecution.
#include "common/base64.h"
#include "common/ids.h"
#include "sfn/ops/ops.h"

namespace weft::sfn {
namespace {

constexpr size_t kMaxPayload = 262144;  // 256 KiB: inputs and outputs

// Names the engine's unknown-execution error for this API.
Error ExecutionError(Error e, std::string_view arn) {
  if (e.code() == Errc::kUnknownResource) return ExecutionDoesNotExist(arn);
  return e;
}

Status CheckJson(const std::optional<std::string>& text, std::string_view fault,
                 std::string_view what) {
  if (!text) return {};
  if (text->size() > kMaxPayload) {
    return Fault(Errc::kValidation, fault,
                 std::string(what) + " is " + std::to_string(text->size()) +
                     " bytes: the limit is 262144 bytes (256 KiB)");
  }
  auto v = ParseJson(*text);
  if (!v.ok()) {
    return Fault(Errc::kValidation, fault,
                 "Invalid " + std::string(what) + ": '" + text->substr(0, 200) +
                     "' is not valid JSON: " + v.error().message());
  }
  return {};
}

json::object PayloadDetails() { return json::object{{"included", true}}; }

json::object DescribeJson(const engine::MachineExecution& d) {
  json::object o{{"executionArn", d.execution_arn},
                 {"stateMachineArn", d.state_machine_arn},
                 {"name", d.name},
                 {"status", d.status},
                 {"startDate", TimestampJson(d.start_time)},
                 {"input", d.input},
                 {"inputDetails", PayloadDetails()}};
  if (d.stop_time != 0) o["stopDate"] = TimestampJson(d.stop_time);
  if (d.output) {
    o["output"] = *d.output;
    o["outputDetails"] = PayloadDetails();
  }
  if (d.error) o["error"] = *d.error;
  if (d.cause) o["cause"] = *d.cause;
  if (!d.version_arn.empty()) o["stateMachineVersionArn"] = d.version_arn;
  if (!d.alias_arn.empty()) o["stateMachineAliasArn"] = d.alias_arn;
  if (!d.map_run_arn.empty()) o["mapRunArn"] = d.map_run_arn;
  if (!d.express) {
    o["redriveCount"] = d.redrive_count;
    if (d.redrive_time != 0) o["redriveDate"] = TimestampJson(d.redrive_time);
    if (d.status == "RUNNING" || d.status == "SUCCEEDED") {
      o["redriveStatus"] = "NOT_REDRIVABLE";
      o["redriveStatusReason"] = "Execution is " + d.status + " and cannot be redriven";
    } else {
      o["redriveStatus"] = "REDRIVABLE";
    }
  }
  return o;
}

struct StartRequest {
  engine::MachineStart start;
  std::string type;  // of the state machine
};

// Reads a StartExecution/StartSyncExecution request and resolves what it
// starts.
net::awaitable<Result<StartRequest>> ReadStart(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineArn", kArnLen);
  auto name = r.OptString("name", kNameLen);
  auto input = r.OptString("input", kSensitiveDataLen);
  (void)r.OptString("traceHeader", Length{0, 256});
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (name) {
    if (Status s = CheckName(*name, "execution name"); !s.ok()) co_return std::move(s).error();
  }
  if (Status s = CheckJson(input, "InvalidExecutionInput", "execution input"); !s.ok()) {
    co_return std::move(s).error();
  }
  auto target = ResolveExecutionTarget(ctx, arn);
  if (!target.ok()) {
    // StartExecution has no ResourceNotFound: a version or alias that does
    // not exist is a state machine that does not exist, as AWS answers.
    if (target.error().type() == "ResourceNotFound") {
      co_return Fault(Errc::kUnknownResource, "StateMachineDoesNotExist",
                      "State Machine Does Not Exist: '" + arn + "'");
    }
    co_return std::move(target).error();
  }
  StartRequest out;
  out.type = target->type;
  out.start = StartOf(std::move(*target));
  engine::MachineStart& s = out.start;
  s.name = name ? *name : NewUuid();
  s.input = input ? *input : "{}";
  if (s.express) {
    // Express execution ARNs carry a unique id: names need not be unique.
    std::string base = ExecutionArn(s.state_machine_arn, s.name);
    base.replace(base.find(":execution:"), 11, ":express:");
    s.execution_arn = base + ":" + NewUuid();
  } else {
    s.execution_arn = ExecutionArn(s.state_machine_arn, s.name);
  }
  co_return out;
}

}  // namespace

engine::MachineStart StartOf(ExecutionTarget target) {
  engine::MachineStart s;
  s.state_machine_arn = std::move(target.state_machine_arn);
  s.state_machine_name = std::move(target.state_machine_name);
  s.version_arn = std::move(target.version_arn);
  s.alias_arn = std::move(target.alias_arn);
  s.revision_id = std::move(target.revision_id);
  s.definition = std::move(target.definition);
  s.role_arn = std::move(target.role_arn);
  s.express = target.type == "EXPRESS";
  return s;
}

OpResult StartExecution(OpContext& ctx, const json::object& request) {
  auto req = co_await ReadStart(ctx, request);
  if (!req.ok()) co_return std::move(req).error();
  std::string arn = req->start.execution_arn;
  auto started = co_await ctx.engine.StartMachineExecution(std::move(req->start));
  if (!started.ok()) {
    Error e = std::move(started).error();
    if (e.code() == Errc::kAlreadyExists) {
      co_return Fault(Errc::kAlreadyExists, "ExecutionAlreadyExists", e.message());
    }
    co_return e;
  }
  co_return json::object{{"executionArn", started->execution_arn},
                         {"startDate", TimestampJson(started->start_time)}};
}

OpResult StartSyncExecution(OpContext& ctx, const json::object& request) {
  auto req = co_await ReadStart(ctx, request);
  if (!req.ok()) co_return std::move(req).error();
  if (req->type != "EXPRESS") {
    co_return Fault(Errc::kValidation, "StateMachineTypeNotSupported",
                    "This operation is only supported by EXPRESS state machines: '" +
                        req->start.state_machine_arn + "' is STANDARD");
  }
  auto done = co_await ctx.engine.RunMachineExecution(std::move(req->start));
  if (!done.ok()) co_return std::move(done).error();
  json::object o = DescribeJson(*done);
  o.erase("redriveCount");
  o.erase("redriveStatus");
  o.erase("redriveStatusReason");
  int64_t billed_ms =
      std::max<int64_t>(100, ((done->stop_time - done->start_time + 99) / 100) * 100);
  o["billingDetails"] =
      json::object{{"billedMemoryUsedInMB", 64}, {"billedDurationInMilliseconds", billed_ms}};
  co_return o;
}

// DescribeExecution and DescribeStateMachineForExecution: the execution a
// request names ({executionArn, includedData}).
net::awaitable<Result<engine::MachineExecution>> DescribeNamed(OpContext& ctx,
                                                               const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("executionArn", kArnLen);
  (void)r.OptBool("includedData");
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckExecutionArn(arn); !s.ok()) co_return std::move(s).error();
  auto d = co_await ctx.engine.DescribeMachineExecution(arn);
  if (!d.ok()) co_return ExecutionError(std::move(d).error(), arn);
  co_return d;
}

OpResult DescribeExecution(OpContext& ctx, const json::object& request) {
  auto d = co_await DescribeNamed(ctx, request);
  if (!d.ok()) co_return std::move(d).error();
  co_return DescribeJson(*d);
}

OpResult DescribeStateMachineForExecution(OpContext& ctx, const json::object& request) {
  auto d = co_await DescribeNamed(ctx, request);
  if (!d.ok()) co_return std::move(d).error();
  const std::string& arn = d->execution_arn;
  // A Map Run's child execution runs (part of) its parent's state machine.
  const std::string& machine_arn =
      d->definition_arn.empty() ? d->state_machine_arn : d->definition_arn;
  auto revision =
      ctx.engine.registry().Get(engine::kStateMachineRevisionKind, machine_arn, d->revision_id);
  if (!revision) co_return ExecutionDoesNotExist(arn);
  const json::object& data = revision->data;
  std::string name = machine_arn.substr(machine_arn.rfind(':') + 1);
  json::object o{{"stateMachineArn", machine_arn},
                 {"name", name},
                 {"revisionId", d->revision_id},
                 {"updateDate", TimestampJson(revision->record.created)}};
  for (auto key : {"definition", "roleArn", "loggingConfiguration", "tracingConfiguration"}) {
    if (const auto* v = Find(data, key)) o[key] = *v;
  }
  if (!o.contains("loggingConfiguration")) {
    o["loggingConfiguration"] = json::object{{"level", "OFF"}, {"includeExecutionData", false}};
  }
  if (!d->map_run_arn.empty()) {
    o["mapRunArn"] = d->map_run_arn;
    // ...:stateMachine:<machine>/<label>
    o["label"] = d->state_machine_arn.substr(d->state_machine_arn.rfind('/') + 1);
  }
  co_return o;
}

OpResult StopExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("executionArn", kArnLen);
  auto error = r.OptString("error", kErrorLen);
  auto cause = r.OptString("cause", kCauseLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckExecutionArn(arn); !s.ok()) co_return std::move(s).error();
  auto stopped = co_await ctx.engine.StopMachineExecution(arn, std::move(error), std::move(cause));
  if (!stopped.ok()) co_return ExecutionError(std::move(stopped).error(), arn);
  co_return json::object{{"stopDate", TimestampJson(*stopped)}};
}

OpResult ListExecutions(OpContext& ctx, const json::object& request) {
  static constexpr std::string_view kStatuses[] = {"RUNNING",   "SUCCEEDED", "FAILED",
                                                   "TIMED_OUT", "ABORTED",   "PENDING_REDRIVE"};
  static constexpr std::string_view kRedriveFilters[] = {"REDRIVEN", "NOT_REDRIVEN"};
  RequestReader r(request);
  auto arn = r.OptString("stateMachineArn", kArnLen);
  auto map_run = r.OptString("mapRunArn", kLongArnLen);
  auto status = r.OptEnum("statusFilter", kStatuses);
  auto redrive = r.OptEnum("redriveFilter", kRedriveFilters);
  PageRequest page = ReadPage(r);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (arn.has_value() == map_run.has_value()) {
    co_return Error::Validation("Must provide a StateMachine ARN or MapRun ARN, not both");
  }
  store::ExecutionQuery q;
  q.domain = std::string(engine::kMachineDomain);
  if (map_run) {
    Status exists = co_await CheckMapRunExists(ctx, *map_run);
    if (!exists.ok()) co_return std::move(exists).error();
    q.tag = engine::MapRunTag(*map_run);
  } else {
    auto target = ResolveExecutionTarget(ctx, *arn);
    if (!target.ok()) co_return std::move(target).error();
    if (target->type == "EXPRESS") {
      co_return Fault(Errc::kValidation, "StateMachineTypeNotSupported",
                      "This operation is not supported by EXPRESS state machines");
    }
    q.type_name = target->state_machine_arn;
    if (!target->alias_arn.empty()) {
      q.tag = "alias=" + target->alias_arn;
    } else if (!target->version_arn.empty()) {
      q.type_version = target->version_arn;
    }
  }
  if (!status) {
    q.open_and_closed = true;
  } else if (*status == "RUNNING") {
    q.open = true;
  } else {
    q.open = false;
    q.close_status = *status;
  }
  // One tag filter in the store; a second one (redriven, with an alias or a
  // Map Run) is applied to each page, which may then come back short.
  bool redriven_only = false;
  if (redrive && *redrive == "REDRIVEN") {
    if (q.tag) {
      redriven_only = true;
    } else {
      q.tag = "redriven";
    }
  }
  bool not_redriven_only = redrive && *redrive == "NOT_REDRIVEN";
  auto listed = co_await ListPage(ctx, std::move(q), page);
  if (!listed.ok()) co_return std::move(listed).error();
  json::array items;
  for (const auto& e : listed->executions) {
    bool redriven = std::find(e.tags.begin(), e.tags.end(), "redriven") != e.tags.end();
    if ((not_redriven_only && redriven) || (redriven_only && !redriven)) continue;
    auto data = ParseJson(e.data);
    const json::string* name =
        data.ok() && data->is_object() ? FindString(data->as_object(), "name") : nullptr;
    json::object item{{"executionArn", e.run_id},
                      {"stateMachineArn", e.type_name},
                      {"name", name ? std::string(*name) : std::string()},
                      {"status", e.open ? std::string("RUNNING") : e.close_status},
                      {"startDate", TimestampJson(e.start_time)}};
    const json::object no_data;
    const json::object& d = data.ok() && data->is_object() ? data->as_object() : no_data;
    item["redriveCount"] = FindInt(d, "redriveCount").value_or(0);
    if (auto date = FindInt(d, "redriveDate")) item["redriveDate"] = TimestampJson(*date);
    if (!e.open) item["stopDate"] = TimestampJson(e.close_time);
    if (!e.type_version.empty()) item["stateMachineVersionArn"] = e.type_version;
    if (map_run) {
      item["mapRunArn"] = *map_run;
      item["itemCount"] = 1;
    }
    for (const auto& tag : e.tags) {
      if (tag.rfind("alias=", 0) == 0) item["stateMachineAliasArn"] = tag.substr(6);
    }
    items.push_back(std::move(item));
  }
  json::object out{{"executions", std::move(items)}};
  if (!listed->next_page_token.empty()) out["nextToken"] = listed->next_page_token;
  co_return out;
}

OpResult GetExecutionHistory(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("executionArn", kArnLen);
  auto reverse = r.OptBool("reverseOrder");
  auto include_data = r.OptBool("includeExecutionData");
  PageRequest page = ReadPage(r);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckExecutionArn(arn); !s.ok()) co_return std::move(s).error();
  // The token is the position of the next event in this order, prefixed
  // with the ARN so that it is refused for another execution.
  size_t start = 0;
  if (!page.next_token.empty()) {
    auto decoded = Base64Decode(page.next_token, Base64Alphabet::kUrl);
    std::string prefix = arn + "#";
    if (!decoded || decoded->rfind(prefix, 0) != 0) co_return InvalidPageToken(page.next_token);
    try {
      start = std::stoull(decoded->substr(prefix.size()));
    } catch (...) {
      co_return InvalidPageToken(page.next_token);
    }
  }
  auto history = co_await ctx.engine.GetMachineHistory(arn, static_cast<int64_t>(start),
                                                       page.max_results, reverse.value_or(false));
  if (!history.ok()) co_return ExecutionError(std::move(history).error(), arn);
  bool with_data = include_data.value_or(true);
  json::array out;
  for (const auto& event : history->events) {
    json::object e = asl::HistoryEventToJson(event);
    if (!with_data) {
      // Inputs and outputs left out, as AWS does when includeExecutionData is false.
      for (auto& [key, value] : e) {
        if (!value.is_object()) continue;
        auto& details = value.as_object();
        for (auto field : {"input", "output", "parameters"}) details.erase(field);
      }
    }
    out.push_back(std::move(e));
  }
  json::object result{{"events", std::move(out)}};
  size_t end = start + history->events.size();
  if (static_cast<int64_t>(end) < history->total) {
    result["nextToken"] = Base64Encode(arn + "#" + std::to_string(end), Base64Alphabet::kUrl);
  }
  co_return result;
}

OpResult RedriveExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("executionArn", kArnLen);
  (void)r.OptString("clientToken", Length{1, 64});
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckExecutionArn(arn); !s.ok()) co_return std::move(s).error();
  auto redriven = co_await ctx.engine.RedriveMachineExecution(arn);
  if (!redriven.ok()) {
    Error e = std::move(redriven).error();
    if (e.code() == Errc::kConflict) {
      co_return Fault(Errc::kConflict, "ExecutionNotRedrivable", e.message());
    }
    co_return ExecutionError(std::move(e), arn);
  }
  co_return json::object{{"redriveDate", TimestampJson(*redriven)}};
}

}  // namespace weft::sfn
