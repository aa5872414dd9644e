// src/sfn/ops/activity_tasks.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult GetActivityTask(OpContext&, const json::object&) { co_return NotImplemented("GetActivityTask"); }

OpResult SendTaskSuccess(OpContext&, const json::object&) { co_return NotImplemented("SendTaskSuccess"); }

OpResult SendTaskFailure(OpContext&, const json::object&) { co_return NotImplemented("SendTaskFailure"); }

OpResult SendTaskHeartbeat(OpContext&, const json::object&) { co_return NotImplemented("SendTaskHeartbeat"); }

}  // namespace weft::sfn
