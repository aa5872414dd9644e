// Tests of asl::Intrinsic: the cases in cases/expr_intrinsic.json (every
// function with good and bad arguments, parsing, limits) plus the functions
// whose results are random.
#include <regex>
#include <set>

#include "asl/expr.h"
#include "cases/expr_cases.h"

namespace weft::asl {
namespace {

json::value Eval(std::string_view text) {
  auto call = Intrinsic::Compile(text);
  EXPECT_TRUE(call.ok()) << call.error().message();
  if (!call.ok()) return nullptr;
  json::value input = json::object();
  auto v = call->Evaluate(EvalScope{&input, nullptr, nullptr});
  EXPECT_TRUE(v.ok()) << v.error().message();
  return v.ok() ? *v : json::value(nullptr);
}

TEST(IntrinsicTest, CaseTable) { testing::RunCaseFile("expr_intrinsic.json", "intrinsic"); }

TEST(IntrinsicTest, LooksLikeCall) {
  EXPECT_TRUE(Intrinsic::LooksLikeCall("States.Format('x')"));
  EXPECT_TRUE(Intrinsic::LooksLikeCall("  States.UUID()"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("$.States"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("states.UUID()"));
}

TEST(IntrinsicTest, UuidIsARandomVersion4Uuid) {
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    json::value v = Eval("States.UUID()");
    ASSERT_TRUE(v.is_string());
    std::string s(v.get_string());
    EXPECT_TRUE(std::regex_match(s, kUuid)) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(IntrinsicTest, MathRandomStaysInRangeAndCoversIt) {
  std::set<int64_t> seen;
  for (int i = 0; i < 400; ++i) {
    json::value v = Eval("States.MathRandom(-3, 3)");
    ASSERT_TRUE(v.is_int64());
    EXPECT_GE(v.get_int64(), -3);
    EXPECT_LT(v.get_int64(), 3);
    seen.insert(v.get_int64());
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(IntrinsicTest, MathRandomWithASeedIsDeterministic) {
  json::value first = Eval("States.MathRandom(0, 1000000, 7)");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Eval("States.MathRandom(0, 1000000, 7)"), first);
  EXPECT_NE(Eval("States.MathRandom(0, 1000000, 8)"), first);
}

TEST(IntrinsicTest, KeepsItsText) {
  auto call = Intrinsic::Compile("States.Array(1)");
  ASSERT_TRUE(call.ok());
  Intrinsic copy = *call;
  EXPECT_EQ(copy.text(), "States.Array(1)");
}

}  // namespace
}  // namespace weft::asl
