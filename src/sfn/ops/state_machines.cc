// State machines: Create, Describe, List, Update, Delete, and
// ValidateStateMachineDefinition. Where they live in the Registry: ops.h.
//
// Every change of definition or role makes a new revision: a
// kStateMachineRevisionKind entry written before the state machine entry
// that names it, and never changed or erased afterwards, so that executions
// started on it keep running after an update or a delete.
#include <algorithm>
#include <array>

#include "common/ids.h"
#include "sfn/ops/definition_check.h"
#include "sfn/ops/resources.h"

namespace weft::sfn {
namespace {

constexpr auto kTypes = std::to_array<std::string_view>({"STANDARD", "EXPRESS"});
constexpr auto kLogLevels = std::to_array<std::string_view>({"ALL", "ERROR", "FATAL", "OFF"});
constexpr auto kIncludedData = std::to_array<std::string_view>({"ALL_DATA", "METADATA_ONLY"});
constexpr auto kSeverities = std::to_array<std::string_view>({"ERROR", "WARNING"});
constexpr Length kDescriptionLen{0, 256};
constexpr size_t kMaxStateMachines = 10'000;  // AWS's default quota per account and region

// loggingConfiguration, tracingConfiguration and encryptionConfiguration, as
// sent (absent members absent).
struct Settings {
  std::optional<json::object> logging, tracing, encryption;
  bool any() const { return logging || tracing || encryption; }
};

Settings ReadSettings(RequestReader& r) {
  Settings s;
  if (auto logging = r.OptObject("loggingConfiguration")) {
    json::object out;
    out["level"] = logging->OptEnum("level", kLogLevels).value_or("OFF");
    out["includeExecutionData"] = logging->OptBool("includeExecutionData").value_or(false);
    json::array destinations;
    if (const json::array* list = logging->OptArray("destinations", SIZE_MAX)) {
      for (size_t i = 0; i < list->size(); ++i) {
        auto d = logging->ObjectAt("destinations", *list, i);
        if (!d) continue;
        json::object dest;
        if (auto group = d->OptObject("cloudWatchLogsLogGroup")) {
          json::object g;
          if (auto arn = group->OptString("logGroupArn", kArnLen)) g["logGroupArn"] = *arn;
          dest["cloudWatchLogsLogGroup"] = std::move(g);
        }
        destinations.push_back(std::move(dest));
      }
    }
    if (!destinations.empty()) out["destinations"] = std::move(destinations);
    s.logging = std::move(out);
  }
  if (auto tracing = r.OptObject("tracingConfiguration")) {
    s.tracing = json::object{{"enabled", tracing->OptBool("enabled").value_or(false)}};
  }
  s.encryption = ReadEncryption(r);
  return s;
}

// The rules the model's shapes cannot say.
Status CheckSettings(const Settings& s) {
  if (s.logging) {
    const json::array* destinations = FindArray(*s.logging, "destinations");
    size_t n = destinations ? destinations->size() : 0;
    if (n > 1 || (n == 0 && *FindString(*s.logging, "level") != "OFF")) {
      return Fault(Errc::kValidation, "InvalidLoggingConfiguration",
                   "Invalid Logging Configuration: Must specify exactly one Log Destination.");
    }
  }
  if (s.encryption && *FindString(*s.encryption, "type") == "CUSTOMER_MANAGED_KMS_KEY" &&
      FindString(*s.encryption, "kmsKeyId") == nullptr) {
    return Fault(Errc::kValidation, "InvalidEncryptionConfiguration",
                 "Invalid Encryption Configuration: kmsKeyId is required when the type is "
                 "CUSTOMER_MANAGED_KMS_KEY.");
  }
  return {};
}

// arn:<partition>:iam::<12 digits>:role/<path/>name
Status CheckRoleArn(std::string_view arn) {
  constexpr std::string_view kMarker = ":iam::";
  auto at = arn.find(kMarker);
  bool ok = arn.starts_with("arn:aws") && at != std::string_view::npos;
  if (ok) {
    std::string_view rest = arn.substr(at + kMarker.size());
    ok = rest.size() > 18 && rest.substr(12, 6) == ":role/" &&
         std::all_of(rest.begin(), rest.begin() + 12, [](char c) { return c >= '0' && c <= '9'; });
  }
  if (!ok) return InvalidArn(arn);
  return {};
}

json::object DefaultLogging() {
  return json::object{{"level", "OFF"}, {"includeExecutionData", false}};
}

std::string DataString(const json::object& data, std::string_view key) {
  const json::string* s = FindString(data, key);
  return s ? std::string(*s) : std::string();
}

net::awaitable<Status> WriteRevision(OpContext& ctx, const std::string& state_machine_arn,
                                     const std::string& revision_id, const std::string& definition,
                                     const std::string& role_arn, const std::string& type) {
  json::object data{{"definition", definition}, {"roleArn", role_arn}, {"type", type}};
  Millis now = ctx.engine.clock().Now();
  Entry entry = NewEntry(engine::kStateMachineRevisionKind, state_machine_arn, revision_id,
                         "ACTIVE", now, std::move(data));
  auto mutation = [entry = std::move(entry)](const std::optional<Entry>&) -> MaybeEntry {
    return std::optional(entry);
  };
  auto written = co_await UpdateEntry(ctx, engine::kStateMachineRevisionKind, state_machine_arn,
                                      revision_id, std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return Status{};
}

// Whether a create asks for the state machine that exists (idempotent).
bool SameStateMachine(const json::object& data, const std::string& definition,
                      const std::string& role, const std::string& type) {
  return DataString(data, "definition") == definition && DataString(data, "roleArn") == role &&
         DataString(data, "type") == type;
}

Error AlreadyExists(std::string_view arn) {
  return Fault(Errc::kAlreadyExists, "StateMachineAlreadyExists",
               "State Machine Already Exists: '" + std::string(arn) + "'");
}

// The answer of a create: the state machine's ARN and creation date, and the
// version published with it.
net::awaitable<Result<json::value>> CreatedAnswer(OpContext& ctx, const Entry& entry, bool publish,
                                                  std::optional<std::string> description) {
  std::string arn = DataString(entry.data, "stateMachineArn");
  json::object out{{"stateMachineArn", arn}, {"creationDate", TimestampJson(entry.record.created)}};
  if (publish) {
    auto ref = ParseStateMachineArn(ctx, arn);
    if (!ref.ok()) co_return std::move(ref).error();
    auto version = co_await PublishVersion(ctx, std::move(*ref), std::move(description), {});
    if (!version.ok()) co_return std::move(version).error();
    out["stateMachineVersionArn"] = version->at("stateMachineVersionArn");
  }
  co_return json::value(std::move(out));
}

}  // namespace

OpResult CreateStateMachine(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.String("name", kNameLen);
  std::string definition = r.String("definition", kDefinitionLen);
  std::string role = r.String("roleArn", kArnLen);
  std::string type = r.OptEnum("type", kTypes).value_or("STANDARD");
  Settings settings = ReadSettings(r);
  json::object tags;
  if (const json::array* list = r.OptArray("tags", SIZE_MAX)) tags = ReadTags(r, *list);
  bool publish = r.OptBool("publish").value_or(false);
  auto version_description = r.OptString("versionDescription", kDescriptionLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (auto s = CheckName(name, "a state machine name"); !s) co_return std::move(s).error();
  if (auto s = CheckRoleArn(role); !s) co_return std::move(s).error();
  if (auto s = CheckSettings(settings); !s) co_return std::move(s).error();
  if (version_description && !publish) {
    co_return Error::Validation("versionDescription can be set only when publish is true");
  }
  auto problems = CheckDefinition(definition, type, ctx.options, ResourceRule::kError);
  if (HasErrors(problems)) co_return InvalidDefinition(problems);
  std::string arn = StateMachineArn(ctx, name);
  if (tags.size() > kMaxTags) co_return TooManyTags(arn);

  std::string region = ctx.region();
  auto& registry = ctx.engine.registry();
  if (auto existing = registry.Get(engine::kStateMachineKind, region, name)) {
    if (existing->record.status == "DELETING") co_return StateMachineDeleting(arn);
    if (!SameStateMachine(existing->data, definition, role, type)) co_return AlreadyExists(arn);
    co_return co_await CreatedAnswer(ctx, *existing, publish, std::move(version_description));
  }
  if (registry.Count(engine::kStateMachineKind, region) >= kMaxStateMachines) {
    co_return Fault(Errc::kLimitExceeded, "StateMachineLimitExceeded",
                    "State machine limit exceeded: at most " + std::to_string(kMaxStateMachines) +
                        " state machines per region");
  }

  std::string revision = NewUuid();
  if (auto s = co_await WriteRevision(ctx, arn, revision, definition, role, type); !s) {
    co_return std::move(s).error();
  }
  Millis now = ctx.engine.clock().Now();
  json::object data{
      {"stateMachineArn", arn},
      {"name", name},
      {"type", type},
      {"roleArn", role},
      {"definition", definition},
      {"revisionId", revision},
      {"creationDate", now},
      {"status", "ACTIVE"},
      {"loggingConfiguration", settings.logging.value_or(DefaultLogging())},
      {"tracingConfiguration", settings.tracing.value_or(json::object{{"enabled", false}})},
      {"tags", std::move(tags)},
      {"nextVersion", 1}};
  if (settings.encryption) data["encryptionConfiguration"] = *settings.encryption;
  Entry fresh = NewEntry(engine::kStateMachineKind, region, name, "ACTIVE", now, std::move(data));
  // Checked again here: another create of the name may have won meanwhile.
  auto mutation = [fresh = std::move(fresh), arn, definition, role,
                   type](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return std::optional(fresh);
    if (old->record.status == "DELETING") return StateMachineDeleting(arn);
    if (!SameStateMachine(old->data, definition, role, type)) return AlreadyExists(arn);
    return std::optional(*old);
  };
  auto written =
      co_await UpdateEntry(ctx, engine::kStateMachineKind, region, name, std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return co_await CreatedAnswer(ctx, *written, publish, std::move(version_description));
}

OpResult DescribeStateMachine(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineArn", kArnLen);
  r.OptEnum("includedData", kIncludedData);  // weft never encrypts: every member is answered
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) co_return std::move(ref).error();
  if (ref->is_alias()) co_return StateMachineDoesNotExist(arn);
  auto entry = GetStateMachine(ctx, *ref, /*deleting_ok=*/true);
  if (!entry.ok()) co_return std::move(entry).error();
  const json::object& d = entry->data;
  json::object out{
      {"stateMachineArn", ref->arn},
      {"name", ref->name},
      {"status", entry->record.status},
      {"definition", DataString(d, "definition")},
      {"roleArn", DataString(d, "roleArn")},
      {"type", DataString(d, "type")},
      {"creationDate", TimestampJson(entry->record.created)},
      {"loggingConfiguration", d.contains("loggingConfiguration") ? d.at("loggingConfiguration")
                                                                  : json::value(DefaultLogging())},
      {"revisionId", DataString(d, "revisionId")}};
  if (const json::value* tracing = Find(d, "tracingConfiguration")) {
    out["tracingConfiguration"] = *tracing;
  }
  if (const json::value* enc = Find(d, "encryptionConfiguration")) {
    out["encryptionConfiguration"] = *enc;
  }
  if (ref->is_version()) {
    auto version = ctx.engine.registry().Get(engine::kStateMachineVersionKind, ref->arn,
                                             VersionKey(std::stoll(ref->qualifier)));
    if (!version || DataString(version->data, "stateMachineVersionArn") != arn) {
      co_return StateMachineDoesNotExist(arn);
    }
    std::string revision_id = DataString(version->data, "revisionId");
    auto revision =
        ctx.engine.registry().Get(engine::kStateMachineRevisionKind, ref->arn, revision_id);
    if (!revision) co_return StateMachineDoesNotExist(arn);
    out["stateMachineArn"] = arn;
    out["status"] = "ACTIVE";
    out["definition"] = DataString(revision->data, "definition");
    out["roleArn"] = DataString(revision->data, "roleArn");
    out["revisionId"] = revision_id;
    out["creationDate"] = TimestampJson(version->record.created);
    if (const json::string* description = FindString(version->data, "description")) {
      out["description"] = *description;
    }
  }
  co_return json::value(std::move(out));
}

OpResult ListStateMachines(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  PageRequest page = ReadPage(r);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto entries = ctx.engine.registry().List(engine::kStateMachineKind, ctx.region());
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.record.name);
  auto paged = PageNames(names, page, "ListStateMachines");
  if (!paged.ok()) co_return std::move(paged).error();
  json::array items;
  for (size_t i : paged->indices) {
    const Entry& e = entries[i];
    items.push_back(json::object{{"stateMachineArn", DataString(e.data, "stateMachineArn")},
                                 {"name", e.record.name},
                                 {"type", DataString(e.data, "type")},
                                 {"creationDate", TimestampJson(e.record.created)}});
  }
  json::object out{{"stateMachines", std::move(items)}};
  if (!paged->next_token.empty()) out["nextToken"] = paged->next_token;
  co_return json::value(std::move(out));
}

OpResult UpdateStateMachine(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineArn", kArnLen);
  auto definition = r.OptString("definition", kDefinitionLen);
  auto role = r.OptString("roleArn", kArnLen);
  Settings settings = ReadSettings(r);
  bool publish = r.OptBool("publish").value_or(false);
  auto version_description = r.OptString("versionDescription", kDescriptionLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (!definition && !role && !settings.any()) {
    co_return Fault(Errc::kValidation, "MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, the "
                    "EncryptionConfiguration or the TracingConfiguration must be specified");
  }
  if (version_description && !publish) {
    co_return Error::Validation("versionDescription can be set only when publish is true");
  }
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) co_return std::move(ref).error();
  if (!ref->qualifier.empty()) {
    co_return Error::Validation(
        "Versions and aliases cannot be updated: give the state machine "
        "ARN ('" +
        ref->arn + "')");
  }
  if (role) {
    if (auto s = CheckRoleArn(*role); !s) co_return std::move(s).error();
  }
  if (auto s = CheckSettings(settings); !s) co_return std::move(s).error();
  auto current = GetStateMachine(ctx, *ref);
  if (!current.ok()) co_return std::move(current).error();
  std::string type = DataString(current->data, "type");
  std::string base_revision = DataString(current->data, "revisionId");
  std::string new_definition = definition.value_or(DataString(current->data, "definition"));
  std::string new_role = role.value_or(DataString(current->data, "roleArn"));
  if (definition) {
    auto problems = CheckDefinition(*definition, type, ctx.options, ResourceRule::kError);
    if (HasErrors(problems)) co_return InvalidDefinition(problems);
  }
  std::string revision = base_revision;
  if (new_definition != DataString(current->data, "definition") ||
      new_role != DataString(current->data, "roleArn")) {
    revision = NewUuid();
    auto s = co_await WriteRevision(ctx, ref->arn, revision, new_definition, new_role, type);
    if (!s) co_return std::move(s).error();
  }
  Millis now = ctx.engine.clock().Now();
  auto mutation = [arn = ref->arn, base_revision, revision, new_definition, new_role, settings,
                   now](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return StateMachineDoesNotExist(arn);
    if (old->record.status == "DELETING") return StateMachineDeleting(arn);
    if (DataString(old->data, "revisionId") != base_revision) {
      return Fault(Errc::kConflict, "ConflictException",
                   "The state machine was updated concurrently; retry ('" + arn + "')");
    }
    json::object data = old->data;
    data["definition"] = new_definition;
    data["roleArn"] = new_role;
    data["revisionId"] = revision;
    data["updateDate"] = now;
    if (settings.logging) data["loggingConfiguration"] = *settings.logging;
    if (settings.tracing) data["tracingConfiguration"] = *settings.tracing;
    if (settings.encryption) data["encryptionConfiguration"] = *settings.encryption;
    return std::optional(WithData(*old, std::move(data)));
  };
  auto written = co_await UpdateEntry(ctx, engine::kStateMachineKind, ref->region, ref->name,
                                      std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  json::object out{{"updateDate", TimestampJson(now)}, {"revisionId", revision}};
  if (publish) {
    auto version = co_await PublishVersion(ctx, *ref, std::move(version_description), revision);
    if (!version.ok()) co_return std::move(version).error();
    out["stateMachineVersionArn"] = version->at("stateMachineVersionArn");
  }
  co_return json::value(std::move(out));
}

OpResult DeleteStateMachine(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("stateMachineArn", kArnLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto ref = ParseStateMachineArn(ctx, arn);
  if (!ref.ok()) co_return std::move(ref).error();
  if (!ref->qualifier.empty()) {
    co_return Error::Validation(
        "Versions and aliases are deleted with DeleteStateMachineVersion and "
        "DeleteStateMachineAlias ('" +
        arn + "')");
  }
  // Deleting what does not exist succeeds, as in AWS.
  if (!GetStateMachine(ctx, *ref, /*deleting_ok=*/true).ok()) co_return json::value(json::object{});
  auto mark = [arn = ref->arn](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return StateMachineDoesNotExist(arn);
    json::object data = old->data;
    data["status"] = "DELETING";
    return std::optional(WithData(*old, std::move(data), "DELETING"));
  };
  auto marked =
      co_await UpdateEntry(ctx, engine::kStateMachineKind, ref->region, ref->name, std::move(mark));
  if (!marked.ok()) co_return json::value(json::object{});  // deleted meanwhile
  // Aliases first (they name versions), then versions, then the state
  // machine. Revisions stay: running executions read theirs.
  auto erase = [](const std::optional<Entry>&) -> MaybeEntry { return std::optional<Entry>(); };
  for (std::string_view kind : {engine::kStateMachineAliasKind, engine::kStateMachineVersionKind}) {
    for (const auto& e : ctx.engine.registry().List(kind, ref->arn)) {
      auto erased = co_await UpdateEntry(ctx, kind, ref->arn, e.record.name, erase);
      if (!erased.ok()) co_return std::move(erased).error();
    }
  }
  auto erased = co_await UpdateEntry(ctx, engine::kStateMachineKind, ref->region, ref->name, erase);
  if (!erased.ok()) co_return std::move(erased).error();
  co_return json::value(json::object{});
}

OpResult ValidateStateMachineDefinition(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string definition = r.String("definition", kDefinitionLen);
  std::string type = r.OptEnum("type", kTypes).value_or("STANDARD");
  std::string severity = r.OptEnum("severity", kSeverities).value_or("ERROR");
  int64_t max_results = r.OptInt("maxResults", 0, 100).value_or(0);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (max_results == 0) max_results = 100;
  auto problems = CheckDefinition(definition, type, ctx.options, ResourceRule::kWarning);
  json::array diagnostics;
  bool truncated = false;
  for (const auto& p : problems) {
    if (severity == "ERROR" && p.severity != "ERROR") continue;
    if (static_cast<int64_t>(diagnostics.size()) == max_results) {
      truncated = true;
      break;
    }
    json::object d{{"severity", p.severity}, {"code", p.code}, {"message", p.message}};
    d["location"] = p.location.empty() ? "/" : p.location;
    diagnostics.push_back(std::move(d));
  }
  co_return json::value(json::object{{"result", HasErrors(problems) ? "FAIL" : "OK"},
                                     {"diagnostics", std::move(diagnostics)},
                                     {"truncated", truncated}});
}

}  // namespace weft::sfn
