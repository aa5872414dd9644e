// src/engine/registry.h: registered things (domains, workflow types, activity
// types; later state machines and activities), in memory and in the store.
//
// Each entry is a store::RegistryRecord whose `data` is the JSON the API
// describes it with (for SWF types: {"typeInfo":..., "configuration":...}).
// Reads are concurrent (shared lock); changes run one at a time on the
// registry's strand and become visible only once durable.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "common/json.h"
#include "store/store.h"

namespace weft::engine {

namespace net = boost::asio;

struct RegistryEntry {
  store::RegistryRecord record;  // record.data is kept in sync with `data`
  json::object data;
};

class Registry {
 public:
  Registry(net::io_context& io, store::Committer& committer);

  Status Load(store::Store& store);

  std::optional<RegistryEntry> Get(std::string_view kind, std::string_view scope,
                                   std::string_view name, std::string_view version = {}) const;
  // Entries of a kind in a scope, ordered by name then version.
  std::vector<RegistryEntry> List(std::string_view kind, std::string_view scope) const;
  size_t Count(std::string_view kind, std::string_view scope) const;

  // What an update does to the entry it is given (nullopt: none exists): an
  // entry to write, nullopt to erase it, or an error to refuse.
  using Mutation =
      std::function<Result<std::optional<RegistryEntry>>(const std::optional<RegistryEntry>&)>;
  // Runs `mutate` on the registry strand, writes its answer durably, then
  // publishes it. Returns the entry written (or the erased one).
  net::awaitable<Result<RegistryEntry>> Update(std::string kind, std::string scope,
                                               std::string name, std::string version,
                                               Mutation mutate);

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  static net::awaitable<Result<RegistryEntry>> UpdateOnStrand(Registry* self, Key key,
                                                              Mutation mutate);

  net::strand<net::io_context::executor_type> strand_;
  store::Committer& committer_;
  mutable std::shared_mutex mu_;
  std::map<Key, RegistryEntry> entries_;
};

}  // namespace weft::engine
