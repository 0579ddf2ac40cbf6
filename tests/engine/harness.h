// Test harness for the engine: a real RocksDB journal in a temp dir, the paper venue with
// fault injection, one manual clock and one manual scheduler shared by both, and the engine's
// io_context polled by hand. Nothing sleeps: time moves only through advance_ms().
#pragma once

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "adapters/paper/paper_venue.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "platform/scheduler.h"

namespace at::engine::testing {

inline std::string temp_dir(const std::string& tag) {
  static std::mt19937_64 rng{std::random_device{}()};
  auto p =
      std::filesystem::temp_directory_path() / ("at-engine-" + tag + "-" + std::to_string(rng()));
  std::filesystem::create_directories(p);
  return p.string();
}

inline InstrumentRules btc_rules() {
  InstrumentRules r;
  r.symbol = Symbol::of("BTC-USDT");
  r.venue_symbol = "BTC-USDT";
  r.tick_size = Decimal::of("0.01");
  r.lot_size = Decimal::of("0.00001");
  r.min_qty = Decimal::of("0.00001");
  return r;
}

inline md::Quote quote(const char* bid, const char* ask, const char* bid_size = "1",
                       const char* ask_size = "1") {
  md::Quote q;
  q.symbol = Symbol::of("BTC-USDT");
  q.bid = Decimal::of(bid);
  q.ask = Decimal::of(ask);
  q.bid_size = Decimal::of(bid_size);
  q.ask_size = Decimal::of(ask_size);
  return q;
}

inline DecisionReceived decision(std::string id, Action a, const char* size,
                                 std::optional<const char*> limit = std::nullopt) {
  DecisionReceived d;
  d.decision_id = DecisionId(std::move(id));
  d.symbol = Symbol::of("BTC-USDT");
  d.action = a;
  d.size = Decimal::of(size);
  if (limit) d.limit_price = Decimal::of(*limit);
  d.source = "test";
  return d;
}

struct Harness {
  explicit Harness(std::string dir_ = temp_dir("h")) : dir(std::move(dir_)) {}
  ~Harness() {
    close();
    std::error_code ec;
    if (owns_dir) std::filesystem::remove_all(dir, ec);
  }

  EngineOptions options() const {
    EngineOptions o;
    o.account = "paper";
    o.resiliency.jitter = 0;
    o.resiliency.initial_backoff_s = 1.0;
    o.resiliency.backoff_multiplier = 2.0;
    o.resiliency.max_retries = 3;
    o.resiliency.circuit_breaker_threshold = 5;
    o.resiliency.breaker_cooldown_s = 10;
    o.order_timeout_s = 0;
    o.risk.require_mark_for_market = false;
    o.verify_open_order_totals = true;  // every risk check also checks the totals by a scan
    return o;
  }

  // Opens the journal, builds venue + engine and starts the engine (recovery included).
  void open(std::optional<EngineOptions> opts = std::nullopt, bool fund = true) {
    bool fresh = build(std::move(opts));
    bool started = false;
    engine->start([&](Status st) {
      if (!st) throw std::runtime_error(st.error().describe());
      started = true;
    });
    if (!settle([&] { return started; })) throw std::runtime_error("engine did not start");
    if (fresh && fund) {
      engine->fund("paper", "USDT", Decimal::of("100000"));
      settle([&] { return engine->in_flight() == 0; });
    }
  }

  // Opens the journal and builds venue + engine in offline mode (no venue, nothing journaled).
  Status open_offline(std::optional<EngineOptions> opts = std::nullopt) {
    build(std::move(opts));
    return engine->open_offline();
  }

  // Opens the journal and builds venue + engine; true when the journal is new. The engine's
  // projections as recovered (before it journals anything) are kept in `recovered`.
  bool build(std::optional<EngineOptions> opts) {
    journal::Options jo;
    jo.path = dir;
    jo.durability = durability;
    auto j = journal::Journal::open(jo, clock);
    if (!j) throw std::runtime_error(j.error().describe());
    journal = std::move(*j);
    bool fresh = journal->last_sequence() == 0;
    paper::PaperConfig pc;
    pc.account = "paper";
    pc.latency_min_ms = 1;
    pc.latency_max_ms = 1;
    pc.slippage_bps = Decimal::of("0");
    pc.commission_bps = Decimal::of("10");
    pc.allow_short = true;
    pc.instruments = {btc_rules()};
    pc.initial_balances = {{"USDT", Decimal::of("100000")}};
    venue = std::make_unique<paper::PaperVenue>(pc, clock, scheduler);
    auto log =
        std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
    engine = std::make_unique<Engine>(opts.value_or(options()), *journal, *venue, scheduler, clock,
                                      io, log);
    engine->set_before_venue_recover([this](const projections::Projections& p) {
      recovered = p;
      for (const auto& [key, b] : p.balances().all())
        if (key.first == "paper") venue->set_balance(key.second, b.total());
    });
    return fresh;
  }

  // Simulates a crash: drops everything without a clean stop.
  void crash() {
    engine.reset();
    venue.reset();
    io.restart();
    while (io.poll()) {
    }
    journal.reset();
    scheduler.run_all(100000);  // stale tasks of the dead venue do nothing
  }

  void close() {
    if (engine) {
      bool stopped = false;
      engine->stop("test", [&] { stopped = true; });
      settle([&] { return stopped; });
    }
    crash();
  }

  // Runs everything ready now (bounded).
  void pump() {
    for (int i = 0; i < 1000; ++i) {
      io.restart();
      std::size_t n = io.poll();
      n += static_cast<std::size_t>(scheduler.run_due());
      if (n == 0) return;
    }
  }

  void advance_ms(std::int64_t ms) {
    for (std::int64_t i = 0; i < ms; ++i) {
      scheduler.advance(1'000'000);
      pump();
    }
  }

  void quote_now(const md::Quote& q) {
    venue->on_quote(q);
    engine->on_mark(q.symbol, Decimal::divide(q.bid + q.ask, Decimal::from_int(2), 4));
    pump();
  }

  DecisionOutcome decide(DecisionReceived d) {
    std::optional<DecisionOutcome> out;
    engine->submit_decision(std::move(d), [&](DecisionOutcome o) { out = std::move(o); });
    pump();
    if (!out) throw std::runtime_error("no outcome");
    return *out;
  }

  // A long decision at `limit` whose one submit fails with retries off (open the harness with
  // resiliency.max_retries = 0): it ends in the dead-letter queue.
  DecisionOutcome dead_letter(const char* limit) {
    quote_now(quote("49990.00", "50000.00"));
    venue->fail_next(paper::PaperVenue::Op::kSubmit, 1, make_error(ErrorKind::kTransient, "down"));
    auto out = decide(decision("d1", Action::kLong, "0.1", limit));
    advance_ms(2);
    return out;
  }

  const Order& order(const ClientOrderId& id) const {
    const auto* r = engine->state().oms().find(id);
    if (!r) throw std::runtime_error("no order " + id.str());
    return r->order;
  }

  // Events of one type in the journal, in order.
  template <typename T>
  std::vector<T> events() const {
    std::vector<T> out;
    auto st = journal->read(1, journal->last_sequence(), [&](const Envelope& e) {
      if (auto* x = std::get_if<T>(&e.event)) out.push_back(*x);
      return true;
    });
    if (!st) throw std::runtime_error(st.error().describe());
    return out;
  }

  // Runs everything ready, waiting up to `max_wait_ms` of real time for completions from the
  // journal's writer thread (durability sync), until pred() holds or `rounds` rounds are used.
  // Manual time moves 1 ms per round, so the paper venue's latency elapses too.
  template <typename Pred>
  bool pump_until(Pred pred, int rounds = 2000, int max_wait_ms = 20) {
    for (int i = 0; i < rounds; ++i) {
      pump();
      if (pred()) return true;
      io.restart();
      io.run_one_for(std::chrono::milliseconds(max_wait_ms));
      scheduler.advance(1'000'000);
    }
    pump();
    return pred();
  }

  // Up to 10 ms of manual time for pred(); with durability sync, also waits (bounded) for the
  // writer thread's completions.
  template <typename Pred>
  bool settle(Pred pred) {
    if (durability == journal::Durability::kSync) return pump_until(pred, 200);
    pump();
    for (int i = 0; i < 10 && !pred(); ++i) advance_ms(1);
    return pred();
  }

  std::string dir;
  bool owns_dir = true;
  // kNone: appends complete on the engine's thread. kSync runs the group committer's threads,
  // whose completions pump_until() waits for.
  journal::Durability durability = journal::Durability::kNone;
  ManualClock clock;
  ManualScheduler scheduler{clock};
  boost::asio::io_context io;
  std::unique_ptr<journal::Journal> journal;
  std::unique_ptr<paper::PaperVenue> venue;
  std::unique_ptr<Engine> engine;
  std::optional<projections::Projections> recovered;
};

}  // namespace at::engine::testing
