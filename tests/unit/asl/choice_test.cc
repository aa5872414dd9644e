// Choice rules: every operator (cases/choice.json: rule, input, expected
// result or error name), type mismatches, StringMatches escapes.
#include "asl/choice.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "asl/asl.h"
#include "cases/case_file.h"

namespace weft::asl {
namespace {

using testing::LoadCases;

TEST(ChoiceTest, OperatorTable) {
  json::array cases = LoadCases("choice.json");
  ASSERT_GT(cases.size(), 40u);
  json::value context = *ParseJson(R"({"Execution": {"Name": "exec"}})");
  json::object vars{{"v", 2}};
  Variables variables{&vars, nullptr};
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    SCOPED_TRACE(ToJson(o.at("rule")) + " on " + ToJson(o.at("input")));
    std::vector<Diagnostic> diags;
    auto rule = CompileChoiceRule(o.at("rule"), "/r", false, diags);
    ASSERT_TRUE(rule.has_value()) << (diags.empty() ? "" : diags[0].message);
    EvalScope scope{&o.at("input"), &context, &variables};
    auto r = EvaluateChoiceRule(*rule, scope);
    const json::value& expect = o.at("expect");
    if (expect.is_string()) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().type(), std::string(expect.as_string()));
    } else {
      ASSERT_TRUE(r.ok()) << r.error().message();
      EXPECT_EQ(*r, expect.as_bool());
    }
  }
}

TEST(ChoiceTest, StringMatchesPatterns) {
  struct Case {
    const char* value;
    const char* pattern;
    bool match;
  };
  const Case cases[] = {
      {"abc", "abc", true},   {"abc", "ab", false},    {"abc", "a*", true},
      {"abc", "*c", true},    {"abc", "*b*", true},    {"abc", "*d*", false},
      {"a*c", "a\\*c", true}, {"abc", "a\\*c", false}, {"a\\c", "a\\\\c", true},
      {"", "", true},         {"", "*", true},         {"x", "", false},
      {"aaa", "a*a*a", true}, {"aa", "a*a*a", false},  {"mississippi", "m*iss*ppi", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.value) + " ~ " + c.pattern);
    EXPECT_EQ(StringMatchesPattern(c.value, c.pattern), c.match);
  }
}

TEST(ChoiceTest, MissingVariableCauseNamesThePath) {
  std::vector<Diagnostic> diags;
  auto rule = CompileChoiceRule(*ParseJson(R"({"Variable": "$.a.b", "IsString": true})"), "/r",
                                false, diags);
  ASSERT_TRUE(rule.has_value());
  json::value input = *ParseJson(R"({"a": {}})");
  EvalScope scope{&input, nullptr, nullptr};
  auto r = EvaluateChoiceRule(*rule, scope);
  ASSERT_TRUE(r.ok());  // Is* tests read a missing value as "not that type"
  EXPECT_FALSE(*r);
  auto eq = CompileChoiceRule(*ParseJson(R"({"Variable": "$.a.b", "StringEquals": "x"})"), "/r",
                              false, diags);
  auto r2 = EvaluateChoiceRule(*eq, scope);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("$.a.b"), std::string::npos);
}

}  // namespace
}  // namespace weft::asl
