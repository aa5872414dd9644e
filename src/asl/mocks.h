// src/asl/mocks.h: AWS Step Functions Local's mock configuration (internal).
//   {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
//    "MockedResponses": {"<response>": {"0": {"Return": <json>},
//                                        "1-2": {"Throw": {"Error": "E", "Cause": "C"}}}}}
// The keys of a mocked response are invocation numbers (0-based) or ranges.
#pragma once

#include <optional>
#include <string>

#include "asl/asl.h"

namespace weft::asl {

struct MockedResponse {
  bool is_throw = false;
  std::string output;  // Return: JSON text
  std::optional<std::string> error, cause;
};

class MockConfig {
 public:
  static Result<MockConfig> Parse(const json::value& doc);

  // The test case to use: `requested`, or the only one of `machine` (or of
  // the file, when the machine is not named in it). Errors: Validation.
  Result<std::string> ResolveTestCase(const std::string& machine, const std::string& requested,
                                      std::string* machine_used) const;
  // The response for the `invocation`-th call (0-based) of `state`; nullopt
  // when the test case does not mock the state. Errors: Validation when the
  // state is mocked but no entry covers this invocation.
  Result<std::optional<MockedResponse>> Response(const std::string& machine,
                                                 const std::string& test_case,
                                                 const std::string& state,
                                                 int64_t invocation) const;

 private:
  json::object doc_;
};

}  // namespace weft::asl
