#include <gtest/gtest.h>

#include "common/base64.h"
#include "outbound/outbound.h"
#include "test_server.h"

namespace weft::outbound::testing {
namespace {

constexpr std::string_view kBasicArn = "arn:aws:events:us-east-1:1:connection/basic/1";
constexpr std::string_view kKeyArn = "arn:aws:events:us-east-1:1:connection/key/2";

OutboundConfig Config() {
  auto config = ParseOutboundConfig(R"({"connections": {
    "arn:aws:events:us-east-1:1:connection/basic/1": {
      "basic": {"username": "alice", "password": "pa55word"},
      "headers": {"X-Tenant": "tenant-secret"},
      "queryParameters": {"sig": "sig/secret"}
    },
    "arn:aws:events:us-east-1:1:connection/key/2": {"apiKey": {"name": "X-Api-Key", "value": "key-123"}},
    "arn:aws:events:us-east-1:1:connection/bearer/3": {"bearer": {"token": "tok-456"}},
    "arn:aws:events:us-east-1:1:connection/oauth/4": {
      "oauth": {"authorizationEndpoint": "https://a/t", "clientId": "i", "clientSecret": "s"}}
  }})");
  EXPECT_TRUE(config.ok()) << config.error().message();
  return std::move(*config);
}

json::object Arguments(std::string_view extra, std::string_view arn = kKeyArn) {
  std::string text = R"({"ApiEndpoint": "https://api.example.com/v1/items", "Method": "GET",
                         "Authentication": {"ConnectionArn": ")" +
                     std::string(arn) + "\"}";
  if (!extra.empty()) text += ", " + std::string(extra);
  return json::parse(text + "}").as_object();
}

std::string Header(const HttpRequest& request, std::string_view name) {
  std::string found;
  for (const auto& [n, v] : request.headers) {
    if (beast::iequals(n, name)) found = v;
  }
  return found;
}

TEST(HttpTaskTest, BasicConnectionAddsCredentialsHeadersAndQuery) {
  OutboundConfig config = Config();
  auto request = BuildHttpTaskRequest(
      Arguments(R"("QueryParameters": {"q": "a b"}, "Headers": {"X-Tenant": "mine", "X-N": 5})",
                kBasicArn),
      config);
  ASSERT_TRUE(request.ok()) << request.error().message();
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->url, "https://api.example.com/v1/items?q=a%20b&sig=sig%2Fsecret");
  std::string credentials = Base64Encode("alice:pa55word");
  EXPECT_EQ(Header(*request, "Authorization"), "Basic " + credentials);
  EXPECT_EQ(Header(*request, "X-Tenant"), "tenant-secret");  // the connection wins
  EXPECT_EQ(Header(*request, "X-N"), "5");
  EXPECT_EQ(Header(*request, "Content-Type"), "");  // no body
  EXPECT_TRUE(request->body.empty());
  EXPECT_EQ(request->timeout, std::chrono::seconds(60));

  std::string logged = Redacted(*request);
  for (std::string secret : {std::string("pa55word"), credentials, std::string("tenant-secret"),
                             std::string("sig%2Fsecret")}) {
    EXPECT_EQ(logged.find(secret), std::string::npos) << secret << " in " << logged;
  }
  EXPECT_NE(logged.find("q=a%20b"), std::string::npos) << logged;
}

TEST(HttpTaskTest, ApiKeyAndBearerConnections) {
  OutboundConfig config = Config();
  auto keyed = BuildHttpTaskRequest(Arguments(R"("Headers": {"x-api-key": "task's"})"), config);
  ASSERT_TRUE(keyed.ok()) << keyed.error().message();
  EXPECT_EQ(Header(*keyed, "X-Api-Key"), "key-123");
  EXPECT_EQ(keyed->headers.size(), 1u);
  EXPECT_EQ(Redacted(*keyed).find("key-123"), std::string::npos);

  auto bearer = BuildHttpTaskRequest(json::parse(R"({"ApiEndpoint": "http://h/", "Method": "DELETE",
                      "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/bearer/3"}})")
                                         .as_object(),
                                     config);
  ASSERT_TRUE(bearer.ok()) << bearer.error().message();
  EXPECT_EQ(bearer->method, "DELETE");
  EXPECT_EQ(Header(*bearer, "Authorization"), "Bearer tok-456");
  EXPECT_EQ(Redacted(*bearer).find("tok-456"), std::string::npos);
}

TEST(HttpTaskTest, QueryParametersInEachArrayFormat) {
  OutboundConfig config = Config();
  struct Case {
    std::string format;
    std::string query;
  } cases[] = {
      {"", "ids[0]=1&ids[1]=2&name=x%26y"},       {"INDICES", "ids[0]=1&ids[1]=2&name=x%26y"},
      {"REPEAT", "ids=1&ids=2&name=x%26y"},       {"COMMAS", "ids=1,2&name=x%26y"},
      {"BRACKETS", "ids[]=1&ids[]=2&name=x%26y"},
  };
  for (const auto& c : cases) {
    std::string extra = R"("QueryParameters": {"ids": [1, 2], "name": "x&y"})";
    if (!c.format.empty()) {
      extra += R"(, "Transform": {"RequestEncodingOptions": {"ArrayFormat": ")" + c.format + "\"}}";
    }
    auto request = BuildHttpTaskRequest(Arguments(extra), config);
    ASSERT_TRUE(request.ok()) << request.error().message();
    EXPECT_EQ(request->url, "https://api.example.com/v1/items?" + c.query) << c.format;
  }
  auto with_query =
      BuildHttpTaskRequest(json::parse(R"({"ApiEndpoint": "http://h/p?a=1", "Method": "GET",
                      "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/key/2"},
                      "QueryParameters": {"b": true}})")
                               .as_object(),
                           config);
  ASSERT_TRUE(with_query.ok());
  EXPECT_EQ(with_query->url, "http://h/p?a=1&b=true");
}

TEST(HttpTaskTest, RequestBodies) {
  OutboundConfig config = Config();
  struct Case {
    std::string extra;
    std::string body;
    std::string content_type;
  } cases[] = {
      {R"("RequestBody": {"a": [1, 2], "b": "x y"})", R"({"a":[1,2],"b":"x y"})",
       "application/json; charset=UTF-8"},
      {R"("RequestBody": [1, "two"])", R"([1,"two"])", "application/json; charset=UTF-8"},
      {R"("RequestBody": "raw text")", "raw text", "application/json; charset=UTF-8"},
      {R"("RequestBody": {"a": 1}, "Headers": {"Content-Type": "text/x-mine"})", R"({"a":1})",
       "text/x-mine"},
      {R"("RequestBody": {"a": [1, 2], "b": "x y"},
          "Transform": {"RequestBodyEncoding": "URL_ENCODED"})",
       "a[0]=1&a[1]=2&b=x%20y", "application/x-www-form-urlencoded"},
      {R"("RequestBody": {"a": [1, 2], "o": {"k": "v"}},
          "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                        "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}})",
       "a[]=1&a[]=2&o[k]=v", "application/x-www-form-urlencoded"},
      {R"("RequestBody": {"a": [1, 2]}, "Transform": {"RequestBodyEncoding": "NONE",
          "RequestEncodingOptions": {"ArrayFormat": "REPEAT"}})",
       R"({"a":[1,2]})", "application/json; charset=UTF-8"},
  };
  for (const auto& c : cases) {
    auto request = BuildHttpTaskRequest(Arguments(c.extra), config);
    ASSERT_TRUE(request.ok()) << c.extra << ": " << request.error().message();
    EXPECT_EQ(request->body, c.body) << c.extra;
    EXPECT_EQ(Header(*request, "Content-Type"), c.content_type) << c.extra;
  }
}

TEST(HttpTaskTest, ErrorsAreStatesRuntimeAndSayWhatToFix) {
  OutboundConfig config = Config();
  auto arguments = [](std::string_view text) { return json::parse(text).as_object(); };
  struct Case {
    json::object arguments;
    std::string message;
  } cases[] = {
      {arguments(R"({"Method": "GET"})"), "needs ApiEndpoint"},
      {arguments(R"({"ApiEndpoint": "api.example.com", "Method": "GET"})"),
       "ApiEndpoint: invalid URL"},
      {Arguments(R"("Method": "TRACE")"), "Method must be one of GET, POST, PUT"},
      {arguments(R"({"ApiEndpoint": "http://h/", "Method": "GET"})"),
       "needs Authentication.ConnectionArn"},
      {Arguments("", "arn:aws:events:us-east-1:1:connection/none/9"),
       "connection arn:aws:events:us-east-1:1:connection/none/9 is not configured: add it under "
       "\"connections\" in the file given to weft server --config"},
      {Arguments(R"("Headers": {"Host": "evil"})"), "may not set the header Host"},
      {Arguments(R"("Headers": {"X-Amz-Date": "1"})"), "may not set the header X-Amz-Date"},
      {Arguments(R"("Headers": {"X-Forwarded-For": "1"})"), "may not set the header"},
      {Arguments(R"("Headers": {"authorization": "Basic x"})"),
       "may not set the header authorization; credentials come from the connection"},
      {Arguments(R"("Headers": ["a"])"), "Headers must be an object"},
      {Arguments(R"("Headers": {"X": {"a": 1}})"), "Headers.X must be a string"},
      {Arguments(R"("QueryParameters": "a=b")"), "QueryParameters must be an object"},
      {Arguments(R"("Transform": {"RequestBodyEncoding": "GZIP"})"),
       "RequestBodyEncoding must be NONE or URL_ENCODED"},
      {Arguments(R"("Transform": {"RequestEncodingOptions": {"ArrayFormat": "PIPES"}})"),
       "ArrayFormat must be INDICES, REPEAT, COMMAS or BRACKETS"},
      {Arguments(R"("RequestBody": [1], "Transform": {"RequestBodyEncoding": "URL_ENCODED"})"),
       "RequestBody must be an object to be URL_ENCODED, not array"},
      {Arguments("", "arn:aws:events:us-east-1:1:connection/oauth/4"),
       "uses oauth, which weft does not support yet"},
  };
  for (const auto& c : cases) {
    auto request = BuildHttpTaskRequest(c.arguments, config);
    ASSERT_FALSE(request.ok()) << c.message;
    EXPECT_EQ(request.error().type(), "States.Runtime") << c.message;
    EXPECT_NE(request.error().message().find(c.message), std::string::npos)
        << "expected: " << c.message << "\nactual: " << request.error().message();
  }
}

HttpResponse Response(int status, std::string content_type, std::string body,
                      std::string reason = "") {
  HttpResponse response{status, std::move(reason), {}, std::move(body)};
  if (!content_type.empty()) response.headers.emplace_back("Content-Type", content_type);
  return response;
}

TEST(HttpTaskTest, ResultOf2xxIsTheDocumentedOutput) {
  HttpResponse response = Response(200, "application/json; charset=utf-8", R"({"id": 7})", "OK");
  response.headers.emplace_back("Set-Cookie", "a=1");
  response.headers.emplace_back("Set-Cookie", "b=2");
  HttpTaskOutcome outcome = HttpTaskResult(response);
  ASSERT_TRUE(outcome.ok) << outcome.error << ": " << outcome.cause;
  EXPECT_EQ(ToJson(outcome.output),
            R"({"Headers":{"Content-Type":["application/json; charset=utf-8"],)"
            R"("Set-Cookie":["a=1","b=2"]},"ResponseBody":{"id":7},"StatusCode":200,)"
            R"("StatusText":"OK"})");
}

TEST(HttpTaskTest, ResponseBodyIsJsonOnlyForJsonContentTypes) {
  struct Case {
    HttpResponse response;
    std::string body;  // ResponseBody as JSON text
    std::string status_text;
  } cases[] = {
      {Response(200, "application/vnd.api+json", R"([1,2])"), "[1,2]", "OK"},
      {Response(201, "text/plain", R"({"looks": "like json"})"), R"("{\"looks\": \"like json\"}")",
       "Created"},
      {Response(200, "application/json", "not json"), R"("not json")", "OK"},
      {Response(204, "application/json", ""), R"("")", "No Content"},
      {Response(202, "", "plain"), R"("plain")", "Accepted"},
      {Response(200, "text/html", "<p>é</p>", "Fine"), R"("<p>é</p>")", "Fine"},
  };
  for (const auto& c : cases) {
    HttpTaskOutcome outcome = HttpTaskResult(c.response);
    ASSERT_TRUE(outcome.ok) << c.response.body << ": " << outcome.cause;
    const json::object& output = outcome.output.as_object();
    EXPECT_EQ(ToJson(output.at("ResponseBody")), c.body);
    EXPECT_EQ(output.at("StatusText"), json::value(c.status_text));
    EXPECT_EQ(output.at("StatusCode"), json::value(c.response.status));
  }
}

TEST(HttpTaskTest, Non2xxIsStatesHttpStatusCodeWithTheResponseInTheCause) {
  struct Case {
    int status;
    std::string error;
  } cases[] = {{404, "States.Http.StatusCode.404"},
               {301, "States.Http.StatusCode.301"},
               {429, "States.Http.StatusCode.429"},
               {503, "States.Http.StatusCode.503"}};
  for (const auto& c : cases) {
    HttpTaskOutcome outcome = HttpTaskResult(Response(c.status, "application/json", R"({"e":1})"));
    ASSERT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, c.error);
    auto cause = ParseJson(outcome.cause);
    ASSERT_TRUE(cause.ok()) << outcome.cause;
    EXPECT_EQ(cause->as_object().at("StatusCode"), json::value(c.status));
    EXPECT_EQ(ToJson(cause->as_object().at("ResponseBody")), R"({"e":1})");
  }
  HttpTaskOutcome big = HttpTaskResult(Response(500, "text/plain", std::string(100000, 'x')));
  ASSERT_FALSE(big.ok);
  EXPECT_LT(big.cause.size(), 20000u);
  EXPECT_NE(big.cause.find("(100000 bytes)"), std::string::npos);
}

TEST(HttpTaskTest, BinaryResponsesAreNotSupported) {
  for (auto type : {"image/png", "application/octet-stream", "audio/mpeg", "video/mp4"}) {
    HttpTaskOutcome outcome = HttpTaskResult(Response(200, type, "\x89PNG"));
    ASSERT_FALSE(outcome.ok) << type;
    EXPECT_EQ(outcome.error, "States.Runtime");
    EXPECT_NE(outcome.cause.find(type), std::string::npos) << outcome.cause;
  }
  HttpTaskOutcome invalid = HttpTaskResult(Response(200, "text/plain", "\xff\xfe"));
  EXPECT_EQ(invalid.error, "States.Runtime");
  HttpTaskOutcome failed = HttpTaskResult(Response(500, "image/png", "\x89PNG"));
  EXPECT_EQ(failed.error, "States.Http.StatusCode.500");
  EXPECT_NE(failed.cause.find("bytes of binary content"), std::string::npos) << failed.cause;
}

TEST(HttpTaskTest, NetworkFailuresAreStatesHttpSocket) {
  HttpTaskOutcome refused =
      HttpTaskFailure(Error::Unavailable("connection refused to 127.0.0.1:1"));
  EXPECT_EQ(refused.error, "States.Http.Socket");
  EXPECT_EQ(refused.cause, "connection refused to 127.0.0.1:1");
  EXPECT_EQ(HttpTaskFailure(Error::Unavailable("timed out after 60 s (h:443)")).error,
            "States.Http.Socket");
  EXPECT_EQ(HttpTaskFailure(Error(Errc::kLimitExceeded, "too big")).error,
            "States.DataLimitExceeded");
}

TEST(HttpTaskTest, EndToEndAgainstALocalServer) {
  TestServer server([](const ServerRequest& request) {
    if (request[http::field::authorization] != "Bearer tok-456") {
      return Reply(http::status::unauthorized, R"({"message":"who are you"})", "application/json");
    }
    return Reply(http::status::ok,
                 R"({"got":)" + std::string(request.body()) + R"(,"target":")" +
                     std::string(request.target()) + "\"}",
                 "application/json");
  });
  auto client = HttpClient::Create();
  ASSERT_TRUE(client.ok());
  OutboundConfig config = Config();
  auto arguments = json::parse(R"({"Method": "POST", "RequestBody": {"n": 1},
      "QueryParameters": {"x": "1"},
      "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/bearer/3"}})")
                       .as_object();
  arguments["ApiEndpoint"] = server.Url("/hook");
  auto request = BuildHttpTaskRequest(arguments, config);
  ASSERT_TRUE(request.ok()) << request.error().message();
  auto response = SendSync(**client, *request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  HttpTaskOutcome outcome = HttpTaskResult(*response);
  ASSERT_TRUE(outcome.ok) << outcome.error << ": " << outcome.cause;
  EXPECT_EQ(ToJson(outcome.output.as_object().at("ResponseBody")),
            R"({"got":{"n":1},"target":"/hook?x=1"})");

  arguments["Authentication"] = json::object{{"ConnectionArn", kKeyArn}};
  request = BuildHttpTaskRequest(arguments, config);
  ASSERT_TRUE(request.ok());
  response = SendSync(**client, *request);
  ASSERT_TRUE(response.ok());
  outcome = HttpTaskResult(*response);
  EXPECT_EQ(outcome.error, "States.Http.StatusCode.401");
  EXPECT_NE(outcome.cause.find("who are you"), std::string::npos) << outcome.cause;
  EXPECT_EQ(outcome.cause.find("key-123"), std::string::npos) << outcome.cause;
}

}  // namespace
}  // namespace weft::outbound::testing
