#include "engine/risk.h"

namespace at::engine {
namespace {

RiskRejection reject(std::string_view reason, std::string detail) {
  return RiskRejection{std::string(reason), std::move(detail)};
}

}  // namespace

const SymbolLimits& RiskLimits::for_symbol(const Symbol& s) const {
  auto it = per_symbol.find(s);
  return it == per_symbol.end() ? defaults : it->second;
}

std::optional<Price> reference_price(const OrderRequested& order,
                                     const std::optional<Price>& mark) {
  if (order.limit_price) return order.limit_price;
  if (order.stop_price) return order.stop_price;
  return mark;
}

bool reduces_exposure(const OrderRequested& order, const RiskInput& in) {
  // Exposure after every open order on the same side and this one must not exceed the current
  // position in size, and must not cross to the other side.
  if (order.side == Side::kSell) {
    Quantity after = in.position - in.open_sell_quantity - order.quantity;
    return in.position.is_positive() && !after.is_negative();
  }
  Quantity after = in.position + in.open_buy_quantity + order.quantity;
  return in.position.is_negative() && !after.is_positive();
}

std::optional<RiskRejection> check_risk(const RiskLimits& limits, const RiskInput& in,
                                        const OrderRequested& order) {
  using namespace risk_reasons;
  const std::string sym = order.symbol.str();

  // Trading state first: nothing else matters while halted.
  if (in.trading_state == TradingState::kHalted)
    return reject(kTradingHalted, "trading is HALTED; resume to trade");
  if (in.trading_state == TradingState::kReducing && !reduces_exposure(order, in))
    return reject(kReduceOnly,
                  "trading is REDUCING: only exposure-reducing orders pass (position " +
                      in.position.to_string() + ")");

  if (!order.quantity.is_positive())
    return reject(kInvalidOrder, "quantity must be positive, got " + order.quantity.to_string());
  if (!in.rules) return reject(kUnknownSymbol, "symbol " + sym + " is not traded at the venue");
  if (in.duplicate_open)
    return reject(kDuplicate, "an identical order on " + sym + " is already open");

  // Instrument rules (tick, lot, min notional), as the venue would enforce them.
  const InstrumentRules& r = *in.rules;
  for (const auto* p : {&order.limit_price, &order.stop_price}) {
    if (*p && r.tick_size.is_positive() && !(*p)->is_multiple_of(r.tick_size))
      return reject(kTickSize, "price " + (*p)->to_string() + " is not a multiple of tick " +
                                   r.tick_size.to_string());
  }
  if (r.lot_size.is_positive() && !order.quantity.is_multiple_of(r.lot_size))
    return reject(kLotSize, "quantity " + order.quantity.to_string() +
                                " is not a multiple of lot " + r.lot_size.to_string());
  if (r.min_qty.is_positive() && order.quantity < r.min_qty)
    return reject(kLotSize, "quantity " + order.quantity.to_string() + " below minimum " +
                                r.min_qty.to_string());
  if (r.max_qty.is_positive() && order.quantity > r.max_qty)
    return reject(kLotSize, "quantity " + order.quantity.to_string() + " above maximum " +
                                r.max_qty.to_string());

  auto price = reference_price(order, in.mark);
  if (!price && limits.require_mark_for_market)
    return reject(kNoMarkPrice, "no market price yet for " + sym + " to value a market order");
  std::optional<Money> notional;
  if (price) notional = order.quantity * *price;
  if (notional && r.min_notional.is_positive() && *notional < r.min_notional)
    return reject(kMinNotional, "notional " + notional->to_string() + " below minimum " +
                                    r.min_notional.to_string());

  const SymbolLimits& sl = limits.for_symbol(order.symbol);
  if (sl.max_order_quantity && order.quantity > *sl.max_order_quantity)
    return reject(kMaxOrderQuantity, "quantity " + order.quantity.to_string() + " exceeds " +
                                         sl.max_order_quantity->to_string());
  if (sl.max_notional && notional && *notional > *sl.max_notional)
    return reject(kMaxNotional,
                  "notional " + notional->to_string() + " exceeds " + sl.max_notional->to_string());

  // Price collar: a limit (or stop) price too far from the last mark is a fat finger.
  if (limits.price_collar_bps && in.mark && in.mark->is_positive() &&
      (order.limit_price || order.stop_price)) {
    Price p = order.limit_price ? *order.limit_price : *order.stop_price;
    Decimal dev_bps = Decimal::divide((p - *in.mark).abs() * Decimal::from_int(10000), *in.mark, 4);
    if (dev_bps > Decimal::from_int(*limits.price_collar_bps))
      return reject(kPriceCollar, "price " + p.to_string() + " is " + dev_bps.to_string() +
                                      " bps from mark " + in.mark->to_string() + " (collar " +
                                      std::to_string(*limits.price_collar_bps) + " bps)");
  }

  if (sl.position_limit) {
    Quantity worst = order.side == Side::kBuy
                         ? (in.position + in.open_buy_quantity + order.quantity).abs()
                         : (in.position - in.open_sell_quantity - order.quantity).abs();
    if (worst > *sl.position_limit)
      return reject(kPositionLimit, "position would reach " + worst.to_string() + ", limit " +
                                        sl.position_limit->to_string());
  }

  if (in.open_orders >= limits.max_open_orders)
    return reject(kMaxOpenOrders, std::to_string(in.open_orders) + " orders open, limit " +
                                      std::to_string(limits.max_open_orders));
  if (limits.max_orders_per_second > 0 && in.orders_in_last_second >= limits.max_orders_per_second)
    return reject(kOrderRate, std::to_string(in.orders_in_last_second) +
                                  " orders in the last second, limit " +
                                  std::to_string(limits.max_orders_per_second));

  if (limits.check_balance && notional) {
    if (order.side == Side::kBuy && in.available_quote) {
      Money need = *notional + Decimal::divide(*notional * Decimal::from_int(limits.commission_bps),
                                               Decimal::from_int(10000), 8);
      if (need > *in.available_quote)
        return reject(kInsufficientBalance, "buy needs " + need.to_string() + " " +
                                                std::string(order.symbol.quote()) + ", available " +
                                                in.available_quote->to_string());
    }
    if (order.side == Side::kSell && !limits.allow_short && in.available_base &&
        order.quantity > *in.available_base)
      return reject(kInsufficientBalance, "sell needs " + order.quantity.to_string() + " " +
                                              std::string(order.symbol.base()) + ", available " +
                                              in.available_base->to_string());
  }
  return std::nullopt;
}

}  // namespace at::engine
