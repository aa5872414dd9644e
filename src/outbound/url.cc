#include "outbound/url.h"

#include <cctype>
#include <charconv>
#include <vector>

namespace weft::outbound {
namespace {

Error BadUrl(std::string_view text, std::string_view why) {
  return Error::Validation("invalid URL \"" + std::string(text) + "\": " + std::string(why));
}

void EncodeValue(const std::string& key, const json::value& v, ArrayFormat format,
                 std::vector<std::string>& out);

void EncodeObject(const std::string& prefix, const json::object& object, ArrayFormat format,
                  std::vector<std::string>& out) {
  for (const auto& member : object) {
    std::string name = PercentEncode(member.key());
    EncodeValue(prefix.empty() ? name : prefix + "[" + name + "]", member.value(), format, out);
  }
}

bool AllScalars(const json::array& array) {
  for (const auto& item : array) {
    if (item.is_object() || item.is_array()) return false;
  }
  return true;
}

void EncodeArray(const std::string& key, const json::array& array, ArrayFormat format,
                 std::vector<std::string>& out) {
  if (format == ArrayFormat::kCommas && AllScalars(array)) {
    if (array.empty()) return;
    std::string joined;
    for (const auto& item : array) {
      if (!joined.empty()) joined += ',';
      joined += PercentEncode(ScalarText(item));
    }
    out.push_back(key + "=" + joined);
    return;
  }
  for (size_t i = 0; i < array.size(); ++i) {
    switch (format) {
      case ArrayFormat::kRepeat:
        EncodeValue(key, array[i], format, out);
        break;
      case ArrayFormat::kBrackets:
        EncodeValue(key + "[]", array[i], format, out);
        break;
      case ArrayFormat::kIndices:
      case ArrayFormat::kCommas:  // nested values: commas cannot say where they end
        EncodeValue(key + "[" + std::to_string(i) + "]", array[i], format, out);
        break;
    }
  }
}

void EncodeValue(const std::string& key, const json::value& v, ArrayFormat format,
                 std::vector<std::string>& out) {
  if (v.is_object()) return EncodeObject(key, v.as_object(), format, out);
  if (v.is_array()) return EncodeArray(key, v.as_array(), format, out);
  out.push_back(key + "=" + PercentEncode(ScalarText(v)));
}

}  // namespace

std::string Url::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string Url::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<Url> ParseUrl(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f)
      return BadUrl(text, "spaces and control characters must be encoded");
  }
  Url url;
  std::string_view rest;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return BadUrl(text, "it must start with http:// or https://");
  std::string scheme(text.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return BadUrl(text, "it must start with http:// or https://");
  }
  rest = text.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(text, "credentials in the URL are not allowed; use a connection");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(text, "unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return BadUrl(text, "empty port");
    }
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl(text, "empty port");
    }
  }
  if (url.host.empty()) return BadUrl(text, "no host");
  url.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return BadUrl(text, "the port must be a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(port);
  }
  tail = tail.substr(0, tail.find('#'));
  url.target = tail.empty() || tail.front() != '/' ? "/" + std::string(tail) : std::string(tail);
  return url;
}

std::string FormEncode(const json::object& object, ArrayFormat format) {
  std::vector<std::string> pairs;
  EncodeObject("", object, format, pairs);
  std::string out;
  for (const auto& pair : pairs) {
    if (!out.empty()) out += '&';
    out += pair;
  }
  return out;
}

std::string ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  return ToJson(v);
}

}  // namespace weft::outbound
