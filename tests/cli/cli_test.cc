// The `autotrader` binary end to end: each test runs the real executable (AT_BINARY) against
// temporary journals seeded from the bundled fixture, and checks real content, machine
// formats, and that every kind of bad input is one clear line, a non-zero exit, and no change.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "domain/decimal.h"
#include "journal/journal.h"
#include "platform/system_clock.h"
#include "tests/cli/run_binary.h"

namespace {

namespace fs = std::filesystem;

using namespace at::cli::testing;

// Runs the binary with `args` (stdout and stderr captured separately), env unset of
// AUTOTRADER_JOURNAL unless `env` is given.
Outcome run(const std::vector<std::string>& args, const std::string& env = "") {
  return run_binary(args, 120, env);
}

// A decimal's value in its shortest text, so checks do not depend on the projection's scale.
std::string Decimal_of(const boost::json::value& v) {
  return at::Decimal::of(std::string(v.as_string())).normalized().to_string();
}

std::vector<std::string> lines(const std::string& s) { return split_lines(s); }

// The one line on stderr, without its newline; fails the test when there is not exactly one.
std::string one_line(const Outcome& r) {
  auto l = lines(r.err);
  EXPECT_EQ(l.size(), 1u) << "stderr: " << r.err;
  return l.empty() ? std::string() : l[0];
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The table row whose first cells match `prefix` words, split into cells by runs of spaces.
std::vector<std::string> row_with(const std::string& table, const std::string& key) {
  for (const auto& l : lines(table)) {
    std::istringstream in(l);
    std::vector<std::string> cells;
    for (std::string c; in >> c;) cells.push_back(c);
    for (const auto& c : cells)
      if (c == key) return cells;
  }
  return {};
}

// One journal seeded from the fixture for the whole suite; tests that write use their own.
class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    journal_ = (*dir_ / "journal").string();
    Outcome r = run({"journal", "import", fixture_path(), "--journal", journal_});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(has(r.out, "imported 62 events")) << r.out;
  }
  static void TearDownTestSuite() { delete dir_; }

  static Outcome q(std::vector<std::string> args) {
    args.push_back("--journal");
    args.push_back(journal_);
    return run(args);
  }

  static std::uint64_t records(const std::string& journal) {
    Outcome r = run({"journal", "stats", "--json", "--journal", journal});
    if (r.code != 0) return 0;
    return boost::json::parse(r.out).at("records").to_number<std::uint64_t>();
  }

  static TempDir* dir_;
  static std::string journal_;
};
TempDir* Cli::dir_ = nullptr;
std::string Cli::journal_;

// --- real content ---------------------------------------------------------------------------

TEST_F(Cli, StatsCountsTheFixtureByType) {
  Outcome r = q({"journal", "stats"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "records:")) << r.out;
  EXPECT_EQ(row_with(r.out, "OrderFilled").back(), "5") << r.out;
  EXPECT_EQ(row_with(r.out, "DecisionReceived").back(), "8");

  Outcome j = q({"journal", "stats", "--json"});
  ASSERT_EQ(j.code, 0);
  auto v = boost::json::parse(j.out).as_object();
  EXPECT_EQ(v.at("records").as_int64(), 62);
  EXPECT_EQ(v.at("last_sequence").as_int64(), 62);
  EXPECT_EQ(v.at("first_recorded").as_string(), "2026-01-02T14:00:00.000000000Z");
  EXPECT_EQ(v.at("by_type").at("DeadLettered").as_int64(), 1);

  Outcome c = q({"journal", "stats", "--csv"});
  EXPECT_EQ(lines(c.out).at(0), "key,value");
}

TEST_F(Cli, DumpFiltersByTypeOrderAndSymbolAndKeepsDecimalsExact) {
  Outcome r = q({"journal", "dump", "--type", "OrderFilled", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto l = lines(r.out);
  ASSERT_EQ(l.size(), 5u);
  auto first = boost::json::parse(l[0]).as_object();
  EXPECT_EQ(first.at("seq").as_int64(), 14);
  EXPECT_EQ(first.at("price").as_string(), "42149.98765432");
  EXPECT_EQ(first.at("quantity").as_string(), "0.10000000");

  // By venue order id: every event of at17, including those without a venue id.
  Outcome o = q({"journal", "dump", "--order", "8842113355", "--csv"});
  ASSERT_EQ(o.code, 0) << o.err;
  auto ol = lines(o.out);
  EXPECT_EQ(ol.at(0), "seq,recorded_ts,ts,type,client_order_id,symbol,details");
  EXPECT_EQ(ol.size(), 1u + 6u)
      << o.out;  // requested, sent, accepted, filled, cancel req, cancelled
  EXPECT_TRUE(has(o.out, "OrderCancelled"));

  // --symbol includes events that only name the order (OrderSent of an ETH order).
  Outcome s = q({"journal", "dump", "--symbol", "eth-usdt", "--type", "OrderSent"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_TRUE(has(s.out, "at17"));
  EXPECT_TRUE(has(s.out, "at39"));
  EXPECT_FALSE(has(s.out, "at11"));

  Outcome range = q({"journal", "dump", "--from", "10", "--to", "12", "--json"});
  EXPECT_EQ(lines(range.out).size(), 3u);
}

TEST_F(Cli, DumpJsonReimportsIntoAnIdenticalJournal) {
  Outcome d = q({"journal", "dump", "--json"});
  ASSERT_EQ(d.code, 0);
  TempDir t;
  std::ofstream(t / "dump.jsonl") << d.out;
  const std::string copy = (t / "copy").string();
  Outcome i = run({"journal", "import", (t / "dump.jsonl").string(), "--journal", copy});
  ASSERT_EQ(i.code, 0) << i.err;
  Outcome d2 = run({"journal", "dump", "--json", "--journal", copy});
  EXPECT_EQ(d2.out, d.out);
}

TEST_F(Cli, TailPrintsTheLastEvents) {
  Outcome r = q({"journal", "tail", "-n", "3", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto l = lines(r.out);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(boost::json::parse(l[2]).at("seq").as_int64(), 62);
  EXPECT_EQ(boost::json::parse(l[0]).at("type").as_string(), "MarkPriceUpdated");
  Outcome t = q({"journal", "tail"});
  EXPECT_EQ(lines(t.out).size(), 11u);  // header + 10
}

TEST_F(Cli, VerifyAndReplayVerifyPassOnTheFixture) {
  Outcome v = q({"journal", "verify"});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_TRUE(has(v.out, "result:")) << v.out;
  Outcome r = q({"replay", "--verify"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "verify:")) << r.out;
  EXPECT_TRUE(has(r.out, "ok")) << r.out;
  Outcome j = q({"replay", "--json", "--to", "20"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(boost::json::parse(j.out).at("replayed_to_sequence").as_int64(), 20);
}

TEST_F(Cli, OrdersListShowsEveryOrderWithItsStatus) {
  Outcome r = q({"orders", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(row_with(r.out, "at11").at(10), "FILLED") << r.out;
  EXPECT_EQ(row_with(r.out, "at17").at(10), "CANCELLED");
  EXPECT_EQ(row_with(r.out, "at17").at(8), "1.2500");  // filled before the cancel
  EXPECT_EQ(row_with(r.out, "at24").at(10), "FILLED");
  EXPECT_EQ(row_with(r.out, "at52").at(10), "REJECTED");
  EXPECT_EQ(row_with(r.out, "at57").at(10), "SUBMITTED");

  Outcome open = q({"orders", "list", "--open", "--json"});
  ASSERT_EQ(open.code, 0) << open.err;
  std::vector<std::string> ids;
  for (const auto& l : lines(open.out))
    ids.emplace_back(boost::json::parse(l).at("order").as_string());
  EXPECT_EQ(ids, (std::vector<std::string>{"at39", "at57"}));

  Outcome sym = q({"orders", "list", "--symbol", "AAPL", "--csv"});
  auto sl = lines(sym.out);
  ASSERT_EQ(sl.size(), 2u);
  EXPECT_EQ(sl[0].rfind("order,venue_order,venue,symbol,side", 0), 0u) << sl[0];
  EXPECT_TRUE(has(sl[1], "ib-771203"));
}

TEST_F(Cli, OrdersShowByVenueIdGivesTheWholeHistory) {
  Outcome r = q({"orders", "show", "8842113355"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "client order id:")) << r.out;
  EXPECT_TRUE(has(r.out, "at17"));
  EXPECT_TRUE(has(r.out, "CANCELLED"));
  for (const char* type : {"DecisionReceived", "OrderRequested", "OrderSent", "OrderAccepted",
                           "OrderFilled", "CancelRequested", "OrderCancelled"})
    EXPECT_TRUE(has(r.out, type)) << type;

  Outcome j = q({"orders", "show", "at39", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  auto v = boost::json::parse(j.out).as_object();
  EXPECT_EQ(v.at("client_order_id").as_string(), "at39");
  std::vector<std::string> types;
  for (const auto& e : v.at("events").as_array()) types.emplace_back(e.at("type").as_string());
  EXPECT_EQ(types.front(), "DecisionReceived");
  EXPECT_EQ(types.back(), "DeadLettered");
  EXPECT_EQ(std::count(types.begin(), types.end(), "OrderSent"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "RetryScheduled"), 2);
}

TEST_F(Cli, PositionsShowExactQuantityAveragePriceAndRealizedPnl) {
  Outcome r = q({"positions", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::map<std::string, boost::json::object> by_symbol;
  for (const auto& l : lines(r.out)) {
    auto o = boost::json::parse(l).as_object();
    by_symbol[std::string(o.at("symbol").as_string())] = o;
  }
  ASSERT_EQ(by_symbol.size(), 3u) << r.out;
  const auto& btc = by_symbol["BTC-USDT"];
  EXPECT_EQ(btc.at("quantity").as_string(), "0.15000000");
  // Bought 0.1 @ 42149.98765432 and 0.15 @ 42150; sold 0.1 @ 42380.50.
  EXPECT_EQ(Decimal_of(btc.at("realized_pnl")), "23.0504938272");
  EXPECT_EQ(Decimal_of(btc.at("avg_price")).rfind("42149.9950617", 0), 0u);
  EXPECT_EQ(btc.at("mark").as_string(), "42411.87654321");
  const auto& aapl = by_symbol["AAPL"];
  EXPECT_EQ(aapl.at("quantity").as_string(), "100");
  EXPECT_EQ(Decimal_of(aapl.at("avg_price")), "189.47");
  EXPECT_EQ(Decimal_of(aapl.at("unrealized_pnl")), "65");
  const auto& eth = by_symbol["ETH-USDT"];
  EXPECT_EQ(eth.at("quantity").as_string(), "1.2500");

  Outcome t = q({"positions"});
  EXPECT_TRUE(has(t.out, "as of sequence 62")) << t.out;
  Outcome c = q({"positions", "--csv"});
  EXPECT_EQ(lines(c.out).at(0).rfind("account,symbol,quantity,avg_price", 0), 0u) << c.out;
}

TEST_F(Cli, PositionsAsOfDifferBeforeAndAfterAFill) {
  // The BTC sale (seq 37) was recorded at 14:02:33.905; seq 32 is the last before 14:02.
  Outcome before = q({"positions", "--as-of", "14:02"});
  Outcome after = q({"positions", "--as-of", "14:03"});
  ASSERT_EQ(before.code, 0) << before.err;
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(row_with(before.out, "BTC-USDT").at(2), "0.25000000") << before.out;
  EXPECT_EQ(row_with(after.out, "BTC-USDT").at(2), "0.15000000") << after.out;
  EXPECT_TRUE(has(before.out, "as of sequence 32")) << before.out;  // the last before 14:02:00

  Outcome s36 = q({"positions", "--as-of", "36"});
  Outcome s37 = q({"positions", "--as-of", "37"});
  EXPECT_EQ(row_with(s36.out, "BTC-USDT").at(2), "0.25000000");
  EXPECT_EQ(row_with(s37.out, "BTC-USDT").at(2), "0.15000000");
  Outcome iso = q({"positions", "--as-of", "2026-01-02T14:00:06Z"});
  EXPECT_EQ(row_with(iso.out, "BTC-USDT").at(2), "0.10000000") << iso.out;
  Outcome start = q({"positions", "--as-of", "2026-01-01"});
  EXPECT_TRUE(has(start.out, "(no positions)")) << start.out;
}

TEST_F(Cli, BalancesFollowFundingFillsAndCommissions) {
  Outcome r = q({"balances", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::map<std::string, std::string> total;
  for (const auto& l : lines(r.out)) {
    auto o = boost::json::parse(l).as_object();
    total[std::string(o.at("asset").as_string())] = std::string(o.at("total").as_string());
  }
  // USD: 50000.00 - 100 x 189.47 - 1.00 commission.
  EXPECT_EQ(Decimal_of(boost::json::value(total["USD"])), "31052");
  EXPECT_EQ(Decimal_of(boost::json::value(total["AAPL"])), "100");
  EXPECT_EQ(Decimal_of(boost::json::value(total["BTC"])), "0.15");
  // USDT: 100000 - 4214.998765432 - 6322.5 - 4.21499877 - 6.3225 - 2763.1875 - 2.7631875
  //       + 4238.05 - 4.23805
  EXPECT_EQ(Decimal_of(boost::json::value(total["USDT"])), "90919.824998298") << r.out;
  Outcome early = q({"balances", "--as-of", "6"});
  EXPECT_EQ(row_with(early.out, "USDT").at(2), "100000.00") << early.out;
}

TEST_F(Cli, FillsListsExecutionsSinceATime) {
  Outcome all = q({"fills", "--json"});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(lines(all.out).size(), 5u);
  Outcome since = q({"fills", "--since", "14:01"});
  ASSERT_EQ(since.code, 0) << since.err;
  EXPECT_EQ(lines(since.out).size(), 3u) << since.out;  // header, AAPL, BTC sale
  EXPECT_FALSE(row_with(since.out, "310777").empty());
  EXPECT_EQ(row_with(since.out, "310777").back(), "applied");
  Outcome by_order = q({"fills", "--order", "8842113301", "--csv"});
  EXPECT_EQ(lines(by_order.out).size(), 3u);
}

TEST_F(Cli, DlqListShowsTheDeadLetter) {
  Outcome r = q({"dlq", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto row = row_with(r.out, "at39");
  ASSERT_FALSE(row.empty()) << r.out;
  EXPECT_TRUE(has(r.out, "retries exhausted"));
  Outcome j = q({"dlq", "list", "--json"});
  auto v = boost::json::parse(lines(j.out).at(0)).as_object();
  EXPECT_EQ(v.at("attempts").as_int64(), 3);
  EXPECT_EQ(v.at("operation").as_string(), "submit");
}

TEST_F(Cli, HelpWorksEverywhere) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{},
                                       {"journal"},
                                       {"journal", "stats"},
                                       {"journal", "tail"},
                                       {"journal", "dump"},
                                       {"journal", "verify"},
                                       {"journal", "import"},
                                       {"orders"},
                                       {"orders", "list"},
                                       {"orders", "show"},
                                       {"positions"},
                                       {"balances"},
                                       {"fills"},
                                       {"dlq"},
                                       {"dlq", "list"},
                                       {"replay"},
                                       {"demo"}}) {
    cmd.push_back("--help");
    Outcome r = run(cmd);
    EXPECT_EQ(r.code, 0) << cmd[0] << ": " << r.err;
    EXPECT_TRUE(has(r.out, "Usage")) << cmd[0] << ": " << r.out;
  }
}

TEST_F(Cli, JournalEnvironmentVariableIsTheDefault) {
  Outcome r = run({"journal", "stats", "--json"}, "AUTOTRADER_JOURNAL=" + shell_quote(journal_));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(boost::json::parse(r.out).at("records").as_int64(), 62);
}

// --- bad input --------------------------------------------------------------------------------

TEST_F(Cli, UnknownOrderIdIsNotFound) {
  Outcome r = q({"orders", "show", "nope"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(one_line(r), "autotrader: no order with client or venue id 'nope'");
  EXPECT_EQ(q({"journal", "dump", "--order", "nope"}).code, 3);
  EXPECT_EQ(q({"fills", "--order", "nope"}).code, 3);
}

TEST_F(Cli, BadFlagsAndArgumentsAreUsageErrors) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"positions", "--as-off", "5"},
                                       {"bogus"},
                                       {},
                                       {"journal"},
                                       {"journal", "dump", "--from", "x"},
                                       {"journal", "dump", "--type", "OrderFiled"},
                                       {"positions", "--as-of", "25:00"},
                                       {"positions", "--as-of", "yesterday"},
                                       {"fills", "--since", "2026-13-01"},
                                       {"orders", "list", "--symbol", "BTC--USDT"},
                                       {"orders", "list", "--json", "--csv"},
                                       {"orders", "show"}}) {
    cmd.push_back("--journal");
    cmd.push_back(journal_);
    Outcome r = run(cmd);
    EXPECT_EQ(r.code, 2) << (cmd.empty() ? "" : cmd[0]) << ": " << r.err;
    std::string l = one_line(r);
    EXPECT_EQ(l.rfind("autotrader: ", 0), 0u) << l;
  }
  EXPECT_EQ(records(journal_), 62u);
}

TEST_F(Cli, ReadCommandsOnAMissingJournalSayNoJournal) {
  TempDir t;
  const std::string missing = (t / "nope").string();
  for (std::vector<std::string> cmd : {std::vector<std::string>{"journal", "stats"},
                                       {"journal", "tail"},
                                       {"journal", "dump"},
                                       {"journal", "verify"},
                                       {"orders", "list"},
                                       {"orders", "show", "at1"},
                                       {"positions"},
                                       {"balances"},
                                       {"fills"},
                                       {"dlq", "list"},
                                       {"replay"}}) {
    cmd.push_back("--journal");
    cmd.push_back(missing);
    Outcome r = run(cmd);
    EXPECT_EQ(r.code, 3) << cmd[0] << " " << r.err;
    EXPECT_EQ(one_line(r), "autotrader: no journal at " + missing);
  }
  EXPECT_FALSE(fs::exists(missing)) << "a read command created the journal";
}

struct BadFile {
  const char* name;
  const char* second_line;
  const char* expected;
};

TEST_F(Cli, ImportRefusesABadFileAndLeavesTheJournalUntouched) {
  const BadFile cases[] = {
      {"malformed", R"({"type":"EngineStopped","ts":1)", "line 2: malformed JSON"},
      {"garbage", R"({"type":"EngineStopped","ts":1} trailing)", "line 2: trailing text"},
      {"type", R"({"type":"OrderFiled","ts":1})", "line 2: unknown event type 'OrderFiled'"},
      {"field", R"({"type":"EngineStopped","ts":1,"colour":"red"})",
       "line 2: EngineStopped: unknown field 'colour'"},
      {"missing", R"({"type":"MarkPriceUpdated","ts":1,"symbol":"AAPL"})",
       "line 2: MarkPriceUpdated: field 'price': missing"},
      {"decimal", R"({"type":"MarkPriceUpdated","ts":1,"symbol":"AAPL","price":"1.2.3"})",
       "line 2: MarkPriceUpdated: field 'price': expected a decimal string"},
      {"enum", R"({"type":"VenueConnectionChanged","ts":1,"venue":"x","state":"UP"})",
       "line 2: VenueConnectionChanged: field 'state': expected one of"},
      {"jsontype", R"({"type":"OrderSent","ts":1,"client_order_id":"a","attempt":true})",
       "line 2: OrderSent: field 'attempt': expected a non-negative integer"},
  };
  TempDir t;
  const std::string existing = (t / "existing").string();
  ASSERT_EQ(run({"journal", "import", fixture_path(), "--journal", existing}).code, 0);
  const std::string before = run({"journal", "dump", "--json", "--journal", existing}).out;
  for (const auto& c : cases) {
    const fs::path file = t / (std::string(c.name) + ".jsonl");
    std::ofstream(file) << R"({"type":"EngineStopped","ts":"2026-01-03T00:00:00Z"})" << '\n'
                        << c.second_line << '\n';
    Outcome r = run({"journal", "import", file.string(), "--journal", existing});
    EXPECT_EQ(r.code, 4) << c.name << ": " << r.err;
    std::string l = one_line(r);
    EXPECT_TRUE(has(l, c.expected)) << c.name << ": " << l;
    EXPECT_EQ(l.rfind("autotrader: " + file.string() + ": line 2: ", 0), 0u) << l;
    EXPECT_EQ(run({"journal", "dump", "--json", "--journal", existing}).out, before) << c.name;

    // Into a journal that does not exist yet: it is not even created.
    const std::string fresh = (t / (std::string("fresh-") + c.name)).string();
    EXPECT_EQ(run({"journal", "import", file.string(), "--journal", fresh}).code, 4);
    EXPECT_FALSE(fs::exists(fresh)) << c.name;
  }
  Outcome missing =
      run({"journal", "import", (t / "no-such.jsonl").string(), "--journal", existing});
  EXPECT_EQ(missing.code, 3);
  EXPECT_TRUE(has(one_line(missing), "cannot read"));
  EXPECT_EQ(records(existing), 62u);
}

TEST_F(Cli, WriteCommandsOnALockedJournalAreRefusedAndReadsStillWork) {
  TempDir t;
  const std::string path = (t / "locked").string();
  ASSERT_EQ(run({"journal", "import", fixture_path(), "--journal", path}).code, 0);
  at::SystemClock clock;
  at::journal::Options o;
  o.path = path;
  o.create_if_missing = false;
  auto writer = at::journal::Journal::open(o, clock);  // holds the lock like `autotrader run`
  ASSERT_TRUE(writer.ok()) << writer.error().message;

  Outcome r = run({"journal", "import", fixture_path(), "--journal", path});
  EXPECT_EQ(r.code, 5) << r.err;
  EXPECT_TRUE(has(one_line(r), "is locked by another process")) << r.err;
  Outcome demo = run({"demo", "--journal", path});
  EXPECT_NE(demo.code, 0);

  // Readers are not blocked by the writer, and see its appends after they happen.
  EXPECT_EQ(records(path), 62u);
  ASSERT_TRUE((*writer)->append(at::EngineStopped{"test", 1}).ok());
  EXPECT_EQ(records(path), 63u);
  Outcome pos = run({"positions", "--journal", path});
  EXPECT_EQ(pos.code, 0) << pos.err;
}

TEST_F(Cli, TailFollowPrintsNewEventsUntilInterrupted) {
  TempDir t;
  const std::string path = (t / "live").string();
  ASSERT_EQ(run({"journal", "import", fixture_path(), "--journal", path}).code, 0);
  const fs::path out = t / "follow.out";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::execl(AT_BINARY, AT_BINARY, "journal", "tail", "-n", "0", "--follow", "--json",
            "--interval-ms", "50", "--journal", path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::ofstream(t / "more.jsonl")
      << R"({"type":"EngineStopped","ts":"2026-01-02T15:00:00Z","reason":"followed"})" << '\n';
  ASSERT_EQ(run({"journal", "import", (t / "more.jsonl").string(), "--journal", path}).code, 0);
  std::string seen;
  for (int i = 0; i < 100 && !has(seen, "followed"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = slurp(out);
  }
  ::kill(pid, SIGINT);
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  auto l = lines(slurp(out));
  ASSERT_EQ(l.size(), 1u) << slurp(out);
  EXPECT_EQ(boost::json::parse(l[0]).at("seq").as_int64(), 63);
}

TEST_F(Cli, DemoSeedsAFreshJournalAndAuditsIt) {
  TempDir t;
  const std::string path = (t / "demo").string();
  Outcome r = run({"demo", "--journal", path});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"$ autotrader journal stats", "$ autotrader orders list",
                        "$ autotrader positions", "$ autotrader balances", "$ autotrader dlq list",
                        "at39", "42411.87654321", "90919.824998298"})
    EXPECT_TRUE(has(r.out, s)) << s << "\n" << r.out;
  EXPECT_EQ(records(path), 62u);
  // A second demo into the same, now non-empty, journal is refused and changes nothing.
  Outcome again = run({"demo", "--journal", path});
  EXPECT_EQ(again.code, 1);
  EXPECT_TRUE(has(one_line(again), "demo needs an empty journal"));
  EXPECT_EQ(records(path), 62u);
  // Without --journal it makes its own temporary journal.
  Outcome tmp = run({"demo"}, "TMPDIR=" + shell_quote(t.path().string()));
  EXPECT_EQ(tmp.code, 0) << tmp.err;
  EXPECT_TRUE(has(tmp.out, t.path().string() + "/autotrader-demo-")) << tmp.out;
}

}  // namespace
