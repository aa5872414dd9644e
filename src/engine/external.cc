// SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution
// between executions, usually on two shards.
//
// The initiator's *Initiated event is the outbox: once it is durable the
// request is carried to the target (and again after a restart, for every
// request the initiator's history shows unanswered: MutableState::
// external_requests). The target records it once, named by the initiator's
// runId and initiated event id (MutableState::HasReceived), so a request
// carried twice is not signalled twice; then the initiator records the
// outcome (ExternalWorkflowExecution{Signaled,CancelRequested}, or the
// *Failed event with UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION), once.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

// On the target's shard: records the request; the target's runId, or an
// error when there is no such open execution.
net::awaitable<Result<std::string>> ReceiveOnShard(Engine::Impl* impl, Shard* shard, Outgoing o) {
  const ExternalRequest& r = o.request;
  auto target = impl->FindOpen(*shard, {o.domain, r.workflow_id, r.run_id});
  if (!target.ok()) co_return std::move(target).error();
  Execution& ex = **target;
  std::string run_id = ex.state.run_id();
  if (ex.state.HasReceived(o.run_id, r.initiated_event_id)) co_return run_id;  // carried twice
  if (r.cancel && ex.state.cancel_requested()) co_return run_id;  // asked already: nothing new
  Step step(*shard, ex, impl->clock.Now());
  json::object a{{"externalWorkflowExecution",
                  json::object{{"workflowId", o.workflow_id}, {"runId", o.run_id}}},
                 {"externalInitiatedEventId", r.initiated_event_id}};
  if (r.cancel) {
    step.Append(EventType::kWorkflowExecutionCancelRequested, std::move(a));
  } else {
    a["signalName"] = r.signal_name;
    if (r.input) a["input"] = *r.input;
    step.Append(EventType::kWorkflowExecutionSignaled, std::move(a));
  }
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step);
  if (!s.ok()) co_return std::move(s).error();
  co_return run_id;
}

// On the initiator's shard: records the outcome, unless it is recorded
// already or the initiator has closed.
net::awaitable<void> AnswerOnShard(Engine::Impl* impl, Shard* shard, Outgoing o,
                                   Result<std::string> target_run) {
  auto home = impl->FindOpen(*shard, {o.domain, o.workflow_id, o.run_id});
  if (!home.ok()) co_return;
  Execution& ex = **home;
  const ExternalRequest& r = o.request;
  if (!ex.state.external_requests().contains(r.initiated_event_id)) co_return;
  Step step(*shard, ex, impl->clock.Now());
  if (target_run.ok()) {
    step.Append(
        r.cancel ? EventType::kExternalWorkflowExecutionCancelRequested
                 : EventType::kExternalWorkflowExecutionSignaled,
        {{"workflowExecution", json::object{{"workflowId", r.workflow_id}, {"runId", *target_run}}},
         {"initiatedEventId", r.initiated_event_id}});
  } else {
    json::object a{{"workflowId", r.workflow_id},
                   {"cause", "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"},
                   {"initiatedEventId", r.initiated_event_id},
                   {"decisionTaskCompletedEventId", r.decision_task_completed_event_id}};
    if (!r.run_id.empty()) a["runId"] = r.run_id;
    if (r.control) a["control"] = *r.control;
    step.Append(r.cancel ? EventType::kRequestCancelExternalWorkflowExecutionFailed
                         : EventType::kSignalExternalWorkflowExecutionFailed,
                std::move(a));
  }
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step);
  (void)s;  // a failed write stops the process (WriteStep)
}

net::awaitable<void> Carry(Engine::Impl* impl, Outgoing o) {
  Shard& target = impl->ShardFor(o.domain, o.request.workflow_id);
  Outgoing copy = o;  // named: see docs/architecture.md (g++ 12)
  Result<std::string> received = co_await net::co_spawn(
      target.strand, ReceiveOnShard(impl, &target, std::move(copy)), use_awaitable);
  if (!received.ok() && received.error().code() != Errc::kUnknownResource) {
    log::Error("carrying a request of " + o.workflow_id + " to " + o.request.workflow_id + ": " +
               received.error().message());
    co_return;  // carried again after a restart
  }
  Shard& home = impl->ShardFor(o.domain, o.workflow_id);
  co_await net::co_spawn(home.strand, AnswerOnShard(impl, &home, std::move(o), std::move(received)),
                         use_awaitable);
}

}  // namespace

void Engine::Impl::SendExternal(Outgoing outgoing) {
  net::co_spawn(io, Carry(this, std::move(outgoing)), net::detached);
}

}  // namespace weft::engine
