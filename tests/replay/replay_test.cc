// Replay over an in-memory journal: full and as-of replay, snapshots plus tail, verify, audit
// queries, and journal errors coming back as values.
#include "replay/replay.h"

#include <gtest/gtest.h>

#include "replay/audit.h"
#include "tests/projections/builders.h"
#include "tests/replay/fake_journal.h"

namespace at::replay {
namespace {

using at::testing::D;
using at::testing::FakeJournal;
using at::testing::Script;

std::string full_bytes(const std::vector<Envelope>& envs, std::size_t n = SIZE_MAX) {
  Projections p;
  for (std::size_t i = 0; i < envs.size() && i < n; ++i) p.apply(envs[i]);
  return p.serialize();
}

// Adds the script's events to `j`, snapshotting every `every` events as the engine would.
void add_with_snapshots(FakeJournal& j, const Script& s, std::uint64_t every) {
  j.add_all(s.envelopes);
  Projections p;
  Snapshotter snap(j, every);
  for (const Envelope& e : s.envelopes) {
    p.apply(e);
    ASSERT_TRUE(snap.maybe_snapshot(p).ok());
  }
}

TEST(Replay, TwoFullReplaysOfOneJournalAreByteIdentical) {
  Script s;
  s.realistic(200);
  FakeJournal j;
  j.add_all(s.envelopes);
  auto a = replay(j, AsOf::latest(), {.use_snapshots = false});
  auto b = replay(j, AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->state.serialize(), b->state.serialize());
  EXPECT_EQ(a->info.events_applied, s.envelopes.size());
  EXPECT_EQ(a->state.last_sequence(), s.last_sequence());
}

TEST(Replay, AsOfSequenceStopsThere) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  auto f1 = s.fill("c1", "t1", "1", "100");
  s.fill("c1", "t2", "1", "101");
  FakeJournal j;
  j.add_all(s.envelopes);
  auto r = replay(j, AsOf::at_sequence(f1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state.last_sequence(), f1);
  EXPECT_EQ(r->state.oms().find(ClientOrderId("c1"))->order.status, OrderStatus::kPartialFill);
  EXPECT_EQ(r->state.serialize(), full_bytes(s.envelopes, f1));
  // Beyond the end clamps to the end; zero is the empty state.
  EXPECT_EQ(replay(j, AsOf::at_sequence(999))->state.last_sequence(), s.last_sequence());
  EXPECT_EQ(replay(j, AsOf::at_sequence(0))->state.applied(), 0u);
}

TEST(Replay, AsOfTimeIncludesEverythingRecordedAtOrBeforeIt) {
  Script s;  // recorded 1 ms apart
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");
  s.fill("c1", "t2", "1", "101");
  FakeJournal j;
  j.add_all(s.envelopes);
  std::int64_t third = s.envelopes[2].recorded_ns;
  auto at = replay(j, AsOf::at_time(third));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->state.last_sequence(), 3u);
  EXPECT_EQ(replay(j, AsOf::at_time(third - 1))->state.last_sequence(), 2u);
  EXPECT_EQ(replay(j, AsOf::at_time(0))->state.last_sequence(), 0u);
  auto pos = positions_as_of(j, AsOf::at_time(third));
  ASSERT_TRUE(pos.ok());
  ASSERT_EQ(pos->size(), 1u);
  EXPECT_EQ((*pos)[0].quantity, D("1"));
}

TEST(Replay, SnapshotPlusTailEqualsFullReplayAndReadsOnlyTheTail) {
  Script s;
  s.realistic(300);
  FakeJournal j;
  j.add_all(s.envelopes);
  Snapshotter snap(j, 250);
  Projections live;
  for (const Envelope& e : s.envelopes) {
    live.apply(e);
    ASSERT_TRUE(snap.maybe_snapshot(live).ok());
  }
  EXPECT_GE(snap.snapshots_written(), 4u);
  EXPECT_EQ(j.snapshots.size(), snap.snapshots_written());

  j.reads = 0;
  auto r = replay(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->info.snapshot_sequence, snap.last_snapshot_sequence());
  EXPECT_EQ(j.reads, s.last_sequence() - snap.last_snapshot_sequence());
  EXPECT_EQ(r->state.serialize(), full_bytes(s.envelopes));
  EXPECT_EQ(r->state.serialize(), live.serialize());

  // As of a point between snapshots: the earlier snapshot plus its own tail.
  std::uint64_t mid = j.snapshots.begin()->first + 100;
  auto m = replay(j, AsOf::at_sequence(mid));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->info.snapshot_sequence, j.snapshots.begin()->first);
  EXPECT_EQ(m->state.serialize(), full_bytes(s.envelopes, mid));
}

TEST(Replay, DamagedSnapshotIsSkippedForAnEarlierOne) {
  Script s;
  s.realistic(100);
  FakeJournal j;
  add_with_snapshots(j, s, 100);
  ASSERT_GE(j.snapshots.size(), 2u);
  auto newest = std::prev(j.snapshots.end());
  newest->second.resize(newest->second.size() / 2);
  auto r = replay(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->info.snapshot_sequence, std::prev(newest)->first);
  ASSERT_EQ(r->info.warnings.size(), 1u);
  EXPECT_NE(r->info.warnings[0].find(std::to_string(newest->first)), std::string::npos);
  EXPECT_EQ(r->state.serialize(), full_bytes(s.envelopes));
}

TEST(Replay, VerifyNotesASnapshotOfAnOlderFormatWithoutCallingItAProblem) {
  Script s;
  s.realistic(100);
  FakeJournal j;
  add_with_snapshots(j, s, 120);
  ASSERT_GE(j.snapshots.size(), 2u);
  // What an earlier build left: the same magic, format v1, a body this build cannot read.
  const std::uint64_t old_seq = j.snapshots.begin()->first;
  j.snapshots[old_seq] = std::string("ATPJ") + '\x01' + "v1 body";
  // And one from a later build, which this build cannot vouch for: that stays a problem.
  const std::uint64_t newer_seq = std::next(j.snapshots.begin())->first;
  std::string newer = j.snapshots[newer_seq];
  newer[4] = static_cast<char>(Projections::kFormatVersion + 1);
  j.snapshots[newer_seq] = newer;

  auto r = verify_snapshots(j);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->outdated.size(), 1u);
  EXPECT_EQ(r->outdated[0].sequence, old_seq);
  EXPECT_NE(r->outdated[0].problem.find("format v1"), std::string::npos) << r->outdated[0].problem;
  ASSERT_EQ(r->issues.size(), 1u);
  EXPECT_EQ(r->issues[0].sequence, newer_seq);
  EXPECT_NE(r->issues[0].problem.find("unsupported format version"), std::string::npos)
      << r->issues[0].problem;
  // Replay skips both and still ends where a full replay does.
  auto full = replay(j);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->state.serialize(), full_bytes(s.envelopes));
}

TEST(Replay, VerifyAcceptsGoodSnapshotsAndNamesTheOneThatDiffers) {
  Script s;
  s.realistic(100);
  FakeJournal j;
  add_with_snapshots(j, s, 120);
  auto ok = verify_snapshots(j);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok());
  EXPECT_EQ(ok->checked.size(), j.snapshots.size());

  // A snapshot taken from a state that saw an event the journal does not hold.
  std::uint64_t bad_seq = std::next(j.snapshots.begin())->first;
  Projections wrong;
  for (std::size_t i = 0; i < bad_seq; ++i) {
    Envelope e = s.envelopes[i];
    if (i == 0) e.event = AccountFunded{"main", "USDT", D("1"), 0};
    wrong.apply(e);
  }
  j.snapshots[bad_seq] = wrong.serialize();
  j.snapshots[5] = "garbage";
  auto bad = verify_snapshots(j);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->issues.size(), 2u);
  EXPECT_EQ(bad->issues[0].sequence, 5u);
  EXPECT_NE(bad->issues[0].problem.find("undecodable"), std::string::npos);
  EXPECT_EQ(bad->issues[1].sequence, bad_seq);
  EXPECT_NE(bad->issues[1].problem.find("differs from a replay to that sequence"),
            std::string::npos);
  EXPECT_NE(bad->issues[1].problem.find("balances"), std::string::npos);
}

// Long ranges are replayed by two threads (read + decode, apply); the result must be the
// serial fold's, byte for byte, and an error must stop it after the events before it.
TEST(Replay, PipelinedReplayOfALongJournalEqualsTheSerialFold) {
  Script s;
  s.realistic(6000);
  ASSERT_GT(s.envelopes.size(), 25000u);
  FakeJournal j;
  j.add_all(s.envelopes);
  auto r = replay(j, AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->info.events_applied, s.envelopes.size());
  EXPECT_EQ(r->state.serialize(), full_bytes(s.envelopes));

  j.corrupt_at = 24001;
  Projections p;
  std::uint64_t applied = 0;
  Status st = catch_up(j, p, s.last_sequence(), &applied);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(st.error().message.find("24001"), std::string::npos) << st.error().message;
  EXPECT_EQ(applied, 24000u);
  EXPECT_EQ(p.last_sequence(), 24000u);
  EXPECT_EQ(p.serialize(), full_bytes(s.envelopes, 24000));
}

TEST(Replay, JournalErrorsComeBackAsValues) {
  Script s;
  s.realistic(10);
  FakeJournal j;
  j.add_all(s.envelopes);
  j.corrupt_at = 7;
  auto r = replay(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(r.error().message.find("7"), std::string::npos);

  j.corrupt_at.reset();
  j.fail_snapshot_writes = true;
  Snapshotter snap(j, 1);
  Projections p;
  p.apply(s.envelopes[0]);
  auto w = snap.maybe_snapshot(p);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::kIo);
  EXPECT_EQ(snap.last_snapshot_sequence(), 0u);
}

TEST(Audit, OrderHistoryByClientOrVenueId) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  s.request("c2", Side::kBuy, "1", "100");
  s.accept("c1", "V-77");
  s.fill("c1", "t1", "1", "100");
  FakeJournal j;
  j.add_all(s.envelopes);
  auto by_client = order_history(j, "c1");
  ASSERT_TRUE(by_client.ok());
  ASSERT_EQ(by_client->events.size(), 3u);
  EXPECT_EQ(by_client->events[0].sequence, 1u);
  EXPECT_TRUE(std::holds_alternative<OrderFilled>(by_client->events[2].event));
  auto by_venue = order_history(j, "V-77");
  ASSERT_TRUE(by_venue.ok());
  EXPECT_EQ(by_venue->client_order_id.str(), "c1");
  EXPECT_EQ(by_venue->events.size(), 3u);
  auto none = order_history(j, "nope");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(none.error().message.find("'nope'"), std::string::npos);
}

TEST(Audit, FillsSinceSaysWhatBecameOfEachFill) {
  Script s;
  s.request("c1", Side::kBuy, "3", "100");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");
  auto since = s.now_ns + 1;
  s.fill("c1", "t1", "1", "100");  // duplicate of a fill before `since`
  s.fill("c1", "t2", "1", "100");
  s.fill("ghost", "t3", "1", "100");
  FakeJournal j;
  j.add_all(s.envelopes);
  auto rows = fills_since(j, since);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].disposition, FillDisposition::kDuplicate);
  EXPECT_EQ((*rows)[1].disposition, FillDisposition::kApplied);
  EXPECT_EQ((*rows)[1].fill.trade_id.str(), "t2");
  EXPECT_EQ((*rows)[2].disposition, FillDisposition::kRejected);
  EXPECT_EQ(fills_since(j, s.now_ns + 1)->size(), 0u);
}

TEST(Audit, OrdersBalancesAndDeadLettersListsAreStable) {
  Script s;
  s.fund("USDT", "1000");
  s.request("c1", Side::kBuy, "1", "100", "BTC-USDT");
  s.request("c2", Side::kBuy, "1", "0.05", "ETH-BTC");
  s.request("c3", Side::kBuy, "1", "100", "BTC-USDT");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");
  s.add(DeadLettered{ClientOrderId("c3"), "submit", "exhausted", 5, 0});
  FakeJournal j;
  j.add_all(s.envelopes);
  auto r = replay(j);
  ASSERT_TRUE(r.ok());
  auto all = list_orders(r->state);
  ASSERT_EQ(all.size(), 3u);
  auto open_btc = list_orders(r->state, {.open_only = true, .symbol = Symbol::of("BTC-USDT")});
  ASSERT_EQ(open_btc.size(), 1u);
  EXPECT_EQ(open_btc[0]->order.client_order_id.str(), "c3");
  auto bal = balance_rows(r->state);
  ASSERT_EQ(bal.size(), 2u);
  EXPECT_EQ(bal[0].asset, "BTC");
  EXPECT_EQ(bal[1].asset, "USDT");
  EXPECT_EQ(bal[1].total, D("900"));
  auto dlq = dead_letters(r->state);
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0]->client_order_id.str(), "c3");
  auto pos = position_rows(r->state);
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].average_price, D("100"));
}

}  // namespace
}  // namespace at::replay
