// The journals written by earlier schema versions stay readable: every record decodes to exactly
// the events that were written, indexes and topics included.
//   tests/fixtures/journal_v1  schema 1: one value per event
//   tests/fixtures/journal_v2  schema 2: batch values (codec.h); the same content
//   tests/fixtures/journal_v3  schema 3: one by_order entry per order id and events value;
//                              the same content
//
// Generate the fixture of the current schema version (only when deliberately starting a new
// fixture version; it refuses to rewrite an existing directory, since this build cannot write
// the older versions any more):
//   test_journal --gtest_also_run_disabled_tests
//     --gtest_filter=JournalFixtureGenerator.DISABLED_GenerateCurrent   (one command line)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "journal/codec.h"
#include "journal/journal.h"
#include "tests/journal/raw_db.h"
#include "tests/journal/samples.h"

namespace at::journal {
namespace {

namespace fs = std::filesystem;
using testing::dump;

const std::string kFixture = std::string(AT_SOURCE_DIR) + "/tests/fixtures/journal_v1";
const std::string kFixtureV2 = std::string(AT_SOURCE_DIR) + "/tests/fixtures/journal_v2";
const std::string kFixtureV3 = std::string(AT_SOURCE_DIR) + "/tests/fixtures/journal_v3";
constexpr std::int64_t kRecordedNs = 1'700'000'001'000'000'000;

// What the fixture holds: all_events_full() as one append (sequences 1..33, causation = the
// sequence before), then two fills (34, 35) a second later, and a snapshot at 33.
// Event types that existed in schema version 1 (later types are appended after these).
constexpr std::size_t kV1EventTypes = 33;
std::vector<PendingEvent> fixture_batch() {
  std::vector<PendingEvent> v;
  auto all = testing::all_events_full();
  for (std::size_t i = 0; i < kV1EventTypes; ++i) v.push_back({all[i], i});
  return v;
}

TEST(JournalFixtureGenerator, DISABLED_GenerateCurrent) {
  const std::string v = std::to_string(kSchemaVersion);
  const std::string path = std::string(AT_SOURCE_DIR) + "/tests/fixtures/journal_v" + v;
  ASSERT_FALSE(fs::exists(path)) << path << " exists: fixtures are never rewritten";
  ManualClock clock(kRecordedNs);
  {
    Options o;
    o.path = path;
    auto j = Journal::open(o, clock);
    ASSERT_TRUE(j.ok()) << j.error().describe();
    ASSERT_TRUE((*j)->append(fixture_batch()).ok());
    clock.advance_ms(1000);
    ASSERT_TRUE((*j)->append(std::vector<PendingEvent>{{testing::sample_fill(1), 7},
                                                       {testing::sample_fill(2), 7}})
                    .ok());
    ASSERT_TRUE((*j)->put_snapshot(33, "snapshot-v" + v + "-at-33").ok());
    ASSERT_TRUE((*j)->flush().ok());
  }
  // Keep only what a reader needs: no info logs, no lock file, the newest OPTIONS file.
  std::vector<fs::path> options_files;
  for (const auto& f : fs::directory_iterator(path)) {
    auto name = f.path().filename().string();
    if (name.rfind("LOG", 0) == 0 || name == "LOCK") fs::remove(f.path());
    if (name.rfind("OPTIONS-", 0) == 0) options_files.push_back(f.path());
  }
  std::sort(options_files.begin(), options_files.end());
  for (std::size_t i = 0; i + 1 < options_files.size(); ++i) fs::remove(options_files[i]);
}

void expect_fixture_content(const Journal& j, const std::string& snapshot = "snapshot-v1-at-33") {
  EXPECT_EQ(j.last_sequence(), 35u);
  auto expected = fixture_batch();
  std::vector<Envelope> got;
  auto st = j.read(1, UINT64_MAX, [&](const Envelope& e) {
    got.push_back(e);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.error().describe();
  ASSERT_EQ(got.size(), 35u);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("sequence " + std::to_string(i + 1));
    EXPECT_EQ(got[i].sequence, i + 1);
    EXPECT_EQ(got[i].recorded_ns, kRecordedNs);
    EXPECT_EQ(got[i].causation, i);
    EXPECT_EQ(dump(got[i].event), dump(expected[i].event));
  }
  EXPECT_EQ(dump(got[33].event), dump(testing::sample_fill(1)));
  EXPECT_EQ(dump(got[34].event), dump(testing::sample_fill(2)));
  EXPECT_EQ(got[34].recorded_ns, kRecordedNs + 1'000'000'000);
  EXPECT_EQ(got[34].causation, 7u);
  // Exact decimal text survives from the first schema version.
  EXPECT_EQ(std::get<DecisionReceived>(got[0].event).size.to_string(), "0.00001234");
  EXPECT_EQ(std::get<DecisionReceived>(got[0].event).limit_price->to_string(), "52000.00");

  EXPECT_EQ(*j.sequences_for_order(ClientOrderId("at11")), (std::vector<std::uint64_t>{11, 12}));
  EXPECT_EQ((*j.order_for_venue_id(VenueOrderId("V-998877")))->str(), "at3");
  EXPECT_EQ(*j.first_sequence_at_or_after(kRecordedNs + 1), 34u);
  EXPECT_TRUE(j.open_dead_letters()->empty());  // at8 lettered then retried
  auto snap = j.latest_snapshot(UINT64_MAX);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->first, 33u);
  EXPECT_EQ((*snap)->second, snapshot);
  auto v = j.verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues.front().problem;
}

class JournalFixture : public ::testing::Test {
 protected:
  void SetUp() override { copy(kFixture); }
  void copy(const std::string& fixture) {
    ASSERT_TRUE(fs::is_directory(fixture)) << fixture << " is missing";
    fs::copy(fixture, dir_.path(), fs::copy_options::recursive);
  }
  // The copy opened as the writer (nullptr after a failure, which is reported).
  std::unique_ptr<Journal> open_writer(const Clock& clock) {
    Options o;
    o.path = dir_.path();
    o.create_if_missing = false;
    auto j = Journal::open(o, clock);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    return j.ok() ? std::move(*j) : nullptr;
  }
  // The fixture's content, read through a read-only open and then through the writer, which is
  // returned (nullptr after a failure).
  std::unique_ptr<Journal> expect_readable_both_ways(const Clock& clock,
                                                     const std::string& snapshot) {
    {
      auto ro = Journal::open_read_only(dir_.path(), clock);
      EXPECT_TRUE(ro.ok()) << ro.error().describe();
      if (ro.ok()) expect_fixture_content(**ro, snapshot);
    }
    auto j = open_writer(clock);
    if (j) expect_fixture_content(*j, snapshot);
    return j;
  }
  testing::TempDir dir_;
};

class JournalFixtureV2 : public JournalFixture {
 protected:
  void SetUp() override { copy(kFixtureV2); }
};

class JournalFixtureV3 : public JournalFixture {
 protected:
  void SetUp() override { copy(kFixtureV3); }
};

TEST_F(JournalFixture, FirstSchemaVersionStaysReadableByTheWriter) {
  ManualClock clock;
  auto j = open_writer(clock);
  ASSERT_TRUE(j);
  expect_fixture_content(*j);
  // And it can be appended to.
  auto next = j->append(testing::sample_fill(3));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 36u);
}

// A v2 writer appends batch values after the v1 records: one journal, both kinds of value.
TEST_F(JournalFixture, ANewWriterAppendsBatchesAfterTheFirstVersionsRecords) {
  ManualClock clock(kRecordedNs + 5'000'000'000);
  {
    auto j = open_writer(clock);
    ASSERT_TRUE(j);
    std::vector<PendingEvent> fills;
    for (std::uint64_t i = 36; i <= 135; ++i) fills.push_back({testing::sample_fill(i), 0});
    auto first = j->append(fills);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, 36u);
  }
  auto j = Journal::open_read_only(dir_.path(), clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  EXPECT_EQ((*j)->last_sequence(), 135u);
  std::vector<Envelope> got;
  ASSERT_TRUE((*j)->read(30, 140,
                         [&](const Envelope& e) {
                           got.push_back(e);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(got.size(), 106u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].sequence, 30 + i);
  EXPECT_EQ(dump(got[0].event), dump(fixture_batch()[29].event));
  EXPECT_EQ(dump(got.back().event), dump(testing::sample_fill(135)));
  for (std::uint64_t s : {1u, 35u, 36u, 99u, 100u, 135u}) {
    auto g = (*j)->get(s);
    ASSERT_TRUE(g.ok() && g->has_value()) << s;
    EXPECT_EQ((*g)->sequence, s);
  }
  auto st = (*j)->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->records, 135u);
  auto v = (*j)->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues.front().problem;
  EXPECT_EQ(v->records, 135u);
}

TEST_F(JournalFixture, FirstSchemaVersionStaysReadableReadOnly) {
  ManualClock clock;
  auto j = Journal::open_read_only(dir_.path(), clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  expect_fixture_content(**j);
}

TEST_F(JournalFixtureV2, SecondSchemaVersionStaysReadable) {
  ManualClock clock;
  auto j = expect_readable_both_ways(clock, "snapshot-v2-at-33");
  ASSERT_TRUE(j);
  auto g = j->get(20);  // inside the first batch (1..33)
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ(dump((*g)->event), dump(fixture_batch()[19].event));
}

// A schema-3 writer appends to a schema-2 journal: one order's by_order entries are then of
// both kinds (one per event before, one per events value after), and read as one history.
TEST_F(JournalFixtureV2, ANewWriterGroupsTheOrderIndexAfterTheSecondVersionsEntries) {
  ManualClock clock(kRecordedNs + 5'000'000'000);
  auto j = open_writer(clock);
  ASSERT_TRUE(j);
  // at11 has per-event entries at 11 and 12; two more of its events arrive in one append.
  auto first = j->append(std::vector<PendingEvent>{
      {testing::sample_fill(11), 0}, {testing::sample_fill(40), 0}, {testing::sample_fill(11), 0}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 36u);
  EXPECT_EQ(*j->sequences_for_order(ClientOrderId("at11")),
            (std::vector<std::uint64_t>{11, 12, 36, 38}));
  auto v = j->verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->issues.front().problem;
}

TEST_F(JournalFixtureV3, ThirdSchemaVersionStaysReadable) {
  {
    // at11's two events (11, 12) share one by_order entry: its first sequence, then +1.
    testing::RawDb raw(dir_.path());
    EXPECT_EQ(raw.get("by_order", by_order_key("at11", 11)), "\x01");
    EXPECT_EQ(raw.get("meta", "schema_version"), "3");
  }
  ManualClock clock;
  EXPECT_TRUE(expect_readable_both_ways(clock, "snapshot-v3-at-33"));
}

}  // namespace
}  // namespace at::journal
