// src/outbound/outbound.h: how weft calls the outside world.
//
// What a Step Functions Task state needs to reach a third-party API or a
// Lambda-style function served over HTTP:
//  - HttpClient: an asynchronous HTTP/1.1 client (http:// and https://) on
//    Boost.Beast, running on the caller's executor;
//  - OutboundConfig: the server's configuration file (`weft server --config`),
//    which maps EventBridge connection ARNs to credentials and Lambda function
//    names to URLs (docs/configuration.md);
//  - BuildHttpTaskRequest / HttpTaskResult: the HTTP Task
//    (`arn:aws:states:::http:invoke`), from its resolved Parameters to an
//    HttpRequest, and from the HttpResponse to the state's output or error;
//  - BuildLambdaRequest / LambdaTaskResult: `arn:aws:states:::lambda:invoke`
//    and function-ARN resources, mapped to an HTTP POST of the payload.
//
// Secrets (passwords, API keys, tokens) live in Secret values that print as
// "****". The request builders add credentials themselves and list every
// secret value they put into a request in HttpRequest::secrets, so that
// Redacted(request) can be logged. Outputs and error causes are built from the
// response only: no credential reaches a history event.
//
// Thread safety: HttpClient::Send may be called concurrently from any thread;
// every other function is pure and reentrant. Nothing here blocks a thread:
// DNS, connect, TLS and the exchange are asynchronous.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace weft::outbound {

namespace net = boost::asio;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://...
  HeaderList headers;
  std::string body;
  // The whole exchange: DNS, connect, TLS handshake, write and read.
  std::chrono::milliseconds timeout{60000};
  // Every secret value the builder put into this request (in a header, the
  // URL or the body); Redacted() masks each wherever it appears. Not sent.
  std::vector<std::string> secrets;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  HeaderList headers;  // in the order received; a repeated name appears twice
  std::string body;
};

// The request as one line of text for logs: method, URL and headers, with
// every value of request.secrets and of Authorization headers shown as "****".
std::string Redacted(const HttpRequest& request);

struct HttpClientOptions {
  // PEM certificates trusted in addition to the system CA store (tests, or a
  // private CA). Empty: the system store only.
  std::string extra_ca_pem;
  size_t max_body_bytes = 10 * 1024 * 1024;  // a larger response body is an error
  std::string user_agent = "weft";           // unless the request sets its own
};

class HttpClient {
 public:
  // Fails (Validation) if extra_ca_pem holds no usable certificate.
  static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on a new connection (no reuse) and reads the whole
  // response. The I/O runs on a new strand of the awaiting coroutine's
  // executor; the result comes back on that executor. The client must outlive
  // every Send in progress.
  // Any status is a response; errors are failures to get one:
  //  - kValidation: a malformed URL or method, a header with CR/LF;
  //  - kUnavailable: "connection refused to host:port", "cannot resolve
  //    host: ...", "timed out after N s", "TLS handshake failed: ...",
  //    "connection to host:port closed before the response was complete";
  //  - kLimitExceeded: the body passed options.max_body_bytes.
  net::awaitable<Result<HttpResponse>> Send(HttpRequest request) const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A credential: copyable, but not comparable, convertible or printable; only
// Reveal() gives its value, which the request builders use. Logs show "****".
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  // For the request builders (and their tests): the value in clear.
  const std::string& Reveal() const { return value_; }

 private:
  std::string value_;
};

// The authorization of an EventBridge connection, as weft's config spells it.
struct BasicAuth {
  std::string username;
  Secret password;
};
struct ApiKeyAuth {
  std::string name;  // the header that carries the key, e.g. "x-api-key"
  Secret value;
};
struct BearerAuth {
  Secret token;
};
// OAuth client credentials, parsed and kept; weft does not fetch tokens yet:
// a task using such a connection fails with a message saying so.
struct OAuthAuth {
  std::string authorization_endpoint;
  std::string http_method = "POST";
  std::string client_id;
  Secret client_secret;
};
using Authorization = std::variant<BasicAuth, ApiKeyAuth, BearerAuth, OAuthAuth>;

// A parameter a connection adds to every request; its value is treated as a
// secret (EventBridge lets any of them be one).
struct Parameter {
  std::string name;
  Secret value;
};

struct Connection {
  Authorization auth;
  std::vector<Parameter> headers;
  std::vector<Parameter> query_parameters;
};

struct LambdaFunction {
  std::string url;  // http(s)://host[:port]/path that receives the payload
  std::vector<Parameter> headers;
  std::chrono::milliseconds timeout{60000};  // "timeoutSeconds"
};

struct OutboundConfig {
  std::map<std::string, Connection, std::less<>> connections;           // by connection ARN
  std::map<std::string, LambdaFunction, std::less<>> lambda_functions;  // by function name

  // The configuration as JSON text with every secret shown as "****".
  std::string Redacted() const;
};

// Parses the configuration file's text. Errors are Validation errors located
// by JSON pointer: "/connections/arn:...: basic needs username and password".
Result<OutboundConfig> ParseOutboundConfig(std::string_view text);
// Reads and parses the file at `path` (Validation naming the path if it
// cannot be read).
Result<OutboundConfig> LoadOutboundConfig(const std::string& path);

// How a task state ends: its output, or an error name and cause for the
// state's Retry and Catch. Causes hold no secrets.
struct TaskOutcome {
  bool ok = false;
  json::value output;  // when ok
  std::string error;   // when not ok, e.g. "States.Http.StatusCode.404"
  std::string cause;
};
using HttpTaskOutcome = TaskOutcome;

inline constexpr std::string_view kHttpInvokeResource = "arn:aws:states:::http:invoke";

// The HTTP Task's request from its resolved Parameters: ApiEndpoint, Method,
// Authentication.ConnectionArn (or InvocationConfig.ConnectionArn), Headers,
// QueryParameters, RequestBody, Transform. Errors carry type
// "States.Runtime", the error the task should fail with (kind Validation, or
// NotImplemented for an oauth connection).
Result<HttpRequest> BuildHttpTaskRequest(const json::object& arguments,
                                         const OutboundConfig& config);
// The task's outcome from the response: on 2xx {"Headers", "ResponseBody",
// "StatusCode", "StatusText"}; otherwise States.Http.StatusCode.<NNN> with
// that same object, as JSON text, for the cause.
HttpTaskOutcome HttpTaskResult(const HttpResponse& response);
// The task's outcome when HttpClient::Send failed: States.Http.Socket for a
// network failure or time-out, States.DataLimitExceeded for a body too large.
HttpTaskOutcome HttpTaskFailure(const Error& error);

// Lambda-style tasks on an HTTP endpoint (lambdaFunctions in the config).
enum class LambdaResultShape {
  kInvokeOutput,  // arn:aws:states:::lambda:invoke: {"ExecutedVersion", "Payload", "StatusCode"}
  kPayload,       // a function ARN as the resource: the payload itself
};

// POSTs `payload_json` to the function's URL. `function_name` may be a name,
// a partial ARN ("123456789012:function:name") or a full ARN, with or without
// a version or alias qualifier. An unknown function is a Validation error
// (type "States.Runtime") that says how to add it.
Result<HttpRequest> BuildLambdaRequest(std::string_view function_name,
                                       std::string_view payload_json, const OutboundConfig& config);
// On 2xx the result in `shape`; a response with X-Amz-Function-Error is the
// function's own error (its errorType, or "Unhandled"); another status is
// Lambda.TooManyRequestsException (429), Lambda.ResourceNotFoundException
// (404) or Lambda.ServiceException.
TaskOutcome LambdaTaskResult(const HttpResponse& response, LambdaResultShape shape);
// When HttpClient::Send failed: Lambda.SdkClientException, the error AWS
// reports when the call to Lambda itself failed.
TaskOutcome LambdaTaskFailure(const Error& error);

}  // namespace weft::outbound
