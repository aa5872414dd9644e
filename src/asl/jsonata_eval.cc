// src/asl/jsonata_eval.cc: the JSONata evaluator (jsonata-js jsonata.js
// evaluate() and friends), with jsonata's sequence semantics: a path yields
// a sequence; a sequence of one is its item, an empty one is undefined,
// unless `[]` (keepArray) asks to keep it an array.
#include <algorithm>
#include <cmath>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

bool EmptyOrUndefined(const Value& v) {
  return v.undefined() || (v.is_array() && v.arr().items.empty());
}

Value TupleAt(const Value& tuple) {
  if (!tuple.is_object()) return Value();
  const Value* v = tuple.obj().Find("@");
  return v ? *v : Value();
}

ObjectPtr CopyTuple(const Value& tuple) {
  auto t = NewObject();
  if (tuple.is_object()) *t = tuple.obj();
  return t;
}

// A builtin as a function value (one per builtin, shared and immutable).
Value BuiltinValue(const Builtin* b) {
  auto f = std::make_shared<Function>();
  f->kind = Function::Kind::kBuiltin;
  f->builtin = b;
  f->signature = b->sig;
  return Value::Fn(f);
}

// jsonata's fn.sort merge sort: `greater(a, b)` true puts b first.
template <class Greater>
std::vector<Value> MergeSort(const std::vector<Value>& items, Greater& greater) {
  if (items.size() <= 1) return items;
  size_t middle = items.size() / 2;
  std::vector<Value> left(items.begin(), items.begin() + static_cast<ptrdiff_t>(middle));
  std::vector<Value> right(items.begin() + static_cast<ptrdiff_t>(middle), items.end());
  left = MergeSort(left, greater);
  right = MergeSort(right, greater);
  std::vector<Value> out;
  out.reserve(items.size());
  size_t l = 0;
  size_t r = 0;
  while (l < left.size() && r < right.size()) {
    if (greater(left[l], right[r])) {
      out.push_back(right[r++]);
    } else {
      out.push_back(left[l++]);
    }
  }
  while (l < left.size()) out.push_back(left[l++]);
  while (r < right.size()) out.push_back(right[r++]);
  return out;
}

}  // namespace

Evaluator::Evaluator(Environment& env, uint64_t max_steps, size_t max_stack, const char* stack_base)
    : env_(env),
      max_steps_(max_steps),
      max_stack_(static_cast<ptrdiff_t>(max_stack)),
      stack_base_(stack_base) {}

Evaluator::~Evaluator() {
  // A lambda bound in a frame holds that frame (its closure): a cycle of
  // shared pointers. Nothing of an evaluation outlives it (results leave as
  // JSON), so emptying every frame still alive frees them all.
  for (auto& weak : frames_) {
    if (FramePtr f = weak.lock()) {
      f->vars.clear();
      f->parent.reset();
    }
  }
}

FramePtr Evaluator::NewFrame(const FramePtr& parent) {
  auto f = std::make_shared<Frame>();
  f->parent = parent;
  if (frames_.size() >= compact_at_) {
    std::erase_if(frames_, [](const std::weak_ptr<Frame>& w) { return w.expired(); });
    compact_at_ = std::max<size_t>(1024, frames_.size() * 2);
  }
  frames_.push_back(f);
  return f;
}

FramePtr Evaluator::FrameFromTuple(const FramePtr& env, const Value& tuple) {
  auto f = NewFrame(env);
  if (tuple.is_object())
    for (const auto& [k, v] : tuple.obj().entries) f->Bind(k, v);
  return f;
}

int64_t Evaluator::NowMillis() {
  if (!now_) now_ = env_.NowMillis();
  return *now_;
}

void Evaluator::CheckStack() {
  char here = 0;
  ptrdiff_t used = stack_base_ - &here;
  if (used < 0) used = -used;
  if (used > max_stack_) Throw("U1001", -1);
}

Value Evaluator::Eval(const Node* expr, const Value& input, const FramePtr& env) {
  CheckStack();
  if (++steps_ > max_steps_) {
    throw JsonataError{"U1001", expr->position,
                       "Expression evaluation timeout: Check for infinite loop"};
  }
  Value result;
  switch (expr->type) {
    case NodeType::kPath:
      result = EvalPath(expr, input, env);
      break;
    case NodeType::kBinary:
      result = EvalBinary(expr, input, env);
      break;
    case NodeType::kUnary:
      result = EvalUnary(expr, input, env);
      break;
    case NodeType::kName:
      result = Lookup(input, expr->value);
      break;
    case NodeType::kString:
    case NodeType::kNumber:
    case NodeType::kValue:
      result = expr->literal;
      break;
    case NodeType::kWildcard: {
      auto results = NewSequence();
      Value in = input;
      if (in.is_array() && in.arr().outer_wrapper && !in.arr().items.empty())
        in = in.arr().items[0];
      Value acc = Value::Arr(results);
      auto add = [&](const Value& value) {
        if (value.is_array()) {
          acc = Append(acc, Flatten(value));
        } else {
          acc.arr().items.push_back(value);
        }
      };
      if (in.is_object()) {
        for (const auto& [k, v] : in.obj().entries) add(v);
      } else if (in.is_array()) {
        for (const auto& v : in.arr().items) add(v);
      }
      result = acc;
      break;
    }
    case NodeType::kDescendant: {
      if (input.undefined()) break;
      auto seq = NewSequence();
      std::function<void(const Value&)> recurse = [&](const Value& v) {
        CheckStack();
        if (!v.is_array()) seq->items.push_back(v);
        if (v.is_array()) {
          for (const auto& m : v.arr().items) recurse(m);
        } else if (v.is_object()) {
          for (const auto& [k, m] : v.obj().entries) recurse(m);
        }
      };
      recurse(input);
      result = seq->items.size() == 1 ? seq->items[0] : Value::Arr(seq);
      break;
    }
    case NodeType::kParent: {
      const Value* v = env->Lookup(expr->slot->label);
      if (v) result = *v;
      break;
    }
    case NodeType::kCondition: {
      Value cond = Eval(expr->condition.get(), input, env);
      if (Truthy(cond)) {
        result = Eval(expr->then_branch.get(), input, env);
      } else if (expr->else_branch) {
        result = Eval(expr->else_branch.get(), input, env);
      }
      break;
    }
    case NodeType::kBlock: {
      auto frame = NewFrame(env);
      for (const auto& e : expr->expressions) result = Eval(e.get(), input, frame);
      break;
    }
    case NodeType::kBind: {
      result = Eval(expr->rhs.get(), input, env);
      env->Bind(expr->lhs->value, result);
      break;
    }
    case NodeType::kRegex: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kRegex;
      f->regex = expr->regex;
      result = Value::Fn(f);
      break;
    }
    case NodeType::kFunction:
      result = EvalFunction(expr, input, env, nullptr);
      break;
    case NodeType::kVariable: {
      if (expr->value.empty()) {
        result = input.is_array() && input.arr().outer_wrapper && !input.arr().items.empty()
                     ? input.arr().items[0]
                     : input;
      } else if (const Value* v = env->Lookup(expr->value)) {
        result = *v;
      } else if (const Builtin* b = FindBuiltin(expr->value)) {
        result = BuiltinValue(b);
      }
      break;
    }
    case NodeType::kLambda: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kLambda;
      f->node = expr;
      for (const auto& a : expr->arguments) f->params.push_back(a->value);
      f->body = expr->body.get();
      f->input = input;
      f->env = env;
      f->thunk = expr->thunk;
      f->signature = expr->signature;
      result = Value::Fn(f);
      break;
    }
    case NodeType::kPartial:
      result = EvalPartial(expr, input, env);
      break;
    case NodeType::kApply:
      result = EvalApplyExpr(expr, input, env);
      break;
    case NodeType::kTransform: {
      auto f = std::make_shared<Function>();
      f->kind = Function::Kind::kTransform;
      f->node = expr;
      f->env = env;
      static const auto kSig = ParseSignature("<(oa):o>");
      f->signature = kSig;
      result = Value::Fn(f);
      break;
    }
    case NodeType::kSort:
    case NodeType::kOperator:
    case NodeType::kEnd:
      break;
  }
  if (expr->has_predicate) {
    for (const auto& p : expr->predicate) result = EvalFilter(p.expr.get(), result, env);
  }
  if (expr->type != NodeType::kPath && expr->group) result = EvalGroup(*expr->group, result, env);

  if (result.is_array() && result.arr().sequence && !result.arr().tuple_stream) {
    Array& a = result.arr();
    if (expr->keep_array) a.keep_singleton = true;
    if (a.items.empty()) {
      result = Value();
    } else if (a.items.size() == 1 && !a.keep_singleton) {
      Value first = a.items[0];
      result = first;
    }
  }
  return result;
}

Value Evaluator::EvalPath(const Node* expr, const Value& input, const FramePtr& env) {
  Value input_sequence;
  if (input.is_array() && expr->steps[0]->type != NodeType::kVariable) {
    input_sequence = input;
  } else {
    input_sequence = SequenceOf(input);
  }
  Value result_sequence;
  bool is_tuple_stream = false;
  Value tuple_bindings;
  for (size_t ii = 0; ii < expr->steps.size(); ++ii) {
    const Node* step = expr->steps[ii].get();
    if (step->tuple) is_tuple_stream = true;
    if (ii == 0 && step->consarray) {
      result_sequence = Eval(step, input_sequence, env);
    } else if (is_tuple_stream) {
      tuple_bindings = EvalTupleStep(step, input_sequence, tuple_bindings, env);
    } else {
      result_sequence = EvalStep(step, input_sequence, env, ii == expr->steps.size() - 1);
    }
    if (!is_tuple_stream && EmptyOrUndefined(result_sequence)) break;
    if (step->focus.empty()) input_sequence = result_sequence;
  }
  if (is_tuple_stream) {
    if (expr->tuple) {
      result_sequence = tuple_bindings;
    } else {
      auto seq = NewSequence();
      if (tuple_bindings.is_array())
        for (const auto& t : tuple_bindings.arr().items) seq->items.push_back(TupleAt(t));
      result_sequence = Value::Arr(seq);
    }
  }
  if (expr->keep_singleton_array && result_sequence.is_array()) {
    if (result_sequence.arr().cons && !result_sequence.arr().sequence)
      result_sequence = SequenceOf(result_sequence);
    result_sequence.arr().keep_singleton = true;
  }
  if (expr->group)
    result_sequence =
        EvalGroup(*expr->group, is_tuple_stream ? tuple_bindings : result_sequence, env);
  return result_sequence;
}

Value Evaluator::EvalStep(const Node* expr, const Value& input, const FramePtr& env,
                          bool last_step) {
  if (expr->type == NodeType::kSort) {
    Value result = EvalSort(expr, input, env);
    if (expr->has_stages) result = EvalStages(expr->stages, result, env);
    return result;
  }
  std::vector<Value> results;
  // jsonata-js loops `for (i < input.length)`: an object or number input
  // (the result of a first array-constructor step with a predicate) has no
  // items, a string has its UTF-16 units.
  std::vector<Value> scratch;
  if (input.is_string()) {
    for (char32_t c : ToU32(input.str())) {
      std::string one;
      AppendUtf8(one, c);
      scratch.push_back(Value::Str(one));
    }
  }
  const std::vector<Value>& iterate = input.is_array() ? input.arr().items : scratch;
  for (const auto& item : iterate) {
    Value res = Eval(expr, item, env);
    for (const auto& stage : expr->stages)
      if (!stage.is_index) res = EvalFilter(stage.expr.get(), res, env);
    if (res.defined()) results.push_back(res);
  }
  if (last_step && results.size() == 1 && results[0].is_array() && !results[0].arr().sequence)
    return results[0];
  auto seq = NewSequence();
  for (const auto& res : results) {
    if (!res.is_array() || res.arr().cons) {
      seq->items.push_back(res);
    } else {
      for (const auto& v : res.arr().items) seq->items.push_back(v);
    }
  }
  return Value::Arr(seq);
}

Value Evaluator::EvalStages(const std::vector<Stage>& stages, Value input, const FramePtr& env) {
  Value result = std::move(input);
  for (const auto& stage : stages) {
    if (!stage.is_index) {
      result = EvalFilter(stage.expr.get(), result, env);
    } else if (result.is_array()) {
      auto& items = result.arr().items;
      for (size_t ee = 0; ee < items.size(); ++ee) {
        // jsonata-js writes into the shared tuple object.
        if (items[ee].is_object())
          items[ee].obj().Set(stage.var, Value::Num(static_cast<double>(ee)));
      }
    }
  }
  return result;
}

Value Evaluator::EvalTupleStep(const Node* expr, const Value& input, Value tuple_bindings,
                               const FramePtr& env) {
  if (expr->type == NodeType::kSort) {
    Value result;
    if (tuple_bindings.defined()) {
      result = EvalSort(expr, tuple_bindings, env);
    } else {
      Value sorted = EvalSort(expr, input, env);
      auto seq = NewSequence();
      seq->tuple_stream = true;
      std::vector<Value> scratch;
      const auto& items = ItemsOf(sorted, scratch);
      for (size_t ss = 0; ss < items.size(); ++ss) {
        auto tuple = NewObject();
        tuple->Set("@", items[ss]);
        tuple->Set(expr->index, Value::Num(static_cast<double>(ss)));
        seq->items.push_back(Value::Obj(tuple));
      }
      result = Value::Arr(seq);
    }
    if (expr->has_stages) result = EvalStages(expr->stages, result, env);
    return result;
  }
  auto result = NewSequence();
  result->tuple_stream = true;
  if (tuple_bindings.undefined()) {
    auto seq = NewArray();
    std::vector<Value> scratch;
    for (const auto& item : ItemsOf(input, scratch)) {
      auto t = NewObject();
      t->Set("@", item);
      seq->items.push_back(Value::Obj(t));
    }
    tuple_bindings = Value::Arr(seq);
  }
  std::vector<Value> scratch;
  for (const auto& binding : ItemsOf(tuple_bindings, scratch)) {
    FramePtr step_env = FrameFromTuple(env, binding);
    Value res = Eval(expr, TupleAt(binding), step_env);
    if (res.undefined()) continue;
    std::vector<Value> scratch2;
    const auto& items = ItemsOf(res, scratch2);
    bool res_tuples = res.is_tuple_stream();
    for (size_t bb = 0; bb < items.size(); ++bb) {
      auto tuple = CopyTuple(binding);
      if (res_tuples) {
        if (items[bb].is_object())
          for (const auto& [k, v] : items[bb].obj().entries) tuple->Set(k, v);
      } else {
        if (!expr->focus.empty()) {
          tuple->Set(expr->focus, items[bb]);
          tuple->Set("@", TupleAt(binding));
        } else {
          tuple->Set("@", items[bb]);
        }
        if (!expr->index.empty()) tuple->Set(expr->index, Value::Num(static_cast<double>(bb)));
        if (expr->ancestor) tuple->Set(expr->ancestor->label, TupleAt(binding));
      }
      result->items.push_back(Value::Obj(tuple));
    }
  }
  Value out = Value::Arr(result);
  if (expr->has_stages) out = EvalStages(expr->stages, out, env);
  return out;
}

Value Evaluator::EvalFilter(const Node* predicate, Value input, const FramePtr& env) {
  auto results = NewSequence();
  if (input.is_tuple_stream()) results->tuple_stream = true;
  if (!input.is_array()) input = SequenceOf(input);
  const auto& items = input.arr().items;
  if (predicate->type == NodeType::kNumber) {
    double index = std::floor(predicate->literal.number());
    if (index < 0) index += static_cast<double>(items.size());
    if (index >= 0 && index < static_cast<double>(items.size())) {
      const Value& item = items[static_cast<size_t>(index)];
      if (item.defined()) {
        if (item.is_array()) return item;
        results->items.push_back(item);
      }
    }
    return Value::Arr(results);
  }
  bool tuples = input.arr().tuple_stream;
  for (size_t index = 0; index < items.size(); ++index) {
    const Value& item = items[index];
    Value context = item;
    FramePtr e = env;
    if (tuples) {
      context = TupleAt(item);
      e = FrameFromTuple(env, item);
    }
    Value res = Eval(predicate, context, e);
    if (IsNumeric(res)) res = SequenceOf(res);
    if (IsArrayOfNumbers(res)) {
      for (const auto& r : res.arr().items) {
        double ii = std::floor(r.number());
        if (ii < 0) ii += static_cast<double>(items.size());
        if (ii == static_cast<double>(index)) results->items.push_back(item);
      }
    } else if (Truthy(res)) {
      results->items.push_back(item);
    }
  }
  return Value::Arr(results);
}

Value Evaluator::EvalBinary(const Node* expr, const Value& input, const FramePtr& env) {
  Value lhs = Eval(expr->lhs.get(), input, env);
  const std::string& op = expr->value;
  try {
    if (op == "and" || op == "or") {
      bool l = Truthy(lhs);
      if (op == "and") return Value::Bool(l && Truthy(Eval(expr->rhs.get(), input, env)));
      return Value::Bool(l || Truthy(Eval(expr->rhs.get(), input, env)));
    }
  } catch (JsonataError& e) {
    if (e.position < 0) e.position = expr->position;
    throw;
  }
  Value rhs = Eval(expr->rhs.get(), input, env);
  try {
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
      if (lhs.defined() && !IsNumeric(lhs)) Throw("T2001", expr->position, op, Describe(lhs));
      if (rhs.defined() && !IsNumeric(rhs)) Throw("T2002", expr->position, op, Describe(rhs));
      if (lhs.undefined() || rhs.undefined()) return Value();
      double a = lhs.number();
      double b = rhs.number();
      switch (op[0]) {
        case '+':
          return Value::Num(a + b);
        case '-':
          return Value::Num(a - b);
        case '*':
          return Value::Num(a * b);
        case '/':
          return Value::Num(a / b);
        default:
          return Value::Num(std::fmod(a, b));
      }
    }
    if (op == "=" || op == "!=") {
      if (lhs.undefined() || rhs.undefined()) return Value::Bool(false);
      bool eq = DeepEqual(lhs, rhs);
      return Value::Bool(op == "=" ? eq : !eq);
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      auto comparable = [](const Value& v) {
        return v.undefined() || v.is_string() || v.is_number();
      };
      if (!comparable(lhs) || !comparable(rhs)) {
        bool l_ok = lhs.is_string() || lhs.is_number();
        Throw("T2010", expr->position, op, Describe(l_ok ? rhs : lhs));
      }
      if (lhs.undefined() || rhs.undefined()) return Value();
      if (lhs.type() != rhs.type()) Throw("T2009", expr->position, op, Describe(lhs));
      int c = 0;
      if (lhs.is_number()) {
        double a = lhs.number();
        double b = rhs.number();
        if (std::isnan(a) || std::isnan(b)) return Value::Bool(false);
        c = a < b ? -1 : a > b ? 1 : 0;
      } else {
        c = CompareJs(lhs.str(), rhs.str());
        c = c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      if (op == "<") return Value::Bool(c < 0);
      if (op == "<=") return Value::Bool(c <= 0);
      if (op == ">") return Value::Bool(c > 0);
      return Value::Bool(c >= 0);
    }
    if (op == "&") {
      std::string s = lhs.defined() ? StringOf(lhs) : "";
      if (rhs.defined()) s += StringOf(rhs);
      return Value::Str(std::move(s));
    }
    if (op == "..") {
      auto is_int = [](const Value& v) {
        return v.is_number() && std::isfinite(v.number()) && v.number() == std::trunc(v.number());
      };
      if (lhs.defined() && !is_int(lhs)) Throw("T2003", expr->position, op, Describe(lhs));
      if (rhs.defined() && !is_int(rhs)) Throw("T2004", expr->position, op, Describe(rhs));
      if (lhs.undefined() || rhs.undefined()) return Value();
      double a = lhs.number();
      double b = rhs.number();
      if (a > b) return Value();
      double size = b - a + 1;
      if (size > 1e7) Throw("D2014", expr->position, op, FormatNumberJs(size));
      // A range costs its size in steps: memory stays bounded by max_steps.
      steps_ += static_cast<uint64_t>(size);
      if (steps_ > max_steps_) Throw("U1001", expr->position);
      auto seq = NewSequence();
      seq->items.reserve(static_cast<size_t>(size));
      for (double item = a; item <= b; item += 1) seq->items.push_back(Value::Num(item));
      return Value::Arr(seq);
    }
    if (op == "in") {
      if (lhs.undefined() || rhs.undefined()) return Value::Bool(false);
      std::vector<Value> scratch;
      for (const auto& item : ItemsOf(rhs, scratch)) {
        // JavaScript's ===: values for primitives, identity for the rest.
        if (item.type() != lhs.type()) continue;
        switch (item.type()) {
          case Type::kNull:
          case Type::kUndefined:
            return Value::Bool(true);
          case Type::kBool:
            if (item.boolean() == lhs.boolean()) return Value::Bool(true);
            break;
          case Type::kNumber:
            if (item.number() == lhs.number()) return Value::Bool(true);
            break;
          case Type::kString:
            if (item.str() == lhs.str()) return Value::Bool(true);
            break;
          case Type::kArray:
            if (&item.arr() == &lhs.arr()) return Value::Bool(true);
            break;
          case Type::kObject:
            if (&item.obj() == &lhs.obj()) return Value::Bool(true);
            break;
          case Type::kFunction:
            if (&item.fn() == &lhs.fn()) return Value::Bool(true);
            break;
        }
      }
      return Value::Bool(false);
    }
  } catch (JsonataError& e) {
    if (e.position < 0) e.position = expr->position;
    throw;
  }
  return Value();
}

Value Evaluator::EvalUnary(const Node* expr, const Value& input, const FramePtr& env) {
  if (expr->value == "-") {
    Value v = Eval(expr->expression.get(), input, env);
    if (v.undefined()) return Value();
    if (IsNumeric(v)) return Value::Num(-v.number());
    Throw("D1002", expr->position, "-", Describe(v));
  }
  if (expr->value == "[") {
    Value result = Value::Arr(NewArray());
    for (const auto& item : expr->expressions) {
      Value value = Eval(item.get(), input, env);
      if (value.undefined()) continue;
      if (item->value == "[") {
        result.arr().items.push_back(value);
      } else {
        result = Append(result, value);
      }
    }
    if (expr->consarray) result.arr().cons = true;
    return result;
  }
  if (expr->value == "{") {
    Group g;
    g.pairs = expr->pairs;
    g.position = expr->position;
    return EvalGroup(g, input, env);
  }
  return Value();
}

// Whether every key of an object constructor is a string literal that is
// not an array index ("1"): then the keys' order is the written one.
static bool PlainLiteralKeys(const Group& group) {
  for (const auto& [key, value] : group.pairs) {
    if (key->type != NodeType::kString || !key->literal.is_string()) return false;
    const std::string& k = key->literal.str();
    if (!k.empty() && k[0] >= '0' && k[0] <= '9') return false;
  }
  return true;
}

Value Evaluator::EvalGroup(const Group& group, Value input, const FramePtr& env) {
  if (!input.is_array() && PlainLiteralKeys(group)) {
    // The common object constructor, {"a": expr, ...} on one value: no
    // grouping to do, the same result as below without its bookkeeping.
    for (size_t i = 0; i < group.pairs.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (group.pairs[i].first->literal.str() == group.pairs[j].first->literal.str())
          Throw("D1009", group.position, "", Describe(group.pairs[i].first->literal));
    auto result = NewObject();
    result->entries.reserve(group.pairs.size());
    for (const auto& [key, expr] : group.pairs) {
      Value value = Eval(expr.get(), input, env);
      if (value.defined()) result->Set(key->literal.str(), std::move(value));
    }
    return Value::Obj(result);
  }
  bool reduce = input.is_tuple_stream();
  std::vector<Value> items;
  if (input.is_array()) {
    items = input.arr().items;
  } else {
    items.push_back(input);
  }
  if (items.empty()) items.emplace_back();
  struct Entry {
    Value data;
    size_t expr_index;
  };
  std::vector<Entry> entries;
  auto order = NewObject();  // key -> entry index, in JS key order
  for (const auto& item : items) {
    FramePtr e = reduce ? FrameFromTuple(env, item) : env;
    for (size_t pair_index = 0; pair_index < group.pairs.size(); ++pair_index) {
      Value key = Eval(group.pairs[pair_index].first.get(), reduce ? TupleAt(item) : item, e);
      if (key.undefined()) continue;
      if (!key.is_string()) Throw("T1003", group.position, "", Describe(key));
      const Value* at = order->Find(key.str());
      if (at) {
        Entry& entry = entries[static_cast<size_t>(at->number())];
        if (entry.expr_index != pair_index) Throw("D1009", group.position, "", Describe(key));
        entry.data = Append(entry.data, item);
      } else {
        order->Set(key.str(), Value::Num(static_cast<double>(entries.size())));
        entries.push_back({item, pair_index});
      }
    }
  }
  auto result = NewObject();
  for (const auto& [key, idx] : order->entries) {
    Entry& entry = entries[static_cast<size_t>(idx.number())];
    Value context = entry.data;
    FramePtr e = env;
    if (reduce) {
      // reduceTupleStream: merge the tuples' bindings, appending values.
      ObjectPtr tuple;
      if (entry.data.is_array()) {
        tuple = NewObject();
        const auto& ts = entry.data.arr().items;
        if (!ts.empty()) tuple = CopyTuple(ts[0]);
        for (size_t ii = 1; ii < ts.size(); ++ii) {
          if (!ts[ii].is_object()) continue;
          for (const auto& [k, v] : ts[ii].obj().entries) {
            const Value* prev = tuple->Find(k);
            tuple->Set(k, Append(prev ? *prev : Value(), v));
          }
        }
      } else {
        tuple = CopyTuple(entry.data);
      }
      const Value* at = tuple->Find("@");
      context = at ? *at : Value();
      tuple->Erase("@");
      e = FrameFromTuple(env, Value::Obj(tuple));
    }
    Value value = Eval(group.pairs[entry.expr_index].second.get(), context, e);
    if (value.defined()) result->Set(key, value);
  }
  return Value::Obj(result);
}

Value Evaluator::EvalSort(const Node* expr, const Value& input, const FramePtr& env) {
  if (input.undefined()) return input;
  if (!input.is_array() || input.arr().items.size() <= 1) return input;
  bool tuple_sort = input.is_tuple_stream();
  auto greater = [&](const Value& a, const Value& b) {
    int comp = 0;
    for (size_t index = 0; comp == 0 && index < expr->terms.size(); ++index) {
      const SortTerm& term = expr->terms[index];
      Value aa = tuple_sort ? Eval(term.expr.get(), TupleAt(a), FrameFromTuple(env, a))
                            : Eval(term.expr.get(), a, env);
      Value bb = tuple_sort ? Eval(term.expr.get(), TupleAt(b), FrameFromTuple(env, b))
                            : Eval(term.expr.get(), b, env);
      if (aa.undefined()) {
        comp = bb.undefined() ? 0 : 1;
        continue;
      }
      if (bb.undefined()) {
        comp = -1;
        continue;
      }
      bool a_ok = aa.is_string() || aa.is_number();
      bool b_ok = bb.is_string() || bb.is_number();
      if (!a_ok || !b_ok) Throw("T2008", expr->position, "", Describe(!a_ok ? aa : bb));
      if (aa.type() != bb.type()) Throw("T2007", expr->position, "", Describe(aa));
      bool less = false;
      bool equal = false;
      if (aa.is_number()) {
        equal = aa.number() == bb.number();
        less = aa.number() < bb.number();
      } else {
        equal = aa.str() == bb.str();
        less = CompareJs(aa.str(), bb.str()) < 0;
      }
      if (equal) continue;
      comp = less ? -1 : 1;
      if (term.descending) comp = -comp;
    }
    return comp == 1;
  };
  auto out = NewArray();
  out->items = MergeSort(input.arr().items, greater);
  return Value::Arr(out);
}

}  // namespace weft::asl::jsonata::detail
