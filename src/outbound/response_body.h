// src/outbound/response_body.h: reading an HttpResponse for a task's output
// (internal to the module; shared by the HTTP Task and Lambda tasks).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "outbound/outbound.h"

namespace weft::outbound {

// The first value of header `name` (case-insensitive), if any.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

// The media type of a Content-Type value, lower-cased, without parameters:
// "Application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type);

// application/json or any */*+json type.
bool IsJsonMediaType(std::string_view media_type);

bool IsUtf8(std::string_view text);

// The headers as {"name": ["value", ...]}, names as received, a repeated
// name's values together in order.
json::object HeadersObject(const HeaderList& headers);

// The body as JSON if it parses as JSON (or as text when it does not);
// json_only: parse only when the content type says JSON.
json::value BodyValue(const HttpResponse& response, bool json_only);

// The reason phrase, or the standard one for the status when the server sent
// none.
std::string StatusText(const HttpResponse& response);

// Text for an error cause: the body, cut to `limit` bytes, or a note that it
// is binary.
std::string CauseText(std::string_view body, size_t limit);

TaskOutcome Succeeded(json::value output);
TaskOutcome Failed(std::string error, std::string cause);

}  // namespace weft::outbound
