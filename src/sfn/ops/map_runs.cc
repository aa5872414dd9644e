// src/sfn/ops/map_runs.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult DescribeMapRun(OpContext&, const json::object&) {
  co_return NotImplemented("DescribeMapRun");
}

OpResult ListMapRuns(OpContext&, const json::object&) { co_return NotImplemented("ListMapRuns"); }

OpResult UpdateMapRun(OpContext&, const json::object&) { co_return NotImplemented("UpdateMapRun"); }

}  // namespace weft::sfn
