// src/engine/commit.h: awaiting a durable write from a coroutine.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "store/store.h"

namespace weft::engine {

namespace net = boost::asio;

// Submits `batch` to the group committer and resumes the calling coroutine,
// on its own executor, once the batch is durable (or failed).
inline net::awaitable<Status> CommitBatch(store::Committer& committer, store::WriteBatch batch) {
  // The committer keeps callbacks in std::function, which must be copyable;
  // the coroutine's handler is move-only, so it travels in a shared_ptr.
  Status status = co_await net::async_initiate<decltype(net::use_awaitable), void(Status)>(
      [&committer, &batch](auto handler) {
        auto ex = net::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        committer.Submit(std::move(batch), [h, ex](Status s) {
          net::post(ex, [h, s = std::move(s)]() mutable { std::move (*h)(std::move(s)); });
        });
      },
      net::use_awaitable);
  co_return status;
}

}  // namespace weft::engine
