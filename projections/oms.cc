#include "projections/oms.h"

#include <algorithm>
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
    if (i != Oms::kNone) oms.touch(oms.orders_[i], env);
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
    if (oms.step(i, kind, env) && reason && !reason->empty())
      oms.orders_[i].order.last_reason = *reason;
  }

  FillOutcome operator()(const DecisionReceived& d) {
    std::uint32_t found = oms.by_decision_id_.find(d.decision_id.str(), oms.decision_key());
    if (found != detail::IdIndex::kNone) {
      ++oms.decisions_[found].repeats;
      return FillOutcome::kNotAFill;
    }
    auto idx = static_cast<std::uint32_t>(oms.decisions_.size());
    DecisionRecord& r = oms.decisions_.emplace_back();
    r.decision_id = d.decision_id;
    r.sequence = env.sequence;
    r.recorded_ns = env.recorded_ns;
    r.symbol = d.symbol;
    r.action = d.action;
    oms.by_decision_id_.put(d.decision_id.str(), idx, oms.decision_key());
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const RiskRejected& r) {
    std::uint32_t found = oms.by_decision_id_.find(r.decision_id.str(), oms.decision_key());
    if (found != detail::IdIndex::kNone) {
      DecisionRecord& d = oms.decisions_[found];
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
      Order& o = oms.orders_[i].order;
      o.send_attempts = std::max(o.send_attempts, s.attempt);
    }
    return FillOutcome::kNotAFill;
  }
  FillOutcome operator()(const OrderAccepted& a) {
    std::uint32_t i = order_or_anomaly(a.client_order_id, "OrderAccepted");
    if (i == Oms::kNone || !oms.step(i, OrderEventKind::kAccepted, env))
      return FillOutcome::kNotAFill;
    OrderRecord& rec = oms.orders_[i];
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
    oms.orders_[old_i].replace_by_cancel = !r.native;
    if (new_i != Oms::kNone) {
      oms.orders_[old_i].order.replaced_by = r.new_client_order_id;
      oms.orders_[new_i].order.replaces = r.client_order_id;
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
      const Order& n = oms.orders_[new_i].order;
      if (!cached_transition(n.status, OrderEventKind::kAccepted, !n.filled_quantity.is_zero())
               .legal) {
        oms.note(env, "illegal_transition", r.new_client_order_id,
                 describe(n.status, OrderEventKind::kAccepted) + " (new order of a replace)");
        return FillOutcome::kNotAFill;
      }
    }
    if (!oms.step(old_i, OrderEventKind::kReplaced, env)) return FillOutcome::kNotAFill;
    Order& old = oms.orders_[old_i].order;
    old.last_reason = "replaced";
    if (new_i != Oms::kNone) {
      old.replaced_by = r.new_client_order_id;
      oms.step(new_i, OrderEventKind::kAccepted, env);
      OrderRecord& rec = oms.orders_[new_i];
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
    oms.orders_[old_i].order.last_reason = r.reason;
    // The replacement never reached the venue: it ends here.
    std::uint32_t new_i = oms.lookup(r.new_client_order_id);
    if (new_i != Oms::kNone && oms.orders_[new_i].order.status == OrderStatus::kPending &&
        oms.step(new_i, OrderEventKind::kRejected, env))
      oms.orders_[new_i].order.last_reason = r.reason;
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
  template <typename T>
  FillOutcome operator()(const T& e) {
    // Resiliency events about an order (errors, retries, dead letters) join its history.
    if constexpr (std::is_same_v<T, VenueErrorOccurred> || std::is_same_v<T, RetryScheduled> ||
                  std::is_same_v<T, DeadLettered> || std::is_same_v<T, DeadLetterRetried> ||
                  std::is_same_v<T, DeadLetterDropped>) {
      history_only(e.client_order_id);
    }
    return FillOutcome::kNotAFill;
  }
};

OmsEffect Oms::apply(const Envelope& env) {
  fx_ = OmsEffect();
  fx_.fill = std::visit(OmsApply{*this, env}, env.event);
  return fx_;
}

std::uint32_t Oms::lookup(const ClientOrderId& id) const {
  return by_client_id_.find(id.str(), client_key());
}

void Oms::index_venue_id(std::uint32_t i, const VenueOrderId& id) {
  orders_[i].order.venue_order_id = id;
  by_venue_id_.put(id.str(), i, venue_key());
}

const OrderRecord* Oms::find(const ClientOrderId& id) const {
  std::uint32_t i = lookup(id);
  return i == kNone ? nullptr : &orders_[i];
}

const OrderRecord* Oms::find_by_venue_id(const VenueOrderId& id) const {
  std::uint32_t i = by_venue_id_.find(id.str(), venue_key());
  return i == kNone ? nullptr : &orders_[i];
}

const DecisionRecord* Oms::find_decision(const DecisionId& id) const {
  std::uint32_t i = by_decision_id_.find(id.str(), decision_key());
  return i == kNone ? nullptr : &decisions_[i];
}

std::vector<const OrderRecord*> Oms::open_orders() const {
  std::vector<const OrderRecord*> out;
  out.reserve(open_.size());
  for (std::uint32_t i : open_) out.push_back(&orders_[i]);
  return out;
}

void Oms::for_each_open(const std::function<void(const OrderRecord&)>& f) const {
  for (std::uint32_t i : open_) f(orders_[i]);
}

void Oms::note(const Envelope& env, std::string kind, const ClientOrderId& id, std::string detail) {
  anomalies_.push_back({env.sequence, std::move(kind), id, std::move(detail)});
}

void Oms::touch(OrderRecord& rec, const Envelope& env) {
  rec.history.push_back(env.sequence);
  rec.order.updated_seq = env.sequence;
  rec.order.updated_ns = event_time_ns(env.event);
}

void Oms::set_status(std::uint32_t i, OrderStatus to) {
  Order& o = orders_[i].order;
  bool was_open = is_open(o.status);
  o.status = to;
  bool now_open = is_open(to);
  if (was_open && !now_open) open_.erase(i);
  if (!was_open && now_open) open_.insert(i);
  if (to == OrderStatus::kRejected && was_open) fx_.rejected = &orders_[i];
}

bool Oms::step(std::uint32_t i, OrderEventKind kind, const Envelope& env) {
  OrderRecord& rec = orders_[i];
  OrderTransition t =
      cached_transition(rec.order.status, kind, !rec.order.filled_quantity.is_zero());
  if (!t.legal) {
    note(env, "illegal_transition", rec.order.client_order_id, describe(rec.order.status, kind));
    return false;
  }
  set_status(i, t.to);
  touch(rec, env);
  return true;
}

void Oms::on_requested(const OrderRequested& r, const Envelope& env) {
  if (lookup(r.client_order_id) != kNone) {
    note(env, "duplicate_client_order_id", r.client_order_id,
         "OrderRequested for an id already in use");
    return;
  }
  auto i = static_cast<std::uint32_t>(orders_.size());
  OrderRecord& rec = orders_.emplace_back();
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
  by_client_id_.put(r.client_order_id.str(), i, client_key());
  open_.insert(open_.end(), i);
  fx_.created = &rec;
  if (!r.decision_id.empty()) {
    std::uint32_t di = by_decision_id_.find(r.decision_id.str(), decision_key());
    if (di != kNone) {
      DecisionRecord& d = decisions_[di];
      d.orders.push_back(r.client_order_id);
      rec.decision_recorded_ns = d.recorded_ns;
    }
  }
  if (!r.replaces.empty()) {
    std::uint32_t old_i = lookup(r.replaces);
    if (old_i != kNone) orders_[old_i].order.replaced_by = r.client_order_id;
  }
}

FillOutcome Oms::apply_fill(const OrderFilled& f, const Envelope& env) {
  std::uint32_t i = lookup(f.client_order_id);
  if (i == kNone) {
    note(env, "unknown_order", f.client_order_id,
         "fill trade_id=" + f.trade_id.str() + " for an order never requested");
    return FillOutcome::kRejected;
  }
  OrderRecord& rec = orders_[i];
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
  touch(rec, env);
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
  w.varint(orders_.size());
  for (const OrderRecord& rec : orders_) {
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
  }
  w.varint(decisions_.size());
  for (const DecisionRecord& d : decisions_) {
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
}

bool Oms::load(detail::Reader& r) {
  *this = Oms();
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    OrderRecord& rec = orders_.emplace_back();
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
  }
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    DecisionRecord& d = decisions_.emplace_back();
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
  if (!r.ok()) return false;
  rebuild_indexes();
  return true;
}

void Oms::rebuild_indexes() {
  by_client_id_.reserve(orders_.size());
  by_venue_id_.reserve(orders_.size());
  for (std::uint32_t i = 0; i < orders_.size(); ++i) {
    const Order& o = orders_[i].order;
    by_client_id_.put(o.client_order_id.str(), i, client_key());
    if (!o.venue_order_id.empty()) by_venue_id_.put(o.venue_order_id.str(), i, venue_key());
    if (is_open(o.status)) open_.insert(open_.end(), i);
  }
  by_decision_id_.reserve(decisions_.size());
  for (std::uint32_t i = 0; i < decisions_.size(); ++i)
    by_decision_id_.put(decisions_[i].decision_id.str(), i, decision_key());
}

}  // namespace at::projections
