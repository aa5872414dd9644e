// TestState on Pass, Choice, Fail, Wait, Map, Parallel and mocked Tasks.
#include "sfn_fixture.h"

namespace weft::sfn::testing {
namespace {

using TestStateTest = SfnTest;

json::object Inspection(const json::object& out) {
  const json::object* d = FindObject(out, "inspectionData");
  return d ? *d : json::object{};
}

TEST_F(TestStateTest, PassWithDataFlowAtDebugLevel) {
  std::string def =
      R"({"Type":"Pass","InputPath":"$.a","Parameters":{"x.$":"$.b"},"ResultPath":"$.r",)"
      R"("Next":"After"})";
  json::object out =
      Ok("TestState",
         {{"definition", def}, {"input", R"({"a":{"b":1},"c":2})"}, {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(Str(out, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(out, "nextState"), "After");
  EXPECT_EQ(Str(out, "output"), R"({"a":{"b":1},"c":2,"r":{"x":1}})");
  json::object i = Inspection(out);
  EXPECT_EQ(Str(i, "input"), R"({"a":{"b":1},"c":2})");
  EXPECT_EQ(Str(i, "afterInputPath"), R"({"b":1})");
  EXPECT_EQ(Str(i, "afterParameters"), R"({"x":1})");
  EXPECT_EQ(Str(i, "result"), R"({"x":1})");
  EXPECT_EQ(Str(i, "afterResultSelector"), R"({"x":1})");
  EXPECT_EQ(Str(i, "afterResultPath"), R"({"a":{"b":1},"c":2,"r":{"x":1}})");

  // INFO (the default) has no inspection data; End: no next state.
  out = Ok("TestState", {{"definition", R"({"Type":"Pass","End":true})"}, {"input", "[1]"}});
  EXPECT_EQ(Str(out, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(out, "output"), "[1]");
  EXPECT_FALSE(out.contains("nextState"));
  EXPECT_FALSE(out.contains("inspectionData"));
}

TEST_F(TestStateTest, ChoiceGivesTheNextState) {
  std::string def = R"({"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,)"
                    R"("Next":"Big"}],"Default":"Small"})";
  EXPECT_EQ(Str(Ok("TestState", {{"definition", def}, {"input", R"({"n":9})"}}), "nextState"),
            "Big");
  json::object small = Ok("TestState", {{"definition", def}, {"input", R"({"n":1})"}});
  EXPECT_EQ(Str(small, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(small, "nextState"), "Small");
  EXPECT_EQ(Str(small, "output"), R"({"n":1})");
  std::string no_default =
      R"({"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"One"}]})";
  json::object none = Ok("TestState", {{"definition", no_default}, {"input", R"({"n":2})"}});
  EXPECT_EQ(Str(none, "status"), "FAILED");
  EXPECT_EQ(Str(none, "error"), "States.NoChoiceMatched");
}

TEST_F(TestStateTest, FailSucceedAndWait) {
  json::object failed =
      Ok("TestState", {{"definition", R"({"Type":"Fail","Error":"Boom","Cause":"why"})"}});
  EXPECT_EQ(Str(failed, "status"), "FAILED");
  EXPECT_EQ(Str(failed, "error"), "Boom");
  EXPECT_EQ(Str(failed, "cause"), "why");
  EXPECT_FALSE(failed.contains("output"));
  EXPECT_EQ(
      Str(Ok("TestState", {{"definition", R"({"Type":"Succeed"})"}, {"input", "3"}}), "output"),
      "3");
  json::object waited =
      Ok("TestState", {{"definition", R"({"Type":"Wait","Seconds":3600,"Next":"N"})"}});
  EXPECT_EQ(Str(waited, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(waited, "nextState"), "N");
}

TEST_F(TestStateTest, MapAndParallelOfPassStates) {
  std::string map =
      R"({"Type":"Map","ItemsPath":"$.items","ResultPath":"$.out","End":true,"ItemProcessor":)"
      R"({"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"v.$":"$"},)"
      R"("End":true}}}})";
  json::object out =
      Ok("TestState",
         {{"definition", map}, {"input", R"({"items":[1,2]})"}, {"inspectionLevel", "DEBUG"}});
  EXPECT_EQ(Str(out, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(out, "output"), R"({"items":[1,2],"out":[{"v":1},{"v":2}]})");
  EXPECT_EQ(Str(Inspection(out), "result"), R"([{"v":1},{"v":2}])");
  EXPECT_EQ(Str(Inspection(out), "afterResultPath"), R"({"items":[1,2],"out":[{"v":1},{"v":2}]})");

  std::string parallel =
      R"({"Type":"Parallel","Next":"Join","Branches":[)"
      R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},)"
      R"({"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]})";
  out = Ok("TestState", {{"definition", parallel}});
  EXPECT_EQ(Str(out, "output"), R"(["a","b"])");
  EXPECT_EQ(Str(out, "nextState"), "Join");
}

TEST_F(TestStateTest, TasksAnsweredByTheMock) {
  std::string task = R"({"Type":"Task","Resource":"arn:aws:states:::http:invoke",)"
                     R"("ResultSelector":{"code.$":"$.StatusCode"},"Next":"Done",)"
                     R"("Retry":[{"ErrorEquals":["Flaky"],"MaxAttempts":1}],)"
                     R"("Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handle"}]})";
  json::object ok = Ok("TestState", {{"definition", task},
                                     {"inspectionLevel", "DEBUG"},
                                     {"mock", json::object{{"result", R"({"StatusCode":200})"}}}});
  EXPECT_EQ(Str(ok, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(ok, "output"), R"({"code":200})");
  EXPECT_EQ(Str(ok, "nextState"), "Done");
  EXPECT_EQ(Str(Inspection(ok), "result"), R"({"StatusCode":200})");
  EXPECT_EQ(Str(Inspection(ok), "afterResultSelector"), R"({"code":200})");

  json::object mock_error{{"errorOutput", json::object{{"error", "Flaky"}, {"cause", "c"}}}};
  json::object retriable = Ok("TestState", {{"definition", task}, {"mock", mock_error}});
  EXPECT_EQ(Str(retriable, "status"), "RETRIABLE");
  EXPECT_EQ(Str(retriable, "error"), "Flaky");
  // After the one retry allowed, the Catch takes it.
  json::object caught =
      Ok("TestState", {{"definition", task},
                       {"mock", mock_error},
                       {"inspectionLevel", "DEBUG"},
                       {"stateConfiguration", json::object{{"retrierRetryCount", 1}}}});
  EXPECT_EQ(Str(caught, "status"), "CAUGHT_ERROR");
  EXPECT_EQ(Str(caught, "nextState"), "Handle");
  EXPECT_EQ(Str(caught, "error"), "Flaky");
  EXPECT_EQ(Str(caught, "cause"), "c");
  EXPECT_EQ(Str(caught, "output"), R"({"Error":"Flaky","Cause":"c"})");
  EXPECT_EQ(Inspection(caught).at("errorDetails").as_object().at("catchIndex").as_int64(), 0);

  // Without a mock weft calls nothing: the task fails.
  json::object unmocked = Ok(
      "TestState",
      {{"definition", R"({"Type":"Task","Resource":"arn:aws:states:::http:invoke","End":true})"}});
  EXPECT_EQ(Str(unmocked, "status"), "FAILED");
  EXPECT_EQ(Str(unmocked, "error"), "States.TaskFailed");
}

TEST_F(TestStateTest, JsonataStatesShowArgumentsAndResult) {
  std::string task = R"({"Type":"Task","QueryLanguage":"JSONata",)"
                     R"("Resource":"arn:aws:states:::http:invoke","Next":"Done",)"
                     R"("Arguments":{"url":"{% $states.input.site & '/x' %}"},)"
                     R"("Output":{"code":"{% $states.result.StatusCode %}"}})";
  json::object ok = Ok("TestState", {{"definition", task},
                                     {"input", R"({"site":"https://a"})"},
                                     {"inspectionLevel", "DEBUG"},
                                     {"mock", json::object{{"result", R"({"StatusCode":200})"}}}});
  EXPECT_EQ(Str(ok, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(ok, "output"), R"({"code":200})");
  json::object i = Inspection(ok);
  EXPECT_EQ(Str(i, "afterArguments"), R"({"url":"https://a/x"})");
  EXPECT_EQ(Str(i, "result"), R"({"StatusCode":200})");
  EXPECT_FALSE(i.contains("afterInputPath"));
  EXPECT_FALSE(i.contains("afterParameters"));

  // afterArguments is what the run sent: the same on every call, although
  // $random() would draw anew if the arguments were evaluated again.
  std::string random_task = R"({"Type":"Task","QueryLanguage":"JSONata","End":true,)"
                            R"("Resource":"arn:aws:states:::http:invoke",)"
                            R"("Arguments":{"r":"{% $random() %}"}})";
  auto sent = [&] {
    json::object out = Ok("TestState", {{"definition", random_task},
                                        {"inspectionLevel", "DEBUG"},
                                        {"mock", json::object{{"result", "{}"}}}});
    return Str(Inspection(out), "afterArguments");
  };
  EXPECT_EQ(sent(), sent());

  // A state picked from a JSONata state machine is JSONata too.
  std::string machine = R"({"QueryLanguage":"JSONata","StartAt":"A","States":{)"
                        R"("A":{"Type":"Pass","Output":"{% $states.input.n + 1 %}","End":true}}})";
  json::object picked =
      Ok("TestState", {{"definition", machine}, {"stateName", "A"}, {"input", R"({"n":1})"}});
  EXPECT_EQ(Str(picked, "status"), "SUCCEEDED");
  EXPECT_EQ(Str(picked, "output"), "2");

  // A failed evaluation is the state's failure, with AWS's cause.
  json::object failed =
      Ok("TestState",
         {{"definition", R"({"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $nope %}"})"}});
  EXPECT_EQ(Str(failed, "status"), "FAILED");
  EXPECT_EQ(Str(failed, "error"), "States.QueryEvaluationError");
  EXPECT_NE(Str(failed, "cause")
                .find("The JSONata expression '$nope' specified for the field "
                      "'Output' returned nothing (undefined)."),
            std::string::npos);
}

TEST_F(TestStateTest, StateNamePicksAStateOfAMachineAndErrorsAreFaults) {
  std::string machine = R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},)"
                        R"("B":{"Type":"Pass","Result":1,"End":true}}})";
  json::object out = Ok("TestState", {{"definition", machine}, {"stateName", "B"}});
  EXPECT_EQ(Str(out, "output"), "1");
  EXPECT_EQ(Fails("TestState", {{"definition", machine}, {"stateName", "Z"}}).type(),
            "InvalidDefinition");
  EXPECT_EQ(Fails("TestState", {{"definition", R"({"Type":"Nope"})"}}).type(), "InvalidDefinition");
  EXPECT_EQ(
      Fails("TestState", {{"definition", R"({"Type":"Pass","End":true})"}, {"input", "{x"}}).type(),
      "InvalidExecutionInput");
  EXPECT_EQ(
      Fails("TestState", {{"definition", R"({"Type":"Pass"})"}, {"inspectionLevel", "ALL"}}).type(),
      "ValidationException");
}

}  // namespace
}  // namespace weft::sfn::testing
