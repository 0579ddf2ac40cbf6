// Replay and recovery benchmarks.
//
//   BM_ReplayOmsPositions   read + decode + apply into the OMS and positions (the target:
//                           >= 2,500,000 events/s), over a realistic journal on RocksDB
//   BM_ReplayAllProjections the same into every projection (balances, DLQ, control, metrics)
//   BM_ReadDecode           read + decode only (what the journal costs)
//   BM_ApplyOnly            apply pre-decoded envelopes into every projection (what we cost)
//   BM_Recovery             a writer process builds a journal (snapshots every N events), is
//                           killed with SIGKILL, and the journal is reopened and replayed from
//                           its latest snapshot plus the tail (target: 10M events <= 5 s)
//
// Journals are generated into a temporary directory per run (removed at exit) unless
// AT_REPLAY_BENCH_DIR names a directory to keep and reuse. Sizes:
//   AT_REPLAY_BENCH_EVENTS           events in the throughput journal   (default 1,000,000)
//   AT_REPLAY_BENCH_RECOVERY_EVENTS  events in the recovery journal     (default 10,000,000)
//   AT_REPLAY_BENCH_SNAPSHOT_EVERY   snapshot interval while generating (default 1,000,000)
// and the recovery journal's pace and the OMS's archive age (projections/oms.h), which decide
// how many orders a snapshot holds (those finished within the archive age, and the open ones):
//   AT_REPLAY_BENCH_EVENTS_PER_S     journal time: events per second  (default 2,000)
//   AT_REPLAY_BENCH_ARCHIVE_S        oms.archive_after_seconds         (default 600; 0 = never)
//
// The realistic flow per order: DecisionReceived, OrderRequested, OrderSent, then
// 60% accepted and filled at once, 20% accepted and filled in two parts, 10% accepted then
// cancelled, 10% rejected; a mark price every 4 orders; four symbols (BTC-USDT, ETH-BTC with
// 8-decimal prices, EUR-USD, AAPL). About 5.5 events per order.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "domain/clock.h"
#include "journal/journal.h"
#include "projections/oms.h"
#include "projections/positions.h"
#include "projections/projections.h"
#include "replay/replay.h"

namespace {

using namespace at;
namespace fs = std::filesystem;

std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  return std::strtoull(v, nullptr, 10);
}

// The recovery journal's fold: the archive age from the environment (see the top).
projections::ProjectionOptions recovery_projection_options() {
  const std::uint64_t s = env_u64("AT_REPLAY_BENCH_ARCHIVE_S", 600);
  projections::ProjectionOptions o;
  if (s > 0) o.archive_after_ns = static_cast<std::int64_t>(s) * 1'000'000'000;
  return o;
}

// --- realistic event generator ----------------------------------------------------------------

struct Instrument {
  const char* symbol;
  const char* price;
  const char* tick;
  const char* qty;
};
const Instrument kInstruments[] = {
    {"BTC-USDT", "43000.12", "0.01", "0.01500000"},
    {"ETH-BTC", "0.05123456", "0.00000001", "1.25000000"},
    {"EUR-USD", "1.08765", "0.00001", "10000"},
    {"AAPL", "189.25", "0.01", "10"},
};

class Generator {
 public:
  Generator() {
    for (const Instrument& in : kInstruments) {
      symbols_.push_back(Symbol::of(in.symbol));
      prices_.push_back(Decimal::of(in.price));
      ticks_.push_back(Decimal::of(in.tick));
      qtys_.push_back(Decimal::of(in.qty));
    }
  }

  // Appends the events of the next order (and maybe a mark) to `out`. `next_seq` is the
  // sequence the first of them will get (client order ids derive from it, as the engine's do).
  void next_order(std::uint64_t next_seq, std::vector<journal::PendingEvent>& out) {
    const std::uint64_t i = order_++;
    const std::size_t k = i % symbols_.size();
    const Symbol& sym = symbols_[k];
    Price price = prices_[k] + ticks_[k] * Decimal::from_int(static_cast<std::int64_t>(i % 97));
    const Quantity& qty = qtys_[k];
    const std::int64_t ts = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i) * 1000;
    if (i % 4 == 0) out.push_back({MarkPriceUpdated{sym, price, ts}, 0});
    DecisionId did("d" + std::to_string(i));
    ClientOrderId coid = make_client_order_id("at", next_seq + out.size());
    VenueOrderId void_id(std::to_string(9'000'000'000ull + i));
    const Side side = (i / 4) % 2 ? Side::kSell : Side::kBuy;

    DecisionReceived d;
    d.decision_id = did;
    d.source = "demo";
    d.symbol = sym;
    d.action = side == Side::kBuy ? Action::kLong : Action::kShort;
    d.size = qty;
    d.limit_price = price;
    d.ts_ns = ts;
    out.push_back({std::move(d), 0});
    OrderRequested r;
    r.client_order_id = coid;
    r.decision_id = did;
    r.account = "main";
    r.venue = "binance";
    r.symbol = sym;
    r.side = side;
    r.type = OrderType::kLimit;
    r.quantity = qty;
    r.limit_price = price;
    r.ts_ns = ts;
    out.push_back({std::move(r), 0});
    out.push_back({OrderSent{coid, 1, ts + 10}, 0});
    const unsigned kind = i % 10;
    if (kind == 9) {
      out.push_back({OrderRejected{coid, "insufficient balance", -2010, ts + 900}, 0});
      return;
    }
    out.push_back({OrderAccepted{coid, void_id, ts + 800}, 0});
    auto fill = [&](const Quantity& q, std::int64_t at) {
      OrderFilled f;
      f.client_order_id = coid;
      f.venue_order_id = void_id;
      f.trade_id = TradeId(std::to_string(trade_++));
      f.venue = "binance";
      f.account = "main";
      f.symbol = sym;
      f.side = side;
      f.quantity = q;
      f.price = price;
      f.commission = (q * price).rescaled(8, Rounding::kHalfEven) * Decimal::of("0.001");
      f.commission_asset = std::string(sym.quote());
      f.liquidity = Liquidity::kMaker;
      f.ts_ns = at;
      out.push_back({std::move(f), 0});
    };
    if (kind < 6) {
      fill(qty, ts + 2000);
    } else if (kind < 8) {
      Quantity part = Decimal::divide(qty, Decimal::from_int(3), qty.scale());
      fill(part, ts + 2000);
      fill(qty - part, ts + 5000);
    } else {
      out.push_back({CancelRequested{coid, "user", ts + 3000}, 0});
      out.push_back({OrderCancelled{coid, "user", ts + 3500}, 0});
    }
  }

 private:
  std::vector<Symbol> symbols_;
  std::vector<Price> prices_, ticks_;
  std::vector<Quantity> qtys_;
  std::uint64_t order_ = 0;
  std::uint64_t trade_ = 1;
};

// Writes a journal of about `events` events in appends of ~1000 events (as group commit would),
// applying them to projections and snapshotting every `snapshot_every` events when asked.
void generate(journal::Journal& j, ManualClock& clock, std::uint64_t events,
              std::uint64_t snapshot_every) {
  Generator gen;
  std::vector<journal::PendingEvent> batch;
  std::unique_ptr<projections::Projections> state;
  std::unique_ptr<replay::Snapshotter> snap;
  if (snapshot_every) {
    state = std::make_unique<projections::Projections>(recovery_projection_options());
    snap = std::make_unique<replay::Snapshotter>(j, snapshot_every);
  }
  // Journal time per append of ~1000 events.
  const std::uint64_t per_s =
      std::max<std::uint64_t>(1, env_u64("AT_REPLAY_BENCH_EVENTS_PER_S", 2000));
  const auto batch_ns = static_cast<std::int64_t>(1000 * 1'000'000'000ull / per_s);
  while (j.last_sequence() < events) {
    batch.clear();
    std::uint64_t first = j.last_sequence() + 1;
    while (batch.size() < 1000) gen.next_order(first + batch.size(), batch);
    clock.advance_ns(batch_ns);
    auto r = j.append(batch);
    if (!r) {
      std::cerr << "append failed: " << r.error().describe() << '\n';
      std::exit(2);
    }
    if (state) {
      Envelope env;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        env.sequence = *r + i;
        env.recorded_ns = clock.now_ns();
        env.causation = 0;
        env.event = std::move(batch[i].event);
        state->apply(env);
      }
      auto s = snap->maybe_snapshot(*state);
      if (!s) {
        std::cerr << "snapshot failed: " << s.error().describe() << '\n';
        std::exit(2);
      }
    }
  }
}

std::unique_ptr<journal::Journal> open_journal(const std::string& path, const Clock& clock) {
  journal::Options o;
  o.path = path;
  o.durability = journal::Durability::kNone;
  auto j = journal::Journal::open(o, clock);
  if (!j) {
    std::cerr << "open " << path << ": " << j.error().describe() << '\n';
    std::exit(2);
  }
  return std::move(j.value());
}

// --- directories -------------------------------------------------------------------------------

struct BenchDir {
  fs::path root;
  bool keep = false;
  BenchDir() {
    if (const char* d = std::getenv("AT_REPLAY_BENCH_DIR"); d && *d) {
      root = d;
      keep = true;
    } else {
      root = fs::temp_directory_path() / ("at-replay-bench-" + std::to_string(::getpid()));
    }
    fs::create_directories(root);
  }
  ~BenchDir() {
    if (keep) return;
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

BenchDir& bench_dir() {
  static BenchDir d;
  return d;
}

// --- throughput ----------------------------------------------------------------------------------

journal::Journal& throughput_journal() {
  static ManualClock clock;
  static std::unique_ptr<journal::Journal> j = [] {
    std::uint64_t events = env_u64("AT_REPLAY_BENCH_EVENTS", 1'000'000);
    std::string path = (bench_dir().root / ("throughput-" + std::to_string(events))).string();
    bool reuse = fs::exists(path);
    auto jj = open_journal(path, clock);
    if (!reuse || jj->last_sequence() < events) generate(*jj, clock, events, 0);
    return jj;
  }();
  return *j;
}

// What "replay into OMS + positions" means: the order book of record, and fills and marks
// into positions.
void apply_oms_positions(projections::Oms& oms, projections::Positions& pos, const Envelope& e) {
  projections::OmsEffect fx = oms.apply(e);
  if (fx.fill == projections::FillOutcome::kApplied)
    pos.apply_fill(*std::get_if<OrderFilled>(&e.event), e.sequence);
  else if (std::holds_alternative<MarkPriceUpdated>(e.event))
    pos.apply(e);
}

void BM_ReplayOmsPositions(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  const std::uint64_t last = j.last_sequence();
  for (auto _ : state) {
    auto oms = std::make_unique<projections::Oms>();
    auto pos = std::make_unique<projections::Positions>();
    Status st = j.read(1, last, [&](const Envelope& e) {
      apply_oms_positions(*oms, *pos, e);
      return true;
    });
    if (!st) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(oms->order_count());
    state.PauseTiming();  // freeing a million orders is not replay
    oms.reset();
    pos.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * last));
}

// The same work through replay::for_each_event: reading + decoding on a second thread while
// this one applies (what replay() and recovery use). Wall-clock rate: it uses two cores.
void BM_ReplayOmsPositionsPipelined(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  const std::uint64_t last = j.last_sequence();
  for (auto _ : state) {
    auto oms = std::make_unique<projections::Oms>();
    auto pos = std::make_unique<projections::Positions>();
    Status st = replay::for_each_event(
        j, 1, last, [&](const Envelope& e) { apply_oms_positions(*oms, *pos, e); });
    if (!st) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(oms->order_count());
    state.PauseTiming();
    oms.reset();
    pos.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * last));
}

void BM_ReplayAllProjections(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  const std::uint64_t last = j.last_sequence();
  for (auto _ : state) {
    auto p = std::make_unique<projections::Projections>();
    Status st = replay::catch_up(j, *p, last);
    if (!st) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(p->last_sequence());
    state.PauseTiming();
    p.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * last));
}

void BM_ReadDecode(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  const std::uint64_t last = j.last_sequence();
  for (auto _ : state) {
    std::uint64_t n = 0;
    Status st = j.read(1, last, [&](const Envelope& e) {
      n += e.sequence;
      return true;
    });
    if (!st) state.SkipWithError(st.error().message.c_str());
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * last));
}

void BM_ApplyOnly(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  static std::vector<Envelope> envs = [&] {
    std::vector<Envelope> v;
    v.reserve(j.last_sequence());
    (void)j.read(1, j.last_sequence(), [&](const Envelope& e) {
      v.push_back(e);
      return true;
    });
    return v;
  }();
  for (auto _ : state) {
    auto p = std::make_unique<projections::Projections>();
    for (const Envelope& e : envs) p->apply(e);
    benchmark::DoNotOptimize(p->last_sequence());
    state.PauseTiming();
    p.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * envs.size()));
}

// --- recovery after SIGKILL ----------------------------------------------------------------------

// Child mode: generate, say "ready", then wait to be killed (blocked in pause(), no spinning).
int generate_child(const std::string& path, std::uint64_t events, std::uint64_t every) {
  ManualClock clock;
  auto j = open_journal(path, clock);
  if (j->last_sequence() < events) generate(*j, clock, events, every);
  std::printf("ready %llu\n", static_cast<unsigned long long>(j->last_sequence()));
  std::fflush(stdout);
  for (;;) ::pause();
}

// Builds the recovery journal in a child process and SIGKILLs it once everything is appended.
// The directory as the SIGKILL left it (unflushed memtables, WAL to replay) is kept beside it as
// "<path>.killed"; every BM_Recovery iteration starts from a fresh copy of that, so each one
// measures a first open after SIGKILL, not a clean reopen (a reused directory skips generation).
std::string recovery_journal() {
  static std::string path = [] {
    std::uint64_t events = env_u64("AT_REPLAY_BENCH_RECOVERY_EVENTS", 10'000'000);
    std::uint64_t every = env_u64("AT_REPLAY_BENCH_SNAPSHOT_EVERY", 1'000'000);
    std::string p = (bench_dir().root /
                     ("recovery-" + std::to_string(events) + "-" + std::to_string(every) + "-" +
                      std::to_string(env_u64("AT_REPLAY_BENCH_EVENTS_PER_S", 2000)) + "ps-" +
                      std::to_string(env_u64("AT_REPLAY_BENCH_ARCHIVE_S", 600)) + "s"))
                        .string();
    if (fs::exists(p + ".killed")) return p;
    // Everything the child needs is built before fork: between fork and exec only
    // async-signal-safe calls.
    std::string ev = std::to_string(events), sn = std::to_string(every);
    int fds[2];
    if (::pipe(fds) != 0) std::exit(2);
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::execl("/proc/self/exe", "replay_bench", "--generate", p.c_str(), ev.c_str(), sn.c_str(),
              static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    ::close(fds[1]);
    char line[128] = {};
    ssize_t n = ::read(fds[0], line, sizeof(line) - 1);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (n <= 0 || std::string(line).rfind("ready", 0) != 0) {
      std::cerr << "recovery journal generation failed\n";
      std::exit(2);
    }
    std::cerr << "recovery journal: " << line << "  built (or reused) in " << secs
              << " s; writer killed with SIGKILL\n";
    fs::copy(p, p + ".killed", fs::copy_options::recursive);
    return p;
  }();
  return path;
}

// What a snapshot costs the snapshotter beyond catching up: serializing the projections of the
// throughput journal (every order kept). Arg 1: into a buffer reused from one snapshot to the
// next, as both snapshotters do; arg 0: into a fresh string each time (the background
// snapshotter until 2026-11-24), which pays the string's regrowth and its fresh pages.
void BM_Serialize(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  static const projections::Projections folded = [&] {
    projections::Projections p;
    (void)replay::catch_up(j, p, j.last_sequence());
    return p;
  }();
  const bool reuse = state.range(0) == 1;
  std::string buffer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    if (reuse) {
      buffer.clear();
      folded.serialize_to(buffer);
      bytes = buffer.size();
      benchmark::DoNotOptimize(buffer.data());
    } else {
      std::string out = folded.serialize();
      bytes = out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.counters["orders"] = static_cast<double>(folded.oms().order_count());
  state.counters["snapshot_mb"] = static_cast<double>(bytes) / 1e6;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

// What recovery pays for the snapshot itself: parsing the same serialized projections back.
void BM_Parse(benchmark::State& state) {
  journal::Journal& j = throughput_journal();
  static const std::string bytes = [&] {
    projections::Projections p;
    (void)replay::catch_up(j, p, j.last_sequence());
    return p.serialize();
  }();
  std::size_t orders = 0;
  for (auto _ : state) {
    auto p = projections::Projections::parse(bytes);
    if (!p) {
      state.SkipWithError(p.error().message.c_str());
      break;
    }
    orders = p->oms().order_count();
    state.PauseTiming();  // freeing the state is not part of a recovery
    p = Result<projections::Projections>(make_error(ErrorKind::kInvalidArgument, "freed"));
    state.ResumeTiming();
  }
  state.counters["orders"] = static_cast<double>(orders);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void BM_Recovery(benchmark::State& state) {
  const std::string path = recovery_journal();
  std::uint64_t events = 0, tail = 0, snap = 0, orders_held = 0, orders_archived = 0;
  double open_s = 0, replay_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(path);
    fs::copy(path + ".killed", path, fs::copy_options::recursive);
    ::sync();  // the copy's writeback is this benchmark's cost, not recovery's
    state.ResumeTiming();
    auto t0 = std::chrono::steady_clock::now();
    ManualClock clock;
    auto j = open_journal(path, clock);
    auto topen = std::chrono::steady_clock::now();
    replay::ReplayOptions ro;
    ro.projections = recovery_projection_options();
    auto r = replay::replay(*j, replay::AsOf::latest(), ro);
    auto t1 = std::chrono::steady_clock::now();
    open_s += std::chrono::duration<double>(topen - t0).count();
    replay_s += std::chrono::duration<double>(t1 - topen).count();
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    events = r->state.last_sequence();
    tail = r->info.events_applied;
    orders_held = r->state.oms().order_count();
    orders_archived = r->state.oms().archived_orders();
    snap = r->info.snapshot_sequence;
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    state.PauseTiming();
    r = make_error(ErrorKind::kNotFound, "");
    j.reset();
    state.ResumeTiming();
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["snapshot_seq"] = static_cast<double>(snap);
  state.counters["tail_events"] = static_cast<double>(tail);
  state.counters["orders_held"] = static_cast<double>(orders_held);
  state.counters["orders_archived"] = static_cast<double>(orders_archived);
  // Where the time goes: RocksDB open (WAL recovery after the SIGKILL) and replay (snapshot
  // parse + tail).
  const double runs =
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.counters["open_s"] = open_s / runs;
  state.counters["replay_s"] = replay_s / runs;
}

BENCHMARK(BM_ReplayOmsPositions)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_ReplayOmsPositionsPipelined)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->UseRealTime()
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_ReplayAllProjections)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_ReadDecode)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_ApplyOnly)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Serialize)
    ->ArgName("reuse")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Parse)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Recovery)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3)
    ->UseManualTime();

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--generate")
    return generate_child(argv[2], std::strtoull(argv[3], nullptr, 10),
                          std::strtoull(argv[4], nullptr, 10));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
