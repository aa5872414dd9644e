// Error-name matching for Retry and Catch (asl/errors.h).
#include "asl/errors.h"

namespace weft::asl::errors {

bool IsTerminal(std::string_view error) { return error == kRuntime || error == kDataLimitExceeded; }

bool Matches(const std::vector<std::string>& error_equals, std::string_view error) {
  if (IsTerminal(error)) return false;
  for (const auto& name : error_equals) {
    if (name == error || name == kAll) return true;
    if (name == kTaskFailed && error != kTimeout) return true;
  }
  return false;
}

std::string StateCausePrefix(std::string_view state_name, int64_t entered_event_id) {
  return "An error occurred while executing the state '" + std::string(state_name) +
         "' (entered at the event id #" + std::to_string(entered_event_id) + "). ";
}

}  // namespace weft::asl::errors
