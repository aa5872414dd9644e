#include "server/connection.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <limits>
#include <optional>
#include <vector>

#include "common/ids.h"
#include "common/log.h"
#include "server/console_events.h"

namespace weft::server {
namespace {

constexpr size_t kHeaderLimit = 16 * 1024;
// How long to keep reading (and discarding) after refusing an oversized
// body, so the client sees our reply rather than a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

using RequestParser = http::request_parser<http::string_body>;

// Lists the connection in ServerState for as long as its coroutine runs.
class Registration {
 public:
  Registration(ServerState& state, const std::shared_ptr<Connection>& connection)
      : state_(state), key_(connection.get()) {
    std::lock_guard lock(state_.mu);
    state_.connections.emplace(key_, connection);
  }
  ~Registration() {
    std::lock_guard lock(state_.mu);
    state_.connections.erase(key_);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  ServerState& state_;
  Connection* key_;
};

enum class Peek { kClosed, kData, kNothing };

// Looks at the socket without consuming anything: the bytes of a pipelined
// request stay for the next read.
Peek PeekSocket(tcp::socket& socket) {
  char c;
  ssize_t n = ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Peek::kData;
  if (n == 0) return Peek::kClosed;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Peek::kNothing;
  return Peek::kClosed;  // reset or another error: the client is gone
}

// Fires `signal` if the client closes while its request is handled. Ends only
// when cancelled, since operator|| cancels the other side when one ends.
net::awaitable<void> WatchForClose(tcp::socket& socket, std::shared_ptr<DisconnectSignal> signal) {
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kUseTuple);
    if (ec == net::error::operation_aborted) co_return;  // the reply is ready
    Peek peek = ec ? Peek::kClosed : PeekSocket(socket);
    if (peek == Peek::kNothing) continue;  // spurious wake-up
    if (peek == Peek::kClosed) signal->Fire();
    break;  // kData: the next request has started; it is not a disconnect
  }
  net::steady_timer forever(co_await net::this_coro::executor,
                            net::steady_timer::time_point::max());
  co_await forever.async_wait(kUseTuple);
}

net::awaitable<HttpReply> HandleWatching(const ApiRouter& router, Connection& connection,
                                         const HttpRequest& request, RequestContext& context) {
  using namespace net::experimental::awaitable_operators;
  auto result = co_await (HandleRequest(router, request, context) ||
                          WatchForClose(connection.stream.socket(), context.disconnect));
  if (result.index() == 0) co_return std::move(std::get<0>(result));
  co_return ErrorReply(http::status::internal_server_error, kCoralService, "InternalFailure",
                       "Request handling was cancelled");
}

net::awaitable<bool> WriteReply(const ServerState& state, Connection& connection, HttpReply reply,
                                const std::string& request_id, unsigned version, bool keep_alive) {
  http::response<http::string_body> response{reply.status, version};
  response.set(http::field::content_type, reply.content_type);
  response.set("x-amzn-RequestId", request_id);
  response.keep_alive(keep_alive);
  response.body() = std::move(reply.body);
  response.prepare_payload();
  connection.stream.expires_after(state.options.idle_timeout);
  auto [ec, n] = co_await http::async_write(connection.io, response, kUseTuple);
  co_return !ec;
}

// Sends a final reply, then reads and drops what the client still sends (up
// to kLingerTime), so that closing does not reset the connection under it.
net::awaitable<void> RefuseAndLinger(const ServerState& state, Connection& connection,
                                     HttpReply reply, unsigned version) {
  std::string request_id = NewUuid();
  bool written =
      co_await WriteReply(state, connection, std::move(reply), request_id, version, false);
  if (!written) co_return;
  beast::error_code ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection.stream.expires_after(kLingerTime);
  std::vector<char> scratch(64 * 1024);
  for (;;) {
    auto [read_ec, n] = co_await connection.io.async_read_some(net::buffer(scratch), kUseTuple);
    if (read_ec) break;
  }
}

HttpReply TooLarge(const ServerState& state, std::optional<uint64_t> size) {
  std::string message = "Request body";
  if (size) message += " of " + std::to_string(*size) + " bytes";
  message += " exceeds the limit of " + std::to_string(state.options.max_body_bytes) + " bytes";
  return ErrorReply(http::status::bad_request, kCoralValidate, "ValidationException", message);
}

HttpReply BadHttp(const beast::error_code& ec) {
  HttpReply reply;
  reply.status = http::status::bad_request;
  reply.content_type = "text/plain";
  reply.body = "Bad request: " + ec.message() + "\n";
  return reply;
}

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// Reads one request. nullopt: nothing to serve, the connection ends.
net::awaitable<std::optional<HttpRequest>> ReadRequest(const ServerState& state,
                                                       Connection& connection,
                                                       beast::flat_buffer& buffer) {
  RequestParser parser;
  parser.header_limit(kHeaderLimit);
  // No limit yet: Beast would refuse a large Content-Length while reading the
  // header, before we can name the size in the error.
  parser.body_limit(std::numeric_limits<uint64_t>::max());
  connection.stream.expires_after(state.options.idle_timeout);
  auto [ec, n] = co_await http::async_read_header(connection.io, buffer, parser, kUseTuple);
  connection.idle = false;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message)
    co_return std::nullopt;
  if (ec) {
    if (IsHttpError(ec)) co_await RefuseAndLinger(state, connection, BadHttp(ec), 11);
    co_return std::nullopt;
  }
  unsigned version = parser.get().version();
  if (auto size = parser.content_length(); size && *size > state.options.max_body_bytes) {
    co_await RefuseAndLinger(state, connection, TooLarge(state, *size), version);
    co_return std::nullopt;
  }
  parser.body_limit(state.options.max_body_bytes);  // chunked bodies
  if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> go_on{http::status::continue_, version};
    auto [write_ec, written] = co_await http::async_write(connection.io, go_on, kUseTuple);
    if (write_ec) co_return std::nullopt;
  }
  std::tie(ec, n) = co_await http::async_read(connection.io, buffer, parser, kUseTuple);
  if (ec == http::error::body_limit) {
    co_await RefuseAndLinger(state, connection, TooLarge(state, std::nullopt), version);
    co_return std::nullopt;
  }
  if (ec) {
    if (IsHttpError(ec) && ec != http::error::partial_message) {
      co_await RefuseAndLinger(state, connection, BadHttp(ec), version);
    }
    co_return std::nullopt;
  }
  co_return parser.release();
}

net::awaitable<void> ServeRequests(ServerState& state, Connection& connection) {
  beast::flat_buffer buffer;
  for (;;) {
    connection.idle = true;
    if (state.stopping) co_return;
    auto request = co_await ReadRequest(state, connection, buffer);
    if (!request) co_return;
    connection.stream.expires_never();  // a long poll may take a minute
    if (request->method() == http::verb::get &&
        request->target().substr(0, request->target().find('?')) == kConsoleEventsPath) {
      co_await StreamConsoleEvents(state.router, connection.io, *request, state.stopping);
      co_return;  // the stream used the connection up
    }
    RequestContext context;
    context.request_id = NewUuid();
    // Watch for the client leaving only during long polls, and only when no
    // pipelined bytes are buffered: a client that already sent its next
    // request has not gone away.
    bool watch = buffer.size() == 0 && IsLongPoll(state.router, *request);
    // No co_await inside ?: or ||: g++ 12 miscompiles those in coroutines.
    HttpReply reply;
    if (watch) {
      reply = co_await HandleWatching(state.router, connection, *request, context);
    } else {
      reply = co_await HandleRequest(state.router, *request, context);
    }
    bool keep_alive = request->keep_alive() && !reply.close && !state.stopping;
    bool written = co_await WriteReply(state, connection, std::move(reply), context.request_id,
                                       request->version(), keep_alive);
    if (!written || !keep_alive) co_return;
  }
}

}  // namespace

net::awaitable<void> ServeConnection(std::shared_ptr<ServerState> state,
                                     std::shared_ptr<Connection> connection) {
  Registration registration(*state, connection);
  bool tls = connection->io.tls();
  try {
    bool ready = true;
    if (tls) {  // a TLS port: no request before the handshake
      connection->stream.expires_after(state->options.idle_timeout);
      auto [handshake_ec] = co_await connection->io.tls_stream().async_handshake(
          net::ssl::stream_base::server, kUseTuple);
      ready = !handshake_ec;
    }
    if (ready) co_await ServeRequests(*state, *connection);
    if (ready && tls) {  // close_notify, briefly: a client that is gone is not waited for
      connection->stream.expires_after(std::chrono::seconds(2));
      auto [shutdown_ec] = co_await connection->io.tls_stream().async_shutdown(kUseTuple);
      (void)shutdown_ec;
    }
  } catch (const std::exception& e) {
    log::Error(std::string("connection failed: ") + e.what());
  }
  beast::error_code ec;
  connection->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection->stream.close();
}

void CloseIfIdle(const std::shared_ptr<Connection>& connection) {
  net::post(connection->stream.get_executor(), [connection] {
    if (connection->idle) connection->stream.close();
  });
}

}  // namespace weft::server
