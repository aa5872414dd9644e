#include "auth/policy.h"

#include <cctype>

namespace weft::auth {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A string or a list of strings; `where` names it in errors.
Result<std::vector<std::string>> Strings(const json::value& v, const std::string& where) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.emplace_back(v.as_string());
    return out;
  }
  if (!v.is_array()) return Error::Validation(where + ": must be a string or a list of strings");
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return Error::Validation(where + ": must be a list of strings");
    out.emplace_back(item.as_string());
  }
  if (out.empty()) return Error::Validation(where + ": must not be empty");
  return out;
}

}  // namespace

bool Matches(std::string_view pattern, std::string_view text) {
  // Iterative glob with backtracking to the last '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<Policy> Policy::Parse(const json::value& document) {
  if (!document.is_object()) return Error::Validation("policy: must be a JSON object");
  const auto& o = document.as_object();
  if (const auto* version = o.if_contains("Version")) {
    if (!version->is_string() ||
        (version->as_string() != "2012-10-17" && version->as_string() != "2008-10-17")) {
      return Error::Validation("policy.Version: must be \"2012-10-17\" or \"2008-10-17\"");
    }
  }
  const auto* statements = o.if_contains("Statement");
  if (!statements) return Error::Validation("policy.Statement: is required");
  json::array list;
  if (statements->is_object())
    list.push_back(*statements);
  else if (statements->is_array())
    list = statements->as_array();
  else
    return Error::Validation("policy.Statement: must be an object or a list of objects");
  Policy policy;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string where = "policy.Statement[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return Error::Validation(where + ": must be an object");
    const auto& s = list[i].as_object();
    for (const auto& [key, value] : s) {
      if (key != "Sid" && key != "Effect" && key != "Action" && key != "NotAction" &&
          key != "Resource") {
        return Error::Validation(where + "." + std::string(key) +
                                 ": is not supported by weft (Sid, Effect, Action, NotAction, "
                                 "Resource are)");
      }
    }
    Statement st;
    const auto* effect = s.if_contains("Effect");
    if (!effect || !effect->is_string() ||
        (effect->as_string() != "Allow" && effect->as_string() != "Deny")) {
      return Error::Validation(where + ".Effect: must be \"Allow\" or \"Deny\"");
    }
    st.allow = effect->as_string() == "Allow";
    const auto* action = s.if_contains("Action");
    const auto* not_action = s.if_contains("NotAction");
    if ((action == nullptr) == (not_action == nullptr)) {
      return Error::Validation(where + ": needs exactly one of Action and NotAction");
    }
    st.not_action = not_action != nullptr;
    auto actions =
        Strings(action ? *action : *not_action, where + (action ? ".Action" : ".NotAction"));
    if (!actions.ok()) return actions.error();
    for (const auto& a : *actions) {
      if (a != "*" && a.rfind("swf:", 0) != 0 && a.rfind("states:", 0) != 0) {
        return Error::Validation(where + ".Action: '" + a +
                                 "' is not a swf: or states: action (or *)");
      }
      st.actions.push_back(Lower(a));
    }
    const auto* resource = s.if_contains("Resource");
    if (!resource) return Error::Validation(where + ".Resource: is required");
    auto resources = Strings(*resource, where + ".Resource");
    if (!resources.ok()) return resources.error();
    st.resources = std::move(*resources);
    policy.statements_.push_back(std::move(st));
  }
  return policy;
}

Policy::Decision Policy::Evaluate(std::string_view action, std::string_view resource) const {
  std::string lower = Lower(action);
  bool allowed = false;
  for (const auto& st : statements_) {
    bool action_matches = false;
    for (const auto& pattern : st.actions) action_matches |= Matches(pattern, lower);
    if (st.not_action) action_matches = !action_matches;
    if (!action_matches) continue;
    bool resource_matches = false;
    for (const auto& pattern : st.resources) resource_matches |= Matches(pattern, resource);
    if (!resource_matches) continue;
    if (!st.allow) return Decision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? Decision::kAllow : Decision::kImplicitDeny;
}

}  // namespace weft::auth
