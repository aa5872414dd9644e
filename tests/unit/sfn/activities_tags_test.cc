// Activities and tags.
#include "sfn_fixture.h"

namespace weft::sfn::testing {
namespace {

using ActivitiesTest = SfnTest;

TEST_F(ActivitiesTest, CreateIsIdempotentDescribeListDelete) {
  json::object a = Ok("CreateActivity", {{"name", "work"}});
  std::string arn = Str(a, "activityArn");
  EXPECT_EQ(arn, std::string(kPrefix) + "activity:work");
  clock_.Advance(1000);
  json::object again = Ok("CreateActivity", {{"name", "work"}});
  EXPECT_EQ(Str(again, "activityArn"), arn);
  EXPECT_DOUBLE_EQ(again.at("creationDate").as_double(), a.at("creationDate").as_double());

  json::object d = Ok("DescribeActivity", {{"activityArn", arn}});
  EXPECT_EQ(Str(d, "name"), "work");
  EXPECT_DOUBLE_EQ(d.at("creationDate").as_double(), 1'700'000'000.0);

  for (std::string name : {"c", "b"}) Ok("CreateActivity", {{"name", name}});
  json::object page = Ok("ListActivities", {{"maxResults", 2}});
  ASSERT_EQ(page.at("activities").as_array().size(), 2u);
  EXPECT_EQ(Str(page.at("activities").as_array()[0].as_object(), "name"), "b");
  json::object rest =
      Ok("ListActivities", {{"maxResults", 2}, {"nextToken", page.at("nextToken")}});
  ASSERT_EQ(rest.at("activities").as_array().size(), 1u);
  EXPECT_EQ(Str(rest.at("activities").as_array()[0].as_object(), "name"), "work");
  // A token of another list is refused.
  EXPECT_EQ(Fails("ListStateMachines", {{"nextToken", page.at("nextToken")}}).type(),
            "InvalidToken");

  Ok("DeleteActivity", {{"activityArn", arn}});
  Error e = Fails("DescribeActivity", {{"activityArn", arn}});
  EXPECT_EQ(e.type(), "ActivityDoesNotExist");
  EXPECT_EQ(e.message(), "Activity Does Not Exist: '" + arn + "'");
  Ok("DeleteActivity", {{"activityArn", arn}});  // absent: no error
  EXPECT_EQ(Fails("DescribeActivity", {{"activityArn", "arn:aws:states:x"}}).type(), "InvalidArn");
  EXPECT_EQ(Fails("CreateActivity", {{"name", "a/b"}}).type(), "InvalidName");
}

TEST_F(ActivitiesTest, TagsOnStateMachinesAndActivities) {
  std::string sm = Create("sm");
  std::string activity =
      Str(Ok("CreateActivity",
             {{"name", "work"}, {"tags", json::array{json::object{{"key", "a"}, {"value", "1"}}}}}),
          "activityArn");
  for (const std::string& arn : {sm, activity}) {
    Ok("TagResource", {{"resourceArn", arn},
                       {"tags", json::array{json::object{{"key", "b"}, {"value", "2"}},
                                            json::object{{"key", "a"}, {"value", "3"}}}}});
    json::object tags = Ok("ListTagsForResource", {{"resourceArn", arn}});
    std::string expected = arn == sm ? R"([{"key":"b","value":"2"},{"key":"a","value":"3"}])"
                                     : R"([{"key":"a","value":"3"},{"key":"b","value":"2"}])";
    EXPECT_EQ(ToJson(tags.at("tags")), expected) << arn;
    Ok("UntagResource", {{"resourceArn", arn}, {"tagKeys", json::array{"a", "zz"}}});
    EXPECT_EQ(ToJson(Ok("ListTagsForResource", {{"resourceArn", arn}}).at("tags")),
              R"([{"key":"b","value":"2"}])");
    json::array many;
    for (int i = 0; i < 50; ++i) many.push_back(json::object{{"key", "k" + std::to_string(i)}});
    EXPECT_EQ(Fails("TagResource", {{"resourceArn", arn}, {"tags", many}}).type(), "TooManyTags");
  }
  EXPECT_EQ(Fails("TagResource", {{"resourceArn", std::string(kPrefix) + "stateMachine:none"},
                                  {"tags", json::array{}}})
                .type(),
            "ResourceNotFound");
  EXPECT_EQ(Fails("ListTagsForResource", {{"resourceArn", "nope"}}).type(), "InvalidArn");
  Error e =
      Fails("TagResource", {{"resourceArn", sm},
                            {"tags", json::array{json::object{{"key", std::string(129, 'k')}},
                                                 json::object{{"key", "ok"}, {"value", "bad#"}}}}});
  EXPECT_EQ(e.type(), "ValidationException");
  EXPECT_NE(e.message().find("2 validation errors"), std::string::npos) << e.message();
}

}  // namespace
}  // namespace weft::sfn::testing
