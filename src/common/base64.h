// src/common/base64.h: base64 (RFC 4648) for opaque tokens weft hands out
// (task tokens, page tokens). One implementation for the whole program.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weft {

enum class Base64Alphabet {
  kStandard,  // A-Z a-z 0-9 + /, padded with '='
  kUrl,       // A-Z a-z 0-9 - _, unpadded: safe in URLs and JSON without escapes
};

std::string Base64Encode(std::string_view bytes,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);
// nullopt unless `text` is exactly what Base64Encode makes for some bytes in
// that alphabet (padding required for kStandard, absent for kUrl).
std::optional<std::string> Base64Decode(std::string_view text,
                                        Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace weft
