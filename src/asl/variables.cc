// src/asl/variables.cc: workflow variable lookup through nested scopes.
#include "asl/expr.h"

namespace weft::asl {

const json::value* Variables::Find(std::string_view name) const {
  for (const Variables* scope = this; scope != nullptr; scope = scope->parent) {
    if (scope->values == nullptr) continue;
    if (const json::value* v = scope->values->if_contains(name)) return v;
  }
  return nullptr;
}

}  // namespace weft::asl
