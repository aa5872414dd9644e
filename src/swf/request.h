// src/swf/request.h (internal): the SWF model's constraints used by many
// operations, on top of the shared RequestReader (common/request.h).
#pragma once

#include "common/request.h"

namespace weft::swf {

using weft::CharCount;
using weft::EnumValues;
using weft::IsValidSwfName;
using weft::Length;
using weft::RequestReader;

// The length limits of the model's string shapes used in several places.
inline constexpr Length kDomainNameLen{1, 256};
inline constexpr Length kNameLen{1, 256};
inline constexpr Length kVersionLen{1, 64};
inline constexpr Length kDescriptionLen{0, 1024};
inline constexpr Length kDataLen{0, 32768};
inline constexpr Length kLimitedDataLen{0, 2048};
inline constexpr Length kDurationLen{0, 8};
inline constexpr Length kArnLen{1, 1600};
inline constexpr Length kIdentityLen{0, 256};
inline constexpr Length kWorkflowIdLen{1, 256};
inline constexpr Length kRunIdOptionalLen{0, 64};
inline constexpr Length kRunIdLen{1, 64};
inline constexpr Length kTaskTokenLen{1, 1024};
inline constexpr Length kPageTokenLen{0, 2048};
inline constexpr Length kReasonLen{0, 256};
inline constexpr Length kTagLen{0, 256};

inline constexpr std::string_view kRegistrationStatusValues[] = {"REGISTERED", "DEPRECATED"};
inline constexpr std::string_view kChildPolicyValues[] = {"TERMINATE", "REQUEST_CANCEL", "ABANDON"};
inline constexpr std::string_view kCloseStatusValues[] = {
    "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"};
inline constexpr EnumValues kRegistrationStatuses = kRegistrationStatusValues;
inline constexpr EnumValues kChildPolicies = kChildPolicyValues;
inline constexpr EnumValues kCloseStatuses = kCloseStatusValues;

}  // namespace weft::swf
