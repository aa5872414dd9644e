// src/engine/snapshot_fields.h: writing and reading the numbered fields of
// a snapshot (internal to engine/; snapshot.cc, machine_snapshot.cc).
//
// A field at its default value is left out; reading a missing field gives
// the default, and a field of the wrong kind makes the whole snapshot
// unreadable (the caller then replays the history), never a wrong state.
#pragma once

#include <optional>
#include <string>

#include "common/json.h"

namespace weft::engine::snapshot {

// Writing: defaults are left out.
struct Writer {
  json::object out;
  void Int(const char* key, int64_t v) {
    if (v != 0) out[key] = v;
  }
  void Str(const char* key, const std::string& v) {
    if (!v.empty()) out[key] = v;
  }
  void Opt(const char* key, const std::optional<std::string>& v) {
    if (v) out[key] = *v;
  }
  void Bool(const char* key, bool v) {
    if (v) out[key] = true;
  }
  void Obj(const char* key, const json::object& v) {
    if (!v.empty()) out[key] = v;
  }
};

// Reading: a missing field is its default; a field of the wrong kind makes
// the snapshot unreadable (ok = false), never a wrong state.
struct Reader {
  const json::object& in;
  bool& ok;
  int64_t Int(const char* key) const {
    const json::value* v = Find(in, key);
    if (!v) return 0;
    if (!v->is_int64()) ok = false;
    return v->is_int64() ? v->as_int64() : 0;
  }
  std::string Str(const char* key) const {
    const json::value* v = Find(in, key);
    if (!v) return {};
    if (!v->is_string()) ok = false;
    return v->is_string() ? std::string(v->as_string()) : std::string();
  }
  std::optional<std::string> Opt(const char* key) const {
    if (!Find(in, key)) return std::nullopt;
    return Str(key);
  }
  bool Bool(const char* key) const {
    const json::value* v = Find(in, key);
    if (v && !v->is_bool()) ok = false;
    return v && v->is_bool() && v->as_bool();
  }
  json::object Obj(const char* key) const {
    const json::value* v = Find(in, key);
    if (!v) return {};
    if (!v->is_object()) ok = false;
    return v->is_object() ? v->as_object() : json::object();
  }
  // Each object of an array field.
  template <class Fn>
  void Each(const char* key, Fn fn) const {
    const json::value* v = Find(in, key);
    if (!v) return;
    if (!v->is_array()) {
      ok = false;
      return;
    }
    for (const json::value& item : v->as_array()) {
      if (!item.is_object()) {
        ok = false;
        return;
      }
      fn(Reader{item.as_object(), ok});
    }
  }
};

}  // namespace weft::engine::snapshot
