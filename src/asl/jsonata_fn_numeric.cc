// src/asl/jsonata_fn_numeric.cc: JSONata's numeric and aggregation
// functions, $boolean/$not, and $formatNumber (XPath F&O 3.1 pictures) as
// functions.js implements them.
#include <cmath>
#include <cstdio>
#include <numeric>
#include <regex>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

// functions.js round(): half to even, with `precision` decimal places
// (shifting through the decimal text, as jsonata-js does, to avoid binary
// rounding errors).
double RoundHalfEven(double arg, double precision) {
  auto shift = [](double v, double by) {
    std::string s = FormatNumberJs(v);
    size_t e = s.find('e');
    std::string mantissa = s.substr(0, e);
    double exp = e == std::string::npos ? 0 : std::strtod(s.c_str() + e + 1, nullptr);
    std::string text = mantissa + "e" + FormatNumberJs(exp + by);
    return std::strtod(text.c_str(), nullptr);
  };
  bool shifted = precision != 0 && !std::isnan(precision);
  if (shifted) arg = shift(arg, precision);
  double result = std::floor(arg);
  if (arg - result >= 0.5) result += 1;
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (shifted) result = shift(result, -precision);
  if (result == 0) result = 0;  // no -0
  return result;
}

namespace {

Value FnSum(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double total = 0;
  for (const auto& v : args[0].arr().items) total += v.number();
  return Value::Num(total);
}

Value FnCount(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value::Num(0);
  return Value::Num(static_cast<double>(args[0].arr().items.size()));
}

Value MinMax(std::vector<Value>& args, bool max) {
  if (Arg(args, 0).undefined() || args[0].arr().items.empty()) return Value();
  double r = max ? -INFINITY : INFINITY;
  for (const auto& v : args[0].arr().items) {
    double d = v.number();
    if (std::isnan(d)) return Value::Num(NAN);
    r = max ? std::max(r, d) : std::min(r, d);
  }
  return Value::Num(r);
}
Value FnMax(Evaluator&, std::vector<Value>& args, const Value&) { return MinMax(args, true); }
Value FnMin(Evaluator&, std::vector<Value>& args, const Value&) { return MinMax(args, false); }

Value FnAverage(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined() || args[0].arr().items.empty()) return Value();
  double total = 0;
  for (const auto& v : args[0].arr().items) total += v.number();
  return Value::Num(total / static_cast<double>(args[0].arr().items.size()));
}

double JsNumberOfRadixLiteral(const std::string& s) {
  // Number("0x1F"), Number("0o17"), Number("0b101"); anything else is NaN.
  static const std::regex kForm("^\\s*0([xX][0-9A-Fa-f]+|[oO][0-7]+|[bB][01]+)\\s*$");
  std::smatch m;
  if (!std::regex_match(s, m, kForm)) return NAN;
  std::string body = m[1].str();
  int base = (body[0] == 'x' || body[0] == 'X') ? 16 : (body[0] == 'o' || body[0] == 'O') ? 8 : 2;
  double v = 0;
  for (size_t i = 1; i < body.size(); ++i) {
    char c = body[i];
    int d = c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
    v = v * base + d;
  }
  return v;
}

Value FnNumber(Evaluator&, std::vector<Value>& args, const Value&) {
  const Value& arg = Arg(args, 0);
  if (arg.undefined()) return Value();
  if (arg.is_number()) return arg;
  if (arg.is_bool()) return Value::Num(arg.boolean() ? 1 : 0);
  if (arg.is_string()) {
    static const std::regex kDecimal("^-?[0-9]+(\\.[0-9]+)?([Ee][-+]?[0-9]+)?$");
    static const std::regex kRadix("^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$");
    const std::string& s = arg.str();
    if (std::regex_match(s, kDecimal)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::Num(d);
    } else if (std::regex_search(s, kRadix)) {
      return Value::Num(JsNumberOfRadixLiteral(s));
    }
  }
  Throw("D3030", -1, "", Describe(arg));
}

Value FnAbs(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Num(std::fabs(args[0].number()));
}

Value FnFloor(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return Value::Num(std::floor(args[0].number()));
}

Value FnCeil(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double r = std::ceil(args[0].number());
  return Value::Num(r == 0 ? 0 : r);
}

Value FnRound(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double precision = Arg(args, 1).is_number() ? args[1].number() : 0;
  return Value::Num(RoundHalfEven(args[0].number(), precision));
}

Value FnSqrt(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (args[0].number() < 0) Throw("D3060", -1, "", Describe(args[0]));
  return Value::Num(std::sqrt(args[0].number()));
}

Value FnPower(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double r = std::pow(args[0].number(), Num(Arg(args, 1)));
  if (!std::isfinite(r)) Throw("D3061", -1, "", Describe(args[0]));
  return Value::Num(r);
}

// jsonata-js passes a function argument as a JavaScript closure, which
// fn.boolean() sees as false (a lambda tested directly is an object: true).
Value FnBoolean(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).is_function()) return Value::Bool(false);
  return Boolean(Arg(args, 0));
}

Value FnNot(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (args[0].is_function()) return Value::Bool(true);
  return Value::Bool(!Truthy(args[0]));
}

Value FnFormatBase(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  double value = RoundHalfEven(args[0].number(), 0);
  double radix = Arg(args, 1).undefined() ? 10 : RoundHalfEven(args[1].number(), 0);
  if (radix < 2 || radix > 36) Throw("D3100", -1, "", FormatNumberJs(radix));
  if (!std::isfinite(value)) return Value::Str(FormatNumberJs(value));
  bool negative = value < 0;
  double v = std::fabs(value);
  std::string digits;
  auto base = static_cast<int>(radix);
  if (v == 0) digits = "0";
  while (v >= 1) {
    double q = std::floor(v / base);
    auto d = static_cast<int>(v - q * base);
    digits += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v = q;
  }
  if (negative) digits += '-';
  return Value::Str(std::string(digits.rbegin(), digits.rend()));
}

// ---- $formatNumber ----

struct PictureParts {
  std::u32string prefix, suffix, active, mantissa, integer, fractional, subpicture;
  bool has_exponent = false;
  std::u32string exponent;
};

struct PictureVars {
  std::vector<int> integer_grouping;
  int regular_grouping = 0;
  int min_integer = 0;
  int scaling = 0;
  std::u32string prefix, suffix, picture;
  std::vector<int> fractional_grouping;
  int min_fraction = 0;
  int max_fraction = 0;
  int min_exponent = 0;
};

size_t Find(const std::u32string& s, std::u32string_view what, size_t from = 0) {
  return what.empty() ? std::u32string::npos : s.find(what, from);
}

std::string FormatNumberImpl(double value, const std::string& picture_text, const Value& options) {
  std::u32string decimal_sep = U".", grouping_sep = U",", exponent_sep = U"e", minus = U"-",
                 percent = U"%", permille = U"\u2030", zero = U"0", digit = U"#",
                 pattern_sep = U";";
  if (options.is_object()) {
    for (const auto& [k, v] : options.obj().entries) {
      if (!v.is_string()) continue;
      std::u32string s = ToU32(v.str());
      if (k == "decimal-separator") decimal_sep = s;
      if (k == "grouping-separator") grouping_sep = s;
      if (k == "exponent-separator") exponent_sep = s;
      if (k == "minus-sign") minus = s;
      if (k == "percent") percent = s;
      if (k == "per-mille") permille = s;
      if (k == "zero-digit") zero = s;
      if (k == "digit") digit = s;
      if (k == "pattern-separator") pattern_sep = s;
    }
  }
  std::u32string family;
  char32_t zero_code = zero.empty() ? U'0' : zero[0];
  for (char32_t i = 0; i < 10; ++i) family += static_cast<char32_t>(zero_code + i);
  auto in_family = [&](char32_t c) { return family.find(c) != std::u32string::npos; };
  auto first = [](const std::u32string& s) { return s.empty() ? U'\0' : s[0]; };
  auto is_active = [&](char32_t c) {
    return in_family(c) || c == first(decimal_sep) || c == first(exponent_sep) ||
           c == first(grouping_sep) || c == first(digit) || c == first(pattern_sep);
  };
  std::u32string picture = ToU32(picture_text);
  std::vector<std::u32string> subs;
  {
    size_t start = 0;
    for (;;) {
      size_t at = Find(picture, pattern_sep, start);
      if (at == std::u32string::npos) {
        subs.push_back(picture.substr(start));
        break;
      }
      subs.push_back(picture.substr(start, at - start));
      start = at + pattern_sep.size();
    }
  }
  if (subs.size() > 2)
    ThrowArg("D3080",
             "The picture string must not contain more than one instance of the pattern-separator "
             "character");

  auto split_parts = [&](const std::u32string& sub) {
    PictureParts p;
    p.subpicture = sub;
    size_t i = 0;
    for (; i < sub.size(); ++i)
      if (is_active(sub[i]) && sub[i] != first(exponent_sep)) break;
    p.prefix = sub.substr(0, i);
    size_t j = sub.size();
    for (; j > 0; --j)
      if (is_active(sub[j - 1]) && sub[j - 1] != first(exponent_sep)) break;
    p.suffix = sub.substr(j);
    if (i >= j) {
      p.active.clear();
    } else {
      p.active = sub.substr(p.prefix.size(), sub.size() - p.prefix.size() - p.suffix.size());
    }
    size_t exp_pos = Find(sub, exponent_sep, p.prefix.size());
    if (exp_pos == std::u32string::npos || exp_pos > sub.size() - p.suffix.size()) {
      p.mantissa = p.active;
    } else {
      p.mantissa = p.active.substr(0, std::min(exp_pos, p.active.size()));
      p.has_exponent = true;
      p.exponent = exp_pos + 1 <= p.active.size() ? p.active.substr(exp_pos + 1) : U"";
    }
    size_t dec = Find(p.mantissa, decimal_sep);
    if (dec == std::u32string::npos) {
      p.integer = p.mantissa;
      p.fractional = p.suffix;
    } else {
      p.integer = p.mantissa.substr(0, dec);
      p.fractional = p.mantissa.substr(dec + 1);
    }
    return p;
  };
  std::vector<PictureParts> parts;
  for (const auto& s : subs) parts.push_back(split_parts(s));

  auto count_of = [](const std::u32string& s, std::u32string_view what) {
    size_t n = 0;
    for (size_t at = s.find(what); !what.empty() && at != std::u32string::npos;
         at = s.find(what, at + 1))
      ++n;
    return n;
  };
  for (const auto& p : parts) {
    const char* error = nullptr;
    const auto& sub = p.subpicture;
    size_t dec = Find(sub, decimal_sep);
    if (count_of(sub, decimal_sep) > 1) error = "D3081";
    if (count_of(sub, percent) > 1) error = "D3082";
    if (count_of(sub, permille) > 1) error = "D3083";
    if (count_of(sub, percent) > 0 && count_of(sub, permille) > 0) error = "D3084";
    bool valid = false;
    for (char32_t c : p.mantissa)
      if (in_family(c) || c == first(digit)) valid = true;
    if (!valid) error = "D3085";
    for (char32_t c : p.active)
      if (!is_active(c)) error = "D3086";
    if (dec != std::u32string::npos) {
      if ((dec > 0 && sub[dec - 1] == first(grouping_sep)) ||
          (dec + 1 < sub.size() && sub[dec + 1] == first(grouping_sep)))
        error = "D3087";
    } else if (!p.integer.empty() && p.integer.back() == first(grouping_sep)) {
      error = "D3088";
    }
    if (Find(sub, grouping_sep + grouping_sep) != std::u32string::npos) error = "D3089";
    size_t opt = p.integer.find(first(digit));
    if (opt != std::u32string::npos) {
      for (size_t k = 0; k < opt; ++k)
        if (in_family(p.integer[k])) error = "D3090";
    }
    opt = p.fractional.rfind(first(digit));
    if (opt != std::u32string::npos) {
      for (size_t k = opt; k < p.fractional.size(); ++k)
        if (in_family(p.fractional[k])) error = "D3091";
    }
    if (p.has_exponent && !p.exponent.empty() &&
        (count_of(sub, percent) > 0 || count_of(sub, permille) > 0))
      error = "D3092";
    if (p.has_exponent) {
      bool bad = p.exponent.empty();
      for (char32_t c : p.exponent)
        if (!in_family(c)) bad = true;
      if (bad) error = "D3093";
    }
    if (error) Throw(error, -1);
  }

  auto analyse = [&](const PictureParts& p) {
    PictureVars v;
    auto grouping_positions = [&](const std::u32string& part, bool to_left) {
      std::vector<int> positions;
      size_t pos = part.find(first(grouping_sep));
      while (pos != std::u32string::npos) {
        std::u32string side = to_left ? part.substr(0, pos) : part.substr(pos);
        int n = 0;
        for (char32_t c : side)
          if (in_family(c) || c == first(digit)) ++n;
        positions.push_back(n);
        pos = p.integer.find(first(grouping_sep), pos + 1);
      }
      return positions;
    };
    v.integer_grouping = grouping_positions(p.integer, false);
    if (!v.integer_grouping.empty()) {
      int factor =
          std::accumulate(v.integer_grouping.begin() + 1, v.integer_grouping.end(),
                          v.integer_grouping[0], [](int a, int b) { return std::gcd(a, b); });
      v.regular_grouping = factor;
      for (size_t index = 1; index <= v.integer_grouping.size(); ++index) {
        if (std::find(v.integer_grouping.begin(), v.integer_grouping.end(),
                      static_cast<int>(index) * factor) == v.integer_grouping.end()) {
          v.regular_grouping = 0;
          break;
        }
      }
    }
    v.fractional_grouping = grouping_positions(p.fractional, true);
    for (char32_t c : p.integer)
      if (in_family(c)) ++v.min_integer;
    v.scaling = v.min_integer;
    for (char32_t c : p.fractional) {
      if (in_family(c)) ++v.min_fraction;
      if (in_family(c) || c == first(digit)) ++v.max_fraction;
    }
    if (v.min_integer == 0 && v.max_fraction == 0) {
      if (p.has_exponent) {
        v.min_fraction = 1;
        v.max_fraction = 1;
      } else {
        v.min_integer = 1;
      }
    }
    if (p.has_exponent && v.min_integer == 0 &&
        p.integer.find(first(digit)) != std::u32string::npos)
      v.min_integer = 1;
    if (v.min_integer == 0 && v.min_fraction == 0) v.min_fraction = 1;
    if (p.has_exponent)
      for (char32_t c : p.exponent)
        if (in_family(c)) ++v.min_exponent;
    v.prefix = p.prefix;
    v.suffix = p.suffix;
    v.picture = p.subpicture;
    return v;
  };
  std::vector<PictureVars> vars;
  for (const auto& p : parts) vars.push_back(analyse(p));
  if (vars.size() == 1) {
    vars.push_back(vars[0]);
    vars[1].prefix = minus + vars[1].prefix;
  }
  PictureVars& pic = value >= 0 ? vars[0] : vars[1];
  double adjusted = value;
  if (Find(pic.picture, percent) != std::u32string::npos) {
    adjusted = value * 100;
  } else if (Find(pic.picture, permille) != std::u32string::npos) {
    adjusted = value * 1000;
  }
  double mantissa = adjusted;
  bool has_exponent = pic.min_exponent != 0;
  int exponent = 0;
  if (has_exponent) {
    double max_m = std::pow(10, pic.scaling);
    double min_m = std::pow(10, pic.scaling - 1);
    while (mantissa < min_m && mantissa != 0) {
      mantissa *= 10;
      exponent -= 1;
    }
    while (mantissa > max_m) {
      mantissa /= 10;
      exponent += 1;
    }
  }
  double rounded = RoundHalfEven(mantissa, pic.max_fraction);
  auto make_string = [&](double v, int dp) {
    std::vector<char> buf(400);
    std::snprintf(buf.data(), buf.size(), "%.*f", dp, std::fabs(v));
    std::u32string s = ToU32(buf.data());
    for (auto& c : s)
      if (c >= '0' && c <= '9') c = family[c - '0'];
    return s;
  };
  std::u32string sv = make_string(rounded, pic.max_fraction);
  size_t dot = sv.find(U'.');
  if (dot == std::u32string::npos) {
    sv += decimal_sep;
  } else {
    sv.replace(dot, 1, decimal_sep);
  }
  while (!sv.empty() && sv[0] == zero_code) sv.erase(0, 1);
  while (!sv.empty() && sv.back() == zero_code) sv.pop_back();
  auto decimal_pos = static_cast<int>(Find(sv, decimal_sep));
  int pad_left = pic.min_integer - decimal_pos;
  int pad_right = pic.min_fraction - (static_cast<int>(sv.size()) - decimal_pos - 1);
  if (pad_left > 0) sv = std::u32string(static_cast<size_t>(pad_left), zero_code) + sv;
  if (pad_right > 0) sv += std::u32string(static_cast<size_t>(pad_right), zero_code);
  decimal_pos = static_cast<int>(Find(sv, decimal_sep));
  auto insert = [&](int at) {
    if (at < 0) at = 0;
    if (at > static_cast<int>(sv.size())) at = static_cast<int>(sv.size());
    sv.insert(static_cast<size_t>(at), grouping_sep);
  };
  if (pic.regular_grouping > 0) {
    int groups = (decimal_pos - 1) / pic.regular_grouping;
    if (decimal_pos - 1 < 0) groups = 0;
    for (int group = 1; group <= groups; ++group)
      insert(decimal_pos - group * pic.regular_grouping);
  } else {
    for (int pos : pic.integer_grouping) {
      insert(decimal_pos - pos);
      ++decimal_pos;
    }
  }
  decimal_pos = static_cast<int>(Find(sv, decimal_sep));
  for (int pos : pic.fractional_grouping) insert(pos + decimal_pos + 1);
  decimal_pos = static_cast<int>(Find(sv, decimal_sep));
  if (Find(pic.picture, decimal_sep) == std::u32string::npos ||
      decimal_pos == static_cast<int>(sv.size()) - 1)
    sv.pop_back();
  if (has_exponent) {
    std::u32string se = make_string(exponent, 0);
    int pad = pic.min_exponent - static_cast<int>(se.size());
    if (pad > 0) se = std::u32string(static_cast<size_t>(pad), zero_code) + se;
    sv += exponent_sep + (exponent < 0 ? minus : U"") + se;
  }
  return FromU32(pic.prefix + sv + pic.suffix);
}

Value FnFormatNumber(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (!Arg(args, 1).is_string()) Throw("T0410", -1, "formatNumber");
  return Value::Str(FormatNumberImpl(args[0].number(), args[1].str(), Arg(args, 2)));
}

}  // namespace

void AddNumericFunctions(std::vector<Builtin>& out) {
  out.insert(out.end(), {
                            {"sum", "<a<n>:n>", FnSum, 1, nullptr},
                            {"count", "<a:n>", FnCount, 1, nullptr},
                            {"max", "<a<n>:n>", FnMax, 1, nullptr},
                            {"min", "<a<n>:n>", FnMin, 1, nullptr},
                            {"average", "<a<n>:n>", FnAverage, 1, nullptr},
                            {"number", "<(nsb)-:n>", FnNumber, 1, nullptr},
                            {"abs", "<n-:n>", FnAbs, 1, nullptr},
                            {"floor", "<n-:n>", FnFloor, 1, nullptr},
                            {"ceil", "<n-:n>", FnCeil, 1, nullptr},
                            {"round", "<n-n?:n>", FnRound, 2, nullptr},
                            {"sqrt", "<n-:n>", FnSqrt, 1, nullptr},
                            {"power", "<n-n:n>", FnPower, 2, nullptr},
                            {"boolean", "<x-:b>", FnBoolean, 1, nullptr},
                            {"not", "<x-:b>", FnNot, 1, nullptr},
                            {"formatBase", "<n-n?:s>", FnFormatBase, 2, nullptr},
                            {"formatNumber", "<n-so?:s>", FnFormatNumber, 3, nullptr},
                        });
}

}  // namespace weft::asl::jsonata::detail
