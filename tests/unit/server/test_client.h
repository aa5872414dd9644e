// tests/unit/server/test_client.h: a small HTTP/1.1 client for server tests.
// Blocking from the caller's view; every call gives up after kTimeout so that
// a server bug fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string>

#include "common/json.h"

namespace weft::server {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;
using Headers = std::map<std::string, std::string>;

inline constexpr auto kTimeout = std::chrono::seconds(20);

inline http::request<http::string_body> MakePost(std::string_view target, std::string body,
                                                 const Headers& headers = {}) {
  http::request<http::string_body> request{http::verb::post, "/", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/x-amz-json-1.0");
  if (!target.empty()) request.set("X-Amz-Target", target);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// The JSON body of a response, or null if it is not JSON.
inline json::value BodyJson(const Response& response) {
  auto parsed = ParseJson(response.body());
  return parsed.ok() ? *parsed : json::value();
}

inline std::string ErrorType(const Response& response) {
  auto body = BodyJson(response);
  const auto* type = body.is_object() ? FindString(body.as_object(), "__type") : nullptr;
  return type ? std::string(*type) : "";
}

class TestClient {
 public:
  // Connects to 127.0.0.1:port using `io`, which the caller does not run
  // elsewhere. Several clients may share one io_context.
  TestClient(net::io_context& io, uint16_t port) : io_(io), stream_(io) {
    Run([&](auto done) {
      stream_.expires_after(kTimeout);
      stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                            [done](beast::error_code ec) { done(ec); });
    });
  }

  beast::error_code last_error() const { return ec_; }

  void Send(http::request<http::string_body> request) {
    Run([&](auto done) {
      stream_.expires_after(kTimeout);
      http::async_write(stream_, request, [done](beast::error_code ec, size_t) { done(ec); });
    });
    EXPECT_FALSE(ec_) << "write: " << ec_.message();
  }

  // Sends raw bytes (e.g. two pipelined requests in one write).
  void SendRaw(const std::string& bytes) {
    Run([&](auto done) {
      stream_.expires_after(kTimeout);
      net::async_write(stream_, net::buffer(bytes),
                       [done](beast::error_code ec, size_t) { done(ec); });
    });
    EXPECT_FALSE(ec_) << "write: " << ec_.message();
  }

  // The next response; an empty 0-status response if the read failed.
  Response Read() {
    Response response;
    Run([&](auto done) {
      stream_.expires_after(kTimeout);
      http::async_read(stream_, buffer_, response,
                       [done](beast::error_code ec, size_t) { done(ec); });
    });
    if (ec_) response = Response();
    return response;
  }

  Response Call(std::string_view target, std::string body, const Headers& headers = {}) {
    Send(MakePost(target, std::move(body), headers));
    return Read();
  }

  // True if the server has closed the connection (the next read hits EOF).
  bool ReadsEof() {
    Response ignored = Read();
    return ec_ == http::error::end_of_stream || ec_ == net::error::eof ||
           ec_ == net::error::connection_reset;
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  template <class Start>
  void Run(Start start) {
    ec_ = {};
    io_.restart();
    start([this](beast::error_code ec) { ec_ = ec; });
    io_.run();
  }

  net::io_context& io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

}  // namespace weft::server
