// ARNs of Step Functions resources: parsing, building, and the Name shape.
#include <algorithm>

#include "sfn/ops/ops.h"

namespace weft::sfn {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t i = s.find(sep, start);
    out.emplace_back(s.substr(start, i == std::string_view::npos ? i : i - start));
    if (i == std::string_view::npos) return out;
    start = i + 1;
  }
}

std::string Prefix(const OpContext& ctx) {
  return "arn:aws:states:" + ctx.region() + ":" + ctx.options.account_id + ":";
}

}  // namespace

Error InvalidArn(std::string_view text) {
  return Fault(Errc::kValidation, "InvalidArn", "Invalid Arn: '" + std::string(text) + "'");
}

Result<Arn> ParseArn(std::string_view text) {
  std::vector<std::string> f = Split(text, ':');
  // arn : partition : states : region : account : type : name ...
  if (f.size() < 7 || f[0] != "arn" || f[1].empty() || f[2] != "states" || f[3].empty() ||
      f[4].empty() || f[5].empty() || f[6].empty()) {
    return InvalidArn(text);
  }
  Arn arn;
  arn.region = f[3];
  arn.account = f[4];
  arn.type = f[5];
  arn.parts.assign(f.begin() + 6, f.end());
  return arn;
}

std::string StateMachineArn(const OpContext& ctx, std::string_view name) {
  return Prefix(ctx) + "stateMachine:" + std::string(name);
}

std::string ActivityArn(const OpContext& ctx, std::string_view name) {
  return Prefix(ctx) + "activity:" + std::string(name);
}

std::string ExecutionArn(std::string_view state_machine_arn, std::string_view execution_name) {
  // arn:aws:states:r:a:stateMachine:M -> arn:aws:states:r:a:execution:M:E
  std::string arn(state_machine_arn);
  auto at = arn.find(":stateMachine:");
  if (at != std::string::npos) arn.replace(at, 14, ":execution:");
  return arn + ":" + std::string(execution_name);
}

Status CheckName(std::string_view name, std::string_view what) {
  auto bad = [&](std::string why) {
    return Fault(
        Errc::kValidation, "InvalidName",
        "Invalid Name: '" + std::string(name) + "' (" + std::string(what) + " " + why + ")");
  };
  if (name.empty() || CharCount(name) > 80) return bad("must be 1 to 80 characters long");
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f) return bad("must not contain white space or control characters");
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return bad(
          "must not contain brackets, wildcards or the characters \" # % \\ ^ | ~ ` $ & , ; : /");
    }
  }
  return {};
}

// An execution ARN: arn:aws:states:<region>:<account>:execution:<machine>:<name>
// (or express:<machine>:<name>:<id>).
Status CheckExecutionArn(std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  bool standard = arn->type == "execution" && arn->parts.size() == 2;
  bool express = arn->type == "express" && arn->parts.size() == 3;
  if (!standard && !express) return InvalidArn(text);
  return {};
}

}  // namespace weft::sfn
