#include "journal/group_commit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "tests/journal/samples.h"

namespace at::journal {
namespace {

using testing::sample_fill;
using testing::TempDir;

std::unique_ptr<Journal> open_sync(const std::string& path, const Clock& clock) {
  Options o;
  o.path = path;
  o.durability = Durability::kSync;
  auto j = Journal::open(o, clock);
  EXPECT_TRUE(j.ok()) << j.error().describe();
  return j.ok() ? std::move(*j) : nullptr;
}

// Requests of every size, some merged into one batch by the writer, some alone: sequences
// follow submission order and completions come in that order.
TEST(GroupCommit, SmallAndLargeRequestsKeepSubmissionOrder) {
  TempDir dir;
  ManualClock clock;
  auto j = open_sync(dir.path(), clock);
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, std::size_t>> done;  // first sequence, size
  std::uint64_t expected_events = 0;
  {
    GroupCommitter gc(*j);
    for (int i = 0; i < 300; ++i) {
      std::size_t n = i % 3 == 0 ? 40 : 1 + static_cast<std::size_t>(i % 4);
      std::vector<PendingEvent> events = gc.take_buffer();
      EXPECT_TRUE(events.empty());
      for (std::size_t k = 0; k < n; ++k) events.push_back({sample_fill(i * 100 + k), 0});
      expected_events += n;
      gc.submit(std::move(events), [&, n](const Result<std::uint64_t>& r) {
        ASSERT_TRUE(r.ok()) << r.error().describe();
        std::lock_guard l(mu);
        done.emplace_back(*r, n);
      });
    }
  }
  ASSERT_EQ(done.size(), 300u);
  std::uint64_t next = 1;
  for (const auto& [first, n] : done) {
    EXPECT_EQ(first, next);
    next += n;
  }
  EXPECT_EQ(j->last_sequence(), expected_events);
  EXPECT_TRUE(j->verify()->ok());
}

// The committer's threads carry names, so `top -H` and profiles tell them apart.
TEST(GroupCommit, ItsThreadsAreNamed) {
  TempDir dir;
  ManualClock clock;
  auto j = open_sync(dir.path(), clock);
  GroupCommitOptions o;
  o.inline_sync_max_events = 0;  // the syncer completes the append: both threads have run
  GroupCommitter gc(*j, o);
  ASSERT_TRUE(gc.append({PendingEvent{sample_fill(1), 0}}).ok());
  std::set<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "comm");
    std::string name;
    if (std::getline(in, name)) names.insert(name);
  }
  EXPECT_TRUE(names.count("at-jwriter")) << "threads: " << names.size();
  EXPECT_TRUE(names.count("at-jsyncer")) << "threads: " << names.size();
}

TEST(GroupCommit, TakeBufferHandsBackTheCapacityOfAWrittenRequest) {
  TempDir dir;
  ManualClock clock;
  auto j = open_sync(dir.path(), clock);
  GroupCommitter gc(*j);
  std::vector<PendingEvent> events;
  events.reserve(100);
  events.push_back({sample_fill(1), 0});
  ASSERT_TRUE(gc.append(std::move(events)).ok());
  auto again = gc.take_buffer();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), 100u);
  EXPECT_EQ(gc.take_buffer().capacity(), 0u);  // only one was spare
}

std::vector<PendingEvent> fills(std::size_t n, std::uint64_t from) {
  std::vector<PendingEvent> v;
  for (std::size_t k = 0; k < n; ++k) v.push_back({sample_fill(from + k), 0});
  return v;
}

// One small batch at a time (the engine with one decision in flight): the writer fsyncs it
// itself instead of waking the syncer. A larger one goes to the syncer, as does everything
// when the option is 0. Either way each append is covered by its own fsync.
TEST(GroupCommit, ALoneSmallBatchIsSyncedByTheWriter) {
  TempDir dir;
  ManualClock clock;
  auto j = open_sync(dir.path(), clock);
  {
    GroupCommitOptions o;
    o.inline_sync_max_events = 4;
    GroupCommitter gc(*j, o);
    ASSERT_EQ(*gc.append(fills(4, 1)), 1u);
    auto c = gc.counters();
    EXPECT_EQ(c.syncs, 1u);
    EXPECT_EQ(c.inline_syncs, 1u);
    ASSERT_EQ(*gc.append(fills(5, 10)), 5u);  // over the limit: the syncer's
    c = gc.counters();
    EXPECT_EQ(c.syncs, 2u);
    EXPECT_EQ(c.inline_syncs, 1u);
    // The syncer marks itself idle only after its callbacks have run, so the next lone batch
    // may still find it busy: it is then the syncer's. One of a few is the writer's.
    std::uint64_t next = 10;
    for (int i = 0; i < 50 && gc.counters().inline_syncs < 2; ++i, ++next)
      ASSERT_EQ(*gc.append(fills(1, 20 + next)), next);
    EXPECT_EQ(gc.counters().inline_syncs, 2u);
    EXPECT_EQ(gc.counters().syncs, next - 8);  // one per append
  }
  {
    GroupCommitOptions o;
    o.inline_sync_max_events = 0;
    GroupCommitter gc(*j, o);
    const std::uint64_t first = j->last_sequence() + 1;
    ASSERT_EQ(*gc.append(fills(1, 100)), first);
    EXPECT_EQ(gc.counters().syncs, 1u);
    EXPECT_EQ(gc.counters().inline_syncs, 0u);
  }
  EXPECT_TRUE(j->verify()->ok());
}

// A journal that is not kSync: the writer completes a lone batch without any fsync.
TEST(GroupCommit, WithoutSyncALoneBatchCompletesWithoutAnFsync) {
  TempDir dir;
  ManualClock clock;
  Options opts;
  opts.path = dir.path();
  opts.durability = Durability::kNone;
  auto j = Journal::open(opts, clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  GroupCommitter gc(**j);
  ASSERT_EQ(*gc.append(fills(2, 1)), 1u);
  EXPECT_EQ(gc.counters().syncs, 0u);
  EXPECT_EQ(gc.counters().inline_syncs, 0u);
  EXPECT_EQ((*j)->last_sequence(), 2u);
}

}  // namespace
}  // namespace at::journal
