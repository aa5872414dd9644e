// src/asl/intrinsic_functions.cc: the array, JSON and math intrinsics, and
// the function table. String, encoding and hashing functions are in
// intrinsic_strings.cc.
#include <algorithm>
#include <cmath>
#include <random>

#include "asl/intrinsic_internal.h"

namespace weft::asl::intrinsic_detail {
namespace {

constexpr int64_t kMaxRangeItems = 1000;

// An integral number (an integer, or a double with no fraction).
std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18)
      return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::string Ordinal(size_t i) {
  static constexpr std::string_view kNames[] = {"first", "second", "third"};
  return std::string(i < 3 ? kNames[i] : "next");
}

Result<json::value> Array(const Call&, std::vector<json::value>& args) {
  json::array out;
  out.reserve(args.size());
  for (auto& v : args) out.push_back(std::move(v));
  return json::value(std::move(out));
}

Result<json::value> ArrayPartition(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_array()) return TypeFailure(call, 0, "an array", args[0]);
  auto size = AsInteger(args[1]);
  if (!size || *size <= 0) return TypeFailure(call, 1, "a positive integer", args[1]);
  json::array& in = args[0].as_array();
  json::array out;
  for (size_t i = 0; i < in.size(); i += static_cast<size_t>(*size)) {
    size_t end = std::min(in.size(), i + static_cast<size_t>(*size));
    json::array chunk;
    chunk.reserve(end - i);
    for (size_t j = i; j < end; ++j) chunk.push_back(std::move(in[j]));
    out.push_back(std::move(chunk));
  }
  return json::value(std::move(out));
}

Result<json::value> ArrayContains(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_array()) return TypeFailure(call, 0, "an array", args[0]);
  const json::array& a = args[0].as_array();
  return json::value(std::find(a.begin(), a.end(), args[1]) != a.end());
}

Result<json::value> ArrayRange(const Call& call, std::vector<json::value>& args) {
  std::optional<int64_t> n[3];
  for (size_t i = 0; i < 3; ++i) {
    n[i] = AsInteger(args[i]);
    if (!n[i]) return TypeFailure(call, i, "an integer", args[i]);
  }
  int64_t start = *n[0], end = *n[1], step = *n[2];
  if (step == 0) return Failure(call, "the step must not be 0");
  json::array out;
  if ((step > 0 && start > end) || (step < 0 && start < end)) return json::value(std::move(out));
  // In 128 bits: the difference of two int64 values can overflow 64.
  auto wide_count = (static_cast<__int128>(end) - start) / step + 1;
  int64_t count =
      wide_count > kMaxRangeItems ? kMaxRangeItems + 1 : static_cast<int64_t>(wide_count);
  if (count > kMaxRangeItems)
    return Failure(call,
                   "the range would have more than " + std::to_string(kMaxRangeItems) + " items");
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) out.push_back(start + i * step);
  return json::value(std::move(out));
}

Result<json::value> ArrayGetItem(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_array()) return TypeFailure(call, 0, "an array", args[0]);
  auto index = AsInteger(args[1]);
  if (!index || *index < 0) return TypeFailure(call, 1, "a non-negative integer", args[1]);
  json::array& a = args[0].as_array();
  if (static_cast<uint64_t>(*index) >= a.size())
    return Failure(call, "the index " + std::to_string(*index) +
                             " is out of bounds for an array of " + std::to_string(a.size()) +
                             " items");
  return std::move(a[static_cast<size_t>(*index)]);
}

Result<json::value> ArrayLength(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_array()) return TypeFailure(call, 0, "an array", args[0]);
  return json::value(static_cast<int64_t>(args[0].as_array().size()));
}

Result<json::value> ArrayUnique(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_array()) return TypeFailure(call, 0, "an array", args[0]);
  json::array out;
  for (json::value& v : args[0].as_array()) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return json::value(std::move(out));
}

Result<json::value> JsonToString(const Call&, std::vector<json::value>& args) {
  return json::value(ToJson(args[0]));
}

Result<json::value> StringToJson(const Call& call, std::vector<json::value>& args) {
  if (!args[0].is_string()) return TypeFailure(call, 0, "a string", args[0]);
  std::string_view s = args[0].get_string();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  if (s.empty()) return json::value(nullptr);
  std::error_code ec;
  json::value v = json::parse(s, ec);
  if (ec) return Failure(call, "the argument is not valid JSON: " + std::string(s));
  return v;
}

Result<json::value> JsonMerge(const Call& call, std::vector<json::value>& args) {
  for (size_t i = 0; i < 2; ++i) {
    if (!args[i].is_object()) return TypeFailure(call, i, "an object", args[i]);
  }
  if (!args[2].is_bool()) return TypeFailure(call, 2, "a boolean", args[2]);
  if (args[2].get_bool())
    return Failure(call, "only shallow merging is supported: the third argument must be false");
  json::object& out = args[0].as_object();
  for (auto& kv : args[1].as_object()) out[kv.key()] = std::move(kv.value());
  return std::move(args[0]);
}

// Java's Math.round: halves round towards positive infinity.
std::optional<int64_t> RoundHalfUp(const json::value& v) {
  if (auto i = AsInteger(v)) return i;
  if (!v.is_double()) return std::nullopt;
  double d = std::floor(v.get_double() + 0.5);
  if (!(std::fabs(d) < 9.2e18)) return std::nullopt;  // also NaN; the cast would be undefined
  return static_cast<int64_t>(d);
}

Result<json::value> MathAdd(const Call& call, std::vector<json::value>& args) {
  int64_t sum = 0;
  for (size_t i = 0; i < 2; ++i) {
    auto n = args[i].is_number() ? RoundHalfUp(args[i]) : std::nullopt;
    if (!n) return TypeFailure(call, i, "a number", args[i]);
    if (__builtin_add_overflow(sum, *n, &sum)) return Failure(call, "the sum overflows");
  }
  return json::value(sum);
}

Result<json::value> MathRandom(const Call& call, std::vector<json::value>& args) {
  int64_t bounds[2];
  for (size_t i = 0; i < 2; ++i) {
    if (!args[i].is_number()) return TypeFailure(call, i, "a number", args[i]);
    double d = std::trunc(args[i].to_number<double>());
    if (!(std::fabs(d) < 9.2e18))
      return TypeFailure(call, i, "a number in the int64 range", args[i]);
    bounds[i] = static_cast<int64_t>(d);
  }
  if (bounds[0] >= bounds[1])
    return Failure(call, "the start (" + std::to_string(bounds[0]) +
                             ") must be less than the end (" + std::to_string(bounds[1]) + ")");
  std::uniform_int_distribution<int64_t> dist(bounds[0], bounds[1] - 1);
  if (args.size() == 3) {
    auto seed = AsInteger(args[2]);
    if (!seed) return TypeFailure(call, 2, "an integer", args[2]);
    std::mt19937_64 seeded(static_cast<uint64_t>(*seed));
    return json::value(dist(seeded));
  }
  return json::value(dist(RandomEngine()));
}

constexpr Function kFunctions[] = {
    {"States.Format", 1, SIZE_MAX, &Format},
    {"States.StringToJson", 1, 1, &StringToJson},
    {"States.JsonToString", 1, 1, &JsonToString},
    {"States.Array", 0, SIZE_MAX, &Array},
    {"States.ArrayPartition", 2, 2, &ArrayPartition},
    {"States.ArrayContains", 2, 2, &ArrayContains},
    {"States.ArrayRange", 3, 3, &ArrayRange},
    {"States.ArrayGetItem", 2, 2, &ArrayGetItem},
    {"States.ArrayLength", 1, 1, &ArrayLength},
    {"States.ArrayUnique", 1, 1, &ArrayUnique},
    {"States.Base64Encode", 1, 1, &Base64Encode},
    {"States.Base64Decode", 1, 1, &Base64Decode},
    {"States.Hash", 2, 2, &Hash},
    {"States.JsonMerge", 3, 3, &JsonMerge},
    {"States.MathRandom", 2, 3, &MathRandom},
    {"States.MathAdd", 2, 2, &MathAdd},
    {"States.StringSplit", 2, 2, &StringSplit},
    {"States.UUID", 0, 0, &Uuid},
};

}  // namespace

const Function* FindFunction(std::string_view name) {
  for (const Function& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Error TypeFailure(const Call& call, size_t index, std::string_view expected,
                  const json::value& got) {
  return Failure(call, "the " + Ordinal(index) + " argument must be " + std::string(expected) +
                           ", but was " + std::string(KindName(got.kind())) + ": " + ToJson(got));
}

std::mt19937_64& RandomEngine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

Error Failure(const Call& call, std::string_view what) {
  return StatesError(
      "States.IntrinsicFailure",
      "Invalid arguments in " + std::string(call.fn->name) + ": " + std::string(what));
}

}  // namespace weft::asl::intrinsic_detail
