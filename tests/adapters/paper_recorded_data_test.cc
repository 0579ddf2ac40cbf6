// The paper venue against real recorded market data from AT_SHARED_DATA (read in place, never
// copied into the repository).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <variant>

#include "adapters/paper/paper_venue.h"

namespace at::paper {
namespace {

Decimal D(std::string_view s) { return Decimal::of(s); }

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// histdata.com tick line: "YYYYMMDD HHMMSSmmm,bid,ask,0".
std::optional<md::Quote> parse_histdata(const std::string& line, const Symbol& symbol) {
  std::istringstream in(line);
  std::string when, bid, ask;
  if (!std::getline(in, when, ',') || !std::getline(in, bid, ',') || !std::getline(in, ask, ','))
    return std::nullopt;
  if (when.size() != 18) return std::nullopt;
  auto num = [&](int pos, int len) { return std::stoi(when.substr(pos, len)); };
  std::int64_t days = days_from_civil(num(0, 4), num(4, 2), num(6, 2));
  std::int64_t ms = ((num(9, 2) * 60 + num(11, 2)) * 60 + num(13, 2)) * 1000 + num(15, 3);
  auto b = Decimal::parse(bid);
  auto a = Decimal::parse(ask);
  if (!b.ok() || !a.ok()) return std::nullopt;
  return md::Quote{symbol, *b, *a, Quantity{}, Quantity{}, (days * 86'400'000 + ms) * 1'000'000};
}

struct Sink : adapters::VenueSink {
  std::function<void(const Event&)> fn;
  void on_venue_event(Event e) override { fn(e); }
};

class RecordedEurUsd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(AT_SHARED_DATA) + "/eurusd-quotes-histdata-2020-01.csv");
    if (!in) GTEST_SKIP() << "no recorded data at " << AT_SHARED_DATA;
    std::string line;
    while (std::getline(in, line))
      if (auto q = parse_histdata(line, kEurUsd)) quotes.push_back(*q);
    ASSERT_GT(quotes.size(), 9000u);
  }

  PaperConfig config(std::string_view slippage_bps) {
    PaperConfig c;
    c.latency_min_ms = 10;
    c.latency_max_ms = 50;
    c.slippage_bps = D(slippage_bps);
    c.commission_bps = D("0.2");
    c.seed = 2020;
    c.id_base = 1;
    c.initial_balances = {{"USD", D("10000000")}, {"EUR", D("10000000")}};
    InstrumentRules r;
    r.symbol = kEurUsd;
    r.venue_symbol = "EUR_USD";
    r.tick_size = D("0.00001");
    r.lot_size = D("1");
    c.instruments = {r};
    return c;
  }

  const Symbol kEurUsd = Symbol::of("EUR-USD");
  std::vector<md::Quote> quotes;
};

struct Placed {
  bool market = false;
  Side side = Side::kBuy;
  std::optional<Price> limit;
};

// Replays the file through a PaperVenue with a manual clock at the recorded times: market
// orders every 50 ticks, resting limits every 70; every fill is checked against the quote in
// force at the venue at that moment (after the simulated latency, not at submission).
TEST_F(RecordedEurUsd, FillsHappenAtQuotedPrices) {
  for (std::string_view slip : {"0", "1"}) {
    ManualClock clock(quotes.front().ts_ns);
    ManualScheduler sched(clock);
    PaperVenue venue(config(slip), clock, sched);
    const Decimal slip_rate = Decimal::divide(D(slip), D("10000"), 8);
    std::map<std::string, Placed> placed;
    md::Quote current = quotes.front();
    int market_fills = 0, limit_fills = 0, checked = 0;
    Sink sink;
    sink.fn = [&](const Event& e) {
      auto* f = std::get_if<OrderFilled>(&e);
      if (!f) return;
      const Placed& p = placed.at(f->client_order_id.str());
      ++checked;
      if (p.market) {
        ++market_fills;
        EXPECT_EQ(f->liquidity, Liquidity::kTaker);
        Price expected = p.side == Side::kBuy ? (current.ask * (D("1") + slip_rate))
                                                    .round_to_step(D("0.00001"), Rounding::kCeiling)
                                              : (current.bid * (D("1") - slip_rate))
                                                    .round_to_step(D("0.00001"), Rounding::kFloor);
        EXPECT_EQ(f->price, expected) << f->client_order_id.str();
        EXPECT_EQ(f->quantity, D("10000"));  // FX quotes carry no size: fills at once
      } else {
        ++limit_fills;
        EXPECT_EQ(f->liquidity, Liquidity::kMaker);
        EXPECT_EQ(f->price, *p.limit);
        if (p.side == Side::kBuy)
          EXPECT_LE(current.ask, *p.limit);
        else
          EXPECT_GE(current.bid, *p.limit);
      }
      EXPECT_EQ(f->commission, (f->price * f->quantity) * D("0.00002"));
    };
    venue.start(sink, [](Status) {});
    sched.run_all();
    for (std::size_t i = 0; i < quotes.size(); ++i) {
      const md::Quote& q = quotes[i];
      if (q.ts_ns > clock.monotonic_ns()) sched.advance(q.ts_ns - clock.monotonic_ns());
      current = q;
      venue.on_quote(q);
      std::string id = "c" + std::to_string(i);
      if (i % 50 == 0) {
        OrderRequested o;
        o.client_order_id = ClientOrderId(id);
        o.symbol = kEurUsd;
        o.side = (i / 50) % 2 ? Side::kSell : Side::kBuy;
        o.type = OrderType::kMarket;
        o.quantity = D("10000");
        placed[id] = Placed{true, o.side, std::nullopt};
        venue.submit(o, 1, [](Status s) { EXPECT_TRUE(s.ok()) << s.error().describe(); });
      } else if (i % 70 == 0) {
        OrderRequested o;
        o.client_order_id = ClientOrderId(id);
        o.symbol = kEurUsd;
        o.side = (i / 70) % 2 ? Side::kSell : Side::kBuy;
        o.type = OrderType::kLimit;
        o.quantity = D("5000");
        o.limit_price = o.side == Side::kBuy ? q.bid - D("0.00005") : q.ask + D("0.00005");
        placed[id] = Placed{false, o.side, o.limit_price};
        venue.submit(o, 1, [](Status s) { EXPECT_TRUE(s.ok()) << s.error().describe(); });
      }
    }
    sched.run_all();
    EXPECT_GT(market_fills, 150) << "slippage " << slip;
    EXPECT_GT(limit_fills, 20) << "slippage " << slip;
    EXPECT_EQ(checked, market_fills + limit_fills);
  }
}

// ADA/BTC 1-minute bars (8-decimal prices) replayed as trade prints: a resting bid fills at
// exactly its 8-decimal price once a print goes through it, with exact commission.
TEST(RecordedAdaBtc, RestingOrderFillsAtItsExactEightDecimalPrice) {
  std::ifstream in(std::string(AT_SHARED_DATA) + "/adabtc-bars-1m-binance-2021-11-27.csv");
  if (!in) GTEST_SKIP() << "no recorded data at " << AT_SHARED_DATA;
  const Symbol ada = Symbol::of("ADA-BTC");
  EngineConfig ec;
  ec.commission_bps = D("7.5");
  MatchingEngine eng(ec);
  InstrumentRules r;
  r.symbol = ada;
  r.tick_size = D("0.00000001");
  r.lot_size = D("0.1");
  r.min_notional = D("0.0001");
  eng.add_instrument(r);
  eng.deposit("A", "BTC", D("1"), 0);
  std::string line;
  std::vector<md::Bar> bars;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string c; std::getline(ls, c, ',');) f.push_back(c);
    ASSERT_GE(f.size(), 6u);
    bars.push_back(md::Bar{ada, D(f[1]), D(f[2]), D(f[3]), D(f[4]), D(f[5]),
                           std::stoll(f[0]) * 1'000'000, std::stoll(f[6]) * 1'000'000});
  }
  ASSERT_GE(bars.size(), 5u);
  Price lowest = bars[1].low;
  for (const auto& b : bars) lowest = std::min(lowest, b.low);
  // Bid one tick above the lowest print of the session: some bar trades through it.
  Price bid = lowest + D("0.00000001");
  eng.on_trade(md::Trade{ada, bars[0].close, D("1"), Side::kBuy, 0}, 0);
  auto placed = eng.place(NewOrder{"A", ada, Side::kBuy, OrdType::kLimit, Tif::kGtc, D("1000"),
                                   std::nullopt, bid, std::nullopt, "ada1"},
                          bars[0].close_ns);
  ASSERT_TRUE(placed.ok()) << to_string(placed.reject);
  for (const auto& b : bars)
    for (const Price& p : {b.open, b.high, b.low, b.close})
      eng.on_trade(md::Trade{ada, p, b.volume, Side::kSell, b.close_ns}, b.close_ns);
  auto fills = eng.order_fills(placed.order.order_id);
  ASSERT_FALSE(fills.empty());
  EXPECT_EQ(fills[0].price.to_string(), bid.to_string());
  EXPECT_EQ(fills[0].price.scale(), 8);
  Quantity total;
  for (const auto& f : fills) {
    total += f.quantity;
    EXPECT_EQ(f.commission, f.price * f.quantity * D("0.00075"));
  }
  EXPECT_EQ(total, D("1000"));
  EXPECT_EQ(eng.balances("A")["ADA"].free, D("1000"));
}

}  // namespace
}  // namespace at::paper
