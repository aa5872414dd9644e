// src/common/ids.h: identifiers weft makes up (run ids, task tokens, request
// ids). Random, thread-safe, never reused in practice.
#pragma once

#include <cstdint>
#include <string>

namespace weft {

// A random UUID v4 in its canonical 36-character form.
std::string NewUuid();

// A random id of `length` characters from [0-9A-Za-z], e.g. SWF run ids.
std::string NewRandomId(size_t length);

// A uniformly random 64-bit number from a per-thread generator.
uint64_t RandomU64();

}  // namespace weft
