// HttpClient: one request per connection, on the awaiting coroutine's
// executor. The whole exchange shares one deadline: the resolver is cancelled
// by a timer, and every socket operation runs under tcp_stream::expires_at.
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdio>

#include "common/log.h"
#include "outbound/outbound.h"
#include "outbound/url.h"

namespace weft::outbound {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kHeaderLimit = 64 * 1024;

std::string Seconds(std::chrono::milliseconds ms) {
  char text[32];
  if (ms.count() % 1000 == 0) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(ms.count() / 1000));
  } else {
    std::snprintf(text, sizeof text, "%g", static_cast<double>(ms.count()) / 1000.0);
  }
  return text;
}

// What an exchange needs besides the stream.
struct Exchange {
  const Url& url;
  Clock::time_point deadline;
  std::chrono::milliseconds timeout;
  size_t max_body_bytes;

  Error TimedOut() const {
    return Error::Unavailable("timed out after " + Seconds(timeout) + " s (" + url.Authority() +
                              ")");
  }
  Error Failed(std::string_view what, const beast::error_code& ec) const {
    if (ec == beast::error::timeout) return TimedOut();
    return Error::Unavailable(std::string(what) + " " + url.Authority() + ": " + ec.message());
  }
};

bool IsToken(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && kSpecials.find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

bool IsFieldValue(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

Result<http::request<http::string_body>> ToBeast(const HttpRequest& request, const Url& url,
                                                 const std::string& user_agent) {
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    return Error::Validation("unsupported HTTP method \"" + request.method + "\"");
  }
  http::request<http::string_body> out{verb, url.target, 11};
  out.set(http::field::host, url.HostHeader());
  for (const auto& [name, value] : request.headers) {
    // The header's value is not quoted: it may be a secret.
    if (!IsToken(name)) return Error::Validation("invalid HTTP header name \"" + name + "\"");
    if (!IsFieldValue(value)) {
      return Error::Validation("the value of HTTP header " + name +
                               " holds a control character (CR, LF, ...)");
    }
    out.insert(name, value);
  }
  if (out.find(http::field::user_agent) == out.end()) out.set(http::field::user_agent, user_agent);
  out.keep_alive(false);
  out.body() = request.body;
  if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    out.prepare_payload();
  }
  return out;
}

// Resolves the URL's host, giving up at the deadline. The timer's handler
// owns the resolver with us, so it may run after this coroutine is gone.
net::awaitable<Result<tcp::resolver::results_type>> Resolve(const Exchange& x) {
  auto executor = co_await net::this_coro::executor;
  auto resolver = std::make_shared<tcp::resolver>(executor);
  net::steady_timer timer(executor, x.deadline);
  timer.async_wait([resolver](const beast::error_code& ec) {
    if (!ec) resolver->cancel();
  });
  auto port = std::to_string(x.url.port);
  auto [ec, results] = co_await resolver->async_resolve(x.url.host, port, kUseTuple);
  timer.cancel();
  if (!ec) co_return results;
  if (ec == net::error::operation_aborted) co_return x.TimedOut();
  co_return Error::Unavailable("cannot resolve " + x.url.host + ": " + ec.message());
}

HttpResponse FromBeast(http::response<http::string_body>&& response) {
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  out.reason = std::string(response.reason());
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(response.body());
  return out;
}

template <class Stream>
net::awaitable<Result<HttpResponse>> WriteAndRead(Stream& stream, const Exchange& x,
                                                  http::request<http::string_body>& request) {
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_at(x.deadline);
  auto [write_ec, written] = co_await http::async_write(stream, request, kUseTuple);
  if (write_ec) co_return x.Failed("cannot send the request to", write_ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(x.max_body_bytes);
  if (request.method() == http::verb::head) parser.skip(true);
  lowest.expires_at(x.deadline);
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
    // A TLS peer that ends an unsized body by closing without close_notify.
    parser.put_eof(ec);
  }
  if (ec == http::error::body_limit) {
    co_return Error(Errc::kLimitExceeded, "the response body from " + x.url.Authority() +
                                              " is larger than " +
                                              std::to_string(x.max_body_bytes) + " bytes");
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == ssl::error::stream_truncated) {
    co_return Error::Unavailable("connection to " + x.url.Authority() +
                                 " closed before the response was complete");
  }
  if (ec) co_return x.Failed("cannot read the response from", ec);
  lowest.close();
  co_return FromBeast(parser.release());
}

// Why a handshake failed: the certificate check's own reason when that was
// the cause, else OpenSSL's words.
std::string HandshakeError(SSL* ssl, const beast::error_code& ec) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return ec.message();
}

// What every Send shares: read-only once the client is created (OpenSSL
// allows concurrent use of an SSL_CTX for new connections).
struct ClientState {
  HttpClientOptions options;
  ssl::context tls{ssl::context::tls_client};
};

net::awaitable<Result<HttpResponse>> SendOnStrand(ClientState* client, HttpRequest request);

}  // namespace

struct HttpClient::Impl : ClientState {};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  beast::error_code ec;
  impl->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1,
                        ec);
  impl->tls.set_default_verify_paths(ec);
  if (ec) log::Warn("outbound: cannot load the system CA store: " + ec.message());
  impl->tls.set_verify_mode(ssl::verify_peer);
  if (!impl->options.extra_ca_pem.empty()) {
    impl->tls.add_certificate_authority(net::buffer(impl->options.extra_ca_pem), ec);
    if (ec) {
      return Error::Validation("the extra trusted CA certificates are not usable PEM: " +
                               ec.message());
    }
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

namespace {

net::awaitable<Result<HttpResponse>> SendOnStrand(ClientState* client, HttpRequest request) {
  auto url = ParseUrl(request.url);
  if (!url) co_return url.error();
  auto beast_request = ToBeast(request, *url, client->options.user_agent);
  if (!beast_request) co_return beast_request.error();
  Exchange x{*url, Clock::now() + request.timeout, request.timeout, client->options.max_body_bytes};

  auto endpoints = co_await Resolve(x);
  if (!endpoints) co_return endpoints.error();
  auto executor = co_await net::this_coro::executor;
  beast::tcp_stream tcp(executor);
  tcp.expires_at(x.deadline);
  auto [connect_ec, endpoint] = co_await tcp.async_connect(*endpoints, kUseTuple);
  if (connect_ec == net::error::connection_refused) {
    co_return Error::Unavailable("connection refused to " + url->Authority());
  }
  if (connect_ec) co_return x.Failed("cannot connect to", connect_ec);
  if (!url->tls) co_return co_await WriteAndRead(tcp, x, *beast_request);

  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), client->tls);
  SSL* ssl = stream.native_handle();
  // SNI and the name the certificate must carry (an IP address is checked
  // against the certificate's IP addresses instead).
  beast::error_code address_ec;
  net::ip::make_address(url->host, address_ec);
  bool checked = address_ec
                     ? SSL_set_tlsext_host_name(ssl, url->host.c_str()) == 1 &&
                           SSL_set1_host(ssl, url->host.c_str()) == 1
                     : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url->host.c_str()) == 1;
  if (!checked) co_return Error::Internal("cannot set up TLS for " + url->Authority());
  beast::get_lowest_layer(stream).expires_at(x.deadline);
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kUseTuple);
  if (handshake_ec == beast::error::timeout) co_return x.TimedOut();
  if (handshake_ec) {
    co_return Error::Unavailable("TLS handshake failed: " + HandshakeError(ssl, handshake_ec) +
                                 " (" + url->Authority() + ")");
  }
  co_return co_await WriteAndRead(stream, x, *beast_request);
}

}  // namespace

// Beast's stream timeouts race with the I/O they cancel unless both run on
// one strand; the caller's executor may be a multi-threaded io_context.
net::awaitable<Result<HttpResponse>> HttpClient::Send(HttpRequest request) const {
  auto strand = net::make_strand(co_await net::this_coro::executor);
  co_return co_await net::co_spawn(strand, SendOnStrand(impl_.get(), std::move(request)),
                                   net::use_awaitable);
}

std::string Redacted(const HttpRequest& request) {
  auto mask = [&](std::string text) {
    for (const auto& secret : request.secrets) {
      if (secret.empty()) continue;
      for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 4)) {
        text.replace(at, secret.size(), "****");
      }
    }
    return text;
  };
  std::string out = request.method + " " + mask(request.url);
  for (const auto& [name, value] : request.headers) {
    bool hidden =
        beast::iequals(name, "authorization") || beast::iequals(name, "proxy-authorization");
    out += "; " + name + ": " + (hidden ? std::string("****") : mask(value));
  }
  if (!request.body.empty()) out += "; body: " + std::to_string(request.body.size()) + " bytes";
  return out;
}

}  // namespace weft::outbound
