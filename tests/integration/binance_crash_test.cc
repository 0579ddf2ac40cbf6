// Crash test through the Binance adapter: `autotrader run` (broker: binance) trades against
// `autotrader sim binance` running as a separate process on loopback. The engine is killed with
// SIGKILL at random moments many times and restarted on the same journal while the test moves
// the simulator's market (so resting orders fill while the engine is up, down or recovering);
// a last run goes to the end (--until-exhausted). Then, from the simulator's own logs and a
// clean replay of the journal:
//   (a) no intent was placed twice: every client order id the simulator accepted an order for
//       belongs to exactly one OrderRequested, was accepted at most once, and no decision got
//       orders under two ids;
//   (b) every simulator fill of our account is in the journal exactly once (same trade id,
//       order, quantity, price, commission), and the journal has no fill the simulator lacks;
//   (c) positions from the replay (base quantity, quote cash flow = realized P&L - cost basis,
//       commissions per asset) equal the simulator's balance changes, to the last decimal;
//   (d) every decision of the file was journaled once and has an outcome: refused by risk, or
//       an order that left PENDING/UNKNOWN.
// Seeded (AT_CRASH_SEED=<n> repeats a run; the seed is printed on failure) and bounded in time.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "journal/journal.h"
#include "platform/system_clock.h"
#include "projections/projections.h"
#include "tests/support/child_process.h"

namespace at {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

using testing::Child;
using testing::drain;
using testing::reap;
using testing::spawn;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One blocking HTTP/1.1 request to the simulator's control endpoints on loopback.
json::value sim_call(std::uint16_t port, http::verb verb, const std::string& target,
                     const std::string& body = {}) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(s, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  if (res.result_int() != 200)
    throw std::runtime_error(target + ": HTTP " + std::to_string(res.result_int()) + " " +
                             res.body());
  return json::parse(res.body());
}

// The simulator's market, moved by the test: both symbols quote around a base price, and the
// test shifts them up or down so that resting limit orders cross.
struct Market {
  std::uint16_t port = 0;
  void quote(const std::string& symbol, const std::string& bid, const std::string& ask,
             const std::string& size) {
    json::object o{
        {"symbol", symbol}, {"bid", bid}, {"ask", ask}, {"bidQty", size}, {"askQty", size}};
    sim_call(port, http::verb::post, "/sim/market", json::serialize(o));
  }
  // level -1: low, 0: base, 1: high.
  void set(int level) {
    static const char* btc_bid[] = {"49920.00", "50000.00", "50080.00"};
    static const char* btc_ask[] = {"49920.10", "50000.10", "50080.10"};
    static const char* eth_bid[] = {"0.04990000", "0.05000000", "0.05010000"};
    static const char* eth_ask[] = {"0.04990100", "0.05000100", "0.05010100"};
    quote("BTCUSDT", btc_bid[level + 1], btc_ask[level + 1], "0.05000");
    quote("ETHBTC", eth_bid[level + 1], eth_ask[level + 1], "1.00000000");
  }
};

// Decisions: MARKET orders, marketable LIMIT IOC orders and resting LIMIT GTC orders on
// BTC-USDT and ETH-BTC, sizes within the simulator's filters (LOT_SIZE, PRICE_FILTER, NOTIONAL)
// and varied so that no two open orders are identical. Resting orders are buys on BTC-USDT and
// sells on ETH-BTC only, and the marketable ones never rest: our own orders never cross each
// other (the venue would expire them by self-trade prevention instead of filling them).
std::vector<std::string> make_decisions(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const bool btc = (i % 2) == 0;
    const int kind = (i / 2) % 3;  // 0 MARKET, 1 marketable LIMIT IOC, 2 resting LIMIT GTC
    bool buy = ((i / 6) % 2) == 0;
    if (kind == 2) buy = btc;
    json::object d;
    d["decision_id"] = "bx" + std::to_string(i);
    d["action"] = buy ? "LONG" : "SHORT";
    d["symbol"] = btc ? "BTC-USDT" : "ETH-BTC";
    char size[32];
    if (btc)
      std::snprintf(size, sizeof size, "0.%05d", 100 + (i / 2) % 3000);  // 0.00100-0.03099
    else
      std::snprintf(size, sizeof size, "0.%08d", 1000000 + (i / 2) * 10);  // from 0.01
    d["size"] = size;
    if (kind == 0) {
      d["order_type"] = "MARKET";
    } else if (kind == 1) {
      // Through the far touch at every level the market moves to.
      d["order_type"] = "LIMIT";
      d["time_in_force"] = "IOC";
      d["limit_price"] =
          btc ? (buy ? "50200.00" : "49800.00") : (buy ? "0.05030000" : "0.04970000");
    } else {
      // Behind the touch at the base level; crossed when the market moves (BTC down, ETH up).
      d["order_type"] = "LIMIT";
      d["limit_price"] = btc ? "49950.00" : "0.05005000";
    }
    out.push_back(json::serialize(d));
  }
  return out;
}

Decimal dec(const json::value& v) {
  auto d = Decimal::parse(std::string(v.as_string()));
  if (!d) throw std::runtime_error("not a decimal: " + json::serialize(v));
  return *d;
}

std::map<std::string, Decimal> totals(const json::value& balances) {
  std::map<std::string, Decimal> out;
  for (const auto& [asset, b] : balances.as_object())
    out[std::string(asset)] = dec(b.at("free")) + dec(b.at("locked"));
  return out;
}

// `autotrader sim binance` in a process of its own, on the port it reports (bounded wait);
// terminated when this goes out of scope.
struct SimProcess {
  SimProcess(const std::vector<std::string>& args, const fs::path& dir)
      : child(spawn(args, (dir / "sim-stderr.log").string())) {
    for (auto t0 = Clock::now(); port == 0 && Clock::now() - t0 < std::chrono::seconds(20);) {
      if (!drain(child, 100)) break;
      for (const auto& l : child.lines)
        if (l.rfind("sim.binance.listening port=", 0) == 0)
          port = static_cast<std::uint16_t>(std::atoi(l.c_str() + 27));
    }
  }
  ~SimProcess() {
    if (child.pid > 0) {
      kill(child.pid, SIGTERM);
      reap(child);
    }
  }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;
  Child child;
  std::uint16_t port = 0;
};

TEST(BinanceCrashTest, SigkillAtRandomMomentsAgainstSimulatorProcess) {
  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("AT_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  SCOPED_TRACE("AT_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  fs::path dir = fs::temp_directory_path() /
                 ("at-bcrash-" + std::to_string(getpid()) + "-" + std::to_string(rng()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path journal_dir = dir / "journal";

  // --- the simulator, in its own process -------------------------------------------------
  const std::vector<std::string> start_balances = {"USDT=100000000", "BTC=1000", "ETH=10000"};
  std::vector<std::string> sim_args = {AT_BINARY,
                                       "sim",
                                       "binance",
                                       "--port",
                                       "0",
                                       "--market",
                                       "none",
                                       "--api-key",
                                       "crashKey",
                                       "--api-secret",
                                       "crashSecret",
                                       "--orders-per-10s",
                                       "100000",
                                       "--weight-limit",
                                       "1000000",
                                       "--seed",
                                       std::to_string(seed % 1000000)};
  for (const auto& b : start_balances) {
    sim_args.push_back("--balance");
    sim_args.push_back(b);
  }
  SimProcess simp(sim_args, dir);
  const std::uint16_t port = simp.port;
  ASSERT_NE(port, 0) << "simulator did not report its port:\n" << slurp(dir / "sim-stderr.log");

  Market market{port};
  market.set(0);
  auto start = totals(sim_call(port, http::verb::get, "/sim/balances"));
  ASSERT_EQ(start.size(), 3u);
  ASSERT_EQ(start["USDT"], Decimal::of("100000000"));
  ASSERT_EQ(start["BTC"], Decimal::of("1000"));
  ASSERT_EQ(start["ETH"], Decimal::of("10000"));

  // --- the engine's config and decisions ---------------------------------------------------
  const fs::path cfg = dir / "binance.yaml";
  {
    std::ofstream f(cfg);
    f << "execution:\n"
         "  broker: binance\n"
         "  binance:\n"
         "    api_key: crashKey\n"
         "    api_secret: crashSecret\n"
         "    environment: sim\n"
         "    base_url: http://127.0.0.1:"
      << port << "\n"
      << "    ws_url: ws://127.0.0.1:" << port << "/ws-api/v3\n"
      << "  oms:\n"
         "    max_open_orders: 5000\n"
         "    order_timeout_seconds: 1\n"
         "  resiliency:\n"
         "    request_timeout_seconds: 5\n"
         "  risk:\n"
         "    kill_switch:\n"
         "      max_rejects: 100000\n"
         "      window_seconds: 1\n"
         "  journal:\n"
         "    durability: sync\n"
         "    snapshot_every: 300\n"
         "  market:\n"
         "    source: generated\n"
         "    symbols: [BTC-USDT, ETH-BTC]\n"
         "  strategy:\n"
         "    demo:\n"
         "      enabled: false\n";
  }
  const int kDecisions = 6000;
  const fs::path decisions = dir / "decisions.jsonl";
  std::set<std::string> decision_ids;
  {
    std::ofstream f(decisions);
    int i = 0;
    for (const auto& line : make_decisions(kDecisions)) {
      f << line << '\n';
      decision_ids.insert("bx" + std::to_string(i++));
    }
  }
  const std::vector<std::string> args = {AT_BINARY,           "run",
                                         "--config",          cfg.string(),
                                         "--journal",         journal_dir.string(),
                                         "--decisions",       decisions.string(),
                                         "--until-exhausted", "--quiet",
                                         "--max-outstanding", "3"};

  // --- SIGKILL at random moments while the market moves ---------------------------------------
  const auto deadline = Clock::now() + std::chrono::seconds(100);
  int kills = 0, level = 0, step = 0;
  auto move_market = [&] {
    static const int cycle[] = {0, 1, 0, -1};
    level = cycle[++step % 4];
    market.set(level);
  };
  bool finished_early = false;
  for (int round = 0; round < 20 && Clock::now() < deadline; ++round) {
    Child c = spawn(args, (dir / "stderr.log").string());
    auto kill_after = std::chrono::milliseconds(80 + rng() % 500);
    auto t0 = Clock::now(), last_move = t0;
    bool open = true;
    while (open && Clock::now() - t0 < kill_after) {
      open = drain(c, 20);
      if (Clock::now() - last_move > std::chrono::milliseconds(120)) {
        move_market();
        last_move = Clock::now();
      }
    }
    if (open) {
      kill(c.pid, SIGKILL);
      ++kills;
    }
    while (drain(c, 50)) {
    }
    int st = reap(c);
    if (!open) {
      // The run ended by itself: every decision was answered before this kill came.
      ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
          << "run exited with " << st << "\n"
          << slurp(dir / "stderr.log").substr(0, 4000);
      finished_early = true;
      break;
    }
    // The market moves while the engine is down too: fills it must find on restart.
    if (rng() % 2) move_market();
  }
  EXPECT_GE(kills, 8) << "too few kills to mean anything";

  // The last run goes to the end on a still market (nothing fills after it has stopped).
  market.set(0);
  Child last = spawn(args, (dir / "last-stderr.log").string());
  auto t0 = Clock::now();
  while (drain(last, 100) && Clock::now() - t0 < std::chrono::seconds(60)) {
  }
  if (Clock::now() - t0 >= std::chrono::seconds(60)) kill(last.pid, SIGKILL);
  int status = reap(last);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "final run status " << status << " (finished early: " << finished_early << ")\n"
      << slurp(dir / "last-stderr.log").substr(0, 4000);
  // "Exhausted" means every decision answered and no request in flight, not that the user
  // stream has delivered every fill: under this load it runs seconds behind, and what it had
  // not delivered at the stop is only reconciled at the next start. One more short start, with
  // no decisions, is that next start.
  {
    Child settle = spawn({AT_BINARY, "run", "--config", cfg.string(), "--journal",
                          journal_dir.string(), "--for", "1s", "--quiet"},
                         (dir / "settle-stderr.log").string());
    auto s0 = Clock::now();
    while (drain(settle, 100) && Clock::now() - s0 < std::chrono::seconds(60)) {
    }
    if (Clock::now() - s0 >= std::chrono::seconds(60)) kill(settle.pid, SIGKILL);
    int ss = reap(settle);
    ASSERT_TRUE(WIFEXITED(ss) && WEXITSTATUS(ss) == 0)
        << "settling run status " << ss << "\n"
        << slurp(dir / "settle-stderr.log").substr(0, 4000);
  }

  // --- what the simulator saw ----------------------------------------------------------------
  json::value orders = sim_call(port, http::verb::get, "/sim/orders");
  std::ofstream(dir / "sim-orders.json") << json::serialize(orders);  // kept on failure
  auto end = totals(sim_call(port, http::verb::get, "/sim/balances"));

  // --- what the journal says -----------------------------------------------------------------
  SystemClock clock;
  auto j = journal::Journal::open_read_only(journal_dir.string(), clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  std::map<std::string, std::string> decision_of;  // client order id -> decision id
  std::map<std::string, int> requested;
  std::map<std::string, int> decided;
  std::map<std::pair<std::string, std::string>, std::vector<OrderFilled>> journal_fills;
  projections::Projections clean;
  auto st = (*j)->read(1, (*j)->last_sequence(), [&](const Envelope& e) {
    clean.apply(e);
    if (auto* r = std::get_if<OrderRequested>(&e.event)) {
      ++requested[r->client_order_id.str()];
      decision_of[r->client_order_id.str()] = r->decision_id.str();
    } else if (auto* d = std::get_if<DecisionReceived>(&e.event)) {
      ++decided[d->decision_id.str()];
    } else if (auto* f = std::get_if<OrderFilled>(&e.event)) {
      journal_fills[{f->symbol.str(), f->trade_id.str()}].push_back(*f);
    }
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.error().describe();

  // (a) No intent placed twice; no two intents under one id.
  std::map<std::string, int> placed;                        // client order id -> orders accepted
  std::map<std::string, std::set<std::string>> placed_for;  // decision -> client order ids
  int place_requests = 0;
  for (const auto& rv : orders.at("requests").as_array()) {
    const auto& r = rv.as_object();
    std::string op(r.at("operation").as_string());
    if (op != "order.place" && op != "order.cancelReplace") continue;
    ++place_requests;
    std::string id(r.at("clientOrderId").as_string());
    if (r.at("orderId").to_number<std::uint64_t>() == 0) continue;  // refused: no order made
    ++placed[id];
    EXPECT_TRUE(requested.count(id))
        << "the simulator has an order " << id << " that the journal never requested";
    if (decision_of.count(id)) placed_for[decision_of[id]].insert(id);
  }
  EXPECT_GT(place_requests, kDecisions / 2);
  for (const auto& [id, n] : placed)
    EXPECT_EQ(n, 1) << "one intent placed " << n << " times: " << id;
  for (const auto& [id, n] : requested)
    EXPECT_EQ(n, 1) << "client order id requested twice: " << id;
  for (const auto& [d, ids] : placed_for)
    EXPECT_EQ(ids.size(), 1u) << "decision " << d << " has orders under " << ids.size() << " ids";

  // (b) Every simulator fill of our account in the journal exactly once, and nothing else.
  std::size_t sim_fills = 0;
  for (const auto& fv : orders.at("fills").as_array()) {
    const auto& f = fv.as_object();
    if (f.at("account").as_string() != "main") continue;
    ++sim_fills;
    std::pair<std::string, std::string> key{
        std::string(f.at("symbol").as_string()),
        std::to_string(f.at("tradeId").to_number<std::int64_t>())};
    auto it = journal_fills.find(key);
    if (it == journal_fills.end()) {
      ADD_FAILURE() << "simulator fill " << key.first << " #" << key.second << " of order "
                    << f.at("clientOrderId").as_string() << " is not in the journal";
      continue;
    }
    ASSERT_EQ(it->second.size(), 1u) << "fill " << key.first << " #" << key.second << " journaled "
                                     << it->second.size() << " times";
    const OrderFilled& jf = it->second.front();
    EXPECT_EQ(jf.client_order_id.str(), std::string(f.at("clientOrderId").as_string()));
    EXPECT_EQ(jf.quantity, dec(f.at("qty"))) << key.second;
    EXPECT_EQ(jf.price, dec(f.at("price"))) << key.second;
    EXPECT_EQ(jf.commission, dec(f.at("commission"))) << key.second;
    EXPECT_EQ(jf.commission_asset, std::string(f.at("commissionAsset").as_string()));
  }
  EXPECT_EQ(journal_fills.size(), sim_fills) << "the journal has fills the simulator never made";
  EXPECT_GT(sim_fills, static_cast<std::size_t>(kDecisions / 20));  // sanity: it traded

  // (c) Positions from the clean replay equal the simulator's balance changes.
  std::map<std::string, Decimal> moved;
  for (const auto& [key, p] : clean.positions().all()) {
    moved[std::string(p.symbol.base())] += p.quantity;
    moved[std::string(p.symbol.quote())] += p.realized_pnl - p.cost_basis;
    for (const auto& [asset, c] : p.commissions) moved[asset] -= c;
  }
  for (const auto& [asset, s] : start) {
    Decimal change = end[asset] - s;
    EXPECT_EQ(moved[asset], change) << asset << ": journal says " << moved[asset].to_string()
                                    << ", simulator moved " << change.to_string();
  }
  EXPECT_EQ(end.size(), start.size());

  // (d) Every decision journaled once, each with an outcome.
  for (const auto& id : decision_ids) {
    EXPECT_EQ(decided[id], 1) << "decision " << id << " journaled " << decided[id] << " times";
    const auto* rec = clean.oms().find_decision(DecisionId(id));
    if (!rec) continue;
    if (!rec->risk_rejection.empty()) continue;
    ASSERT_FALSE(rec->orders.empty()) << "decision " << id << " has neither order nor rejection";
    for (const auto& oid : rec->orders) {
      const auto* o = clean.oms().find(oid);
      ASSERT_NE(o, nullptr);
      EXPECT_NE(o->order.status, OrderStatus::kPending) << id << " " << oid.str();
      EXPECT_NE(o->order.status, OrderStatus::kUnknown) << id << " " << oid.str();
    }
  }
  for (const auto& a : clean.oms().anomalies())
    ADD_FAILURE() << "anomaly at seq " << a.sequence << ": " << a.kind << " "
                  << a.client_order_id.str() << " " << a.detail;
  std::cerr << "binance crash test: seed " << seed << ", " << kills << " kills"
            << (finished_early ? " (a run finished before its kill)" : "") << ", " << place_requests
            << " placements, " << sim_fills << " fills, " << orders.at("requests").as_array().size()
            << " order requests at the simulator\n";
  if (!HasFailure())
    fs::remove_all(dir);
  else
    std::cerr << "binance crash test: files kept in " << dir << "\n";
}

// `autotrader run` with broker binance and no decisions file: the demo strategy trades on the
// venue's own prices, which come from the simulator's public bookTicker stream (market.symbols),
// and the stream's connection is journaled under its own name.
TEST(BinanceRun, DemoStrategyTradesOnTheVenuesBookTicker) {
  fs::path dir = fs::temp_directory_path() / ("at-brun-" + std::to_string(getpid()) + "-" +
                                              std::to_string(std::random_device{}()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SimProcess sim({AT_BINARY, "sim", "binance", "--port", "0", "--market", "none", "--api-key",
                  "runKey", "--api-secret", "runSecret"},
                 dir);
  ASSERT_NE(sim.port, 0) << slurp(dir / "sim-stderr.log");
  Market market{sim.port};
  market.set(0);

  const fs::path cfg = dir / "binance.yaml";
  std::ofstream(cfg) << "execution:\n"
                        "  broker: binance\n"
                        "  binance:\n"
                        "    api_key: runKey\n"
                        "    api_secret: runSecret\n"
                        "    environment: sim\n"
                        "    base_url: http://127.0.0.1:"
                     << sim.port << "\n"
                     << "    ws_url: ws://127.0.0.1:" << sim.port << "/ws-api/v3\n"
                     << "  market:\n"
                        "    symbols: [BTC-USDT]\n"
                        "  strategy:\n"
                        "    demo:\n"
                        "      enabled: true\n"
                        "      symbols: [BTC-USDT]\n"
                        "      interval_ms: 200\n"
                        "      order_type: market\n"
                        "      quantity: { BTC-USDT: 0.001 }\n";
  const fs::path journal_dir = dir / "journal";
  Child run = spawn({AT_BINARY, "run", "--config", cfg.string(), "--journal", journal_dir.string(),
                     "--for", "4s", "--quiet"},
                    (dir / "run-stderr.log").string());
  // Quotes keep coming while it runs (the demo strategy acts on quote updates).
  for (auto t0 = Clock::now(); Clock::now() - t0 < std::chrono::seconds(30);) {
    market.set(static_cast<int>((Clock::now() - t0) / std::chrono::milliseconds(300)) % 2);
    if (!drain(run, 100)) break;
  }
  if (run.pid > 0 && kill(run.pid, 0) == 0) kill(run.pid, SIGKILL);
  int status = reap(run);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "run status " << status << "\n"
      << slurp(dir / "run-stderr.log").substr(0, 4000);

  SystemClock clock;
  auto j = journal::Journal::open_read_only(journal_dir.string(), clock);
  ASSERT_TRUE(j.ok()) << j.error().describe();
  int marks = 0, demo_decisions = 0, fills = 0, md_connected = 0;
  ASSERT_TRUE((*j)->read(1, (*j)->last_sequence(),
                         [&](const Envelope& e) {
                           if (auto* m = std::get_if<MarkPriceUpdated>(&e.event))
                             marks += m->symbol == Symbol::of("BTC-USDT");
                           if (auto* d = std::get_if<DecisionReceived>(&e.event))
                             demo_decisions += d->source == "demo";
                           fills += std::holds_alternative<OrderFilled>(e.event);
                           if (auto* c = std::get_if<VenueConnectionChanged>(&e.event))
                             md_connected += c->venue == "binance-md" &&
                                             c->state == ConnectionState::kConnected;
                           return true;
                         })
                  .ok());
  EXPECT_GE(marks, 1) << "no mark from the bookTicker stream";
  EXPECT_GE(demo_decisions, 2);
  EXPECT_GE(fills, 1);
  EXPECT_GE(md_connected, 1);
  if (!HasFailure())
    fs::remove_all(dir);
  else
    std::cerr << "binance run test: files kept in " << dir << "\n";
}

}  // namespace
}  // namespace at
