// src/asl/definition_fields.h: typed reads of definition fields that record
// a Diagnostic (with the field's location) instead of failing (internal).
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "asl/definition.h"

namespace weft::asl {

// "a/b" -> "a~1b", "~" -> "~0" (RFC 6901), so that locations stay unambiguous.
std::string EscapePointer(std::string_view name);

// Reports an Assign (the object at `location`) that names a reserved
// variable: "states" ($states, in either query language).
void CheckVariableNames(const json::value& assign, const std::string& location,
                        std::vector<Diagnostic>& diags);

class FieldReader {
 public:
  explicit FieldReader(std::vector<Diagnostic>& diags) : diags_(diags) {}
  std::vector<Diagnostic>& diags() { return diags_; }
  void Add(std::string location, std::string message);

  void CheckAllowed(const json::object& o, const std::string& loc,
                    const std::set<std::string_view>& allowed, const std::string& where);
  // At most one of `keys` may be present.
  void Exclusive(const json::object& o, const std::string& loc,
                 std::initializer_list<const char*> keys);

  std::optional<std::string> String(const json::object& o, const char* key, const std::string& loc,
                                    bool required);
  // An integer in [min, max] (JSON numbers with an integral value).
  std::optional<int64_t> Integer(const json::object& o, const char* key, const std::string& loc,
                                 int64_t min, int64_t max = INT64_MAX);
  std::optional<Path> PathField(const json::object& o, const char* key, const std::string& loc,
                                bool reference);
  IoPath IoPathField(const json::object& o, const char* key, const std::string& loc);
  ResultPathSpec ResultPathField(const json::object& o, const char* key, const std::string& loc);
  ResultPathSpec ResultPathValue(const json::value& v, const std::string& loc);
  // Parameters may be any JSON value; Assign, ResultSelector and Credentials
  // must be objects (`object_only`).
  std::optional<Template> TemplateField(const json::object& o, const char* key,
                                        const std::string& loc, bool object_only);
  std::optional<ValueExpr> ValueExprField(const json::object& o, const char* key,
                                          const std::string& loc);
  std::optional<Retrier> RetrierField(const json::value& v, const std::string& loc, bool last);
  // A JSONata state's catcher has Output and Assign instead of ResultPath.
  std::optional<Catcher> CatcherField(const json::value& v, const std::string& loc, bool last,
                                      bool jsonata);

  // JSONata states. A field whose value may hold "{% %}" expressions at
  // any depth (Arguments, Output, Assign, ...); Assign must be an object.
  std::optional<JsonataTemplate> JsonataField(const json::object& o, const char* key,
                                              const std::string& loc, bool object_only);
  // A field that is a literal of its own kind or one "{% %}" expression:
  // an integer in [min, max] (into `literal`) or an expression (into `expr`).
  void IntegerOrExpression(const json::object& o, const char* key, const std::string& loc,
                           int64_t min, int64_t max, std::optional<int64_t>& literal,
                           std::optional<JsonataTemplate>& expr);
  // The same for a string.
  void StringOrExpression(const json::object& o, const char* key, const std::string& loc,
                          std::optional<std::string>& literal,
                          std::optional<JsonataTemplate>& expr);
  // Reports the fields of the other query language (JSONPath's InputPath,
  // Parameters, ...* Path in a JSONata state; Arguments, Output, Items in a
  // JSONPath one) with a message that says so; returns `allowed` widened by
  // them, for CheckAllowed not to report them again.
  std::set<std::string_view> CheckLanguageFields(const json::object& o, const std::string& loc,
                                                 bool jsonata,
                                                 const std::set<std::string_view>& allowed);

 private:
  // The value of a payload field (Parameters, Assign, Output, ...), or null
  // when absent or not an object where it must be one (reported).
  const json::value* PayloadField(const json::object& o, const char* key, const std::string& loc,
                                  bool object_only);
  bool ErrorEquals(const json::object& o, const std::string& loc, bool last,
                   std::vector<std::string>& out);
  std::vector<Diagnostic>& diags_;
};

}  // namespace weft::asl
