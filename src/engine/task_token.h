// src/engine/task_token.h: task tokens of both front doors.
//
// A token names the execution and the task it was issued for, and is signed
// with HMAC-SHA256 under a secret created once per store (Engine::Recover
// keeps it in the registry), so it cannot be guessed, forged, or edited to
// point at another execution, domain or task: a token that fails the check is
// Errc::kInvalidToken. Inside, SWF tokens name the task's scheduled and
// started events, so that a token of a task that has since closed, timed out
// or been retried is recognised as stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace weft::engine {

class TokenSigner {
 public:
  // `key`: the secret bytes (32 random bytes).
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}
  // base64url(payload) "." base64url(first 16 bytes of HMAC-SHA256(payload)).
  std::string Sign(std::string_view payload) const;
  // The payload of a token Sign made with this key; nullopt otherwise.
  std::optional<std::string> Verify(std::string_view token) const;

 private:
  std::string Mac(std::string_view payload) const;
  std::string key_;
};

// SWF decision and activity task tokens.
struct TaskToken {
  char kind = 'a';  // 'd' decision task, 'a' activity task
  std::string domain;
  std::string workflow_id;
  std::string run_id;
  int64_t scheduled_event_id = 0;
  int64_t started_event_id = 0;
};

std::string EncodeTaskToken(const TokenSigner& signer, const TaskToken& token);
// kInvalidToken for anything that is not a token this store's engine made.
Result<TaskToken> DecodeTaskToken(const TokenSigner& signer, std::string_view text);

// Step Functions task tokens ($$.Task.Token): the execution's ARN and the
// interpreter's own token for the task (unique within the execution).
std::string EncodeMachineTaskToken(const TokenSigner& signer, std::string_view execution_arn,
                                   std::string_view task);
struct MachineTaskToken {
  std::string execution_arn;
  std::string task;
};
Result<MachineTaskToken> DecodeMachineTaskToken(const TokenSigner& signer, std::string_view text);

}  // namespace weft::engine
