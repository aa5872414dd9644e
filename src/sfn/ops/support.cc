// What the Step Functions operations share.
#include "sfn/ops/ops.h"

namespace weft::sfn {

Error Fault(Errc code, std::string_view type, std::string message) {
  return Error(code, std::string(type), std::move(message));
}

json::value TimestampJson(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

PageRequest ReadPage(RequestReader& r) {
  PageRequest page;
  if (auto n = r.OptInt("maxResults", 0, 1000); n && *n > 0) page.max_results = *n;
  if (auto t = r.OptString("nextToken", kPageTokenLen)) page.next_token = *t;
  return page;
}

Error InvalidPageToken(std::string_view token) {
  return Fault(Errc::kInvalidToken, "InvalidToken", "Invalid Token: '" + std::string(token) + "'");
}

Error ExecutionDoesNotExist(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ExecutionDoesNotExist",
               "Execution Does Not Exist: '" + std::string(arn) + "'");
}

net::awaitable<Result<store::ExecutionPage>> ListPage(OpContext& ctx, store::ExecutionQuery q,
                                                      PageRequest page) {
  q.page_size = static_cast<int32_t>(page.max_results);
  q.page_token = page.next_token;
  auto listed = co_await ctx.engine.ListExecutions(std::move(q));
  if (!listed.ok() && !page.next_token.empty()) co_return InvalidPageToken(page.next_token);
  co_return listed;
}

Error NotImplemented(std::string_view what) {
  return Fault(Errc::kNotImplemented, "UnsupportedOperation",
               std::string(what) + " is not implemented by weft yet (docs/compatibility.md)");
}

}  // namespace weft::sfn
