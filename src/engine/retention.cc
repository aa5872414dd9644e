// Retention: closed executions are deleted (row, tags, history) once their
// retention is over: an SWF domain's workflowExecutionRetentionPeriodInDays
// (0 or NONE: at once), 90 days for Step Functions executions and Map Runs,
// as AWS keeps them. A sweep deletes at most kMaxPerSweep runs per domain,
// in batches of kBatch that go through group commit like any step, so it
// never holds live work up for long; the next sweep goes on.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "engine/commit.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

constexpr Millis kDay = 24LL * 3600 * 1000;
constexpr Millis kMachineRetention = 90 * kDay;
constexpr int32_t kBatch = 200;
constexpr int64_t kMaxPerSweep = 5000;

// Each domain with the close time before which its closed runs go.
std::vector<std::pair<std::string, Millis>> Cutoffs(const Registry& registry, Millis now) {
  std::vector<std::pair<std::string, Millis>> out;
  for (const RegistryEntry& d : registry.List(kDomainKind, "")) {
    const json::object* config = FindObject(d.data, "configuration");
    const json::string* days =
        config ? FindString(*config, "workflowExecutionRetentionPeriodInDays") : nullptr;
    int64_t n = 0;  // NONE, 0: at once
    if (days && *days != "NONE") n = std::strtoll(days->c_str(), nullptr, 10);
    out.emplace_back(d.record.name, now - n * kDay + (n == 0 ? 1 : 0));
  }
  out.emplace_back(std::string(kMachineDomain), now - kMachineRetention);
  out.emplace_back(std::string(kMapRunDomain), now - kMachineRetention);
  return out;
}

}  // namespace

net::awaitable<Result<int64_t>> Engine::PurgeClosedExecutions() {
  Impl& impl = *impl_;
  int64_t purged = 0;
  for (const auto& [domain, cutoff] : Cutoffs(impl.registry, impl.clock.Now())) {
    int64_t here = 0;
    while (here < kMaxPerSweep) {
      store::ExecutionQuery q;  // the first page again: the last one is gone
      q.domain = domain;
      q.open = false;
      q.close_latest = cutoff - 1;
      q.reverse = true;  // oldest first
      q.page_size = kBatch;
      auto page = impl.store.ListExecutions(q);
      if (!page.ok()) co_return std::move(page).error();
      if (page->executions.empty()) break;
      store::WriteBatch batch;
      for (const auto& r : page->executions) batch.erase.push_back({r.run_id, cutoff});
      // A run that a start took over meanwhile is not deleted: the batch
      // fails as a whole and the next sweep tries again.
      Status s = co_await CommitBatch(impl.committer, std::move(batch));
      if (!s.ok()) {
        log::Info("retention sweep of " + domain + ": " + s.error().message());
        break;
      }
      here += static_cast<int64_t>(page->executions.size());
      if (page->executions.size() < static_cast<size_t>(kBatch)) break;
    }
    purged += here;
  }
  co_return purged;
}

namespace {

net::awaitable<void> SweepLoop(Engine* engine, std::shared_ptr<net::steady_timer> timer,
                               std::chrono::milliseconds interval) {
  for (;;) {
    timer->expires_after(interval);
    boost::system::error_code ec;
    co_await timer->async_wait(net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;  // Shutdown
    auto purged = co_await engine->PurgeClosedExecutions();
    if (!purged.ok()) log::Error("retention sweep: " + purged.error().message());
    if (purged.ok() && *purged > 0) {
      log::Info("retention: deleted " + std::to_string(*purged) + " closed executions");
    }
  }
}

}  // namespace

void Engine::StartRetentionSweeps(std::chrono::milliseconds interval) {
  impl_->sweep_timer = std::make_shared<net::steady_timer>(impl_->io);
  net::co_spawn(impl_->io, SweepLoop(this, impl_->sweep_timer, interval), net::detached);
}

}  // namespace weft::engine
