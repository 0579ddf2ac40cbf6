#include "journal/journal.h"

#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/options_util.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "journal/codec.h"
#include "journal/group_commit.h"
#include "tests/journal/raw_db.h"
#include "tests/journal/samples.h"

namespace at::journal {
namespace {

using testing::all_events_full;
using testing::RawDb;
using testing::sample_fill;
using testing::TempDir;

std::unique_ptr<Journal> open_ok(const std::string& path, const Clock& clock,
                                 Durability d = Durability::kSync) {
  Options o;
  o.path = path;
  o.durability = d;
  auto j = Journal::open(o, clock);
  EXPECT_TRUE(j.ok()) << j.error().describe();
  return j.ok() ? std::move(*j) : nullptr;
}

std::vector<PendingEvent> pending(const std::vector<Event>& events) {
  std::vector<PendingEvent> v;
  for (const auto& e : events) v.push_back({e, 0});
  return v;
}

// Fills 1, 2, ... each carrying the writer's stamp given (0: none, the journal's clock).
std::vector<PendingEvent> stamped_fills(std::initializer_list<std::int64_t> stamps) {
  std::vector<PendingEvent> v;
  for (std::int64_t stamp : stamps) v.push_back({sample_fill(v.size() + 1), 0, stamp});
  return v;
}

std::vector<Envelope> read_all(const Journal& j) {
  std::vector<Envelope> out;
  auto st = j.read(1, UINT64_MAX, [&](const Envelope& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.error().describe();
  return out;
}

bool has_issue(const VerifyReport& r, std::uint64_t seq, const std::string& topic,
               const std::string& text) {
  for (const auto& i : r.issues)
    if (i.sequence == seq && i.topic == topic && i.problem.find(text) != std::string::npos)
      return true;
  return false;
}

std::string issues_text(const VerifyReport& r) {
  std::string s;
  for (const auto& i : r.issues)
    s += std::to_string(i.sequence) + " " + i.topic + ": " + i.problem + "\n";
  return s;
}

TEST(Journal, AppendsOneBatchWithConsecutiveSequencesAndReadsItBack) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->last_sequence(), 0u);
  auto first = j->append(pending(all_events_full()));
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(j->last_sequence(), kEventTypeCount);
  auto second = j->append(sample_fill(1), 3);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, kEventTypeCount + 1);

  auto all = read_all(*j);
  ASSERT_EQ(all.size(), kEventTypeCount + 1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence, i + 1);
    EXPECT_EQ(all[i].recorded_ns, clock.now_ns());
  }
  EXPECT_EQ(all.back().causation, 3u);
  EXPECT_EQ(std::get<OrderFilled>(all.back().event).price.to_string(), "52000.12");

  // A range, and stopping early.
  int seen = 0;
  ASSERT_TRUE(j->read(5, 7, [&](const Envelope& e) {
                 EXPECT_EQ(e.sequence, 5u + seen);
                 ++seen;
                 return true;
               }).ok());
  EXPECT_EQ(seen, 3);
  seen = 0;
  ASSERT_TRUE(j->read(1, 100, [&](const Envelope&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);

  auto g = j->get(7);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ(type_of((*g)->event), EventType::kOrderFilled);
  auto missing = j->get(1000);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(Journal, ReopeningContinuesTheSequenceAndKeepsEverything) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(pending(all_events_full())).ok());
  }
  auto j = open_ok(dir.path(), clock);
  EXPECT_EQ(j->last_sequence(), kEventTypeCount);
  auto next = j->append(sample_fill(2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, kEventTypeCount + 1);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << issues_text(*v);
}

TEST(Journal, IndexesFindOrdersVenueIdsAndTimes) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  std::int64_t t0 = clock.now_ns();
  ASSERT_TRUE(j->append(pending(all_events_full())).ok());  // 1..33 at t0
  clock.advance_ms(10);
  ASSERT_TRUE(j->append(sample_fill(1)).ok());  // 34 at t0+10ms
  clock.advance_ms(10);
  ASSERT_TRUE(j->append(sample_fill(2)).ok());  // 35 at t0+20ms

  // at3: OrderRequested(3) Sent(4) Accepted(5) Filled(7) CancelRequested(8) Cancelled(9)
  // CancelRejected(10) ReplaceRequested(11) OrderReplaced(12) ReplaceRejected(13).
  auto seqs = j->sequences_for_order(ClientOrderId("at3"));
  ASSERT_TRUE(seqs.ok());
  EXPECT_EQ(*seqs, (std::vector<std::uint64_t>{3, 4, 5, 7, 8, 9, 10, 11, 12, 13}));
  // The replacement order is found through the replace events that name it.
  EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at11")), (std::vector<std::uint64_t>{11, 12}));
  // "at" is a prefix of every id but has no events of its own; "at1" (sample_fill(1)) is a
  // prefix of "at11" and finds only its own.
  EXPECT_TRUE(j->sequences_for_order(ClientOrderId("at"))->empty());
  EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at1")), (std::vector<std::uint64_t>{34}));

  auto coid = j->order_for_venue_id(VenueOrderId("V-998877"));
  ASSERT_TRUE(coid.ok() && coid->has_value());
  EXPECT_EQ((*coid)->str(), "at3");
  EXPECT_EQ((*j->order_for_venue_id(VenueOrderId("V-2")))->str(), "at11");
  EXPECT_FALSE(j->order_for_venue_id(VenueOrderId("nope"))->has_value());

  EXPECT_EQ(*j->first_sequence_at_or_after(0), 1u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t0), 1u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t0 + 1), 34u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t0 + 10'000'000), 34u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t0 + 15'000'000), 35u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t0 + 30'000'000), 36u);  // none: last + 1
}

// A writer that has applied its events already (the engine) hands in the recorded_ns it used;
// the journal keeps it, never lets it go backwards, and indexes every change of it in by_time.
TEST(Journal, EventsKeepTheirWritersStampAndByTimeFindsEveryChange) {
  TempDir dir;
  ManualClock clock;
  const std::int64_t t = clock.now_ns();
  auto j = open_ok(dir.path(), clock);
  ASSERT_TRUE(j->append(stamped_fills({0, t + 10, t + 10, t + 5, t + 20})).ok());
  // 0 = the journal's clock; t + 5 is behind t + 10 and is clamped to it.
  auto got = read_all(*j);
  ASSERT_EQ(got.size(), 5u);
  const std::vector<std::int64_t> want = {t, t + 10, t + 10, t + 10, t + 20};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i].recorded_ns, want[i]) << i;
  EXPECT_EQ(*j->first_sequence_at_or_after(t), 1u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 1), 2u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 10), 2u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 11), 5u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 20), 5u);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 21), 6u);
  // The clock behind the last stamp: the next event is clamped too.
  ASSERT_TRUE(j->append(sample_fill(9)).ok());
  EXPECT_EQ((*j->get(6))->recorded_ns, t + 20);
  EXPECT_EQ(*j->first_sequence_at_or_after(t + 21), 7u);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->issues.empty()) << issues_text(*v);
}

TEST(Journal, VerifyNamesAChangeOfRecordedTimeWithoutItsByTimeEntry) {
  TempDir dir;
  ManualClock clock;
  const std::int64_t t = clock.now_ns();
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(stamped_fills({t, t, t + 7, t + 7})).ok());
  }
  RawDb(dir.path()).del("by_time", by_time_key(t + 7, 3));
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->issues.size(), 1u) << issues_text(*v);
  EXPECT_TRUE(has_issue(*v, 3, "by_time", "missing entry where recorded_ns becomes"))
      << issues_text(*v);
}

// by_order is inserted with a hint per client order id (rocksdb_journal.cc): interleaved
// orders, ids that are prefixes of one another, and entries on both sides of a flush must
// still come back exactly, in sequence order.
TEST(Journal, OrderIndexIsExactWhenOrdersInterleaveAcrossAFlush) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock, Durability::kNone);
  const std::vector<std::uint64_t> orders = {1, 11, 111, 2, 12, 7};
  std::map<std::uint64_t, std::vector<std::uint64_t>> expected;
  std::uint64_t seq = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<PendingEvent> batch;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      auto n = orders[(i + static_cast<std::size_t>(round)) % orders.size()];
      batch.push_back({sample_fill(n), 0});
      expected[n].push_back(++seq);
    }
    ASSERT_TRUE(j->append(batch).ok());
    if (round == 2) {
      ASSERT_TRUE(j->flush().ok());
    }
  }
  for (auto& [n, seqs] : expected)
    EXPECT_EQ(*j->sequences_for_order(make_client_order_id("at", n)), seqs) << "at" << n;
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << issues_text(*v);
}

TEST(Journal, RecordedTimeNeverGoesBackwards) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  ASSERT_TRUE(j->append(sample_fill(1)).ok());
  clock.advance_ms(-5);  // the wall clock steps back
  ASSERT_TRUE(j->append(sample_fill(2)).ok());
  auto all = read_all(*j);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].recorded_ns, all[0].recorded_ns);
  EXPECT_TRUE(j->verify()->ok());
}

TEST(Journal, DeadLettersAreATopicOpenedAndClosedByEvents) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  auto dl = [](const char* id) { return DeadLettered{ClientOrderId(id), "submit", "x", 5, 1}; };
  ASSERT_TRUE(j->append(dl("a1")).ok());  // 1
  ASSERT_TRUE(j->append(dl("a2")).ok());  // 2
  ASSERT_TRUE(j->append(dl("a3")).ok());  // 3
  EXPECT_EQ(*j->open_dead_letters(), (std::vector<std::uint64_t>{1, 2, 3}));
  ASSERT_TRUE(j->append(DeadLetterRetried{ClientOrderId("a1"), "op", 2}).ok());
  ASSERT_TRUE(j->append(DeadLetterDropped{ClientOrderId("a3"), "op", "stale", 3}).ok());
  EXPECT_EQ(*j->open_dead_letters(), (std::vector<std::uint64_t>{2}));
  // Lettered and dropped within one batch: never open.
  std::vector<PendingEvent> b{{dl("a4"), 0},
                              {DeadLetterDropped{ClientOrderId("a4"), "op", "", 4}, 0}};
  ASSERT_TRUE(j->append(b).ok());
  EXPECT_EQ(*j->open_dead_letters(), (std::vector<std::uint64_t>{2}));
  // Survives a reopen, and a retry after the reopen closes it.
  j.reset();
  j = open_ok(dir.path(), clock);
  EXPECT_EQ(*j->open_dead_letters(), (std::vector<std::uint64_t>{2}));
  ASSERT_TRUE(j->append(DeadLetterRetried{ClientOrderId("a2"), "op", 5}).ok());
  EXPECT_TRUE(j->open_dead_letters()->empty());
  auto v = j->verify();
  EXPECT_TRUE(v->ok()) << issues_text(*v);
  EXPECT_EQ(j->stats()->dlq_open, 0u);
}

TEST(Journal, SnapshotsAreFoundAtOrBeforeASequence) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  ASSERT_TRUE(j->put_snapshot(4, "four").ok());
  ASSERT_TRUE(j->put_snapshot(8, "eight").ok());
  auto bad = j->put_snapshot(11, "eleven");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("beyond the last sequence 10"), std::string::npos);
  EXPECT_FALSE(j->latest_snapshot(3)->has_value());
  EXPECT_EQ((*j->latest_snapshot(4))->first, 4u);
  EXPECT_EQ((*j->latest_snapshot(7))->second, "four");
  EXPECT_EQ((*j->latest_snapshot(UINT64_MAX))->second, "eight");
  EXPECT_EQ(j->stats()->snapshots, 2u);
}

TEST(Journal, SnapshotsAreVisitedNewestFirstUntilTheVisitorStops) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  ASSERT_TRUE(j->put_snapshot(2, "two").ok());
  ASSERT_TRUE(j->put_snapshot(5, "five").ok());
  ASSERT_TRUE(j->put_snapshot(8, "eight").ok());
  std::vector<std::pair<std::uint64_t, std::string>> seen;
  auto all = [&](std::uint64_t s, std::string_view b) {
    seen.emplace_back(s, std::string(b));
    return true;
  };
  ASSERT_TRUE(j->visit_snapshots(7, all).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, std::string>>{{5, "five"}, {2, "two"}}));
  seen.clear();
  ASSERT_TRUE(j->visit_snapshots(UINT64_MAX, [&](std::uint64_t s, std::string_view b) {
                 seen.emplace_back(s, std::string(b));
                 return false;
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, std::string>>{{8, "eight"}}));
  seen.clear();
  ASSERT_TRUE(j->visit_snapshots(1, all).ok());
  EXPECT_TRUE(seen.empty());
}

// Recovery replays without competing with a compaction backlog: a reopened journal leaves
// automatic compactions off until its first write. (Read back from the OPTIONS file RocksDB
// persists on every change.)
TEST(Journal, AReopenedJournalCompactsAgainFromItsFirstWrite) {
  TempDir dir;
  ManualClock clock;
  auto families_with_compactions_off = [&] {
    rocksdb::ConfigOptions co;
    co.ignore_unknown_options = true;
    rocksdb::DBOptions dbo;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    EXPECT_TRUE(rocksdb::LoadLatestOptions(co, dir.path(), &dbo, &cfs).ok());
    int off = 0;
    for (const auto& d : cfs) off += d.options.disable_auto_compactions ? 1 : 0;
    return off;
  };
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(sample_fill(1)).ok());
    EXPECT_EQ(families_with_compactions_off(), 0);  // a new journal never turns them off
  }
  auto j = open_ok(dir.path(), clock);
  EXPECT_GT(families_with_compactions_off(), 0);
  ASSERT_TRUE(j->append(sample_fill(2)).ok());
  EXPECT_EQ(families_with_compactions_off(), 0);
}

// Sum of the sizes of the journal's WAL files.
std::uintmax_t wal_bytes(const std::string& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".log") total += e.file_size();
  return total;
}

// A snapshot is ingested as a table file of its own: its bytes never enter the WAL (where a
// multi-MB write would hold up the appends queued behind it), and it reads back whole, also
// after a reopen.
TEST(Journal, ASnapshotBypassesTheWal) {
  TempDir dir;
  ManualClock clock;
  const std::string big(4 << 20, 's');
  {
    auto j = open_ok(dir.path(), clock);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
    const auto before = wal_bytes(dir.path());
    ASSERT_TRUE(j->put_snapshot(9, big).ok());
    EXPECT_LT(wal_bytes(dir.path()) - before, 4096u);
    EXPECT_EQ((*j->latest_snapshot(UINT64_MAX))->second, big);
    ASSERT_TRUE(j->append(sample_fill(10)).ok());
  }
  auto j = open_ok(dir.path(), clock);
  auto snap = j->latest_snapshot(UINT64_MAX);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->first, 9u);
  EXPECT_EQ((*snap)->second, big);
  EXPECT_EQ(j->last_sequence(), 11u);
  EXPECT_TRUE(j->verify()->ok());
}

// A reader opened while the writer runs (the CLI next to the engine) sees an ingested snapshot
// once it refreshes, as it sees new events.
TEST(Journal, AReaderSeesAnIngestedSnapshotAfterRefresh) {
  TempDir dir;
  ManualClock clock;
  auto w = open_ok(dir.path(), clock);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(w->append(sample_fill(i)).ok());
  ASSERT_TRUE(w->put_snapshot(2, "two").ok());
  auto r = Journal::open_read_only(dir.path(), clock);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*(*r)->latest_snapshot(UINT64_MAX))->second, "two");
  ASSERT_TRUE(w->put_snapshot(4, "four").ok());
  ASSERT_TRUE((*r)->refresh().ok());
  EXPECT_EQ((*(*r)->latest_snapshot(UINT64_MAX))->second, "four");
  EXPECT_EQ((*r)->stats()->snapshots, 2u);
}

// A snapshot whose table file cannot be created is an error that names the file; the journal
// keeps its events, its older snapshots and its ability to append.
TEST(Journal, ASnapshotThatCannotBeWrittenIsAnErrorNamingTheFile) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  ASSERT_TRUE(j->put_snapshot(2, "two").ok());
  // A directory where the table file would go: creating the file fails, even for root.
  const auto blocker = std::filesystem::path(dir.path()) / "at-snapshot-4.sst.ingest";
  std::filesystem::create_directories(blocker / "x");
  auto st = j->put_snapshot(4, "four");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kIo);
  EXPECT_NE(st.error().message.find("at-snapshot-4.sst.ingest"), std::string::npos)
      << st.error().message;
  EXPECT_EQ((*j->latest_snapshot(UINT64_MAX))->second, "two");
  EXPECT_TRUE(j->append(sample_fill(5)).ok());
  EXPECT_EQ(j->last_sequence(), 5u);
}

// A crash between writing a snapshot's table file and ingesting it leaves the file behind; the
// next writable open removes it (a read-only one leaves the directory alone).
TEST(Journal, AStaleSnapshotFileIsRemovedAtOpen) {
  TempDir dir;
  ManualClock clock;
  { ASSERT_TRUE(open_ok(dir.path(), clock)->append(sample_fill(1)).ok()); }
  const auto stale = std::filesystem::path(dir.path()) / "at-snapshot-1.sst.ingest";
  std::ofstream(stale) << "half a table file";
  {
    auto ro = Journal::open_read_only(dir.path(), clock);
    ASSERT_TRUE(ro.ok()) << ro.error().describe();
    EXPECT_TRUE(std::filesystem::exists(stale));
  }
  auto j = open_ok(dir.path(), clock);
  EXPECT_FALSE(std::filesystem::exists(stale));
  ASSERT_TRUE(j->put_snapshot(1, "one").ok());
  EXPECT_EQ((*j->latest_snapshot(1))->second, "one");
}

TEST(Journal, OnlyTheNewestFourSnapshotsAreKept) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  for (std::uint64_t s = 1; s <= 6; ++s) ASSERT_TRUE(j->put_snapshot(s, std::to_string(s)).ok());
  EXPECT_EQ(j->stats()->snapshots, 4u);
  EXPECT_FALSE(j->latest_snapshot(2)->has_value());  // 1 and 2 are gone
  EXPECT_EQ((*j->latest_snapshot(3))->second, "3");
  EXPECT_EQ((*j->latest_snapshot(UINT64_MAX))->second, "6");
  // Re-writing the newest one neither counts it twice nor drops another.
  ASSERT_TRUE(j->put_snapshot(6, "six").ok());
  EXPECT_EQ(j->stats()->snapshots, 4u);
  EXPECT_EQ((*j->latest_snapshot(UINT64_MAX))->second, "six");
  // An older sequence written late keeps the four newest.
  ASSERT_TRUE(j->put_snapshot(2, "two").ok());
  EXPECT_EQ(j->stats()->snapshots, 4u);
  EXPECT_EQ((*j->latest_snapshot(3))->second, "3");
  EXPECT_FALSE(j->latest_snapshot(2)->has_value());
}

TEST(Journal, StatsCountRecordsByType) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  ASSERT_TRUE(j->append(pending(all_events_full())).ok());
  ASSERT_TRUE(j->append(sample_fill(1)).ok());
  auto s = j->stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->records, kEventTypeCount + 1);
  EXPECT_EQ(s->first_sequence, 1u);
  EXPECT_EQ(s->last_sequence, kEventTypeCount + 1);
  EXPECT_EQ(s->first_recorded_ns, clock.now_ns());
  EXPECT_EQ(s->by_type.size(), kEventTypeCount);
  for (auto& [name, n] : s->by_type) EXPECT_EQ(n, name == "OrderFilled" ? 2u : 1u) << name;
  EXPECT_EQ(s->dlq_open, 0u);  // at8 retried
  EXPECT_GT(s->disk_bytes, 0u);
}

TEST(Journal, VerifyFindsAnInjectedSequenceGapAndNamesWhere) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
    EXPECT_TRUE(j->verify()->ok());
  }
  {
    RawDb raw(dir.path());
    raw.del("events", sequence_key(5));
    raw.del("events", sequence_key(6));
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok());
  EXPECT_TRUE(has_issue(*v, 7, "events", "gap: expected sequence 5, found 7 (2 missing)"))
      << issues_text(*v);
  // The indexes still point at the vanished records: drift, named too.
  EXPECT_TRUE(has_issue(*v, 5, "by_order", "at5")) << issues_text(*v);
  EXPECT_EQ(v->records, 8u);
}

TEST(Journal, VerifyFindsACorruptedRecordAndNamesWhere) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  }
  {
    RawDb raw(dir.path());
    raw.put("events", sequence_key(4), std::string(40, '\xee'));
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(has_issue(*v, 4, "events", "undecodable record")) << issues_text(*v);
  // Reading across it reports the sequence too.
  auto st = j->read(1, 10, [](const Envelope&) { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(st.error().message.find("sequence 4"), std::string::npos) << st.error().message;
}

TEST(Journal, VerifyFindsIndexDriftAndStraySnapshots) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(j->append(sample_fill(i)).ok());
  }
  {
    RawDb raw(dir.path());
    raw.put("by_order", by_order_key("at999", 2), "");  // points at a record about at2
    raw.del("by_order", by_order_key("at3", 3));        // record 3 loses its entry
    raw.put("snapshots", sequence_key(9), "from the future");
    raw.put("dlq", sequence_key(1), "");  // a fill is not a dead letter
    raw.put("by_venue_id", "V-unknown", "at1");
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  auto t = issues_text(*v);
  EXPECT_TRUE(has_issue(*v, 2, "by_order", "'at999' points at a OrderFilled")) << t;
  EXPECT_TRUE(has_issue(*v, 3, "by_order", "missing index entry for client order id 'at3'")) << t;
  EXPECT_TRUE(has_issue(*v, 9, "snapshots", "beyond the last sequence 5")) << t;
  EXPECT_TRUE(has_issue(*v, 1, "dlq", "not an open dead letter")) << t;
  EXPECT_TRUE(has_issue(*v, 1, "by_venue_id", "'V-unknown'")) << t;
  // (Losing at3's by_order entry also hides the record that links V100003 to at3.)
  EXPECT_TRUE(has_issue(*v, 0, "by_venue_id", "'V100003' -> 'at3'")) << t;
  EXPECT_EQ(v->issues.size(), 6u) << t;
}

TEST(Journal, OpenOfAMissingDirectoryWithoutCreateSaysSo) {
  TempDir dir;
  ManualClock clock;
  Options o;
  o.path = dir.sub("nope");
  o.create_if_missing = false;
  auto j = Journal::open(o, clock);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().kind, ErrorKind::kIo);
  EXPECT_NE(j.error().message.find("'" + o.path + "' does not exist"), std::string::npos)
      << j.error().message;
  auto r = Journal::open_read_only(o.path, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos) << r.error().message;
  EXPECT_FALSE(std::filesystem::exists(o.path));
}

TEST(Journal, OpenCreatesMissingParentDirectories) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.sub("a/b/c"), clock);
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->append(sample_fill(1)).ok());
}

TEST(Journal, OpenOfAFileInsteadOfADirectorySaysSo) {
  TempDir dir;
  ManualClock clock;
  std::ofstream(dir.sub("file")) << "not a journal";
  Options o;
  o.path = dir.sub("file");
  auto j = Journal::open(o, clock);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().kind, ErrorKind::kIo);
  EXPECT_NE(j.error().message.find("is not a directory"), std::string::npos) << j.error().message;
  EXPECT_NE(j.error().message.find(o.path), std::string::npos);
}

TEST(Journal, OpenOfAnEmptyDirectoryWithoutCreateSaysItHoldsNoJournal) {
  TempDir dir;
  ManualClock clock;
  Options o;
  o.path = dir.path();
  o.create_if_missing = false;
  auto j = Journal::open(o, clock);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message.find("holds no journal"), std::string::npos) << j.error().message;
}

TEST(Journal, SecondWriterIsToldTheJournalIsLocked) {
  TempDir dir;
  ManualClock clock;
  auto first = open_ok(dir.path(), clock);
  ASSERT_TRUE(first);
  Options o;
  o.path = dir.path();
  auto second = Journal::open(o, clock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kIo);
  EXPECT_NE(second.error().message.find("is locked by another process"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find(dir.path()), std::string::npos);
}

TEST(Journal, UnwritableDirectorySaysPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  ManualClock clock;
  std::filesystem::create_directories(dir.sub("ro"));
  ::chmod(dir.sub("ro").c_str(), 0500);
  Options o;
  o.path = dir.sub("ro");
  auto j = Journal::open(o, clock);
  ::chmod(dir.sub("ro").c_str(), 0700);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message.find("permission denied"), std::string::npos) << j.error().message;
}

TEST(Journal, ReadOnlyOpenSeesTheWritersNewEventsAfterRefresh) {
  TempDir dir;
  ManualClock clock;
  auto w = open_ok(dir.path(), clock);
  ASSERT_TRUE(w->append(sample_fill(1)).ok());
  auto r = Journal::open_read_only(dir.path(), clock);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  auto& ro = **r;
  EXPECT_EQ(ro.last_sequence(), 1u);
  ASSERT_TRUE(w->append(pending({sample_fill(2), sample_fill(3)})).ok());
  EXPECT_EQ(ro.last_sequence(), 1u);
  ASSERT_TRUE(ro.refresh().ok());
  EXPECT_EQ(ro.last_sequence(), 3u);
  EXPECT_EQ(read_all(ro).size(), 3u);
  EXPECT_EQ(*ro.sequences_for_order(ClientOrderId("at3")), (std::vector<std::uint64_t>{3}));
  // It cannot write.
  auto a = ro.append(sample_fill(4));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("read-only"), std::string::npos);
  EXPECT_FALSE(ro.put_snapshot(1, "x").ok());
  EXPECT_TRUE(ro.verify()->ok());
}

TEST(Journal, DurabilityModesAllPersistAcrossAReopen) {
  for (auto d : {Durability::kSync, Durability::kBatch, Durability::kNone}) {
    SCOPED_TRACE(std::string(to_string(d)));
    TempDir dir;
    ManualClock clock;
    {
      auto j = open_ok(dir.path(), clock, d);
      for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(j->append(sample_fill(i)).ok());
        clock.advance_ms(30);
      }
    }
    auto j = open_ok(dir.path(), clock, d);
    EXPECT_EQ(j->last_sequence(), 5u);
  }
  Durability d;
  EXPECT_TRUE(parse("batch", d));
  EXPECT_EQ(d, Durability::kBatch);
  EXPECT_FALSE(parse("fast", d));
  EXPECT_EQ(to_string(Durability::kNone), "none");
}

TEST(GroupCommit, ConcurrentProducersGetConsecutiveDurableSequences) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::vector<std::uint64_t>> got(kThreads);
  {
    GroupCommitter gc(*j);
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t)
      producers.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::vector<PendingEvent> two{{sample_fill(t * 1000 + i), 0},
                                        {sample_fill(t * 1000 + i), 0}};
          auto r = gc.append(std::move(two));
          ASSERT_TRUE(r.ok()) << r.error().describe();
          got[t].push_back(*r);
        }
      });
    for (auto& p : producers) p.join();
    auto c = gc.counters();
    EXPECT_EQ(c.events, 2u * kThreads * kPerThread);
    EXPECT_GE(c.syncs, 1u);
    EXPECT_LE(c.syncs, c.batches);
  }
  // Each request's two events are adjacent and every sequence is handed out once.
  std::set<std::uint64_t> all;
  for (auto& v : got)
    for (auto s : v) {
      EXPECT_TRUE(all.insert(s).second);
      auto a = j->get(s), b = j->get(s + 1);
      ASSERT_TRUE(a.ok() && a->has_value() && b.ok() && b->has_value());
      EXPECT_EQ(std::get<OrderFilled>((*a)->event).trade_id,
                std::get<OrderFilled>((*b)->event).trade_id);
    }
  EXPECT_EQ(j->last_sequence(), 2u * kThreads * kPerThread);
  EXPECT_TRUE(j->verify()->ok());
}

TEST(GroupCommit, AsyncSubmissionsCompleteInOrderAndStopDrainsTheQueue) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock);
  std::vector<std::uint64_t> done;
  std::mutex mu;
  {
    GroupCommitter gc(*j, GroupCommitOptions{16, 64});
    for (int i = 0; i < 500; ++i)
      gc.submit(PendingEvent{sample_fill(i), 0}, [&](const Result<std::uint64_t>& r) {
        std::lock_guard l(mu);
        ASSERT_TRUE(r.ok());
        done.push_back(*r);
      });
    gc.stop();
    bool called = false;
    gc.submit(PendingEvent{sample_fill(1), 0}, [&](const Result<std::uint64_t>& r) {
      called = true;
      EXPECT_FALSE(r.ok());
    });
    EXPECT_TRUE(called);
  }
  ASSERT_EQ(done.size(), 500u);
  for (std::size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i], i + 1);
}

TEST(GroupCommit, WorksOverANonDurableJournal) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock, Durability::kNone);
  GroupCommitter gc(*j);
  auto r = gc.append({PendingEvent{sample_fill(1), 0}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1u);
  EXPECT_EQ(gc.counters().syncs, 0u);
}

// --- batch values (schema version 2) ------------------------------------------------------------

// 200 fills in one append: values of 64, 64, 64 and 8 events keyed 1, 65, 129, 193.
std::vector<PendingEvent> fills(std::uint64_t first, std::uint64_t n) {
  std::vector<PendingEvent> v;
  for (std::uint64_t i = first; i < first + n; ++i) v.push_back({sample_fill(i), i - 1});
  return v;
}

TEST(JournalBatches, AnAppendIsStoredAsValuesOfAtMostSixtyFourEventsKeyedByTheirFirst) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 200)).ok());
  }
  RawDb raw(dir.path());
  EXPECT_EQ(raw.keys("events"), (std::vector<std::string>{sequence_key(1), sequence_key(65),
                                                          sequence_key(129), sequence_key(193)}));
  auto v = EventsValue::parse(raw.get("events", sequence_key(65)));
  ASSERT_TRUE(v.ok()) << v.error().describe();
  EXPECT_TRUE(v->batch());
  EXPECT_EQ(v->size(), 64u);
  EXPECT_EQ(raw.get("meta", "schema_version"), std::to_string(kSchemaVersion));
}

TEST(JournalBatches, RangesStartingAndEndingMidBatchReadExactlyThoseEvents) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock, Durability::kNone);
  ASSERT_TRUE(j->append(fills(1, 200)).ok());
  ASSERT_TRUE(j->append(fills(201, 3)).ok());
  EXPECT_EQ(j->last_sequence(), 203u);
  for (auto [from, to] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {1, 203}, {70, 130}, {64, 65}, {128, 128}, {200, 202}, {193, 1000}, {0, 3}}) {
    std::vector<std::uint64_t> seqs;
    auto st = j->read(from, to, [&](const Envelope& e) {
      EXPECT_EQ(std::get<OrderFilled>(e.event).client_order_id,
                make_client_order_id("at", e.sequence));
      EXPECT_EQ(e.causation, e.sequence - 1);
      seqs.push_back(e.sequence);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.error().describe();
    std::vector<std::uint64_t> expected;
    for (std::uint64_t s = std::max<std::uint64_t>(from, 1); s <= std::min<std::uint64_t>(to, 203);
         ++s)
      expected.push_back(s);
    EXPECT_EQ(seqs, expected) << from << ".." << to;
    // read_raw hands out the same events, one record each.
    std::uint64_t n = 0;
    ASSERT_TRUE(j->read_raw(from, to, [&](std::string_view bytes) {
                   auto e = decode(bytes);
                   EXPECT_TRUE(e.ok());
                   if (e.ok()) {
                     EXPECT_EQ(e->sequence, expected[n]);
                   }
                   ++n;
                   return true;
                 }).ok());
    EXPECT_EQ(n, expected.size());
  }
  // Stopping inside a batch stops there.
  int seen = 0;
  ASSERT_TRUE(j->read(70, 203, [&](const Envelope&) { return ++seen < 3; }).ok());
  EXPECT_EQ(seen, 3);
}

TEST(JournalBatches, GetFindsEveryEventInsideABatch) {
  TempDir dir;
  ManualClock clock;
  auto j = open_ok(dir.path(), clock, Durability::kNone);
  ASSERT_TRUE(j->append(fills(1, 200)).ok());
  for (std::uint64_t s : {1u, 2u, 64u, 65u, 100u, 128u, 193u, 200u}) {
    auto g = j->get(s);
    ASSERT_TRUE(g.ok() && g->has_value()) << s;
    EXPECT_EQ((*g)->sequence, s);
    EXPECT_EQ(std::get<OrderFilled>((*g)->event).client_order_id, make_client_order_id("at", s));
  }
  for (std::uint64_t s : {0u, 201u, 5000u}) {
    auto g = j->get(s);
    ASSERT_TRUE(g.ok());
    EXPECT_FALSE(g->has_value()) << s;
  }
  // The indexes lead to events inside batches.
  auto seqs = j->sequences_for_order(make_client_order_id("at", 100));
  ASSERT_TRUE(seqs.ok());
  EXPECT_EQ(*seqs, std::vector<std::uint64_t>{100});
  auto st = j->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->records, 200u);
  EXPECT_EQ(st->last_sequence, 200u);
  ASSERT_EQ(st->by_type.size(), 1u);
  EXPECT_EQ(st->by_type[0], std::make_pair(std::string("OrderFilled"), std::uint64_t{200}));
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << issues_text(*v);
  EXPECT_EQ(v->records, 200u);
}

TEST(JournalBatches, ReopenAndReadOnlyOpenContinueAfterTheLastBatch) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 100)).ok());
  }
  auto j = open_ok(dir.path(), clock);
  EXPECT_EQ(j->last_sequence(), 100u);
  auto ro = Journal::open_read_only(dir.path(), clock);
  ASSERT_TRUE(ro.ok()) << ro.error().describe();
  EXPECT_EQ((*ro)->last_sequence(), 100u);
  auto next = j->append(fills(101, 70));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 101u);
  ASSERT_TRUE((*ro)->refresh().ok());
  EXPECT_EQ((*ro)->last_sequence(), 170u);
  auto g = (*ro)->get(166);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->sequence, 166u);
  EXPECT_EQ(read_all(**ro).size(), 170u);
}

TEST(JournalBatches, VerifyNamesTheGapLeftByAMissingBatch) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 200)).ok());
  }
  {
    RawDb raw(dir.path());
    raw.del("events", sequence_key(65));  // events 65..128
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(has_issue(*v, 129, "events", "gap: expected sequence 65, found 129 (64 missing)"))
      << issues_text(*v);
  EXPECT_TRUE(has_issue(*v, 100, "by_order", "at100")) << issues_text(*v);
  EXPECT_EQ(v->records, 136u);
  auto g = j->get(100);
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
}

TEST(JournalBatches, VerifyAndReadNameTheSequenceOfADamagedEventInsideABatch) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 200)).ok());
  }
  {
    RawDb raw(dir.path());
    std::string value = raw.get("events", sequence_key(65));
    auto v = EventsValue::parse(value);
    ASSERT_TRUE(v.ok());
    // Event 70 (the sixth of this batch): overwrite its capnp segment table.
    std::string_view rec = v->record(5);
    std::size_t at = static_cast<std::size_t>(rec.data() - value.data());
    std::memset(value.data() + at, 0x7f, 8);
    raw.put("events", sequence_key(65), value);
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(has_issue(*v, 70, "events", "undecodable record")) << issues_text(*v);
  EXPECT_EQ(v->records, 200u);
  auto st = j->read(1, 200, [](const Envelope&) { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(st.error().message.find("sequence 70"), std::string::npos) << st.error().message;
  auto g = j->get(70);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message.find("sequence 70"), std::string::npos);
  auto ok = j->get(71);
  ASSERT_TRUE(ok.ok() && ok->has_value());
}

TEST(JournalBatches, VerifyAndReadNameTheFirstSequenceOfABatchWithADamagedFrame) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 200)).ok());
  }
  {
    RawDb raw(dir.path());
    std::string value = raw.get("events", sequence_key(65));
    value.resize(value.size() - 8);  // the last event's end now points past the value
    raw.put("events", sequence_key(65), value);
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(has_issue(*v, 65, "events", "undecodable batch record")) << issues_text(*v);
  // How many events it held is unknown: no made-up gap after it.
  for (const auto& i : v->issues) EXPECT_EQ(i.problem.find("gap"), std::string::npos) << i.problem;
  auto st = j->read(100, 200, [](const Envelope&) { return true; });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("sequence 65: undecodable batch record"), std::string::npos)
      << st.error().message;
}

// Orders interleaved over an append that spans two events values (1..64, 65..80).
std::vector<PendingEvent> interleaved_orders() {
  std::vector<PendingEvent> v;
  for (std::uint64_t i = 1; i <= 80; ++i) {
    // at1 at 1, 3, 5, ...; at2 at 2, 62, 64, 66; the rest one event each.
    std::uint64_t n = i % 2 ? 1 : (i == 2 || i >= 62) && i <= 66 ? 2 : 100 + i;
    v.push_back({sample_fill(n), 0});
  }
  return v;
}

TEST(JournalBatches, AnOrderGetsOneIndexEntryPerEventsValueListingItsSequencesThere) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(interleaved_orders()).ok());
    std::vector<std::uint64_t> at1, at2{2, 62, 64, 66};
    for (std::uint64_t s = 1; s <= 80; s += 2) at1.push_back(s);
    EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at1")), at1);
    EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at2")), at2);
    EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at104")), (std::vector<std::uint64_t>{4}));
    EXPECT_TRUE(j->sequences_for_order(ClientOrderId("at3"))->empty());
    auto v = j->verify();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok()) << issues_text(*v);
  }
  RawDb raw(dir.path());
  std::size_t at1_entries = 0;
  for (const auto& k : raw.keys("by_order")) at1_entries += k.rfind("at1", 0) == 0 && k[3] == 0;
  EXPECT_EQ(at1_entries, 2u);  // one per events value
  // at2 in the first value: 2, then +60, +2; in the second: 66 alone.
  EXPECT_EQ(raw.get("by_order", by_order_key("at2", 2)), std::string("\x3c\x02", 2));
  EXPECT_EQ(raw.get("by_order", by_order_key("at2", 66)), "");
}

TEST(JournalBatches, VerifyNamesEveryEventAGroupedIndexEntryNoLongerCovers) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(interleaved_orders()).ok());
  }
  {
    RawDb raw(dir.path());
    raw.del("by_order", by_order_key("at2", 2));                            // 2, 62, 64 uncovered
    raw.put("by_order", by_order_key("at2", 66), std::string(1, '\x80'));   // cut varint
    raw.put("by_order", by_order_key("at104", 4), std::string(1, '\x01'));  // 5 is at1's
  }
  auto j = open_ok(dir.path(), clock);
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  auto t = issues_text(*v);
  for (std::uint64_t s : {2u, 62u, 64u})
    EXPECT_TRUE(has_issue(*v, s, "by_order", "missing index entry for client order id 'at2'"))
        << s << t;
  EXPECT_TRUE(has_issue(*v, 66, "by_order", "by_order entry for 'at2' at 66: malformed value"))
      << t;
  EXPECT_TRUE(has_issue(*v, 5, "by_order", "'at104' points at a OrderFilled")) << t;
  auto h = j->sequences_for_order(ClientOrderId("at2"));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(h.error().message.find("'at2' at 66"), std::string::npos) << h.error().message;
}

TEST(JournalBatches, AJournalOfANewerSchemaVersionIsRefusedWithAClearError) {
  TempDir dir;
  ManualClock clock;
  {
    auto j = open_ok(dir.path(), clock);
    ASSERT_TRUE(j->append(fills(1, 3)).ok());
  }
  {
    RawDb raw(dir.path());
    raw.put("meta", "schema_version", std::to_string(kSchemaVersion + 1));
  }
  Options o;
  o.path = dir.path();
  auto j = Journal::open(o, clock);
  ASSERT_FALSE(j.ok());
  const std::string newer = "schema version " + std::to_string(kSchemaVersion + 1);
  EXPECT_NE(j.error().message.find(newer), std::string::npos) << j.error().message;
  EXPECT_NE(j.error().message.find("newer version"), std::string::npos) << j.error().message;
  auto ro = Journal::open_read_only(dir.path(), clock);
  ASSERT_FALSE(ro.ok());
  EXPECT_NE(ro.error().message.find(newer), std::string::npos);
}

}  // namespace
}  // namespace at::journal
