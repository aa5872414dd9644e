// src/asl/intrinsic_strings.cc: States.Format, StringSplit, Base64Encode,
// Base64Decode, Hash and UUID.
#include <openssl/evp.h>

#include <array>
#include <cstdio>

#include "asl/intrinsic_internal.h"

namespace weft::asl::intrinsic_detail {
namespace {

constexpr size_t kMaxEncodingChars = 10000;  // Base64Encode/Decode and Hash inputs

// Characters (code points) of UTF-8 text.
size_t CharCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// How Format shows a value: AWS formats through Java, so strings appear
// bare and objects as {k=v, k2=v2}.
void AppendFormatted(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      out += v.get_string();
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        AppendFormatted(out, e);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        out += kv.key();
        out += '=';
        AppendFormatted(out, kv.value());
      }
      out += '}';
      return;
    }
    default:
      AppendJson(out, v);
  }
}

Error TooLong(const Call& call, size_t chars) {
  return Failure(call, "the input is " + std::to_string(chars) + " characters long; at most " +
                           std::to_string(kMaxEncodingChars) + " are allowed");
}

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  size_t i = kBase64.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

// Standard alphabet; padding optional (as Java's decoder), but nothing may
// follow it.
std::optional<std::string> DecodeBase64(std::string_view in) {
  size_t end = in.size();
  while (end > 0 && in[end - 1] == '=' && in.size() - end < 2) --end;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    int v = Base64Value(in[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (end % 4 == 1) return std::nullopt;  // a lone 6-bit group is no byte
  if (end != in.size() && (end + (in.size() - end)) % 4 != 0) return std::nullopt;
  return out;
}

std::string EncodeBase64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kBase64[(n >> shift) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kBase64[(n >> 18) & 63]);
    out.push_back(kBase64[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kBase64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

const EVP_MD* Digest(std::string_view algorithm) {
  if (algorithm == "MD5") return EVP_md5();
  if (algorithm == "SHA-1") return EVP_sha1();
  if (algorithm == "SHA-256") return EVP_sha256();
  if (algorithm == "SHA-384") return EVP_sha384();
  if (algorithm == "SHA-512") return EVP_sha512();
  return nullptr;
}

}  // namespace

std::vector<std::string> SplitFormat(std::string_view text, const std::vector<bool>& escaped) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    bool slot = text[i] == '{' && i + 1 < text.size() && text[i + 1] == '}' &&
                (escaped.empty() || (!escaped[i] && !escaped[i + 1]));
    if (slot) {
      parts.emplace_back();
      ++i;
    } else {
      parts.back().push_back(text[i]);
    }
  }
  return parts;
}

Result<json::value> Format(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_string()) return TypeFailure(call, 0, "a string", args[0]);
  std::vector<std::string> dynamic;
  const std::vector<std::string>* parts = &call.format_parts;
  if (parts->empty()) {
    dynamic = SplitFormat(args[0].get_string(), {});
    parts = &dynamic;
  }
  size_t slots = parts->size() - 1;
  if (slots != args.size() - 1)
    return Failure(call, "the template has " + std::to_string(slots) + " '{}' but " +
                             std::to_string(args.size() - 1) + " value(s) were given");
  std::string out = (*parts)[0];
  for (size_t i = 1; i < parts->size(); ++i) {
    AppendFormatted(out, args[i]);
    out += (*parts)[i];
  }
  return json::value(std::move(out));
}

Result<json::value> StringSplit(const Call& call, std::vector<json::value>& args) {
  for (size_t i = 0; i < 2; ++i) {
    if (!args[i].is_string()) return TypeFailure(call, i, "a string", args[i]);
  }
  std::string_view s = args[0].get_string();
  std::string_view delimiters = args[1].get_string();
  json::array out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || delimiters.find(s[i]) != std::string_view::npos) {
      if (i > start) out.push_back(json::string(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return json::value(std::move(out));
}

Result<json::value> Base64Encode(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_string()) return TypeFailure(call, 0, "a string", args[0]);
  std::string_view s = args[0].get_string();
  if (size_t n = CharCount(s); n > kMaxEncodingChars) return TooLong(call, n);
  return json::value(EncodeBase64(s));
}

Result<json::value> Base64Decode(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_string()) return TypeFailure(call, 0, "a string", args[0]);
  std::string_view s = args[0].get_string();
  if (size_t n = CharCount(s); n > kMaxEncodingChars) return TooLong(call, n);
  auto decoded = DecodeBase64(s);
  if (!decoded) return Failure(call, "the argument is not valid base64: " + std::string(s));
  return json::value(std::move(*decoded));
}

Result<json::value> Hash(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_string()) return TypeFailure(call, 0, "a string", args[0]);
  if (!args[1].is_string()) return TypeFailure(call, 1, "a string", args[1]);
  std::string_view data = args[0].get_string();
  if (size_t n = CharCount(data); n > kMaxEncodingChars) return TooLong(call, n);
  const EVP_MD* md = Digest(args[1].get_string());
  if (md == nullptr)
    return Failure(call, "the hash algorithm '" + std::string(args[1].get_string()) +
                             "' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, md, nullptr) != 1)
    return Failure(call, "hashing failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return json::value(std::move(hex));
}

Result<json::value> Uuid(const Call&, std::vector<json::value>&) {
  std::mt19937_64& rng = RandomEngine();
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return json::value(std::string(buf));
}

}  // namespace weft::asl::intrinsic_detail
