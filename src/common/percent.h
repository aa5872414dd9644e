// src/common/percent.h: percent-encoding (RFC 3986) and query strings, for
// what builds URLs (outbound HTTP tasks) and what reads or signs them (SigV4,
// presigned URLs, the console's event stream).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace weft {

// Unreserved characters (A-Z a-z 0-9 - . _ ~) stay, all else is %XX;
// `keep_slash` keeps '/' too (a path).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

// %XX sequences decoded; a '%' not followed by two hex digits stays. With
// `plus_is_space`, '+' is a space (form encoding, as browsers send queries).
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// The decoded name=value pairs of the query of `target` (path?query), the
// form way ('+' is a space); a pair without '=' is left out.
std::map<std::string, std::string> QueryParameters(std::string_view target);

}  // namespace weft
