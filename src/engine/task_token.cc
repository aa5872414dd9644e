#include "engine/task_token.h"

#include "common/base64.h"
#include "common/json.h"

namespace weft::engine {
namespace {

Error Malformed() {
  return Error::Validation("Invalid taskToken: not a token issued by this service");
}

}  // namespace

std::string EncodeTaskToken(const TaskToken& t) {
  json::array a{std::string(1, t.kind), t.domain,          t.workflow_id, t.run_id,
                t.scheduled_event_id,   t.started_event_id};
  std::string text = "w1" + ToJson(a);
  return Base64Encode(text);
}

Result<TaskToken> DecodeTaskToken(std::string_view text) {
  if (text.empty() || text.size() > 1024) return Malformed();
  auto decoded = Base64Decode(text);
  if (!decoded) return Malformed();
  std::string raw = std::move(*decoded);
  if (raw.rfind("w1", 0) != 0) return Malformed();
  auto v = ParseJson(std::string_view(raw).substr(2));
  if (!v.ok() || !v->is_array()) return Malformed();
  const auto& a = v->as_array();
  if (a.size() != 6 || !a[0].is_string() || !a[1].is_string() || !a[2].is_string() ||
      !a[3].is_string() || !a[4].is_int64() || !a[5].is_int64()) {
    return Malformed();
  }
  TaskToken t;
  t.kind = a[0].as_string().empty() ? '?' : a[0].as_string()[0];
  if (t.kind != 'a' && t.kind != 'd') return Malformed();
  t.domain = a[1].as_string();
  t.workflow_id = a[2].as_string();
  t.run_id = a[3].as_string();
  t.scheduled_event_id = a[4].as_int64();
  t.started_event_id = a[5].as_int64();
  return t;
}

}  // namespace weft::engine
