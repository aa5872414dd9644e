// What the registry-backed operations share (resources.h): entries, tags,
// paging by name, state machine ARNs and lookups.
#include "sfn/ops/resources.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "common/base64.h"

namespace weft::sfn {
namespace {

constexpr Length kTagKeyLen{1, 128};
constexpr Length kTagValueLen{0, 256};

// "Tags may only contain Unicode letters, digits, white space, or these
// symbols: _ . : / = + - @" (the model). Bytes >= 0x80 (non-ASCII letters) pass.
bool IsValidTagText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || std::isalnum(c) || std::isspace(c) ||
           std::string_view("_.:/=+-@").find(ch) != std::string_view::npos;
  });
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

net::awaitable<Result<Entry>> UpdateEntry(OpContext& ctx, std::string_view kind,
                                          std::string_view scope, std::string_view name,
                                          Mutation mutate) {
  std::string kind_name(kind), scope_name(scope), entry_name(name), version;
  auto written = co_await ctx.engine.registry().Update(std::move(kind_name), std::move(scope_name),
                                                       std::move(entry_name), std::move(version),
                                                       std::move(mutate));
  co_return written;
}

Entry NewEntry(std::string_view kind, std::string scope, std::string name, std::string status,
               Millis created, json::object data) {
  Entry entry;
  entry.record.kind = std::string(kind);
  entry.record.scope = std::move(scope);
  entry.record.name = std::move(name);
  entry.record.status = std::move(status);
  entry.record.created = created;
  entry.record.data = ToJson(data);
  entry.data = std::move(data);
  return entry;
}

Entry WithData(Entry entry, json::object data, std::optional<std::string> status) {
  if (status) entry.record.status = std::move(*status);
  entry.record.data = ToJson(data);
  entry.data = std::move(data);
  return entry;
}

std::optional<json::object> ReadEncryption(RequestReader& r) {
  static constexpr auto kTypes =
      std::to_array<std::string_view>({"AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"});
  auto enc = r.OptObject("encryptionConfiguration");
  if (!enc) return std::nullopt;
  json::object out{{"type", enc->Enum("type", kTypes)}};
  if (auto key = enc->OptString("kmsKeyId", {1, 2048})) out["kmsKeyId"] = *key;
  if (auto period = enc->OptInt("kmsDataKeyReusePeriodSeconds", 60, 900)) {
    out["kmsDataKeyReusePeriodSeconds"] = *period;
  }
  return out;
}

// ---- tags ----

json::object ReadTags(RequestReader& r, const json::array& tags) {
  json::object out;
  for (size_t i = 0; i < tags.size(); ++i) {
    auto tag = r.ObjectAt("tags", tags, i);
    if (!tag) continue;
    std::string key = tag->String("key", kTagKeyLen);
    std::string value = tag->OptString("value", kTagValueLen).value_or("");
    if (!IsValidTagText(key) || !IsValidTagText(value)) {
      tag->AddError("Value at '" + tag->PathOf("key") +
                    "' failed to satisfy constraint: Tags may only contain Unicode letters, "
                    "digits, white space, or these symbols: _ . : / = + - @");
      continue;
    }
    if (!key.empty()) out[key] = value;
  }
  return out;
}

json::array TagListJson(const json::object& tags) {
  json::array out;
  for (const auto& kv : tags) out.push_back(json::object{{"key", kv.key()}, {"value", kv.value()}});
  return out;
}

Error TooManyTags(std::string_view arn) {
  Error e = Fault(Errc::kLimitExceeded, "TooManyTags",
                  "Too many tags: a resource can have at most " + std::to_string(kMaxTags) +
                      " tags ('" + std::string(arn) + "')");
  return e;
}

// ---- paging ----

Result<NamePage> PageNames(const std::vector<std::string>& names, const PageRequest& page,
                           std::string_view kind) {
  size_t start = 0;
  if (!page.next_token.empty()) {
    auto text = Base64Decode(page.next_token, Base64Alphabet::kUrl);
    auto parsed = text ? ParseJson(*text) : Result<json::value>(Error::Validation(""));
    const json::string* k =
        parsed.ok() && parsed->is_object() ? FindString(parsed->as_object(), "k") : nullptr;
    const json::string* after =
        parsed.ok() && parsed->is_object() ? FindString(parsed->as_object(), "a") : nullptr;
    if (k == nullptr || *k != kind || after == nullptr) return InvalidPageToken(page.next_token);
    start = static_cast<size_t>(std::upper_bound(names.begin(), names.end(), std::string(*after)) -
                                names.begin());
  }
  NamePage out;
  size_t size = static_cast<size_t>(page.max_results);
  for (size_t i = start; i < names.size() && out.indices.size() < size; ++i)
    out.indices.push_back(i);
  if (!out.indices.empty() && out.indices.back() + 1 < names.size()) {
    json::object state{{"k", kind}, {"a", names[out.indices.back()]}};
    out.next_token = Base64Encode(ToJson(state), Base64Alphabet::kUrl);
  }
  return out;
}

// ---- state machines ----

bool StateMachineRef::is_version() const { return IsDigits(qualifier); }

Result<StateMachineRef> ParseStateMachineArn(const OpContext& ctx, std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  if (arn->type != "stateMachine" || arn->parts.size() > 2 ||
      (arn->parts.size() == 2 && arn->parts[1].empty())) {
    return InvalidArn(text);
  }
  StateMachineRef ref;
  ref.region = arn->region;
  ref.name = arn->parts[0];
  if (arn->parts.size() == 2) ref.qualifier = arn->parts[1];
  ref.arn = "arn:aws:states:" + ref.region + ":" + arn->account + ":stateMachine:" + ref.name;
  (void)ctx;
  return ref;
}

Error StateMachineDoesNotExist(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "StateMachineDoesNotExist",
               "State Machine Does Not Exist: '" + std::string(arn) + "'");
}

Error StateMachineDeleting(std::string_view arn) {
  return Fault(Errc::kConflict, "StateMachineDeleting",
               "State Machine is being deleted: '" + std::string(arn) + "'");
}

Result<Entry> GetStateMachine(const OpContext& ctx, const StateMachineRef& ref, bool deleting_ok) {
  auto entry = ctx.engine.registry().Get(engine::kStateMachineKind, ref.region, ref.name);
  const json::string* arn = entry ? FindString(entry->data, "stateMachineArn") : nullptr;
  if (!entry || arn == nullptr || *arn != ref.arn) return StateMachineDoesNotExist(ref.arn);
  if (!deleting_ok && entry->record.status == "DELETING") return StateMachineDeleting(ref.arn);
  return std::move(*entry);
}

std::string VersionKey(int64_t number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010lld", static_cast<long long>(number));
  return buf;
}

std::string VersionArn(std::string_view state_machine_arn, int64_t number) {
  return std::string(state_machine_arn) + ":" + std::to_string(number);
}

}  // namespace weft::sfn
