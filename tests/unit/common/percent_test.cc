#include "common/percent.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(PercentTest, EncodesAllButUnreservedAndKeepsSlashesInPaths) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(PercentEncode("/a b/c", true), "/a%20b/c");
}

TEST(PercentTest, DecodesAndLeavesBrokenEscapesAlone) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%c3%a9"), "a b/cé");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

TEST(PercentTest, QueryParametersAreDecodedTheFormWay) {
  auto q = QueryParameters("/console/events?executionArn=arn%3Aaws%3Ax&after=3&flag&name=a+b");
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q["executionArn"], "arn:aws:x");
  EXPECT_EQ(q["after"], "3");
  EXPECT_EQ(q["name"], "a b");
  EXPECT_TRUE(QueryParameters("/no/query").empty());
}

}  // namespace
}  // namespace weft
