// src/asl/jsonata_fn_array.cc: JSONata's array, object and higher-order
// functions (functions.js): $map, $filter, $reduce, $sort, $keys, $merge...
#include <cmath>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

// JavaScript truthiness (what `if (await comp(a, b))` tests in fn.sort).
bool JsTruthy(const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
    case Type::kNull:
      return false;
    case Type::kBool:
      return v.boolean();
    case Type::kNumber:
      return v.number() != 0 && !std::isnan(v.number());
    case Type::kString:
      return !v.str().empty();
    default:
      return true;
  }
}

Value Index(size_t i) { return Value::Num(static_cast<double>(i)); }

Value FnMap(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  auto result = NewSequence();
  const Value arr = args[0];
  const auto& items = arr.arr().items;
  for (size_t i = 0; i < items.size(); ++i) {
    Value res = ev.CallbackArgs(args[1], {items[i], Index(i), arr});
    if (res.defined()) result->items.push_back(res);
  }
  return Value::Arr(result);
}

Value FnFilter(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  auto result = NewSequence();
  const Value arr = args[0];
  const auto& items = arr.arr().items;
  for (size_t i = 0; i < items.size(); ++i) {
    Value res = ev.CallbackArgs(args[1], {items[i], Index(i), arr});
    if (Truthy(res)) result->items.push_back(items[i]);
  }
  return Value::Arr(result);
}

Value FnSingle(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const Value arr = args[0];
  const auto& items = arr.arr().items;
  bool found = false;
  Value result;
  for (size_t i = 0; i < items.size(); ++i) {
    bool positive = true;
    if (Arg(args, 1).defined())
      positive = Truthy(ev.CallbackArgs(args[1], {items[i], Index(i), arr}));
    if (!positive) continue;
    if (found) Throw("D3138", -1);
    result = items[i];
    found = true;
  }
  if (!found) Throw("D3139", -1);
  return result;
}

Value FnZip(Evaluator&, std::vector<Value>& args, const Value&) {
  auto result = NewArray();
  if (args.empty()) return Value::Arr(result);
  size_t length = SIZE_MAX;
  for (const auto& a : args) length = std::min(length, a.is_array() ? a.arr().items.size() : 0);
  for (size_t i = 0; i < length; ++i) {
    auto tuple = NewArray();
    for (const auto& a : args) tuple->items.push_back(a.arr().items[i]);
    result->items.push_back(Value::Arr(tuple));
  }
  return Value::Arr(result);
}

Value FnReduce(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const Value seq = args[0];
  const auto& items = seq.arr().items;
  const Value& func = args[1];
  int arity = func.fn().Arity();
  if (arity < 2)
    ThrowArg(
        "D3050",
        "The second argument of reduce function must be a function with at least two arguments");
  Value result;
  size_t index = 0;
  if (Arg(args, 2).undefined() && !items.empty()) {
    result = items[0];
    index = 1;
  } else {
    result = Arg(args, 2);
  }
  for (; index < items.size(); ++index) {
    std::vector<Value> call{result, items[index]};
    if (arity >= 3) call.push_back(Index(index));
    if (arity >= 4) call.push_back(seq);
    result = ev.Apply(func, std::move(call), Value::Null(), nullptr);
  }
  return result;
}

void KeysInto(const Value& arg, ObjectPtr& merged) {
  NestingGuard guard;
  if (arg.is_array()) {
    for (const auto& item : arg.arr().items) KeysInto(item, merged);
  } else if (arg.is_object()) {
    for (const auto& [k, v] : arg.obj().entries) merged->Set(k, Value::Bool(true));
  }
}

Value FnKeys(Evaluator&, std::vector<Value>& args, const Value&) {
  auto merged = NewObject();
  KeysInto(Arg(args, 0), merged);
  auto result = NewSequence();
  for (const auto& [k, v] : merged->entries) result->items.push_back(Value::Str(k));
  return Value::Arr(result);
}

Value FnLookup(Evaluator&, std::vector<Value>& args, const Value&) {
  // fn.lookup(input, undefined) reads the member "undefined", as JavaScript.
  return Lookup(Arg(args, 0), Arg(args, 1).is_string() ? args[1].str() : "undefined");
}

Value FnAppend(Evaluator&, std::vector<Value>& args, const Value&) {
  return Append(Arg(args, 0), Arg(args, 1));
}

Value FnExists(Evaluator&, std::vector<Value>& args, const Value&) {
  return Value::Bool(Arg(args, 0).defined());
}

Value Spread(const Value& arg) {
  NestingGuard guard;
  if (arg.is_array()) {
    Value result = Value::Arr(NewSequence());
    for (const auto& item : arg.arr().items) result = Append(result, Spread(item));
    return result;
  }
  if (arg.is_object()) {
    auto result = NewSequence();
    for (const auto& [k, v] : arg.obj().entries) {
      auto one = NewObject();
      one->Set(k, v);
      result->items.push_back(Value::Obj(one));
    }
    return Value::Arr(result);
  }
  return arg;
}

Value FnSpread(Evaluator&, std::vector<Value>& args, const Value&) { return Spread(Arg(args, 0)); }

Value FnMerge(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  auto result = NewObject();
  for (const auto& obj : args[0].arr().items)
    if (obj.is_object())
      for (const auto& [k, v] : obj.obj().entries) result->Set(k, v);
  return Value::Obj(result);
}

Value FnReverse(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (args[0].arr().items.size() <= 1) return args[0];
  auto result = NewArray();
  result->items.assign(args[0].arr().items.rbegin(), args[0].arr().items.rend());
  return Value::Arr(result);
}

Value FnEach(Evaluator& ev, std::vector<Value>& args, const Value&) {
  auto result = NewSequence();
  const Value obj = Arg(args, 0);
  if (!obj.is_object()) return Value::Arr(result);
  auto entries = obj.obj().entries;
  for (const auto& [k, v] : entries) {
    Value val = ev.CallbackArgs(args[1], {v, Value::Str(k), obj});
    if (val.defined()) result->items.push_back(val);
  }
  return Value::Arr(result);
}

Value FnSift(Evaluator& ev, std::vector<Value>& args, const Value&) {
  const Value obj = Arg(args, 0);
  auto result = NewObject();
  if (obj.is_object()) {
    auto entries = obj.obj().entries;
    for (const auto& [k, v] : entries) {
      Value res = ev.CallbackArgs(args[1], {v, Value::Str(k), obj});
      if (Truthy(res)) result->Set(k, v);
    }
  }
  if (result->size() == 0) return Value();
  return Value::Obj(result);
}

Value FnType(Evaluator&, std::vector<Value>& args, const Value&) {
  const Value& v = Arg(args, 0);
  if (v.undefined()) return Value();
  if (v.is_number()) {
    IsNumeric(v);  // D1001 for an infinite number, as jsonata-js
    if (std::isnan(v.number())) return Value::Str("object");
  }
  return Value::Str(TypeName(v));
}

Value FnSort(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const auto& items = args[0].arr().items;
  if (items.size() <= 1) return args[0];
  std::vector<Value> out;
  if (Arg(args, 1).undefined()) {
    bool numbers = IsArrayOfNumbers(args[0]);
    if (!numbers && !IsArrayOfStrings(args[0]))
      ThrowArg("D3070",
               "The single argument form of the sort function can only be applied to an array of "
               "strings or an array of numbers.  Use the second argument to specify a comparison "
               "function");
    auto greater = [&](const Value& a, const Value& b) {
      return numbers ? a.number() > b.number() : CompareJs(a.str(), b.str()) > 0;
    };
    out = items;
    std::stable_sort(out.begin(), out.end(),
                     [&](const Value& a, const Value& b) { return greater(b, a); });
  } else {
    const Value comparator = args[1];
    // jsonata's merge sort, so that the comparator sees the same pairs.
    std::function<std::vector<Value>(std::vector<Value>)> msort =
        [&](std::vector<Value> array) -> std::vector<Value> {
      if (array.size() <= 1) return array;
      size_t middle = array.size() / 2;
      std::vector<Value> left =
          msort(std::vector<Value>(array.begin(), array.begin() + static_cast<ptrdiff_t>(middle)));
      std::vector<Value> right =
          msort(std::vector<Value>(array.begin() + static_cast<ptrdiff_t>(middle), array.end()));
      std::vector<Value> merged;
      size_t l = 0;
      size_t r = 0;
      while (l < left.size() && r < right.size()) {
        if (JsTruthy(ev.Apply(comparator, {left[l], right[r]}, Value::Null(), nullptr))) {
          merged.push_back(right[r++]);
        } else {
          merged.push_back(left[l++]);
        }
      }
      merged.insert(merged.end(), left.begin() + static_cast<ptrdiff_t>(l), left.end());
      merged.insert(merged.end(), right.begin() + static_cast<ptrdiff_t>(r), right.end());
      return merged;
    };
    out = msort(items);
  }
  auto result = NewArray();
  result->items = std::move(out);
  return Value::Arr(result);
}

Value FnShuffle(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const auto& items = args[0].arr().items;
  if (items.size() <= 1) return args[0];
  std::vector<Value> result(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto j =
        static_cast<size_t>(std::floor(ev.environment().Random() * static_cast<double>(i + 1)));
    if (j > i) j = i;
    if (i != j) result[i] = result[j];
    result[j] = items[i];
  }
  auto out = NewArray();
  out->items = std::move(result);
  return Value::Arr(out);
}

Value FnDistinct(Evaluator&, std::vector<Value>& args, const Value&) {
  const Value& arr = Arg(args, 0);
  if (arr.undefined()) return Value();
  if (!arr.is_array() || arr.arr().items.size() <= 1) return arr;
  auto results = arr.arr().sequence ? NewSequence() : NewArray();
  for (const auto& value : arr.arr().items) {
    bool includes = false;
    for (const auto& r : results->items) {
      if (DeepEqual(value, r)) {
        includes = true;
        break;
      }
    }
    if (!includes) results->items.push_back(value);
  }
  return Value::Arr(results);
}

Value FnClone(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Clone(args[0]);
}

}  // namespace

void AddArrayFunctions(std::vector<Builtin>& out) {
  out.insert(out.end(), {
                            {"map", "<af>", FnMap, 2, nullptr},
                            {"zip", "<a+>", FnZip, 0, nullptr},
                            {"filter", "<af>", FnFilter, 2, nullptr},
                            {"single", "<af?>", FnSingle, 2, nullptr},
                            {"reduce", "<afj?:j>", FnReduce, 3, nullptr},
                            {"sift", "<o-f?:o>", FnSift, 2, nullptr},
                            {"keys", "<x-:a<s>>", FnKeys, 1, nullptr},
                            {"lookup", "<x-s:x>", FnLookup, 2, nullptr},
                            {"append", "<xx:a>", FnAppend, 2, nullptr},
                            {"exists", "<x:b>", FnExists, 1, nullptr},
                            {"spread", "<x-:a<o>>", FnSpread, 1, nullptr},
                            {"merge", "<a<o>:o>", FnMerge, 1, nullptr},
                            {"reverse", "<a:a>", FnReverse, 1, nullptr},
                            {"each", "<o-f:a>", FnEach, 2, nullptr},
                            {"type", "<x:s>", FnType, 1, nullptr},
                            {"sort", "<af?:a>", FnSort, 2, nullptr},
                            {"shuffle", "<a:a>", FnShuffle, 1, nullptr},
                            {"distinct", "<x:x>", FnDistinct, 1, nullptr},
                            {"clone", "<(oa)-:o>", FnClone, 1, nullptr},
                        });
}

}  // namespace weft::asl::jsonata::detail
