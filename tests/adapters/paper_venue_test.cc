#include "adapters/paper/paper_venue.h"

#include <gtest/gtest.h>

#include <variant>

#include "tests/support/recording_sink.h"

namespace at::paper {
namespace {

Decimal D(std::string_view s) { return Decimal::of(s); }
const Symbol kBtc = Symbol::of("BTC-USDT");

struct FakeSink : at::testing::RecordingSink {
  // Names of the order events in order ("OrderAccepted", "OrderFilled", ...).
  std::vector<std::string> order_events() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (client_order_id_of(e)) out.emplace_back(to_string(type_of(e)));
    return out;
  }
};

struct StatusBox {
  bool called = false;
  Status status;
  adapters::Done done() {
    return [this](Status s) {
      called = true;
      status = std::move(s);
    };
  }
};

PaperConfig Config() {
  PaperConfig c;
  c.latency_min_ms = 10;
  c.latency_max_ms = 50;
  c.slippage_bps = D("0");
  c.commission_bps = D("10");
  c.seed = 7;
  c.id_base = 1000;
  c.initial_balances = {{"USDT", D("100000")}, {"BTC", D("1")}};
  InstrumentRules r;
  r.symbol = kBtc;
  r.venue_symbol = "BTCUSDT";
  r.tick_size = D("0.01");
  r.lot_size = D("0.0001");
  r.min_notional = D("5");
  c.instruments = {r};
  return c;
}

OrderRequested Limit(std::string coid, Side side, std::string_view qty, std::string_view px,
                     OrderType type = OrderType::kLimit) {
  OrderRequested o;
  o.client_order_id = ClientOrderId(std::move(coid));
  o.venue = "paper";
  o.symbol = kBtc;
  o.side = side;
  o.type = type;
  o.quantity = D(qty);
  o.limit_price = D(px);
  return o;
}

OrderRequested Market(std::string coid, Side side, std::string_view qty) {
  OrderRequested o = Limit(std::move(coid), side, qty, "1");
  o.type = OrderType::kMarket;
  o.limit_price.reset();
  return o;
}

// The journal's view of an order after the given request and accept (what the engine passes).
Order AsOrder(const OrderRequested& r, std::string venue_id = "",
              OrderStatus status = OrderStatus::kSubmitted) {
  Order o;
  o.client_order_id = r.client_order_id;
  o.venue_order_id = VenueOrderId(std::move(venue_id));
  o.venue = r.venue;
  o.symbol = r.symbol;
  o.side = r.side;
  o.type = r.type;
  o.quantity = r.quantity;
  o.limit_price = r.limit_price;
  o.stop_price = r.stop_price;
  o.tif = r.tif;
  o.status = status;
  return o;
}

struct Rig {
  explicit Rig(PaperConfig cfg = Config()) : sched(clock), venue(std::move(cfg), clock, sched) {
    StatusBox s;
    venue.start(sink, s.done());
    sched.run_all();
    EXPECT_TRUE(s.called && s.status.ok());
  }
  void quote(std::string_view bid, std::string_view ask, std::string_view bs = "0",
             std::string_view as = "0") {
    venue.on_quote(md::Quote{kBtc, D(bid), D(ask), D(bs), D(as), clock.now_ns()});
  }
  void trade(std::string_view px, std::string_view qty) {
    venue.on_trade(md::Trade{kBtc, D(px), D(qty), Side::kSell, clock.now_ns()});
  }
  Status submit(const OrderRequested& o) {
    StatusBox s;
    venue.submit(o, 1, s.done());
    sched.run_all();
    EXPECT_TRUE(s.called);
    return s.status;
  }

  ManualClock clock;
  ManualScheduler sched;
  FakeSink sink;
  PaperVenue venue;
};

TEST(PaperVenue, StartReportsTheConnectionAndTheInitialBalances) {
  Rig rig;
  auto conn = rig.sink.all<VenueConnectionChanged>();
  ASSERT_EQ(conn.size(), 1u);
  EXPECT_EQ(conn[0].state, ConnectionState::kConnected);
  auto bal = rig.sink.all<BalanceUpdated>();
  ASSERT_EQ(bal.size(), 2u);
  EXPECT_EQ(bal[0].asset, "BTC");
  EXPECT_EQ(bal[1].asset, "USDT");
  EXPECT_EQ(bal[1].free, D("100000"));
  EXPECT_TRUE(rig.venue.supports_native_replace());
  ASSERT_EQ(rig.venue.instruments().size(), 1u);
  EXPECT_EQ(rig.venue.instruments()[0].tick_size, D("0.01"));
}

TEST(PaperVenue, SubmitIsAcceptedThenPartiallyFilledThenFilled) {
  Rig rig;
  rig.quote("99.00", "101.00", "1", "1");
  rig.sink.events.clear();
  StatusBox s;
  rig.venue.submit(Limit("at1", Side::kBuy, "2", "100.00"), 1, s.done());
  EXPECT_FALSE(s.called);  // nothing happens before the latency has passed
  EXPECT_TRUE(rig.sink.events.empty());
  rig.sched.advance(9'999'999);
  EXPECT_FALSE(s.called);
  rig.sched.advance(50'000'000);
  ASSERT_TRUE(s.called);
  EXPECT_TRUE(s.status.ok());
  auto acc = rig.sink.all<OrderAccepted>();
  ASSERT_EQ(acc.size(), 1u);
  EXPECT_EQ(acc[0].client_order_id.str(), "at1");
  EXPECT_EQ(acc[0].venue_order_id.str(), "1000");

  rig.quote("99.00", "99.90", "1", "0.5");  // the ask crosses: 0.5 fills at our price
  auto fills = rig.sink.all<OrderFilled>();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].quantity, D("0.5"));
  EXPECT_EQ(fills[0].price, D("100.00"));
  EXPECT_EQ(fills[0].commission, D("0.05"));
  EXPECT_EQ(fills[0].commission_asset, "USDT");
  EXPECT_EQ(fills[0].liquidity, Liquidity::kMaker);
  EXPECT_EQ(fills[0].trade_id.str(), "BTC-USDT:1000");
  EXPECT_EQ(fills[0].venue, "paper");
  EXPECT_EQ(fills[0].venue_order_id.str(), "1000");

  rig.trade("99.50", "0.01");  // a trade through the price fills the rest
  fills = rig.sink.all<OrderFilled>();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[1].quantity, D("1.5"));
  EXPECT_EQ(fills[1].trade_id.str(), "BTC-USDT:1001");
  EXPECT_EQ(rig.sink.order_events(),
            (std::vector<std::string>{"OrderAccepted", "OrderFilled", "OrderFilled"}));
  auto bal = rig.sink.all<BalanceUpdated>();
  ASSERT_FALSE(bal.empty());
  EXPECT_EQ(bal.back().asset, "USDT");
  EXPECT_EQ(bal.back().free, D("100000") - D("200") - D("0.2"));
  EXPECT_EQ(bal.back().locked, D("0"));
}

TEST(PaperVenue, LatencyIsDrawnWithinTheRangeAndRepeatsForASeed) {
  auto latencies = [](std::uint64_t seed) {
    PaperConfig c = Config();
    c.seed = seed;
    Rig rig(c);
    rig.quote("99.00", "101.00");
    std::vector<std::int64_t> out;
    for (int i = 0; i < 20; ++i) {
      StatusBox s;
      std::int64_t t0 = rig.clock.monotonic_ns();
      std::int64_t done_at = 0;
      rig.venue.submit(Limit("o" + std::to_string(i), Side::kBuy, "0.1", "90.00"), 1,
                       [&](Status) { done_at = rig.clock.monotonic_ns(); });
      rig.sched.run_all();
      out.push_back(done_at - t0);
    }
    return out;
  };
  auto a = latencies(3);
  for (auto l : a) {
    EXPECT_GE(l, 10'000'000);
    EXPECT_LE(l, 50'000'000);
  }
  EXPECT_EQ(a, latencies(3));
  EXPECT_NE(a, latencies(4));
}

TEST(PaperVenue, RefusedSubmitEmitsOrderRejectedAndCompletesPermanent) {
  Rig rig;
  rig.quote("99.00", "101.00");
  Status st = rig.submit(Limit("big", Side::kBuy, "10000", "100.00"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(st.error().venue_code, -2010);
  auto rej = rig.sink.all<OrderRejected>();
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].client_order_id.str(), "big");
  EXPECT_EQ(rej[0].venue_code, -2010);
  EXPECT_EQ(rej[0].reason, "Account has insufficient balance for requested action.");
}

TEST(PaperVenue, DomainOrderTypesMapToVenueSemantics) {
  Rig rig;
  rig.quote("99.00", "101.00", "1", "1");
  // IOC: fill 1 of 3 at the ask, expire the rest.
  ASSERT_TRUE(rig.submit(Limit("ioc", Side::kBuy, "3", "101.00", OrderType::kIoc)).ok());
  auto exp = rig.sink.all<OrderExpired>();
  ASSERT_EQ(exp.size(), 1u);
  EXPECT_EQ(exp[0].client_order_id.str(), "ioc");
  // FOK with too little size: expires, nothing fills.
  ASSERT_TRUE(rig.submit(Limit("fok", Side::kSell, "1.5", "99.00", OrderType::kFok)).ok());
  EXPECT_EQ(rig.sink.all<OrderExpired>().size(), 2u);
  // Stop: waits, then fills at the market when the price gets there.
  OrderRequested stop = Market("stop", Side::kSell, "0.5");
  stop.type = OrderType::kStop;
  stop.stop_price = D("95.00");
  ASSERT_TRUE(rig.submit(stop).ok());
  std::size_t fills_before = rig.sink.all<OrderFilled>().size();
  rig.trade("94.90", "1");
  auto fills = rig.sink.all<OrderFilled>();
  ASSERT_EQ(fills.size(), fills_before + 1);
  EXPECT_EQ(fills.back().client_order_id.str(), "stop");
  EXPECT_EQ(fills.back().price, D("99.00"));  // the bid of the last quote
  EXPECT_EQ(fills.back().liquidity, Liquidity::kTaker);
}

TEST(PaperVenue, CancelOfAFilledOrderIsRejected) {
  Rig rig;
  rig.quote("99.00", "100.00");
  auto req = Limit("f", Side::kBuy, "0.1", "100.00");
  ASSERT_TRUE(rig.submit(req).ok());
  ASSERT_EQ(rig.sink.all<OrderFilled>().size(), 1u);
  StatusBox s;
  Order o = AsOrder(req, "1000", OrderStatus::kPendingCancel);
  rig.venue.cancel(o, s.done());
  rig.sched.run_all();
  ASSERT_TRUE(s.called);
  EXPECT_EQ(s.status.error().venue_code, -2011);
  auto cr = rig.sink.all<CancelRejected>();
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(cr[0].client_order_id.str(), "f");
  EXPECT_EQ(cr[0].reason, "Unknown order sent.");
}

TEST(PaperVenue, CancelOfAWorkingOrderEmitsCancelledAndFreesFunds) {
  Rig rig;
  rig.quote("99.00", "101.00");
  auto req = Limit("c", Side::kBuy, "1", "95.00");
  ASSERT_TRUE(rig.submit(req).ok());
  EXPECT_EQ(rig.venue.balances()["USDT"].locked, D("95.095"));
  StatusBox s;
  rig.venue.cancel(AsOrder(req, "1000", OrderStatus::kPendingCancel), s.done());
  rig.sched.run_all();
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(rig.sink.all<OrderCancelled>().size(), 1u);
  EXPECT_EQ(rig.venue.balances()["USDT"].locked, D("0"));
}

TEST(PaperVenue, NativeReplaceLinksTheOldAndNewOrders) {
  Rig rig;
  rig.quote("99.00", "101.00");
  auto old_req = Limit("old", Side::kBuy, "1", "95.00");
  ASSERT_TRUE(rig.submit(old_req).ok());
  auto new_req = Limit("new", Side::kBuy, "1", "96.00");
  new_req.replaces = old_req.client_order_id;
  StatusBox s;
  rig.venue.replace(AsOrder(old_req, "1000", OrderStatus::kPendingReplace), new_req, s.done());
  rig.sched.run_all();
  ASSERT_TRUE(s.status.ok());
  auto rep = rig.sink.all<OrderReplaced>();
  ASSERT_EQ(rep.size(), 1u);
  EXPECT_EQ(rep[0].client_order_id.str(), "old");
  EXPECT_EQ(rep[0].new_client_order_id.str(), "new");
  EXPECT_EQ(rep[0].new_venue_order_id.str(), "1001");
  auto acc = rig.sink.all<OrderAccepted>();
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[1].client_order_id.str(), "new");
  EXPECT_EQ(acc[1].venue_order_id.str(), "1001");
  // Replace of the now-cancelled order is refused and the replacement rejected with it.
  auto again = Limit("new2", Side::kBuy, "1", "97.00");
  StatusBox s2;
  rig.venue.replace(AsOrder(old_req, "1000", OrderStatus::kPendingReplace), again, s2.done());
  rig.sched.run_all();
  ASSERT_FALSE(s2.status.ok());
  ASSERT_EQ(rig.sink.all<ReplaceRejected>().size(), 1u);
  EXPECT_EQ(rig.sink.all<OrderRejected>().back().client_order_id.str(), "new2");
}

TEST(PaperVenue, QueryFindsTheOrderAndEmitsWhatTheJournalMissed) {
  Rig rig;
  rig.quote("99.00", "101.00", "1", "1");
  auto req = Limit("q", Side::kBuy, "2", "100.00");
  rig.venue.drop_answer_next(PaperVenue::Op::kSubmit, 1);
  Status st = rig.submit(req);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_TRUE(rig.sink.order_events().empty());  // the answer was lost
  EXPECT_EQ(rig.venue.executed(PaperVenue::Op::kSubmit), 1);
  rig.quote("99.00", "99.50", "1", "0.5");  // fills stream normally after the lost answer
  ASSERT_EQ(rig.sink.all<OrderFilled>().size(), 1u);

  // The journal saw the fill but not the ack: query emits the ack only.
  Order o = AsOrder(req, "", OrderStatus::kUnknown);
  o.filled_quantity = D("0.5");
  adapters::QueryOutcome out;
  rig.venue.query(o, [&](Result<adapters::QueryOutcome> r) { out = r.value(); });
  rig.sched.run_all();
  EXPECT_TRUE(out.found);
  EXPECT_EQ(out.status, OrderStatus::kPartialFill);
  EXPECT_EQ(out.venue_order_id.str(), "1000");
  EXPECT_EQ(out.filled_quantity, D("0.5"));
  EXPECT_EQ(rig.sink.order_events(), (std::vector<std::string>{"OrderFilled", "OrderAccepted"}));

  // A journal that missed the fill too gets it re-emitted with the same trade id.
  rig.sink.events.clear();
  o.filled_quantity = D("0");
  rig.venue.query(o, [&](Result<adapters::QueryOutcome> r) { out = r.value(); });
  rig.sched.run_all();
  auto fills = rig.sink.all<OrderFilled>();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].trade_id.str(), "BTC-USDT:1000");

  // Resending the same client order id while it is open is refused: no second order.
  Status dup = rig.submit(req);
  EXPECT_EQ(dup.error().venue_code, -2010);
  EXPECT_EQ(rig.venue.with_engine([](const MatchingEngine& e) { return e.open_orders("").size(); }),
            1u);
}

TEST(PaperVenue, QueryOfAnOrderTheVenueNeverSawIsNotFound) {
  Rig rig;
  rig.quote("99.00", "101.00");
  rig.venue.fail_next(PaperVenue::Op::kSubmit, 1,
                      make_error(ErrorKind::kTransient, "connection refused"));
  auto req = Limit("never", Side::kBuy, "1", "95.00");
  Status st = rig.submit(req);
  EXPECT_EQ(st.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(rig.venue.executed(PaperVenue::Op::kSubmit), 0);
  bool called = false;
  rig.venue.query(AsOrder(req, "", OrderStatus::kUnknown), [&](Result<adapters::QueryOutcome> r) {
    called = true;
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->found);
  });
  rig.sched.run_all();
  EXPECT_TRUE(called);
  EXPECT_TRUE(rig.sink.order_events().empty());
  // The retry with the same id then works.
  EXPECT_TRUE(rig.submit(req).ok());
  EXPECT_EQ(rig.sink.all<OrderAccepted>().size(), 1u);
}

TEST(PaperVenue, FaultRulesApplyToTheNextNCommandsInOrder) {
  Rig rig;
  rig.quote("99.00", "101.00");
  Error limited = make_error(ErrorKind::kRateLimited, "429");
  limited.retry_after_ms = 2000;
  rig.venue.fail_next(PaperVenue::Op::kSubmit, 2, limited);
  rig.venue.reject_next_submits(1, "injected reject");
  auto req = Limit("x", Side::kBuy, "1", "95.00");
  Status a = rig.submit(req);
  Status b = rig.submit(req);
  EXPECT_EQ(a.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(b.error().retry_after_ms, 2000);
  Status c = rig.submit(req);
  EXPECT_EQ(c.error().kind, ErrorKind::kPermanent);
  ASSERT_EQ(rig.sink.all<OrderRejected>().size(), 1u);
  EXPECT_EQ(rig.sink.all<OrderRejected>()[0].reason, "injected reject");
  EXPECT_TRUE(rig.submit(Limit("y", Side::kBuy, "1", "95.00")).ok());
  EXPECT_EQ(rig.venue.executed(PaperVenue::Op::kSubmit), 1);
}

TEST(PaperVenue, DisconnectedVenueRefusesCommandsAndLosesEvents) {
  Rig rig;
  rig.quote("99.00", "101.00");
  auto req = Limit("d", Side::kBuy, "1", "100.00");
  ASSERT_TRUE(rig.submit(req).ok());
  rig.venue.set_connected(false);
  EXPECT_EQ(rig.sink.all<VenueConnectionChanged>().back().state, ConnectionState::kDisconnected);
  EXPECT_EQ(rig.submit(Limit("e", Side::kBuy, "1", "95.00")).error().kind,
            ErrorKind::kDisconnected);
  rig.quote("99.00", "99.50");  // fills at the venue, but the stream is down
  EXPECT_TRUE(rig.sink.all<OrderFilled>().empty());
  rig.venue.set_connected(true);
  Order o = AsOrder(req, "1000");
  adapters::QueryOutcome out;
  rig.venue.query(o, [&](Result<adapters::QueryOutcome> r) { out = r.value(); });
  rig.sched.run_all();
  EXPECT_EQ(out.status, OrderStatus::kFilled);
  EXPECT_EQ(rig.sink.all<OrderFilled>().size(), 1u);  // recovered by the query
}

TEST(PaperVenue, RecoverRestoresRestingOrdersThatThenFillOrCancel) {
  ManualClock clock;
  ManualScheduler sched(clock);
  FakeSink sink;
  OrderRequested a = Limit("ra", Side::kBuy, "2", "100.00");
  OrderRequested b = Limit("rb", Side::kSell, "0.5", "110.00");
  {
    PaperVenue before(Config(), clock, sched);
    StatusBox s;
    before.start(sink, s.done());
    sched.run_all();
    before.on_quote(md::Quote{kBtc, D("99.00"), D("101.00"), D("1"), D("1"), 0});
    StatusBox s1, s2;
    before.submit(a, 1, s1.done());
    before.submit(b, 1, s2.done());
    sched.run_all();
    before.on_quote(md::Quote{kBtc, D("99.00"), D("99.90"), D("1"), D("0.5"), 0});
    ASSERT_EQ(sink.all<OrderFilled>().size(), 1u);
  }  // the process dies
  // The journal's view: "ra" partially filled (0.5 of 2), "rb" working.
  Order ra = AsOrder(a, "1000", OrderStatus::kPartialFill);
  ra.filled_quantity = D("0.5");
  ra.filled_notional = D("50");
  Order rb = AsOrder(b, "1001");
  Order pending = AsOrder(Limit("rp", Side::kBuy, "1", "90.00"), "", OrderStatus::kPending);
  sink.events.clear();
  PaperConfig cfg = Config();
  cfg.id_base = 2000;
  PaperVenue after(cfg, clock, sched);
  after.set_balance("USDT", D("99799.8"), D("150.15"));
  after.set_balance("BTC", D("1.0"), D("0.5"));
  StatusBox s;
  after.start(sink, s.done());
  StatusBox r;
  after.recover({ra, rb, pending}, r.done());
  sched.run_all();
  ASSERT_TRUE(r.called && r.status.ok());
  auto open = after.with_engine([](const MatchingEngine& e) { return e.open_orders(""); });
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].order_id, 1000u);
  EXPECT_EQ(open[0].client_order_id, "ra");
  EXPECT_EQ(open[0].remaining(), D("1.5"));
  EXPECT_EQ(open[1].client_order_id, "rb");

  after.on_trade(md::Trade{kBtc, D("99.00"), D("5"), Side::kSell, 0});  // through "ra"
  auto fills = sink.all<OrderFilled>();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].client_order_id.str(), "ra");
  EXPECT_EQ(fills[0].venue_order_id.str(), "1000");
  EXPECT_EQ(fills[0].quantity, D("1.5"));
  EXPECT_EQ(fills[0].trade_id.str(), "BTC-USDT:2000");  // not a trade id of the first run

  StatusBox c;
  after.cancel(rb, c.done());
  sched.run_all();
  EXPECT_TRUE(c.status.ok());
  ASSERT_EQ(sink.all<OrderCancelled>().size(), 1u);
  EXPECT_EQ(sink.all<OrderCancelled>()[0].client_order_id.str(), "rb");
  auto bal = after.balances();
  EXPECT_EQ(bal["USDT"].free, D("99799.8"));
  EXPECT_EQ(bal["USDT"].locked, D("0"));
  EXPECT_EQ(bal["BTC"].free, D("3.0"));
  EXPECT_EQ(bal["BTC"].locked, D("0"));
}

TEST(PaperVenue, StopEndsDeliveryAndLaterCommandsAreRefused) {
  Rig rig;
  StatusBox st;
  rig.venue.stop(st.done());
  EXPECT_TRUE(st.called);
  EXPECT_EQ(rig.sink.all<VenueConnectionChanged>().back().state, ConnectionState::kDisconnected);
  std::size_t n = rig.sink.events.size();
  rig.quote("99.00", "101.00");
  EXPECT_EQ(rig.submit(Limit("late", Side::kBuy, "1", "95.00")).error().kind,
            ErrorKind::kDisconnected);
  EXPECT_EQ(rig.sink.events.size(), n);
}

TEST(PaperVenue, WorkScheduledBeforeDestructionDoesNothingAfterIt) {
  ManualClock clock;
  ManualScheduler sched(clock);
  FakeSink sink;
  bool called = false;
  {
    PaperVenue v(Config(), clock, sched);
    v.start(sink, [&](Status) { called = true; });
  }
  sched.run_all();
  EXPECT_FALSE(called);
  EXPECT_TRUE(sink.events.empty());
}

}  // namespace
}  // namespace at::paper
