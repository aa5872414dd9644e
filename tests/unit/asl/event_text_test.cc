// The event text writers (asl/event_text.h): their texts equal what
// serialising through common/json.h gives, escapes included.
#include "asl/event_text.h"

#include <gtest/gtest.h>

namespace weft::asl {
namespace {

TEST(EventTextTest, QuotedJsonEqualsQuotingTheSerialisedText) {
  const char* cases[] = {
      R"(null)",
      R"(true)",
      R"(-12)",
      R"(0.5)",
      R"(1.0)",
      R"(18446744073709551615)",
      R"("plain")",
      R"("")",
      R"({})",
      R"([])",
      R"({"a":1,"b":[true,null,"x"],"c":{"d":2.5}})",
      R"({"q\"uote":"a \" b \\ c / d"})",
      R"(["\n\r\t\b\f","\u0001\u001f","é ü 😀"])",
      R"({"nested":{"deep":[{"k":"\"\\\""}]}})",
  };
  for (const char* text : cases) {
    auto v = ParseJson(text);
    ASSERT_TRUE(v.ok()) << text;
    std::string serialised = ToJson(*v);
    json::string quoted = QuoteJsonOf(*v);
    EXPECT_EQ(quoted, QuoteJson(serialised)) << text;
    EXPECT_EQ(ToJsonView(*v), serialised) << text;
    // The quoted text is a JSON string whose value is the serialised text.
    auto back = ParseJson(std::string_view(quoted));
    ASSERT_TRUE(back.ok() && back->is_string()) << text;
    EXPECT_EQ(back->as_string(), serialised) << text;
  }
}

TEST(EventTextTest, DetailsTextWritesMembersInOrder) {
  json::object vars{{"x", json::array{1, "two"}}, {"y\"", "z"}};
  std::string text = DetailsText(8)
                         .Str("name", "A \"b\"")
                         .Quoted("input", QuoteJson(R"({"k":1})"))
                         .NotTruncated("inputDetails")
                         .Int("index", -3)
                         .TextsOf("assignedVariables", vars)
                         .Take();
  EXPECT_EQ(text, R"({"name":"A \"b\"","input":"{\"k\":1}","inputDetails":{"truncated":false},)"
                  R"("index":-3,"assignedVariables":{"x":"[1,\"two\"]","y\"":"\"z\""}})");
  EXPECT_EQ(DetailsText().Take(), "{}");
}

}  // namespace
}  // namespace weft::asl
