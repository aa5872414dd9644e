// src/sfn/ops/ops.h (internal): one function per Step Functions operation,
// grouped in files by resource, and what they share.
//
//   state_machines.cc  Create/Describe/List/Update/DeleteStateMachine,
//                      ValidateStateMachineDefinition
//   versions.cc        state machine versions and aliases, and
//                      ResolveExecutionTarget (what an ARN starts)
//   activities.cc      Create/Describe/List/DeleteActivity
//   tags.cc            Tag/Untag/ListTagsForResource
//   executions.cc      Start/StartSync/Describe/Stop/List/Redrive executions,
//                      GetExecutionHistory, DescribeStateMachineForExecution
//   activity_tasks.cc  GetActivityTask, SendTask{Success,Failure,Heartbeat}
//   map_runs.cc        DescribeMapRun, ListMapRuns, UpdateMapRun
//   test_state.cc      TestState
//
// Each operation reads its request with RequestReader (ValidationException
// for anything the model forbids), calls the engine, and answers the response
// body or an Error whose type is the model's fault name (an engine error
// without a name is named by SfnService from its kind).
//
// Where things live in the engine's Registry (all JSON in RegistryEntry::data):
//   kStateMachineKind          scope = region, name = state machine name
//       {"stateMachineArn","name","type","roleArn","definition","revisionId",
//        "creationDate" (ms),"status" ("ACTIVE"|"DELETING"),"description",
//        "loggingConfiguration","tracingConfiguration","tags": {k: v},
//        "nextVersion": N}
//   kStateMachineRevisionKind  scope = state machine ARN, name = revisionId
//       {"definition","roleArn","type"}: what an execution runs; written
//       before the state machine entry that names it, never changed.
//   kStateMachineVersionKind   scope = state machine ARN, name = version
//       number, zero-padded to 10 digits (so that names sort by number)
//       {"stateMachineVersionArn","revisionId","description","creationDate"}
//   kStateMachineAliasKind     scope = state machine ARN, name = alias name
//       {"stateMachineAliasArn","name","description","routingConfiguration":
//        [{"stateMachineVersionArn","weight"}],"creationDate","updateDate"}
//   kActivityKind              scope = region, name = activity name
//       {"activityArn","name","creationDate","tags": {k: v}}
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/request.h"
#include "common/service.h"
#include "engine/engine.h"
#include "sfn/sfn.h"

namespace weft::sfn {

struct OpContext {
  engine::Engine& engine;
  RequestContext& request;
  const SfnOptions& options;
  // The region of new ARNs: the request's SigV4 credential scope region.
  std::string region() const {
    return request.region.empty() ? options.default_region : request.region;
  }
};

using OpResult = net::awaitable<Result<json::value>>;
using OpFunction = OpResult (*)(OpContext&, const json::object&);

// ---- ARNs (arn.cc) ----

// arn:<partition>:states:<region>:<account>:<type>:<rest>, split on ':'.
struct Arn {
  std::string region, account;
  std::string type;                // "stateMachine", "execution", "express", "activity", "mapRun"
  std::vector<std::string> parts;  // what follows the type, split on ':'
};
// InvalidArn "Invalid Arn: '<text>'" when it is not a Step Functions ARN.
Result<Arn> ParseArn(std::string_view text);
std::string StateMachineArn(const OpContext& ctx, std::string_view name);
std::string ActivityArn(const OpContext& ctx, std::string_view name);
std::string ExecutionArn(std::string_view state_machine_arn, std::string_view execution_name);
Error InvalidArn(std::string_view text);
// InvalidArn unless `text` is an execution ARN:
// arn:aws:states:<region>:<account>:execution:<machine>:<name> (or
// express:<machine>:<name>:<id>).
Status CheckExecutionArn(std::string_view text);
// A name as the model's Name shape allows (1-80 characters; no white space,
// brackets, wildcards, special or control characters); InvalidName otherwise.
Status CheckName(std::string_view name, std::string_view what);

// ---- shared (support.cc) ----

inline constexpr Length kArnLen{1, 256};
inline constexpr Length kLongArnLen{1, 2000};
inline constexpr Length kNameLen{1, 80};
inline constexpr Length kTokenLen{1, 1024};
inline constexpr Length kPageTokenLen{1, 1024};
inline constexpr Length kDefinitionLen{1, 1048576};
inline constexpr Length kSensitiveDataLen{0, 262144};  // inputs and outputs: 256 KiB
inline constexpr Length kErrorLen{0, 256};
inline constexpr Length kCauseLen{0, 32768};

// A fault of the model: Error(code, type, message).
Error Fault(Errc code, std::string_view type, std::string message);
// Epoch milliseconds as the model's Timestamp (epoch seconds, with fraction).
json::value TimestampJson(int64_t millis);
// maxResults (0..1000; 0 = the default 100) and nextToken of a List request.
struct PageRequest {
  int64_t max_results = 100;
  std::string next_token;
};
PageRequest ReadPage(RequestReader& r);
// InvalidToken "Invalid Token: '<token>'" for a nextToken weft did not issue.
Error InvalidPageToken(std::string_view token);
// Not offered yet: a clear error, listed in docs/compatibility.md.
Error NotImplemented(std::string_view what);
// ExecutionDoesNotExist "Execution Does Not Exist: '<arn>'".
Error ExecutionDoesNotExist(std::string_view arn);
// A page of a visibility query (the page size and token of `page`); a token
// the store refuses is InvalidToken.
net::awaitable<Result<store::ExecutionPage>> ListPage(OpContext& ctx, store::ExecutionQuery q,
                                                      PageRequest page);

// ---- what an execution runs (versions.cc) ----

// A state machine, version or alias ARN resolved to the definition an
// execution of it runs. An alias picks one of its versions by weight.
struct ExecutionTarget {
  std::string state_machine_arn;  // unqualified
  std::string state_machine_name;
  std::string version_arn;  // when started by a version, or through an alias
  std::string alias_arn;    // when started through an alias
  std::string revision_id;
  std::string definition;
  std::string role_arn;
  std::string type;  // "STANDARD" | "EXPRESS"
};
// Errors: InvalidArn, StateMachineDoesNotExist, StateMachineDeleting,
// ResourceNotFound (an alias or version that does not exist).
Result<ExecutionTarget> ResolveExecutionTarget(OpContext& ctx, std::string_view arn);
// The engine's start of an execution of `target` (execution fields left empty).
engine::MachineStart StartOf(ExecutionTarget target);

// map_runs.cc: InvalidArn unless `arn` is a Map Run ARN, ResourceNotFound
// unless that Map Run exists.
net::awaitable<Status> CheckMapRunExists(OpContext& ctx, std::string arn);

// state_machines.cc
OpResult CreateStateMachine(OpContext& ctx, const json::object& request);
OpResult DescribeStateMachine(OpContext& ctx, const json::object& request);
OpResult ListStateMachines(OpContext& ctx, const json::object& request);
OpResult UpdateStateMachine(OpContext& ctx, const json::object& request);
OpResult DeleteStateMachine(OpContext& ctx, const json::object& request);
OpResult ValidateStateMachineDefinition(OpContext& ctx, const json::object& request);

// versions.cc
OpResult PublishStateMachineVersion(OpContext& ctx, const json::object& request);
OpResult ListStateMachineVersions(OpContext& ctx, const json::object& request);
OpResult DeleteStateMachineVersion(OpContext& ctx, const json::object& request);
OpResult CreateStateMachineAlias(OpContext& ctx, const json::object& request);
OpResult DescribeStateMachineAlias(OpContext& ctx, const json::object& request);
OpResult UpdateStateMachineAlias(OpContext& ctx, const json::object& request);
OpResult DeleteStateMachineAlias(OpContext& ctx, const json::object& request);
OpResult ListStateMachineAliases(OpContext& ctx, const json::object& request);

// activities.cc
OpResult CreateActivity(OpContext& ctx, const json::object& request);
OpResult DescribeActivity(OpContext& ctx, const json::object& request);
OpResult ListActivities(OpContext& ctx, const json::object& request);
OpResult DeleteActivity(OpContext& ctx, const json::object& request);

// tags.cc
OpResult TagResource(OpContext& ctx, const json::object& request);
OpResult UntagResource(OpContext& ctx, const json::object& request);
OpResult ListTagsForResource(OpContext& ctx, const json::object& request);

// executions.cc
OpResult StartExecution(OpContext& ctx, const json::object& request);
OpResult StartSyncExecution(OpContext& ctx, const json::object& request);
OpResult DescribeExecution(OpContext& ctx, const json::object& request);
OpResult DescribeStateMachineForExecution(OpContext& ctx, const json::object& request);
OpResult StopExecution(OpContext& ctx, const json::object& request);
OpResult ListExecutions(OpContext& ctx, const json::object& request);
OpResult GetExecutionHistory(OpContext& ctx, const json::object& request);
OpResult RedriveExecution(OpContext& ctx, const json::object& request);

// activity_tasks.cc
OpResult GetActivityTask(OpContext& ctx, const json::object& request);
OpResult SendTaskSuccess(OpContext& ctx, const json::object& request);
OpResult SendTaskFailure(OpContext& ctx, const json::object& request);
OpResult SendTaskHeartbeat(OpContext& ctx, const json::object& request);

// map_runs.cc
OpResult DescribeMapRun(OpContext& ctx, const json::object& request);
OpResult ListMapRuns(OpContext& ctx, const json::object& request);
OpResult UpdateMapRun(OpContext& ctx, const json::object& request);

// test_state.cc
OpResult TestState(OpContext& ctx, const json::object& request);

}  // namespace weft::sfn
