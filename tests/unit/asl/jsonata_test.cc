// Tests of asl::jsonata that the differential test cannot make: the public
// API (undefined against null, located errors), the functions that depend on
// the host's Environment ($now, $millis, $random, $uuid, $shuffle), Step
// Functions' additions, the limits, and concurrent evaluation.
#include "asl/jsonata.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/json.h"

namespace weft::asl::jsonata {
namespace {

// A fixed clock and a counter-based random source.
class FixedEnvironment final : public Environment {
 public:
  explicit FixedEnvironment(int64_t now) : now_(now) {}
  int64_t NowMillis() override {
    ++clock_reads;
    return now_;
  }
  double Random() override {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0;
  }
  int clock_reads = 0;

 private:
  int64_t now_;
  uint64_t state_ = 1;
};

Expression MustCompile(std::string_view text) {
  auto c = Expression::Compile(text);
  if (!c.ok()) {
    ADD_FAILURE() << text << ": " << c.error().code << " " << c.error().message;
    return Expression::Compile("null").value();
  }
  return c.value();
}

Outcome Eval(std::string_view text, const json::value* input = nullptr,
             Environment* env = nullptr) {
  Bindings b;
  b.environment = env;
  return MustCompile(text).Evaluate(input, b);
}

std::string Text(const Outcome& o) {
  if (!o.ok()) return "error " + o.error().code;
  if (o.is_undefined()) return "undefined";
  return Stringify(o.value());
}

TEST(JsonataTest, UndefinedIsNotNull) {
  json::value input = json::parse(R"({"a": null})");
  EXPECT_EQ(Text(Eval("a", &input)), "null");
  EXPECT_TRUE(Eval("b", &input).is_undefined());
  EXPECT_EQ(Text(Eval("$")), "undefined");  // no input
  EXPECT_EQ(Text(Eval("null")), "null");
}

TEST(JsonataTest, CompileErrorsCarryCodeAndPosition) {
  struct Case {
    const char* text;
    const char* code;
    int64_t position;
  } cases[] = {
      {"1 +", "S0207", 3},
      {"(1", "S0203", 2},
      {"'abc", "S0101", 4},
      {"a.1", "S0213", 3},
      {"[1, 2", "S0203", 5},
      {"{'a' 1}", "S0202", 6},
      {"1 ~ 2", "S0204", 3},
      {"/* x", "S0106", 0},
      {"`a", "S0105", 2},
      {"$x := 1 := 2", "S0212", 7},
      {"function(a){1}", "S0208", 10},
      {"a@b", "S0214", 3},
  };
  for (const auto& c : cases) {
    auto r = Expression::Compile(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    const Error& e = r.error();
    EXPECT_EQ(e.code, c.code) << c.text << ": " << e.message;
    EXPECT_EQ(e.position, c.position) << c.text;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(JsonataTest, EvaluationErrorsCarryCodeAndMessage) {
  Outcome o = Eval("1 + 'a'");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "T2002");
  EXPECT_EQ(o.error().position, 3);
  EXPECT_NE(o.error().message.find("right side"), std::string::npos) << o.error().message;
  o = Eval("$substring('a', 'b')");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "T0410");
  EXPECT_NE(o.error().message.find("substring"), std::string::npos) << o.error().message;
}

TEST(JsonataTest, BindingsAreVariables) {
  Bindings b;
  b.variables["states"] = json::parse(R"({"input": {"n": 2}})");
  Outcome o = MustCompile("$states.input.n * 21").Evaluate(nullptr, b);
  EXPECT_EQ(Text(o), "42");
}

TEST(JsonataTest, NumbersLeaveAsIntegersWhenIntegral) {
  Outcome o = Eval("[1, 2.5, 1e21, -0]");
  ASSERT_TRUE(o.has_value());
  const auto& a = o.value().as_array();
  EXPECT_TRUE(a[0].is_int64());
  EXPECT_TRUE(a[1].is_double());
  EXPECT_TRUE(a[2].is_double());
  EXPECT_EQ(Stringify(o.value()), "[1,2.5,1e+21,0]");
}

TEST(JsonataTest, FormatNumberIsJavaScripts) {
  EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatNumber(1e21), "1e+21");
  EXPECT_EQ(FormatNumber(1e-7), "1e-7");
  EXPECT_EQ(FormatNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(FormatNumber(0.000001), "0.000001");
  EXPECT_EQ(FormatNumber(-1.5e-10), "-1.5e-10");
  EXPECT_EQ(FormatNumber(5e-324), "5e-324");
}

TEST(JsonataTest, NowAndMillisComeFromTheEnvironmentOncePerEvaluation) {
  FixedEnvironment env(1700000000123);
  EXPECT_EQ(Text(Eval("$millis()", nullptr, &env)), "1700000000123");
  EXPECT_EQ(Text(Eval("$now()", nullptr, &env)), "\"2023-11-14T22:13:20.123Z\"");
  env.clock_reads = 0;
  EXPECT_EQ(Text(Eval("[$millis(), $millis(), $now()]", nullptr, &env)),
            "[1700000000123,1700000000123,\"2023-11-14T22:13:20.123Z\"]");
  EXPECT_EQ(env.clock_reads, 1);
}

TEST(JsonataTest, RandomUuidAndShuffleUseTheEnvironment) {
  FixedEnvironment a(0);
  FixedEnvironment b(0);
  std::string r1 =
      Text(Eval("[$random(), $random(), $uuid(), $shuffle([1,2,3,4,5,6])]", nullptr, &a));
  std::string r2 =
      Text(Eval("[$random(), $random(), $uuid(), $shuffle([1,2,3,4,5,6])]", nullptr, &b));
  EXPECT_EQ(r1, r2);  // replay: same environment, same result
  Outcome o = Eval("$random()", nullptr, &a);
  ASSERT_TRUE(o.has_value());
  double d = o.value().as_double();
  EXPECT_GE(d, 0.0);
  EXPECT_LT(d, 1.0);
  o = Eval("$sort($shuffle([5,3,1,4,2]))", nullptr, &a);
  EXPECT_EQ(Text(o), "[1,2,3,4,5]");
  std::set<std::string> uuids;
  for (int i = 0; i < 50; ++i) {
    o = Eval("$uuid()", nullptr, &a);
    ASSERT_TRUE(o.has_value());
    std::string u(o.value().as_string());
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string_view("89ab").find(u[19]), std::string_view::npos) << u;
    uuids.insert(u);
  }
  EXPECT_EQ(uuids.size(), 50u);
}

TEST(JsonataTest, StepFunctionsAdditions) {
  EXPECT_EQ(Text(Eval("$partition([1,2,3,4,5,6,7,8,9], 3)")), "[[1,2,3],[4,5,6],[7,8,9]]");
  EXPECT_EQ(Text(Eval("$partition([1,2,3,4], 3)")), "[[1,2,3],[4]]");
  EXPECT_EQ(Text(Eval("$partition([1,2], 0)")), "error D3030");
  EXPECT_EQ(Text(Eval("$range(0, 10, 2)")), "[0,2,4,6,8,10]");
  EXPECT_EQ(Text(Eval("$range(5, 1, -2)")), "[5,3,1]");
  EXPECT_EQ(Text(Eval("$range(1, 3)")), "[1,2,3]");
  EXPECT_EQ(Text(Eval("$range(0, 2000)")), "error D2014");
  EXPECT_EQ(Text(Eval("$hash('input data', 'SHA-256')")),
            "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\"");
  EXPECT_EQ(Text(Eval("$hash('abc', 'MD5')")), "\"900150983cd24fb0d6963f7d28e17f72\"");
  EXPECT_EQ(Text(Eval("$hash('abc', 'SHA-1')")), "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
  EXPECT_EQ(Text(Eval("$hash('abc', 'SHA-3')")), "error D3030");
  EXPECT_EQ(Text(Eval("$parse('{\"a\": [1, null]}')")), "{\"a\":[1,null]}");
  EXPECT_EQ(Text(Eval("$parse('{')")), "error D3030");
  EXPECT_EQ(Text(Eval("$random(7) = $random(7)")), "true");
  EXPECT_EQ(Text(Eval("$random(7) = $random(8)")), "false");
  EXPECT_EQ(Text(Eval("$eval('1')")), "error D3200");
}

TEST(JsonataTest, DeepNestingFailsInsteadOfOverflowing) {
  std::string deep(10000, '(');
  deep += "1";
  deep += std::string(10000, ')');
  auto r = Expression::Compile(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "U1001");
  std::string arrays(10000, '[');
  r = Expression::Compile(arrays);
  ASSERT_FALSE(r.ok());
  // Non-tail recursion is bounded by the evaluation stack budget.
  EXPECT_EQ(Text(Eval("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000000))")),
            "error U1001");
  // Tail calls run in constant stack (jsonata's trampoline).
  EXPECT_EQ(Text(Eval("($f := function($n, $a){$n = 0 ? $a : $f($n - 1, $a + 1)}; $f(20000, 0))")),
            "20000");
}

TEST(JsonataTest, DeepValuesAreRefusedOrReleasedWithoutRecursion) {
  // 30,000 nested arrays: built, compared, written and destroyed.
  EXPECT_EQ(Text(Eval("($r := $reduce([1..30000], function($a, $v){[[$a]]}, 1); 1)")), "1");
  EXPECT_EQ(Text(Eval("($r := $reduce([1..30000], function($a, $v){[[$a]]}, 1); $r = $r)")),
            "error U1001");
  EXPECT_EQ(Text(Eval("$reduce([1..30000], function($a, $v){{'a': $a}}, {})")), "error U1001");
  // A chain of 20,000 closures, each holding the previous one.
  EXPECT_EQ(Text(Eval("($r := $reduce([1..20000], function($a, $v){function(){$a}}, 0); 2)")), "2");
}

TEST(JsonataTest, RegexOverLongStrings) {
  // std::regex recurses per character matched; long subjects get their own
  // large stack.
  EXPECT_EQ(Text(Eval("$count($match($pad('', 200000, 'ab'), /(a|b)*/))")), "1");
  EXPECT_EQ(Text(Eval("$length($replace($pad('', 100000, 'x'), /x+/, 'y'))")), "1");
  EXPECT_EQ(Text(Eval("$match($pad('', 300000, 'x'), /x/)")), "error D1004");
}

TEST(JsonataTest, RegexOverInvalidUtf8Terminates) {
  // A string cut inside a multi-byte character (bytes from a host) must
  // match and end like any other: bad bytes read as U+FFFD.
  Bindings b;
  b.variables["s"] = json::value(std::string("x\xe2\x82\xacy\xe2\x82\xac\xe2\x82"));
  Outcome o = MustCompile("$count($match($s, /\u20ac/))").Evaluate(nullptr, b);
  EXPECT_EQ(Text(o), "2");
  o = MustCompile("$replace($s, /y/, 'z') = $s").Evaluate(nullptr, b);
  EXPECT_EQ(Text(o), "false");
}

TEST(JsonataTest, EndlessLoopsStopAtTheStepLimit) {
  Bindings b;
  b.max_steps = 100000;
  Outcome o = MustCompile("($f := function(){$f()}; $f())").Evaluate(nullptr, b);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "U1001");
}

TEST(JsonataTest, ConcurrentEvaluationOfOneExpression) {
  Expression e = MustCompile(
      "($sq := function($x){$x * $x}; $sum(items.$sq(v)) & '/' & $count(items[v % 2 = 0]))");
  json::value input = json::parse(R"({"items": [{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}]})");
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Outcome o = e.Evaluate(input, Bindings{});
        if (o.has_value() && o.value() == json::value("30/2")) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 800);
}

}  // namespace
}  // namespace weft::asl::jsonata
