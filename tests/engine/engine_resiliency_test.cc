#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using testing::decision;
using testing::Harness;
using testing::quote;
using Op = paper::PaperVenue::Op;

TEST(RetryPolicy, ExponentialScheduleWithoutJitterAndRetryAfterWins) {
  ResiliencyOptions o;
  o.jitter = 0;
  o.initial_backoff_s = 1;
  o.backoff_multiplier = 2;
  o.max_retries = 4;
  o.max_backoff_s = 5;
  RetryPolicy p(o, 1);
  EXPECT_EQ(p.delay_ms(1, 0), 1000);
  EXPECT_EQ(p.delay_ms(2, 0), 2000);
  EXPECT_EQ(p.delay_ms(3, 0), 4000);
  EXPECT_EQ(p.delay_ms(4, 0), 5000);  // capped
  EXPECT_EQ(p.delay_ms(5, 0), std::nullopt);
  EXPECT_EQ(p.delay_ms(1, 7000), 7000);  // Retry-After honoured
}

TEST(RetryPolicy, JitterStaysInItsBandAndIsSeeded) {
  ResiliencyOptions o;
  o.jitter = 0.2;
  RetryPolicy a(o, 9), b(o, 9);
  for (int i = 0; i < 50; ++i) {
    auto x = a.delay_ms(1, 0);
    EXPECT_EQ(x, b.delay_ms(1, 0));
    EXPECT_GE(*x, 800);
    EXPECT_LE(*x, 1200);
  }
}

TEST(CircuitBreaker, OpensHalfOpensAndCloses) {
  CircuitBreaker b(3, 10'000'000'000);
  std::optional<CircuitBreaker::Change> c;
  EXPECT_FALSE(b.on_failure(0));
  EXPECT_FALSE(b.on_failure(1));
  auto open = b.on_failure(2);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->to, BreakerState::kOpen);
  EXPECT_FALSE(b.allow(5'000'000'000, c));
  EXPECT_TRUE(b.allow(10'000'000'002, c));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to, BreakerState::kHalfOpen);
  EXPECT_FALSE(b.allow(10'000'000'003, c));  // one probe at a time
  auto closed = b.on_success();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->to, BreakerState::kClosed);
  // A failed probe reopens.
  b.on_failure(20);
  b.on_failure(21);
  b.on_failure(22);
  EXPECT_TRUE(b.allow(40'000'000'000, c));
  auto reopened = b.on_failure(40'000'000'001);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->from, BreakerState::kHalfOpen);
  EXPECT_EQ(reopened->to, BreakerState::kOpen);
}

TEST(EngineResiliency, TransientFailuresAreRetriedOnScheduleWithTheSameClientOrderId) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  h.venue->fail_next(Op::kSubmit, 2, make_error(ErrorKind::kTransient, "connection reset"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);  // attempt 1 fails after the 1 ms latency
  auto retries = h.events<RetryScheduled>();
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].delay_ms, 1000);
  h.advance_ms(990);
  EXPECT_EQ(h.events<OrderSent>().size(), 1u);  // not before the backoff
  h.advance_ms(15);
  retries = h.events<RetryScheduled>();
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[1].delay_ms, 2000);
  h.advance_ms(2003);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  auto sent = h.events<OrderSent>();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& s : sent) EXPECT_EQ(s.client_order_id, out.client_order_id);
  EXPECT_EQ(sent[2].attempt, 3u);
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 1);
}

TEST(EngineResiliency, RateLimitHonoursRetryAfter) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  Error e = make_error(ErrorKind::kRateLimited, "429");
  e.retry_after_ms = 7000;
  h.venue->fail_next(Op::kSubmit, 1, e);
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  auto retries = h.events<RetryScheduled>();
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].delay_ms, 7000);
  h.advance_ms(6990);
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 0);
  h.advance_ms(20);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
}

TEST(EngineResiliency, RateLimitingDoesNotOpenTheBreaker) {
  Harness h;
  auto o = h.options();
  o.resiliency.circuit_breaker_threshold = 2;
  o.resiliency.max_retries = 10;
  o.resiliency.initial_backoff_s = 0.05;
  o.resiliency.backoff_multiplier = 1;
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  Error e = make_error(ErrorKind::kRateLimited, "429");
  e.retry_after_ms = 100;
  h.venue->fail_next(Op::kSubmit, 4, e);
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(600);
  EXPECT_EQ(h.events<RetryScheduled>().size(), 4u);
  EXPECT_TRUE(h.events<CircuitBreakerChanged>().empty());
  EXPECT_EQ(h.engine->state().control().breaker("paper"), BreakerState::kClosed);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
}

TEST(EngineResiliency, BreakerOpensHalfOpensAndClosesWithEveryChangeJournaled) {
  Harness h;
  auto o = h.options();
  o.resiliency.circuit_breaker_threshold = 2;
  o.resiliency.max_retries = 10;
  o.resiliency.initial_backoff_s = 0.1;
  o.resiliency.backoff_multiplier = 1;
  o.resiliency.breaker_cooldown_s = 5;
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  h.venue->fail_next(Op::kSubmit, 2, make_error(ErrorKind::kTransient, "down"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(300);
  auto changes = h.events<CircuitBreakerChanged>();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].to, BreakerState::kOpen);
  EXPECT_EQ(h.engine->state().control().breaker("paper"), BreakerState::kOpen);
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 0);
  h.advance_ms(5000);  // cooldown: one probe goes, succeeds
  changes = h.events<CircuitBreakerChanged>();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[1].to, BreakerState::kHalfOpen);
  EXPECT_EQ(changes[2].to, BreakerState::kClosed);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
}

TEST(EngineResiliency, DeadLetterRoundTripKeepsOneClientOrderId) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00", "1", "1"));
  h.venue->fail_next(Op::kSubmit, 4, make_error(ErrorKind::kTransient, "down"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "50000.00"));
  h.advance_ms(1000 + 2000 + 4000 + 20);
  auto dl = h.events<DeadLettered>();
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0].client_order_id, out.client_order_id);
  EXPECT_EQ(dl[0].attempts, 4u);
  ASSERT_EQ(h.engine->state().dead_letters().open_count(), 1u);
  EXPECT_EQ(h.engine->in_flight(), 0u);  // dead letters wait for a person
  // Listed in the dlq topic too.
  auto open = h.journal->open_dead_letters();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 1u);
  Status st = make_error(ErrorKind::kIo, "not called");
  h.engine->dlq_retry(out.client_order_id, "test", [&](Status s) { st = s; });
  h.advance_ms(3);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  EXPECT_EQ(h.engine->state().dead_letters().open_count(), 0u);
  for (const auto& s : h.events<OrderSent>()) EXPECT_EQ(s.client_order_id, out.client_order_id);
  EXPECT_EQ(h.events<OrderRequested>().size(), 1u);
}

TEST(EngineResiliency, DroppingADeadLetterRejectsTheOrder) {
  Harness h;
  auto o = h.options();
  o.resiliency.max_retries = 0;
  h.open(o);
  auto out = h.dead_letter("49000.00");
  ASSERT_EQ(h.engine->state().dead_letters().open_count(), 1u);
  Status st = make_error(ErrorKind::kIo, "x");
  h.engine->dlq_drop(out.client_order_id, "test", "stale", [&](Status s) { st = s; });
  h.pump();
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kRejected);
  h.engine->dlq_drop(ClientOrderId("nope"), "test", "x", [&](Status s) { st = s; });
  h.pump();
  EXPECT_FALSE(st.ok());
}

TEST(EngineResiliency, UnknownOutcomeResolvedByQueryWhenTheVenueHadIt) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  h.venue->drop_answer_next(Op::kSubmit, 1);
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(5);
  EXPECT_EQ(h.events<OrderStatusUnknown>().size(), 1u);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  EXPECT_FALSE(h.order(out.client_order_id).venue_order_id.empty());
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 1);  // never resent
  EXPECT_EQ(h.events<OrderSent>().size(), 1u);
}

TEST(EngineResiliency, UnknownOutcomeResolvedByQueryWhenTheVenueDidNotHaveIt) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  h.venue->fail_next(Op::kSubmit, 1, make_error(ErrorKind::kUnknownOutcome, "timeout after send"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(6);
  EXPECT_EQ(h.events<OrderStatusUnknown>().size(), 1u);
  EXPECT_EQ(h.events<OrderNotFoundAtVenue>().size(), 1u);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  auto sent = h.events<OrderSent>();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].client_order_id, out.client_order_id);
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 1);
}

TEST(EngineKillSwitch, CancelsEverythingAndBlocksNewOrdersAcrossARestart) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00", "5", "5"));
  auto a = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  auto b = h.decide(decision("d2", Action::kShort, "0.1", "51000.00"));
  h.advance_ms(2);
  Status st = make_error(ErrorKind::kIo, "x");
  h.engine->kill("test", "drill", false, [&](Status s) { st = s; });
  h.advance_ms(3);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(h.order(a.client_order_id).status, OrderStatus::kCancelled);
  EXPECT_EQ(h.order(b.client_order_id).status, OrderStatus::kCancelled);
  EXPECT_EQ(h.engine->state().control().trading().state, TradingState::kHalted);
  auto refused = h.decide(decision("d3", Action::kLong, "0.1", "49000.00"));
  EXPECT_EQ(refused.reason, risk_reasons::kTradingHalted);
  h.crash();
  h.open();
  auto still = h.decide(decision("d4", Action::kLong, "0.1", "49000.00"));
  EXPECT_EQ(still.reason, risk_reasons::kTradingHalted);
  h.engine->resume("test", nullptr);
  h.pump();
  auto ok = h.decide(decision("d5", Action::kLong, "0.1", "49000.00"));
  EXPECT_EQ(ok.kind, DecisionOutcome::Kind::kOrdered);
}

TEST(EngineKillSwitch, FlattenClosesPositions) {
  Harness h;
  h.open();
  h.quote_now(quote("49990.00", "50000.00", "5", "5"));
  h.decide(decision("d1", Action::kLong, "0.4", "50000.00"));
  h.advance_ms(2);
  h.engine->kill("test", "flatten drill", true, nullptr);
  h.advance_ms(3);
  EXPECT_TRUE(
      h.engine->state().positions().find("paper", Symbol::of("BTC-USDT"))->quantity.is_zero());
}

TEST(EngineKillSwitch, TripsAutomaticallyAfterTooManyVenueRejects) {
  Harness h;
  auto o = h.options();
  o.kill_switch.max_rejects = 2;
  o.kill_switch.reject_window_s = 60;
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  h.venue->reject_next_submits(2, "venue says no");
  h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.decide(decision("d2", Action::kLong, "0.2", "49000.00"));
  h.advance_ms(3);
  EXPECT_EQ(h.engine->state().control().trading().state, TradingState::kHalted);
  ASSERT_EQ(h.events<KillSwitchActivated>().size(), 1u);
  EXPECT_EQ(h.events<KillSwitchActivated>()[0].who, "auto");
}

TEST(EngineRecovery, InFlightOrdersAreResolvedAndRestingOrdersRestoredAfterACrash) {
  Harness h;
  h.owns_dir = false;
  std::string dir = h.dir;
  h.open();
  h.quote_now(quote("49990.00", "50000.00"));
  auto resting = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(resting.client_order_id).status, OrderStatus::kSubmitted);
  // An order whose intent is durable but which never left (crash right after the append).
  h.venue->fail_next(Op::kSubmit, 1, make_error(ErrorKind::kUnknownOutcome, "cut"));
  auto inflight = h.decide(decision("d2", Action::kLong, "0.1", "48000.00"));
  h.pump();
  h.crash();

  Harness h2(dir);
  h2.open();
  h2.advance_ms(10);
  h2.quote_now(quote("48990.00", "49000.00"));
  EXPECT_EQ(h2.order(inflight.client_order_id).status, OrderStatus::kSubmitted);
  // The restored resting order still fills when the market reaches it.
  h2.quote_now(quote("48900.00", "48950.00", "1", "1"));
  EXPECT_EQ(h2.order(resting.client_order_id).status, OrderStatus::kFilled);
  auto rec = h2.events<RecoveryCompleted>();
  ASSERT_FALSE(rec.empty());
  EXPECT_GE(rec.back().restored_resting, 1u);
  // No client order id was requested twice.
  std::set<ClientOrderId> ids;
  for (const auto& r : h2.events<OrderRequested>())
    EXPECT_TRUE(ids.insert(r.client_order_id).second);
}

}  // namespace
}  // namespace at::engine
