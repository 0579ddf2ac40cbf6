// The engine's questions to the live projections, in one place: the engine reads projections
// only through these functions, so the rest of engine.cc does not depend on their layout.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/order.h"
#include "projections/projections.h"

namespace at::engine::view {

const Order* find_order(const projections::Projections& s, const ClientOrderId& id);
// The order's intent as journaled (OrderRequested rebuilt from the OMS record).
std::optional<OrderRequested> order_request(const projections::Projections& s,
                                            const ClientOrderId& id);
// Whether an OrderSent was journaled for the order (it may have reached the venue).
bool was_sent(const projections::Projections& s, const ClientOrderId& id);
void for_each_open_order(const projections::Projections& s,
                         const std::function<void(const Order&)>& f);
Quantity position(const projections::Projections& s, const std::string& account,
                  const Symbol& symbol);
void for_each_position(const projections::Projections& s,
                       const std::function<void(const std::string&, const Symbol&, Quantity)>& f);
// free + locked of (account, asset); nullopt when never seen.
std::optional<Money> balance(const projections::Projections& s, const std::string& account,
                             const std::string& asset);
TradingState trading_state(const projections::Projections& s);
// Whether the order already has a fill with this trade id (fills are deduplicated per order).
bool fill_seen(const projections::Projections& s, const ClientOrderId& order, const TradeId& id);
bool dead_letter_open(const projections::Projections& s, const ClientOrderId& id);
std::string dead_letter_operation(const projections::Projections& s, const ClientOrderId& id);
// Realized + unrealized P&L over every position (marks: the engine's latest).
Money total_pnl(const projections::Projections& s, const std::map<Symbol, Price>& marks);
bool instrument_known(const projections::Projections& s, std::string_view venue,
                      const InstrumentRules& rules);

}  // namespace at::engine::view
