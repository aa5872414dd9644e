// src/common/error.h: how expected failures travel in weft.
//
// Three kinds of failure, never mixed (docs/architecture.md):
//  1. client errors: a request that cannot be served. Below the front doors
//     they carry only a kind (Errc) and a message a person can act on; the
//     front door (swf/, sfn/) names them with its API model's fault name
//     (`type`, e.g. "UnknownResourceFault"), and server/ turns them into
//     HTTP 400.
//  2. workflow failures (an activity failed, a state timed out): not errors
//     at all, they are history events.
//  3. system errors (store I/O, shard ownership lost): Errc values that the
//     engine reacts to; they reach a client as 500 InternalFailure.
// Exceptions mean a bug; they are caught once, in server/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace weft {

enum class Errc : uint16_t {
  kValidation,        // malformed or out-of-range input
  kUnknownResource,   // the named thing does not exist (or is closed)
  kAlreadyExists,     // a create of something that exists
  kConflict,          // the current state does not allow the request
  kLimitExceeded,     // a documented limit would be passed
  kNotImplemented,    // an operation or feature weft does not offer yet
  kDeprecated,        // the named type is deprecated
  kDefaultUndefined,  // a value was not given and has no registered default
  kInvalidToken,      // a task or page token that weft did not issue (or was altered)
  kTaskTimedOut,      // the task a token names has timed out
  kStaleTask,         // the task a token names is over (completed, failed, retried)
  kUnavailable,       // shutting down, or a dependency is down; retryable
  kInternal,          // a system error (store I/O, corruption)
};

class Error {
 public:
  Error(Errc code, std::string type, std::string message)
      : code_(code), type_(std::move(type)), message_(std::move(message)) {}
  // A kind not named yet: the front door names it (WithType).
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  // ValidationException, the name both AWS JSON APIs use for bad input.
  static Error Validation(std::string message) {
    return Error(Errc::kValidation, "ValidationException", std::move(message));
  }
  static Error Internal(std::string message) {
    return Error(Errc::kInternal, "InternalFailure", std::move(message));
  }
  static Error Unavailable(std::string message) {
    return Error(Errc::kUnavailable, "ServiceUnavailable", std::move(message));
  }

  Errc code() const { return code_; }
  // The error name as the API model spells it (the part after '#'); empty
  // until a front door names the kind.
  const std::string& type() const { return type_; }
  Error&& WithType(std::string type) && {
    type_ = std::move(type);
    return std::move(*this);
  }
  const std::string& message() const { return message_; }

 private:
  Errc code_;
  std::string type_;
  std::string message_;
};

// A value or an Error. Small on purpose: std::expected is C++23.
template <class T>
class [[nodiscard]] Result {
 public:
  // An empty result is an internal error: Asio needs default-constructible
  // results for co_spawn; nothing in weft returns one on purpose.
  Result() : v_(Error(Errc::kInternal, "InternalFailure", "no result")) {}
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Success or an Error, for calls with nothing to return.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{Errc::kInternal, "", ""};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace weft
