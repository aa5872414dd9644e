// Lambda-style tasks served by an HTTP endpoint: the payload is POSTed as
// JSON to the function's URL from the configuration file, and the response
// body is the function's result.
#include "outbound/outbound.h"
#include "outbound/response_body.h"

namespace weft::outbound {
namespace {

constexpr size_t kCauseBodyLimit = 16 * 1024;

// The function name in a name, a partial ARN ("123456789012:function:name")
// or a full ARN, without its version or alias qualifier.
std::string_view FunctionName(std::string_view given) {
  constexpr std::string_view kMarker = "function:";
  if (auto at = given.find(kMarker); at != std::string_view::npos) {
    given.remove_prefix(at + kMarker.size());
  }
  return given.substr(0, given.find(':'));
}

}  // namespace

Result<HttpRequest> BuildLambdaRequest(std::string_view function_name,
                                       std::string_view payload_json,
                                       const OutboundConfig& config) {
  std::string_view name = FunctionName(function_name);
  auto function = config.lambda_functions.find(name);
  if (function == config.lambda_functions.end()) {
    return Error(Errc::kValidation, "States.Runtime",
                 "Lambda function " + std::string(name) +
                     " is not configured: add its URL under \"lambdaFunctions\" in the file "
                     "given to weft server --config (see docs/configuration.md)");
  }
  HttpRequest request;
  request.method = "POST";
  request.url = function->second.url;
  request.timeout = function->second.timeout;
  request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& h : function->second.headers) {
    request.headers.emplace_back(h.name, h.value.Reveal());
    request.secrets.push_back(h.value.Reveal());
  }
  request.body = payload_json.empty() ? "{}" : std::string(payload_json);
  return request;
}

TaskOutcome LambdaTaskResult(const HttpResponse& response, LambdaResultShape shape) {
  if (response.status >= 200 && response.status < 300) {
    json::value payload =
        response.body.empty() ? json::value(nullptr) : BodyValue(response, /*json_only=*/false);
    if (auto function_error = FindHeader(response.headers, "x-amz-function-error")) {
      // Lambda's own convention: the payload describes the function's error.
      std::string error = function_error->empty() ? "Unhandled" : std::string(*function_error);
      if (payload.is_object()) {
        if (const json::string* type = FindString(payload.as_object(), "errorType")) {
          error = *type;
        }
      }
      return Failed(std::move(error), CauseText(response.body, kCauseBodyLimit));
    }
    if (shape == LambdaResultShape::kPayload) return Succeeded(std::move(payload));
    return Succeeded(json::object{{"ExecutedVersion", "$LATEST"},
                                  {"Payload", std::move(payload)},
                                  {"StatusCode", response.status}});
  }
  std::string error = response.status == 429   ? "Lambda.TooManyRequestsException"
                      : response.status == 404 ? "Lambda.ResourceNotFoundException"
                                               : "Lambda.ServiceException";
  return Failed(std::move(error), "the function's endpoint answered " +
                                      std::to_string(response.status) + " " + StatusText(response) +
                                      ": " + CauseText(response.body, kCauseBodyLimit));
}

TaskOutcome LambdaTaskFailure(const Error& error) {
  if (error.code() == Errc::kLimitExceeded)
    return Failed("States.DataLimitExceeded", error.message());
  return Failed("Lambda.SdkClientException", error.message());
}

}  // namespace weft::outbound
