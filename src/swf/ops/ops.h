// src/swf/ops/ops.h (internal): one function per SWF operation, grouped in
// files by resource (domains.cc, types.cc, executions.cc, decision_tasks.cc,
// activity_tasks.cc, visibility.cc), and what they share.
//
// Each operation reads its request with RequestReader (ValidationException
// for anything the model forbids), then calls the engine, and answers the
// response body (an empty object for void operations) or an Error whose type
// is the model's fault name.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/json.h"
#include "common/service.h"
#include "engine/engine.h"
#include "swf/request.h"
#include "swf/swf.h"

namespace weft::swf {

struct OpContext {
  engine::Engine& engine;
  RequestContext& request;
  const SwfOptions& options;
};

using OpResult = net::awaitable<Result<json::value>>;
using OpFunction = OpResult (*)(OpContext&, const json::object&);

// domains.cc
OpResult RegisterDomain(OpContext& ctx, const json::object& request);
OpResult DescribeDomain(OpContext& ctx, const json::object& request);
OpResult ListDomains(OpContext& ctx, const json::object& request);
OpResult DeprecateDomain(OpContext& ctx, const json::object& request);
OpResult UndeprecateDomain(OpContext& ctx, const json::object& request);
OpResult TagResource(OpContext& ctx, const json::object& request);
OpResult UntagResource(OpContext& ctx, const json::object& request);
OpResult ListTagsForResource(OpContext& ctx, const json::object& request);

// types.cc
// Deprecates every registered workflow and activity type of a domain.
net::awaitable<Status> DeprecateTypesOf(OpContext& ctx, const std::string& domain);
OpResult RegisterWorkflowType(OpContext& ctx, const json::object& request);
OpResult DescribeWorkflowType(OpContext& ctx, const json::object& request);
OpResult ListWorkflowTypes(OpContext& ctx, const json::object& request);
OpResult DeprecateWorkflowType(OpContext& ctx, const json::object& request);
OpResult UndeprecateWorkflowType(OpContext& ctx, const json::object& request);
OpResult DeleteWorkflowType(OpContext& ctx, const json::object& request);
OpResult RegisterActivityType(OpContext& ctx, const json::object& request);
OpResult DescribeActivityType(OpContext& ctx, const json::object& request);
OpResult ListActivityTypes(OpContext& ctx, const json::object& request);
OpResult DeprecateActivityType(OpContext& ctx, const json::object& request);
OpResult UndeprecateActivityType(OpContext& ctx, const json::object& request);
OpResult DeleteActivityType(OpContext& ctx, const json::object& request);

// executions.cc
OpResult StartWorkflowExecution(OpContext& ctx, const json::object& request);
OpResult SignalWorkflowExecution(OpContext& ctx, const json::object& request);
OpResult RequestCancelWorkflowExecution(OpContext& ctx, const json::object& request);
OpResult TerminateWorkflowExecution(OpContext& ctx, const json::object& request);

// decision_tasks.cc
OpResult PollForDecisionTask(OpContext& ctx, const json::object& request);
OpResult RespondDecisionTaskCompleted(OpContext& ctx, const json::object& request);
// decisions.cc: the request's decisions as the engine's typed decisions;
// every problem is reported to `r` (its Finish() then refuses them all).
std::vector<engine::Decision> ReadDecisions(RequestReader& r, const json::array& decisions);
OpResult CountPendingDecisionTasks(OpContext& ctx, const json::object& request);

// activity_tasks.cc
OpResult PollForActivityTask(OpContext& ctx, const json::object& request);
OpResult RespondActivityTaskCompleted(OpContext& ctx, const json::object& request);
OpResult RespondActivityTaskFailed(OpContext& ctx, const json::object& request);
OpResult RespondActivityTaskCanceled(OpContext& ctx, const json::object& request);
OpResult RecordActivityTaskHeartbeat(OpContext& ctx, const json::object& request);
OpResult CountPendingActivityTasks(OpContext& ctx, const json::object& request);

// visibility.cc
OpResult GetWorkflowExecutionHistory(OpContext& ctx, const json::object& request);
OpResult DescribeWorkflowExecution(OpContext& ctx, const json::object& request);
OpResult ListOpenWorkflowExecutions(OpContext& ctx, const json::object& request);
OpResult ListClosedWorkflowExecutions(OpContext& ctx, const json::object& request);
OpResult CountOpenWorkflowExecutions(OpContext& ctx, const json::object& request);
OpResult CountClosedWorkflowExecutions(OpContext& ctx, const json::object& request);

// ---- shared by the operations (support.cc) ----

// A fault of the SWF model: Error(code, type, message).
Error Fault(Errc code, std::string_view type, std::string message);
Error UnknownDomain(std::string_view name);

// The registered domain, or UnknownResourceFault "Unknown domain: <name>".
Result<engine::RegistryEntry> GetDomain(engine::Engine& engine, std::string_view name);
// Like GetDomain, and also refuses a deprecated domain (UnknownResourceFault:
// the model lists no DomainDeprecatedFault for Register*Type or
// StartWorkflowExecution; a deprecated domain is "no longer available for
// this operation").
Status RequireActiveDomain(engine::Engine& engine, std::string_view name);

// arn:aws:swf:<region>:<account>:/domain/<name>
std::string DomainArn(const OpContext& ctx, std::string_view name);

// Reads {name, version} (workflowType/activityType shapes).
engine::WorkflowType ReadTypeRef(RequestReader& reader, std::string_view member);
// Reads a required or optional TaskList {name}; names are checked.
std::string ReadTaskList(RequestReader& reader, std::string_view member);
std::optional<std::string> ReadOptTaskList(RequestReader& reader, std::string_view member);

// domain + taskList (+ identity) of PollForActivityTask and the
// CountPending* operations; also checks that the domain exists.
struct TaskListRequest {
  std::string domain;
  std::string task_list;
  std::string identity;
};
Result<TaskListRequest> ReadTaskListRequest(OpContext& ctx, const json::object& request,
                                            bool with_identity);

// Copies an optional value into `out` only when present (absent members are
// omitted, never null).
void SetIf(json::object& out, std::string_view key, const std::optional<std::string>& value);

// {"workflowId":..., "runId":...}
json::object ExecutionJson(std::string_view workflow_id, std::string_view run_id);
json::object TypeJson(std::string_view name, std::string_view version);

// The ValidationException of a reader with problems, as an OpResult value.
inline Result<json::value> Invalid(Status status) { return std::move(status).error(); }

}  // namespace weft::swf
