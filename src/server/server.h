// src/server/server.h: the HTTP front door of weft. HTTP/1.1 with keep-alive
// on Boost.Beast, one C++20 coroutine per connection, speaking the AWS JSON 1.0
// protocol: POST with X-Amz-Target "<Prefix>.<Operation>" is routed to the
// ApiService with that target_prefix(); GET /health answers "ok".
//
// Threads: all connections run on the io_context passed in, which the caller
// runs on any number of threads; each connection keeps to its own strand.
// Services are called on that strand and may suspend (long polls); while one
// runs, the server watches the socket and fires RequestContext::disconnect if
// the client goes away.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/credentials.h"
#include "common/error.h"
#include "common/service.h"

namespace weft::server {

struct ServerState;  // internal (server/connection.h)

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7070;  // 0 = pick a free one
  // AWS accepts at most 1 MB per request; a larger body is answered with 400
  // ValidationException and the connection is closed.
  size_t max_body_bytes = 1 << 20;
  // Closes a keep-alive connection that sends no request for this long, and
  // bounds reading one request and writing one reply. It does not run while a
  // service handles a request, so long polls (60 s) are not cut short.
  std::chrono::seconds idle_timeout{75};
  // Checks every API request's SigV4 signature and the key's permission
  // (`--credentials`); null: no checks (loopback only, see docs/security.md).
  // Borrowed: must outlive the server.
  auth::Authenticator* authenticator = nullptr;
  // HTTPS only on this port when set (PEM files: the certificate chain and
  // its private key); plain HTTP otherwise. Never both on one port.
  std::string tls_cert_file, tls_key_file;
};

class HttpServer {
 public:
  // `services` are not owned and must outlive every connection, i.e. the
  // server and any coroutine still running on `io`.
  HttpServer(net::io_context& io, ServerOptions options, std::vector<ApiService*> services);
  // Calls Stop(). Connections still open keep the internal state alive, so
  // destroying the server while `io` runs is safe; destroy it before `io`.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then accepts on `io`. Returns the bound port (useful
  // with port 0). Errors (kUnavailable) name the address, e.g.
  // "Cannot listen on 127.0.0.1:7070: Address already in use". Call once;
  // a stopped server does not start again.
  Result<uint16_t> Start();
  // Reads the TLS certificate and key again (SIGHUP); connections accepted
  // afterwards use them. A file that cannot be used keeps the old ones.
  Status LoadTls();

  // Stops accepting, closes idle connections, and makes busy ones close
  // after their current reply (which carries "Connection: close"). Does not
  // wait and does not end long polls: services do that on shutdown.
  // Thread-safe, idempotent.
  void Stop();

  // Connections currently open. Thread-safe.
  size_t connection_count() const;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace weft::server
