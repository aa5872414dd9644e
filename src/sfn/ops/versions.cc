// State machine versions and aliases, and what an ARN starts
// (ResolveExecutionTarget). Where they live in the Registry: ops.h.
//
// A version is a numbered, unchangeable revision of a state machine
// ("...:stateMachine:NAME:3"); numbers are never reused (the state machine
// entry keeps the next one). An alias ("...:stateMachine:NAME:ALIAS") routes
// executions to one or two versions by weight.
#include <algorithm>
#include <charconv>

#include "common/ids.h"
#include "sfn/ops/resources.h"

namespace weft::sfn {
namespace {

constexpr Length kDescriptionLen{0, 256};
constexpr int64_t kMaxVersions = 1000;  // AWS's quota per state machine
constexpr size_t kMaxAliases = 100;     // AWS's quota per state machine
// Sort keys that put the newest first: (kNewestFirst - number) ascending.
constexpr int64_t kNewestFirst = 9'999'999'999;

std::string DataString(const json::object& data, std::string_view key) {
  const json::string* s = FindString(data, key);
  return s ? std::string(*s) : std::string();
}

Error ResourceNotFound(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ResourceNotFound",
               "Resource not found: '" + std::string(arn) + "'");
}

Error Conflict(std::string message) {
  return Fault(Errc::kConflict, "ConflictException", std::move(message));
}

// A version number as written in an ARN: digits, no leading zero.
std::optional<int64_t> VersionNumber(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || text[0] == '0') {
    return std::nullopt;
  }
  return n;
}

// The version a version ARN names. Errors: InvalidArn, ResourceNotFound.
Result<std::pair<StateMachineRef, Entry>> GetVersion(const OpContext& ctx, std::string_view arn) {
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) return std::move(ref).error();
  if (!ref->is_version()) return InvalidArn(arn);
  auto n = VersionNumber(ref->qualifier);
  auto entry =
      n ? ctx.engine.registry().Get(engine::kStateMachineVersionKind, ref->arn, VersionKey(*n))
        : std::nullopt;
  if (!entry || DataString(entry->data, "stateMachineVersionArn") != arn) {
    return ResourceNotFound(arn);
  }
  return std::pair(std::move(*ref), std::move(*entry));
}

// The alias an alias ARN names. Errors: InvalidArn, ResourceNotFound.
Result<std::pair<StateMachineRef, Entry>> GetAlias(const OpContext& ctx, std::string_view arn) {
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) return std::move(ref).error();
  if (!ref->is_alias()) return InvalidArn(arn);
  auto entry = ctx.engine.registry().Get(engine::kStateMachineAliasKind, ref->arn, ref->qualifier);
  if (!entry || DataString(entry->data, "stateMachineAliasArn") != arn) {
    return ResourceNotFound(arn);
  }
  return std::pair(std::move(*ref), std::move(*entry));
}

// CharacterRestrictedName: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$
bool IsValidAliasName(std::string_view name) {
  auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  };
  auto non_digit = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  };
  return std::all_of(name.begin(), name.end(), allowed) &&
         std::any_of(name.begin(), name.end(), non_digit);
}

// routingConfiguration as sent; ValidationException for shapes, and for the
// rules the model cannot say: versions of one state machine, each once,
// weights summing to 100.
std::optional<json::array> ReadRouting(RequestReader& r, bool required) {
  const json::array* list =
      required ? r.Array("routingConfiguration", 2) : r.OptArray("routingConfiguration", 2);
  if (list == nullptr) return std::nullopt;
  if (list->empty()) {
    r.AddError(
        "Value at 'routingConfiguration' failed to satisfy constraint: Member must have "
        "length greater than or equal to 1");
    return std::nullopt;
  }
  json::array out;
  for (size_t i = 0; i < list->size(); ++i) {
    auto item = r.ObjectAt("routingConfiguration", *list, i);
    if (!item) continue;
    std::string arn = item->String("stateMachineVersionArn", kArnLen);
    int64_t weight = item->OptInt("weight", 0, 100).value_or(-1);
    if (!item->Has("weight")) item->AddError("Member 'weight' is required");
    out.push_back(json::object{{"stateMachineVersionArn", arn}, {"weight", weight}});
  }
  return out;
}

// The routing rules across items; the versions must exist.
Status CheckRouting(const OpContext& ctx, const json::array& routing,
                    std::string* state_machine_arn) {
  int64_t total = 0;
  std::vector<std::string> seen;
  for (const auto& item : routing) {
    const json::object& o = item.as_object();
    std::string arn(o.at("stateMachineVersionArn").as_string());
    total += o.at("weight").as_int64();
    auto version = GetVersion(ctx, arn);
    if (!version.ok()) {
      if (version.error().code() == Errc::kValidation) {
        return Error::Validation("Routing configuration must name state machine versions: '" + arn +
                                 "'");
      }
      return std::move(version).error();
    }
    if (!state_machine_arn->empty() && *state_machine_arn != version->first.arn) {
      return Error::Validation(
          "Routing configuration must name versions of one state machine; found '" +
          *state_machine_arn + "' and '" + version->first.arn + "'");
    }
    *state_machine_arn = version->first.arn;
    if (std::find(seen.begin(), seen.end(), arn) != seen.end()) {
      return Error::Validation("Routing configuration names version '" + arn + "' twice");
    }
    seen.push_back(arn);
  }
  if (total != 100) {
    return Error::Validation("Routing configuration weights must sum to 100; they sum to " +
                             std::to_string(total));
  }
  return {};
}

// The stateMachineArn and page of a List request.
Result<std::pair<StateMachineRef, PageRequest>> ReadListRequest(const OpContext& ctx,
                                                                const json::object& request,
                                                                std::string* arn) {
  RequestReader r(request);
  *arn = r.String("stateMachineArn", kArnLen);
  PageRequest page = ReadPage(r);
  if (auto s = r.Finish(); !s) return std::move(s).error();
  auto ref = ParseStateMachineArn(ctx, *arn);
  if (!ref.ok()) return std::move(ref).error();
  return std::pair(std::move(*ref), std::move(page));
}

json::object VersionListItem(const Entry& e) {
  return json::object{{"stateMachineVersionArn", DataString(e.data, "stateMachineVersionArn")},
                      {"creationDate", TimestampJson(e.record.created)}};
}

// A page of entries listed in `sort_keys` order (parallel to `entries`).
Result<json::array> PageOf(const std::vector<Entry>& entries, std::vector<std::string> sort_keys,
                           const PageRequest& page, std::string_view kind, json::object& out,
                           json::object (*item)(const Entry&)) {
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return sort_keys[a] < sort_keys[b]; });
  std::vector<std::string> sorted;
  for (size_t i : order) sorted.push_back(sort_keys[i]);
  auto paged = PageNames(sorted, page, kind);
  if (!paged.ok()) return std::move(paged).error();
  json::array items;
  for (size_t i : paged->indices) items.push_back(item(entries[order[i]]));
  if (!paged->next_token.empty()) out["nextToken"] = paged->next_token;
  return items;
}

json::object AliasListItem(const Entry& e) {
  return json::object{{"stateMachineAliasArn", DataString(e.data, "stateMachineAliasArn")},
                      {"creationDate", TimestampJson(e.record.created)}};
}

// Fills the definition of `revision_id` into `target`.
Status FillRevision(const OpContext& ctx, ExecutionTarget& target, std::string_view arn) {
  auto revision = ctx.engine.registry().Get(engine::kStateMachineRevisionKind,
                                            target.state_machine_arn, target.revision_id);
  if (!revision) return ResourceNotFound(arn);
  target.definition = DataString(revision->data, "definition");
  target.role_arn = DataString(revision->data, "roleArn");
  target.type = DataString(revision->data, "type");
  return {};
}

}  // namespace

net::awaitable<Result<json::object>> PublishVersion(OpContext& ctx, StateMachineRef ref,
                                                    std::optional<std::string> description,
                                                    std::optional<std::string> expected_revision) {
  auto entry = GetStateMachine(ctx, ref);
  if (!entry.ok()) co_return std::move(entry).error();
  std::string current = DataString(entry->data, "revisionId");
  if (expected_revision && *expected_revision != current) {
    co_return Conflict("Failed to publish the State Machine version for revision " +
                       *expected_revision + ". The current State Machine revision is " + current +
                       ".");
  }
  auto versions = ctx.engine.registry().List(engine::kStateMachineVersionKind, ref.arn);
  if (!versions.empty() && DataString(versions.back().data, "revisionId") == current) {
    co_return json::object{
        {"stateMachineVersionArn", DataString(versions.back().data, "stateMachineVersionArn")},
        {"creationDate", TimestampJson(versions.back().record.created)}};
  }
  if (static_cast<int64_t>(versions.size()) >= kMaxVersions) {
    co_return Fault(Errc::kLimitExceeded, "ServiceQuotaExceededException",
                    "A state machine can have at most " + std::to_string(kMaxVersions) +
                        " versions; delete some with DeleteStateMachineVersion");
  }
  // Take the next number on the state machine entry, checking that the
  // revision is still the one being published.
  auto take = [arn = ref.arn, current](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return StateMachineDoesNotExist(arn);
    if (old->record.status == "DELETING") return StateMachineDeleting(arn);
    if (DataString(old->data, "revisionId") != current) {
      return Conflict("The state machine was updated while publishing; retry ('" + arn + "')");
    }
    json::object data = old->data;
    data["nextVersion"] = FindInt(old->data, "nextVersion").value_or(1) + 1;
    return std::optional(WithData(*old, std::move(data)));
  };
  auto taken =
      co_await UpdateEntry(ctx, engine::kStateMachineKind, ref.region, ref.name, std::move(take));
  if (!taken.ok()) co_return std::move(taken).error();
  int64_t number = FindInt(taken->data, "nextVersion").value_or(2) - 1;
  Millis now = ctx.engine.clock().Now();
  std::string version_arn = VersionArn(ref.arn, number);
  json::object data{
      {"stateMachineVersionArn", version_arn}, {"revisionId", current}, {"creationDate", now}};
  if (description) data["description"] = *description;
  Entry fresh = NewEntry(engine::kStateMachineVersionKind, ref.arn, VersionKey(number), "ACTIVE",
                         now, std::move(data));
  auto write = [fresh = std::move(fresh)](const std::optional<Entry>&) -> MaybeEntry {
    return std::optional(fresh);
  };
  std::string key = VersionKey(number);
  auto written =
      co_await UpdateEntry(ctx, engine::kStateMachineVersionKind, ref.arn, key, std::move(write));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::object{{"stateMachineVersionArn", version_arn},
                         {"creationDate", TimestampJson(now)}};
}

OpResult PublishStateMachineVersion(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineArn", kArnLen);
  auto revision = r.OptString("revisionId", {0, SIZE_MAX});
  auto description = r.OptString("description", kDescriptionLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) co_return std::move(ref).error();
  if (!ref->qualifier.empty()) co_return InvalidArn(arn);
  auto published =
      co_await PublishVersion(ctx, std::move(*ref), std::move(description), std::move(revision));
  if (!published.ok()) co_return std::move(published).error();
  co_return json::value(std::move(*published));
}

OpResult ListStateMachineVersions(OpContext& ctx, const json::object& request) {
  std::string arn;
  auto read = ReadListRequest(ctx, request, &arn);
  if (!read.ok()) co_return std::move(read).error();
  auto& [ref_value, page] = *read;
  const StateMachineRef* ref = &ref_value;
  if (!ref->qualifier.empty()) co_return InvalidArn(arn);
  auto entries = ctx.engine.registry().List(engine::kStateMachineVersionKind, ref->arn);
  std::vector<std::string> keys;
  for (const auto& e : entries) {
    keys.push_back(VersionKey(kNewestFirst - std::stoll(e.record.name)));
  }
  json::object out;
  auto items =
      PageOf(entries, std::move(keys), page, "ListStateMachineVersions", out, &VersionListItem);
  if (!items.ok()) co_return std::move(items).error();
  out["stateMachineVersions"] = std::move(*items);
  co_return json::value(std::move(out));
}

OpResult DeleteStateMachineVersion(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineVersionArn", kLongArnLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto version = GetVersion(ctx, arn);
  if (!version.ok()) {
    // Deleting a version that does not exist succeeds, as in AWS.
    if (version.error().code() == Errc::kUnknownResource) co_return json::value(json::object{});
    co_return std::move(version).error();
  }
  std::vector<std::string> routed_by;
  for (const auto& alias :
       ctx.engine.registry().List(engine::kStateMachineAliasKind, version->first.arn)) {
    const json::array* routing = FindArray(alias.data, "routingConfiguration");
    for (const auto& item : routing ? *routing : json::array{}) {
      if (item.as_object().at("stateMachineVersionArn") == json::value(arn)) {
        routed_by.push_back(DataString(alias.data, "stateMachineAliasArn"));
      }
    }
  }
  if (!routed_by.empty()) {
    std::string list;
    for (const auto& a : routed_by) list += (list.empty() ? "" : ", ") + a;
    co_return Conflict(
        "Version to be deleted must not be referenced by an alias. Current list "
        "of aliases referencing this version: [" +
        list + "]");
  }
  auto erase = [](const std::optional<Entry>&) -> MaybeEntry { return std::optional<Entry>(); };
  std::string key = version->second.record.name;
  auto erased = co_await UpdateEntry(ctx, engine::kStateMachineVersionKind, version->first.arn, key,
                                     std::move(erase));
  if (!erased.ok()) co_return std::move(erased).error();
  co_return json::value(json::object{});
}

OpResult CreateStateMachineAlias(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  auto description = r.OptString("description", kDescriptionLen);
  std::string name = r.String("name", kNameLen);
  if (!name.empty() && !IsValidAliasName(name)) {
    r.AddError("Value '" + name +
               "' at 'name' failed to satisfy constraint: Member must satisfy regular expression "
               "pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$");
  }
  auto routing = ReadRouting(r, /*required=*/true);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  std::string state_machine_arn;
  if (auto s = CheckRouting(ctx, *routing, &state_machine_arn); !s) co_return std::move(s).error();
  auto ref = ParseStateMachineArn(ctx, state_machine_arn);
  if (!ref.ok()) co_return std::move(ref).error();
  if (auto sm = GetStateMachine(ctx, *ref); !sm.ok()) co_return std::move(sm).error();
  if (ctx.engine.registry().Count(engine::kStateMachineAliasKind, ref->arn) >= kMaxAliases) {
    co_return Fault(Errc::kLimitExceeded, "ServiceQuotaExceededException",
                    "A state machine can have at most " + std::to_string(kMaxAliases) + " aliases");
  }
  std::string alias_arn = ref->arn + ":" + name;
  Millis now = ctx.engine.clock().Now();
  json::object data{{"stateMachineAliasArn", alias_arn},
                    {"name", name},
                    {"routingConfiguration", *routing},
                    {"creationDate", now},
                    {"updateDate", now}};
  if (description) data["description"] = *description;
  Entry fresh = NewEntry(engine::kStateMachineAliasKind, ref->arn, name, "ACTIVE", now, data);
  // The same request again answers the alias that exists; another is a conflict.
  auto mutation = [fresh = std::move(fresh), alias_arn, routing = *routing,
                   description](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return std::optional(fresh);
    const json::value* old_routing = Find(old->data, "routingConfiguration");
    const json::string* old_description = FindString(old->data, "description");
    bool same = old_routing && *old_routing == json::value(routing) &&
                (old_description ? std::optional<std::string>(std::string(*old_description))
                                 : std::nullopt) == description;
    if (!same) {
      return Conflict(
          "Failed to create alias because an alias with the same name and a "
          "different routing configuration already exists: '" +
          alias_arn + "'");
    }
    return std::optional(*old);
  };
  auto written = co_await UpdateEntry(ctx, engine::kStateMachineAliasKind, ref->arn, name,
                                      std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{{"stateMachineAliasArn", alias_arn},
                                     {"creationDate", TimestampJson(written->record.created)}});
}

OpResult DescribeStateMachineAlias(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineAliasArn", kArnLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto alias = GetAlias(ctx, arn);
  if (!alias.ok()) co_return std::move(alias).error();
  json::object out = alias->second.data;
  out["creationDate"] = TimestampJson(alias->second.record.created);
  out["updateDate"] = TimestampJson(FindInt(out, "updateDate").value_or(0));
  co_return json::value(std::move(out));
}

OpResult UpdateStateMachineAlias(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineAliasArn", kArnLen);
  auto description = r.OptString("description", kDescriptionLen);
  auto routing = ReadRouting(r, /*required=*/false);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (!description && !routing) {
    co_return Error::Validation(
        "Either the description or the routingConfiguration must be "
        "specified");
  }
  auto alias = GetAlias(ctx, arn);
  if (!alias.ok()) co_return std::move(alias).error();
  if (auto sm = GetStateMachine(ctx, alias->first); !sm.ok()) co_return std::move(sm).error();
  if (routing) {
    std::string state_machine_arn;
    if (auto s = CheckRouting(ctx, *routing, &state_machine_arn); !s) {
      co_return std::move(s).error();
    }
    if (state_machine_arn != alias->first.arn) {
      co_return Error::Validation("Routing configuration must name versions of '" +
                                  alias->first.arn + "'");
    }
  }
  Millis now = ctx.engine.clock().Now();
  auto mutation = [arn, description, routing, now](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return ResourceNotFound(arn);
    json::object data = old->data;
    if (description) data["description"] = *description;
    if (routing) data["routingConfiguration"] = *routing;
    data["updateDate"] = now;
    return std::optional(WithData(*old, std::move(data)));
  };
  auto written = co_await UpdateEntry(ctx, engine::kStateMachineAliasKind, alias->first.arn,
                                      alias->first.qualifier, std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{{"updateDate", TimestampJson(now)}});
}

OpResult DeleteStateMachineAlias(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineAliasArn", kArnLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto alias = GetAlias(ctx, arn);
  if (!alias.ok()) co_return std::move(alias).error();
  auto erase = [arn](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return ResourceNotFound(arn);
    return std::optional<Entry>();
  };
  auto erased = co_await UpdateEntry(ctx, engine::kStateMachineAliasKind, alias->first.arn,
                                     alias->first.qualifier, std::move(erase));
  if (!erased.ok()) co_return std::move(erased).error();
  co_return json::value(json::object{});
}

OpResult ListStateMachineAliases(OpContext& ctx, const json::object& request) {
  std::string arn;
  auto read = ReadListRequest(ctx, request, &arn);
  if (!read.ok()) co_return std::move(read).error();
  auto& [ref_value, page] = *read;
  const StateMachineRef* ref = &ref_value;
  if (ref->is_alias()) co_return InvalidArn(arn);
  if (auto sm = GetStateMachine(ctx, *ref); !sm.ok()) co_return std::move(sm).error();
  if (ref->is_version()) {
    if (auto v = GetVersion(ctx, arn); !v.ok()) co_return std::move(v).error();
  }
  // Newest first (AWS sorts aliases by creation time); given a version ARN,
  // the aliases that route to it.
  std::vector<Entry> entries;
  std::vector<std::string> keys;
  for (auto& e : ctx.engine.registry().List(engine::kStateMachineAliasKind, ref->arn)) {
    if (ref->is_version()) {
      const json::array* routing = FindArray(e.data, "routingConfiguration");
      bool routes = routing && std::any_of(routing->begin(), routing->end(), [&](const auto& i) {
                      return i.as_object().at("stateMachineVersionArn") == json::value(arn);
                    });
      if (!routes) continue;
    }
    keys.push_back(VersionKey(kNewestFirst - e.record.created / 1000) + e.record.name);
    entries.push_back(std::move(e));
  }
  json::object out;
  auto items =
      PageOf(entries, std::move(keys), page, "ListStateMachineAliases", out, &AliasListItem);
  if (!items.ok()) co_return std::move(items).error();
  out["stateMachineAliases"] = std::move(*items);
  co_return json::value(std::move(out));
}

Result<ExecutionTarget> ResolveExecutionTarget(OpContext& ctx, std::string_view arn) {
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) return std::move(ref).error();
  auto entry = GetStateMachine(ctx, *ref);
  if (!entry.ok()) return std::move(entry).error();
  ExecutionTarget target;
  target.state_machine_arn = ref->arn;
  target.state_machine_name = ref->name;
  if (ref->qualifier.empty()) {
    target.revision_id = DataString(entry->data, "revisionId");
    target.definition = DataString(entry->data, "definition");
    target.role_arn = DataString(entry->data, "roleArn");
    target.type = DataString(entry->data, "type");
    return target;
  }
  std::string version_arn(arn);
  if (ref->is_alias()) {
    auto alias = GetAlias(ctx, arn);
    if (!alias.ok()) return std::move(alias).error();
    target.alias_arn = std::string(arn);
    // A uniform pick in [0, 100) against the cumulative weights.
    const json::array* routing = FindArray(alias->second.data, "routingConfiguration");
    int64_t pick = static_cast<int64_t>(RandomU64() % 100), sum = 0;
    for (const auto& item : routing ? *routing : json::array{}) {
      const json::object& o = item.as_object();
      sum += o.at("weight").as_int64();
      version_arn = std::string(o.at("stateMachineVersionArn").as_string());
      if (pick < sum) break;
    }
  }
  auto version = GetVersion(ctx, version_arn);
  if (!version.ok()) return std::move(version).error();
  target.version_arn = version_arn;
  target.revision_id = DataString(version->second.data, "revisionId");
  if (auto s = FillRevision(ctx, target, version_arn); !s) return std::move(s).error();
  return target;
}

}  // namespace weft::sfn
