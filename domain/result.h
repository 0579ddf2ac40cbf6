// Result<T>: the value of a venue, network, I/O or decoding operation that can fail.
//
// Failures are values, not exceptions. The error's kind decides the caller's reaction:
//   kTransient       back off and retry the same request (same client order id)
//   kRateLimited     wait retry_after_ms, then retry
//   kDisconnected    reconnect, then reconcile with the venue
//   kUnknownOutcome  the request may have taken effect: query before any retry
//   kPermanent       the venue refused it for good: reject
//   kCorruption      stored data is damaged: stop
//   kInvalidArgument bad input from a user or file: report, nothing changed
//   kNotFound        an id or key that does not exist
//   kIo              local I/O failed (disk, lock, permissions)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace at {

enum class ErrorKind : std::uint8_t {
  kTransient,
  kRateLimited,
  kDisconnected,
  kUnknownOutcome,
  kPermanent,
  kCorruption,
  kInvalidArgument,
  kNotFound,
  kIo,
};

std::string_view to_string(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::kPermanent;
  std::string message;
  std::int64_t retry_after_ms = 0;  // meaningful for kRateLimited
  int venue_code = 0;               // venue's own error code, 0 if none

  // "kind: message" — one line, safe to print (never holds secrets by construction).
  std::string describe() const;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message), 0, 0};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace at
