// Replayer: emits a market event stream at its recorded pace, or as fast as possible.
//
// Pacing: the first event is due when first asked for; each later event is due after the
// previous one's due time plus the recorded gap (ts_i - ts_{i-1}) divided by `speed`, with
// the gap capped at max_gap_ns when that is set (so a weekend in FX data does not stall a
// run) and a backwards timestamp counted as no gap. Due times are absolute on the injected
// clock's monotonic time, so a slow consumer catches up instead of drifting.
//
// Two ways to drive it:
//   run(sink)      blocking: waits through the injected WaitFn, so tests use a ManualClock and
//                  a WaitFn that advances it, and never sleep;
//   next_due_ns() / pop_if_due()   non-blocking, for an event loop that owns its timers.
//
// Thread-safety: none; one driver. request_stop() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "domain/clock.h"
#include "market_data/source.h"

namespace at::md {

enum class Pace : std::uint8_t { kRealtime, kFast };

struct ReplayOptions {
  Pace pace = Pace::kRealtime;
  double speed = 1.0;           // realtime: 2.0 replays twice as fast
  std::int64_t max_gap_ns = 0;  // 0: gaps are replayed in full
  // True: each emitted event's time is set to clock.now_ns() at emission (a recorded file
  // then drives a live run); false: events keep their recorded times.
  bool restamp = false;
};

// Blocks until clock.monotonic_ns() >= deadline or a stop; returns false to stop the replay.
using WaitFn = std::function<bool(std::int64_t deadline_monotonic_ns)>;

// A WaitFn for production: sleeps in slices of at most 50 ms, returns false once *stop is true.
WaitFn sleeping_wait(const Clock& clock, const std::atomic<bool>* stop = nullptr);
// A WaitFn for tests: moves the ManualClock to the deadline at once.
WaitFn advancing_wait(ManualClock& clock);

class Replayer {
 public:
  // `source` and `clock` must outlive the Replayer.
  Replayer(EventSource& source, const Clock& clock, WaitFn wait, ReplayOptions options = {});

  using Sink = std::function<bool(const MarketEvent&)>;  // false: stop after this event
  // Emits events until the end (returns the count), a source error, a false from the sink or
  // the WaitFn, or request_stop().
  Result<std::uint64_t> run(const Sink& sink);

  // Monotonic time at which the next event is due; nullopt at the end of the stream.
  Result<std::optional<std::int64_t>> next_due_ns();
  // The next event if it is due by the clock now; nullopt if not yet due or at the end.
  NextEvent pop_if_due();

  void request_stop() { stop_.store(true); }
  std::uint64_t emitted() const { return emitted_; }

 private:
  Status fill();
  MarketEvent take();

  EventSource& source_;
  const Clock& clock_;
  WaitFn wait_;
  ReplayOptions opt_;
  std::optional<MarketEvent> head_;
  std::int64_t head_due_ = 0;
  bool started_ = false;
  bool ended_ = false;
  std::int64_t last_ts_ = 0;
  std::int64_t last_due_ = 0;
  std::uint64_t emitted_ = 0;
  std::atomic<bool> stop_{false};
};

}  // namespace at::md
