#include "auth/policy.h"

#include <gtest/gtest.h>

namespace weft::auth {
namespace {

Policy MustParse(std::string_view text) {
  auto doc = ParseJson(text);
  EXPECT_TRUE(doc.ok());
  auto p = Policy::Parse(*doc);
  EXPECT_TRUE(p.ok()) << p.error().message();
  return std::move(*p);
}

std::string ParseError(std::string_view text) {
  auto p = Policy::Parse(*ParseJson(text));
  return p.ok() ? "" : p.error().message();
}

TEST(PolicyTest, AllowsWhatAStatementAllowsAndAnExplicitDenyWins) {
  Policy p = MustParse(R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "states:*", "Resource": "*"},
      {"Effect": "Deny", "Action": ["states:Delete*", "states:StopExecution"],
       "Resource": "arn:aws:states:*:*:stateMachine:prod-*"},
      {"Effect": "Allow", "Action": "swf:Poll*", "Resource": "arn:aws:swf:*:123456789012:/domain/jobs"}]})");
  using D = Policy::Decision;
  EXPECT_EQ(p.Evaluate("states:StartExecution", "arn:aws:states:us-east-1:1:stateMachine:prod-a"),
            D::kAllow);
  EXPECT_EQ(
      p.Evaluate("states:DeleteStateMachine", "arn:aws:states:us-east-1:1:stateMachine:prod-a"),
      D::kExplicitDeny);
  EXPECT_EQ(p.Evaluate("states:deletestatemachine", "arn:aws:states:us-east-1:1:stateMachine:dev"),
            D::kAllow);  // action names are case-blind; the deny's resource does not match
  EXPECT_EQ(
      p.Evaluate("swf:PollForActivityTask", "arn:aws:swf:us-east-1:123456789012:/domain/jobs"),
      D::kAllow);
  EXPECT_EQ(p.Evaluate("swf:PollForActivityTask", "arn:aws:swf:us-east-1:123456789012:/domain/x"),
            D::kImplicitDeny);
  EXPECT_EQ(
      p.Evaluate("swf:StartWorkflowExecution", "arn:aws:swf:us-east-1:123456789012:/domain/jobs"),
      D::kImplicitDeny);
}

TEST(PolicyTest, NotActionAndASingleStatementObject) {
  Policy p = MustParse(R"({"Statement": {"Effect": "Allow", "NotAction": "swf:Terminate*",
                                          "Resource": "*"}})");
  EXPECT_EQ(p.Evaluate("swf:SignalWorkflowExecution", "x"), Policy::Decision::kAllow);
  EXPECT_EQ(p.Evaluate("swf:TerminateWorkflowExecution", "x"), Policy::Decision::kImplicitDeny);
}

TEST(PolicyTest, MistakesAreLocated) {
  EXPECT_EQ(ParseError(R"({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})"),
            "policy.Statement[0].Effect: must be \"Allow\" or \"Deny\"");
  EXPECT_EQ(
      ParseError(
          R"({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})"),
      "policy.Statement[0].Action: 's3:GetObject' is not a swf: or states: action (or *)");
  EXPECT_EQ(ParseError(R"({"Statement": [{"Effect": "Allow", "Action": "*"}]})"),
            "policy.Statement[0].Resource: is required");
  EXPECT_EQ(ParseError(R"({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                          "Condition": {}}]})"),
            "policy.Statement[0].Condition: is not supported by weft (Sid, Effect, Action, "
            "NotAction, Resource are)");
  EXPECT_EQ(ParseError(R"({"Version": "2020", "Statement": []})"),
            "policy.Version: must be \"2012-10-17\" or \"2008-10-17\"");
}

TEST(PolicyTest, GlobMatching) {
  EXPECT_TRUE(Matches("*", ""));
  EXPECT_TRUE(Matches("a*c", "abbbc"));
  EXPECT_TRUE(Matches("a?c", "abc"));
  EXPECT_FALSE(Matches("a?c", "ac"));
  EXPECT_TRUE(Matches("*:stateMachine:*", "arn:aws:states:r:1:stateMachine:m"));
  EXPECT_FALSE(Matches("arn:*:activity:*", "arn:aws:states:r:1:stateMachine:m"));
}

}  // namespace
}  // namespace weft::auth
