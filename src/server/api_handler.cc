#include "server/api_handler.h"

#include <cctype>
#include <exception>
#include <optional>
#include <unordered_map>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "common/metrics.h"
#include "server/console.h"

namespace weft::server {
namespace {

constexpr std::string_view kTargetHeader = "X-Amz-Target";

HttpReply UnknownOperation(std::string message) {
  return ErrorReply(http::status::bad_request, kCoralService, "UnknownOperationException", message);
}

HttpReply SerializationError(std::string_view message) {
  return ErrorReply(http::status::bad_request, kCoralService, "SerializationException", message);
}

// The media type without parameters such as "; charset=UTF-8", lowercased.
std::string MediaType(std::string_view content_type) {
  auto end = content_type.find(';');
  std::string_view type = content_type.substr(0, end);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string out(type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsJsonContentType(std::string_view content_type) {
  if (content_type.empty()) return true;  // lenient: some hand-written clients omit it
  std::string type = MediaType(content_type);
  return type == "application/x-amz-json-1.0" || type == "application/json";
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The request body as a JSON object; an empty body is {}.
Result<json::object> ParseBody(std::string_view body) {
  if (IsBlank(body)) return json::object();
  auto parsed = ParseJson(body);
  if (!parsed.ok()) {
    return Error(Errc::kValidation, "SerializationException", parsed.error().message());
  }
  if (!parsed->is_object()) {
    return Error(
        Errc::kValidation, "SerializationException",
        "Request body must be a JSON object, not " + std::string(KindName(parsed->kind())));
  }
  return std::move(parsed->as_object());
}

HttpReply Ok(const json::value& result) {
  HttpReply reply;
  reply.body = ToJson(result);
  return reply;
}

HttpReply Health() {
  HttpReply reply;
  reply.content_type = "text/plain";
  reply.body = "ok";
  return reply;
}

// Runs the operation; exceptions are bugs and become a logged 500.
net::awaitable<HttpReply> InvokeService(ApiService& service, std::string_view target,
                                        std::string_view operation, RequestContext& context,
                                        json::object& body) {
  std::string failure;
  try {
    auto result = co_await service.Invoke(operation, context, body);
    if (result.ok()) co_return Ok(*result);
    co_return ServiceErrorReply(service, result.error());
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  log::Error("request " + context.request_id + " " + std::string(target) + " threw: " + failure);
  co_return ErrorReply(http::status::internal_server_error, kCoralService, "InternalFailure",
                       "Internal failure (request id " + context.request_id + ")");
}

// The caller of a request to `service`, by its SigV4 signature.
Result<auth::Caller> Authenticate(auth::Authenticator& authenticator, const HttpRequest& request,
                                  const ApiService& service) {
  return authenticator.Authenticate(SignedRequestOf(request), request[http::field::authorization],
                                    service.signing_name(), SystemClock().Now());
}

// Whether an operation changes something (and so gets an audit line).
bool IsWrite(std::string_view operation) {
  for (std::string_view read :
       {"Describe", "List", "Get", "Count", "Poll", "Validate", "TestState"})
    if (operation.substr(0, read.size()) == read) return false;
  return true;
}

// One JSON line per refused request and per allowed write, with the key's
// name, the action and the resource (docs/security.md, "Audit").
void Audit(std::string_view outcome, const auth::Caller* caller, std::string_view action,
           std::string_view resource, const std::optional<Error>& error) {
  json::object line{{"audit", outcome}, {"action", action}};
  if (caller) {
    line["key"] = caller->name;
    line["accessKeyId"] = caller->access_key_id;
  }
  if (!resource.empty()) line["resource"] = resource;
  if (error) {
    line["fault"] = error->type();
    line["message"] = error->message();
  }
  log::Info(json::serialize(line));
}

// Signature faults are protocol-level (coral), as AWS sends them.
HttpReply AuthErrorReply(const Error& e) {
  return ErrorReply(http::status::bad_request, kCoralService, e.type(), e.message());
}

// The operation a request named, once known (the label of
// weft_http_requests_total); `name` points into the request.
struct Named {
  const ApiService* service = nullptr;
  std::string_view name;
};

net::awaitable<HttpReply> HandleApiCall(const ApiRouter& router, const HttpRequest& request,
                                        RequestContext& context, Named& named) {
  auto target_it = request.find(kTargetHeader);
  if (target_it == request.end()) {
    co_return UnknownOperation("Missing X-Amz-Target header");
  }
  std::string_view target = target_it->value();
  auto route = router.Find(target);
  if (!route.ok()) co_return UnknownOperation(route.error().message());
  if (!route->service->HasOperation(route->operation)) {
    co_return UnknownOperation("Unknown operation '" + std::string(route->operation) +
                               "' in X-Amz-Target '" + std::string(target) + "'");
  }
  named = {route->service, route->operation};
  std::string_view content_type = request[http::field::content_type];
  if (!IsJsonContentType(content_type)) {
    co_return SerializationError("Unsupported Content-Type '" + std::string(content_type) +
                                 "'; expected application/x-amz-json-1.0");
  }
  std::optional<auth::Caller> caller;
  if (auto* authenticator = router.authenticator()) {
    auto checked = Authenticate(*authenticator, request, *route->service);
    if (!checked.ok()) {
      Audit("refused", nullptr, target, "", checked.error());
      co_return AuthErrorReply(checked.error());
    }
    caller = std::move(*checked);
  }
  auto body = ParseBody(request.body());
  if (!body.ok()) co_return SerializationError(body.error().message());
  if (caller) {  // checked: the key and region the signature proved
    context.access_key_id = caller->access_key_id;
    context.region = caller->region;
  } else {
    ParseAuthorization(request[http::field::authorization], context);
  }
  if (caller) {
    std::string action =
        std::string(route->service->signing_name()) + ":" + std::string(route->operation);
    std::string resource = route->service->ResourceOf(route->operation, *body, caller->region);
    if (Status allowed = router.authenticator()->Authorize(*caller, action, resource);
        !allowed.ok()) {
      const Error& e = allowed.error();
      Error refusal = e.type().empty() ? route->service->AccessDenied(e.message()) : e;
      Audit("refused", &*caller, action, resource, refusal);
      co_return ServiceErrorReply(*route->service, refusal);
    }
    if (IsWrite(route->operation)) Audit("allowed", &*caller, action, resource, std::nullopt);
  }
  co_return co_await InvokeService(*route->service, target, route->operation, context, *body);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void CountRequest(const Named& named, http::status status) {
  // The registry is asked once per thread, operation and status; after that
  // a request costs two hash lookups without allocating, and a relaxed add.
  using ByStatus = std::unordered_map<int, metrics::Counter*>;
  thread_local std::unordered_map<
      const ApiService*, std::unordered_map<std::string, ByStatus, StringHash, std::equal_to<>>>
      cache;
  auto& by_operation = cache[named.service];
  auto it = by_operation.find(named.name);
  if (it == by_operation.end())
    it = by_operation.emplace(std::string(named.name), ByStatus{}).first;
  int code = static_cast<int>(status);
  metrics::Counter*& counter = it->second[code];
  if (!counter) {
    std::string label =
        named.service ? std::string(named.service->target_prefix()) + "." + std::string(named.name)
                      : "unknown";
    counter = &metrics::GetCounter("weft_http_requests_total",
                                   "API requests by operation and HTTP status",
                                   {{"operation", label}, {"status", std::to_string(code)}});
  }
  counter->Add();
}

HttpReply Metrics() {
  HttpReply reply;
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  reply.body = metrics::RenderPrometheus();
  return reply;
}

HttpReply MetricsHistory() {
  HttpReply reply;
  reply.content_type = "application/json";
  reply.body = metrics::RenderHistoryJson();
  return reply;
}

}  // namespace

auth::SignedRequest SignedRequestOf(const HttpRequest& request) {
  auth::SignedRequest signed_request;
  signed_request.method = request.method_string();
  signed_request.target = request.target();
  for (const auto& field : request)
    signed_request.headers.emplace_back(field.name_string(), field.value());
  signed_request.body = request.body();
  return signed_request;
}

HttpReply ErrorReply(http::status status, std::string_view error_namespace, std::string_view type,
                     std::string_view message) {
  HttpReply reply;
  reply.status = status;
  std::string full_type(error_namespace);
  full_type += '#';
  full_type += type;
  reply.body = "{\"__type\":";
  AppendJsonString(reply.body, full_type);
  reply.body += ",\"message\":";
  AppendJsonString(reply.body, ValidUtf8(message));
  reply.body += '}';
  return reply;
}

HttpReply ServiceErrorReply(const ApiService& service, const Error& error) {
  switch (error.code()) {
    case Errc::kInternal:
      return ErrorReply(http::status::internal_server_error, kCoralService, "InternalFailure",
                        error.message());
    case Errc::kUnavailable:
      return ErrorReply(http::status::service_unavailable, kCoralService, "ServiceUnavailable",
                        error.message());
    default:
      break;
  }
  // A front door names every kind it returns; a kind left unnamed is a bug,
  // answered as a validation error rather than with an empty __type.
  const std::string& type = error.type().empty() ? kValidationName : error.type();
  std::string_view ns = type == kValidationName ? kCoralValidate : service.error_namespace();
  return ErrorReply(http::status::bad_request, ns, type, error.message());
}

void ParseAuthorization(std::string_view header, RequestContext& context) {
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256";
  constexpr std::string_view kCredential = "Credential=";
  if (header.substr(0, kScheme.size()) != kScheme) return;
  auto start = header.find(kCredential, kScheme.size());
  if (start == std::string_view::npos) return;
  std::string_view credential = header.substr(start + kCredential.size());
  credential = credential.substr(0, credential.find_first_of(", "));
  // <AKID>/<date>/<region>/<service>/aws4_request
  std::string_view parts[5];
  size_t count = 0;
  while (count < 5) {
    auto slash = credential.find('/');
    parts[count++] = credential.substr(0, slash);
    if (slash == std::string_view::npos) break;
    credential.remove_prefix(slash + 1);
  }
  if (count < 5 || parts[0].empty()) return;
  context.access_key_id = parts[0];
  context.region = parts[2];
}

Result<ApiRouter::Route> ApiRouter::Find(std::string_view target) const {
  auto dot = target.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == target.size()) {
    return Error(
        Errc::kValidation, "UnknownOperationException",
        "X-Amz-Target '" + std::string(target) + "' is not of the form <Prefix>.<Operation>");
  }
  std::string_view prefix = target.substr(0, dot);
  std::string_view operation = target.substr(dot + 1);
  auto last_dot = prefix.rfind('.');
  std::string_view short_prefix =
      last_dot == std::string_view::npos ? prefix : prefix.substr(last_dot + 1);
  for (ApiService* service : services_) {
    if (service->target_prefix() == prefix) return Route{service, operation};
  }
  for (ApiService* service : services_) {  // legacy: com.amazonaws...SimpleWorkflowService
    if (service->target_prefix() == short_prefix) return Route{service, operation};
  }
  return Error(Errc::kValidation, "UnknownOperationException",
               "No service for X-Amz-Target prefix '" + std::string(prefix) + "'");
}

net::awaitable<HttpReply> HandleRequest(const ApiRouter& router, const HttpRequest& request,
                                        RequestContext& context) {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  switch (request.method()) {
    case http::verb::post: {
      Named named;
      HttpReply reply = co_await HandleApiCall(router, request, context, named);
      CountRequest(named, reply.status);
      co_return reply;
    }
    case http::verb::get:
      if (path == "/health") co_return Health();
      if (path == "/metrics") co_return Metrics();
      if (path == "/metrics/history") co_return MetricsHistory();
      co_return ServeConsole(path);
    default: {
      HttpReply reply;
      reply.status = http::status::method_not_allowed;
      reply.content_type = "text/plain";
      reply.body = "Method not allowed\n";
      co_return reply;
    }
  }
}

bool IsLongPoll(const ApiRouter& router, const HttpRequest& request) {
  if (request.method() != http::verb::post) return false;
  auto target = request.find(kTargetHeader);
  if (target == request.end()) return false;
  auto route = router.Find(target->value());
  return route.ok() && route->service->IsLongPoll(route->operation);
}

}  // namespace weft::server
