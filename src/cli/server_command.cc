// `weft server`: the store, the engine, the APIs and the HTTP server, wired
// together and run on one io_context with one thread per core.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

#include "auth/credentials.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "engine/engine.h"
#include "server/server.h"
#include "sfn/sfn.h"
#include "store/store.h"
#include "swf/swf.h"

namespace weft::cli {
namespace {

namespace net = boost::asio;

struct ServerFlags {
  std::string listen = "127.0.0.1:7070";
  std::string data_dir = "./weft-data";
  double poll_timeout_seconds = 60;
  int threads = 0;
  int shards = 256;
  int64_t cache_size = engine::EngineOptions{}.cache_size;
  double heartbeat_flush_seconds = 5;
  std::string account_id = "123456789012";
  std::string config;   // connections and Lambda functions (docs/configuration.md)
  std::string ca_file;  // extra trusted CA certificates (PEM) for HTTP tasks
  int64_t max_history_events = 25'000;
  std::string credentials;        // access keys and their policies (docs/security.md)
  std::string tls_cert, tls_key;  // HTTPS on the port (PEM files)
  bool insecure_no_auth = false;
};

bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return host == "localhost";
  return address.is_loopback();
}

// The checks of --credentials, or why the server must not start: without
// keys it may listen on loopback only, unless told --insecure-no-auth.
Result<std::unique_ptr<auth::Authenticator>> MakeAuthenticator(const ServerFlags& flags,
                                                               const std::string& host) {
  if (!flags.credentials.empty()) {
    auto keys = auth::KeySet::Load(flags.credentials);
    if (!keys.ok()) return Error::Validation("--credentials " + keys.error().message());
    log::Info("checking signatures: " + std::to_string((*keys)->size()) + " access key(s) from " +
              flags.credentials);
    return std::make_unique<auth::Authenticator>(std::move(*keys));
  }
  if (!IsLoopback(host) && !flags.insecure_no_auth) {
    return Error::Validation(
        "refusing to listen on " + host +
        " without --credentials: anyone who can reach it could do anything. Create a key with "
        "`weft keys new --name admin > keys.json` and start with --credentials keys.json "
        "(docs/security.md), or listen on 127.0.0.1, or pass --insecure-no-auth");
  }
  if (flags.insecure_no_auth && !IsLoopback(host)) {
    log::Warn("INSECURE: listening on " + host +
              " with no authentication (--insecure-no-auth): any client may do anything");
  }
  return std::unique_ptr<auth::Authenticator>();
}

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Error::Validation("--listen must be HOST:PORT");
  std::string host = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) return Error::Validation("--listen: bad port in '" + listen + "'");
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

int RunServer(const ServerFlags& flags) {
  auto address = SplitListen(flags.listen);
  if (!address.ok()) {
    std::cerr << "weft server: " << address.error().message() << "\n";
    return 2;
  }
  auto authenticator = MakeAuthenticator(flags, address->first);
  if (!authenticator.ok()) {
    std::cerr << "weft server: " << authenticator.error().message() << "\n";
    return 2;
  }
  outbound::OutboundConfig outbound_config;
  if (!flags.config.empty()) {
    auto loaded = outbound::LoadOutboundConfig(flags.config);
    if (!loaded.ok()) {
      std::cerr << "weft server: --config " << flags.config << ": " << loaded.error().message()
                << "\n";
      return 2;
    }
    outbound_config = std::move(*loaded);
  }
  std::string extra_ca;
  if (!flags.ca_file.empty()) {
    std::ifstream in(flags.ca_file);
    if (!in) {
      std::cerr << "weft server: cannot read --ca-file " << flags.ca_file << "\n";
      return 2;
    }
    extra_ca.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto store = store::OpenSqliteStore(flags.data_dir);
  if (!store.ok()) {
    std::cerr << "weft server: cannot open the store in '" << flags.data_dir
              << "': " << store.error().message() << "\n";
    return 1;
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = flags.threads > 0 ? flags.threads : cores;
  net::io_context io(threads);
  SystemClock clock;
  engine::EngineOptions options;
  options.shards = flags.shards;
  options.max_history_events = flags.max_history_events;
  options.cache_size = flags.cache_size;
  options.heartbeat_flush =
      std::chrono::milliseconds(static_cast<int64_t>(flags.heartbeat_flush_seconds * 1000));
  options.outbound = outbound_config;
  options.extra_ca_pem = extra_ca;
  options.poll_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.poll_timeout_seconds * 1000));
  engine::Engine engine(io, **store, clock, options);
  if (Status s = engine.Recover(); !s.ok()) {
    std::cerr << "weft server: recovery failed: " << s.error().message() << "\n";
    return 1;
  }
  engine.StartRetentionSweeps(std::chrono::minutes(1));
  swf::SwfOptions swf_options;
  swf_options.account_id = flags.account_id;
  swf::SwfService swf_service(engine, swf_options);
  sfn::SfnOptions sfn_options;
  sfn_options.account_id = flags.account_id;
  for (const auto& [name, function] : outbound_config.lambda_functions) {
    sfn_options.lambda_functions.insert(name);
  }
  sfn::SfnService sfn_service(engine, sfn_options);
  server::ServerOptions server_options;
  server_options.host = address->first;
  server_options.port = address->second;
  server_options.authenticator = authenticator->get();
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    std::cerr << "weft server: --tls-cert and --tls-key go together\n";
    return 2;
  }
  server_options.tls_cert_file = flags.tls_cert;
  server_options.tls_key_file = flags.tls_key;
  server::HttpServer http(io, server_options, {&swf_service, &sfn_service});
  auto port = http.Start();
  if (!port.ok()) {
    std::cerr << "weft server: " << port.error().message() << "\n";
    return 1;
  }

  // SIGHUP: read --credentials and the TLS certificate again; a file that is
  // refused keeps the old keys or certificate.
  net::signal_set hangups(io, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_hangup = [&](boost::system::error_code ec,
                                                                      int) {
    if (ec) return;
    if (auto* a = authenticator->get()) {
      Status s = a->Reload(flags.credentials);
      if (s.ok())
        log::Info("reloaded the access keys from " + flags.credentials);
      else
        log::Error("kept the old access keys: " + s.error().message());
    }
    if (!flags.tls_cert.empty()) {
      Status s = http.LoadTls();
      if (s.ok())
        log::Info("reloaded the TLS certificate from " + flags.tls_cert);
      else
        log::Error("kept the old TLS certificate: " + s.error().message());
    }
    hangups.async_wait(on_hangup);
  };
  hangups.async_wait(on_hangup);

  // SIGINT/SIGTERM: stop accepting, answer waiting polls empty (as the AWS
  // protocols define), let replies go out, then stop.
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    log::Info("shutting down");
    hangups.cancel();
    http.Stop();
    engine.Shutdown();
    auto grace = std::make_shared<net::steady_timer>(io, std::chrono::seconds(2));
    grace->async_wait([&io, grace](auto) { io.stop(); });
  });

  std::string url = (flags.tls_cert.empty() ? "http://" : "https://") + address->first + ":" +
                    std::to_string(*port);
  log::Info("weft listening on " + url + " (data in " + flags.data_dir + ", " +
            std::to_string(threads) + " threads)");
  std::cout << "weft server listening on " << url << std::endl;

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace

void AddServerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  auto* cmd = app.add_subcommand(
      "server",
      "Run the weft server: the Amazon SWF and AWS Step Functions APIs over HTTP, with an "
      "embedded SQLite store.");
  cmd->add_option("--listen", flags->listen, "Address to listen on, HOST:PORT (port 0 = any free)")
      ->capture_default_str();
  cmd->add_option("--data-dir", flags->data_dir,
                  "Directory of the embedded SQLite store (created if missing)")
      ->capture_default_str();
  cmd->add_option("--poll-timeout", flags->poll_timeout_seconds,
                  "Seconds a long poll (PollFor*Task, GetActivityTask) waits for a task before "
                  "answering empty (AWS: 60)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  cmd->add_option("--threads", flags->threads, "Threads serving requests (default: one per core)");
  cmd->add_option("--max-history-events", flags->max_history_events,
                  "An SWF execution whose history reaches this many events is terminated "
                  "(EVENT_LIMIT_EXCEEDED; default 25000, as SWF)")
      ->check(CLI::Range(int64_t{10}, int64_t{10'000'000}));
  cmd->add_option("--shards", flags->shards,
                  "Execution shards of a new store, each run on one strand; a store keeps the "
                  "number it was created with (enough for a 16-node cluster by default)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65'536));
  cmd->add_option("--cache-size", flags->cache_size,
                  "Executions of each kind (SWF, Step Functions) kept in memory; the others "
                  "are loaded from the store when needed (docs/architecture.md, \"Bounded "
                  "memory\")")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  cmd->add_option("--heartbeat-flush", flags->heartbeat_flush_seconds,
                  "Seconds between writes of an activity's last heartbeat (a crash loses at "
                  "most this much of it)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--account-id", flags->account_id,
                  "The account id in every ARN of both APIs (AWS Step Functions Local uses "
                  "123456789012)")
      ->capture_default_str();
  cmd->add_option("--config", flags->config,
                  "JSON file of the connections (HTTP Task ConnectionArn) and Lambda functions "
                  "(name -> HTTP endpoint) Task states may call; see docs/configuration.md");
  cmd->add_option("--ca-file", flags->ca_file,
                  "PEM file of CA certificates HTTP tasks trust besides the system's");
  cmd->add_option("--credentials", flags->credentials,
                  "JSON file of access keys and their IAM policies; every request must then be "
                  "signed (SigV4) by one of them and allowed by its policy. Read again on "
                  "SIGHUP. See docs/security.md");
  cmd->add_option("--tls-cert", flags->tls_cert,
                  "PEM certificate chain: the port then speaks HTTPS only (with --tls-key). "
                  "Read again on SIGHUP");
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key of --tls-cert");
  cmd->add_flag("--insecure-no-auth", flags->insecure_no_auth,
                "Listen on a non-loopback address without --credentials (anyone who can reach "
                "the port may do anything)");
  cmd->callback([flags, exit_code] { *exit_code = RunServer(*flags); });
}

void AddKeysCommand(CLI::App& app, int* exit_code) {
  auto* keys = app.add_subcommand("keys", "Access keys for `weft server --credentials`");
  keys->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto policy_file = std::make_shared<std::string>();
  auto* make =
      keys->add_subcommand("new", "Print a new access key pair in the --credentials file's format");
  make->add_option("--name", *name, "Who or what uses the key (in audit lines and refusals)")
      ->required();
  make->add_option("--policy", *policy_file,
                   "JSON file of the key's IAM policy (default: everything, swf:* and states:*)");
  make->callback([name, policy_file, exit_code] {
    json::value policy = json::object{
        {"Version", "2012-10-17"},
        {"Statement", json::array{json::object{{"Effect", "Allow"},
                                               {"Action", json::array{"swf:*", "states:*"}},
                                               {"Resource", "*"}}}}};
    if (!policy_file->empty()) {
      std::ifstream in(*policy_file);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto parsed = ParseJson(text);
      if (!in || !parsed.ok()) {
        std::cerr << "weft keys new: --policy " << *policy_file << ": not a readable JSON file\n";
        *exit_code = 2;
        return;
      }
      if (auto checked = auth::Policy::Parse(*parsed); !checked.ok()) {
        std::cerr << "weft keys new: --policy " << *policy_file << ": " << checked.error().message()
                  << "\n";
        *exit_code = 2;
        return;
      }
      policy = std::move(*parsed);
    }
    std::cout << auth::NewKeyEntry(*name, policy) << std::endl;
  });
}

}  // namespace weft::cli
