#include "swf/paging.h"

#include <algorithm>
#include <array>

#include "common/base64.h"

namespace weft::swf {
namespace {

Error BadToken() { return Error::Validation("Invalid nextPageToken"); }

}  // namespace

size_t EffectivePageSize(std::optional<int64_t> requested) {
  if (!requested || *requested <= 0) return kDefaultPageSize;
  return static_cast<size_t>(std::min(*requested, kDefaultPageSize));
}

std::string EncodePageToken(const json::object& state) {
  return Base64Encode(ToJson(json::value(state)), Base64Alphabet::kUrl);
}

Result<json::object> DecodePageToken(std::string_view token, std::string_view kind) {
  auto text = Base64Decode(token, Base64Alphabet::kUrl);
  if (!text) return BadToken();
  auto parsed = ParseJson(*text);
  if (!parsed.ok() || !parsed->is_object()) return BadToken();
  json::object& state = parsed->as_object();
  const json::string* k = FindString(state, "k");
  if (k == nullptr || *k != kind) return BadToken();
  return std::move(state);
}

namespace {

// Reads the members of a decoded token; any missing or mistyped member makes
// the whole token invalid.
class StateReader {
 public:
  explicit StateReader(const json::object& state) : state_(state) {}
  std::string Str(std::string_view key) {
    const json::string* s = FindString(state_, key);
    ok_ = ok_ && s != nullptr;
    return s ? std::string(*s) : std::string();
  }
  int64_t Int(std::string_view key) {
    auto n = FindInt(state_, key);
    ok_ = ok_ && n.has_value();
    return n.value_or(0);
  }
  bool Bool(std::string_view key) {
    auto b = FindBool(state_, key);
    ok_ = ok_ && b.has_value();
    return b.value_or(false);
  }
  bool ok() const { return ok_; }

 private:
  const json::object& state_;
  bool ok_ = true;
};

}  // namespace

std::string EncodeDecisionCursor(const DecisionCursor& c) {
  return EncodePageToken(json::object{{"k", "PollForDecisionTask"},
                                      {"w", c.workflow_id},
                                      {"r", c.run_id},
                                      {"t", c.task_token},
                                      {"s", c.started_event_id},
                                      {"p", c.previous_started_event_id},
                                      {"n", c.next_event_id},
                                      {"rev", c.reverse},
                                      {"sap", c.start_at_previous}});
}

Result<DecisionCursor> DecodeDecisionCursor(std::string_view token) {
  auto state = DecodePageToken(token, "PollForDecisionTask");
  if (!state.ok()) return std::move(state).error();
  StateReader r(*state);
  DecisionCursor c;
  c.workflow_id = r.Str("w");
  c.run_id = r.Str("r");
  c.task_token = r.Str("t");
  c.started_event_id = r.Int("s");
  c.previous_started_event_id = r.Int("p");
  c.next_event_id = r.Int("n");
  c.reverse = r.Bool("rev");
  c.start_at_previous = r.Bool("sap");
  if (!r.ok()) return BadToken();
  return c;
}

std::string EncodeHistoryCursor(const HistoryCursor& c) {
  return EncodePageToken(json::object{{"k", "GetWorkflowExecutionHistory"},
                                      {"d", c.domain},
                                      {"w", c.workflow_id},
                                      {"r", c.run_id},
                                      {"n", c.next_event_id},
                                      {"rev", c.reverse}});
}

Result<HistoryCursor> DecodeHistoryCursor(std::string_view token) {
  auto state = DecodePageToken(token, "GetWorkflowExecutionHistory");
  if (!state.ok()) return std::move(state).error();
  StateReader r(*state);
  HistoryCursor c;
  c.domain = r.Str("d");
  c.workflow_id = r.Str("w");
  c.run_id = r.Str("r");
  c.next_event_id = r.Int("n");
  c.reverse = r.Bool("rev");
  if (!r.ok()) return BadToken();
  return c;
}

KeyPage PageByKey(std::span<const PageKey> keys, bool reverse, const std::optional<PageKey>& after,
                  size_t page_size) {
  KeyPage page;
  size_t n = keys.size();
  if (!reverse) {
    size_t i =
        after ? size_t(std::upper_bound(keys.begin(), keys.end(), *after) - keys.begin()) : 0;
    for (; i < n && page.indices.size() < page_size; ++i) page.indices.push_back(i);
    page.more = i < n;
  } else {
    // Keys strictly below `after`, walked downwards.
    size_t end =
        after ? size_t(std::lower_bound(keys.begin(), keys.end(), *after) - keys.begin()) : n;
    size_t i = end;
    for (; i > 0 && page.indices.size() < page_size; --i) page.indices.push_back(i - 1);
    page.more = i > 0;
  }
  return page;
}

EventPage PageEvents(std::span<const engine::HistoryEvent> events, bool reverse, int64_t from_id,
                     size_t page_size) {
  EventPage page;
  auto by_id = [](const engine::HistoryEvent& e, int64_t id) { return e.id < id; };
  if (!reverse) {
    size_t i = from_id > 0 ? size_t(std::lower_bound(events.begin(), events.end(), from_id, by_id) -
                                    events.begin())
                           : 0;
    for (; i < events.size() && page.indices.size() < page_size; ++i) page.indices.push_back(i);
    if (i < events.size()) page.next_id = events[i].id;
  } else {
    // Events with id <= from_id, walked downwards.
    size_t end = from_id > 0
                     ? size_t(std::lower_bound(events.begin(), events.end(), from_id + 1, by_id) -
                              events.begin())
                     : events.size();
    size_t i = end;
    for (; i > 0 && page.indices.size() < page_size; --i) page.indices.push_back(i - 1);
    if (i > 0) page.next_id = events[i - 1].id;
  }
  return page;
}

}  // namespace weft::swf
