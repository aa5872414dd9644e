// bench/swf_client.h: a keep-alive HTTP/1.1 client for the AWS JSON 1.0
// APIs (SWF by default; Step Functions with the "AWSStepFunctions." target
// prefix), as the load generators' deciders, starters and workers use it.
//
// One SwfClient is one TCP connection, opened on the first Call and reopened
// after a transport error. Calls on one client are sequential (one
// coroutine owns it); clients are not thread-safe. A long poll occupies its
// client for as long as the server holds it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
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
  // target_prefix goes before the operation in X-Amz-Target; authorization,
  // when not empty, is sent as the Authorization header (moto's server
  // routes requests by the service named in it).
  SwfClient(net::any_io_executor executor, net::ip::tcp::endpoint server,
            std::string target_prefix = "SimpleWorkflowService.", std::string authorization = "");

  // POST / with X-Amz-Target: <target_prefix><operation>. Never throws
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
  std::string target_prefix_;
  std::string authorization_;
  bool connected_ = false;
};

// The body {"domain": ..., "taskList": {"name": ...}, "identity": ...} of a poll.
std::string PollBody(std::string_view domain, std::string_view task_list,
                     std::string_view identity);

// Runs work on io until it ends (io is restarted for the next use) and
// returns its result; an exception of the work is rethrown.
template <class T>
T RunOn(net::io_context& io, net::awaitable<T> work) {
  T result{};
  net::co_spawn(io, std::move(work), [&result](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    result = std::move(value);
  });
  io.run();
  io.restart();
  return result;
}

}  // namespace weft::bench
