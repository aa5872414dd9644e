// tests/unit/asl/cases/expr_cases.h: runs the JSON case tables of the ASL
// expression layer (cases/expr_*.json).
//
// A case: {"name", "mode", "expr" | "tpl", "input", "context", "vars",
// "parent_vars", "target" (assign), then one of "expect" (the value),
// "missing": true (Find gives nullptr), "error" + "cause" (an evaluation
// error, exact), "compile_error" (a substring of the Validation message)}.
// mode: path | reference | find | assign | intrinsic | template.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "asl/expr.h"
#include "case_file.h"

namespace weft::asl::testing {

struct CaseScope {
  json::value input, context;
  json::object vars, parent_vars;
  Variables parent, variables;
  EvalScope scope;

  explicit CaseScope(const json::object& c) {
    if (auto* v = c.if_contains("input")) input = *v;
    if (auto* v = c.if_contains("context")) context = *v;
    if (auto* v = c.if_contains("vars")) vars = v->as_object();
    if (auto* v = c.if_contains("parent_vars")) parent_vars = v->as_object();
    parent.values = &parent_vars;
    variables.values = &vars;
    variables.parent = &parent;
    scope = {&input, &context, &variables};
  }
};

// Compiles the case's expression; returns an error to compare with
// "compile_error", or a function evaluating it.
inline Result<json::value> EvaluateCase(const json::object& c, const std::string& mode,
                                        CaseScope& s, bool& compile_failed) {
  compile_failed = false;
  auto fail = [&](Error e) {
    compile_failed = true;
    return Result<json::value>(std::move(e));
  };
  if (mode == "template") {
    auto t = Template::Compile(c.at("tpl"));
    if (!t.ok()) return fail(t.error());
    return t->Evaluate(s.scope);
  }
  std::string expr(c.at("expr").as_string());
  if (mode == "intrinsic") {
    auto call = Intrinsic::Compile(expr);
    if (!call.ok()) return fail(call.error());
    return call->Evaluate(s.scope);
  }
  auto path = mode == "path" ? Path::Compile(expr) : Path::CompileReference(expr);
  if (!path.ok()) return fail(path.error());
  if (mode == "find") {
    const json::value* v = path->Find(s.scope);
    return v ? *v : json::value("<missing>");
  }
  if (mode == "assign") {
    json::value target = c.at("target");
    Status st = path->Assign(target, c.at("value"));
    if (!st.ok()) return st.error();
    return target;
  }
  return path->Evaluate(s.scope);
}

inline void RunCase(const json::object& c, const std::string& default_mode) {
  std::string name(c.at("name").as_string());
  SCOPED_TRACE(name);
  std::string mode = default_mode;
  if (auto* m = c.if_contains("mode")) mode = std::string(m->as_string());
  CaseScope s(c);
  bool compile_failed = false;
  auto r = EvaluateCase(c, mode, s, compile_failed);
  if (auto* want = c.if_contains("compile_error")) {
    ASSERT_TRUE(compile_failed) << "expected a compile error, got "
                                << (r.ok() ? ToJson(*r) : r.error().message());
    EXPECT_EQ(r.error().type(), "ValidationException");
    EXPECT_NE(r.error().message().find(std::string(want->as_string())), std::string::npos)
        << r.error().message();
    return;
  }
  ASSERT_FALSE(compile_failed) << r.error().message();
  if (auto* want = c.if_contains("error")) {
    ASSERT_FALSE(r.ok()) << "expected " << ToJson(*want) << ", got " << ToJson(*r);
    EXPECT_EQ(r.error().type(), want->as_string());
    if (auto* cause = c.if_contains("cause")) {
      EXPECT_EQ(r.error().message(), cause->as_string());
    }
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().type() << ": " << r.error().message();
  if (c.contains("missing")) {
    EXPECT_EQ(*r, json::value("<missing>"));
    return;
  }
  EXPECT_EQ(ToJson(*r), ToJson(c.at("expect")));
}

inline void RunCaseFile(const std::string& file, const std::string& default_mode) {
  json::array cases = LoadCases(file);
  ASSERT_FALSE(cases.empty()) << file;
  for (const json::value& c : cases) RunCase(c.as_object(), default_mode);
}

}  // namespace weft::asl::testing
