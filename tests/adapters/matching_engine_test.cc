#include "adapters/paper/matching_engine.h"

#include <gtest/gtest.h>

#include <sstream>

namespace at::paper {
namespace {

Decimal D(std::string_view s) { return Decimal::of(s); }
const Symbol kBtc = Symbol::of("BTC-USDT");

struct Recorder : EngineListener {
  std::vector<ExecutionReport> reports;
  std::vector<AccountUpdate> updates;
  void on_execution(const ExecutionReport& r) override { reports.push_back(r); }
  void on_account_update(const AccountUpdate& u) override { updates.push_back(u); }

  std::vector<Fill> fills(const std::string& coid = "") const {
    std::vector<Fill> out;
    for (const auto& r : reports)
      if (r.exec_type == ExecType::kTrade && (coid.empty() || r.order.client_order_id == coid))
        out.push_back(*r.fill);
    return out;
  }
  int count(ExecType t, const std::string& coid = "") const {
    int n = 0;
    for (const auto& r : reports)
      if (r.exec_type == t && (coid.empty() || r.order.client_order_id == coid)) ++n;
    return n;
  }
  // One line per report: what a determinism check compares.
  std::string transcript() const {
    std::ostringstream os;
    for (const auto& r : reports) {
      os << to_string(r.exec_type) << ' ' << r.order.order_id << ' ' << r.order.client_order_id
         << ' ' << to_string(r.order.status) << ' ' << r.order.executed_qty.to_string();
      if (r.fill)
        os << ' ' << r.fill->trade_id << ' ' << r.fill->price.to_string() << ' '
           << r.fill->quantity.to_string() << ' ' << r.fill->commission.to_string();
      os << ' ' << r.reason << '\n';
    }
    return os.str();
  }
};

EngineConfig Config(std::string_view slip = "0", std::string_view comm = "0") {
  EngineConfig c;
  c.slippage_bps = D(slip);
  c.commission_bps = D(comm);
  return c;
}

// An engine with BTC-USDT (tick 0.01, lot 0.001, min notional 10) and funded accounts A..D.
struct Bench {
  explicit Bench(EngineConfig cfg = Config()) : eng(cfg) {
    eng.set_listener(&rec);
    InstrumentRules r;
    r.symbol = kBtc;
    r.venue_symbol = "BTCUSDT";
    r.tick_size = D("0.01");
    r.lot_size = D("0.001");
    r.min_notional = D("10");
    eng.add_instrument(r);
    for (const char* a : {"A", "B", "C", "D"}) {
      eng.deposit(a, "USDT", D("100000"), t);
      eng.deposit(a, "BTC", D("10"), t);
    }
  }

  NewOrder limit(Side side, std::string_view qty, std::string_view px, std::string coid,
                 std::string account = "A", Tif tif = Tif::kGtc) {
    NewOrder n;
    n.account = std::move(account);
    n.symbol = kBtc;
    n.side = side;
    n.type = OrdType::kLimit;
    n.tif = tif;
    n.quantity = D(qty);
    n.price = D(px);
    n.client_order_id = std::move(coid);
    return n;
  }
  NewOrder market(Side side, std::string_view qty, std::string coid, std::string account = "A",
                  Tif tif = Tif::kGtc) {
    NewOrder n;
    n.account = std::move(account);
    n.symbol = kBtc;
    n.side = side;
    n.type = OrdType::kMarket;
    n.tif = tif;
    n.quantity = D(qty);
    n.client_order_id = std::move(coid);
    return n;
  }
  NewOrder stop(Side side, std::string_view qty, std::string_view stop_px,
                std::optional<std::string_view> limit_px, std::string coid) {
    NewOrder n = market(side, qty, std::move(coid));
    n.type = limit_px ? OrdType::kStopLossLimit : OrdType::kStopLoss;
    n.stop_price = D(stop_px);
    if (limit_px) n.price = D(*limit_px);
    return n;
  }

  PlaceResult place(const NewOrder& n) { return eng.place(n, ++t); }
  void quote(std::string_view bid, std::string_view ask, std::string_view bid_size = "0",
             std::string_view ask_size = "0") {
    md::Quote q{kBtc, D(bid), D(ask), D(bid_size), D(ask_size), ++t};
    eng.on_quote(q, t);
  }
  void trade(std::string_view px, std::string_view qty) {
    md::Trade tr{kBtc, D(px), D(qty), Side::kSell, ++t};
    eng.on_trade(tr, t);
  }
  Balance bal(const std::string& account, const std::string& asset) {
    return eng.balances(account)[asset];
  }
  OrderState order(const std::string& coid, const std::string& account = "A") {
    return *eng.find(account, coid);
  }

  MatchingEngine eng;
  Recorder rec;
  std::int64_t t = 1'000;
};

TEST(MatchingEngine, LimitOrderRestsUntilTheQuoteCrossesItThenFillsAtItsPriceAsMaker) {
  Bench b;
  b.quote("100.00", "101.00");
  auto r = b.place(b.limit(Side::kBuy, "1", "100.50", "o1"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.fills.empty());
  EXPECT_EQ(r.order.status, OrdStatus::kNew);
  b.quote("100.00", "100.60");
  EXPECT_TRUE(b.rec.fills("o1").empty());
  b.quote("100.00", "100.40");
  auto fills = b.rec.fills("o1");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].price, D("100.50"));
  EXPECT_EQ(fills[0].quantity, D("1"));
  EXPECT_TRUE(fills[0].maker);
  EXPECT_EQ(b.order("o1").status, OrdStatus::kFilled);
}

TEST(MatchingEngine, OwnOrdersMatchInPriceThenTimePriority) {
  Bench b;  // no external quote: only the book's own orders trade
  b.place(b.limit(Side::kSell, "1", "101.00", "a1", "A"));
  b.place(b.limit(Side::kSell, "1", "101.00", "b1", "B"));
  b.place(b.limit(Side::kSell, "1", "100.50", "c1", "C"));
  auto r = b.place(b.limit(Side::kBuy, "2.5", "101.00", "d1", "D"));
  ASSERT_EQ(r.fills.size(), 3u);
  EXPECT_EQ(r.fills[0].price, D("100.50"));  // better price first
  EXPECT_EQ(r.fills[1].price, D("101.00"));
  EXPECT_EQ(r.fills[1].quantity, D("1"));
  EXPECT_EQ(r.fills[2].quantity, D("0.5"));
  EXPECT_EQ(b.order("c1", "C").status, OrdStatus::kFilled);
  EXPECT_EQ(b.order("a1", "A").status, OrdStatus::kFilled);  // earlier at 101 fills first
  EXPECT_EQ(b.order("b1", "B").status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(b.order("b1", "B").executed_qty, D("0.5"));
  // Both sides of a trade share its id; makers are flagged.
  auto maker = b.rec.fills("a1");
  ASSERT_EQ(maker.size(), 1u);
  EXPECT_TRUE(maker[0].maker);
  EXPECT_EQ(maker[0].trade_id, r.fills[1].trade_id);
}

TEST(MatchingEngine, RestingOrderFillsOnlyAfterTheDisplayedSizeAheadHasTraded) {
  Bench b;
  b.quote("100.00", "101.00", "5", "5");
  b.place(b.limit(Side::kBuy, "1", "100.00", "o1"));  // joins behind 5 displayed
  b.trade("100.00", "3");
  EXPECT_TRUE(b.rec.fills("o1").empty());
  b.trade("100.00", "2");  // the 5 ahead are gone, nothing left for us
  EXPECT_TRUE(b.rec.fills("o1").empty());
  b.trade("100.00", "0.4");
  auto f = b.rec.fills("o1");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].quantity, D("0.4"));
  EXPECT_EQ(f[0].price, D("100.00"));
  b.trade("99.99", "0.001");  // a trade through the price fills the rest
  f = b.rec.fills("o1");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].quantity, D("0.6"));
  EXPECT_EQ(b.order("o1").status, OrdStatus::kFilled);
}

TEST(MatchingEngine, LaterOwnOrderAtTheSamePriceQueuesBehindTheEarlierOne) {
  Bench b;
  b.quote("100.00", "101.00", "5", "5");
  b.place(b.limit(Side::kBuy, "1", "100.00", "first", "A"));
  b.place(b.limit(Side::kBuy, "1", "100.00", "second", "B"));
  b.trade("100.00", "6.5");  // 5 external ahead, then 1 for "first", 0.5 for "second"
  EXPECT_EQ(b.order("first", "A").executed_qty, D("1"));
  EXPECT_EQ(b.order("second", "B").executed_qty, D("0.5"));
}

TEST(MatchingEngine, OrderJoiningBelowTheTouchGetsItsQueueWhenItsPriceBecomesTheTouch) {
  Bench b;
  b.quote("100.00", "101.00", "5", "5");
  b.place(b.limit(Side::kBuy, "1", "99.00", "deep"));
  b.trade("99.00", "10");  // its queue is unknown: no fill at the price
  EXPECT_TRUE(b.rec.fills("deep").empty());
  b.quote("99.00", "99.50", "2", "5");  // now the touch, 2 displayed ahead
  b.trade("99.00", "2.5");
  EXPECT_EQ(b.order("deep").executed_qty, D("0.5"));
}

TEST(MatchingEngine, MarketOrderWalksTheQuotedSizeThenFillsAsThePriceMoves) {
  Bench b;
  b.quote("99.00", "100.00", "1", "0.5");
  auto r = b.place(b.market(Side::kBuy, "1", "m1"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, D("100.00"));
  EXPECT_EQ(r.fills[0].quantity, D("0.5"));
  EXPECT_FALSE(r.fills[0].maker);
  EXPECT_EQ(r.order.status, OrdStatus::kPartiallyFilled);
  b.quote("100.00", "101.00", "1", "0.3");
  b.trade("102.00", "5");
  auto f = b.rec.fills("m1");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1].price, D("101.00"));
  EXPECT_EQ(f[1].quantity, D("0.3"));
  EXPECT_EQ(f[2].price, D("102.00"));
  EXPECT_EQ(f[2].quantity, D("0.2"));
  EXPECT_EQ(b.order("m1").status, OrdStatus::kFilled);
  EXPECT_EQ(b.order("m1").cumulative_quote_qty, D("50") + D("30.3") + D("20.4"));
}

TEST(MatchingEngine, SlippageAndCommissionAreExact) {
  Bench b(Config("5", "10"));
  b.quote("99.00", "100.00");  // sizes unknown: unlimited
  auto r = b.place(b.market(Side::kBuy, "2", "m1"));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, D("100.05"));       // 100 * (1 + 5/10000)
  EXPECT_EQ(r.fills[0].commission, D("0.2001"));  // 200.10 * 10/10000
  EXPECT_EQ(r.fills[0].commission_asset, "USDT");
  EXPECT_EQ(b.bal("A", "USDT").free, D("100000") - D("200.10") - D("0.2001"));
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  EXPECT_EQ(b.bal("A", "BTC").free, D("12"));

  auto s = b.place(b.market(Side::kSell, "1", "m2"));
  ASSERT_EQ(s.fills.size(), 1u);
  // 99 * (1 - 0.0005) = 98.9505, rounded down to the 0.01 tick against the seller.
  EXPECT_EQ(s.fills[0].price, D("98.95"));
  EXPECT_EQ(s.fills[0].commission, D("0.09895"));
  EXPECT_EQ(b.bal("A", "USDT").free,
            D("100000") - D("200.10") - D("0.2001") + D("98.95") - D("0.09895"));
}

TEST(MatchingEngine, MakerFillsPayCommissionWithoutSlippage) {
  Bench b(Config("5", "10"));
  b.quote("99.00", "101.00");
  b.place(b.limit(Side::kBuy, "1", "100.00", "o1"));
  // Lock: notional plus commission at the limit price.
  EXPECT_EQ(b.bal("A", "USDT").locked, D("100.1"));
  b.quote("99.00", "99.50");
  auto f = b.rec.fills("o1");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].price, D("100.00"));
  EXPECT_EQ(f[0].commission, D("0.1"));
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  EXPECT_EQ(b.bal("A", "USDT").free, D("100000") - D("100.1"));
}

TEST(MatchingEngine, IocFillsWhatItCanAndExpiresTheRest) {
  Bench b;
  b.quote("99.00", "100.00", "1", "1");
  auto r = b.place(b.limit(Side::kBuy, "3", "100.00", "ioc", "A", Tif::kIoc));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].quantity, D("1"));
  EXPECT_EQ(r.order.status, OrdStatus::kExpired);
  EXPECT_EQ(b.rec.count(ExecType::kExpired, "ioc"), 1);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  EXPECT_EQ(b.bal("A", "USDT").free, D("99900"));
}

TEST(MatchingEngine, FokIsAllOrNothing) {
  Bench b;
  b.quote("99.00", "100.00", "1", "1");
  auto r = b.place(b.limit(Side::kBuy, "3", "100.00", "fok1", "A", Tif::kFok));
  EXPECT_TRUE(r.fills.empty());
  EXPECT_EQ(r.order.status, OrdStatus::kExpired);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  auto r2 = b.place(b.limit(Side::kBuy, "1", "100.00", "fok2", "A", Tif::kFok));
  EXPECT_EQ(r2.order.status, OrdStatus::kFilled);
  ASSERT_EQ(r2.fills.size(), 1u);
}

TEST(MatchingEngine, StopMarketTriggersWhenTheLastTradeCrossesTheStop) {
  Bench b;
  b.quote("99.00", "101.00");  // mid 100
  auto r = b.place(b.stop(Side::kSell, "1", "95.00", std::nullopt, "stop"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.order.working);
  EXPECT_EQ(b.bal("A", "BTC").locked, D("1"));
  b.trade("96.00", "1");
  EXPECT_TRUE(b.rec.fills("stop").empty());
  b.quote("94.00", "96.00");  // mid 95: triggers, sells at the bid
  auto f = b.rec.fills("stop");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].price, D("94.00"));
  EXPECT_EQ(b.order("stop").status, OrdStatus::kFilled);
}

TEST(MatchingEngine, StopThatWouldTriggerAtOnceIsRejected) {
  Bench b;
  b.trade("100.00", "1");
  auto r = b.place(b.stop(Side::kBuy, "1", "99.00", std::nullopt, "s"));
  EXPECT_EQ(r.reject, Reject::kStopWouldTrigger);
  EXPECT_EQ(binance_code(r.reject), -2010);
  EXPECT_EQ(b.rec.count(ExecType::kRejected, "s"), 1);
}

TEST(MatchingEngine, StopLimitTriggersIntoALimitThatRestsIfNotMarketable) {
  Bench b;
  b.trade("100.00", "1");
  auto r = b.place(b.stop(Side::kBuy, "1", "105.00", "105.50", "sl"));
  ASSERT_TRUE(r.ok());
  b.quote("105.90", "106.10");  // mid 106 >= 105: triggers; ask 106.10 > limit 105.50: rests
  auto o = b.order("sl");
  EXPECT_TRUE(o.working);
  EXPECT_EQ(o.status, OrdStatus::kNew);
  EXPECT_TRUE(b.rec.fills("sl").empty());
  b.trade("105.40", "1");  // trades through its limit
  auto f = b.rec.fills("sl");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].price, D("105.50"));
}

TEST(MatchingEngine, PartialFillsAccumulateUntilFilled) {
  Bench b;
  b.quote("99.00", "101.00", "1", "1");
  b.place(b.limit(Side::kSell, "1", "101.00", "s1"));  // 1 ahead
  b.trade("101.00", "1.25");
  EXPECT_EQ(b.order("s1").status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(b.order("s1").executed_qty, D("0.25"));
  b.trade("101.00", "0.5");
  EXPECT_EQ(b.order("s1").executed_qty, D("0.75"));
  b.trade("101.00", "0.5");
  EXPECT_EQ(b.order("s1").status, OrdStatus::kFilled);
  EXPECT_EQ(b.order("s1").executed_qty, D("1"));
  EXPECT_EQ(b.rec.fills("s1").size(), 3u);
  EXPECT_EQ(b.bal("A", "BTC").free, D("9"));
  EXPECT_EQ(b.bal("A", "BTC").locked, D("0"));
}

TEST(MatchingEngine, OrdersTheAccountCannotPayForAreRejected) {
  Bench b;
  b.quote("99.00", "100.00");
  auto r = b.place(b.limit(Side::kBuy, "1011", "99.00", "big"));  // 100089 > 100000
  EXPECT_EQ(r.reject, Reject::kInsufficientBalance);
  EXPECT_EQ(binance_code(r.reject), -2010);
  EXPECT_EQ(message(r.reject), "Account has insufficient balance for requested action.");
  auto s = b.place(b.limit(Side::kSell, "11", "100.00", "short"));
  EXPECT_EQ(s.reject, Reject::kInsufficientBalance);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  EXPECT_FALSE(b.eng.find("A", "big"));
}

TEST(MatchingEngine, ShortSellingIsAllowedWhenConfigured) {
  EngineConfig c = Config();
  c.allow_short = true;
  Bench b(c);
  b.quote("99.00", "100.00");
  auto s = b.place(b.market(Side::kSell, "11", "short"));
  EXPECT_EQ(s.order.status, OrdStatus::kFilled);
  EXPECT_EQ(b.bal("A", "BTC").free, D("-1"));
}

TEST(MatchingEngine, DuplicateOpenClientOrderIdIsRejectedButReusableOnceClosed) {
  Bench b;
  b.quote("99.00", "101.00");
  ASSERT_TRUE(b.place(b.limit(Side::kBuy, "1", "98.00", "dup")).ok());
  auto r = b.place(b.limit(Side::kBuy, "1", "97.00", "dup"));
  EXPECT_EQ(r.reject, Reject::kDuplicateClientOrderId);
  EXPECT_EQ(message(r.reject), "Duplicate order sent.");
  // Another account may use the same id.
  EXPECT_TRUE(b.place(b.limit(Side::kBuy, "1", "97.00", "dup", "B")).ok());
  ASSERT_TRUE(b.eng.cancel("A", kBtc, OrderRef{0, "dup"}, ++b.t).ok());
  auto again = b.place(b.limit(Side::kBuy, "1", "97.00", "dup"));
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(b.order("dup").order_id, again.order.order_id);  // the latest one
}

TEST(MatchingEngine, InstrumentRulesGiveBinanceFilterFailures) {
  Bench b;
  b.quote("99.00", "101.00");
  auto tick = b.place(b.limit(Side::kBuy, "1", "98.005", "t"));
  EXPECT_EQ(tick.reject, Reject::kPriceFilter);
  EXPECT_EQ(binance_code(tick.reject), -1013);
  EXPECT_EQ(message(tick.reject), "Filter failure: PRICE_FILTER");
  EXPECT_EQ(b.place(b.limit(Side::kBuy, "1.0005", "98.00", "l")).reject, Reject::kLotSize);
  EXPECT_EQ(b.place(b.limit(Side::kBuy, "0.1", "98.00", "n")).reject, Reject::kNotional);
  EXPECT_EQ(b.place(b.market(Side::kBuy, "0.05", "nm")).reject, Reject::kNotional);
  NewOrder unknown = b.limit(Side::kBuy, "1", "98.00", "u");
  unknown.symbol = Symbol::of("ETH-USDT");
  auto u = b.place(unknown);
  EXPECT_EQ(u.reject, Reject::kUnknownSymbol);
  EXPECT_EQ(binance_code(u.reject), -1121);
  NewOrder no_price = b.limit(Side::kBuy, "1", "98.00", "np");
  no_price.price.reset();
  EXPECT_EQ(b.place(no_price).reject, Reject::kBadParameter);
}

TEST(MatchingEngine, MarketOrderWithoutAnyPriceIsRejected) {
  Bench b;
  auto r = b.place(b.market(Side::kBuy, "1", "m"));
  EXPECT_EQ(r.reject, Reject::kNoMarketPrice);
}

TEST(MatchingEngine, CancelOfAFilledOrderIsRejectedAsUnknown) {
  Bench b;
  b.quote("99.00", "100.00");
  auto r = b.place(b.limit(Side::kBuy, "1", "100.00", "f"));
  ASSERT_EQ(r.order.status, OrdStatus::kFilled);
  auto c = b.eng.cancel("A", kBtc, OrderRef{r.order.order_id, ""}, ++b.t);
  EXPECT_EQ(c.reject, Reject::kUnknownOrder);
  EXPECT_EQ(binance_code(c.reject), -2011);
  EXPECT_EQ(c.order.status, OrdStatus::kFilled);
  // Another account cannot cancel it either, and an unknown id is unknown.
  EXPECT_EQ(b.eng.cancel("B", kBtc, OrderRef{0, "f"}, ++b.t).reject, Reject::kUnknownOrder);
  EXPECT_EQ(b.eng.cancel("A", kBtc, OrderRef{999999, ""}, ++b.t).reject, Reject::kUnknownOrder);
}

TEST(MatchingEngine, CancelReleasesTheLockAndReportsTheCancelRequestId) {
  Bench b;
  b.quote("99.00", "101.00");
  b.place(b.limit(Side::kBuy, "2", "98.00", "c"));
  EXPECT_EQ(b.bal("A", "USDT").locked, D("196"));
  auto c = b.eng.cancel("A", kBtc, OrderRef{0, "c"}, ++b.t, "cxl-1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.order.status, OrdStatus::kCanceled);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  EXPECT_EQ(b.bal("A", "USDT").free, D("100000"));
  EXPECT_EQ(b.rec.reports.back().exec_type, ExecType::kCanceled);
  EXPECT_EQ(b.rec.reports.back().cancel_client_order_id, "cxl-1");
  EXPECT_TRUE(b.eng.open_orders("A").empty());
}

TEST(MatchingEngine, ReplaceCancelsTheOldOrderAndLinksTheNewOne) {
  Bench b;
  b.quote("99.00", "101.00");
  auto old = b.place(b.limit(Side::kBuy, "1", "98.00", "old"));
  auto rr =
      b.eng.replace("A", kBtc, OrderRef{0, "old"}, b.limit(Side::kBuy, "2", "98.50", "new"), ++b.t);
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr.cancelled.status, OrdStatus::kCanceled);
  EXPECT_EQ(rr.cancelled.replaced_by, rr.placed.order.order_id);
  EXPECT_EQ(rr.placed.order.replaces, old.order.order_id);
  auto replaced = std::find_if(b.rec.reports.begin(), b.rec.reports.end(),
                               [](auto& r) { return r.exec_type == ExecType::kReplaced; });
  ASSERT_NE(replaced, b.rec.reports.end());
  EXPECT_EQ(replaced->order.client_order_id, "old");
  EXPECT_EQ(replaced->new_client_order_id, "new");
  EXPECT_EQ(replaced->new_order_id, rr.placed.order.order_id);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("197"));
  auto open = b.eng.open_orders("A", kBtc);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].client_order_id, "new");
}

TEST(MatchingEngine, ReplaceIsAtomicWhenTheNewOrderIsRefused) {
  Bench b;
  b.quote("99.00", "101.00");
  b.place(b.limit(Side::kBuy, "1", "98.00", "old"));
  auto rr = b.eng.replace("A", kBtc, OrderRef{0, "old"},
                          b.limit(Side::kBuy, "5000", "98.00", "new"), ++b.t);
  EXPECT_FALSE(rr.ok());
  EXPECT_EQ(rr.cancel_reject, Reject::kNone);
  EXPECT_EQ(rr.placed.reject, Reject::kInsufficientBalance);
  EXPECT_EQ(b.order("old").status, OrdStatus::kNew);
  EXPECT_EQ(b.bal("A", "USDT").locked, D("98"));
  // Replacing a filled order fails on the cancel leg.
  auto f = b.place(b.limit(Side::kBuy, "1", "101.00", "filled"));
  ASSERT_EQ(f.order.status, OrdStatus::kFilled);
  auto rf = b.eng.replace("A", kBtc, OrderRef{0, "filled"},
                          b.limit(Side::kBuy, "1", "98.00", "new2"), ++b.t);
  EXPECT_EQ(rf.cancel_reject, Reject::kUnknownOrder);
  EXPECT_FALSE(b.eng.find("A", "new2"));
}

TEST(MatchingEngine, ReplaceMayUseTheFundsTheOldOrderFrees) {
  Bench b;
  b.quote("99.00", "101.00");
  ASSERT_TRUE(b.place(b.limit(Side::kBuy, "1000", "99.00", "old")).ok());  // locks 99000
  auto rr = b.eng.replace("A", kBtc, OrderRef{0, "old"},
                          b.limit(Side::kBuy, "1000", "99.50", "new"), ++b.t);
  EXPECT_TRUE(rr.ok());
  EXPECT_EQ(b.bal("A", "USDT").locked, D("99500"));
}

TEST(MatchingEngine, SelfTradeExpiresTheRestingOrder) {
  Bench b;
  b.place(b.limit(Side::kSell, "1", "100.00", "mine"));
  auto r = b.place(b.limit(Side::kBuy, "1", "100.00", "taker"));
  EXPECT_TRUE(r.fills.empty());
  EXPECT_EQ(b.order("mine").status, OrdStatus::kExpired);
  EXPECT_EQ(r.order.status, OrdStatus::kNew);  // rests
  EXPECT_EQ(b.bal("A", "BTC").locked, D("0"));
}

TEST(MatchingEngine, LimitMakerThatWouldTakeIsRejected) {
  Bench b;
  b.quote("99.00", "100.00");
  NewOrder n = b.limit(Side::kBuy, "1", "100.00", "pm");
  n.type = OrdType::kLimitMaker;
  EXPECT_EQ(b.place(n).reject, Reject::kWouldMatch);
  n.price = D("99.50");
  EXPECT_TRUE(b.place(n).ok());
}

TEST(MatchingEngine, QuoteQuantityMarketOrderSpendsTheAmount) {
  Bench b;
  b.quote("99.00", "100.00");
  NewOrder n = b.market(Side::kBuy, "0", "q");
  n.quantity = Quantity{};
  n.quote_order_qty = D("250");
  auto r = b.place(n);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.order.status, OrdStatus::kFilled);
  EXPECT_EQ(r.order.executed_qty, D("2.5"));
  EXPECT_EQ(r.order.cumulative_quote_qty, D("250"));
}

TEST(MatchingEngine, MarketBuyThatRunsOutOfFundsExpires) {
  Bench b;
  b.eng.set_balance("A", "USDT", Balance{D("150"), D("0")}, ++b.t);
  b.quote("99.00", "100.00", "1", "1");
  auto r = b.place(b.market(Side::kBuy, "1.4", "m"));  // locks 140 at 100
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.order.executed_qty, D("1"));
  b.quote("199.00", "200.00", "1", "1");  // 0.4 more would cost 80; 50 left buys 0.25
  auto o = b.order("m");
  EXPECT_EQ(o.executed_qty, D("1.25"));
  EXPECT_EQ(o.status, OrdStatus::kExpired);
  EXPECT_EQ(b.rec.reports.back().reason, "insufficient_balance");
  EXPECT_EQ(b.bal("A", "USDT").free, D("0"));
  EXPECT_EQ(b.bal("A", "USDT").locked, D("0"));
  b.eng.set_balance("A", "USDT", Balance{D("10"), D("0")}, ++b.t);
  b.quote("99.00", "100.00", "1", "1");
  auto r2 = b.place(b.market(Side::kBuy, "0.11", "m2"));  // needs 11 > 10 -> rejected
  EXPECT_EQ(r2.reject, Reject::kInsufficientBalance);
}

TEST(MatchingEngine, TakersOnTheSameQuoteShareItsSize) {
  Bench b;
  b.quote("99.00", "100.00", "1", "1");
  auto r1 = b.place(b.market(Side::kBuy, "0.7", "t1", "A", Tif::kIoc));
  auto r2 = b.place(b.market(Side::kBuy, "0.7", "t2", "B", Tif::kIoc));
  EXPECT_EQ(r1.order.executed_qty, D("0.7"));
  EXPECT_EQ(r2.order.executed_qty, D("0.3"));
  EXPECT_EQ(r2.order.status, OrdStatus::kExpired);
  b.quote("99.00", "100.00", "1", "1");  // a new quote brings new size
  auto r3 = b.place(b.market(Side::kBuy, "0.7", "t3", "C", Tif::kIoc));
  EXPECT_EQ(r3.order.executed_qty, D("0.7"));
}

TEST(MatchingEngine, TradesAndOrdersCanBeListedFromAnId) {
  Bench b;
  b.quote("99.00", "100.00");
  b.place(b.limit(Side::kBuy, "1", "100.00", "x1"));
  b.place(b.limit(Side::kBuy, "1", "100.00", "x2"));
  b.place(b.limit(Side::kBuy, "1", "90.00", "x3"));
  auto all = b.eng.trades("A", kBtc);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_LT(all[0].trade_id, all[1].trade_id);
  EXPECT_EQ(b.eng.trades("A", kBtc, all[1].trade_id).size(), 1u);
  EXPECT_TRUE(b.eng.trades("B", kBtc).empty());
  auto orders = b.eng.all_orders("A", kBtc);
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(b.eng.all_orders("A", kBtc, orders[2].order_id).size(), 1u);
  EXPECT_EQ(b.eng.open_orders("A", kBtc).size(), 1u);
}

TEST(MatchingEngine, RestoredOrderKeepsItsIdsAndFillsItsRemainingQuantity) {
  Bench b;
  RestoredOrder ro;
  ro.order_id = 5000;
  ro.order = b.limit(Side::kSell, "2", "101.00", "restored");
  ro.executed_qty = D("1.5");
  ro.cumulative_quote_qty = D("151.5");
  ASSERT_TRUE(b.eng.restore(ro));
  EXPECT_TRUE(b.rec.reports.empty());
  auto o = b.order("restored");
  EXPECT_EQ(o.order_id, 5000u);
  EXPECT_EQ(o.status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(b.bal("A", "BTC").locked, D("0.5"));
  b.trade("101.50", "3");
  auto f = b.rec.fills("restored");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].quantity, D("0.5"));
  EXPECT_EQ(b.order("restored").status, OrdStatus::kFilled);
  // New ids continue above the restored one.
  auto n = b.place(b.limit(Side::kBuy, "1", "90.00", "next"));
  EXPECT_GT(n.order.order_id, 5000u);
  // Restoring again, or a finished order, fails.
  EXPECT_FALSE(b.eng.restore(ro));
}

TEST(MatchingEngine, BalanceChangesAreReportedPerAction) {
  Bench b;
  b.rec.updates.clear();
  b.quote("99.00", "100.00");
  EXPECT_TRUE(b.rec.updates.empty());
  b.place(b.limit(Side::kBuy, "1", "100.00", "o"));
  ASSERT_EQ(b.rec.updates.size(), 1u);
  const auto& u = b.rec.updates[0];
  EXPECT_EQ(u.account, "A");
  ASSERT_EQ(u.balances.size(), 2u);
  EXPECT_EQ(u.balances[0].first, "BTC");
  EXPECT_EQ(u.balances[0].second.free, D("11"));
  EXPECT_EQ(u.balances[1].first, "USDT");
  EXPECT_EQ(u.balances[1].second.free, D("99900"));
}

TEST(MatchingEngine, GeneratedClientOrderIdsAreDeterministicForASeed) {
  auto run = [](std::uint64_t seed) {
    EngineConfig c = Config();
    c.seed = seed;
    Bench b(c);
    b.quote("99.00", "101.00");
    return b.place(b.limit(Side::kBuy, "1", "98.00", "")).order.client_order_id;
  };
  EXPECT_EQ(run(7).size(), 22u);
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

// A pseudo-random session (seeded) replayed twice gives the same reports, byte for byte.
TEST(MatchingEngine, SameCallsGiveTheSameReports) {
  auto run = [] {
    Bench b(Config("3", "7.5"));
    std::uint64_t s = 42;
    auto next = [&s] {
      std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      return z ^ (z >> 31);
    };
    int price = 10000;  // cents
    auto px = [](int cents) { return Decimal::from_raw(cents, 2).to_string(); };
    for (int i = 0; i < 400; ++i) {
      price += static_cast<int>(next() % 21) - 10;
      switch (next() % 5) {
        case 0:
          b.quote(px(price - 5), px(price + 5), "0.5", "0.7");
          break;
        case 1:
          b.trade(px(price + static_cast<int>(next() % 11) - 5), "0.3");
          break;
        case 2: {
          Side side = next() % 2 ? Side::kBuy : Side::kSell;
          int off = static_cast<int>(next() % 30) - 15;
          b.place(b.limit(side, "0.2", px(price + (side == Side::kBuy ? off : -off)),
                          "l" + std::to_string(i), next() % 2 ? "A" : "B"));
          break;
        }
        case 3:
          b.place(b.market(next() % 2 ? Side::kBuy : Side::kSell, "0.15", "m" + std::to_string(i),
                           next() % 2 ? "C" : "D"));
          break;
        case 4: {
          auto open = b.eng.open_orders("");
          if (!open.empty()) {
            const auto& o = open[next() % open.size()];
            (void)b.eng.cancel(o.account, kBtc, OrderRef{o.order_id, ""}, ++b.t);
          }
          break;
        }
      }
    }
    return b.rec.transcript();
  };
  std::string a = run();
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, run());
  EXPECT_NE(a.find("TRADE"), std::string::npos);
}

}  // namespace
}  // namespace at::paper
