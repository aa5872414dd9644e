// src/common/service.h: what the HTTP server (server/) asks of an API
// (swf/, later sfn/): find an operation by name and run it on a parsed JSON
// request. An operation never sees HTTP or sockets.
#pragma once

#include <algorithm>
#include <array>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace weft {

namespace net = boost::asio;

// Fired when the client closes its connection while its request is still
// being handled, so that a long poll stops waiting and hands no task to a
// client that is gone. Thread-safe.
class DisconnectSignal {
 public:
  // Runs `callback` once when the signal fires (at once if it already has).
  // The callback runs on the firing thread and must be quick.
  void Connect(std::function<void()> callback) {
    std::unique_lock lock(mu_);
    if (fired_) {
      lock.unlock();
      callback();
      return;
    }
    callbacks_.push_back(std::move(callback));
  }
  void Fire() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      if (fired_) return;
      fired_ = true;
      callbacks.swap(callbacks_);
    }
    for (auto& c : callbacks) c();
  }
  bool fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  mutable std::mutex mu_;
  bool fired_ = false;
  std::vector<std::function<void()>> callbacks_;
};

struct RequestContext {
  std::string request_id;     // also sent back as x-amzn-RequestId
  std::string access_key_id;  // from a SigV4 Authorization header; "" if unsigned
  std::string region;         // likewise; "" if unsigned
  std::shared_ptr<DisconnectSignal> disconnect = std::make_shared<DisconnectSignal>();
};

// An API's table of operations, sorted by name so that lookup is a binary
// search (check with OperationsSorted in a static_assert).
template <class Function>
struct NamedOperation {
  std::string_view name;
  Function function;
};

template <class Function, size_t N>
constexpr bool OperationsSorted(const std::array<NamedOperation<Function>, N>& ops) {
  return std::is_sorted(ops.begin(), ops.end(),
                        [](const auto& a, const auto& b) { return a.name < b.name; });
}

// The function of `name`, or nullptr.
template <class Function, size_t N>
Function FindOperation(const std::array<NamedOperation<Function>, N>& ops, std::string_view name) {
  auto it = std::lower_bound(ops.begin(), ops.end(), name,
                             [](const auto& op, std::string_view n) { return op.name < n; });
  return it == ops.end() || it->name != name ? nullptr : it->function;
}

inline Error UnknownOperation(std::string_view name) {
  return Error(Errc::kValidation, "UnknownOperationException",
               "Unknown operation: " + std::string(name));
}

// Runs operation `name` of `ops` with `ctx`. An error the operation left
// without a fault name (an engine error kind) is named by `name_fault`, the
// front door's mapping of kinds to its model's faults.
template <class Context, class Function, size_t N>
net::awaitable<Result<json::value>> InvokeOperation(
    const std::array<NamedOperation<Function>, N>& ops, std::string_view name, Context ctx,
    const json::object& request, Error (*name_fault)(Error)) {
  Function function = FindOperation(ops, name);
  if (function == nullptr) co_return UnknownOperation(name);
  Result<json::value> result = co_await function(ctx, request);
  if (!result.ok() && result.error().type().empty())
    co_return name_fault(std::move(result).error());
  co_return result;
}

class ApiService {
 public:
  virtual ~ApiService() = default;
  // The X-Amz-Target prefix, e.g. "SimpleWorkflowService". The server also
  // accepts longer legacy prefixes ending with ".<prefix>".
  virtual std::string_view target_prefix() const = 0;
  // The namespace of fault names in `__type`, e.g. "com.amazonaws.swf.base.model".
  virtual std::string_view error_namespace() const = 0;
  virtual bool HasOperation(std::string_view operation) const = 0;
  // Whether an operation may wait a long time for work (a long poll). Only
  // for these does the server watch the socket for the client leaving
  // (RequestContext::disconnect): the watch costs system calls and
  // allocations that quick operations need not pay.
  virtual bool IsLongPoll(std::string_view operation) const {
    (void)operation;
    return false;
  }
  // For checking who may call (auth/, `weft server --credentials`): the
  // service's SigV4 signing name, which is also its IAM action prefix
  // ("swf", "states"); the ARN of the resource an operation acts on (a
  // pattern with `*` where it names no single one); and the service's fault
  // for a request the caller's key may not make.
  virtual std::string_view signing_name() const = 0;
  virtual std::string ResourceOf(std::string_view operation, const json::object& request,
                                 std::string_view region) const = 0;
  virtual Error AccessDenied(std::string message) const = 0;
  // Runs an operation. A client error comes back as an Error; the returned
  // JSON is the response body (an empty object for void operations).
  virtual net::awaitable<Result<json::value>> Invoke(std::string_view operation,
                                                     RequestContext& context,
                                                     json::object& request) = 0;
};

}  // namespace weft
