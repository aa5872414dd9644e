// src/asl/intrinsic.cc: parsing and evaluating intrinsic calls such as
// States.Format('{} items', States.ArrayLength($.items)).
#include <cctype>

#include "asl/intrinsic_internal.h"

namespace weft::asl {

using intrinsic_detail::Arg;
using intrinsic_detail::Call;

struct Intrinsic::Impl {
  std::string text;
  std::shared_ptr<const Call> call;
};

namespace {

constexpr int kMaxNesting = 10;

class CallParser {
 public:
  explicit CallParser(std::string_view text) : text_(text) {}

  Result<std::shared_ptr<const Call>> ParseWhole() {
    SkipSpaces();
    auto call = ParseCall(0);
    if (!call) return std::move(*error_);
    SkipSpaces();
    if (pos_ != text_.size()) return Fail("unexpected text after the call" + Where());
    return call;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }
  std::string Where() const { return " at position " + std::to_string(pos_); }
  Error Fail(std::string what) const {
    return Error::Validation("Invalid intrinsic function call '" + std::string(text_) +
                             "': " + what);
  }
  std::nullptr_t SetError(std::string what) {
    if (!error_) error_ = Fail(std::move(what));
    return nullptr;
  }

  std::shared_ptr<const Call> ParseCall(int depth) {
    if (depth >= kMaxNesting)
      return SetError("intrinsic functions may be nested at most " + std::to_string(kMaxNesting) +
                      " deep");
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '.'))
      ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    auto call = std::make_shared<Call>();
    call->fn = intrinsic_detail::FindFunction(name);
    if (call->fn == nullptr) return SetError("unknown function '" + std::string(name) + "'");
    SkipSpaces();
    if (Peek() != '(') return SetError("expected '(' after " + std::string(name) + Where());
    ++pos_;
    if (!ParseArgs(*call, depth)) return nullptr;
    size_t n = call->args.size();
    if (n < call->fn->min_args || n > call->fn->max_args) {
      std::string expected = std::to_string(call->fn->min_args);
      if (call->fn->max_args == SIZE_MAX)
        expected = "at least " + expected;
      else if (call->fn->max_args != call->fn->min_args)
        expected += " to " + std::to_string(call->fn->max_args);
      return SetError(std::string(name) + " takes " + expected + " argument(s), got " +
                      std::to_string(n));
    }
    if (call->fn->name == "States.Format" && !call->args.empty()) {
      if (call->args[0].kind == Arg::Kind::kLiteral && !call->args[0].literal.is_string())
        return SetError("the first argument of States.Format must be a string");
    }
    return call;
  }

  bool ParseArgs(Call& call, int depth) {
    SkipSpaces();
    if (Peek() == ')') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpaces();
      Arg arg;
      if (!ParseArg(call, arg, depth)) return false;
      call.args.push_back(std::move(arg));
      SkipSpaces();
      if (Peek() == ')') {
        ++pos_;
        return true;
      }
      if (Peek() != ',') return SetError("expected ',' or ')'" + Where()) != nullptr;
      ++pos_;
    }
  }

  bool ParseArg(Call& call, Arg& arg, int depth) {
    char c = Peek();
    if (c == '\'') return ParseString(call, arg);
    if (text_.substr(pos_, 7) == "States.") {
      arg.kind = Arg::Kind::kCall;
      arg.call = ParseCall(depth + 1);
      return arg.call != nullptr;
    }
    if (c == '$') return ParsePath(arg);
    return ParseLiteral(arg);
  }

  bool ParseString(Call& call, Arg& arg) {
    ++pos_;
    std::string s;
    std::vector<bool> escaped;
    for (;;) {
      if (pos_ >= text_.size()) return SetError("unterminated string literal") != nullptr;
      char c = text_[pos_++];
      if (c == '\'') break;
      bool esc = false;
      if (c == '\\') {
        char next = Peek();
        if (next != '\'' && next != '{' && next != '}' && next != '\\')
          return SetError("invalid escape sequence in a string literal" + Where()) != nullptr;
        c = next;
        ++pos_;
        esc = true;
      }
      s.push_back(c);
      escaped.push_back(esc);
    }
    if (call.args.empty() && call.fn->name == "States.Format")
      call.format_parts = intrinsic_detail::SplitFormat(s, escaped);
    arg.kind = Arg::Kind::kLiteral;
    arg.literal = json::string(s);
    return true;
  }

  // A path argument runs to the next ',' or ')' outside brackets, parentheses
  // and quotes (filters and ['a,b'] may contain both).
  bool ParsePath(Arg& arg) {
    size_t start = pos_;
    int nesting = 0;
    char quote = 0;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (quote) {
        if (c == '\\')
          ++pos_;
        else if (c == quote)
          quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[' || c == '(') {
        ++nesting;
      } else if (c == ']' || c == ')') {
        if (nesting == 0) break;
        --nesting;
      } else if ((c == ',' || std::isspace(static_cast<unsigned char>(c)) != 0) && nesting == 0) {
        break;
      }
    }
    auto path = Path::Compile(text_.substr(start, pos_ - start));
    if (!path.ok()) return SetError(path.error().message()) != nullptr;
    arg.kind = Arg::Kind::kPath;
    arg.path = std::move(*path);
    return true;
  }

  bool ParseLiteral(Arg& arg) {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ')' &&
           std::isspace(static_cast<unsigned char>(text_[pos_])) == 0)
      ++pos_;
    std::string_view token = text_.substr(start, pos_ - start);
    std::error_code ec;
    json::value v = json::parse(token, ec);
    if (token.empty() || ec || v.is_string() || v.is_structured()) {
      pos_ = start;
      return SetError(
                 "expected an argument (a 'string', a number, true, false, null, a path "
                 "or a States. call)" +
                 Where()) != nullptr;
    }
    arg.kind = Arg::Kind::kLiteral;
    arg.literal = std::move(v);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::optional<Error> error_;
};

Result<json::value> EvalCall(const Call& call, const EvalScope& scope) {
  std::vector<json::value> values;
  values.reserve(call.args.size());
  for (const Arg& arg : call.args) {
    switch (arg.kind) {
      case Arg::Kind::kLiteral:
        values.push_back(arg.literal);
        break;
      case Arg::Kind::kPath: {
        if (const json::value* v = arg.path.Find(scope)) {
          values.push_back(*v);
          break;
        }
        auto v = arg.path.Evaluate(scope);
        if (!v.ok()) return std::move(v).error();
        values.push_back(std::move(*v));
        break;
      }
      case Arg::Kind::kCall: {
        auto v = EvalCall(*arg.call, scope);
        if (!v.ok()) return v;
        values.push_back(std::move(*v));
        break;
      }
    }
  }
  return call.fn->impl(call, values);
}

}  // namespace

bool Intrinsic::LooksLikeCall(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
    text.remove_prefix(1);
  return text.substr(0, 7) == "States.";
}

Result<Intrinsic> Intrinsic::Compile(std::string_view text) {
  auto call = CallParser(text).ParseWhole();
  if (!call.ok()) return std::move(call).error();
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  impl->call = std::move(*call);
  Intrinsic out;
  out.impl_ = std::move(impl);
  return out;
}

const std::string& Intrinsic::text() const {
  static const std::string kEmpty;
  return impl_ ? impl_->text : kEmpty;
}

Result<json::value> Intrinsic::Evaluate(const EvalScope& scope) const {
  if (!impl_) return StatesError("States.IntrinsicFailure", "no intrinsic function compiled");
  return EvalCall(*impl_->call, scope);
}

Intrinsic::Intrinsic() = default;
Intrinsic::~Intrinsic() = default;
Intrinsic::Intrinsic(Intrinsic&&) noexcept = default;
Intrinsic& Intrinsic::operator=(Intrinsic&&) noexcept = default;
Intrinsic::Intrinsic(const Intrinsic&) = default;
Intrinsic& Intrinsic::operator=(const Intrinsic&) = default;

}  // namespace weft::asl
