#include "engine/task_token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/base64.h"
#include "common/json.h"

namespace weft::engine {
namespace {

constexpr size_t kMacBytes = 16;  // 128 bits: far beyond guessing
constexpr size_t kMaxTokenLength = 1024;

Error Invalid() { return Error(Errc::kInvalidToken, "Invalid token"); }

}  // namespace

std::string TokenSigner::Mac(std::string_view payload) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), std::min<size_t>(length, kMacBytes));
}

std::string TokenSigner::Sign(std::string_view payload) const {
  return Base64Encode(payload, Base64Alphabet::kUrl) + "." +
         Base64Encode(Mac(payload), Base64Alphabet::kUrl);
}

std::optional<std::string> TokenSigner::Verify(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = Base64Decode(token.substr(0, dot), Base64Alphabet::kUrl);
  auto mac = Base64Decode(token.substr(dot + 1), Base64Alphabet::kUrl);
  if (!payload || !mac) return std::nullopt;
  std::string expected = Mac(*payload);
  // Constant time, so that timing tells nothing about a forged mac.
  if (mac->size() != expected.size() ||
      CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return payload;
}

std::string EncodeTaskToken(const TokenSigner& signer, const TaskToken& t) {
  json::array a{std::string(1, t.kind), t.domain,          t.workflow_id, t.run_id,
                t.scheduled_event_id,   t.started_event_id};
  return signer.Sign("w1" + ToJson(a));
}

Result<TaskToken> DecodeTaskToken(const TokenSigner& signer, std::string_view text) {
  auto raw = signer.Verify(text);
  if (!raw || raw->rfind("w1", 0) != 0) return Invalid();
  auto v = ParseJson(std::string_view(*raw).substr(2));
  if (!v.ok() || !v->is_array()) return Invalid();
  const auto& a = v->as_array();
  if (a.size() != 6 || !a[0].is_string() || !a[1].is_string() || !a[2].is_string() ||
      !a[3].is_string() || !a[4].is_int64() || !a[5].is_int64()) {
    return Invalid();
  }
  TaskToken t;
  t.kind = a[0].as_string().empty() ? '?' : a[0].as_string()[0];
  if (t.kind != 'a' && t.kind != 'd') return Invalid();
  t.domain = a[1].as_string();
  t.workflow_id = a[2].as_string();
  t.run_id = a[3].as_string();
  t.scheduled_event_id = a[4].as_int64();
  t.started_event_id = a[5].as_int64();
  return t;
}

std::string EncodeMachineTaskToken(const TokenSigner& signer, std::string_view execution_arn,
                                   std::string_view task) {
  json::array a{execution_arn, task};
  return signer.Sign("s1" + ToJson(a));
}

Result<MachineTaskToken> DecodeMachineTaskToken(const TokenSigner& signer, std::string_view text) {
  auto raw = signer.Verify(text);
  if (!raw || raw->rfind("s1", 0) != 0) return Invalid();
  auto v = ParseJson(std::string_view(*raw).substr(2));
  if (!v.ok() || !v->is_array() || v->as_array().size() != 2 || !v->as_array()[0].is_string() ||
      !v->as_array()[1].is_string()) {
    return Invalid();
  }
  const auto& a = v->as_array();
  return MachineTaskToken{std::string(a[0].as_string()), std::string(a[1].as_string())};
}

}  // namespace weft::engine
