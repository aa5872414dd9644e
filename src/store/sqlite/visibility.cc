#include "store/sqlite/visibility.h"

#include <variant>
#include <vector>

#include "common/base64.h"
#include "common/json.h"
#include "store/sqlite/rows.h"

namespace weft::store::sqlite {

namespace {

constexpr int32_t kMaxPageSize = 1000;

Error InvalidToken() { return Error::Validation("Invalid nextPageToken"); }

// A WHERE clause with its parameters, bound in order.
struct Filter {
  std::string where;
  std::vector<std::variant<int64_t, std::string>> params;

  void Add(const std::string& condition, std::variant<int64_t, std::string> param) {
    where += " AND " + condition;
    params.push_back(std::move(param));
  }
  void Bind(Statement& stmt, int first) const {
    for (size_t i = 0; i < params.size(); ++i) {
      int index = first + static_cast<int>(i);
      std::visit([&](const auto& v) { stmt.Bind(index, v); }, params[i]);
    }
  }
};

Result<Filter> BuildFilter(const ExecutionQuery& q) {
  if (q.type_version && !q.type_name) {
    return Error::Validation("a type version filter needs a type name");
  }
  Filter f;
  // With a tag, the tag's index finds the runs (tags are selective); the
  // unary + keeps SQLite from walking the domain's start-time index instead
  // and testing every run of the domain against the tag.
  const char* unindexed = q.tag ? "+" : "";
  f.where = std::string(unindexed) + "domain = ?";
  f.params.emplace_back(q.domain);
  if (!q.open_and_closed) f.Add(std::string(unindexed) + "open = ?", int64_t{q.open ? 1 : 0});
  if (q.start_oldest) f.Add("start_time >= ?", *q.start_oldest);
  if (q.start_latest) f.Add("start_time <= ?", *q.start_latest);
  if (q.close_oldest) f.Add("close_time >= ?", *q.close_oldest);
  if (q.close_latest) f.Add("close_time <= ?", *q.close_latest);
  if (q.workflow_id) f.Add("workflow_id = ?", *q.workflow_id);
  if (q.type_name) f.Add("type_name = ?", *q.type_name);
  if (q.type_version) f.Add("type_version = ?", *q.type_version);
  if (q.close_status) f.Add("close_status = ?", *q.close_status);
  if (q.tag) f.Add("run_id IN (SELECT run_id FROM execution_tags WHERE tag = ?)", *q.tag);
  return f;
}

bool SortsByCloseTime(const ExecutionQuery& q) {
  return !q.open && !q.open_and_closed && (q.close_oldest || q.close_latest);
}

int64_t SortKey(const ExecutionRecord& e, bool by_close_time) {
  return by_close_time ? e.close_time : e.start_time;
}

}  // namespace

std::string EncodePageToken(const PageToken& token) {
  json::object o;
  o["k"] = token.key;
  o["r"] = token.run_id;
  o["o"] = token.by_close_time ? "close" : "start";
  o["a"] = token.ascending;
  return Base64Encode(ToJson(o));
}

Result<PageToken> DecodePageToken(const std::string& text) {
  std::optional<std::string> decoded = Base64Decode(text);
  if (!decoded) return InvalidToken();
  Result<json::value> parsed = ParseJson(*decoded);
  if (!parsed.ok() || !parsed->is_object()) return InvalidToken();
  const json::object& o = parsed->get_object();
  std::optional<int64_t> key = FindInt(o, "k");
  const json::string* run_id = FindString(o, "r");
  const json::string* order = FindString(o, "o");
  std::optional<bool> ascending = FindBool(o, "a");
  if (!key || run_id == nullptr || order == nullptr || !ascending) return InvalidToken();
  if (*order != "close" && *order != "start") return InvalidToken();
  return PageToken{*key, std::string(*run_id), *order == "close", *ascending};
}

Result<ExecutionPage> ListVisible(Connection& conn, const ExecutionQuery& query) {
  if (query.page_size < 1 || query.page_size > kMaxPageSize) {
    return Error::Validation("page size must be between 1 and 1000");
  }
  Result<Filter> filter = BuildFilter(query);
  if (!filter.ok()) return std::move(filter).error();
  const bool by_close = SortsByCloseTime(query);
  const bool ascending = query.reverse;  // the default is newest first
  const std::string column = by_close ? "close_time" : "start_time";
  const std::string dir = ascending ? " ASC" : " DESC";
  if (!query.page_token.empty()) {
    Result<PageToken> token = DecodePageToken(query.page_token);
    if (!token.ok()) return std::move(token).error();
    // A token from a query with another order would skip or repeat rows.
    if (token->by_close_time != by_close || token->ascending != ascending) return InvalidToken();
    // Row values compare lexicographically: (key, run_id) past the last row.
    filter->where += " AND (" + column + ", run_id) " + (ascending ? ">" : "<") + " (?, ?)";
    filter->params.emplace_back(token->key);
    filter->params.emplace_back(token->run_id);
  }
  std::string sql = std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE " +
                    filter->where + " ORDER BY " + column + dir + ", run_id" + dir + " LIMIT ?";
  Result<Statement> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  filter->Bind(*stmt, 1);
  // One row more than a page tells whether another page follows.
  stmt->Bind(static_cast<int>(filter->params.size()) + 1, int64_t{query.page_size} + 1);
  ExecutionPage page;
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    if (page.executions.size() == static_cast<size_t>(query.page_size)) {
      const ExecutionRecord& last = page.executions.back();
      page.next_page_token =
          EncodePageToken({SortKey(last, by_close), last.run_id, by_close, ascending});
      break;
    }
    Result<ExecutionRecord> e = ReadExecution(*stmt);
    if (!e.ok()) return std::move(e).error();
    page.executions.push_back(std::move(*e));
  }
  return page;
}

Result<int64_t> CountVisible(Connection& conn, const ExecutionQuery& query) {
  Result<Filter> filter = BuildFilter(query);
  if (!filter.ok()) return std::move(filter).error();
  Result<Statement> stmt = conn.Prepare("SELECT count(*) FROM executions WHERE " + filter->where);
  if (!stmt.ok()) return std::move(stmt).error();
  filter->Bind(*stmt, 1);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? stmt->Int(0) : int64_t{0};
}

}  // namespace weft::store::sqlite
