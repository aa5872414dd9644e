#include "swf/swf.h"

#include <algorithm>
#include <array>
#include <utility>

#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

// Sorted by name (checked below) so that lookup is a binary search.
constexpr auto kOperations = std::to_array<NamedOperation<OpFunction>>({
    {"CountClosedWorkflowExecutions", &CountClosedWorkflowExecutions},
    {"CountOpenWorkflowExecutions", &CountOpenWorkflowExecutions},
    {"CountPendingActivityTasks", &CountPendingActivityTasks},
    {"CountPendingDecisionTasks", &CountPendingDecisionTasks},
    {"DeleteActivityType", &DeleteActivityType},
    {"DeleteWorkflowType", &DeleteWorkflowType},
    {"DeprecateActivityType", &DeprecateActivityType},
    {"DeprecateDomain", &DeprecateDomain},
    {"DeprecateWorkflowType", &DeprecateWorkflowType},
    {"DescribeActivityType", &DescribeActivityType},
    {"DescribeDomain", &DescribeDomain},
    {"DescribeWorkflowExecution", &DescribeWorkflowExecution},
    {"DescribeWorkflowType", &DescribeWorkflowType},
    {"GetWorkflowExecutionHistory", &GetWorkflowExecutionHistory},
    {"ListActivityTypes", &ListActivityTypes},
    {"ListClosedWorkflowExecutions", &ListClosedWorkflowExecutions},
    {"ListDomains", &ListDomains},
    {"ListOpenWorkflowExecutions", &ListOpenWorkflowExecutions},
    {"ListTagsForResource", &ListTagsForResource},
    {"ListWorkflowTypes", &ListWorkflowTypes},
    {"PollForActivityTask", &PollForActivityTask},
    {"PollForDecisionTask", &PollForDecisionTask},
    {"RecordActivityTaskHeartbeat", &RecordActivityTaskHeartbeat},
    {"RegisterActivityType", &RegisterActivityType},
    {"RegisterDomain", &RegisterDomain},
    {"RegisterWorkflowType", &RegisterWorkflowType},
    {"RequestCancelWorkflowExecution", &RequestCancelWorkflowExecution},
    {"RespondActivityTaskCanceled", &RespondActivityTaskCanceled},
    {"RespondActivityTaskCompleted", &RespondActivityTaskCompleted},
    {"RespondActivityTaskFailed", &RespondActivityTaskFailed},
    {"RespondDecisionTaskCompleted", &RespondDecisionTaskCompleted},
    {"SignalWorkflowExecution", &SignalWorkflowExecution},
    {"StartWorkflowExecution", &StartWorkflowExecution},
    {"TagResource", &TagResource},
    {"TerminateWorkflowExecution", &TerminateWorkflowExecution},
    {"UndeprecateActivityType", &UndeprecateActivityType},
    {"UndeprecateDomain", &UndeprecateDomain},
    {"UndeprecateWorkflowType", &UndeprecateWorkflowType},
    {"UntagResource", &UntagResource},
});
static_assert(kOperations.size() == 39, "the SWF model has 39 operations");
static_assert(OperationsSorted(kOperations));

}  // namespace

// The SWF model's fault for each kind of engine error. The engine reports
// kinds; only this front door knows SWF's names for them.
Error NameFault(Error error) {
  std::string_view name = "InternalFailure";
  switch (error.code()) {
    case Errc::kValidation:
    case Errc::kInvalidToken:
      name = "ValidationException";
      break;
    case Errc::kUnknownResource:
    case Errc::kStaleTask:
    case Errc::kTaskTimedOut:
      name = "UnknownResourceFault";
      break;
    case Errc::kAlreadyExists:
      name = "WorkflowExecutionAlreadyStartedFault";  // the engine's only create
      break;
    case Errc::kDeprecated:
      name = "TypeDeprecatedFault";
      break;
    case Errc::kDefaultUndefined:
      name = "DefaultUndefinedFault";
      break;
    case Errc::kLimitExceeded:
      name = "LimitExceededFault";
      break;
    case Errc::kNotImplemented:
      name = "UnsupportedOperation";
      break;
    case Errc::kUnavailable:
      name = "ServiceUnavailable";
      break;
    case Errc::kConflict:
    case Errc::kInternal:
      break;
  }
  return std::move(error).WithType(std::string(name));
}

SwfService::SwfService(engine::Engine& engine, SwfOptions options)
    : engine_(engine), options_(std::move(options)) {}

bool SwfService::HasOperation(std::string_view operation) const {
  return FindOperation(kOperations, operation) != nullptr;
}

std::string SwfService::ResourceOf(std::string_view operation, const json::object& request,
                                   std::string_view region) const {
  std::string prefix =
      "arn:aws:swf:" + std::string(region.empty() ? options_.default_region : region) + ":" +
      options_.account_id + ":/domain/";
  // RegisterDomain names its domain "name"; every other operation "domain".
  const char* key = operation == "RegisterDomain" || operation == "DeprecateDomain" ||
                            operation == "UndeprecateDomain" || operation == "DescribeDomain"
                        ? "name"
                        : "domain";
  const auto* name = request.if_contains(key);
  if (name && name->is_string()) return prefix + std::string(name->as_string());
  // Respond*/RecordActivityTaskHeartbeat name only a task token: its domain.
  if (const auto* token = request.if_contains("taskToken"); token && token->is_string()) {
    auto domain = engine_.TaskTokenDomain(token->as_string());
    if (domain.ok()) return prefix + *domain;
  }
  if (const auto* arn = request.if_contains("resourceArn"); arn && arn->is_string())
    return std::string(arn->as_string());  // the tagging operations name the domain's ARN
  return prefix + "*";
}

net::awaitable<Result<json::value>> SwfService::Invoke(std::string_view operation,
                                                       RequestContext& context,
                                                       json::object& request) {
  OpContext ctx{engine_, context, options_};  // named: g++ 12 (docs/architecture.md)
  co_return co_await InvokeOperation(kOperations, operation, ctx, request, &NameFault);
}

}  // namespace weft::swf
