// Journal benchmarks (issue 2 targets; figures in docs/PERFORMANCE.md, "Journal").
//
//   RawFdatasync            this machine's write(4 KiB append) + fdatasync rate and latency, in
//                           the directory the journals use: the yardstick for everything else
//   DurableGroupCommit/P    P producer threads submit single events (async, each with up to
//                           `window` unacknowledged) through GroupCommitter over a kSync
//                           journal; every event is acknowledged only after a covering fsync.
//                           Counters: events/s, events per fsync.
//   AckLatency50k/snapshots:S  one producer offers 50,000 events/s (paced, not closed-loop);
//                           p50/p99/max of submit -> durable acknowledgement, also as a
//                           multiple of the median fdatasync measured by RawFdatasync in this
//                           run. S = 1: another thread writes a 32 MiB snapshot every 0.5 s
//                           meanwhile (the background snapshotter's load on the journal)
//   NonDurableAppend/B      the engine's single writer: Journal::append of B events per call,
//                           durability none
//   ReadDecode              Journal::read (iterate + decode into Envelope), no projection
//
// Events are realistic: per order an OrderRequested, an OrderAccepted and two OrderFilled,
// with decimals and ids (~300 bytes encoded for a fill).
// The journal directory is $AT_BENCH_DIR if set, else the system temp directory; run on the
// disk you will deploy on. Reproduce:
//   cmake --build build --target journal_bench &&
//     build/bench/journal_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <semaphore>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "domain/clock.h"
#include "journal/group_commit.h"
#include "journal/journal.h"
#include "platform/system_clock.h"

namespace {

using namespace at;
using namespace at::journal;
using namespace at::bench;
using WallClock = at::SystemClock;

// Order k's life: OrderRequested, OrderAccepted, two OrderFilled (4 events per order).
Event make_event(std::uint64_t n) {
  const std::uint64_t k = n / 4;
  auto coid = make_client_order_id("at", 1000000 + k);
  auto voi = VenueOrderId("V" + std::to_string(800000000 + k));
  auto ts = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(n);
  switch (n % 4) {
    case 0:
      return OrderRequested{coid,
                            DecisionId("d" + std::to_string(k)),
                            "acct-main",
                            "binance",
                            Symbol::of("BTC-USDT"),
                            Side::kBuy,
                            OrderType::kLimit,
                            Decimal::of("0.00300000"),
                            Decimal::of("52000.12"),
                            std::nullopt,
                            TimeInForce::kGtc,
                            ClientOrderId(),
                            ts};
    case 1:
      return OrderAccepted{coid, voi, ts};
    default:
      return OrderFilled{coid,
                         voi,
                         TradeId("T" + std::to_string(n)),
                         "binance",
                         "acct-main",
                         Symbol::of("BTC-USDT"),
                         Side::kBuy,
                         Decimal::of("0.00150000"),
                         Decimal::of("52000.12"),
                         Decimal::of("0.0780001800"),
                         "USDT",
                         Liquidity::kTaker,
                         ts};
  }
}

// Pre-built events (the benchmarks measure the journal, not event construction).
const std::vector<PendingEvent>& events_pool() {
  static const std::vector<PendingEvent> pool = [] {
    std::vector<PendingEvent> v;
    for (std::uint64_t i = 0; i < 4096; ++i) v.push_back({make_event(i), 0});
    return v;
  }();
  return pool;
}

std::unique_ptr<Journal> open_journal(const fs::path& p, Durability d, const Clock& clock) {
  Options o;
  o.path = p.string();
  o.durability = d;
  auto j = Journal::open(o, clock);
  if (!j) {
    std::fprintf(stderr, "journal_bench: %s\n", j.error().describe().c_str());
    std::abort();
  }
  return std::move(*j);
}

BENCHMARK(RawFdatasync)->MinTime(2.0)->UseRealTime()->Unit(benchmark::kMicrosecond);

// P producers, async submits with a window of unacknowledged events each.
void DurableGroupCommit(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  const std::ptrdiff_t window = 4096;
  const std::uint64_t per_iteration = 200'000;
  WallClock clock;
  BenchDir dir;
  auto j = open_journal(dir.path, Durability::kSync, clock);
  const auto& pool = events_pool();
  GroupCommitter::Counters total{};
  std::uint64_t events = 0;
  for (auto _ : state) {
    GroupCommitter gc(*j);
    std::atomic<std::uint64_t> failed{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
      threads.emplace_back([&, p] {
        std::counting_semaphore<> room(window);
        std::uint64_t n = per_iteration / static_cast<std::uint64_t>(producers);
        std::atomic<std::uint64_t> acked{0};
        std::mutex mu;
        std::condition_variable cv;
        for (std::uint64_t i = 0; i < n; ++i) {
          room.acquire();
          gc.submit(pool[(i * producers + p) % pool.size()], [&](const Result<std::uint64_t>& r) {
            if (!r) failed.fetch_add(1);
            room.release();
            if (acked.fetch_add(1) + 1 == n) {
              std::lock_guard l(mu);
              cv.notify_all();
            }
          });
        }
        std::unique_lock l(mu);
        cv.wait(l, [&] { return acked.load() == n; });
      });
    for (auto& t : threads) t.join();
    gc.stop();
    auto c = gc.counters();
    total.events += c.events;
    total.batches += c.batches;
    total.syncs += c.syncs;
    events += per_iteration / static_cast<std::uint64_t>(producers) * producers;
    if (failed.load()) state.SkipWithError("appends failed");
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events_per_fsync"] =
      total.syncs ? static_cast<double>(total.events) / static_cast<double>(total.syncs) : 0;
  state.counters["events_per_batch"] =
      total.batches ? static_cast<double>(total.events) / static_cast<double>(total.batches) : 0;
}
BENCHMARK(DurableGroupCommit)
    ->Arg(1)
    ->Arg(4)
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// 50,000 events/s offered by a paced producer; latency from submit to durable ack.
void AckLatency50k(benchmark::State& state) {
  const bool snapshots = state.range(0) != 0;
  const double rate = 50'000;
  const std::uint64_t count = 100'000;  // 2 s of offered load per iteration
  WallClock clock;
  BenchDir dir;
  auto j = open_journal(dir.path, Durability::kSync, clock);
  const auto& pool = events_pool();
  std::vector<double> lat;
  lat.reserve(count * 3);
  std::uint64_t syncs = 0, total = 0;
  for (auto _ : state) {
    GroupCommitter gc(*j);
    std::vector<double> local(count, 0);
    std::atomic<std::uint64_t> acked{0};
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<bool> done{false};
    std::vector<double> snapshot_ms;
    std::thread snapshotter;
    if (snapshots)
      snapshotter = std::thread([&] {
        const std::string state_bytes(32u << 20, 's');
        std::unique_lock l(mu);
        for (int k = 0; k < 8 && !done; ++k) {  // at most 4 s: the load lasts 2 s
          cv.wait_for(l, std::chrono::milliseconds(500), [&] { return done.load(); });
          if (done) break;
          l.unlock();
          auto t0 = Clk::now();
          auto st = j->put_snapshot(j->last_sequence(), state_bytes);
          if (!st) state.SkipWithError(st.error().describe().c_str());
          snapshot_ms.push_back(micros_since(t0) / 1000);
          l.lock();
        }
      });
    auto start = Clk::now();
    for (std::uint64_t i = 0; i < count; ++i) {
      auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(i * 1e9 / rate));
      if (Clk::now() < due) std::this_thread::sleep_until(due);
      auto t0 = Clk::now();
      gc.submit(pool[i % pool.size()], [&, i, t0](const Result<std::uint64_t>&) {
        local[i] = std::chrono::duration<double, std::micro>(Clk::now() - t0).count();
        if (acked.fetch_add(1) + 1 == count) {
          std::lock_guard l(mu);
          cv.notify_all();
        }
      });
    }
    {
      std::unique_lock l(mu);
      cv.wait(l, [&] { return acked.load() == count; });
    }
    auto offered =
        static_cast<double>(count) / std::chrono::duration<double>(Clk::now() - start).count();
    state.counters["offered_per_s"] = offered;
    if (snapshotter.joinable()) {
      {
        std::lock_guard l(mu);
        done = true;
      }
      cv.notify_all();
      snapshotter.join();
      state.counters["snapshots"] = static_cast<double>(snapshot_ms.size());
      state.counters["snapshot_ms_p50"] = percentile(snapshot_ms, 0.5);
    }
    gc.stop();
    syncs += gc.counters().syncs;
    total += count;
    lat.insert(lat.end(), local.begin(), local.end());
  }
  double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  state.counters["p50_us"] = p50;
  state.counters["p99_us"] = p99;
  state.counters["max_us"] = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  state.counters["events_per_fsync"] = syncs ? static_cast<double>(total) / syncs : 0;
  double f = g_fdatasync_p50_us.load();
  if (f > 0) {
    state.counters["p50_x_fdatasync"] = p50 / f;
    state.counters["p99_x_fdatasync"] = p99 / f;
  }
}
BENCHMARK(AckLatency50k)
    ->ArgName("snapshots")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The engine's single writer appending B events per call without fsync.
void NonDurableAppend(benchmark::State& state) {
  const auto b = static_cast<std::size_t>(state.range(0));
  WallClock clock;
  BenchDir dir;
  auto j = open_journal(dir.path, Durability::kNone, clock);
  const auto& pool = events_pool();
  std::size_t off = 0;
  for (auto _ : state) {
    if (off + b > pool.size()) off = 0;
    auto r = j->append(std::span<const PendingEvent>(pool.data() + off, b));
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    off += b;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * b), benchmark::Counter::kIsRate);
}
BENCHMARK(NonDurableAppend)
    ->Arg(1)
    ->Arg(64)
    ->Arg(512)
    ->MinTime(3.0)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void ReadDecode(benchmark::State& state) {
  WallClock clock;
  BenchDir dir;
  auto j = open_journal(dir.path, Durability::kNone, clock);
  const auto& pool = events_pool();
  const std::size_t total = 1'000'000;
  for (std::size_t n = 0; n < total; n += 512)
    if (!j->append(std::span<const PendingEvent>(pool.data() + n % 4096, 512))) std::abort();
  if (!j->flush()) std::abort();
  std::uint64_t seen = 0;
  for (auto _ : state) {
    auto st = j->read(1, UINT64_MAX, [&](const Envelope& e) {
      benchmark::DoNotOptimize(e.sequence);
      ++seen;
      return true;
    });
    if (!st) state.SkipWithError(st.error().message.c_str());
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(seen), benchmark::Counter::kIsRate);
}
BENCHMARK(ReadDecode)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
