// tests/unit/store/store_suite.h: the Store conformance suite, written once
// and run against every backend.
//
// The tests themselves are in store_suite_test.cc (TEST_P over StoreSuite),
// compiled once into weft_store_tests; a backend joins by providing a
// BackendParam and instantiating the suite in its own file, e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(SqliteParam()),
//                            BackendParamName);
// (see sqlite_store_test.cc). A PostgreSQL backend would add
// postgres_store_test.cc the same way.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace weft::store::testing {

// One backend instance under test: a fresh, empty database. Open() may be
// called several times; every call opens the same durable data (reopen
// tests). The destructor deletes the data.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Result<std::unique_ptr<Store>> Open() = 0;
};

struct BackendParam {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<std::unique_ptr<Backend>()> make;
};

// So that gtest names the backend instead of dumping the struct's bytes.
inline void PrintTo(const BackendParam& param, std::ostream* os) { *os << param.name; }

inline std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

// Writes one batch; its Status.
inline Status WriteTo(Store& store, const WriteBatch& batch) {
  const WriteBatch* ptr = &batch;
  std::vector<Status> results = store.Write(std::span<const WriteBatch* const>(&ptr, 1));
  if (results.size() != 1) return Error::Internal("Write returned the wrong number of results");
  return std::move(results[0]);
}

class StoreSuite : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    ASSERT_NE(backend_, nullptr);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    backend_.reset();
  }

  // Closes the store (if open) and opens it again over the same data.
  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = backend_->Open();
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

  Store& store() { return *store_; }
  Backend& backend() { return *backend_; }

  std::vector<Status> Write(const std::vector<WriteBatch>& batches) {
    std::vector<const WriteBatch*> ptrs;
    for (const WriteBatch& b : batches) ptrs.push_back(&b);
    return store_->Write(ptrs);
  }
  Status WriteOne(const WriteBatch& batch) { return WriteTo(*store_, batch); }

 private:
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Store> store_;
};

// --- Builders for test data ---

inline EventRecord MakeEvent(int64_t id, uint16_t type = 7) {
  return EventRecord{id, type, 1000 + id, "{\"id\":" + std::to_string(id) + "}"};
}

inline ExecutionRecord MakeExecution(const std::string& run_id, Millis start_time = 1000,
                                     const std::string& domain = "d") {
  ExecutionRecord e;
  e.run_id = run_id;
  e.domain = domain;
  e.workflow_id = "wf-" + run_id;
  e.type_name = "T";
  e.type_version = "1";
  e.start_time = start_time;
  e.shard = 3;
  e.data = "{\"run\":\"" + run_id + "\"}";
  e.has_work = true;  // read at start-up
  return e;
}

// A write appending events expected+1 .. expected+count to `e`'s run and
// setting the record's last_event_id to match.
inline ExecutionWrite Append(ExecutionRecord e, int64_t expected, int64_t count) {
  ExecutionWrite w;
  for (int64_t id = expected + 1; id <= expected + count; ++id) w.events.push_back(MakeEvent(id));
  e.last_event_id = expected + count;
  w.execution = std::move(e);
  w.expected_last_event_id = expected;
  return w;
}

inline WriteBatch BatchOf(std::vector<ExecutionWrite> writes) {
  WriteBatch b;
  b.executions = std::move(writes);
  return b;
}

inline std::vector<std::string> RunIds(const std::vector<ExecutionRecord>& executions) {
  std::vector<std::string> ids;
  for (const ExecutionRecord& e : executions) ids.push_back(e.run_id);
  return ids;
}

}  // namespace weft::store::testing
