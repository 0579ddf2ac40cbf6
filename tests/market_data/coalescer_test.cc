#include "market_data/coalescer.h"

#include <gtest/gtest.h>

#include "market_data/order_book.h"

namespace at::md {
namespace {

Quote q(const char* sym, const char* bid, const char* ask, std::int64_t ts) {
  return Quote{Symbol::of(sym),   Price::of(bid),    Price::of(ask),
               Quantity::of("1"), Quantity::of("1"), ts};
}

TEST(QuoteCoalescer, KeepsOnlyTheLatestQuotePerSymbol) {
  QuoteCoalescer c;
  c.update(q("BTC-USDT", "1.00", "1.01", 1));
  c.update(q("BTC-USDT", "1.02", "1.03", 2));
  c.update(q("AAPL", "190.00", "190.01", 3));
  ASSERT_NE(c.find(Symbol::of("BTC-USDT")), nullptr);
  EXPECT_EQ(c.find(Symbol::of("BTC-USDT"))->bid.to_string(), "1.02");
  EXPECT_EQ(c.find(Symbol::of("EUR-USD")), nullptr);
  EXPECT_EQ(c.coalesced_count(), 1u);
}

TEST(QuoteCoalescer, DrainGivesEachChangedSymbolOnceInSymbolOrder) {
  QuoteCoalescer c;
  c.update(q("BTC-USDT", "1.00", "1.01", 1));
  c.update(q("AAPL", "190.00", "190.01", 2));
  c.update(q("BTC-USDT", "1.02", "1.03", 3));
  auto d = c.drain_changed();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].symbol.str(), "AAPL");
  EXPECT_EQ(d[1].symbol.str(), "BTC-USDT");
  EXPECT_EQ(d[1].bid.to_string(), "1.02");
  EXPECT_FALSE(c.has_changes());
  EXPECT_TRUE(c.drain_changed().empty());
  c.update(q("AAPL", "190.01", "190.02", 4));
  d = c.drain_changed();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].symbol.str(), "AAPL");
  EXPECT_EQ(c.size(), 2u);  // find() still knows both
}

TEST(QuoteCoalescer, IgnoresAQuoteOlderThanTheStoredOne) {
  QuoteCoalescer c;
  c.update(q("AAPL", "190.00", "190.01", 10));
  c.drain_changed();
  EXPECT_FALSE(c.update(q("AAPL", "189.00", "189.01", 9)));
  EXPECT_EQ(c.find(Symbol::of("AAPL"))->bid.to_string(), "190.00");
  EXPECT_FALSE(c.has_changes());
  EXPECT_EQ(c.stale_count(), 1u);
  EXPECT_TRUE(c.update(q("AAPL", "190.05", "190.06", 10)));  // same time: newer arrival wins
}

TEST(OrderBook, ZeroQuantityDeletesAndCrossingLevelsAreRemoved) {
  OrderBook b(Symbol::of("BTC-USDT"));
  b.set(Side::kBuy, Price::of("100"), Quantity::of("1"));
  EXPECT_FALSE(b.top(0));
  b.set(Side::kSell, Price::of("102"), Quantity::of("2"));
  b.set(Side::kSell, Price::of("101"), Quantity::of("3"));
  auto t = b.top(5);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ask.to_string(), "101");
  EXPECT_EQ(t->ask_size.to_string(), "3");
  b.set(Side::kSell, Price::of("101"), Quantity::of("0"));
  EXPECT_EQ(b.best_ask()->first.to_string(), "102");
  b.set(Side::kBuy, Price::of("102.5"), Quantity::of("1"));  // removes the stale ask at 102
  EXPECT_EQ(b.depth(Side::kSell), 0u);
  EXPECT_EQ(b.levels(Side::kBuy, 5).size(), 2u);
  EXPECT_EQ(b.levels(Side::kBuy, 5)[0].first.to_string(), "102.5");
}

}  // namespace
}  // namespace at::md
