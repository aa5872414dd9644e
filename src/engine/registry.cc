#include "engine/registry.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "engine/commit.h"

namespace weft::engine {

Registry::Registry(net::io_context& io, store::Committer& committer)
    : strand_(net::make_strand(io)), committer_(committer) {}

Status Registry::Load(store::Store& store) {
  auto records = store.LoadRegistry();
  if (!records.ok()) return records.error();
  std::unique_lock lock(mu_);
  for (auto& r : *records) {
    auto data = ParseJson(r.data);
    if (!data.ok() || !data->is_object()) {
      return Error::Internal("Corrupt registry entry " + r.kind + " '" + r.name + "'");
    }
    Key key{r.kind, r.scope, r.name, r.version};
    entries_[key] = RegistryEntry{std::move(r), std::move(data->as_object())};
  }
  return {};
}

std::optional<RegistryEntry> Registry::Get(std::string_view kind, std::string_view scope,
                                           std::string_view name, std::string_view version) const {
  std::shared_lock lock(mu_);
  auto it = entries_.find(
      Key{std::string(kind), std::string(scope), std::string(name), std::string(version)});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::vector<RegistryEntry> Registry::List(std::string_view kind, std::string_view scope) const {
  std::shared_lock lock(mu_);
  std::vector<RegistryEntry> out;
  auto it = entries_.lower_bound(Key{std::string(kind), std::string(scope), "", ""});
  for (; it != entries_.end(); ++it) {
    const auto& [k, s, n, v] = it->first;
    if (k != kind || s != scope) break;
    out.push_back(it->second);
  }
  return out;
}

size_t Registry::Count(std::string_view kind, std::string_view scope) const {
  return List(kind, scope).size();
}

net::awaitable<Result<RegistryEntry>> Registry::Update(std::string kind, std::string scope,
                                                       std::string name, std::string version,
                                                       Mutation mutate) {
  Key key{std::move(kind), std::move(scope), std::move(name), std::move(version)};
  co_return co_await net::co_spawn(strand_, UpdateOnStrand(this, std::move(key), std::move(mutate)),
                                   net::use_awaitable);
}

net::awaitable<Result<RegistryEntry>> Registry::UpdateOnStrand(Registry* self, Key key,
                                                               Mutation mutate) {
  std::optional<RegistryEntry> current;
  {
    std::shared_lock lock(self->mu_);
    auto it = self->entries_.find(key);
    if (it != self->entries_.end()) current = it->second;
  }
  auto next = mutate(current);
  if (!next.ok()) co_return std::move(next).error();

  store::WriteBatch batch;
  store::RegistryWrite write;
  if (next->has_value()) {
    RegistryEntry& e = **next;
    const auto& [kind, scope, name, version] = key;
    e.record.kind = kind;
    e.record.scope = scope;
    e.record.name = name;
    e.record.version = version;
    e.record.data = ToJson(e.data);
    write.record = e.record;
  } else if (current) {
    write.record = current->record;
    write.erase = true;
  } else {
    co_return Error(Errc::kUnknownResource, "Nothing to delete");
  }
  batch.registry.push_back(write);
  Status s = co_await CommitBatch(self->committer_, std::move(batch));
  if (!s.ok()) co_return std::move(s).error();

  std::unique_lock lock(self->mu_);
  if (next->has_value()) {
    self->entries_[key] = **next;
    co_return **next;
  }
  self->entries_.erase(key);
  co_return *current;
}

}  // namespace weft::engine
