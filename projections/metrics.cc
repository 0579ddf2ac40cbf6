#include "projections/metrics.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "projections/detail/wire.h"

namespace at::projections {

int LatencyHistogram::bucket_of(std::uint64_t v) {
  if (v < 16) return static_cast<int>(v);
  int e = 63 - std::countl_zero(v);  // >= 4
  int sub = static_cast<int>((v >> (e - 3)) & 7);
  int b = 16 + (e - 4) * 8 + sub;
  return std::min(b, kBuckets - 1);
}

std::uint64_t LatencyHistogram::bucket_low(int b) {
  if (b < 16) return static_cast<std::uint64_t>(b);
  int e = (b - 16) / 8 + 4, sub = (b - 16) % 8;
  return static_cast<std::uint64_t>(8 + sub) << (e - 3);
}

std::uint64_t LatencyHistogram::bucket_high(int b) {
  if (b < 16) return static_cast<std::uint64_t>(b);
  int e = (b - 16) / 8 + 4;
  return bucket_low(b) + (std::uint64_t{1} << (e - 3)) - 1;
}

void LatencyHistogram::record(std::int64_t ns) {
  if (ns < 0) {
    ++negative_;
    ns = 0;
  }
  ++buckets_[bucket_of(static_cast<std::uint64_t>(ns))];
  if (count_ == 0 || ns < min_) min_ = ns;
  if (ns > max_) max_ = ns;
  sum_ += ns;
  ++count_;
}

std::int64_t LatencyHistogram::quantile_ns(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  // The extreme ranks are known exactly: a bucket's midpoint would put p100 (and, with few
  // samples, p99) somewhere inside the top bucket rather than at the largest value seen.
  if (rank >= count_) return max_;
  if (rank == 1) return min_;
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      auto mid = static_cast<std::int64_t>(bucket_low(b) + (bucket_high(b) - bucket_low(b)) / 2);
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

void LatencyHistogram::save(detail::Writer& w) const {
  w.varint(count_);
  w.varint(negative_);
  w.svarint(min_);
  w.svarint(max_);
  w.svarint(sum_);
  int nonzero = 0;
  for (std::uint64_t c : buckets_) nonzero += c != 0;
  w.varint(static_cast<std::uint64_t>(nonzero));
  for (int b = 0; b < kBuckets; ++b) {
    if (!buckets_[b]) continue;
    w.varint(static_cast<std::uint64_t>(b));
    w.varint(buckets_[b]);
  }
}

bool LatencyHistogram::load(detail::Reader& r) {
  *this = LatencyHistogram();
  count_ = r.varint();
  negative_ = r.varint();
  min_ = r.svarint();
  max_ = r.svarint();
  sum_ = r.svarint();
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::uint64_t b = r.varint();
    if (b >= kBuckets) {
      r.fail("bad histogram bucket");
      break;
    }
    buckets_[b] = r.varint();
  }
  return r.ok();
}

void Metrics::apply(const Envelope& env, const OmsEffect& fx) {
  ++events_;
  std::size_t type = env.event.index();
  ++by_type_[type];
  if (fx.created) ++orders_requested_;
  if (fx.first_ack) {
    const OrderRecord& r = *fx.first_ack;
    decision_to_ack_.record(r.accepted_recorded_ns - r.decision_recorded_ns);
    if (r.first_fill_recorded_ns == 0) ++orders_reached_venue_;
  }
  if (fx.first_fill) {
    const OrderRecord& r = *fx.first_fill;
    if (r.accepted_recorded_ns != 0) {
      ack_to_fill_.record(r.first_fill_recorded_ns - r.accepted_recorded_ns);
    } else {
      ++orders_reached_venue_;  // the fill report overtook the ack
    }
    decision_to_fill_.record(r.first_fill_recorded_ns - r.decision_recorded_ns);
  }
  if (fx.fill == FillOutcome::kApplied) ++fills_;
  if (fx.fill == FillOutcome::kDuplicate) ++duplicate_fills_;
  if (fx.rejected) {
    ++orders_rejected_;
    ++venue_rejects_[fx.rejected->order.last_reason];
  }
  switch (static_cast<EventType>(type)) {
    case EventType::kDecisionReceived:
      ++decisions_;
      break;
    case EventType::kRiskRejected:
      ++risk_rejects_[std::get<RiskRejected>(env.event).reason];
      break;
    case EventType::kDeadLettered:
      ++dead_lettered_;
      break;
    case EventType::kRetryScheduled:
      ++retries_;
      break;
    default:
      break;
  }
}

double Metrics::order_success_rate() const {
  std::uint64_t decided = orders_reached_venue_ + orders_rejected_;
  return decided ? static_cast<double>(orders_reached_venue_) / static_cast<double>(decided) : 1.0;
}

double Metrics::dead_letter_rate() const {
  return orders_requested_
             ? static_cast<double>(dead_lettered_) / static_cast<double>(orders_requested_)
             : 0.0;
}

namespace {

void save_counts(detail::Writer& w, const std::map<std::string, std::uint64_t>& m) {
  w.varint(m.size());
  for (const auto& [k, v] : m) {
    w.str(k);
    w.varint(v);
  }
}

void load_counts(detail::Reader& r, std::map<std::string, std::uint64_t>& m) {
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::string key = r.str();
    m[key] = r.varint();
  }
}

}  // namespace

void Metrics::save(detail::Writer& w) const {
  decision_to_ack_.save(w);
  ack_to_fill_.save(w);
  decision_to_fill_.save(w);
  w.varint(by_type_.size());
  for (std::uint64_t c : by_type_) w.varint(c);
  w.varint(events_);
  w.varint(decisions_);
  w.varint(orders_requested_);
  w.varint(orders_reached_venue_);
  w.varint(orders_rejected_);
  w.varint(fills_);
  w.varint(duplicate_fills_);
  w.varint(dead_lettered_);
  w.varint(retries_);
  save_counts(w, venue_rejects_);
  save_counts(w, risk_rejects_);
}

bool Metrics::load(detail::Reader& r) {
  *this = Metrics();
  decision_to_ack_.load(r);
  ack_to_fill_.load(r);
  decision_to_fill_.load(r);
  // A snapshot from a build with fewer event types has fewer counters: read what is there.
  std::uint64_t types = r.count();
  for (std::uint64_t i = 0; i < types && r.ok(); ++i) {
    std::uint64_t c = r.varint();
    if (i < by_type_.size()) by_type_[i] = c;
  }
  events_ = r.varint();
  decisions_ = r.varint();
  orders_requested_ = r.varint();
  orders_reached_venue_ = r.varint();
  orders_rejected_ = r.varint();
  fills_ = r.varint();
  duplicate_fills_ = r.varint();
  dead_lettered_ = r.varint();
  retries_ = r.varint();
  load_counts(r, venue_rejects_);
  load_counts(r, risk_rejects_);
  return r.ok();
}

}  // namespace at::projections
