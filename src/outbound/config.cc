// The server's configuration file: connections and Lambda functions
// (docs/configuration.md). Every error names where it is, as a JSON pointer
// (object keys unescaped, so that an ARN reads as itself).
#include <fstream>
#include <sstream>

#include "outbound/outbound.h"
#include "outbound/url.h"

namespace weft::outbound {
namespace {

constexpr std::string_view kMask = "****";

Error At(const std::string& where, std::string_view what) {
  return Error::Validation(where + ": " + std::string(what));
}

// Checks that `o` has no member outside `known` (a typo would otherwise be
// silently ignored, and a credential with it).
Status OnlyKnown(const json::object& o, const std::string& where,
                 std::initializer_list<std::string_view> known) {
  for (const auto& member : o) {
    bool ok = false;
    std::string expected;
    for (auto k : known) {
      ok = ok || member.key() == k;
      expected += (expected.empty() ? "" : ", ") + std::string(k);
    }
    if (!ok) {
      return At(where + "/" + std::string(member.key()),
                "unknown member; expected one of " + expected);
    }
  }
  return {};
}

Result<const json::object*> ObjectAt(const json::value& v, const std::string& where) {
  if (!v.is_object()) {
    return At(where, "must be an object, not " + std::string(KindName(v.kind())));
  }
  return &v.as_object();
}

// A required, non-empty string member; nullptr if absent or empty.
const json::string* Text(const json::object& o, std::string_view key) {
  const json::string* s = FindString(o, key);
  return s && !s->empty() ? s : nullptr;
}

Result<std::vector<Parameter>> ParseParameters(const json::object& parent, std::string_view key,
                                               const std::string& where) {
  std::vector<Parameter> out;
  const json::value* v = Find(parent, key);
  if (!v) return out;
  std::string here = where + "/" + std::string(key);
  auto o = ObjectAt(*v, here);
  if (!o) return o.error();
  for (const auto& member : **o) {
    if (!member.value().is_string()) {
      return At(here + "/" + std::string(member.key()), "must be a string");
    }
    out.push_back({std::string(member.key()), Secret(std::string(member.value().as_string()))});
  }
  return out;
}

// The members of the authorization `kind` (o[kind]) as strings, in the order
// of `members`; the first `required` must be present and non-empty, the rest
// are "" when absent. `needs` is the message when one is missing.
Result<std::vector<std::string>> AuthFields(const json::object& o, std::string_view kind,
                                            const std::string& where,
                                            std::initializer_list<std::string_view> members,
                                            size_t required, std::string_view needs) {
  std::string here = where + "/" + std::string(kind);
  auto a = ObjectAt(o.at(kind), here);
  if (!a) return a.error();
  auto known = OnlyKnown(**a, here, members);
  if (!known) return known.error();
  std::vector<std::string> out;
  for (auto member : members) {
    const json::string* text = Text(**a, member);
    if (!text && out.size() < required) return At(where, needs);
    out.push_back(text ? std::string(*text) : "");
  }
  return out;
}

Result<Authorization> ParseAuthorization(const json::object& o, const std::string& where) {
  int kinds = 0;
  for (auto k : {"basic", "apiKey", "bearer", "oauth"}) kinds += o.contains(k) ? 1 : 0;
  if (kinds != 1) {
    return At(where, "needs exactly one authorization: basic, apiKey, bearer or oauth");
  }
  if (o.contains("basic")) {
    auto f = AuthFields(o, "basic", where, {"username", "password"}, 2,
                        "basic needs username and password");
    if (!f) return f.error();
    return Authorization(BasicAuth{(*f)[0], Secret((*f)[1])});
  }
  if (o.contains("apiKey")) {
    auto f = AuthFields(o, "apiKey", where, {"name", "value"}, 2, "apiKey needs name and value");
    if (!f) return f.error();
    return Authorization(ApiKeyAuth{(*f)[0], Secret((*f)[1])});
  }
  if (o.contains("bearer")) {
    auto f = AuthFields(o, "bearer", where, {"token"}, 1, "bearer needs token");
    if (!f) return f.error();
    return Authorization(BearerAuth{Secret((*f)[0])});
  }
  auto f = AuthFields(o, "oauth", where,
                      {"authorizationEndpoint", "clientId", "clientSecret", "httpMethod"}, 3,
                      "oauth needs authorizationEndpoint, clientId and clientSecret");
  if (!f) return f.error();
  std::string method = (*f)[3].empty() ? "POST" : (*f)[3];
  return Authorization(OAuthAuth{(*f)[0], method, (*f)[1], Secret((*f)[2])});
}

Result<Connection> ParseConnection(const json::value& v, const std::string& where) {
  auto o = ObjectAt(v, where);
  if (!o) return o.error();
  auto known =
      OnlyKnown(**o, where, {"basic", "apiKey", "bearer", "oauth", "headers", "queryParameters"});
  if (!known) return known.error();
  auto auth = ParseAuthorization(**o, where);
  if (!auth) return auth.error();
  auto headers = ParseParameters(**o, "headers", where);
  if (!headers) return headers.error();
  auto query = ParseParameters(**o, "queryParameters", where);
  if (!query) return query.error();
  return Connection{std::move(*auth), std::move(*headers), std::move(*query)};
}

Result<LambdaFunction> ParseLambdaFunction(const json::value& v, const std::string& where) {
  auto o = ObjectAt(v, where);
  if (!o) return o.error();
  auto known = OnlyKnown(**o, where, {"url", "headers", "timeoutSeconds"});
  if (!known) return known.error();
  const json::string* url = Text(**o, "url");
  if (!url) return At(where, "needs url, the http(s) URL that receives the payload");
  if (auto parsed = ParseUrl(*url); !parsed) return At(where + "/url", parsed.error().message());
  LambdaFunction out{std::string(*url), {}, std::chrono::milliseconds(60000)};
  auto headers = ParseParameters(**o, "headers", where);
  if (!headers) return headers.error();
  out.headers = std::move(*headers);
  if (const json::value* t = Find(**o, "timeoutSeconds")) {
    auto seconds = FindInt(**o, "timeoutSeconds");
    if (!t->is_number() || !seconds || *seconds < 1 || *seconds > 900) {
      return At(where + "/timeoutSeconds", "must be a whole number of seconds from 1 to 900");
    }
    out.timeout = std::chrono::seconds(*seconds);
  }
  return out;
}

bool IsConnectionArn(std::string_view arn) {
  return arn.starts_with("arn:") && arn.find(":connection/") != std::string_view::npos;
}

json::object RedactedParameters(const std::vector<Parameter>& parameters) {
  json::object out;
  for (const auto& p : parameters) out[p.name] = kMask;
  return out;
}

json::object RedactedAuthorization(const Authorization& auth) {
  json::object out;
  if (const auto* basic = std::get_if<BasicAuth>(&auth)) {
    out["basic"] = json::object{{"username", basic->username}, {"password", kMask}};
  } else if (const auto* key = std::get_if<ApiKeyAuth>(&auth)) {
    out["apiKey"] = json::object{{"name", key->name}, {"value", kMask}};
  } else if (std::holds_alternative<BearerAuth>(auth)) {
    out["bearer"] = json::object{{"token", kMask}};
  } else {
    const auto& oauth = std::get<OAuthAuth>(auth);
    out["oauth"] = json::object{{"authorizationEndpoint", oauth.authorization_endpoint},
                                {"httpMethod", oauth.http_method},
                                {"clientId", oauth.client_id},
                                {"clientSecret", kMask}};
  }
  return out;
}

}  // namespace

Result<OutboundConfig> ParseOutboundConfig(std::string_view text) {
  auto parsed = ParseJson(text);
  if (!parsed) return parsed.error();
  auto root = ObjectAt(*parsed, "/");
  if (!root) return root.error();
  auto known = OnlyKnown(**root, "", {"connections", "lambdaFunctions"});
  if (!known) return known.error();
  OutboundConfig config;
  if (const json::value* v = Find(**root, "connections")) {
    auto connections = ObjectAt(*v, "/connections");
    if (!connections) return connections.error();
    for (const auto& member : **connections) {
      std::string where = "/connections/" + std::string(member.key());
      if (!IsConnectionArn(member.key())) {
        return At(where,
                  "not an EventBridge connection ARN "
                  "(arn:aws:events:<region>:<account>:connection/<name>/<id>)");
      }
      auto connection = ParseConnection(member.value(), where);
      if (!connection) return connection.error();
      config.connections.emplace(std::string(member.key()), std::move(*connection));
    }
  }
  if (const json::value* v = Find(**root, "lambdaFunctions")) {
    auto functions = ObjectAt(*v, "/lambdaFunctions");
    if (!functions) return functions.error();
    for (const auto& member : **functions) {
      std::string where = "/lambdaFunctions/" + std::string(member.key());
      if (member.key().empty() || member.key().find(':') != std::string_view::npos) {
        return At(where, "must be a function name, not an ARN");
      }
      auto function = ParseLambdaFunction(member.value(), where);
      if (!function) return function.error();
      config.lambda_functions.emplace(std::string(member.key()), std::move(*function));
    }
  }
  return config;
}

Result<OutboundConfig> LoadOutboundConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Validation("cannot read the configuration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto config = ParseOutboundConfig(text.str());
  if (!config) return Error::Validation(path + ": " + config.error().message());
  return config;
}

std::string OutboundConfig::Redacted() const {
  json::object connections_out;
  for (const auto& [arn, connection] : connections) {
    json::object c = RedactedAuthorization(connection.auth);
    if (!connection.headers.empty()) c["headers"] = RedactedParameters(connection.headers);
    if (!connection.query_parameters.empty()) {
      c["queryParameters"] = RedactedParameters(connection.query_parameters);
    }
    connections_out[arn] = std::move(c);
  }
  json::object functions_out;
  for (const auto& [name, function] : lambda_functions) {
    json::object f{{"url", function.url}, {"timeoutSeconds", function.timeout.count() / 1000}};
    if (!function.headers.empty()) f["headers"] = RedactedParameters(function.headers);
    functions_out[name] = std::move(f);
  }
  json::object root{{"connections", std::move(connections_out)},
                    {"lambdaFunctions", std::move(functions_out)}};
  return ToJson(root);
}

}  // namespace weft::outbound
