// Tests of asl::Intrinsic: the cases in cases/expr_intrinsic.json (every
// function with good and bad arguments, parsing, limits) plus the functions
// whose results are random.
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

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex.
bool LooksLikeUuid4(const std::string& s) {
  if (s.size() != 36 || s[14] != '4' || std::string_view("89ab").find(s[19]) == std::string::npos)
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && std::string_view("0123456789abcdef").find(s[i]) == std::string::npos) return false;
  }
  return true;
}

TEST(IntrinsicTest, CaseTable) { testing::RunCaseFile("expr_intrinsic.json", "intrinsic"); }

TEST(IntrinsicTest, LooksLikeCall) {
  EXPECT_TRUE(Intrinsic::LooksLikeCall("States.Format('x')"));
  EXPECT_TRUE(Intrinsic::LooksLikeCall("  States.UUID()"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("$.States"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("states.UUID()"));
}

TEST(IntrinsicTest, UuidIsARandomVersion4Uuid) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    json::value v = Eval("States.UUID()");
    ASSERT_TRUE(v.is_string());
    std::string s(v.get_string());
    EXPECT_TRUE(LooksLikeUuid4(s)) << s;
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
