// Compile(): parse + graph validation (asl/asl.h, asl/definition.h).
#include <algorithm>
#include <functional>

#include "asl/definition.h"
#include "asl/definition_fields.h"

namespace weft::asl {
namespace {

void Add(std::vector<Diagnostic>& diags, std::string loc, std::string msg) {
  diags.push_back(Diagnostic{std::move(loc), std::move(msg)});
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The state name closest to a misspelt `name`, if one is close enough.
std::string Suggestion(const Block& b, const std::string& name) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const State& st : b.states) {
    size_t d = EditDistance(name, st.name);
    if (d < best_distance) best_distance = d, best = st.name;
  }
  return best;
}

// Resolves `name` in block `b`; reports a missing target at `loc`.
int Resolve(const Block& b, const std::string& name, const std::string& loc,
            std::vector<Diagnostic>& diags) {
  auto it = b.index.find(name);
  if (it != b.index.end()) return it->second;
  std::string msg = "state \"" + name + "\" does not exist";
  if (!b.location.empty()) msg += " (in " + b.location + ")";
  if (std::string near = Suggestion(b, name); !near.empty())
    msg += "; did you mean \"" + near + "\"?";
  Add(diags, loc, msg);
  return -1;
}

void ValidateBlock(Block& b, std::vector<Diagnostic>& diags) {
  if (!b.start_at.empty()) {
    auto it = b.index.find(b.start_at);
    if (it == b.index.end()) {
      Add(diags, b.location + "/StartAt",
          "StartAt names state \"" + b.start_at + "\", which does not exist");
    } else {
      b.start_index = it->second;
    }
  }
  for (State& st : b.states) {
    if (!st.next.empty()) st.next_index = Resolve(b, st.next, st.location + "/Next", diags);
    if (!st.default_next.empty())
      st.default_index = Resolve(b, st.default_next, st.location + "/Default", diags);
    for (size_t i = 0; i < st.choices.size(); ++i) {
      ChoiceRule& r = st.choices[i];
      if (!r.next.empty())
        r.next_index =
            Resolve(b, r.next, st.location + "/Choices/" + std::to_string(i) + "/Next", diags);
    }
    for (size_t i = 0; i < st.catchers.size(); ++i) {
      Catcher& c = st.catchers[i];
      if (!c.next.empty())
        c.next_index =
            Resolve(b, c.next, st.location + "/Catch/" + std::to_string(i) + "/Next", diags);
    }
  }
  bool any_terminal = false;
  for (const State& st : b.states)
    any_terminal |=
        !st.type_known || st.end || st.type == StateType::kSucceed || st.type == StateType::kFail;
  if (!b.states.empty() && !any_terminal)
    Add(diags, b.location + "/States",
        "no state ends the workflow: add \"End\": true, a Succeed or a Fail state");
  // Reachability from StartAt.
  if (b.start_index < 0) return;
  std::vector<bool> seen(b.states.size(), false);
  std::vector<int> todo = {b.start_index};
  while (!todo.empty()) {
    int i = todo.back();
    todo.pop_back();
    if (i < 0 || seen[i]) continue;
    seen[i] = true;
    const State& st = b.states[i];
    todo.push_back(st.next_index);
    todo.push_back(st.default_index);
    for (const auto& r : st.choices) todo.push_back(r.next_index);
    for (const auto& c : st.catchers) todo.push_back(c.next_index);
  }
  for (const State& st : b.states)
    if (!seen[st.index])
      Add(diags, st.location,
          "state \"" + st.name + "\" is unreachable from StartAt \"" + b.start_at + "\"");
}

}  // namespace

void ValidateGraph(StateMachine& machine, std::vector<Diagnostic>& diags) {
  for (auto& b : machine.blocks) ValidateBlock(*b, diags);
}

CompileResult Compile(const json::value& definition) {
  CompileResult out;
  auto machine = std::make_shared<StateMachine>();
  ParseDefinition(definition, *machine, out.diagnostics);
  if (!machine->blocks.empty()) ValidateGraph(*machine, out.diagnostics);
  if (out.diagnostics.empty()) out.machine = std::move(machine);
  return out;
}

CompileResult Compile(std::string_view definition_text) {
  auto parsed = ParseJson(definition_text);
  if (!parsed) {
    CompileResult out;
    out.diagnostics.push_back(
        {"", "the definition is not valid JSON: " + parsed.error().message()});
    return out;
  }
  return Compile(*parsed);
}

std::string FormatDiagnostic(const Diagnostic& d) {
  return (d.location.empty() ? std::string("/") : d.location) + ": " + d.message;
}

}  // namespace weft::asl
