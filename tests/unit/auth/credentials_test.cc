#include "auth/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace weft::auth {
namespace {

const char* kKeys = R"({"keys": [
  {"accessKeyId": "AKIAWEFTTESTKEY00001", "secretAccessKey": "secret-secret-secret-0001",
   "name": "ci-bot",
   "policy": {"Statement": [{"Effect": "Allow", "Action": "states:Describe*", "Resource": "*"}]}}]})";

SignedRequest Request(const char* date) {  // a literal: the request holds views
  SignedRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:7070"},
               {"X-Amz-Date", date},
               {"X-Amz-Target", "AWSStepFunctions.DescribeExecution"}};
  r.body = R"({"executionArn": "arn"})";
  return r;
}

TEST(CredentialsTest, AuthenticatesAndAuthorizes) {
  auto keys = KeySet::Parse(kKeys);
  ASSERT_TRUE(keys.ok()) << keys.error().message();
  Authenticator a(*keys);
  Millis now = *ParseAmzDate("20261207T101500Z");
  auto r = Request("20261207T101500Z");
  std::string header =
      Sign(r, "AKIAWEFTTESTKEY00001", "secret-secret-secret-0001", "eu-west-1", "states");
  auto caller = a.Authenticate(r, header, "states", now);
  ASSERT_TRUE(caller.ok()) << caller.error().message();
  EXPECT_EQ(caller->name, "ci-bot");
  EXPECT_EQ(caller->region, "eu-west-1");
  EXPECT_TRUE(a.Authorize(*caller, "states:DescribeExecution", "arn:x").ok());
  Status refused = a.Authorize(*caller, "states:StartExecution", "arn:x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "User: ci-bot (access key AKIAWEFTTESTKEY00001) is not authorized to perform: "
            "states:StartExecution on resource: arn:x because no statement of its policy "
            "allows it");

  std::string stranger =
      Sign(r, "AKIAUNKNOWNKEY000001", "secret-secret-secret-0001", "eu-west-1", "states");
  EXPECT_EQ(a.Authenticate(r, stranger, "states", now).error().type(),
            "UnrecognizedClientException");
  EXPECT_EQ(a.Authenticate(r, "", "states", now).error().type(),
            "MissingAuthenticationTokenException");
}

TEST(CredentialsTest, FileMistakesAreLocatedAndABadReloadKeepsTheOldKeys) {
  EXPECT_EQ(
      KeySet::Parse(R"({"keys": [{"accessKeyId": "AKIAWEFTTESTKEY00001"}]})").error().message(),
      "credentials.keys[0].secretAccessKey: a non-empty string is required");
  EXPECT_EQ(KeySet::Parse(R"({"keys": [{"accessKeyId": "AKIAWEFTTESTKEY00001",
      "secretAccessKey": "secret-secret-secret", "name": "x"}]})")
                .error()
                .message()
                .rfind("credentials.keys[0].policy: is required", 0),
            0u);
  EXPECT_EQ(KeySet::Parse(R"({"keys": [{"accessKeyId": "AKIAWEFTTESTKEY00001",
      "secretAccessKey": "secret-secret-secret", "name": "x",
      "policy": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}}]})")
                .error()
                .message(),
            "credentials.keys[0].policy.Statement[0].Action: 'ec2:*' is not a swf: or states: "
            "action (or *)");

  auto path = std::filesystem::temp_directory_path() /
              ("weft-keys-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << kKeys;
  auto keys = KeySet::Load(path.string());
  ASSERT_TRUE(keys.ok());
  Authenticator a(*keys);
  std::ofstream(path) << "{not json";
  Status s = a.Reload(path.string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().rfind(path.string() + ": credentials: not valid JSON", 0), 0u);
  // The old key still works.
  EXPECT_TRUE(a.Authorize({"AKIAWEFTTESTKEY00001", "ci-bot", "us-east-1"},
                          "states:DescribeExecution", "arn:x")
                  .ok());
  std::filesystem::remove(path);
}

TEST(CredentialsTest, NewKeysAreWellFormedAndDiffer) {
  json::value all = json::object{
      {"Statement",
       json::array{json::object{{"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}}}}};
  std::string a = NewKeyEntry("one", all), b = NewKeyEntry("two", all);
  auto set = KeySet::Parse(a);
  ASSERT_TRUE(set.ok()) << set.error().message();
  EXPECT_EQ((*set)->size(), 1u);
  EXPECT_NE(a, b);
  auto doc = ParseJson(a);
  const auto& key = doc->as_object().at("keys").as_array()[0].as_object();
  EXPECT_EQ(key.at("accessKeyId").as_string().size(), 20u);
  EXPECT_EQ(std::string(key.at("accessKeyId").as_string()).substr(0, 4), "AKIA");
  EXPECT_EQ(key.at("secretAccessKey").as_string().size(), 40u);
}

}  // namespace
}  // namespace weft::auth
