// src/asl/path_eval.cc: walking JSON along compiled steps; filter predicates.
#include <regex.h>

#include <algorithm>

#include "asl/path_internal.h"

namespace weft::asl::path_detail {
namespace {

// Resolves a possibly negative index against `size`; nullopt if outside.
std::optional<size_t> ResolveIndex(int64_t index, size_t size) {
  int64_t i = index < 0 ? static_cast<int64_t>(size) + index : index;
  if (i < 0 || i >= static_cast<int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(i);
}

// Calls emit(child) for every node one step matches from `node`.
template <class Emit>
void ApplyStep(const json::value& node, const Step& s, const json::value& root, Emit&& emit) {
  switch (s.kind) {
    case StepKind::kName:
      if (const json::object* o = node.if_object()) {
        if (const json::value* v = o->if_contains(s.name)) emit(*v);
      }
      return;
    case StepKind::kNames:
      if (const json::object* o = node.if_object()) {
        for (const std::string& n : s.names) {
          if (const json::value* v = o->if_contains(n)) emit(*v);
        }
      }
      return;
    case StepKind::kIndex:
      if (const json::array* a = node.if_array()) {
        if (auto i = ResolveIndex(s.index, a->size())) emit((*a)[*i]);
      }
      return;
    case StepKind::kIndexes:
      if (const json::array* a = node.if_array()) {
        for (int64_t index : s.indexes) {
          if (auto i = ResolveIndex(index, a->size())) emit((*a)[*i]);
        }
      }
      return;
    case StepKind::kWildcard:
      if (const json::array* a = node.if_array()) {
        for (const json::value& v : *a) emit(v);
      } else if (const json::object* o = node.if_object()) {
        for (const auto& kv : *o) emit(kv.value());
      }
      return;
    case StepKind::kSlice:
      if (const json::array* a = node.if_array()) {
        auto size = static_cast<int64_t>(a->size());
        auto clamp = [size](int64_t i) {
          if (i < 0) i += size;
          return std::clamp<int64_t>(i, 0, size);
        };
        int64_t from = clamp(s.slice_start.value_or(0));
        int64_t to = s.slice_end ? clamp(*s.slice_end) : size;
        for (int64_t i = from; i < to; ++i) emit((*a)[static_cast<size_t>(i)]);
      }
      return;
    case StepKind::kFilter:
      if (const json::array* a = node.if_array()) {
        for (const json::value& v : *a) {
          if (EvalFilter(*s.filter, v, root)) emit(v);
        }
      } else if (node.is_object() && EvalFilter(*s.filter, node, root)) {
        emit(node);  // Jayway applies a filter on an object to the object itself
      }
      return;
  }
}

void DeepScan(const json::value& node, const std::vector<Step>& steps, size_t first,
              const json::value& root, std::vector<const json::value*>& out) {
  ApplyStep(node, steps[first], root,
            [&](const json::value& child) { Collect(child, steps, first + 1, root, out); });
  if (const json::array* a = node.if_array()) {
    for (const json::value& v : *a) DeepScan(v, steps, first, root, out);
  } else if (const json::object* o = node.if_object()) {
    for (const auto& kv : *o) DeepScan(kv.value(), steps, first, root, out);
  }
}

const json::value* Resolve(const Operand& op, const json::value& current, const json::value& root) {
  switch (op.kind) {
    case Operand::Kind::kLiteral:
      return &op.literal;
    case Operand::Kind::kCurrent:
      return FollowDefinite(&current, op.steps);
    case Operand::Kind::kRoot:
      return FollowDefinite(&root, op.steps);
  }
  return nullptr;
}

// -1, 0, 1 for ordered pairs (two numbers or two strings); nullopt otherwise.
std::optional<int> Order(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int64() && b.is_int64()) {
      int64_t x = a.get_int64(), y = b.get_int64();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().subview().compare(b.get_string().subview());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Equal(const json::value& a, const json::value& b) {
  if (auto o = Order(a, b)) return *o == 0;
  return a == b;
}

bool Contains(const json::array& a, const json::value& v) {
  for (const json::value& e : a) {
    if (Equal(e, v)) return true;
  }
  return false;
}

// Set relations between two arrays (Jayway's subsetof, anyof, noneof).
bool SetRelation(FilterOp op, const json::value& a, const json::value& b) {
  if (!a.is_array() || !b.is_array()) return false;
  size_t found = 0;
  for (const json::value& e : a.get_array()) found += Contains(b.get_array(), e);
  if (op == FilterOp::kSubsetOf) return found == a.get_array().size();
  if (op == FilterOp::kAnyOf) return found > 0;
  return found == 0;  // kNoneOf
}

std::optional<size_t> Length(const json::value& v) {
  if (v.is_string()) return v.get_string().size();
  if (v.is_array()) return v.get_array().size();
  return std::nullopt;
}

bool Compare(const FilterExpr& f, const json::value* a, const json::value* b) {
  FilterOp op = f.op;
  if (op == FilterOp::kRegex) {
    return a != nullptr && a->is_string() && f.regex->FullMatch(std::string(a->get_string()));
  }
  if (a == nullptr || b == nullptr) return op == FilterOp::kNe && a != b;
  switch (op) {
    case FilterOp::kEq:
      return Equal(*a, *b);
    case FilterOp::kNe:
      return !Equal(*a, *b);
    case FilterOp::kIn:
      return b->is_array() && Contains(b->get_array(), *a);
    case FilterOp::kNin:
      return b->is_array() && !Contains(b->get_array(), *a);
    case FilterOp::kSubsetOf:
    case FilterOp::kAnyOf:
    case FilterOp::kNoneOf:
      return SetRelation(op, *a, *b);
    case FilterOp::kSize: {
      auto n = Length(*a);
      return n && b->is_number() && Equal(json::value(static_cast<int64_t>(*n)), *b);
    }
    case FilterOp::kEmpty: {
      auto n = Length(*a);
      return n && b->is_bool() && (*n == 0) == b->get_bool();
    }
    default:
      break;
  }
  auto o = Order(*a, *b);
  if (!o) return false;
  switch (op) {
    case FilterOp::kLt:
      return *o < 0;
    case FilterOp::kLe:
      return *o <= 0;
    case FilterOp::kGt:
      return *o > 0;
    case FilterOp::kGe:
      return *o >= 0;
    default:
      return false;
  }
}

}  // namespace

struct Regex::State {
  regex_t compiled;
};

std::shared_ptr<const Regex> Regex::Compile(const std::string& pattern, bool ignore_case) {
  std::shared_ptr<Regex> out(new Regex());
  out->state_ = std::make_unique<State>();
  int flags = REG_EXTENDED | REG_NOSUB | (ignore_case ? REG_ICASE : 0);
  if (regcomp(&out->state_->compiled, ("^(" + pattern + ")$").c_str(), flags) != 0) {
    out->state_.reset();
    return nullptr;
  }
  return out;
}

bool Regex::FullMatch(const std::string& s) const {
  return regexec(&state_->compiled, s.c_str(), 0, nullptr, 0) == 0;
}

Regex::~Regex() {
  if (state_) regfree(&state_->compiled);
}

const json::value* FollowDefinite(const json::value* node, const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    if (node == nullptr) return nullptr;
    if (s.kind == StepKind::kName) {
      const json::object* o = node->if_object();
      node = o ? o->if_contains(s.name) : nullptr;
    } else {
      const json::array* a = node->if_array();
      auto i = a ? ResolveIndex(s.index, a->size()) : std::nullopt;
      node = i ? &(*a)[*i] : nullptr;
    }
  }
  return node;
}

void Collect(const json::value& node, const std::vector<Step>& steps, size_t first,
             const json::value& root, std::vector<const json::value*>& out) {
  if (first == steps.size()) {
    out.push_back(&node);
    return;
  }
  if (steps[first].deep) {
    DeepScan(node, steps, first, root, out);
    return;
  }
  ApplyStep(node, steps[first], root,
            [&](const json::value& child) { Collect(child, steps, first + 1, root, out); });
}

bool EvalFilter(const FilterExpr& f, const json::value& current, const json::value& root) {
  switch (f.op) {
    case FilterOp::kAnd:
      return EvalFilter(*f.lhs, current, root) && EvalFilter(*f.rhs, current, root);
    case FilterOp::kOr:
      return EvalFilter(*f.lhs, current, root) || EvalFilter(*f.rhs, current, root);
    case FilterOp::kNot:
      return !EvalFilter(*f.lhs, current, root);
    case FilterOp::kExists:
      return Resolve(f.left, current, root) != nullptr;
    default:
      return Compare(f, Resolve(f.left, current, root), Resolve(f.right, current, root));
  }
}

}  // namespace weft::asl::path_detail
