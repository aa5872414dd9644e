// src/asl/path.cc: evaluating compiled JSONPaths, and ResultPath writes.
#include <algorithm>

#include "asl/path_internal.h"

namespace weft::asl {

using path_detail::ParsedPath;
using path_detail::Step;
using path_detail::StepKind;

namespace path_detail {
struct Compiled {
  std::string text;
  ParsedPath parsed;
  bool definite = true;
  // Jayway's "multi-property merge": a last step ['a','b'] yields an object
  // with those members (of each node the other steps match).
  bool merge_leaf = false;
  bool prefix_definite = false;
  std::vector<Step> prefix;  // the steps before a merge leaf
};
}  // namespace path_detail

struct Path::Impl : path_detail::Compiled {};

namespace {

using Compiled = path_detail::Compiled;

Result<Compiled> CompileImpl(std::string_view text, bool reference_only) {
  auto parsed = path_detail::ParsePath(text, reference_only);
  if (!parsed.ok()) return std::move(parsed).error();
  Compiled impl;
  impl.text = std::string(text);
  impl.definite = path_detail::IsDefinite(parsed->steps);
  const auto& steps = parsed->steps;
  if (!steps.empty() && steps.back().kind == StepKind::kNames && !steps.back().deep) {
    impl.merge_leaf = true;
    impl.prefix.assign(steps.begin(), steps.end() - 1);
    impl.prefix_definite = path_detail::IsDefinite(impl.prefix);
  }
  impl.parsed = std::move(*parsed);
  return impl;
}

const json::value* RootNode(const Compiled& impl, const EvalScope& scope) {
  switch (impl.parsed.root) {
    case Path::Root::kInput:
      return scope.input;
    case Path::Root::kContext:
      return scope.context;
    case Path::Root::kVariable:
      return scope.variables ? scope.variables->Find(impl.parsed.variable) : nullptr;
  }
  return nullptr;
}

Error NoResults(const Compiled& impl) {
  std::string normalised = path_detail::NormalisedPath(impl.parsed.steps);
  if (impl.parsed.root == Path::Root::kVariable)
    normalised.replace(0, 1, "$" + impl.parsed.variable);
  return StatesError("States.Runtime",
                     "Invalid path '" + impl.text + "' : No results for path: " + normalised);
}

Error MatchFailure(const Compiled& impl, const json::value& target) {
  return StatesError("States.ResultPathMatchFailure",
                     "Unable to apply ReferencePath " + impl.text + " to input " + ToJson(target));
}

// True when Assign can write along `steps` from `node` without meeting a
// value of the wrong type (missing members are created as objects).
bool CanAssign(const json::value* node, const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    if (node == nullptr) {
      if (s.kind != StepKind::kName) return false;  // cannot create an array slot
      continue;
    }
    if (s.kind == StepKind::kName) {
      if (!node->is_object()) return false;
      node = node->as_object().if_contains(s.name);
    } else {
      if (!node->is_array()) return false;
      const auto& a = node->as_array();
      if (s.index < 0 || static_cast<size_t>(s.index) >= a.size()) return false;
      node = &a[static_cast<size_t>(s.index)];
    }
  }
  return true;
}

json::value Merge(const json::value& node, const std::vector<std::string>& names) {
  json::object out;
  if (const json::object* o = node.if_object()) {
    for (const std::string& n : names) {
      if (const json::value* v = o->if_contains(n)) out.emplace(n, *v);
    }
  }
  return out;
}

Result<json::value> EvaluateMerged(const Compiled& impl, const json::value* root) {
  const auto& names = impl.parsed.steps.back().names;
  if (impl.prefix_definite) {
    const json::value* node = path_detail::FollowDefinite(root, impl.prefix);
    if (node == nullptr || !node->is_object()) return NoResults(impl);
    return Merge(*node, names);
  }
  json::array out;
  if (root != nullptr) {
    std::vector<const json::value*> matches;
    path_detail::Collect(*root, impl.prefix, 0, *root, matches);
    for (const json::value* m : matches) {
      if (m->is_object()) out.push_back(Merge(*m, names));
    }
  }
  return json::value(std::move(out));
}

}  // namespace

Path::Path() {
  static const std::shared_ptr<const Impl> kRoot = [] {
    auto impl = std::make_shared<Impl>();
    impl->text = "$";
    return impl;
  }();
  impl_ = kRoot;
}
Path::~Path() = default;
Path::Path(Path&&) noexcept = default;
Path& Path::operator=(Path&&) noexcept = default;
Path::Path(const Path&) = default;
Path& Path::operator=(const Path&) = default;

Result<Path> Path::Compile(std::string_view text) {
  auto impl = CompileImpl(text, /*reference_only=*/false);
  if (!impl.ok()) return std::move(impl).error();
  Path p;
  p.impl_ = std::make_shared<const Impl>(Impl{std::move(*impl)});
  return p;
}

Result<Path> Path::CompileReference(std::string_view text) {
  auto impl = CompileImpl(text, /*reference_only=*/true);
  if (!impl.ok()) return std::move(impl).error();
  Path p;
  p.impl_ = std::make_shared<const Impl>(Impl{std::move(*impl)});
  return p;
}

const std::string& Path::text() const { return impl_->text; }
bool Path::is_reference() const { return impl_->definite; }
Path::Root Path::root() const { return impl_->parsed.root; }

const json::value* Path::Find(const EvalScope& scope) const {
  if (!impl_->definite) return nullptr;
  return path_detail::FollowDefinite(RootNode(*impl_, scope), impl_->parsed.steps);
}

Result<json::value> Path::Evaluate(const EvalScope& scope) const {
  const json::value* root = RootNode(*impl_, scope);
  if (impl_->merge_leaf) return EvaluateMerged(*impl_, root);
  if (impl_->definite) {
    const json::value* node = path_detail::FollowDefinite(root, impl_->parsed.steps);
    if (node == nullptr) return NoResults(*impl_);
    return *node;
  }
  json::array out;
  if (root != nullptr) {
    std::vector<const json::value*> matches;
    path_detail::Collect(*root, impl_->parsed.steps, 0, *root, matches);
    out.reserve(matches.size());
    for (const json::value* m : matches) out.push_back(*m);
  }
  return json::value(std::move(out));
}

Status Path::Assign(json::value& target, json::value value) const {
  const Impl& impl = *impl_;
  if (impl.parsed.root != Root::kInput || !impl.definite)
    return StatesError("States.ResultPathMatchFailure",
                       "ReferencePath " + impl.text + " is not a reference path into the input");
  const auto& steps = impl.parsed.steps;
  if (!CanAssign(&target, steps)) return MatchFailure(impl, target);
  json::value* node = &target;
  for (const Step& s : steps) {
    if (s.kind == StepKind::kName) {
      json::object& obj = node->as_object();
      auto it = obj.find(s.name);
      if (it == obj.end()) it = obj.emplace(s.name, json::object()).first;
      node = &it->value();
    } else {
      node = &node->as_array()[static_cast<size_t>(s.index)];
    }
  }
  *node = std::move(value);
  return {};
}

}  // namespace weft::asl
