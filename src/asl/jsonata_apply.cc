// src/asl/jsonata_apply.cc: calling functions (jsonata-js evaluateFunction,
// apply, partial application, `~>` and the transform operator's function),
// with the trampoline that runs tail calls in constant stack.
#include <algorithm>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

std::string ProcName(const Node* procedure) {
  if (procedure->type == NodeType::kPath && !procedure->steps.empty())
    return procedure->steps[0]->value;
  return procedure->value;
}

void FillToken(JsonataError& e, const std::string& token) {
  std::string quoted;
  AppendJsonString(quoted, token);
  for (auto [key, with] :
       {std::pair<std::string, std::string>{"{{{token}}}", token}, {"{{token}}", quoted}}) {
    for (size_t at = e.message.find(key); at != std::string::npos; at = e.message.find(key, at)) {
      e.message.replace(at, key.size(), with);
      at += with.size();
    }
  }
}

}  // namespace

int Function::Arity() const {
  switch (kind) {
    case Kind::kLambda:
      return static_cast<int>(params.size());
    case Kind::kBuiltin:
      return builtin->arity;
    case Kind::kPartialBuiltin: {
      int n = 0;
      for (bool p : is_placeholder) n += p ? 1 : 0;
      return n;
    }
    case Kind::kRegex:
      return 2;
    case Kind::kTransform:
      return 1;
    case Kind::kChain:
      return 1;
  }
  return 0;
}

Value Evaluator::EvalFunction(const Node* expr, const Value& input, const FramePtr& env,
                              const Value* apply_to) {
  Value proc = Eval(expr->procedure.get(), input, env);
  if (proc.undefined() && expr->procedure->type == NodeType::kPath &&
      (env->Lookup(expr->procedure->steps[0]->value) ||
       FindBuiltin(expr->procedure->steps[0]->value)))
    Throw("T1005", expr->position, expr->procedure->steps[0]->value);
  std::vector<Value> args;
  if (apply_to) args.push_back(*apply_to);
  for (const auto& a : expr->arguments) args.push_back(Eval(a.get(), input, env));
  std::string name = ProcName(expr->procedure.get());
  try {
    return Apply(proc, std::move(args), input, env);
  } catch (JsonataError& e) {
    if (e.position < 0) e.position = expr->position;
    FillToken(e, name);
    throw;
  }
}

Value Evaluator::Apply(const Value& proc, std::vector<Value> args, const Value& input,
                       const FramePtr& env) {
  Value result = ApplyInner(proc, std::move(args), input, env);
  while (result.is_function() && result.fn().kind == Function::Kind::kLambda && result.fn().thunk) {
    CheckStack();
    const Function& thunk = result.fn();
    const Node* call = thunk.body;
    Value next = Eval(call->procedure.get(), thunk.input, thunk.env);
    std::vector<Value> evaluated;
    for (const auto& a : call->arguments)
      evaluated.push_back(Eval(a.get(), thunk.input, thunk.env));
    std::string name = ProcName(call->procedure.get());
    try {
      result = ApplyInner(next, std::move(evaluated), input, env);
    } catch (JsonataError& e) {
      if (e.position < 0) e.position = call->position;
      FillToken(e, name);
      throw;
    }
  }
  return result;
}

Value Evaluator::ApplyInner(const Value& proc, std::vector<Value> args, const Value& input,
                            const FramePtr& env) {
  if (!proc.is_function()) Throw("T1006", -1);
  const Function& f = proc.fn();
  if (f.signature) args = f.signature->Validate(args, input);
  switch (f.kind) {
    case Function::Kind::kLambda: {
      auto frame = NewFrame(f.env);
      for (size_t i = 0; i < f.params.size(); ++i)
        frame->Bind(f.params[i], i < args.size() ? args[i] : Value());
      return Eval(f.body, f.input, frame);
    }
    case Function::Kind::kBuiltin:
      return f.builtin->impl(*this, args, input);
    case Function::Kind::kPartialBuiltin: {
      std::vector<Value> full;
      size_t next = 0;
      for (size_t i = 0; i < f.bound.size(); ++i) {
        if (f.is_placeholder[i]) {
          full.push_back(next < args.size() ? args[next] : Value());
          ++next;
        } else {
          full.push_back(f.bound[i]);
        }
      }
      while (!full.empty() && full.back().undefined()) full.pop_back();
      if (f.builtin->sig) full = f.builtin->sig->Validate(full, Value());
      return f.builtin->impl(*this, full, Value());
    }
    case Function::Kind::kRegex:
      if (f.regex_subject) return RegexCall(f.regex, *f.regex_subject, f.regex_from, true);
      if (!args.empty() && args[0].is_string()) return RegexCall(f.regex, args[0].str(), 0, false);
      return Value();
    case Function::Kind::kTransform:
      return ApplyTransform(f, args);
    case Function::Kind::kChain: {
      Value x = args.empty() ? Value() : args[0];
      Value y = Apply(f.first, {x}, Value::Null(), env);
      return Apply(f.second, {y}, Value::Null(), env);
    }
  }
  return Value();
}

Value Evaluator::ApplyTransform(const Function& f, std::vector<Value>& args) {
  const Node* expr = f.node;
  if (args.empty() || args[0].undefined()) return Value();
  Value result = Clone(args[0]);
  Value matches = Eval(expr->pattern.get(), result, f.env);
  if (matches.undefined()) return result;
  std::vector<Value> scratch;
  std::vector<Value> list = ItemsOf(matches, scratch);
  for (const Value& match : list) {
    Value update = Eval(expr->update.get(), match, f.env);
    if (update.defined()) {
      if (!update.is_object()) Throw("T2011", expr->update->position, "", Describe(update));
      if (match.is_object())
        for (const auto& [k, v] : update.obj().entries) match.obj().Set(k, v);
    }
    if (expr->deletion) {
      Value deletions = Eval(expr->deletion.get(), match, f.env);
      if (deletions.defined()) {
        Value val = deletions;
        if (!deletions.is_array()) deletions = SequenceOf(deletions);
        if (!IsArrayOfStrings(deletions))
          Throw("T2012", expr->deletion->position, "", Describe(val));
        if (match.is_object())
          for (const auto& d : deletions.arr().items) match.obj().Erase(d.str());
      }
    }
  }
  return result;
}

Value Evaluator::EvalPartial(const Node* expr, const Value& input, const FramePtr& env) {
  std::vector<Value> args;
  std::vector<bool> placeholder;
  for (const auto& a : expr->arguments) {
    bool p = a->type == NodeType::kOperator && a->value == "?";
    placeholder.push_back(p);
    args.push_back(p ? Value() : Eval(a.get(), input, env));
  }
  Value proc = Eval(expr->procedure.get(), input, env);
  if (proc.undefined() && expr->procedure->type == NodeType::kPath &&
      (env->Lookup(expr->procedure->steps[0]->value) ||
       FindBuiltin(expr->procedure->steps[0]->value)))
    Throw("T1007", expr->position, expr->procedure->steps[0]->value);
  if (proc.is_function() && proc.fn().kind == Function::Kind::kLambda) {
    const Function& f = proc.fn();
    auto frame = NewFrame(f.env);
    auto out = std::make_shared<Function>();
    out->kind = Function::Kind::kLambda;
    out->node = f.node;
    out->body = f.body;
    out->input = f.input;
    out->env = frame;
    for (size_t i = 0; i < f.params.size(); ++i) {
      if (i < args.size() && placeholder[i]) {
        out->params.push_back(f.params[i]);
      } else {
        frame->Bind(f.params[i], i < args.size() ? args[i] : Value());
      }
    }
    return Value::Fn(out);
  }
  if (proc.is_function() && proc.fn().kind == Function::Kind::kBuiltin) {
    auto out = std::make_shared<Function>();
    out->kind = Function::Kind::kPartialBuiltin;
    out->builtin = proc.fn().builtin;
    size_t n = std::max(args.size(), static_cast<size_t>(out->builtin->arity));
    for (size_t i = 0; i < n; ++i) {
      out->bound.push_back(i < args.size() ? args[i] : Value());
      out->is_placeholder.push_back(i < args.size() ? static_cast<bool>(placeholder[i]) : false);
    }
    return Value::Fn(out);
  }
  if (proc.is_function() && proc.fn().kind == Function::Kind::kPartialBuiltin) {
    const Function& f = proc.fn();
    auto out = std::make_shared<Function>(f);
    size_t next = 0;
    for (size_t i = 0; i < out->bound.size(); ++i) {
      if (!out->is_placeholder[i]) continue;
      if (next < args.size()) {
        out->bound[i] = args[next];
        out->is_placeholder[i] = placeholder[next];
      } else {
        out->is_placeholder[i] = false;
      }
      ++next;
    }
    return Value::Fn(out);
  }
  Throw("T1008", expr->position, ProcName(expr->procedure.get()));
}

Value Evaluator::EvalApplyExpr(const Node* expr, const Value& input, const FramePtr& env) {
  Value lhs = Eval(expr->lhs.get(), input, env);
  if (expr->rhs->type == NodeType::kFunction)
    return EvalFunction(expr->rhs.get(), input, env, &lhs);
  Value func = Eval(expr->rhs.get(), input, env);
  if (!func.is_function()) Throw("T2006", expr->position, "", Describe(func));
  if (lhs.is_function()) {
    auto chain = std::make_shared<Function>();
    chain->kind = Function::Kind::kChain;
    chain->first = lhs;
    chain->second = func;
    return Value::Fn(chain);
  }
  return Apply(func, {lhs}, Value::Null(), env);
}

Value Evaluator::CallbackArgs(const Value& func, const std::vector<Value>& args) {
  int arity = func.is_function() ? func.fn().Arity() : 0;
  std::vector<Value> call_args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i == 0 || static_cast<int>(i) < arity) call_args.push_back(args[i]);
  }
  return Apply(func, std::move(call_args), Value::Null(), nullptr);
}

}  // namespace weft::asl::jsonata::detail
