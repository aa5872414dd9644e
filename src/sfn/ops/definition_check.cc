// Definition checks of the Step Functions front door (definition_check.h).
#include "sfn/ops/definition_check.h"

#include <functional>

#include "asl/asl.h"

namespace weft::sfn {
namespace {

constexpr std::string_view kService = "arn:aws:states:::";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The code AWS gives a language problem: graph problems are
// MISSING_TRANSITION_TARGET, unparsable text INVALID_JSON_DESCRIPTION.
std::string CodeOf(const asl::Diagnostic& d) {
  if (d.message.find("not valid JSON") != std::string::npos) return "INVALID_JSON_DESCRIPTION";
  if (d.message.find("does not exist") != std::string::npos ||
      d.message.find("unreachable") != std::string::npos ||
      d.message.find("no state ends") != std::string::npos) {
    return "MISSING_TRANSITION_TARGET";
  }
  return "SCHEMA_VALIDATION_FAILED";
}

using Visit =
    std::function<void(const json::object& state, const std::string& name, const std::string& at)>;

// Calls `visit` for every state, nested ones included.
void ForEachState(const json::object& machine, const std::string& location, const Visit& visit) {
  const json::object* states = FindObject(machine, "States");
  if (states == nullptr) return;
  for (const auto& kv : *states) {
    if (!kv.value().is_object()) continue;
    const json::object& state = kv.value().as_object();
    std::string at = location + "/States/" + std::string(kv.key());
    visit(state, std::string(kv.key()), at);
    if (const json::array* branches = FindArray(state, "Branches")) {
      for (size_t i = 0; i < branches->size(); ++i) {
        if ((*branches)[i].is_object()) {
          ForEachState((*branches)[i].as_object(), at + "/Branches/" + std::to_string(i), visit);
        }
      }
    }
    for (std::string_view member : {"ItemProcessor", "Iterator"}) {
      if (const json::object* processor = FindObject(state, member)) {
        ForEachState(*processor, at + "/" + std::string(member), visit);
      }
    }
  }
}

// The function name in a Lambda FunctionName or ARN: NAME, NAME:alias,
// ACCOUNT:function:NAME[:alias], arn:aws:lambda:REGION:ACCOUNT:function:NAME[:alias].
std::string LambdaFunctionName(std::string_view text) {
  constexpr std::string_view kFunction = ":function:";
  if (auto at = text.find(kFunction); at != std::string_view::npos) {
    text = text.substr(at + kFunction.size());
  }
  return std::string(text.substr(0, text.find(':')));
}

std::string UnsupportedResource(const std::string& state, std::string_view resource) {
  return "Resource '" + std::string(resource) + "' of state '" + state +
         "' is not supported by weft. weft runs: activities "
         "(arn:aws:states:REGION:ACCOUNT:activity:NAME), arn:aws:states:::http:invoke "
         "[.waitForTaskToken], arn:aws:states:::states:startExecution [.sync, .sync:2, "
         ".waitForTaskToken], and Lambda functions mapped to HTTP endpoints "
         "(arn:aws:lambda:REGION:ACCOUNT:function:NAME or arn:aws:states:::lambda:invoke)";
}

std::string UnmappedLambda(const std::string& state, const std::string& function) {
  return "Lambda function '" + function + "' of state '" + state +
         "' is not mapped to an HTTP endpoint: add it to \"lambdaFunctions\" in the file given "
         "to weft server --config FILE";
}

// What weft cannot run in a Task state; "" when it can.
std::string ResourceProblem(const json::object& state, const std::string& name,
                            std::string_view resource, const SfnOptions& options) {
  switch (engine::ClassifyMachineResource(resource)) {
    case engine::MachineTaskKind::kActivity:
    case engine::MachineTaskKind::kHttp:
    case engine::MachineTaskKind::kStartExecution:
      return "";
    case engine::MachineTaskKind::kUnsupported:
    case engine::MachineTaskKind::kMapIteration:  // never a resource's kind
      return UnsupportedResource(name, resource);
    case engine::MachineTaskKind::kLambda:
      break;
  }
  if (resource.starts_with("arn:aws:lambda:")) {
    std::string function = LambdaFunctionName(resource);
    return options.lambda_functions.contains(function) ? "" : UnmappedLambda(name, function);
  }
  // arn:aws:states:::lambda:invoke[.waitForTaskToken]. JSONPath:
  // Parameters.FunctionName; JSONata: Arguments.FunctionName. A name computed
  // at run time ("FunctionName.$", a JSONata expression) cannot be checked here.
  for (std::string_view member : {"Parameters", "Arguments"}) {
    const json::object* args = FindObject(state, member);
    const json::string* fn = args ? FindString(*args, "FunctionName") : nullptr;
    if (fn == nullptr || fn->starts_with("{%")) continue;
    std::string function = LambdaFunctionName(*fn);
    return options.lambda_functions.contains(function) ? "" : UnmappedLambda(name, function);
  }
  return "";
}

// What an Express state machine may not do with `resource`; "" when allowed.
std::string ExpressProblem(const std::string& name, std::string_view resource) {
  if (resource.find(":activity:") != std::string_view::npos && !resource.starts_with(kService)) {
    return "Express state machines do not support activities (state '" + name + "')";
  }
  if (resource.starts_with(kService) &&
      (EndsWith(resource, ".sync") || resource.find(".sync:") != std::string_view::npos)) {
    return "Express state machines do not support the .sync service integration pattern "
           "(state '" +
           name + "')";
  }
  if (EndsWith(resource, ".waitForTaskToken")) {
    return "Express state machines do not support the .waitForTaskToken service integration "
           "pattern (state '" +
           name + "')";
  }
  return "";
}

}  // namespace

std::vector<DefinitionProblem> CheckDefinition(std::string_view definition, std::string_view type,
                                               const SfnOptions& options, ResourceRule rule) {
  std::vector<DefinitionProblem> problems;
  auto parsed = ParseJson(definition);
  asl::CompileResult compiled =
      parsed.ok() ? asl::Compile(*parsed) : asl::Compile(definition);  // reports the JSON error
  for (const auto& d : compiled.diagnostics) {
    problems.push_back({"ERROR", CodeOf(d), d.location, d.message});
  }
  if (!parsed.ok() || !parsed->is_object()) return problems;
  std::vector<DefinitionProblem> unsupported;
  ForEachState(
      parsed->as_object(), "",
      [&](const json::object& state, const std::string& name, const std::string& at) {
        const json::string* state_type = FindString(state, "Type");
        const json::string* resource = FindString(state, "Resource");
        if (state_type == nullptr || *state_type != "Task" || resource == nullptr) return;
        if (type == "EXPRESS") {
          if (std::string why = ExpressProblem(name, *resource); !why.empty()) {
            problems.push_back({"ERROR", "SCHEMA_VALIDATION_FAILED", at + "/Resource", why});
          }
        }
        if (std::string why = ResourceProblem(state, name, *resource, options); !why.empty()) {
          unsupported.push_back({rule == ResourceRule::kError ? "ERROR" : "WARNING",
                                 "UNSUPPORTED_RESOURCE", at + "/Resource", why});
        }
      });
  problems.insert(problems.end(), unsupported.begin(), unsupported.end());
  return problems;
}

bool HasErrors(const std::vector<DefinitionProblem>& problems) {
  for (const auto& p : problems) {
    if (p.severity == "ERROR") return true;
  }
  return false;
}

Error InvalidDefinition(const std::vector<DefinitionProblem>& problems) {
  std::string list;
  for (const auto& p : problems) {
    if (p.severity != "ERROR") continue;
    if (!list.empty()) list += ", ";
    list += p.code + ": " + p.message + " at " + (p.location.empty() ? "/" : p.location);
  }
  return Error(Errc::kValidation, "InvalidDefinition",
               "Invalid State Machine Definition: '" + list + "'");
}

}  // namespace weft::sfn
