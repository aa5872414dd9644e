// src/asl/intrinsic_internal.h: compiled intrinsic calls (internal to asl/).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "asl/expr.h"

namespace weft::asl::intrinsic_detail {

struct Call;

struct Arg {
  enum class Kind : uint8_t { kLiteral, kPath, kCall } kind = Kind::kLiteral;
  json::value literal;
  Path path;
  std::shared_ptr<const Call> call;
};

// The function table: name, argument count bounds, implementation.
struct Function;

struct Call {
  const Function* fn = nullptr;
  std::vector<Arg> args;
  // States.Format with a literal template: the text between "{}" slots,
  // computed once with the escapes \{ \} honoured. Empty otherwise.
  std::vector<std::string> format_parts;
};

using Impl = Result<json::value> (*)(const Call& call, std::vector<json::value>& args);

struct Function {
  std::string_view name;  // "States.Format"
  size_t min_args;
  size_t max_args;
  Impl impl;
};

// nullptr when `name` is not an intrinsic function.
const Function* FindFunction(std::string_view name);

// Splits a States.Format template at its "{}" slots. `escaped` marks the
// characters of `text` that were escaped in the literal (never a slot).
std::vector<std::string> SplitFormat(std::string_view text, const std::vector<bool>& escaped);

// An IntrinsicFailure naming the function.
Error Failure(const Call& call, std::string_view what);
// An IntrinsicFailure for argument `index` (0-based) not being `expected`.
Error TypeFailure(const Call& call, size_t index, std::string_view expected,
                  const json::value& got);

// A per-thread generator seeded from std::random_device (MathRandom, UUID).
std::mt19937_64& RandomEngine();

// intrinsic_strings.cc
Result<json::value> Format(const Call& call, std::vector<json::value>& args);
Result<json::value> Base64Encode(const Call& call, std::vector<json::value>& args);
Result<json::value> Base64Decode(const Call& call, std::vector<json::value>& args);
Result<json::value> Hash(const Call& call, std::vector<json::value>& args);
Result<json::value> StringSplit(const Call& call, std::vector<json::value>& args);
Result<json::value> Uuid(const Call& call, std::vector<json::value>& args);

}  // namespace weft::asl::intrinsic_detail
