// src/asl/errors.h: the predefined States.* error names and how Retry and
// Catch match them (internal to asl/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft::asl::errors {

inline constexpr std::string_view kAll = "States.ALL";
inline constexpr std::string_view kTaskFailed = "States.TaskFailed";
inline constexpr std::string_view kTimeout = "States.Timeout";
inline constexpr std::string_view kHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr std::string_view kRuntime = "States.Runtime";
inline constexpr std::string_view kDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr std::string_view kNoChoiceMatched = "States.NoChoiceMatched";
inline constexpr std::string_view kExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";
inline constexpr std::string_view kBranchFailed = "States.BranchFailed";

// States.Runtime and States.DataLimitExceeded end the execution: no Retry or
// Catch sees them.
bool IsTerminal(std::string_view error);

// Whether a retrier or catcher with `error_equals` handles `error`:
// an exact name, States.ALL (anything but terminal errors), or
// States.TaskFailed (anything but terminal errors and States.Timeout).
bool Matches(const std::vector<std::string>& error_equals, std::string_view error);

// AWS's prefix for runtime failures of a state:
// "An error occurred while executing the state 'S' (entered at the event id #2). "
std::string StateCausePrefix(std::string_view state_name, int64_t entered_event_id);

}  // namespace weft::asl::errors
