// Differential test of asl::jsonata against the reference implementation:
// every case of cases/jsonata/differential.json is evaluated by jsonata-js
// (tests/jsonata/reference.js, the npm package pinned there) and by weft;
// results must be the same JSON text, undefined must be undefined, and an
// error must have the same code and position. Cases listed in known_differences.json (with
// the reason) are expected to differ, and the test fails if one of them
// starts to agree (so that the list stays honest).
//
// Skips (never fails) when node or the installed package is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "asl/jsonata.h"
#include "common/json.h"

namespace weft::asl::jsonata {
namespace {

namespace fs = std::filesystem;

fs::path CasesDir() { return fs::path(__FILE__).parent_path() / "cases" / "jsonata"; }
fs::path HarnessDir() { return fs::path(__FILE__).parent_path() / ".." / ".." / "jsonata"; }

json::value Load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJson(text.str());
  EXPECT_TRUE(parsed.ok()) << p;
  return parsed.ok() ? *parsed : json::value();
}

std::string Shell(const std::string& cmd, int* status) {
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  *status = ::pclose(pipe);
  return out;
}

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

// weft's result in the harness's line format.
std::string WeftLine(const json::object& c, const json::object& datasets) {
  auto compiled = Expression::Compile(c.at("expr").as_string());
  json::object line;
  if (!compiled.ok()) {
    line["error"] = compiled.error().code;
    if (compiled.error().position >= 0) line["position"] = compiled.error().position;
    return ToJson(json::value(line));
  }
  const Expression& expr = compiled.value();
  Bindings bindings;
  // Some cases recurse a few hundred calls deep (jsonata-js allows
  // thousands); sanitizer builds use several times the stack per call.
  bindings.max_stack_bytes = 4 << 20;
  if (auto* b = c.if_contains("bindings"))
    for (const auto& [k, v] : b->as_object()) bindings.variables[std::string(k)] = v;
  const json::value* input = nullptr;
  if (auto* d = c.if_contains("data")) input = &datasets.at(d->as_string());
  if (auto* i = c.if_contains("input")) input = i;
  Outcome out = expr.Evaluate(input, bindings);
  if (!out.ok()) {
    line["error"] = out.error().code;
    if (out.error().position >= 0) line["position"] = out.error().position;
  } else if (out.is_undefined()) {
    line["undefined"] = true;
  } else {
    line["value"] = Stringify(out.value());
  }
  return ToJson(json::value(line));
}

TEST(JsonataDifferentialTest, MatchesReferenceImplementation) {
  int status = 0;
  Shell("command -v node >/dev/null 2>&1", &status);
  if (status != 0) GTEST_SKIP() << "node is not installed: cannot run the reference implementation";
  if (!fs::exists(HarnessDir() / "node_modules" / "jsonata" / "package.json"))
    GTEST_SKIP() << "the reference jsonata package is not installed (npm ci in tests/jsonata)";

  fs::path cases_file = CasesDir() / "differential.json";
  fs::path datasets_file = CasesDir() / "datasets.json";
  json::value cases = Load(cases_file);
  json::value datasets = Load(datasets_file);
  json::value known = Load(CasesDir() / "known_differences.json");
  ASSERT_TRUE(cases.is_array() && datasets.is_object() && known.is_object());

  std::string out = Shell("TZ=UTC node " + Quote(HarnessDir() / "reference.js") + " " +
                              Quote(cases_file) + " " + Quote(datasets_file),
                          &status);
  ASSERT_EQ(status, 0) << "the reference harness failed";
  std::vector<std::string> reference;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) reference.push_back(line);
  ASSERT_EQ(reference.size(), cases.as_array().size());

  size_t agree = 0;
  size_t known_differ = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const json::object& c = cases.as_array()[i].as_object();
    std::string expr(c.at("expr").as_string());
    for (const char* nondeterministic : {"$now", "$millis", "$random", "$uuid", "$shuffle"})
      ASSERT_EQ(expr.find(nondeterministic), std::string::npos)
          << "case " << i << " uses " << nondeterministic << ": not comparable";
    std::string mine = WeftLine(c, datasets.as_object());
    bool same = mine == reference[i];
    std::string key = expr;
    if (auto* d = c.if_contains("data")) key += " @" + std::string(d->as_string());
    if (auto* in = c.if_contains("input")) key += " @" + ToJson(*in);
    if (auto* b = c.if_contains("bindings")) key += " @" + ToJson(*b);
    bool listed = known.as_object().contains(key);
    if (same) {
      ++agree;
      EXPECT_FALSE(listed) << "listed as a known difference but agrees now: " << key;
    } else if (listed) {
      ++known_differ;
    } else {
      ADD_FAILURE() << "case " << i << ": " << key << "\n  reference: " << reference[i]
                    << "\n  weft:      " << mine;
    }
  }
  std::printf("[ jsonata  ] %zu cases: %zu agree with jsonata-js, %zu known differences\n",
              reference.size(), agree, known_differ);
}

}  // namespace
}  // namespace weft::asl::jsonata
