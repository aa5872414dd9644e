// src/store/sqlite/base64.h: standard base64 (RFC 4648, with padding), for
// opaque page tokens. Internal to store/sqlite.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace weft::store::sqlite {

std::string Base64Encode(std::string_view bytes);
// nullopt when `text` is not padded base64 of the standard alphabet.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace weft::store::sqlite
