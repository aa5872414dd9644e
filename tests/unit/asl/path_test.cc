// Tests of asl::Path: the cases in cases/expr_path.json (JSONPath syntax,
// missing-node errors, reference paths, Find, Assign) plus API properties.
#include "asl/expr.h"
#include "cases/expr_cases.h"

namespace weft::asl {
namespace {

TEST(PathTest, CaseTable) { testing::RunCaseFile("expr_path.json", "path"); }

TEST(PathTest, ReportsRootAndDefiniteness) {
  struct Case {
    const char* text;
    Path::Root root;
    bool reference;
  };
  const Case cases[] = {
      {"$", Path::Root::kInput, true},
      {"$.a[0]['b']", Path::Root::kInput, true},
      {"$.a[*]", Path::Root::kInput, false},
      {"$..a", Path::Root::kInput, false},
      {"$.a[1:2]", Path::Root::kInput, false},
      {"$.a[?(@.b)]", Path::Root::kInput, false},
      {"$$.Task.Token", Path::Root::kContext, true},
      {"$v.x", Path::Root::kVariable, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto p = Path::Compile(c.text);
    ASSERT_TRUE(p.ok()) << p.error().message();
    EXPECT_EQ(p->text(), c.text);
    EXPECT_EQ(p->root(), c.root);
    EXPECT_EQ(p->is_reference(), c.reference);
  }
}

TEST(PathTest, FindPointsIntoTheInput) {
  json::value input = *ParseJson(R"({"a":{"b":[1,2]}})");
  EvalScope scope{&input, nullptr, nullptr};
  auto p = Path::CompileReference("$.a.b");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Find(scope), &input.as_object()["a"].as_object()["b"]);
}

TEST(PathTest, FindOfAnIndefinitePathIsNull) {
  json::value input = *ParseJson(R"({"a":[1]})");
  EvalScope scope{&input, nullptr, nullptr};
  auto p = Path::Compile("$.a[*]");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Find(scope), nullptr);
}

TEST(PathTest, DefaultPathIsTheRoot) {
  Path p;
  json::value input = *ParseJson(R"({"k":1})");
  EvalScope scope{&input, nullptr, nullptr};
  EXPECT_EQ(p.text(), "$");
  auto v = p.Evaluate(scope);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, input);
}

TEST(PathTest, CopiesShareTheCompiledForm) {
  auto p = Path::Compile("$.a.b");
  ASSERT_TRUE(p.ok());
  Path copy = *p;
  Path moved = std::move(*p);
  EXPECT_EQ(copy.text(), "$.a.b");
  EXPECT_EQ(moved.text(), "$.a.b");
}

TEST(PathTest, AssignRejectsContextPaths) {
  auto p = Path::Compile("$$.Execution");
  ASSERT_TRUE(p.ok());
  json::value target = json::object();
  Status st = p->Assign(target, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().type(), "States.ResultPathMatchFailure");
}

TEST(PathTest, FailedAssignLeavesTheTargetUnchanged) {
  auto p = Path::CompileReference("$.x.y[0]");
  ASSERT_TRUE(p.ok());
  json::value target = *ParseJson(R"({"a":1})");
  EXPECT_FALSE(p->Assign(target, 1).ok());
  EXPECT_EQ(ToJson(target), R"({"a":1})");
}

TEST(VariablesTest, FindWalksOutwards) {
  json::object outer{{"a", 1}, {"b", 2}};
  json::object inner{{"b", 3}};
  Variables parent{&outer, nullptr};
  Variables empty{nullptr, &parent};
  Variables child{&inner, &empty};
  ASSERT_NE(child.Find("a"), nullptr);
  EXPECT_EQ(*child.Find("a"), 1);
  EXPECT_EQ(*child.Find("b"), 3);
  EXPECT_EQ(*parent.Find("b"), 2);
  EXPECT_EQ(child.Find("c"), nullptr);
}

}  // namespace
}  // namespace weft::asl
