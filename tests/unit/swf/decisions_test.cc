// RespondDecisionTaskCompleted's decisions read into the engine's typed
// decisions: every attribute checked as the model constrains it, each
// problem named by its path in AWS's wording, and one bad decision refuses
// them all. A property test feeds every attribute of every decision type a
// wrongly typed, an overlong and (where a rule applies) a malformed value.
#include <gtest/gtest.h>

#include <map>

#include "swf/ops/ops.h"

namespace weft::swf {
namespace {

json::array Parse(std::string_view text) { return ParseJson(text)->as_array(); }

// Reads `decisions` as RespondDecisionTaskCompleted does: the decisions, or
// the ValidationException.
Result<std::vector<engine::Decision>> Read(const json::array& decisions) {
  json::object request;
  RequestReader r(request);
  std::vector<engine::Decision> out = ReadDecisions(r, decisions);
  if (Status s = r.Finish(); !s.ok()) return std::move(s).error();
  return out;
}

TEST(ReadDecisions, MalformedDecisionsAreRefusedWhole) {
  struct Case {
    const char* name;
    const char* decisions;
    const char* message;
  } cases[] = {
      {"unknown type", R"([{"decisionType":"Dance"}])",
       "1 validation error detected: Value 'Dance' at 'decisions.1.member.decisionType' failed "
       "to satisfy constraint: Member must satisfy enum value set: [ScheduleActivityTask, "
       "RequestCancelActivityTask, CompleteWorkflowExecution, FailWorkflowExecution, "
       "CancelWorkflowExecution, ContinueAsNewWorkflowExecution, RecordMarker, StartTimer, "
       "CancelTimer, SignalExternalWorkflowExecution, RequestCancelExternalWorkflowExecution, "
       "StartChildWorkflowExecution, ScheduleLambdaFunction]"},
      {"missing attributes", R"([{"decisionType":"StartTimer"}])",
       "1 validation error detected: Value null at "
       "'decisions.1.member.startTimerDecisionAttributes' failed to satisfy constraint: Member "
       "must not be null"},
      {"missing member", R"([{"decisionType":"StartTimer","startTimerDecisionAttributes":{
           "startToFireTimeout":"5"}}])",
       "1 validation error detected: Value null at "
       "'decisions.1.member.startTimerDecisionAttributes.timerId' failed to satisfy constraint: "
       "Member must not be null"},
      {"close not last",
       R"([{"decisionType":"CompleteWorkflowExecution"},{"decisionType":"RecordMarker",
           "recordMarkerDecisionAttributes":{"markerName":"m"}}])",
       "1 validation error detected: Value 'CompleteWorkflowExecution' at "
       "'decisions.1.member.decisionType' failed to satisfy constraint: a decision that closes "
       "the workflow execution must be the last decision"},
      {"not an object", "[1]",
       "1 validation error detected: Value '1' at 'decisions.1.member' failed to satisfy "
       "constraint: Member must be of type structure"},
      {"type without version",
       R"([{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":
           {"activityId":"a","activityType":{"name":"n"}}}])",
       "1 validation error detected: Value null at "
       "'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityType.version' failed "
       "to satisfy constraint: Member must not be null"},
      {"an object as input (it used to be dropped)",
       R"([{"decisionType":"CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes":{"result":{"a":1}}}])",
       "1 validation error detected: Value object at "
       "'decisions.1.member.completeWorkflowExecutionDecisionAttributes.result' failed to "
       "satisfy constraint: Member must be of type string"},
      {"a timer that would fire at once", R"([{"decisionType":"StartTimer",
           "startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"-1"}}])",
       "1 validation error detected: Value '-1' at "
       "'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' failed to satisfy "
       "constraint: Member must be a number of seconds or NONE"},
  };
  for (const auto& c : cases) {
    auto r = Read(Parse(c.decisions));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().type(), "ValidationException") << c.name;
    EXPECT_EQ(r.error().message(), c.message) << c.name;
  }
}

TEST(ReadDecisions, EveryMemberReachesItsTypedDecision) {
  auto r = Read(Parse(R"([
      {"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{
        "activityType":{"name":"n","version":"2"},"activityId":"a1","control":"c","input":"i",
        "taskList":{"name":"tl"},"taskPriority":"5","heartbeatTimeout":"9"}},
      {"decisionType":"StartTimer","startTimerDecisionAttributes":{
        "timerId":"t","startToFireTimeout":"30","control":"k"}},
      {"decisionType":"ContinueAsNewWorkflowExecution",
       "continueAsNewWorkflowExecutionDecisionAttributes":{"input":"in","tagList":["x","y"],
        "childPolicy":"ABANDON","workflowTypeVersion":"3","taskList":{"name":"next"}}}])"));
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
  const auto& c = std::get<engine::decision::ContinueAsNewWorkflowExecution>((*r)[2]);
  EXPECT_EQ(c.settings.input, "in");
  EXPECT_EQ(c.settings.tag_list, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c.settings.child_policy, "ABANDON");
  EXPECT_EQ(c.workflow_type_version, "3");
  EXPECT_EQ(c.settings.task_list, "next");
}

// What each attribute of each decision type is, by the model: its kind
// decides which bad values it must refuse.
enum class Kind {
  kData,
  kReason,
  kId,
  kName,
  kVersion,
  kRunId,
  kDuration,
  kSeconds,
  kPriority,
  kChildPolicy,
  kArn
};

struct Attribute {
  const char* name;
  Kind kind;
};

struct DecisionShape {
  const char* type;
  const char* valid;  // a valid attributes object
  std::vector<Attribute> attributes;
};

const std::vector<DecisionShape>& Shapes() {
  static const std::vector<DecisionShape> kShapes = {
      {"ScheduleActivityTask",
       R"({"activityType":{"name":"n","version":"1"},"activityId":"a"})",
       {{"activityId", Kind::kId},
        {"control", Kind::kData},
        {"input", Kind::kData},
        {"scheduleToCloseTimeout", Kind::kDuration},
        {"taskPriority", Kind::kPriority},
        {"scheduleToStartTimeout", Kind::kDuration},
        {"startToCloseTimeout", Kind::kDuration},
        {"heartbeatTimeout", Kind::kDuration}}},
      {"RequestCancelActivityTask", R"({"activityId":"a"})", {{"activityId", Kind::kId}}},
      {"CompleteWorkflowExecution", "{}", {{"result", Kind::kData}}},
      {"FailWorkflowExecution", "{}", {{"reason", Kind::kReason}, {"details", Kind::kData}}},
      {"CancelWorkflowExecution", "{}", {{"details", Kind::kData}}},
      {"ContinueAsNewWorkflowExecution",
       "{}",
       {{"input", Kind::kData},
        {"executionStartToCloseTimeout", Kind::kDuration},
        {"taskPriority", Kind::kPriority},
        {"taskStartToCloseTimeout", Kind::kDuration},
        {"childPolicy", Kind::kChildPolicy},
        {"workflowTypeVersion", Kind::kVersion},
        {"lambdaRole", Kind::kArn}}},
      {"RecordMarker",
       R"({"markerName":"m"})",
       {{"markerName", Kind::kName}, {"details", Kind::kData}}},
      {"StartTimer",
       R"({"timerId":"t","startToFireTimeout":"5"})",
       {{"timerId", Kind::kId}, {"startToFireTimeout", Kind::kSeconds}, {"control", Kind::kData}}},
      {"CancelTimer", R"({"timerId":"t"})", {{"timerId", Kind::kId}}},
      {"SignalExternalWorkflowExecution",
       R"({"workflowId":"w","signalName":"s"})",
       {{"workflowId", Kind::kId},
        {"runId", Kind::kRunId},
        {"signalName", Kind::kName},
        {"input", Kind::kData},
        {"control", Kind::kData}}},
      {"RequestCancelExternalWorkflowExecution",
       R"({"workflowId":"w"})",
       {{"workflowId", Kind::kId}, {"runId", Kind::kRunId}, {"control", Kind::kData}}},
      {"StartChildWorkflowExecution",
       R"({"workflowType":{"name":"n","version":"1"},"workflowId":"w"})",
       {{"workflowId", Kind::kId},
        {"control", Kind::kData},
        {"input", Kind::kData},
        {"executionStartToCloseTimeout", Kind::kDuration},
        {"taskPriority", Kind::kPriority},
        {"taskStartToCloseTimeout", Kind::kDuration},
        {"childPolicy", Kind::kChildPolicy},
        {"lambdaRole", Kind::kArn}}},
      {"ScheduleLambdaFunction",
       R"({"id":"i","name":"f"})",
       {{"id", Kind::kId},
        {"control", Kind::kData},
        {"input", Kind::kData},
        {"startToCloseTimeout", Kind::kDuration}}},
  };
  return kShapes;
}

// Values the attribute must refuse, by its kind.
std::vector<json::value> BadValues(Kind kind) {
  std::vector<json::value> bad = {json::value(7), json::object{{"x", 1}}, json::array{"a"}};
  auto longer = [](size_t n) { return json::value(std::string(n + 1, 'x')); };
  switch (kind) {
    case Kind::kData:
      bad.push_back(longer(32768));
      break;
    case Kind::kReason:
      bad.push_back(longer(256));
      break;
    case Kind::kId:
      for (auto v : {"a:b", "a/b", "a|b", "arn", "a\x01"}) bad.emplace_back(v);
      bad.push_back(longer(256));
      bad.emplace_back("");
      break;
    case Kind::kName:
      bad.push_back(longer(256));
      bad.emplace_back("");
      break;
    case Kind::kVersion:
      bad.push_back(longer(64));
      bad.emplace_back("");
      break;
    case Kind::kRunId:
      bad.push_back(longer(64));
      break;
    case Kind::kDuration:
      for (auto v : {"abc", "-1", "1.5", "123456789", "+5"}) bad.emplace_back(v);
      break;
    case Kind::kSeconds:
      for (auto v : {"abc", "-1", "NONE", "", "123456789"}) bad.emplace_back(v);
      break;
    case Kind::kPriority:
      for (auto v : {"high", "2147483648", "-2147483649", "1e3"}) bad.emplace_back(v);
      break;
    case Kind::kChildPolicy:
      bad.emplace_back("SOMETIMES");
      break;
    case Kind::kArn:
      bad.push_back(longer(1600));
      bad.emplace_back("");
      break;
  }
  return bad;
}

json::array OneDecision(const DecisionShape& shape, json::object attributes) {
  std::string key(shape.type);
  key[0] = static_cast<char>(key[0] - 'A' + 'a');
  return json::array{json::object{{"decisionType", shape.type},
                                  {key + "DecisionAttributes", std::move(attributes)}}};
}

TEST(ReadDecisions, EveryAttributeRefusesWhatTheModelForbids) {
  int checked = 0;
  for (const DecisionShape& shape : Shapes()) {
    json::object valid = ParseJson(shape.valid)->as_object();
    auto ok = Read(OneDecision(shape, valid));
    ASSERT_TRUE(ok.ok()) << shape.type << ": " << ok.error().message();
    for (const Attribute& a : shape.attributes) {
      for (const json::value& bad : BadValues(a.kind)) {
        json::object attrs = valid;
        attrs[a.name] = bad;
        auto r = Read(OneDecision(shape, attrs));
        std::string what = std::string(shape.type) + "." + a.name + " = " + ToJson(bad);
        ASSERT_FALSE(r.ok()) << what << " was accepted";
        EXPECT_EQ(r.error().type(), "ValidationException") << what;
        EXPECT_NE(r.error().message().find("." + std::string(a.name) + "'"), std::string::npos)
            << what << ": " << r.error().message();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 250);  // 13 decision types, 56 attributes
}

}  // namespace
}  // namespace weft::swf
