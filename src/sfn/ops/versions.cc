// src/sfn/ops/versions.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult PublishStateMachineVersion(OpContext&, const json::object&) { co_return NotImplemented("PublishStateMachineVersion"); }

OpResult ListStateMachineVersions(OpContext&, const json::object&) { co_return NotImplemented("ListStateMachineVersions"); }

OpResult DeleteStateMachineVersion(OpContext&, const json::object&) { co_return NotImplemented("DeleteStateMachineVersion"); }

OpResult CreateStateMachineAlias(OpContext&, const json::object&) { co_return NotImplemented("CreateStateMachineAlias"); }

OpResult DescribeStateMachineAlias(OpContext&, const json::object&) { co_return NotImplemented("DescribeStateMachineAlias"); }

OpResult UpdateStateMachineAlias(OpContext&, const json::object&) { co_return NotImplemented("UpdateStateMachineAlias"); }

OpResult DeleteStateMachineAlias(OpContext&, const json::object&) { co_return NotImplemented("DeleteStateMachineAlias"); }

OpResult ListStateMachineAliases(OpContext&, const json::object&) { co_return NotImplemented("ListStateMachineAliases"); }

Result<ExecutionTarget> ResolveExecutionTarget(OpContext&, std::string_view) {
  return NotImplemented("state machines");
}

}  // namespace weft::sfn
