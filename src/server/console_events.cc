#include "server/console_events.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <map>
#include <optional>

#include "common/clock.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/percent.h"

namespace weft::server {
namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
// How often the stream looks for new events. Each look reads one short page
// of the newest events, so an idle stream costs little.
constexpr auto kCheckEvery = std::chrono::milliseconds(200);
constexpr auto kKeepAliveEvery = std::chrono::seconds(15);

// How each front door names what the stream reads.
struct FrontDoor {
  const char* prefix;  // the X-Amz-Target prefix
  const char* history_op;
  const char* describe_op;
  const char* page_size_key;
  const char* token_key;
  const char* id_key;  // of an event
};
constexpr FrontDoor kStepFunctions{"AWSStepFunctions", "GetExecutionHistory", "DescribeExecution",
                                   "maxResults",       "nextToken",           "id"};
constexpr FrontDoor kSwf{"SimpleWorkflowService",
                         "GetWorkflowExecutionHistory",
                         "DescribeWorkflowExecution",
                         "maximumPageSize",
                         "nextPageToken",
                         "eventId"};

// The execution the stream follows.
struct Watched {
  const FrontDoor* door = &kStepFunctions;
  json::object id;  // the request members naming the execution
  int64_t after = 0;

  // Whether the description says it has closed; its status.
  std::optional<std::string> Closed(const json::object& description) const {
    if (door == &kStepFunctions) {
      const auto* status = description.if_contains("status");
      if (status && status->is_string() && status->as_string() != "RUNNING")
        return std::string(status->as_string());
      return std::nullopt;
    }
    const auto* info = description.if_contains("executionInfo");
    if (!info || !info->is_object()) return std::nullopt;
    const auto* status = info->as_object().if_contains("executionStatus");
    if (!status || !status->is_string() || status->as_string() != "CLOSED") return std::nullopt;
    const auto* close = info->as_object().if_contains("closeStatus");
    return close && close->is_string() ? std::string(close->as_string()) : "CLOSED";
  }
};

Result<Watched> Parse(const std::map<std::string, std::string>& q) {
  Watched w;
  auto get = [&](const char* k) { return q.contains(k) ? q.at(k) : std::string(); };
  if (auto after = get("after"); !after.empty()) {
    try {
      w.after = std::stoll(after);
    } catch (...) {
      return Error(Errc::kValidation, "ValidationException", "after must be an event id");
    }
  }
  if (!get("executionArn").empty()) {
    w.door = &kStepFunctions;
    w.id = {{"executionArn", get("executionArn")}};
    return w;
  }
  if (!get("domain").empty() && !get("workflowId").empty() && !get("runId").empty()) {
    w.door = &kSwf;
    w.id = {
        {"domain", get("domain")},
        {"execution", json::object{{"workflowId", get("workflowId")}, {"runId", get("runId")}}}};
    return w;
  }
  return Error(Errc::kValidation, "ValidationException",
               "give executionArn, or domain, workflowId and runId");
}

class Stream {
 public:
  Stream(const ApiRouter& router, Transport& stream, Watched watched,
         std::optional<auth::Caller> caller)
      : router_(router), stream_(stream), w_(std::move(watched)), caller_(std::move(caller)) {}

  net::awaitable<Result<json::object>> Call(std::string op, json::object body) {
    auto route = router_.Find(std::string(w_.door->prefix) + "." + op);
    if (!route.ok()) co_return route.error();
    for (const auto& [k, v] : w_.id) body[k] = v;
    if (caller_) {
      ApiService& service = *route->service;
      std::string action = std::string(service.signing_name()) + ":" + op;
      Status allowed = router_.authenticator()->Authorize(
          *caller_, action, service.ResourceOf(op, body, caller_->region));
      if (!allowed.ok()) co_return service.AccessDenied(allowed.error().message());
    }
    RequestContext context;
    context.request_id = NewUuid();
    auto result = co_await route->service->Invoke(op, context, body);
    if (!result.ok()) co_return result.error();
    if (!result->is_object()) co_return json::object{};
    co_return result->as_object();
  }

  // The events after w_.after, oldest first: pages of the newest events
  // (reverse order) until one reaches back to what was sent.
  net::awaitable<Result<json::array>> NewEvents() {
    json::array newest;
    std::string token;
    for (;;) {
      json::object body{{"reverseOrder", true}};
      body[w_.door->page_size_key] = 100;
      if (!token.empty()) body[w_.door->token_key] = token;
      auto page = co_await Call(w_.door->history_op, std::move(body));
      if (!page.ok()) co_return page.error();
      const auto* events = page->if_contains("events");
      bool reached = true;
      if (events && events->is_array()) {
        reached = false;
        for (const auto& e : events->as_array()) {
          const auto* id = e.is_object() ? e.as_object().if_contains(w_.door->id_key) : nullptr;
          if (!id || !id->is_int64() || id->as_int64() <= w_.after) {
            reached = true;
            break;
          }
          newest.push_back(e);
        }
      }
      const auto* next = page->if_contains(w_.door->token_key);
      if (reached || !next || !next->is_string()) break;
      token = std::string(next->as_string());
    }
    json::array oldest_first(newest.rbegin(), newest.rend());
    if (!oldest_first.empty())
      w_.after = oldest_first.back().as_object().at(w_.door->id_key).as_int64();
    co_return oldest_first;
  }

  // The last chunk: the response is complete.
  net::awaitable<void> End() {
    auto [ec, n] =
        co_await net::async_write(stream_, boost::beast::http::make_chunk_last(), kUseTuple);
    (void)ec;
  }

  // `event` is a pointer, not a string_view: g++ 12 cannot copy a string
  // literal into a string_view parameter of a coroutine.
  net::awaitable<bool> Send(const char* event, std::string data) {
    std::string chunk = "event: ";
    chunk += event;
    chunk += "\ndata: ";
    for (char c : data) chunk += (c == '\n' || c == '\r') ? ' ' : c;  // one data line
    chunk += "\n\n";
    co_return co_await Write(std::move(chunk));
  }

  net::awaitable<bool> Write(std::string text) {
    auto [ec, n] = co_await net::async_write(
        stream_, boost::beast::http::make_chunk(net::buffer(text)), kUseTuple);
    co_return !ec;
  }

  net::awaitable<void> Run(const std::atomic<bool>& stopping) {
    net::steady_timer timer(co_await net::this_coro::executor);
    auto last_write = std::chrono::steady_clock::now();
    while (!stopping) {
      json::object no_members;
      auto described = co_await Call(w_.door->describe_op, std::move(no_members));
      if (!described.ok()) {
        co_await Send("failure", described.error().message());
        co_return;
      }
      auto closed = w_.Closed(*described);
      auto events = co_await NewEvents();  // after the description: a close's events are in
      if (!events.ok()) {
        co_await Send("failure", events.error().message());
        co_return;
      }
      if (!events->empty()) {
        if (!co_await Send("history", json::serialize(*events))) co_return;
        last_write = std::chrono::steady_clock::now();
      }
      if (closed) {
        json::object status;
        status["status"] = *closed;
        std::string data = json::serialize(status);
        co_await Send("closed", std::move(data));
        co_return;
      }
      if (std::chrono::steady_clock::now() - last_write > kKeepAliveEvery) {
        std::string comment = ": keep-alive\n\n";
        if (!co_await Write(std::move(comment))) co_return;
        last_write = std::chrono::steady_clock::now();
      }
      timer.expires_after(kCheckEvery);
      co_await timer.async_wait(kUseTuple);
    }
  }

 private:
  const ApiRouter& router_;
  Transport& stream_;
  Watched w_;
  std::optional<auth::Caller> caller_;  // set when signatures are checked
};

}  // namespace

net::awaitable<void> StreamConsoleEvents(const ApiRouter& router, Transport& stream,
                                         const HttpRequest& request,
                                         const std::atomic<bool>& stopping) {
  namespace http = boost::beast::http;
  http::response<http::empty_body> head{http::status::ok, request.version()};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  stream.tcp().expires_never();
  auto [ec, n] = co_await http::async_write_header(stream, serializer, kUseTuple);
  if (ec) co_return;
  auto watched = Parse(QueryParameters(request.target()));
  // When signatures are checked, the URL must be presigned (an EventSource
  // cannot send an Authorization header), and every read the stream makes
  // is allowed or refused by the key's policy like the same API call.
  std::optional<auth::Caller> caller;
  if (watched.ok() && router.authenticator()) {
    // The signing name of the front door the stream reads through.
    auto route = router.Find(std::string(watched->door->prefix) + "." + watched->door->describe_op);
    std::string service = route.ok() ? std::string(route->service->signing_name()) : "";
    auto checked = router.authenticator()->AuthenticatePresigned(SignedRequestOf(request), service,
                                                                 SystemClock().Now());
    if (checked.ok()) {
      caller = std::move(*checked);
    } else {
      watched = checked.error();
    }
  }
  Stream s(router, stream, watched.ok() ? *watched : Watched{}, caller);
  if (!watched.ok()) {
    co_await s.Send("failure", watched.error().message());
  } else {
    co_await s.Run(stopping);
  }
  co_await s.End();
}

}  // namespace weft::server
