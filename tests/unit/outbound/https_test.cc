#include <gtest/gtest.h>

#include "outbound/outbound.h"
#include "test_server.h"

namespace weft::outbound::testing {
namespace {

std::optional<ServerResponse> Hello(const ServerRequest&) {
  return Reply(http::status::ok, "secure hello");
}

// An HTTPS TestServer with a certificate for `subject_alt_names`.
struct HttpsServer {
  explicit HttpsServer(const char* subject_alt_names = "IP:127.0.0.1,DNS:localhost")
      : pki(MakePki(subject_alt_names)), tls(ServerTls(pki)), server(Hello, tls.get()) {}
  TestPki pki;
  std::unique_ptr<ssl::context> tls;
  TestServer server;
};

void ExpectHandshakeFailure(const Result<HttpResponse>& response, std::string_view why) {
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code(), Errc::kUnavailable);
  const std::string& message = response.error().message();
  EXPECT_TRUE(message.starts_with("TLS handshake failed: ")) << message;
  EXPECT_NE(message.find(why), std::string::npos) << message;
}

TEST(HttpsTest, ASelfSignedServerFailsAgainstTheSystemStore) {
  HttpsServer https;
  auto client = HttpClient::Create();
  ASSERT_TRUE(client.ok());
  auto response = SendSync(**client, {"GET", https.server.Url()});
  ExpectHandshakeFailure(response,
                         "certificate verify failed: unable to get local issuer certificate");
}

TEST(HttpsTest, SucceedsWhenTheTestCaIsTrusted) {
  HttpsServer https;
  auto client = HttpClient::Create({.extra_ca_pem = https.pki.ca_pem});
  ASSERT_TRUE(client.ok()) << client.error().message();
  auto response = SendSync(**client, {"POST", https.server.Url("/s?x=1"), {}, "ping"});
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secure hello");
  auto received = https.server.requests();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target(), "/s?x=1");
  EXPECT_EQ(received[0].body(), "ping");
}

TEST(HttpsTest, ACertificateForAnotherHostFails) {
  HttpsServer https("DNS:other.example");
  auto client = HttpClient::Create({.extra_ca_pem = https.pki.ca_pem});
  ASSERT_TRUE(client.ok());
  auto response = SendSync(**client, {"GET", https.server.Url()});
  ExpectHandshakeFailure(response, "certificate verify failed: IP address mismatch");
}

TEST(HttpsTest, PlainHttpToATlsServerFailsCleanly) {
  HttpsServer https;
  auto client = HttpClient::Create();
  ASSERT_TRUE(client.ok());
  HttpRequest request{"GET", "http://127.0.0.1:" + std::to_string(https.server.port()) + "/"};
  request.timeout = std::chrono::seconds(5);
  auto response = SendSync(**client, request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code(), Errc::kUnavailable);
}

TEST(HttpsTest, UnusableExtraCaIsAnError) {
  auto client = HttpClient::Create({.extra_ca_pem = "not a certificate"});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code(), Errc::kValidation);
}

}  // namespace
}  // namespace weft::outbound::testing
