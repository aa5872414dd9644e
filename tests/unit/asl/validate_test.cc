// Validation: every case of cases/validate.json lists the exact set of
// diagnostics (location, part of the message) a definition must produce;
// all problems are reported at once, not only the first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "asl/asl.h"
#include "cases/case_file.h"

namespace weft::asl {
namespace {

using testing::LoadCases;

std::string Describe(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "  " + FormatDiagnostic(d) + "\n";
  return out;
}

TEST(ValidateTest, CaseTable) {
  json::array cases = LoadCases("validate.json");
  ASSERT_GT(cases.size(), 20u);
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    SCOPED_TRACE(std::string(o.at("name").as_string()));
    CompileResult r = Compile(o.at("definition"));
    const auto& want = o.at("diagnostics").as_array();
    EXPECT_EQ(r.diagnostics.size(), want.size()) << Describe(r.diagnostics);
    EXPECT_EQ(r.machine == nullptr, !want.empty());
    for (const auto& w : want) {
      std::string loc(w.as_array().at(0).as_string());
      std::string part(w.as_array().at(1).as_string());
      bool found = false;
      for (const auto& d : r.diagnostics)
        found |= d.location == loc && d.message.find(part) != std::string::npos;
      EXPECT_TRUE(found) << "missing " << loc << ": ..." << part << "...\ngot:\n"
                         << Describe(r.diagnostics);
    }
  }
}

TEST(ValidateTest, InvalidJsonTextIsOneDiagnostic) {
  CompileResult r = Compile(std::string_view("{\"StartAt\": "));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("not valid JSON"), std::string::npos);
}

TEST(ValidateTest, FormatNamesTheLocation) {
  EXPECT_EQ(FormatDiagnostic({"/States/Foo/Next", "state \"Bar\" does not exist"}),
            "/States/Foo/Next: state \"Bar\" does not exist");
  EXPECT_EQ(FormatDiagnostic({"", "x"}), "/: x");
}

}  // namespace
}  // namespace weft::asl
