#include "auth/sigv4.h"

#include <gtest/gtest.h>

namespace weft::auth {
namespace {

// AWS's worked example (IAM ListUsers, "Create a signed AWS API request").
SignedRequest Example() {
  SignedRequest r;
  r.method = "GET";
  r.target = "/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"Host", "iam.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.body = "";
  return r;
}
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kExampleSignature =
    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const Millis kExampleTime = *ParseAmzDate("20150830T123600Z");

TEST(SigV4Test, SignsAwsWorkedExample) {
  std::string header = Sign(Example(), "AKIDEXAMPLE", kSecret, "us-east-1", "iam");
  EXPECT_EQ(header,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" +
                std::string(kExampleSignature));
  auto auth = ParseAuthorization(header);
  ASSERT_TRUE(auth.ok());
  Verifier v;
  EXPECT_TRUE(v.Verify(Example(), *auth, kSecret, "iam", kExampleTime).ok());
  EXPECT_TRUE(
      v.Verify(Example(), *auth, kSecret, "iam", kExampleTime + 60'000).ok());  // cached key
}

Error VerifyError(const SignedRequest& r, std::string_view header, std::string_view secret,
                  std::string_view service, Millis now) {
  auto auth = ParseAuthorization(header);
  if (!auth.ok()) return auth.error();
  Verifier v;
  Status s = v.Verify(r, *auth, secret, service, now);
  return s.ok() ? Error(Errc::kInternal, "none", "") : s.error();
}

TEST(SigV4Test, RefusesWhatAwsRefuses) {
  std::string header = Sign(Example(), "AKIDEXAMPLE", kSecret, "us-east-1", "iam");
  auto tampered = Example();
  tampered.target = "/?Action=DeleteUser&Version=2010-05-08";
  Error e = VerifyError(tampered, header, kSecret, "iam", kExampleTime);
  EXPECT_EQ(e.type(), "InvalidSignatureException");
  EXPECT_NE(e.message().find("does not match the signature you provided"), std::string::npos);

  auto other_body = Example();
  other_body.body = "x";
  EXPECT_EQ(VerifyError(other_body, header, kSecret, "iam", kExampleTime).type(),
            "InvalidSignatureException");
  EXPECT_EQ(VerifyError(Example(), header, "another secret", "iam", kExampleTime).type(),
            "InvalidSignatureException");

  e = VerifyError(Example(), header, kSecret, "iam", kExampleTime + 16 * 60'000);
  EXPECT_EQ(e.type(), "InvalidSignatureException");
  EXPECT_EQ(e.message(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T125200Z - 15 min.)");
  e = VerifyError(Example(), header, kSecret, "iam", kExampleTime - 16 * 60'000);
  EXPECT_EQ(e.message(),
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");

  e = VerifyError(Example(), header, kSecret, "states", kExampleTime);
  EXPECT_EQ(e.message(), "Credential should be scoped to correct service: 'states'. ");

  auto no_date = Example();
  no_date.headers.pop_back();
  EXPECT_EQ(VerifyError(no_date, header, kSecret, "iam", kExampleTime).type(),
            "IncompleteSignatureException");
}

TEST(SigV4Test, ParsesAndRefusesMalformedHeaders) {
  EXPECT_EQ(ParseAuthorization("").error().type(), "MissingAuthenticationTokenException");
  EXPECT_EQ(ParseAuthorization("").error().message(), "Missing Authentication Token");
  EXPECT_EQ(ParseAuthorization("Basic dXNlcjpwYXNz").error().type(),
            "IncompleteSignatureException");
  auto e =
      ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request");
  EXPECT_EQ(e.error().type(), "IncompleteSignatureException");
  EXPECT_NE(e.error().message().find("Authorization header requires 'Signature' parameter."),
            std::string::npos);
  EXPECT_NE(e.error().message().find("Authorization header requires 'SignedHeaders' parameter."),
            std::string::npos);
  EXPECT_EQ(ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1, "
                               "SignedHeaders=host, Signature=ab")
                .error()
                .type(),
            "IncompleteSignatureException");
  auto ok = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/states/aws4_request, "
      "SignedHeaders=Host;X-Amz-Date, Signature=abcd");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->access_key_id, "AKID");
  EXPECT_EQ(ok->region, "eu-west-1");
  EXPECT_EQ(ok->service, "states");
  EXPECT_EQ(ok->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4Test, AmzDatesRoundTrip) {
  EXPECT_EQ(AmzDate(kExampleTime), "20150830T123600Z");
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z"));
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z"));
}

}  // namespace
}  // namespace weft::auth
