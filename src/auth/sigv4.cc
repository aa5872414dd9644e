#include "auth/sigv4.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <initializer_list>
#include <map>
#include <memory>

#include "common/percent.h"

namespace weft::auth {
namespace {

constexpr std::string_view kScheme = "AWS4-HMAC-SHA256";

Error Incomplete(std::string message) {
  return Error(Errc::kValidation, "IncompleteSignatureException", std::move(message));
}
Error Invalid(std::string message) {
  return Error(Errc::kValidation, "InvalidSignatureException", std::move(message));
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

// SHA-256 through a digest fetched once and a context kept per thread:
// OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up on every
// call, which costs more than hashing a request.
std::string Sha256(std::initializer_list<std::string_view> parts) {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestInit_ex2(ctx.get(), md, nullptr);
  for (std::string_view p : parts) EVP_DigestUpdate(ctx.get(), p.data(), p.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &n);
  return std::string(reinterpret_cast<char*>(digest), n);
}

std::string Sha256Hex(std::string_view data) {
  std::string digest = Sha256({data});
  return Hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
}

// HMAC-SHA256 (RFC 2104) over Sha256.
std::string Hmac(std::string_view key, std::string_view data) {
  constexpr size_t kBlock = 64;
  std::string k = key.size() > kBlock ? Sha256({key}) : std::string(key);
  k.resize(kBlock, '\0');
  std::string ipad(kBlock, '\0'), opad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  return Sha256({opad, Sha256({ipad, data})});
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trimmed, with runs of spaces made one (the canonical header value).
std::string Canonical(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// name=value pairs, each part decoded then encoded again, sorted.
// `drop`: a parameter left out (a presigned URL's signature).
std::string CanonicalQuery(std::string_view query, std::string_view drop) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (!drop.empty() && PercentDecode(key) == drop) continue;
    pairs.emplace_back(PercentEncode(PercentDecode(key)), PercentEncode(PercentDecode(value)));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

// Whether a header's name, as received, is `lower_name` (HTTP header names
// are case-blind).
bool SameName(std::string_view name, std::string_view lower_name) {
  return name.size() == lower_name.size() &&
         std::equal(name.begin(), name.end(), lower_name.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The value of the first header named `lower_name`, or "".
std::string_view HeaderOf(const SignedRequest& r, std::string_view lower_name) {
  for (const auto& [name, value] : r.headers)
    if (SameName(name, lower_name)) return value;
  return {};
}

// The canonical request's text for `signed_headers` (lowercase, in the
// order the client listed them, which SigV4 requires to be sorted).
Result<std::string> CanonicalRequest(const SignedRequest& r,
                                     const std::vector<std::string>& signed_headers,
                                     bool presigned = false) {
  std::string_view target = r.target;
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  std::string out;
  out.reserve(256 + r.body.size() / 8);
  out += r.method;
  out += '\n';
  out += path == "/" || path.empty() ? std::string("/") : PercentEncode(PercentDecode(path), true);
  out += '\n';
  if (!query.empty()) out += CanonicalQuery(query, presigned ? "X-Amz-Signature" : "");
  out += '\n';
  for (const auto& name : signed_headers) {
    std::string value;
    bool found = false;
    for (const auto& [n, v] : r.headers) {
      if (!SameName(n, name)) continue;
      if (found) value += ',';
      value += Canonical(v);
      found = true;
    }
    if (!found) {
      return Invalid(
          "The request signature we calculated does not match the signature you "
          "provided: signed header '" +
          name + "' is not in the request.");
    }
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out += ';';
    out += signed_headers[i];
  }
  out += '\n';
  out += Sha256Hex(presigned ? std::string_view() : r.body);
  return out;
}

std::string StringToSign(std::string_view amz_date, const Authorization& a,
                         std::string_view canonical_request) {
  std::string s(kScheme);
  s += '\n';
  s += amz_date;
  s += '\n';
  s += a.date + "/" + a.region + "/" + a.service + "/aws4_request\n";
  s += Sha256Hex(canonical_request);
  return s;
}

std::string DeriveKey(std::string_view secret, const Authorization& a) {
  std::string key = Hmac("AWS4" + std::string(secret), a.date);
  key = Hmac(key, a.region);
  key = Hmac(key, a.service);
  return Hmac(key, "aws4_request");
}

// Compares without stopping at the first difference (no timing leak).
bool SameSignature(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Result<Authorization> ParseAuthorization(std::string_view header) {
  if (header.empty()) {
    return Error(Errc::kValidation, "MissingAuthenticationTokenException",
                 "Missing Authentication Token");
  }
  if (header.substr(0, kScheme.size()) != kScheme) {
    return Incomplete("Unsupported Authorization type: only " + std::string(kScheme) +
                      " (AWS Signature Version 4) is accepted.");
  }
  Authorization a;
  std::string credential, signed_headers;
  std::string_view rest = header.substr(kScheme.size());
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") a.signature = value;
  }
  std::string missing;
  for (auto [name, value] :
       {std::pair{"Credential", &credential}, std::pair{"Signature", &a.signature},
        std::pair{"SignedHeaders", &signed_headers}}) {
    if (value->empty())
      missing += std::string("Authorization header requires '") + name + "' parameter. ";
  }
  if (!missing.empty()) {
    return Incomplete(missing + "Authorization=" + std::string(header.substr(0, 200)));
  }
  // <AKID>/<yyyymmdd>/<region>/<service>/aws4_request
  std::vector<std::string> parts;
  std::string_view c = credential;
  while (true) {
    auto slash = c.find('/');
    parts.emplace_back(c.substr(0, slash));
    if (slash == std::string_view::npos) break;
    c.remove_prefix(slash + 1);
  }
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty() || parts[1].size() != 8) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        credential + "'");
  }
  a.access_key_id = parts[0];
  a.date = parts[1];
  a.region = parts[2];
  a.service = parts[3];
  std::string_view names = signed_headers;
  while (!names.empty()) {
    auto semi = names.find(';');
    a.signed_headers.push_back(Lower(names.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    names.remove_prefix(semi + 1);
  }
  return a;
}

Result<Authorization> ParsePresigned(std::string_view target) {
  auto q = QueryParameters(target);
  if (!q.contains("X-Amz-Signature") && !q.contains("X-Amz-Credential")) {
    return Error(Errc::kValidation, "MissingAuthenticationTokenException",
                 "Missing Authentication Token");
  }
  if (q["X-Amz-Algorithm"] != kScheme) {
    return Incomplete("X-Amz-Algorithm must be " + std::string(kScheme));
  }
  // The header form's parser checks the parts.
  return ParseAuthorization(std::string(kScheme) + " Credential=" + q["X-Amz-Credential"] +
                            ", SignedHeaders=" + q["X-Amz-SignedHeaders"] +
                            ", Signature=" + q["X-Amz-Signature"]);
}

Status Verifier::VerifyPresigned(const SignedRequest& request, const Authorization& auth,
                                 std::string_view secret, std::string_view expected_service,
                                 Millis now) {
  auto q = QueryParameters(request.target);
  auto when = ParseAmzDate(q["X-Amz-Date"]);
  if (!when) return Incomplete("X-Amz-Date must be a date like 20261207T101500Z");
  int64_t expires = 0;
  try {
    expires = std::stoll(q["X-Amz-Expires"]);
  } catch (...) {
    return Incomplete("X-Amz-Expires must be a number of seconds");
  }
  if (expires <= 0 || expires > 7 * 24 * 3600)
    return Incomplete("X-Amz-Expires must be between 1 and 604800 seconds");
  if (now > *when + expires * 1000) {
    return Invalid("Signature expired: " + q["X-Amz-Date"] + " is now earlier than " +
                   AmzDate(now - expires * 1000) + " (" + AmzDate(now) + " - " +
                   std::to_string(expires) + " sec.)");
  }
  return Check(request, auth, secret, expected_service, now, q["X-Amz-Date"], true);
}

Status Verifier::Verify(const SignedRequest& request, const Authorization& auth,
                        std::string_view secret, std::string_view expected_service, Millis now) {
  return Check(request, auth, secret, expected_service, now, HeaderOf(request, "x-amz-date"),
               false);
}

Status Verifier::Check(const SignedRequest& request, const Authorization& auth,
                       std::string_view secret, std::string_view expected_service, Millis now,
                       std::string_view amz_date, bool presigned) {
  if (auth.service != expected_service) {
    return Invalid("Credential should be scoped to correct service: '" +
                   std::string(expected_service) + "'. ");
  }
  if (auth.region.empty()) {
    return Invalid("Credential should be scoped to a valid region. ");
  }
  auto when = ParseAmzDate(amz_date);
  if (!when) {
    return Incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a "
        "'Date' header.");
  }
  if (amz_date.substr(0, 8) != auth.date) {
    return Invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        auth.date + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
        std::string(amz_date) + "'.");
  }
  if (!presigned && *when < now - kMaxClockSkew) {  // a presigned URL has X-Amz-Expires
    return Invalid("Signature expired: " + std::string(amz_date) + " is now earlier than " +
                   AmzDate(now - kMaxClockSkew) + " (" + AmzDate(now) + " - 15 min.)");
  }
  if (*when > now + kMaxClockSkew) {
    return Invalid("Signature not yet current: " + std::string(amz_date) + " is still later than " +
                   AmzDate(now + kMaxClockSkew) + " (" + AmzDate(now) + " + 15 min.)");
  }
  if (std::find(auth.signed_headers.begin(), auth.signed_headers.end(), "host") ==
      auth.signed_headers.end()) {
    return Invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  auto canonical = CanonicalRequest(request, auth.signed_headers, presigned);
  if (!canonical.ok()) return canonical.error();
  std::string key = SigningKey(auth, secret);
  std::string expected = Hmac(key, StringToSign(amz_date, auth, *canonical));
  std::string expected_hex =
      Hex(reinterpret_cast<const unsigned char*>(expected.data()), expected.size());
  if (!SameSignature(expected_hex, auth.signature)) {
    return Invalid(
        "The request signature we calculated does not match the signature you "
        "provided. Check your AWS Secret Access Key and signing method. Consult the "
        "service documentation for details.");
  }
  return {};
}

std::string Verifier::SigningKey(const Authorization& auth, std::string_view secret) {
  std::string cache_key =
      auth.access_key_id + "/" + auth.date + "/" + auth.region + "/" + auth.service;
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(cache_key);
    // The secret is compared too: a reload may give a key id a new secret.
    if (it != keys_.end() && it->second.first == secret) return it->second.second;
  }
  std::string key = DeriveKey(secret, auth);
  std::lock_guard lock(mu_);
  if (keys_.size() > 10000) keys_.clear();  // dates move on: old entries are never asked again
  keys_[cache_key] = {std::string(secret), key};
  return key;
}

std::string Sign(const SignedRequest& request, std::string_view access_key_id,
                 std::string_view secret, std::string_view region, std::string_view service) {
  Authorization a;
  a.access_key_id = access_key_id;
  std::string_view amz_date = HeaderOf(request, "x-amz-date");
  a.date = std::string(amz_date.substr(0, 8));
  a.region = region;
  a.service = service;
  for (const auto& [name, value] : request.headers) a.signed_headers.push_back(Lower(name));
  std::sort(a.signed_headers.begin(), a.signed_headers.end());
  a.signed_headers.erase(std::unique(a.signed_headers.begin(), a.signed_headers.end()),
                         a.signed_headers.end());
  auto canonical = CanonicalRequest(request, a.signed_headers);
  std::string sig = Hmac(DeriveKey(secret, a), StringToSign(amz_date, a, *canonical));
  std::string names;
  for (const auto& n : a.signed_headers) names += (names.empty() ? "" : ";") + n;
  return std::string(kScheme) + " Credential=" + std::string(access_key_id) + "/" + a.date + "/" +
         a.region + "/" + a.service + "/aws4_request, SignedHeaders=" + names +
         ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string AmzDate(Millis time) {
  std::time_t seconds = static_cast<std::time_t>(time / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<Millis> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  std::tm tm{};
  auto num = [&](size_t at, size_t n) { return std::stoi(std::string(text.substr(at, n))); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<Millis>(timegm(&tm)) * 1000;
}

}  // namespace weft::auth
