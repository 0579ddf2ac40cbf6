#include "engine/resiliency.h"

#include <algorithm>
#include <cmath>

namespace at::engine {

std::uint64_t RetryPolicy::next() {
  // splitmix64: tiny, seeded, identical on every platform.
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::optional<std::int64_t> RetryPolicy::delay_ms(int retry_number, std::int64_t retry_after_ms) {
  if (retry_number < 1 || retry_number > o_.max_retries) return std::nullopt;
  double base = o_.initial_backoff_s * std::pow(o_.backoff_multiplier, retry_number - 1);
  base = std::min(base, o_.max_backoff_s);
  // Uniform in [1 - jitter, 1 + jitter].
  double u = static_cast<double>(next() >> 11) / static_cast<double>(1ULL << 53);
  double factor = 1.0 + o_.jitter * (2.0 * u - 1.0);
  auto ms = static_cast<std::int64_t>(std::llround(base * factor * 1000.0));
  return std::max<std::int64_t>({ms, retry_after_ms, 0});
}

bool RetryPolicy::retryable(ErrorKind k) {
  switch (k) {
    case ErrorKind::kTransient:
    case ErrorKind::kRateLimited:
    case ErrorKind::kDisconnected:
    case ErrorKind::kIo:
      return true;
    default:
      return false;
  }
}

bool CircuitBreaker::allow(std::int64_t now_ns, std::optional<Change>& change) {
  change.reset();
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      if (now_ns - opened_at_ < cooldown_) return false;
      state_ = BreakerState::kHalfOpen;
      probe_in_flight_ = true;
      change = Change{BreakerState::kOpen, BreakerState::kHalfOpen, "cooldown elapsed"};
      return true;
    case BreakerState::kHalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::on_success() {
  failures_ = 0;
  probe_in_flight_ = false;
  if (state_ == BreakerState::kClosed) return std::nullopt;
  auto from = state_;
  state_ = BreakerState::kClosed;
  return Change{from, BreakerState::kClosed, "request succeeded"};
}

std::optional<CircuitBreaker::Change> CircuitBreaker::on_failure(std::int64_t now_ns) {
  probe_in_flight_ = false;
  if (state_ == BreakerState::kHalfOpen) {
    state_ = BreakerState::kOpen;
    opened_at_ = now_ns;
    return Change{BreakerState::kHalfOpen, BreakerState::kOpen, "probe failed"};
  }
  ++failures_;
  if (state_ == BreakerState::kClosed && failures_ >= threshold_) {
    state_ = BreakerState::kOpen;
    opened_at_ = now_ns;
    return Change{BreakerState::kClosed, BreakerState::kOpen,
                  std::to_string(failures_) + " consecutive failures"};
  }
  return std::nullopt;
}

void CircuitBreaker::restore(BreakerState s, std::int64_t now_ns) {
  state_ = s == BreakerState::kHalfOpen ? BreakerState::kOpen : s;
  opened_at_ = now_ns;
  failures_ = 0;
  probe_in_flight_ = false;
}

}  // namespace at::engine
