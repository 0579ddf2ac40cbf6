// The independent-client test: Binance's official npm connector, pointed at the simulator by
// its base-URL options, places, queries and cancels orders and reads the user stream
// (tests/npm/binance_connector_check.js). Skipped, with the reason, where node or
// tests/npm/node_modules is missing (scripts/test.sh installs them; CI has node).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "platform/system_clock.h"
#include "sim/binance/binance_sim.h"

namespace at::sim {
namespace {

TEST(NpmBinanceConnector, TradesAndReadsTheUserStreamAgainstTheSimulator) {
  namespace fs = std::filesystem;
  const fs::path npm_dir = fs::path(AT_SOURCE_DIR) / "tests" / "npm";
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node is not installed: the npm independent-client test cannot run here";
  }
  if (!fs::exists(npm_dir / "node_modules" / "@binance" / "connector")) {
    GTEST_SKIP() << "tests/npm/node_modules is missing: run `npm install` in tests/npm "
                    "(scripts/test.sh does it)";
  }
  // The connector signs with Date.now(): the simulator runs on the real clock here.
  SystemClock clock;
  BinanceSimOptions o;
  o.market = "none";
  BinanceSim sim(o, clock);
  ASSERT_TRUE(sim.start().ok());
  sim.push_quote(md::Quote{Symbol::of("BTC-USDT"), Decimal::of("59999.99"), Decimal::of("60000.01"),
                           Decimal::of("2"), Decimal::of("2"), clock.now_ns()});

  std::string cmd = "cd '" + npm_dir.string() + "' && timeout 90 node binance_connector_check.js " +
                    std::to_string(sim.port()) + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  int status = pclose(p);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("0 failed"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;

  // The simulator saw the client's orders under the client order ids it chose.
  auto log = sim.order_log();
  bool saw_rest = false, saw_ws = false;
  for (const auto& r : log.requests) {
    if (r.client_order_id == "npm-rest-1" && r.transport == "rest") saw_rest = true;
    if (r.client_order_id == "npm-ws-1" && r.transport == "ws") saw_ws = true;
  }
  EXPECT_TRUE(saw_rest);
  EXPECT_TRUE(saw_ws);
}

}  // namespace
}  // namespace at::sim
