#include "swf/request.h"

#include <gtest/gtest.h>

namespace weft::swf {
namespace {

json::object Parse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v->as_object();
}

// The message of the ValidationException a reader ends with ("" if none).
std::string Message(const RequestReader& r) {
  Status s = r.Finish();
  if (s.ok()) return "";
  EXPECT_EQ(s.error().type(), "ValidationException");
  return s.error().message();
}

TEST(RequestReaderTest, EnumValueNotAllowedIsWordedAsAws) {
  auto req = Parse(R"({"registrationStatus":"x"})");
  RequestReader r(req);
  EXPECT_EQ(r.Enum("registrationStatus", kRegistrationStatuses), "");
  EXPECT_EQ(Message(r),
            "1 validation error detected: Value 'x' at 'registrationStatus' failed to satisfy "
            "constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]");
}

TEST(RequestReaderTest, ValidRequestHasNoErrors) {
  auto req =
      Parse(R"({"name":"d","n":7,"b":true,"t":1700000000.5,"s":"REGISTERED","o":{"name":"tl"}})");
  RequestReader r(req);
  EXPECT_EQ(r.Name("name", kDomainNameLen), "d");
  EXPECT_EQ(r.OptInt("n", 0, 10), 7);
  EXPECT_EQ(r.OptBool("b"), true);
  EXPECT_EQ(r.OptTimestamp("t"), 1700000000500);
  EXPECT_EQ(r.Enum("s", kRegistrationStatuses), "REGISTERED");
  EXPECT_EQ(r.Object("o").Name("name", kNameLen), "tl");
  EXPECT_EQ(r.OptString("absent", kNameLen), std::nullopt);
  EXPECT_EQ(Message(r), "");
}

TEST(RequestReaderTest, EveryProblemIsListedInOneMessage) {
  auto req = Parse(R"({"version":"")"
                   R"(,"workflowType":{"name":"w"}})");
  RequestReader r(req);
  r.String("domain", kDomainNameLen);
  r.String("version", kVersionLen);
  RequestReader type = r.Object("workflowType");
  type.String("name", kNameLen);
  type.String("version", kVersionLen);
  EXPECT_EQ(r.error_count(), 3u);
  EXPECT_EQ(Message(r),
            "3 validation errors detected: "
            "Value null at 'domain' failed to satisfy constraint: Member must not be null; "
            "Value '' at 'version' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1; "
            "Value null at 'workflowType.version' failed to satisfy constraint: Member must "
            "not be null");
}

TEST(RequestReaderTest, ThousandsOfProblemsGiveABoundedAnswer) {
  json::array tags;
  for (int i = 0; i < 5000; ++i) tags.emplace_back(i);  // none is a string
  json::object request{{"tags", tags}};
  RequestReader r(request);
  const json::array* list = r.OptArray("tags", SIZE_MAX);
  ASSERT_NE(list, nullptr);
  for (size_t i = 0; i < list->size(); ++i) r.StringAt("tags", *list, i, Length{});
  Status s = r.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().rfind("5000 validation errors detected: ", 0), 0u);
  EXPECT_NE(s.error().message().find("; and 4980 more"), std::string::npos);
  EXPECT_LT(s.error().message().size(), 4000u);
}

TEST(RequestReaderTest, MissingObjectReportsOnlyItself) {
  auto req = Parse("{}");
  RequestReader r(req);
  RequestReader tl = r.Object("taskList");
  EXPECT_EQ(tl.String("name", kNameLen), "");
  EXPECT_EQ(r.error_count(), 1u);
  EXPECT_NE(Message(r).find("at 'taskList'"), std::string::npos);
}

enum class Read {
  kName,
  kInt,
  kBool,
  kDuration,
  kExecutionTimeout,
  kPriority,
  kTimestamp,
  kList,
  kObject
};

struct BadCase {
  Read read;  // how member "m" is read
  const char* request;
  const char* expected_fragment;
};

class RequestReaderBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(RequestReaderBadInput, IsValidationException) {
  auto req = Parse(GetParam().request);
  RequestReader r(req);
  switch (GetParam().read) {
    case Read::kName:
      r.Name("m", {1, 4});
      break;
    case Read::kInt:
      r.OptInt("m", 0, 1000);
      break;
    case Read::kBool:
      r.OptBool("m");
      break;
    case Read::kDuration:
      r.OptDuration("m");
      break;
    case Read::kExecutionTimeout:
      r.OptExecutionTimeout("m");
      break;
    case Read::kPriority:
      r.OptPriority("m");
      break;
    case Read::kTimestamp:
      r.OptTimestamp("m");
      break;
    case Read::kList:
      r.OptArray("m", 2);
      break;
    case Read::kObject:
      r.OptObject("m");
      break;
  }
  std::string message = Message(r);
  EXPECT_NE(message.find(GetParam().expected_fragment), std::string::npos) << message;
  EXPECT_NE(message.find("at 'm'"), std::string::npos) << message;
  EXPECT_EQ(r.error_count(), 1u) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RequestReaderBadInput,
    ::testing::Values(
        BadCase{Read::kName, R"({"m":123})", "Member must be of type string"},
        BadCase{Read::kName, R"({})", "Member must not be null"},
        BadCase{Read::kName, R"({"m":null})", "Member must not be null"},
        BadCase{Read::kName, R"({"m":""})", "length greater than or equal to 1"},
        BadCase{Read::kName, R"({"m":"abcde"})", "length less than or equal to 4"},
        BadCase{Read::kName, R"({"m":"a:b"})", "must not contain"},
        BadCase{Read::kName, R"({"m":"a/b"})", "must not contain"},
        BadCase{Read::kName, R"({"m":"a|b"})", "must not contain"},
        BadCase{Read::kName, R"({"m":"a\u0001"})", "must not contain"},
        BadCase{Read::kName, R"({"m":"a\u0085"})", "must not contain"},
        BadCase{Read::kName, R"({"m":"arn"})", "must not contain"},
        BadCase{Read::kInt, R"({"m":"ten"})", "Member must be of type integer"},
        BadCase{Read::kInt, R"({"m":1.5})", "Member must be of type integer"},
        BadCase{Read::kInt, R"({"m":1001})", "value less than or equal to 1000"},
        BadCase{Read::kInt, R"({"m":-1})", "value greater than or equal to 0"},
        BadCase{Read::kBool, R"({"m":"yes"})", "Member must be of type boolean"},
        BadCase{Read::kDuration, R"({"m":"-5"})", "a number of seconds or NONE"},
        BadCase{Read::kDuration, R"({"m":"soon"})", "a number of seconds or NONE"},
        BadCase{Read::kDuration, R"({"m":"123456789"})", "length less than or equal to 8"},
        BadCase{Read::kDuration, R"({"m":5})", "Member must be of type string"},
        BadCase{Read::kExecutionTimeout, R"({"m":"NONE"})", "NONE is not allowed"},
        BadCase{Read::kExecutionTimeout, R"({"m":"31536001"})", "from 0 to 31536000"},
        BadCase{Read::kExecutionTimeout, R"({"m":"x"})", "a number of seconds or NONE"},
        BadCase{Read::kPriority, R"({"m":"2147483648"})", "2147483647"},
        BadCase{Read::kPriority, R"({"m":"1x"})", "2147483647"},
        BadCase{Read::kTimestamp, R"({"m":"2020-01-01"})", "timestamp"},
        BadCase{Read::kList, R"({"m":[1,2,3]})", "length less than or equal to 2"},
        BadCase{Read::kList, R"({"m":"x"})", "Member must be of type list"},
        BadCase{Read::kObject, R"({"m":[]})", "Member must be of type structure"}));

TEST(RequestReaderTest, DurationsAndPrioritiesAcceptTheirForms) {
  auto req = Parse(R"({"a":"NONE","b":"0","c":"31536000","p":"-3","q":"2147483647"})");
  RequestReader r(req);
  EXPECT_EQ(r.OptDuration("a"), "NONE");
  EXPECT_EQ(r.OptDuration("b"), "0");
  EXPECT_EQ(r.OptDuration("c"), "31536000");
  EXPECT_EQ(r.OptExecutionTimeout("c"), "31536000");
  EXPECT_EQ(r.OptExecutionTimeout("b"), "0");
  EXPECT_EQ(r.OptPriority("p"), "-3");
  EXPECT_EQ(r.OptPriority("q"), "2147483647");
  EXPECT_EQ(Message(r), "");
}

TEST(RequestReaderTest, ArrayElementsAreNamedByPosition) {
  auto req = Parse(R"({"tags":[{"key":"a"},{"value":"v"},"x"]})");
  RequestReader r(req);
  const json::array* tags = r.OptArray("tags", 50);
  ASSERT_NE(tags, nullptr);
  for (size_t i = 0; i < tags->size(); ++i) {
    if (auto tag = r.ObjectAt("tags", *tags, i)) tag->String("key", {1, 128});
  }
  std::string message = Message(r);
  EXPECT_NE(message.find("at 'tags.2.key'"), std::string::npos) << message;
  EXPECT_NE(message.find("at 'tags.3'"), std::string::npos) << message;
  EXPECT_EQ(r.error_count(), 2u);
}

TEST(SwfNameTest, FollowsTheModelsRule) {
  EXPECT_TRUE(IsValidSwfName("my-domain_1.0 x"));
  EXPECT_TRUE(IsValidSwfName("Arn"));
  EXPECT_TRUE(IsValidSwfName("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidSwfName("arn"));
  EXPECT_FALSE(IsValidSwfName("a\x7F"));
  EXPECT_FALSE(IsValidSwfName("a\tb"));
  EXPECT_EQ(CharCount("caf\xC3\xA9"), 4u);
}

}  // namespace
}  // namespace weft::swf
