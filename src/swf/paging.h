// src/swf/paging.h (internal): nextPageToken and the page arithmetic of the
// SWF list operations, as pure functions.
//
// A page token is opaque to clients: base64url (no padding) of a small JSON
// object whose "k" names the operation family that issued it, so that a
// token from one operation is refused by another (ValidationException).
// Lists of registered things page by key (the last name/version returned),
// histories by event id: both stay correct when entries are added between
// calls.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "engine/history_event.h"

namespace weft::swf {

inline constexpr int64_t kDefaultPageSize = 1000;

// maximumPageSize as the model means it: absent or 0 -> 1000.
size_t EffectivePageSize(std::optional<int64_t> requested);

std::string EncodePageToken(const json::object& state);
// The state inside a token issued with state["k"] == kind. Errors:
// ValidationException for anything else.
Result<json::object> DecodePageToken(std::string_view token, std::string_view kind);

// A registered thing's position in a listing: (name, version); version is ""
// for domains.
using PageKey = std::pair<std::string, std::string>;

// One page of `keys` (sorted ascending, unique). reverse walks from the end;
// `after` is the last key of the previous page (nullopt: the first page).
// Returns the indices of the page's keys in output order and whether more
// follow.
struct KeyPage {
  std::vector<size_t> indices;
  bool more = false;
};
KeyPage PageByKey(std::span<const PageKey> keys, bool reverse, const std::optional<PageKey>& after,
                  size_t page_size);

// One page of a history (`events` ascending by id). `from_id` is the first
// event id of this page in the walking direction (0: from the start, or from
// the end when reverse). Returns indices into `events` in output order and
// the id the next page starts at (0: none).
struct EventPage {
  std::vector<size_t> indices;
  int64_t next_id = 0;
};
EventPage PageEvents(std::span<const engine::HistoryEvent> events, bool reverse, int64_t from_id,
                     size_t page_size);

// Where the next page of a decision task's history starts: all that
// PollForDecisionTask needs to answer a call with nextPageToken without
// polling again (the task stays the one the first page handed out). Kept
// small so that it fits the model's 2048-character PageToken even with a
// 1024-character task token and a 256-character workflowId: the domain comes
// with the request and the workflow type from the history's first event.
struct DecisionCursor {
  std::string workflow_id, run_id, task_token;
  int64_t started_event_id = 0;
  int64_t previous_started_event_id = 0;
  int64_t next_event_id = 0;
  bool reverse = false;
  bool start_at_previous = false;
};
std::string EncodeDecisionCursor(const DecisionCursor& cursor);
Result<DecisionCursor> DecodeDecisionCursor(std::string_view token);

// The next page of GetWorkflowExecutionHistory.
struct HistoryCursor {
  std::string domain, workflow_id, run_id;
  int64_t next_event_id = 0;
  bool reverse = false;
};
std::string EncodeHistoryCursor(const HistoryCursor& cursor);
Result<HistoryCursor> DecodeHistoryCursor(std::string_view token);

}  // namespace weft::swf
