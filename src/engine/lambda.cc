// SWF Lambda functions (ScheduleLambdaFunction) on the HTTP endpoints the
// operator maps them to (weft server --config, lambdaFunctions: the same
// mapping as Step Functions' Lambda tasks).
//
// Once LambdaFunctionScheduled is durable: LambdaFunctionStarted is written,
// the function's input is POSTed to its URL (on no shard's strand), and the
// answer is written as LambdaFunctionCompleted (the response body is the
// result) or LambdaFunctionFailed (reason and details as Step Functions names
// Lambda's errors); the start-to-close timer writes LambdaFunctionTimedOut.
// A call whose outcome was not written before a crash is made again after
// the restart (at least once), as for HTTP tasks.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

struct LambdaCall {
  std::string domain, workflow_id, run_id;
  int64_t scheduled_event_id = 0;
};

// What to call, with the started event id (written now if need be); nullopt
// when the function has ended or its run closed.
struct Started {
  int64_t started_event_id = 0;
  std::string name, input;
};

net::awaitable<std::optional<Started>> StartOnShard(Engine::Impl* impl, Shard* shard,
                                                    LambdaCall c) {
  auto ex = impl->FindOpen(*shard, {c.domain, c.workflow_id, c.run_id});
  if (!ex.ok()) co_return std::nullopt;
  auto it = (*ex)->state.lambdas().find(c.scheduled_event_id);
  if (it == (*ex)->state.lambdas().end()) co_return std::nullopt;
  Started out{it->second.started_event_id, it->second.name, it->second.input.value_or("")};
  if (out.started_event_id == 0) {
    Step step(*shard, **ex, impl->clock.Now());
    out.started_event_id =
        step.Append(EventType::kLambdaFunctionStarted, {{"scheduledEventId", c.scheduled_event_id}})
            .id;
    Status s = co_await impl->Commit(*shard, step);
    if (!s.ok()) co_return std::nullopt;
  }
  co_return out;
}

net::awaitable<void> FinishOnShard(Engine::Impl* impl, Shard* shard, LambdaCall c,
                                   int64_t started_event_id, json::object outcome, bool ok) {
  auto ex = impl->FindOpen(*shard, {c.domain, c.workflow_id, c.run_id});
  if (!ex.ok()) co_return;
  auto it = (*ex)->state.lambdas().find(c.scheduled_event_id);
  // Timed out meanwhile, or answered by an earlier call: nothing to write.
  if (it == (*ex)->state.lambdas().end() || it->second.started_event_id != started_event_id) {
    co_return;
  }
  Step step(*shard, **ex, impl->clock.Now());
  outcome["scheduledEventId"] = c.scheduled_event_id;
  outcome["startedEventId"] = started_event_id;
  step.Append(ok ? EventType::kLambdaFunctionCompleted : EventType::kLambdaFunctionFailed,
              std::move(outcome));
  step.ScheduleDecisionIfDue();
  Status s = co_await impl->Commit(*shard, step);
  (void)s;  // a failed write stops the process (WriteStep)
}

net::awaitable<void> Call(Engine::Impl* impl, Shard* shard, LambdaCall c) {
  LambdaCall copy = c;  // named: see docs/architecture.md (g++ 12)
  std::optional<Started> started = co_await net::co_spawn(
      shard->strand, StartOnShard(impl, shard, std::move(copy)), use_awaitable);
  if (!started) co_return;
  json::object outcome;
  bool ok = false;
  auto request =
      outbound::BuildLambdaRequest(started->name, started->input, impl->options.outbound);
  if (!request.ok() || !impl->http) {
    outcome["reason"] = "Lambda.ServiceException";
    outcome["details"] = request.ok() ? "HTTP calls are not available" : request.error().message();
  } else {
    auto response = co_await impl->http->Send(std::move(*request));
    // Success and failure as Step Functions' Lambda tasks tell them apart;
    // SWF's result is the response body as it came.
    outbound::TaskOutcome answer =
        response.ok() ? outbound::LambdaTaskResult(*response, outbound::LambdaResultShape::kPayload)
                      : outbound::LambdaTaskFailure(response.error());
    ok = answer.ok;
    if (ok) {
      outcome["result"] = response->body;
    } else {
      outcome["reason"] = answer.error.substr(0, 256);  // the event's limits
      outcome["details"] = answer.cause.substr(0, 32768);
    }
  }
  int64_t started_id = started->started_event_id;
  co_await net::co_spawn(
      shard->strand, FinishOnShard(impl, shard, std::move(c), started_id, std::move(outcome), ok),
      use_awaitable);
}

}  // namespace

void Engine::Impl::InvokeLambdaFunction(Shard& shard, const std::string& domain,
                                        const std::string& workflow_id, const std::string& run_id,
                                        int64_t scheduled_event_id) {
  LambdaCall c{domain, workflow_id, run_id, scheduled_event_id};
  net::co_spawn(io, Call(this, &shard, std::move(c)), net::detached);
}

}  // namespace weft::engine
