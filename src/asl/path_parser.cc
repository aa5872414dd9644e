// src/asl/path_parser.cc: JSONPath text -> steps (Jayway dialect, as AWS uses).
#include <cctype>
#include <charconv>

#include "asl/path_internal.h"

namespace weft::asl::path_detail {
namespace {

bool IsVariableChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

class Parser {
 public:
  Parser(std::string_view text, bool reference_only)
      : text_(text), reference_only_(reference_only) {}

  Result<ParsedPath> ParseWhole() {
    ParsedPath out;
    if (text_.empty() || text_[0] != '$') return Fail("a path must start with '$'");
    pos_ = 1;
    if (Peek() == '$') {
      out.root = Path::Root::kContext;
      ++pos_;
    } else if (pos_ < text_.size() && IsVariableChar(text_[pos_])) {
      out.root = Path::Root::kVariable;
      size_t start = pos_;
      while (pos_ < text_.size() && IsVariableChar(text_[pos_])) ++pos_;
      out.variable = std::string(text_.substr(start, pos_ - start));
    }
    if (!ParseSteps(out.steps, /*in_filter=*/false)) return std::move(*error_);
    if (pos_ != text_.size()) return Fail(Unexpected());
    return out;
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  Error Fail(std::string what) {
    return Error::Validation("Invalid JSONPath '" + std::string(text_) + "': " + what);
  }
  bool SetError(std::string what) {
    if (!error_) error_ = Fail(std::move(what));
    return false;
  }
  std::string Unexpected() const {
    if (pos_ >= text_.size()) return "unexpected end of path";
    return "unexpected character '" + std::string(1, text_[pos_]) + "' at position " +
           std::to_string(pos_);
  }
  bool Restricted(std::string_view what) {
    return SetError(std::string(what) + " is not allowed in a reference path");
  }

  // Parses steps until something that is not a step. In a filter, a name
  // also stops at spaces, parentheses and operator characters.
  bool ParseSteps(std::vector<Step>& steps, bool in_filter) {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '.') {
        Step step;
        ++pos_;
        if (Peek() == '.') {
          if (reference_only_ || in_filter) return Restricted("'..'");
          step.deep = true;
          ++pos_;
          if (Peek() == '[') {
            ++pos_;
            if (!ParseBracket(step, in_filter)) return false;
            steps.push_back(std::move(step));
            continue;
          }
        }
        if (Peek() == '*') {
          if (reference_only_ || in_filter) return Restricted("'*'");
          ++pos_;
          step.kind = StepKind::kWildcard;
        } else if (!ParseDotName(step, in_filter)) {
          return false;
        }
        steps.push_back(std::move(step));
      } else if (c == '[') {
        Step step;
        ++pos_;
        if (!ParseBracket(step, in_filter)) return false;
        steps.push_back(std::move(step));
      } else {
        break;
      }
    }
    return true;
  }

  bool ParseDotName(Step& step, bool in_filter) {
    size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '.' || c == '[' || c == ']') break;
      if (in_filter && (c == ' ' || c == ')' || c == '(' || c == '=' || c == '!' || c == '<' ||
                        c == '>' || c == '&' || c == '|'))
        break;
      ++pos_;
    }
    if (pos_ == start) return SetError("empty property name at position " + std::to_string(pos_));
    step.kind = StepKind::kName;
    step.name = std::string(text_.substr(start, pos_ - start));
    if (step.name.find_first_of("()") != std::string::npos)
      return SetError("functions such as '" + step.name + "' are not supported");
    return true;
  }

  bool ParseQuoted(std::string& out) {
    char quote = text_[pos_++];
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      // Only the quote itself is escaped: AWS reads $['a\"b'] as the key a\"b.
      if (c == '\\' && pos_ < text_.size() && text_[pos_] == quote) c = text_[pos_++];
      out.push_back(c);
    }
    if (pos_ >= text_.size()) return SetError("unterminated quoted name");
    ++pos_;
    return true;
  }

  bool ParseInt(int64_t& out) {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek())) != 0) ++pos_;
    auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, out);
    if (ec != std::errc() || end != text_.data() + pos_) {
      pos_ = start;
      return SetError("expected an integer at position " + std::to_string(start));
    }
    return true;
  }

  bool ExpectClose() {
    SkipSpaces();
    if (Peek() != ']') return SetError("expected ']'; " + Unexpected());
    ++pos_;
    return true;
  }

  bool ParseBracket(Step& step, bool in_filter) {
    SkipSpaces();
    char c = Peek();
    if (c == '*') {
      if (reference_only_ || in_filter) return Restricted("'[*]'");
      ++pos_;
      step.kind = StepKind::kWildcard;
      return ExpectClose();
    }
    if (c == '?') {
      if (reference_only_ || in_filter) return Restricted("a filter");
      return ParseFilterStep(step);
    }
    if (c == '\'' || c == '"') return ParseNames(step, in_filter);
    if (c == '-' || c == ':' || std::isdigit(static_cast<unsigned char>(c)) != 0)
      return ParseIndexes(step, in_filter);
    return SetError(Unexpected());
  }

  bool ParseNames(Step& step, bool in_filter) {
    for (;;) {
      SkipSpaces();
      if (Peek() != '\'' && Peek() != '"') return SetError("expected a quoted name");
      std::string name;
      if (!ParseQuoted(name)) return false;
      step.names.push_back(std::move(name));
      SkipSpaces();
      if (Peek() != ',') break;
      ++pos_;
    }
    if (step.names.size() == 1) {
      step.kind = StepKind::kName;
      step.name = std::move(step.names[0]);
      step.names.clear();
    } else {
      if (reference_only_ || in_filter) return Restricted("a union");
      step.kind = StepKind::kNames;
    }
    return ExpectClose();
  }

  bool ParseIndexes(Step& step, bool in_filter) {
    if (Peek() == ':') return ParseSlice(step, std::nullopt, in_filter);
    int64_t first = 0;
    if (!ParseInt(first)) return false;
    SkipSpaces();
    if (Peek() == ':') return ParseSlice(step, first, in_filter);
    step.indexes.push_back(first);
    while (Peek() == ',') {
      ++pos_;
      SkipSpaces();
      int64_t next = 0;
      if (!ParseInt(next)) return false;
      step.indexes.push_back(next);
      SkipSpaces();
    }
    if (step.indexes.size() == 1) {
      if (reference_only_ && first < 0) return Restricted("a negative index");
      step.kind = StepKind::kIndex;
      step.index = first;
      step.indexes.clear();
    } else {
      if (reference_only_ || in_filter) return Restricted("a union");
      step.kind = StepKind::kIndexes;
    }
    return ExpectClose();
  }

  bool ParseSlice(Step& step, std::optional<int64_t> start, bool in_filter) {
    if (reference_only_ || in_filter) return Restricted("a slice");
    ++pos_;  // ':'
    SkipSpaces();
    step.kind = StepKind::kSlice;
    step.slice_start = start;
    if (Peek() != ']') {
      int64_t end = 0;
      if (!ParseInt(end)) return false;
      step.slice_end = end;
    }
    return ExpectClose();
  }

  // ---- filters: [?( expr )] ----
  bool ParseFilterStep(Step& step) {
    ++pos_;  // '?'
    SkipSpaces();
    if (Peek() != '(') return SetError("expected '(' after '?'");
    ++pos_;
    auto expr = ParseOr();
    if (!expr) return false;
    SkipSpaces();
    if (Peek() != ')') return SetError("expected ')' to close the filter; " + Unexpected());
    ++pos_;
    step.kind = StepKind::kFilter;
    step.filter = std::move(expr);
    return ExpectClose();
  }

  bool Eat(std::string_view token) {
    SkipSpaces();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  std::shared_ptr<const FilterExpr> Combine(FilterOp op, std::shared_ptr<const FilterExpr> lhs,
                                            std::shared_ptr<const FilterExpr> rhs) {
    auto f = std::make_shared<FilterExpr>();
    f->op = op;
    f->lhs = std::move(lhs);
    f->rhs = std::move(rhs);
    return f;
  }

  std::shared_ptr<const FilterExpr> ParseOr() {
    auto lhs = ParseAnd();
    while (lhs && Eat("||")) {
      auto rhs = ParseAnd();
      if (!rhs) return nullptr;
      lhs = Combine(FilterOp::kOr, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  std::shared_ptr<const FilterExpr> ParseAnd() {
    auto lhs = ParseUnary();
    while (lhs && Eat("&&")) {
      auto rhs = ParseUnary();
      if (!rhs) return nullptr;
      lhs = Combine(FilterOp::kAnd, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  std::shared_ptr<const FilterExpr> ParseUnary() {
    // Bounds the recursion on "((((..." or "!!!!...": the text comes from users.
    struct DepthGuard {
      int& depth;
      explicit DepthGuard(int& d) : depth(++d) {}
      ~DepthGuard() { --depth; }
    } guard(filter_depth_);
    if (filter_depth_ > kMaxFilterDepth) {
      SetError("the filter is nested too deeply");
      return nullptr;
    }
    SkipSpaces();
    if (Peek() == '!' && Peek(1) != '=') {
      ++pos_;
      auto inner = ParseUnary();
      if (!inner) return nullptr;
      return Combine(FilterOp::kNot, std::move(inner), nullptr);
    }
    if (Peek() == '(') {
      ++pos_;
      auto inner = ParseOr();
      if (!inner) return nullptr;
      if (!Eat(")")) {
        SetError("expected ')'; " + Unexpected());
        return nullptr;
      }
      return inner;
    }
    return ParseComparison();
  }

  // A word operator ("in", "size", ...) must not run into a name.
  bool EatWord(std::string_view word) {
    SkipSpaces();
    if (text_.substr(pos_, word.size()) != word) return false;
    char after = pos_ + word.size() < text_.size() ? text_[pos_ + word.size()] : '\0';
    if (std::isalnum(static_cast<unsigned char>(after)) != 0 || after == '_') return false;
    pos_ += word.size();
    return true;
  }

  std::shared_ptr<const FilterExpr> ParseComparison() {
    auto f = std::make_shared<FilterExpr>();
    if (!ParseOperand(f->left)) return nullptr;
    if (Eat("=~")) {
      f->op = FilterOp::kRegex;
      f->regex = ParseRegex();
      return f->regex ? f : nullptr;
    }
    static constexpr std::pair<std::string_view, FilterOp> kOps[] = {
        {"==", FilterOp::kEq}, {"!=", FilterOp::kNe}, {"<=", FilterOp::kLe},
        {">=", FilterOp::kGe}, {"<", FilterOp::kLt},  {">", FilterOp::kGt}};
    static constexpr std::pair<std::string_view, FilterOp> kWords[] = {
        {"nin", FilterOp::kNin},           {"in", FilterOp::kIn},
        {"subsetof", FilterOp::kSubsetOf}, {"anyof", FilterOp::kAnyOf},
        {"noneof", FilterOp::kNoneOf},     {"size", FilterOp::kSize},
        {"empty", FilterOp::kEmpty}};
    for (const auto& [token, op] : kOps) {
      if (Eat(token)) {
        f->op = op;
        if (!ParseOperand(f->right)) return nullptr;
        return f;
      }
    }
    for (const auto& [word, op] : kWords) {
      if (EatWord(word)) {
        f->op = op;
        if (!ParseOperand(f->right)) return nullptr;
        return f;
      }
    }
    SkipSpaces();
    if (Peek() != ')' && Peek() != '&' && Peek() != '|') {
      SetError("unsupported filter operator; " + Unexpected());
      return nullptr;
    }
    if (f->left.kind == Operand::Kind::kLiteral) {
      SetError("a filter term must be a comparison or a path; " + Unexpected());
      return nullptr;
    }
    f->op = FilterOp::kExists;
    return f;
  }

  // /pattern/flags; the flag i ignores case.
  std::shared_ptr<const Regex> ParseRegex() {
    SkipSpaces();
    if (Peek() != '/') {
      SetError("expected a /regular expression/ after =~");
      return nullptr;
    }
    size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '/') pos_ += text_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= text_.size()) {
      SetError("unterminated regular expression");
      return nullptr;
    }
    std::string pattern(text_.substr(start, pos_ - start));
    ++pos_;
    bool ignore_case = false;
    while (std::isalpha(static_cast<unsigned char>(Peek())) != 0) {
      ignore_case |= Peek() == 'i';
      ++pos_;
    }
    auto regex = Regex::Compile(pattern, ignore_case);
    if (!regex) SetError("invalid regular expression /" + pattern + "/");
    return regex;
  }

  // ['a', 1, true]: an array of literals, the right side of in, anyof, ...
  bool ParseArrayLiteral(json::value& out) {
    ++pos_;  // '['
    json::array items;
    SkipSpaces();
    if (Peek() == ']') {
      ++pos_;
      out = std::move(items);
      return true;
    }
    for (;;) {
      Operand item;
      SkipSpaces();
      if (Peek() == '@' || Peek() == '$' || Peek() == '[') return SetError("expected a literal");
      if (!ParseOperand(item)) return false;
      items.push_back(std::move(item.literal));
      SkipSpaces();
      if (Peek() == ']') break;
      if (Peek() != ',') return SetError("expected ',' or ']' in an array; " + Unexpected());
      ++pos_;
    }
    ++pos_;
    out = std::move(items);
    return true;
  }

  bool ParseOperand(Operand& op) {
    SkipSpaces();
    char c = Peek();
    if (c == '@' || c == '$') {
      op.kind = c == '@' ? Operand::Kind::kCurrent : Operand::Kind::kRoot;
      ++pos_;
      return ParseSteps(op.steps, /*in_filter=*/true);
    }
    op.kind = Operand::Kind::kLiteral;
    if (c == '[') return ParseArrayLiteral(op.literal);
    if (c == '\'' || c == '"') {
      std::string s;
      if (!ParseQuoted(s)) return false;
      op.literal = json::string(s);
      return true;
    }
    for (auto [word, value] : {std::pair<std::string_view, json::value>{"true", true},
                               {"false", false},
                               {"null", nullptr}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        op.literal = value;
        return true;
      }
    }
    return ParseNumber(op.literal);
  }

  bool ParseNumber(json::value& out) {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    bool is_double = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && is_double)) {
        is_double = true;
        ++pos_;
      } else {
        break;
      }
    }
    std::string_view num = text_.substr(start, pos_ - start);
    std::error_code ec;
    json::value v = json::parse(num, ec);
    if (num.empty() || ec || !v.is_number()) {
      pos_ = start;
      return SetError("expected a value in the filter; " + Unexpected());
    }
    out = std::move(v);
    return true;
  }

  static constexpr int kMaxFilterDepth = 64;
  std::string_view text_;
  bool reference_only_;
  int filter_depth_ = 0;
  size_t pos_ = 0;
  std::optional<Error> error_;
};

void AppendStep(std::string& out, const Step& s) {
  if (s.deep) out += "..";
  switch (s.kind) {
    case StepKind::kName:
      out += "['" + s.name + "']";
      break;
    case StepKind::kIndex:
      out += "[" + std::to_string(s.index) + "]";
      break;
    case StepKind::kWildcard:
      out += "[*]";
      break;
    case StepKind::kNames:
      out += "[";
      for (size_t i = 0; i < s.names.size(); ++i) out += (i ? ",'" : "'") + s.names[i] + "'";
      out += "]";
      break;
    case StepKind::kIndexes:
      out += "[";
      for (size_t i = 0; i < s.indexes.size(); ++i)
        out += (i ? "," : "") + std::to_string(s.indexes[i]);
      out += "]";
      break;
    case StepKind::kSlice:
      out += "[" + (s.slice_start ? std::to_string(*s.slice_start) : "") + ":" +
             (s.slice_end ? std::to_string(*s.slice_end) : "") + "]";
      break;
    case StepKind::kFilter:
      out += "[?]";
      break;
  }
}

}  // namespace

Result<ParsedPath> ParsePath(std::string_view text, bool reference_only) {
  return Parser(text, reference_only).ParseWhole();
}

bool IsDefinite(const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    if (s.deep || (s.kind != StepKind::kName && s.kind != StepKind::kIndex)) return false;
  }
  return true;
}

std::string NormalisedPath(const std::vector<Step>& steps) {
  std::string out = "$";
  for (const Step& s : steps) AppendStep(out, s);
  return out;
}

}  // namespace weft::asl::path_detail
