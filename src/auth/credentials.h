// src/auth/credentials.h: the access keys of `weft server --credentials
// FILE`, and the check every request goes through when there are keys.
//
// The file: {"keys": [{"accessKeyId": "...", "secretAccessKey": "...",
// "name": "ci-bot", "policy": {IAM policy document}}]}. Every key needs a
// policy (a key that may do everything says so: Allow swf:* and states:* on
// *). A file that cannot be read gets a located error and changes nothing.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/policy.h"
#include "auth/sigv4.h"
#include "common/clock.h"
#include "common/error.h"

namespace weft::auth {

struct AccessKey {
  std::string access_key_id;
  std::string secret;
  std::string name;
  Policy policy;
};

// One loaded file, immutable.
class KeySet {
 public:
  static Result<std::shared_ptr<const KeySet>> Parse(std::string_view text);
  static Result<std::shared_ptr<const KeySet>> Load(const std::string& path);
  const AccessKey* Find(std::string_view access_key_id) const;
  size_t size() const { return keys_.size(); }

 private:
  std::unordered_map<std::string, AccessKey> keys_;
};

// What a checked request may go on with: who is calling.
struct Caller {
  std::string access_key_id;
  std::string name;
  std::string region;
};

// The keys in force (replaced whole on reload) and the checks: signature,
// then permission. Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(std::shared_ptr<const KeySet> keys) : keys_(std::move(keys)) {}

  // Keeps the old keys when the new file is refused.
  Status Reload(const std::string& path);

  // The caller of a signed request, or AWS's fault for it (unknown key,
  // missing, incomplete, expired or wrong signature).
  Result<Caller> Authenticate(const SignedRequest& request, std::string_view authorization,
                              std::string_view service, Millis now);
  // The same for a presigned GET (the console's live-update stream).
  Result<Caller> AuthenticatePresigned(const SignedRequest& request, std::string_view service,
                                       Millis now);

  // Whether `caller` may do `action` on `resource`; the refusal's message
  // names the key, the action and the resource.
  Status Authorize(const Caller& caller, std::string_view action, std::string_view resource) const;

 private:
  std::shared_ptr<const KeySet> Keys() const;
  Result<Caller> Check(Result<Authorization> auth, const SignedRequest& request,
                       std::string_view service, Millis now, bool presigned);

  mutable std::mutex mu_;
  std::shared_ptr<const KeySet> keys_;  // guarded by mu_
  Verifier verifier_;
};

// A new key pair in the file's format (`weft keys new`): 20-character id
// starting AKIA, 40-character secret, from the system's random source.
std::string NewKeyEntry(const std::string& name, const json::value& policy);

}  // namespace weft::auth
