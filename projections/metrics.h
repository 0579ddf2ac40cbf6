// Metrics computed from the journal alone: latency histograms between an order's journal
// records, order outcomes, reject counts and the dead-letter rate.
//
// Latencies use the journal's recorded_ns (one clock, the engine's) rather than events' own
// ts_ns, which may come from a venue's clock:
//   decision_to_ack    DecisionReceived recorded -> first OrderAccepted recorded
//   ack_to_fill        first OrderAccepted -> first OrderFilled
//   decision_to_fill   DecisionReceived -> first OrderFilled
// (For an order without a DecisionReceived, its OrderRequested stands in for the decision.)
// State is integers only, so serialization is exact; doubles appear only in derived
// statistics (quantiles, rates).
//
// Pure fold; thread-safety: none.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "domain/events.h"
#include "projections/oms.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

// Log-linear histogram of non-negative nanosecond values: exact below 16 ns, then 8 buckets
// per power of two (relative error under 12.5%). Negative samples (clock steps) count as 0
// and are counted in negative().
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 16 + 60 * 8;

  void record(std::int64_t ns);
  std::uint64_t count() const { return count_; }
  std::uint64_t negative() const { return negative_; }
  std::int64_t min_ns() const { return count_ ? min_ : 0; }
  std::int64_t max_ns() const { return max_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // The q-quantile (0..1), as the midpoint of its bucket clamped to [min, max]; exactly max()
  // for the top rank (so p99 of under 100 samples is the max) and min() for the first; 0 when
  // empty. Never above max() nor below min().
  std::int64_t quantile_ns(double q) const;

  static int bucket_of(std::uint64_t v);
  static std::uint64_t bucket_low(int b);
  static std::uint64_t bucket_high(int b);

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t negative_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  std::int64_t sum_ = 0;
};

class Metrics {
 public:
  // `fx` is what the OMS did with the same envelope (Oms::apply's result).
  void apply(const Envelope& env, const OmsEffect& fx);

  const LatencyHistogram& decision_to_ack() const { return decision_to_ack_; }
  const LatencyHistogram& ack_to_fill() const { return ack_to_fill_; }
  const LatencyHistogram& decision_to_fill() const { return decision_to_fill_; }

  std::uint64_t events() const { return events_; }
  std::uint64_t events_of(EventType t) const { return by_type_[static_cast<std::size_t>(t)]; }
  std::uint64_t decisions() const { return decisions_; }
  std::uint64_t orders_requested() const { return orders_requested_; }
  // Orders the venue took (acknowledged or filled) / refused.
  std::uint64_t orders_reached_venue() const { return orders_reached_venue_; }
  std::uint64_t orders_rejected() const { return orders_rejected_; }
  std::uint64_t fills() const { return fills_; }
  std::uint64_t duplicate_fills() const { return duplicate_fills_; }
  std::uint64_t dead_lettered() const { return dead_lettered_; }
  std::uint64_t retries() const { return retries_; }
  const std::map<std::string, std::uint64_t>& venue_rejects() const { return venue_rejects_; }
  const std::map<std::string, std::uint64_t>& risk_rejects() const { return risk_rejects_; }

  // reached venue / (reached venue + rejected); 1 when no order was decided yet.
  double order_success_rate() const;
  // dead letters per order requested; 0 when none requested.
  double dead_letter_rate() const;

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  LatencyHistogram decision_to_ack_;
  LatencyHistogram ack_to_fill_;
  LatencyHistogram decision_to_fill_;
  std::array<std::uint64_t, kEventTypeCount> by_type_{};
  std::uint64_t events_ = 0;
  std::uint64_t decisions_ = 0;
  std::uint64_t orders_requested_ = 0;
  std::uint64_t orders_reached_venue_ = 0;
  std::uint64_t orders_rejected_ = 0;
  std::uint64_t fills_ = 0;
  std::uint64_t duplicate_fills_ = 0;
  std::uint64_t dead_lettered_ = 0;
  std::uint64_t retries_ = 0;
  std::map<std::string, std::uint64_t> venue_rejects_;
  std::map<std::string, std::uint64_t> risk_rejects_;
};

}  // namespace at::projections
