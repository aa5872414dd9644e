// src/outbound/url.h: URLs and URL encoding for outbound requests (internal
// to the module).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/json.h"
#include "common/percent.h"

namespace weft::outbound {

struct Url {
  bool tls = false;                // https
  std::string host;                // without brackets for an IPv6 literal
  uint16_t port = 0;               // the scheme's default when the URL names none
  std::string target;              // path and query, "/" at least; never the fragment
  std::string HostHeader() const;  // host[:port], the port only if not default
  std::string Authority() const;   // host:port, for messages
};

// Parses an absolute http:// or https:// URL. Credentials in the URL
// (user:pass@) are refused: they would end up in histories.
Result<Url> ParseUrl(std::string_view text);

// RFC 3986 percent-encoding (common/percent.h).
using weft::PercentEncode;

// How arrays are written by FormEncode (the HTTP Task's ArrayFormat).
enum class ArrayFormat { kIndices, kRepeat, kCommas, kBrackets };

// Encodes a JSON object as application/x-www-form-urlencoded pairs joined by
// '&': nested objects as a[b]=c, arrays per `format`, numbers and booleans as
// their JSON text, null as an empty value.
std::string FormEncode(const json::object& object, ArrayFormat format);

// A query or header value from JSON: a string as is, anything else as JSON.
std::string ScalarText(const json::value& v);

}  // namespace weft::outbound
