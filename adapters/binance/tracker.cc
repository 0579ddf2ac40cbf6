#include "adapters/binance/tracker.h"

namespace at::binance {

TrackedOrder& OrderTracker::track(const OrderRequested& o, const std::string& venue_symbol) {
  TrackedOrder& t = orders_[o.client_order_id];
  if (t.client_order_id.empty()) {
    t.client_order_id = o.client_order_id;
    t.symbol = o.symbol;
    t.venue_symbol = venue_symbol;
    t.side = o.side;
    t.account = o.account;
    t.quantity = o.quantity;
  }
  return t;
}

TrackedOrder& OrderTracker::track(const Order& o, const std::string& venue_symbol) {
  TrackedOrder& t = orders_[o.client_order_id];
  if (t.client_order_id.empty()) {
    t.client_order_id = o.client_order_id;
    t.symbol = o.symbol;
    t.venue_symbol = venue_symbol;
    t.side = o.side;
    t.account = o.account;
    t.quantity = o.quantity;
    t.filled = o.filled_quantity;
    t.accepted = !o.venue_order_id.empty();
    t.terminal = is_terminal(o.status);
    if (!o.venue_order_id.empty()) {
      try {
        set_venue_order_id(t, std::stoll(o.venue_order_id.str()));
      } catch (...) {
        // Not a Binance order id: leave it unknown; lookups go by client order id.
      }
    }
  }
  return t;
}

TrackedOrder* OrderTracker::find(const ClientOrderId& id) {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

TrackedOrder* OrderTracker::find(const std::string& venue_symbol, std::int64_t venue_order_id) {
  auto it = by_venue_id_.find({venue_symbol, venue_order_id});
  return it == by_venue_id_.end() ? nullptr : find(it->second);
}

void OrderTracker::set_venue_order_id(TrackedOrder& o, std::int64_t id) {
  if (id <= 0) return;
  o.venue_order_id = id;
  by_venue_id_[{o.venue_symbol, id}] = o.client_order_id;
}

void OrderTracker::accepted(TrackedOrder& o, std::int64_t ts_ns, std::vector<Event>& out) {
  if (o.accepted) return;
  o.accepted = true;
  out.push_back(OrderAccepted{
      o.client_order_id,
      VenueOrderId(o.venue_order_id ? std::to_string(o.venue_order_id) : std::string()), ts_ns});
}

void OrderTracker::cancelled(TrackedOrder& o, std::string reason, std::int64_t ts_ns,
                             std::vector<Event>& out) {
  if (o.terminal) return;
  o.terminal = true;
  o.accepted = true;  // an ack arriving after the end says nothing (and would be illegal)
  out.push_back(OrderCancelled{o.client_order_id, std::move(reason), ts_ns});
}

void OrderTracker::anomaly(std::string kind, const ClientOrderId& id, std::string detail,
                           std::int64_t ts_ns, std::vector<Event>& out) const {
  out.push_back(AnomalyDetected{std::move(kind), venue_, id, std::move(detail), ts_ns});
}

bool OrderTracker::note_trade(const std::string& venue_symbol, std::int64_t trade_id) {
  auto& s = trades_[venue_symbol];
  if (!s.insert(trade_id).second) return false;
  if (s.size() > kKeepTrades) s.erase(s.begin());
  return true;
}

bool OrderTracker::seen_trade(const std::string& venue_symbol, std::int64_t trade_id) const {
  auto it = trades_.find(venue_symbol);
  return it != trades_.end() && it->second.count(trade_id) > 0;
}

std::optional<std::int64_t> OrderTracker::last_trade_id(const std::string& venue_symbol) const {
  auto it = trades_.find(venue_symbol);
  if (it == trades_.end() || it->second.empty()) return std::nullopt;
  return *it->second.rbegin();
}

std::vector<std::string> OrderTracker::symbols() const {
  std::set<std::string> s;
  for (const auto& [id, o] : orders_) s.insert(o.venue_symbol);
  for (const auto& [sym, t] : trades_) s.insert(sym);
  return {s.begin(), s.end()};
}

std::vector<TrackedOrder*> OrderTracker::open_orders(const std::string& venue_symbol) {
  std::vector<TrackedOrder*> v;
  for (auto& [id, o] : orders_)
    if (o.venue_symbol == venue_symbol && !o.terminal) v.push_back(&o);
  return v;
}

void OrderTracker::add_fill(TrackedOrder& o, const Quantity& q) {
  o.filled += q;
  if (o.quantity.is_positive() && o.filled >= o.quantity) o.terminal = true;
}

void OrderTracker::on_execution_report(const ExecutionReport& r, const Symbol& symbol,
                                       std::vector<Event>& out) {
  const std::int64_t ts = r.transact_time_ms * 1'000'000;
  // A cancel's report names the cancelled order in C; c is then the cancel request's own id.
  const std::string& coid = (r.exec_type == "CANCELED" && !r.orig_client_order_id.empty())
                                ? r.orig_client_order_id
                                : r.client_order_id;
  TrackedOrder* o = find(ClientOrderId(coid));
  if (!o) o = find(r.symbol, r.order_id);
  if (!o) {
    anomaly("unknown_order", ClientOrderId(coid),
            "executionReport x=" + r.exec_type + " for an order we never sent: symbol=" + r.symbol +
                " orderId=" + std::to_string(r.order_id) +
                (r.trade_id >= 0 ? " tradeId=" + std::to_string(r.trade_id) : ""),
            ts, out);
    return;
  }
  if (o->venue_order_id == 0) set_venue_order_id(*o, r.order_id);
  const std::string& x = r.exec_type;
  if (x == "NEW") {
    accepted(*o, ts, out);
  } else if (x == "TRADE") {
    if (!note_trade(o->venue_symbol, r.trade_id)) return;  // duplicate delivery
    OrderFilled f = fill_from_report(r, symbol, venue_, o->account, o->side);
    f.client_order_id = o->client_order_id;
    add_fill(*o, r.last_qty);
    out.push_back(std::move(f));
  } else if (x == "CANCELED") {
    cancelled(*o, "cancelled", ts, out);
  } else if (x == "EXPIRED" || x == "TRADE_PREVENTION") {
    if (o->terminal) return;
    o->terminal = true;
    // Ended before its ack arrived (self-trade prevention at entry expires the order in the
    // same instant): a later REST answer or NEW report must not acknowledge an ended order.
    o->accepted = true;
    out.push_back(OrderExpired{
        o->client_order_id,
        x == "TRADE_PREVENTION" ? "self_trade_prevention" : "expired (" + r.order_status + ")",
        ts});
  } else if (x == "REJECTED") {
    if (o->terminal) return;
    o->terminal = true;
    out.push_back(OrderRejected{o->client_order_id, r.reject_reason, 0, ts});
  }
  // REPLACED (amend keep-priority) changes no state we model; other types are informational.
}

void OrderTracker::on_trade(const TradeRow& t, const Symbol& symbol, std::int64_t now_ns,
                            std::vector<Event>& out) {
  if (seen_trade(t.symbol, t.id)) return;
  TrackedOrder* o = find(t.symbol, t.order_id);
  if (!o) {
    note_trade(t.symbol, t.id);
    anomaly("unknown_order", ClientOrderId(),
            "myTrades row for an order we never sent: symbol=" + t.symbol +
                " orderId=" + std::to_string(t.order_id) + " tradeId=" + std::to_string(t.id),
            now_ns, out);
    return;
  }
  note_trade(t.symbol, t.id);
  OrderFilled f;
  f.client_order_id = o->client_order_id;
  f.venue_order_id = VenueOrderId(std::to_string(t.order_id));
  f.trade_id = TradeId(std::to_string(t.id));
  f.venue = venue_;
  f.account = o->account;
  f.symbol = symbol;
  f.side = t.is_buyer ? Side::kBuy : Side::kSell;
  f.quantity = t.qty;
  f.price = t.price;
  f.commission = t.commission;
  f.commission_asset = t.commission_asset;
  f.liquidity = t.is_maker ? Liquidity::kMaker : Liquidity::kTaker;
  f.ts_ns = t.time_ms ? t.time_ms * 1'000'000 : now_ns;
  add_fill(*o, t.qty);
  out.push_back(std::move(f));
}

void OrderTracker::on_order_row(TrackedOrder& o, const OrderRow& row, std::int64_t now_ns,
                                std::vector<Event>& out) {
  if (o.venue_order_id == 0) set_venue_order_id(o, row.order_id);
  std::int64_t ts = row.update_time_ms ? row.update_time_ms * 1'000'000 : now_ns;
  auto st = map_order_status(row.status);
  if (!st) {
    anomaly("unknown_status", o.client_order_id, "order status '" + row.status + "'", now_ns, out);
    return;
  }
  if (*st == OrderStatus::kRejected) {
    if (o.terminal) return;
    o.terminal = true;
    out.push_back(OrderRejected{o.client_order_id, "rejected", 0, ts});
    return;
  }
  accepted(o, ts, out);
  if (*st == OrderStatus::kCancelled) {
    cancelled(o, "cancelled", ts, out);
  } else if (*st == OrderStatus::kExpired) {
    if (o.terminal) return;
    o.terminal = true;
    out.push_back(OrderExpired{o.client_order_id, "expired (" + row.status + ")", ts});
  } else if (*st == OrderStatus::kFilled) {
    o.terminal = true;  // the fills themselves come from myTrades
  }
}

}  // namespace at::binance
