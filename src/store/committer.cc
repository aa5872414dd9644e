// Group commit (store.h, Committer). Submitters only enqueue; one writer
// thread takes everything queued (up to kMaxGroup batches) and writes it with
// one Store::Write, i.e. one transaction and one fsync. While that fsync runs,
// new batches queue up and form the next group, so the group size adapts to
// the load: one batch when idle, hundreds under pressure. The same idea as
// LevelDB's DBImpl::BuildBatchGroup, with the queue drained by a dedicated
// thread instead of by the first waiting writer.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "store/store.h"

namespace weft::store {

namespace {

// Caps one transaction so that its latency (and the memory of one group)
// stays bounded under a flood of submissions.
constexpr size_t kMaxGroup = 512;

struct Pending {
  WriteBatch batch;
  std::function<void(Status)> done;
};

}  // namespace

struct Committer::Impl {
  explicit Impl(Store& s) : store(s), writer([this] { Run(); }) {}

  void Run();
  // Waits for work; false once stopping and nothing is left.
  bool TakeGroup(std::vector<Pending>& group);

  Store& store;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Pending> queue;  // guarded by mu
  bool stopping = false;      // guarded by mu
  bool stopped = false;       // guarded by mu: the writer has exited
  std::thread writer;         // last: starts once the members above exist
};

bool Committer::Impl::TakeGroup(std::vector<Pending>& group) {
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return !queue.empty() || stopping; });
  if (queue.empty()) {
    stopped = true;
    return false;
  }
  size_t n = std::min(queue.size(), kMaxGroup);
  for (size_t i = 0; i < n; ++i) {
    group.push_back(std::move(queue.front()));
    queue.pop_front();
  }
  return true;
}

void Committer::Impl::Run() {
  auto& commits = metrics::GetCounter("weft_store_commits_total",
                                      "Store transactions (group commits), one fsync each");
  auto& batch_count = metrics::GetCounter("weft_store_commit_batches_total",
                                          "Write batches committed, several per transaction");
  auto& latency = metrics::GetHistogram("weft_store_commit_seconds",
                                        "Time of one group commit, fsync included");
  std::vector<Pending> group;
  std::vector<const WriteBatch*> batches;
  while (TakeGroup(group)) {
    batches.clear();
    for (const Pending& p : group) batches.push_back(&p.batch);
    auto start = std::chrono::steady_clock::now();
    std::vector<Status> results = store.Write(batches);
    latency.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    commits.Add();
    batch_count.Add(group.size());
    for (size_t i = 0; i < group.size(); ++i) {
      Status s = i < results.size() ? std::move(results[i])
                                    : Status(Error::Internal("the store lost a batch's result"));
      if (group[i].done) group[i].done(std::move(s));
    }
    group.clear();
  }
}

Committer::Committer(Store& store) : impl_(std::make_unique<Impl>(store)) {}

Committer::~Committer() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_one();
  impl_->writer.join();
}

void Committer::Submit(WriteBatch batch, std::function<void(Status)> done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopped) {
      impl_->queue.push_back(Pending{std::move(batch), std::move(done)});
      impl_->cv.notify_one();
      return;
    }
  }
  // A Submit racing the destructor (a misuse) fails rather than being lost.
  if (done) done(Error::Unavailable("the store committer has stopped"));
}

}  // namespace weft::store
