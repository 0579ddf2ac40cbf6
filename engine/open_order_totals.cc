#include "engine/open_order_totals.h"

#include <stdexcept>

namespace at::engine {
namespace {

template <typename Map>
auto& slot(Map& m, std::string_view key) {
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), typename Map::mapped_type{}).first;
  return it->second;
}

template <typename Map>
const typename Map::mapped_type* find(const Map& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

void apply(ExactSum& s, const Decimal& d, int sign) {
  if (sign > 0)
    s.add(d);
  else
    s.remove(d);
}

}  // namespace

void ExactSum::add(const Decimal& d) {
  sum_ += d;
  ++by_scale_[static_cast<std::size_t>(d.scale())];
  ++terms_;
}

void ExactSum::remove(const Decimal& d) {
  auto& n = by_scale_[static_cast<std::size_t>(d.scale())];
  if (n == 0 || terms_ == 0)
    throw std::logic_error("ExactSum: removing " + d.to_string() + ", never added");
  sum_ -= d;
  --n;
  --terms_;
  if (terms_ == 0) sum_ = Decimal();
}

int ExactSum::max_scale() const {
  for (int s = Decimal::kMaxScale; s > 0; --s)
    if (by_scale_[static_cast<std::size_t>(s)] != 0) return s;
  return 0;
}

Decimal ExactSum::value() const {
  // Every term is a multiple of 10^-max_scale, so is the sum: rescaling drops only zeros.
  return sum_.rescaled(max_scale());
}

void OpenOrderTotals::update(const Order& o, int sign) {
  if (sign > 0) {
    ++open_;
  } else {
    if (open_ == 0) throw std::logic_error("OpenOrderTotals: removing from an empty book");
    --open_;
  }
  const Quantity rem = o.remaining();
  SideSums& sides = by_symbol_[o.symbol];
  apply(o.side == Side::kBuy ? sides.buy : sides.sell, rem, sign);

  DupKey key{o.account, o.symbol, o.side, o.type, o.quantity, o.limit_price, o.stop_price};
  if (sign > 0) {
    ++identical_[key];
  } else if (auto it = identical_.find(key); it != identical_.end() && --it->second == 0) {
    identical_.erase(it);
  }

  if (o.side == Side::kBuy) {
    if (o.limit_price || o.stop_price) {
      const Price& px = o.limit_price ? *o.limit_price : *o.stop_price;
      apply(slot(slot(priced_buys_, o.account), o.symbol.quote()), rem * px, sign);
    } else {
      apply(slot(slot(unpriced_buys_, o.account), o.symbol.quote())[o.symbol], rem, sign);
    }
  } else {
    apply(slot(slot(sells_, o.account), o.symbol.base()), rem, sign);
  }
}

bool OpenOrderTotals::fill(RiskInput& in, const OrderRequested& order,
                           const std::map<Symbol, Price>& marks,
                           const std::optional<Money>& quote_balance,
                           const std::optional<Money>& base_balance) const {
  Money reserved_quote;
  if (const auto* acct = find(priced_buys_, order.account))
    if (const auto* s = find(*acct, order.symbol.quote())) reserved_quote += s->value();
  if (const auto* acct = find(unpriced_buys_, order.account))
    if (const auto* per_symbol = find(*acct, order.symbol.quote()))
      for (const auto& [symbol, s] : *per_symbol) {
        if (s.empty()) continue;
        auto m = marks.find(symbol);
        if (m == marks.end()) continue;  // no price: the scan reserves nothing for them either
        // Exact only while no product needs rounding (the scan rounds each one).
        if (s.max_scale() + m->second.scale() > Decimal::kMaxScale) return false;
        reserved_quote += s.value() * m->second;
      }
  Quantity reserved_base;
  if (const auto* acct = find(sells_, order.account))
    if (const auto* s = find(*acct, order.symbol.base())) reserved_base += s->value();

  in.open_orders = static_cast<int>(open_);
  if (auto it = by_symbol_.find(order.symbol); it != by_symbol_.end()) {
    in.open_buy_quantity += it->second.buy.value();
    in.open_sell_quantity += it->second.sell.value();
  }
  in.duplicate_open =
      identical_.count(DupKey{order.account, order.symbol, order.side, order.type, order.quantity,
                              order.limit_price, order.stop_price}) != 0;
  if (quote_balance) in.available_quote = *quote_balance - reserved_quote;
  if (base_balance) in.available_base = *base_balance - reserved_base;
  return true;
}

void scan_open_orders(
    RiskInput& in, const OrderRequested& o,
    const std::function<void(const std::function<void(const Order&)>&)>& for_each_open,
    const std::map<Symbol, Price>& marks, const std::optional<Money>& quote_balance,
    const std::optional<Money>& base_balance) {
  Money reserved_quote;
  Quantity reserved_base;
  for_each_open([&](const Order& x) {
    ++in.open_orders;
    if (x.symbol == o.symbol) {
      if (x.side == Side::kBuy)
        in.open_buy_quantity += x.remaining();
      else
        in.open_sell_quantity += x.remaining();
      if (x.side == o.side && x.type == o.type && x.quantity == o.quantity &&
          x.limit_price == o.limit_price && x.stop_price == o.stop_price && x.account == o.account)
        in.duplicate_open = true;
    }
    if (x.account != o.account) return;
    if (x.side == Side::kBuy && x.symbol.quote() == o.symbol.quote()) {
      OrderRequested priced;  // reference_price reads only these two
      priced.limit_price = x.limit_price;
      priced.stop_price = x.stop_price;
      auto mark = marks.find(x.symbol);
      auto px = reference_price(
          priced, mark != marks.end() ? std::optional<Price>(mark->second) : std::nullopt);
      if (px) reserved_quote += x.remaining() * *px;
    }
    if (x.side == Side::kSell && x.symbol.base() == o.symbol.base()) reserved_base += x.remaining();
  });
  if (quote_balance) in.available_quote = *quote_balance - reserved_quote;
  if (base_balance) in.available_base = *base_balance - reserved_base;
}

}  // namespace at::engine
