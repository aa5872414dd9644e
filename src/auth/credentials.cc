#include "auth/credentials.h"

#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "common/json.h"

namespace weft::auth {
namespace {

std::string RandomText(size_t n, std::string_view alphabet) {
  std::string out(n, ' ');
  unsigned char bytes[64];
  RAND_bytes(bytes, static_cast<int>(n));
  for (size_t i = 0; i < n; ++i) out[i] = alphabet[bytes[i] % alphabet.size()];
  return out;
}

Error UnknownKey() {
  return Error(Errc::kValidation, "UnrecognizedClientException",
               "The security token included in the request is invalid.");
}

}  // namespace

Result<std::shared_ptr<const KeySet>> KeySet::Parse(std::string_view text) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return Error::Validation("credentials: not valid JSON: " + doc.error().message());
  if (!doc->is_object() || !doc->as_object().contains("keys") ||
      !doc->as_object().at("keys").is_array()) {
    return Error::Validation("credentials: must be an object with a \"keys\" list");
  }
  auto set = std::make_shared<KeySet>();
  const auto& keys = doc->as_object().at("keys").as_array();
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string where = "credentials.keys[" + std::to_string(i) + "]";
    if (!keys[i].is_object()) return Error::Validation(where + ": must be an object");
    const auto& k = keys[i].as_object();
    AccessKey key;
    for (auto [field, target] :
         {std::pair{"accessKeyId", &key.access_key_id}, std::pair{"secretAccessKey", &key.secret},
          std::pair{"name", &key.name}}) {
      const auto* v = k.if_contains(field);
      if (!v || !v->is_string() || v->as_string().empty())
        return Error::Validation(where + "." + field + ": a non-empty string is required");
      *target = std::string(v->as_string());
    }
    if (key.access_key_id.size() < 16 || key.secret.size() < 16) {
      return Error::Validation(where +
                               ": accessKeyId and secretAccessKey must be at least 16 "
                               "characters (weft keys new makes them)");
    }
    const auto* policy = k.if_contains("policy");
    if (!policy) {
      return Error::Validation(where +
                               ".policy: is required (a key that may do everything: "
                               "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
                               "\"Allow\", \"Action\": [\"swf:*\", \"states:*\"], \"Resource\": "
                               "\"*\"}]})");
    }
    auto parsed = Policy::Parse(*policy);
    if (!parsed.ok()) return Error::Validation(where + "." + parsed.error().message());
    key.policy = std::move(*parsed);
    if (set->keys_.contains(key.access_key_id))
      return Error::Validation(where + ".accessKeyId: '" + key.access_key_id + "' is listed twice");
    std::string id = key.access_key_id;
    set->keys_.emplace(std::move(id), std::move(key));
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

Result<std::shared_ptr<const KeySet>> KeySet::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Validation(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto set = Parse(text.str());
  if (!set.ok()) return Error::Validation(path + ": " + set.error().message());
  return set;
}

const AccessKey* KeySet::Find(std::string_view access_key_id) const {
  auto it = keys_.find(std::string(access_key_id));
  return it == keys_.end() ? nullptr : &it->second;
}

Status Authenticator::Reload(const std::string& path) {
  auto set = KeySet::Load(path);
  if (!set.ok()) return set.error();
  std::lock_guard lock(mu_);
  keys_ = std::move(*set);
  return {};
}

std::shared_ptr<const KeySet> Authenticator::Keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

Result<Caller> Authenticator::Authenticate(const SignedRequest& request,
                                           std::string_view authorization, std::string_view service,
                                           Millis now) {
  return Check(ParseAuthorization(authorization), request, service, now, false);
}

Result<Caller> Authenticator::AuthenticatePresigned(const SignedRequest& request,
                                                    std::string_view service, Millis now) {
  return Check(ParsePresigned(request.target), request, service, now, true);
}

Result<Caller> Authenticator::Check(Result<Authorization> auth, const SignedRequest& request,
                                    std::string_view service, Millis now, bool presigned) {
  if (!auth.ok()) return auth.error();
  auto keys = Keys();
  const AccessKey* key = keys->Find(auth->access_key_id);
  if (!key) return UnknownKey();
  Status s = presigned ? verifier_.VerifyPresigned(request, *auth, key->secret, service, now)
                       : verifier_.Verify(request, *auth, key->secret, service, now);
  if (!s.ok()) return s.error();
  return Caller{key->access_key_id, key->name, auth->region};
}

Status Authenticator::Authorize(const Caller& caller, std::string_view action,
                                std::string_view resource) const {
  auto keys = Keys();
  const AccessKey* key = keys->Find(caller.access_key_id);
  if (!key) return UnknownKey();  // removed by a reload since the signature was checked
  auto decision = key->policy.Evaluate(action, resource);
  if (decision == Policy::Decision::kAllow) return {};
  return Error(Errc::kValidation, "",
               "User: " + caller.name + " (access key " + caller.access_key_id +
                   ") is not authorized to perform: " + std::string(action) +
                   " on resource: " + std::string(resource) +
                   (decision == Policy::Decision::kExplicitDeny
                        ? " with an explicit deny in its policy"
                        : " because no statement of its policy allows it"));
}

std::string NewKeyEntry(const std::string& name, const json::value& policy) {
  json::object key{
      {"accessKeyId", "AKIA" + RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")},
      {"secretAccessKey",
       RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")},
      {"name", name},
      {"policy", policy}};
  return json::serialize(json::object{{"keys", json::array{key}}});
}

}  // namespace weft::auth
