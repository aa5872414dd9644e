#include "common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/clock.h"
#include "common/ids.h"

namespace weft {
namespace {

TEST(JsonTest, DoublesUseShortestDecimalForm) {
  EXPECT_EQ(ToJson(json::value(0.1)), "0.1");
  EXPECT_EQ(ToJson(json::value(1.0)), "1.0");
  EXPECT_EQ(ToJson(json::value(-2.5)), "-2.5");
  EXPECT_EQ(ToJson(json::value(1e21)), "1e+21");
}

// Boost.JSON 1.81 reads some numbers a double away from their value; a
// value that went to the store and back must be the same bits.
TEST(JsonTest, DoublesReadBackExactly) {
  std::vector<double> values = {
      0.16093563898117103, 1.0000000000000002, 5e-324, 1.7976931348623157e308, 0.1,
      123.456e-7,          -2.5e-300};
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 100'000; ++i) values.push_back(unit(gen) * std::pow(10.0, i % 40 - 20));
  int differ = 0;
  for (double d : values) {
    auto back = ParseJson(ToJson(json::value(d)));
    ASSERT_TRUE(back.ok());
    differ += back->as_double() != d;
  }
  EXPECT_EQ(differ, 0);
  auto split = ParseJson(R"({"a": [1.5e3, -0.0, 2E-2], "b": 9007199254740993})");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(ToJson(*split), R"({"a":[1500.0,-0.0,0.02],"b":9007199254740993})");
}

TEST(JsonTest, IntegersInFull) {
  EXPECT_EQ(ToJson(json::value(0)), "0");
  EXPECT_EQ(ToJson(json::value(-1)), "-1");
  EXPECT_EQ(ToJson(json::value(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(ToJson(json::value(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(ToJson(json::value(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(ToJson(json::value{1, -20, 300}), "[1,-20,300]");
}

TEST(JsonTest, KeepsMemberOrderAndEscapes) {
  auto v = ParseJson(R"({"b":1,"a":"x\"\n\u0001"})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToJson(*v), R"({"b":1,"a":"x\"\n\u0001"})");
}

TEST(JsonTest, EscapesAnywhereInAString) {
  EXPECT_EQ(ToJson(json::value("plain")), R"("plain")");
  EXPECT_EQ(ToJson(json::value("a\\b\"c\td")), R"("a\\b\"c\td")");
  EXPECT_EQ(ToJson(json::value("\x1f")), R"("\u001f")");
  EXPECT_EQ(ToJson(json::value("")), R"("")");
  EXPECT_EQ(ToJson(json::value("caf\xc3\xa9")), "\"caf\xc3\xa9\"");  // UTF-8 kept as is
}

TEST(JsonTest, MalformedTextIsValidationError) {
  auto v = ParseJson("{\"a\": ");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().type(), "ValidationException");
  EXPECT_FALSE(ParseJson("{} x").ok());
}

TEST(JsonTest, FindHelpersCheckTypes) {
  auto v = ParseJson(R"({"s":"x","i":3,"b":true,"o":{}})");
  ASSERT_TRUE(v.ok());
  const auto& o = v->as_object();
  EXPECT_EQ(*FindString(o, "s"), "x");
  EXPECT_EQ(FindString(o, "i"), nullptr);
  EXPECT_EQ(FindInt(o, "i"), 3);
  EXPECT_EQ(FindBool(o, "b"), true);
  EXPECT_NE(FindObject(o, "o"), nullptr);
  EXPECT_EQ(Find(o, "missing"), nullptr);
}

TEST(ClockTest, FormatsIso8601) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(IdsTest, UuidHasVersion4Shape) {
  auto u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(NewUuid(), u);
  EXPECT_EQ(NewRandomId(22).size(), 22u);
}

TEST(ValidUtf8Test, KeepsUtf8AndReplacesWhatIsNot) {
  EXPECT_EQ(ValidUtf8("plain"), "plain");
  EXPECT_EQ(ValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  const std::string kBad = "\xEF\xBF\xBD";
  EXPECT_EQ(ValidUtf8("a\xFF"
                      "b"),
            "a" + kBad + "b");                               // never a UTF-8 byte
  EXPECT_EQ(ValidUtf8("\xC3"), kBad);                        // cut short
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), kBad + kBad);             // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), kBad + kBad + kBad);  // a surrogate
  std::string body;
  AppendJsonString(body, ValidUtf8("Unknown operation: \xFF\xFE"));
  EXPECT_TRUE(ParseJson(body).ok()) << body;
}

}  // namespace
}  // namespace weft
