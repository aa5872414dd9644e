// Activity workers and callbacks: GetActivityTask (a long poll), and
// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat with a task token.
#include "sfn/ops/ops.h"

namespace weft::sfn {
namespace {

constexpr Length kTaskTokenLen{1, 2048};

Error ActivityDoesNotExist(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ActivityDoesNotExist",
               "Activity Does Not Exist: '" + std::string(arn) + "'");
}

}  // namespace

OpResult GetActivityTask(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("activityArn", kArnLen);
  auto worker = r.OptString("workerName", kNameLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  auto parsed = ParseArn(arn);
  if (!parsed.ok()) co_return std::move(parsed).error();
  if (parsed->type != "activity" || parsed->parts.size() != 1) co_return InvalidArn(arn);
  if (parsed->account != ctx.options.account_id ||
      !ctx.engine.registry().Get(engine::kActivityKind, parsed->region, parsed->parts[0])) {
    co_return ActivityDoesNotExist(arn);
  }
  auto task =
      co_await ctx.engine.PollMachineActivity(arn, worker.value_or(""), ctx.request.disconnect);
  if (!task.ok()) {
    Error e = std::move(task).error();
    if (e.code() == Errc::kLimitExceeded) {
      co_return Fault(Errc::kLimitExceeded, "ActivityWorkerLimitExceeded", e.message());
    }
    co_return e;
  }
  if (!task->has_value()) co_return json::object{};
  co_return json::object{{"taskToken", (*task)->task_token}, {"input", (*task)->input}};
}

OpResult SendTaskSuccess(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  std::string output = r.String("output", kSensitiveDataLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  if (auto v = ParseJson(output); !v.ok()) {
    co_return Fault(Errc::kValidation, "InvalidOutput",
                    "Invalid Output: '" + output.substr(0, 200) +
                        "' is not valid JSON: " + v.error().message());
  }
  Status s = co_await ctx.engine.SendTaskSuccess(std::move(token), std::move(output));
  if (!s.ok()) co_return std::move(s).error();
  co_return json::object{};
}

OpResult SendTaskFailure(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  auto error = r.OptString("error", kErrorLen);
  auto cause = r.OptString("cause", kCauseLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  Status s =
      co_await ctx.engine.SendTaskFailure(std::move(token), std::move(error), std::move(cause));
  if (!s.ok()) co_return std::move(s).error();
  co_return json::object{};
}

OpResult SendTaskHeartbeat(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  if (Status s = r.Finish(); !s.ok()) co_return std::move(s).error();
  Status s = co_await ctx.engine.SendTaskHeartbeat(std::move(token));
  if (!s.ok()) co_return std::move(s).error();
  co_return json::object{};
}

}  // namespace weft::sfn
