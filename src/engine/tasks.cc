// Decision and activity tasks: polls hand out tasks that matching offers,
// after recording them as started on their execution.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

// A task matching offered may be stale (its execution closed, the task
// started, timed out or was cancelled): the start functions then answer
// nullopt and the poll goes on. OfferedRun finds the open run an offer
// names: null if there is none, an error if the store could not be read.
Result<Execution*> OfferedRun(Engine::Impl* impl, Shard* shard, const std::string& domain,
                              const matching::Task& task) {
  auto ex = impl->FindOpen(*shard, {domain, task.workflow_id, task.run_id});
  if (!ex.ok() && ex.error().code() == Errc::kUnknownResource) {
    return static_cast<Execution*>(nullptr);
  }
  return ex;
}

net::awaitable<Result<std::optional<DecisionTask>>> StartDecisionOnShard(Engine::Impl* impl,
                                                                         Shard* shard,
                                                                         std::string domain,
                                                                         matching::Task task,
                                                                         std::string identity) {
  auto offered = OfferedRun(impl, shard, domain, task);
  if (!offered.ok()) co_return std::move(offered).error();
  if (*offered == nullptr) co_return std::nullopt;
  Execution& run = **offered;
  MutableState& s = run.state;
  const auto& d = s.decision_task();
  if (!d || d->scheduled_event_id != task.scheduled_event_id || d->started_event_id != 0) {
    co_return std::nullopt;
  }
  Step step(*shard, run, impl->clock.Now());
  json::object a{{"scheduledEventId", task.scheduled_event_id}};
  if (!identity.empty()) a["identity"] = identity;
  const HistoryEvent& started = step.Append(EventType::kDecisionTaskStarted, std::move(a));
  DecisionTask grant;
  grant.started_event_id = started.id;
  grant.previous_started_event_id = s.previous_started_event_id();
  grant.workflow_id = s.workflow_id();
  grant.run_id = s.run_id();
  grant.type = run.type;
  if (run.history_cached) grant.events = run.history;
  grant.task_token = EncodeTaskToken(impl->tokens, {'d', domain, s.workflow_id(), s.run_id(),
                                                    task.scheduled_event_id, started.id});
  Status committed = co_await impl->Commit(*shard, step);  // aborts on failure
  (void)committed;
  co_return std::optional(std::move(grant));
}

net::awaitable<Result<std::optional<ActivityTask>>> StartActivityOnShard(Engine::Impl* impl,
                                                                         Shard* shard,
                                                                         std::string domain,
                                                                         matching::Task task,
                                                                         std::string identity) {
  auto offered = OfferedRun(impl, shard, domain, task);
  if (!offered.ok()) co_return std::move(offered).error();
  if (*offered == nullptr) co_return std::nullopt;
  Execution& run = **offered;
  MutableState& s = run.state;
  ActivityInfo* act = s.FindActivity(task.scheduled_event_id);
  if (!act || act->started_event_id != 0) co_return std::nullopt;
  Step step(*shard, run, impl->clock.Now());
  json::object a{{"scheduledEventId", task.scheduled_event_id}};
  if (!identity.empty()) a["identity"] = identity;
  const HistoryEvent& started = step.Append(EventType::kActivityTaskStarted, std::move(a));
  ActivityTask grant;
  grant.activity_id = act->activity_id;
  grant.started_event_id = started.id;
  grant.workflow_id = s.workflow_id();
  grant.run_id = s.run_id();
  grant.activity_type = act->activity_type;
  grant.input = act->input;
  grant.task_token = EncodeTaskToken(impl->tokens, {'a', domain, s.workflow_id(), s.run_id(),
                                                    task.scheduled_event_id, started.id});
  Status committed = co_await impl->Commit(*shard, step);  // aborts on failure
  (void)committed;
  co_return std::optional(std::move(grant));
}

net::awaitable<Status> CompleteDecisionOnShard(Engine::Impl* impl, Shard* shard, TaskToken t,
                                               std::vector<Decision> decisions,
                                               std::optional<std::string> context,
                                               std::optional<std::string> task_list,
                                               std::optional<std::string> schedule_to_start) {
  auto ex = impl->FindOpen(*shard, {t.domain, t.workflow_id, t.run_id});
  if (!ex.ok()) co_return std::move(ex).error();  // closed: "Unknown execution: ..."
  const auto& d = (*ex)->state.decision_task();
  if (!d || d->scheduled_event_id != t.scheduled_event_id ||
      d->started_event_id != t.started_event_id) {
    co_return Error(Errc::kUnknownResource, "Unknown decision task, scheduledEventId = " +
                                                std::to_string(t.scheduled_event_id));
  }
  Step step(*shard, **ex, impl->clock.Now());
  // Events that arrived while the decider was deciding: it has not seen them.
  bool unhandled = step.state().decision_pending();
  json::object a{{"scheduledEventId", t.scheduled_event_id},
                 {"startedEventId", t.started_event_id}};
  if (context) a["executionContext"] = *context;
  if (task_list) {
    a["taskList"] = json::object{{"name", *task_list}};
    if (schedule_to_start) a["taskListScheduleToStartTimeout"] = *schedule_to_start;
  }
  const HistoryEvent& completed = step.Append(EventType::kDecisionTaskCompleted, std::move(a));
  ApplyDecisions(*impl, step, decisions, completed.id, unhandled);
  step.ScheduleDecisionIfDue();
  co_return co_await impl->Commit(*shard, step);
}

}  // namespace

net::awaitable<Result<std::optional<DecisionTask>>> Engine::PollForDecisionTask(
    std::string domain, std::string task_list, std::string identity,
    std::shared_ptr<DisconnectSignal> disconnect) {
  if (!impl_->registry.Get(kDomainKind, "", domain)) co_return UnknownDomain(domain);
  matching::TaskListKey key{domain, std::move(task_list), matching::TaskKind::kDecision};
  auto task = co_await PollLoop<DecisionTask>(impl_.get(), std::move(domain), std::move(key),
                                              std::move(identity), std::move(disconnect),
                                              &StartDecisionOnShard);
  if (!task.ok() || !*task || !(*task)->events.empty()) co_return task;
  // The task's history, read back from the store (its DecisionTaskStarted
  // is durable by now): the execution was loaded, or its history is long.
  DecisionTask& grant = **task;
  store::Store* store = &impl_->store;
  auto read = [store, run_id = grant.run_id, last = grant.started_event_id] {
    return LoadHistory(*store, run_id, 0, last);
  };
  auto history = co_await OnReadPool(*impl_, std::move(read));
  if (!history.ok()) co_return std::move(history).error();
  grant.events = std::move(*history);
  co_return task;
}

net::awaitable<Result<std::optional<ActivityTask>>> Engine::PollForActivityTask(
    std::string domain, std::string task_list, std::string identity,
    std::shared_ptr<DisconnectSignal> disconnect) {
  if (!impl_->registry.Get(kDomainKind, "", domain)) co_return UnknownDomain(domain);
  matching::TaskListKey key{domain, std::move(task_list), matching::TaskKind::kActivity};
  co_return co_await PollLoop<ActivityTask>(impl_.get(), std::move(domain), std::move(key),
                                            std::move(identity), std::move(disconnect),
                                            &StartActivityOnShard);
}

net::awaitable<Status> Engine::RespondDecisionTaskCompleted(
    std::string task_token, std::vector<Decision> decisions, std::optional<std::string> context,
    std::optional<std::string> task_list, std::optional<std::string> schedule_to_start) {
  auto t = DecodeTaskToken(impl_->tokens, task_token);
  if (!t.ok()) co_return std::move(t).error();
  if (t->kind != 'd') co_return Error::Validation("taskToken is not a decision task token");
  Shard& shard = impl_->ShardFor(t->domain, t->workflow_id);
  co_return co_await net::co_spawn(
      shard.strand,
      CompleteDecisionOnShard(impl_.get(), &shard, std::move(*t), std::move(decisions),
                              std::move(context), std::move(task_list),
                              std::move(schedule_to_start)),
      use_awaitable);
}

}  // namespace weft::engine
