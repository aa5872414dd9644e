// src/swf/swf.h: the swf module's public header: the Amazon SWF API
// (`X-Amz-Target: SimpleWorkflowService.<Op>`, AWS JSON 1.0) on top of the
// engine.
//
// SwfService turns each of the 39 operations of the SWF model from its wire
// JSON into engine calls and the answer back into wire JSON: it checks every
// member the model constrains (required, type, length, enum; ValidationException
// otherwise), keeps domains and types in the engine's Registry, pages lists
// and histories (opaque nextPageToken), and omits absent members. It holds no
// state of its own beyond a borrowed Engine.
//
// Threads: Invoke may run on any thread of the io_context, concurrently; all
// shared state lives in the engine, which serialises what must be.
#pragma once

#include <string>
#include <string_view>

#include "common/service.h"
#include "engine/engine.h"

namespace weft::swf {

struct SwfOptions {
  // The account id in domain ARNs (arn:aws:swf:<region>:<account>:/domain/<name>).
  std::string account_id = "123456789012";
  // The region in ARNs when the request is unsigned.
  std::string default_region = "us-east-1";
};

class SwfService final : public ApiService {
 public:
  // `engine` is borrowed and must outlive the service.
  explicit SwfService(engine::Engine& engine, SwfOptions options = {});

  std::string_view target_prefix() const override { return "SimpleWorkflowService"; }
  std::string_view error_namespace() const override { return "com.amazonaws.swf.base.model"; }
  bool HasOperation(std::string_view operation) const override;
  bool IsLongPoll(std::string_view operation) const override {
    return operation == "PollForDecisionTask" || operation == "PollForActivityTask";
  }
  std::string_view signing_name() const override { return "swf"; }
  // The domain's ARN (arn:aws:swf:<region>:<account>:/domain/<name>), as
  // SWF's IAM policies name it: the request's domain, or its task token's;
  // `/domain/*` for ListDomains (and a token that is not one).
  std::string ResourceOf(std::string_view operation, const json::object& request,
                         std::string_view region) const override;
  Error AccessDenied(std::string message) const override {
    return Error(Errc::kValidation, "OperationNotPermittedFault", std::move(message));
  }
  net::awaitable<Result<json::value>> Invoke(std::string_view operation, RequestContext& context,
                                             json::object& request) override;

 private:
  engine::Engine& engine_;
  SwfOptions options_;
};

}  // namespace weft::swf
