#include "cli/run_command.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <iostream>

#include "cli/common.h"
#include "cli/venue_factory.h"
#include "config/config.h"
#include "engine/control.h"
#include "engine/demo_strategy.h"
#include "engine/engine.h"
#include "engine/offline.h"
#include "market_data/generated.h"
#include "market_data/readers.h"
#include "market_data/replayer.h"
#include "platform/system_clock.h"

namespace at::cli {
namespace asio = boost::asio;
namespace json = boost::json;
namespace {

// "30s", "5m", "1h", "250ms", "2.5s". Throws CliError(usage).
std::int64_t parse_duration_ns(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  auto num = Decimal::parse(text.substr(0, i));
  std::string unit = text.substr(i);
  std::int64_t mult = unit == "ms"                  ? 1'000'000
                      : unit == "s" || unit.empty() ? 1'000'000'000
                      : unit == "m"                 ? 60'000'000'000LL
                      : unit == "h"                 ? 3'600'000'000'000LL
                                                    : 0;
  if (!num || mult == 0 || num->is_negative())
    throw CliError(kExitUsage,
                   "--for: expected a duration like 30s, 5m, 1h or 250ms, got '" + text + "'");
  return static_cast<std::int64_t>(
      (*num * Decimal::from_int(mult)).rescaled(0, Rounding::kDown).mantissa());
}

engine::EngineOptions engine_options(const config::Config& c, const std::string& account,
                                     const std::vector<InstrumentRules>& instruments) {
  engine::EngineOptions o;
  o.account = account;
  o.client_id_prefix = c.oms.client_order_id_prefix;
  o.order_timeout_s = c.oms.order_timeout_seconds;
  o.archive_after_ns = c.oms.archive_after_seconds > 0
                           ? std::int64_t{c.oms.archive_after_seconds} * 1'000'000'000
                           : projections::Oms::kNeverArchive;
  o.snapshot_every = c.journal.snapshot_every;
  o.config_digest = config::config_digest(c);
  // Without the venue's market data a market order has no price to be valued at; the venue's
  // own checks (balance, filters) then stand in for the notional limits.
  o.risk.require_mark_for_market = c.broker == config::BrokerKind::kPaper;
  auto& r = o.risk;
  r.max_open_orders = c.oms.max_open_orders;
  auto to_symbol_limits = [](const config::RiskLimits& l) {
    engine::SymbolLimits s;
    s.max_order_quantity = l.max_order_quantity;
    s.max_notional = l.max_notional;
    s.position_limit = l.position_limit;
    return s;
  };
  r.defaults = to_symbol_limits(c.risk.defaults);
  for (const auto& inst : instruments)
    r.per_symbol[inst.symbol] = to_symbol_limits(c.risk.limits_for(inst.symbol));
  // A remote venue's instruments are known only after it starts: the symbols the config names
  // get their limits regardless.
  for (const auto& [sym, limits] : c.risk.symbols)
    r.per_symbol[sym] = to_symbol_limits(c.risk.limits_for(sym));
  if (c.risk.defaults.price_collar_bps)
    r.price_collar_bps = static_cast<std::int64_t>(
        c.risk.defaults.price_collar_bps->rescaled(0, Rounding::kDown).mantissa());
  r.max_orders_per_second = c.risk.defaults.max_orders_per_second.value_or(0);
  r.commission_bps = c.broker == config::BrokerKind::kPaper
                         ? static_cast<std::int64_t>(
                               c.paper.commission_bps.rescaled(0, Rounding::kCeiling).mantissa())
                         : 10;
  r.allow_short = c.broker != config::BrokerKind::kBinance;
  auto& rs = o.resiliency;
  rs.max_retries = c.resiliency.max_retries;
  rs.initial_backoff_s = c.resiliency.initial_backoff.count() / 1000.0;
  rs.backoff_multiplier = c.resiliency.backoff_multiplier;
  rs.max_backoff_s = c.resiliency.max_backoff.count() / 1000.0;
  rs.jitter = c.resiliency.jitter;
  rs.circuit_breaker_threshold = c.resiliency.circuit_breaker_threshold;
  rs.breaker_cooldown_s = c.resiliency.breaker_cooldown.count() / 1000.0;
  rs.enable_dlq = c.resiliency.enable_dlq;
  rs.reconnect_initial_s = c.resiliency.reconnect_initial_backoff.count() / 1000.0;
  rs.reconnect_max_s = c.resiliency.reconnect_max_backoff.count() / 1000.0;
  auto& ks = o.kill_switch;
  ks.max_rejects = c.risk.kill_switch.max_rejects;
  ks.reject_window_s = c.risk.kill_switch.window_seconds;
  ks.max_loss = c.risk.kill_switch.max_loss;
  ks.max_position_drift = c.risk.kill_switch.max_position_drift;
  return o;
}

// Latency of a histogram quantile in ms with 3 decimals, for the progress line and summary.
std::string ms(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

struct RunArgs {
  std::string config_path;
  std::string journal_path;
  std::string decisions_path;
  std::string for_duration;
  bool until_exhausted = false;
  bool quiet = false;
  bool json_summary = false;
  int max_outstanding = 256;
};

// Decisions from a JSON-lines file: parsed up front (a bad line is reported with its number
// and skipped, every other line is unaffected), then submitted with a bounded number awaiting
// their outcome.
struct DecisionFeed {
  std::vector<std::pair<int, Result<DecisionReceived>>> lines;
  std::size_t next = 0;
  int outstanding = 0;
  std::uint64_t invalid = 0;
  bool exhausted() const { return next >= lines.size() && outstanding == 0; }
};

DecisionFeed load_decisions(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CliError(kExitNotFound, "cannot read decisions file " + path);
  DecisionFeed f;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto d = engine::parse_decision(line);
    if (d) d->source = "file:" + path;
    f.lines.emplace_back(n, std::move(d));
  }
  return f;
}

class Runner {
 public:
  Runner(const config::Config& cfg, RunArgs args) : cfg_(cfg), args_(std::move(args)) {}

  int run() {
    auto log = spdlog::stderr_color_mt("autotrader");
    log->set_level(args_.quiet ? spdlog::level::warn : spdlog::level::info);
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
    for (const auto& u : cfg_.unresolved) log->warn("config.unresolved key={}", u);

    std::string jpath = args_.journal_path.empty() ? cfg_.journal.path : args_.journal_path;
    journal::Durability dur = cfg_.journal.durability == config::JournalConfig::Durability::kSync
                                  ? journal::Durability::kSync
                              : cfg_.journal.durability == config::JournalConfig::Durability::kBatch
                                  ? journal::Durability::kBatch
                                  : journal::Durability::kNone;
    auto journal = open_journal_for_write(jpath, clock_, /*create=*/true, dur);
    bool fresh = journal->last_sequence() == 0;

    if (!args_.decisions_path.empty()) feed_ = load_decisions(args_.decisions_path);

    venue_ = make_venue(cfg_, clock_, io_, *log);
    auto opts = engine_options(cfg_, venue_->account, venue_->venue->instruments());
    engine_ = std::make_unique<engine::Engine>(opts, *journal, *venue_->venue, scheduler_, clock_,
                                               io_, log);
    engine_->set_before_venue_recover(
        [this](const projections::Projections& p) { venue_->restore_balances(p); });
    control_ =
        std::make_unique<engine::ControlServer>(io_, *engine_, engine::control_socket_path(jpath));

    asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (!ec) begin_stop(sig == SIGINT ? "SIGINT" : "SIGTERM");
    });

    start_ns_ = clock_.monotonic_ns();
    engine_->start([this, fresh](Status st) {
      if (!st) {
        std::cerr << "autotrader: recovery failed: " << st.error().describe() << '\n';
        exit_code_ = kExitFailed;
        io_.stop();
        return;
      }
      if (fresh)
        for (const auto& [asset, amount] : venue_->initial_funding)
          engine_->fund(venue_->account, asset, amount);
      if (auto cs = control_->start(); !cs)
        spdlog::get("autotrader")->warn("control.unavailable error=\"{}\"", cs.error().message);
      start_market();
      pump_decisions();
      tick_progress();
      if (!args_.for_duration.empty()) {
        auto deadline = std::make_shared<asio::steady_timer>(
            io_, std::chrono::nanoseconds(parse_duration_ns(args_.for_duration)));
        deadline->async_wait([this, deadline](const boost::system::error_code& ec) {
          if (!ec) begin_stop("duration elapsed");
        });
      }
    });
    io_.run();
    int rc = exit_code_;
    if (engine_->failed()) {
      std::cerr << "autotrader: " << engine_->failure() << '\n';
      rc = kExitFailed;
    } else {
      print_summary();
    }
    // The engine's writer, syncer and snapshot threads use the journal: they end before it.
    control_.reset();
    engine_.reset();
    return rc;
  }

 private:
  void start_market() {
    const auto& m = cfg_.market;
    if (cfg_.broker != config::BrokerKind::kPaper &&
        m.source == config::MarketConfig::Source::kGenerated) {
      // A generated market would invent prices the real venue does not have: marks and the
      // demo strategy take the venue's own prices (Binance: bookTicker) instead.
      start_venue_feed();
      return;
    }
    if (m.source == config::MarketConfig::Source::kGenerated) {
      md::GeneratedMarketOptions g;
      g.seed = m.seed;
      g.symbols = m.symbols;
      g.interval_ns = static_cast<std::int64_t>(m.tick_interval_ms) * 1'000'000;
      g.max_events = m.max_events;
      auto gm = md::GeneratedMarket::create(g);
      if (!gm) throw CliError(kExitUsage, "market: " + gm.error().message);
      source_ = std::make_unique<md::GeneratedMarket>(std::move(*gm));
    } else {
      std::vector<md::FileSpec> specs;
      for (const auto& f : m.files) {
        md::FileSpec s;
        s.path = f.path;
        auto fmt = md::parse_file_format(config::to_string(f.format));
        if (!fmt) throw CliError(kExitUsage, "market.files: " + fmt.error().message);
        s.format = *fmt;
        s.symbol = f.symbol;
        s.snapshot = f.snapshot;
        specs.push_back(std::move(s));
      }
      auto src = md::open_files(specs);
      if (!src) throw CliError(kExitNotFound, "market: " + src.error().message);
      source_ = std::move(*src);
    }
    md::ReplayOptions ro;
    ro.pace = m.pace == config::MarketConfig::Pace::kFast ? md::Pace::kFast : md::Pace::kRealtime;
    ro.speed = std::stod(m.speed.to_string());
    ro.max_gap_ns = 5'000'000'000LL;
    ro.restamp = true;
    replayer_ = std::make_unique<md::Replayer>(
        *source_, clock_, [](std::int64_t) { return true; }, ro);
    if (cfg_.strategy.demo.enabled && args_.decisions_path.empty()) demo_ = make_demo();
    market_timer_ = std::make_unique<asio::steady_timer>(io_);
    pump_market();
  }

  // The venue's market stream for the configured symbols (market.symbols, else the demo
  // strategy's, else the per-symbol risk limits'). Without a stream or symbols there is no
  // market: decisions files still work, priced by their own limit prices.
  void start_venue_feed() {
    std::vector<Symbol> symbols = cfg_.market.symbols;
    if (symbols.empty()) symbols = cfg_.strategy.demo.symbols;
    if (symbols.empty())
      for (const auto& [sym, limits] : cfg_.risk.symbols) symbols.push_back(sym);
    auto log = spdlog::get("autotrader");
    if (!venue_->market_feed || symbols.empty()) {
      log->warn("market.none reason=\"{}\"", !venue_->market_feed
                                                 ? "the venue has no market stream"
                                                 : "no symbols (set market.symbols)");
      market_done_ = true;
      return;
    }
    venue_feed_ = venue_->market_feed(symbols);
    auto st = venue_feed_->start([this](const md::Quote& q) { on_market(md::MarketEvent(q)); },
                                 [this](Event e) { engine_->on_venue_event(std::move(e)); });
    if (!st) {
      // Trading from a decisions file does not need it; say so and go on without.
      log->error("market.unavailable error=\"{}\"", st.error().message);
      std::cerr << "autotrader: market: " << st.error().message << " (running without)\n";
      venue_feed_.reset();
      market_done_ = true;
      return;
    }
    log->info("market.venue_stream symbols={}", symbols.size());
    if (cfg_.strategy.demo.enabled && args_.decisions_path.empty()) demo_ = make_demo();
  }

  std::unique_ptr<engine::DemoStrategy> make_demo() {
    const auto& d = cfg_.strategy.demo;
    engine::DemoStrategyOptions o;
    o.symbols = d.symbols.empty() ? cfg_.market.symbols : d.symbols;
    if (o.symbols.empty())
      for (const auto& r : venue_->venue->instruments()) o.symbols.push_back(r.symbol);
    o.interval_ms = d.interval_ms;
    OrderType t = OrderType::kLimit;
    parse(d.order_type, t);
    o.order_type = t;
    o.limit_offset_bps = d.limit_offset_bps;
    o.seed = d.seed;
    for (const auto& r : venue_->venue->instruments()) {
      o.tick[r.symbol] = r.tick_size;
      auto q = d.quantity.find(r.symbol);
      o.quantity[r.symbol] = q != d.quantity.end()     ? q->second
                             : r.min_qty.is_positive() ? r.min_qty
                                                       : r.lot_size;
    }
    auto s = std::make_unique<engine::DemoStrategy>(o);
    // Continue numbering after the journal's last demo decision: ids are never reused (archived
    // decisions count too).
    s->set_counter(engine_->state().oms().decisions_seen());
    return s;
  }

  void pump_market() {
    if (stopping_ || !replayer_) return;
    for (int burst = 0; burst < 1000; ++burst) {
      auto ev = replayer_->pop_if_due();
      if (!ev) {
        // A malformed recording is bad input: say which file and line, stop gracefully (what
        // is in flight finishes and is journaled) and exit non-zero rather than trade on
        // without prices.
        spdlog::get("autotrader")->error("market.error error=\"{}\"", ev.error().message);
        std::cerr << "autotrader: market: " << ev.error().message << '\n';
        market_done_ = true;
        exit_code_ = kExitBadInput;
        begin_stop("market data error");
        return;
      }
      if (!*ev) break;
      on_market(**ev);
    }
    auto due = replayer_->next_due_ns();
    if (!due || !*due) {
      market_done_ = true;
      return;
    }
    auto wait = std::max<std::int64_t>(0, **due - clock_.monotonic_ns());
    market_timer_->expires_after(std::chrono::nanoseconds(wait));
    market_timer_->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump_market();
    });
  }

  void on_market(const md::MarketEvent& e) {
    ++market_events_;
    if (auto* q = std::get_if<md::Quote>(&e)) {
      venue_->on_quote(*q);
      if (q->bid.is_positive() && q->ask.is_positive()) {
        Price mid = Decimal::divide(
                        q->bid + q->ask, Decimal::from_int(2),
                        std::min(Decimal::kMaxScale, std::max(q->bid.scale(), q->ask.scale()) + 1))
                        .normalized();
        engine_->on_mark(q->symbol, mid);
      }
      if (demo_ && !stopping_)
        if (auto d = demo_->on_quote(*q, clock_.monotonic_ns()))
          engine_->submit_decision(std::move(*d), [this](engine::DecisionOutcome o) { report(o); });
    } else if (auto* t = std::get_if<md::Trade>(&e)) {
      venue_->on_trade(*t);
    }
  }

  void pump_decisions() {
    while (!stopping_ && feed_.next < feed_.lines.size() &&
           feed_.outstanding < args_.max_outstanding) {
      auto& [line_no, d] = feed_.lines[feed_.next++];
      if (!d) {
        ++feed_.invalid;
        json::object o;
        o["line"] = line_no;
        o["outcome"] = "invalid";
        o["reason"] = "invalid_decision";
        o["detail"] = d.error().message;
        std::cout << json::serialize(o) << std::endl;
        continue;
      }
      ++feed_.outstanding;
      engine_->submit_decision(*d, [this](engine::DecisionOutcome o) {
        --feed_.outstanding;
        report(o);
        pump_decisions();
      });
    }
    maybe_exhausted();
  }

  void report(const engine::DecisionOutcome& o) {
    if (!args_.decisions_path.empty()) std::cout << engine::outcome_json(o) << std::endl;
  }

  void maybe_exhausted() {
    if (!args_.until_exhausted || stopping_) return;
    bool decisions_done = args_.decisions_path.empty() ? market_done_ : feed_.exhausted();
    if (decisions_done && engine_->in_flight() == 0) begin_stop("decisions exhausted");
  }

  void tick_progress() {
    if (stopping_) return;
    progress_timer_ = std::make_unique<asio::steady_timer>(io_, std::chrono::seconds(1));
    progress_timer_->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (!args_.quiet) print_progress();
      maybe_exhausted();
      tick_progress();
    });
  }

  Money pnl() const {
    Money total;
    const auto& pos = engine_->state().positions();
    for (const auto& [k, p] : pos.all()) {
      total += p.realized_pnl;
      if (auto u = pos.unrealized_pnl(p)) total += *u;
    }
    return total;
  }

  void print_progress() {
    const auto& c = engine_->counters();
    const auto& m = engine_->state().metrics();
    bool tty = ::isatty(STDERR_FILENO);
    std::fprintf(
        stderr,
        "%sdecisions %llu  orders %llu  fills %llu  rejects %llu/%llu  dlq %zu  pnl %s  "
        "ack p50/p99 %s/%s ms  seq %llu%s",
        tty ? "\r\033[K" : "", static_cast<unsigned long long>(c.decisions),
        static_cast<unsigned long long>(c.orders), static_cast<unsigned long long>(c.fills),
        static_cast<unsigned long long>(c.risk_rejects),
        static_cast<unsigned long long>(c.venue_rejects),
        engine_->state().dead_letters().open_count(), pnl().rescaled(2).to_string().c_str(),
        ms(m.decision_to_ack().quantile_ns(0.5)).c_str(),
        ms(m.decision_to_ack().quantile_ns(0.99)).c_str(),
        static_cast<unsigned long long>(engine_->last_sequence()), tty ? "" : "\n");
    std::fflush(stderr);
  }

  void begin_stop(std::string reason) {
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = reason;
    if (replayer_) replayer_->request_stop();
    if (market_timer_) market_timer_->cancel();
    if (progress_timer_) progress_timer_->cancel();
    if (venue_feed_) {
      feed_stopping_ = true;
      venue_feed_->stop([this] {
        feed_stopping_ = false;
        if (engine_stopped_) io_.stop();
      });
    }
    // Graceful: let in-flight requests finish (bounded), then journal the stop.
    wait_in_flight(0);
  }

  void wait_in_flight(int rounds) {
    if (engine_->in_flight() > 0 && rounds < 100 && !engine_->failed()) {
      auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
      t->async_wait(
          [this, t, rounds](const boost::system::error_code&) { wait_in_flight(rounds + 1); });
      return;
    }
    control_->stop();
    engine_->stop(stop_reason_, [this] {
      engine_stopped_ = true;
      if (!feed_stopping_) io_.stop();  // else once the market stream has closed
    });
  }

  void print_summary() {
    if (::isatty(STDERR_FILENO) && !args_.quiet) std::fprintf(stderr, "\n");
    const auto& c = engine_->counters();
    const auto& st = engine_->state();
    const auto& m = st.metrics();
    double secs = static_cast<double>(clock_.monotonic_ns() - start_ns_) / 1e9;
    if (args_.json_summary) {
      json::object o;
      o["stopped"] = stop_reason_;
      o["seconds"] = secs;
      o["decisions"] = c.decisions;
      o["orders"] = c.orders;
      o["fills"] = c.fills;
      o["risk_rejects"] = c.risk_rejects;
      o["venue_rejects"] = c.venue_rejects;
      o["invalid_decisions"] = c.invalid_decisions + feed_.invalid;
      o["dead_letters_open"] = st.dead_letters().open_count();
      o["last_sequence"] = engine_->last_sequence();
      json::array pos;
      for (const auto& [k, p] : st.positions().all()) {
        json::object x;
        x["account"] = k.first;
        x["symbol"] = k.second.str();
        x["quantity"] = p.quantity.to_string();
        x["realized_pnl"] = p.realized_pnl.to_string();
        pos.push_back(std::move(x));
      }
      o["positions"] = std::move(pos);
      std::cerr << json::serialize(o) << '\n';
      return;
    }
    std::fprintf(stderr, "autotrader run: stopped (%s) after %.1f s\n", stop_reason_.c_str(), secs);
    std::fprintf(
        stderr,
        "  decisions %llu, orders %llu, fills %llu, risk rejects %llu, venue rejects %llu, invalid "
        "%llu\n",
        static_cast<unsigned long long>(c.decisions), static_cast<unsigned long long>(c.orders),
        static_cast<unsigned long long>(c.fills), static_cast<unsigned long long>(c.risk_rejects),
        static_cast<unsigned long long>(c.venue_rejects),
        static_cast<unsigned long long>(c.invalid_decisions + feed_.invalid));
    std::fprintf(stderr,
                 "  retries %llu, dead letters open %zu, anomalies %llu, journal seq %llu\n",
                 static_cast<unsigned long long>(c.retries), st.dead_letters().open_count(),
                 static_cast<unsigned long long>(c.anomalies),
                 static_cast<unsigned long long>(engine_->last_sequence()));
    std::fprintf(
        stderr,
        "  latency ms (p50/p99): decision->ack %s/%s, ack->fill %s/%s, decision->fill %s/%s\n",
        ms(m.decision_to_ack().quantile_ns(0.5)).c_str(),
        ms(m.decision_to_ack().quantile_ns(0.99)).c_str(),
        ms(m.ack_to_fill().quantile_ns(0.5)).c_str(), ms(m.ack_to_fill().quantile_ns(0.99)).c_str(),
        ms(m.decision_to_fill().quantile_ns(0.5)).c_str(),
        ms(m.decision_to_fill().quantile_ns(0.99)).c_str());
    std::fprintf(stderr, "  order success rate %.2f%%, P&L %s\n", m.order_success_rate() * 100.0,
                 pnl().to_string().c_str());
    for (const auto& [k, p] : st.positions().all())
      std::fprintf(stderr, "  position %-9s %-8s qty %s avg %s realized %s\n", k.first.c_str(),
                   k.second.str().c_str(), p.quantity.to_string().c_str(),
                   p.average_price().to_string().c_str(), p.realized_pnl.to_string().c_str());
  }

  const config::Config& cfg_;
  RunArgs args_;
  SystemClock clock_;
  asio::io_context io_;
  AsioScheduler scheduler_{io_.get_executor(), clock_};
  std::unique_ptr<VenueHandle> venue_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::ControlServer> control_;
  std::unique_ptr<md::EventSource> source_;
  std::unique_ptr<md::Replayer> replayer_;
  std::unique_ptr<engine::DemoStrategy> demo_;
  std::unique_ptr<VenueMarketFeed> venue_feed_;
  bool feed_stopping_ = false, engine_stopped_ = false;
  std::unique_ptr<asio::steady_timer> market_timer_, progress_timer_;
  DecisionFeed feed_;
  bool stopping_ = false;
  bool market_done_ = false;
  std::string stop_reason_ = "stopped";
  std::uint64_t market_events_ = 0;
  std::int64_t start_ns_ = 0;
  int exit_code_ = kExitOk;
};

config::Config load_config_or_throw(const std::string& path) {
  auto c = path.empty() ? Result<config::Config>(config::default_config())
                        : config::load_config_file(path);
  if (!c)
    throw CliError(c.error().kind == ErrorKind::kIo ? kExitNotFound : kExitUsage,
                   c.error().message);
  return std::move(*c);
}

// Operator commands: through the control socket when an engine runs, else on the journal.
void operator_command(const std::string& journal_path, const json::object& request,
                      const std::function<Status(engine::OfflineOps&)>& offline) {
  auto sock = engine::control_socket_path(journal_path);
  auto r = engine::control_request(sock, json::serialize(request));
  if (r) {
    boost::system::error_code ec;
    auto v = json::parse(*r, ec);
    if (ec || !v.is_object()) throw CliError(kExitFailed, "engine answered garbage: " + *r);
    auto& o = v.as_object();
    if (o.if_contains("ok") && o.at("ok").is_bool() && !o.at("ok").as_bool())
      throw CliError(kExitFailed,
                     o.if_contains("error") ? std::string(o.at("error").as_string()) : *r);
    std::cout << *r << '\n';
    return;
  }
  if (r.error().kind != ErrorKind::kDisconnected) throw CliError(kExitFailed, r.error().message);
  // No engine: append the same events to the journal; the engine acts on them when it starts.
  SystemClock clock;
  auto j = open_journal_for_write(journal_path, clock, /*create=*/false);
  engine::OfflineOps ops(*j, clock);
  check(ops.load(), "replay");
  check(offline(ops), std::string(request.at("cmd").as_string()));
  std::cout << "{\"ok\":true,\"offline\":true}\n";
}

}  // namespace

void add_run_commands(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand(
      "run", "Run the execution engine (the main job): decisions in, orders out");
  run->add_option("--config", args->config_path,
                  "YAML config (default: the embedded paper config)");
  run->add_option("--journal", args->journal_path,
                  "Journal directory (default: journal.path of the config)");
  run->add_option("--decisions", args->decisions_path,
                  "JSON-lines decisions file (disables the demo strategy)");
  run->add_option("--for", args->for_duration, "Stop after this long: 30s, 5m, 1h, 250ms");
  run->add_flag(
      "--until-exhausted", args->until_exhausted,
      "Stop when the decisions (or a finite market) are used up and nothing is in flight");
  run->add_flag("--quiet", args->quiet, "No progress line or info logs");
  run->add_flag("--json-summary", args->json_summary, "Print the final summary as one JSON object");
  run->add_option("--max-outstanding", args->max_outstanding,
                  "Decisions awaiting an outcome at once")
      ->check(CLI::Range(1, 100000));
  run->callback([args] {
    auto cfg = load_config_or_throw(args->config_path);
    Runner r(cfg, *args);
    int code = r.run();
    if (code != 0) throw CLI::RuntimeError("", code);  // the message is already out
  });

  auto who_default = [] {
    const char* u = std::getenv("USER");
    return std::string("cli:") + (u ? u : "operator");
  };

  struct OpArgs {
    std::string journal = default_journal_path();
    std::string reason;
    std::string who;
    std::string id;
    std::string quantity;
    std::string price;
    bool flatten = false;
  };
  auto op = std::make_shared<OpArgs>();
  op->who = who_default();

  auto* kill = app.add_subcommand(
      "kill", "Kill switch: cancel every open order, optionally flatten, HALT trading");
  add_journal_option(*kill, op->journal);
  kill->add_flag("--flatten", op->flatten, "Also close every position with market orders");
  kill->add_option("--reason", op->reason, "Why (journaled)")->default_val("operator kill");
  kill->add_option("--who", op->who, "Who (journaled)");
  kill->callback([op] {
    json::object req{
        {"cmd", "kill"}, {"who", op->who}, {"reason", op->reason}, {"flatten", op->flatten}};
    operator_command(op->journal, req, [op](engine::OfflineOps& o) {
      return o.kill(op->who, op->reason, op->flatten);
    });
  });

  auto* resume = app.add_subcommand("resume", "Set trading ACTIVE again after a kill or REDUCING");
  add_journal_option(*resume, op->journal);
  resume->add_option("--who", op->who, "Who (journaled)");
  resume->callback([op] {
    json::object req{{"cmd", "resume"}, {"who", op->who}};
    operator_command(op->journal, req, [op](engine::OfflineOps& o) {
      return o.set_trading_state(TradingState::kActive, op->who, "resume");
    });
  });

  auto* reduce =
      app.add_subcommand("reduce", "Set trading REDUCING: only exposure-reducing orders pass");
  add_journal_option(*reduce, op->journal);
  reduce->add_option("--who", op->who, "Who (journaled)");
  reduce->add_option("--reason", op->reason, "Why (journaled)")->default_val("operator");
  reduce->callback([op] {
    json::object req{{"cmd", "reduce"}, {"who", op->who}, {"reason", op->reason}};
    operator_command(op->journal, req, [op](engine::OfflineOps& o) {
      return o.set_trading_state(TradingState::kReducing, op->who, op->reason);
    });
  });

  auto* cancel = app.add_subcommand("cancel", "Cancel one order by client order id");
  add_journal_option(*cancel, op->journal);
  cancel->add_option("ID", op->id, "Client order id")->required();
  cancel->callback([op] {
    json::object req{{"cmd", "cancel"}, {"id", op->id}};
    operator_command(op->journal, req,
                     [op](engine::OfflineOps& o) { return o.cancel(ClientOrderId(op->id)); });
  });

  auto* replace = app.add_subcommand(
      "replace", "Replace an order (new total quantity and/or price); needs a running engine");
  add_journal_option(*replace, op->journal);
  replace->add_option("ID", op->id, "Client order id")->required();
  replace->add_option("--quantity", op->quantity, "New total quantity")->required();
  replace->add_option("--price", op->price, "New limit price");
  replace->callback([op] {
    json::object req{
        {"cmd", "replace"}, {"id", op->id}, {"quantity", op->quantity}, {"price", op->price}};
    operator_command(op->journal, req, [](engine::OfflineOps&) -> Status {
      return make_error(ErrorKind::kInvalidArgument,
                        "replace needs a running engine (autotrader run)");
    });
  });

  CLI::App* dlq = nullptr;
  try {
    dlq = app.get_subcommand("dlq");
  } catch (const CLI::OptionNotFound&) {
    dlq = app.add_subcommand("dlq", "Dead-letter queue");
  }
  auto* dretry =
      dlq->add_subcommand("retry", "Send a dead-lettered intent again (same client order id)");
  add_journal_option(*dretry, op->journal);
  dretry->add_option("ID", op->id, "Client order id")->required();
  dretry->add_option("--who", op->who, "Who (journaled)");
  dretry->callback([op] {
    json::object req{{"cmd", "dlq_retry"}, {"id", op->id}, {"who", op->who}};
    operator_command(op->journal, req, [op](engine::OfflineOps& o) {
      return o.dlq_retry(ClientOrderId(op->id), op->who);
    });
  });
  auto* ddrop =
      dlq->add_subcommand("drop", "Give up a dead-lettered intent (the order becomes REJECTED)");
  add_journal_option(*ddrop, op->journal);
  ddrop->add_option("ID", op->id, "Client order id")->required();
  ddrop->add_option("--reason", op->reason, "Why (journaled)")->default_val("operator drop");
  ddrop->add_option("--who", op->who, "Who (journaled)");
  ddrop->callback([op] {
    json::object req{{"cmd", "dlq_drop"}, {"id", op->id}, {"who", op->who}, {"reason", op->reason}};
    operator_command(op->journal, req, [op](engine::OfflineOps& o) {
      return o.dlq_drop(ClientOrderId(op->id), op->who, op->reason);
    });
  });
}

}  // namespace at::cli
