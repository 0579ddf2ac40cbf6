// BinanceVenue against sim::BinanceSim over loopback, end to end: every order type, fills on
// the user-data stream, a stream drop in the middle of fills, 429 / ban, lost answers.
// The simulator runs on its own I/O thread; the venue runs on this thread's io_context, driven
// by run_until (bounded by a real-time safety net, never a sleep). Time that the protocol
// checks (timestamps, rate-limit windows, Retry-After) is the shared ManualClock.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <map>
#include <optional>

#include "adapters/binance/binance_venue.h"
#include "adapters/binance/book_ticker.h"
#include "sim/binance/binance_sim.h"
#include "tests/support/recording_sink.h"
#include "tests/support/run_until.h"

namespace at::binance {
namespace {

namespace asio = boost::asio;

using Sink = at::testing::RecordingSink;

struct SimFixture : ::testing::Test {
  asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  std::unique_ptr<sim::BinanceSim> sim;
  Sink sink;
  std::unique_ptr<BinanceVenue> venue;

  void SetUp() override {
    sim::BinanceSimOptions o;
    o.market = "none";
    sim = std::make_unique<sim::BinanceSim>(o, clock);
    ASSERT_TRUE(sim->start().ok());
    md::Quote q;
    q.symbol = Symbol::of("BTC-USDT");
    q.bid = Decimal::of("50000.00");
    q.ask = Decimal::of("50001.00");
    q.bid_size = Decimal::of("5");
    q.ask_size = Decimal::of("5");
    sim->push_quote(q);
    BinanceConfig c;
    auto key = sim::binance_example_key();
    c.api_key = net::Secret(key.key);
    c.api_secret = net::Secret(key.secret);
    c.environment = Environment::kSim;
    c.base_url = sim->rest_base_url();
    c.ws_url = sim->ws_api_url();
    c.reconnect_min = std::chrono::milliseconds(10);
    c.reconnect_max = std::chrono::milliseconds(100);
    c.request_timeout = std::chrono::milliseconds(3000);
    venue = std::make_unique<BinanceVenue>(ioc, clock, c);
    std::optional<Status> started;
    venue->start(sink, [&](Status s) { started = s; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return started.has_value(); }));
    ASSERT_TRUE(started->ok()) << started->error().message;
  }
  void TearDown() override {
    bool stopped = false;
    venue->stop([&](Status) { stopped = true; });
    testing::run_until(ioc, [&] { return stopped; });
    sim->stop();
  }
  Status submit(const OrderRequested& o) {
    std::optional<Status> st;
    venue->submit(o, 1, [&](Status s) { st = s; });
    EXPECT_TRUE(testing::run_until(ioc, [&] { return st.has_value(); }));
    return *st;
  }
  bool settle(const std::function<bool()>& p, int ms = 5000) {
    return testing::run_until(ioc, p, ms);
  }
};

OrderRequested order(const std::string& id, OrderType t, const std::string& qty,
                     std::optional<std::string> px = std::nullopt, Side side = Side::kBuy) {
  OrderRequested o;
  o.client_order_id = ClientOrderId(id);
  o.symbol = Symbol::of("BTC-USDT");
  o.side = side;
  o.type = t;
  o.quantity = Decimal::of(qty);
  if (px) o.limit_price = Decimal::of(*px);
  return o;
}

Order working(const std::string& id, const std::string& qty = "0.01") {
  Order o;
  o.client_order_id = ClientOrderId(id);
  o.symbol = Symbol::of("BTC-USDT");
  o.quantity = Decimal::of(qty);
  return o;
}

md::Quote quote(const std::string& bid, const std::string& ask, const std::string& size = "5") {
  md::Quote q;
  q.symbol = Symbol::of("BTC-USDT");
  q.bid = Decimal::of(bid);
  q.ask = Decimal::of(ask);
  q.bid_size = Decimal::of(size);
  q.ask_size = Decimal::of(size);
  return q;
}

// Placements of one client order id the simulator received (any transport, any outcome).
int placements(const sim::BinanceSim& s, const std::string& id) {
  int n = 0;
  for (auto& r : s.order_log().requests)
    if (r.client_order_id == id && r.operation == "order.place") ++n;
  return n;
}

// Quantity the simulator filled for one client order id.
Decimal sim_filled(const sim::BinanceSim& s, const std::string& id) {
  Decimal q;
  for (auto& f : s.order_log().fills)
    if (f.client_order_id == id) q = q + f.quantity;
  return q;
}

template <typename T>
std::vector<T> for_order(const std::vector<T>& v, const std::string& id) {
  std::vector<T> out;
  for (auto& e : v)
    if (e.client_order_id.str() == id) out.push_back(e);
  return out;
}

Decimal filled(const std::vector<OrderFilled>& v, const std::string& id) {
  Decimal q;
  for (auto& f : v)
    if (f.client_order_id.str() == id) q = q + f.quantity;
  return q;
}

TEST_F(SimFixture, MarketOrderIsAcceptedAndFilledOnTheStream) {
  auto st = submit(order("e2e1", OrderType::kMarket, "0.01"));
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE(settle([&] { return !sink.all<OrderFilled>().empty(); }));
  EXPECT_EQ(sink.all<OrderAccepted>().size(), 1u);
  auto f = sink.all<OrderFilled>()[0];
  EXPECT_EQ(f.client_order_id.str(), "e2e1");
  EXPECT_EQ(f.symbol, Symbol::of("BTC-USDT"));
  EXPECT_EQ(f.quantity, Decimal::of("0.01"));
  EXPECT_EQ(f.price, Decimal::of("50001.00"));  // takes the ask
  EXPECT_TRUE(sink.all<AnomalyDetected>().empty());
}

TEST_F(SimFixture, MarketableLimitFillsAndRestingLimitFillsWhenTheMarketCrossesIt) {
  ASSERT_TRUE(submit(order("lim1", OrderType::kLimit, "0.01", "50001.00")).ok());
  ASSERT_TRUE(submit(order("lim2", OrderType::kLimit, "0.02", "49990.00")).ok());
  ASSERT_TRUE(
      settle([&] { return filled(sink.all<OrderFilled>(), "lim1") == Decimal::of("0.01"); }));
  EXPECT_TRUE(for_order(sink.all<OrderFilled>(), "lim2").empty());  // resting below the ask
  sim->push_quote(quote("49970.00", "49980.00"));
  ASSERT_TRUE(
      settle([&] { return filled(sink.all<OrderFilled>(), "lim2") == Decimal::of("0.02"); }));
  for (auto& f : for_order(sink.all<OrderFilled>(), "lim2"))
    EXPECT_EQ(f.price, Decimal::of("49990.00"));  // a maker fills at its own price
  EXPECT_EQ(sink.all<OrderAccepted>().size(), 2u);
  EXPECT_TRUE(sink.all<AnomalyDetected>().empty());
}

TEST_F(SimFixture, IocTakesWhatIsThereAndTheRestExpires) {
  // 7 wanted, 5 shown at the ask: 5 fill, 2 expire.
  ASSERT_TRUE(submit(order("ioc1", OrderType::kIoc, "7", "50001.00")).ok());
  ASSERT_TRUE(settle([&] { return !for_order(sink.all<OrderExpired>(), "ioc1").empty(); }));
  EXPECT_EQ(filled(sink.all<OrderFilled>(), "ioc1"), Decimal::of("5"));
  EXPECT_EQ(sim_filled(*sim, "ioc1"), Decimal::of("5"));
  EXPECT_TRUE(sink.all<AnomalyDetected>().empty());
}

TEST_F(SimFixture, FokFillsCompletelyOrExpiresWithoutAnyFill) {
  ASSERT_TRUE(submit(order("fok1", OrderType::kFok, "7", "50001.00")).ok());
  ASSERT_TRUE(settle([&] { return !for_order(sink.all<OrderExpired>(), "fok1").empty(); }));
  EXPECT_TRUE(for_order(sink.all<OrderFilled>(), "fok1").empty());
  EXPECT_EQ(sim_filled(*sim, "fok1"), Decimal());
  ASSERT_TRUE(submit(order("fok2", OrderType::kFok, "3", "50001.00")).ok());
  ASSERT_TRUE(settle([&] { return filled(sink.all<OrderFilled>(), "fok2") == Decimal::of("3"); }));
  EXPECT_TRUE(for_order(sink.all<OrderExpired>(), "fok2").empty());
}

TEST_F(SimFixture, StopLossWaitsForTheStopThenFillsAsMarket) {
  auto o = order("stop1", OrderType::kStop, "0.01", std::nullopt, Side::kSell);
  o.stop_price = Decimal::of("49000.00");
  ASSERT_TRUE(submit(o).ok());
  ASSERT_TRUE(settle([&] { return !for_order(sink.all<OrderAccepted>(), "stop1").empty(); }));
  sim->push_quote(quote("49500.00", "49501.00"));  // above the stop: nothing
  EXPECT_EQ(sim_filled(*sim, "stop1"), Decimal());
  sim->push_quote(quote("48900.00", "48901.00"));  // through it: triggers, sells at the bid
  ASSERT_TRUE(
      settle([&] { return filled(sink.all<OrderFilled>(), "stop1") == Decimal::of("0.01"); }));
  EXPECT_EQ(for_order(sink.all<OrderFilled>(), "stop1")[0].price, Decimal::of("48900.00"));
}

TEST_F(SimFixture, StopLimitTriggersThenWorksAsALimit) {
  auto o = order("stopl1", OrderType::kStopLimit, "0.01", "51100.00");
  o.stop_price = Decimal::of("51000.00");
  ASSERT_TRUE(submit(o).ok());
  ASSERT_TRUE(settle([&] { return !for_order(sink.all<OrderAccepted>(), "stopl1").empty(); }));
  EXPECT_EQ(sim_filled(*sim, "stopl1"), Decimal());
  sim->push_quote(quote("51050.00", "51051.00"));
  ASSERT_TRUE(
      settle([&] { return filled(sink.all<OrderFilled>(), "stopl1") == Decimal::of("0.01"); }));
  for (auto& f : for_order(sink.all<OrderFilled>(), "stopl1"))
    EXPECT_LE(f.price, Decimal::of("51100.00"));  // never worse than its limit
}

TEST_F(SimFixture, RestingLimitIsCancelled) {
  ASSERT_TRUE(submit(order("e2e2", OrderType::kLimit, "0.01", "40000.00")).ok());
  std::optional<Status> st;
  venue->cancel(working("e2e2"), [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_TRUE(st->ok()) << st->error().message;
  ASSERT_TRUE(settle([&] { return !sink.all<OrderCancelled>().empty(); }));
  // The REST answer and the stream's CANCELED report are one cancellation, not two.
  settle([&] { return false; }, 100);
  EXPECT_EQ(sink.all<OrderCancelled>().size(), 1u);
}

TEST_F(SimFixture, CancelOfAnUnknownOrderIsRejected) {
  std::optional<Status> st;
  venue->cancel(working("never-sent"), [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_FALSE(st->ok());
  EXPECT_EQ(st->error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(sink.all<CancelRejected>().size(), 1u);
}

TEST_F(SimFixture, NativeCancelReplaceSwapsTheOrderInOneRequest) {
  ASSERT_TRUE(submit(order("rep1", OrderType::kLimit, "0.01", "40000.00")).ok());
  auto repl = order("rep2", OrderType::kLimit, "0.02", "41000.00");
  repl.replaces = ClientOrderId("rep1");
  std::optional<Status> st;
  venue->replace(working("rep1"), repl, [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_TRUE(st->ok()) << st->error().message;
  ASSERT_EQ(sink.all<OrderReplaced>().size(), 1u);
  EXPECT_EQ(sink.all<OrderReplaced>()[0].new_client_order_id.str(), "rep2");
  EXPECT_EQ(for_order(sink.all<OrderAccepted>(), "rep2").size(), 1u);
  int replaces = 0;
  for (auto& r : sim->order_log().requests)
    if (r.operation == "order.cancelReplace") ++replaces;
  EXPECT_EQ(replaces, 1);
  // The new order is live at the venue, the old one is not.
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(working("rep2", "0.02"), [&](Result<adapters::QueryOutcome> r) { q.emplace(r); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_TRUE((*q)->found);
  EXPECT_EQ((*q)->status, OrderStatus::kSubmitted);
  q.reset();
  venue->query(working("rep1"), [&](Result<adapters::QueryOutcome> r) { q.emplace(r); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_EQ((*q)->status, OrderStatus::kCancelled);
}

TEST_F(SimFixture, RateLimitHonouredNothingSentWhileBanned) {
  sim::FaultPlan f;
  f.storm_429 = 1;
  f.retry_after_s = 5;
  sim->set_faults(f);
  auto st = submit(order("e2e3", OrderType::kMarket, "0.01"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(st.error().retry_after_ms, 5000);
  auto n = sim->order_log().requests.size();
  auto sent = venue->stats().requests_sent;
  clock.advance_ms(4000);  // still inside Retry-After
  auto again = submit(order("e2e3", OrderType::kMarket, "0.01"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kRateLimited);
  EXPECT_LE(again.error().retry_after_ms, 1000);
  EXPECT_EQ(sim->order_log().requests.size(), n);
  EXPECT_EQ(venue->stats().requests_sent, sent);
  EXPECT_GE(venue->stats().requests_refused_locally, 1u);
  clock.advance_ms(1000);
  EXPECT_TRUE(submit(order("e2e3", OrderType::kMarket, "0.01")).ok());
}

TEST_F(SimFixture, IpBanFrom418IsHonoured) {
  sim::FaultPlan f;
  f.ban_s = 30;
  sim->set_faults(f);
  auto st = submit(order("ban1", OrderType::kMarket, "0.01"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kRateLimited);
  auto sent = venue->stats().requests_sent;
  clock.advance_ms(29'000);
  EXPECT_EQ(submit(order("ban1", OrderType::kMarket, "0.01")).error().kind,
            ErrorKind::kRateLimited);
  EXPECT_EQ(venue->stats().requests_sent, sent);
  clock.advance_ms(1'500);
  auto ok = submit(order("ban1", OrderType::kMarket, "0.01"));
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST_F(SimFixture, LostAckResolvedByQueryWithoutDuplicate) {
  sim::FaultPlan f;
  f.drop_after_accept = 1;
  sim->set_faults(f);
  auto st = submit(order("e2e4", OrderType::kLimit, "0.01", "40000.00"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome) << st.error().message;
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(working("e2e4"), [&](Result<adapters::QueryOutcome> r) { q.emplace(r); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_TRUE((*q)->found);
  EXPECT_EQ((*q)->status, OrderStatus::kSubmitted);
  EXPECT_EQ(placements(*sim, "e2e4"), 1);
}

TEST_F(SimFixture, ExecutedThen5xxIsUnknownAndTheQueryFindsTheFillsOnce) {
  sim::FaultPlan f;
  f.http_5xx_exec = 1;
  sim->set_faults(f);
  auto st = submit(order("x5xx", OrderType::kMarket, "0.01"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome) << st.error().message;
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(working("x5xx"), [&](Result<adapters::QueryOutcome> r) { q.emplace(r); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_TRUE((*q)->found);
  EXPECT_EQ((*q)->status, OrderStatus::kFilled);
  EXPECT_EQ((*q)->filled_quantity, Decimal::of("0.01"));
  // The stream and the query both saw the fill; it is emitted once.
  settle([&] { return false; }, 100);
  EXPECT_EQ(for_order(sink.all<OrderFilled>(), "x5xx").size(), 1u);
  EXPECT_EQ(placements(*sim, "x5xx"), 1);
}

TEST_F(SimFixture, NotExecuted5xxIsUnknownAndTheQuerySaysNotFound) {
  sim::FaultPlan f;
  f.http_5xx = 1;
  sim->set_faults(f);
  auto st = submit(order("n5xx", OrderType::kLimit, "0.01", "40000.00"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome);
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(working("n5xx"), [&](Result<adapters::QueryOutcome> r) { q.emplace(r); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_FALSE((*q)->found);  // the engine may now resend under the same id
  EXPECT_TRUE(sim->order_log().fills.empty());
}

TEST_F(SimFixture, FillsMissedDuringAStreamDropAreRecoveredOnce) {
  ASSERT_TRUE(submit(order("e2e5", OrderType::kMarket, "0.01")).ok());
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() >= 1; }));
  auto before = venue->stats().stream_connects;
  sim->drop_user_streams();
  ASSERT_TRUE(submit(order("e2e6", OrderType::kMarket, "0.02")).ok());
  ASSERT_TRUE(settle(
      [&] {
        return venue->stats().stream_connects > before &&
               filled(sink.all<OrderFilled>(), "e2e6") == Decimal::of("0.02");
      },
      8000));
  std::map<std::string, int> per;
  for (auto& f : sink.all<OrderFilled>()) ++per[f.trade_id.str()];
  for (auto& [id, n] : per) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(per.size(), sim->order_log().fills.size());
}

TEST_F(SimFixture, StreamDropInTheMiddleOfABurstOfFillsLosesAndDuplicatesNothing) {
  // Four resting buys; one quote crosses them all, and the stream drops after the first event
  // of that burst. The rest happen while nobody listens and come back by reconciliation.
  const std::vector<std::string> ids = {"b1", "b2", "b3", "b4"};
  for (auto& id : ids) ASSERT_TRUE(submit(order(id, OrderType::kLimit, "0.01", "49990.00")).ok());
  ASSERT_TRUE(settle([&] { return sink.all<OrderAccepted>().size() == ids.size(); }));
  auto before = venue->stats().stream_connects;
  auto reconciles = venue->stats().reconciliations;
  sim::FaultPlan f;
  f.ws_drop_after_events = 1;
  sim->set_faults(f);
  sim->push_quote(quote("49970.00", "49980.00"));
  ASSERT_EQ(sim->order_log().fills.size(), ids.size());
  EXPECT_EQ(sim->faults().ws_drop_after_events, 0);  // the drop happened within the burst
  ASSERT_TRUE(settle(
      [&] {
        for (auto& id : ids)
          if (filled(sink.all<OrderFilled>(), id) != Decimal::of("0.01")) return false;
        return venue->stats().stream_connects > before;
      },
      8000));
  EXPECT_GT(venue->stats().reconciliations, reconciles);
  settle([&] { return false; }, 200);  // late stream frames must not add anything
  std::map<std::string, int> per;
  for (auto& fl : sink.all<OrderFilled>()) ++per[fl.trade_id.str()];
  EXPECT_EQ(per.size(), ids.size());
  for (auto& [id, n] : per) EXPECT_EQ(n, 1) << id;
  for (auto& id : ids) EXPECT_EQ(filled(sink.all<OrderFilled>(), id), Decimal::of("0.01")) << id;
  EXPECT_TRUE(sink.all<AnomalyDetected>().empty());
}

TEST_F(SimFixture, DuplicatedAndReorderedStreamEventsAreAppliedOnce) {
  sim::FaultPlan f;
  f.duplicate_events = 4;
  f.reorder_events = 2;
  sim->set_faults(f);
  ASSERT_TRUE(submit(order("dup1", OrderType::kMarket, "0.01")).ok());
  ASSERT_TRUE(submit(order("dup2", OrderType::kMarket, "0.02")).ok());
  ASSERT_TRUE(settle([&] {
    return filled(sink.all<OrderFilled>(), "dup1") == Decimal::of("0.01") &&
           filled(sink.all<OrderFilled>(), "dup2") == Decimal::of("0.02");
  }));
  settle([&] { return false; }, 200);
  EXPECT_EQ(sink.all<OrderFilled>().size(), sim->order_log().fills.size());
  EXPECT_EQ(for_order(sink.all<OrderAccepted>(), "dup1").size(), 1u);
}

// --- public bookTicker into market_data ------------------------------------------------------

TEST(BinanceSimBookTicker, QuotesArriveNormalizedAndSurviveASimulatorRestart) {
  asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  sim::BinanceSimOptions so;
  so.market = "none";
  auto s = std::make_unique<sim::BinanceSim>(so, clock);
  ASSERT_TRUE(s->start().ok());
  const auto port = s->port();
  BinanceConfig c;
  c.environment = Environment::kSim;
  c.stream_url = s->stream_base_url();
  c.reconnect_min = std::chrono::milliseconds(10);
  c.reconnect_max = std::chrono::milliseconds(100);
  BookTickerFeed feed(ioc, clock, book_ticker_options(c, {Symbol::of("BTC-USDT")}));
  std::vector<md::Quote> quotes;
  ASSERT_TRUE(feed.start([&](const md::Quote& q) { quotes.push_back(q); }).ok());
  ASSERT_TRUE(testing::run_until(ioc, [&] { return feed.stats().connects == 1; }));
  // The simulator publishes to the streams that are open when a quote arrives; push until the
  // subscription is registered on its side (bounded).
  auto push_until = [&](const md::Quote& q, std::size_t n) {
    for (int i = 0; i < 100 && quotes.size() < n; ++i) {
      s->push_quote(q);
      testing::run_until(
          ioc, [&] { return quotes.size() >= n; }, 50);
    }
    return quotes.size() >= n;
  };
  ASSERT_TRUE(push_until(quote("50000.10", "50000.20", "1.25"), 1));
  EXPECT_EQ(quotes[0].symbol, Symbol::of("BTC-USDT"));
  EXPECT_EQ(quotes[0].bid, Decimal::of("50000.10"));
  EXPECT_EQ(quotes[0].ask, Decimal::of("50000.20"));
  EXPECT_EQ(quotes[0].bid_size, Decimal::of("1.25"));
  EXPECT_EQ(quotes[0].ts_ns, clock.now_ns());
  // The venue goes away and comes back on the same port: the feed reconnects by itself.
  s->stop();
  s.reset();
  so.port = port;
  s = std::make_unique<sim::BinanceSim>(so, clock);
  ASSERT_TRUE(s->start().ok());
  ASSERT_TRUE(testing::run_until(
      ioc, [&] { return feed.stats().connects == 2; }, 8000));
  const auto before = quotes.size();
  ASSERT_TRUE(push_until(quote("50010.00", "50010.50"), before + 1));
  EXPECT_EQ(quotes.back().bid, Decimal::of("50010.00"));
  EXPECT_EQ(feed.stats().malformed, 0u);
  bool stopped = false;
  feed.stop([&] { stopped = true; });
  EXPECT_TRUE(testing::run_until(ioc, [&] { return stopped; }));
  s->stop();
}

}  // namespace
}  // namespace at::binance
