// JSONata field values of states (asl/jsonata_template.h).
#include "asl/jsonata_template.h"

#include <algorithm>

#include "asl/asl.h"
#include "asl/definition_fields.h"

namespace weft::asl {

struct JsonataTemplate::Node {
  enum class Kind { kLiteral, kExpression, kObject, kArray };
  Kind kind = Kind::kLiteral;
  json::value literal;                                // kLiteral
  std::optional<jsonata::Expression> expression;      // kExpression
  std::string text;                                   // kExpression: as AWS quotes it (trimmed)
  std::string field;                                  // "Output/a/0": where this node is
  std::vector<std::pair<std::string, Node>> members;  // kObject
  std::vector<Node> items;                            // kArray
  std::vector<std::string> variables;  // the root: what the expressions read, once each
};

namespace {

using Node = JsonataTemplate::Node;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool HasExpression(const Node& n) { return n.kind != Node::Kind::kLiteral; }

// Builds the node for `v`; subtrees without expressions collapse into one
// literal, so that evaluating them is a copy.
Node Build(const json::value& v, std::string field, const std::string& location,
           std::vector<Diagnostic>& diags) {
  Node n;
  n.field = std::move(field);
  if (v.is_string() && IsJsonataExpression(v.as_string())) {
    std::string_view s = v.as_string();
    n.text = std::string(Trim(s.substr(2, s.size() - 4)));
    auto compiled = jsonata::Expression::Compile(n.text);
    if (!compiled.ok()) {
      const auto& e = compiled.error();
      diags.push_back({location, "the JSONata expression '" + n.text +
                                     "' does not compile: " + e.code + " at position " +
                                     std::to_string(e.position) + ": " + e.message});
      n.literal = nullptr;
      return n;
    }
    n.kind = Node::Kind::kExpression;
    n.expression = compiled.value();
    return n;
  }
  if (v.is_object()) {
    bool any = false;
    for (const auto& kv : v.as_object()) {
      std::string key(kv.key());
      Node child =
          Build(kv.value(), n.field + "/" + key, location + "/" + EscapePointer(key), diags);
      any = any || HasExpression(child);
      n.members.emplace_back(std::move(key), std::move(child));
    }
    if (any) {
      n.kind = Node::Kind::kObject;
      return n;
    }
    n.members.clear();
  } else if (v.is_array()) {
    bool any = false;
    const auto& arr = v.as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      Node child = Build(arr[i], n.field + "/" + std::to_string(i),
                         location + "/" + std::to_string(i), diags);
      any = any || HasExpression(child);
      n.items.push_back(std::move(child));
    }
    if (any) {
      n.kind = Node::Kind::kArray;
      return n;
    }
    n.items.clear();
  }
  n.literal = v;
  return n;
}

Error QueryError(std::string cause) {
  return Error(Errc::kValidation, std::string(kQueryEvaluationError), std::move(cause));
}

// The bindings of every expression of a template: built once per
// evaluation of the field (its expressions share them).
jsonata::Bindings BindingsFor(const std::vector<std::string>& variables, const StatesScope& scope) {
  jsonata::Bindings b;
  b.environment = scope.environment;
  for (const std::string& name : variables) {
    if (name == "states") {
      b.objects["states"] = {{"input", scope.input},
                             {"result", scope.result},
                             {"errorOutput", scope.error_output},
                             {"context", scope.context}};
    } else if (scope.variables) {
      if (const json::value* v = scope.variables->Find(name)) b.references[name] = v;
    }
  }
  return b;
}

Result<json::value> EvaluateExpression(const Node& n, const jsonata::Bindings& b) {
  jsonata::Outcome out = n.expression->Evaluate(nullptr, b);
  if (out.has_value()) return std::move(out.value());
  std::string prefix =
      "The JSONata expression '" + n.text + "' specified for the field '" + n.field;
  if (!out.ok()) {
    const auto& e = out.error();
    return QueryError(prefix + "' threw an error during evaluation. " + e.code + ": " + e.message);
  }
  return QueryError(prefix + "' returned nothing (undefined).");
}

Result<json::value> EvaluateNode(const Node& n, const jsonata::Bindings& bindings,
                                 std::string* failed_at) {
  switch (n.kind) {
    case Node::Kind::kLiteral:
      return n.literal;
    case Node::Kind::kExpression: {
      auto v = EvaluateExpression(n, bindings);
      if (!v && failed_at) *failed_at = n.field;
      return v;
    }
    case Node::Kind::kObject: {
      json::object o;
      o.reserve(n.members.size());
      for (const auto& [key, child] : n.members) {
        auto v = EvaluateNode(child, bindings, failed_at);
        if (!v) return v;
        o[key] = std::move(*v);
      }
      return json::value(std::move(o));
    }
    case Node::Kind::kArray: {
      json::array a;
      a.reserve(n.items.size());
      for (const auto& child : n.items) {
        auto v = EvaluateNode(child, bindings, failed_at);
        if (!v) return v;
        a.push_back(std::move(*v));
      }
      return json::value(std::move(a));
    }
  }
  return json::value();
}

void CollectVariables(const Node& n, std::vector<std::string>& out) {
  if (n.expression)
    for (const std::string& name : n.expression->variables())
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  for (const auto& [key, child] : n.members) CollectVariables(child, out);
  for (const auto& child : n.items) CollectVariables(child, out);
}

bool NodeReadsContext(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kLiteral:
      return false;
    case Node::Kind::kExpression:
      return n.expression->MayRead("states", "context");
    case Node::Kind::kObject:
      for (const auto& [key, child] : n.members)
        if (NodeReadsContext(child)) return true;
      return false;
    case Node::Kind::kArray:
      for (const auto& child : n.items)
        if (NodeReadsContext(child)) return true;
      return false;
  }
  return false;
}

}  // namespace

bool IsJsonataExpression(std::string_view s) {
  return s.size() >= 4 && s.substr(0, 2) == "{%" && s.substr(s.size() - 2) == "%}";
}

std::optional<JsonataTemplate> JsonataTemplate::Compile(const json::value& v,
                                                        std::string_view field,
                                                        const std::string& location,
                                                        std::vector<Diagnostic>& diags) {
  size_t before = diags.size();
  auto root = std::make_shared<Node>(Build(v, std::string(field), location, diags));
  if (diags.size() != before) return std::nullopt;
  CollectVariables(*root, root->variables);
  return JsonataTemplate(std::move(root));
}

Result<json::value> JsonataTemplate::Evaluate(const StatesScope& scope,
                                              std::string* failed_at) const {
  if (root_->kind == Node::Kind::kLiteral) return root_->literal;
  return EvaluateNode(*root_, BindingsFor(root_->variables, scope), failed_at);
}

bool JsonataTemplate::reads_context() const { return NodeReadsContext(*root_); }

const json::value* JsonataTemplate::literal() const {
  return root_->kind == Node::Kind::kLiteral ? &root_->literal : nullptr;
}

const std::string* JsonataTemplate::expression_text() const {
  return root_->kind == Node::Kind::kExpression ? &root_->text : nullptr;
}

std::string UnexpectedTypeCause(std::string_view expression, std::string_view field,
                                std::string_view expected, const json::value& value) {
  return "The JSONata expression '" + std::string(expression) + "' specified for the field '" +
         std::string(field) + "' returned an unexpected result type. Expected '" +
         std::string(expected) + "', but was '" + std::string(KindName(value.kind())) +
         "' for value: " + ToJson(value);
}

}  // namespace weft::asl
