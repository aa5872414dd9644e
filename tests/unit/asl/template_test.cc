// Tests of asl::Template: the cases in cases/expr_template.json, and a replay
// of the AWS-recorded conformance cases that are a single Pass state with
// Parameters (shared/conformance/asl/cases.jsonl).
#include <cstdlib>

#include "asl/expr.h"
#include "cases/expr_cases.h"

namespace weft::asl {
namespace {

TEST(TemplateTest, CaseTable) { testing::RunCaseFile("expr_template.json", "template"); }

TEST(TemplateTest, EvaluatingTwiceGivesTheSameResult) {
  auto t = Template::Compile(*ParseJson(R"({"a.$":"$.x","b":[{"c.$":"$.x"}]})"));
  ASSERT_TRUE(t.ok());
  json::value input = *ParseJson(R"({"x":[1]})");
  EvalScope scope{&input, nullptr, nullptr};
  auto first = t->Evaluate(scope);
  auto second = t->Evaluate(scope);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(ToJson(*first), R"({"a":[1],"b":[{"c":[1]}]})");
  EXPECT_EQ(*first, *second);
}

std::filesystem::path SharedDir() {
  if (const char* dir = std::getenv("WEFT_SHARED_DIR")) return dir;
  return std::filesystem::path(__FILE__).parent_path() / "../../../../shared";
}

// The data flow of a JSONPath Pass state, enough to replay the cases.
Result<json::value> RunPassState(const json::object& state, const json::value& input,
                                 const json::value& context) {
  auto path_or_empty = [&](std::string_view field, const json::value& from) -> Result<json::value> {
    const json::value* text = state.if_contains(field);
    if (text == nullptr) return from;
    if (text->is_null()) return json::value(json::object());
    auto path = Path::Compile(text->as_string());
    if (!path.ok()) return path.error();
    return path->Evaluate(EvalScope{&from, &context, nullptr});
  };
  auto effective = path_or_empty("InputPath", input);
  if (!effective.ok()) return effective;
  auto tpl = Template::Compile(state.at("Parameters"));
  if (!tpl.ok()) return tpl.error();
  auto result = tpl->Evaluate(EvalScope{&*effective, &context, nullptr});
  if (!result.ok()) return result;
  json::value output = input;
  if (const json::value* rp = state.if_contains("ResultPath")) {
    auto path = Path::CompileReference(rp->as_string());
    if (!path.ok()) return path.error();
    Status st = path->Assign(output, std::move(*result));
    if (!st.ok()) return st.error();
  } else {
    output = std::move(*result);
  }
  return path_or_empty("OutputPath", output);
}

TEST(TemplateTest, ReplaysRecordedPassStateCases) {
  std::ifstream in(SharedDir() / "conformance/asl/cases.jsonl");
  if (!in) GTEST_SKIP() << "no conformance cases at " << SharedDir();
  int replayed = 0;
  for (std::string line; std::getline(in, line);) {
    json::object c = ParseJson(line)->as_object();
    const json::object& def = c.at("definition").as_object();
    const json::object& states = def.at("States").as_object();
    if (states.size() != 1 || def.contains("QueryLanguage")) continue;
    const json::object& state = states.begin()->value().as_object();
    if (state.at("Type") != "Pass" || !state.contains("Parameters")) continue;
    if (!c.at("placeholders").as_array().empty()) continue;
    const json::object& expected = c.at("expected").as_object();
    if (expected.at("status") != "SUCCEEDED") continue;
    SCOPED_TRACE(c.at("id").as_string().c_str());
    json::value input = c.at("input");
    json::value context = {{"Execution", {{"Input", input}}},
                           {"State", {{"Name", states.begin()->key()}}}};
    auto out = RunPassState(state, input, context);
    ASSERT_TRUE(out.ok()) << out.error().type() << ": " << out.error().message();
    EXPECT_EQ(*out, expected.at("output")) << ToJson(*out);
    ++replayed;
  }
  EXPECT_GE(replayed, 100);
}

}  // namespace
}  // namespace weft::asl
