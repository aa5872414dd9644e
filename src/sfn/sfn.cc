#include "sfn/sfn.h"

#include <algorithm>
#include <array>
#include <utility>

#include "sfn/ops/ops.h"

namespace weft::sfn {
namespace {

// Sorted by name (checked below) so that lookup is a binary search.
constexpr auto kOperations = std::to_array<NamedOperation<OpFunction>>({
    {"CreateActivity", &CreateActivity},
    {"CreateStateMachine", &CreateStateMachine},
    {"CreateStateMachineAlias", &CreateStateMachineAlias},
    {"DeleteActivity", &DeleteActivity},
    {"DeleteStateMachine", &DeleteStateMachine},
    {"DeleteStateMachineAlias", &DeleteStateMachineAlias},
    {"DeleteStateMachineVersion", &DeleteStateMachineVersion},
    {"DescribeActivity", &DescribeActivity},
    {"DescribeExecution", &DescribeExecution},
    {"DescribeMapRun", &DescribeMapRun},
    {"DescribeStateMachine", &DescribeStateMachine},
    {"DescribeStateMachineAlias", &DescribeStateMachineAlias},
    {"DescribeStateMachineForExecution", &DescribeStateMachineForExecution},
    {"GetActivityTask", &GetActivityTask},
    {"GetExecutionHistory", &GetExecutionHistory},
    {"ListActivities", &ListActivities},
    {"ListExecutions", &ListExecutions},
    {"ListMapRuns", &ListMapRuns},
    {"ListStateMachineAliases", &ListStateMachineAliases},
    {"ListStateMachineVersions", &ListStateMachineVersions},
    {"ListStateMachines", &ListStateMachines},
    {"ListTagsForResource", &ListTagsForResource},
    {"PublishStateMachineVersion", &PublishStateMachineVersion},
    {"RedriveExecution", &RedriveExecution},
    {"SendTaskFailure", &SendTaskFailure},
    {"SendTaskHeartbeat", &SendTaskHeartbeat},
    {"SendTaskSuccess", &SendTaskSuccess},
    {"StartExecution", &StartExecution},
    {"StartSyncExecution", &StartSyncExecution},
    {"StopExecution", &StopExecution},
    {"TagResource", &TagResource},
    {"TestState", &TestState},
    {"UntagResource", &UntagResource},
    {"UpdateMapRun", &UpdateMapRun},
    {"UpdateStateMachine", &UpdateStateMachine},
    {"UpdateStateMachineAlias", &UpdateStateMachineAlias},
    {"ValidateStateMachineDefinition", &ValidateStateMachineDefinition},
});
static_assert(kOperations.size() == 37, "the Step Functions model has 37 operations");
static_assert(OperationsSorted(kOperations));

// The model's fault for an engine error the operation did not name itself.
// Operations name the kinds whose fault depends on what was asked for
// (kUnknownResource: ExecutionDoesNotExist, ActivityDoesNotExist, ...).
Error NameFault(Error error) {
  std::string_view name = "InternalFailure";
  switch (error.code()) {
    case Errc::kValidation:
    case Errc::kDefaultUndefined:
    case Errc::kDeprecated:
      name = "ValidationException";
      break;
    case Errc::kInvalidToken:
      name = "InvalidToken";
      break;
    case Errc::kUnknownResource:
      name = "ResourceNotFound";
      break;
    case Errc::kStaleTask:
      name = "TaskDoesNotExist";
      break;
    case Errc::kTaskTimedOut:
      name = "TaskTimedOut";
      break;
    case Errc::kAlreadyExists:
      name = "ExecutionAlreadyExists";
      break;
    case Errc::kLimitExceeded:
      name = "ActivityWorkerLimitExceeded";
      break;
    case Errc::kConflict:
      name = "ConflictException";
      break;
    case Errc::kNotImplemented:
      name = "UnsupportedOperation";
      break;
    case Errc::kUnavailable:
      name = "ServiceUnavailable";
      break;
    case Errc::kInternal:
      break;
  }
  return std::move(error).WithType(std::string(name));
}

}  // namespace

SfnService::SfnService(engine::Engine& engine, SfnOptions options)
    : engine_(engine), options_(std::move(options)) {
  // Nested executions (states:startExecution) resolve their target as
  // StartExecution does.
  engine_.SetMachineResolver([this](std::string_view arn) -> Result<engine::MachineStart> {
    RequestContext internal;
    OpContext ctx{engine_, internal, options_};
    auto target = ResolveExecutionTarget(ctx, arn);
    if (!target.ok()) return std::move(target).error();
    return StartOf(std::move(*target));
  });
}

std::string SfnService::ResourceOf(std::string_view operation, const json::object& request,
                                   std::string_view region) const {
  for (const char* key : {"stateMachineArn", "executionArn", "activityArn", "mapRunArn",
                          "resourceArn", "stateMachineAliasArn", "stateMachineVersionArn"}) {
    const auto* arn = request.if_contains(key);
    if (arn && arn->is_string()) return std::string(arn->as_string());
  }
  std::string prefix =
      "arn:aws:states:" + std::string(region.empty() ? options_.default_region : region) + ":" +
      options_.account_id + ":";
  const auto* name = request.if_contains("name");
  if (name && name->is_string()) {
    if (operation == "CreateStateMachine")
      return prefix + "stateMachine:" + std::string(name->as_string());
    if (operation == "CreateActivity") return prefix + "activity:" + std::string(name->as_string());
  }
  return prefix + "*";
}

bool SfnService::HasOperation(std::string_view operation) const {
  return FindOperation(kOperations, operation) != nullptr;
}

net::awaitable<Result<json::value>> SfnService::Invoke(std::string_view operation,
                                                       RequestContext& context,
                                                       json::object& request) {
  OpContext ctx{engine_, context, options_};  // named: g++ 12 (docs/architecture.md)
  co_return co_await InvokeOperation(kOperations, operation, ctx, request, &NameFault);
}

}  // namespace weft::sfn
