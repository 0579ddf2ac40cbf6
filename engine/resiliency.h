// Resiliency primitives: the retry schedule and the per-venue circuit breaker.
// Both are pure state machines over times passed in; the engine journals every change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enums.h"
#include "domain/result.h"

namespace at::engine {

struct ResiliencyOptions {
  int max_retries = 3;  // attempts after the first
  double initial_backoff_s = 1.0;
  double backoff_multiplier = 2.0;
  double max_backoff_s = 30.0;
  double jitter = 0.2;                // +/- fraction of the delay, drawn from a seeded PRNG
  int circuit_breaker_threshold = 5;  // consecutive failures that open the breaker
  double breaker_cooldown_s = 10.0;   // open -> half-open after this
  bool enable_dlq = true;
  double reconnect_initial_s = 0.25;
  double reconnect_max_s = 4.0;  // keeps reconnection under the 5 s target
};

// Exponential backoff with jitter. delay(n) for the n-th retry (n >= 1):
//   min(max_backoff, initial * multiplier^(n-1)) * (1 +/- jitter), and at least retry_after.
class RetryPolicy {
 public:
  RetryPolicy(const ResiliencyOptions& o, std::uint64_t seed) : o_(o), rng_(seed ? seed : 1) {}
  // nullopt when the retries are exhausted (the intent goes to the dead-letter queue).
  std::optional<std::int64_t> delay_ms(int retry_number, std::int64_t retry_after_ms);
  // Whether an error kind is worth retrying at all.
  static bool retryable(ErrorKind k);

 private:
  std::uint64_t next();
  ResiliencyOptions o_;
  std::uint64_t rng_;
};

// Circuit breaker: CLOSED -> OPEN after `threshold` consecutive failures; OPEN -> HALF_OPEN
// once the cooldown has passed (checked by allow()); HALF_OPEN lets one request through:
// success -> CLOSED, failure -> OPEN again.
class CircuitBreaker {
 public:
  struct Change {
    BreakerState from;
    BreakerState to;
    std::string reason;
  };

  CircuitBreaker(int threshold, std::int64_t cooldown_ns)
      : threshold_(threshold), cooldown_(cooldown_ns) {}
  BreakerState state() const { return state_; }
  // May a request go now? Moves OPEN -> HALF_OPEN when the cooldown passed (reported in `change`).
  bool allow(std::int64_t now_ns, std::optional<Change>& change);
  std::optional<Change> on_success();
  std::optional<Change> on_failure(std::int64_t now_ns);
  // When an OPEN breaker will allow a probe.
  std::int64_t reopen_at_ns() const { return opened_at_ + cooldown_; }
  // Restores a journaled state (recovery).
  void restore(BreakerState s, std::int64_t now_ns);

 private:
  int threshold_;
  std::int64_t cooldown_;
  BreakerState state_ = BreakerState::kClosed;
  int failures_ = 0;
  std::int64_t opened_at_ = 0;
  bool probe_in_flight_ = false;
};

}  // namespace at::engine
