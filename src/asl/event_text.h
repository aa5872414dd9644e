// Internal: history event details written directly as JSON text, the form
// HistoryEvent::details_json holds (asl/asl.h), without building json
// objects. Thread-safe: ToJsonView keeps one buffer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"

namespace weft::asl {

// ToJson(v) in a per-thread buffer: valid until the next call on this thread.
std::string_view ToJsonView(const json::value& v);
// `text` as a quoted, escaped JSON string (as AppendJsonString writes it):
// a StateExited output and the next StateEntered input share one.
json::string QuoteJson(std::string_view text);
// QuoteJson(ToJson(v)) in one pass, without the intermediate text. Uses the
// same per-thread buffer as ToJsonView (a view from it becomes invalid).
json::string QuoteJsonOf(const json::value& v);

// Writes an event's details object as compact JSON text, member by member,
// in the order of the calls. Keys are literals that need no escaping.
class DetailsText {
 public:
  explicit DetailsText(size_t reserve = 64);
  DetailsText& Str(std::string_view key, std::string_view value);  // "key":"value"
  // "key":<quoted>, where `quoted` is QuoteJson's result.
  DetailsText& Quoted(std::string_view key, std::string_view quoted) { return Raw(key, quoted); }
  DetailsText& Raw(std::string_view key, std::string_view json_text);
  DetailsText& Int(std::string_view key, int64_t value);
  DetailsText& NotTruncated(std::string_view key);  // "key":{"truncated":false}
  // "key":{"<name>":"<value as JSON text>",...}, as assignedVariables.
  DetailsText& TextsOf(std::string_view key, const json::object& values);
  std::string Take();  // closes the object

 private:
  void Key(std::string_view key);
  std::string text_;
};
// Room for a JSON string member holding `text` (escapes add a little).
inline size_t DetailsRoom(size_t text_bytes) { return text_bytes + text_bytes / 4 + 96; }

}  // namespace weft::asl
