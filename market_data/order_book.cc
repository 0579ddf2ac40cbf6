#include "market_data/order_book.h"

namespace at::md {

void OrderBook::set(Side side, const Price& price, const Quantity& quantity) {
  if (side == Side::kBuy) {
    if (quantity.is_zero()) {
      bids_.erase(price);
      return;
    }
    bids_[price] = quantity;
    while (!asks_.empty() && asks_.begin()->first <= price) asks_.erase(asks_.begin());
  } else {
    if (quantity.is_zero()) {
      asks_.erase(price);
      return;
    }
    asks_[price] = quantity;
    while (!bids_.empty() && bids_.begin()->first >= price) bids_.erase(bids_.begin());
  }
}

void OrderBook::clear() {
  bids_.clear();
  asks_.clear();
}

std::optional<std::pair<Price, Quantity>> OrderBook::best_bid() const {
  if (bids_.empty()) return std::nullopt;
  return *bids_.begin();
}

std::optional<std::pair<Price, Quantity>> OrderBook::best_ask() const {
  if (asks_.empty()) return std::nullopt;
  return *asks_.begin();
}

std::optional<Quote> OrderBook::top(std::int64_t ts_ns) const {
  if (!two_sided()) return std::nullopt;
  const auto& [bp, bq] = *bids_.begin();
  const auto& [ap, aq] = *asks_.begin();
  return Quote{symbol_, bp, ap, bq, aq, ts_ns};
}

std::vector<std::pair<Price, Quantity>> OrderBook::levels(Side side, std::size_t n) const {
  std::vector<std::pair<Price, Quantity>> out;
  auto take = [&](const auto& m) {
    for (const auto& kv : m) {
      if (out.size() >= n) break;
      out.push_back(kv);
    }
  };
  if (side == Side::kBuy)
    take(bids_);
  else
    take(asks_);
  return out;
}

}  // namespace at::md
