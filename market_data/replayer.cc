#include "market_data/replayer.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace at::md {

WaitFn sleeping_wait(const Clock& clock, const std::atomic<bool>* stop) {
  return [&clock, stop](std::int64_t deadline) {
    while (true) {
      if (stop && stop->load()) return false;
      std::int64_t left = deadline - clock.monotonic_ns();
      if (left <= 0) return true;
      std::this_thread::sleep_for(
          std::chrono::nanoseconds(std::min<std::int64_t>(left, 50'000'000)));
    }
  };
}

WaitFn advancing_wait(ManualClock& clock) {
  return [&clock](std::int64_t deadline) {
    if (clock.monotonic_ns() < deadline) clock.advance_ns(deadline - clock.monotonic_ns());
    return true;
  };
}

Replayer::Replayer(EventSource& source, const Clock& clock, WaitFn wait, ReplayOptions options)
    : source_(source), clock_(clock), wait_(std::move(wait)), opt_(options) {
  if (!(opt_.speed > 0)) opt_.speed = 1.0;
}

Status Replayer::fill() {
  if (head_ || ended_) return {};
  auto r = source_.next();
  if (!r) return r.error();
  if (!*r) {
    ended_ = true;
    return {};
  }
  head_ = std::move(**r);
  std::int64_t ts = event_ts_ns(*head_);
  if (!started_) {
    started_ = true;
    head_due_ = clock_.monotonic_ns();
  } else if (opt_.pace == Pace::kFast) {
    head_due_ = last_due_;
  } else {
    std::int64_t gap = std::max<std::int64_t>(0, ts - last_ts_);
    if (opt_.max_gap_ns > 0) gap = std::min(gap, opt_.max_gap_ns);
    head_due_ = last_due_ + static_cast<std::int64_t>(static_cast<double>(gap) / opt_.speed);
  }
  last_ts_ = ts;
  last_due_ = head_due_;
  return {};
}

MarketEvent Replayer::take() {
  MarketEvent e = std::move(*head_);
  head_.reset();
  if (opt_.restamp) {
    std::int64_t now = clock_.now_ns();
    std::visit(
        [now](auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Bar>) {
            v.open_ns = now - (v.close_ns - v.open_ns);
            v.close_ns = now;
          } else {
            v.ts_ns = now;
          }
        },
        e);
  }
  ++emitted_;
  return e;
}

Result<std::optional<std::int64_t>> Replayer::next_due_ns() {
  if (auto st = fill(); !st) return st.error();
  if (!head_) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(head_due_);
}

NextEvent Replayer::pop_if_due() {
  if (auto st = fill(); !st) return st.error();
  if (!head_ || (opt_.pace == Pace::kRealtime && clock_.monotonic_ns() < head_due_))
    return std::optional<MarketEvent>{};
  return std::optional<MarketEvent>(take());
}

Result<std::uint64_t> Replayer::run(const Sink& sink) {
  std::uint64_t n = 0;
  while (!stop_.load()) {
    if (auto st = fill(); !st) return st.error();
    if (!head_) break;
    if (opt_.pace == Pace::kRealtime && clock_.monotonic_ns() < head_due_ && !wait_(head_due_))
      break;
    if (stop_.load()) break;
    ++n;
    if (!sink(take())) break;
  }
  return n;
}

}  // namespace at::md
