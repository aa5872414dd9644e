// The protocol layer without sockets: routing, SigV4 credential parsing,
// error bodies.
#include "server/api_handler.h"

#include <gtest/gtest.h>

#include "test_service.h"

namespace weft::server {
namespace {

class OtherService : public TestService {
 public:
  std::string_view target_prefix() const override { return "AWSStepFunctions"; }
};

TEST(ApiRouterTest, FindsServiceByShortOrLegacyPrefix) {
  TestService test;
  OtherService other;
  ApiRouter router({&test, &other});
  struct Case {
    std::string target;
    ApiService* service;  // nullptr: no route
    std::string operation;
  };
  const Case cases[] = {
      {"TestService.Echo", &test, "Echo"},
      {"AWSStepFunctions.StartExecution", &other, "StartExecution"},
      {"com.amazonaws.swf.service.model.TestService.Echo", &test, "Echo"},
      {"TestService.Anything", &test, "Anything"},  // operations are checked later
      {"Unknown.Echo", nullptr, ""},
      {"com.example.Unknown.Echo", nullptr, ""},
      {"TestServiceX.Echo", nullptr, ""},
      {"XTestService.Echo", nullptr, ""},
      {"TestService", nullptr, ""},
      {"TestService.", nullptr, ""},
      {".Echo", nullptr, ""},
      {"", nullptr, ""},
  };
  for (const auto& c : cases) {
    auto route = router.Find(c.target);
    if (!c.service) {
      ASSERT_FALSE(route.ok()) << c.target;
      EXPECT_EQ(route.error().type(), "UnknownOperationException");
      continue;
    }
    ASSERT_TRUE(route.ok()) << c.target << ": " << route.error().message();
    EXPECT_EQ(route->service, c.service) << c.target;
    EXPECT_EQ(route->operation, c.operation) << c.target;
  }
}

TEST(IsLongPollTest, OnlyPostsToLongPollOperationsAreWatched) {
  TestService test;
  ApiRouter router({&test});
  auto request = [](http::verb verb, std::string target) {
    HttpRequest r{verb, "/", 11};
    if (!target.empty()) r.set("X-Amz-Target", target);
    return r;
  };
  EXPECT_TRUE(IsLongPoll(router, request(http::verb::post, "TestService.Hold")));
  EXPECT_FALSE(IsLongPoll(router, request(http::verb::post, "TestService.Echo")));
  EXPECT_FALSE(IsLongPoll(router, request(http::verb::get, "TestService.Hold")));
  EXPECT_FALSE(IsLongPoll(router, request(http::verb::post, "Nope.Hold")));
  EXPECT_FALSE(IsLongPoll(router, request(http::verb::post, "")));
}

TEST(ParseAuthorizationTest, ReadsAccessKeyAndRegionOnly) {
  struct Case {
    std::string header;
    std::string access_key_id;
    std::string region;
  };
  const Case cases[] = {
      {"AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/swf/aws4_request, "
       "SignedHeaders=host, Signature=ff",
       "AKID", "us-east-1"},
      {"AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/states/aws4_request,SignedHeaders=host",
       "AKID", "eu-west-1"},
      {"AWS4-HMAC-SHA256 SignedHeaders=host, Credential=K/d/r/s/aws4_request", "K", "r"},
      {"", "", ""},
      {"AWS AKID:signature", "", ""},  // SigV2: not ours to read
      {"AWS4-HMAC-SHA256 Credential=AKID/20261123", "", ""},
      {"AWS4-HMAC-SHA256 Credential=/d/r/s/aws4_request", "", ""},
  };
  for (const auto& c : cases) {
    RequestContext context;
    ParseAuthorization(c.header, context);
    EXPECT_EQ(context.access_key_id, c.access_key_id) << c.header;
    EXPECT_EQ(context.region, c.region) << c.header;
  }
}

TEST(ErrorReplyTest, EscapesTheMessage) {
  auto reply = ErrorReply(http::status::bad_request, "ns", "Fault", "say \"hi\"\n");
  EXPECT_EQ(reply.status, http::status::bad_request);
  EXPECT_EQ(reply.body, R"({"__type":"ns#Fault","message":"say \"hi\"\n"})");
}

TEST(ServiceErrorReplyTest, MapsErrcToStatusAndNamespace) {
  TestService service;
  struct Case {
    Error error;
    http::status status;
    std::string type;
  };
  const Case cases[] = {
      {Error(Errc::kUnknownResource, "UnknownResourceFault", "m"), http::status::bad_request,
       "com.example.test#UnknownResourceFault"},
      {Error(Errc::kLimitExceeded, "LimitExceededFault", "m"), http::status::bad_request,
       "com.example.test#LimitExceededFault"},
      {Error::Validation("m"), http::status::bad_request,
       "com.amazon.coral.validate#ValidationException"},
      {Error::Internal("m"), http::status::internal_server_error,
       "com.amazon.coral.service#InternalFailure"},
      {Error::Unavailable("m"), http::status::service_unavailable,
       "com.amazon.coral.service#ServiceUnavailable"},
  };
  for (const auto& c : cases) {
    auto reply = ServiceErrorReply(service, c.error);
    EXPECT_EQ(reply.status, c.status) << c.type;
    EXPECT_EQ(reply.body, "{\"__type\":\"" + c.type + "\",\"message\":\"m\"}");
  }
}

}  // namespace
}  // namespace weft::server
