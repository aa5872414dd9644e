// tests/unit/sfn/sfn_fixture.h: SfnService driven in-process (no HTTP) on a
// real engine and SQLite store in a temporary directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <thread>

#include "sfn/sfn.h"

namespace weft::sfn::testing {

namespace net = boost::asio;
namespace fs = std::filesystem;

inline net::awaitable<Result<json::value>> InvokeOp(SfnService* service, std::string op,
                                                    json::object request) {
  RequestContext context;
  co_return co_await service->Invoke(op, context, request);
}

inline constexpr std::string_view kRole = "arn:aws:iam::123456789012:role/weft";
inline constexpr std::string_view kPrefix = "arn:aws:states:us-east-1:123456789012:";

inline std::string PassDefinition(std::string_view result = "done") {
  return R"({"StartAt":"P","States":{"P":{"Type":"Pass","Result":")" + std::string(result) +
         R"(","End":true}}})";
}

// A one-state definition with a Task on `resource`.
inline std::string TaskDefinition(std::string_view resource, std::string_view parameters = "") {
  std::string params = parameters.empty() ? "" : R"(,"Parameters":)" + std::string(parameters);
  return R"({"StartAt":"T","States":{"T":{"Type":"Task","Resource":")" + std::string(resource) +
         "\"" + params + R"(,"End":true}}})";
}

class SfnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("weft-sfn-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto s = store::OpenSqliteStore(dir_.string());
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
    engine_ = std::make_unique<engine::Engine>(io_, *store_, clock_);
    ASSERT_TRUE(engine_->Recover().ok());
    options_.lambda_functions = {"mapped"};
    service_ = std::make_unique<SfnService>(*engine_, options_);
    work_.emplace(io_.get_executor());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    engine_->Shutdown();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    service_.reset();
    engine_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Result<json::value> Call(std::string op, const json::object& request) {
    return net::co_spawn(io_, InvokeOp(service_.get(), std::move(op), request), net::use_future)
        .get();
  }

  // The response of an operation that must succeed.
  json::object Ok(std::string op, const json::object& request) {
    auto r = Call(op, request);
    EXPECT_TRUE(r.ok()) << op << " " << ToJson(request) << ": "
                        << (r.ok() ? "" : r.error().type() + ": " + r.error().message());
    if (!r.ok() || !r->is_object()) return {};
    return r->as_object();
  }

  // The error of an operation that must fail.
  Error Fails(std::string op, const json::object& request) {
    auto r = Call(op, request);
    EXPECT_FALSE(r.ok()) << op << " " << ToJson(request)
                         << " succeeded: " << (r.ok() ? ToJson(*r) : "");
    if (r.ok()) return Error(Errc::kInternal, "", "");
    return std::move(r).error();
  }

  // Creates a state machine; returns its ARN.
  std::string Create(std::string name, std::string definition = PassDefinition(),
                     std::string type = "STANDARD") {
    json::object out =
        Ok("CreateStateMachine",
           {{"name", name}, {"definition", definition}, {"roleArn", kRole}, {"type", type}});
    const json::string* arn = FindString(out, "stateMachineArn");
    return arn ? std::string(*arn) : "";
  }

  static std::string Str(const json::object& o, std::string_view key) {
    const json::string* s = FindString(o, key);
    return s ? std::string(*s) : std::string("<absent>");
  }

  fs::path dir_;
  FakeClock clock_;
  net::io_context io_{2};
  SfnOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<SfnService> service_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

}  // namespace weft::sfn::testing
