// ExecutionCache: least recently used entries leave first, pinned ones stay.
#include "engine/execution_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace weft::engine {
namespace {

struct Value {
  std::string name;
};

class CacheTest : public ::testing::Test {
 protected:
  ExecutionCache<Value> cache{3, [this](Value& v) { evicted.push_back(v.name); }};
  std::vector<std::string> evicted;

  void Add(const std::string& key) { cache.Insert(key, std::make_unique<Value>(Value{key})); }
};

TEST_F(CacheTest, TheLeastRecentlyUsedLeavesFirst) {
  Add("a");
  Add("b");
  Add("c");
  EXPECT_TRUE(evicted.empty());
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now the most recently used
  Add("d");
  EXPECT_EQ(evicted, (std::vector<std::string>{"b"}));
  Add("e");
  EXPECT_EQ(evicted, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.Find("b"), nullptr);
}

TEST_F(CacheTest, APinnedEntryStaysUntilUnpinned) {
  Add("a");
  cache.Pin("a");
  cache.Pin("a");  // two commands
  Add("b");
  Add("c");
  Add("d");
  Add("e");
  EXPECT_EQ(evicted, (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(cache.Contains("a"));
  cache.Unpin("a");
  EXPECT_TRUE(cache.Contains("a")) << "still pinned once";
  Add("f");
  EXPECT_TRUE(cache.Contains("a"));
  cache.Unpin("a");  // unpinned, and the least recently used: the next to leave
  Add("g");
  EXPECT_FALSE(cache.Contains("a"));
}

TEST_F(CacheTest, WhenEverythingIsPinnedTheCacheGrowsAndShrinksBackOnUnpin) {
  for (std::string k : {"a", "b", "c", "d"}) {
    Add(k);
    cache.Pin(k);
  }
  Add("e");  // the newest is never dropped to make room for itself
  EXPECT_TRUE(evicted.empty());
  EXPECT_EQ(cache.size(), 5u);
  cache.Unpin("b");
  EXPECT_EQ(evicted, (std::vector<std::string>{"b"}));
  EXPECT_EQ(cache.size(), 4u);
}

TEST_F(CacheTest, EraseAndReplaceDoNotCountAsEvictions) {
  Add("a");
  Add("a");  // replaced (a reload)
  cache.Erase("a");
  cache.Erase("missing");
  EXPECT_TRUE(evicted.empty());
  EXPECT_EQ(cache.size(), 0u);
  cache.Pin("missing");  // harmless
  cache.Unpin("missing");
}

}  // namespace
}  // namespace weft::engine
