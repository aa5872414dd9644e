// Domains: Register, Describe, List, Deprecate, Undeprecate, and the domain
// tags (TagResource, UntagResource, ListTagsForResource).
//
// A domain is a Registry entry (kind engine::kDomainKind, scope "") whose
// data is DescribeDomain's answer, plus a "tags" array ([{key, value}]) that
// Describe leaves out.
#include <algorithm>

#include "swf/ops/ops.h"
#include "swf/paging.h"

namespace weft::swf {
namespace {

constexpr size_t kMaxDomains = 100;  // registered and deprecated, as AWS counts
constexpr size_t kMaxTags = 50;
constexpr Length kTagKeyLen{1, 128};
constexpr Length kTagValueLen{0, 256};

// "NONE" or a whole number of days from 0 to 90.
bool IsValidRetention(std::string_view days) {
  if (days == "NONE") return true;
  if (days.empty() || days.size() > 2) return false;
  if (!std::all_of(days.begin(), days.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(std::string(days)) <= 90;
}

// "Tags may only contain unicode letters, digits, whitespace, or these
// symbols: _ . : / = + - @". Bytes >= 0x80 (non-ASCII letters) pass.
bool IsValidTagText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || std::isalnum(c) || std::isspace(c) ||
           std::string_view("_.:/=+-@").find(ch) != std::string_view::npos;
  });
}

// Reads a ResourceTagList into [{key, value}], later keys replacing earlier.
json::array ReadTags(RequestReader& r, const json::array& tags) {
  json::array out;
  for (size_t i = 0; i < tags.size(); ++i) {
    auto tag = r.ObjectAt("tags", tags, i);
    if (!tag) continue;
    std::string key = tag->String("key", kTagKeyLen);
    auto value = tag->OptString("value", kTagValueLen);
    if (!IsValidTagText(key) || (value && !IsValidTagText(*value))) {
      tag->AddError("Value at '" + tag->PathOf("key") +
                    "' failed to satisfy constraint: Tags may only contain unicode letters, "
                    "digits, whitespace, or these symbols: _ . : / = + - @");
      continue;
    }
    json::object t{{"key", key}};
    if (value) t["value"] = *value;
    auto same = std::find_if(out.begin(), out.end(), [&](const json::value& v) {
      return v.as_object().at("key").as_string() == key;
    });
    if (same != out.end()) {
      *same = std::move(t);
    } else {
      out.push_back(std::move(t));
    }
  }
  return out;
}

Error TooManyTags() {
  return Fault(Errc::kLimitExceeded, "TooManyTagsFault",
               "A domain can have at most " + std::to_string(kMaxTags) + " tags");
}

engine::RegistryEntry NewDomainEntry(std::string name, json::object data, Millis now) {
  engine::RegistryEntry entry;
  entry.record.kind = std::string(engine::kDomainKind);
  entry.record.name = std::move(name);
  entry.record.status = "REGISTERED";
  entry.record.created = now;
  entry.record.data = ToJson(data);
  entry.data = std::move(data);
  return entry;
}

// The stored entry with its status changed (in record and data).
engine::RegistryEntry WithStatus(engine::RegistryEntry entry, std::string_view status) {
  entry.record.status = std::string(status);
  entry.data["domainInfo"].as_object()["status"] = status;
  entry.record.data = ToJson(entry.data);
  return entry;
}

// domainInfo with the ARN of this request's region.
json::object DomainInfo(const OpContext& ctx, const engine::RegistryEntry& entry) {
  json::object info = entry.data.at("domainInfo").as_object();
  info["arn"] = DomainArn(ctx, entry.record.name);
  return info;
}

// The domain an ARN names: arn:aws:swf:<region>:<account>:/domain/<name>.
Result<std::string> DomainOfArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:swf:";
  constexpr std::string_view kMarker = ":/domain/";
  size_t at = arn.find(kMarker);
  if (!arn.starts_with(kPrefix) || at == std::string_view::npos ||
      at + kMarker.size() == arn.size()) {
    return Fault(Errc::kUnknownResource, "UnknownResourceFault",
                 "Unknown resource: " + std::string(arn));
  }
  return std::string(arn.substr(at + kMarker.size()));
}

using Mutation = engine::Registry::Mutation;

net::awaitable<Result<json::value>> UpdateDomain(OpContext& ctx, const std::string& name,
                                                 Mutation mutate) {
  // Named, not temporaries in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  std::string kind(engine::kDomainKind), scope, key = name, version;
  auto written = co_await ctx.engine.registry().Update(
      std::move(kind), std::move(scope), std::move(key), std::move(version), std::move(mutate));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{});
}

}  // namespace

OpResult RegisterDomain(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.Name("name", kDomainNameLen);
  auto description = r.OptString("description", kDescriptionLen);
  std::string retention = r.String("workflowExecutionRetentionPeriodInDays", {1, 8});
  if (!retention.empty() && !IsValidRetention(retention)) {
    r.AddError("Value '" + retention +
               "' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: "
               "Member must be NONE or a number of days from 0 to 90");
  }
  json::array tags;
  if (const json::array* list = r.OptArray("tags", SIZE_MAX)) tags = ReadTags(r, *list);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (tags.size() > kMaxTags) co_return TooManyTags();

  json::object info{{"name", name}, {"status", "REGISTERED"}};
  SetIf(info, "description", description);
  info["arn"] = DomainArn(ctx, name);
  json::object data{
      {"domainInfo", std::move(info)},
      {"configuration", json::object{{"workflowExecutionRetentionPeriodInDays", retention}}},
      {"tags", std::move(tags)}};
  // Counted outside the mutation (which must not read the registry it runs
  // in): two racing registrations may pass 100 by one, which is harmless.
  bool full = ctx.engine.registry().Count(engine::kDomainKind, "") >= kMaxDomains;
  Millis now = ctx.engine.clock().Now();
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [full, name, data = std::move(data),
                   now](const std::optional<engine::RegistryEntry>& old)
      -> Result<std::optional<engine::RegistryEntry>> {
    if (old) return Fault(Errc::kAlreadyExists, "DomainAlreadyExistsFault", name);
    if (full) {
      return Fault(Errc::kLimitExceeded, "LimitExceededFault",
                   "At most " + std::to_string(kMaxDomains) + " domains can be registered");
    }
    return std::optional(NewDomainEntry(name, data, now));
  };
  co_return co_await UpdateDomain(ctx, name, std::move(mutation));
}

OpResult DescribeDomain(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.String("name", kDomainNameLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto domain = GetDomain(ctx.engine, name);
  if (!domain.ok()) co_return std::move(domain).error();
  co_return json::value(json::object{{"domainInfo", DomainInfo(ctx, *domain)},
                                     {"configuration", domain->data.at("configuration")}});
}

OpResult ListDomains(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  auto token = r.OptString("nextPageToken", kPageTokenLen);
  std::string status = r.Enum("registrationStatus", kRegistrationStatuses);
  size_t page_size = EffectivePageSize(r.OptInt("maximumPageSize", 0, 1000));
  bool reverse = r.OptBool("reverseOrder").value_or(false);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  std::optional<PageKey> after;
  if (token && !token->empty()) {
    auto state = DecodePageToken(*token, "ListDomains");
    if (!state.ok()) co_return std::move(state).error();
    const json::string* last = FindString(*state, "a");
    if (last == nullptr) co_return Error::Validation("Invalid nextPageToken");
    after = PageKey(std::string(*last), "");
  }

  std::vector<engine::RegistryEntry> domains;
  for (auto& entry : ctx.engine.registry().List(engine::kDomainKind, "")) {
    if (entry.record.status == status) domains.push_back(std::move(entry));
  }
  std::vector<PageKey> keys;
  for (const auto& d : domains) keys.emplace_back(d.record.name, "");
  KeyPage page = PageByKey(keys, reverse, after, page_size);
  json::array infos;
  for (size_t i : page.indices) infos.push_back(DomainInfo(ctx, domains[i]));
  json::object out{{"domainInfos", std::move(infos)}};
  if (page.more) {
    const auto& last = domains[page.indices.back()].record.name;
    out["nextPageToken"] = EncodePageToken(json::object{{"k", "ListDomains"}, {"a", last}});
  }
  co_return json::value(std::move(out));
}

OpResult DeprecateDomain(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.String("name", kDomainNameLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [name](const std::optional<engine::RegistryEntry>& old)
      -> Result<std::optional<engine::RegistryEntry>> {
    if (!old) return UnknownDomain(name);
    if (old->record.status == "DEPRECATED") {
      return Fault(Errc::kConflict, "DomainDeprecatedFault", name);
    }
    return std::optional(WithStatus(*old, "DEPRECATED"));
  };
  auto result = co_await UpdateDomain(ctx, name, std::move(mutation));
  if (!result.ok()) co_return result;
  // "Deprecating a domain also deprecates all activity and workflow types
  // registered in the domain" (DeprecateDomain in the model).
  if (auto s = co_await DeprecateTypesOf(ctx, name); !s) co_return std::move(s).error();
  co_return result;
}

OpResult UndeprecateDomain(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.String("name", kDomainNameLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  // The types deprecated with the domain stay deprecated: SWF documents no
  // cascade for UndeprecateDomain, and a type may have been deprecated on
  // purpose before.
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [name](const std::optional<engine::RegistryEntry>& old)
      -> Result<std::optional<engine::RegistryEntry>> {
    if (!old) return UnknownDomain(name);
    if (old->record.status == "REGISTERED") {
      return Fault(Errc::kAlreadyExists, "DomainAlreadyExistsFault", name);
    }
    return std::optional(WithStatus(*old, "REGISTERED"));
  };
  co_return co_await UpdateDomain(ctx, name, std::move(mutation));
}

OpResult TagResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  json::array tags;
  if (const json::array* list = r.Array("tags", SIZE_MAX)) tags = ReadTags(r, *list);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto name = DomainOfArn(arn);
  if (!name.ok()) co_return std::move(name).error();
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [name = *name,
                   tags = std::move(tags)](const std::optional<engine::RegistryEntry>& old)
      -> Result<std::optional<engine::RegistryEntry>> {
    if (!old) return UnknownDomain(name);
    engine::RegistryEntry entry = *old;
    const json::array* existing = FindArray(old->data, "tags");
    json::array current = existing ? *existing : json::array{};
    for (const auto& t : tags) {
      const auto& key = t.as_object().at("key");
      auto same = std::find_if(current.begin(), current.end(), [&](const json::value& v) {
        return v.as_object().at("key") == key;
      });
      if (same != current.end()) {
        *same = t;
      } else {
        current.push_back(t);
      }
    }
    if (current.size() > kMaxTags) return TooManyTags();
    entry.data["tags"] = std::move(current);
    entry.record.data = ToJson(entry.data);
    return std::optional(std::move(entry));
  };
  co_return co_await UpdateDomain(ctx, *name, std::move(mutation));
}

OpResult UntagResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  std::vector<std::string> keys;
  if (const json::array* list = r.Array("tagKeys", SIZE_MAX)) {
    for (size_t i = 0; i < list->size(); ++i) {
      if (auto k = r.StringAt("tagKeys", *list, i, kTagKeyLen)) keys.push_back(*k);
    }
  }
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto name = DomainOfArn(arn);
  if (!name.ok()) co_return std::move(name).error();
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [name = *name,
                   keys = std::move(keys)](const std::optional<engine::RegistryEntry>& old)
      -> Result<std::optional<engine::RegistryEntry>> {
    if (!old) return UnknownDomain(name);
    engine::RegistryEntry entry = *old;
    json::array kept;
    if (const json::array* current = FindArray(old->data, "tags")) {
      for (const auto& t : *current) {
        std::string_view key = t.as_object().at("key").as_string();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) kept.push_back(t);
      }
    }
    entry.data["tags"] = std::move(kept);
    entry.record.data = ToJson(entry.data);
    return std::optional(std::move(entry));
  };
  co_return co_await UpdateDomain(ctx, *name, std::move(mutation));
}

OpResult ListTagsForResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  auto name = DomainOfArn(arn);
  if (!name.ok()) co_return std::move(name).error();
  auto domain = GetDomain(ctx.engine, *name);
  if (!domain.ok()) co_return std::move(domain).error();
  const json::array* tags = FindArray(domain->data, "tags");
  co_return json::value(json::object{{"tags", tags ? *tags : json::array{}}});
}

}  // namespace weft::swf
