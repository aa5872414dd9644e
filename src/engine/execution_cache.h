// src/engine/execution_cache.h: the executions of one shard that are in
// memory (SWF runs, Step Functions executions: one cache each), a bounded
// cache of what the store holds (internal to engine/).
//
// An execution is loaded from its row (its snapshot) when a command needs it
// and dropped, least recently used first, when the cache holds more than
// its capacity. An entry is pinned while a command's step is being written:
// memory is then ahead of the store, and dropping it would let the next
// command load the older, stored state. Only the shard's strand touches it.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace weft::engine {

template <class Value>
class ExecutionCache {
 public:
  // `on_evict` is called with each value dropped to make room.
  explicit ExecutionCache(size_t capacity, std::function<void(Value&)> on_evict = {})
      : capacity_(capacity == 0 ? 1 : capacity), on_evict_(std::move(on_evict)) {}

  // The cached value of `key`, made the most recently used; null if absent.
  Value* Find(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.place);
    return it->second.value.get();
  }
  bool Contains(const std::string& key) const { return entries_.contains(key); }

  // Adds (or replaces) `key`, then drops the least recently used unpinned
  // entries while over capacity (never the one just added).
  Value& Insert(const std::string& key, std::unique_ptr<Value> value) {
    Erase(key);
    order_.push_front(key);
    Value& v = *value;
    entries_.emplace(key, Entry{std::move(value), order_.begin(), 0});
    EvictOverCapacity();
    return v;
  }

  void Erase(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    order_.erase(it->second.place);
    entries_.erase(it);
  }

  // A pinned entry is never evicted (Erase still removes it).
  void Pin(const std::string& key) {
    if (auto it = entries_.find(key); it != entries_.end()) ++it->second.pins;
  }
  void Unpin(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.pins == 0) return;
    --it->second.pins;
    EvictOverCapacity();
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    std::unique_ptr<Value> value;
    std::list<std::string>::iterator place;  // in order_
    int pins = 0;
  };

  void EvictOverCapacity() {
    // From the least recently used end; pinned entries are stepped over.
    auto it = order_.end();
    while (entries_.size() > capacity_ && it != order_.begin()) {
      --it;
      auto entry = entries_.find(*it);
      if (entry->second.pins > 0 || it == order_.begin()) continue;
      std::unique_ptr<Value> dropped = std::move(entry->second.value);
      entries_.erase(entry);
      it = order_.erase(it);
      if (on_evict_) on_evict_(*dropped);
    }
  }

  size_t capacity_;
  std::function<void(Value&)> on_evict_;
  std::list<std::string> order_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace weft::engine
