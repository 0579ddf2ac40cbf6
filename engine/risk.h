// Pre-trade risk: a pure function from (limits, a snapshot of state, the order) to either
// "pass" or a rejection with a machine-readable reason (domain risk_reasons) and the numbers.
// The engine gathers the snapshot from its live projections; tests build it directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "domain/decimal.h"
#include "domain/events.h"
#include "domain/symbol.h"

namespace at::engine {

struct SymbolLimits {
  std::optional<Quantity> max_order_quantity;
  std::optional<Money> max_notional;       // per order, in the quote asset
  std::optional<Quantity> position_limit;  // |position| after the order, incl. open orders
};

struct RiskLimits {
  SymbolLimits defaults;
  std::map<Symbol, SymbolLimits> per_symbol;
  std::optional<std::int64_t> price_collar_bps;  // limit price within this of the last mark
  int max_open_orders = 100;                     // oms.max_open_orders
  int max_orders_per_second = 0;                 // 0 = no throttle
  bool check_balance = true;                     // buying power for buys
  bool allow_short = true;                       // sells beyond the long position
  std::int64_t commission_bps = 0;               // reserved on top of a buy's notional
  bool require_mark_for_market = true;           // a market order needs a price to size risk

  const SymbolLimits& for_symbol(const Symbol& s) const;
};

struct RiskInput {
  TradingState trading_state = TradingState::kActive;
  std::optional<Price> mark;
  const InstrumentRules* rules = nullptr;  // nullptr: unknown at the venue
  Quantity position;                       // signed position of (account, symbol)
  Quantity open_buy_quantity;              // remaining quantity of open buys on the symbol
  Quantity open_sell_quantity;
  int open_orders = 0;                     // all open orders of the engine
  std::optional<Money> available_quote;    // free quote balance minus what open buys reserve
  std::optional<Quantity> available_base;  // free base balance minus what open sells reserve
  int orders_in_last_second = 0;
  bool duplicate_open = false;  // an identical order (symbol, side, type, qty, prices) is open
};

struct RiskRejection {
  std::string reason;  // risk_reasons::k...
  std::string detail;
};

// The price used to value an order: its limit price, else its stop price, else the mark.
std::optional<Price> reference_price(const OrderRequested& order, const std::optional<Price>& mark);
// True when the order can only shrink |position| (REDUCING state), given open orders too.
bool reduces_exposure(const OrderRequested& order, const RiskInput& in);

std::optional<RiskRejection> check_risk(const RiskLimits& limits, const RiskInput& in,
                                        const OrderRequested& order);

}  // namespace at::engine
