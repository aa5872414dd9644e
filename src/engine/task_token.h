// src/engine/task_token.h: task tokens. Opaque to clients; inside, they name
// the execution and the task's scheduled and started events, so that a token
// for a task that has since closed or timed out is recognised as stale.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace weft::engine {

struct TaskToken {
  char kind = 'a';  // 'd' decision task, 'a' activity task
  std::string domain;
  std::string workflow_id;
  std::string run_id;
  int64_t scheduled_event_id = 0;
  int64_t started_event_id = 0;
};

std::string EncodeTaskToken(const TaskToken& token);
// ValidationException for anything that is not a token weft made.
Result<TaskToken> DecodeTaskToken(std::string_view text);

}  // namespace weft::engine
