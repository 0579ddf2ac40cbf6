// oms.order_timeout_seconds: a resting order still open after the timeout is cancelled by the
// engine, with the cancel journaled under reason "timeout". Time moves only on the manual
// clock (Harness::advance_ms); nothing sleeps.
#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using testing::decision;
using testing::Harness;
using testing::quote;

EngineOptions with_timeout(const Harness& h, double seconds) {
  EngineOptions o = h.options();
  o.order_timeout_s = seconds;
  return o;
}

// The CancelRequested / OrderCancelled envelopes of one order, in journal order.
std::vector<Envelope> cancel_events(const Harness& h, const ClientOrderId& id) {
  std::vector<Envelope> out;
  auto st = h.journal->read(1, h.journal->last_sequence(), [&](const Envelope& e) {
    if (auto* c = std::get_if<CancelRequested>(&e.event); c && c->client_order_id == id)
      out.push_back(e);
    if (auto* c = std::get_if<OrderCancelled>(&e.event); c && c->client_order_id == id)
      out.push_back(e);
    return true;
  });
  EXPECT_TRUE(st.ok());
  return out;
}

TEST(OrderTimeout, RestingOrderIsCancelledWhenTheTimeoutPasses) {
  Harness h;
  h.open(with_timeout(h, 2));
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  ASSERT_EQ(out.kind, DecisionOutcome::Kind::kOrdered) << out.detail;
  const ClientOrderId id = out.client_order_id;
  h.advance_ms(2);
  ASSERT_EQ(h.order(id).status, OrderStatus::kSubmitted);

  // Just before the timeout nothing has happened.
  h.advance_ms(1990);
  EXPECT_EQ(h.order(id).status, OrderStatus::kSubmitted);
  EXPECT_TRUE(h.events<CancelRequested>().empty());

  // Past it: the engine asks for the cancel, the venue (1 ms away) confirms it.
  h.advance_ms(20);
  EXPECT_EQ(h.order(id).status, OrderStatus::kCancelled);
  auto ev = cancel_events(h, id);
  ASSERT_EQ(ev.size(), 2u);
  const auto& req = std::get<CancelRequested>(ev[0].event);
  EXPECT_EQ(req.reason, "timeout");
  EXPECT_TRUE(std::holds_alternative<OrderCancelled>(ev[1].event));
  EXPECT_GT(ev[1].sequence, ev[0].sequence);
  // The request was journaled 2 s after the order was (the timer is the clock's, not a sleep).
  const auto& requested = h.events<OrderRequested>();
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_GE(req.ts_ns - requested[0].ts_ns, 2'000'000'000);
  EXPECT_LT(req.ts_ns - requested[0].ts_ns, 2'010'000'000);
  // Nothing else was sent for it, and the cancel shows in the OMS's history of the order.
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kSubmit), 1);
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kCancel), 1);
  EXPECT_EQ(h.engine->state().oms().open_count(), 0u);
  EXPECT_EQ(h.engine->state().oms().anomalies().size(), 0u);
}

TEST(OrderTimeout, OrderFilledBeforeTheTimeoutIsNotCancelled) {
  Harness h;
  h.open(with_timeout(h, 2));
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49900.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  // After one second the market comes down through the order and fills it.
  h.advance_ms(1000);
  h.quote_now(quote("49800.00", "49850.00", "1", "1"));
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  h.advance_ms(3000);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  EXPECT_TRUE(h.events<CancelRequested>().empty());
  EXPECT_EQ(h.venue->executed(paper::PaperVenue::Op::kCancel), 0);
}

TEST(OrderTimeout, PartiallyFilledOrderIsCancelledAndKeepsItsFill) {
  Harness h;
  h.open(with_timeout(h, 1));
  h.quote_now(quote("49990.00", "50000.00", "1", "0.4"));
  auto out = h.decide(decision("d1", Action::kLong, "1", "50000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kPartialFill);
  h.advance_ms(1010);
  const Order& o = h.order(out.client_order_id);
  EXPECT_EQ(o.status, OrderStatus::kCancelled);
  EXPECT_EQ(o.filled_quantity, Decimal::of("0.4"));
  auto ev = cancel_events(h, out.client_order_id);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(std::get<CancelRequested>(ev[0].event).reason, "timeout");
  const auto* pos = h.engine->state().positions().find("paper", Symbol::of("BTC-USDT"));
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(pos->quantity, Decimal::of("0.4"));
}

TEST(OrderTimeout, ZeroDisablesTheTimeout) {
  Harness h;
  h.open(with_timeout(h, 0));
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(5000);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  EXPECT_TRUE(h.events<CancelRequested>().empty());
}

TEST(OrderTimeout, TimeoutIsArmedAgainForOrdersRestoredAfterARestart) {
  Harness h;
  h.open(with_timeout(h, 2));
  h.quote_now(quote("49990.00", "50000.00"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  h.crash();
  h.open(with_timeout(h, 2));
  ASSERT_TRUE(is_open(h.order(out.client_order_id).status));
  h.advance_ms(2020);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kCancelled);
  auto req = h.events<CancelRequested>();
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].reason, "timeout");
}

}  // namespace
}  // namespace at::engine
