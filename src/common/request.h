// src/common/request.h: reads typed members out of an AWS JSON request (SWF, Step Functions)
// and checks them against the constraints of the API model.
//
// Problems are collected rather than returned one by one, so that a request
// with several faults gets one ValidationException naming them all, worded
// as AWS words them:
//   "1 validation error detected: Value 'x' at 'registrationStatus' failed to
//    satisfy constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]"
// A reader for a nested object (Object/OptObject) shares its parent's list and
// names members by their dotted path ('workflowType.name').
//
// Not thread-safe; a reader lives for one request. It borrows the request
// object, which must outlive it.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/json.h"

namespace weft {

// Inclusive bounds on a string's length in characters (code points).
struct Length {
  size_t min = 0;
  size_t max = std::numeric_limits<size_t>::max();
};

using EnumValues = std::span<const std::string_view>;

// True when `s` is acceptable where the model says "must not contain a :
// (colon), / (slash), | (vertical bar), or any control characters
// (\u0000-\u001f | \u007f-\u009f). Also, it must not be the literal string arn."
bool IsValidSwfName(std::string_view s);
// The number of code points in UTF-8 text (continuation bytes not counted).
size_t CharCount(std::string_view s);

class RequestReader {
 public:
  explicit RequestReader(const json::object& request);

  // Strings. The required forms report a missing member and return "".
  std::string String(std::string_view name, Length length);
  std::optional<std::string> OptString(std::string_view name, Length length);
  // Like String, also applying IsValidSwfName (names that become identifiers).
  std::string Name(std::string_view name, Length length);
  std::optional<std::string> OptName(std::string_view name, Length length);
  std::string Enum(std::string_view name, EnumValues values);
  std::optional<std::string> OptEnum(std::string_view name, EnumValues values);
  // A duration in seconds as the model's DurationInSecondsOptional: a
  // non-negative integer or "NONE", at most 8 characters.
  std::optional<std::string> OptDuration(std::string_view name);
  // An execution's start-to-close timeout: a duration that is not "NONE" and
  // at most one year (31536000 s), as the model documents for
  // StartWorkflowExecution and RegisterWorkflowType's default.
  std::optional<std::string> OptExecutionTimeout(std::string_view name);
  // TaskPriority: an integer from INT32_MIN to INT32_MAX, as a string.
  std::optional<std::string> OptPriority(std::string_view name);

  std::optional<int64_t> OptInt(std::string_view name, int64_t min, int64_t max);
  std::optional<bool> OptBool(std::string_view name);
  // Epoch seconds (integer or fraction) to milliseconds.
  std::optional<Millis> OptTimestamp(std::string_view name);
  Millis Timestamp(std::string_view name);  // required; 0 when missing

  // A nested structure. Object() reports a missing one and returns a reader
  // that reports nothing more (its members' absence follows from the
  // parent's); OptObject() returns nullopt when absent.
  RequestReader Object(std::string_view name);
  std::optional<RequestReader> OptObject(std::string_view name);
  // A list; reports a non-array or more than max_items elements. Elements are
  // not checked: use Element() readers or the *At helpers.
  const json::array* OptArray(std::string_view name, size_t max_items);
  const json::array* Array(std::string_view name, size_t max_items);
  // A reader for element `index` of an array member (which must be objects).
  std::optional<RequestReader> ObjectAt(std::string_view array_name, const json::array& array,
                                        size_t index);
  // The same, named as AWS names list members in its messages
  // ('decisions.1.member.decisionType').
  std::optional<RequestReader> MemberAt(std::string_view array_name, const json::array& array,
                                        size_t index);
  // A string element of an array member.
  std::optional<std::string> StringAt(std::string_view array_name, const json::array& array,
                                      size_t index, Length length);

  bool Has(std::string_view name) const;
  // The dotted path of a member of this reader ('execution.workflowId').
  std::string PathOf(std::string_view name) const;

  // Records a problem found by the caller (a cross-member rule).
  void AddError(std::string message);
  // Ok, or one ValidationException listing every problem found.
  Status Finish() const;
  size_t error_count() const { return errors_->size(); }

 private:
  RequestReader(const json::object* object, std::string prefix,
                std::shared_ptr<std::vector<std::string>> errors, bool silent);

  // The member, or nullptr (a missing required member is reported).
  const json::value* Get(std::string_view name, bool required);
  const json::string* GetString(std::string_view name, bool required);
  void AddConstraint(std::string_view name, std::string_view value_repr,
                     std::string_view constraint);
  bool CheckLength(std::string_view name, std::string_view value, Length length);

  const json::object* object_;
  std::string prefix_;
  std::shared_ptr<std::vector<std::string>> errors_;
  bool silent_;  // the object itself was missing: report nothing about it
};

}  // namespace weft
