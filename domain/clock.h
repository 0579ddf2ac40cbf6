// Clock: time is an input. Everything that needs "now" is handed a Clock; tests hand it a
// ManualClock and advance it, so no test sleeps to wait for time to pass.
// The real clock (SystemClock) lives in platform/, because domain/ never reads the time.
#pragma once

#include <atomic>
#include <cstdint>

namespace at {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, ns since the Unix epoch (journal timestamps, venue timestamps).
  virtual std::int64_t now_ns() const = 0;
  // Monotonic time in ns (timeouts, latency); any origin.
  virtual std::int64_t monotonic_ns() const = 0;
};

// A clock that moves only when told. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ns = 1'700'000'000'000'000'000) : now_(start_ns) {}
  std::int64_t now_ns() const override { return now_.load(); }
  std::int64_t monotonic_ns() const override { return now_.load(); }
  void advance_ns(std::int64_t d) { now_.fetch_add(d); }
  void advance_ms(std::int64_t d) { advance_ns(d * 1'000'000); }
  void set_ns(std::int64_t t) { now_.store(t); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace at
