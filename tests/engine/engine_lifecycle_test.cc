#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using testing::decision;
using testing::Harness;
using testing::quote;

TEST(EngineLifecycle, LimitOrderPartiallyFillsThenFillsAndPositionFollows) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00", "1", "0.5"));
  auto out = h.decide(decision("d1", Action::kLong, "1", "50000.00"));
  ASSERT_EQ(out.kind, DecisionOutcome::Kind::kOrdered) << out.detail;
  ClientOrderId id = out.client_order_id;
  EXPECT_EQ(h.order(id).status, OrderStatus::kPending);  // durable intent, venue not reached yet
  h.advance_ms(2);
  EXPECT_EQ(h.order(id).status, OrderStatus::kPartialFill);
  EXPECT_EQ(h.order(id).filled_quantity, Decimal::of("0.5"));
  h.quote_now(quote("49980.00", "49990.00", "1", "2"));
  EXPECT_EQ(h.order(id).status, OrderStatus::kFilled);
  const auto* pos = h.engine->state().positions().find("paper", Symbol::of("BTC-USDT"));
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->quantity, Decimal::of("1"));
  // First half taken at the ask 50000.00, second half rests at 50000.00 and fills as maker there.
  EXPECT_EQ(pos->average_price(2), Decimal::of("50000.00"));
  // Sell it back higher: realized P&L is exact.
  h.quote_now(quote("50100.00", "50110.00", "3", "3"));
  auto out2 = h.decide(decision("d2", Action::kShort, "1", "50100.00"));
  h.advance_ms(2);
  EXPECT_EQ(h.order(out2.client_order_id).status, OrderStatus::kFilled);
  pos = h.engine->state().positions().find("paper", Symbol::of("BTC-USDT"));
  EXPECT_TRUE(pos->quantity.is_zero());
  EXPECT_EQ(pos->realized_pnl, Decimal::of("100"));
  // Every fill is in the journal exactly once, with the order's id.
  auto fills = h.events<OrderFilled>();
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0].client_order_id, id);
  EXPECT_EQ(h.engine->counters().duplicate_fills, 0u);
}

TEST(EngineLifecycle, IntentIsDurableBeforeTheVenueSeesIt) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  // The OrderRequested is in the journal before the venue executed anything.
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kSubmit), 0);
  auto req = h.events<OrderRequested>();
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].client_order_id, out.client_order_id);
  h.advance_ms(2);
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kSubmit), 1);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
}

TEST(EngineLifecycle, RepeatedDecisionIdGetsTheOriginalOutcomeAndNoSecondOrder) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto first = h.decide(decision("same", Action::kLong, "0.1", "49000.00"));
  auto again = h.decide(decision("same", Action::kLong, "0.1", "49000.00"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.client_order_id, first.client_order_id);
  EXPECT_EQ(h.events<OrderRequested>().size(), 1u);
  // Also after a restart: the outcome comes from the journal.
  h.close();
  h.open();
  auto after = h.decide(decision("same", Action::kLong, "0.1", "49000.00"));
  EXPECT_TRUE(after.duplicate);
  EXPECT_EQ(after.client_order_id, first.client_order_id);
  EXPECT_EQ(h.events<OrderRequested>().size(), 1u);
}

TEST(EngineLifecycle, BadDecisionsGetAReasonAndLeaveOthersAlone) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto unknown = decision("u", Action::kLong, "1", "1.00");
  unknown.symbol = Symbol::of("DOGE-USDT");
  EXPECT_EQ(h.decide(unknown).reason, "unknown_symbol");
  EXPECT_EQ(h.decide(decision("n", Action::kLong, "-1", "50000.00")).reason, "invalid_decision");
  auto no_price = decision("p", Action::kLong, "1");
  no_price.order_type = OrderType::kLimit;
  auto np = h.decide(no_price);
  EXPECT_EQ(np.kind, DecisionOutcome::Kind::kInvalid);
  EXPECT_NE(np.detail.find("limit_price"), std::string::npos);
  EXPECT_FALSE(parse_decision("{not json").ok());
  EXPECT_FALSE(
      parse_decision(R"({"decision_id":"x","action":"LONG","symbol":"BTC-USDT","size":0.1})").ok());
  // Nothing of the bad ones is journaled; a good one right after still works.
  EXPECT_EQ(h.events<DecisionReceived>().size(), 0u);
  auto good = h.decide(decision("g", Action::kLong, "0.1", "49000.00"));
  EXPECT_EQ(good.kind, DecisionOutcome::Kind::kOrdered);
}

TEST(EngineLifecycle, FlatClosesThePositionAndHoldDoesNothing) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00", "5", "5"));
  h.decide(decision("d1", Action::kLong, "0.3", "50000.00"));
  h.advance_ms(2);
  auto hold = h.decide(decision("h", Action::kHold, "0"));
  EXPECT_EQ(hold.kind, DecisionOutcome::Kind::kHeld);
  auto flat = decision("f", Action::kFlat, "0");
  flat.order_type = OrderType::kMarket;
  auto out = h.decide(flat);
  ASSERT_EQ(out.kind, DecisionOutcome::Kind::kOrdered) << out.detail;
  h.advance_ms(2);
  EXPECT_EQ(h.order(out.client_order_id).side, Side::kSell);
  EXPECT_EQ(h.order(out.client_order_id).quantity, Decimal::of("0.3"));
  EXPECT_TRUE(
      h.engine->state().positions().find("paper", Symbol::of("BTC-USDT"))->quantity.is_zero());
}

TEST(EngineLifecycle, CancelOfARestingOrder) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  Status result = make_error(ErrorKind::kIo, "not called");
  h.engine->cancel_order(out.client_order_id, "user", [&](Status s) { result = s; });
  h.pump();
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kPendingCancel);
  h.advance_ms(2);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kCancelled);
  // Unknown id: a clear error, nothing journaled.
  auto before = h.journal->last_sequence();
  h.engine->cancel_order(ClientOrderId("nope"), "user", [&](Status s) { result = s; });
  h.pump();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("nope"), std::string::npos);
  EXPECT_EQ(h.journal->last_sequence(), before);
}

TEST(EngineLifecycle, CancelRacingAFillEndsFilled) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49995.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  h.engine->cancel_order(out.client_order_id, "user", nullptr);
  h.pump();
  // The market moves through the order before the cancel reaches the venue.
  h.quote_now(quote("49980.00", "49990.00", "1", "1"));
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  h.advance_ms(2);  // the cancel arrives: rejected because filled (a legal race)
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  EXPECT_EQ(h.events<CancelRejected>().size(), 1u);
  EXPECT_EQ(h.engine->state().oms().anomalies().size(), 0u);
}

TEST(EngineLifecycle, NativeReplaceLinksTheOrders) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  std::optional<Result<ClientOrderId>> r;
  h.engine->replace_order(out.client_order_id, Decimal::of("0.2"), Decimal::of("49100.00"),
                          [&](Result<ClientOrderId> x) { r = std::move(x); });
  h.pump();
  ASSERT_TRUE(r && r->ok());
  ClientOrderId new_id = r->value();
  h.advance_ms(2);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kCancelled);
  EXPECT_EQ(h.order(new_id).status, OrderStatus::kSubmitted);
  EXPECT_EQ(h.order(new_id).replaces, out.client_order_id);
  EXPECT_EQ(h.order(new_id).quantity, Decimal::of("0.2"));
  EXPECT_EQ(*h.order(new_id).limit_price, Decimal::of("49100.00"));
}

// A native replace whose answer is lost and that never reached the venue: the replacement is
// not there, so the replace did not happen. The old order keeps working and the replacement is
// never sent as a second, separate order.
TEST(EngineLifecycle, LostReplaceThatNeverHappenedDoesNotDoubleTheOrder) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  h.venue->fail_next(paper::PaperVenue::Op::kReplace, 1,
                     make_error(ErrorKind::kUnknownOutcome, "timeout"));
  std::optional<Result<ClientOrderId>> r;
  h.engine->replace_order(out.client_order_id, Decimal::of("0.2"), Decimal::of("49100.00"),
                          [&](Result<ClientOrderId> x) { r = std::move(x); });
  h.pump();
  ASSERT_TRUE(r && r->ok());
  ClientOrderId new_id = r->value();
  h.advance_ms(20);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  EXPECT_EQ(h.order(new_id).status, OrderStatus::kRejected);
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kSubmit),
            1);  // only the original order, never the replacement
  EXPECT_EQ(h.events<ReplaceRejected>().size(), 1u);
  // The old order is still live at the venue and still fills.
  h.quote_now(quote("48990.00", "49000.00"));
  h.advance_ms(5);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
}

// The venue refuses a cancel because the order has already filled, and the fill was lost on
// the way: the engine asks the venue, and the journal catches up at once.
TEST(EngineLifecycle, CancelRefusedForAnOrderThatAlreadyFilledIsReconciledAtOnce) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  h.venue->set_connected(false);  // the fill below happens at the venue but is not heard
  h.quote_now(quote("48990.00", "49000.00"));
  h.advance_ms(2);
  h.venue->set_connected(true);
  h.pump();
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  std::optional<Status> st;
  h.engine->cancel_order(out.client_order_id, "test", [&](Status s) { st = s; });
  h.advance_ms(10);
  ASSERT_TRUE(st && st->ok());
  EXPECT_EQ(h.events<CancelRejected>().size(), 1u);
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kQuery), 1);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  EXPECT_EQ(h.events<OrderFilled>().size(), 1u);
}

TEST(EngineLifecycle, UnknownFillBecomesAnAnomalyNotACrash) {
  Harness h;
  h.open();
  OrderFilled f;
  f.client_order_id = ClientOrderId("never-sent");
  f.trade_id = TradeId("x1");
  f.symbol = Symbol::of("BTC-USDT");
  f.quantity = Decimal::of("1");
  f.price = Decimal::of("1");
  h.engine->on_venue_event(f);
  h.pump();
  auto a = h.events<AnomalyDetected>();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "unknown_order");
  EXPECT_EQ(h.events<OrderFilled>().size(), 0u);
}

// What the venue reports while it stops (here its own disconnection) is journaled before the
// stop completes: the engine's last sequence is the journal's, nothing applied and dropped.
TEST(EngineLifecycle, WhatTheVenueReportsWhileStoppingIsJournaledBeforeTheStopCompletes) {
  Harness h;
  h.open();
  bool stopped = false;
  std::uint64_t journaled = 0, staged = 0;  // when the stop reports done
  h.engine->stop("test", [&] {
    stopped = true;
    journaled = h.journal->last_sequence();
    staged = h.engine->last_sequence();
  });
  ASSERT_TRUE(h.settle([&] { return stopped; }));
  EXPECT_EQ(journaled, staged);
  auto changes = h.events<VenueConnectionChanged>();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().state, ConnectionState::kDisconnected);
  EXPECT_GT(h.journal->last_sequence(), h.engine->state().control().engine().stopped_seq)
      << "the disconnection comes after EngineStopped";
}

}  // namespace
}  // namespace at::engine
