// src/sfn/ops/definition_check.h (internal): what the Step Functions front
// door checks in a definition besides the language itself (asl::Compile):
// the rules of Express state machines, and the Task resources weft can run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "sfn/sfn.h"

namespace weft::sfn {

// One problem, as ValidateStateMachineDefinition reports it.
struct DefinitionProblem {
  std::string severity;  // "ERROR" | "WARNING"
  std::string code;      // "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET", ...
  std::string location;  // a JSON pointer ("/States/X/Resource"); "" for the top level
  std::string message;
};

enum class ResourceRule {
  kError,    // a resource weft cannot run is an ERROR (Create/UpdateStateMachine)
  kWarning,  // ... a WARNING (ValidateStateMachineDefinition: the language is fine)
};

// Every problem of `definition` for a state machine of `type` ("STANDARD" or
// "EXPRESS"): the language's (asl::Compile), then the Express rules (no
// activities, no .sync, no .waitForTaskToken), then the resources weft
// cannot run (a Lambda function not in options.lambda_functions, a service
// integration weft does not offer). States in Parallel branches and Map item
// processors are checked too.
std::vector<DefinitionProblem> CheckDefinition(std::string_view definition, std::string_view type,
                                               const SfnOptions& options, ResourceRule rule);
bool HasErrors(const std::vector<DefinitionProblem>& problems);

// InvalidDefinition listing every ERROR the way AWS words it:
// "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: <message> at
// /States/X, MISSING_TRANSITION_TARGET: ... at /States/Y/Next'".
Error InvalidDefinition(const std::vector<DefinitionProblem>& problems);

}  // namespace weft::sfn
