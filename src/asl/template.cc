// src/asl/template.cc: payload templates (Parameters, ItemSelector,
// ResultSelector, Assign, ...): keys ending ".$" are evaluated.
#include "asl/expr.h"

namespace weft::asl {
namespace {

struct Node {
  enum class Kind : uint8_t { kLiteral, kObject, kArray, kPath, kIntrinsic };
  struct Member {
    std::string key;    // as emitted (".$" removed)
    std::string field;  // as written, for error messages
    Node* node;
  };
  Kind kind = Kind::kLiteral;
  json::value literal;
  std::vector<Member> members;
  std::vector<const Node*> items;
  Path path;
  Intrinsic intrinsic;
};

bool HasDynamicKey(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (kv.key().ends_with(".$") || HasDynamicKey(kv.value())) return true;
    }
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) {
      if (HasDynamicKey(e)) return true;
    }
  }
  return false;
}

// Every node lives in `store`; nodes point at their children there.
struct NodeStore {
  std::vector<std::unique_ptr<Node>> store;
  Node* root = nullptr;
};

Node* NewNode(NodeStore& impl) {
  impl.store.push_back(std::make_unique<Node>());
  return impl.store.back().get();
}

Result<Node*> CompileNode(NodeStore& impl, const json::value& v);

Result<Node*> CompileExpression(NodeStore& impl, std::string_view field, const json::value& v) {
  if (!v.is_string())
    return Error::Validation("The value of the field '" + std::string(field) +
                             "' must be a path or an intrinsic function call, not " +
                             std::string(KindName(v.kind())));
  std::string_view text = v.get_string();
  Node* node = NewNode(impl);
  if (Intrinsic::LooksLikeCall(text)) {
    auto call = Intrinsic::Compile(text);
    if (!call.ok()) return std::move(call).error();
    node->kind = Node::Kind::kIntrinsic;
    node->intrinsic = std::move(*call);
    return node;
  }
  if (text.empty() || text[0] != '$')
    return Error::Validation("The value of the field '" + std::string(field) +
                             "' must be a JSONPath, a context path ($$), a variable ($name) "
                             "or an intrinsic function call: '" +
                             std::string(text) + "'");
  auto path = Path::Compile(text);
  if (!path.ok()) return std::move(path).error();
  node->kind = Node::Kind::kPath;
  node->path = std::move(*path);
  return node;
}

Result<Node*> CompileNode(NodeStore& impl, const json::value& v) {
  Node* node = NewNode(impl);
  if (!HasDynamicKey(v)) {
    node->literal = v;
    return node;
  }
  if (const json::array* a = v.if_array()) {
    node->kind = Node::Kind::kArray;
    node->items.reserve(a->size());
    for (const json::value& e : *a) {
      auto child = CompileNode(impl, e);
      if (!child.ok()) return child;
      node->items.push_back(*child);
    }
    return node;
  }
  node->kind = Node::Kind::kObject;
  for (const auto& kv : v.as_object()) {
    std::string_view key = kv.key();
    Result<Node*> child = key.ends_with(".$") ? CompileExpression(impl, key, kv.value())
                                              : CompileNode(impl, kv.value());
    if (!child.ok()) return child;
    std::string out_key(key.ends_with(".$") ? key.substr(0, key.size() - 2) : key);
    node->members.push_back({std::move(out_key), std::string(key), *child});
  }
  return node;
}

Error PathNotFound(const Node& node, const std::string& field, const EvalScope& scope) {
  const json::value* input = node.path.root() == Path::Root::kContext ? scope.context : scope.input;
  return StatesError("States.Runtime", "The JSONPath '" + node.path.text() +
                                           "' specified for the field '" + field +
                                           "' could not be found in the input '" +
                                           (input ? ToJson(*input) : "null") + "'");
}

Result<json::value> EvalNode(const Node& node, const std::string& field, const EvalScope& scope);

Result<json::value> EvalObject(const Node& node, const EvalScope& scope) {
  json::object out;
  out.reserve(node.members.size());
  for (const Node::Member& m : node.members) {
    auto v = EvalNode(*m.node, m.field, scope);
    if (!v.ok()) return v;
    out.insert_or_assign(m.key, std::move(*v));
  }
  return json::value(std::move(out));
}

Result<json::value> EvalNode(const Node& node, const std::string& field, const EvalScope& scope) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kObject:
      return EvalObject(node, scope);
    case Node::Kind::kArray: {
      json::array out;
      out.reserve(node.items.size());
      for (const Node* item : node.items) {
        auto v = EvalNode(*item, field, scope);
        if (!v.ok()) return v;
        out.push_back(std::move(*v));
      }
      return json::value(std::move(out));
    }
    case Node::Kind::kPath: {
      if (!node.path.is_reference()) return node.path.Evaluate(scope);
      if (const json::value* v = node.path.Find(scope)) return *v;
      return PathNotFound(node, field, scope);
    }
    case Node::Kind::kIntrinsic:
      return node.intrinsic.Evaluate(scope);
  }
  return json::value(nullptr);
}

}  // namespace

struct Template::Impl : NodeStore {};

Result<Template> Template::Compile(const json::value& tpl) {
  auto impl = std::make_shared<Impl>();
  auto root = CompileNode(*impl, tpl);
  if (!root.ok()) return std::move(root).error();
  impl->root = *root;
  Template out;
  out.impl_ = std::move(impl);
  return out;
}

Result<json::value> Template::Evaluate(const EvalScope& scope) const {
  if (!impl_) return json::value(json::object());
  static const std::string kNoField;
  return EvalNode(*impl_->root, kNoField, scope);
}

Template::Template() = default;
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::Template(const Template&) = default;
Template& Template::operator=(const Template&) = default;

}  // namespace weft::asl
