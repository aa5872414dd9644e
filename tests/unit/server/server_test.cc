// End-to-end tests of HttpServer over real sockets on 127.0.0.1.
#include "server/server.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "test_client.h"
#include "test_service.h"

namespace weft::server {
namespace {

constexpr std::string_view kJson = "application/x-amz-json-1.0";

// Polls `condition` for up to kTimeout. Returns whether it became true.
template <class Condition>
bool Eventually(Condition condition) {
  auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}, int threads = 1) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(io_, options, std::vector<ApiService*>{&service_});
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message();
    port_ = *port;
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  std::unique_ptr<TestClient> Connect() { return std::make_unique<TestClient>(client_io_, port_); }

  TestService service_;  // outlives io_ and every coroutine in it
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  net::io_context client_io_;
};

TEST_F(ServerTest, RoutesShortAndLegacyTargets) {
  StartServer();
  struct Case {
    std::string target;
    Headers headers;
  };
  const Case cases[] = {
      {"TestService.Echo", {}},
      {"com.amazonaws.swf.service.model.TestService.Echo",
       {{"Content-Type", "application/json"}, {"Content-Encoding", "amz-1.0"}}},
      {"TestService.Echo", {{"Content-Type", "application/x-amz-json-1.0; charset=UTF-8"}}},
  };
  auto client = Connect();
  for (const auto& c : cases) {
    auto response = client->Call(c.target, R"({"a":[1,"x"],"b":{"c":0.5}})", c.headers);
    EXPECT_EQ(response.result_int(), 200) << c.target;
    EXPECT_EQ(response.body(), R"({"a":[1,"x"],"b":{"c":0.5}})") << c.target;
    EXPECT_EQ(response[http::field::content_type], kJson);
    EXPECT_EQ(response["x-amzn-RequestId"].size(), 36u);
  }
}

TEST_F(ServerTest, EmptyBodyIsAnEmptyObject) {
  StartServer();
  auto response = Connect()->Call("TestService.Echo", "");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "{}");
}

TEST_F(ServerTest, ErrorsCarryStatusAndType) {
  StartServer();
  struct Case {
    std::string target;
    std::string body;
    Headers headers;
    int status;
    std::string type;
    std::string message_part;
  };
  const Case cases[] = {
      {"TestService.FailUnknown",
       "{}",
       {},
       400,
       "com.example.test#UnknownResourceFault",
       R"(Unknown domain: \"d\")"},
      {"TestService.FailValidation",
       "{}",
       {},
       400,
       "com.amazon.coral.validate#ValidationException",
       "bad input"},
      {"TestService.FailInternal",
       "{}",
       {},
       500,
       "com.amazon.coral.service#InternalFailure",
       "disk on fire"},
      {"TestService.FailUnavailable",
       "{}",
       {},
       503,
       "com.amazon.coral.service#ServiceUnavailable",
       "shutting down"},
      {"TestService.NoSuchOp",
       "{}",
       {},
       400,
       "com.amazon.coral.service#UnknownOperationException",
       "NoSuchOp"},
      {"OtherService.Echo",
       "{}",
       {},
       400,
       "com.amazon.coral.service#UnknownOperationException",
       "OtherService"},
      {"TestService",
       "{}",
       {},
       400,
       "com.amazon.coral.service#UnknownOperationException",
       "X-Amz-Target"},
      {"", "{}", {}, 400, "com.amazon.coral.service#UnknownOperationException", "X-Amz-Target"},
      {"TestService.Echo",
       "{\"a\": ",
       {},
       400,
       "com.amazon.coral.service#SerializationException",
       "at byte"},
      {"TestService.Echo",
       "[1]",
       {},
       400,
       "com.amazon.coral.service#SerializationException",
       "JSON object"},
      {"TestService.Echo",
       "{}",
       {{"Content-Type", "text/plain"}},
       400,
       "com.amazon.coral.service#SerializationException",
       "text/plain"},
  };
  auto client = Connect();  // errors keep the connection alive
  for (const auto& c : cases) {
    auto response = client->Call(c.target, c.body, c.headers);
    EXPECT_EQ(response.result_int(), c.status) << c.target << " " << c.body;
    EXPECT_EQ(ErrorType(response), c.type) << c.target << " " << response.body();
    EXPECT_NE(response.body().find(c.message_part), std::string::npos) << response.body();
    EXPECT_EQ(response["x-amzn-RequestId"].size(), 36u);
  }
}

TEST_F(ServerTest, ExceptionIs500AndTheConnectionKeepsServing) {
  StartServer();
  auto client = Connect();
  auto failed = client->Call("TestService.Throw", "{}");
  EXPECT_EQ(failed.result_int(), 500);
  EXPECT_EQ(ErrorType(failed), "com.amazon.coral.service#InternalFailure");
  EXPECT_NE(failed.body().find(std::string(failed["x-amzn-RequestId"])), std::string::npos);
  auto next = client->Call("TestService.Echo", R"({"x":1})");
  EXPECT_EQ(next.result_int(), 200);
  EXPECT_EQ(next.body(), R"({"x":1})");
}

TEST_F(ServerTest, SigV4CredentialReachesTheService) {
  StartServer();
  auto client = Connect();
  auto signed_response =
      client->Call("TestService.Context", "{}",
                   {{"Authorization",
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-west-1/swf/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=abc"}});
  auto body = BodyJson(signed_response);
  ASSERT_TRUE(body.is_object()) << signed_response.body();
  EXPECT_EQ(body.at("accessKeyId"), "AKIDEXAMPLE");
  EXPECT_EQ(body.at("region"), "eu-west-1");
  EXPECT_EQ(body.at("requestId"), json::value(std::string(signed_response["x-amzn-RequestId"])));
  auto unsigned_body = BodyJson(client->Call("TestService.Context", "{}"));
  EXPECT_EQ(unsigned_body.at("accessKeyId"), "");
  EXPECT_EQ(unsigned_body.at("region"), "");
}

TEST_F(ServerTest, OversizedBodyIsRefusedAndTheConnectionClosed) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  std::string big = "{\"a\":\"" + std::string(5000, 'x') + "\"}";
  auto client = Connect();
  auto response = client->Call("TestService.Echo", big);
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(ErrorType(response), "com.amazon.coral.validate#ValidationException");
  EXPECT_NE(response.body().find("of 5008 bytes exceeds the limit of 1000 bytes"),
            std::string::npos)
      << response.body();
  EXPECT_TRUE(client->ReadsEof());

  // Chunked: the size is unknown until the limit is passed.
  auto chunked_client = Connect();
  auto request = MakePost("TestService.Echo", big);
  request.chunked(true);
  chunked_client->Send(request);
  auto chunked = chunked_client->Read();
  EXPECT_EQ(chunked.result_int(), 400);
  EXPECT_NE(chunked.body().find("exceeds the limit of 1000 bytes"), std::string::npos);

  // A body at the limit is fine.
  std::string fits = "{\"a\":\"" + std::string(1000 - 8, 'x') + "\"}";
  EXPECT_EQ(Connect()->Call("TestService.Echo", fits).result_int(), 200);
}

TEST_F(ServerTest, DefaultLimitIsOneMegabyte) {
  StartServer();
  auto response = Connect()->Call("TestService.Echo", std::string((1 << 20) + 1, ' '));
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_NE(response.body().find("of 1048577 bytes exceeds the limit of 1048576 bytes"),
            std::string::npos)
      << response.body();
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  auto client = Connect();
  for (int i = 0; i < 5; ++i) {
    std::string body = "{\"i\":" + std::to_string(i) + "}";
    auto response = client->Call("TestService.Echo", body);
    EXPECT_EQ(response.body(), body);
    EXPECT_TRUE(response.keep_alive());
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  auto client = Connect();
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    std::ostringstream text;
    text << MakePost("TestService.Echo", "{\"i\":" + std::to_string(i) + "}");
    bytes += text.str();
  }
  client->SendRaw(bytes);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client->Read().body(), "{\"i\":" + std::to_string(i) + "}");
  }
}

TEST_F(ServerTest, ClientClosingDuringLongPollFiresDisconnect) {
  StartServer();
  auto client = Connect();
  client->Send(MakePost("TestService.Hold", R"({"timeoutMs":30000})"));
  ASSERT_TRUE(Eventually([&] { return service_.in_flight == 1; }));
  client->Close();
  EXPECT_TRUE(Eventually([&] { return service_.disconnects == 1 && service_.in_flight == 0; }));
  EXPECT_TRUE(Eventually([&] { return server_->connection_count() == 0; }));
}

TEST_F(ServerTest, NextRequestArrivingDuringLongPollIsNotADisconnect) {
  StartServer();
  auto client = Connect();
  client->Send(MakePost("TestService.Hold", R"({"timeoutMs":300})"));
  ASSERT_TRUE(Eventually([&] { return service_.in_flight == 1; }));
  client->Send(MakePost("TestService.Echo", R"({"second":true})"));
  auto first = client->Read();
  EXPECT_EQ(first.body(), R"({"disconnected":false,"held":false})");
  EXPECT_EQ(client->Read().body(), R"({"second":true})");
  EXPECT_EQ(service_.disconnects, 0);
}

TEST_F(ServerTest, HoldsTwoHundredLongPollsAtOnceOnOneThread) {
  constexpr int kClients = 200;
  StartServer({}, /*threads=*/1);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Connect());
    clients.back()->Send(MakePost("TestService.Hold", R"({"untilHeld":200,"timeoutMs":20000})"));
  }
  for (auto& client : clients) {
    EXPECT_EQ(client->Read().body(), R"({"disconnected":false,"held":true})");
  }
  EXPECT_EQ(service_.peak, kClients);
}

TEST_F(ServerTest, ManyClientsOnTwoThreads) {
  StartServer({}, /*threads=*/2);
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      net::io_context io;
      TestClient client(io, port_);
      for (int i = 0; i < 25; ++i) {
        std::string body = "{\"w\":" + std::to_string(w) + ",\"i\":" + std::to_string(i) + "}";
        if (client.Call("TestService.Echo", body).body() == body) ++ok;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(ok, 8 * 25);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  auto client = Connect();
  auto response = client->Call("TestService.Echo", "{}", {{"Connection", "close"}});
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client->ReadsEof());
}

TEST_F(ServerTest, MalformedHttpIs400AndCloses) {
  StartServer();
  auto client = Connect();
  client->SendRaw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(client->Read().result_int(), 400);
  EXPECT_TRUE(client->ReadsEof());
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimReply) {
  StartServer();
  auto client = Connect();
  std::string body = R"({"k":"v"})";
  client->SendRaw(
      "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TestService.Echo\r\n"
      "Content-Type: application/x-amz-json-1.0\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(client->Read().result_int(), 100);
  client->SendRaw(body);
  auto response = client->Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), body);
}

TEST_F(ServerTest, HealthAndOtherGets) {
  StartServer();
  auto client = Connect();
  http::request<http::string_body> health{http::verb::get, "/health", 11};
  client->Send(health);
  auto response = client->Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "ok");
  EXPECT_EQ(response["x-amzn-RequestId"].size(), 36u);
  // The console is a single-page app: any path that is not a file is its
  // page; a hashed asset that is gone is 404.
  http::request<http::string_body> page{http::verb::get, "/some/page", 11};
  client->Send(page);
  auto index = client->Read();
  EXPECT_EQ(index.result_int(), 200);
  EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");
  http::request<http::string_body> gone{http::verb::get, "/assets/gone-1234.js", 11};
  client->Send(gone);
  EXPECT_EQ(client->Read().result_int(), 404);
  http::request<http::string_body> metrics{http::verb::get, "/metrics", 11};
  client->Send(metrics);
  auto scraped = client->Read();
  EXPECT_EQ(scraped.result_int(), 200);
  EXPECT_EQ(scraped[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  http::request<http::string_body> put{http::verb::put, "/", 11};
  client->Send(put);
  EXPECT_EQ(client->Read().result_int(), 405);
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndFinishesBusyOnes) {
  StartServer();
  auto idle = Connect();
  EXPECT_EQ(idle->Call("TestService.Echo", "{}").result_int(), 200);
  auto busy = Connect();
  busy->Send(MakePost("TestService.Hold", R"({"timeoutMs":500})"));
  ASSERT_TRUE(Eventually([&] { return service_.in_flight == 1; }));

  server_->Stop();
  EXPECT_TRUE(idle->ReadsEof());
  auto last = busy->Read();
  EXPECT_EQ(last.result_int(), 200);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_TRUE(busy->ReadsEof());
  TestClient late(client_io_, port_);
  EXPECT_TRUE(late.last_error()) << "connected after Stop()";
  EXPECT_TRUE(Eventually([&] { return server_->connection_count() == 0; }));
}

TEST_F(ServerTest, IdleTimeoutClosesTheConnection) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  StartServer(options);
  auto client = Connect();
  EXPECT_EQ(client->Call("TestService.Echo", "{}").result_int(), 200);
  EXPECT_TRUE(client->ReadsEof());
}

TEST_F(ServerTest, StartNamesTheAddressItCannotBind) {
  StartServer();
  ServerOptions taken;
  taken.port = port_;
  HttpServer second(io_, taken, {&service_});
  auto result = second.Start();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << result.error().message();
}

}  // namespace
}  // namespace weft::server
