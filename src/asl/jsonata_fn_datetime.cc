// src/asl/jsonata_fn_datetime.cc: $now, $millis, $fromMillis, $toMillis
// (datetime.js). The clock is the host's (Evaluator::NowMillis, read once
// per evaluation).
#include <cmath>
#include <cstdio>
#include <regex>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// algorithm), and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Picture-string formatting and parsing (jsonata_datetime_picture.cc).
std::string FormatDateTimePicture(double millis, const std::string& picture, const Value& timezone);
std::optional<double> ParseDateTimePicture(const std::string& timestamp, const std::string& picture,
                                           double now_ms);
double ParseInteger(const std::string& value, const std::string& picture);
std::string FormatInteger(double value, const std::string& picture);

namespace {

// Without a picture jsonata-js formats with the ISO 8601 picture below (not
// with Date.toISOString: a five-digit year keeps four digits).
Value FromMillis(double millis, const Value& picture, const Value& timezone) {
  std::string pic =
      picture.is_string() ? picture.str() : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
  return Value::Str(FormatDateTimePicture(millis, pic, timezone));
}

Value FnNow(Evaluator& ev, std::vector<Value>& args, const Value&) {
  return FromMillis(static_cast<double>(ev.NowMillis()), Arg(args, 0), Arg(args, 1));
}

Value FnMillis(Evaluator& ev, std::vector<Value>&, const Value&) {
  return Value::Num(static_cast<double>(ev.NowMillis()));
}

Value FnFromMillis(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  return FromMillis(args[0].number(), Arg(args, 1), Arg(args, 2));
}

// Date.parse of the ISO 8601 forms jsonata accepts without a picture. A
// date-time without an offset is local time in JavaScript; weft has no
// local time zone and reads it as UTC.
double ParseIso(const std::string& s) {
  static const std::regex kIso(
      "^(\\d{4})(?:-(\\d{2}))?(?:-(\\d{2}))?(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?)?"
      "(Z|[+-]\\d{2}:?\\d{2})?$");
  std::smatch m;
  if (!std::regex_match(s, m, kIso)) return NAN;
  auto num = [&](int i, int def) { return m[i].matched ? std::stoi(m[i].str()) : def; };
  int year = num(1, 1970);
  int month = num(2, 1);
  int day = num(3, 1);
  int hour = num(4, 0);
  int minute = num(5, 0);
  int second = num(6, 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 59)
    return NAN;
  double ms = 0;
  if (m[7].matched) {
    std::string frac = m[7].str().substr(0, 3);
    while (frac.size() < 3) frac += '0';
    ms = std::stoi(frac);
  }
  double offset = 0;
  if (m[8].matched && m[8].str() != "Z") {
    std::string z = m[8].str();
    int sign = z[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : z.substr(1))
      if (c != ':') digits += c;
    offset = sign * (std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2, 2)));
  }
  double days = static_cast<double>(
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
  return days * 86400000 + hour * 3600000.0 + minute * 60000.0 + second * 1000.0 + ms -
         offset * 60000;
}

Value FnToMillis(Evaluator& ev, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  const std::string& ts = args[0].str();
  if (Arg(args, 1).undefined()) {
    static const std::regex kLoose(
        "^\\d{4}(-[01]\\d)*(-[0-3]\\d)*(T[0-2]\\d:[0-5]\\d:[0-5]\\d)*(\\.\\d+)?([+-][0-2]\\d:?[0-5]"
        "\\d|Z)?$");
    if (!std::regex_match(ts, kLoose)) {
      std::string v;
      AppendJsonString(v, ts);
      Throw("D3110", -1, "", v);
    }
    double ms = ParseIso(ts);
    if (std::isnan(ms)) return Value::Num(NAN);
    return Value::Num(ms);
  }
  auto ms = ParseDateTimePicture(ts, args[1].str(), static_cast<double>(ev.NowMillis()));
  if (!ms) return Value();
  return Value::Num(*ms);
}

Value FnFormatInteger(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (!Arg(args, 1).is_string()) Throw("T0410", -1, "formatInteger");
  return Value::Str(FormatInteger(args[0].number(), args[1].str()));
}

Value FnParseInteger(Evaluator&, std::vector<Value>& args, const Value&) {
  if (Arg(args, 0).undefined()) return Value();
  if (!Arg(args, 1).is_string()) Throw("T0410", -1, "parseInteger");
  return Value::Num(ParseInteger(args[0].str(), args[1].str()));
}

}  // namespace

void AddDateTimeFunctions(std::vector<Builtin>& out) {
  out.insert(out.end(), {
                            {"now", "<s?s?:s>", FnNow, 2, nullptr},
                            {"millis", "<:n>", FnMillis, 0, nullptr},
                            {"fromMillis", "<n-s?s?:s>", FnFromMillis, 3, nullptr},
                            {"toMillis", "<s-s?:n>", FnToMillis, 2, nullptr},
                            {"formatInteger", "<n-s:s>", FnFormatInteger, 2, nullptr},
                            {"parseInteger", "<s-s:n>", FnParseInteger, 2, nullptr},
                        });
}

}  // namespace weft::asl::jsonata::detail
