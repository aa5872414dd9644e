// Child workflows: StartChildWorkflowExecution carried from the parent's
// shard to the child's, the child's close carried back, and child policies.
//
// As for external signals (external.cc), the parent's events are the
// outbox. StartChildWorkflowExecutionInitiated, once durable, starts the
// child (WorkflowExecutionStarted with parentWorkflowExecution and
// parentInitiatedEventId) and then records ChildWorkflowExecutionStarted on
// the parent, or StartChildWorkflowExecutionFailed (WORKFLOW_ALREADY_RUNNING).
// The child's close event, once durable, records ChildWorkflowExecution
// {Completed,Failed,TimedOut,Canceled,Terminated} on the parent. After a
// restart a parent starts again the children it initiated and has not heard
// of (the child's shard finds the one it started already, by its parent's
// run and initiated event id), and looks up in the store the children it
// heard started, in case a close was lost with the crash.
//
// A parent's child policy reaches a child two ways: from the parent's close
// (to the children it knows started), and from the child's side when the
// parent was found closed: a child whose start was answered after its
// parent closed, and every child at recovery (a crash may have come between
// the parent's close and the policy). Applying a policy twice is harmless:
// a terminated child is not open, a cancel request is recorded once.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

// On the child's shard: its runId (started now, or earlier for this same
// initiation), or kAlreadyExists when another run of that workflowId is open.
net::awaitable<Result<std::string>> StartChildOnShard(Engine::Impl* impl, Shard* shard,
                                                      ChildStart c) {
  const ChildInfo& child = c.child;
  auto open = impl->OpenRunOf(*shard, c.domain, child.workflow_id);
  if (!open.ok()) co_return std::move(open).error();
  if (*open) {
    auto ex = impl->LoadRun(*shard, **open);
    if (!ex.ok()) co_return std::move(ex).error();
    const auto& parent = *ex ? (*ex)->state.parent() : std::nullopt;
    if (parent && parent->run_id == c.parent_run_id &&
        parent->initiated_event_id == child.initiated_event_id) {
      co_return **open;  // started before a restart
    }
    co_return Error(Errc::kAlreadyExists, "WORKFLOW_ALREADY_RUNNING");
  }
  json::object attrs = child.initiated;
  for (auto key : {"workflowId", "control", "decisionTaskCompletedEventId"}) attrs.erase(key);
  attrs["parentWorkflowExecution"] =
      json::object{{"workflowId", c.parent_workflow_id}, {"runId", c.parent_run_id}};
  attrs["parentInitiatedEventId"] = child.initiated_event_id;
  StartRequest req;
  req.domain = c.domain;
  req.workflow_id = child.workflow_id;
  const auto* name = FindString(child.workflow_type, "name");
  const auto* version = FindString(child.workflow_type, "version");
  req.type = {name ? std::string(*name) : "", version ? std::string(*version) : ""};
  if (const auto* tags = FindArray(attrs, "tagList")) {
    for (const auto& t : *tags)
      if (t.is_string()) req.tags.emplace_back(t.as_string());
  }
  co_return co_await StartRunOnShard(impl, shard, std::move(req), std::move(attrs));
}

// On the parent's shard: ChildWorkflowExecutionStarted, or the start's
// failure; nothing if it is recorded already or the parent has closed.
net::awaitable<void> AnswerStartOnShard(Engine::Impl* impl, Shard* shard, ChildStart c,
                                        Result<std::string> run) {
  auto parent = impl->FindOpen(*shard, {c.domain, c.parent_workflow_id, c.parent_run_id});
  if (!parent.ok()) {
    // Closed meanwhile: its close did not know this child's run.
    if (run.ok()) {
      impl->CheckParent(
          {c.domain, ParentInfo{c.parent_workflow_id, c.parent_run_id, c.child.initiated_event_id},
           c.child.workflow_id, *run});
    }
    co_return;
  }
  Execution& ex = **parent;
  auto it = ex.state.children().find(c.child.initiated_event_id);
  if (it == ex.state.children().end() || !it->second.run_id.empty()) co_return;
  Step step(*shard, ex, impl->clock.Now());
  if (run.ok()) {
    step.Append(
        EventType::kChildWorkflowExecutionStarted,
        {{"workflowExecution", json::object{{"workflowId", c.child.workflow_id}, {"runId", *run}}},
         {"workflowType", c.child.workflow_type},
         {"initiatedEventId", c.child.initiated_event_id}});
  } else {
    json::object a{{"workflowType", c.child.workflow_type},
                   {"cause", "WORKFLOW_ALREADY_RUNNING"},
                   {"workflowId", c.child.workflow_id},
                   {"initiatedEventId", c.child.initiated_event_id},
                   {"decisionTaskCompletedEventId",
                    FindInt(c.child.initiated, "decisionTaskCompletedEventId").value_or(0)}};
    if (const auto* control = FindString(c.child.initiated, "control")) a["control"] = *control;
    step.Append(EventType::kStartChildWorkflowExecutionFailed, std::move(a));
  }
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step);
  (void)s;  // a failed write stops the process (WriteStep)
}

net::awaitable<void> StartChildNow(Engine::Impl* impl, ChildStart c) {
  Shard& target = impl->ShardFor(c.domain, c.child.workflow_id);
  ChildStart copy = c;  // named: see docs/architecture.md (g++ 12)
  Result<std::string> run = co_await net::co_spawn(
      target.strand, StartChildOnShard(impl, &target, std::move(copy)), use_awaitable);
  if (!run.ok() && run.error().code() != Errc::kAlreadyExists) {
    log::Error("starting child " + c.child.workflow_id + ": " + run.error().message());
    co_return;  // started again after a restart
  }
  Shard& home = impl->ShardFor(c.domain, c.parent_workflow_id);
  co_await net::co_spawn(home.strand, AnswerStartOnShard(impl, &home, std::move(c), std::move(run)),
                         use_awaitable);
}

// The parent's event for a child's close event.
std::optional<EventType> ParentEventFor(EventType close) {
  switch (close) {
    case EventType::kWorkflowExecutionCompleted:
      return EventType::kChildWorkflowExecutionCompleted;
    case EventType::kWorkflowExecutionFailed:
      return EventType::kChildWorkflowExecutionFailed;
    case EventType::kWorkflowExecutionTimedOut:
      return EventType::kChildWorkflowExecutionTimedOut;
    case EventType::kWorkflowExecutionCanceled:
      return EventType::kChildWorkflowExecutionCanceled;
    case EventType::kWorkflowExecutionTerminated:
      return EventType::kChildWorkflowExecutionTerminated;
    default:
      return std::nullopt;  // continued as new: the new run is the child now
  }
}

net::awaitable<void> NotifyOnShard(Engine::Impl* impl, Shard* shard, ParentNotice n) {
  auto found = impl->FindOpen(*shard, {n.domain, n.parent.workflow_id, n.parent.run_id});
  auto type = ParentEventFor(n.close);
  if (!found.ok() || !type) co_return;
  Execution& ex = **found;
  auto it = ex.state.children().find(n.parent.initiated_event_id);
  if (it == ex.state.children().end()) co_return;  // recorded already
  json::object execution{{"workflowId", n.child_workflow_id}, {"runId", n.child_run_id}};
  Step step(*shard, ex, impl->clock.Now());
  int64_t started = it->second.started_event_id;
  if (started == 0) {  // the close came before the start's answer
    started = step.Append(EventType::kChildWorkflowExecutionStarted,
                          {{"workflowExecution", execution},
                           {"workflowType", n.workflow_type},
                           {"initiatedEventId", n.parent.initiated_event_id}})
                  .id;
  }
  json::object a{{"workflowExecution", std::move(execution)},
                 {"workflowType", n.workflow_type},
                 {"initiatedEventId", n.parent.initiated_event_id},
                 {"startedEventId", started}};
  for (auto key : {"result", "reason", "details", "timeoutType"}) {
    if (const auto* v = Find(n.close_attributes, key)) a[key] = *v;
  }
  step.Append(*type, std::move(a));
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step);
  (void)s;
}

net::awaitable<void> ApplyPolicyOnShard(Engine::Impl* impl, Shard* shard, ChildPolicyAction p) {
  auto found = impl->FindOpen(*shard, {p.domain, p.workflow_id, p.run_id});
  if (!found.ok()) co_return;  // closed already
  Execution& ex = **found;
  Step step(*shard, ex, impl->clock.Now());
  if (p.policy == "TERMINATE") {
    step.Append(EventType::kWorkflowExecutionTerminated,
                {{"childPolicy", ex.state.child_policy()}, {"cause", "CHILD_POLICY_APPLIED"}});
  } else {
    if (ex.state.cancel_requested()) co_return;
    step.Append(EventType::kWorkflowExecutionCancelRequested, {{"cause", "CHILD_POLICY_APPLIED"}});
    step.ScheduleDecisionIfDue();
  }
  Status s = co_await impl->Commit(*shard, step);
  (void)s;
}

// The child policy a closed parent owes its children: none while the parent
// is open (its close will apply it), or when it closed on its own decision
// or with ABANDON. Only a parent closed by termination, timeout or
// continue-as-new is read back from the store.
std::optional<std::string> PolicyOwed(Engine::Impl* impl, Shard& shard, const std::string& run_id) {
  std::unique_ptr<Execution> replayed;
  const Execution* parent = nullptr;
  if (const Execution* cached = shard.runs.Find(run_id)) {
    parent = cached;  // in memory: open, or closing
  } else {
    auto record = impl->store.GetExecution(run_id);
    if (!record.ok() || !*record || (*record)->open) return std::nullopt;
    const std::string& status = (*record)->close_status;
    if (status != "TERMINATED" && status != "TIMED_OUT" && status != "CONTINUED_AS_NEW")
      return std::nullopt;
    auto loaded = LoadExecution(impl->store, **record);
    if (!loaded.ok()) return std::nullopt;
    replayed = std::move(*loaded);
    parent = replayed.get();
  }
  const MutableState& s = parent->state;
  if (s.open() || !AppliesChildPolicy(s.last_event_type()) || s.child_policy() == "ABANDON") {
    return std::nullopt;
  }
  return s.child_policy();
}

net::awaitable<void> CheckParentOnShard(Engine::Impl* impl, Shard* shard, ParentCheck c) {
  if (auto policy = PolicyOwed(impl, *shard, c.parent.run_id)) {
    impl->ApplyChildPolicy({c.domain, c.child_workflow_id, c.child_run_id, std::move(*policy)});
  }
  co_return;
}

// Recovery: a child the parent heard started; if it has closed (its notice
// lost with a crash), tell the parent now.
net::awaitable<void> WatchOnShard(Engine::Impl* impl, Shard* shard, ChildStart c) {
  if (shard->runs.Contains(c.child.run_id)) co_return;  // open: its close will tell
  auto record = impl->store.GetExecution(c.child.run_id);
  if (!record.ok() || !*record || (*record)->open) co_return;
  auto last = LoadLastEvent(impl->store, **record);
  if (!last.ok()) co_return;
  const store::ExecutionRecord& r = **record;
  ParentNotice n{c.domain,
                 ParentInfo{c.parent_workflow_id, c.parent_run_id, c.child.initiated_event_id},
                 c.child.workflow_id,
                 c.child.run_id,
                 json::object{{"name", r.type_name}, {"version", r.type_version}},
                 last->type,
                 std::move(last->attributes)};
  impl->NotifyParent(std::move(n));
}

}  // namespace

void Engine::Impl::StartChild(ChildStart start) {
  net::co_spawn(io, StartChildNow(this, std::move(start)), net::detached);
}

void Engine::Impl::NotifyParent(ParentNotice notice) {
  Shard& shard = ShardFor(notice.domain, notice.parent.workflow_id);
  net::co_spawn(shard.strand, NotifyOnShard(this, &shard, std::move(notice)), net::detached);
}

void Engine::Impl::ApplyChildPolicy(ChildPolicyAction action) {
  Shard& shard = ShardFor(action.domain, action.workflow_id);
  net::co_spawn(shard.strand, ApplyPolicyOnShard(this, &shard, std::move(action)), net::detached);
}

void Engine::Impl::CheckParent(ParentCheck check) {
  Shard& shard = ShardFor(check.domain, check.parent.workflow_id);
  net::co_spawn(shard.strand, CheckParentOnShard(this, &shard, std::move(check)), net::detached);
}

void Engine::Impl::WatchChild(ChildStart child) {
  Shard& shard = ShardFor(child.domain, child.child.workflow_id);
  net::co_spawn(shard.strand, WatchOnShard(this, &shard, std::move(child)), net::detached);
}

}  // namespace weft::engine
