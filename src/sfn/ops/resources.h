// src/sfn/ops/resources.h (internal): what the registry-backed Step Functions
// operations share: state_machines.cc, versions.cc, activities.cc, tags.cc.
// Where each thing lives in the Registry, and its data, is in ops.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sfn/ops/ops.h"

namespace weft::sfn {

using Entry = engine::RegistryEntry;
using MaybeEntry = Result<std::optional<Entry>>;
using Mutation = engine::Registry::Mutation;

// Registry::Update with its arguments named first (g++ 12 destroys
// temporaries written inside a co_await twice: docs/architecture.md). The
// views are copied before the first suspension.
net::awaitable<Result<Entry>> UpdateEntry(OpContext& ctx, std::string_view kind,
                                          std::string_view scope, std::string_view name,
                                          Mutation mutate);
// A new entry (record.data kept in sync with data).
Entry NewEntry(std::string_view kind, std::string scope, std::string name, std::string status,
               Millis created, json::object data);
// `entry` with new data (and status, when given).
Entry WithData(Entry entry, json::object data, std::optional<std::string> status = std::nullopt);

// encryptionConfiguration as sent (weft stores it and answers it back; it
// encrypts nothing with KMS: docs/compatibility.md).
std::optional<json::object> ReadEncryption(RequestReader& r);

// ---- tags ----

inline constexpr size_t kMaxTags = 50;
// A TagList member ("tags") as {key: value}: later keys replace earlier ones;
// lengths and characters checked as the model and AWS do.
json::object ReadTags(RequestReader& r, const json::array& tags);
// {key: value} as the model's TagList [{key, value}].
json::array TagListJson(const json::object& tags);
// TooManyTags naming the resource.
Error TooManyTags(std::string_view arn);

// ---- paging by name (support for the List operations) ----

// The names after `after` (sorted input), at most page.max_results of them.
struct NamePage {
  std::vector<size_t> indices;
  std::string next_token;  // "" when nothing follows
};
// `names` sorted the way the list is answered; `kind` names the operation so
// that a token of one list is refused by another. Errors: InvalidToken.
Result<NamePage> PageNames(const std::vector<std::string>& names, const PageRequest& page,
                           std::string_view kind);

// ---- state machines ----

// A state machine ARN and what follows its name: "" (the state machine), a
// version number ("3") or an alias name.
struct StateMachineRef {
  std::string arn;  // unqualified: arn:aws:states:<region>:<account>:stateMachine:<name>
  std::string region, name;
  std::string qualifier;
  bool is_version() const;
  bool is_alias() const { return !qualifier.empty() && !is_version(); }
};
// Errors: InvalidArn (not a state machine ARN, or more than one qualifier).
Result<StateMachineRef> ParseStateMachineArn(const OpContext& ctx, std::string_view arn);
Error StateMachineDoesNotExist(std::string_view arn);
Error StateMachineDeleting(std::string_view arn);
// The state machine's entry. Errors: StateMachineDoesNotExist (also for
// another account), StateMachineDeleting unless `deleting_ok`.
Result<Entry> GetStateMachine(const OpContext& ctx, const StateMachineRef& ref,
                              bool deleting_ok = false);
// A version's registry name: the number zero-padded to 10 digits.
std::string VersionKey(int64_t number);
std::string VersionArn(std::string_view state_machine_arn, int64_t number);

// Publishes the state machine's current revision as its next version, or
// answers the latest version when that already has the current revision
// (versions.cc). `expected_revision`: ConflictException when the current
// revision is another. Returns {"stateMachineVersionArn", "creationDate"}.
net::awaitable<Result<json::object>> PublishVersion(OpContext& ctx, StateMachineRef ref,
                                                    std::optional<std::string> description,
                                                    std::optional<std::string> expected_revision);

}  // namespace weft::sfn
