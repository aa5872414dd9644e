// Fuzz-style test of asl::jsonata: truncated and randomly mutated
// expressions (from the differential table) must either compile or fail
// with a located S/U error, and whatever compiles must evaluate to a value,
// undefined or an error without crashing or hanging (steps are bounded).
// Deterministic (fixed seed) and cheap enough for AddressSanitizer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "asl/jsonata.h"
#include "common/json.h"

namespace weft::asl::jsonata {
namespace {

namespace fs = std::filesystem;

json::value Load(const std::string& name) {
  std::ifstream in(fs::path(__FILE__).parent_path() / "cases" / "jsonata" / name);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJson(text.str());
  EXPECT_TRUE(parsed.ok()) << name;
  return parsed.ok() ? *parsed : json::value();
}

class Zero final : public Environment {
 public:
  int64_t NowMillis() override { return 0; }
  double Random() override { return 0.5; }
};

struct Tally {
  int compiled = 0;
  int rejected = 0;
};

void Check(const std::string& text, const json::value& input, Tally& tally) {
  auto c = Expression::Compile(text);
  if (!c.ok()) {
    const Error* e = &c.error();
    EXPECT_NE(e->code, "U1000") << text << ": " << e->message;
    ++tally.rejected;
    ASSERT_FALSE(e->code.empty()) << text;
    EXPECT_TRUE(e->code[0] == 'S' || e->code == "U1001") << text << ": " << e->code;
    // Every compile error is located, except S0217 ('%' with no parent at
    // the top level), which jsonata-js reports without a position.
    if (e->code != "S0217") {
      EXPECT_GE(e->position, 0) << text << ": " << e->code;
    }
    EXPECT_LE(e->position, static_cast<int64_t>(text.size()) + 1) << text;
    return;
  }
  ++tally.compiled;
  Zero env;
  Bindings b;
  b.environment = &env;
  b.max_steps = 20000;
  Outcome o = c->Evaluate(&input, b);
  if (!o.ok()) {
    EXPECT_FALSE(o.error().code.empty()) << text;
    EXPECT_NE(o.error().code, "U1000") << text << ": " << o.error().message;
  }
}

TEST(JsonataFuzzTest, TruncatedAndMutatedExpressions) {
  json::value cases = Load("differential.json");
  json::value datasets = Load("datasets.json");
  ASSERT_TRUE(cases.is_array() && datasets.is_object());
  json::value input = datasets.at("orders");
  std::vector<std::string> exprs;
  for (const auto& c : cases.as_array()) exprs.emplace_back(c.at("expr").as_string());

  Tally tally;
  // Every third prefix of every expression.
  for (const auto& e : exprs)
    for (size_t n = 0; n < e.size(); n += 3) Check(e.substr(0, n), input, tally);

  // Random mutations: delete, duplicate, or insert a token-ish fragment.
  static const char* kFragments[] = {
      "(",   ")",  "[",  "]",  "{", "}",   ".",   "..", ",",  ";",     ":",
      ":=",  "?",  "$",  "$$", "%", "#$i", "@$x", "^(", "~>", "*",     "**",
      "/",   "'",  "\"", "`",  "|", "-",   "and", "in", "0",  "1e400", "function($x){",
      "$f(", "\\", "/a/"};
  std::mt19937 rng(20241207);
  for (int i = 0; i < 6000; ++i) {
    std::string e = exprs[rng() % exprs.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      size_t at = e.empty() ? 0 : rng() % (e.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (!e.empty() && at < e.size()) e.erase(at, 1 + rng() % 3);
          break;
        case 1:
          if (!e.empty() && at < e.size()) e.insert(at, e.substr(at, 1 + rng() % 4));
          break;
        default:
          e.insert(at, kFragments[rng() % std::size(kFragments)]);
      }
    }
    Check(e, input, tally);
  }
  // Both kinds must occur, or the generator is broken.
  EXPECT_GT(tally.compiled, 1000);
  EXPECT_GT(tally.rejected, 1000);
}

TEST(JsonataFuzzTest, PathologicalNesting) {
  for (const char* open : {"(", "[", "{'a':", "-", "$f(", "function($x){", "a[", "|a|"}) {
    std::string e;
    for (int i = 0; i < 10000; ++i) e += open;
    auto c = Expression::Compile(e);
    ASSERT_FALSE(c.ok()) << open;
  }
  // Deep data: descending into 5,000 nested arrays must not overflow either.
  json::value nested = 1;
  for (int i = 0; i < 5000; ++i) {
    json::array a;
    a.push_back(std::move(nested));
    nested = std::move(a);
  }
  Bindings b;
  Outcome o = Expression::Compile("**")->Evaluate(nested, b);
  ASSERT_TRUE(o.ok() || o.error().code == "U1001");
  if (o.ok()) {
    EXPECT_EQ(Stringify(o.value()), "1");
  }
}

}  // namespace
}  // namespace weft::asl::jsonata
