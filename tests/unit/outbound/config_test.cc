#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "outbound/outbound.h"

namespace weft::outbound {
namespace {

constexpr std::string_view kArn =
    "arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42";

constexpr std::string_view kGood = R"({
  "connections": {
    "arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42": {
      "basic": {"username": "alice", "password": "pa55word"},
      "headers": {"X-Tenant": "t-secret"},
      "queryParameters": {"region": "eu"}
    },
    "arn:aws:events:us-east-1:123456789012:connection/Key/1": {
      "apiKey": {"name": "x-api-key", "value": "key-123"}
    },
    "arn:aws:events:us-east-1:123456789012:connection/Bearer/2": {
      "bearer": {"token": "tok-456"}
    },
    "arn:aws:events:us-east-1:123456789012:connection/OAuth/3": {
      "oauth": {"authorizationEndpoint": "https://auth.example/token", "clientId": "id",
                "clientSecret": "cs-789"}
    }
  },
  "lambdaFunctions": {
    "resize": {"url": "http://127.0.0.1:9000/resize", "headers": {"X-Token": "ht-000"},
               "timeoutSeconds": 300}
  }
})";

TEST(ConfigTest, ParsesConnectionsAndFunctions) {
  auto config = ParseOutboundConfig(kGood);
  ASSERT_TRUE(config.ok()) << config.error().message();
  ASSERT_EQ(config->connections.size(), 4u);
  const Connection& stripe = config->connections.find(kArn)->second;
  const auto& basic = std::get<BasicAuth>(stripe.auth);
  EXPECT_EQ(basic.username, "alice");
  EXPECT_EQ(basic.password.Reveal(), "pa55word");
  ASSERT_EQ(stripe.headers.size(), 1u);
  EXPECT_EQ(stripe.headers[0].name, "X-Tenant");
  ASSERT_EQ(stripe.query_parameters.size(), 1u);
  EXPECT_EQ(stripe.query_parameters[0].value.Reveal(), "eu");
  const auto& oauth = std::get<OAuthAuth>(
      config->connections.find("arn:aws:events:us-east-1:123456789012:connection/OAuth/3")
          ->second.auth);
  EXPECT_EQ(oauth.http_method, "POST");
  const LambdaFunction& resize = config->lambda_functions.find("resize")->second;
  EXPECT_EQ(resize.url, "http://127.0.0.1:9000/resize");
  EXPECT_EQ(resize.timeout, std::chrono::seconds(300));
}

TEST(ConfigTest, EmptyConfigIsValid) {
  auto config = ParseOutboundConfig("{}");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->connections.empty());
  EXPECT_TRUE(config->lambda_functions.empty());
}

TEST(ConfigTest, RedactedShowsNoSecret) {
  auto config = ParseOutboundConfig(kGood);
  ASSERT_TRUE(config.ok());
  std::string text = config->Redacted();
  for (auto secret : {"pa55word", "t-secret", "key-123", "tok-456", "cs-789", "ht-000"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  EXPECT_NE(text.find(R"("username":"alice")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("region":"****")"), std::string::npos) << text;
  auto reparsed = ParseJson(text);
  ASSERT_TRUE(reparsed.ok());
}

TEST(ConfigTest, ErrorsSayWhereAndWhat) {
  std::string c = "/connections/arn:aws:events:r:1:connection/c/1";
  auto conn = [](std::string_view body) {
    return R"({"connections": {"arn:aws:events:r:1:connection/c/1": )" + std::string(body) + "}}";
  };
  auto fn = [](std::string_view body) {
    return R"({"lambdaFunctions": {"f": )" + std::string(body) + "}}";
  };
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"[1]", "/: must be an object, not array"},
      {"{\"connections\": 1", "ValidationException"},  // not JSON: ParseJson's message
      {R"({"conections": {}})",
       "/conections: unknown member; expected one of connections, "
       "lambdaFunctions"},
      {R"({"connections": []})", "/connections: must be an object, not array"},
      {R"({"connections": {"stripe": {"bearer": {"token": "t"}}}})",
       "/connections/stripe: not an EventBridge connection ARN"},
      {conn(R"({"basic": {"username": "u"}})"), c + ": basic needs username and password"},
      {conn(R"({"basic": {"username": "u", "password": ""}})"),
       c + ": basic needs username and password"},
      {conn(R"({"basic": {"username": "u", "password": 5}})"),
       c + ": basic needs username and password"},
      {conn(R"({"basic": {"username": "u", "password": "p", "pasword": "x"}})"),
       c + "/basic/pasword: unknown member"},
      {conn(R"({"apiKey": {"name": "x-api-key"}})"), c + ": apiKey needs name and value"},
      {conn(R"({"bearer": {}})"), c + ": bearer needs token"},
      {conn(R"({"oauth": {"clientId": "i"}})"),
       c + ": oauth needs authorizationEndpoint, clientId and clientSecret"},
      {conn(R"({})"), c + ": needs exactly one authorization"},
      {conn(R"({"bearer": {"token": "t"}, "basic": {"username": "u", "password": "p"}})"),
       c + ": needs exactly one authorization"},
      {conn(R"({"bearer": "t"})"), c + "/bearer: must be an object, not string"},
      {conn(R"({"bearer": {"token": "t"}, "headers": {"X": 1}})"),
       c + "/headers/X: must be a string"},
      {conn(R"({"bearer": {"token": "t"}, "queryParameters": []})"),
       c + "/queryParameters: must be an object, not array"},
      {fn(R"({})"), "/lambdaFunctions/f: needs url"},
      {fn(R"({"url": "ftp://x/"})"), "/lambdaFunctions/f/url: invalid URL"},
      {fn(R"({"url": "http://x/", "timeoutSeconds": 0})"),
       "/lambdaFunctions/f/timeoutSeconds: must be a whole number of seconds from 1 to 900"},
      {fn(R"({"url": "http://x/", "timeoutSeconds": "5"})"),
       "/lambdaFunctions/f/timeoutSeconds: must be a whole number"},
      {R"({"lambdaFunctions": {"arn:aws:lambda:r:1:function:f": {"url": "http://x/"}}})",
       "must be a function name, not an ARN"},
  };
  for (const auto& test : cases) {
    auto config = ParseOutboundConfig(test.text);
    ASSERT_FALSE(config.ok()) << test.text;
    EXPECT_EQ(config.error().code(), Errc::kValidation);
    std::string message = config.error().type() + ": " + config.error().message();
    EXPECT_NE(message.find(test.message), std::string::npos)
        << "text: " << test.text << "\nmessage: " << message;
  }
}

TEST(ConfigTest, ErrorsNeverQuoteSecrets) {
  auto config = ParseOutboundConfig(
      R"({"connections": {"arn:aws:events:r:1:connection/c/1":
          {"basic": {"password": "hunter2"}}}})");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message().find("hunter2"), std::string::npos);
}

TEST(ConfigTest, LoadsAFileAndNamesItInErrors) {
  std::string path = ::testing::TempDir() + "/weft_outbound_config_test.json";
  {
    std::ofstream out(path);
    out << kGood;
  }
  auto config = LoadOutboundConfig(path);
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->connections.size(), 4u);
  {
    std::ofstream out(path);
    out << R"({"connections": {"arn:aws:events:r:1:connection/c/1": {"bearer": {}}}})";
  }
  config = LoadOutboundConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(),
            path + ": /connections/arn:aws:events:r:1:connection/c/1: bearer needs token");
  std::remove(path.c_str());
  config = LoadOutboundConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), "cannot read the configuration file " + path);
}

}  // namespace
}  // namespace weft::outbound
