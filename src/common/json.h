// src/common/json.h: JSON for weft, on Boost.JSON.
//
// Use these instead of boost::json::serialize: Boost 1.81 writes doubles in
// scientific notation ("1E-1"); AWS and people expect "0.1". Parse() turns a
// syntax error into a ValidationException naming where the text broke.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace weft {

namespace json = boost::json;

// Compact JSON text; doubles in their shortest round-trip form ("0.1", "1e+21");
// a double with an integral value keeps a fraction (1.0 -> "1.0") so that its
// type survives a round trip. Object members keep their order.
std::string ToJson(const json::value& v);
// The same for an object or array, without copying it into a json::value.
std::string ToJson(const json::object& o);
std::string ToJson(const json::array& a);
void AppendJson(std::string& out, const json::value& v);
void AppendJson(std::string& out, const json::object& o);
void AppendJson(std::string& out, const json::array& a);
// Appends s as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view s);
// `s` with every byte sequence that is not well-formed UTF-8 replaced by
// U+FFFD, so that text echoed from a request (an error message) is valid
// JSON whatever the request held.
std::string ValidUtf8(std::string_view s);

// Parses JSON text. Errors: ValidationException with the byte offset.
Result<json::value> ParseJson(std::string_view text);

// Lookups that return nullptr / nullopt when the member is absent or of
// another type.
const json::value* Find(const json::object& o, std::string_view key);
const json::string* FindString(const json::object& o, std::string_view key);
const json::object* FindObject(const json::object& o, std::string_view key);
const json::array* FindArray(const json::object& o, std::string_view key);
std::optional<int64_t> FindInt(const json::object& o, std::string_view key);
std::optional<bool> FindBool(const json::object& o, std::string_view key);

// The JSON type name as AWS messages spell it ("string", "object", ...).
std::string_view KindName(json::kind k);

}  // namespace weft
