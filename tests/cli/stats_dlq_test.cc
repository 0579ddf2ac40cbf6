// `autotrader stats` and `autotrader dlq show` over journals seeded with `journal import`:
// the bundled fixture (62 events of a made-up session) and small files with known times.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/cli/run_binary.h"

namespace at::cli {
namespace {
using namespace at::cli::testing;
namespace bj = boost::json;

constexpr std::int64_t kMs = 1'000'000;

class StatsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    journal_ = (*dir_ / "journal").string();
    Outcome r = run_binary({"journal", "import", fixture_path(), "--journal", journal_});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static Outcome q(std::vector<std::string> args) {
    args.push_back("--journal");
    args.push_back(journal_);
    return run_binary(args);
  }
  static bj::object json_of(std::vector<std::string> args) {
    args.push_back("--json");
    Outcome r = q(std::move(args));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(split_lines(r.out).size(), 1u) << r.out;
    return bj::parse(r.out).as_object();
  }
  static std::int64_t at(const bj::object& o, std::initializer_list<const char*> path) {
    const bj::value* v = nullptr;
    const bj::object* cur = &o;
    for (const char* k : path) {
      v = &cur->at(k);
      if (v->is_object()) cur = &v->as_object();
    }
    return v->to_number<std::int64_t>();
  }

  static TempDir* dir_;
  static std::string journal_;
};
TempDir* StatsCli::dir_ = nullptr;
std::string StatsCli::journal_;

// Fixture: 8 decisions, 7 orders (at11 at24 at34 filled; at17 cancelled after a part fill;
// at39 dead-lettered; at52 refused by the venue; at57 working), one risk rejection.
TEST_F(StatsCli, JsonCountsEveryOutcomeOfTheFixture) {
  auto s = json_of({"stats"});
  EXPECT_EQ(at(s, {"decisions"}), 8);
  EXPECT_EQ(at(s, {"decisions_by_outcome", "ordered"}), 7);
  EXPECT_EQ(at(s, {"decisions_by_outcome", "risk_rejected"}), 1);
  EXPECT_EQ(at(s, {"orders", "requested"}), 7);
  EXPECT_EQ(at(s, {"orders", "sent"}), 7);
  EXPECT_EQ(at(s, {"orders", "filled"}), 3);
  EXPECT_EQ(at(s, {"orders", "cancelled"}), 1);
  EXPECT_EQ(at(s, {"orders", "rejected"}), 1);
  EXPECT_EQ(at(s, {"orders", "expired"}), 0);
  EXPECT_EQ(at(s, {"orders", "open"}), 2);
  EXPECT_EQ(at(s, {"orders", "dead_lettered"}), 1);
  EXPECT_EQ(at(s, {"fills"}), 5);
  EXPECT_EQ(at(s, {"retries"}), 3);
  EXPECT_DOUBLE_EQ(s.at("success_rate").as_double(), 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.at("dead_letter_rate").as_double(), 1.0 / 7.0);
  EXPECT_EQ(at(s, {"risk_rejects", "max_notional"}), 1);
  EXPECT_EQ(at(s, {"venue_rejects", "Account has insufficient balance for requested action."}), 1);
  EXPECT_EQ(at(s, {"cancels_by_reason", "user"}), 1);

  // decision -> ack: at11 38 ms, at17 42, at24 5313 (after a retry), at34 36, at57 40.
  EXPECT_EQ(at(s, {"latency", "decision_to_ack", "count"}), 5);
  EXPECT_EQ(at(s, {"latency", "decision_to_ack", "max_ns"}), 5313 * kMs);
  const double p50 = static_cast<double>(at(s, {"latency", "decision_to_ack", "p50_ns"}));
  EXPECT_NEAR(p50, 40.0 * kMs, 40.0 * kMs * 0.125);
  // ack -> first fill: 412, 1800, 900, 3100 ms.
  EXPECT_EQ(at(s, {"latency", "ack_to_fill", "count"}), 4);
  EXPECT_EQ(at(s, {"latency", "ack_to_fill", "max_ns"}), 3100 * kMs);
  EXPECT_EQ(at(s, {"latency", "decision_to_fill", "count"}), 4);
  // Imported fills are recorded at their own time.
  EXPECT_EQ(at(s, {"latency", "fill_to_report", "count"}), 5);
  EXPECT_EQ(at(s, {"latency", "fill_to_report", "max_ns"}), 0);
}

TEST_F(StatsCli, TableShowsRatesHistogramsAndReasons) {
  Outcome r = q({"stats"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "success rate:")) << r.out;
  EXPECT_TRUE(contains(r.out, "42.86% (filled / sent)")) << r.out;
  EXPECT_TRUE(contains(r.out, "14.29% (dead-lettered / sent)")) << r.out;
  auto lat = row_of(r.out, "decision->ack");
  ASSERT_EQ(lat.size(), 6u) << r.out;
  EXPECT_EQ(lat[1], "5");
  EXPECT_EQ(lat[5], "5313.000");
  EXPECT_EQ(row_of(r.out, "ack->fill").at(5), "3100.000");
  EXPECT_EQ(row_of(r.out, "fill->report").at(1), "5");
  EXPECT_EQ(row_of(r.out, "max_notional").at(0), "risk");
  EXPECT_EQ(row_of(r.out, "max_notional").back(), "1");
  EXPECT_EQ(row_of(r.out, "ordered").back(), "7");

  Outcome c = q({"stats", "--csv"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(split_lines(c.out).at(0), "key,value");
  EXPECT_TRUE(contains(c.out, "decision_to_ack.max_ns,5313000000")) << c.out;
}

TEST_F(StatsCli, SinceAndSymbolNarrowTheScope) {
  // From 14:02 on: d-0005..d-0008 and their orders at34 (filled), at39 (dead-lettered),
  // at52 (refused), at57 (working).
  auto s = json_of({"stats", "--since", "14:02"});
  EXPECT_EQ(at(s, {"decisions"}), 4);
  EXPECT_EQ(at(s, {"orders", "requested"}), 4);
  EXPECT_EQ(at(s, {"orders", "filled"}), 1);
  EXPECT_EQ(at(s, {"orders", "rejected"}), 1);
  EXPECT_EQ(at(s, {"orders", "dead_lettered"}), 1);
  EXPECT_TRUE(s.at("risk_rejects").as_object().empty());
  EXPECT_EQ(at(s, {"latency", "decision_to_ack", "count"}), 2);  // at34, at57
  EXPECT_EQ(s.at("since").as_string(), "2026-01-02T14:02:00.000000000Z");

  // ETH-USDT: at17 (cancelled), at39 (dead-lettered), at57 (working): nothing filled.
  auto e = json_of({"stats", "--symbol", "ETH-USDT"});
  EXPECT_EQ(at(e, {"decisions"}), 3);
  EXPECT_EQ(at(e, {"orders", "requested"}), 3);
  EXPECT_EQ(at(e, {"orders", "cancelled"}), 1);
  EXPECT_EQ(at(e, {"orders", "filled"}), 0);
  EXPECT_DOUBLE_EQ(e.at("success_rate").as_double(), 0.0);
  EXPECT_EQ(at(e, {"fills"}), 1);  // at17's part fill

  // A symbol that never traded: no rate rather than a made-up 0 % or 100 %.
  auto none = json_of({"stats", "--symbol", "SOL-USDT"});
  EXPECT_EQ(at(none, {"orders", "requested"}), 0);
  EXPECT_TRUE(none.at("success_rate").is_null());
}

TEST_F(StatsCli, FillToReportComesFromTheFillsOwnTimeAndItsRecordedTime) {
  TempDir t;
  const std::string path = (t / "j").string();
  // One order: decided at .000, acknowledged at .004, executed by the venue at .010 and
  // reported (recorded) at .017.
  write_file(
      t / "session.jsonl",
      R"({"type":"DecisionReceived","ts":"2026-03-01T10:00:00.000Z","decision_id":"x1","source":"test","symbol":"BTC-USDT","action":"LONG","size":"1"})"
      "\n"
      R"({"type":"OrderRequested","ts":"2026-03-01T10:00:00.000Z","client_order_id":"at2","decision_id":"x1","account":"a","venue":"v","symbol":"BTC-USDT","side":"BUY","order_type":"MARKET","quantity":"1","tif":"GTC"})"
      "\n"
      R"({"type":"OrderSent","ts":"2026-03-01T10:00:00.001Z","client_order_id":"at2","attempt":1})"
      "\n"
      R"({"type":"OrderAccepted","ts":"2026-03-01T10:00:00.004Z","client_order_id":"at2","venue_order_id":"v2"})"
      "\n"
      R"({"type":"OrderFilled","ts":"2026-03-01T10:00:00.010Z","recorded_ts":"2026-03-01T10:00:00.017Z","client_order_id":"at2","venue_order_id":"v2","trade_id":"t1","venue":"v","account":"a","symbol":"BTC-USDT","side":"BUY","quantity":"1","price":"100","commission":"0","commission_asset":"USDT","liquidity":"TAKER"})"
      "\n");
  Outcome imp =
      run_binary({"journal", "import", (t / "session.jsonl").string(), "--journal", path});
  ASSERT_EQ(imp.code, 0) << imp.err;
  Outcome r = run_binary({"stats", "--json", "--journal", path});
  ASSERT_EQ(r.code, 0) << r.err;
  auto s = bj::parse(r.out).as_object();
  EXPECT_EQ(at(s, {"latency", "decision_to_ack", "max_ns"}), 4 * kMs);
  EXPECT_EQ(at(s, {"latency", "ack_to_fill", "max_ns"}), 13 * kMs);  // recorded .004 -> .017
  EXPECT_EQ(at(s, {"latency", "decision_to_fill", "max_ns"}), 17 * kMs);
  EXPECT_EQ(at(s, {"latency", "fill_to_report", "count"}), 1);
  EXPECT_EQ(at(s, {"latency", "fill_to_report", "p50_ns"}), 7 * kMs);
  EXPECT_EQ(at(s, {"latency", "fill_to_report", "max_ns"}), 7 * kMs);
  EXPECT_DOUBLE_EQ(s.at("success_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(s.at("dead_letter_rate").as_double(), 0.0);
}

TEST_F(StatsCli, BadArgumentsAndMissingJournal) {
  for (std::vector<std::string> args : {std::vector<std::string>{"stats", "--since", "noon"},
                                        {"stats", "--symbol", "BTC--USDT"},
                                        {"stats", "--json", "--csv"}}) {
    Outcome r = q(args);
    EXPECT_EQ(r.code, 2) << args[1] << ": " << r.err;
    EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  }
  TempDir t;
  Outcome m = run_binary({"stats", "--journal", (t / "nope").string()});
  EXPECT_EQ(m.code, 3);
  EXPECT_EQ(m.err, "autotrader: no journal at " + (t / "nope").string() + "\n");
  EXPECT_FALSE(fs::exists(t / "nope"));
}

// --- dlq show -----------------------------------------------------------------------------------

TEST_F(StatsCli, DlqShowGivesTheDeadLetterInFull) {
  Outcome r = q({"dlq", "show", "at39"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s :
       {"client order id:", "at39", "state:", "OPEN", "operation:", "submit",
        "retries exhausted: transient 503 Service Unavailable", "error kind:", "transient",
        "Service Unavailable", "attempts:", "venue code:", "503",
        "BUY 2.0000 ETH-USDT LIMIT @ 2205.00 GTC on binance", "d-0006", "dlq retry", "PENDING"})
    EXPECT_TRUE(contains(r.out, s)) << s << "\n" << r.out;
  // The event history: every event of the order, from the intent to the dead letter.
  for (const char* type :
       {"OrderRequested", "OrderSent", "VenueErrorOccurred", "RetryScheduled", "DeadLettered"})
    EXPECT_FALSE(row_of(r.out, type).empty()) << type << "\n" << r.out;

  auto v = json_of({"dlq", "show", "at39"});
  EXPECT_EQ(v.at("state").as_string(), "OPEN");
  EXPECT_EQ(v.at("attempts").as_int64(), 3);
  EXPECT_EQ(v.at("error_kind").as_string(), "transient");
  EXPECT_EQ(v.at("error_message").as_string(), "Service Unavailable");
  EXPECT_EQ(v.at("venue_code").as_int64(), 503);
  EXPECT_EQ(v.at("order_status").as_string(), "PENDING");
  EXPECT_EQ(v.at("intent").at("type").as_string(), "OrderRequested");
  EXPECT_EQ(v.at("intent").at("quantity").as_string(), "2.0000");
  const auto& ev = v.at("events").as_array();
  ASSERT_EQ(ev.size(), 10u);  // seq 39..48
  EXPECT_EQ(ev.front().at("seq").as_int64(), 39);
  EXPECT_EQ(ev.back().at("type").as_string(), "DeadLettered");
}

TEST_F(StatsCli, DlqShowAfterARetryAndADropSaysSo) {
  TempDir t;
  const std::string path = (t / "j").string();
  ASSERT_EQ(run_binary({"journal", "import", fixture_path(), "--journal", path}).code, 0);
  Outcome retry = run_binary({"dlq", "retry", "at39", "--who", "ops-anna", "--journal", path});
  ASSERT_EQ(retry.code, 0) << retry.err;
  Outcome r = run_binary({"dlq", "show", "at39", "--json", "--journal", path});
  ASSERT_EQ(r.code, 0) << r.err;
  auto v = bj::parse(r.out).as_object();
  EXPECT_EQ(v.at("state").as_string(), "RETRIED");
  EXPECT_EQ(v.at("closed_by").as_string(), "ops-anna");
  EXPECT_EQ(v.at("events").as_array().back().at("type").as_string(), "DeadLetterRetried");
  // Still listed with --all, no longer among the open ones.
  EXPECT_TRUE(contains(run_binary({"dlq", "list", "--journal", path}).out, "no open dead letters"));
}

TEST_F(StatsCli, DlqShowOfAnUnknownOrAHealthyOrderIsNotFound) {
  Outcome r = q({"dlq", "show", "nope"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, "autotrader: no dead letter with order id 'nope'\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
  Outcome healthy = q({"dlq", "show", "at11"});
  EXPECT_EQ(healthy.code, 3);
  EXPECT_EQ(healthy.err, "autotrader: order 'at11' was never dead-lettered\n");
  Outcome missing_arg = q({"dlq", "show"});
  EXPECT_EQ(missing_arg.code, 2);
  Outcome help = run_binary({"dlq", "show", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_TRUE(contains(help.out, "Usage"));
  Outcome shelp = run_binary({"stats", "--help"});
  EXPECT_EQ(shelp.code, 0);
  EXPECT_TRUE(contains(shelp.out, "--since"));
}

}  // namespace
}  // namespace at::cli
