// Scheduler: runs a function at a monotonic time (Clock::monotonic_ns).
//
// Neither the engine nor the paper venue ever sleeps or starts a timer itself: the engine's
// timers (retries, timeouts, breaker cool-down) and the paper venue's simulated latency are
// asked of a Scheduler. Production hands them an AsioScheduler (steady timers on the engine's
// io_context); tests hand them a ManualScheduler and run what is due after advancing a
// ManualClock, so time is exact and no test sleeps.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "domain/clock.h"

namespace at {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `fn` once at or after monotonic time `at_ns`. Thread-safe.
  virtual void at(std::int64_t at_ns, std::function<void()> fn) = 0;
};

// Runs what is due when told. Ties run in the order they were scheduled. Thread-safe; the
// functions run on the thread that calls run_due()/advance(), outside the internal lock, so
// they may schedule more work.
class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(ManualClock& clock) : clock_(clock) {}
  void at(std::int64_t at_ns, std::function<void()> fn) override;
  // Runs everything due by the clock's monotonic time (including work that became due while
  // running). Returns the number of functions run.
  int run_due();
  // Moves the clock forward by `ns`, stopping at every task on the way (the clock reads each
  // task's time while it runs). Returns the number of functions run.
  int advance(std::int64_t ns);
  // Advances to each pending task in turn until none is left (at most `limit` tasks).
  int run_all(int limit = 1'000'000);
  std::size_t pending() const;
  // Monotonic time of the next task, or -1.
  std::int64_t next_due() const;

 private:
  ManualClock& clock_;
  mutable std::mutex mu_;
  std::multimap<std::int64_t, std::function<void()>> tasks_;
};

// Steady timers on an executor (pass a strand to serialize with other work). The clock must be
// the system clock, whose monotonic time is std::chrono::steady_clock's.
class AsioScheduler final : public Scheduler {
 public:
  AsioScheduler(boost::asio::any_io_executor executor, const Clock& clock)
      : executor_(std::move(executor)), clock_(clock) {}
  void at(std::int64_t at_ns, std::function<void()> fn) override;

 private:
  boost::asio::any_io_executor executor_;
  const Clock& clock_;
};

}  // namespace at
