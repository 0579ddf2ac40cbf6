// `autotrader run` driven by a recorded market file (a small generic_quotes CSV written by the
// test) and a decisions file, to the end with --until-exhausted: outcomes on stdout, fills at
// the file's prices and positions in the journal. Also the bad inputs of a run: malformed
// decisions (each answered with a reason, the rest unaffected), a bad market file (file and
// line named, non-zero exit), a bad config (key path named, nothing started).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "domain/decimal.h"
#include "tests/cli/run_binary.h"

namespace at::cli {
namespace {
using namespace at::cli::testing;
namespace bj = boost::json;

// Two quotes; the orders reach the venue after the whole (fast-paced) file was read, so they
// trade against the second: ask 42012.50 x 2, bid 42005.00 x 2.
constexpr const char* kQuotes =
    "ts,symbol,bid,ask,bid_size,ask_size\n"
    "2024-01-02T14:30:00Z,BTC-USDT,42000.00,42010.00,1.5,1.5\n"
    "2024-01-02T14:30:01Z,BTC-USDT,42005.00,42012.50,2,2\n";

std::string config_for(const fs::path& quotes) {
  return "execution:\n"
         "  broker: paper\n"
         "  paper:\n"
         "    initial_balance: 100000\n"
         "    latency_ms: 1\n"
         "    slippage_bps: 0\n"
         "    commission_bps: 10\n"
         "  oms: {max_open_orders: 10, order_timeout_seconds: 0}\n"
         "  journal: {durability: none}\n"
         "  market:\n"
         "    source: file\n"
         "    pace: fast\n"
         "    files:\n"
         "      - {path: " +
         quotes.string() +
         ", format: generic_quotes, symbol: BTC-USDT}\n"
         "  strategy:\n"
         "    demo: {enabled: false}\n";
}

struct Session {
  TempDir dir;
  fs::path quotes = dir / "quotes.csv";
  fs::path config = dir / "paper.yaml";
  fs::path decisions = dir / "decisions.jsonl";
  std::string journal = (dir / "journal").string();

  explicit Session(const std::string& quotes_csv, const std::string& decisions_jsonl) {
    write_file(quotes, quotes_csv);
    write_file(config, config_for(quotes));
    write_file(decisions, decisions_jsonl);
  }
  Outcome run() {
    return run_binary({"run", "--config", config.string(), "--journal", journal, "--decisions",
                       decisions.string(), "--until-exhausted", "--quiet"});
  }
  Outcome query(std::vector<std::string> args) {
    args.push_back("--journal");
    args.push_back(journal);
    return run_binary(args);
  }
};

// Outcome lines on stdout, keyed by decision id (or "line N" for lines that did not parse).
std::map<std::string, bj::object> outcomes(const std::string& out) {
  std::map<std::string, bj::object> m;
  for (const auto& l : split_lines(out)) {
    auto o = bj::parse(l).as_object();
    std::string key = o.contains("decision_id") ? std::string(o.at("decision_id").as_string())
                                                : "line " + std::to_string(o.at("line").as_int64());
    m[key] = std::move(o);
  }
  return m;
}

std::string str(const bj::object& o, const char* k) {
  return o.contains(k) ? std::string(o.at(k).as_string()) : std::string();
}
std::string dec(const bj::value& v) {
  return Decimal::of(std::string(v.as_string())).normalized().to_string();
}

TEST(RunMarketFile, DecisionsTradeAtTheFilesPricesAndTheJournalHasIt) {
  Session s(
      kQuotes,
      R"({"decision_id":"m1","action":"LONG","symbol":"BTC-USDT","size":"0.5","order_type":"MARKET"})"
      "\n"
      R"({"decision_id":"m2","action":"SHORT","symbol":"BTC-USDT","size":"0.2","limit_price":"42005.00"})"
      "\n"
      R"({"decision_id":"m3","action":"LONG","symbol":"BTC-USDT","size":"0.1","limit_price":"41000.00"})"
      "\n"
      R"({"decision_id":"h1","action":"HOLD","symbol":"BTC-USDT","size":"0"})"
      "\n");
  Outcome r = s.run();
  ASSERT_EQ(r.code, 0) << r.err;
  auto out = outcomes(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;
  for (const char* id : {"m1", "m2", "m3"}) {
    EXPECT_EQ(str(out[id], "outcome"), "ordered") << id << ": " << r.out;
    EXPECT_FALSE(str(out[id], "client_order_id").empty()) << id;
  }
  EXPECT_EQ(str(out["h1"], "outcome"), "held");

  // Fills: the market buy took the second quote's ask, the sell limit its bid.
  Outcome fills = s.query({"fills", "--json"});
  ASSERT_EQ(fills.code, 0) << fills.err;
  std::map<std::string, bj::object> by_order;
  for (const auto& l : split_lines(fills.out)) {
    auto o = bj::parse(l).as_object();
    by_order[str(o, "order")] = o;
  }
  ASSERT_EQ(by_order.size(), 2u) << fills.out;
  const auto& buy = by_order.at(str(out["m1"], "client_order_id"));
  EXPECT_EQ(dec(buy.at("price")), "42012.5");
  EXPECT_EQ(dec(buy.at("quantity")), "0.5");
  EXPECT_EQ(str(buy, "side"), "BUY");
  const auto& sell = by_order.at(str(out["m2"], "client_order_id"));
  EXPECT_EQ(dec(sell.at("price")), "42005");
  EXPECT_EQ(dec(sell.at("quantity")), "0.2");

  // Position: +0.5 - 0.2 at 42012.50; the 0.2 sold 7.50 under cost: realized -1.50.
  Outcome pos = s.query({"positions", "--json"});
  ASSERT_EQ(pos.code, 0) << pos.err;
  auto lines = split_lines(pos.out);
  ASSERT_EQ(lines.size(), 1u) << pos.out;
  auto p = bj::parse(lines[0]).as_object();
  EXPECT_EQ(str(p, "symbol"), "BTC-USDT");
  EXPECT_EQ(dec(p.at("quantity")), "0.3");
  EXPECT_EQ(dec(p.at("avg_price")), "42012.5");
  EXPECT_EQ(dec(p.at("realized_pnl")), "-1.5");

  // The resting buy is still working at the venue, as the OMS sees it.
  Outcome open = s.query({"orders", "list", "--open", "--json"});
  auto ol = split_lines(open.out);
  ASSERT_EQ(ol.size(), 1u) << open.out;
  EXPECT_EQ(str(bj::parse(ol[0]).as_object(), "order"), str(out["m3"], "client_order_id"));
  EXPECT_EQ(s.query({"replay", "--verify"}).code, 0);

  // stats over the journal the run wrote.
  Outcome st = s.query({"stats", "--json"});
  ASSERT_EQ(st.code, 0) << st.err;
  auto v = bj::parse(st.out).as_object();
  EXPECT_EQ(v.at("decisions").as_int64(), 4);
  EXPECT_EQ(v.at("decisions_by_outcome").at("ordered").as_int64(), 3);
  EXPECT_EQ(v.at("decisions_by_outcome").at("held").as_int64(), 1);
  EXPECT_EQ(v.at("orders").at("sent").as_int64(), 3);
  EXPECT_EQ(v.at("orders").at("filled").as_int64(), 2);
  EXPECT_EQ(v.at("orders").at("open").as_int64(), 1);
  EXPECT_EQ(v.at("latency").at("decision_to_ack").at("count").as_int64(), 3);
  // The paper venue answers after its configured 1 ms at the earliest.
  EXPECT_GE(v.at("latency").at("decision_to_ack").at("max_ns").as_int64(), 1'000'000);
  EXPECT_EQ(v.at("latency").at("fill_to_report").at("count").as_int64(), 2);
}

TEST(RunMarketFile, MalformedDecisionsGetAReasonAndTheOthersStillTrade) {
  Session s(
      kQuotes,
      R"({"decision_id":"ok1","action":"LONG","symbol":"BTC-USDT","size":"0.1","order_type":"MARKET"})"
      "\n"
      R"({"decision_id":"b1","action":"LONG","symbol":"DOGE-USDT","size":"1","limit_price":"0.1"})"
      "\n"
      R"({"decision_id":"b2","action":"LONG","symbol":"BTC-USDT","size":"-1","limit_price":"42000.00"})"
      "\n"
      R"({"decision_id":"b3","action":"LONG","symbol":"BTC-USDT","size":"1","order_type":"LIMIT"})"
      "\n"
      "{not json at all\n"
      R"({"decision_id":"b5","action":"LONG","symbol":"BTC-USDT","size":0.1})"
      "\n"
      R"({"decision_id":"ok2","action":"SHORT","symbol":"BTC-USDT","size":"0.1","limit_price":"42005.00"})"
      "\n");
  Outcome r = s.run();
  ASSERT_EQ(r.code, 0) << r.err;
  auto out = outcomes(r.out);
  ASSERT_EQ(out.size(), 7u) << r.out;
  EXPECT_EQ(str(out["ok1"], "outcome"), "ordered");
  EXPECT_EQ(str(out["ok2"], "outcome"), "ordered");
  EXPECT_EQ(str(out["b1"], "reason"), "unknown_symbol");
  EXPECT_TRUE(contains(str(out["b1"], "detail"), "DOGE-USDT")) << str(out["b1"], "detail");
  EXPECT_EQ(str(out["b2"], "reason"), "invalid_decision");
  EXPECT_TRUE(contains(str(out["b2"], "detail"), "size must be positive"));
  EXPECT_EQ(str(out["b3"], "reason"), "invalid_decision");
  EXPECT_TRUE(contains(str(out["b3"], "detail"), "limit_price")) << str(out["b3"], "detail");
  // Lines that do not parse are answered by line number.
  EXPECT_EQ(str(out["line 5"], "outcome"), "invalid");
  EXPECT_TRUE(contains(str(out["line 5"], "detail"), "not valid JSON"));
  EXPECT_TRUE(contains(str(out["line 6"], "detail"), "size")) << str(out["line 6"], "detail");
  for (const char* bad : {"b1", "b2", "b3", "line 5", "line 6"})
    EXPECT_EQ(str(out[bad], "outcome"), "invalid") << bad;

  // Only the good ones reached the journal, and both filled.
  Outcome fills = s.query({"fills", "--json"});
  EXPECT_EQ(split_lines(fills.out).size(), 2u) << fills.out;
  Outcome st = s.query({"journal", "stats", "--json"});
  auto by_type = bj::parse(st.out).at("by_type").as_object();
  EXPECT_EQ(by_type.at("DecisionReceived").as_int64(), 2);
  EXPECT_EQ(by_type.at("OrderRequested").as_int64(), 2);
}

struct BadMarket {
  const char* name;
  const char* third_line;
  const char* expected;
};

TEST(RunMarketFile, BadMarketFileStopsTheRunNamingFileAndLine) {
  const BadMarket cases[] = {
      {"missing-column", "2024-01-02T14:30:01Z,BTC-USDT,42005.00\n", ""},
      {"garbage-price", "2024-01-02T14:30:01Z,BTC-USDT,abc,42012.50\n", "abc"},
  };
  for (const auto& c : cases) {
    Session s(
        std::string("ts,symbol,bid,ask\n2024-01-02T14:30:00Z,BTC-USDT,42000.00,42010.00\n") +
            c.third_line,
        R"({"decision_id":"m1","action":"LONG","symbol":"BTC-USDT","size":"0.1","limit_price":"41000.00"})"
        "\n");
    Outcome r = s.run();
    EXPECT_NE(r.code, 0) << c.name << ": " << r.err;
    EXPECT_NE(r.code, 128 + 9) << c.name << ": the run hung and was killed";
    EXPECT_TRUE(contains(r.err, s.quotes.string() + ":3:")) << c.name << ": " << r.err;
    EXPECT_TRUE(contains(r.err, c.expected)) << c.name << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "autotrader: market")) << c.name << ": " << r.err;
    EXPECT_EQ(r.code, 4) << c.name << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "Runtime error")) << c.name << ": " << r.err;
    // Stopped before any decision was taken: nothing traded on a broken market.
    EXPECT_TRUE(split_lines(r.out).empty()) << r.out;
  }
}

TEST(RunMarketFile, MissingFilesAreNamed) {
  Session s(kQuotes, "");
  fs::remove(s.quotes);
  Outcome r = s.run();
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, "autotrader: market: " + s.quotes.string())) << r.err;

  Session d(kQuotes, "");
  Outcome nod = run_binary({"run", "--config", d.config.string(), "--journal", d.journal,
                            "--decisions", (d.dir / "none.jsonl").string(), "--until-exhausted"});
  EXPECT_EQ(nod.code, 3) << nod.err;
  EXPECT_TRUE(contains(nod.err, "none.jsonl")) << nod.err;
}

TEST(RunMarketFile, BadConfigStopsAtStartNamingTheKeyPath) {
  struct Case {
    const char* name;
    std::string from, to;
    const char* key;
  };
  Session s(kQuotes, "");
  const std::string good = config_for(s.quotes);
  const Case cases[] = {
      {"range", "max_open_orders: 10", "max_open_orders: 0", "execution.oms.max_open_orders"},
      {"type", "slippage_bps: 0", "slippage_bps: lots", "execution.paper.slippage_bps"},
      {"unknown key", "pace: fast", "pace: fast\n    colour: red", "execution.market.colour"},
      {"enum", "format: generic_quotes", "format: csv", "execution.market.files[0].format"},
  };
  for (const auto& c : cases) {
    std::string text = good;
    auto at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.name;
    text.replace(at, c.from.size(), c.to);
    write_file(s.config, text);
    Outcome r = s.run();
    EXPECT_EQ(r.code, 2) << c.name << ": " << r.err;
    EXPECT_TRUE(contains(r.err, c.key)) << c.name << ": " << r.err;
    EXPECT_FALSE(fs::exists(s.journal)) << c.name << ": started anyway";
  }
}

}  // namespace
}  // namespace at::cli
