// RespondDecisionTaskCompleted's decisions read into the engine's typed
// decisions: checked whole, each problem named by its position.
#include <gtest/gtest.h>

#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

json::array Parse(std::string_view text) { return ParseJson(text)->as_array(); }

TEST(ReadDecisions, MalformedDecisionsAreRefusedWhole) {
  struct Case {
    const char* name;
    const char* decisions;
    const char* message;
  } cases[] = {
      {"unknown type", R"([{"decisionType":"Dance"}])",
       "Invalid decision at decisions.1: decisionType is missing or not a known decision type"},
      {"missing attributes", R"([{"decisionType":"StartTimer"}])",
       "Invalid decision at decisions.1: startTimerDecisionAttributes.timerId is required for "
       "StartTimer"},
      {"close not last",
       R"([{"decisionType":"CompleteWorkflowExecution"},{"decisionType":"RecordMarker",
           "recordMarkerDecisionAttributes":{"markerName":"m"}}])",
       "Invalid decision at decisions.1: CompleteWorkflowExecution must be the last decision"},
      {"not an object", "[1]", "Invalid decision at decisions.1: a decision must be an object"},
      {"empty id",
       R"([{"decisionType":"CancelTimer","cancelTimerDecisionAttributes":{"timerId":""}}])",
       "Invalid decision at decisions.1: timerId must be a non-empty string"},
      {"type without version",
       R"([{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":
           {"activityId":"a","activityType":{"name":"n"}}}])",
       "Invalid decision at decisions.1: activityType must have a name and a version"},
  };
  for (const auto& c : cases) {
    auto r = ReadDecisions(Parse(c.decisions));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().type(), "ValidationException") << c.name;
    EXPECT_EQ(r.error().message(), c.message) << c.name;
  }
}

TEST(ReadDecisions, EveryMemberReachesItsTypedDecision) {
  auto r = ReadDecisions(Parse(R"([
      {"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{
        "activityType":{"name":"n","version":"2"},"activityId":"a1","control":"c","input":"i",
        "taskList":{"name":"tl"},"taskPriority":"5","heartbeatTimeout":"9"}},
      {"decisionType":"StartTimer","startTimerDecisionAttributes":{
        "timerId":"t","startToFireTimeout":"30","control":"k"}},
      {"decisionType":"FailWorkflowExecution","failWorkflowExecutionDecisionAttributes":{
        "reason":"r","details":"d"}}])"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 3u);
  const auto& s = std::get<engine::decision::ScheduleActivityTask>((*r)[0]);
  EXPECT_EQ(s.activity_type.name, "n");
  EXPECT_EQ(s.activity_type.version, "2");
  EXPECT_EQ(s.activity_id, "a1");
  EXPECT_EQ(s.control, "c");
  EXPECT_EQ(s.input, "i");
  EXPECT_EQ(s.task_list, "tl");
  EXPECT_EQ(s.task_priority, "5");
  EXPECT_EQ(s.heartbeat_timeout, "9");
  EXPECT_FALSE(s.schedule_to_close_timeout.has_value());
  const auto& t = std::get<engine::decision::StartTimer>((*r)[1]);
  EXPECT_EQ(t.timer_id, "t");
  EXPECT_EQ(t.start_to_fire_timeout, "30");
  EXPECT_EQ(t.control, "k");
  const auto& f = std::get<engine::decision::FailWorkflowExecution>((*r)[2]);
  EXPECT_EQ(f.reason, "r");
  EXPECT_EQ(f.details, "d");
}

}  // namespace
}  // namespace weft::swf
