// src/asl/jsonata.cc: Expression::Compile and Evaluate, the table of
// built-in functions and the system Environment.
#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata {

using detail::JsonataError;

// An expression that is only a path of names from a variable or the input
// ("$states.input.order.id", "Account.Name"): evaluated on the JSON itself,
// without converting it to JSONata's values and back. That is most of what
// Step Functions definitions say.
struct SimplePath {
  std::optional<std::string> variable;  // unset: from the input
  std::vector<std::string> names;
};

struct Expression::Impl {
  std::string text;
  detail::NodePtr ast;
  std::vector<std::string> variables;  // every $name the tree reads, once each
  std::optional<SimplePath> simple_path;
};

namespace {

class SystemEnv final : public Environment {
 public:
  int64_t NowMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  double Random() override {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  }
};

Error ToError(const JsonataError& e) { return Error{e.code, e.position, e.message}; }

// Calls `visit` with each child of `n` (its steps from `first_step` on).
template <class Visit>
void ForEachChild(const detail::Node& n, Visit visit, size_t first_step = 0) {
  auto push = [&visit](const detail::NodePtr& c) {
    if (c) visit(c.get());
  };
  for (const auto* p : {&n.lhs, &n.rhs, &n.expression, &n.condition, &n.then_branch, &n.else_branch,
                        &n.procedure, &n.body, &n.pattern, &n.update, &n.deletion})
    push(*p);
  for (const auto& c : n.expressions) push(c);
  for (size_t i = first_step; i < n.steps.size(); ++i) push(n.steps[i]);
  for (const auto& c : n.arguments) push(c);
  for (const auto& [k, v] : n.pairs) {
    push(k);
    push(v);
  }
  for (const auto& t : n.terms) push(t.expr);
  for (const auto* stages : {&n.stages, &n.predicate})
    for (const auto& st : *stages) push(st.expr);
  if (n.group)
    for (const auto& [k, v] : n.group->pairs) {
      push(k);
      push(v);
    }
}

// Collects the names of the variables `node` reads (iteratively: a tree may
// be deeper than the stack allows for recursion).
std::vector<std::string> VariablesOf(const detail::Node* root) {
  std::vector<std::string> names;
  std::vector<const detail::Node*> todo{root};
  while (!todo.empty()) {
    const detail::Node* n = todo.back();
    todo.pop_back();
    if (n->type == detail::NodeType::kVariable && !n->value.empty() &&
        std::find(names.begin(), names.end(), n->value) == names.end())
      names.push_back(n->value);
    ForEachChild(*n, [&todo](const detail::Node* c) { todo.push_back(c); });
  }
  return names;
}

// Whether `n` is a step with nothing but its name or variable.
bool PlainStep(const detail::Node& n) {
  return !n.has_stages && !n.has_predicate && n.stages.empty() && n.predicate.empty() && !n.group &&
         n.focus.empty() && n.index.empty() && !n.ancestor && !n.slot && n.seeking_parent.empty() &&
         !n.keep_array && !n.keep_singleton_array && !n.consarray && !n.tuple;
}

std::optional<SimplePath> SimplePathOf(const detail::Node& root) {
  using detail::NodeType;
  if (root.type == NodeType::kVariable && !root.value.empty() && PlainStep(root))
    return SimplePath{root.value, {}};
  if (root.type != NodeType::kPath || root.steps.empty() || !PlainStep(root)) return std::nullopt;
  SimplePath p;
  for (size_t i = 0; i < root.steps.size(); ++i) {
    const detail::Node& step = *root.steps[i];
    if (!PlainStep(step)) return std::nullopt;
    if (i == 0 && step.type == NodeType::kVariable && !step.value.empty()) {
      p.variable = step.value;
    } else if (step.type == NodeType::kName) {
      p.names.push_back(step.value);
    } else {
      return std::nullopt;
    }
  }
  return p;
}

// A copy of `v` as a round trip through JSONata's values gives it back:
// numbers become doubles (integral ones up to 2^53 print as integers).
// Nullopt past the nesting limit (the general evaluator reports that) and
// for an object with an index key (the evaluator reorders its keys).
std::optional<json::value> CopyAsJsonata(const json::value& v, int depth = 0) {
  if (depth > detail::kMaxValueNesting) return std::nullopt;
  switch (v.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return detail::NumberJson(v.to_number<double>());
    case json::kind::array: {
      json::array out;
      out.reserve(v.get_array().size());
      for (const auto& item : v.get_array()) {
        auto c = CopyAsJsonata(item, depth + 1);
        if (!c) return std::nullopt;
        out.push_back(std::move(*c));
      }
      return json::value(std::move(out));
    }
    case json::kind::object: {
      json::object out;
      out.reserve(v.get_object().size());
      for (const auto& [k, item] : v.get_object()) {
        // JavaScript puts index keys ("1") first: the evaluator's order.
        uint64_t index = 0;
        if (detail::IsIndexKey(k, &index)) return std::nullopt;
        auto c = CopyAsJsonata(item, depth + 1);
        if (!c) return std::nullopt;
        out.emplace(k, std::move(*c));
      }
      return json::value(std::move(out));
    }
    default:
      return v;
  }
}

// Evaluates a simple path, or nullopt when the general evaluator must
// (an array on the way maps the rest of the path over it; a variable that
// is not bound may name a built-in function).
std::optional<Outcome> EvaluateSimplePath(const SimplePath& p, const json::value* input,
                                          const Bindings& b) {
  const json::value* cur = input;
  size_t next = 0;
  if (p.variable) {
    const std::string& name = *p.variable;
    if (auto o = b.objects.find(name); o != b.objects.end()) {
      if (p.names.empty()) return std::nullopt;
      cur = nullptr;
      for (const auto& [key, value] : o->second)
        if (key == p.names[0]) cur = value;
      if (cur == nullptr) return Outcome::Undefined();
      next = 1;
    } else if (auto r = b.references.find(name); r != b.references.end() && r->second) {
      cur = r->second;
    } else if (auto v = b.variables.find(name); v != b.variables.end()) {
      cur = &v->second;
    } else {
      return std::nullopt;
    }
  } else if (cur == nullptr) {
    return Outcome::Undefined();
  } else if (cur->is_array()) {
    return std::nullopt;
  }
  for (; next < p.names.size(); ++next) {
    if (cur->is_array()) return std::nullopt;
    const json::object* o = cur->if_object();
    if (o == nullptr) return Outcome::Undefined();
    auto it = o->find(p.names[next]);
    if (it == o->end()) return Outcome::Undefined();
    cur = &it->value();
  }
  auto copy = CopyAsJsonata(*cur);
  if (!copy) return std::nullopt;
  return Outcome::Value(std::move(*copy));
}

}  // namespace

Environment& SystemEnvironment() {
  static SystemEnv env;
  return env;
}

CompileResult Expression::Compile(std::string_view text) {
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  try {
    impl->ast = detail::Parse(impl->text);
    impl->variables = VariablesOf(impl->ast.get());
    impl->simple_path = SimplePathOf(*impl->ast);
  } catch (const JsonataError& e) {
    return ToError(e);
  } catch (const std::bad_alloc&) {
    return Error{"U1001", -1, "Out of memory while compiling the expression"};
  } catch (const std::exception& e) {
    // A bug in weft; the fuzz test looks for this code.
    return Error{"U1000", -1, std::string("Internal error: ") + e.what()};
  }
  return Expression(std::move(impl));
}

const std::string& Expression::text() const { return impl_->text; }

const std::vector<std::string>& Expression::variables() const { return impl_->variables; }

bool Expression::MayRead(std::string_view variable, std::string_view member) const {
  using detail::NodeType;
  std::vector<const detail::Node*> todo{impl_->ast.get()};
  while (!todo.empty()) {
    const detail::Node* n = todo.back();
    todo.pop_back();
    if (n->type == NodeType::kVariable && n->value == variable) return true;
    size_t first_step = 0;
    if (n->type == NodeType::kPath && !n->steps.empty() &&
        n->steps[0]->type == NodeType::kVariable && n->steps[0]->value == variable) {
      // $variable.name: reads only that member, when nothing else is on the
      // variable's step.
      const detail::Node& next = n->steps.size() > 1 ? *n->steps[1] : *n->steps[0];
      if (!PlainStep(*n->steps[0]) || n->steps.size() < 2 || next.type != NodeType::kName ||
          next.value == member)
        return true;
      first_step = 1;
    }
    ForEachChild(
        *n, [&todo](const detail::Node* c) { todo.push_back(c); }, first_step);
  }
  return false;
}

Outcome Expression::Evaluate(const json::value* input, const Bindings& bindings) const {
  if (impl_->simple_path)
    if (auto out = EvaluateSimplePath(*impl_->simple_path, input, bindings)) return *out;
  Environment& env = bindings.environment ? *bindings.environment : SystemEnvironment();
  char stack_base = 0;
  detail::Evaluator ev(env, bindings.max_steps, bindings.max_stack_bytes, &stack_base);
  try {
    auto root = ev.NewFrame(nullptr);
    for (const auto& [name, value] : bindings.variables) root->Bind(name, detail::FromJson(value));
    for (const auto& [name, value] : bindings.references)
      if (value) root->Bind(name, detail::FromJson(*value));
    for (const auto& [name, members] : bindings.objects) {
      auto object = detail::NewObject();
      for (const auto& [key, value] : members)
        if (value) object->Set(key, detail::FromJson(*value));
      root->Bind(name, detail::Value::Obj(std::move(object)));
    }
    detail::Value in = input ? detail::FromJson(*input) : detail::Value();
    root->Bind("$", in);
    if (in.is_array()) {
      auto wrapper = detail::NewSequence();
      wrapper->items.push_back(in);
      wrapper->outer_wrapper = true;
      in = detail::Value::Arr(wrapper);
    }
    detail::Value result = ev.Eval(impl_->ast.get(), in, root);
    auto j = detail::ToJson(result);
    if (!j) return Outcome::Undefined();
    return Outcome::Value(std::move(*j));
  } catch (const JsonataError& e) {
    return Outcome::Failure(ToError(e));
  } catch (const std::regex_error& e) {
    return Outcome::Failure(
        Error{"D1004", -1, std::string("Regular expression failed: ") + e.what()});
  } catch (const std::bad_alloc&) {
    return Outcome::Failure(Error{"U1001", -1, "Out of memory while evaluating the expression"});
  } catch (const std::exception& e) {
    // A bug in weft; the fuzz test looks for this code.
    return Outcome::Failure(Error{"U1000", -1, std::string("Internal error: ") + e.what()});
  }
}

namespace detail {

const Builtin* FindBuiltin(std::string_view name) {
  // Built once, never destroyed (evaluations may run while the process
  // exits).
  struct Table {
    std::vector<Builtin> list;
    std::unordered_map<std::string_view, const Builtin*> by_name;
  };
  static const Table* table = [] {
    auto* t = new Table();
    AddStringFunctions(t->list);
    AddNumericFunctions(t->list);
    AddArrayFunctions(t->list);
    AddDateTimeFunctions(t->list);
    AddStepFunctionsFunctions(t->list);
    for (auto& b : t->list) {
      b.sig = ParseSignature(b.signature);
      t->by_name[b.name] = &b;
    }
    return t;
  }();
  auto it = table->by_name.find(name);
  return it == table->by_name.end() ? nullptr : it->second;
}

}  // namespace detail

}  // namespace weft::asl::jsonata
