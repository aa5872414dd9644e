// Mock configuration lookups (asl/mocks.h).
#include "asl/mocks.h"

namespace weft::asl {
namespace {

// "3" or "1-2": does `key` cover `n`?
bool Covers(std::string_view key, int64_t n) {
  auto dash = key.find('-');
  try {
    if (dash == std::string_view::npos) return std::stoll(std::string(key)) == n;
    int64_t lo = std::stoll(std::string(key.substr(0, dash)));
    int64_t hi = std::stoll(std::string(key.substr(dash + 1)));
    return n >= lo && n <= hi;
  } catch (...) {
    return false;
  }
}

}  // namespace

Result<MockConfig> MockConfig::Parse(const json::value& doc) {
  if (!doc.is_object()) return Error::Validation("a mock configuration must be a JSON object");
  const auto& o = doc.as_object();
  if (!FindObject(o, "StateMachines"))
    return Error::Validation("the mock configuration has no \"StateMachines\" object");
  if (!FindObject(o, "MockedResponses"))
    return Error::Validation("the mock configuration has no \"MockedResponses\" object");
  MockConfig c;
  c.doc_ = o;
  return c;
}

Result<std::shared_ptr<const MockConfig>> ParseMockConfig(std::string_view text) {
  auto doc = ParseJson(text);
  if (!doc) return Error::Validation("the mock file is not valid JSON: " + doc.error().message());
  auto c = MockConfig::Parse(*doc);
  if (!c) return std::move(c).error();
  return std::shared_ptr<const MockConfig>(std::make_shared<MockConfig>(std::move(*c)));
}

Result<std::string> MockConfig::ResolveTestCase(const std::string& machine,
                                                const std::string& requested,
                                                std::string* machine_used) const {
  const json::object& machines = *FindObject(doc_, "StateMachines");
  const json::object* m = FindObject(machines, machine);
  *machine_used = machine;
  if (!m && machines.size() == 1) {
    m = machines.begin()->value().if_object();
    *machine_used = std::string(machines.begin()->key());
  }
  if (!m)
    return Error::Validation("the mock file has no state machine \"" + machine +
                             "\" (StateMachines names " + std::to_string(machines.size()) +
                             " machines)");
  const json::object* cases = FindObject(*m, "TestCases");
  if (!cases || cases->empty())
    return Error::Validation("state machine \"" + *machine_used + "\" has no TestCases");
  if (!requested.empty()) {
    if (!FindObject(*cases, requested))
      return Error::Validation("state machine \"" + *machine_used + "\" has no test case \"" +
                               requested + "\"");
    return requested;
  }
  if (cases->size() != 1)
    return Error::Validation("state machine \"" + *machine_used +
                             "\" has several test cases: choose one with --test-case");
  return std::string(cases->begin()->key());
}

Result<std::optional<MockedResponse>> MockConfig::Response(const std::string& machine,
                                                           const std::string& test_case,
                                                           const std::string& state,
                                                           int64_t invocation) const {
  const json::object* m = FindObject(*FindObject(doc_, "StateMachines"), machine);
  const json::object* cases = m ? FindObject(*m, "TestCases") : nullptr;
  const json::object* tc = cases ? FindObject(*cases, test_case) : nullptr;
  const json::string* name = tc ? FindString(*tc, state) : nullptr;
  if (!name) return std::optional<MockedResponse>();
  const json::object* resp = FindObject(*FindObject(doc_, "MockedResponses"), *name);
  if (!resp)
    return Error::Validation("MockedResponses has no \"" + std::string(*name) +
                             "\" (used by state \"" + state + "\")");
  for (const auto& kv : *resp) {
    if (!Covers(kv.key(), invocation)) continue;
    const json::object* entry = kv.value().if_object();
    if (!entry) break;
    MockedResponse r;
    if (const json::value* ret = Find(*entry, "Return")) {
      r.output = ToJson(*ret);
    } else if (const json::object* t = FindObject(*entry, "Throw")) {
      r.is_throw = true;
      if (auto* e = FindString(*t, "Error")) r.error = std::string(*e);
      if (auto* c = FindString(*t, "Cause")) r.cause = std::string(*c);
    } else {
      return Error::Validation("mocked response \"" + std::string(*name) + "\" entry \"" +
                               std::string(kv.key()) + "\" needs Return or Throw");
    }
    return std::optional<MockedResponse>(std::move(r));
  }
  return Error::Validation("mocked response \"" + std::string(*name) +
                           "\" has no entry for call #" + std::to_string(invocation) +
                           " of state \"" + state + "\"");
}

}  // namespace weft::asl
