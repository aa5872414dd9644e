// Tests of asl::ParseTimestamp against cases/expr_timestamp.json: the
// strings AWS accepts (ISO-8601 offset date-times) and the ones it rejects.
#include "asl/expr.h"
#include "cases/expr_cases.h"

namespace weft::asl {
namespace {

TEST(TimestampTest, CaseTable) {
  json::array cases = testing::LoadCases("expr_timestamp.json");
  ASSERT_FALSE(cases.empty());
  for (const json::value& v : cases) {
    const json::object& c = v.as_object();
    SCOPED_TRACE(c.at("name").as_string().c_str());
    std::string text(c.at("text").as_string());
    std::optional<int64_t> got = ParseTimestamp(text);
    if (c.at("millis").is_null()) {
      EXPECT_FALSE(got.has_value()) << text << " -> " << *got;
    } else {
      ASSERT_TRUE(got.has_value()) << text;
      EXPECT_EQ(*got, c.at("millis").to_number<int64_t>()) << text;
    }
  }
}

TEST(TimestampTest, OrdersLikeTime) {
  auto a = ParseTimestamp("2012-10-09T19:00:55Z");
  auto b = ParseTimestamp("2012-10-09T19:00:56Z");
  auto c = ParseTimestamp("2012-10-09T21:00:55+02:00");
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(*a, *b);
  EXPECT_EQ(*a, *c);
}

}  // namespace
}  // namespace weft::asl
