// src/asl/jsonata_lexer.cc: the JSONata tokenizer (jsonata-js parser.js
// tokenizer): operators, strings with JSON escapes, numbers, names,
// `quoted names`, $variables, comments and /regex/flags literals.
#include <cmath>
#include <cstring>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

bool IsOperatorChar(char c) { return c != 0 && std::strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", c); }

// `prefix`: the token may start an operand, so '/' starts a regex.
Token Lexer::Next(bool infix) {
  for (;;) {
    if (pos_ >= path_.size()) return End();
    while (pos_ < path_.size() && std::strchr(" \t\n\r\v", path_[pos_]) && path_[pos_] != 0) ++pos_;
    if (At(pos_) == '/' && At(pos_ + 1) == '*') {
      size_t start = pos_;
      pos_ += 2;
      while (!(At(pos_) == '*' && At(pos_ + 1) == '/')) {
        ++pos_;
        if (pos_ >= path_.size()) Throw("S0106", static_cast<int64_t>(start));
      }
      pos_ += 2;
      continue;
    }
    break;
  }
  if (pos_ >= path_.size()) return End();
  char c = path_[pos_];
  if (!infix && c == '/') {
    ++pos_;
    return ScanRegex();
  }
  static const char* kTwo[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
  for (const char* two : kTwo) {
    if (c == two[0] && At(pos_ + 1) == two[1]) {
      pos_ += 2;
      return Op(two);
    }
  }
  if (IsOperatorChar(c)) {
    ++pos_;
    return Op(std::string(1, c));
  }
  if (c == '"' || c == '\'') return ScanString(c);
  if (auto num = ScanNumber()) return *num;
  if (c == '`') {
    ++pos_;
    size_t end = path_.find('`', pos_);
    if (end != std::string_view::npos) {
      Token t = Make(Token::Kind::kName, std::string(path_.substr(pos_, end - pos_)));
      pos_ = end + 1;
      t.position = static_cast<int64_t>(pos_);
      return t;
    }
    pos_ = path_.size();
    Throw("S0105", static_cast<int64_t>(pos_));
  }
  size_t i = pos_;
  while (i < path_.size() && !std::strchr(" \t\n\r\v", path_[i]) && !IsOperatorChar(path_[i])) ++i;
  if (path_[pos_] == '$') {
    std::string name(path_.substr(pos_ + 1, i - pos_ - 1));
    pos_ = i;
    return Make(Token::Kind::kVariable, std::move(name));
  }
  std::string name(path_.substr(pos_, i - pos_));
  pos_ = i;
  if (name == "or" || name == "in" || name == "and") return Op(name);
  if (name == "true" || name == "false") {
    Token t = Make(Token::Kind::kValue, name);
    t.literal = Value::Bool(name == "true");
    return t;
  }
  if (name == "null") {
    Token t = Make(Token::Kind::kValue, name);
    t.literal = Value::Null();
    return t;
  }
  if (name.empty()) {
    // A character no token starts with (a NUL byte): jsonata-js would loop;
    // report it as an unknown operator.
    Throw("S0204", static_cast<int64_t>(pos_), std::string(1, path_[pos_]));
  }
  return Make(Token::Kind::kName, std::move(name));
}

Token Lexer::ScanRegex() {
  size_t start = pos_;
  int depth = 0;
  while (pos_ < path_.size()) {
    char c = path_[pos_];
    if (c == '/' && depth == 0) {
      size_t backslashes = 0;
      while (pos_ >= backslashes + 1 && path_[pos_ - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) {
        std::string pattern(path_.substr(start, pos_ - start));
        if (pattern.empty()) Throw("S0301", static_cast<int64_t>(pos_));
        ++pos_;
        size_t fstart = pos_;
        while (At(pos_) == 'i' || At(pos_) == 'm') ++pos_;
        auto lit = std::make_shared<RegexLiteral>();
        lit->source = pattern;
        lit->flags = std::string(path_.substr(fstart, pos_ - fstart));
        lit->re = CompileRegex(pattern, lit->flags, static_cast<int64_t>(start));
        Token t = Make(Token::Kind::kRegex, pattern);
        t.regex = std::move(lit);
        return t;
      }
    }
    bool escaped = pos_ > 0 && path_[pos_ - 1] == '\\';
    if ((c == '(' || c == '[' || c == '{') && !escaped) ++depth;
    if ((c == ')' || c == ']' || c == '}') && !escaped) --depth;
    ++pos_;
  }
  Throw("S0302", static_cast<int64_t>(pos_));
}

Token Lexer::ScanString(char quote) {
  ++pos_;
  std::string out;
  while (pos_ < path_.size()) {
    char c = path_[pos_];
    if (c == '\\') {
      ++pos_;
      c = At(pos_);
      switch (c) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          auto hex = [&](size_t at, uint32_t& cp) {
            if (at + 4 > path_.size()) return false;
            cp = 0;
            for (size_t k = at; k < at + 4; ++k) {
              char h = path_[k];
              int d = (h >= '0' && h <= '9')   ? h - '0'
                      : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                               : -1;
              if (d < 0) return false;
              cp = cp * 16 + static_cast<uint32_t>(d);
            }
            return true;
          };
          uint32_t cp = 0;
          if (!hex(pos_ + 1, cp)) Throw("S0104", static_cast<int64_t>(pos_));
          pos_ += 4;
          // A surrogate pair written as two escapes is one character.
          uint32_t low = 0;
          if (cp >= 0xD800 && cp <= 0xDBFF && At(pos_ + 1) == '\\' && At(pos_ + 2) == 'u' &&
              hex(pos_ + 3, low) && low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            pos_ += 6;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate
          AppendUtf8(out, static_cast<char32_t>(cp));
          break;
        }
        default:
          Throw("S0103", static_cast<int64_t>(pos_), std::string(1, c));
      }
    } else if (c == quote) {
      ++pos_;
      Token t = Make(Token::Kind::kString, out);
      t.literal = Value::Str(std::move(out));
      return t;
    } else {
      out += c;
    }
    ++pos_;
  }
  Throw("S0101", static_cast<int64_t>(pos_));
}

// /^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?/
std::optional<Token> Lexer::ScanNumber() {
  size_t i = pos_;
  auto digit = [&](size_t k) { return At(k) >= '0' && At(k) <= '9'; };
  if (At(i) == '-') ++i;
  if (At(i) == '0') {
    ++i;
  } else if (digit(i)) {
    while (digit(i)) ++i;
  } else {
    return std::nullopt;
  }
  if (At(i) == '.' && digit(i + 1)) {
    ++i;
    while (digit(i)) ++i;
  }
  if (At(i) == 'e' || At(i) == 'E') {
    size_t k = i + 1;
    if (At(k) == '+' || At(k) == '-') ++k;
    if (digit(k)) {
      while (digit(k)) ++k;
      i = k;
    }
  }
  std::string text(path_.substr(pos_, i - pos_));
  double d = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(d)) Throw("S0102", static_cast<int64_t>(pos_), text);
  pos_ = i;
  Token t = Make(Token::Kind::kNumber, text);
  t.literal = Value::Num(d);
  return t;
}

}  // namespace weft::asl::jsonata::detail
