// src/auth/sigv4.h: AWS Signature Version 4, checked as AWS checks it.
//
// A request signed with AWS4-HMAC-SHA256 carries, in its Authorization
// header, the key id and the credential scope (date, region, service), the
// names of the headers it signed, and the signature: an HMAC-SHA256, under a
// key derived from the secret and the scope, of a canonical form of the
// method, path, query, signed headers and a hash of the body. The server
// computes the same and compares. Errors carry AWS's fault names and
// wording (the JSON protocol's): MissingAuthenticationTokenException,
// IncompleteSignatureException, InvalidSignatureException (also "Signature
// expired"), UnrecognizedClientException (raised by the caller when
// the key id is unknown).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace weft::auth {

// What the Authorization header says.
struct Authorization {
  std::string access_key_id;
  std::string date;                         // yyyymmdd of the credential scope
  std::string region;                       // of the scope
  std::string service;                      // of the scope ("swf", "states")
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // hex
};

// The parts of an HTTP request the signature covers. Views: the request
// outlives the check.
struct SignedRequest {
  std::string_view method;
  std::string_view target;                                             // path and query, as sent
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received
  std::string_view body;
};

// The header's fields; MissingAuthenticationTokenException without one,
// IncompleteSignatureException when a part is missing or malformed.
Result<Authorization> ParseAuthorization(std::string_view header);
// The same fields from a presigned URL's query (`target` is path?query).
Result<Authorization> ParsePresigned(std::string_view target);

// How far X-Amz-Date may be from the server's clock.
inline constexpr Millis kMaxClockSkew = 15 * 60 * 1000;

// Checks `request` against `auth` and the key's `secret`: the scope's
// service and region, X-Amz-Date within kMaxClockSkew of `now`, every
// signed header present (host and x-amz-date among them), and the
// signature. Signing keys are cached per key, date, region and service.
class Verifier {
 public:
  Status Verify(const SignedRequest& request, const Authorization& auth, std::string_view secret,
                std::string_view expected_service, Millis now);
  // The same for a presigned GET (the signature in the query: X-Amz-
  // Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature;
  // the body's hash is that of an empty body). Also refuses it once
  // X-Amz-Expires seconds have passed since X-Amz-Date.
  Status VerifyPresigned(const SignedRequest& request, const Authorization& auth,
                         std::string_view secret, std::string_view expected_service, Millis now);

 private:
  Status Check(const SignedRequest& request, const Authorization& auth, std::string_view secret,
               std::string_view expected_service, Millis now, std::string_view amz_date,
               bool presigned);
  std::string SigningKey(const Authorization& auth, std::string_view secret);

  std::mutex mu_;
  // "key id/date/region/service" -> (secret, signing key)
  std::unordered_map<std::string, std::pair<std::string, std::string>> keys_;
};

// Signs as a client would (tests, benchmarks, tools): the Authorization
// header value for `request`, whose headers must hold host and x-amz-date.
std::string Sign(const SignedRequest& request, std::string_view access_key_id,
                 std::string_view secret, std::string_view region, std::string_view service);

// "20261207T101500Z" for a time in ms since the epoch, and back.
std::string AmzDate(Millis time);
std::optional<Millis> ParseAmzDate(std::string_view text);

}  // namespace weft::auth
