// The Step Functions HTTP Task (arn:aws:states:::http:invoke), as AWS
// documents it in "Call HTTPS APIs in Step Functions workflows".
#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cctype>
#include <string_view>

#include "common/base64.h"
#include "outbound/outbound.h"
#include "outbound/response_body.h"
#include "outbound/url.h"

namespace weft::outbound {
namespace {

namespace beast = boost::beast;

// A 2xx response's body larger than this is cut in an error's cause (AWS
// limits a cause to 32,768 characters).
constexpr size_t kCauseBodyLimit = 16 * 1024;

Error Runtime(std::string message) {
  return Error(Errc::kValidation, "States.Runtime", std::move(message));
}

// Headers an HTTP Task may not set (AWS's list); x-forwarded-*, x-amz-* and
// x-amzn-* are refused by prefix. Authorization comes from the connection.
constexpr std::string_view kForbiddenHeaders[] = {
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
};

bool IsForbiddenHeader(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.starts_with("x-forwarded-") || lower.starts_with("x-amz-") ||
      lower.starts_with("x-amzn-")) {
    return true;
  }
  for (auto forbidden : kForbiddenHeaders) {
    if (lower == forbidden) return true;
  }
  return false;
}

void SetHeader(HeaderList& headers, std::string name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return beast::iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
}

Result<std::string> ConnectionArn(const json::object& arguments) {
  for (auto key : {"Authentication", "InvocationConfig"}) {
    if (const json::object* o = FindObject(arguments, key)) {
      if (const json::string* arn = FindString(*o, "ConnectionArn")) return std::string(*arn);
    }
  }
  return Runtime(
      "the HTTP Task needs Authentication.ConnectionArn, the ARN of an EventBridge connection "
      "listed in weft's configuration file");
}

Result<ArrayFormat> ParseTransform(const json::object& arguments, bool& url_encoded) {
  url_encoded = false;
  const json::value* transform = Find(arguments, "Transform");
  if (!transform) return ArrayFormat::kIndices;
  if (!transform->is_object()) return Runtime("Transform must be an object");
  const json::object& t = transform->as_object();
  if (const json::value* encoding = Find(t, "RequestBodyEncoding")) {
    if (!encoding->is_string() ||
        (encoding->as_string() != "NONE" && encoding->as_string() != "URL_ENCODED")) {
      return Runtime("Transform.RequestBodyEncoding must be NONE or URL_ENCODED");
    }
    url_encoded = encoding->as_string() == "URL_ENCODED";
  }
  const json::object* options = FindObject(t, "RequestEncodingOptions");
  const json::value* format = options ? Find(*options, "ArrayFormat") : nullptr;
  if (!format) return ArrayFormat::kIndices;
  static constexpr std::pair<std::string_view, ArrayFormat> kFormats[] = {
      {"INDICES", ArrayFormat::kIndices},
      {"REPEAT", ArrayFormat::kRepeat},
      {"COMMAS", ArrayFormat::kCommas},
      {"BRACKETS", ArrayFormat::kBrackets},
  };
  for (const auto& [name, value] : kFormats) {
    if (format->is_string() && format->as_string() == name) return value;
  }
  return Runtime(
      "Transform.RequestEncodingOptions.ArrayFormat must be INDICES, REPEAT, COMMAS or BRACKETS");
}

Status AddTaskHeaders(const json::object& arguments, HeaderList& headers) {
  const json::value* v = Find(arguments, "Headers");
  if (!v) return {};
  if (!v->is_object()) return Runtime("Headers must be an object");
  for (const auto& member : v->as_object()) {
    std::string name(member.key());
    if (IsForbiddenHeader(name)) {
      return Runtime(
          "the HTTP Task may not set the header " + name +
          (beast::iequals(name, "authorization") ? "; credentials come from the connection" : ""));
    }
    if (member.value().is_object() || member.value().is_array()) {
      return Runtime("Headers." + name + " must be a string, a number or a boolean");
    }
    SetHeader(headers, std::move(name), ScalarText(member.value()));
  }
  return {};
}

// The connection's credentials and parameters, which win over the task's.
Status AddConnection(const std::string& arn, const Connection& connection, HttpRequest& request,
                     json::object& query) {
  auto secret = [&](const std::string& value) {
    request.secrets.push_back(value);
    if (auto encoded = PercentEncode(value); encoded != value) request.secrets.push_back(encoded);
  };
  for (const auto& h : connection.headers) {
    SetHeader(request.headers, h.name, h.value.Reveal());
    secret(h.value.Reveal());
  }
  for (const auto& q : connection.query_parameters) {
    query[q.name] = q.value.Reveal();
    secret(q.value.Reveal());
  }
  if (const auto* basic = std::get_if<BasicAuth>(&connection.auth)) {
    std::string credentials = Base64Encode(basic->username + ":" + basic->password.Reveal());
    SetHeader(request.headers, "Authorization", "Basic " + credentials);
    secret(basic->password.Reveal());
    secret(credentials);
  } else if (const auto* key = std::get_if<ApiKeyAuth>(&connection.auth)) {
    SetHeader(request.headers, key->name, key->value.Reveal());
    secret(key->value.Reveal());
  } else if (const auto* bearer = std::get_if<BearerAuth>(&connection.auth)) {
    SetHeader(request.headers, "Authorization", "Bearer " + bearer->token.Reveal());
    secret(bearer->token.Reveal());
  } else {
    return Error(Errc::kNotImplemented, "States.Runtime",
                 "connection " + arn +
                     " uses oauth, which weft does not support yet; give it a bearer token "
                     "instead");
  }
  return {};
}

Result<std::string> Body(const json::value& body, bool url_encoded, ArrayFormat format) {
  if (body.is_string()) return std::string(body.as_string());  // sent as it is
  if (!url_encoded) return ToJson(body);
  if (!body.is_object()) {
    return Runtime("RequestBody must be an object to be URL_ENCODED, not " +
                   std::string(KindName(body.kind())));
  }
  return FormEncode(body.as_object(), format);
}

}  // namespace

Result<HttpRequest> BuildHttpTaskRequest(const json::object& arguments,
                                         const OutboundConfig& config) {
  HttpRequest request;
  const json::string* endpoint = FindString(arguments, "ApiEndpoint");
  if (!endpoint) return Runtime("the HTTP Task needs ApiEndpoint, the URL to call");
  if (auto url = ParseUrl(*endpoint); !url) return Runtime("ApiEndpoint: " + url.error().message());
  request.url = *endpoint;

  static constexpr std::string_view kMethods[] = {"GET",   "POST",    "PUT", "DELETE",
                                                  "PATCH", "OPTIONS", "HEAD"};
  const json::string* method = FindString(arguments, "Method");
  if (!method ||
      std::find(std::begin(kMethods), std::end(kMethods), *method) == std::end(kMethods)) {
    return Runtime("Method must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD");
  }
  request.method = *method;

  auto arn = ConnectionArn(arguments);
  if (!arn) return arn.error();
  auto connection = config.connections.find(*arn);
  if (connection == config.connections.end()) {
    return Runtime("connection " + *arn +
                   " is not configured: add it under \"connections\" in the file given to "
                   "weft server --config (see docs/configuration.md)");
  }

  bool url_encoded = false;
  auto format = ParseTransform(arguments, url_encoded);
  if (!format) return format.error();

  json::object query;
  if (const json::value* q = Find(arguments, "QueryParameters")) {
    if (!q->is_object()) return Runtime("QueryParameters must be an object");
    query = q->as_object();
  }
  if (auto headers = AddTaskHeaders(arguments, request.headers); !headers) return headers.error();
  if (auto added = AddConnection(*arn, connection->second, request, query); !added) {
    return added.error();
  }
  if (!query.empty()) {
    request.url += request.url.find('?') == std::string::npos ? '?' : '&';
    request.url += FormEncode(query, *format);
  }

  if (const json::value* body = Find(arguments, "RequestBody")) {
    auto text = Body(*body, url_encoded, *format);
    if (!text) return text.error();
    request.body = std::move(*text);
    if (!FindHeader(request.headers, "content-type")) {
      request.headers.emplace_back("Content-Type", url_encoded ? "application/x-www-form-urlencoded"
                                                               : "application/json; charset=UTF-8");
    }
  }
  return request;
}

HttpTaskOutcome HttpTaskResult(const HttpResponse& response) {
  bool ok = response.status >= 200 && response.status < 300;
  std::string media_type = MediaType(FindHeader(response.headers, "content-type").value_or(""));
  bool binary = media_type == "application/octet-stream" || media_type.starts_with("image/") ||
                media_type.starts_with("audio/") || media_type.starts_with("video/") ||
                !IsUtf8(response.body);
  if (ok && binary) {
    return Failed("States.Runtime", "the HTTP Task does not support binary responses (" +
                                        (media_type.empty() ? "no content type" : media_type) +
                                        ", " + std::to_string(response.body.size()) + " bytes)");
  }
  json::value body;
  if (ok || response.body.size() <= kCauseBodyLimit) {
    body = binary ? json::value(CauseText(response.body, kCauseBodyLimit))
                  : BodyValue(response, /*json_only=*/true);
  } else {
    body = CauseText(response.body, kCauseBodyLimit);
  }
  json::object output{{"Headers", HeadersObject(response.headers)},
                      {"ResponseBody", std::move(body)},
                      {"StatusCode", response.status},
                      {"StatusText", StatusText(response)}};
  if (ok) return Succeeded(std::move(output));
  return Failed("States.Http.StatusCode." + std::to_string(response.status), ToJson(output));
}

HttpTaskOutcome HttpTaskFailure(const Error& error) {
  switch (error.code()) {
    case Errc::kLimitExceeded:
      return Failed("States.DataLimitExceeded", error.message());
    case Errc::kValidation:
      return Failed("States.Runtime", error.message());
    default:
      return Failed("States.Http.Socket", error.message());
  }
}

}  // namespace weft::outbound
