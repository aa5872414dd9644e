// TraceDataFlow: one state's input and output processing, step by step.
#include <gtest/gtest.h>

#include "asl/asl.h"

namespace weft::asl {
namespace {

StateMachinePtr Machine(std::string_view state) {
  auto c = Compile(R"({"StartAt":"S","States":{"S":)" + std::string(state) + "}}");
  EXPECT_TRUE(c.machine) << (c.diagnostics.empty() ? "" : FormatDiagnostic(c.diagnostics[0]));
  return c.machine;
}

TEST(DataFlowTest, TaskStepsWithAGivenResult) {
  auto m = Machine(R"({"Type":"Task","Resource":"arn:aws:states:::http:invoke",)"
                   R"("InputPath":"$.in","Parameters":{"u.$":"$.url","v.$":"$v"},)"
                   R"("ResultSelector":{"s.$":"$.Status"},"ResultPath":"$.res","End":true})");
  auto flow = TraceDataFlow(m, "S", R"({"in":{"url":"x"}})", R"({"Status":200,"Body":""})", "",
                            R"({"v":7})");
  ASSERT_TRUE(flow.ok()) << flow.error().message();
  EXPECT_EQ(flow->after_input_path, R"({"url":"x"})");
  EXPECT_EQ(flow->after_parameters, R"({"u":"x","v":7})");
  EXPECT_EQ(flow->result, R"({"Status":200,"Body":""})");
  EXPECT_EQ(flow->after_result_selector, R"({"s":200})");
  EXPECT_EQ(flow->after_result_path, R"({"in":{"url":"x"},"res":{"s":200}})");
  EXPECT_FALSE(flow->error);

  // Without a result only the input steps.
  flow = TraceDataFlow(m, "S", R"({"in":{"url":"x"}})", std::nullopt, "", R"({"v":1})");
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->after_parameters, R"({"u":"x","v":1})");
  EXPECT_TRUE(flow->result.empty());
  EXPECT_TRUE(flow->after_result_path.empty());
}

TEST(DataFlowTest, PassComputesItsOwnResultAndContextIsRead) {
  auto m = Machine(R"({"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true})");
  auto flow = TraceDataFlow(m, "S", "{}", std::nullopt, R"({"Execution":{"Id":"e1"}})", "");
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->result, R"({"id":"e1"})");
  EXPECT_EQ(flow->after_result_path, R"({"id":"e1"})");
  auto fixed = Machine(R"({"Type":"Pass","Result":[1],"ResultPath":null,"End":true})");
  flow = TraceDataFlow(fixed, "S", R"({"a":1})", std::nullopt, "", "");
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->result, "[1]");
  EXPECT_EQ(flow->after_result_path, R"({"a":1})");
}

TEST(DataFlowTest, AFailedStepStopsTheTrace) {
  auto m = Machine(R"({"Type":"Pass","InputPath":"$.missing","End":true})");
  auto flow = TraceDataFlow(m, "S", "{}", std::nullopt, "", "");
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->error, "States.Runtime");
  EXPECT_TRUE(flow->after_input_path.empty());
  EXPECT_FALSE(TraceDataFlow(m, "Other", "{}", std::nullopt, "", "").ok());
  EXPECT_FALSE(TraceDataFlow(m, "S", "{bad", std::nullopt, "", "").ok());
}

}  // namespace
}  // namespace weft::asl
