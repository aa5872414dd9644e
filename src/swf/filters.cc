#include "swf/filters.h"

#include <string>
#include <vector>

namespace weft::swf {
namespace {

constexpr Length kVersionOptionalLen{0, 64};

// ExecutionTimeFilter {oldestDate (required), latestDate}.
void ReadTimeFilter(RequestReader& filter, std::optional<Millis>& oldest,
                    std::optional<Millis>& latest) {
  oldest = filter.Timestamp("oldestDate");
  latest = filter.OptTimestamp("latestDate");
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

void ReadExecutionFilters(RequestReader& r, bool open, store::ExecutionQuery& q) {
  q.domain = r.String("domain", kDomainNameLen);
  q.open = open;

  if (open) {
    RequestReader start = r.Object("startTimeFilter");
    ReadTimeFilter(start, q.start_oldest, q.start_latest);
  } else {
    auto start = r.OptObject("startTimeFilter");
    auto close = r.OptObject("closeTimeFilter");
    if (start) ReadTimeFilter(*start, q.start_oldest, q.start_latest);
    if (close) ReadTimeFilter(*close, q.close_oldest, q.close_latest);
    bool has_start = r.Has("startTimeFilter"), has_close = r.Has("closeTimeFilter");
    if (has_start == has_close) {
      r.AddError(has_start ? "startTimeFilter and closeTimeFilter are mutually exclusive"
                           : "Either startTimeFilter or closeTimeFilter must be specified");
    }
  }

  std::vector<std::string_view> given;
  if (auto f = r.OptObject("executionFilter")) {
    given.push_back("executionFilter");
    q.workflow_id = f->String("workflowId", kWorkflowIdLen);
  }
  if (auto f = r.OptObject("typeFilter")) {
    given.push_back("typeFilter");
    q.type_name = f->String("name", kNameLen);
    q.type_version = f->OptString("version", kVersionOptionalLen);
    if (q.type_version && q.type_version->empty()) q.type_version.reset();
  }
  if (auto f = r.OptObject("tagFilter")) {
    given.push_back("tagFilter");
    q.tag = f->String("tag", kTagLen);
  }
  if (!open) {
    if (auto f = r.OptObject("closeStatusFilter")) {
      given.push_back("closeStatusFilter");
      q.close_status = f->Enum("status", kCloseStatuses);
    }
  }
  if (given.size() > 1) {
    std::vector<std::string_view> allowed = {"executionFilter", "typeFilter", "tagFilter"};
    if (!open) allowed.push_back("closeStatusFilter");
    r.AddError(JoinNames(allowed) + " are mutually exclusive: specify at most one (got " +
               JoinNames(given) + ")");
  }
}

}  // namespace weft::swf
