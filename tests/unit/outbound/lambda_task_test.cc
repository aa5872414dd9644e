#include <gtest/gtest.h>

#include "outbound/outbound.h"
#include "test_server.h"

namespace weft::outbound::testing {
namespace {

OutboundConfig Config(std::string_view url = "http://127.0.0.1:9000/resize") {
  auto config =
      ParseOutboundConfig(R"({"lambdaFunctions": {"resize": {"url": ")" + std::string(url) +
                          R"(", "headers": {"X-Token": "fn-secret"}, "timeoutSeconds": 90}}})");
  EXPECT_TRUE(config.ok()) << config.error().message();
  return std::move(*config);
}

TEST(LambdaTaskTest, RequestForANameOrAnArn) {
  OutboundConfig config = Config();
  for (std::string name : {"resize", "resize:prod", "123456789012:function:resize",
                           "arn:aws:lambda:us-east-1:123456789012:function:resize",
                           "arn:aws:lambda:us-east-1:123456789012:function:resize:$LATEST"}) {
    auto request = BuildLambdaRequest(name, R"({"w": 10})", config);
    ASSERT_TRUE(request.ok()) << name << ": " << request.error().message();
    EXPECT_EQ(request->method, "POST");
    EXPECT_EQ(request->url, "http://127.0.0.1:9000/resize");
    EXPECT_EQ(request->body, R"({"w": 10})");
    EXPECT_EQ(request->timeout, std::chrono::seconds(90));
    EXPECT_EQ(request->headers,
              (HeaderList{{"Content-Type", "application/json"}, {"X-Token", "fn-secret"}}));
    EXPECT_EQ(Redacted(*request).find("fn-secret"), std::string::npos);
  }
  auto empty = BuildLambdaRequest("resize", "", config);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->body, "{}");
}

TEST(LambdaTaskTest, AnUnknownFunctionSaysHowToAddIt) {
  auto request =
      BuildLambdaRequest("arn:aws:lambda:us-east-1:1:function:thumbnail", "{}", Config());
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().type(), "States.Runtime");
  EXPECT_EQ(request.error().message(),
            "Lambda function thumbnail is not configured: add its URL under \"lambdaFunctions\" "
            "in the file given to weft server --config (see docs/configuration.md)");
}

HttpResponse Response(int status, std::string body, HeaderList headers = {}) {
  return HttpResponse{status, "", std::move(headers), std::move(body)};
}

TEST(LambdaTaskTest, ResultShapes) {
  struct Case {
    HttpResponse response;
    LambdaResultShape shape;
    std::string output;
  } cases[] = {
      {Response(200, R"({"size": 3})"), LambdaResultShape::kInvokeOutput,
       R"({"ExecutedVersion":"$LATEST","Payload":{"size":3},"StatusCode":200})"},
      {Response(200, R"({"size": 3})"), LambdaResultShape::kPayload, R"({"size":3})"},
      {Response(200, "42"), LambdaResultShape::kPayload, "42"},
      {Response(200, ""), LambdaResultShape::kPayload, "null"},
      {Response(200, "plain text"), LambdaResultShape::kPayload, R"("plain text")"},
      {Response(202, "[]"), LambdaResultShape::kInvokeOutput,
       R"({"ExecutedVersion":"$LATEST","Payload":[],"StatusCode":202})"},
  };
  for (const auto& c : cases) {
    TaskOutcome outcome = LambdaTaskResult(c.response, c.shape);
    ASSERT_TRUE(outcome.ok) << c.response.body << ": " << outcome.error;
    EXPECT_EQ(ToJson(outcome.output), c.output);
  }
}

TEST(LambdaTaskTest, Errors) {
  std::string payload = R"({"errorType": "ImageTooSmall", "errorMessage": "w < 1"})";
  struct Case {
    HttpResponse response;
    std::string error;
    std::string cause;
  } cases[] = {
      {Response(200, payload, {{"X-Amz-Function-Error", "Unhandled"}}), "ImageTooSmall", payload},
      {Response(200, "boom", {{"X-Amz-Function-Error", "Handled"}}), "Handled", "boom"},
      {Response(200, "{}", {{"x-amz-function-error", ""}}), "Unhandled", "{}"},
      {Response(429, "slow down"), "Lambda.TooManyRequestsException",
       "the function's endpoint answered 429 Too Many Requests: slow down"},
      {Response(404, ""), "Lambda.ResourceNotFoundException",
       "the function's endpoint answered 404 Not Found: "},
      {Response(500, "oops"), "Lambda.ServiceException",
       "the function's endpoint answered 500 Internal Server Error: oops"},
      {Response(400, "bad"), "Lambda.ServiceException",
       "the function's endpoint answered 400 Bad Request: bad"},
  };
  for (const auto& c : cases) {
    TaskOutcome outcome = LambdaTaskResult(c.response, LambdaResultShape::kInvokeOutput);
    ASSERT_FALSE(outcome.ok) << c.error;
    EXPECT_EQ(outcome.error, c.error);
    EXPECT_EQ(outcome.cause, c.cause);
  }
  TaskOutcome failed = LambdaTaskFailure(Error::Unavailable("timed out after 90 s (h:80)"));
  EXPECT_EQ(failed.error, "Lambda.SdkClientException");
  EXPECT_EQ(failed.cause, "timed out after 90 s (h:80)");
}

TEST(LambdaTaskTest, EndToEndAgainstALocalServer) {
  TestServer server([](const ServerRequest& request) {
    if (request["X-Token"] != "fn-secret") return Reply(http::status::forbidden, "");
    return Reply(http::status::ok, R"({"echo":)" + request.body() + "}", "application/json");
  });
  OutboundConfig config = Config(server.Url("/fn"));
  auto request = BuildLambdaRequest("resize", R"({"w":10})", config);
  ASSERT_TRUE(request.ok());
  auto client = HttpClient::Create();
  ASSERT_TRUE(client.ok());
  auto response = SendSync(**client, *request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  TaskOutcome outcome = LambdaTaskResult(*response, LambdaResultShape::kPayload);
  ASSERT_TRUE(outcome.ok) << outcome.error << ": " << outcome.cause;
  EXPECT_EQ(ToJson(outcome.output), R"({"echo":{"w":10}})");
}

}  // namespace
}  // namespace weft::outbound::testing
