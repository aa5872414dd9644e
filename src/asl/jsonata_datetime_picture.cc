// src/asl/jsonata_datetime_picture.cc: XPath F&O picture strings for
// integers ($formatInteger) and dates ($fromMillis, $now), as jsonata-js
// datetime.js implements them, and parsing with them ($toMillis with a
// picture, $parseInteger).
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <regex>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

namespace {

const char* const kFew[] = {"Zero",    "One",     "Two",       "Three",    "Four",
                            "Five",    "Six",     "Seven",     "Eight",    "Nine",
                            "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                            "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
const char* const kOrdinals[] = {
    "Zeroth",     "First",     "Second",    "Third",       "Fourth",     "Fifth",     "Sixth",
    "Seventh",    "Eighth",    "Ninth",     "Tenth",       "Eleventh",   "Twelfth",   "Thirteenth",
    "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char* const kDecades[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                "Seventy", "Eighty", "Ninety", "Hundred"};
const char* const kMagnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};
const char* const kDays[] = {"",         "Monday", "Tuesday",  "Wednesday",
                             "Thursday", "Friday", "Saturday", "Sunday"};
const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};

std::string NumberToWords(double value, bool ordinal);

std::string Lookup(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    auto n = static_cast<size_t>(num);
    words = std::string(prev ? " and " : "") + (ord ? kOrdinals[n] : kFew[n]);
  } else if (num < 100) {
    auto tens = static_cast<size_t>(std::floor(num / 10));
    double remainder = std::fmod(num, 10);
    words = std::string(prev ? " and " : "") + kDecades[tens - 2];
    if (remainder > 0) {
      words += "-" + Lookup(remainder, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    auto hundreds = static_cast<size_t>(std::floor(num / 100));
    double remainder = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + kFew[hundreds] + " Hundred";
    if (remainder > 0) {
      words += Lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    auto mag = static_cast<size_t>(std::floor(std::log10(num) / 3));
    if (mag > std::size(kMagnitudes)) mag = std::size(kMagnitudes);
    double factor = std::pow(10, static_cast<double>(mag * 3));
    double mant = std::floor(num / factor);
    double remainder = num - mant * factor;
    words = std::string(prev ? ", " : "") + Lookup(mant, false, false) + " " + kMagnitudes[mag - 1];
    if (remainder > 0) {
      words += Lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

std::string NumberToWords(double value, bool ordinal) { return Lookup(value, false, ordinal); }

std::string DecimalToRoman(double value) {
  static const std::pair<int, const char*> kNumerals[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  std::string out;
  if (value > 1e6) Throw("D3130", -1, "", FormatNumberJs(value));
  for (const auto& [n, s] : kNumerals) {
    while (value >= n) {
      out += s;
      value -= n;
    }
  }
  return out;
}

std::string DecimalToLetters(double value, char a) {
  std::string letters;
  while (value > 0) {
    letters.insert(letters.begin(), static_cast<char>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return letters;
}

enum class Primary : uint8_t { kDecimal, kLetters, kRoman, kWords, kSequence };
enum class Case : uint8_t { kUpper, kLower, kTitle };

struct Separator {
  int position = 0;
  std::u32string character;
};

struct IntegerFormat {
  Primary primary = Primary::kDecimal;
  Case tcase = Case::kLower;
  bool ordinal = false;
  char32_t zero_code = U'0';
  int mandatory_digits = 0;
  int optional_digits = 0;
  bool regular = false;
  Separator regular_separator;
  std::vector<Separator> separators;
  std::string token;
};

const char32_t kDecimalGroups[] = {0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                   0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0,
                                   0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
                                   0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
                                   0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

IntegerFormat AnalyseIntegerPicture(const std::u32string& picture) {
  IntegerFormat format;
  std::u32string primary = picture;
  size_t semicolon = picture.rfind(U';');
  if (semicolon != std::u32string::npos) {
    primary = picture.substr(0, semicolon);
    std::u32string modifier = picture.substr(semicolon + 1);
    if (!modifier.empty() && modifier[0] == U'o') format.ordinal = true;
  }
  if (primary == U"A" || primary == U"a") {
    format.tcase = primary == U"A" ? Case::kUpper : Case::kLower;
    format.primary = Primary::kLetters;
  } else if (primary == U"I" || primary == U"i") {
    format.tcase = primary == U"I" ? Case::kUpper : Case::kLower;
    format.primary = Primary::kRoman;
  } else if (primary == U"W") {
    format.tcase = Case::kUpper;
    format.primary = Primary::kWords;
  } else if (primary == U"Ww") {
    format.tcase = Case::kTitle;
    format.primary = Primary::kWords;
  } else if (primary == U"w") {
    format.primary = Primary::kWords;
  } else {
    bool have_zero = false;
    int separator_position = 0;
    for (auto it = primary.rbegin(); it != primary.rend(); ++it) {
      char32_t cp = *it;
      bool digit = false;
      for (char32_t group : kDecimalGroups) {
        if (cp >= group && cp <= group + 9) {
          digit = true;
          ++format.mandatory_digits;
          ++separator_position;
          if (!have_zero) {
            format.zero_code = group;
            have_zero = true;
          } else if (group != format.zero_code) {
            ThrowArg("D3131",
                     "In a decimal digit pattern, all digits must be from the same decimal group");
          }
          break;
        }
      }
      if (!digit) {
        if (cp == U'#') {
          ++separator_position;
          ++format.optional_digits;
        } else {
          format.separators.push_back({separator_position, std::u32string(1, cp)});
        }
      }
    }
    if (format.mandatory_digits > 0) {
      format.primary = Primary::kDecimal;
      int regular = 0;
      if (!format.separators.empty()) {
        bool same = true;
        for (const auto& s : format.separators)
          if (s.character != format.separators[0].character) same = false;
        if (same) {
          int factor = format.separators[0].position;
          for (const auto& s : format.separators) factor = std::gcd(factor, s.position);
          regular = factor;
          for (size_t index = 1; index <= format.separators.size(); ++index) {
            bool found = false;
            for (const auto& s : format.separators)
              if (s.position == static_cast<int>(index) * factor) found = true;
            if (!found) {
              regular = 0;
              break;
            }
          }
        }
      }
      if (regular > 0) {
        format.regular = true;
        format.regular_separator = {regular, format.separators[0].character};
      }
    } else {
      format.primary = Primary::kSequence;
      format.token = FromU32(primary);
    }
  }
  return format;
}

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}
std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string FormatIntegerWith(double value, IntegerFormat format) {
  std::string out;
  bool negative = value < 0;
  value = std::fabs(value);
  switch (format.primary) {
    case Primary::kLetters:
      out = DecimalToLetters(value, format.tcase == Case::kUpper ? 'A' : 'a');
      break;
    case Primary::kRoman:
      out = DecimalToRoman(value);
      if (format.tcase == Case::kUpper) out = Upper(out);
      break;
    case Primary::kWords:
      out = NumberToWords(value, format.ordinal);
      if (format.tcase == Case::kUpper) out = Upper(out);
      if (format.tcase == Case::kLower) out = Lower(out);
      break;
    case Primary::kDecimal: {
      std::u32string s = ToU32(FormatNumberJs(value));
      int pad = format.mandatory_digits - static_cast<int>(s.size());
      if (pad > 0) s = std::u32string(static_cast<size_t>(pad), U'0') + s;
      if (format.zero_code != U'0')
        for (auto& c : s) c = c + format.zero_code - U'0';
      if (format.regular) {
        int pos_step = format.regular_separator.position;
        int n = (static_cast<int>(s.size()) - 1) / pos_step;
        for (int ii = n; ii > 0; --ii) {
          int pos = static_cast<int>(s.size()) - ii * pos_step;
          s.insert(static_cast<size_t>(pos), format.regular_separator.character);
        }
      } else {
        for (auto it = format.separators.rbegin(); it != format.separators.rend(); ++it) {
          int pos = static_cast<int>(s.size()) - it->position;
          if (pos < 0) pos = 0;
          s.insert(static_cast<size_t>(pos), it->character);
        }
      }
      out = FromU32(s);
      if (format.ordinal) {
        char last = out.empty() ? '0' : out.back();
        const char* suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        if (out.size() > 1 && out[out.size() - 2] == '1') suffix = "th";
        out += suffix;
      }
      break;
    }
    case Primary::kSequence:
      Throw("D3130", -1, "", "\"" + format.token + "\"");
  }
  if (negative) out = "-" + out;
  return out;
}

struct Width {
  std::optional<int> min, max;
};

struct Part {
  bool literal = true;
  std::string value;  // a literal
  char32_t component = 0;
  std::u32string presentation1;
  char32_t presentation2 = 0;
  bool has_names = false;
  Case names = Case::kLower;
  std::optional<Width> width;
  IntegerFormat integer_format;
  int n = -1;
};

const std::u32string& DefaultPresentation(char32_t component) {
  static const std::pair<char32_t, std::u32string> kDefaults[] = {
      {U'Y', U"1"},     {U'M', U"1"},     {U'D', U"1"},  {U'd', U"1"},  {U'F', U"n"},
      {U'W', U"1"},     {U'w', U"1"},     {U'X', U"1"},  {U'x', U"1"},  {U'H', U"1"},
      {U'h', U"1"},     {U'P', U"n"},     {U'm', U"01"}, {U's', U"01"}, {U'f', U"1"},
      {U'Z', U"01:01"}, {U'z', U"01:01"}, {U'C', U"n"},  {U'E', U"n"}};
  static const std::u32string kNone;
  for (const auto& [c, p] : kDefaults)
    if (c == component) return p;
  return kNone;
}

std::vector<Part> AnalyseDateTimePicture(const std::u32string& picture) {
  std::vector<Part> spec;
  auto add_literal = [&](size_t start, size_t end) {
    if (end <= start) return;
    std::u32string lit = picture.substr(start, end - start);
    std::u32string unescaped;
    for (size_t i = 0; i < lit.size(); ++i) {
      unescaped += lit[i];
      if (lit[i] == U']' && i + 1 < lit.size() && lit[i + 1] == U']') ++i;
    }
    Part p;
    p.value = FromU32(unescaped);
    spec.push_back(p);
  };
  size_t start = 0;
  size_t pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] == U'[') {
      if (pos + 1 < picture.size() && picture[pos + 1] == U'[') {
        add_literal(start, pos);
        Part p;
        p.value = "[";
        spec.push_back(p);
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(start, pos);
      start = pos;
      pos = picture.find(U']', start);
      if (pos == std::u32string::npos)
        ThrowArg("D3135", "No matching closing bracket ']' in date/time picture string");
      std::u32string marker;
      for (char32_t c : picture.substr(start + 1, pos - start - 1))
        if (c != U' ' && c != U'\t' && c != U'\n' && c != U'\r') marker += c;
      Part def;
      def.literal = false;
      def.component = marker.empty() ? 0 : marker[0];
      size_t comma = marker.rfind(U',');
      std::u32string pres;
      if (comma != std::u32string::npos) {
        std::u32string width_mod = marker.substr(comma + 1);
        size_t dash = width_mod.find(U'-');
        auto parse_width = [](const std::u32string& wm) -> std::optional<int> {
          if (wm.empty() || wm == U"*") return std::nullopt;
          int v = 0;
          size_t k = 0;
          while (k < wm.size() && wm[k] >= U'0' && wm[k] <= U'9' && v < 100000)
            v = v * 10 + static_cast<int>(wm[k++] - U'0');
          if (k == 0) return std::nullopt;
          return v;
        };
        Width w;
        if (dash == std::u32string::npos) {
          w.min = parse_width(width_mod);
        } else {
          w.min = parse_width(width_mod.substr(0, dash));
          w.max = parse_width(width_mod.substr(dash + 1));
        }
        def.width = w;
        pres = marker.substr(1, comma - 1);
      } else {
        pres = marker.size() > 1 ? marker.substr(1) : U"";
      }
      if (pres.size() == 1) {
        def.presentation1 = pres;
      } else if (pres.size() > 1) {
        char32_t last = pres.back();
        if (std::u32string_view(U"atco").find(last) != std::u32string_view::npos) {
          def.presentation2 = last;
          def.presentation1 = pres.substr(0, pres.size() - 1);
        } else {
          def.presentation1 = pres;
        }
      } else {
        def.presentation1 = DefaultPresentation(def.component);
      }
      if (def.presentation1.empty()) {
        std::string c;
        AppendUtf8(c, def.component);
        Throw("D3132", -1, "", "\"" + c + "\"");
      }
      if (def.presentation1[0] == U'n') {
        def.has_names = true;
        def.names = Case::kLower;
      } else if (def.presentation1[0] == U'N') {
        def.has_names = true;
        def.names = def.presentation1.size() > 1 && def.presentation1[1] == U'n' ? Case::kTitle
                                                                                 : Case::kUpper;
      } else if (std::u32string_view(U"YMDdFWwXxHhmsf").find(def.component) !=
                 std::u32string_view::npos) {
        std::u32string integer_pattern = def.presentation1;
        if (def.presentation2) integer_pattern += std::u32string(U";") + def.presentation2;
        def.integer_format = AnalyseIntegerPicture(integer_pattern);
        if (def.width && def.width->min && def.integer_format.mandatory_digits < *def.width->min)
          def.integer_format.mandatory_digits = *def.width->min;
        if (std::u32string_view(U"YMD").find(def.component) != std::u32string_view::npos) {
          def.n = -1;
          if (def.width && def.width->max) {
            def.n = *def.width->max;
            def.integer_format.mandatory_digits = def.n;
          } else {
            int w = def.integer_format.mandatory_digits + def.integer_format.optional_digits;
            if (w >= 2) def.n = w;
          }
        }
      }
      if (def.component == U'Z' || def.component == U'z')
        def.integer_format = AnalyseIntegerPicture(def.presentation1);
      spec.push_back(def);
      start = pos + 1;
    }
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

constexpr double kMillisInADay = 86400000;

double DateUtc(int64_t year, int month) {  // month 0-based, may overflow
  int64_t y = year + (month >= 0 ? month / 12 : (month - 11) / 12);
  int m = ((month % 12) + 12) % 12;
  return static_cast<double>(DaysFromCivil(y, static_cast<unsigned>(m + 1), 1)) * kMillisInADay;
}

struct Date {
  double ms;
  int64_t year;
  int month;  // 0-based
  int day;
  int hours, minutes, seconds, millis;
  int weekday;  // 0 = Sunday
};

Date MakeDate(double ms) {
  Date d{};
  d.ms = ms;
  double days = std::floor(ms / kMillisInADay);
  auto rem = static_cast<int64_t>(ms - days * kMillisInADay);
  int64_t y = 0;
  unsigned m = 0;
  unsigned dd = 0;
  CivilFromDays(static_cast<int64_t>(days), &y, &m, &dd);
  d.year = y;
  d.month = static_cast<int>(m) - 1;
  d.day = static_cast<int>(dd);
  d.hours = static_cast<int>(rem / 3600000);
  d.minutes = static_cast<int>(rem / 60000 % 60);
  d.seconds = static_cast<int>(rem / 1000 % 60);
  d.millis = static_cast<int>(rem % 1000);
  auto wd = static_cast<int64_t>(days + 4) % 7;  // 1970-01-01 was a Thursday
  d.weekday = static_cast<int>(wd < 0 ? wd + 7 : wd);
  return d;
}

double StartOfFirstWeek(int64_t year, int month) {
  double jan1 = DateUtc(year, month);
  int day = MakeDate(jan1).weekday;
  if (day == 0) day = 7;
  return day > 4 ? jan1 + (8 - day) * kMillisInADay : jan1 - (day - 1) * kMillisInADay;
}

double DeltaWeeks(double start, double end) { return (end - start) / (kMillisInADay * 7) + 1; }

// getDateTimeFragment: a number, or a string for P, C, E.
std::variant<double, std::string> Fragment(const Date& date, char32_t component) {
  switch (component) {
    case U'Y':
      return static_cast<double>(date.year);
    case U'M':
      return static_cast<double>(date.month + 1);
    case U'D':
      return static_cast<double>(date.day);
    case U'd': {
      double today = DateUtc(date.year, date.month) + (date.day - 1) * kMillisInADay;
      return (today - DateUtc(date.year, 0)) / kMillisInADay + 1;
    }
    case U'F':
      return static_cast<double>(date.weekday == 0 ? 7 : date.weekday);
    case U'W': {
      double start = StartOfFirstWeek(date.year, 0);
      double today = DateUtc(date.year, date.month) + (date.day - 1) * kMillisInADay;
      double week = DeltaWeeks(start, today);
      if (week > 52) {
        if (today >= StartOfFirstWeek(date.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = DeltaWeeks(StartOfFirstWeek(date.year - 1, 0), today);
      }
      return std::floor(week);
    }
    case U'w': {
      double start = StartOfFirstWeek(date.year, date.month);
      double today = DateUtc(date.year, date.month) + (date.day - 1) * kMillisInADay;
      double week = DeltaWeeks(start, today);
      if (week > 4) {
        if (today >= StartOfFirstWeek(date.year, date.month + 1)) week = 1;
      } else if (week < 1) {
        week = DeltaWeeks(StartOfFirstWeek(date.year, date.month - 1), today);
      }
      return std::floor(week);
    }
    case U'X': {
      double start = StartOfFirstWeek(date.year, 0);
      double end = StartOfFirstWeek(date.year + 1, 0);
      if (date.ms < start) return static_cast<double>(date.year - 1);
      if (date.ms >= end) return static_cast<double>(date.year + 1);
      return static_cast<double>(date.year);
    }
    case U'x': {
      double start = StartOfFirstWeek(date.year, date.month);
      double end = StartOfFirstWeek(date.year, date.month + 1);
      if (date.ms < start) return static_cast<double>((date.month + 11) % 12 + 1);
      if (date.ms >= end) return static_cast<double>((date.month + 1) % 12 + 1);
      return static_cast<double>(date.month + 1);
    }
    case U'H':
      return static_cast<double>(date.hours);
    case U'h': {
      int h = date.hours % 12;
      return static_cast<double>(h == 0 ? 12 : h);
    }
    case U'P':
      return std::string(date.hours >= 12 ? "pm" : "am");
    case U'm':
      return static_cast<double>(date.minutes);
    case U's':
      return static_cast<double>(date.seconds);
    case U'f':
      return static_cast<double>(date.millis);
    case U'C':
    case U'E':
      return std::string("ISO");
    default:
      return std::string();
  }
}

std::string FormatPart(const Date& date, const Part& spec, int offset_hours, int offset_minutes) {
  auto value = Fragment(date, spec.component);
  std::u32string_view numeric(U"YMDdFWwXxHhms");
  if (numeric.find(spec.component) != std::u32string_view::npos) {
    double v = std::get<double>(value);
    if (spec.component == U'Y' && spec.n != -1) v = std::fmod(v, std::pow(10, spec.n));
    if (spec.has_names) {
      std::string name;
      if (spec.component == U'M' || spec.component == U'x') {
        name = kMonths[static_cast<size_t>(v) - 1];
      } else if (spec.component == U'F') {
        name = kDays[static_cast<size_t>(v)];
      } else {
        std::string c;
        AppendUtf8(c, spec.component);
        Throw("D3133", -1, "", "\"" + c + "\"");
      }
      if (spec.names == Case::kUpper) name = Upper(name);
      if (spec.names == Case::kLower) name = Lower(name);
      if (spec.width && spec.width->max && static_cast<int>(name.size()) > *spec.width->max)
        name = name.substr(0, static_cast<size_t>(*spec.width->max));
      return name;
    }
    return FormatIntegerWith(v, spec.integer_format);
  }
  if (spec.component == U'f')
    return FormatIntegerWith(std::get<double>(value), spec.integer_format);
  if (spec.component == U'Z' || spec.component == U'z') {
    int offset = offset_hours * 100 + offset_minutes;
    std::string out;
    if (spec.integer_format.regular) {
      out = FormatIntegerWith(offset, spec.integer_format);
    } else {
      int digits = spec.integer_format.mandatory_digits;
      if (digits == 1 || digits == 2) {
        out = FormatIntegerWith(offset_hours, spec.integer_format);
        if (offset_minutes != 0) {
          IntegerFormat two;
          two.mandatory_digits = 2;
          out += ":" + FormatIntegerWith(offset_minutes, two);
        }
      } else if (digits == 3 || digits == 4) {
        out = FormatIntegerWith(offset, spec.integer_format);
      } else {
        Throw("D3134", -1, "", std::to_string(digits));
      }
    }
    if (offset >= 0) out = "+" + out;
    if (spec.component == U'z') out = "GMT" + out;
    if (offset == 0 && spec.presentation2 == U't') out = "Z";
    return out;
  }
  if (spec.component == U'P') {
    std::string s = std::get<std::string>(value);
    return spec.has_names && spec.names == Case::kUpper ? Upper(s) : s;
  }
  if (auto* s = std::get_if<std::string>(&value)) return *s;
  return "undefined";
}

}  // namespace

std::string FormatDateTimePicture(double millis, const std::string& picture,
                                  const Value& timezone) {
  int offset_hours = 0;
  int offset_minutes = 0;
  if (timezone.is_string()) {
    // parseInt: optional sign and leading digits.
    const std::string& tz = timezone.str();
    size_t i = 0;
    while (i < tz.size() && std::isspace(static_cast<unsigned char>(tz[i])) != 0) ++i;
    int sign = 1;
    if (i < tz.size() && (tz[i] == '+' || tz[i] == '-')) sign = tz[i++] == '-' ? -1 : 1;
    int offset = 0;
    size_t digits = 0;
    while (i < tz.size() && std::isdigit(static_cast<unsigned char>(tz[i])) != 0 && digits < 9) {
      offset = offset * 10 + (tz[i++] - '0');
      ++digits;
    }
    offset *= sign;
    if (digits > 0) {
      offset_hours = static_cast<int>(std::floor(offset / 100.0));
      offset_minutes = offset % 100;
    }
  }
  std::vector<Part> spec = AnalyseDateTimePicture(ToU32(picture));
  double offset_ms = (60.0 * offset_hours + offset_minutes) * 60 * 1000;
  if (!std::isfinite(millis) || std::fabs(millis) > 8.64e15)
    Throw("D3110", -1, "", FormatNumberJs(millis));
  Date date = MakeDate(std::floor(millis) + offset_ms);
  std::string out;
  for (const auto& part : spec) {
    out += part.literal ? part.value : FormatPart(date, part, offset_hours, offset_minutes);
  }
  return out;
}

std::string FormatInteger(double value, const std::string& picture) {
  return FormatIntegerWith(std::floor(value), AnalyseIntegerPicture(ToU32(picture)));
}

namespace {

// ---- parsing (datetime.js generateRegex, parseDateTime, parseInteger) ----

const std::vector<std::pair<std::string, double>>& WordValues() {
  static const auto* values = [] {
    auto* v = new std::vector<std::pair<std::string, double>>();
    for (size_t i = 0; i < std::size(kFew); ++i) v->emplace_back(Lower(kFew[i]), i);
    for (size_t i = 0; i < std::size(kOrdinals); ++i) v->emplace_back(Lower(kOrdinals[i]), i);
    for (size_t i = 0; i < std::size(kDecades); ++i) {
      std::string w = Lower(kDecades[i]);
      v->emplace_back(w, (i + 2) * 10);
      v->emplace_back(w.substr(0, w.size() - 1) + "ieth", (i + 2) * 10);
    }
    v->emplace_back("hundredth", 100);
    for (size_t i = 0; i < std::size(kMagnitudes); ++i) {
      std::string w = Lower(kMagnitudes[i]);
      double val = std::pow(10, static_cast<double>((i + 1) * 3));
      v->emplace_back(w, val);
      v->emplace_back(w + "th", val);
    }
    return v;
  }();
  return *values;
}

double WordsToNumber(const std::string& text) {
  static const std::regex kSplit(",\\s|\\sand\\s|[\\s\\\\-]");
  std::vector<double> segs{0};
  for (std::sregex_token_iterator it(text.begin(), text.end(), kSplit, -1), end; it != end; ++it) {
    double value = NAN;
    for (const auto& [w, v] : WordValues())
      if (w == it->str()) value = v;
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else {
      double top = segs.back();
      segs.pop_back();
      segs.push_back(top * value);  // NaN (an unknown word) propagates
    }
  }
  double sum = 0;
  for (double s : segs) sum += s;
  return sum;
}

double RomanToDecimal(const std::string& roman) {
  double decimal = 0;
  double max = 1;
  for (auto it = roman.rbegin(); it != roman.rend(); ++it) {
    double value = NAN;
    switch (*it) {
      case 'M':
        value = 1000;
        break;
      case 'D':
        value = 500;
        break;
      case 'C':
        value = 100;
        break;
      case 'L':
        value = 50;
        break;
      case 'X':
        value = 10;
        break;
      case 'V':
        value = 5;
        break;
      case 'I':
        value = 1;
        break;
      default:
        break;
    }
    if (value < max) {
      decimal -= value;
    } else {
      max = value;
      decimal += value;
    }
  }
  return decimal;
}

double LettersToDecimal(const std::string& letters, char a) {
  double decimal = 0;
  for (size_t i = 0; i < letters.size(); ++i)
    decimal += (letters[letters.size() - i - 1] - a + 1) * std::pow(26, static_cast<double>(i));
  return decimal;
}

// parseInt(s, 10): leading whitespace, sign, digits; NaN without digits.
double ParseIntJs(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i;
  double sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  double v = 0;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  return i == start ? NAN : sign * v;
}

std::string EscapeRegex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".*+?^${}()|[]\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

struct Matcher {
  std::string regex;
  // Empty for literals; nullopt: a name not found (undefined in JS).
  std::function<std::optional<double>(const std::string&)> parse;
  char32_t component = 0;
};

Matcher IntegerMatcher(const IntegerFormat& format, int n) {
  Matcher m;
  bool upper = format.tcase == Case::kUpper;
  std::string occurrences = "+";
  if (n > 0) {
    occurrences = format.optional_digits == 0 ? "{" + std::to_string(n) + "}"
                                              : "{" + std::to_string(n - format.optional_digits) +
                                                    "," + std::to_string(n) + "}";
  }
  switch (format.primary) {
    case Primary::kLetters:
      m.regex = upper ? "[A-Z]+" : "[a-z]+";
      m.parse = [upper](const std::string& v) { return LettersToDecimal(v, upper ? 'A' : 'a'); };
      break;
    case Primary::kRoman:
      m.regex = upper ? "[MDCLXVI]+" : "[mdclxvi]+";
      m.parse = [](const std::string& v) { return RomanToDecimal(Upper(v)); };
      break;
    case Primary::kWords: {
      std::string alternatives;
      for (const auto& [w, v] : WordValues()) alternatives += w + "|";
      m.regex = "(?:" + alternatives + "and|[\\-, ])+";
      m.parse = [](const std::string& v) { return WordsToNumber(Lower(v)); };
      break;
    }
    case Primary::kDecimal: {
      m.regex = "[0-9]" + occurrences;
      if (format.ordinal) m.regex += "(?:th|st|nd|rd)";
      m.parse = [format](const std::string& value) {
        std::u32string digits = ToU32(value);
        if (format.ordinal && digits.size() >= 2) digits.resize(digits.size() - 2);
        auto remove = [&](const std::u32string& sep) {
          if (sep.empty()) return;
          for (size_t at = digits.find(sep); at != std::u32string::npos; at = digits.find(sep, at))
            digits.erase(at, sep.size());
        };
        if (format.regular) {
          remove(U",");
        } else {
          for (const auto& s : format.separators) remove(s.character);
        }
        if (format.zero_code != U'0')
          for (auto& c : digits) c = c - format.zero_code + U'0';
        return ParseIntJs(FromU32(digits));
      };
      break;
    }
    case Primary::kSequence:
      Throw("D3130", -1, "", "\"" + format.token + "\"");
  }
  return m;
}

}  // namespace

double ParseInteger(const std::string& value, const std::string& picture) {
  IntegerFormat format = AnalyseIntegerPicture(ToU32(picture));
  return IntegerMatcher(format, 0).parse(value).value_or(NAN);
}

std::optional<double> ParseDateTimePicture(const std::string& timestamp, const std::string& picture,
                                           double now_ms) {
  std::vector<Part> spec = AnalyseDateTimePicture(ToU32(picture));
  std::vector<Matcher> parts;
  for (const auto& part : spec) {
    Matcher res;
    if (part.literal) {
      res.regex = EscapeRegex(part.value);
    } else if (part.component == U'Z' || part.component == U'z') {
      bool z = part.component == U'z';
      std::optional<std::u32string> separator;
      if (part.integer_format.regular) separator = part.integer_format.regular_separator.character;
      res.regex = z ? "GMT[-+][0-9]+" : "[-+][0-9]+";
      if (separator) res.regex += EscapeRegex(FromU32(*separator)) + "[0-9]+";
      res.parse = [z, separator](const std::string& text) {
        std::string value = z ? text.substr(std::min<size_t>(3, text.size())) : text;
        double hours = 0;
        double minutes = 0;
        if (separator) {
          size_t at = value.find(FromU32(*separator));
          hours = ParseIntJs(value.substr(0, at));
          minutes = at == std::string::npos ? NAN : ParseIntJs(value.substr(at + 1));
        } else if (value.size() - 1 <= 2) {
          hours = ParseIntJs(value);
        } else {
          hours = ParseIntJs(value.substr(0, 3));
          minutes = ParseIntJs(value.substr(3));
        }
        return hours * 60 + minutes;
      };
    } else if (part.has_names || std::u32string_view(U"YMDdFWwXxHhmsf").find(part.component) ==
                                     std::u32string_view::npos) {
      res.regex = "[a-zA-Z]+";
      std::vector<std::pair<std::string, double>> lookup;
      auto cut = [&](std::string name) {
        if (part.width && part.width->max)
          name = name.substr(0, static_cast<size_t>(*part.width->max));
        return name;
      };
      if (part.component == U'M' || part.component == U'x') {
        for (size_t i = 0; i < std::size(kMonths); ++i) lookup.emplace_back(cut(kMonths[i]), i + 1);
      } else if (part.component == U'F') {
        for (size_t i = 1; i < std::size(kDays); ++i) lookup.emplace_back(cut(kDays[i]), i);
      } else if (part.component == U'P') {
        lookup = {{"am", 0}, {"AM", 0}, {"pm", 1}, {"PM", 1}};
      } else {
        std::string c;
        AppendUtf8(c, part.component);
        Throw("D3133", -1, "", "\"" + c + "\"");
      }
      res.parse = [lookup](const std::string& v) -> std::optional<double> {
        for (const auto& [k, n] : lookup)
          if (k == v) return n;
        return std::nullopt;
      };
    } else {
      res = IntegerMatcher(part.integer_format, part.n);
    }
    res.component = part.component;
    parts.push_back(std::move(res));
  }
  std::string full = "^";
  for (const auto& p : parts) full += "(" + p.regex + ")";
  full += "$";
  std::regex matcher;
  try {
    matcher = std::regex(full, std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error&) {
    ThrowArg("D3136", "The date/time picture string could not be turned into a pattern");
  }
  std::smatch info;
  if (!std::regex_match(timestamp, info, matcher)) return std::nullopt;
  std::map<char32_t, double> components;
  bool any = false;
  for (size_t i = 1; i < info.size(); ++i) {
    const Matcher& m = parts[i - 1];
    if (!m.parse) continue;
    any = true;
    if (auto v = m.parse(info[i].str())) components[m.component] = *v;
  }
  if (!any) return std::nullopt;
  auto has = [&](char32_t c) {
    auto it = components.find(c);
    // JS: `shift(components[part])` tests truthiness (0 and NaN are false).
    return it != components.end() && it->second != 0 && !std::isnan(it->second);
  };
  int mask = 0;
  auto shift = [&](bool bit) { mask = (mask << 1) + (bit ? 1 : 0); };
  auto is_type = [&](int type) { return !(~type & mask) && (type & mask) != 0; };
  for (char32_t c : std::u32string_view(U"YXMxWwdD")) shift(has(c));
  bool date_a = is_type(161);
  bool date_b = !date_a && is_type(130);
  bool date_c = is_type(84);
  bool date_d = !date_c && is_type(72);
  mask = 0;
  for (char32_t c : std::u32string_view(U"PHhmsf")) shift(has(c));
  bool time_a = is_type(23);
  bool time_b = !time_a && is_type(47);
  std::u32string comps = date_b ? U"YD" : date_c ? U"XxwF" : date_d ? U"XWF" : U"YMD";
  comps += time_b ? U"Phmsf" : U"Hmsf";
  Date now = MakeDate(now_ms);
  bool start_specified = false;
  bool end_specified = false;
  for (char32_t part : comps) {
    if (components.find(part) == components.end()) {
      if (start_specified) {
        components[part] =
            std::u32string_view(U"MDd").find(part) != std::u32string_view::npos ? 1 : 0;
        end_specified = true;
      } else {
        auto v = Fragment(now, part);
        components[part] = std::holds_alternative<double>(v)
                               ? std::get<double>(v)
                               : (std::get<std::string>(v) == "pm" ? 1 : 0);
      }
    } else {
      start_specified = true;
      if (end_specified)
        ThrowArg(
            "D3136",
            "The date/time picture string is missing specifiers required to parse the timestamp");
    }
  }
  double& month = components[U'M'];
  month = month > 0 ? month - 1 : 0;
  if (date_b) {
    double first_jan = DateUtc(static_cast<int64_t>(components[U'Y']), 0);
    Date derived = MakeDate(first_jan + (components[U'd'] - 1) * kMillisInADay);
    components[U'M'] = derived.month;
    components[U'D'] = derived.day;
  }
  if (date_c || date_d)
    ThrowArg("D3136",
             "The date/time picture string is missing specifiers required to parse the timestamp");
  if (time_b) {
    components[U'H'] = components[U'h'] == 12 ? 0 : components[U'h'];
    if (components[U'P'] == 1) components[U'H'] += 12;
  }
  // Date.UTC(Y, M, D, H, m, s, f); a two-digit year is 19xx, as in JavaScript.
  double y = components[U'Y'];
  for (char32_t c : std::u32string_view(U"YMDHmsf"))
    if (std::isnan(components[c])) return static_cast<double>(NAN);
  y = std::trunc(y);
  if (y >= 0 && y <= 99) y += 1900;
  double millis = DateUtc(static_cast<int64_t>(y), static_cast<int>(components[U'M'])) +
                  (std::trunc(components[U'D']) - 1) * kMillisInADay +
                  std::trunc(components[U'H']) * 3600000 + std::trunc(components[U'm']) * 60000 +
                  std::trunc(components[U's']) * 1000 + std::trunc(components[U'f']);
  double zone = 0;
  if (components.count(U'Z') && components[U'Z'] != 0) {
    zone = components[U'Z'];
  } else if (components.count(U'z')) {
    zone = components[U'z'];
  }
  if (!std::isnan(zone) && zone != 0) millis -= zone * 60 * 1000;
  if (std::isnan(zone)) return static_cast<double>(NAN);
  return millis;
}

}  // namespace weft::asl::jsonata::detail
