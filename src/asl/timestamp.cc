// src/asl/timestamp.cc: RFC 3339 / ISO-8601 offset date-times as AWS accepts
// them (Java's ISO_OFFSET_DATE_TIME): "2016-03-14T01:59:00Z",
// "2016-03-14T01:59:00.123+02:00", "2016-03-14t01:59z". The offset is
// required; seconds and fraction (up to 9 digits) are optional.
#include <cctype>

#include "asl/expr.h"

namespace weft::asl {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  // Reads exactly n digits.
  bool Digits(int n, int& out) {
    out = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= s_.size() || std::isdigit(static_cast<unsigned char>(s_[pos_])) == 0)
        return false;
      out = out * 10 + (s_[pos_++] - '0');
    }
    return true;
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && (s_[pos_] == c || std::tolower(static_cast<unsigned char>(s_[pos_])) ==
                                                  std::tolower(static_cast<unsigned char>(c)))) {
      ++pos_;
      return true;
    }
    return false;
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Parses the offset ("Z", "+hh:mm", "-hh:mm[:ss]") into seconds east of UTC.
bool ReadOffset(Reader& r, int& seconds) {
  if (r.Eat('Z')) {
    seconds = 0;
    return true;
  }
  char sign = r.Peek();
  if (sign != '+' && sign != '-') return false;
  r.Eat(sign);
  int hh = 0, mm = 0, ss = 0;
  if (!r.Digits(2, hh) || !r.Eat(':') || !r.Digits(2, mm)) return false;
  if (r.Eat(':') && !r.Digits(2, ss)) return false;
  if (hh > 18 || mm > 59 || ss > 59) return false;
  seconds = (hh * 3600 + mm * 60 + ss) * (sign == '-' ? -1 : 1);
  return true;
}

}  // namespace

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  Reader r(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!r.Digits(4, year) || !r.Eat('-') || !r.Digits(2, month) || !r.Eat('-') ||
      !r.Digits(2, day) || !r.Eat('T') || !r.Digits(2, hour) || !r.Eat(':') || !r.Digits(2, minute))
    return std::nullopt;
  int64_t millis = 0;
  if (r.Eat(':')) {
    if (!r.Digits(2, second)) return std::nullopt;
    if (r.Eat('.')) {
      int digits = 0, d = 0, scale = 100;
      while (std::isdigit(static_cast<unsigned char>(r.Peek())) != 0) {
        r.Digits(1, d);
        if (++digits > 9) return std::nullopt;
        millis += d * scale;
        scale /= 10;
      }
      if (digits == 0) return std::nullopt;
    }
  }
  int offset = 0;
  if (!ReadOffset(r, offset) || !r.AtEnd()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  int64_t days = DaysFromCivil(year, month, day);
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  return secs * 1000 + millis;
}

}  // namespace weft::asl
