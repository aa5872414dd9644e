// Reading executions: GetWorkflowExecutionHistory, DescribeWorkflowExecution,
// List/Count Open/Closed WorkflowExecutions (the store's visibility queries).
#include "swf/filters.h"
#include "swf/ops/ops.h"
#include "swf/paging.h"

namespace weft::swf {
namespace {

// The WorkflowExecution {workflowId, runId} a request names (both required).
engine::ExecutionRef ReadExecution(RequestReader& r, const std::string& domain) {
  RequestReader ex = r.Object("execution");
  engine::ExecutionRef ref;
  ref.domain = domain;
  ref.workflow_id = ex.String("workflowId", kWorkflowIdLen);
  ref.run_id = ex.String("runId", kRunIdLen);
  return ref;
}

bool CancelRequested(const store::ExecutionRecord& record) {
  if (!record.open || record.data.empty()) return false;
  auto data = ParseJson(record.data);
  if (!data.ok() || !data->is_object()) return false;
  return FindBool(data->as_object(), "cancelRequested").value_or(false);
}

OpResult ListExecutions(OpContext& ctx, const json::object& request, bool open) {
  RequestReader r(request);
  store::ExecutionQuery query;
  ReadExecutionFilters(r, open, query);
  auto token = r.OptString("nextPageToken", kPageTokenLen);
  query.page_size = static_cast<int32_t>(EffectivePageSize(r.OptInt("maximumPageSize", 0, 1000)));
  query.reverse = r.OptBool("reverseOrder").value_or(false);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, query.domain); !d.ok()) co_return std::move(d).error();
  // The store's cursor, wrapped with the domain it was issued for: a token
  // of one domain is refused in another.
  if (token && !token->empty()) {
    auto state = DecodePageToken(*token, open ? "ListOpen" : "ListClosed");
    if (!state.ok()) co_return std::move(state).error();
    const json::string* d = FindString(*state, "d");
    const json::string* cursor = FindString(*state, "c");
    if (cursor == nullptr) co_return Error::Validation("Invalid nextPageToken");
    if (d == nullptr || *d != query.domain)
      co_return Error::Validation("nextPageToken was issued for another domain");
    query.page_token = std::string(*cursor);
  }

  auto page = co_await ctx.engine.ListExecutions(query);
  if (!page.ok()) co_return std::move(page).error();
  json::array infos;
  infos.reserve(page->executions.size());
  for (const auto& record : page->executions) {
    infos.push_back(engine::Engine::ExecutionInfoJson(record, CancelRequested(record)));
  }
  json::object out{{"executionInfos", std::move(infos)}};
  if (!page->next_page_token.empty()) {
    out["nextPageToken"] = EncodePageToken(json::object{{"k", open ? "ListOpen" : "ListClosed"},
                                                        {"d", query.domain},
                                                        {"c", page->next_page_token}});
  }
  co_return json::value(std::move(out));
}

OpResult CountExecutions(OpContext& ctx, const json::object& request, bool open) {
  RequestReader r(request);
  store::ExecutionQuery query;
  ReadExecutionFilters(r, open, query);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, query.domain); !d.ok()) co_return std::move(d).error();
  auto count = co_await ctx.engine.CountExecutions(std::move(query));
  if (!count.ok()) co_return std::move(count).error();
  co_return json::value(json::object{{"count", *count}, {"truncated", false}});
}

}  // namespace

OpResult GetWorkflowExecutionHistory(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string domain = r.String("domain", kDomainNameLen);
  engine::ExecutionRef ref = ReadExecution(r, domain);
  auto token = r.OptString("nextPageToken", kPageTokenLen);
  size_t page_size = EffectivePageSize(r.OptInt("maximumPageSize", 0, 1000));
  bool reverse = r.OptBool("reverseOrder").value_or(false);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, domain); !d.ok()) co_return std::move(d).error();

  HistoryCursor cursor{domain, ref.workflow_id, ref.run_id, 0, reverse};
  if (token && !token->empty()) {
    auto decoded = DecodeHistoryCursor(*token);
    if (!decoded.ok()) co_return std::move(decoded).error();
    if (decoded->domain != domain || decoded->workflow_id != ref.workflow_id ||
        decoded->run_id != ref.run_id) {
      co_return Error::Validation("nextPageToken was issued for another execution");
    }
    cursor = std::move(*decoded);
  }
  // One page from the store: a long history is never read whole.
  auto page = co_await ctx.engine.GetHistoryPage(std::move(ref), cursor.next_event_id,
                                                 static_cast<int64_t>(page_size), cursor.reverse);
  if (!page.ok()) co_return std::move(page).error();
  json::array events;
  events.reserve(page->events.size());
  for (const auto& e : page->events) events.push_back(engine::ToSwfJson(e));
  json::object out{{"events", std::move(events)}};
  if (page->next_id != 0) {
    cursor.next_event_id = page->next_id;
    out["nextPageToken"] = EncodeHistoryCursor(cursor);
  }
  co_return json::value(std::move(out));
}

OpResult DescribeWorkflowExecution(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string domain = r.String("domain", kDomainNameLen);
  engine::ExecutionRef ref = ReadExecution(r, domain);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, domain); !d.ok()) co_return std::move(d).error();
  auto described = co_await ctx.engine.DescribeWorkflowExecution(std::move(ref));
  if (!described.ok()) co_return std::move(described).error();
  co_return json::value(std::move(*described));
}

OpResult ListOpenWorkflowExecutions(OpContext& ctx, const json::object& request) {
  return ListExecutions(ctx, request, true);
}

OpResult ListClosedWorkflowExecutions(OpContext& ctx, const json::object& request) {
  return ListExecutions(ctx, request, false);
}

OpResult CountOpenWorkflowExecutions(OpContext& ctx, const json::object& request) {
  return CountExecutions(ctx, request, true);
}

OpResult CountClosedWorkflowExecutions(OpContext& ctx, const json::object& request) {
  return CountExecutions(ctx, request, false);
}

}  // namespace weft::swf
