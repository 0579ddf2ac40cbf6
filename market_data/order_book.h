// OrderBook: a price-level (L2) book of one symbol, built from depth snapshots and updates,
// answering top of book.
//
// set() replaces the quantity at a level; quantity 0 removes it (Binance depth semantics).
// A level set on one side removes the opposite side's levels that it crosses: they are stale
// (an update stream joined to an older snapshot can leave them behind), and a crossed book
// would hand the paper venue impossible prices.
//
// Thread-safety: none; a value type.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "market_data/types.h"

namespace at::md {

class OrderBook {
 public:
  explicit OrderBook(Symbol symbol = {}) : symbol_(std::move(symbol)) {}

  void set(Side side, const Price& price, const Quantity& quantity);
  void clear();

  bool two_sided() const { return !bids_.empty() && !asks_.empty(); }
  std::optional<std::pair<Price, Quantity>> best_bid() const;
  std::optional<std::pair<Price, Quantity>> best_ask() const;
  // Top of book as a Quote stamped ts_ns; nullopt unless both sides have a level.
  std::optional<Quote> top(std::int64_t ts_ns) const;
  // Up to n levels of one side, best first.
  std::vector<std::pair<Price, Quantity>> levels(Side side, std::size_t n) const;
  std::size_t depth(Side side) const { return side == Side::kBuy ? bids_.size() : asks_.size(); }
  const Symbol& symbol() const { return symbol_; }

 private:
  Symbol symbol_;
  std::map<Price, Quantity, std::greater<>> bids_;
  std::map<Price, Quantity> asks_;
};

}  // namespace at::md
