#include "projections/positions.h"

#include <gtest/gtest.h>

#include "projections/balances.h"
#include "tests/projections/builders.h"

namespace at::projections {
namespace {

using testing::D;
using testing::Script;

// Applies only the fills and marks of a script (every fill counts: no OMS in front).
Positions run(const Script& s) {
  Positions p;
  for (const Envelope& e : s.envelopes) p.apply(e);
  return p;
}

const Position& pos(const Positions& p, const char* symbol = "BTC-USDT") {
  const Position* x = p.find("main", Symbol::of(symbol));
  EXPECT_NE(x, nullptr);
  return *x;
}

TEST(Positions, AddingAveragesTheEntryPrice) {
  Script s;
  s.request("a", Side::kBuy, "1", "100");
  s.request("b", Side::kBuy, "1", "102");
  s.fill("a", "t1", "1", "100");
  s.fill("b", "t2", "1", "102");
  Positions p = run(s);
  EXPECT_EQ(pos(p).quantity, D("2"));
  EXPECT_EQ(pos(p).cost_basis, D("202"));
  EXPECT_EQ(pos(p).average_price().to_string(), "101.00000000");
  EXPECT_TRUE(pos(p).realized_pnl.is_zero());
}

TEST(Positions, FlipFromLongToShortRealizesTheLongAndOpensTheRestAtTheFillPrice) {
  Script s;
  s.request("a", Side::kBuy, "2", "101");
  s.request("b", Side::kSell, "3", "105");
  s.request("c", Side::kBuy, "1", "100");
  s.fill("a", "t1", "1", "100");
  s.fill("a", "t2", "1", "102");
  s.fill("b", "t3", "3", "105");
  Positions p = run(s);
  EXPECT_EQ(pos(p).quantity, D("-1"));
  EXPECT_EQ(pos(p).realized_pnl, D("8"));  // 2 x 105 - 202
  EXPECT_EQ(pos(p).cost_basis, D("-105"));
  EXPECT_EQ(pos(p).average_price().to_string(), "105.00000000");
  EXPECT_EQ(pos(p).unrealized_pnl(D("103")), D("2"));  // short 1 from 105, mark 103

  // Buy back the short at 100: +5, flat, cost basis exactly zero.
  s.fill("c", "t4", "1", "100");
  p = run(s);
  EXPECT_TRUE(pos(p).quantity.is_zero());
  EXPECT_EQ(pos(p).realized_pnl, D("13"));
  EXPECT_TRUE(pos(p).cost_basis.is_zero());
  EXPECT_EQ(pos(p).bought, D("3"));
  EXPECT_EQ(pos(p).sold, D("3"));
}

TEST(Positions, PartialClosesWithAnInexactAverageSumToTheExactTotal) {
  Script s;
  s.request("a", Side::kBuy, "3", "3");
  s.request("b", Side::kSell, "3", "4");
  s.fill("a", "t1", "1", "3");
  s.fill("a", "t2", "2", "3.5");  // cost 10 for 3: average 3.333...
  s.fill("b", "t3", "1", "4");
  Positions p = run(s);
  EXPECT_EQ(pos(p).realized_pnl.to_string(), "0.66666667");  // 4 - 3.33333333
  EXPECT_EQ(pos(p).cost_basis.to_string(), "6.66666667");
  s.fill("b", "t4", "2", "4");
  p = run(s);
  EXPECT_EQ(pos(p).realized_pnl, D("2"));  // 12 - 10, exactly, once flat
  EXPECT_TRUE(pos(p).quantity.is_zero());
}

TEST(Positions, EightDecimalCryptoPricesStayExact) {
  Script s;
  s.request("a", Side::kBuy, "1.5", "0.05123456", "ETH-BTC");
  s.request("b", Side::kSell, "0.5", "0.05200000", "ETH-BTC");
  s.fill("a", "t1", "1.5", "0.05123456", "0.00000750", "BNB");
  s.fill("b", "t2", "0.5", "0.05200000", "0.00002600", "BTC");
  s.mark("ETH-BTC", "0.05000001");
  Positions p = run(s);
  const Position& x = pos(p, "ETH-BTC");
  EXPECT_EQ(x.quantity, D("1.0"));
  EXPECT_EQ(x.cost_basis, D("0.05123456"));
  EXPECT_EQ(x.realized_pnl, D("0.00038272"));  // 0.026 - 0.07685184 / 3
  EXPECT_EQ(x.commissions.at("BNB"), D("0.0000075"));
  EXPECT_EQ(x.commissions.at("BTC"), D("0.000026"));
  ASSERT_TRUE(p.unrealized_pnl(x).has_value());
  EXPECT_EQ(*p.unrealized_pnl(x), D("-0.00123455"));  // 1.0 x 0.05000001 - 0.05123456
  EXPECT_EQ(p.mark(Symbol::of("ETH-BTC"))->price.to_string(), "0.05000001");
}

TEST(Positions, ShortFirstThenPartialCover) {
  Script s;
  s.request("a", Side::kSell, "2", "50");
  s.request("b", Side::kBuy, "1", "40");
  s.fill("a", "t1", "2", "50");
  s.fill("b", "t2", "1", "40");
  Positions p = run(s);
  EXPECT_EQ(pos(p).quantity, D("-1"));
  EXPECT_EQ(pos(p).realized_pnl, D("10"));
  EXPECT_EQ(pos(p).cost_basis, D("-50"));
  EXPECT_FALSE(p.unrealized_pnl(pos(p)).has_value());  // no mark yet
}

TEST(Positions, AccountsAndSymbolsAreSeparate) {
  Script s;
  s.request("a", Side::kBuy, "1", "10", "BTC-USDT", "", "", "alpha");
  s.request("b", Side::kBuy, "1", "10", "BTC-USDT", "", "", "beta");
  s.fill("a", "t1", "1", "10");
  s.fill("b", "t2", "2", "10");
  Positions p = run(s);
  ASSERT_EQ(p.all().size(), 2u);
  EXPECT_EQ(p.find("alpha", Symbol::of("BTC-USDT"))->quantity, D("1"));
  EXPECT_EQ(p.find("beta", Symbol::of("BTC-USDT"))->quantity, D("2"));
  EXPECT_EQ(p.all().begin()->first.first, "alpha");
}

Balances run_balances(const Script& s) {
  Balances b;
  for (const Envelope& e : s.envelopes) b.apply(e);
  return b;
}

TEST(Balances, FillsMoveBaseAndQuoteAndChargeCommissionInItsAsset) {
  Script s;
  s.fund("USDT", "100000");
  s.fund("BNB", "1");
  s.request("a", Side::kBuy, "0.5", "43000.12345678");
  s.request("b", Side::kSell, "0.2", "44000");
  s.fill("a", "t1", "0.5", "43000.12345678", "0.001", "BNB");
  s.fill("b", "t2", "0.2", "44000", "8.8", "USDT");
  Balances b = run_balances(s);
  EXPECT_EQ(b.find("main", "BTC")->free, D("0.3"));
  // 100000 - 21500.06172839 + 8800 - 8.8
  EXPECT_EQ(b.find("main", "USDT")->free, D("87291.13827161"));
  EXPECT_EQ(b.find("main", "BNB")->free, D("0.999"));
}

TEST(Balances, VenueReportIsAbsoluteAndWins) {
  Script s;
  s.fund("USDT", "100");
  s.fund("USDT", "-30");
  s.add(BalanceUpdated{"main", "BTC", D("1.25"), D("0.5"), 0});
  s.add(BalanceUpdated{"main", "USDT", D("69.99"), D("0"), 0});
  Balances b = run_balances(s);
  EXPECT_EQ(b.find("main", "USDT")->free, D("69.99"));
  EXPECT_EQ(b.find("main", "BTC")->total(), D("1.75"));
  EXPECT_EQ(b.find("main", "ETH"), nullptr);
}

TEST(Balances, EquityFillsSettleInUsd) {
  Script s;
  s.request("a", Side::kBuy, "10", "189.25", "AAPL");
  s.fill("a", "t1", "10", "189.25", "1", "USD");
  Balances b = run_balances(s);
  EXPECT_EQ(b.find("main", "AAPL")->free, D("10"));
  EXPECT_EQ(b.find("main", "USD")->free, D("-1893.5"));
}

}  // namespace
}  // namespace at::projections
