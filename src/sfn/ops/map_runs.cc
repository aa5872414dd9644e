// Map Runs: DescribeMapRun, ListMapRuns, UpdateMapRun. A Map Run is what a
// Distributed Map state starts: one child execution per item
// (engine/map_runs.cc), listed by ListExecutions with its mapRunArn.
#include "sfn/ops/ops.h"

namespace weft::sfn {
namespace {

Error MapRunNotFound(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ResourceNotFound",
               "Resource not found: '" + std::string(arn) + "'");
}

// arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>
Status CheckMapRunArn(std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  if (arn->type != "mapRun" || arn->parts.size() != 2 ||
      arn->parts[0].find('/') == std::string::npos)
    return InvalidArn(text);
  return {};
}

json::object CountsJson(const engine::MapRunCounts& n) {
  return json::object{{"pending", n.pending},       {"running", n.running},
                      {"succeeded", n.succeeded},   {"failed", n.failed},
                      {"timedOut", n.timed_out},    {"aborted", n.aborted},
                      {"total", n.total},           {"resultsWritten", 0},
                      {"failuresNotRedrivable", 0}, {"pendingRedrive", 0}};
}

}  // namespace

net::awaitable<Status> CheckMapRunExists(OpContext& ctx, std::string arn) {
  if (Status s = CheckMapRunArn(arn); !s.ok()) co_return s;
  auto run = co_await ctx.engine.GetStoredExecution(arn);
  if (!run.ok()) co_return std::move(run).error();
  if (!*run || (*run)->domain != engine::kMapRunDomain) co_return MapRunNotFound(arn);
  co_return Status();
}

OpResult DescribeMapRun(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("mapRunArn", kLongArnLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckMapRunArn(arn); !s.ok()) co_return std::move(s).error();
  auto d = co_await ctx.engine.DescribeMapRun(arn);
  if (!d.ok()) {
    if (d.error().code() == Errc::kUnknownResource) co_return MapRunNotFound(arn);
    co_return std::move(d).error();
  }
  json::object o{{"mapRunArn", d->map_run_arn},
                 {"executionArn", d->execution_arn},
                 {"status", d->status},
                 {"startDate", TimestampJson(d->start_time)},
                 {"maxConcurrency", d->max_concurrency},
                 {"toleratedFailurePercentage", d->tolerated_percentage},
                 {"toleratedFailureCount", d->tolerated_count},
                 {"itemCounts", CountsJson(d->items)},
                 {"executionCounts", CountsJson(d->items)},
                 {"redriveCount", 0}};
  if (d->stop_time != 0) o["stopDate"] = TimestampJson(d->stop_time);
  co_return o;
}

OpResult ListMapRuns(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("executionArn", kArnLen);
  PageRequest page = ReadPage(r);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckExecutionArn(arn); !s.ok()) co_return std::move(s).error();
  auto execution = co_await ctx.engine.GetStoredExecution(arn);
  if (!execution.ok()) co_return std::move(execution).error();
  if (!*execution || (*execution)->domain != engine::kMachineDomain) {
    co_return ExecutionDoesNotExist(arn);
  }
  store::ExecutionQuery q;
  q.domain = std::string(engine::kMapRunDomain);
  q.workflow_id = arn;
  q.open_and_closed = true;
  q.start_oldest = (*execution)->start_time;  // not those of an earlier execution of that name
  auto listed = co_await ListPage(ctx, std::move(q), page);
  if (!listed.ok()) co_return std::move(listed).error();
  json::array runs;
  for (const auto& m : listed->executions) {
    json::object item{{"executionArn", m.workflow_id},
                      {"mapRunArn", m.run_id},
                      {"stateMachineArn", m.type_name},
                      {"startDate", TimestampJson(m.start_time)}};
    if (!m.open) item["stopDate"] = TimestampJson(m.close_time);
    runs.push_back(std::move(item));
  }
  json::object out{{"mapRuns", std::move(runs)}};
  if (!listed->next_page_token.empty()) out["nextToken"] = listed->next_page_token;
  co_return out;
}

OpResult UpdateMapRun(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("mapRunArn", kLongArnLen);
  asl::MapRunUpdate update;
  update.max_concurrency = r.OptInt("maxConcurrency", 0, INT32_MAX);
  update.tolerated_count = r.OptInt("toleratedFailureCount", 0, INT64_MAX);
  if (const json::value* pct = Find(request, "toleratedFailurePercentage")) {
    if (!pct->is_number() || pct->to_number<double>() < 0 || pct->to_number<double>() > 100) {
      r.AddError(
          "Value at 'toleratedFailurePercentage' failed to satisfy constraint: Member must "
          "be a number between 0 and 100");
    } else {
      update.tolerated_percentage = pct->to_number<double>();
    }
  }
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (Status s = CheckMapRunArn(arn); !s.ok()) co_return std::move(s).error();
  if (!update.max_concurrency && !update.tolerated_count && !update.tolerated_percentage) {
    co_return Error::Validation(
        "Must provide at least one of maxConcurrency, toleratedFailurePercentage or "
        "toleratedFailureCount");
  }
  Status s = co_await ctx.engine.UpdateMapRun(arn, update);
  if (!s.ok()) {
    if (s.error().code() == Errc::kUnknownResource) co_return MapRunNotFound(arn);
    co_return std::move(s).error();
  }
  co_return json::object{};
}

}  // namespace weft::sfn
