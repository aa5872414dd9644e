// src/asl/jsonata_internal.h: the pieces of the JSONata implementation
// (internal to the jsonata_*.cc files).
//
// The structure follows jsonata-js 2.0.6 (parser.js, jsonata.js,
// functions.js) so that its behaviour can be checked line by line: a Pratt
// parser whose tree is post-processed into path steps, and an evaluator over
// JavaScript-like values with jsonata's sequence flags.
//
// Errors travel inside the implementation as a thrown JsonataError (every
// node of a deep recursion may fail; jsonata-js itself throws). They never
// leave it: Expression::Compile and Evaluate catch them and return values.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "asl/jsonata.h"

namespace weft::asl::jsonata::detail {

struct JsonataError {
  std::string code;
  int64_t position = -1;
  std::string message;
};

// Throws the error `code` with jsonata's message template filled in:
// {{token}} with `token` quoted, {{value}} with `value_json` (JSON text).
[[noreturn]] void Throw(std::string code, int64_t position, std::string token = {},
                        std::string value_json = {});
std::string_view MessageTemplate(std::string_view code);  // jsonata_messages.cc

struct Array;
struct Object;
struct Function;
using ArrayPtr = std::shared_ptr<Array>;
using ObjectPtr = std::shared_ptr<Object>;
using FunctionPtr = std::shared_ptr<Function>;

enum class Type : uint8_t {
  kUndefined,
  kNull,
  kBool,
  kNumber,
  kString,
  kArray,
  kObject,
  kFunction
};

// A JavaScript value as jsonata sees it. Arrays, objects and functions are
// shared (as JS references are); strings are UTF-8.
class Value {
 public:
  Value() = default;  // undefined
  static Value Null() { return Value(Rep(nullptr)); }
  static Value Bool(bool b) { return Value(Rep(b)); }
  static Value Num(double d) { return Value(Rep(d)); }
  static Value Str(std::string s) { return Value(Rep(std::move(s))); }
  static Value Arr(ArrayPtr a) { return Value(Rep(std::move(a))); }
  static Value Obj(ObjectPtr o) { return Value(Rep(std::move(o))); }
  static Value Fn(FunctionPtr f) { return Value(Rep(std::move(f))); }

  Type type() const { return static_cast<Type>(rep_.index()); }
  bool undefined() const { return type() == Type::kUndefined; }
  bool defined() const { return !undefined(); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }
  bool is_function() const { return type() == Type::kFunction; }

  bool boolean() const { return std::get<bool>(rep_); }
  double number() const { return std::get<double>(rep_); }
  const std::string& str() const { return std::get<std::string>(rep_); }
  Array& arr() const { return *std::get<ArrayPtr>(rep_); }
  const ArrayPtr& arr_ptr() const { return std::get<ArrayPtr>(rep_); }
  Object& obj() const { return *std::get<ObjectPtr>(rep_); }
  const ObjectPtr& obj_ptr() const { return std::get<ObjectPtr>(rep_); }
  Function& fn() const { return *std::get<FunctionPtr>(rep_); }

  // jsonata's sequence flags, false for anything but an array.
  bool is_sequence() const;
  bool is_tuple_stream() const;

  // The shared array, object or function this value holds (moved out,
  // leaving undefined), or null: for destroying deep structures without
  // recursion (Bury).
  std::shared_ptr<void> TakeShared();

 private:
  using Rep = std::variant<std::monostate, std::nullptr_t, bool, double, std::string, ArrayPtr,
                           ObjectPtr, FunctionPtr>;
  explicit Value(Rep r) : rep_(std::move(r)) {}
  Rep rep_;
};

// Values nest without limit (a list built by $reduce may be 100,000 arrays
// deep); destroying one must not recurse as deep. Destructors hand the
// shared parts they own to Bury, which releases them one at a time.
void Bury(std::shared_ptr<void> p);
void BuryValues(std::vector<Value>& values);

// Recursive helpers over values (equality, cloning, JSON) refuse nesting
// deeper than this with U1001 instead of overflowing the stack.
constexpr int kMaxValueNesting = 2000;
class NestingGuard {
 public:
  NestingGuard();
  ~NestingGuard();
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;
};

// Whether `k` is a JavaScript array index ("0" .. "4294967294"): objects
// list such keys first, in ascending order (`out` receives the number).
bool IsIndexKey(std::string_view k, uint64_t* out);

struct Array {
  ~Array() { BuryValues(items); }
  std::vector<Value> items;
  bool sequence = false;  // a result sequence, not an array value
  bool keep_singleton = false;
  bool outer_wrapper = false;
  bool tuple_stream = false;
  bool cons = false;  // built by an array constructor: never flattened
};

// A JS object: members in JavaScript's order (integer-like keys first,
// ascending; then the others in insertion order).
struct Object {
  Object() = default;
  Object(const Object&) = default;
  Object& operator=(const Object&) = default;
  ~Object() {
    for (auto& e : entries) Bury(e.second.TakeShared());
  }
  std::vector<std::pair<std::string, Value>> entries;
  const Value* Find(std::string_view key) const;
  void Set(const std::string& key, Value v);
  void Erase(std::string_view key);
  size_t size() const { return entries.size(); }

 private:
  void Reindex();
  std::unordered_map<std::string, size_t> index_;
  size_t int_keys_ = 0;
};

inline ArrayPtr NewArray() { return std::make_shared<Array>(); }
inline ArrayPtr NewSequence() {
  auto a = std::make_shared<Array>();
  a->sequence = true;
  return a;
}
Value SequenceOf(Value v);  // createSequence(v): [v], also for undefined
inline ObjectPtr NewObject() { return std::make_shared<Object>(); }

// ---- Syntax tree ----

enum class NodeType : uint8_t {
  kPath,
  kBinary,
  kUnary,
  kName,
  kString,
  kNumber,
  kValue,
  kWildcard,
  kDescendant,
  kParent,
  kCondition,
  kBlock,
  kBind,
  kRegex,
  kFunction,
  kVariable,
  kLambda,
  kPartial,
  kApply,
  kTransform,
  kSort,
  kOperator,  // a token used as an operand: '?' in partial application
  kEnd,
};

struct Node;
using NodePtr = std::shared_ptr<Node>;

// A '%' (parent) reference, resolved to a step of an enclosing path.
struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};
using SlotPtr = std::shared_ptr<Slot>;

struct Stage {
  bool is_index = false;  // '#$var' after a predicate; else a filter
  NodePtr expr;
  std::string var;
  int64_t position = 0;
};

struct SortTerm {
  bool descending = false;
  NodePtr expr;
};

struct Group {
  std::vector<std::pair<NodePtr, NodePtr>> pairs;
  int64_t position = 0;
};

// A function signature such as "<s-nn?:s>" (jsonata's signature.js).
struct Signature {
  struct Param {
    char type = 0;  // s n b l o a f j x or '(' for a choice
    std::string regex;
    bool context = false;
    std::string context_regex;
    std::string subtype;
  };
  std::string definition;
  std::vector<Param> params;
  std::regex regex;
  // Checks and completes `args` (context for '-' parameters); throws T0410,
  // T0411, T0412.
  std::vector<Value> Validate(const std::vector<Value>& args, const Value& context) const;
};
std::shared_ptr<const Signature> ParseSignature(std::string_view text);

struct RegexLiteral {
  std::string source;                     // the pattern, as written
  std::string flags;                      // "i", "m" (jsonata adds "g")
  std::shared_ptr<const std::wregex> re;  // over code points (wchar_t is UTF-32)
};

struct Node {
  NodeType type = NodeType::kEnd;
  std::string id;     // the parser's symbol ("(name)", "+", ...)
  std::string value;  // operator, name, variable name, string literal
  Value literal;      // string, number and value (true/false/null) literals
  int64_t position = 0;

  NodePtr lhs, rhs, expression, condition, then_branch, else_branch, procedure, body, pattern,
      update, deletion;
  std::vector<NodePtr> expressions;                // block, array constructor
  std::vector<NodePtr> steps;                      // path
  std::vector<NodePtr> arguments;                  // function, partial, lambda (variables)
  std::vector<std::pair<NodePtr, NodePtr>> pairs;  // object constructor
  std::vector<SortTerm> terms;                     // sort
  std::vector<Stage> stages;                       // predicates of a path step
  std::vector<Stage> predicate;                    // predicates of a non-step
  bool has_stages = false;
  bool has_predicate = false;
  std::shared_ptr<Group> group;
  std::string focus;  // '@$var'
  std::string index;  // '#$var'
  SlotPtr ancestor;   // a step whose input a '%' refers to
  SlotPtr slot;       // a '%' node
  std::vector<SlotPtr> seeking_parent;
  bool has_seeking_parent = false;
  bool keep_array = false;
  bool keep_singleton_array = false;
  bool consarray = false;
  bool tuple = false;
  bool thunk = false;  // a lambda made for a tail call
  std::shared_ptr<const Signature> signature;
  std::shared_ptr<const RegexLiteral> regex;
};

// ---- Tokenizer (jsonata_lexer.cc) ----

// Characters that end a name: the operators, and '!' and '~'.
bool IsOperatorChar(char c);

struct Token {
  enum class Kind : uint8_t { kOperator, kString, kNumber, kValue, kName, kVariable, kRegex, kEnd };
  Kind kind = Kind::kEnd;
  std::string value;
  Value literal;
  std::shared_ptr<const RegexLiteral> regex;
  int64_t position = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view path) : path_(path) {}

  // The next token; `infix`: after an operand, where '/' divides (else it
  // starts a regex). Throws JsonataError (S01xx, S03xx).
  Token Next(bool infix);

 private:
  char At(size_t i) const { return i < path_.size() ? path_[i] : '\0'; }
  Token Make(Token::Kind k, std::string v) {
    Token t;
    t.kind = k;
    t.value = std::move(v);
    t.position = static_cast<int64_t>(pos_);
    return t;
  }
  Token Op(std::string v) { return Make(Token::Kind::kOperator, std::move(v)); }
  Token End() { return Make(Token::Kind::kEnd, ""); }

  Token ScanRegex();
  Token ScanString(char quote);
  std::optional<Token> ScanNumber();

  std::string_view path_;
  size_t pos_ = 0;
};

// Parses and post-processes `text`; throws JsonataError (S0xxx).
NodePtr Parse(std::string_view text);

// ---- Evaluation ----

struct Frame;
using FramePtr = std::shared_ptr<Frame>;

struct Frame {
  ~Frame() {
    Bury(std::move(parent));
    for (auto& v : vars) Bury(v.second.TakeShared());
  }
  FramePtr parent;
  std::vector<std::pair<std::string, Value>> vars;
  void Bind(const std::string& name, Value v);
  const Value* Lookup(std::string_view name) const;
};

class Evaluator;

// A built-in function: `args` are validated against the signature.
using BuiltinImpl = Value (*)(Evaluator& ev, std::vector<Value>& args, const Value& input);
struct Builtin {
  std::string_view name;
  std::string_view signature;
  BuiltinImpl impl;
  int arity;  // declared parameters (for the arity jsonata passes to callbacks)
  std::shared_ptr<const Signature> sig;
};
const Builtin* FindBuiltin(std::string_view name);
// The built-ins, by kind (jsonata_fn_*.cc).
void AddStringFunctions(std::vector<Builtin>& out);
void AddNumericFunctions(std::vector<Builtin>& out);
void AddArrayFunctions(std::vector<Builtin>& out);  // arrays, objects, higher-order
void AddDateTimeFunctions(std::vector<Builtin>& out);
void AddStepFunctionsFunctions(std::vector<Builtin>& out);
// The items of an array, or the value alone (in `scratch`).
inline const std::vector<Value>& ItemsOf(const Value& v, std::vector<Value>& scratch) {
  if (v.is_array()) return v.arr().items;
  scratch.assign(1, v);
  return scratch;
}
// Argument `i` after validation (undefined when absent).
// A typed parameter may still be undefined (signatures accept "missing").
inline const Value& Arg(const std::vector<Value>& args, size_t i) {
  static const Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}
// A number argument as JavaScript sees it: undefined is NaN.
inline double Num(const Value& v) { return v.is_number() ? v.number() : std::nan(""); }

struct Function {
  enum class Kind : uint8_t { kLambda, kBuiltin, kPartialBuiltin, kRegex, kTransform, kChain };
  Kind kind = Kind::kLambda;
  // kLambda (also a partially applied lambda): parameters, body, closure.
  const Node* node = nullptr;  // the lambda (or transform) node
  std::vector<std::string> params;
  const Node* body = nullptr;
  Value input;
  FramePtr env;
  bool thunk = false;
  std::shared_ptr<const Signature> signature;
  // kBuiltin / kPartialBuiltin
  const Builtin* builtin = nullptr;
  std::vector<Value> bound;          // kPartialBuiltin: arguments, placeholders undefined
  std::vector<bool> is_placeholder;  // kPartialBuiltin
  // kRegex; with a subject, the `next` of a match: the next match from
  // `regex_from`.
  std::shared_ptr<const RegexLiteral> regex;
  std::optional<std::string> regex_subject;
  size_t regex_from = 0;
  // kChain: g(f(x))
  Value first, second;

  int Arity() const;
  Function() = default;
  Function(const Function&) = default;
  ~Function() {
    Bury(std::move(env));
    Bury(input.TakeShared());
    Bury(first.TakeShared());
    Bury(second.TakeShared());
    BuryValues(bound);
  }
};

// One evaluation: the clock reading, the random source and the limits.
class Evaluator {
 public:
  Evaluator(Environment& env, uint64_t max_steps, size_t max_stack, const char* stack_base);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Frames are made here so that the evaluator can break the cycles
  // closures make when it ends.
  FramePtr NewFrame(const FramePtr& parent);
  FramePtr FrameFromTuple(const FramePtr& env, const Value& tuple);

  Value Eval(const Node* expr, const Value& input, const FramePtr& env);
  // Calls `proc` (a function value) with `args` (jsonata's apply()).
  Value Apply(const Value& proc, std::vector<Value> args, const Value& input, const FramePtr& env);
  // Calls a function argument of a higher-order built-in with as many of
  // `args` as it declares (jsonata's hofFuncArgs()).
  Value CallbackArgs(const Value& func, const std::vector<Value>& args);

  Environment& environment() { return env_; }
  int64_t NowMillis();
  void CheckStack();

 private:
  Value EvalPath(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalStep(const Node* expr, const Value& input, const FramePtr& env, bool last_step);
  Value EvalStages(const std::vector<Stage>& stages, Value input, const FramePtr& env);
  Value EvalTupleStep(const Node* expr, const Value& input, Value tuple_bindings,
                      const FramePtr& env);
  Value EvalFilter(const Node* predicate, Value input, const FramePtr& env);
  Value EvalBinary(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalUnary(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalGroup(const Group& group, Value input, const FramePtr& env);
  Value EvalSort(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalFunction(const Node* expr, const Value& input, const FramePtr& env,
                     const Value* apply_to);
  Value EvalPartial(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalApplyExpr(const Node* expr, const Value& input, const FramePtr& env);
  Value EvalTransform(const Node* expr, const Value& input, const FramePtr& env);
  Value ApplyInner(const Value& proc, std::vector<Value> args, const Value& input,
                   const FramePtr& env);
  Value ApplyTransform(const Function& f, std::vector<Value>& args);

  Environment& env_;
  uint64_t max_steps_;
  uint64_t steps_ = 0;
  ptrdiff_t max_stack_;
  const char* stack_base_;
  std::vector<std::weak_ptr<Frame>> frames_;
  size_t compact_at_ = 1024;
  std::optional<int64_t> now_;
};

// ---- Shared helpers (jsonata_value.cc) ----

std::string FormatNumberJs(double d);  // Number.prototype.toString
bool IsNumeric(const Value& v);        // a finite number
bool IsArrayOfStrings(const Value& v);
bool IsArrayOfNumbers(const Value& v);
bool DeepEqual(const Value& a, const Value& b);
bool Truthy(const Value& v, bool* defined = nullptr);  // $boolean; undefined -> false
Value Boolean(const Value& v);                         // $boolean, undefined stays undefined
Value Lookup(const Value& input, const std::string& key);
Value Append(const Value& a, const Value& b);
Value Flatten(const Value& v);
Value Clone(const Value& v);
// $string: JSON with numbers to 15 significant digits; strings unchanged.
std::string StringOf(const Value& v, bool pretty = false);
// JSON.stringify of a value, with jsonata's replacer (functions -> "").
std::string JsonOf(const Value& v, bool pretty, bool round15);
std::string TypeName(const Value& v);  // for error messages
std::string Describe(const Value& v);  // for error messages

Value FromJson(const json::value& v);
// A JSONata number as JSON: null when not finite, an integer when integral
// and within 2^53 (as JSON.stringify prints it), else a double.
json::value NumberJson(double d);
// undefined -> nullopt; functions become as JSON.stringify treats them.
std::optional<json::value> ToJson(const Value& v);

// UTF-8 <-> code points / UTF-16 (JavaScript strings are UTF-16).
// `offsets`, if given, receives the byte offset where each code point
// starts (invalid UTF-8 decodes to U+FFFD, one per bad byte).
std::u32string ToU32(std::string_view s, std::vector<size_t>* offsets = nullptr);
std::string FromU32(std::u32string_view s);
void AppendUtf8(std::string& out, char32_t c);
size_t Utf16Length(std::string_view s);
// <0, 0, >0 as JavaScript compares strings (by UTF-16 code units).
int CompareJs(std::string_view a, std::string_view b);
// Byte offset of UTF-8 `s` to UTF-16 offset.
size_t Utf16Offset(std::string_view s, size_t byte_offset);

// ---- Regular expressions (jsonata_regex.cc) ----

struct RegexMatch {
  std::string match;
  size_t start = 0;  // byte offsets
  size_t end = 0;
  std::vector<Value> groups;  // strings; unmatched groups are ""
};
std::shared_ptr<const std::wregex> CompileRegex(const std::string& source, const std::string& flags,
                                                int64_t position);
// All non-overlapping matches of `re` in `s` (at most `limit`; -1 for all).
std::vector<RegexMatch> RegexAll(const RegexLiteral& re, const std::string& s, int64_t limit);
// The object a regex function returns ({match, start, end, groups, next}),
// matching from byte `from`; `is_next`: a later match (D1004 if empty).
Value RegexCall(const std::shared_ptr<const RegexLiteral>& re, const std::string& s, size_t from,
                bool is_next);

// Argument helpers for built-ins.
[[noreturn]] void ThrowArg(std::string code, const std::string& message);

}  // namespace weft::asl::jsonata::detail
