// src/sfn/ops/test_state.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult TestState(OpContext&, const json::object&) { co_return NotImplemented("TestState"); }

}  // namespace weft::sfn
