// src/server/api_handler.h (internal): turns one parsed HTTP request into one
// reply, with no socket in sight. The AWS JSON 1.0 protocol lives here:
// routing on X-Amz-Target, the JSON body, and errors as `__type` + message.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials.h"
#include "common/error.h"
#include "common/service.h"

namespace weft::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;

// What goes back to the client; the connection adds the framing headers.
struct HttpReply {
  http::status status = http::status::ok;
  std::string content_type = "application/x-amz-json-1.0";
  std::string body;
  bool close = false;  // close the connection after this reply
};

// The namespaces AWS uses for protocol-level faults (botocore only reads the
// part after '#', but other SDKs print the whole thing).
inline constexpr std::string_view kCoralService = "com.amazon.coral.service";
inline constexpr std::string_view kCoralValidate = "com.amazon.coral.validate";
inline const std::string kValidationName = "ValidationException";

// An AWS JSON error reply: {"__type":"<ns>#<type>","message":"..."}.
HttpReply ErrorReply(http::status status, std::string_view error_namespace, std::string_view type,
                     std::string_view message);
// The reply for an Error a service returned: 400 for client errors (the
// service's namespace; ValidationException in coral.validate), 500
// InternalFailure for kInternal, 503 ServiceUnavailable for kUnavailable.
HttpReply ServiceErrorReply(const ApiService& service, const Error& error);

// What a SigV4 signature of `request` covers (views into `request`).
auth::SignedRequest SignedRequestOf(const HttpRequest& request);

// Reads "AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, ..."
// into context.access_key_id and context.region. Does not verify the
// signature. Leaves both empty for a missing or different header.
void ParseAuthorization(std::string_view header, RequestContext& context);

// Finds the service for an X-Amz-Target value. Services are borrowed.
class ApiRouter {
 public:
  struct Route {
    ApiService* service = nullptr;
    std::string_view operation;  // points into the target passed to Find
  };
  explicit ApiRouter(std::vector<ApiService*> services,
                     auth::Authenticator* authenticator = nullptr)
      : services_(std::move(services)), authenticator_(authenticator) {}

  // "<Prefix>.<Op>" where Prefix is a service's target_prefix() or ends with
  // ".<target_prefix()>" (legacy SWF clients). Errors: UnknownOperationException
  // for a target with no '.', or a prefix no service has. Does not check the
  // operation name.
  Result<Route> Find(std::string_view target) const;

  // Who may call what (null: nobody is checked).
  auth::Authenticator* authenticator() const { return authenticator_; }

 private:
  std::vector<ApiService*> services_;
  auth::Authenticator* authenticator_;
};

// Whether the request is a POST to an operation its service calls a long poll.
bool IsLongPoll(const ApiRouter& router, const HttpRequest& request);

// Serves one request: the AWS JSON API on POST; /health, /metrics (Prometheus
// text) and the console on GET. Catches every exception a service throws
// (500 InternalFailure, logged).
// `context.request_id` must be set; this fills in the SigV4 fields.
net::awaitable<HttpReply> HandleRequest(const ApiRouter& router, const HttpRequest& request,
                                        RequestContext& context);

}  // namespace weft::server
