// Runs every pure-ASL JSONPath case of the AWS conformance recordings
// in-process (so that the sanitizer build covers them too) and checks the
// final status. The full comparison (output, cause, events) is
// tests/conformance/test_asl_conformance.py. Skipped when WEFT_SHARED_DIR
// does not hold the recordings.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "asl/asl.h"

namespace weft::asl {
namespace {

TEST(ConformanceSmokeTest, RecordedExecutionsEndWithTheRecordedStatus) {
  const char* shared = std::getenv("WEFT_SHARED_DIR");
  std::filesystem::path path =
      std::filesystem::path(shared ? shared : "../shared") / "conformance/asl/cases.jsonl";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no conformance cases at " << path;
  std::string line;
  int run = 0;
  while (std::getline(in, line)) {
    auto c = ParseJson(line);
    ASSERT_TRUE(c.ok());
    const auto& o = c->as_object();
    if (!FindBool(o, "pure_asl").value_or(false)) continue;
    bool jsonata = false;
    if (const json::array* needs = FindArray(o, "needs"))
      for (const auto& n : *needs) jsonata |= n == "jsonata";
    if (jsonata) continue;
    SCOPED_TRACE(std::string(o.at("id").as_string()));
    CompileResult compiled = Compile(o.at("definition"));
    ASSERT_TRUE(compiled.machine) << FormatDiagnostic(compiled.diagnostics.at(0));
    LocalRunOptions options;
    if (auto* type = FindString(o, "state_machine_type")) options.express = *type == "EXPRESS";
    std::string input = ToJson(o.at("input"));
    if (auto* text = FindString(o, "input_json")) input = std::string(*text);
    auto r = RunLocally(compiled.machine, input, options);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(ExecutionStatusName(r->status),
              std::string(o.at("expected").as_object().at("status").as_string()));
    ++run;
  }
  EXPECT_GT(run, 400);
}

}  // namespace
}  // namespace weft::asl
