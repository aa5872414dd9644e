// src/asl/jsonata_signature.cc: function signatures ("<s-nn?:s>"), parsed
// into a regular expression over one letter per argument type, as
// jsonata-js signature.js does.
#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {
namespace {

char SymbolOf(const Value& v) {
  switch (v.type()) {
    case Type::kFunction:
      return 'f';
    case Type::kString:
      return 's';
    case Type::kNumber:
      return 'n';
    case Type::kBool:
      return 'b';
    case Type::kNull:
      return 'l';
    case Type::kArray:
      return 'a';
    case Type::kObject:
      return 'o';
    case Type::kUndefined:
      return 'm';
  }
  return 'm';
}

std::string_view ArrayTypeName(std::string_view subtype) {
  if (subtype == "a") return "arrays";
  if (subtype == "b") return "booleans";
  if (subtype == "f") return "functions";
  if (subtype == "n") return "numbers";
  if (subtype == "o") return "objects";
  if (subtype == "s") return "strings";
  return subtype;
}

[[noreturn]] void ThrowIndexed(const char* code, size_t index, std::string_view what) {
  throw JsonataError{
      code, -1,
      "Argument " + std::to_string(index) + " of function {{token}} " + std::string(what)};
}

}  // namespace

std::shared_ptr<const Signature> ParseSignature(std::string_view signature) {
  auto sig = std::make_shared<Signature>();
  sig->definition = std::string(signature);
  Signature::Param param;
  Signature::Param* prev = nullptr;
  auto& params = sig->params;
  // Indices rather than pointers: `params` grows.
  int prev_index = -1;
  auto next = [&]() {
    params.push_back(param);
    prev_index = static_cast<int>(params.size()) - 1;
    param = Signature::Param();
  };
  auto find_closing = [&](size_t start, char open, char close) {
    int depth = 1;
    size_t position = start;
    while (position < signature.size()) {
      ++position;
      char c = position < signature.size() ? signature[position] : '\0';
      if (c == close) {
        if (--depth == 0) break;
      } else if (c == open) {
        ++depth;
      }
    }
    return position;
  };
  for (size_t position = 1; position < signature.size(); ++position) {
    char symbol = signature[position];
    if (symbol == ':') break;
    prev = prev_index >= 0 ? &params[static_cast<size_t>(prev_index)] : nullptr;
    switch (symbol) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.regex = std::string("[") + symbol + "m]";
        param.type = symbol;
        next();
        break;
      case 'a':
        param.regex = "[asnblfom]";
        param.type = 'a';
        next();
        break;
      case 'f':
        param.regex = "f";
        param.type = 'f';
        next();
        break;
      case 'j':
        param.regex = "[asnblom]";
        param.type = 'j';
        next();
        break;
      case 'x':
        param.regex = "[asnblfom]";
        param.type = 'x';
        next();
        break;
      case '-':
        if (prev) {
          prev->context = true;
          prev->context_regex = prev->regex;
          prev->regex += "?";
        }
        break;
      case '?':
      case '+':
        if (prev) prev->regex += symbol;
        break;
      case '(': {
        size_t end = find_closing(position, '(', ')');
        std::string choice(signature.substr(position + 1, end - position - 1));
        if (choice.find('<') != std::string::npos)
          throw JsonataError{"S0402", static_cast<int64_t>(position),
                             "Choice groups containing parameterized types are not supported"};
        param.regex = "[" + choice + "m]";
        param.type = '(';
        position = end;
        next();
        break;
      }
      case '<': {
        if (prev && (prev->type == 'a' || prev->type == 'f')) {
          size_t end = find_closing(position, '<', '>');
          prev->subtype = std::string(signature.substr(position + 1, end - position - 1));
          position = end;
        } else {
          throw JsonataError{"S0401", static_cast<int64_t>(position),
                             "Type parameters can only be applied to functions and arrays"};
        }
        break;
      }
      default:
        break;
    }
  }
  std::string regex = "^";
  for (const auto& p : params) regex += "(" + p.regex + ")";
  regex += "$";
  try {
    sig->regex = std::regex(regex, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    throw JsonataError{"S0402", 0, "Invalid function signature"};
  }
  return sig;
}

std::vector<Value> Signature::Validate(const std::vector<Value>& args, const Value& context) const {
  std::string supplied;
  for (const auto& a : args) supplied += SymbolOf(a);
  std::smatch m;
  if (!std::regex_match(supplied, m, regex)) {
    // Find the first argument that breaks the pattern.
    std::string partial = "^";
    size_t good_to = 0;
    for (const auto& p : params) {
      partial += p.regex;
      std::smatch pm;
      if (!std::regex_search(supplied, pm, std::regex(partial))) break;
      good_to = static_cast<size_t>(pm.length(0));
    }
    ThrowIndexed("T0410", good_to + 1, "does not match function signature");
  }
  std::vector<Value> validated;
  size_t arg_index = 0;
  for (size_t index = 0; index < params.size(); ++index) {
    const Param& param = params[index];
    std::string match = m[index + 1].str();
    if (match.empty()) {
      if (param.context) {
        std::string ctype(1, SymbolOf(context));
        if (std::regex_match(ctype, std::regex(param.context_regex))) {
          validated.push_back(context);
        } else {
          ThrowIndexed("T0411", arg_index + 1,
                       "(the context value) does not match function signature");
        }
      } else {
        validated.push_back(arg_index < args.size() ? args[arg_index] : Value());
        ++arg_index;
      }
      continue;
    }
    for (char single : match) {
      Value arg = arg_index < args.size() ? args[arg_index] : Value();
      if (param.type == 'a') {
        if (single == 'm') {
          arg = Value();
        } else {
          bool ok = true;
          if (!param.subtype.empty()) {
            if (single != 'a' && match != param.subtype) {
              ok = false;
            } else if (single == 'a' && !arg.arr().items.empty()) {
              char item_type = SymbolOf(arg.arr().items[0]);
              if (item_type != param.subtype[0]) {
                ok = false;
              } else {
                for (const auto& v : arg.arr().items)
                  if (SymbolOf(v) != item_type) ok = false;
              }
            }
          }
          if (!ok)
            ThrowIndexed("T0412", arg_index + 1,
                         "must be an array of " + std::string(ArrayTypeName(param.subtype)));
          if (single != 'a') {
            auto wrapped = NewArray();
            wrapped->items.push_back(arg);
            arg = Value::Arr(wrapped);
          }
        }
      }
      validated.push_back(arg);
      ++arg_index;
    }
  }
  return validated;
}

}  // namespace weft::asl::jsonata::detail
