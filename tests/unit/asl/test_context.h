// The execution context the asl unit tests run under: execution "e" of
// state machine "m", started at t = 1,000,000 ms.
#pragma once

#include "asl/asl.h"

namespace weft::asl::testing {

inline ExecutionContext TestContext() {
  ExecutionContext ctx;
  ctx.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  ctx.execution_name = "e";
  ctx.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
  ctx.state_machine_name = "m";
  ctx.start_time_ms = 1'000'000;
  return ctx;
}

}  // namespace weft::asl::testing
