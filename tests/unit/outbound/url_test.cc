#include "outbound/url.h"

#include <gtest/gtest.h>

namespace weft::outbound {
namespace {

TEST(UrlTest, ParsesHostPortAndTarget) {
  struct Case {
    std::string text;
    bool tls;
    std::string host;
    uint16_t port;
    std::string target;
  } cases[] = {
      {"http://example.com", false, "example.com", 80, "/"},
      {"https://example.com/a/b?x=1#frag", true, "example.com", 443, "/a/b?x=1"},
      {"HTTP://127.0.0.1:8080?q", false, "127.0.0.1", 8080, "/?q"},
      {"https://[::1]:8443/p", true, "::1", 8443, "/p"},
  };
  for (const auto& c : cases) {
    auto url = ParseUrl(c.text);
    ASSERT_TRUE(url.ok()) << c.text << ": " << url.error().message();
    EXPECT_EQ(url->tls, c.tls) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->target, c.target) << c.text;
  }
  EXPECT_EQ(ParseUrl("https://[::1]:8443/")->HostHeader(), "[::1]:8443");
  EXPECT_EQ(ParseUrl("https://h:443/")->HostHeader(), "h");
  EXPECT_EQ(ParseUrl("http://h/")->Authority(), "h:80");
}

TEST(UrlTest, RefusesWhatCannotBeSent) {
  for (std::string text :
       {"ftp://h/", "h/path", "http:///path", "http://h:0/", "http://h:65536/", "http://h:x/",
        "http://user:pw@h/", "http://h/a b", "http://[::1/", "http://h:/"}) {
    EXPECT_FALSE(ParseUrl(text).ok()) << text;
  }
  EXPECT_NE(ParseUrl("http://user:pw@h/").error().message().find("use a connection"),
            std::string::npos);
}

TEST(UrlTest, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

TEST(UrlTest, FormEncodesArraysInEachFormat) {
  auto object = json::parse(R"({"array": ["a", "b", "c", "d"], "x": 1})").as_object();
  struct Case {
    ArrayFormat format;
    std::string expected;
  } cases[] = {
      {ArrayFormat::kIndices, "array[0]=a&array[1]=b&array[2]=c&array[3]=d&x=1"},
      {ArrayFormat::kRepeat, "array=a&array=b&array=c&array=d&x=1"},
      {ArrayFormat::kCommas, "array=a,b,c,d&x=1"},
      {ArrayFormat::kBrackets, "array[]=a&array[]=b&array[]=c&array[]=d&x=1"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormEncode(object, c.format), c.expected);
}

TEST(UrlTest, FormEncodesNestedValuesAndScalars) {
  auto object = json::parse(
                    R"({"o": {"k": "v w", "n": [1, {"z": true}]}, "nil": null, "f": 1.5,
                        "e": [], "a&b": "c=d"})")
                    .as_object();
  EXPECT_EQ(FormEncode(object, ArrayFormat::kIndices),
            "o[k]=v%20w&o[n][0]=1&o[n][1][z]=true&nil=&f=1.5&a%26b=c%3Dd");
  // Commas cannot hold nested values: those fall back to indices.
  EXPECT_EQ(FormEncode(json::parse(R"({"n": [{"z": 1}]})").as_object(), ArrayFormat::kCommas),
            "n[0][z]=1");
}

}  // namespace
}  // namespace weft::outbound
