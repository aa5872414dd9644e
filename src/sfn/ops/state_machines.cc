// src/sfn/ops/state_machines.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult CreateStateMachine(OpContext&, const json::object&) { co_return NotImplemented("CreateStateMachine"); }

OpResult DescribeStateMachine(OpContext&, const json::object&) { co_return NotImplemented("DescribeStateMachine"); }

OpResult ListStateMachines(OpContext&, const json::object&) { co_return NotImplemented("ListStateMachines"); }

OpResult UpdateStateMachine(OpContext&, const json::object&) { co_return NotImplemented("UpdateStateMachine"); }

OpResult DeleteStateMachine(OpContext&, const json::object&) { co_return NotImplemented("DeleteStateMachine"); }

OpResult ValidateStateMachineDefinition(OpContext&, const json::object&) { co_return NotImplemented("ValidateStateMachineDefinition"); }

}  // namespace weft::sfn
