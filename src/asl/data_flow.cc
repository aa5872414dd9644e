// TraceDataFlow(): one state's input and output processing, step by step
// (asl/asl.h), for the TestState API. The same steps, in the same order, as
// the interpreter (interpreter_states.cc): InputPath, Parameters, the work,
// ResultSelector, ResultPath.
#include "asl/definition.h"
#include "asl/errors.h"

namespace weft::asl {
namespace {

Result<json::value> ParseOr(std::string_view text, json::value fallback, std::string_view what) {
  if (text.empty()) return fallback;
  auto parsed = ParseJson(text);
  if (!parsed)
    return Error::Validation(std::string(what) + " is not valid JSON: " + parsed.error().message());
  return std::move(*parsed);
}

// The flow so far, with the failed step named as an execution would name it.
DataFlow Failed(DataFlow out, const Error& e) {
  out.error = e.type().empty() ? std::string(errors::kRuntime) : e.type();
  out.cause = e.message();
  return out;
}

// A JSONata state's steps: Arguments before the work (Task, Parallel).
DataFlow TraceJsonata(const State& s, const json::value& input, std::optional<json::value> result,
                      const json::value& context, const Variables& variables) {
  DataFlow out;
  out.jsonata = true;
  StatesScope scope{&input, nullptr, nullptr, &context, &variables, nullptr};
  if (const auto& arguments = s.jsonata->arguments) {
    auto a = arguments->Evaluate(scope);
    if (!a) return Failed(std::move(out), a.error());
    out.after_arguments = ToJson(*a);
  }
  if (result) out.result = ToJson(*result);
  return out;
}

}  // namespace

Result<DataFlow> TraceDataFlow(const StateMachinePtr& machine, std::string_view state_name,
                               std::string_view input_json,
                               std::optional<std::string_view> result_json,
                               std::string_view context_json, std::string_view variables_json) {
  const State* s = machine->root().Find(state_name);
  if (s == nullptr) return Error::Validation("no state \"" + std::string(state_name) + "\"");
  auto input = ParseOr(input_json, json::object{}, "the input");
  if (!input) return std::move(input).error();
  auto context = ParseOr(context_json, json::object{}, "the context");
  if (!context) return std::move(context).error();
  auto vars = ParseOr(variables_json, json::object{}, "the variables");
  if (!vars) return std::move(vars).error();
  if (!vars->is_object()) return Error::Validation("the variables must be a JSON object");
  Variables variables{&vars->as_object(), nullptr};
  if (s->jsonata) {
    std::optional<json::value> result;
    if (result_json) {
      auto r = ParseOr(*result_json, json::value(), "the result");
      if (!r) return std::move(r).error();
      result = std::move(*r);
    }
    return TraceJsonata(*s, *input, std::move(result), *context, variables);
  }
  EvalScope scope{&*input, &*context, &variables};

  DataFlow out;
  // InputPath: absent is "$", null is {}.
  json::value effective = *input;
  if (s->input_path.is_null) {
    effective = json::object{};
  } else if (s->input_path.path) {
    auto e = s->input_path.path->Evaluate(scope);
    if (!e) return Failed(std::move(out), e.error());
    effective = std::move(*e);
  }
  out.after_input_path = ToJson(effective);
  if (s->parameters && s->type != StateType::kMap) {
    EvalScope p = scope;
    p.input = &effective;
    auto e = s->parameters->Evaluate(p);
    if (!e) return Failed(std::move(out), e.error());
    effective = std::move(*e);
  }
  out.after_parameters = ToJson(effective);

  json::value result;
  if (result_json) {
    auto r = ParseOr(*result_json, json::value(), "the result");
    if (!r) return std::move(r).error();
    result = std::move(*r);
  } else if (s->type == StateType::kPass) {
    result = s->result ? *s->result : effective;
  } else {
    return out;
  }
  out.result = ToJson(result);
  if (s->result_selector) {
    EvalScope r = scope;
    r.input = &result;
    auto e = s->result_selector->Evaluate(r);
    if (!e) return Failed(std::move(out), e.error());
    result = std::move(*e);
  }
  out.after_result_selector = ToJson(result);
  json::value output;
  switch (s->result_path.mode) {
    case ResultPathSpec::Mode::kReplace:
      output = std::move(result);
      break;
    case ResultPathSpec::Mode::kDiscard:
      output = *input;
      break;
    case ResultPathSpec::Mode::kPath: {
      output = *input;
      auto st = s->result_path.path->Assign(output, std::move(result));
      if (!st) return Failed(std::move(out), st.error());
    }
  }
  out.after_result_path = ToJson(output);
  return out;
}

}  // namespace weft::asl
