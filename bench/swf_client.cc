#include "swf_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "common/json.h"

namespace weft::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
// Longer than any poll the server holds (60 s at most), so only a dead
// server trips it.
constexpr auto kCallTimeout = std::chrono::seconds(90);

void Fail(SwfReply& reply, std::string_view what, const boost::system::error_code& ec) {
  reply.http_status = 0;
  reply.fault = "Transport";
  reply.message = std::string(what) + ": " + ec.message();
}

// Fills fault/message from an AWS JSON error body, or body from a 200 one.
void ReadBody(SwfReply& reply, const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    if (reply.ok()) {
      reply.http_status = 0;
      reply.fault = "BadJson";
    } else {
      reply.fault = "HTTP" + std::to_string(reply.http_status);
    }
    reply.message = text.substr(0, 200);
    return;
  }
  if (reply.ok()) {
    reply.body = std::move(v.as_object());
    return;
  }
  const json::object& o = v.as_object();
  const json::string* type = FindString(o, "__type");
  std::string_view name = type ? std::string_view(*type) : std::string_view("Unknown");
  if (auto hash = name.rfind('#'); hash != std::string_view::npos) name = name.substr(hash + 1);
  reply.fault = std::string(name);
  if (const json::string* m = FindString(o, "message")) reply.message = std::string(*m);
}

}  // namespace

SwfClient::SwfClient(net::any_io_executor executor, net::ip::tcp::endpoint server,
                     std::string target_prefix, std::string authorization)
    : stream_(std::move(executor)),
      server_(server),
      host_(server.address().to_string() + ":" + std::to_string(server.port())),
      target_prefix_(std::move(target_prefix)),
      authorization_(std::move(authorization)) {}

net::awaitable<bool> SwfClient::Connect(SwfReply& reply) {
  stream_.expires_after(kCallTimeout);
  auto [ec] = co_await stream_.async_connect(server_, kUseTuple);
  if (ec) {
    Fail(reply, "connect", ec);
    co_return false;
  }
  stream_.socket().set_option(net::ip::tcp::no_delay(true));
  buffer_.clear();
  connected_ = true;
  co_return true;
}

net::awaitable<SwfReply> SwfClient::Call(std::string_view operation, const std::string& body) {
  SwfReply reply;
  if (!connected_) {
    bool ok = co_await Connect(reply);
    if (!ok) co_return reply;
  }
  http::request<http::string_body> request{http::verb::post, "/", 11};
  request.set(http::field::host, host_);
  request.set(http::field::content_type, "application/x-amz-json-1.0");
  std::string target = target_prefix_;
  target += operation;
  request.set("X-Amz-Target", target);
  if (!authorization_.empty()) request.set(http::field::authorization, authorization_);
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();

  stream_.expires_after(kCallTimeout);
  auto [write_ec, written] = co_await http::async_write(stream_, request, kUseTuple);
  if (write_ec) {
    Close();
    Fail(reply, "write", write_ec);
    co_return reply;
  }
  http::response<http::string_body> response;
  auto [read_ec, read] = co_await http::async_read(stream_, buffer_, response, kUseTuple);
  if (read_ec) {
    Close();
    Fail(reply, "read", read_ec);
    co_return reply;
  }
  if (!response.keep_alive()) Close();
  reply.http_status = static_cast<int>(response.result_int());
  ReadBody(reply, response.body());
  co_return reply;
}

void SwfClient::Close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  connected_ = false;
}

std::string PollBody(std::string_view domain, std::string_view task_list,
                     std::string_view identity) {
  std::string out = "{\"domain\":";
  AppendJsonString(out, domain);
  out += ",\"taskList\":{\"name\":";
  AppendJsonString(out, task_list);
  out += "},\"identity\":";
  AppendJsonString(out, identity);
  out += "}";
  return out;
}

}  // namespace weft::bench
