// src/server/transport.h (internal): the bytes of one connection, in the
// clear or through TLS (`weft server --tls-cert/--tls-key`). HTTP is read and
// written through a Transport whatever the port speaks, so the server's
// code is the same for both; a port speaks one or the other, never both.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace weft::server {

namespace net = boost::asio;
namespace beast = boost::beast;

// An AsyncReadStream and AsyncWriteStream over a beast::tcp_stream (whose
// timeouts apply either way), with TLS in between when given a context.
class Transport {
 public:
  using executor_type = beast::tcp_stream::executor_type;

  Transport(beast::tcp_stream& tcp, std::shared_ptr<net::ssl::context> tls) : tcp_(tcp) {
    if (tls) {
      context_ = std::move(tls);
      tls_.emplace(tcp, *context_);
    }
  }

  executor_type get_executor() { return tcp_.get_executor(); }
  beast::tcp_stream& tcp() { return tcp_; }
  bool tls() const { return tls_.has_value(); }
  net::ssl::stream<beast::tcp_stream&>& tls_stream() { return *tls_; }

  // Both branches return the same type for the completion tokens the server
  // uses (a callback: void; as_tuple(use_awaitable): the same awaitable).
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return tcp_.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return tcp_.async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  beast::tcp_stream& tcp_;
  std::shared_ptr<net::ssl::context> context_;  // kept alive for tls_
  std::optional<net::ssl::stream<beast::tcp_stream&>> tls_;
};

// A TLS server context from PEM files: the certificate chain and its key.
// A located error for a file that cannot be read or a key that does not
// match the certificate.
std::shared_ptr<net::ssl::context> LoadTlsContext(const std::string& cert_file,
                                                  const std::string& key_file, std::string* error);

}  // namespace weft::server
