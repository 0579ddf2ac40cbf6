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
  GroupCommitter gc(*j);
  ASSERT_TRUE(gc.append({PendingEvent{sample_fill(1), 0}}).ok());  // both threads have run
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

}  // namespace
}  // namespace at::journal
