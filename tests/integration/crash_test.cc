// Crash test: runs the real `autotrader run` binary, kills it with SIGKILL at random moments
// many times over one session, restarts it each time on the same journal, lets the last run
// finish, and then checks the journal:
//   - no client order id was requested for two different intents (each appears in exactly one
//     OrderRequested, and every OrderSent names a requested id);
//   - nothing acknowledged is missing: every outcome the engine printed (printed only after its
//     events were durable) is in the journal with the same client order id;
//   - every decision of the file got exactly one DecisionReceived;
//   - the positions of a clean replay equal those of a snapshot + tail replay, and equal the
//     final run's own summary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "journal/journal.h"
#include "platform/system_clock.h"
#include "projections/projections.h"
#include "replay/replay.h"
#include "tests/support/child_process.h"

namespace at {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

using testing::Child;
using testing::drain;
using testing::reap;
using testing::spawn;

TEST(CrashTest, SigkillAtRandomMomentsLosesNothingAndDuplicatesNothing) {
  std::mt19937_64 rng(std::random_device{}());
  fs::path dir = fs::temp_directory_path() / ("at-crash-" + std::to_string(rng()));
  fs::create_directories(dir);
  fs::path journal_dir = dir / "journal";
  fs::path cfg = dir / "paper.yaml";
  {
    std::ofstream f(cfg);
    f << "execution:\n"
         "  broker: paper\n"
         "  paper:\n"
         "    initial_balance: 10000000\n"
         "    latency_ms: [5, 20]\n"
         "  oms:\n"
         "    max_open_orders: 1000\n"
         "    order_timeout_seconds: 2\n"
         "    archive_after_seconds: 1\n"  // repeated decisions answered from the journal
         "  journal:\n"
         "    durability: sync\n"
         "    snapshot_every: 500\n"
         "  market:\n"
         "    source: generated\n"
         "    tick_interval_ms: 20\n"
         "  strategy:\n"
         "    demo:\n"
         "      enabled: false\n";
  }
  const int kDecisions = 8000;
  fs::path decisions = dir / "decisions.jsonl";
  {
    std::ofstream f(decisions);
    const char* syms[] = {"BTC-USDT", "EUR-USD", "AAPL"};
    const char* sizes[] = {"0.01000", "1000", "5"};
    for (int i = 0; i < kDecisions; ++i) {
      int s = i % 3;
      const char* action = (i / 3) % 2 ? "SHORT" : "LONG";
      f << "{\"decision_id\":\"c" << i << "\",\"action\":\"" << action << "\",\"symbol\":\""
        << syms[s] << "\",\"size\":\"" << sizes[s] << "\",\"order_type\":\"MARKET\"}\n";
    }
  }
  std::vector<std::string> args = {AT_BINARY,           "run",
                                   "--config",          cfg.string(),
                                   "--journal",         journal_dir.string(),
                                   "--decisions",       decisions.string(),
                                   "--until-exhausted", "--quiet",
                                   "--max-outstanding", "2"};

  std::map<std::string, std::string> acked;  // decision id -> client order id, as printed
  auto collect = [&](const Child& c) {
    for (const auto& line : c.lines) {
      boost::system::error_code ec;
      auto v = json::parse(line, ec);
      if (ec || !v.is_object()) continue;
      auto& o = v.as_object();
      if (!o.contains("decision_id") || !o.contains("client_order_id")) continue;
      std::string d(o.at("decision_id").as_string()), id(o.at("client_order_id").as_string());
      auto [it, fresh] = acked.emplace(d, id);
      EXPECT_EQ(it->second, id) << "decision " << d << " answered with two different ids";
    }
  };

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
  int kills = 0;
  for (int round = 0; round < 8 && std::chrono::steady_clock::now() < deadline; ++round) {
    Child c = spawn(args, (dir / "stderr.log").string());
    auto kill_after = std::chrono::milliseconds(100 + rng() % 400);
    auto t0 = std::chrono::steady_clock::now();
    bool open = true;
    while (open && std::chrono::steady_clock::now() - t0 < kill_after) open = drain(c, 20);
    if (open) {
      kill(c.pid, SIGKILL);
      ++kills;
    }
    while (drain(c, 50)) {
    }
    reap(c);
    collect(c);
  }
  // The last run goes to the end.
  Child last = spawn(args, (dir / "last-stderr.log").string());
  auto t0 = std::chrono::steady_clock::now();
  while (drain(last, 100) && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120)) {
  }
  if (std::chrono::steady_clock::now() - t0 >= std::chrono::seconds(120)) kill(last.pid, SIGKILL);
  int status = reap(last);
  collect(last);
  auto slurp = [](const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "final run status " << status << "\n"
      << slurp(dir / "last-stderr.log").substr(0, 4000);
  EXPECT_GE(kills, 3);

  SystemClock clock;
  auto j = journal::Journal::open_read_only(journal_dir.string(), clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  std::map<std::string, int> requested;
  std::set<std::string> sent, decided;
  std::map<std::string, std::string> decision_of;
  int decision_events = 0;
  projections::Projections clean;
  auto st = (*j)->read(1, (*j)->last_sequence(), [&](const Envelope& e) {
    clean.apply(e);
    if (auto* r = std::get_if<OrderRequested>(&e.event)) {
      ++requested[r->client_order_id.str()];
      decision_of[r->client_order_id.str()] = r->decision_id.str();
    }
    if (auto* s = std::get_if<OrderSent>(&e.event)) sent.insert(s->client_order_id.str());
    if (auto* d = std::get_if<DecisionReceived>(&e.event)) {
      ++decision_events;
      EXPECT_TRUE(decided.insert(d->decision_id.str()).second)
          << "decision journaled twice: " << d->decision_id.str();
    }
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.error().describe();
  for (const auto& [id, n] : requested)
    EXPECT_EQ(n, 1) << "client order id requested twice: " << id;
  for (const auto& id : sent)
    EXPECT_TRUE(requested.count(id)) << "sent but never requested: " << id;
  EXPECT_EQ(decision_events, kDecisions);
  for (const auto& [d, id] : acked) {
    ASSERT_TRUE(requested.count(id)) << "acknowledged order missing from the journal: " << id;
    EXPECT_EQ(decision_of[id], d);
  }
  EXPECT_EQ(clean.oms().anomalies().size(), 0u);
  // Nothing left in flight at the end.
  for (const auto* r : clean.oms().open_orders())
    EXPECT_NE(r->order.status, OrderStatus::kPending) << r->order.client_order_id.str();

  // Snapshot + tail equals a clean replay with the engine's archive age (1 s), and archiving
  // changed no position.
  replay::ReplayOptions ro;
  ro.projections.archive_after_ns = 1'000'000'000;
  auto replayed = replay::replay(**j, replay::AsOf::latest(), ro);
  ASSERT_TRUE(replayed.ok()) << replayed.error().describe();
  EXPECT_GT(replayed->info.snapshot_sequence, 0u) << "the engine wrote no snapshot";
  ro.use_snapshots = false;
  auto clean_archived = replay::replay(**j, replay::AsOf::latest(), ro);
  ASSERT_TRUE(clean_archived.ok()) << clean_archived.error().describe();
  EXPECT_EQ(projections::Projections::first_difference(replayed->state.serialize(),
                                                       clean_archived->state.serialize()),
            "");
  EXPECT_GT(clean_archived->state.oms().archived_orders(), 0u);
  for (const auto& [key, p] : clean.positions().all()) {
    const auto* q = clean_archived->state.positions().find(key.first, key.second);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->quantity, p.quantity) << key.second.str();
    EXPECT_EQ(q->realized_pnl, p.realized_pnl) << key.second.str();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace at
