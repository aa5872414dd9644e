// src/asl/jsonata_fn_sfn.cc: the functions Step Functions adds to JSONata
// ($partition, $range, $hash, $random with a seed, $uuid, $parse) and the
// plain $random. Randomness comes from the host's Environment, so that a
// replayed evaluation repeats it.
#include <openssl/evp.h>

#include <array>
#include <cmath>
#include <random>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

// Step Functions' own limit for $range (as States.ArrayRange).
constexpr double kMaxRangeItems = 1000;

bool IsInteger(const Value& v) {
  return v.is_number() && std::isfinite(v.number()) && v.number() == std::trunc(v.number());
}

Value FnPartition(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const auto& items = args[0].arr().items;
  const Value& size = Arg(args, 1);
  if (!IsInteger(size) || size.number() < 1)
    ThrowArg("D3030", "The second argument of $partition must be a positive integer");
  auto n = static_cast<size_t>(size.number());
  auto result = NewArray();
  for (size_t i = 0; i < items.size(); i += n) {
    auto chunk = NewArray();
    chunk->items.assign(items.begin() + static_cast<ptrdiff_t>(i),
                        items.begin() + static_cast<ptrdiff_t>(std::min(items.size(), i + n)));
    result->items.push_back(Value::Arr(chunk));
  }
  return Value::Arr(result);
}

Value FnRange(Evaluator&, std::vector<Value>& args, const Value&) {
  const Value& start = Arg(args, 0);
  const Value& end = Arg(args, 1);
  Value step = Arg(args, 2).undefined() ? Value::Num(1) : args[2];
  if (!IsInteger(start) || !IsInteger(end) || !IsInteger(step))
    ThrowArg("D3030", "The arguments of $range must be integers");
  double s = step.number();
  if (s == 0) ThrowArg("D3030", "The step of $range must not be zero");
  auto result = NewArray();
  double a = start.number();
  double b = end.number();
  for (double v = a; s > 0 ? v <= b : v >= b; v += s) {
    if (static_cast<double>(result->items.size()) >= kMaxRangeItems)
      ThrowArg("D2014", "$range would return more than 1000 items");
    result->items.push_back(Value::Num(v));
  }
  return Value::Arr(result);
}

Value FnHash(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  std::string algorithm = Arg(args, 1).is_string() ? args[1].str() : "";
  const EVP_MD* md = algorithm == "MD5"       ? EVP_md5()
                     : algorithm == "SHA-1"   ? EVP_sha1()
                     : algorithm == "SHA-256" ? EVP_sha256()
                     : algorithm == "SHA-384" ? EVP_sha384()
                     : algorithm == "SHA-512" ? EVP_sha512()
                                              : nullptr;
  if (md == nullptr)
    ThrowArg("D3030",
             "The hashing algorithm of $hash must be one of MD5, SHA-1, SHA-256, SHA-384, "
             "SHA-512");
  const std::string& data = args[0].str();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, md, nullptr) != 1)
    ThrowArg("D3030", "$hash failed");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return Value::Str(out);
}

Value FnRandom(Evaluator& ev, std::vector<Value>& args, const Value&) {
  const Value& seed = Arg(args, 0);
  if (seed.undefined()) return Value::Num(ev.environment().Random());
  if (!IsInteger(seed)) ThrowArg("D3030", "The seed of $random must be an integer");
  std::mt19937_64 engine(static_cast<uint64_t>(static_cast<int64_t>(seed.number())));
  return Value::Num(std::uniform_real_distribution<double>(0.0, 1.0)(engine));
}

Value FnUuid(Evaluator& ev, std::vector<Value>&, const Value&) {
  std::array<uint8_t, 16> bytes{};
  for (auto& b : bytes)
    b = static_cast<uint8_t>(std::floor(ev.environment().Random() * 256)) & 0xFF;
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return Value::Str(out);
}

Value FnParse(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  auto parsed = ParseJson(args[0].str());
  if (!parsed.ok()) ThrowArg("D3030", "$parse: the argument is not valid JSON text");
  return FromJson(*parsed);
}

}  // namespace

void AddStepFunctionsFunctions(std::vector<Builtin>& out) {
  out.insert(out.end(), {
                            {"partition", "<an:a>", FnPartition, 2, nullptr},
                            {"range", "<nnn?:a>", FnRange, 3, nullptr},
                            {"hash", "<s-s:s>", FnHash, 2, nullptr},
                            {"random", "<n?:n>", FnRandom, 1, nullptr},
                            {"uuid", "<:s>", FnUuid, 0, nullptr},
                            {"parse", "<s-:x>", FnParse, 1, nullptr},
                        });
}

}  // namespace weft::asl::jsonata::detail
