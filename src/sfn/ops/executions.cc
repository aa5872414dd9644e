// src/sfn/ops/executions.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult StartExecution(OpContext&, const json::object&) { co_return NotImplemented("StartExecution"); }

OpResult StartSyncExecution(OpContext&, const json::object&) { co_return NotImplemented("StartSyncExecution"); }

OpResult DescribeExecution(OpContext&, const json::object&) { co_return NotImplemented("DescribeExecution"); }

OpResult DescribeStateMachineForExecution(OpContext&, const json::object&) { co_return NotImplemented("DescribeStateMachineForExecution"); }

OpResult StopExecution(OpContext&, const json::object&) { co_return NotImplemented("StopExecution"); }

OpResult ListExecutions(OpContext&, const json::object&) { co_return NotImplemented("ListExecutions"); }

OpResult GetExecutionHistory(OpContext&, const json::object&) { co_return NotImplemented("GetExecutionHistory"); }

OpResult RedriveExecution(OpContext&, const json::object&) { co_return NotImplemented("RedriveExecution"); }

}  // namespace weft::sfn
