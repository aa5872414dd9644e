// src/asl/jsonata.cc: Expression::Compile and Evaluate, the table of
// built-in functions and the system Environment.
#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata {

using detail::JsonataError;

struct Expression::Impl {
  std::string text;
  detail::NodePtr ast;
  std::vector<std::string> variables;  // every $name the tree reads, once each
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

// Collects the names of the variables `node` reads (iteratively: a tree may
// be deeper than the stack allows for recursion).
std::vector<std::string> VariablesOf(const detail::Node* root) {
  std::vector<std::string> names;
  std::vector<const detail::Node*> todo{root};
  auto push = [&todo](const detail::NodePtr& n) {
    if (n) todo.push_back(n.get());
  };
  while (!todo.empty()) {
    const detail::Node* n = todo.back();
    todo.pop_back();
    if (n->type == detail::NodeType::kVariable && !n->value.empty() &&
        std::find(names.begin(), names.end(), n->value) == names.end())
      names.push_back(n->value);
    for (const auto* p :
         {&n->lhs, &n->rhs, &n->expression, &n->condition, &n->then_branch, &n->else_branch,
          &n->procedure, &n->body, &n->pattern, &n->update, &n->deletion})
      push(*p);
    for (const auto* list : {&n->expressions, &n->steps, &n->arguments})
      for (const auto& c : *list) push(c);
    for (const auto& [k, v] : n->pairs) {
      push(k);
      push(v);
    }
    for (const auto& t : n->terms) push(t.expr);
    for (const auto* stages : {&n->stages, &n->predicate})
      for (const auto& st : *stages) push(st.expr);
    if (n->group)
      for (const auto& [k, v] : n->group->pairs) {
        push(k);
        push(v);
      }
  }
  return names;
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

Outcome Expression::Evaluate(const json::value* input, const Bindings& bindings) const {
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
