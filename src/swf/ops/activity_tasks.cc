// Activity workers: PollForActivityTask, RespondActivityTask{Completed,
// Failed,Canceled}, RecordActivityTaskHeartbeat, CountPendingActivityTasks.
// Task tokens are the engine's; it answers a stale one with
// UnknownResourceFault and a malformed one with ValidationException.
#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

using Outcome = engine::Engine::ActivityOutcome;

json::object ActivityTaskJson(const engine::ActivityTask& task) {
  json::object out{{"taskToken", task.task_token},
                   {"activityId", task.activity_id},
                   {"startedEventId", task.started_event_id},
                   {"workflowExecution", ExecutionJson(task.workflow_id, task.run_id)},
                   {"activityType", task.activity_type}};
  SetIf(out, "input", task.input);
  return out;
}

OpResult Respond(OpContext& ctx, const json::object& request, Outcome outcome) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  std::optional<std::string> a, b;
  switch (outcome) {
    case Outcome::kCompleted:
      a = r.OptString("result", kDataLen);
      break;
    case Outcome::kFailed:
      a = r.OptString("reason", kReasonLen);
      b = r.OptString("details", kDataLen);
      break;
    case Outcome::kCanceled:
      b = r.OptString("details", kDataLen);
      break;
  }
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto s = co_await ctx.engine.RespondActivityTask(std::move(token), outcome, std::move(a),
                                                   std::move(b));
  if (!s) co_return std::move(s).error();
  co_return json::value(json::object{});
}

}  // namespace

OpResult PollForActivityTask(OpContext& ctx, const json::object& request) {
  auto in = ReadTaskListRequest(ctx, request, true);
  if (!in.ok()) co_return std::move(in).error();
  auto disconnect = ctx.request.disconnect;
  auto task =
      co_await ctx.engine.PollForActivityTask(std::move(in->domain), std::move(in->task_list),
                                              std::move(in->identity), std::move(disconnect));
  if (!task.ok()) co_return std::move(task).error();
  // An empty poll has no taskToken key at all: Flow and other clients test
  // for its absence, not for an empty string.
  if (!*task) co_return json::value(json::object{{"startedEventId", 0}});
  co_return json::value(ActivityTaskJson(**task));
}

OpResult RespondActivityTaskCompleted(OpContext& ctx, const json::object& request) {
  return Respond(ctx, request, Outcome::kCompleted);
}

OpResult RespondActivityTaskFailed(OpContext& ctx, const json::object& request) {
  return Respond(ctx, request, Outcome::kFailed);
}

OpResult RespondActivityTaskCanceled(OpContext& ctx, const json::object& request) {
  return Respond(ctx, request, Outcome::kCanceled);
}

OpResult RecordActivityTaskHeartbeat(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  auto details = r.OptString("details", kLimitedDataLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto cancel_requested =
      co_await ctx.engine.RecordActivityTaskHeartbeat(std::move(token), std::move(details));
  if (!cancel_requested.ok()) co_return std::move(cancel_requested).error();
  co_return json::value(json::object{{"cancelRequested", *cancel_requested}});
}

OpResult CountPendingActivityTasks(OpContext& ctx, const json::object& request) {
  auto in = ReadTaskListRequest(ctx, request, false);
  if (!in.ok()) co_return std::move(in).error();
  auto count = co_await ctx.engine.CountPendingTasks(in->domain, in->task_list,
                                                     matching::TaskKind::kActivity);
  if (!count.ok()) co_return std::move(count).error();
  co_return json::value(json::object{{"count", *count}, {"truncated", false}});
}

}  // namespace weft::swf
