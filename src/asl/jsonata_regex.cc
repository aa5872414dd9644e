// src/asl/jsonata_regex.cc: regular expression literals (/re/flags) on
// std::regex's ECMAScript grammar, matched the way jsonata-js drives a
// global JavaScript RegExp (lastIndex, D1004 for a pattern that matches the
// empty string on a later match).
//
// Patterns and subjects are matched as code points (std::wregex over
// UTF-32), so '.' and classes match whole characters; JavaScript (without
// the 'u' flag) sees UTF-16 units, which differs only for characters
// outside the Basic Multilingual Plane. Limits of std::regex against
// JavaScript: no lookbehind, no named groups, no \u{...}; 'i' folds
// non-ASCII letters only where the C.UTF-8 locale exists.
#include <pthread.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <locale>
#include <optional>

#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

static_assert(sizeof(wchar_t) == 4, "regexes run over UTF-32 code points");

namespace {

std::wstring Wide(std::string_view s) {
  std::u32string u = ToU32(s);
  return std::wstring(u.begin(), u.end());
}

std::string Narrow(const std::wstring& w) {
  std::string out;
  for (wchar_t c : w) AppendUtf8(out, static_cast<char32_t>(c));
  return out;
}

}  // namespace

std::shared_ptr<const std::wregex> CompileRegex(const std::string& source, const std::string& flags,
                                                int64_t position) {
  auto options = std::regex::ECMAScript;
  if (flags.find('i') != std::string::npos) options |= std::regex::icase;
  if (flags.find('m') != std::string::npos) options |= std::regex::multiline;
  try {
    auto re = std::make_shared<std::wregex>();
    // Case-insensitive matching folds non-ASCII letters only under a
    // Unicode locale (C.UTF-8 where the system has it).
    static const std::optional<std::locale> kUnicode = []() -> std::optional<std::locale> {
      try {
        return std::locale("C.UTF-8");
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }();
    if (kUnicode) re->imbue(*kUnicode);
    re->assign(Wide(source), options);
    return re;
  } catch (const std::regex_error& e) {
    throw JsonataError{"S0303", position,
                       "Invalid regular expression /" + source + "/: " + e.what()};
  }
}

namespace {

// libstdc++'s regex matcher recurses once per character a match consumes
// (hundreds of bytes of stack each: /.*/ over 40,000 characters overflows
// an 8 MiB stack). A search over a long subject therefore runs on a thread
// of its own whose stack is sized for the subject.
constexpr size_t kInlineSubject = 1024;
constexpr size_t kStackPerChar = 4096;
constexpr size_t kMaxSubject = 256 * 1024;  // Step Functions' payload limit

void RunOnLargeStack(size_t stack_bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  struct Call {
    const std::function<void()>* fn;
    std::exception_ptr error;
  } call{&fn, nullptr};
  auto trampoline = [](void* arg) -> void* {
    auto* c = static_cast<Call*>(arg);
    try {
      (*c->fn)();
    } catch (...) {
      c->error = std::current_exception();
    }
    return nullptr;
  };
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, trampoline, &call);
  pthread_attr_destroy(&attr);
  if (rc != 0) throw JsonataError{"U1001", -1, "Cannot start a regular expression search"};
  pthread_join(thread, nullptr);
  if (call.error) std::rethrow_exception(call.error);
}

// A subject as code points, with the byte offset of each in the UTF-8
// text (and of its end).
struct Subject {
  explicit Subject(const std::string& s) {
    std::u32string u = ToU32(s, &byte_at);
    text.assign(u.begin(), u.end());
    byte_at.push_back(s.size());
  }
  size_t Index(size_t byte) const {
    return static_cast<size_t>(std::lower_bound(byte_at.begin(), byte_at.end(), byte) -
                               byte_at.begin());
  }
  std::wstring text;
  std::vector<size_t> byte_at;
};

bool SearchFrom(const RegexLiteral& re, const Subject& subject, size_t from_byte, RegexMatch* out) {
  const std::wstring& s = subject.text;
  size_t from = subject.Index(from_byte);
  if (from > s.size()) return false;
  std::wsmatch m;
  auto flags = std::regex_constants::match_default;
  if (from > 0) flags |= std::regex_constants::match_prev_avail;
  bool found = false;
  auto search = [&] {
    found = std::regex_search(s.begin() + static_cast<ptrdiff_t>(from), s.end(), m, *re.re, flags);
  };
  size_t length = s.size() - from;
  if (length <= kInlineSubject) {
    search();
  } else if (length > kMaxSubject) {
    throw JsonataError{"D1004", -1,
                       "A regular expression cannot search a string longer than 256 KiB"};
  } else {
    RunOnLargeStack(16 * 1024 * 1024 + length * kStackPerChar, search);
  }
  if (!found) return false;
  size_t start = from + static_cast<size_t>(m.position(0));
  out->start = subject.byte_at[start];
  out->end = subject.byte_at[start + static_cast<size_t>(m.length(0))];
  out->match = Narrow(m.str(0));
  out->groups.clear();
  for (size_t i = 1; i < m.size(); ++i)
    out->groups.push_back(m[i].matched ? Value::Str(Narrow(m.str(i))) : Value());
  return true;
}

}  // namespace

std::vector<RegexMatch> RegexAll(const RegexLiteral& re, const std::string& s, int64_t limit) {
  std::vector<RegexMatch> out;
  RegexMatch m;
  Subject subject(s);
  if (!SearchFrom(re, subject, 0, &m)) return out;
  // As jsonata-js: the next match is looked for (and may fail with D1004)
  // before the limit is checked.
  for (;;) {
    out.push_back(m);
    size_t last_index = m.end;
    if (last_index >= s.size()) break;
    if (!SearchFrom(re, subject, last_index, &m)) break;
    if (m.start < last_index) break;  // (cannot happen; guards termination)
    if (m.match.empty())
      throw JsonataError{"D1004", -1,
                         "Regular expression matches zero length string: /" + re.source + "/"};
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
  }
  return out;
}

Value RegexCall(const std::shared_ptr<const RegexLiteral>& re, const std::string& s, size_t from,
                bool is_next) {
  RegexMatch m;
  if (is_next && from >= s.size()) return Value();
  if (!SearchFrom(*re, Subject(s), from, &m)) return Value();
  if (is_next && m.match.empty())
    throw JsonataError{"D1004", -1,
                       "Regular expression matches zero length string: /" + re->source + "/"};
  auto obj = NewObject();
  obj->Set("match", Value::Str(m.match));
  obj->Set("start", Value::Num(static_cast<double>(Utf16Offset(s, m.start))));
  obj->Set("end", Value::Num(static_cast<double>(Utf16Offset(s, m.end))));
  auto groups = NewArray();
  groups->items = m.groups;
  obj->Set("groups", Value::Arr(groups));
  auto next = std::make_shared<Function>();
  next->kind = Function::Kind::kRegex;
  next->regex = re;
  next->regex_subject = s;
  next->regex_from = m.end;
  obj->Set("next", Value::Fn(next));
  return Value::Obj(obj);
}

}  // namespace weft::asl::jsonata::detail
