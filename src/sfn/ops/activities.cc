// src/sfn/ops/activities.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult CreateActivity(OpContext&, const json::object&) { co_return NotImplemented("CreateActivity"); }

OpResult DescribeActivity(OpContext&, const json::object&) { co_return NotImplemented("DescribeActivity"); }

OpResult ListActivities(OpContext&, const json::object&) { co_return NotImplemented("ListActivities"); }

OpResult DeleteActivity(OpContext&, const json::object&) { co_return NotImplemented("DeleteActivity"); }

}  // namespace weft::sfn
