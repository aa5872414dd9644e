// tests/unit/outbound/test_server.h: a tiny HTTP(S) server on 127.0.0.1 for
// the outbound tests, on its own thread, and a test PKI made with OpenSSL.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "outbound/outbound.h"

namespace weft::outbound::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ServerRequest = http::request<http::string_body>;
using ServerResponse = http::response<http::string_body>;

inline constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

inline ServerResponse Reply(http::status status, std::string body,
                            std::string content_type = "text/plain") {
  ServerResponse response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

// Serves each connection one request. The handler's nullopt means "never
// answer": the connection stays open, silent, until the server is destroyed.
class TestServer {
 public:
  using Handler = std::function<std::optional<ServerResponse>(const ServerRequest&)>;

  // tls: serve HTTPS with this context (it must outlive the server).
  explicit TestServer(Handler handler, ssl::context* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls), acceptor_(io_) {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, Accept(this), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string Url(std::string_view target = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(target);
  }
  std::vector<ServerRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  static net::awaitable<void> Accept(TestServer* server) {
    for (;;) {
      auto [ec, socket] = co_await server->acceptor_.async_accept(kUseTuple);
      if (ec) co_return;
      net::co_spawn(server->io_, Session(server, std::move(socket)), net::detached);
    }
  }

  static net::awaitable<void> Session(TestServer* server, tcp::socket socket) {
    beast::tcp_stream tcp_stream(std::move(socket));
    if (!server->tls_) {
      co_await Serve(server, tcp_stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *server->tls_);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
    if (ec) co_return;  // e.g. the client refused our certificate
    co_await Serve(server, stream);
  }

  template <class Stream>
  static net::awaitable<void> Serve(TestServer* server, Stream& stream) {
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (ec) co_return;
    ServerRequest request = parser.release();
    {
      std::lock_guard lock(server->mu_);
      server->requests_.push_back(request);
    }
    std::optional<ServerResponse> response = server->handler_(request);
    if (!response) {
      net::steady_timer forever(server->io_, net::steady_timer::time_point::max());
      co_await forever.async_wait(kUseTuple);
      co_return;
    }
    response->keep_alive(false);
    if (!response->chunked() && !response->has_content_length()) response->prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, *response, kUseTuple);
    (void)write_ec;  // the client may have gone; nothing to do either way
    (void)written;
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  Handler handler_;
  ssl::context* tls_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<ServerRequest> requests_;
};

// A port on 127.0.0.1 where nothing listens (it was bound, then closed).
inline uint16_t ClosedPort() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// Runs client.Send to completion on a fresh io_context.
inline net::awaitable<void> SendInto(const HttpClient* client, HttpRequest request,
                                     std::optional<Result<HttpResponse>>* out) {
  out->emplace(co_await client->Send(std::move(request)));
}
inline Result<HttpResponse> SendSync(const HttpClient& client, HttpRequest request) {
  net::io_context io;
  std::optional<Result<HttpResponse>> out;
  net::co_spawn(io, SendInto(&client, std::move(request), &out), net::detached);
  io.run();
  return std::move(*out);
}

// A CA and a server certificate it signed, made at test time.
struct TestPki {
  std::string ca_pem;
  std::string cert_pem;  // the server's certificate
  std::string key_pem;   // its private key
};

namespace detail {

// What `write` puts into a memory BIO, as text.
template <class Write>
std::string PemText(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  write(bio);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

inline std::string Pem(X509* cert) {
  return PemText([&](BIO* bio) { PEM_write_bio_X509(bio, cert); });
}

inline std::string KeyPem(EVP_PKEY* key) {
  return PemText(
      [&](BIO* bio) { PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

inline X509* NewCert(EVP_PKEY* key, const char* common_name, long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  return cert;
}

}  // namespace detail

// subject_alt_names in OpenSSL's syntax, e.g. "IP:127.0.0.1,DNS:localhost".
inline TestPki MakePki(const char* subject_alt_names = "IP:127.0.0.1,DNS:localhost") {
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  X509* ca = detail::NewCert(ca_key, "weft test CA", 1);
  X509_set_issuer_name(ca, X509_get_subject_name(ca));
  detail::AddExtension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  detail::AddExtension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  detail::AddExtension(ca, ca, NID_subject_key_identifier, "hash");
  X509_sign(ca, ca_key, EVP_sha256());

  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = detail::NewCert(key, "weft test server", 2);
  X509_set_issuer_name(cert, X509_get_subject_name(ca));
  detail::AddExtension(cert, ca, NID_basic_constraints, "critical,CA:FALSE");
  detail::AddExtension(cert, ca, NID_key_usage, "critical,digitalSignature");
  detail::AddExtension(cert, ca, NID_ext_key_usage, "serverAuth");
  detail::AddExtension(cert, ca, NID_subject_alt_name, subject_alt_names);
  detail::AddExtension(cert, ca, NID_authority_key_identifier, "keyid");
  X509_sign(cert, ca_key, EVP_sha256());

  TestPki pki{detail::Pem(ca), detail::Pem(cert), detail::KeyPem(key)};
  X509_free(cert);
  X509_free(ca);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca_key);
  return pki;
}

// A server-side TLS context presenting pki's certificate.
inline std::unique_ptr<ssl::context> ServerTls(const TestPki& pki) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  tls->use_certificate_chain(net::buffer(pki.cert_pem));
  tls->use_private_key(net::buffer(pki.key_pem), ssl::context::pem);
  return tls;
}

}  // namespace weft::outbound::testing
