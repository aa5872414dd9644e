// src/sfn/sfn.h: the sfn module's public header: the AWS Step Functions API
// (`X-Amz-Target: AWSStepFunctions.<Op>`, AWS JSON 1.0) on top of the engine.
//
// SfnService turns each of the 37 operations of the stepfunctions-2016-11-23
// model from its wire JSON into engine calls and the answer back into wire
// JSON. It checks every member the model constrains (ValidationException
// otherwise), keeps state machines, versions, aliases and activities in the
// engine's Registry, names the engine's error kinds with the model's fault
// names, and omits absent members. Executions run inside the engine, decided
// by the asl interpreter (engine.h, "state machine executions").
//
// Threads: Invoke may run on any thread of the io_context, concurrently; all
// shared state lives in the engine, which serialises what must be.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/service.h"
#include "engine/engine.h"

namespace weft::sfn {

struct SfnOptions {
  // The account id in every ARN (also SWF's): `weft server --account-id`.
  std::string account_id = "123456789012";
  // The region of new ARNs when a request is unsigned.
  std::string default_region = "us-east-1";
  // The Lambda function names the operator mapped to HTTP endpoints
  // ("lambdaFunctions" in `weft server --config FILE`). A definition may
  // call only these functions (arn:aws:lambda:...:function:NAME, or
  // arn:aws:states:::lambda:invoke with FunctionName NAME).
  std::set<std::string> lambda_functions;
};

class SfnService final : public ApiService {
 public:
  // `engine` is borrowed and must outlive the service.
  explicit SfnService(engine::Engine& engine, SfnOptions options = {});

  std::string_view target_prefix() const override { return "AWSStepFunctions"; }
  std::string_view error_namespace() const override { return "com.amazonaws.swf.service.model"; }
  bool HasOperation(std::string_view operation) const override;
  bool IsLongPoll(std::string_view operation) const override {
    return operation == "GetActivityTask";
  }
  std::string_view signing_name() const override { return "states"; }
  // The ARN the request names (state machine, version or alias, execution,
  // activity, Map Run, tagged resource), the one a create would make, or
  // arn:aws:states:<region>:<account>:* for lists and task tokens.
  std::string ResourceOf(std::string_view operation, const json::object& request,
                         std::string_view region) const override;
  Error AccessDenied(std::string message) const override {
    return Error(Errc::kValidation, "AccessDeniedException", std::move(message));
  }
  net::awaitable<Result<json::value>> Invoke(std::string_view operation, RequestContext& context,
                                             json::object& request) override;

 private:
  engine::Engine& engine_;
  SfnOptions options_;
};

}  // namespace weft::sfn
