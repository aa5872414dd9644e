// tests/unit/asl/cases/case_file.h: reads a JSON case table (an array) from
// tests/unit/asl/cases/. A missing or malformed file fails the test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/json.h"

namespace weft::asl::testing {

inline json::array LoadCases(const std::string& file) {
  auto path = std::filesystem::path(__FILE__).parent_path() / file;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJson(text.str());
  if (!parsed.ok() || !parsed->is_array()) {
    ADD_FAILURE() << path << ": " << (parsed.ok() ? "not a JSON array" : parsed.error().message());
    return {};
  }
  return std::move(parsed->as_array());
}

}  // namespace weft::asl::testing
