#include "engine/task_token.h"

#include <boost/beast/core/detail/base64.hpp>

#include "common/json.h"

namespace weft::engine {
namespace {

namespace base64 = boost::beast::detail::base64;

Error Malformed() {
  return Error::Validation("Invalid taskToken: not a token issued by this service");
}

}  // namespace

std::string EncodeTaskToken(const TaskToken& t) {
  json::array a{std::string(1, t.kind), t.domain,          t.workflow_id, t.run_id,
                t.scheduled_event_id,   t.started_event_id};
  std::string text = "w1" + ToJson(a);
  std::string out(base64::encoded_size(text.size()), '\0');
  out.resize(base64::encode(out.data(), text.data(), text.size()));
  return out;
}

Result<TaskToken> DecodeTaskToken(std::string_view text) {
  if (text.empty() || text.size() > 1024) return Malformed();
  std::string raw(base64::decoded_size(text.size()), '\0');
  auto [written, read] = base64::decode(raw.data(), text.data(), text.size());
  std::string_view unpadded = text.substr(0, text.find_last_not_of('=') + 1);
  if (read != unpadded.size()) return Malformed();
  raw.resize(written);
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
