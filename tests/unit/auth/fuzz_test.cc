// The SigV4 header parser, the presigned-URL parser and the policy parser fed
// random and truncated input (also under ASan: make test-asan): every input
// either parses or gets a fault with a message, and nothing crashes.
#include <gtest/gtest.h>

#include <random>

#include "auth/policy.h"
#include "auth/sigv4.h"

namespace weft::auth {
namespace {

const char* kHeader =
    "AWS4-HMAC-SHA256 Credential=AKIAWEFTTESTKEY00001/20261207/us-east-1/states/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=7eab581c09d29f0e54a680292efef1400a92dbd85df9e1bb0f9c13229ebb7446";
const char* kPolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "a", "Effect": "Allow", "Action": ["states:*", "swf:Poll*"], "Resource": "*"},
  {"Effect": "Deny", "NotAction": "swf:List*", "Resource": ["arn:aws:swf:*:*:/domain/x"]}]})";

std::string Mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> op(0, 3), byte(0, 255);
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (op(rng)) {
      case 0:
        s.resize(at);
        break;  // truncate
      case 1:
        s[at] = static_cast<char>(byte(rng));
        break;  // flip a byte
      case 2:
        s.insert(at, 1, "=,/;\" \\{}[]:"[rng() % 12]);
        break;  // a separator
      default:
        s.erase(at, 1 + rng() % 8);
        break;  // drop a run
    }
  }
  return s;
}

TEST(AuthFuzzTest, ParsersNeverCrashAndAlwaysSayWhy) {
  std::mt19937 rng(20261207);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string header = Mutate(kHeader, rng);
    auto a = ParseAuthorization(header);
    if (a.ok()) {
      ++parsed;
    } else {
      ++refused;
      EXPECT_FALSE(a.error().type().empty());
      EXPECT_FALSE(a.error().message().empty());
    }
    auto p = ParsePresigned(
        "/console/events?" +
        Mutate(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261207%2Fus-east-1%2Fstates"
            "%2Faws4_request&X-Amz-Date=20261207T101500Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=abcd",
            rng));
    if (!p.ok()) {
      EXPECT_FALSE(p.error().message().empty());
    }
    std::string text = Mutate(kPolicy, rng);
    if (auto doc = ParseJson(text); doc.ok()) {
      auto policy = Policy::Parse(*doc);
      if (policy.ok()) {
        policy->Evaluate("swf:PollForActivityTask", "arn:aws:swf:us-east-1:1:/domain/x");
      } else {
        EXPECT_EQ(policy.error().message().rfind("policy", 0), 0u) << policy.error().message();
      }
    }
  }
  EXPECT_GT(parsed, 0);  // the mutations leave some headers whole
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace weft::auth
