// A writer killed with SIGKILL in the middle of appending: on reopen every batch it reported
// durable is there, and no batch is partly visible.
//
// The writer is this test binary re-executed with a filter that runs only
// JournalCrash.DISABLED_ChildWriter (a fresh process: no RocksDB threads inherited through
// fork). It appends batches of kBatch fills in kSync mode and, after each append returns,
// reports (round, batch, first sequence) over a pipe. Every fill's trade id names its round,
// batch, index and batch size, so the parent can tell batches apart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include "journal/journal.h"
#include "platform/system_clock.h"
#include "tests/journal/samples.h"

namespace at::journal {
namespace {

constexpr int kBatch = 16;
constexpr int kRounds = 5;

struct Ack {
  std::uint32_t round;
  std::uint32_t batch;
  std::uint64_t first;
};

std::string marker(int round, int batch, int i) {
  return "r" + std::to_string(round) + "b" + std::to_string(batch) + "i" + std::to_string(i) + "n" +
         std::to_string(kBatch);
}

// The child: runs only when re-executed by the parent (AT_CRASH_DIR set).
TEST(JournalCrash, DISABLED_ChildWriter) {
  const char* dir = std::getenv("AT_CRASH_DIR");
  const char* fd_text = std::getenv("AT_CRASH_FD");
  const char* round_text = std::getenv("AT_CRASH_ROUND");
  if (!dir || !fd_text || !round_text) GTEST_SKIP() << "only run by JournalCrash tests";
  int fd = std::atoi(fd_text);
  int round = std::atoi(round_text);
  SystemClock clock;
  Options o;
  o.path = dir;
  o.durability = Durability::kSync;
  auto j = Journal::open(o, clock);
  if (!j) _exit(3);
  for (int batch = 0; batch < 1'000'000; ++batch) {  // bounded; the parent kills us long before
    std::vector<PendingEvent> events;
    for (int i = 0; i < kBatch; ++i) {
      auto fill = std::get<OrderFilled>(testing::sample_fill(batch * kBatch + i));
      fill.trade_id = TradeId(marker(round, batch, i));
      events.push_back({fill, 0});
    }
    auto first = (*j)->append(events);
    if (!first) _exit(4);
    Ack a{static_cast<std::uint32_t>(round), static_cast<std::uint32_t>(batch), *first};
    if (::write(fd, &a, sizeof a) != sizeof a) _exit(5);
  }
  _exit(0);
}

// Starts the child writer; returns its pid and the read end of its ack pipe.
pid_t spawn_writer(const std::string& dir, int round, int& read_fd) {
  int p[2];
  EXPECT_EQ(::pipe(p), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::setenv("AT_CRASH_DIR", dir.c_str(), 1);
    ::setenv("AT_CRASH_FD", std::to_string(p[1]).c_str(), 1);
    ::setenv("AT_CRASH_ROUND", std::to_string(round).c_str(), 1);
    ::execl("/proc/self/exe", "test_journal", "--gtest_filter=JournalCrash.DISABLED_ChildWriter",
            "--gtest_also_run_disabled_tests", static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(p[1]);
  read_fd = p[0];
  return pid;
}

// Reads whole acks from `fd` until `want` more arrived, EOF, or the deadline.
void read_acks(int fd, std::vector<Ack>& acks, std::size_t want,
               std::chrono::steady_clock::time_point deadline, std::string& partial) {
  std::size_t target = acks.size() + want;
  while (acks.size() < target) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) return;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    partial.append(buf, static_cast<std::size_t>(n));
    while (partial.size() >= sizeof(Ack)) {
      Ack a;
      std::memcpy(&a, partial.data(), sizeof a);
      acks.push_back(a);
      partial.erase(0, sizeof a);
    }
  }
}

TEST(JournalCrash, SigkillLosesNoAcknowledgedBatchAndShowsNoPartialBatch) {
  testing::TempDir dir;
  std::mt19937 rng(std::random_device{}());
  std::vector<Ack> acks;
  const auto overall = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int round = 0; round < kRounds && std::chrono::steady_clock::now() < overall; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fd = -1;
    pid_t pid = spawn_writer(dir.path(), round, fd);
    ASSERT_GT(pid, 0);
    // Let it acknowledge a random number of batches, then kill it wherever it is.
    std::string partial;
    std::size_t before = acks.size();
    read_acks(fd, acks, std::uniform_int_distribution<std::size_t>(1, 60)(rng),
              std::chrono::steady_clock::now() + std::chrono::seconds(10), partial);
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with status "
                                     << WEXITSTATUS(status) << " (it could not write?)";
    // Acks already in the pipe were reported before the kill: they count.
    read_acks(fd, acks, SIZE_MAX, std::chrono::steady_clock::now() + std::chrono::seconds(2),
              partial);
    ::close(fd);
    ASSERT_GT(acks.size(), before) << "the writer acknowledged nothing within 10 s";

    // Reopen and check.
    ManualClock clock;
    Options o;
    o.path = dir.path();
    auto j = Journal::open(o, clock);
    ASSERT_TRUE(j.ok()) << j.error().describe();
    std::map<std::pair<int, int>, std::vector<std::uint64_t>> batches;  // (round, batch) -> seqs
    auto st = (*j)->read(1, UINT64_MAX, [&](const Envelope& e) {
      const auto& id = std::get<OrderFilled>(e.event).trade_id.str();
      int r = -1, b = -1, i = -1, n = -1;
      EXPECT_EQ(std::sscanf(id.c_str(), "r%db%di%dn%d", &r, &b, &i, &n), 4) << id;
      EXPECT_EQ(n, kBatch);
      auto& seqs = batches[{r, b}];
      EXPECT_EQ(static_cast<int>(seqs.size()), i) << "batch r" << r << "b" << b << " out of order";
      seqs.push_back(e.sequence);
      return true;
    });
    ASSERT_TRUE(st.ok()) << st.error().describe();
    for (auto& [rb, seqs] : batches) {
      ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kBatch))
          << "partial batch visible: r" << rb.first << "b" << rb.second;
      for (int i = 1; i < kBatch; ++i) EXPECT_EQ(seqs[i], seqs[0] + i);
    }
    for (const auto& a : acks) {
      auto it = batches.find({static_cast<int>(a.round), static_cast<int>(a.batch)});
      ASSERT_NE(it, batches.end())
          << "acknowledged batch r" << a.round << "b" << a.batch << " is lost";
      EXPECT_EQ(it->second.front(), a.first);
    }
    auto v = (*j)->verify();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok()) << v->issues.front().topic << " " << v->issues.front().problem;
  }
  EXPECT_GE(acks.size(), 5u);
}

}  // namespace
}  // namespace at::journal
