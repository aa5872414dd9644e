// CreateStateMachine, DescribeStateMachine, ListStateMachines,
// UpdateStateMachine, DeleteStateMachine, ValidateStateMachineDefinition.
#include "sfn_fixture.h"

namespace weft::sfn::testing {
namespace {

using StateMachinesTest = SfnTest;

TEST_F(StateMachinesTest, CreateThenDescribeRoundTrip) {
  std::string def = PassDefinition();
  json::object created = Ok("CreateStateMachine",
                            {{"name", "sm"},
                             {"definition", def},
                             {"roleArn", kRole},
                             {"tags", json::array{json::object{{"key", "team"}, {"value", "a"}}}}});
  std::string arn = Str(created, "stateMachineArn");
  EXPECT_EQ(arn, std::string(kPrefix) + "stateMachine:sm");
  EXPECT_DOUBLE_EQ(created.at("creationDate").as_double(), 1'700'000'000.0);
  EXPECT_FALSE(created.contains("stateMachineVersionArn"));

  json::object d = Ok("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(Str(d, "stateMachineArn"), arn);
  EXPECT_EQ(Str(d, "name"), "sm");
  EXPECT_EQ(Str(d, "status"), "ACTIVE");
  EXPECT_EQ(Str(d, "definition"), def);
  EXPECT_EQ(Str(d, "roleArn"), kRole);
  EXPECT_EQ(Str(d, "type"), "STANDARD");
  EXPECT_EQ(Str(d, "revisionId").size(), 36u);
  EXPECT_FALSE(d.contains("label"));
  EXPECT_EQ(ToJson(d.at("loggingConfiguration")),
            R"({"level":"OFF","includeExecutionData":false})");
  EXPECT_DOUBLE_EQ(d.at("creationDate").as_double(), 1'700'000'000.0);

  // The revision an execution runs is stored under the state machine ARN.
  auto revision =
      engine_->registry().Get(engine::kStateMachineRevisionKind, arn, Str(d, "revisionId"));
  ASSERT_TRUE(revision);
  EXPECT_EQ(Str(revision->data, "definition"), def);
}

TEST_F(StateMachinesTest, CreateIsIdempotentAndConflictsOnADifferentDefinition) {
  std::string arn = Create("sm");
  clock_.Advance(5000);
  json::object again = Ok("CreateStateMachine",
                          {{"name", "sm"}, {"definition", PassDefinition()}, {"roleArn", kRole}});
  EXPECT_EQ(Str(again, "stateMachineArn"), arn);
  EXPECT_DOUBLE_EQ(again.at("creationDate").as_double(), 1'700'000'000.0);

  Error e = Fails("CreateStateMachine",
                  {{"name", "sm"}, {"definition", PassDefinition("other")}, {"roleArn", kRole}});
  EXPECT_EQ(e.type(), "StateMachineAlreadyExists");
  EXPECT_EQ(e.message(), "State Machine Already Exists: '" + arn + "'");
  EXPECT_EQ(Fails("CreateStateMachine", {{"name", "sm"},
                                         {"definition", PassDefinition()},
                                         {"roleArn", "arn:aws:iam::123456789012:role/other"}})
                .type(),
            "StateMachineAlreadyExists");
  EXPECT_EQ(Fails("CreateStateMachine", {{"name", "sm"},
                                         {"definition", PassDefinition()},
                                         {"roleArn", kRole},
                                         {"type", "EXPRESS"}})
                .type(),
            "StateMachineAlreadyExists");
}

TEST_F(StateMachinesTest, CreateChecksRequestMembers) {
  Error e = Fails("CreateStateMachine", {{"name", ""}, {"type", "FAST"}});
  EXPECT_EQ(e.type(), "ValidationException");
  EXPECT_NE(e.message().find("4 validation errors"), std::string::npos) << e.message();
  EXPECT_EQ(Fails("CreateStateMachine",
                  {{"name", "a b"}, {"definition", PassDefinition()}, {"roleArn", kRole}})
                .type(),
            "InvalidName");
  e = Fails("CreateStateMachine",
            {{"name", "sm"}, {"definition", PassDefinition()}, {"roleArn", "not-a-role"}});
  EXPECT_EQ(e.type(), "InvalidArn");
  EXPECT_EQ(e.message(), "Invalid Arn: 'not-a-role'");
  json::array tags;
  for (int i = 0; i < 51; ++i) tags.push_back(json::object{{"key", "k" + std::to_string(i)}});
  EXPECT_EQ(
      Fails("CreateStateMachine",
            {{"name", "sm"}, {"definition", PassDefinition()}, {"roleArn", kRole}, {"tags", tags}})
          .type(),
      "TooManyTags");
  EXPECT_EQ(Fails("CreateStateMachine", {{"name", "sm"},
                                         {"definition", PassDefinition()},
                                         {"roleArn", kRole},
                                         {"loggingConfiguration", json::object{{"level", "ALL"}}}})
                .type(),
            "InvalidLoggingConfiguration");
}

TEST_F(StateMachinesTest, InvalidDefinitionListsEveryDiagnostic) {
  std::string def = R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"},)"
                    R"("B":{"Type":"Bogus","End":true}}})";
  Error e = Fails("CreateStateMachine", {{"name", "sm"}, {"definition", def}, {"roleArn", kRole}});
  EXPECT_EQ(e.type(), "InvalidDefinition");
  EXPECT_TRUE(e.message().starts_with("Invalid State Machine Definition: '")) << e.message();
  EXPECT_NE(e.message().find("SCHEMA_VALIDATION_FAILED: "), std::string::npos) << e.message();
  EXPECT_NE(e.message().find(" at /States/B"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("MISSING_TRANSITION_TARGET: "), std::string::npos) << e.message();
  EXPECT_NE(e.message().find(" at /States/A/Next"), std::string::npos) << e.message();

  // ValidateStateMachineDefinition reports the same problems one by one.
  json::object v = Ok("ValidateStateMachineDefinition", {{"definition", def}});
  EXPECT_EQ(Str(v, "result"), "FAIL");
  const json::array& diags = v.at("diagnostics").as_array();
  ASSERT_GE(diags.size(), 2u);
  for (const auto& d : diags) {
    EXPECT_EQ(Str(d.as_object(), "severity"), "ERROR");
    EXPECT_NE(e.message().find(Str(d.as_object(), "message")), std::string::npos);
  }
  EXPECT_FALSE(v.at("truncated").as_bool());
  json::object one = Ok("ValidateStateMachineDefinition", {{"definition", def}, {"maxResults", 1}});
  EXPECT_EQ(one.at("diagnostics").as_array().size(), 1u);
  EXPECT_TRUE(one.at("truncated").as_bool());

  EXPECT_EQ(
      Fails("CreateStateMachine", {{"name", "sm"}, {"definition", "{not json"}, {"roleArn", kRole}})
          .message()
          .find("INVALID_JSON_DESCRIPTION"),
      std::string("Invalid State Machine Definition: '").size());

  json::object ok = Ok("ValidateStateMachineDefinition", {{"definition", PassDefinition()}});
  EXPECT_EQ(Str(ok, "result"), "OK");
  EXPECT_TRUE(ok.at("diagnostics").as_array().empty());
}

TEST_F(StateMachinesTest, ExpressRulesNameTheState) {
  std::string activity = std::string(kPrefix) + "activity:work";
  for (std::string resource : {activity, std::string("arn:aws:states:::states:startExecution.sync"),
                               std::string("arn:aws:states:::http:invoke.waitForTaskToken")}) {
    std::string def = TaskDefinition(resource);
    Create("std-" + std::to_string(resource.size()), def, "STANDARD");  // allowed in Standard
    Error e =
        Fails("CreateStateMachine",
              {{"name", "express"}, {"definition", def}, {"roleArn", kRole}, {"type", "EXPRESS"}});
    EXPECT_EQ(e.type(), "InvalidDefinition") << resource;
    EXPECT_NE(e.message().find("state 'T'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("at /States/T/Resource"), std::string::npos) << e.message();
    json::object v =
        Ok("ValidateStateMachineDefinition", {{"definition", def}, {"type", "EXPRESS"}});
    EXPECT_EQ(Str(v, "result"), "FAIL");
  }
  // Nested states are checked too: a Map's item processor inside a Parallel branch.
  std::string nested =
      R"({"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[)"
      R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":)"
      R"({"StartAt":"Deep","States":{"Deep":{"Type":"Task","Resource":")" +
      activity + R"(","End":true}}}}}}]}}})";
  Error e =
      Fails("CreateStateMachine",
            {{"name", "express"}, {"definition", nested}, {"roleArn", kRole}, {"type", "EXPRESS"}});
  EXPECT_EQ(e.type(), "InvalidDefinition");
  EXPECT_NE(
      e.message().find("at /States/Par/Branches/0/States/M/ItemProcessor/States/Deep/Resource"),
      std::string::npos)
      << e.message();
}

TEST_F(StateMachinesTest, ResourcesWeftCannotRunAreRefused) {
  Create("http", TaskDefinition("arn:aws:states:::http:invoke"));
  Create("lambda", TaskDefinition("arn:aws:lambda:us-east-1:123456789012:function:mapped"));
  Create("invoke", TaskDefinition("arn:aws:states:::lambda:invoke",
                                  R"({"FunctionName":"mapped","Payload.$":"$"})"));
  Create("child", TaskDefinition("arn:aws:states:::states:startExecution.sync:2"));

  Error e = Fails("CreateStateMachine",
                  {{"name", "sqs"},
                   {"definition", TaskDefinition("arn:aws:states:::sqs:sendMessage")},
                   {"roleArn", kRole}});
  EXPECT_EQ(e.type(), "InvalidDefinition");
  EXPECT_NE(e.message().find("'arn:aws:states:::sqs:sendMessage' of state 'T'"), std::string::npos)
      << e.message();
  EXPECT_NE(e.message().find("arn:aws:states:::http:invoke"), std::string::npos);

  e = Fails("CreateStateMachine",
            {{"name", "unmapped"},
             {"definition", TaskDefinition("arn:aws:states:::lambda:invoke",
                                           R"({"FunctionName":"arn:aws:lambda:us-east-1:)"
                                           R"(123456789012:function:other:live"})")},
             {"roleArn", kRole}});
  EXPECT_EQ(e.type(), "InvalidDefinition");
  EXPECT_NE(e.message().find("Lambda function 'other' of state 'T'"), std::string::npos)
      << e.message();
  EXPECT_NE(e.message().find("weft server --config FILE"), std::string::npos);
  EXPECT_NE(e.message().find("lambdaFunctions"), std::string::npos);

  // The language is fine: ValidateStateMachineDefinition says OK, with a
  // warning when asked for them.
  std::string sqs = TaskDefinition("arn:aws:states:::sqs:sendMessage");
  json::object v = Ok("ValidateStateMachineDefinition", {{"definition", sqs}});
  EXPECT_EQ(Str(v, "result"), "OK");
  EXPECT_TRUE(v.at("diagnostics").as_array().empty());
  v = Ok("ValidateStateMachineDefinition", {{"definition", sqs}, {"severity", "WARNING"}});
  EXPECT_EQ(Str(v, "result"), "OK");
  ASSERT_EQ(v.at("diagnostics").as_array().size(), 1u);
  EXPECT_EQ(Str(v.at("diagnostics").as_array()[0].as_object(), "severity"), "WARNING");
  EXPECT_EQ(Str(v.at("diagnostics").as_array()[0].as_object(), "location"), "/States/T/Resource");
}

TEST_F(StateMachinesTest, ListPagesByName) {
  for (std::string name : {"c", "a", "d", "b", "e"}) Create(name);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    json::object req{{"maxResults", 2}};
    if (!token.empty()) req["nextToken"] = token;
    json::object page = Ok("ListStateMachines", req);
    for (const auto& item : page.at("stateMachines").as_array()) {
      seen.push_back(Str(item.as_object(), "name"));
      EXPECT_EQ(Str(item.as_object(), "type"), "STANDARD");
    }
    token = page.contains("nextToken") ? Str(page, "nextToken") : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Fails("ListStateMachines", {{"nextToken", "garbage"}}).type(), "InvalidToken");
  EXPECT_EQ(Ok("ListStateMachines", {}).at("stateMachines").as_array().size(), 5u);
}

TEST_F(StateMachinesTest, UpdateMakesANewRevisionAndCanPublish) {
  std::string arn = Create("sm");
  std::string first = Str(Ok("DescribeStateMachine", {{"stateMachineArn", arn}}), "revisionId");
  EXPECT_EQ(Fails("UpdateStateMachine", {{"stateMachineArn", arn}}).type(),
            "MissingRequiredParameter");
  clock_.Advance(1000);
  json::object u = Ok("UpdateStateMachine", {{"stateMachineArn", arn},
                                             {"definition", PassDefinition("v2")},
                                             {"publish", true},
                                             {"versionDescription", "second"}});
  EXPECT_DOUBLE_EQ(u.at("updateDate").as_double(), 1'700'000'001.0);
  std::string second = Str(u, "revisionId");
  EXPECT_NE(second, first);
  EXPECT_EQ(Str(u, "stateMachineVersionArn"), arn + ":1");
  json::object d = Ok("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(Str(d, "definition"), PassDefinition("v2"));
  EXPECT_EQ(Str(d, "revisionId"), second);
  // Both revisions stay for the executions that run them.
  EXPECT_TRUE(engine_->registry().Get(engine::kStateMachineRevisionKind, arn, first));
  EXPECT_TRUE(engine_->registry().Get(engine::kStateMachineRevisionKind, arn, second));

  json::object v = Ok("DescribeStateMachine", {{"stateMachineArn", arn + ":1"}});
  EXPECT_EQ(Str(v, "stateMachineArn"), arn + ":1");
  EXPECT_EQ(Str(v, "definition"), PassDefinition("v2"));
  EXPECT_EQ(Str(v, "description"), "second");
  EXPECT_EQ(Str(v, "revisionId"), second);

  EXPECT_EQ(Fails("UpdateStateMachine",
                  {{"stateMachineArn", arn}, {"definition", R"({"StartAt":"X","States":{}})"}})
                .type(),
            "InvalidDefinition");
  EXPECT_EQ(
      Fails("UpdateStateMachine",
            {{"stateMachineArn", std::string(kPrefix) + "stateMachine:none"}, {"roleArn", kRole}})
          .type(),
      "StateMachineDoesNotExist");
  // Express rules apply to the type the state machine has.
  std::string express = Create("ex", PassDefinition(), "EXPRESS");
  EXPECT_EQ(Fails("UpdateStateMachine",
                  {{"stateMachineArn", express},
                   {"definition", TaskDefinition(std::string(kPrefix) + "activity:a")}})
                .type(),
            "InvalidDefinition");
}

TEST_F(StateMachinesTest, DeleteRemovesVersionsAndAliasesButKeepsRevisions) {
  std::string arn = Create("sm");
  Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}});
  Ok("CreateStateMachineAlias",
     {{"name", "live"},
      {"routingConfiguration",
       json::array{json::object{{"stateMachineVersionArn", arn + ":1"}, {"weight", 100}}}}});
  std::string revision = Str(Ok("DescribeStateMachine", {{"stateMachineArn", arn}}), "revisionId");
  Ok("DeleteStateMachine", {{"stateMachineArn", arn}});
  Error e = Fails("DescribeStateMachine", {{"stateMachineArn", arn}});
  EXPECT_EQ(e.type(), "StateMachineDoesNotExist");
  EXPECT_EQ(e.message(), "State Machine Does Not Exist: '" + arn + "'");
  EXPECT_EQ(engine_->registry().Count(engine::kStateMachineVersionKind, arn), 0u);
  EXPECT_EQ(engine_->registry().Count(engine::kStateMachineAliasKind, arn), 0u);
  EXPECT_TRUE(engine_->registry().Get(engine::kStateMachineRevisionKind, arn, revision));
  Ok("DeleteStateMachine", {{"stateMachineArn", arn}});  // absent: no error
  EXPECT_EQ(Fails("DeleteStateMachine", {{"stateMachineArn", "arn:nope"}}).type(), "InvalidArn");
  // The name can be used again.
  EXPECT_EQ(Create("sm", PassDefinition("new")), arn);
}

}  // namespace
}  // namespace weft::sfn::testing
