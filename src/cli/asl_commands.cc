// `weft validate` and `weft run`: see asl/asl.h.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "asl/asl.h"
#include "cli/commands.h"

namespace weft::cli {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Validation("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Validate(const std::vector<std::string>& files, bool as_json) {
  int rc = 0;
  json::array results;
  for (const auto& file : files) {
    json::array diags;
    auto text = ReadFile(file);
    std::vector<asl::Diagnostic> found;
    if (!text)
      found.push_back({"", text.error().message()});
    else
      found = asl::Compile(*text).diagnostics;
    if (!found.empty()) rc = 1;
    for (const auto& d : found) {
      if (as_json)
        diags.push_back(json::object{{"location", d.location}, {"message", d.message}});
      else
        std::cout << file << ": " << asl::FormatDiagnostic(d) << "\n";
    }
    if (as_json)
      results.push_back(json::object{
          {"file", file}, {"valid", found.empty()}, {"diagnostics", std::move(diags)}});
    else if (found.empty())
      std::cout << file << ": OK\n";
  }
  if (as_json) std::cout << ToJson(json::object{{"files", std::move(results)}}) << "\n";
  return rc;
}

json::value OutputValue(const std::string& text) {
  auto v = ParseJson(text);
  return v ? std::move(*v) : json::value(text);
}

json::object ResultJson(const asl::LocalRunResult& r, bool with_history) {
  json::object o{{"status", std::string(asl::ExecutionStatusName(r.status))}};
  o["output"] = r.status == asl::ExecutionStatus::kSucceeded ? OutputValue(r.output) : nullptr;
  o["error"] = r.error ? json::value(*r.error) : nullptr;
  o["cause"] = r.cause ? json::value(*r.cause) : nullptr;
  if (with_history) {
    json::array h;
    for (const auto& e : r.history) h.push_back(asl::HistoryEventToJson(e));
    o["history"] = std::move(h);
  }
  return o;
}

struct RunFlags {
  std::string file, input, mocks, test_case, batch;
  bool history = false, as_json = false, express = false;
};

Result<asl::LocalRunResult> RunOne(const json::value& definition, const std::string& input,
                                   const asl::LocalRunOptions& options, std::string* problems) {
  auto compiled = asl::Compile(definition);
  if (!compiled.machine) {
    for (const auto& d : compiled.diagnostics) *problems += asl::FormatDiagnostic(d) + "\n";
    return Error::Validation("the definition is invalid");
  }
  return asl::RunLocally(compiled.machine, input, options);
}

// --batch: one JSON case per line ({"id", "definition", "input_json" | "input"}),
// one JSON result per line; for tools that run many small executions.
int RunBatch(const RunFlags& flags) {
  std::ifstream in(flags.batch);
  if (!in) {
    std::cerr << "weft run: cannot read " << flags.batch << "\n";
    return 2;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto c = ParseJson(line);
    json::object out;
    if (!c || !c->is_object()) {
      out = json::object{{"status", "INVALID"}, {"error", "bad batch line"}};
      std::cout << ToJson(out) << "\n";
      continue;
    }
    const auto& o = c->as_object();
    if (const json::value* id = Find(o, "id")) out["id"] = *id;
    std::string input = "{}";
    if (auto* s = FindString(o, "input_json"))
      input = std::string(*s);
    else if (const json::value* v = Find(o, "input"))
      input = ToJson(*v);
    asl::LocalRunOptions options;
    options.express = FindBool(o, "express").value_or(false);
    std::string problems;
    const json::value* def = Find(o, "definition");
    auto r = def ? RunOne(*def, input, options, &problems)
                 : Result<asl::LocalRunResult>(Error::Validation("no definition"));
    if (!r) {
      out["status"] = "INVALID";
      out["error"] = r.error().message();
      out["cause"] = problems;
    } else {
      for (auto& kv : ResultJson(*r, flags.history)) out[kv.key()] = kv.value();
    }
    std::cout << ToJson(out) << "\n";
  }
  return 0;
}

int Run(const RunFlags& flags) {
  if (!flags.batch.empty()) return RunBatch(flags);
  if (flags.file.empty()) {
    std::cerr << "weft run: a definition FILE is required\n";
    return 2;
  }
  auto text = ReadFile(flags.file);
  if (!text) {
    std::cerr << "weft run: " << text.error().message() << "\n";
    return 2;
  }
  std::string input = flags.input.empty() ? "{}" : flags.input;
  if (input[0] == '@') {
    auto in = ReadFile(input.substr(1));
    if (!in) {
      std::cerr << "weft run: " << in.error().message() << "\n";
      return 2;
    }
    input = *in;
  }
  asl::LocalRunOptions options;
  options.state_machine_name = std::filesystem::path(flags.file).stem().string();
  options.test_case = flags.test_case;
  options.express = flags.express;
  if (!flags.mocks.empty()) {
    auto mtext = ReadFile(flags.mocks);
    if (!mtext) {
      std::cerr << "weft run: " << mtext.error().message() << "\n";
      return 2;
    }
    auto mocks = asl::ParseMockConfig(*mtext);
    if (!mocks) {
      std::cerr << "weft run: " << flags.mocks << ": " << mocks.error().message() << "\n";
      return 2;
    }
    options.mocks = *mocks;
  }
  auto compiled = asl::Compile(*text);
  if (!compiled.machine) {
    for (const auto& d : compiled.diagnostics)
      std::cerr << flags.file << ": " << asl::FormatDiagnostic(d) << "\n";
    return 2;
  }
  auto r = asl::RunLocally(compiled.machine, input, options);
  if (!r) {
    std::cerr << "weft run: " << r.error().message() << "\n";
    return 2;
  }
  if (flags.as_json) {
    std::cout << ToJson(ResultJson(*r, flags.history)) << "\n";
  } else {
    if (flags.history)
      for (const auto& e : r->history) std::cout << asl::HistoryEventToJsonText(e) << "\n";
    if (r->status == asl::ExecutionStatus::kSucceeded) {
      std::cout << r->output << "\n";
    } else {
      std::cerr << asl::ExecutionStatusName(r->status);
      if (r->error) std::cerr << ": " << *r->error;
      if (r->cause) std::cerr << ": " << *r->cause;
      std::cerr << "\n";
    }
  }
  return r->status == asl::ExecutionStatus::kSucceeded ? 0 : 1;
}

}  // namespace

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("validate", "Validate state machine definitions.");
  auto files = std::make_shared<std::vector<std::string>>();
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *files, "definition files (Amazon States Language JSON)")->required();
  cmd->add_flag("--json", *as_json, "print the diagnostics as JSON");
  cmd->callback([exit_code, files, as_json] { *exit_code = Validate(*files, *as_json); });
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a state machine locally (tasks from mocks).");
  auto flags = std::make_shared<RunFlags>();
  cmd->add_option("FILE", flags->file, "definition file");
  cmd->add_option("--input", flags->input, "execution input: JSON text or @file");
  cmd->add_option("--mocks", flags->mocks, "AWS Step Functions Local mock configuration file");
  cmd->add_option("--test-case", flags->test_case, "test case of the mock file");
  cmd->add_flag("--history", flags->history, "print the history events");
  cmd->add_flag("--express", flags->express, "run as an Express execution");
  cmd->add_flag("--json", flags->as_json, "print {status, output, error, cause} as JSON");
  cmd->add_option("--batch", flags->batch,
                  "run every {id, definition, input_json} line of a JSONL file; print one "
                  "result line each");
  cmd->callback([exit_code, flags] { *exit_code = Run(*flags); });
}

}  // namespace weft::cli
