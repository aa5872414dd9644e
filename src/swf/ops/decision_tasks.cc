// Deciders: PollForDecisionTask (with history paging),
// RespondDecisionTaskCompleted, CountPendingDecisionTasks.
//
// A decision task's history can be long, so PollForDecisionTask answers it
// in pages: the first call polls the engine and answers the first page; a
// call with nextPageToken does NOT poll again but answers the next page of
// that same task, read back with Engine::GetHistory and cut at the task's
// DecisionTaskStarted event (everything about the task is in the token).
#include <algorithm>

#include "swf/ops/ops.h"
#include "swf/paging.h"

namespace weft::swf {
namespace {

using engine::HistoryEvent;

struct PollRequest {
  std::string domain, task_list, identity;
  std::optional<std::string> page_token;
  size_t page_size = kDefaultPageSize;
  bool reverse = false;
  bool start_at_previous = false;
};

Result<PollRequest> ReadPollRequest(const json::object& request) {
  RequestReader r(request);
  PollRequest in;
  in.domain = r.String("domain", kDomainNameLen);
  in.task_list = ReadTaskList(r, "taskList");
  in.identity = r.OptString("identity", kIdentityLen).value_or("");
  in.page_token = r.OptString("nextPageToken", kPageTokenLen);
  if (in.page_token && in.page_token->empty()) in.page_token.reset();
  in.page_size = EffectivePageSize(r.OptInt("maximumPageSize", 0, 1000));
  in.reverse = r.OptBool("reverseOrder").value_or(false);
  in.start_at_previous = r.OptBool("startAtPreviousStartedEvent").value_or(false);
  if (auto s = r.Finish(); !s) return std::move(s).error();
  return in;
}

// The events a task shows: up to its DecisionTaskStarted, and from the
// previous started event on when startAtPreviousStartedEvent asks so.
// `events` ascends by id; the answer is a contiguous part of it.
std::span<const HistoryEvent> TaskEvents(std::span<const HistoryEvent> events,
                                         const DecisionCursor& c) {
  auto by_id = [](const HistoryEvent& e, int64_t id) { return e.id < id; };
  auto end = std::lower_bound(events.begin(), events.end(), c.started_event_id + 1, by_id);
  auto begin = events.begin();
  if (c.start_at_previous && c.previous_started_event_id > 0) {
    begin = std::lower_bound(events.begin(), end, c.previous_started_event_id, by_id);
  }
  return {begin, end};
}

// One page of the task, starting at c.next_event_id (0: the first page).
json::object TaskPage(const DecisionCursor& c, const json::value& workflow_type,
                      std::span<const HistoryEvent> all, size_t page_size) {
  std::span<const HistoryEvent> events = TaskEvents(all, c);
  EventPage page = PageEvents(events, c.reverse, c.next_event_id, page_size);
  json::array out_events;
  out_events.reserve(page.indices.size());
  for (size_t i : page.indices) out_events.push_back(engine::ToSwfJson(events[i]));

  json::object out{{"taskToken", c.task_token},
                   {"startedEventId", c.started_event_id},
                   {"workflowExecution", ExecutionJson(c.workflow_id, c.run_id)},
                   {"workflowType", workflow_type},
                   {"events", std::move(out_events)}};
  if (page.next_id != 0) {
    DecisionCursor next = c;
    next.next_event_id = page.next_id;
    out["nextPageToken"] = EncodeDecisionCursor(next);
  }
  // Omitted for the first decision task of a run (SWF notes, section 4).
  if (c.previous_started_event_id > 0) {
    out["previousStartedEventId"] = c.previous_started_event_id;
  }
  return out;
}

// The workflowType of WorkflowExecutionStarted, the first event of a run.
Result<json::value> WorkflowTypeOf(std::span<const HistoryEvent> history) {
  if (!history.empty() && history.front().type == engine::EventType::kWorkflowExecutionStarted) {
    if (const json::value* type = Find(history.front().attributes, "workflowType")) return *type;
  }
  return Error::Internal("history does not start with WorkflowExecutionStarted");
}

OpResult NextPage(OpContext& ctx, const PollRequest& in) {
  auto cursor = DecodeDecisionCursor(*in.page_token);
  if (!cursor.ok()) co_return std::move(cursor).error();
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries
  // twice (see docs/architecture.md, "Coroutines"). A token used with
  // another domain finds no such run: UnknownResourceFault.
  engine::ExecutionRef ref{in.domain, cursor->workflow_id, cursor->run_id};
  auto history = co_await ctx.engine.GetHistory(std::move(ref));
  if (!history.ok()) co_return std::move(history).error();
  auto type = WorkflowTypeOf(*history);
  if (!type.ok()) co_return std::move(type).error();
  co_return json::value(TaskPage(*cursor, *type, *history, in.page_size));
}

}  // namespace

OpResult PollForDecisionTask(OpContext& ctx, const json::object& request) {
  auto in = ReadPollRequest(request);
  if (!in.ok()) co_return std::move(in).error();
  if (auto d = GetDomain(ctx.engine, in->domain); !d.ok()) co_return std::move(d).error();
  if (in->page_token) co_return co_await NextPage(ctx, *in);

  // Moved-from named values, not temporaries, in the co_await (g++ 12).
  std::string domain = in->domain, task_list = in->task_list, identity = in->identity;
  auto disconnect = ctx.request.disconnect;
  auto task = co_await ctx.engine.PollForDecisionTask(std::move(domain), std::move(task_list),
                                                      std::move(identity), std::move(disconnect));
  if (!task.ok()) co_return std::move(task).error();
  if (!*task) {
    // No taskToken key at all (Flow tests taskToken == null).
    co_return json::value(json::object{{"startedEventId", 0}, {"previousStartedEventId", 0}});
  }
  const engine::DecisionTask& t = **task;
  DecisionCursor cursor;
  cursor.workflow_id = t.workflow_id;
  cursor.run_id = t.run_id;
  cursor.task_token = t.task_token;
  cursor.started_event_id = t.started_event_id;
  cursor.previous_started_event_id = t.previous_started_event_id;
  cursor.reverse = in->reverse;
  cursor.start_at_previous = in->start_at_previous;
  json::value type = TypeJson(t.type.name, t.type.version);
  co_return json::value(TaskPage(cursor, type, t.events, in->page_size));
}

OpResult RespondDecisionTaskCompleted(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string token = r.String("taskToken", kTaskTokenLen);
  std::vector<engine::Decision> decisions;
  if (const json::array* list = r.OptArray("decisions", SIZE_MAX)) {
    decisions = ReadDecisions(r, *list);
  }
  auto context = r.OptString("executionContext", kDataLen);
  auto task_list = ReadOptTaskList(r, "taskList");
  auto schedule_to_start = r.OptDuration("taskListScheduleToStartTimeout");
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto s = co_await ctx.engine.RespondDecisionTaskCompleted(
      std::move(token), std::move(decisions), std::move(context), std::move(task_list),
      std::move(schedule_to_start));
  if (!s) co_return std::move(s).error();
  co_return json::value(json::object{});
}

OpResult CountPendingDecisionTasks(OpContext& ctx, const json::object& request) {
  auto in = ReadTaskListRequest(ctx, request, false);
  if (!in.ok()) co_return std::move(in).error();
  auto count = co_await ctx.engine.CountPendingTasks(in->domain, in->task_list,
                                                     matching::TaskKind::kDecision);
  if (!count.ok()) co_return std::move(count).error();
  co_return json::value(json::object{{"count", *count}, {"truncated", false}});
}

}  // namespace weft::swf
