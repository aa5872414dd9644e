// Workflow and activity types: Register, Describe, List, Deprecate,
// Undeprecate, Delete. Both kinds share one lifecycle, so each operation is
// one function over a TypeKind.
//
// A type is a Registry entry (kind engine::kWorkflowTypeKind or
// kActivityTypeKind, scope = its domain, name and version) whose data is
// Describe*Type's answer: {"typeInfo": {...}, "configuration": {...}}. The
// engine reads the defaults from "configuration" under the model's names.
#include "swf/ops/ops.h"
#include "swf/paging.h"

namespace weft::swf {
namespace {

constexpr size_t kMaxTypesPerDomain = 10'000;  // of each kind

struct TypeKind {
  std::string_view registry_kind;
  std::string_view member;      // "workflowType": the request and typeInfo member
  std::string_view label;       // "WorkflowType": in fault messages
  std::string_view list_token;  // the page token kind of List*Types
  bool workflow;
};
constexpr TypeKind kWorkflow{engine::kWorkflowTypeKind, "workflowType", "WorkflowType",
                             "ListWorkflowTypes", true};
constexpr TypeKind kActivity{engine::kActivityTypeKind, "activityType", "ActivityType",
                             "ListActivityTypes", false};

using Entry = engine::RegistryEntry;
using MaybeEntry = Result<std::optional<Entry>>;
using Change = std::function<MaybeEntry(const Entry&)>;

// "WorkflowType=[name=N, version=V]", as SWF names a type in its faults.
std::string Describe(const TypeKind& kind, std::string_view name, std::string_view version) {
  return std::string(kind.label) + "=[name=" + std::string(name) +
         ", version=" + std::string(version) + "]";
}

Error UnknownType(const TypeKind& kind, std::string_view name, std::string_view version) {
  return Fault(Errc::kUnknownResource, "UnknownResourceFault",
               "Unknown type: " + Describe(kind, name, version));
}

// The configuration member of Register*Type: the defaults, as sent.
json::object ReadConfiguration(const TypeKind& kind, RequestReader& r) {
  json::object config;
  SetIf(config, "defaultTaskStartToCloseTimeout", r.OptDuration("defaultTaskStartToCloseTimeout"));
  if (kind.workflow) {
    SetIf(config, "defaultExecutionStartToCloseTimeout",
          r.OptExecutionTimeout("defaultExecutionStartToCloseTimeout"));
  } else {
    SetIf(config, "defaultTaskHeartbeatTimeout", r.OptDuration("defaultTaskHeartbeatTimeout"));
  }
  if (auto list = ReadOptTaskList(r, "defaultTaskList")) {
    config["defaultTaskList"] = json::object{{"name", *list}};
  }
  SetIf(config, "defaultTaskPriority", r.OptPriority("defaultTaskPriority"));
  if (kind.workflow) {
    SetIf(config, "defaultChildPolicy", r.OptEnum("defaultChildPolicy", kChildPolicies));
    SetIf(config, "defaultLambdaRole", r.OptString("defaultLambdaRole", kArnLen));
  } else {
    SetIf(config, "defaultTaskScheduleToStartTimeout",
          r.OptDuration("defaultTaskScheduleToStartTimeout"));
    SetIf(config, "defaultTaskScheduleToCloseTimeout",
          r.OptDuration("defaultTaskScheduleToCloseTimeout"));
  }
  return config;
}

Entry NewTypeEntry(const TypeKind& kind, const std::string& domain, const std::string& name,
                   const std::string& version, json::object data, Millis now) {
  Entry entry;
  entry.record.kind = std::string(kind.registry_kind);
  entry.record.scope = domain;
  entry.record.name = name;
  entry.record.version = version;
  entry.record.status = "REGISTERED";
  entry.record.created = now;
  entry.record.data = ToJson(data);
  entry.data = std::move(data);
  return entry;
}

// The entry with a new status; deprecationDate set or removed with it.
Entry WithStatus(Entry entry, std::string_view status, Millis now) {
  entry.record.status = std::string(status);
  json::object& info = entry.data["typeInfo"].as_object();
  info["status"] = status;
  if (status == "DEPRECATED") {
    info["deprecationDate"] = ToEpochSeconds(now);
  } else {
    info.erase("deprecationDate");
  }
  entry.record.data = ToJson(entry.data);
  return entry;
}

// Domain and {name, version} of a request naming one type.
struct TypeRef {
  std::string domain;
  engine::WorkflowType type;
};

Result<TypeRef> ReadTypeRequest(const TypeKind& kind, const json::object& request) {
  RequestReader r(request);
  TypeRef ref;
  ref.domain = r.String("domain", kDomainNameLen);
  ref.type = ReadTypeRef(r, kind.member);
  if (auto s = r.Finish(); !s) return std::move(s).error();
  return ref;
}

net::awaitable<Result<json::value>> UpdateType(OpContext& ctx, const TypeKind& kind,
                                               const TypeRef& ref, Change change) {
  if (auto domain = GetDomain(ctx.engine, ref.domain); !domain.ok()) {
    co_return std::move(domain).error();
  }
  const TypeKind* k = &kind;
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [k, ref,
                   change = std::move(change)](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return UnknownType(*k, ref.type.name, ref.type.version);
    return change(*old);
  };
  std::string kind_name(kind.registry_kind), scope = ref.domain, name = ref.type.name,
                                             version = ref.type.version;
  auto written =
      co_await ctx.engine.registry().Update(std::move(kind_name), std::move(scope), std::move(name),
                                            std::move(version), std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{});
}

OpResult Register(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string domain = r.String("domain", kDomainNameLen);
  std::string name = r.Name("name", kNameLen);
  std::string version = r.Name("version", kVersionLen);
  auto description = r.OptString("description", kDescriptionLen);
  json::object config = ReadConfiguration(kind, r);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto s = RequireActiveDomain(ctx.engine, domain); !s) co_return std::move(s).error();
  if (ctx.engine.registry().Count(kind.registry_kind, domain) >= kMaxTypesPerDomain) {
    co_return Fault(Errc::kLimitExceeded, "LimitExceededFault",
                    "At most " + std::to_string(kMaxTypesPerDomain) + " " +
                        std::string(kind.label) + "s can be registered in a domain");
  }

  Millis now = ctx.engine.clock().Now();
  json::object info{{kind.member, TypeJson(name, version)}, {"status", "REGISTERED"}};
  SetIf(info, "description", description);
  info["creationDate"] = ToEpochSeconds(now);
  json::object data{{"typeInfo", std::move(info)}, {"configuration", std::move(config)}};
  const TypeKind* k = &kind;
  // Named, not a temporary in the co_await: g++ 12 destroys such
  // temporaries twice (see docs/architecture.md, "Coroutines").
  auto mutation = [k, domain, name, version, data = std::move(data),
                   now](const std::optional<Entry>& old) -> MaybeEntry {
    if (old)
      return Fault(Errc::kAlreadyExists, "TypeAlreadyExistsFault", Describe(*k, name, version));
    return std::optional(NewTypeEntry(*k, domain, name, version, data, now));
  };
  std::string kind_name(kind.registry_kind);
  auto written = co_await ctx.engine.registry().Update(std::move(kind_name), std::move(domain),
                                                       std::move(name), std::move(version),
                                                       std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{});
}

OpResult DescribeType(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  auto ref = ReadTypeRequest(kind, request);
  if (!ref.ok()) co_return std::move(ref).error();
  if (auto domain = GetDomain(ctx.engine, ref->domain); !domain.ok()) {
    co_return std::move(domain).error();
  }
  auto entry =
      ctx.engine.registry().Get(kind.registry_kind, ref->domain, ref->type.name, ref->type.version);
  if (!entry) co_return UnknownType(kind, ref->type.name, ref->type.version);
  co_return json::value(entry->data);
}

OpResult ListTypes(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string domain = r.String("domain", kDomainNameLen);
  auto name = r.OptString("name", kNameLen);
  std::string status = r.Enum("registrationStatus", kRegistrationStatuses);
  auto token = r.OptString("nextPageToken", kPageTokenLen);
  size_t page_size = EffectivePageSize(r.OptInt("maximumPageSize", 0, 1000));
  bool reverse = r.OptBool("reverseOrder").value_or(false);
  if (auto s = r.Finish(); !s) co_return Invalid(std::move(s));
  if (auto d = GetDomain(ctx.engine, domain); !d.ok()) co_return std::move(d).error();
  std::optional<PageKey> after;
  if (token && !token->empty()) {
    auto state = DecodePageToken(*token, kind.list_token);
    if (!state.ok()) co_return std::move(state).error();
    const json::string* n = FindString(*state, "n");
    const json::string* v = FindString(*state, "v");
    const json::string* d = FindString(*state, "d");
    if (n == nullptr || v == nullptr) co_return Error::Validation("Invalid nextPageToken");
    if (d == nullptr || *d != domain)
      co_return Error::Validation("nextPageToken was issued for another domain");
    after = PageKey(std::string(*n), std::string(*v));
  }

  std::vector<Entry> types;
  for (auto& entry : ctx.engine.registry().List(kind.registry_kind, domain)) {
    if (entry.record.status != status) continue;
    if (name && entry.record.name != *name) continue;
    types.push_back(std::move(entry));
  }
  std::vector<PageKey> keys;
  for (const auto& t : types) keys.emplace_back(t.record.name, t.record.version);
  KeyPage page = PageByKey(keys, reverse, after, page_size);
  json::array infos;
  for (size_t i : page.indices) infos.push_back(types[i].data.at("typeInfo"));
  json::object out{{"typeInfos", std::move(infos)}};
  if (page.more) {
    const auto& last = types[page.indices.back()].record;
    out["nextPageToken"] = EncodePageToken(
        json::object{{"k", kind.list_token}, {"d", domain}, {"n", last.name}, {"v", last.version}});
  }
  co_return json::value(std::move(out));
}

OpResult Deprecate(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  auto ref = ReadTypeRequest(kind, request);
  if (!ref.ok()) co_return std::move(ref).error();
  Millis now = ctx.engine.clock().Now();
  const TypeKind* k = &kind;
  Change change = [k, now](const Entry& old) -> MaybeEntry {
    if (old.record.status == "DEPRECATED") {
      return Fault(Errc::kConflict, "TypeDeprecatedFault",
                   Describe(*k, old.record.name, old.record.version));
    }
    return std::optional(WithStatus(old, "DEPRECATED", now));
  };
  co_return co_await UpdateType(ctx, kind, *ref, std::move(change));
}

OpResult Undeprecate(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  auto ref = ReadTypeRequest(kind, request);
  if (!ref.ok()) co_return std::move(ref).error();
  Millis now = ctx.engine.clock().Now();
  const TypeKind* k = &kind;
  Change change = [k, now](const Entry& old) -> MaybeEntry {
    if (old.record.status == "REGISTERED") {
      return Fault(Errc::kAlreadyExists, "TypeAlreadyExistsFault",
                   Describe(*k, old.record.name, old.record.version));
    }
    return std::optional(WithStatus(old, "REGISTERED", now));
  };
  co_return co_await UpdateType(ctx, kind, *ref, std::move(change));
}

OpResult Delete(const TypeKind& kind, OpContext& ctx, const json::object& request) {
  auto ref = ReadTypeRequest(kind, request);
  if (!ref.ok()) co_return std::move(ref).error();
  const TypeKind* k = &kind;
  Change change = [k](const Entry& old) -> MaybeEntry {
    if (old.record.status != "DEPRECATED") {
      return Fault(Errc::kConflict, "TypeNotDeprecatedFault",
                   Describe(*k, old.record.name, old.record.version));
    }
    return std::optional<Entry>();  // erase
  };
  co_return co_await UpdateType(ctx, kind, *ref, std::move(change));
}

}  // namespace

net::awaitable<Status> DeprecateTypesOf(OpContext& ctx, const std::string& domain) {
  Millis now = ctx.engine.clock().Now();
  for (const TypeKind* kind : {&kWorkflow, &kActivity}) {
    for (const auto& entry : ctx.engine.registry().List(kind->registry_kind, domain)) {
      if (entry.record.status != "REGISTERED") continue;
      // Named, not temporaries in the co_await (g++ 12, see UpdateType).
      engine::Registry::Mutation mutation = [now](const std::optional<Entry>& old) -> MaybeEntry {
        // Deleted or deprecated meanwhile: nothing to do (reported as a
        // conflict, which the loop below ignores).
        if (!old || old->record.status != "REGISTERED") {
          return Error(Errc::kConflict, "Skip", "");
        }
        return std::optional(WithStatus(*old, "DEPRECATED", now));
      };
      std::string kind_name(kind->registry_kind), scope = domain, name = entry.record.name,
                                                  version = entry.record.version;
      auto written = co_await ctx.engine.registry().Update(std::move(kind_name), std::move(scope),
                                                           std::move(name), std::move(version),
                                                           std::move(mutation));
      if (!written.ok() && written.error().code() != Errc::kConflict) {
        co_return std::move(written).error();
      }
    }
  }
  co_return Status();
}

OpResult RegisterWorkflowType(OpContext& ctx, const json::object& request) {
  return Register(kWorkflow, ctx, request);
}
OpResult DescribeWorkflowType(OpContext& ctx, const json::object& request) {
  return DescribeType(kWorkflow, ctx, request);
}
OpResult ListWorkflowTypes(OpContext& ctx, const json::object& request) {
  return ListTypes(kWorkflow, ctx, request);
}
OpResult DeprecateWorkflowType(OpContext& ctx, const json::object& request) {
  return Deprecate(kWorkflow, ctx, request);
}
OpResult UndeprecateWorkflowType(OpContext& ctx, const json::object& request) {
  return Undeprecate(kWorkflow, ctx, request);
}
OpResult DeleteWorkflowType(OpContext& ctx, const json::object& request) {
  return Delete(kWorkflow, ctx, request);
}
OpResult RegisterActivityType(OpContext& ctx, const json::object& request) {
  return Register(kActivity, ctx, request);
}
OpResult DescribeActivityType(OpContext& ctx, const json::object& request) {
  return DescribeType(kActivity, ctx, request);
}
OpResult ListActivityTypes(OpContext& ctx, const json::object& request) {
  return ListTypes(kActivity, ctx, request);
}
OpResult DeprecateActivityType(OpContext& ctx, const json::object& request) {
  return Deprecate(kActivity, ctx, request);
}
OpResult UndeprecateActivityType(OpContext& ctx, const json::object& request) {
  return Undeprecate(kActivity, ctx, request);
}
OpResult DeleteActivityType(OpContext& ctx, const json::object& request) {
  return Delete(kActivity, ctx, request);
}

}  // namespace weft::swf
