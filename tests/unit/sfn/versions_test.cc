// Versions, aliases and ResolveExecutionTarget.
#include "sfn/ops/ops.h"
#include "sfn_fixture.h"

namespace weft::sfn::testing {
namespace {

using VersionsTest = SfnTest;

json::array Routing(const std::string& a, int wa, const std::string& b = "", int wb = 0) {
  json::array out{json::object{{"stateMachineVersionArn", a}, {"weight", wa}}};
  if (!b.empty()) out.push_back(json::object{{"stateMachineVersionArn", b}, {"weight", wb}});
  return out;
}

TEST_F(VersionsTest, PublishNumbersVersionsAndIsIdempotentPerRevision) {
  std::string arn = Create("sm");
  json::object v1 = Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}});
  EXPECT_EQ(Str(v1, "stateMachineVersionArn"), arn + ":1");
  // The same revision again: the same version.
  EXPECT_EQ(
      Str(Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}}), "stateMachineVersionArn"),
      arn + ":1");
  std::string old_revision =
      Str(Ok("DescribeStateMachine", {{"stateMachineArn", arn}}), "revisionId");
  Ok("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", PassDefinition("v2")}});
  Error e =
      Fails("PublishStateMachineVersion", {{"stateMachineArn", arn}, {"revisionId", old_revision}});
  EXPECT_EQ(e.type(), "ConflictException");
  clock_.Advance(1000);
  json::object v2 =
      Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}, {"description", "two"}});
  EXPECT_EQ(Str(v2, "stateMachineVersionArn"), arn + ":2");

  json::object list = Ok("ListStateMachineVersions", {{"stateMachineArn", arn}});
  const json::array& versions = list.at("stateMachineVersions").as_array();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(Str(versions[0].as_object(), "stateMachineVersionArn"), arn + ":2");  // newest first
  EXPECT_EQ(Str(versions[1].as_object(), "stateMachineVersionArn"), arn + ":1");
  json::object page = Ok("ListStateMachineVersions", {{"stateMachineArn", arn}, {"maxResults", 1}});
  ASSERT_EQ(page.at("stateMachineVersions").as_array().size(), 1u);
  json::object rest =
      Ok("ListStateMachineVersions",
         {{"stateMachineArn", arn}, {"maxResults", 1}, {"nextToken", page.at("nextToken")}});
  EXPECT_EQ(
      Str(rest.at("stateMachineVersions").as_array()[0].as_object(), "stateMachineVersionArn"),
      arn + ":1");
  EXPECT_FALSE(rest.contains("nextToken"));

  // Numbers are not reused after a delete.
  Ok("DeleteStateMachineVersion", {{"stateMachineVersionArn", arn + ":2"}});
  Ok("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", PassDefinition("v3")}});
  EXPECT_EQ(
      Str(Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}}), "stateMachineVersionArn"),
      arn + ":3");
  Ok("DeleteStateMachineVersion", {{"stateMachineVersionArn", arn + ":9"}});  // absent: no error
  EXPECT_EQ(Fails("DescribeStateMachine", {{"stateMachineArn", arn + ":2"}}).type(),
            "StateMachineDoesNotExist");
}

TEST_F(VersionsTest, CreateWithPublishMakesVersionOne) {
  json::object created = Ok("CreateStateMachine", {{"name", "sm"},
                                                   {"definition", PassDefinition()},
                                                   {"roleArn", kRole},
                                                   {"publish", true},
                                                   {"versionDescription", "first"}});
  std::string arn = Str(created, "stateMachineArn");
  EXPECT_EQ(Str(created, "stateMachineVersionArn"), arn + ":1");
  EXPECT_EQ(Str(Ok("DescribeStateMachine", {{"stateMachineArn", arn + ":1"}}), "description"),
            "first");
}

TEST_F(VersionsTest, AliasesRouteToVersionsOfOneStateMachine) {
  std::string arn = Create("sm");
  Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}});
  Ok("UpdateStateMachine", {{"stateMachineArn", arn}, {"definition", PassDefinition("v2")}});
  Ok("PublishStateMachineVersion", {{"stateMachineArn", arn}});
  std::string other = Create("other");
  Ok("PublishStateMachineVersion", {{"stateMachineArn", other}});

  // Routing rules.
  EXPECT_EQ(Fails("CreateStateMachineAlias",
                  {{"name", "a"}, {"routingConfiguration", Routing(arn + ":1", 50)}})
                .type(),
            "ValidationException");
  EXPECT_EQ(
      Fails("CreateStateMachineAlias",
            {{"name", "a"}, {"routingConfiguration", Routing(arn + ":1", 50, other + ":1", 50)}})
          .type(),
      "ValidationException");
  EXPECT_EQ(
      Fails("CreateStateMachineAlias",
            {{"name", "a"}, {"routingConfiguration", Routing(arn + ":1", 50, arn + ":1", 50)}})
          .type(),
      "ValidationException");
  EXPECT_EQ(
      Fails("CreateStateMachineAlias", {{"name", "a"}, {"routingConfiguration", json::array{}}})
          .type(),
      "ValidationException");
  EXPECT_EQ(Fails("CreateStateMachineAlias",
                  {{"name", "123"}, {"routingConfiguration", Routing(arn + ":1", 100)}})
                .type(),
            "ValidationException");
  EXPECT_EQ(Fails("CreateStateMachineAlias",
                  {{"name", "a"}, {"routingConfiguration", Routing(arn + ":7", 100)}})
                .type(),
            "ResourceNotFound");

  json::object created = Ok(
      "CreateStateMachineAlias",
      {{"name", "live"}, {"description", "d"}, {"routingConfiguration", Routing(arn + ":1", 100)}});
  std::string alias = Str(created, "stateMachineAliasArn");
  EXPECT_EQ(alias, arn + ":live");
  // Idempotent when equal; a conflict otherwise.
  EXPECT_EQ(Str(Ok("CreateStateMachineAlias", {{"name", "live"},
                                               {"description", "d"},
                                               {"routingConfiguration", Routing(arn + ":1", 100)}}),
                "stateMachineAliasArn"),
            alias);
  EXPECT_EQ(Fails("CreateStateMachineAlias",
                  {{"name", "live"}, {"routingConfiguration", Routing(arn + ":2", 100)}})
                .type(),
            "ConflictException");

  json::object d = Ok("DescribeStateMachineAlias", {{"stateMachineAliasArn", alias}});
  EXPECT_EQ(Str(d, "name"), "live");
  EXPECT_EQ(Str(d, "description"), "d");
  EXPECT_EQ(ToJson(d.at("routingConfiguration")), ToJson(Routing(arn + ":1", 100)));
  EXPECT_TRUE(d.at("creationDate").is_double());

  // A version an alias routes to cannot be deleted.
  EXPECT_EQ(Fails("DeleteStateMachineVersion", {{"stateMachineVersionArn", arn + ":1"}}).type(),
            "ConflictException");

  // Resolution: a state machine, a version, an alias.
  RequestContext request;
  OpContext ctx{*engine_, request, options_};
  auto target = ResolveExecutionTarget(ctx, arn);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->definition, PassDefinition("v2"));
  EXPECT_TRUE(target->version_arn.empty());
  auto v1 = ResolveExecutionTarget(ctx, arn + ":1");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->definition, PassDefinition());
  EXPECT_EQ(v1->version_arn, arn + ":1");
  EXPECT_EQ(v1->state_machine_arn, arn);
  EXPECT_EQ(v1->state_machine_name, "sm");
  EXPECT_EQ(v1->type, "STANDARD");
  EXPECT_EQ(v1->role_arn, kRole);
  auto via_alias = ResolveExecutionTarget(ctx, alias);
  ASSERT_TRUE(via_alias.ok());
  EXPECT_EQ(via_alias->alias_arn, alias);
  EXPECT_EQ(via_alias->version_arn, arn + ":1");
  EXPECT_EQ(ResolveExecutionTarget(ctx, arn + ":nope").error().type(), "ResourceNotFound");
  EXPECT_EQ(ResolveExecutionTarget(ctx, std::string(kPrefix) + "stateMachine:none").error().type(),
            "StateMachineDoesNotExist");
  EXPECT_EQ(ResolveExecutionTarget(ctx, "arn:bad").error().type(), "InvalidArn");

  // Split routing picks both versions (random, by weight).
  Ok("UpdateStateMachineAlias",
     {{"stateMachineAliasArn", alias},
      {"routingConfiguration", Routing(arn + ":1", 50, arn + ":2", 50)}});
  std::set<std::string> picked;
  for (int i = 0; i < 200; ++i) picked.insert(ResolveExecutionTarget(ctx, alias)->version_arn);
  EXPECT_EQ(picked, (std::set<std::string>{arn + ":1", arn + ":2"}));
  Ok("UpdateStateMachineAlias",
     {{"stateMachineAliasArn", alias}, {"routingConfiguration", Routing(arn + ":2", 100)}});
  EXPECT_EQ(ResolveExecutionTarget(ctx, alias)->definition, PassDefinition("v2"));
  EXPECT_EQ(Fails("UpdateStateMachineAlias", {{"stateMachineAliasArn", alias}}).type(),
            "ValidationException");

  json::object aliases = Ok("ListStateMachineAliases", {{"stateMachineArn", arn}});
  ASSERT_EQ(aliases.at("stateMachineAliases").as_array().size(), 1u);
  EXPECT_EQ(Ok("ListStateMachineAliases", {{"stateMachineArn", arn + ":1"}})
                .at("stateMachineAliases")
                .as_array()
                .size(),
            0u);  // no alias routes to version 1 any more
  Ok("DeleteStateMachineVersion", {{"stateMachineVersionArn", arn + ":1"}});

  Ok("DeleteStateMachineAlias", {{"stateMachineAliasArn", alias}});
  EXPECT_EQ(Fails("DescribeStateMachineAlias", {{"stateMachineAliasArn", alias}}).type(),
            "ResourceNotFound");
  EXPECT_EQ(Fails("DeleteStateMachineAlias", {{"stateMachineAliasArn", alias}}).type(),
            "ResourceNotFound");
}

}  // namespace
}  // namespace weft::sfn::testing
