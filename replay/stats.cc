#include "replay/stats.h"

namespace at::replay {

using projections::OmsEffect;

LatencySummary summarize(const projections::LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.p50_ns = h.quantile_ns(0.50);
  s.p90_ns = h.quantile_ns(0.90);
  s.p99_ns = h.quantile_ns(0.99);
  s.max_ns = h.max_ns();
  return s;
}

std::optional<double> Stats::success_rate() const {
  if (sent == 0) return std::nullopt;
  return static_cast<double>(filled) / static_cast<double>(sent);
}

std::optional<double> Stats::dead_letter_rate() const {
  if (sent == 0) return std::nullopt;
  return static_cast<double>(dead_lettered) / static_cast<double>(sent);
}

StatsFold::StatsFold(StatsFilter filter) : filter_(std::move(filter)) {}

bool StatsFold::symbol_ok(const Symbol& s) const { return !filter_.symbol || s == *filter_.symbol; }

bool StatsFold::in_scope(const Envelope& env, const OmsEffect& fx) const {
  if (const auto* d = std::get_if<DecisionReceived>(&env.event)) {
    // A repeated decision id belongs to the decision's first appearance.
    if (decisions_.count(d->decision_id)) return true;
    return env.recorded_ns >= filter_.since_ns && symbol_ok(d->symbol);
  }
  if (fx.created) {
    const Order& o = fx.created->order;
    return env.recorded_ns >= filter_.since_ns && symbol_ok(o.symbol);
  }
  if (const auto* r = std::get_if<RiskRejected>(&env.event)) {
    if (!r->decision_id.empty() && decisions_.count(r->decision_id)) return true;
    if (!r->decision_id.empty() && oms_.find_decision(r->decision_id)) return false;
    return env.recorded_ns >= filter_.since_ns && symbol_ok(r->symbol);
  }
  if (const ClientOrderId* c = client_order_id_of(env.event)) {
    if (orders_.count(*c)) return true;
    // An event about an order we know of but left out is out; one about an order never
    // requested (an anomaly) is judged like any other event.
    if (oms_.find(*c)) return false;
  }
  if (env.recorded_ns < filter_.since_ns) return false;
  if (!filter_.symbol) return true;
  const Symbol* s = symbol_of(env.event);
  return s && *s == *filter_.symbol;
}

void StatsFold::apply(const Envelope& env) {
  ++events_read_;
  // The OMS sees everything: an order's state must not depend on the filter.
  const OmsEffect fx = oms_.apply(env);
  if (!in_scope(env, fx)) return;
  ++events_in_scope_;
  if (first_sequence_ == 0) first_sequence_ = env.sequence;
  last_sequence_ = env.sequence;

  if (fx.created) {
    const ClientOrderId& id = fx.created->order.client_order_id;
    if (orders_.insert(id).second) order_list_.push_back(id);
  }
  if (const auto* d = std::get_if<DecisionReceived>(&env.event)) {
    if (decisions_.insert(d->decision_id).second) decision_list_.push_back(d->decision_id);
  }
  metrics_.apply(env, fx);

  if (fx.fill == projections::FillOutcome::kApplied) {
    const auto& f = std::get<OrderFilled>(env.event);
    fill_to_report_.record(env.recorded_ns - f.ts_ns);
  }
  if (const auto* d = std::get_if<DeadLettered>(&env.event))
    dead_lettered_.insert(d->client_order_id);
  if (const auto* c = std::get_if<CancelRequested>(&env.event)) ++cancels_by_reason_[c->reason];
}

Stats StatsFold::result() const {
  Stats s;
  s.events_read = events_read_;
  s.events_in_scope = events_in_scope_;
  s.first_sequence = first_sequence_;
  s.last_sequence = last_sequence_;
  s.decision_to_ack = summarize(metrics_.decision_to_ack());
  s.ack_to_fill = summarize(metrics_.ack_to_fill());
  s.decision_to_fill = summarize(metrics_.decision_to_fill());
  s.fill_to_report = summarize(fill_to_report_);

  for (const ClientOrderId& id : order_list_) {
    const projections::OrderRecord* r = oms_.find(id);
    if (!r) continue;
    const Order& o = r->order;
    ++s.orders;
    if (o.send_attempts > 0) ++s.sent;
    ++s.orders_by_status[std::string(to_string(o.status))];
    switch (o.status) {
      case OrderStatus::kFilled:
        ++s.filled;
        break;
      case OrderStatus::kRejected:
        ++s.rejected;
        break;
      case OrderStatus::kCancelled:
        ++s.cancelled;
        break;
      case OrderStatus::kExpired:
        ++s.expired;
        break;
      default:
        if (is_open(o.status)) ++s.open;
        break;
    }
  }
  s.dead_lettered = dead_lettered_.size();
  s.fills = metrics_.fills();
  s.duplicate_fills = metrics_.duplicate_fills();
  s.retries = metrics_.retries();
  s.venue_rejects = metrics_.venue_rejects();
  s.risk_rejects = metrics_.risk_rejects();
  s.cancels_by_reason = cancels_by_reason_;

  for (const DecisionId& id : decision_list_) {
    const projections::DecisionRecord* d = oms_.find_decision(id);
    if (!d) continue;
    ++s.decisions;
    const char* outcome = !d->orders.empty()           ? "ordered"
                          : !d->risk_rejection.empty() ? "risk_rejected"
                          : d->action == Action::kHold ? "held"
                                                       : "nothing_to_do";
    ++s.decisions_by_outcome[outcome];
  }
  return s;
}

Result<Stats> compute_stats(const journal::Journal& journal, const StatsFilter& filter) {
  StatsFold fold(filter);
  const std::uint64_t last = journal.last_sequence();
  if (last > 0) {
    Status st = journal.read(1, last, [&](const Envelope& e) {
      fold.apply(e);
      return true;
    });
    if (!st) return st.error();
  }
  return fold.result();
}

}  // namespace at::replay
