// tests/unit/server/test_service.h: an ApiService for server tests. Its
// operations echo, fail in each way a service can, throw, or hold the request
// like a long poll.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>

#include "common/service.h"

namespace weft::server {

class TestService : public ApiService {
 public:
  std::string_view target_prefix() const override { return "TestService"; }
  std::string_view error_namespace() const override { return "com.example.test"; }
  bool HasOperation(std::string_view op) const override {
    static const std::set<std::string_view> kOps = {
        "Echo",         "Context",         "FailUnknown", "FailValidation",
        "FailInternal", "FailUnavailable", "Throw",       "Hold"};
    return kOps.count(op) > 0;
  }
  bool IsLongPoll(std::string_view op) const override { return op == "Hold"; }
  std::string_view signing_name() const override { return "test"; }
  std::string ResourceOf(std::string_view op, const json::object& request,
                         std::string_view region) const override {
    (void)request;
    return "arn:aws:test:" + std::string(region) + ":123456789012:op/" + std::string(op);
  }
  Error AccessDenied(std::string message) const override {
    return Error(Errc::kValidation, "AccessDeniedException", std::move(message));
  }

  net::awaitable<Result<json::value>> Invoke(std::string_view op, RequestContext& context,
                                             json::object& request) override {
    if (op == "Echo") co_return json::value(request);
    if (op == "Context") {
      co_return json::value(json::object{{"accessKeyId", context.access_key_id},
                                         {"region", context.region},
                                         {"requestId", context.request_id}});
    }
    if (op == "FailUnknown") {
      co_return Error(Errc::kUnknownResource, "UnknownResourceFault", "Unknown domain: \"d\"");
    }
    if (op == "FailValidation") co_return Error::Validation("bad input");
    if (op == "FailInternal") co_return Error::Internal("disk on fire");
    if (op == "FailUnavailable") co_return Error::Unavailable("shutting down");
    if (op == "Throw") throw std::runtime_error("bug in operation");
    co_return co_await Hold(context, request);
  }

  // Hold {"timeoutMs": T, "untilHeld": N}: waits until the client disconnects,
  // until N requests are held at once (if N given), or T ms. Answers
  // {"disconnected": bool, "held": bool}.
  net::awaitable<Result<json::value>> Hold(RequestContext& context, json::object& request) {
    auto timeout = std::chrono::milliseconds(FindInt(request, "timeoutMs").value_or(30000));
    auto until_held = FindInt(request, "untilHeld");
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int now_held = ++in_flight;
    for (int peak_seen = peak;
         now_held > peak_seen && !peak.compare_exchange_weak(peak_seen, now_held);) {
    }
    net::steady_timer timer(co_await net::this_coro::executor);
    bool held = false;
    while (std::chrono::steady_clock::now() < deadline && !context.disconnect->fired()) {
      if (until_held && peak >= *until_held) {
        held = true;
        break;
      }
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(net::use_awaitable);
    }
    bool disconnected = context.disconnect->fired();
    if (disconnected) ++disconnects;
    --in_flight;
    co_return json::value(json::object{{"disconnected", disconnected}, {"held", held}});
  }

  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  std::atomic<int> disconnects{0};
};

}  // namespace weft::server
