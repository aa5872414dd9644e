// src/asl/jsonata_parser.cc: the JSONata tokenizer, Pratt parser and the
// post-processing of the tree into path steps (jsonata-js parser.js).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

// Binding powers (parser.js `operators`); also the characters that end a
// name.
int OperatorPower(std::string_view op) {
  static const std::pair<std::string_view, int> kOps[] = {
      {".", 75},   {"[", 80},  {"]", 0},   {"{", 70},  {"}", 0},   {"(", 80},
      {")", 0},    {",", 0},   {"@", 80},  {"#", 80},  {";", 80},  {":", 80},
      {"?", 20},   {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},
      {"|", 20},   {"=", 40},  {"<", 40},  {">", 40},  {"^", 40},  {"**", 60},
      {"..", 20},  {":=", 10}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
      {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50},  {"!", 0},   {"~", 0}};
  for (const auto& [o, p] : kOps)
    if (o == op) return p;
  return -1;
}

// Nesting deeper than this many bytes of parser stack is refused (U1001):
// an expression of 10,000 '(' must fail, not overflow the stack.
constexpr ptrdiff_t kParseStackBudget = 256 * 1024;

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source), lexer_(source) {}

  NodePtr ParseAll() {
    char base = 0;
    stack_base_ = &base;
    Advance("", false);
    NodePtr expr = Expression(0);
    if (node_->id != "(end)") Throw("S0201", node_->position, node_->value);
    expr = Process(expr);
    if (expr->type == NodeType::kParent || expr->has_seeking_parent)
      Throw("S0217", -1, TypeNameOf(expr->type));  // jsonata-js gives no position
    return expr;
  }

 private:
  static std::string TypeNameOf(NodeType t) {
    switch (t) {
      case NodeType::kParent:
        return "parent";
      case NodeType::kPath:
        return "path";
      case NodeType::kBinary:
        return "binary";
      case NodeType::kUnary:
        return "unary";
      case NodeType::kFunction:
        return "function";
      case NodeType::kLambda:
        return "lambda";
      case NodeType::kCondition:
        return "condition";
      case NodeType::kBlock:
        return "block";
      case NodeType::kVariable:
        return "variable";
      case NodeType::kString:
        return "string";
      case NodeType::kNumber:
        return "number";
      case NodeType::kValue:
        return "value";
      case NodeType::kRegex:
        return "regex";
      case NodeType::kApply:
        return "apply";
      case NodeType::kBind:
        return "bind";
      case NodeType::kTransform:
        return "transform";
      case NodeType::kSort:
        return "sort";
      case NodeType::kPartial:
        return "partial";
      default:
        return "expression";
    }
  }

  void CheckDepth() {
    char here = 0;
    if (stack_base_ - &here > kParseStackBudget || &here - stack_base_ > kParseStackBudget)
      Throw("U1001", node_->position);
  }

  // Only symbols defined with a led have a binding power (parser.js
  // symbol()): the prefix-only and closing ones have 0.
  static int Lbp(const Node& n) {
    if (n.type != NodeType::kOperator) return 0;
    const std::string& id = n.id;
    if (id == "|" || id == "**" || id == ".." || id == "]" || id == ")" || id == "}" || id == "," ||
        id == ":" || id == ";")
      return 0;
    return std::max(0, OperatorPower(id));
  }

  const Node& Advance(std::string_view id, bool infix) {
    if (!id.empty() && node_->id != id) {
      Throw(node_->id == "(end)" ? "S0203" : "S0202", node_->position, node_->value,
            "\"" + std::string(id) + "\"");
    }
    Token t = lexer_.Next(infix);
    auto n = std::make_shared<Node>();
    n->position = t.position;
    n->value = t.value;
    switch (t.kind) {
      case Token::Kind::kEnd:
        n->id = "(end)";
        n->type = NodeType::kEnd;
        n->position = static_cast<int64_t>(source_.size());
        break;
      case Token::Kind::kName:
        n->id = "(name)";
        n->type = NodeType::kName;
        break;
      case Token::Kind::kVariable:
        n->id = "(name)";
        n->type = NodeType::kVariable;
        break;
      case Token::Kind::kOperator:
        if (OperatorPower(t.value) < 0 || t.value == "!" || t.value == "~")
          Throw("S0204", t.position, t.value);
        n->id = t.value;
        n->type = NodeType::kOperator;
        break;
      case Token::Kind::kString:
        n->id = "(literal)";
        n->type = NodeType::kString;
        n->literal = t.literal;
        break;
      case Token::Kind::kNumber:
        n->id = "(literal)";
        n->type = NodeType::kNumber;
        n->literal = t.literal;
        break;
      case Token::Kind::kValue:
        n->id = "(literal)";
        n->type = NodeType::kValue;
        n->literal = t.literal;
        break;
      case Token::Kind::kRegex:
        n->id = "(regex)";
        n->type = NodeType::kRegex;
        n->regex = t.regex;
        break;
    }
    node_ = n;
    return *node_;
  }

  NodePtr Expression(int rbp) {
    CheckDepth();
    NodePtr t = node_;
    Advance("", true);
    NodePtr left = Nud(t);
    while (rbp < Lbp(*node_)) {
      t = node_;
      Advance("", false);
      left = Led(t, left);
    }
    return left;
  }

  NodePtr Nud(const NodePtr& self) {
    const std::string& id = self->id;
    if (id == "(end)" || id == "(name)" || id == "(literal)" || id == "(regex)" || id == "and" ||
        id == "or" || id == "in")
      return self;
    if (id == "-") {
      self->expression = Expression(70);
      self->type = NodeType::kUnary;
      return self;
    }
    if (id == "*") {
      self->type = NodeType::kWildcard;
      return self;
    }
    if (id == "**") {
      self->type = NodeType::kDescendant;
      return self;
    }
    if (id == "%") {
      self->type = NodeType::kParent;
      return self;
    }
    if (id == "(") {
      while (node_->id != ")") {
        self->expressions.push_back(Expression(0));
        if (node_->id != ";") break;
        Advance(";", false);
      }
      Advance(")", true);
      self->type = NodeType::kBlock;
      return self;
    }
    if (id == "[") {
      if (node_->id != "]") {
        for (;;) {
          NodePtr item = Expression(0);
          if (node_->id == "..") {
            auto range = std::make_shared<Node>();
            range->type = NodeType::kBinary;
            range->value = "..";
            range->position = node_->position;
            range->lhs = item;
            Advance("..", false);
            range->rhs = Expression(0);
            item = range;
          }
          self->expressions.push_back(item);
          if (node_->id != ",") break;
          Advance(",", false);
        }
      }
      Advance("]", true);
      self->type = NodeType::kUnary;
      return self;
    }
    if (id == "{") return ObjectParser(self, nullptr);
    if (id == "|") {
      self->type = NodeType::kTransform;
      self->pattern = Expression(0);
      Advance("|", false);
      self->update = Expression(0);
      if (node_->id == ",") {
        Advance(",", false);
        self->deletion = Expression(0);
      }
      Advance("|", false);
      return self;
    }
    Throw("S0211", self->position, self->value);
  }

  NodePtr ObjectParser(const NodePtr& self, const NodePtr& left) {
    std::vector<std::pair<NodePtr, NodePtr>> pairs;
    if (node_->id != "}") {
      for (;;) {
        NodePtr n = Expression(0);
        Advance(":", false);
        NodePtr v = Expression(0);
        pairs.emplace_back(n, v);
        if (node_->id != ",") break;
        Advance(",", false);
      }
    }
    Advance("}", true);
    self->pairs = std::move(pairs);
    if (!left) {
      self->type = NodeType::kUnary;
    } else {
      self->lhs = left;
      self->type = NodeType::kBinary;
    }
    return self;
  }

  NodePtr Led(const NodePtr& self, const NodePtr& left) {
    const std::string& id = self->id;
    if (id == "(") return CallLed(self, left);
    if (id == "[") {
      if (node_->id == "]") {
        Node* step = left.get();
        while (step && step->type == NodeType::kBinary && step->value == "[")
          step = step->lhs.get();
        step->keep_array = true;
        Advance("]", false);
        return left;
      }
      self->lhs = left;
      self->rhs = Expression(OperatorPower("]"));
      self->type = NodeType::kBinary;
      Advance("]", true);
      return self;
    }
    if (id == "^") {
      Advance("(", false);
      for (;;) {
        SortTerm term;
        if (node_->id == "<") {
          Advance("<", false);
        } else if (node_->id == ">") {
          term.descending = true;
          Advance(">", false);
        }
        term.expr = Expression(0);
        self->terms.push_back(std::move(term));
        if (node_->id != ",") break;
        Advance(",", false);
      }
      Advance(")", false);
      self->lhs = left;
      self->type = NodeType::kBinary;
      return self;
    }
    if (id == "{") return ObjectParser(self, left);
    if (id == ":=") {
      if (left->type != NodeType::kVariable) Throw("S0212", left->position, left->value);
      self->lhs = left;
      self->rhs = Expression(OperatorPower(":=") - 1);
      self->type = NodeType::kBinary;
      return self;
    }
    if (id == "@" || id == "#") {
      self->lhs = left;
      self->rhs = Expression(OperatorPower(id));
      if (self->rhs->type != NodeType::kVariable) Throw("S0214", self->rhs->position, id);
      self->type = NodeType::kBinary;
      return self;
    }
    if (id == "?") {
      self->type = NodeType::kCondition;
      self->condition = left;
      self->then_branch = Expression(0);
      if (node_->id == ":") {
        Advance(":", false);
        self->else_branch = Expression(0);
      }
      return self;
    }
    // The plain infix operators.
    self->lhs = left;
    self->rhs = Expression(OperatorPower(id));
    self->type = NodeType::kBinary;
    return self;
  }

  NodePtr CallLed(const NodePtr& self, const NodePtr& left) {
    self->procedure = left;
    self->type = NodeType::kFunction;
    if (node_->id != ")") {
      for (;;) {
        if (node_->type == NodeType::kOperator && node_->id == "?") {
          self->type = NodeType::kPartial;
          self->arguments.push_back(node_);
          Advance("?", false);
        } else {
          self->arguments.push_back(Expression(0));
        }
        if (node_->id != ",") break;
        Advance(",", false);
      }
    }
    Advance(")", true);
    if (left->type == NodeType::kName && (left->value == "function" || left->value == "\u03BB")) {
      for (const auto& arg : self->arguments)
        if (arg->type != NodeType::kVariable) Throw("S0208", arg->position, arg->value);
      self->type = NodeType::kLambda;
      if (node_->id == "<") {
        int64_t sig_pos = node_->position;
        int depth = 1;
        std::string sig = "<";
        while (depth > 0 && node_->id != "{" && node_->id != "(end)") {
          const Node& tok = Advance("", false);
          if (tok.id == ">") {
            --depth;
          } else if (tok.id == "<") {
            ++depth;
          }
          sig += tok.value;
        }
        Advance(">", false);
        try {
          self->signature = ParseSignature(sig);
        } catch (JsonataError& e) {
          e.position += sig_pos;
          throw;
        }
      }
      Advance("{", false);
      self->body = Expression(0);
      Advance("}", false);
    }
    return self;
  }

  // ---- post-processing (parser.js processAST) ----

  static NodePtr TailCallOptimize(const NodePtr& expr) {
    if (expr->type == NodeType::kFunction && !expr->has_predicate) {
      auto thunk = std::make_shared<Node>();
      thunk->type = NodeType::kLambda;
      thunk->thunk = true;
      thunk->position = expr->position;
      thunk->body = expr;
      return thunk;
    }
    if (expr->type == NodeType::kCondition) {
      expr->then_branch = TailCallOptimize(expr->then_branch);
      if (expr->else_branch) expr->else_branch = TailCallOptimize(expr->else_branch);
      return expr;
    }
    if (expr->type == NodeType::kBlock) {
      if (!expr->expressions.empty())
        expr->expressions.back() = TailCallOptimize(expr->expressions.back());
      return expr;
    }
    return expr;
  }

  SlotPtr SeekParent(Node* node, SlotPtr slot) {
    switch (node->type) {
      case NodeType::kName:
      case NodeType::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (node->ancestor) ancestry_[slot->index]->slot->label = node->ancestor->label;
          node->ancestor = slot;
          node->tuple = true;
        }
        break;
      case NodeType::kParent:
        slot->level++;
        break;
      case NodeType::kBlock:
        if (!node->expressions.empty()) {
          node->tuple = true;
          slot = SeekParent(node->expressions.back().get(), slot);
        }
        break;
      case NodeType::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->steps.size()) - 1;
        slot = SeekParent(node->steps[index--].get(), slot);
        while (slot->level > 0 && index >= 0) slot = SeekParent(node->steps[index--].get(), slot);
        break;
      }
      default:
        Throw("S0217", node->position, TypeNameOf(node->type));
    }
    return slot;
  }

  static void PushAncestry(Node* result, const Node* value) {
    if (value->has_seeking_parent || value->type == NodeType::kParent) {
      std::vector<SlotPtr> slots = value->seeking_parent;
      if (value->type == NodeType::kParent) slots.push_back(value->slot);
      result->seeking_parent.insert(result->seeking_parent.end(), slots.begin(), slots.end());
      result->has_seeking_parent = true;
    }
  }

  void ResolveAncestry(Node* path) {
    int index = static_cast<int>(path->steps.size()) - 1;
    Node* laststep = path->steps[index].get();
    std::vector<SlotPtr> slots = laststep->seeking_parent;
    if (laststep->type == NodeType::kParent) slots.push_back(laststep->slot);
    for (SlotPtr slot : slots) {
      index = static_cast<int>(path->steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seeking_parent.push_back(slot);
          path->has_seeking_parent = true;
          break;
        }
        Node* step = path->steps[index--].get();
        while (index >= 0 && !step->focus.empty() && !path->steps[index]->focus.empty())
          step = path->steps[index--].get();
        slot = SeekParent(step, slot);
      }
    }
  }

  static NodePtr NewNode(NodeType type, const Node& from) {
    auto n = std::make_shared<Node>();
    n->type = type;
    n->value = from.value;
    n->position = from.position;
    return n;
  }

  NodePtr Process(const NodePtr& expr) {
    CheckDepth();
    NodePtr result;
    switch (expr->type) {
      case NodeType::kBinary:
        result = ProcessBinary(expr);
        break;
      case NodeType::kUnary: {
        result = NewNode(NodeType::kUnary, *expr);
        if (expr->value == "[") {
          for (const auto& item : expr->expressions) {
            NodePtr v = Process(item);
            PushAncestry(result.get(), v.get());
            result->expressions.push_back(v);
          }
        } else if (expr->value == "{") {
          for (const auto& [k, v] : expr->pairs) {
            NodePtr key = Process(k);
            PushAncestry(result.get(), key.get());
            NodePtr val = Process(v);
            PushAncestry(result.get(), val.get());
            result->pairs.emplace_back(key, val);
          }
        } else {
          result->expression = Process(expr->expression);
          if (expr->value == "-" && result->expression->type == NodeType::kNumber) {
            result = result->expression;
            result->literal = Value::Num(-result->literal.number());
          } else {
            PushAncestry(result.get(), result->expression.get());
          }
        }
        break;
      }
      case NodeType::kFunction:
      case NodeType::kPartial: {
        result = NewNode(expr->type, *expr);
        for (const auto& arg : expr->arguments) {
          NodePtr a = Process(arg);
          PushAncestry(result.get(), a.get());
          result->arguments.push_back(a);
        }
        result->procedure = Process(expr->procedure);
        break;
      }
      case NodeType::kLambda: {
        result = NewNode(NodeType::kLambda, *expr);
        result->arguments = expr->arguments;
        result->signature = expr->signature;
        result->body = TailCallOptimize(Process(expr->body));
        break;
      }
      case NodeType::kCondition: {
        result = NewNode(NodeType::kCondition, *expr);
        result->condition = Process(expr->condition);
        PushAncestry(result.get(), result->condition.get());
        result->then_branch = Process(expr->then_branch);
        PushAncestry(result.get(), result->then_branch.get());
        if (expr->else_branch) {
          result->else_branch = Process(expr->else_branch);
          PushAncestry(result.get(), result->else_branch.get());
        }
        break;
      }
      case NodeType::kTransform: {
        result = NewNode(NodeType::kTransform, *expr);
        result->pattern = Process(expr->pattern);
        result->update = Process(expr->update);
        if (expr->deletion) result->deletion = Process(expr->deletion);
        break;
      }
      case NodeType::kBlock: {
        result = NewNode(NodeType::kBlock, *expr);
        for (const auto& item : expr->expressions) {
          NodePtr part = Process(item);
          PushAncestry(result.get(), part.get());
          if (part->consarray || (part->type == NodeType::kPath && part->steps[0]->consarray))
            result->consarray = true;
          result->expressions.push_back(part);
        }
        break;
      }
      case NodeType::kName: {
        result = NewNode(NodeType::kPath, *expr);
        result->steps.push_back(expr);
        if (expr->keep_array) result->keep_singleton_array = true;
        break;
      }
      case NodeType::kParent: {
        result = NewNode(NodeType::kParent, *expr);
        result->slot = std::make_shared<Slot>();
        result->slot->label = "!" + std::to_string(ancestor_label_++);
        result->slot->level = 1;
        result->slot->index = ancestor_index_++;
        ancestry_.push_back(result);
        break;
      }
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kWildcard:
      case NodeType::kDescendant:
      case NodeType::kVariable:
      case NodeType::kRegex:
        result = expr;
        break;
      case NodeType::kOperator:
        if (expr->value == "and" || expr->value == "or" || expr->value == "in") {
          expr->type = NodeType::kName;
          result = Process(expr);
        } else if (expr->value == "?") {
          result = expr;
        } else {
          Throw("S0201", expr->position, expr->value);
        }
        break;
      default:
        Throw(expr->id == "(end)" ? "S0207" : "S0206", expr->position, expr->value);
    }
    if (expr->keep_array) result->keep_array = true;
    return result;
  }

  NodePtr ProcessBinary(const NodePtr& expr) {
    const std::string& op = expr->id;
    NodePtr result;
    if (op == ".") {
      NodePtr lstep = Process(expr->lhs);
      if (lstep->type == NodeType::kPath) {
        result = lstep;
      } else {
        result = NewNode(NodeType::kPath, *expr);
        result->value.clear();
        result->steps.push_back(lstep);
      }
      if (lstep->type == NodeType::kParent) {
        result->seeking_parent = {lstep->slot};
        result->has_seeking_parent = true;
      }
      NodePtr rest = Process(expr->rhs);
      if (rest->type == NodeType::kPath) {
        result->steps.insert(result->steps.end(), rest->steps.begin(), rest->steps.end());
      } else {
        if (rest->has_predicate) {
          rest->stages = std::move(rest->predicate);
          rest->predicate.clear();
          rest->has_stages = true;
          rest->has_predicate = false;
        }
        result->steps.push_back(rest);
      }
      for (auto& step : result->steps) {
        if (step->type == NodeType::kNumber || step->type == NodeType::kValue)
          Throw("S0213", step->position, "", step->value.empty() ? "null" : step->value);
        if (step->type == NodeType::kString) {
          step->type = NodeType::kName;
          step->value = step->literal.str();
        }
      }
      for (auto& step : result->steps)
        if (step->keep_array) result->keep_singleton_array = true;
      Node* first = result->steps.front().get();
      if (first->type == NodeType::kUnary && first->value == "[") first->consarray = true;
      Node* last = result->steps.back().get();
      if (last->type == NodeType::kUnary && last->value == "[") last->consarray = true;
      ResolveAncestry(result.get());
      return result;
    }
    if (op == "[") {
      result = Process(expr->lhs);
      Node* step = result.get();
      bool stages = false;
      if (result->type == NodeType::kPath) {
        step = result->steps.back().get();
        stages = true;
      }
      if (step->group) Throw("S0209", expr->position);
      NodePtr predicate = Process(expr->rhs);
      if (predicate->has_seeking_parent) {
        for (auto& slot : predicate->seeking_parent) {
          if (slot->level == 1) {
            SeekParent(step, slot);
          } else {
            slot->level--;
          }
        }
        PushAncestry(step, predicate.get());
      }
      Stage st;
      st.expr = predicate;
      st.position = expr->position;
      if (stages) {
        step->stages.push_back(st);
        step->has_stages = true;
      } else {
        step->predicate.push_back(st);
        step->has_predicate = true;
      }
      return result;
    }
    if (op == "{") {
      result = Process(expr->lhs);
      if (result->group) Throw("S0210", expr->position);
      auto group = std::make_shared<Group>();
      group->position = expr->position;
      for (const auto& [k, v] : expr->pairs) group->pairs.emplace_back(Process(k), Process(v));
      result->group = group;
      return result;
    }
    if (op == "^") {
      result = Process(expr->lhs);
      if (result->type != NodeType::kPath) {
        auto path = NewNode(NodeType::kPath, *expr);
        path->value.clear();
        path->steps.push_back(result);
        result = path;
      }
      auto sort = NewNode(NodeType::kSort, *expr);
      for (const auto& term : expr->terms) {
        NodePtr e = Process(term.expr);
        PushAncestry(sort.get(), e.get());
        sort->terms.push_back({term.descending, e});
      }
      result->steps.push_back(sort);
      ResolveAncestry(result.get());
      return result;
    }
    if (op == ":=") {
      result = NewNode(NodeType::kBind, *expr);
      result->lhs = Process(expr->lhs);
      result->rhs = Process(expr->rhs);
      PushAncestry(result.get(), result->rhs.get());
      return result;
    }
    if (op == "@") {
      result = Process(expr->lhs);
      Node* step = result.get();
      if (result->type == NodeType::kPath) step = result->steps.back().get();
      if (step->has_stages || step->has_predicate) Throw("S0215", expr->position);
      if (step->type == NodeType::kSort) Throw("S0216", expr->position);
      if (expr->keep_array) step->keep_array = true;
      step->focus = expr->rhs->value;
      step->tuple = true;
      return result;
    }
    if (op == "#") {
      result = Process(expr->lhs);
      Node* step = result.get();
      if (result->type == NodeType::kPath) {
        step = result->steps.back().get();
      } else {
        auto path = NewNode(NodeType::kPath, *expr);
        path->value.clear();
        path->steps.push_back(result);
        result = path;
        if (step->has_predicate) {
          step->stages = std::move(step->predicate);
          step->predicate.clear();
          step->has_stages = true;
          step->has_predicate = false;
        }
      }
      if (!step->has_stages) {
        step->index = expr->rhs->value;
      } else {
        Stage st;
        st.is_index = true;
        st.var = expr->rhs->value;
        st.position = expr->position;
        step->stages.push_back(st);
      }
      step->tuple = true;
      return result;
    }
    if (op == "~>") {
      result = NewNode(NodeType::kApply, *expr);
      result->lhs = Process(expr->lhs);
      result->rhs = Process(expr->rhs);
      result->keep_array = result->lhs->keep_array || result->rhs->keep_array;
      return result;
    }
    // The range inside an array constructor arrives with no symbol id.
    result = NewNode(NodeType::kBinary, *expr);
    if (result->value.empty()) result->value = op;
    result->lhs = Process(expr->lhs);
    result->rhs = Process(expr->rhs);
    PushAncestry(result.get(), result->lhs.get());
    PushAncestry(result.get(), result->rhs.get());
    return result;
  }

  std::string_view source_;
  Lexer lexer_;
  NodePtr node_;
  const char* stack_base_ = nullptr;
  int ancestor_label_ = 0;
  int ancestor_index_ = 0;
  std::vector<NodePtr> ancestry_;
};

}  // namespace

NodePtr Parse(std::string_view text) { return Parser(text).ParseAll(); }

}  // namespace weft::asl::jsonata::detail
