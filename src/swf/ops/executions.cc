// Starting and steering executions: StartWorkflowExecution,
// SignalWorkflowExecution, RequestCancelWorkflowExecution,
// TerminateWorkflowExecution. The engine resolves the type's defaults and
// answers the execution faults (WorkflowExecutionAlreadyStartedFault,
// DefaultUndefinedFault, TypeDeprecatedFault, UnknownResourceFault).
#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

constexpr size_t kMaxExecutionTags = 5;

// domain, workflowId and the optional runId of Signal/RequestCancel/Terminate.
engine::ExecutionRef ReadExecutionRef(RequestReader& r) {
  engine::ExecutionRef ref;
  ref.domain = r.String("domain", kDomainNameLen);
  ref.workflow_id = r.String("workflowId", kWorkflowIdLen);
  ref.run_id = r.OptString("runId", kRunIdOptionalLen).value_or("");
  return ref;
}

json::value Empty() { return json::value(json::object{}); }

}  // namespace

OpResult StartWorkflowExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  engine::StartRequest start;
  start.domain = r.String("domain", kDomainNameLen);
  start.workflow_id = r.Name("workflowId", kWorkflowIdLen);
  start.type = ReadTypeRef(r, "workflowType");
  start.task_list = ReadOptTaskList(r, "taskList");
  start.task_priority = r.OptPriority("taskPriority");
  start.input = r.OptString("input", kDataLen);
  start.execution_start_to_close_timeout = r.OptExecutionTimeout("executionStartToCloseTimeout");
  if (const json::array* tags = r.OptArray("tagList", kMaxExecutionTags)) {
    for (size_t i = 0; i < tags->size(); ++i) {
      if (auto tag = r.StringAt("tagList", *tags, i, kTagLen)) start.tags.push_back(*tag);
    }
  }
  start.task_start_to_close_timeout = r.OptDuration("taskStartToCloseTimeout");
  start.child_policy = r.OptEnum("childPolicy", kChildPolicies);
  start.lambda_role = r.OptString("lambdaRole", kArnLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto s = RequireActiveDomain(ctx.engine, start.domain); !s) co_return std::move(s).error();

  auto run_id = co_await ctx.engine.StartWorkflowExecution(std::move(start));
  if (!run_id.ok()) co_return std::move(run_id).error();
  co_return json::value(json::object{{"runId", *run_id}});
}

OpResult SignalWorkflowExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  engine::ExecutionRef ref = ReadExecutionRef(r);
  std::string signal_name = r.String("signalName", kNameLen);
  auto input = r.OptString("input", kDataLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, ref.domain); !d.ok()) co_return std::move(d).error();
  auto s = co_await ctx.engine.SignalWorkflowExecution(std::move(ref), std::move(signal_name),
                                                       std::move(input));
  if (!s) co_return std::move(s).error();
  co_return Empty();
}

OpResult RequestCancelWorkflowExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  engine::ExecutionRef ref = ReadExecutionRef(r);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, ref.domain); !d.ok()) co_return std::move(d).error();
  auto s = co_await ctx.engine.RequestCancelWorkflowExecution(std::move(ref));
  if (!s) co_return std::move(s).error();
  co_return Empty();
}

OpResult TerminateWorkflowExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  engine::ExecutionRef ref = ReadExecutionRef(r);
  auto reason = r.OptString("reason", kReasonLen);
  auto details = r.OptString("details", kDataLen);
  auto child_policy = r.OptEnum("childPolicy", kChildPolicies);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, ref.domain); !d.ok()) co_return std::move(d).error();
  auto s = co_await ctx.engine.TerminateWorkflowExecution(
      std::move(ref), std::move(reason), std::move(details), std::move(child_policy));
  if (!s) co_return std::move(s).error();
  co_return Empty();
}

}  // namespace weft::swf
