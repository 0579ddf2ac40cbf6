// OpenOrderTotals: what pre-trade risk needs to know about the open orders, kept as running
// totals while orders change, so that a risk check costs the same with 10 or 10,000 orders
// open (it used to scan every open order per decision).
//
// The engine removes an order's contribution just before an event about it is applied and adds
// it back just after, if the order is still open; after recovery it rebuilds the totals from
// the open orders. fill() then answers exactly what the scan answered — the same values, and
// the same decimal scales, so rejection details print the same text: sums of exact decimals
// are exact, and each sum is printed at the largest scale among the orders it currently holds
// (the scale a fresh sum over those orders would have).
//
// Thread-safety: none (the engine thread's). Ownership: holds copies of keys, no pointers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "domain/decimal.h"
#include "domain/events.h"
#include "domain/order.h"
#include "domain/symbol.h"
#include "engine/risk.h"

namespace at::engine {

// A sum of exact decimals that can be taken apart again: remove(x) undoes add(x) exactly.
// value() has the scale a fresh sum of the current terms would have.
class ExactSum {
 public:
  void add(const Decimal& d);
  void remove(const Decimal& d);
  bool empty() const { return terms_ == 0; }
  // Largest scale among the current terms (0 when empty).
  int max_scale() const;
  Decimal value() const;

 private:
  Decimal sum_;
  std::array<std::uint32_t, Decimal::kMaxScale + 1> by_scale_{};
  std::uint64_t terms_ = 0;
};

// What the running totals stand for, by scanning: the same fields as OpenOrderTotals::fill()
// from every open order that `for_each_open` visits (it calls its argument once per order).
// The engine falls back to it when fill() cannot answer exactly; tests check fill() against it.
void scan_open_orders(
    RiskInput& in, const OrderRequested& order,
    const std::function<void(const std::function<void(const Order&)>&)>& for_each_open,
    const std::map<Symbol, Price>& marks, const std::optional<Money>& quote_balance,
    const std::optional<Money>& base_balance);

class OpenOrderTotals {
 public:
  void clear() { *this = OpenOrderTotals(); }
  // `o` must be open; remove() must see it as add() did (the engine calls both around apply).
  void add(const Order& o) { update(o, +1); }
  void remove(const Order& o) { update(o, -1); }
  std::size_t size() const { return open_; }

  // Sets in.open_orders, open_buy_quantity, open_sell_quantity, duplicate_open, and
  // available_quote / available_base (the balance minus what open orders of the account
  // reserve; left unset when the balance is nullopt) for `order`. Returns false, having set
  // nothing, when the exact answer needs a product beyond 18 decimal places (a market buy's
  // remaining quantity times a mark): the caller then scans the open orders, which rounds
  // each product as it always did.
  bool fill(RiskInput& in, const OrderRequested& order, const std::map<Symbol, Price>& marks,
            const std::optional<Money>& quote_balance,
            const std::optional<Money>& base_balance) const;

 private:
  // What makes two orders identical for the duplicate check.
  using DupKey = std::tuple<std::string, Symbol, Side, OrderType, Quantity, std::optional<Price>,
                            std::optional<Price>>;
  struct SideSums {
    ExactSum buy, sell;
  };
  template <typename V>
  using ByName = std::map<std::string, V, std::less<>>;

  void update(const Order& o, int sign);

  std::size_t open_ = 0;
  std::map<Symbol, SideSums> by_symbol_;  // remaining quantity per side, every account
  std::map<DupKey, std::uint32_t> identical_;
  // Per account and quote asset: open buys with a limit or stop price (remaining x price) ...
  ByName<ByName<ExactSum>> priced_buys_;
  // ... and those without one (remaining, per symbol), valued at the mark when asked.
  ByName<ByName<std::map<Symbol, ExactSum>>> unpriced_buys_;
  // Per account and base asset: remaining quantity of open sells.
  ByName<ByName<ExactSum>> sells_;
};

}  // namespace at::engine
