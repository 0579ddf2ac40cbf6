// Scheduler: runs a function at a monotonic time on the engine's thread.
//
// The engine never reads a timer directly: production uses AsioScheduler (steady timers on the
// engine's io_context); tests use ManualScheduler, which runs what is due when the test advances
// its ManualClock, so no test sleeps to wait for time to pass.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "domain/clock.h"

namespace boost::asio {
class io_context;
}

namespace at::engine {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `fn` once at or after monotonic time `at_ns` (Clock::monotonic_ns) on the engine thread.
  virtual void at(std::int64_t at_ns, std::function<void()> fn) = 0;
};

// Deterministic scheduler for tests: run_due() runs everything due by the clock's time, in
// time order (ties in scheduling order). Not thread-safe: use from the engine thread only.
class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(const Clock& clock) : clock_(clock) {}
  void at(std::int64_t at_ns, std::function<void()> fn) override;
  // Returns the number of functions run.
  int run_due();
  std::size_t pending() const { return tasks_.size(); }
  // Monotonic time of the next task, or -1.
  std::int64_t next_due() const { return tasks_.empty() ? -1 : tasks_.begin()->first; }

 private:
  const Clock& clock_;
  std::multimap<std::int64_t, std::function<void()>> tasks_;
};

// Steady timers on an io_context. The clock must be the system clock (monotonic = steady).
class AsioScheduler final : public Scheduler {
 public:
  AsioScheduler(boost::asio::io_context& io, const Clock& clock) : io_(io), clock_(clock) {}
  void at(std::int64_t at_ns, std::function<void()> fn) override;

 private:
  boost::asio::io_context& io_;
  const Clock& clock_;
};

}  // namespace at::engine
