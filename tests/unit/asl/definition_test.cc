// The compiled model: block numbering, resolved transitions, defaults and
// the per-field forms (null vs absent paths, legacy Map fields).
#include "asl/definition.h"

#include <gtest/gtest.h>

namespace weft::asl {
namespace {

std::shared_ptr<const StateMachine> MustCompile(std::string_view text) {
  CompileResult r = Compile(text);
  EXPECT_TRUE(r.machine) << (r.diagnostics.empty() ? "" : FormatDiagnostic(r.diagnostics[0]));
  return r.machine;
}

TEST(DefinitionTest, BlocksAreNumberedInDefinitionOrder) {
  auto m = MustCompile(R"({"StartAt": "P", "TimeoutSeconds": 30, "States": {
      "P": {"Type": "Parallel", "Next": "M", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
      "M": {"Type": "Map", "End": true, "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}})");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->block_count(), 4);
  EXPECT_EQ(m->root().location, "");
  EXPECT_EQ(m->block(1).location, "/States/P/Branches/0");
  EXPECT_EQ(m->block(2).location, "/States/P/Branches/1");
  EXPECT_EQ(m->block(3).location, "/States/M/Iterator");
  const State* p = m->root().Find("P");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->branches, (std::vector<int>{1, 2}));
  EXPECT_EQ(p->next_index, m->root().Find("M")->index);
  EXPECT_EQ(m->root().Find("M")->processor, 3);
  EXPECT_EQ(m->timeout_seconds, std::optional<int64_t>(30));
}

TEST(DefinitionTest, PathFormsAndDefaults) {
  auto m = MustCompile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "InputPath": null, "ResultPath": null, "Next": "B"},
      "B": {"Type": "Pass", "OutputPath": "$.x", "ResultPath": "$.r.s", "Next": "C"},
      "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Retry": [{"ErrorEquals": ["E"]}, {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3,
                       "MaxAttempts": 0, "BackoffRate": 1.5, "MaxDelaySeconds": 9, "JitterStrategy": "FULL"}]}}})");
  ASSERT_TRUE(m);
  const State& a = *m->root().Find("A");
  EXPECT_TRUE(a.input_path.is_null);
  EXPECT_EQ(a.result_path.mode, ResultPathSpec::Mode::kDiscard);
  EXPECT_FALSE(a.output_path.is_null);
  EXPECT_FALSE(a.output_path.path.has_value());
  const State& b = *m->root().Find("B");
  EXPECT_EQ(b.result_path.mode, ResultPathSpec::Mode::kPath);
  EXPECT_EQ(b.output_path.path->text(), "$.x");
  const State& c = *m->root().Find("C");
  ASSERT_EQ(c.retry.size(), 2u);
  EXPECT_EQ(c.retry[0].interval_seconds, 1);
  EXPECT_EQ(c.retry[0].max_attempts, 3);
  EXPECT_EQ(c.retry[0].backoff_rate, 2.0);
  EXPECT_FALSE(c.retry[0].max_delay_seconds.has_value());
  EXPECT_FALSE(c.retry[0].jitter_full);
  EXPECT_EQ(c.retry[1].interval_seconds, 3);
  EXPECT_EQ(c.retry[1].max_attempts, 0);
  EXPECT_EQ(c.retry[1].backoff_rate, 1.5);
  EXPECT_EQ(c.retry[1].max_delay_seconds, std::optional<int64_t>(9));
  EXPECT_TRUE(c.retry[1].jitter_full);
  EXPECT_TRUE(c.end);
}

TEST(DefinitionTest, ContextUseIsDetectedPerState) {
  auto m = MustCompile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"n.$": "$.name"}, "End": true}}})");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->root().Find("A")->needs_context);
  EXPECT_FALSE(m->root().Find("B")->needs_context);
}

TEST(DefinitionTest, MapLegacyParametersAndDistributedMode) {
  auto m = MustCompile(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
      "Parameters": {"v.$": "$$.Map.Item.Value"}, "MaxConcurrency": 4, "ToleratedFailurePercentage": 10,
      "Label": "L", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}})");
  ASSERT_TRUE(m);
  const State& s = *m->root().Find("M");
  EXPECT_TRUE(s.parameters.has_value());
  EXPECT_EQ(s.max_concurrency, 4);
  EXPECT_EQ(s.tolerated_failure_percentage, std::optional<double>(10));
  EXPECT_TRUE(s.distributed);
  EXPECT_EQ(s.label, "L");
}

TEST(DefinitionTest, ChoiceTargetsAreResolved) {
  auto m = MustCompile(R"({"StartAt": "C", "States": {
      "C": {"Type": "Choice", "Default": "D", "Choices": [
        {"Variable": "$.x", "IsPresent": true, "Next": "E"}]},
      "D": {"Type": "Succeed"}, "E": {"Type": "Fail"}}})");
  ASSERT_TRUE(m);
  const State& c = *m->root().Find("C");
  EXPECT_EQ(c.default_index, m->root().Find("D")->index);
  ASSERT_EQ(c.choices.size(), 1u);
  EXPECT_EQ(c.choices[0].next_index, m->root().Find("E")->index);
  EXPECT_EQ(c.choices[0].op, ChoiceOp::kIsPresent);
}

}  // namespace
}  // namespace weft::asl
