#include "engine/open_order_totals.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace at::engine {
namespace {

// The reference: a scan of every open order (what the engine computed before the totals).
RiskInput scan(const std::vector<Order>& open, const OrderRequested& o,
               const std::map<Symbol, Price>& marks, const std::optional<Money>& quote_balance,
               const std::optional<Money>& base_balance) {
  RiskInput in;
  scan_open_orders(
      in, o,
      [&](const auto& visit) {
        for (const Order& x : open) visit(x);
      },
      marks, quote_balance, base_balance);
  return in;
}

bool same(const std::optional<Decimal>& a, const std::optional<Decimal>& b) {
  return a.has_value() == b.has_value() && (!a || a->identical(*b));
}

void expect_same(const RiskInput& a, const RiskInput& b) {
  EXPECT_EQ(a.open_orders, b.open_orders);
  EXPECT_TRUE(a.open_buy_quantity.identical(b.open_buy_quantity))
      << a.open_buy_quantity.to_string() << " vs " << b.open_buy_quantity.to_string();
  EXPECT_TRUE(a.open_sell_quantity.identical(b.open_sell_quantity))
      << a.open_sell_quantity.to_string() << " vs " << b.open_sell_quantity.to_string();
  EXPECT_EQ(a.duplicate_open, b.duplicate_open);
  EXPECT_TRUE(same(a.available_quote, b.available_quote))
      << (a.available_quote ? a.available_quote->to_string() : "-") << " vs "
      << (b.available_quote ? b.available_quote->to_string() : "-");
  EXPECT_TRUE(same(a.available_base, b.available_base));
}

struct Gen {
  std::mt19937_64 rng{7};
  int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  Decimal dec(int max_units, int scale) {
    return Decimal::from_raw(static_cast<Decimal::Int>(1 + pick(max_units)), scale);
  }
  Order order() {
    static const char* kSymbols[] = {"BTC-USDT", "ETH-USDT", "ETH-BTC", "AAPL"};
    Order o;
    o.account = pick(3) == 0 ? "b" : "a";
    o.symbol = Symbol::of(kSymbols[pick(4)]);
    o.side = pick(2) ? Side::kBuy : Side::kSell;
    o.type = static_cast<OrderType>(pick(6));
    o.quantity = dec(50, pick(9));
    if (pick(2)) o.limit_price = dec(100000, pick(4));
    if (pick(4) == 0) o.stop_price = dec(100000, pick(3));
    return o;
  }
};

TEST(OpenOrderTotals, AnswerWhatAScanOfTheOpenOrdersAnswers) {
  Gen g;
  OpenOrderTotals totals;
  std::vector<Order> open;
  std::map<Symbol, Price> marks{{Symbol::of("BTC-USDT"), Decimal::of("50000.25")},
                                {Symbol::of("ETH-BTC"), Decimal::of("0.05123")}};
  const std::optional<Money> quote_balance = Decimal::of("1000000.5");
  const std::optional<Money> base_balance = Decimal::of("12.000");
  for (int step = 0; step < 3000; ++step) {
    int what = open.empty() ? 0 : g.pick(4);
    if (what <= 1) {  // a new order, sometimes identical to an open one
      Order o = g.order();
      if (!open.empty() && g.pick(5) == 0)
        o = open[static_cast<std::size_t>(g.pick(static_cast<int>(open.size())))];
      totals.add(o);
      open.push_back(o);
    } else {
      auto i = static_cast<std::size_t>(g.pick(static_cast<int>(open.size())));
      totals.remove(open[i]);
      if (what == 2 && open[i].remaining() > Decimal::from_raw(1, 9)) {  // a partial fill
        open[i].filled_quantity += Decimal::from_raw(1, 9);
        totals.add(open[i]);
      } else {  // the order ends
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    OrderRequested probe;
    Order like = open.empty() || g.pick(2)
                     ? g.order()
                     : open[static_cast<std::size_t>(g.pick(static_cast<int>(open.size())))];
    probe.account = like.account;
    probe.symbol = like.symbol;
    probe.side = like.side;
    probe.type = like.type;
    probe.quantity = like.quantity;
    probe.limit_price = like.limit_price;
    probe.stop_price = like.stop_price;
    RiskInput got;
    ASSERT_TRUE(totals.fill(got, probe, marks, quote_balance, base_balance));
    expect_same(got, scan(open, probe, marks, quote_balance, base_balance));
    if (::testing::Test::HasFailure()) FAIL() << "at step " << step;
  }
  EXPECT_EQ(totals.size(), open.size());
}

TEST(OpenOrderTotals, EmptyTotalsPrintAsAFreshSum) {
  OpenOrderTotals totals;
  Order o;
  o.account = "a";
  o.symbol = Symbol::of("BTC-USDT");
  o.side = Side::kSell;
  o.quantity = Decimal::of("0.123456789");
  totals.add(o);
  totals.remove(o);
  OrderRequested probe;
  probe.account = "a";
  probe.symbol = o.symbol;
  probe.side = Side::kSell;
  probe.quantity = Decimal::of("1");
  RiskInput in;
  ASSERT_TRUE(totals.fill(in, probe, {}, std::nullopt, Decimal::of("2")));
  EXPECT_EQ(in.open_sell_quantity.to_string(), "0");
  EXPECT_EQ(in.available_base->to_string(), "2");
  EXPECT_EQ(in.open_orders, 0);
}

TEST(OpenOrderTotals, DeclineWhenAMarketBuyTimesTheMarkNeedsRounding) {
  OpenOrderTotals totals;
  Order o;
  o.account = "a";
  o.symbol = Symbol::of("BTC-USDT");
  o.side = Side::kBuy;
  o.type = OrderType::kMarket;
  o.quantity = Decimal::of("0.000000000001");  // 12 places
  totals.add(o);
  OrderRequested probe;
  probe.account = "a";
  probe.symbol = o.symbol;
  probe.quantity = Decimal::of("1");
  RiskInput in;
  EXPECT_FALSE(totals.fill(in, probe, {{o.symbol, Decimal::of("50000.0000001")}}, Decimal::of("10"),
                           std::nullopt));  // 12 + 7 > 18
  EXPECT_TRUE(totals.fill(in, probe, {{o.symbol, Decimal::of("50000.01")}}, Decimal::of("10"),
                          std::nullopt));
}

}  // namespace
}  // namespace at::engine
