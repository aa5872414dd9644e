// src/asl/jsonata_regex.cc: regular expression literals (/re/flags) on
// std::regex's ECMAScript grammar, matched the way jsonata-js drives a
// global JavaScript RegExp (lastIndex, D1004 for a pattern that matches the
// empty string on a later match).
//
// Limits of std::regex against JavaScript: no lookbehind, no named groups,
// no \u{...} and no 'u' flag; '.' and character classes see UTF-8 bytes, so
// a class or '.' matches one byte of a non-ASCII character.
#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

std::shared_ptr<const std::regex> CompileRegex(const std::string& source, const std::string& flags,
                                               int64_t position) {
  auto options = std::regex::ECMAScript;
  if (flags.find('i') != std::string::npos) options |= std::regex::icase;
  if (flags.find('m') != std::string::npos) options |= std::regex::multiline;
  try {
    return std::make_shared<const std::regex>(source, options);
  } catch (const std::regex_error& e) {
    throw JsonataError{"S0303", position,
                       "Invalid regular expression /" + source + "/: " + e.what()};
  }
}

namespace {

bool SearchFrom(const RegexLiteral& re, const std::string& s, size_t from, RegexMatch* out) {
  if (from > s.size()) return false;
  std::smatch m;
  auto flags = std::regex_constants::match_default;
  if (from > 0) flags |= std::regex_constants::match_prev_avail;
  if (!std::regex_search(s.begin() + static_cast<ptrdiff_t>(from), s.end(), m, *re.re, flags))
    return false;
  out->start = from + static_cast<size_t>(m.position(0));
  out->end = out->start + static_cast<size_t>(m.length(0));
  out->match = m.str(0);
  out->groups.clear();
  for (size_t i = 1; i < m.size(); ++i)
    out->groups.push_back(m[i].matched ? Value::Str(m.str(i)) : Value());
  return true;
}

}  // namespace

std::vector<RegexMatch> RegexAll(const RegexLiteral& re, const std::string& s, int64_t limit) {
  std::vector<RegexMatch> out;
  RegexMatch m;
  if (!SearchFrom(re, s, 0, &m)) return out;
  // As jsonata-js: the next match is looked for (and may fail with D1004)
  // before the limit is checked.
  for (;;) {
    out.push_back(m);
    size_t last_index = m.end;
    if (last_index >= s.size()) break;
    if (!SearchFrom(re, s, last_index, &m)) break;
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
  if (!SearchFrom(*re, s, from, &m)) return Value();
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
