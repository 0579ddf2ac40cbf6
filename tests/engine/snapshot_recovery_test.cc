// Recovery from the latest snapshot plus the journal's tail: after a crash with snapshots
// taken, the restarted engine reads only the events after the snapshot, and what it derives
// from the projections (decision outcomes, dead letters, breaker, marks, client order ids,
// in-flight orders) behaves as after a full replay.
#include <gtest/gtest.h>

#include <set>

#include "replay/replay.h"
#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using testing::decision;
using testing::Harness;
using testing::quote;
using Op = paper::PaperVenue::Op;

EngineOptions snapshotting(const Harness& h, std::uint64_t every = 4) {
  EngineOptions o = h.options();
  o.snapshot_every = every;
  return o;
}

using Seen = std::vector<std::pair<DecisionReceived, DecisionOutcome>>;

// Opens `h` with `o`, to which it adds a 1 BTC order limit (the restart uses `o` again), quotes
// BTC-USDT and decides each of `ds`.
Seen open_and_decide(Harness& h, EngineOptions& o, std::initializer_list<DecisionReceived> ds) {
  o.risk.defaults.max_order_quantity = Decimal::of("1");
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  Seen seen;
  for (const auto& d : ds) seen.emplace_back(d, h.decide(d));
  return seen;
}

// The sequence of the latest snapshot in the journal (0 when none).
std::uint64_t latest_snapshot(const Harness& h) {
  auto snap = h.journal->latest_snapshot(h.journal->last_sequence());
  if (!snap) throw std::runtime_error(snap.error().describe());
  return snap->has_value() ? (*snap)->first : 0;
}

// Crash once every snapshot asked for is written, then start again on the same journal.
void crash_and_restart(Harness& h, const EngineOptions& o) {
  h.engine->wait_for_snapshots();
  h.crash();
  h.open(o);
}

// The restarted engine began at the latest snapshot, read only the events after it, and
// recovered exactly the projections a full replay of the journal gives.
void expect_recovered_from_snapshot(const Harness& h) {
  const RecoveryInfo& r = h.engine->recovery();
  ASSERT_TRUE(h.recovered.has_value());
  const std::uint64_t last = h.recovered->last_sequence();
  auto snap = h.journal->latest_snapshot(last);
  ASSERT_TRUE(snap.ok()) << snap.error().describe();
  ASSERT_TRUE(snap->has_value()) << "no snapshot was written";
  const std::uint64_t snapshot = (*snap)->first;
  ASSERT_GT(snapshot, 0u);
  EXPECT_EQ(r.snapshot_sequence, snapshot);
  EXPECT_EQ(r.events_read, last - snapshot);
  EXPECT_TRUE(r.warnings.empty());
  auto full = replay::replay(*h.journal, replay::AsOf::at_sequence(last), {.use_snapshots = false});
  ASSERT_TRUE(full.ok()) << full.error().describe();
  EXPECT_EQ(full->info.events_applied, last);
  EXPECT_EQ(
      projections::Projections::first_difference(h.recovered->serialize(), full->state.serialize()),
      "");
  // RecoveryCompleted reports what was read.
  auto rec = h.events<RecoveryCompleted>();
  ASSERT_FALSE(rec.empty());
  EXPECT_EQ(rec.back().replayed_events, r.events_read);
}

void expect_same_outcome(const DecisionOutcome& again, const DecisionOutcome& first) {
  EXPECT_TRUE(again.duplicate) << first.decision_id.str();
  EXPECT_EQ(again.kind, first.kind) << first.decision_id.str();
  EXPECT_EQ(again.client_order_id, first.client_order_id) << first.decision_id.str();
  EXPECT_EQ(again.reason, first.reason) << first.decision_id.str();
  EXPECT_EQ(again.detail, first.detail) << first.decision_id.str();
  EXPECT_EQ(again.sequence, first.sequence) << first.decision_id.str();
}

TEST(SnapshotRecovery, DecisionsSeenBeforeTheSnapshotGetTheirOriginalOutcome) {
  Harness h;
  EngineOptions o = snapshotting(h);
  Seen seen =
      open_and_decide(h, o,
                      {decision("held", Action::kHold, "0"), decision("flat", Action::kFlat, "0"),
                       decision("big", Action::kLong, "5", "49000.00"),
                       decision("ordered", Action::kLong, "0.1", "49000.00")});
  // Four one-event batches: a snapshot boundary is crossed after the decisions above.
  for (int i = 0; i < 4; ++i) {
    auto pad = decision("pad" + std::to_string(i), Action::kHold, "0");
    seen.emplace_back(pad, h.decide(pad));
  }
  h.advance_ms(2);
  ASSERT_EQ(seen[0].second.kind, DecisionOutcome::Kind::kHeld);
  ASSERT_EQ(seen[1].second.kind, DecisionOutcome::Kind::kNothingToDo);
  ASSERT_EQ(seen[2].second.kind, DecisionOutcome::Kind::kRiskRejected);
  ASSERT_FALSE(seen[2].second.detail.empty());
  ASSERT_EQ(seen[3].second.kind, DecisionOutcome::Kind::kOrdered);
  h.engine->wait_for_snapshots();
  const std::uint64_t snapshot = latest_snapshot(h);
  ASSERT_GT(snapshot, seen[3].second.sequence) << "the decisions must precede the snapshot";
  // One more after the snapshot: its outcome comes from the tail.
  auto late = decision("late", Action::kLong, "0.2", "48000.00");
  seen.emplace_back(late, h.decide(late));
  ASSERT_EQ(seen.back().second.kind, DecisionOutcome::Kind::kOrdered);

  crash_and_restart(h, o);
  expect_recovered_from_snapshot(h);
  for (const auto& [d, first] : seen) expect_same_outcome(h.decide(d), first);
  EXPECT_EQ(h.events<OrderRequested>().size(), 2u);  // nothing executed twice
  EXPECT_EQ(h.events<DecisionReceived>().size(), seen.size());
}

// A snapshot serializes the whole state: once the state holds more than snapshot_every / 2
// orders and decisions, the next snapshot waits for two events per record held.
TEST(SnapshotRecovery, SnapshotsOfALargerStateAreFurtherApart) {
  Harness h;
  EngineOptions o = snapshotting(h, 4);
  open_and_decide(h, o, {});
  std::vector<std::uint64_t> snapshots;  // each new latest snapshot, in order
  for (int i = 0; i < 40; ++i) {
    const std::string px = std::to_string(48900 + i) + ".00";  // distinct: no duplicates
    auto d = decision("rest" + std::to_string(i), Action::kLong, "0.01", px.c_str());
    auto out = h.decide(d);
    ASSERT_EQ(out.kind, DecisionOutcome::Kind::kOrdered) << i << ": " << out.reason;
    h.engine->wait_for_snapshots();
    const std::uint64_t s = latest_snapshot(h);
    if (s != 0 && (snapshots.empty() || s != snapshots.back())) snapshots.push_back(s);
  }
  ASSERT_GE(snapshots.size(), 3u);
  std::size_t wider = 0;
  for (std::size_t i = 0; i + 1 < snapshots.size(); ++i) {
    auto at = replay::replay(*h.journal, replay::AsOf::at_sequence(snapshots[i]),
                             {.use_snapshots = false});
    ASSERT_TRUE(at.ok()) << at.error().describe();
    const std::uint64_t held = at->state.oms().order_count() + at->state.oms().decision_count();
    const std::uint64_t gap = std::max<std::uint64_t>(4, 2 * held);
    EXPECT_GE(snapshots[i + 1] - snapshots[i], gap) << "after the snapshot at " << snapshots[i];
    wider += gap > 4;
  }
  EXPECT_GT(wider, 0u) << "the state never outgrew snapshot_every";
  // Recovery from the last one is exact as ever.
  crash_and_restart(h, o);
  expect_recovered_from_snapshot(h);
}

TEST(SnapshotRecovery, DeadLettersStayListedAndRetryable) {
  Harness h;
  EngineOptions o = snapshotting(h);
  o.resiliency.max_retries = 0;
  h.open(o);
  auto out = h.dead_letter("50000.00");
  ASSERT_EQ(h.engine->state().dead_letters().open_count(), 1u);

  crash_and_restart(h, o);
  expect_recovered_from_snapshot(h);
  EXPECT_EQ(h.engine->state().dead_letters().open_count(), 1u);
  EXPECT_EQ(h.engine->in_flight(), 0u);  // a dead letter waits for a person ...
  h.advance_ms(5);
  EXPECT_EQ(h.venue->executed(Op::kSubmit), 0);  // ... recovery does not resend it
  auto listed = h.journal->open_dead_letters();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);

  h.quote_now(quote("49990.00", "50000.00"));
  Status st = make_error(ErrorKind::kIo, "not called");
  h.engine->dlq_retry(out.client_order_id, "test", [&](Status s) { st = s; });
  h.advance_ms(3);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kFilled);
  EXPECT_EQ(h.engine->state().dead_letters().open_count(), 0u);
}

TEST(SnapshotRecovery, BreakerStateAndMarksAreRestored) {
  Harness h;
  EngineOptions o = snapshotting(h);
  o.resiliency.circuit_breaker_threshold = 2;
  o.resiliency.max_retries = 10;
  o.resiliency.initial_backoff_s = 0.1;
  o.resiliency.backoff_multiplier = 1;
  o.resiliency.breaker_cooldown_s = 5;
  o.risk.require_mark_for_market = true;
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));  // journals the mark
  h.venue->fail_next(Op::kSubmit, 2, make_error(ErrorKind::kTransient, "down"));
  auto out = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  h.advance_ms(300);
  ASSERT_EQ(h.engine->state().control().breaker("paper"), BreakerState::kOpen);

  crash_and_restart(h, o);
  expect_recovered_from_snapshot(h);
  ASSERT_EQ(h.engine->state().control().breaker("paper"), BreakerState::kOpen);
  // Open after the restart too: the pending order waits for the cooldown, then one probe.
  const std::size_t changes_before = h.events<CircuitBreakerChanged>().size();
  h.advance_ms(1000);
  EXPECT_EQ(h.venue->executed(Op::kSubmit) + h.venue->executed(Op::kQuery), 0);
  h.advance_ms(4100);
  auto changes = h.events<CircuitBreakerChanged>();
  ASSERT_EQ(changes.size(), changes_before + 2);
  EXPECT_EQ(changes[changes_before].to, BreakerState::kHalfOpen);
  EXPECT_EQ(changes[changes_before + 1].to, BreakerState::kClosed);
  EXPECT_EQ(h.order(out.client_order_id).status, OrderStatus::kSubmitted);
  // The mark came back with the state: a market order can be valued without a new quote.
  auto market = h.decide(decision("m1", Action::kLong, "0.01"));
  EXPECT_EQ(market.kind, DecisionOutcome::Kind::kOrdered) << market.reason << " " << market.detail;
}

TEST(SnapshotRecovery, ClientOrderIdsContinueWithoutReuseAcrossRestarts) {
  Harness h;
  EngineOptions o = snapshotting(h, 3);
  h.open(o);
  for (int run = 0; run < 3; ++run) {
    h.quote_now(quote("49990.00", "50000.00"));
    for (int i = 0; i < 3; ++i)
      h.decide(decision("r" + std::to_string(run) + "-" + std::to_string(i), Action::kLong, "0.01",
                        (std::to_string(48000 + 100 * run + 10 * i) + ".00").c_str()));
    h.advance_ms(2);
    crash_and_restart(h, o);
    expect_recovered_from_snapshot(h);
  }
  // Every id is the journal's prefix (one per journal) and the request's own sequence.
  std::set<ClientOrderId> ids;
  std::set<std::string> prefixes;
  auto st = h.journal->read(1, h.journal->last_sequence(), [&](const Envelope& e) {
    if (const auto* r = std::get_if<OrderRequested>(&e.event)) {
      EXPECT_TRUE(ids.insert(r->client_order_id).second) << r->client_order_id.str();
      const std::string id = r->client_order_id.str();
      const std::string seq = std::to_string(e.sequence);
      EXPECT_TRUE(id.ends_with(seq)) << id << " at " << seq;
      prefixes.insert(id.substr(0, id.size() - seq.size()));
    }
    return true;
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(prefixes.size(), 1u);
}

TEST(SnapshotRecovery, InFlightOrdersAreResolvedAsAfterAFullReplay) {
  Harness h;
  EngineOptions o = snapshotting(h);
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  auto resting = h.decide(decision("d1", Action::kLong, "0.1", "49000.00"));
  auto moved = h.decide(decision("d2", Action::kShort, "0.1", "51000.00"));
  h.advance_ms(2);
  ASSERT_EQ(h.order(resting.client_order_id).status, OrderStatus::kSubmitted);
  // A replace the venue never answered, and an order whose outcome is unknown.
  std::optional<ClientOrderId> replacement;
  h.engine->replace_order(moved.client_order_id, Decimal::of("0.1"), Decimal::of("51500.00"),
                          [&](Result<ClientOrderId> r) {
                            if (r) replacement = *r;
                          });
  h.venue->fail_next(Op::kSubmit, 1, make_error(ErrorKind::kUnknownOutcome, "cut"));
  auto unknown = h.decide(decision("d3", Action::kLong, "0.1", "48000.00"));
  h.pump();
  ASSERT_TRUE(replacement.has_value());
  ASSERT_EQ(h.order(moved.client_order_id).status, OrderStatus::kPendingReplace);

  crash_and_restart(h, o);
  expect_recovered_from_snapshot(h);
  h.advance_ms(20);
  // The venue is asked about the unknown order (found missing, sent again with its id) and
  // about the pending native replace. (What becomes of that replace is as after a full
  // replay; see the report on branch engine-recovery.)
  EXPECT_GE(h.venue->executed(Op::kQuery), 2);
  EXPECT_EQ(h.order(unknown.client_order_id).status, OrderStatus::kSubmitted);
  bool resent = false;
  for (const auto& nf : h.events<OrderNotFoundAtVenue>())
    resent |= nf.client_order_id == unknown.client_order_id;
  EXPECT_TRUE(resent);
  // The restored resting order still fills when the market reaches it.
  h.quote_now(quote("48900.00", "48950.00", "1", "1"));
  EXPECT_EQ(h.order(resting.client_order_id).status, OrderStatus::kFilled);
}

// A snapshot this build cannot read (an older format) is skipped with a warning; recovery
// falls back to an earlier snapshot or the whole journal, and the engine runs.
TEST(SnapshotRecovery, AnUnreadableSnapshotIsSkippedNotFatal) {
  Harness h;
  EngineOptions o = snapshotting(h);
  h.open(o);
  h.quote_now(quote("49990.00", "50000.00"));
  for (int i = 0; i < 3; ++i)
    h.decide(decision("d" + std::to_string(i), Action::kLong, "0.01",
                      (std::to_string(48000 + 10 * i) + ".00").c_str()));
  h.advance_ms(2);
  h.engine->wait_for_snapshots();
  const std::uint64_t newest = latest_snapshot(h);
  ASSERT_GT(newest, 0u);
  auto snap = h.journal->latest_snapshot(newest);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  std::string old_format = (*snap)->second;
  old_format[4] = 1;  // the version byte after "ATPJ"
  ASSERT_TRUE(h.journal->put_snapshot(newest, old_format).ok());

  h.crash();
  h.open(o);
  const RecoveryInfo& r = h.engine->recovery();
  EXPECT_LT(r.snapshot_sequence, newest);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("unsupported format version 1"), std::string::npos) << r.warnings[0];
  ASSERT_TRUE(h.recovered.has_value());
  EXPECT_EQ(r.events_read, h.recovered->last_sequence() - r.snapshot_sequence);
  auto full = replay::replay(*h.journal, replay::AsOf::at_sequence(h.recovered->last_sequence()),
                             {.use_snapshots = false});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(h.recovered->serialize(), full->state.serialize());
  auto again = h.decide(decision("d0", Action::kLong, "0.01", "48000.00"));
  EXPECT_TRUE(again.duplicate);
  auto fresh = h.decide(decision("d9", Action::kLong, "0.01", "47000.00"));
  EXPECT_EQ(fresh.kind, DecisionOutcome::Kind::kOrdered);
}

// Offline mode (operator commands) recovers the same way.
TEST(SnapshotRecovery, OfflineOpenStartsFromTheSnapshotToo) {
  Harness h;
  EngineOptions o = snapshotting(h);
  o.resiliency.max_retries = 0;
  h.open(o);
  auto out = h.dead_letter("50000.00");
  h.engine->wait_for_snapshots();
  h.crash();

  ASSERT_TRUE(h.open_offline(o).ok());
  const RecoveryInfo& r = h.engine->recovery();
  EXPECT_GT(r.snapshot_sequence, 0u);
  EXPECT_EQ(r.events_read, h.journal->last_sequence() - r.snapshot_sequence);
  auto full = replay::replay(*h.journal, replay::AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(h.engine->state().serialize(), full->state.serialize());
  // The dead letter is known offline: dropping it works and is journaled.
  Status st = make_error(ErrorKind::kIo, "not called");
  h.engine->dlq_drop(out.client_order_id, "ops", "stale", [&](Status s) { st = s; });
  h.pump();
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(h.events<DeadLetterDropped>().size(), 1u);
}

// With archiving on, decisions and finished orders leave the engine's OMS (and its snapshots)
// once old enough; a repeated decision id is then answered from the journal, with the same
// outcome as before, before and after a restart, and nothing is executed twice.
TEST(SnapshotRecovery, ArchivedDecisionsAreAnsweredFromTheJournal) {
  Harness h;
  EngineOptions o = snapshotting(h);
  o.archive_after_ns = 1'000'000'000;  // 1 s of journal time
  Seen seen =
      open_and_decide(h, o,
                      {decision("held", Action::kHold, "0"), decision("flat", Action::kFlat, "0"),
                       decision("big", Action::kLong, "5", "49000.00"),
                       decision("filled", Action::kLong, "0.1", "50000.00"),
                       decision("resting", Action::kLong, "0.1", "49000.00")});
  h.advance_ms(5);
  const ClientOrderId filled = seen[3].second.client_order_id;
  const ClientOrderId resting = seen[4].second.client_order_id;
  ASSERT_EQ(h.order(filled).status, OrderStatus::kFilled);
  ASSERT_EQ(h.order(resting).status, OrderStatus::kSubmitted);

  h.advance_ms(2000);
  auto later = decision("later", Action::kHold, "0");  // an event 2 s on: the old ones leave
  seen.emplace_back(later, h.decide(later));
  const projections::Oms& oms = h.engine->state().oms();
  for (const char* gone : {"held", "flat", "big", "filled"})
    EXPECT_EQ(oms.find_decision(DecisionId(gone)), nullptr) << gone;
  EXPECT_EQ(oms.find(filled), nullptr);
  EXPECT_NE(oms.find(resting), nullptr);  // open orders stay, and so do their decisions
  EXPECT_NE(oms.find_decision(DecisionId("resting")), nullptr);
  EXPECT_GE(oms.archived_decisions(), 4u);

  for (const auto& [d, first] : seen) expect_same_outcome(h.decide(d), first);
  EXPECT_EQ(h.events<OrderRequested>().size(), 2u);

  crash_and_restart(h, o);
  ASSERT_TRUE(h.recovered.has_value());
  EXPECT_GT(h.engine->recovery().snapshot_sequence, 0u);
  EXPECT_EQ(h.recovered->options().archive_after_ns, o.archive_after_ns);
  replay::ReplayOptions ro{.use_snapshots = false};
  ro.projections.archive_after_ns = o.archive_after_ns;
  auto full =
      replay::replay(*h.journal, replay::AsOf::at_sequence(h.recovered->last_sequence()), ro);
  ASSERT_TRUE(full.ok()) << full.error().describe();
  EXPECT_EQ(
      projections::Projections::first_difference(h.recovered->serialize(), full->state.serialize()),
      "");
  for (const auto& [d, first] : seen) expect_same_outcome(h.decide(d), first);
  EXPECT_EQ(h.events<OrderRequested>().size(), 2u);  // nothing executed twice
  EXPECT_EQ(h.events<DecisionReceived>().size(), seen.size());
  // The resting order can still be cancelled after all this.
  EXPECT_NE(h.engine->state().oms().find(resting), nullptr);
}

}  // namespace
}  // namespace at::engine
