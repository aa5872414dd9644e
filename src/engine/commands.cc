// The engine's commands on executions: start, signal, cancel, terminate, and
// the activity worker's responses. Each runs on the execution's shard strand.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/ids.h"
#include "engine/engine_impl.h"

namespace weft::engine {

namespace {

std::optional<std::string> ConfigString(const json::object& config, std::string_view key) {
  if (const auto* s = FindString(config, key)) return std::string(*s);
  if (const auto* o = FindObject(config, key)) {  // defaultTaskList: {"name": ...}
    if (const auto* n = FindString(*o, "name")) return std::string(*n);
  }
  return std::nullopt;
}

Error DefaultUndefined(std::string_view field) {
  return Error(Errc::kDefaultUndefined, std::string(field));
}

}  // namespace

std::string_view DefaultUndefinedCause(const Error& e) {
  const std::string& field = e.message();
  if (field == "taskList") return "DEFAULT_TASK_LIST_UNDEFINED";
  if (field == "taskStartToCloseTimeout") return "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED";
  if (field == "childPolicy") return "DEFAULT_CHILD_POLICY_UNDEFINED";
  return "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED";  // absent, or NONE
}

Result<json::object> StartedAttributes(const StartRequest& req, const json::object& config) {
  auto pick = [&](const std::optional<std::string>& given, std::string_view key) {
    return given ? given : ConfigString(config, key);
  };
  auto estc = pick(req.execution_start_to_close_timeout, "defaultExecutionStartToCloseTimeout");
  if (!estc) return DefaultUndefined("executionStartToCloseTimeout");
  if (*estc == "NONE") {
    return Error::Validation(
        "executionStartToCloseTimeout cannot be NONE for a workflow execution");
  }
  auto task_list = pick(req.task_list, "defaultTaskList");
  if (!task_list) return DefaultUndefined("taskList");
  auto tstc = pick(req.task_start_to_close_timeout, "defaultTaskStartToCloseTimeout");
  if (!tstc) return DefaultUndefined("taskStartToCloseTimeout");
  auto child_policy = pick(req.child_policy, "defaultChildPolicy");
  if (!child_policy) return DefaultUndefined("childPolicy");

  json::object a;
  if (req.input) a["input"] = *req.input;
  a["executionStartToCloseTimeout"] = *estc;
  a["taskStartToCloseTimeout"] = *tstc;
  a["childPolicy"] = *child_policy;
  a["taskList"] = json::object{{"name", *task_list}};
  if (auto p = pick(req.task_priority, "defaultTaskPriority")) a["taskPriority"] = *p;
  a["workflowType"] = json::object{{"name", req.type.name}, {"version", req.type.version}};
  if (!req.tags.empty()) {
    json::array tags;
    for (const auto& t : req.tags) tags.emplace_back(t);
    a["tagList"] = std::move(tags);
  }
  if (auto role = pick(req.lambda_role, "defaultLambdaRole")) a["lambdaRole"] = *role;
  return a;
}

net::awaitable<Result<std::string>> StartRunOnShard(Engine::Impl* impl, Shard* shard,
                                                    StartRequest req, json::object attrs) {
  // Refused from memory when the open run is there (or being started); an
  // open run that only the store has makes the write fail instead (the
  // store keeps one open run per workflowId), so a start reads nothing.
  const std::string workflow = WorkflowKey(req.domain, req.workflow_id);
  if (shard->open_runs.contains(workflow) || shard->starting_runs.contains(workflow)) {
    co_return Error(Errc::kAlreadyExists, "Already Started");
  }
  std::string run_id = NewRandomId(32);
  auto owned = std::make_unique<Execution>(req.domain, req.workflow_id, run_id, req.type, req.tags);
  owned->history_cached = true;
  Step step(*shard, *owned, impl->clock.Now());
  step.Append(EventType::kWorkflowExecutionStarted, std::move(attrs));
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step, std::move(owned));
  if (!s.ok()) co_return std::move(s).error();
  co_return run_id;
}

namespace {

using net::use_awaitable;

net::awaitable<Status> SignalOnShard(Engine::Impl* impl, Shard* shard, ExecutionRef ref,
                                     std::string name, std::optional<std::string> input) {
  auto ex = impl->FindOpen(*shard, ref);
  if (!ex.ok()) co_return std::move(ex).error();
  Step step(*shard, **ex, impl->clock.Now());
  json::object a{{"signalName", name}};
  if (input) a["input"] = *input;
  step.Append(EventType::kWorkflowExecutionSignaled, std::move(a));
  step.ScheduleDecisionIfDue();
  co_return co_await impl->Commit(*shard, step);
}

net::awaitable<Status> CancelOnShard(Engine::Impl* impl, Shard* shard, ExecutionRef ref) {
  auto ex = impl->FindOpen(*shard, ref);
  if (!ex.ok()) co_return std::move(ex).error();
  if ((*ex)->state.cancel_requested()) co_return Status();  // asked already: nothing new
  Step step(*shard, **ex, impl->clock.Now());
  step.Append(EventType::kWorkflowExecutionCancelRequested, {});
  step.ScheduleDecisionIfDue();
  co_return co_await impl->Commit(*shard, step);
}

net::awaitable<Status> TerminateOnShard(Engine::Impl* impl, Shard* shard, ExecutionRef ref,
                                        std::optional<std::string> reason,
                                        std::optional<std::string> details,
                                        std::optional<std::string> child_policy) {
  auto ex = impl->FindOpen(*shard, ref);
  if (!ex.ok()) co_return std::move(ex).error();
  Step step(*shard, **ex, impl->clock.Now());
  json::object a;
  if (reason) a["reason"] = *reason;
  if (details) a["details"] = *details;
  const auto* started_policy = FindString((*ex)->state.started(), "childPolicy");
  a["childPolicy"] =
      child_policy ? *child_policy : (started_policy ? std::string(*started_policy) : "TERMINATE");
  a["cause"] = "OPERATOR_INITIATED";
  step.Append(EventType::kWorkflowExecutionTerminated, std::move(a));
  co_return co_await impl->Commit(*shard, step);
}

// The activity a token names, if it is still open and still in the attempt
// the token was issued for.
Result<std::pair<Execution*, ActivityInfo*>> FindActivity(Engine::Impl* impl, Shard* shard,
                                                          const TaskToken& t) {
  auto stale = [&t] {
    return Error(Errc::kUnknownResource,
                 "Unknown activity, scheduledEventId = " + std::to_string(t.scheduled_event_id));
  };
  auto ex = impl->FindOpen(*shard, {t.domain, t.workflow_id, t.run_id});
  if (!ex.ok()) return std::move(ex).error();  // closed: "Unknown execution: ..."
  ActivityInfo* a = (*ex)->state.FindActivity(t.scheduled_event_id);
  if (!a || a->started_event_id != t.started_event_id) return stale();
  return std::make_pair(*ex, a);
}

net::awaitable<Status> RespondActivityOnShard(Engine::Impl* impl, Shard* shard, TaskToken t,
                                              Engine::ActivityOutcome outcome,
                                              std::optional<std::string> a,
                                              std::optional<std::string> b) {
  auto found = FindActivity(impl, shard, t);
  if (!found.ok()) co_return std::move(found).error();
  Step step(*shard, *found->first, impl->clock.Now());
  json::object attrs;
  EventType type = EventType::kActivityTaskCompleted;
  switch (outcome) {
    case Engine::ActivityOutcome::kCompleted:
      if (a) attrs["result"] = *a;
      break;
    case Engine::ActivityOutcome::kFailed:
      type = EventType::kActivityTaskFailed;
      if (a) attrs["reason"] = *a;
      if (b) attrs["details"] = *b;
      break;
    case Engine::ActivityOutcome::kCanceled:
      type = EventType::kActivityTaskCanceled;
      if (b) attrs["details"] = *b;
      if (found->second->cancel_requested) {
        attrs["latestCancelRequestedEventId"] = found->second->cancel_requested_event_id;
      }
      break;
  }
  attrs["scheduledEventId"] = t.scheduled_event_id;
  attrs["startedEventId"] = t.started_event_id;
  step.Append(type, std::move(attrs));
  step.ScheduleDecisionIfDue();
  co_return co_await impl->Commit(*shard, step);
}

net::awaitable<Result<bool>> HeartbeatOnShard(Engine::Impl* impl, Shard* shard, TaskToken t,
                                              std::optional<std::string> details) {
  auto found = FindActivity(impl, shard, t);
  if (!found.ok()) co_return std::move(found).error();
  Execution& ex = *found->first;
  ActivityInfo* a = found->second;
  Millis now = impl->clock.Now();
  a->last_heartbeat = now;
  if (details) a->heartbeat_details = std::move(details);
  bool cancel_requested = a->cancel_requested;
  const std::string run_id = ex.state.run_id();
  if (RowDueForWrite(shard->runs, run_id, ex, now, impl->options.heartbeat_flush.count())) {
    store::ExecutionRecord record = RecordOf(ex, shard->index);
    Status s = co_await impl->WriteRowOnly(shard->runs, run_id, ex, std::move(record),
                                           shard->index);  // aborts on failure
    (void)s;
  }
  co_return cancel_requested;
}

}  // namespace

net::awaitable<Result<std::string>> Engine::StartWorkflowExecution(StartRequest req) {
  auto domain = impl_->registry.Get(kDomainKind, "", req.domain);
  if (!domain) co_return UnknownDomain(req.domain);
  auto type = impl_->registry.Get(kWorkflowTypeKind, req.domain, req.type.name, req.type.version);
  if (!type) {
    co_return Error(Errc::kUnknownResource, "Unknown type: WorkflowType=[name=" + req.type.name +
                                                ", version=" + req.type.version + "]");
  }
  if (type->record.status == "DEPRECATED") {
    co_return Error(Errc::kDeprecated, "WorkflowType=[name=" + req.type.name +
                                           ", version=" + req.type.version + "] is deprecated");
  }
  const json::object* config = FindObject(type->data, "configuration");
  json::object empty;
  auto attrs = StartedAttributes(req, config ? *config : empty);
  if (!attrs.ok()) co_return std::move(attrs).error();
  Shard& shard = impl_->ShardFor(req.domain, req.workflow_id);
  co_return co_await net::co_spawn(
      shard.strand, StartRunOnShard(impl_.get(), &shard, std::move(req), std::move(*attrs)),
      use_awaitable);
}

net::awaitable<Status> Engine::SignalWorkflowExecution(ExecutionRef ref, std::string signal_name,
                                                       std::optional<std::string> input) {
  Shard& shard = impl_->ShardFor(ref.domain, ref.workflow_id);
  co_return co_await net::co_spawn(
      shard.strand,
      SignalOnShard(impl_.get(), &shard, std::move(ref), std::move(signal_name), std::move(input)),
      use_awaitable);
}

net::awaitable<Status> Engine::RequestCancelWorkflowExecution(ExecutionRef ref) {
  Shard& shard = impl_->ShardFor(ref.domain, ref.workflow_id);
  co_return co_await net::co_spawn(shard.strand, CancelOnShard(impl_.get(), &shard, std::move(ref)),
                                   use_awaitable);
}

net::awaitable<Status> Engine::TerminateWorkflowExecution(ExecutionRef ref,
                                                          std::optional<std::string> reason,
                                                          std::optional<std::string> details,
                                                          std::optional<std::string> child_policy) {
  Shard& shard = impl_->ShardFor(ref.domain, ref.workflow_id);
  co_return co_await net::co_spawn(
      shard.strand,
      TerminateOnShard(impl_.get(), &shard, std::move(ref), std::move(reason), std::move(details),
                       std::move(child_policy)),
      use_awaitable);
}

net::awaitable<Status> Engine::RespondActivityTask(std::string task_token, ActivityOutcome outcome,
                                                   std::optional<std::string> a,
                                                   std::optional<std::string> b) {
  auto t = DecodeTaskToken(impl_->tokens, task_token);
  if (!t.ok()) co_return std::move(t).error();
  if (t->kind != 'a') co_return Error::Validation("taskToken is not an activity task token");
  Shard& shard = impl_->ShardFor(t->domain, t->workflow_id);
  co_return co_await net::co_spawn(shard.strand,
                                   RespondActivityOnShard(impl_.get(), &shard, std::move(*t),
                                                          outcome, std::move(a), std::move(b)),
                                   use_awaitable);
}

net::awaitable<Result<bool>> Engine::RecordActivityTaskHeartbeat(
    std::string task_token, std::optional<std::string> details) {
  auto t = DecodeTaskToken(impl_->tokens, task_token);
  if (!t.ok()) co_return std::move(t).error();
  if (t->kind != 'a') co_return Error::Validation("taskToken is not an activity task token");
  Shard& shard = impl_->ShardFor(t->domain, t->workflow_id);
  co_return co_await net::co_spawn(
      shard.strand, HeartbeatOnShard(impl_.get(), &shard, std::move(*t), std::move(details)),
      use_awaitable);
}

Result<std::string> Engine::TaskTokenDomain(std::string_view task_token) const {
  auto t = DecodeTaskToken(impl_->tokens, task_token);
  if (!t.ok()) return t.error();
  return t->domain;
}

}  // namespace weft::engine
