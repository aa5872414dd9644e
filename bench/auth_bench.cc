// The CPU cost of checking one request's SigV4 signature (issue 16: under
// 5 us), on a typical StartExecution request: parse the Authorization
// header, find the key, canonicalise, hash the body, compare (the signing
// key is cached per key and day, as in the server), and then the policy
// check.
#include <benchmark/benchmark.h>

#include <string>

#include "auth/credentials.h"

namespace {

using namespace weft;

const std::string kBody =
    R"({"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:orders",)"
    R"("name":"order-1234567","input":"{\"orderId\":\"1234567\",\"items\":[{\"sku\":\"A-1\",)"
    R"(\"qty\":2},{\"sku\":\"B-7\",\"qty\":1}],\"customer\":\"c-42\"}"})";

auth::SignedRequest Request() {
  auth::SignedRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:7070"},
               {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "AWSStepFunctions.StartExecution"},
               {"X-Amz-Date", "20261207T101500Z"},
               {"User-Agent", "Boto3/1.43 md/Botocore#1.43 ua/2.1 os/linux"},
               {"Content-Length", "236"}};  // views: literals only
  r.body = kBody;
  return r;
}

void BM_VerifySignature(benchmark::State& state) {
  auto r = Request();
  std::string header = auth::Sign(r, "AKIAWEFTBENCH0000001",
                                  "bench-secret-bench-secret-bench-sec-01", "us-east-1", "states");
  auth::Verifier verifier;
  Millis now = *auth::ParseAmzDate("20261207T101500Z");
  for (auto _ : state) {
    auto parsed = auth::ParseAuthorization(header);
    Status s = verifier.Verify(r, *parsed, "bench-secret-bench-secret-bench-sec-01", "states", now);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_VerifySignature);

void BM_AuthenticateAndAuthorize(benchmark::State& state) {
  auto keys = auth::KeySet::Parse(R"({"keys": [{"accessKeyId": "AKIAWEFTBENCH0000001",
      "secretAccessKey": "bench-secret-bench-secret-bench-sec-01", "name": "bench",
      "policy": {"Statement": [
        {"Effect": "Allow", "Action": ["states:Start*", "states:Describe*"],
         "Resource": "arn:aws:states:*:123456789012:stateMachine:*"},
        {"Effect": "Deny", "Action": "states:Delete*", "Resource": "*"}]}}]})");
  if (!keys.ok()) {
    state.SkipWithError(keys.error().message().c_str());
    return;
  }
  auth::Authenticator authenticator(*keys);
  auto r = Request();
  std::string header = auth::Sign(r, "AKIAWEFTBENCH0000001",
                                  "bench-secret-bench-secret-bench-sec-01", "us-east-1", "states");
  Millis now = *auth::ParseAmzDate("20261207T101500Z");
  for (auto _ : state) {
    auto caller = authenticator.Authenticate(r, header, "states", now);
    if (!caller.ok()) {
      state.SkipWithError(caller.error().message().c_str());
      return;
    }
    Status allowed =
        authenticator.Authorize(*caller, "states:StartExecution",
                                "arn:aws:states:us-east-1:123456789012:stateMachine:orders");
    benchmark::DoNotOptimize(allowed);
  }
}
BENCHMARK(BM_AuthenticateAndAuthorize);

}  // namespace

BENCHMARK_MAIN();
