#include "projections/oms.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>

#include "domain/order_state.h"
#include "projections/detail/wire.h"

namespace at::projections {

namespace {

std::string describe(OrderStatus from, OrderEventKind k) {
  std::string s(to_string(from));
  s += " + ";
  s += to_string(k);
  return s;
}

template <typename E>
bool enum_in_range(std::uint8_t v, E last) {
  return v <= static_cast<std::uint8_t>(last);
}

// domain's transition() answers from a table it scans edge by edge; replay asks millions of
// times, so its answers are asked once per (status, event, has_fills) and kept here. The domain
// function stays the only definition of the state machine.
constexpr std::size_t kStatuses = static_cast<std::size_t>(OrderStatus::kUnknown) + 1;
constexpr std::size_t kKinds = static_cast<std::size_t>(OrderEventKind::kNotFoundAtVenue) + 1;

struct TransitionCache {
  OrderTransition t[kStatuses][kKinds][2];
  TransitionCache() {
    for (std::size_t s = 0; s < kStatuses; ++s)
      for (std::size_t k = 0; k < kKinds; ++k)
        for (int f = 0; f < 2; ++f)
          t[s][k][f] =
              transition(static_cast<OrderStatus>(s), static_cast<OrderEventKind>(k), f != 0);
  }
};

// The archived decisions' id hash: 64-bit FNV-1a, defined here because snapshots store it
// (std::hash may differ between builds).
std::uint64_t id_hash(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

OrderTransition cached_transition(OrderStatus from, OrderEventKind kind, bool has_fills) {
  static const TransitionCache cache;
  auto s = static_cast<std::size_t>(from);
  auto k = static_cast<std::size_t>(kind);
  if (s >= kStatuses || k >= kKinds) return transition(from, kind, has_fills);
  return cache.t[s][k][has_fills ? 1 : 0];
}

}  // namespace

// The per-event-type handlers. Each validates before it mutates: a refused event leaves the
// order exactly as it was.
struct OmsApply {
  Oms& oms;
  const Envelope& env;

  // Events that only belong to an order's history (no status change).
  void history_only(const ClientOrderId& id) {
    if (id.empty()) return;
    std::uint32_t i = oms.lookup(id);
    if (i != Oms::kNone) oms.touch(i, env);
  }

  // A status-changing event for `id`; unknown ids are anomalies.
  std::uint32_t order_or_anomaly(const ClientOrderId& id, std::string_view what) {
    std::uint32_t i = oms.lookup(id);
    if (i == Oms::kNone)
      oms.note(env, "unknown_order", id, std::string(what) + " for an order never requested");
    return i;
  }

  void simple(const ClientOrderId& id, OrderEventKind kind, std::string_view what,
              const std::string* reason = nullptr) {
    std::uint32_t i = order_or_anomaly(id, what);
    if (i == Oms::kNone) return;
    if (oms.step(i, kind, env) && reason && !reason->empty()) oms.at(i).order.last_reason = *reason;
  }

  FillOutcome operator()(const DecisionReceived& d) {
    std::uint32_t found = oms.lookup_decision(d.decision_id);
    if (found != Oms::kNone) {
      ++oms.decision_at(found).repeats;
      return FillOutcome::kNotAFill;
    }
    auto idx = static_cast<std::uint32_t>(oms.decisions_base_ + oms.decisions_.size());
    DecisionRecord& r = *oms.decisions_.emplace_back(detail::Box<DecisionRecord>::make());
    ++oms.decision_count_;
    r.decision_id = d.decision_id;
    r.sequence = env.sequence;
    r.recorded_ns = env.recorded_ns;
    r.symbol = d.symbol;
    r.action = d.action;
    oms.by_decision_id_.put(d.decision_id.str(), idx, oms.decision_key());
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const RiskRejected& r) {
    std::uint32_t found = oms.lookup_decision(r.decision_id);
    if (found != Oms::kNone) {
      DecisionRecord& d = oms.decision_at(found);
      if (d.risk_rejection.empty()) {
        d.risk_rejection = r.reason;
        d.risk_detail = r.detail;
      }
    }
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderRequested& r) {
    oms.on_requested(r, env);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderSent& s) {
    std::uint32_t i = order_or_anomaly(s.client_order_id, "OrderSent");
    if (i != Oms::kNone && oms.step(i, OrderEventKind::kSent, env)) {
      Order& o = oms.at(i).order;
      o.send_attempts = std::max(o.send_attempts, s.attempt);
    }
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderAccepted& a) {
    std::uint32_t i = order_or_anomaly(a.client_order_id, "OrderAccepted");
    if (i == Oms::kNone || !oms.step(i, OrderEventKind::kAccepted, env))
      return FillOutcome::kNotAFill;
    OrderRecord& rec = oms.at(i);
    if (rec.accepted_recorded_ns == 0) {
      rec.accepted_recorded_ns = env.recorded_ns;
      oms.fx_.first_ack = &rec;
    }
    if (!a.venue_order_id.empty() && rec.order.venue_order_id != a.venue_order_id)
      oms.index_venue_id(i, a.venue_order_id);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderRejected& r) {
    simple(r.client_order_id, OrderEventKind::kRejected, "OrderRejected", &r.reason);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderFilled& f) { return oms.apply_fill(f, env); }
  FillOutcome operator()(const CancelRequested& c) {
    simple(c.client_order_id, OrderEventKind::kCancelRequested, "CancelRequested");
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderCancelled& c) {
    simple(c.client_order_id, OrderEventKind::kCancelled, "OrderCancelled", &c.reason);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const CancelRejected& c) {
    simple(c.client_order_id, OrderEventKind::kCancelRejected, "CancelRejected", &c.reason);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const ReplaceRequested& r) {
    std::uint32_t old_i = order_or_anomaly(r.client_order_id, "ReplaceRequested");
    if (old_i == Oms::kNone) return FillOutcome::kNotAFill;
    std::uint32_t new_i = Oms::kNone;
    if (!r.new_client_order_id.empty()) {
      new_i = order_or_anomaly(r.new_client_order_id, "ReplaceRequested (new order)");
      if (new_i == Oms::kNone) return FillOutcome::kNotAFill;
    }
    if (!oms.step(old_i, OrderEventKind::kReplaceRequested, env)) return FillOutcome::kNotAFill;
    oms.at(old_i).replace_by_cancel = !r.native;
    if (new_i != Oms::kNone) {
      oms.at(old_i).order.replaced_by = r.new_client_order_id;
      oms.at(new_i).order.replaces = r.client_order_id;
    }
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderReplaced& r) {
    std::uint32_t old_i = order_or_anomaly(r.client_order_id, "OrderReplaced");
    if (old_i == Oms::kNone) return FillOutcome::kNotAFill;
    std::uint32_t new_i = Oms::kNone;
    if (!r.new_client_order_id.empty()) {
      new_i = order_or_anomaly(r.new_client_order_id, "OrderReplaced (new order)");
      if (new_i == Oms::kNone) return FillOutcome::kNotAFill;
      const Order& n = oms.at(new_i).order;
      if (!cached_transition(n.status, OrderEventKind::kAccepted, !n.filled_quantity.is_zero())
               .legal) {
        oms.note(env, "illegal_transition", r.new_client_order_id,
                 describe(n.status, OrderEventKind::kAccepted) + " (new order of a replace)");
        return FillOutcome::kNotAFill;
      }
    }
    if (!oms.step(old_i, OrderEventKind::kReplaced, env)) return FillOutcome::kNotAFill;
    Order& old = oms.at(old_i).order;
    old.last_reason = "replaced";
    if (new_i != Oms::kNone) {
      old.replaced_by = r.new_client_order_id;
      oms.step(new_i, OrderEventKind::kAccepted, env);
      OrderRecord& rec = oms.at(new_i);
      rec.order.replaces = r.client_order_id;
      if (rec.accepted_recorded_ns == 0) {
        rec.accepted_recorded_ns = env.recorded_ns;
        oms.fx_.first_ack = &rec;
      }
      if (!r.new_venue_order_id.empty()) oms.index_venue_id(new_i, r.new_venue_order_id);
    }
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const ReplaceRejected& r) {
    std::uint32_t old_i = order_or_anomaly(r.client_order_id, "ReplaceRejected");
    if (old_i == Oms::kNone || !oms.step(old_i, OrderEventKind::kReplaceRejected, env))
      return FillOutcome::kNotAFill;
    oms.at(old_i).order.last_reason = r.reason;
    // The replacement never reached the venue: it ends here.
    std::uint32_t new_i = oms.lookup(r.new_client_order_id);
    if (new_i != Oms::kNone && oms.at(new_i).order.status == OrderStatus::kPending &&
        oms.step(new_i, OrderEventKind::kRejected, env))
      oms.at(new_i).order.last_reason = r.reason;
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderExpired& e) {
    simple(e.client_order_id, OrderEventKind::kExpired, "OrderExpired", &e.reason);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderStatusUnknown& u) {
    simple(u.client_order_id, OrderEventKind::kStatusUnknown, "OrderStatusUnknown", &u.detail);
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderNotFoundAtVenue& n) {
    simple(n.client_order_id, OrderEventKind::kNotFoundAtVenue, "OrderNotFoundAtVenue");
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const AnomalyDetected& a) {
    oms.anomalies_.push_back({env.sequence, a.kind, a.client_order_id, a.detail});
    history_only(a.client_order_id);
    return FillOutcome::kNotAFill;
  }
  // A dead letter keeps its order from being archived until it is retried or dropped: the
  // operator's `dlq retry` needs the order.
  FillOutcome operator()(const DeadLettered& e) { return dead_letter(e.client_order_id, true); }
  FillOutcome operator()(const DeadLetterRetried& e) {
    return dead_letter(e.client_order_id, false);
  }
  FillOutcome operator()(const DeadLetterDropped& e) {
    return dead_letter(e.client_order_id, false);
  }
  FillOutcome dead_letter(const ClientOrderId& id, bool open) {
    if (id.empty()) return FillOutcome::kNotAFill;
    std::uint32_t i = oms.lookup(id);
    if (i == Oms::kNone) return FillOutcome::kNotAFill;
    oms.at(i).dead_letter_open = open;
    oms.touch(i, env);
    return FillOutcome::kNotAFill;
  }
  template <typename T>
  FillOutcome operator()(const T& e) {
    // Resiliency events about an order (errors, retries, dead letters) join its history.
    if constexpr (std::is_same_v<T, VenueErrorOccurred> || std::is_same_v<T, RetryScheduled>) {
      history_only(e.client_order_id);
    }
    return FillOutcome::kNotAFill;
  }
};

Oms::Oms(std::int64_t archive_after_ns)
    : archive_after_ns_(archive_after_ns < 0 ? kNeverArchive : archive_after_ns) {}

OmsEffect Oms::apply(const Envelope& env) {
  fx_ = OmsEffect();
  if (archive_after_ns_ >= 0 && env.recorded_ns >= INT64_MIN + archive_after_ns_)
    archive_through(env.recorded_ns - archive_after_ns_);
  fx_.fill = std::visit(OmsApply{*this, env}, env.event);
  return fx_;
}

std::uint32_t Oms::lookup(const ClientOrderId& id) const {
  return by_client_id_.find(id.str(), client_key());
}

std::uint32_t Oms::lookup_decision(const DecisionId& id) const {
  return by_decision_id_.find(id.str(), decision_key());
}

void Oms::index_venue_id(std::uint32_t i, const VenueOrderId& id) {
  at(i).order.venue_order_id = id;
  by_venue_id_.put(id.str(), i, venue_key());
}

const OrderRecord* Oms::find(const ClientOrderId& id) const {
  std::uint32_t i = lookup(id);
  return i == kNone ? nullptr : &at(i);
}

const OrderRecord* Oms::find_by_venue_id(const VenueOrderId& id) const {
  std::uint32_t i = by_venue_id_.find(id.str(), venue_key());
  return i == kNone ? nullptr : &at(i);
}

const DecisionRecord* Oms::find_decision(const DecisionId& id) const {
  std::uint32_t i = lookup_decision(id);
  return i == kNone ? nullptr : &decision_at(i);
}

std::vector<std::uint64_t> Oms::archived_decision_candidates(const DecisionId& id) const {
  const std::uint64_t h = id_hash(id.str());
  std::vector<std::uint64_t> out;
  auto lo = std::lower_bound(archived_.begin(), archived_.end(),
                             std::pair<std::uint64_t, std::uint64_t>{h, 0});
  for (; lo != archived_.end() && lo->first == h; ++lo) out.push_back(lo->second);
  for (auto it = archived_recent_.lower_bound({h, 0});
       it != archived_recent_.end() && it->first == h; ++it)
    out.push_back(it->second);
  return out;
}

void Oms::for_each_order(const std::function<void(const OrderRecord&)>& f) const {
  for (const auto& rec : orders_)
    if (rec) f(*rec);
}

std::vector<const OrderRecord*> Oms::open_orders() const {
  std::vector<const OrderRecord*> out;
  out.reserve(open_.size());
  for (std::uint32_t i : open_) out.push_back(&at(i));
  return out;
}

void Oms::for_each_open(const std::function<void(const OrderRecord&)>& f) const {
  for (std::uint32_t i : open_) f(at(i));
}

// --- archiving -------------------------------------------------------------------------------

void Oms::archive_through(std::int64_t cutoff_ns) {
  while (!terminal_.empty() && terminal_.front().second <= cutoff_ns) {
    auto [i, ns] = terminal_.front();
    terminal_.pop_front();
    if (i < orders_base_ || !orders_[i - orders_base_]) continue;  // archived already
    const OrderRecord& rec = at(i);
    if (rec.last_recorded_ns != ns || is_open(rec.order.status)) continue;  // touched since
    if (rec.dead_letter_open) continue;  // queued again when its dead letter is dealt with
    archive_order(i);
  }
  const std::uint32_t end = decisions_base_ + static_cast<std::uint32_t>(decisions_.size());
  for (; decision_scan_ < end; ++decision_scan_) {
    const auto& d = decisions_[decision_scan_ - decisions_base_];
    if (!d) continue;
    if (d->recorded_ns > cutoff_ns) break;
    if (decision_done(*d)) archive_decision(decision_scan_);
  }
  while (!orders_.empty() && !orders_.front()) {
    orders_.pop_front();
    ++orders_base_;
  }
  while (!decisions_.empty() && !decisions_.front()) {
    decisions_.pop_front();
    ++decisions_base_;
  }
}

void Oms::archive_order(std::uint32_t i) {
  OrderRecord& rec = at(i);
  by_client_id_.erase(rec.order.client_order_id.str(), i, client_key());
  if (!rec.order.venue_order_id.empty())
    by_venue_id_.erase(rec.order.venue_order_id.str(), i, venue_key());
  std::uint32_t di = kNone;
  if (!rec.order.decision_id.empty()) di = lookup_decision(rec.order.decision_id);
  orders_[i - orders_base_].reset();
  --order_count_;
  ++archived_orders_;
  // A decision already old enough waits for its last order.
  if (di != kNone && di < decision_scan_ && decision_done(decision_at(di))) archive_decision(di);
}

bool Oms::decision_done(const DecisionRecord& d) const {
  for (const ClientOrderId& id : d.orders)
    if (lookup(id) != kNone) return false;
  return true;
}

void Oms::archive_decision(std::uint32_t di) {
  DecisionRecord& d = decision_at(di);
  archived_recent_.insert({id_hash(d.decision_id.str()), d.sequence});
  by_decision_id_.erase(d.decision_id.str(), di, decision_key());
  decisions_[di - decisions_base_].reset();
  --decision_count_;
  // Merge the recent ones into the sorted vector now and then: amortised O(1) per decision,
  // and lookups stay two binary searches.
  if (archived_recent_.size() > std::max<std::size_t>(4096, archived_.size() / 8)) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
    merged.reserve(archived_.size() + archived_recent_.size());
    std::merge(archived_.begin(), archived_.end(), archived_recent_.begin(), archived_recent_.end(),
               std::back_inserter(merged));
    archived_.swap(merged);
    archived_recent_.clear();
  }
}

void Oms::note(const Envelope& env, std::string kind, const ClientOrderId& id, std::string detail) {
  anomalies_.push_back({env.sequence, std::move(kind), id, std::move(detail)});
}

void Oms::touch(std::uint32_t i, const Envelope& env) {
  OrderRecord& rec = at(i);
  rec.history.push_back(env.sequence);
  rec.order.updated_seq = env.sequence;
  rec.order.updated_ns = event_time_ns(env.event);
  rec.last_recorded_ns = env.recorded_ns;
  if (archive_after_ns_ >= 0 && !is_open(rec.order.status))
    terminal_.emplace_back(i, env.recorded_ns);
}

void Oms::set_status(std::uint32_t i, OrderStatus to) {
  Order& o = at(i).order;
  bool was_open = is_open(o.status);
  o.status = to;
  bool now_open = is_open(to);
  if (was_open && !now_open) open_.erase(i);
  if (!was_open && now_open) open_.insert(i);
  if (to == OrderStatus::kRejected && was_open) fx_.rejected = &at(i);
}

bool Oms::step(std::uint32_t i, OrderEventKind kind, const Envelope& env) {
  OrderRecord& rec = at(i);
  OrderTransition t =
      cached_transition(rec.order.status, kind, !rec.order.filled_quantity.is_zero());
  if (!t.legal) {
    note(env, "illegal_transition", rec.order.client_order_id, describe(rec.order.status, kind));
    return false;
  }
  set_status(i, t.to);
  touch(i, env);
  return true;
}

void Oms::on_requested(const OrderRequested& r, const Envelope& env) {
  if (lookup(r.client_order_id) != kNone) {
    note(env, "duplicate_client_order_id", r.client_order_id,
         "OrderRequested for an id already in use");
    return;
  }
  auto i = static_cast<std::uint32_t>(orders_base_ + orders_.size());
  OrderRecord& rec = *orders_.emplace_back(detail::Box<OrderRecord>::make());
  ++order_count_;
  Order& o = rec.order;
  o.client_order_id = r.client_order_id;
  o.decision_id = r.decision_id;
  o.account = r.account;
  o.venue = r.venue;
  o.symbol = r.symbol;
  o.side = r.side;
  o.type = r.type;
  o.quantity = r.quantity;
  o.limit_price = r.limit_price;
  o.stop_price = r.stop_price;
  o.tif = r.tif;
  o.status = OrderStatus::kPending;
  o.replaces = r.replaces;
  o.created_seq = o.updated_seq = env.sequence;
  o.created_ns = o.updated_ns = r.ts_ns;
  rec.history.push_back(env.sequence);
  rec.decision_recorded_ns = env.recorded_ns;
  rec.last_recorded_ns = env.recorded_ns;
  by_client_id_.put(r.client_order_id.str(), i, client_key());
  open_.insert(open_.end(), i);
  fx_.created = &rec;
  if (!r.decision_id.empty()) {
    std::uint32_t di = lookup_decision(r.decision_id);
    if (di != kNone) {
      DecisionRecord& d = decision_at(di);
      d.orders.push_back(r.client_order_id);
      rec.decision_recorded_ns = d.recorded_ns;
    }
  }
  if (!r.replaces.empty()) {
    std::uint32_t old_i = lookup(r.replaces);
    if (old_i != kNone) at(old_i).order.replaced_by = r.client_order_id;
  }
}

FillOutcome Oms::apply_fill(const OrderFilled& f, const Envelope& env) {
  std::uint32_t i = lookup(f.client_order_id);
  if (i == kNone) {
    note(env, "unknown_order", f.client_order_id,
         "fill trade_id=" + f.trade_id.str() + " for an order never requested");
    return FillOutcome::kRejected;
  }
  OrderRecord& rec = at(i);
  Order& o = rec.order;
  for (const OrderFill& prior : rec.fills) {
    if (prior.trade_id == f.trade_id) {
      ++duplicate_fills_;
      return FillOutcome::kDuplicate;
    }
  }
  if (!f.quantity.is_positive() || f.price.is_negative()) {
    note(env, "bad_fill", f.client_order_id,
         "fill trade_id=" + f.trade_id.str() + " quantity=" + f.quantity.to_string() +
             " price=" + f.price.to_string());
    return FillOutcome::kRejected;
  }
  Quantity filled = o.filled_quantity + f.quantity;
  OrderEventKind kind =
      filled >= o.quantity ? OrderEventKind::kFinalFill : OrderEventKind::kPartialFill;
  OrderTransition t = cached_transition(o.status, kind, !o.filled_quantity.is_zero());
  if (!t.legal) {
    note(env, "illegal_transition", f.client_order_id,
         describe(o.status, kind) + " trade_id=" + f.trade_id.str());
    return FillOutcome::kRejected;
  }
  if (filled > o.quantity)
    note(env, "overfill", f.client_order_id,
         "filled " + filled.to_string() + " of " + o.quantity.to_string());
  o.filled_quantity = filled;
  o.filled_notional += f.quantity * f.price;
  o.commission += f.commission;
  if (o.venue_order_id.empty() && !f.venue_order_id.empty()) index_venue_id(i, f.venue_order_id);
  set_status(i, t.to);
  touch(i, env);
  if (rec.first_fill_recorded_ns == 0) {
    rec.first_fill_recorded_ns = env.recorded_ns;
    fx_.first_fill = &rec;
  }
  OrderFill& out = rec.fills.emplace_back();
  out.sequence = env.sequence;
  out.ts_ns = f.ts_ns;
  out.trade_id = f.trade_id;
  out.quantity = f.quantity;
  out.price = f.price;
  out.commission = f.commission;
  out.commission_asset = f.commission_asset;
  out.liquidity = f.liquidity;
  return FillOutcome::kApplied;
}

// --- snapshot --------------------------------------------------------------------------------

void Oms::save(detail::Writer& w) const {
  w.varint(order_count_);
  for (const auto& held : orders_) {
    if (!held) continue;
    const OrderRecord& rec = *held;
    const Order& o = rec.order;
    w.id(o.client_order_id);
    w.id(o.venue_order_id);
    w.id(o.decision_id);
    w.str(o.account);
    w.str(o.venue);
    w.symbol(o.symbol);
    w.u8(static_cast<std::uint8_t>(o.side));
    w.u8(static_cast<std::uint8_t>(o.type));
    w.dec(o.quantity);
    w.opt_dec(o.limit_price);
    w.opt_dec(o.stop_price);
    w.u8(static_cast<std::uint8_t>(o.tif));
    w.u8(static_cast<std::uint8_t>(o.status));
    w.dec(o.filled_quantity);
    w.dec(o.filled_notional);
    w.dec(o.commission);
    w.varint(o.send_attempts);
    w.id(o.replaces);
    w.id(o.replaced_by);
    w.str(o.last_reason);
    w.varint(o.created_seq);
    w.varint(o.updated_seq);
    w.svarint(o.created_ns);
    w.svarint(o.updated_ns);
    w.svarint(rec.decision_recorded_ns);
    w.svarint(rec.accepted_recorded_ns);
    w.svarint(rec.first_fill_recorded_ns);
    w.u8(rec.replace_by_cancel ? 1 : 0);
    w.varint(rec.history.size());
    std::uint64_t prev = 0;
    for (std::uint64_t s : rec.history) {  // deltas: histories are increasing
      w.svarint(static_cast<std::int64_t>(s - prev));
      prev = s;
    }
    w.varint(rec.fills.size());
    for (const OrderFill& f : rec.fills) {
      w.varint(f.sequence);
      w.svarint(f.ts_ns);
      w.id(f.trade_id);
      w.dec(f.quantity);
      w.dec(f.price);
      w.dec(f.commission);
      w.str(f.commission_asset);
      w.u8(static_cast<std::uint8_t>(f.liquidity));
    }
    w.svarint(rec.last_recorded_ns);
    w.u8(rec.dead_letter_open ? 1 : 0);
  }
  w.varint(decision_count_);
  std::uint64_t before_scan = 0;  // held decisions before decision_scan_
  for (std::uint32_t k = 0; k < decisions_.size(); ++k) {
    if (!decisions_[k]) continue;
    if (decisions_base_ + k < decision_scan_) ++before_scan;
    const DecisionRecord& d = *decisions_[k];
    w.id(d.decision_id);
    w.varint(d.sequence);
    w.svarint(d.recorded_ns);
    w.symbol(d.symbol);
    w.u8(static_cast<std::uint8_t>(d.action));
    w.varint(d.orders.size());
    for (const ClientOrderId& id : d.orders) w.id(id);
    w.str(d.risk_rejection);
    w.str(d.risk_detail);
    w.varint(d.repeats);
  }
  w.varint(anomalies_.size());
  for (const Anomaly& a : anomalies_) {
    w.varint(a.sequence);
    w.str(a.kind);
    w.id(a.client_order_id);
    w.str(a.detail);
  }
  w.varint(duplicate_fills_);
  // Archiving state (format v3).
  w.varint(archived_orders_);
  w.varint(before_scan);
  w.varint(archived_decisions());
  auto put = [&](const std::pair<std::uint64_t, std::uint64_t>& a) {
    w.fixed64(a.first);
    w.varint(a.second);
  };
  auto r = archived_recent_.begin();
  for (const auto& a : archived_) {  // one sorted list: merge the two on the way out
    for (; r != archived_recent_.end() && *r < a; ++r) put(*r);
    put(a);
  }
  for (; r != archived_recent_.end(); ++r) put(*r);
}

bool Oms::load(detail::Reader& r) {
  *this = Oms(archive_after_ns_);
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    OrderRecord& rec = *orders_.emplace_back(detail::Box<OrderRecord>::make());
    Order& o = rec.order;
    o.client_order_id = r.id<ClientOrderId>();
    o.venue_order_id = r.id<VenueOrderId>();
    o.decision_id = r.id<DecisionId>();
    o.account = r.str();
    o.venue = r.str();
    o.symbol = r.symbol();
    std::uint8_t side = r.u8(), type = r.u8();
    o.quantity = r.dec();
    o.limit_price = r.opt_dec();
    o.stop_price = r.opt_dec();
    std::uint8_t tif = r.u8(), status = r.u8();
    if (!enum_in_range(side, Side::kSell) || !enum_in_range(type, OrderType::kStopLimit) ||
        !enum_in_range(tif, TimeInForce::kDay) || !enum_in_range(status, OrderStatus::kUnknown))
      r.fail("bad order enum");
    o.side = static_cast<Side>(side);
    o.type = static_cast<OrderType>(type);
    o.tif = static_cast<TimeInForce>(tif);
    o.status = static_cast<OrderStatus>(status);
    o.filled_quantity = r.dec();
    o.filled_notional = r.dec();
    o.commission = r.dec();
    o.send_attempts = static_cast<std::uint32_t>(r.varint());
    o.replaces = r.id<ClientOrderId>();
    o.replaced_by = r.id<ClientOrderId>();
    o.last_reason = r.str();
    o.created_seq = r.varint();
    o.updated_seq = r.varint();
    o.created_ns = r.svarint();
    o.updated_ns = r.svarint();
    rec.decision_recorded_ns = r.svarint();
    rec.accepted_recorded_ns = r.svarint();
    rec.first_fill_recorded_ns = r.svarint();
    std::uint8_t by_cancel = r.u8();
    if (by_cancel > 1) r.fail("bad replace_by_cancel flag");
    rec.replace_by_cancel = by_cancel == 1;
    std::uint64_t h = r.count();
    rec.history.reserve(h);
    std::uint64_t prev = 0;
    for (std::uint64_t j = 0; j < h && r.ok(); ++j) {
      prev += static_cast<std::uint64_t>(r.svarint());
      rec.history.push_back(prev);
    }
    std::uint64_t nf = r.count();
    rec.fills.reserve(nf);
    for (std::uint64_t j = 0; j < nf && r.ok(); ++j) {
      OrderFill& f = rec.fills.emplace_back();
      f.sequence = r.varint();
      f.ts_ns = r.svarint();
      f.trade_id = r.id<TradeId>();
      f.quantity = r.dec();
      f.price = r.dec();
      f.commission = r.dec();
      f.commission_asset = r.str();
      std::uint8_t liq = r.u8();
      if (!enum_in_range(liq, Liquidity::kTaker)) r.fail("bad liquidity");
      f.liquidity = static_cast<Liquidity>(liq);
    }
    rec.last_recorded_ns = r.svarint();
    std::uint8_t dl = r.u8();
    if (dl > 1) r.fail("bad dead_letter_open flag");
    rec.dead_letter_open = dl == 1;
  }
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    DecisionRecord& d = *decisions_.emplace_back(detail::Box<DecisionRecord>::make());
    d.decision_id = r.id<DecisionId>();
    d.sequence = r.varint();
    d.recorded_ns = r.svarint();
    d.symbol = r.symbol();
    std::uint8_t action = r.u8();
    if (!enum_in_range(action, Action::kHold)) r.fail("bad action");
    d.action = static_cast<Action>(action);
    std::uint64_t no = r.count();
    for (std::uint64_t j = 0; j < no && r.ok(); ++j) d.orders.push_back(r.id<ClientOrderId>());
    d.risk_rejection = r.str();
    d.risk_detail = r.str();
    d.repeats = static_cast<std::uint32_t>(r.varint());
  }
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    Anomaly& a = anomalies_.emplace_back();
    a.sequence = r.varint();
    a.kind = r.str();
    a.client_order_id = r.id<ClientOrderId>();
    a.detail = r.str();
  }
  duplicate_fills_ = r.varint();
  archived_orders_ = r.varint();
  std::uint64_t before_scan = r.varint();
  if (before_scan > decisions_.size()) r.fail("decision scan beyond the decisions");
  decision_scan_ = static_cast<std::uint32_t>(before_scan);
  n = r.count();
  archived_.reserve(n);
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::uint64_t h = r.fixed64();
    archived_.emplace_back(h, r.varint());
    if (k > 0 && !(archived_[k - 1] < archived_[k])) r.fail("archived decisions out of order");
  }
  if (!r.ok()) return false;
  order_count_ = orders_.size();
  decision_count_ = decisions_.size();
  rebuild_indexes();
  return true;
}

void Oms::rebuild_indexes() {
  by_client_id_.reserve(orders_.size());
  by_venue_id_.reserve(orders_.size());
  for (std::uint32_t i = 0; i < orders_.size(); ++i) {
    const Order& o = at(i).order;
    by_client_id_.put(o.client_order_id.str(), i, client_key());
    if (!o.venue_order_id.empty()) by_venue_id_.put(o.venue_order_id.str(), i, venue_key());
    if (is_open(o.status)) open_.insert(open_.end(), i);
  }
  by_decision_id_.reserve(decisions_.size());
  for (std::uint32_t i = 0; i < decisions_.size(); ++i)
    by_decision_id_.put(decision_at(i).decision_id.str(), i, decision_key());
  if (archive_after_ns_ < 0) return;
  // The terminal orders in the order they were last touched, as the live fold queued them
  // (the entries that were stale there are skipped there anyway).
  for (std::uint32_t i = 0; i < orders_.size(); ++i)
    if (!is_open(at(i).order.status)) terminal_.emplace_back(i, at(i).last_recorded_ns);
  std::stable_sort(terminal_.begin(), terminal_.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
}

}  // namespace at::projections
