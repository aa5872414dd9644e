// src/server/connection.h (internal): the state shared by the listener and
// the connection coroutines, and one connection's coroutine.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "server/api_handler.h"
#include "server/server.h"
#include "server/transport.h"

namespace weft::server {

namespace beast = boost::beast;
using tcp = net::ip::tcp;

// One accepted socket. Its executor is a strand; `idle` and `stream` are
// touched only on it.
struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<net::ssl::context> tls)
      : stream(std::move(socket)), io(stream, std::move(tls)) {}
  beast::tcp_stream stream;  // the socket and its timeouts
  Transport io;              // HTTP's bytes: through TLS on a TLS port
  bool idle = true;          // waiting for (the rest of) a request, not handling one
};

// Owned jointly by HttpServer and every connection coroutine, so that either
// may end first.
struct ServerState {
  ServerState(net::io_context& io, ServerOptions options, std::vector<ApiService*> services)
      : io(io),
        options(std::move(options)),
        router(std::move(services), this->options.authenticator),
        acceptor(net::make_strand(io)) {}

  net::io_context& io;
  const ServerOptions options;
  const ApiRouter router;
  tcp::acceptor acceptor;  // used on its strand only, after Start()
  std::atomic<bool> stopping{false};
  std::shared_ptr<net::steady_timer> sampler;  // the console's per-minute chart samples

  mutable std::mutex mu;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;  // guarded by mu
  std::shared_ptr<net::ssl::context> tls;  // guarded by mu; null: plain HTTP

  std::shared_ptr<net::ssl::context> Tls() const {
    std::lock_guard lock(mu);
    return tls;
  }
};

// Serves requests on `connection` until the client closes, the idle timeout
// passes, a reply says close, or the server stops. Never throws.
net::awaitable<void> ServeConnection(std::shared_ptr<ServerState> state,
                                     std::shared_ptr<Connection> connection);

// Runs on the connection's strand: closes it if it is idle. Used by Stop().
void CloseIfIdle(const std::shared_ptr<Connection>& connection);

}  // namespace weft::server
