#include <gtest/gtest.h>

#include <atomic>

#include "outbound/outbound.h"
#include "test_server.h"

namespace weft::outbound::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<HttpClient> NewClient(HttpClientOptions options = {}) {
  auto client = HttpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.error().message();
  return std::move(*client);
}

std::string Header(const HttpResponse& response, std::string_view name) {
  for (const auto& [n, v] : response.headers) {
    if (beast::iequals(n, name)) return v;
  }
  return "";
}

TEST(HttpClientTest, GetSendsHeadersAndReadsTheResponse) {
  TestServer server([](const ServerRequest&) {
    auto response = Reply(http::status::ok, "hello");
    response.set("X-Answer", "42");
    return response;
  });
  auto client = NewClient();
  HttpRequest request;
  request.url = server.Url("/path/to?q=1&r=a%20b");
  request.headers = {{"X-Request", "yes"}, {"Accept", "text/plain"}};
  auto response = SendSync(*client, request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->reason, "OK");
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(Header(*response, "x-answer"), "42");
  EXPECT_EQ(Header(*response, "Content-Type"), "text/plain");

  auto received = server.requests();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method(), http::verb::get);
  EXPECT_EQ(received[0].target(), "/path/to?q=1&r=a%20b");
  EXPECT_EQ(received[0]["X-Request"], "yes");
  EXPECT_EQ(received[0]["Host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(received[0]["User-Agent"], "weft");
  EXPECT_TRUE(received[0].body().empty());
}

TEST(HttpClientTest, PostSendsTheBodyAndAnyStatusIsAResponse) {
  TestServer server([](const ServerRequest& request) {
    return Reply(http::status::not_found, "no " + request.body());
  });
  auto client = NewClient();
  HttpRequest request{
      "POST", server.Url("/items"), {{"Content-Type", "application/json"}}, R"({"a":1})"};
  request.headers.emplace_back("User-Agent", "mine");
  auto response = SendSync(*client, request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->reason, "Not Found");
  EXPECT_EQ(response->body, R"(no {"a":1})");
  auto received = server.requests();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method(), http::verb::post);
  EXPECT_EQ(received[0]["Content-Type"], "application/json");
  EXPECT_EQ(received[0]["Content-Length"], "7");
  EXPECT_EQ(received[0]["User-Agent"], "mine");
}

TEST(HttpClientTest, BigBodiesBothWays) {
  TestServer server([](const ServerRequest& request) {
    std::string reversed(request.body().rbegin(), request.body().rend());
    return Reply(http::status::ok, reversed, "application/octet-stream");
  });
  auto client = NewClient();
  std::string body(3 * 1024 * 1024, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  auto response = SendSync(*client, {"PUT", server.Url("/big"), {}, body});
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->body, std::string(body.rbegin(), body.rend()));
}

TEST(HttpClientTest, ChunkedResponse) {
  TestServer server([](const ServerRequest&) {
    auto response = Reply(http::status::ok, std::string(100000, 'c'));
    response.chunked(true);
    return response;
  });
  auto client = NewClient();
  auto response = SendSync(*client, {"GET", server.Url()});
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->body, std::string(100000, 'c'));
}

TEST(HttpClientTest, HeadReadsNoBody) {
  TestServer server([](const ServerRequest&) {
    ServerResponse response{http::status::ok, 11};
    response.content_length(1234);  // what a GET would return
    return response;
  });
  auto client = NewClient();
  auto response = SendSync(*client, {"HEAD", server.Url()});
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(Header(*response, "Content-Length"), "1234");
  EXPECT_TRUE(response->body.empty());
}

TEST(HttpClientTest, ABodyOverTheLimitIsAnError) {
  TestServer server(
      [](const ServerRequest&) { return Reply(http::status::ok, std::string(2 << 20, 'x')); });
  HttpClientOptions options;
  options.max_body_bytes = 1 << 20;
  auto client = NewClient(options);
  auto response = SendSync(*client, {"GET", server.Url()});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code(), Errc::kLimitExceeded);
  EXPECT_NE(response.error().message().find("larger than 1048576 bytes"), std::string::npos)
      << response.error().message();
}

TEST(HttpClientTest, TimesOutWhenTheServerNeverAnswers) {
  TestServer server([](const ServerRequest&) { return std::nullopt; });
  auto client = NewClient();
  HttpRequest request{"GET", server.Url("/slow")};
  request.timeout = 200ms;
  auto response = SendSync(*client, request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code(), Errc::kUnavailable);
  EXPECT_NE(response.error().message().find("timed out after 0.2 s"), std::string::npos)
      << response.error().message();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClientTest, ConnectionRefused) {
  uint16_t port = ClosedPort();
  auto client = NewClient();
  auto response = SendSync(*client, {"GET", "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code(), Errc::kUnavailable);
  EXPECT_EQ(response.error().message(), "connection refused to 127.0.0.1:" + std::to_string(port));
}

TEST(HttpClientTest, RefusesWhatItCannotSend) {
  auto client = NewClient();
  struct Case {
    HttpRequest request;
    std::string message;
  } cases[] = {
      {{"GET", "ftp://127.0.0.1/"}, "http:// or https://"},
      {{"BREW", "http://127.0.0.1/"}, "unsupported HTTP method"},
      {{"GET", "http://127.0.0.1/", {{"X-Evil", "a\r\nInjected: 1"}}}, "control character"},
      {{"GET", "http://127.0.0.1/", {{"Bad Name", "v"}}}, "invalid HTTP header name"},
  };
  for (const auto& c : cases) {
    auto response = SendSync(*client, c.request);
    ASSERT_FALSE(response.ok()) << c.message;
    EXPECT_EQ(response.error().code(), Errc::kValidation);
    EXPECT_NE(response.error().message().find(c.message), std::string::npos)
        << response.error().message();
    EXPECT_EQ(response.error().message().find("Injected"), std::string::npos);
  }
}

TEST(HttpClientTest, ConcurrentSendsFromManyThreads) {
  std::atomic<int> served = 0;
  TestServer server([&](const ServerRequest& request) {
    ++served;
    return Reply(http::status::ok, std::string(request.target()));
  });
  auto client = NewClient();
  net::io_context io;
  constexpr int kRequests = 24;
  std::vector<std::optional<Result<HttpResponse>>> results(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    net::co_spawn(io,
                  SendInto(client.get(), {"GET", server.Url("/" + std::to_string(i))}, &results[i]),
                  net::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { io.run(); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(results[i].has_value());
    ASSERT_TRUE(results[i]->ok()) << results[i]->error().message();
    EXPECT_EQ((*results[i])->body, "/" + std::to_string(i));
  }
  EXPECT_EQ(served, kRequests);
}

TEST(HttpClientTest, RedactedMasksSecretsAndAuthorization) {
  HttpRequest request{"POST",
                      "https://api.example.com/x?key=s3cr%2Ft&plain=1",
                      {{"Authorization", "Basic dXNlcjpwdw=="}, {"X-Api-Key", "k-123"}},
                      "body with k-123"};
  request.secrets = {"k-123", "s3cr%2Ft"};
  std::string text = Redacted(request);
  EXPECT_EQ(text,
            "POST https://api.example.com/x?key=****&plain=1; Authorization: ****; "
            "X-Api-Key: ****; body: 15 bytes");
}

}  // namespace
}  // namespace weft::outbound::testing
