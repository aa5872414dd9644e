// src/server/console_events.h (internal): GET /console/events, the console's
// live updates as server-sent events (text/event-stream) for one execution:
//
//   /console/events?executionArn=ARN&after=N                 (Step Functions)
//   /console/events?domain=D&workflowId=W&runId=R&after=N    (SWF)
//
// Events: `history` (data: a JSON array of the events after N, as
// GetExecutionHistory / GetWorkflowExecutionHistory show them), `closed`
// (data: {"status": ...}) once the execution has closed and its last events
// were sent, then the stream ends; `failure` (data: a message) for an
// unknown execution, a bad query or a refused key. The stream reads through
// the same API operations as every client (no private path to the engine);
// when the server checks signatures the URL must be presigned (SigV4 query
// parameters, as the console makes them) and each read is authorized by the
// key's policy like the API call it is.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>

#include "server/api_handler.h"
#include "server/transport.h"

namespace weft::server {

inline constexpr std::string_view kConsoleEventsPath = "/console/events";

// Streams until the execution closes, the client goes away or `stopping`.
net::awaitable<void> StreamConsoleEvents(const ApiRouter& router, Transport& stream,
                                         const HttpRequest& request,
                                         const std::atomic<bool>& stopping);

}  // namespace weft::server
