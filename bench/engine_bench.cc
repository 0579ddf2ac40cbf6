// Engine benchmarks (issue 3 targets; figures in docs/PERFORMANCE.md, "Engine").
//
// The real engine, journal (RocksDB) and paper venue on one io_context, as `autotrader run`
// wires them, with the paper venue's simulated latency set to 0 so that what is measured is
// the service's own cost (risk, OMS, journal, matching, event handling), not a configured
// delay. Decisions are MARKET orders on BTC-USDT against a deep quote, alternating buy and
// sell, each with a distinct quantity (so duplicate prevention never refuses one).
//
//   RawFdatasync              this machine's fdatasync yardstick, measured in the same run
//   Throughput/none:D/window:W  closed loop with W decisions outstanding: decisions per second
//                             from submit until the fill has been reported (the fill event is
//                             durable and the fill listeners ran); W = 100 is the default
//                             oms.max_open_orders, the rig raises the limit for W = 2000
//   Latency/none:D/binance:V  one decision at a time: decision -> fill report, p50/p99, and for
//                             `sync` (none:0) the p99 as a multiple of the fdatasync median
//                             and of the fdatasync p99 (both measured first, in the same run);
//                             binance:1 trades through the Binance adapter against the Binance
//                             simulator (in-process, own thread) over loopback: signed REST,
//                             the simulator's checks and matching, the fill on the user stream
//
// Reproduce:
//   cmake --build build --target engine_bench &&
//     build/bench/engine_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/binance/binance_venue.h"
#include "adapters/paper/paper_venue.h"
#include "bench/bench_util.h"
#include "engine/engine.h"
#include "platform/scheduler.h"
#include "journal/journal.h"
#include "platform/system_clock.h"
#include "sim/binance/binance_sim.h"

namespace {

using namespace at;
using namespace at::bench;

const Symbol kBtc = Symbol::of("BTC-USDT");

// First, so that the latency ratio uses this run's yardstick.
BENCHMARK(RawFdatasync)->MinTime(2.0)->UseRealTime()->Unit(benchmark::kMicrosecond);

enum class VenueKind { kPaper, kBinanceSim };

md::Quote deep_quote() {
  md::Quote q;
  q.symbol = kBtc;
  q.bid = Decimal::of("50000.00");
  q.ask = Decimal::of("50000.01");
  q.bid_size = Decimal::of("1000000000");
  q.ask_size = Decimal::of("1000000000");
  return q;
}

// Engine + venue + journal on one io_context, started and funded. The venue is the paper
// venue (simulated latency 0) or the Binance adapter talking over loopback to the Binance
// simulator, which runs on its own thread.
struct Rig {
  Rig(journal::Durability durability, VenueKind kind) : dir("at-engine-bench") {
    journal::Options jo;
    jo.path = dir.path.string();
    jo.durability = durability;
    auto j = journal::Journal::open(jo, clock);
    if (!j) throw std::runtime_error(j.error().describe());
    journal = std::move(*j);

    engine::EngineOptions o;
    o.order_timeout_s = 0;
    o.risk.max_open_orders = 1'000'000;
    if (kind == VenueKind::kPaper) {
      InstrumentRules rules;
      rules.symbol = kBtc;
      rules.venue_symbol = "BTC-USDT";
      rules.tick_size = Decimal::of("0.01");
      rules.lot_size = Decimal::of("0.00001");
      rules.min_qty = Decimal::of("0.00001");
      paper::PaperConfig pc;
      pc.account = "paper";
      pc.latency_min_ms = 0;
      pc.latency_max_ms = 0;
      pc.slippage_bps = Decimal::of("0");
      pc.commission_bps = Decimal::of("10");
      pc.allow_short = true;
      pc.instruments = {rules};
      pc.initial_balances = {{"USDT", Decimal::of("1000000000000")}};
      auto p = std::make_unique<paper::PaperVenue>(pc, clock, scheduler);
      p->on_quote(deep_quote());
      venue = std::move(p);
      o.account = "paper";
    } else {
      sim::BinanceSimOptions so;
      so.market = "none";
      so.limits.orders_per_10s = 1'000'000'000;
      so.limits.orders_per_day = 1'000'000'000;
      so.limits.weight_per_minute = 1'000'000'000;
      sim = std::make_unique<sim::BinanceSim>(so, clock);
      if (auto st = sim->start(); !st) throw std::runtime_error("simulator: " + st.error().message);
      sim->push_quote(deep_quote());
      binance::BinanceConfig c;
      auto key = sim::binance_example_key();
      c.api_key = net::Secret(key.key);
      c.api_secret = net::Secret(key.secret);
      c.environment = binance::Environment::kSim;
      c.base_url = sim->rest_base_url();
      c.ws_url = sim->ws_api_url();
      venue = std::make_unique<binance::BinanceVenue>(io, clock, c);
      o.account = "main";
      o.risk.check_balance = false;  // the venue's balances are the simulator's
    }
    auto log =
        std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
    eng = std::make_unique<engine::Engine>(o, *journal, *venue, scheduler, clock, io, log);

    std::optional<Status> started;
    eng->start([&](Status st) { started = st; });
    auto deadline = Clk::now() + std::chrono::seconds(20);
    while (!started && Clk::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(50));
    }
    if (!started || !started->ok())
      throw std::runtime_error("engine did not start: " +
                               (started ? started->error().describe() : "timeout"));
    if (kind == VenueKind::kPaper) eng->fund("paper", "USDT", Decimal::of("1000000000000"));
    eng->on_mark(kBtc, Decimal::of("50000.00"));
    eng->add_fill_listener([this](const OrderFilled& f) {
      if (on_fill) on_fill(f);
    });
    io.restart();
    io.poll();
  }

  ~Rig() {
    bool stopped = false;
    eng->stop("bench", [&] { stopped = true; });
    auto deadline = Clk::now() + std::chrono::seconds(10);
    while (!stopped && Clk::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(50));
    }
    eng.reset();
    venue.reset();
    if (sim) sim->stop();
    io.restart();
    io.poll();
  }

  // Decision n: buy on even n, sell on odd, quantity 0.001 + (n mod 4096) lots.
  DecisionReceived decision(std::uint64_t n) const {
    DecisionReceived d;
    d.decision_id = DecisionId("b" + std::to_string(n));
    d.source = "bench";
    d.symbol = kBtc;
    d.action = n % 2 == 0 ? Action::kLong : Action::kShort;
    d.size = Decimal::of("0.001") +
             Decimal::of("0.00001") * Decimal::from_int(static_cast<std::int64_t>(n % 4096));
    d.order_type = OrderType::kMarket;
    return d;
  }

  BenchDir dir;
  SystemClock clock;
  boost::asio::io_context io;
  AsioScheduler scheduler{io.get_executor(), clock};
  std::unique_ptr<journal::Journal> journal;
  std::unique_ptr<sim::BinanceSim> sim;
  std::unique_ptr<adapters::Venue> venue;
  std::unique_ptr<engine::Engine> eng;
  std::function<void(const OrderFilled&)> on_fill;
};

journal::Durability durability_arg(std::int64_t a) {
  return a == 0 ? journal::Durability::kSync : journal::Durability::kNone;
}

// The rig, or nullptr with the benchmark skipped and the reason given.
std::unique_ptr<Rig> make_rig(benchmark::State& state, journal::Durability durability,
                              VenueKind kind = VenueKind::kPaper) {
  try {
    return std::make_unique<Rig>(durability, kind);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
}

void Throughput(benchmark::State& state) {
  const auto durability = durability_arg(state.range(0));
  const std::uint64_t per_iteration = 20000;
  // Decisions outstanding (submitted, fill not yet reported). 100 is the default
  // oms.max_open_orders; the rig's risk limit is raised so that larger windows pass.
  const auto window = static_cast<std::uint64_t>(state.range(1));
  auto rig = make_rig(state, durability);
  if (!rig) return;
  std::uint64_t next = 0, filled = 0, target = 0, refused = 0;
  auto submit_one = [&] {
    rig->eng->submit_decision(rig->decision(next++), [&](engine::DecisionOutcome out) {
      if (out.kind != engine::DecisionOutcome::Kind::kOrdered) {
        ++refused;
        ++filled;  // never fills: count it done so the loop ends
      }
    });
  };
  rig->on_fill = [&](const OrderFilled&) {
    ++filled;
    if (next < target) submit_one();
    if (filled >= target) rig->io.stop();
  };
  std::uint64_t appends0 = rig->eng->counters().appends;
  std::uint64_t events0 = rig->eng->counters().appended_events;
  for (auto _ : state) {
    target += per_iteration;
    while (next < target && next - filled < window) submit_one();
    rig->io.restart();
    rig->io.run();
    if (rig->eng->failed()) {
      state.SkipWithError(rig->eng->failure().c_str());
      break;
    }
  }
  const auto& c = rig->eng->counters();
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * per_iteration), benchmark::Counter::kIsRate);
  state.counters["events_per_append"] =
      static_cast<double>(c.appended_events - events0) /
      static_cast<double>(std::max<std::uint64_t>(1, c.appends - appends0));
  state.counters["events_per_decision"] =
      static_cast<double>(c.appended_events - events0) /
      static_cast<double>(std::max<std::uint64_t>(1, state.iterations() * per_iteration));
  state.counters["refused"] = static_cast<double>(refused);
}
BENCHMARK(Throughput)
    ->ArgNames({"none", "window"})
    ->Args({0, 100})   // sync, the default oms.max_open_orders
    ->Args({1, 100})   // none
    ->Args({0, 2000})  // a larger window: risk checks cost the same (running totals)
    ->Args({1, 2000})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void Latency(benchmark::State& state) {
  const auto durability = durability_arg(state.range(0));
  const auto kind = state.range(1) == 0 ? VenueKind::kPaper : VenueKind::kBinanceSim;
  auto rig = make_rig(state, durability, kind);
  if (!rig) return;
  std::uint64_t n = 0;
  bool done = false;
  std::string refused;
  rig->on_fill = [&](const OrderFilled&) {
    done = true;
    rig->io.stop();
  };
  std::vector<double> lat;
  for (auto _ : state) {
    done = false;
    auto t0 = Clk::now();
    rig->eng->submit_decision(rig->decision(n++), [&](engine::DecisionOutcome out) {
      if (out.kind != engine::DecisionOutcome::Kind::kOrdered) {
        refused = out.reason;
        rig->io.stop();
      }
    });
    auto deadline = Clk::now() + std::chrono::seconds(10);
    while (!done && refused.empty() && Clk::now() < deadline) {
      rig->io.restart();
      rig->io.run_for(std::chrono::milliseconds(100));
    }
    if (!done) {
      state.SkipWithError(("no fill: " + (refused.empty() ? "timeout" : refused)).c_str());
      break;
    }
    lat.push_back(micros_since(t0));
  }
  double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  state.counters["p50_us"] = p50;
  state.counters["p99_us"] = p99;
  // The goal compares the p99 with "this machine's fdatasync latency": both yardsticks, the
  // fdatasync median and its p99, measured in this run.
  if (durability == journal::Durability::kSync && g_fdatasync_p50_us > 0) {
    state.counters["p99_x_fdatasync"] = p99 / g_fdatasync_p50_us;
    state.counters["p99_x_fdatasync_p99"] = p99 / g_fdatasync_p99_us;
    state.counters["p50_x_fdatasync"] = p50 / g_fdatasync_p50_us;
  }
}
BENCHMARK(Latency)
    ->ArgNames({"none", "binance"})
    ->Args({0, 0})  // sync, paper
    ->Args({1, 0})  // none, paper
    ->Args({0, 1})  // sync, Binance adapter against the simulator over loopback
    ->Args({1, 1})  // none, Binance
    ->MinTime(2.0)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
