#include "common/base64.h"

#include <array>
#include <cstdint>

namespace weft {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view Letters(Base64Alphabet a) {
  return a == Base64Alphabet::kStandard ? kStandard : kUrl;
}

using Index = std::array<int8_t, 256>;

Index MakeIndex(std::string_view letters) {
  Index index;
  index.fill(-1);
  for (size_t i = 0; i < letters.size(); ++i) {
    index[static_cast<unsigned char>(letters[i])] = static_cast<int8_t>(i);
  }
  return index;
}

const Index& IndexOf(Base64Alphabet a) {
  static const Index standard = MakeIndex(kStandard), url = MakeIndex(kUrl);
  return a == Base64Alphabet::kStandard ? standard : url;
}

}  // namespace

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet) {
  std::string_view letters = Letters(alphabet);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(letters[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(letters[(acc << (6 - bits)) & 63]);
  if (alphabet == Base64Alphabet::kStandard) {
    while (out.size() % 4 != 0) out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text, Base64Alphabet alphabet) {
  if (alphabet == Base64Alphabet::kStandard) {
    if (text.size() % 4 != 0) return std::nullopt;
    size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    text.remove_suffix(pad);
  }
  if (text.size() % 4 == 1) return std::nullopt;  // a lone 6-bit group is no byte
  const Index& index = IndexOf(alphabet);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : text) {
    int v = index[c];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Canonical form only: the unused low bits of the last letter are zero.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace weft
