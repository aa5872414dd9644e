#include "server/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "common/log.h"
#include "common/metrics.h"
#include "server/connection.h"

namespace weft::server {
namespace {

// Completion handler for co_spawn: a coroutine that ends with an exception is
// a bug; log it and carry on serving.
auto LogIfThrown(std::string what) {
  return [what = std::move(what)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::Error(what + " failed: " + x.what());
    } catch (...) {
      log::Error(what + " failed with an unknown exception");
    }
  };
}

std::string Address(const ServerOptions& options) {
  bool ipv6 = options.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + options.host + "]" : options.host;
  return host + ":" + std::to_string(options.port);
}

Result<tcp::endpoint> Resolve(net::io_context& io, const ServerOptions& options) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (!ec) return tcp::endpoint(address, options.port);
  tcp::resolver resolver(io);
  auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec || results.empty()) {
    return Error::Unavailable("Cannot listen on " + Address(options) + ": " +
                              (ec ? ec.message() : "host not found"));
  }
  return results.begin()->endpoint();
}

net::awaitable<void> AcceptLoop(std::shared_ptr<ServerState> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(net::make_strand(state->io),
                                                              net::as_tuple(net::use_awaitable));
    if (state->stopping || !state->acceptor.is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: back off rather than spin
      log::Warn("accept failed: " + ec.message());
      net::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto connection = std::make_shared<Connection>(std::move(socket), state->Tls());
    net::co_spawn(connection->stream.get_executor(), ServeConnection(state, connection),
                  LogIfThrown("connection"));
  }
}

// Once a minute, the counters the console charts (metrics::SampleMinute).
net::awaitable<void> SampleLoop(std::shared_ptr<ServerState> state) {
  metrics::SampleMinute();
  while (!state->stopping) {
    state->sampler->expires_after(std::chrono::minutes(1));
    auto [ec] = co_await state->sampler->async_wait(net::as_tuple(net::use_awaitable));
    if (ec || state->stopping) co_return;
    metrics::SampleMinute();
  }
}

}  // namespace

HttpServer::HttpServer(net::io_context& io, ServerOptions options,
                       std::vector<ApiService*> services)
    : state_(std::make_shared<ServerState>(io, std::move(options), std::move(services))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::LoadTls() {
  if (state_->options.tls_cert_file.empty()) return {};
  std::string error;
  auto context =
      LoadTlsContext(state_->options.tls_cert_file, state_->options.tls_key_file, &error);
  if (!context) return Error::Validation(error);
  std::lock_guard lock(state_->mu);
  state_->tls = std::move(context);
  return {};
}

Result<uint16_t> HttpServer::Start() {
  if (Status s = LoadTls(); !s.ok()) return s.error();
  auto& acceptor = state_->acceptor;
  auto endpoint = Resolve(state_->io, state_->options);
  if (!endpoint.ok()) return endpoint.error();
  boost::system::error_code ec;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  uint16_t port = 0;
  if (!ec) port = acceptor.local_endpoint(ec).port();
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Error::Unavailable("Cannot listen on " + Address(state_->options) + ": " + ec.message());
  }
  net::co_spawn(acceptor.get_executor(), AcceptLoop(state_), LogIfThrown("accept loop"));
  state_->sampler = std::make_shared<net::steady_timer>(acceptor.get_executor());
  net::co_spawn(acceptor.get_executor(), SampleLoop(state_), LogIfThrown("metrics sampler"));
  return port;
}

void HttpServer::Stop() {
  auto state = state_;
  if (state->stopping.exchange(true)) return;
  net::post(state->acceptor.get_executor(), [state] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
    if (state->sampler) state->sampler->cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(state->mu);
    for (auto& [key, weak] : state->connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) CloseIfIdle(connection);
}

size_t HttpServer::connection_count() const {
  std::lock_guard lock(state_->mu);
  return state_->connections.size();
}

}  // namespace weft::server
