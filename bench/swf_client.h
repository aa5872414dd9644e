// bench/swf_client.h: a keep-alive HTTP/1.1 client for the SWF JSON API, as
// the load generator's deciders and workers use it.
//
// One SwfClient is one TCP connection, opened on the first Call and reopened
// after a transport error. Calls on one client are sequential (one
// coroutine owns it); clients are not thread-safe. A long poll occupies its
// client for as long as the server holds it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace weft::bench {

namespace net = boost::asio;
namespace json = boost::json;

struct SwfReply {
  int http_status = 0;  // 0: no answer (connection failed or closed)
  std::string fault;    // empty on 200; else the name after '#' in __type, or "Transport"
  std::string message;
  json::object body;  // the parsed body of a 200 answer
  bool ok() const { return http_status == 200; }
};

class SwfClient {
 public:
  SwfClient(net::any_io_executor executor, net::ip::tcp::endpoint server);

  // POST / with X-Amz-Target: SimpleWorkflowService.<operation>. Never throws
  // for network or HTTP errors: they come back in the reply.
  net::awaitable<SwfReply> Call(std::string_view operation, const std::string& body);

  // Closes the connection (a pending Call fails). Call it on the client's
  // executor.
  void Close();

 private:
  net::awaitable<bool> Connect(SwfReply& reply);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  net::ip::tcp::endpoint server_;
  std::string host_;
  bool connected_ = false;
};

// The body {"domain": ..., "taskList": {"name": ...}, "identity": ...} of a poll.
std::string PollBody(std::string_view domain, std::string_view task_list,
                     std::string_view identity);

}  // namespace weft::bench
