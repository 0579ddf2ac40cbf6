// replay::compute_stats over a journal the engine wrote: one session with a fill, a cancel, a
// risk rejection, a venue rejection, a dead letter and a HOLD, each counted where it belongs.
#include "replay/stats.h"

#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using paper::PaperVenue;
using testing::decision;
using testing::Harness;
using testing::quote;

constexpr std::int64_t kMs = 1'000'000;

// One of everything. Returns the journal time just before the last decision (d7).
std::int64_t run_session(Harness& h) {
  EngineOptions o = h.options();
  o.resiliency.max_retries = 0;  // the first transient failure dead-letters
  o.risk.defaults.max_order_quantity = Decimal::of("5");
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00", "1", "1"));
  // d1: crosses the ask, fills 1 ms later.
  EXPECT_EQ(h.decide(decision("d1", Action::kLong, "0.1", "50000.00")).kind,
            DecisionOutcome::Kind::kOrdered);
  h.advance_ms(2);
  // d2: rests, then cancelled by the user.
  auto d2 = h.decide(decision("d2", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  h.engine->cancel_order(d2.client_order_id, "user", nullptr);
  h.advance_ms(2);
  // d3: over max_order_quantity.
  EXPECT_EQ(h.decide(decision("d3", Action::kLong, "6", "49000.00")).reason, "max_order_quantity");
  // d4: HOLD.
  EXPECT_EQ(h.decide(decision("d4", Action::kHold, "0")).kind, DecisionOutcome::Kind::kHeld);
  // d5: the venue is down once: dead-lettered.
  h.venue->fail_next(PaperVenue::Op::kSubmit, 1, make_error(ErrorKind::kTransient, "down"));
  h.decide(decision("d5", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(2);
  // d6: the venue refuses it.
  h.venue->fail_next(PaperVenue::Op::kSubmit, 1, make_error(ErrorKind::kPermanent, "price filter"));
  h.decide(decision("d6", Action::kLong, "0.1", "48900.00"));  // not a duplicate of d5
  h.advance_ms(2);
  // d7, a second later: sells the 0.1 back at the bid, filled 1 ms after.
  h.advance_ms(1000);
  const std::int64_t before_d7 = h.clock.now_ns();
  auto d7 = h.decide(decision("d7", Action::kShort, "0.1", "49990.00"));
  EXPECT_EQ(d7.kind, DecisionOutcome::Kind::kOrdered) << d7.reason << ": " << d7.detail;
  h.advance_ms(2);
  return before_d7;
}

TEST(Stats, CountsEveryOutcomeOfASessionTheEngineJournaled) {
  Harness h;
  run_session(h);
  auto s = replay::compute_stats(*h.journal);
  ASSERT_TRUE(s.ok()) << s.error().message;

  EXPECT_EQ(s->events_read, h.journal->last_sequence());
  EXPECT_EQ(s->decisions, 7u);
  EXPECT_EQ(s->decisions_by_outcome.at("ordered"), 5u);  // d1 d2 d5 d6 d7
  EXPECT_EQ(s->decisions_by_outcome.at("risk_rejected"), 1u);
  EXPECT_EQ(s->decisions_by_outcome.at("held"), 1u);
  EXPECT_EQ(s->risk_rejects.at("max_order_quantity"), 1u);
  EXPECT_EQ(s->risk_rejects.size(), 1u);

  EXPECT_EQ(s->orders, 5u);
  EXPECT_EQ(s->sent, 5u);
  EXPECT_EQ(s->filled, 2u);
  EXPECT_EQ(s->cancelled, 1u);
  EXPECT_EQ(s->rejected, 1u);
  EXPECT_EQ(s->venue_rejects.at("price filter"), 1u);
  EXPECT_EQ(s->dead_lettered, 1u);
  EXPECT_EQ(s->open, 1u);  // the dead letter waits, PENDING, for a person
  EXPECT_EQ(s->orders_by_status.at("FILLED"), 2u);
  EXPECT_EQ(s->cancels_by_reason.at("user"), 1u);
  ASSERT_TRUE(s->success_rate());
  EXPECT_DOUBLE_EQ(*s->success_rate(), 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(*s->dead_letter_rate(), 1.0 / 5.0);
  EXPECT_EQ(s->fills, 2u);

  // The paper venue answers 1 ms after the intent is durable and fills on the same answer.
  EXPECT_EQ(s->decision_to_ack.count, 3u);  // d1, d2, d7 reached the venue
  EXPECT_EQ(s->decision_to_ack.p50_ns, 1 * kMs);
  EXPECT_EQ(s->decision_to_ack.max_ns, 1 * kMs);
  EXPECT_EQ(s->decision_to_fill.count, 2u);
  EXPECT_EQ(s->decision_to_fill.p99_ns, 1 * kMs);
  EXPECT_EQ(s->ack_to_fill.count, 2u);
  EXPECT_EQ(s->ack_to_fill.max_ns, 0);
  // The in-process venue stamps a fill with the engine's clock: reported at once.
  EXPECT_EQ(s->fill_to_report.count, 2u);
  EXPECT_EQ(s->fill_to_report.max_ns, 0);
}

TEST(Stats, SinceAndSymbolKeepOnlyWhatWasDecidedThen) {
  Harness h;
  const std::int64_t before_d7 = run_session(h);
  replay::StatsFilter since;
  since.since_ns = before_d7;
  auto s = replay::compute_stats(*h.journal, since);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->decisions, 1u);
  EXPECT_EQ(s->orders, 1u);
  EXPECT_EQ(s->filled, 1u);
  EXPECT_EQ(s->dead_lettered, 0u);
  EXPECT_TRUE(s->risk_rejects.empty());
  EXPECT_EQ(s->decision_to_fill.count, 1u);
  EXPECT_DOUBLE_EQ(*s->success_rate(), 1.0);
  EXPECT_LT(s->events_in_scope, s->events_read);
  EXPECT_GT(s->first_sequence, 0u);

  replay::StatsFilter other;
  other.symbol = Symbol::of("ETH-USDT");
  auto none = replay::compute_stats(*h.journal, other);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->decisions, 0u);
  EXPECT_EQ(none->orders, 0u);
  EXPECT_FALSE(none->success_rate());  // nothing sent: no rate, not 0 % or 100 %
  EXPECT_EQ(none->decision_to_ack.count, 0u);

  replay::StatsFilter btc;
  btc.symbol = Symbol::of("BTC-USDT");
  auto all = replay::compute_stats(*h.journal, btc);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->decisions, 7u);
  EXPECT_EQ(all->orders, 5u);
}

TEST(Stats, AgreeWithTheEnginesOwnMetricsProjection) {
  Harness h;
  run_session(h);
  auto s = replay::compute_stats(*h.journal);
  ASSERT_TRUE(s.ok());
  const auto& m = h.engine->state().metrics();
  EXPECT_EQ(s->decision_to_ack.count, m.decision_to_ack().count());
  EXPECT_EQ(s->decision_to_ack.p99_ns, m.decision_to_ack().quantile_ns(0.99));
  EXPECT_EQ(s->ack_to_fill.count, m.ack_to_fill().count());
  EXPECT_EQ(s->fills, m.fills());
  EXPECT_EQ(s->risk_rejects, m.risk_rejects());
  EXPECT_EQ(s->venue_rejects, m.venue_rejects());
}

TEST(Stats, LatencySummaryOfKnownSamples) {
  projections::LatencyHistogram hist;
  for (int i = 1; i <= 100; ++i) hist.record(i);  // 1..100 ns
  auto l = replay::summarize(hist);
  EXPECT_EQ(l.count, 100u);
  EXPECT_EQ(l.max_ns, 100);
  // Log-linear buckets: within 12.5 % of the exact quantile.
  EXPECT_NEAR(static_cast<double>(l.p50_ns), 50.0, 50.0 * 0.125);
  EXPECT_NEAR(static_cast<double>(l.p90_ns), 90.0, 90.0 * 0.125);
  EXPECT_NEAR(static_cast<double>(l.p99_ns), 99.0, 99.0 * 0.125);
  auto empty = replay::summarize(projections::LatencyHistogram());
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.p99_ns, 0);
}

}  // namespace
}  // namespace at::engine
