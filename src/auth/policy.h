// src/auth/policy.h: the subset of IAM policy documents that says what a key
// may do in weft: Version, Statement (one or a list), Effect Allow/Deny,
// Action or NotAction (swf:* and states:* names, `*` and `?` wildcards),
// Resource (ARN patterns with wildcards). A request is allowed when some
// statement allows it and none denies it: an explicit Deny wins, and
// nothing is allowed by default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace weft::auth {

class Policy {
 public:
  // A located error ("Statement[1].Effect: ...") for a document it cannot read.
  static Result<Policy> Parse(const json::value& document);

  enum class Decision { kAllow, kImplicitDeny, kExplicitDeny };
  // `action` is "swf:StartWorkflowExecution", "states:StartExecution", ...
  Decision Evaluate(std::string_view action, std::string_view resource) const;

 private:
  struct Statement {
    bool allow = false;
    bool not_action = false;
    std::vector<std::string> actions;    // patterns, lowercase (action names are case-blind)
    std::vector<std::string> resources;  // patterns
  };
  std::vector<Statement> statements_;
};

// Glob match with `*` (any run) and `?` (one character).
bool Matches(std::string_view pattern, std::string_view text);

}  // namespace weft::auth
