#include "outbound/response_body.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>

namespace weft::outbound {

namespace beast = boost::beast;

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (beast::iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
    type.remove_prefix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
    type.remove_suffix(1);
  std::string out(type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsJsonMediaType(std::string_view media_type) {
  return media_type == "application/json" || media_type.ends_with("+json");
}

bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

json::object HeadersObject(const HeaderList& headers) {
  json::object out;
  for (const auto& [name, value] : headers) {
    json::value& values = out[name];
    if (!values.is_array()) values.emplace_array();
    values.as_array().emplace_back(value);
  }
  return out;
}

json::value BodyValue(const HttpResponse& response, bool json_only) {
  bool try_json = !json_only;
  if (json_only) {
    auto content_type = FindHeader(response.headers, "content-type");
    try_json = content_type && IsJsonMediaType(MediaType(*content_type));
  }
  if (try_json && !response.body.empty()) {
    auto parsed = ParseJson(response.body);
    if (parsed) return std::move(*parsed);
  }
  return json::string(response.body);
}

std::string StatusText(const HttpResponse& response) {
  if (!response.reason.empty()) return response.reason;
  return std::string(beast::http::obsolete_reason(
      beast::http::int_to_status(static_cast<unsigned>(response.status))));
}

std::string CauseText(std::string_view body, size_t limit) {
  if (!IsUtf8(body)) return "(" + std::to_string(body.size()) + " bytes of binary content)";
  if (body.size() <= limit) return std::string(body);
  size_t cut = limit;
  // Cut at a character boundary.
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  return std::string(body.substr(0, cut)) + "... (" + std::to_string(body.size()) + " bytes)";
}

TaskOutcome Succeeded(json::value output) {
  TaskOutcome out;
  out.ok = true;
  out.output = std::move(output);
  return out;
}

TaskOutcome Failed(std::string error, std::string cause) {
  TaskOutcome out;
  out.error = std::move(error);
  out.cause = std::move(cause);
  return out;
}

}  // namespace weft::outbound
