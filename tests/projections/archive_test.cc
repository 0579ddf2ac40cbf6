// Archiving in the OMS: terminal orders and finished decisions leave after the archive age,
// open orders never do, and the fold stays replay-stable (a snapshot taken anywhere, parsed
// and continued, ends byte-identical to the straight fold).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "projections/detail/id_index.h"
#include "projections/projections.h"
#include "tests/projections/builders.h"

namespace at::projections {
namespace {

using testing::D;
using testing::Script;

constexpr std::int64_t kSecond = 1'000'000'000;

Projections fold(const std::vector<Envelope>& envs, std::int64_t archive_after_ns) {
  Projections p(ProjectionOptions{archive_after_ns});
  for (const Envelope& e : envs) p.apply(e);
  return p;
}

TEST(OmsArchive, ATerminalOrderLeavesAfterTheArchiveAgeAndItsDecisionWithIt) {
  Script s;
  s.step_ns = kSecond;
  const std::uint64_t dseq = s.decision("d1");
  s.request("c1", Side::kBuy, "1", "100", "BTC-USDT", "d1");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");  // terminal at this event's time
  s.step_ns = 9 * kSecond;
  s.mark("BTC-USDT", "101");  // 9 s later: still held
  Projections p = fold(s.envelopes, 10 * kSecond);
  ASSERT_NE(p.oms().find(ClientOrderId("c1")), nullptr);
  ASSERT_NE(p.oms().find_decision(DecisionId("d1")), nullptr);
  EXPECT_TRUE(p.oms().archived_decision_candidates(DecisionId("d1")).empty());

  s.step_ns = 1 * kSecond;
  s.mark("BTC-USDT", "102");  // 10 s after the fill
  p = fold(s.envelopes, 10 * kSecond);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(p.oms().find_by_venue_id(VenueOrderId("Vc1")), nullptr);
  EXPECT_EQ(p.oms().find_decision(DecisionId("d1")), nullptr);
  EXPECT_EQ(p.oms().order_count(), 0u);
  EXPECT_EQ(p.oms().decision_count(), 0u);
  EXPECT_EQ(p.oms().decisions_seen(), 1u);
  EXPECT_EQ(p.oms().archived_orders(), 1u);
  EXPECT_EQ(p.oms().archived_decisions(), 1u);
  EXPECT_EQ(p.oms().archived_decision_candidates(DecisionId("d1")),
            std::vector<std::uint64_t>{dseq});
  EXPECT_TRUE(p.oms().archived_decision_candidates(DecisionId("d2")).empty());
  // What the order did stays: its position, and nothing else changed.
  EXPECT_EQ(p.positions().find("main", Symbol::of("BTC-USDT"))->quantity, D("1"));
  EXPECT_TRUE(p.oms().anomalies().empty());

  // Without archiving nothing leaves.
  Projections all = fold(s.envelopes, Oms::kNeverArchive);
  EXPECT_NE(all.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(all.oms().archived_orders(), 0u);
}

TEST(OmsArchive, AnOpenOrderStaysHoweverOldAndKeepsItsDecision) {
  Script s;
  s.step_ns = 0;  // the engine stages a decision and its order at one time
  s.decision("d1");
  s.request("c1", Side::kBuy, "1", "100", "BTC-USDT", "d1");
  s.step_ns = 3600 * kSecond;
  s.accept("c1");
  s.step_ns = 0;
  s.decision("d2");
  s.request("c2", Side::kBuy, "1", "100", "BTC-USDT", "d2");
  s.step_ns = 3600 * kSecond;
  s.reject("c2");
  for (int i = 0; i < 5; ++i) s.mark("BTC-USDT", "101");
  Projections p = fold(s.envelopes, kSecond);
  EXPECT_NE(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_NE(p.oms().find_decision(DecisionId("d1")), nullptr);
  EXPECT_EQ(p.oms().find(ClientOrderId("c2")), nullptr);
  EXPECT_EQ(p.oms().find_decision(DecisionId("d2")), nullptr);
  EXPECT_EQ(p.oms().open_count(), 1u);

  // Once it ends, it goes too, and its decision (which waited for it) with it.
  s.cancel_request("c1");
  s.cancelled("c1");
  s.mark("BTC-USDT", "102");
  p = fold(s.envelopes, kSecond);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(p.oms().find_decision(DecisionId("d1")), nullptr);
  EXPECT_EQ(p.oms().archived_decisions(), 2u);
}

TEST(OmsArchive, ALateEventRestartsTheClockAndAnEventAfterArchivingIsAnAnomaly) {
  Script s;
  s.step_ns = kSecond;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.cancel_request("c1");
  s.cancelled("c1");
  s.step_ns = 8 * kSecond;
  s.fill("c1", "t1", "1", "100");  // a late fill after the cancel: 8 s later
  s.mark("BTC-USDT", "100");       // 16 s after the cancel, 8 s after the fill
  Projections p = fold(s.envelopes, 10 * kSecond);
  ASSERT_NE(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(p.positions().find("main", Symbol::of("BTC-USDT"))->quantity, D("1"));

  s.mark("BTC-USDT", "100");  // 16 s after the fill
  s.fill("c1", "t2", "1", "100");
  p = fold(s.envelopes, 10 * kSecond);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1")), nullptr);
  ASSERT_EQ(p.oms().anomalies().size(), 1u);
  EXPECT_EQ(p.oms().anomalies()[0].kind, "unknown_order");
  EXPECT_EQ(p.positions().find("main", Symbol::of("BTC-USDT"))->quantity, D("1"));
}

TEST(OmsArchive, AnOrderWithAnOpenDeadLetterStaysUntilItIsDealtWith) {
  Script s;
  s.step_ns = kSecond;
  s.request("c1", Side::kBuy, "1", "100");
  s.accept("c1");
  s.add(DeadLettered{ClientOrderId("c1"), "cancel", "retries exhausted", 3, 0});
  s.fill("c1", "t1", "1", "100");  // terminal, but its cancel is still dead-lettered
  s.step_ns = 60 * kSecond;
  s.mark("BTC-USDT", "101");
  Projections p = fold(s.envelopes, 10 * kSecond);
  ASSERT_NE(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_TRUE(p.oms().find(ClientOrderId("c1"))->dead_letter_open);

  s.add(DeadLetterDropped{ClientOrderId("c1"), "ops", "filled anyway", 0});
  s.mark("BTC-USDT", "102");  // 60 s after the drop
  p = fold(s.envelopes, 10 * kSecond);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(p.oms().archived_orders(), 1u);
}

TEST(OmsArchive, AnEarlierVenueIdOfAnArchivedOrderFindsNothing) {
  Script s;
  s.step_ns = kSecond;
  s.request("c1", Side::kBuy, "1", "100");
  s.accept("c1", "V1");
  s.accept("c1", "V2");  // the venue re-keyed it: V1 is left in the index, unreachable
  s.cancel_request("c1");
  s.cancelled("c1");
  s.step_ns = 60 * kSecond;
  s.mark("BTC-USDT", "101");
  s.request("c2", Side::kBuy, "1", "100");
  Projections all = fold(s.envelopes, Oms::kNeverArchive);
  ASSERT_NE(all.oms().find_by_venue_id(VenueOrderId("V2")), nullptr);  // re-keyed indeed
  EXPECT_EQ(all.oms().find_by_venue_id(VenueOrderId("V1")), nullptr);
  Projections p = fold(s.envelopes, 10 * kSecond);
  ASSERT_EQ(p.oms().find(ClientOrderId("c1")), nullptr);
  EXPECT_EQ(p.oms().find_by_venue_id(VenueOrderId("V1")), nullptr);
  EXPECT_EQ(p.oms().find_by_venue_id(VenueOrderId("V2")), nullptr);
  EXPECT_NE(p.oms().find(ClientOrderId("c2")), nullptr);
  const std::string bytes = p.serialize();
  auto parsed = Projections::parse(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->serialize(), bytes);
}

// A flow with long-lived orders, replacements, late events and repeated ids, at a pace that
// makes the archive age matter.
Script mixed_flow() {
  Script s;
  s.step_ns = 250'000'000;  // 4 events a second
  s.fund("USDT", "1000000");
  s.realistic(200);
  s.decision("long1");
  s.request("L1", Side::kBuy, "1", "100", "BTC-USDT", "long1");
  s.accept("L1");
  s.realistic(150);
  s.add(AnomalyDetected{"drift", "paper", ClientOrderId("at10"), "late note on an old order", 0});
  s.add(DeadLettered{ClientOrderId("L1"), "cancel", "retries exhausted", 3, 0});
  s.add(ReplaceRequested{ClientOrderId("L1"), ClientOrderId("L2"), D("1"), D("101"), false, 0});
  s.request("L2", Side::kBuy, "1", "101", "BTC-USDT", "long1", "L1");
  s.cancelled("L1");
  s.accept("L2");
  s.realistic(100);
  s.fill("L2", "tL2", "1", "101");
  s.add(DeadLetterRetried{ClientOrderId("L1"), "ops", 0});
  s.decision("d3");  // a repeated decision id, long after the first
  s.realistic(50);
  return s;
}

TEST(OmsArchive, SnapshotAnywherePlusTailEqualsTheStraightFold) {
  const Script s = mixed_flow();
  for (std::int64_t age : {std::int64_t{0}, 5 * kSecond, 60 * kSecond, Oms::kNeverArchive}) {
    SCOPED_TRACE("archive age " + std::to_string(age));
    const std::string straight = fold(s.envelopes, age).serialize();
    for (std::size_t cut : {std::size_t{1}, std::size_t{97}, std::size_t{640}, std::size_t{1234},
                            s.envelopes.size() - 1}) {
      Projections head(ProjectionOptions{age});
      for (std::size_t i = 0; i < cut; ++i) head.apply(s.envelopes[i]);
      auto parsed = Projections::parse(head.serialize());
      ASSERT_TRUE(parsed.ok()) << parsed.error().message;
      EXPECT_EQ(parsed->options().archive_after_ns, age);
      for (std::size_t i = cut; i < s.envelopes.size(); ++i) parsed->apply(s.envelopes[i]);
      EXPECT_EQ(Projections::first_difference(straight, parsed->serialize()), "")
          << "cut at " << cut;
    }
  }
}

TEST(OmsArchive, ThousandsOfArchivedDecisionsStayFindableAcrossMergesAndSnapshots) {
  Script s;
  s.realistic(9000);  // past the point where the recent ones are merged into the sorted list
  const std::string straight = fold(s.envelopes, 0).serialize();
  Projections head(ProjectionOptions{0});
  const std::size_t cut = s.envelopes.size() / 2;
  for (std::size_t i = 0; i < cut; ++i) head.apply(s.envelopes[i]);
  auto parsed = Projections::parse(head.serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  for (std::size_t i = cut; i < s.envelopes.size(); ++i) parsed->apply(s.envelopes[i]);
  EXPECT_EQ(Projections::first_difference(straight, parsed->serialize()), "");
  EXPECT_GE(parsed->oms().archived_decisions(), 8990u);
  for (int i : {0, 1, 4500, 8990}) {
    const DecisionId id("d" + std::to_string(i));
    auto c = parsed->oms().archived_decision_candidates(id);
    ASSERT_EQ(c.size(), 1u) << id.str();
    const auto& e = s.envelopes[c[0] - 1];
    ASSERT_TRUE(std::holds_alternative<DecisionReceived>(e.event));
    EXPECT_EQ(std::get<DecisionReceived>(e.event).decision_id, id);
  }
}

TEST(OmsArchive, ArchivingChangesWhatIsHeldNotPositionsOrBalances) {
  const Script s = mixed_flow();
  Projections all = fold(s.envelopes, Oms::kNeverArchive);
  Projections some = fold(s.envelopes, 5 * kSecond);
  EXPECT_LT(some.oms().order_count(), all.oms().order_count() / 4);
  EXPECT_EQ(some.oms().order_count() + some.oms().archived_orders(), all.oms().order_count());
  EXPECT_EQ(some.oms().open_count(), all.oms().open_count());
  for (const auto& [key, pos] : all.positions().all()) {
    const auto* p = some.positions().find(key.first, key.second);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->quantity, pos.quantity);
    EXPECT_EQ(p->realized_pnl, pos.realized_pnl);
  }
  EXPECT_EQ(some.balances().find("main", "USDT")->free, all.balances().find("main", "USDT")->free);
  EXPECT_EQ(some.metrics().fills(), all.metrics().fills());
  // The snapshot shrinks accordingly.
  EXPECT_LT(some.serialize().size(), all.serialize().size() / 2);
}

TEST(OmsArchive, ASnapshotSaysItsArchiveAge) {
  Projections p(ProjectionOptions{7 * kSecond});
  const std::string bytes = p.serialize();
  ASSERT_TRUE(Projections::options_of(bytes).has_value());
  EXPECT_EQ(Projections::options_of(bytes)->archive_after_ns, 7 * kSecond);
  EXPECT_EQ(Projections::options_of(Projections().serialize())->archive_after_ns,
            Oms::kNeverArchive);
  EXPECT_FALSE(Projections::options_of("garbage").has_value());
}

TEST(IdIndex, EraseKeepsEveryOtherKeyFindable) {
  std::vector<std::string> keys;
  detail::IdIndex index;
  auto key_of = [&](std::uint32_t i) -> std::string_view { return keys[i]; };
  std::map<std::string, std::uint32_t> reference;
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    if (reference.empty() || rng() % 3 != 0) {
      auto i = static_cast<std::uint32_t>(keys.size());
      keys.push_back("k" + std::to_string(rng() % 5000));
      if (reference.count(keys[i])) continue;
      index.put(keys[i], i, key_of);
      reference[keys[i]] = i;
    } else {
      auto it = reference.begin();
      std::advance(it, static_cast<long>(rng() % reference.size()));
      index.erase(it->first, it->second, key_of);
      reference.erase(it);
    }
  }
  EXPECT_EQ(index.size(), reference.size());
  for (const auto& [k, i] : reference) EXPECT_EQ(index.find(k, key_of), i) << k;
  for (int k = 0; k < 5000; ++k) {
    std::string key = "k" + std::to_string(k);
    if (!reference.count(key)) {
      EXPECT_EQ(index.find(key, key_of), detail::IdIndex::kNone) << key;
    }
  }
}

}  // namespace
}  // namespace at::projections
