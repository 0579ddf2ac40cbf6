#include "engine/state_view.h"

namespace at::engine::view {

const Order* find_order(const projections::Projections& s, const ClientOrderId& id) {
  const auto* r = s.oms().find(id);
  return r ? &r->order : nullptr;
}

std::optional<OrderRequested> order_request(const projections::Projections& s,
                                            const ClientOrderId& id) {
  const Order* o = find_order(s, id);
  if (!o) return std::nullopt;
  OrderRequested r;
  r.client_order_id = o->client_order_id;
  r.decision_id = o->decision_id;
  r.account = o->account;
  r.venue = o->venue;
  r.symbol = o->symbol;
  r.side = o->side;
  r.type = o->type;
  r.quantity = o->quantity;
  r.limit_price = o->limit_price;
  r.stop_price = o->stop_price;
  r.tif = o->tif;
  r.replaces = o->replaces;
  r.ts_ns = o->created_ns;
  return r;
}

bool was_sent(const projections::Projections& s, const ClientOrderId& id) {
  const Order* o = find_order(s, id);
  return o && o->send_attempts > 0;
}

void for_each_open_order(const projections::Projections& s,
                         const std::function<void(const Order&)>& f) {
  s.oms().for_each_open([&](const projections::OrderRecord& r) { f(r.order); });
}

Quantity position(const projections::Projections& s, const std::string& account,
                  const Symbol& symbol) {
  const auto* p = s.positions().find(account, symbol);
  return p ? p->quantity : Quantity();
}

void for_each_position(const projections::Projections& s,
                       const std::function<void(const std::string&, const Symbol&, Quantity)>& f) {
  for (const auto& [key, p] : s.positions().all()) f(key.first, key.second, p.quantity);
}

std::optional<Money> balance(const projections::Projections& s, const std::string& account,
                             const std::string& asset) {
  const auto* b = s.balances().find(account, asset);
  if (!b) return std::nullopt;
  return b->total();
}

TradingState trading_state(const projections::Projections& s) {
  return s.control().trading().state;
}

bool fill_seen(const projections::Projections& s, const ClientOrderId& order, const TradeId& id) {
  const auto* r = s.oms().find(order);
  if (!r) return false;
  for (const auto& f : r->fills)
    if (f.trade_id == id) return true;
  return false;
}

bool dead_letter_open(const projections::Projections& s, const ClientOrderId& id) {
  const auto* d = s.dead_letters().find(id);
  return d && d->state == projections::DeadLetterState::kOpen;
}

std::string dead_letter_operation(const projections::Projections& s, const ClientOrderId& id) {
  const auto* d = s.dead_letters().find(id);
  return d ? d->operation : std::string();
}

Money total_pnl(const projections::Projections& s, const std::map<Symbol, Price>& marks) {
  Money total;
  for (const auto& [key, p] : s.positions().all()) {
    total += p.realized_pnl;
    if (auto it = marks.find(key.second); it != marks.end() && !p.quantity.is_zero())
      total += p.unrealized_pnl(it->second);
  }
  return total;
}

bool instrument_known(const projections::Projections& s, std::string_view venue,
                      const InstrumentRules& rules) {
  const auto* r = s.control().instrument(std::string(venue), rules.symbol);
  return r && r->tick_size.identical(rules.tick_size) && r->lot_size.identical(rules.lot_size) &&
         r->min_qty.identical(rules.min_qty) && r->max_qty.identical(rules.max_qty) &&
         r->min_notional.identical(rules.min_notional) && r->venue_symbol == rules.venue_symbol;
}

}  // namespace at::engine::view
