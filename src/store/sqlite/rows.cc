#include "store/sqlite/rows.h"

#include "common/json.h"

namespace weft::store::sqlite {

namespace {

Result<std::vector<std::string>> TagsFromJson(const std::string& text) {
  Result<json::value> parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_array()) {
    return Error::Internal("SQLite: executions.tags is not a JSON array: " + text);
  }
  std::vector<std::string> tags;
  for (const json::value& tag : parsed->get_array()) {
    if (!tag.is_string()) return Error::Internal("SQLite: a tag is not a string: " + text);
    tags.emplace_back(tag.get_string());
  }
  return tags;
}

}  // namespace

Result<ExecutionRecord> ReadExecution(const Statement& stmt, bool with_snapshot) {
  ExecutionRecord e;
  e.run_id = stmt.Text(0);
  e.domain = stmt.Text(1);
  e.workflow_id = stmt.Text(2);
  e.type_name = stmt.Text(3);
  e.type_version = stmt.Text(4);
  e.open = stmt.Int(5) != 0;
  e.close_status = stmt.Text(6);
  e.start_time = stmt.Int(7);
  e.close_time = stmt.Int(8);
  e.shard = static_cast<int32_t>(stmt.Int(9));
  e.last_event_id = stmt.Int(10);
  Result<std::vector<std::string>> tags = TagsFromJson(stmt.Text(11));
  if (!tags.ok()) return std::move(tags).error();
  e.tags = std::move(*tags);
  e.data = stmt.Text(12);
  if (with_snapshot) {
    e.snapshot = stmt.Text(13);
    e.has_work = stmt.Int(14) != 0;
  }
  return e;
}

std::string TagsToJson(const std::vector<std::string>& tags) {
  std::string out = "[";
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, tags[i]);
  }
  out += ']';
  return out;
}

Error ConflictError(std::string message) { return Error(Errc::kConflict, std::move(message)); }

}  // namespace weft::store::sqlite
