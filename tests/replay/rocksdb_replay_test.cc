// Replay over the real RocksDB journal: the same guarantees as on the in-memory fake, through
// the codec and the real indexes.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "journal/journal.h"
#include "replay/audit.h"
#include "replay/background_snapshotter.h"
#include "replay/replay.h"
#include "tests/projections/builders.h"

namespace at::replay {
namespace {

using at::testing::D;
using at::testing::Script;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("at-replay-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return (path_ / "journal").string(); }

 private:
  std::filesystem::path path_;
};

// Appends a script's events one append per event, the clock advancing 1 ms each.
std::unique_ptr<journal::Journal> write(const TempDir& dir, ManualClock& clock, const Script& s) {
  journal::Options o;
  o.path = dir.path();
  o.durability = journal::Durability::kNone;
  auto j = journal::Journal::open(o, clock);
  EXPECT_TRUE(j.ok()) << j.error().message;
  for (const Envelope& e : s.envelopes) {
    clock.advance_ms(1);
    auto r = (*j)->append(e.event);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(*r, e.sequence);
  }
  return std::move(j.value());
}

TEST(RocksDbReplay, TwoReplaysAreByteIdenticalAndEqualTheInMemoryFold) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.realistic(150);
  auto j = write(dir, clock, s);
  auto a = replay(*j, AsOf::latest(), {.use_snapshots = false});
  auto b = replay(*j, AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(a.ok() && b.ok());
  std::string bytes = a->state.serialize();
  EXPECT_EQ(bytes, b->state.serialize());
  // Same events, different recorded times: compare the parts the times do not reach.
  Projections mem;
  for (const Envelope& e : s.envelopes) mem.apply(e);
  EXPECT_EQ(a->state.oms().order_count(), mem.oms().order_count());
  EXPECT_EQ(a->state.oms().duplicate_fills(), mem.oms().duplicate_fills());
  auto pa = position_rows(a->state), pm = position_rows(mem);
  ASSERT_EQ(pa.size(), pm.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].quantity, pm[i].quantity);
    EXPECT_EQ(pa[i].realized_pnl, pm[i].realized_pnl);
  }
}

TEST(RocksDbReplay, PipelinedReplayOfALongJournalEqualsTheInMemoryFold) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.realistic(5000);
  ASSERT_GT(s.envelopes.size(), 20000u);
  auto j = write(dir, clock, s);
  auto r = replay(*j, AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->info.events_applied, s.envelopes.size());
  // The in-memory fold of what the journal holds (its recorded times are the journal's).
  Projections p;
  ASSERT_TRUE(j->read(1, j->last_sequence(), [&](const Envelope& e) {
                 p.apply(e);
                 return true;
               }).ok());
  EXPECT_EQ(r->state.serialize(), p.serialize());
}

// The engine's snapshots archive (oms.h); an audit replay keeps everything. Each replay uses
// only the snapshots taken with its own options, and verify checks each against a replay
// with the snapshot's options.
TEST(RocksDbReplay, ASnapshotServesOnlyAReplayWithItsOwnArchiveAge) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.realistic(150);
  auto j = write(dir, clock, s);                              // recorded 1 ms apart
  const projections::ProjectionOptions archiving{5'000'000};  // 5 ms
  Projections keep_all, archived(archiving);
  Snapshotter snap_all(*j, 300), snap_archived(*j, 200);
  Status st = j->read(1, j->last_sequence(), [&](const Envelope& e) {
    keep_all.apply(e);
    archived.apply(e);
    EXPECT_TRUE(snap_archived.maybe_snapshot(archived).ok());
    if (e.sequence == 301) {
      EXPECT_TRUE(snap_all.snapshot(keep_all).ok());
    }
    return true;
  });
  ASSERT_TRUE(st.ok());
  ASSERT_LT(archived.oms().order_count(), keep_all.oms().order_count());

  auto full = replay(*j);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->info.snapshot_sequence, 301u);
  EXPECT_TRUE(full->info.warnings.empty());
  EXPECT_EQ(full->state.serialize(), keep_all.serialize());

  ReplayOptions ro;
  ro.projections = archiving;
  auto some = replay(*j, AsOf::latest(), ro);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->info.snapshot_sequence, snap_archived.last_snapshot_sequence());
  EXPECT_GT(some->info.snapshot_sequence, 301u);
  EXPECT_EQ(some->state.serialize(), archived.serialize());

  auto v = verify_snapshots(*j);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues[0].problem;
  EXPECT_EQ(v->checked.size(), 4u);  // the newest four: 301 and three archiving ones
}

TEST(RocksDbReplay, SnapshotsPlusTailEqualFullReplayAndVerify) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.realistic(150);
  auto j = write(dir, clock, s);
  auto full = replay(*j, AsOf::latest(), {.use_snapshots = false});
  ASSERT_TRUE(full.ok());

  Projections p;
  Snapshotter snap(*j, 200);
  Status st = j->read(1, j->last_sequence(), [&](const Envelope& e) {
    p.apply(e);
    EXPECT_TRUE(snap.maybe_snapshot(p).ok());
    return true;
  });
  ASSERT_TRUE(st.ok());
  ASSERT_GE(snap.snapshots_written(), 3u);

  auto r = replay(*j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->info.snapshot_sequence, snap.last_snapshot_sequence());
  EXPECT_EQ(r->info.events_applied, j->last_sequence() - snap.last_snapshot_sequence());
  EXPECT_EQ(r->state.serialize(), full->state.serialize());

  auto v = verify_snapshots(*j);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues[0].problem;
  EXPECT_EQ(v->checked.size(), snap.snapshots_written());

  // A wrong snapshot is named by its sequence.
  std::uint64_t at = j->last_sequence();  // newest: older ones beyond four are not kept
  Projections wrong;
  j->read(1, at, [&](const Envelope& e) {
     Envelope x = e;
     if (x.sequence == 1) x.event = AccountFunded{"main", "USDT", D("5"), 0};
     wrong.apply(x);
     return true;
   }).ok();
  ASSERT_TRUE(j->put_snapshot(at, wrong.serialize()).ok());
  auto bad = verify_snapshots(*j);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->issues.size(), 1u);
  EXPECT_EQ(bad->issues[0].sequence, at);
  EXPECT_EQ(bad->issues[0].topic, "snapshots");
}

TEST(RocksDbReplay, BackgroundSnapshotsEqualReplaysAndCoalesce) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.realistic(150);
  auto j = write(dir, clock, s);
  const std::uint64_t last = j->last_sequence();
  ASSERT_GT(last, 40u);

  std::vector<std::string> errors;
  {
    auto start = replay(*j, AsOf::at_sequence(10), {.use_snapshots = false});
    ASSERT_TRUE(start.ok());
    BackgroundSnapshotter snap(*j, std::move(start->state), [&](std::uint64_t seq, const Error& e) {
      errors.push_back(std::to_string(seq) + ": " + e.message);
    });
    snap.request(20);
    snap.wait_idle();
    EXPECT_EQ(snap.written(), 1u);
    snap.request(5);  // behind: ignored
    snap.request(last - 1);
    snap.request(last);
    snap.wait_idle();
    EXPECT_GE(snap.written(), 2u);
    EXPECT_LE(snap.written(), 3u);
    // A sequence the journal does not have yet is an error, named, and nothing is written.
    snap.request(last + 5);
    snap.wait_idle();
    EXPECT_LE(snap.written(), 3u);
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find(std::to_string(last + 5)), std::string::npos) << errors[0];

  auto full = replay(*j, AsOf::latest(), {.use_snapshots = false});
  auto r = replay(*j);
  ASSERT_TRUE(full.ok() && r.ok());
  EXPECT_EQ(r->info.snapshot_sequence, last);
  EXPECT_EQ(r->state.serialize(), full->state.serialize());
  auto v = verify_snapshots(*j);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues[0].problem;
}

TEST(RocksDbReplay, AsOfTimeAndAuditQueriesUseTheIndexes) {
  TempDir dir;
  ManualClock clock;
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1", "V-1");
  s.fill("c1", "t1", "1", "100");
  s.fill("c1", "t2", "1", "102");
  s.request("c2", Side::kSell, "1", "50");
  auto j = write(dir, clock, s);
  auto third = j->get(3);
  ASSERT_TRUE(third.ok() && third->has_value());
  std::int64_t t3 = (*third)->recorded_ns;

  auto pos = positions_as_of(*j, AsOf::at_time(t3));
  ASSERT_TRUE(pos.ok());
  ASSERT_EQ(pos->size(), 1u);
  EXPECT_EQ((*pos)[0].quantity, D("1"));
  auto pos_all = positions_as_of(*j, AsOf::latest());
  EXPECT_EQ((*pos_all)[0].average_price, D("101"));

  auto h = order_history(*j, "V-1");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->client_order_id.str(), "c1");
  EXPECT_EQ(h->events.size(), 4u);

  auto fills = fills_since(*j, t3);
  ASSERT_TRUE(fills.ok());
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_EQ((*fills)[0].sequence, 3u);
  EXPECT_EQ((*fills)[1].fill.price, D("102"));
}

}  // namespace
}  // namespace at::replay
