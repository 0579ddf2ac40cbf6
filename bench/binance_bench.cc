// Binance adapter hot paths: building + signing an order request, and decoding an
// executionReport into an OrderFilled event. Goals (issue 4): <= 2 us each on this machine.
// Run: build-*/bench/binance_bench --benchmark_min_time=1s
#include <benchmark/benchmark.h>

#include "adapters/binance/codec.h"
#include "adapters/binance/tracker.h"

namespace at::binance {
namespace {

constexpr std::string_view kSecret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

constexpr std::string_view kTradeReport =
    R"({"subscriptionId":0,"event":{"e":"executionReport","E":1499405658658,"s":"BTCUSDT",)"
    R"("c":"at123456","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"64250.12000000",)"
    R"("P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED",)"
    R"("r":"NONE","i":4293153,"l":"0.00012300","z":"0.00012300","L":"64250.12000000",)"
    R"("n":"0.00000001","N":"BNB","T":1499405658657,"t":718,"I":8641984,"w":false,"m":true,)"
    R"("M":false,"O":1499405658657,"Z":"7.90276476","Y":"7.90276476","Q":"0.00000000",)"
    R"("W":1499405658657,"V":"EXPIRE_MAKER"}})";

void BM_BuildAndSignOrder(benchmark::State& state) {
  OrderRequested o;
  o.client_order_id = ClientOrderId("at123456");
  o.symbol = Symbol::of("BTC-USDT");
  o.side = Side::kBuy;
  o.type = OrderType::kLimit;
  o.quantity = Decimal::of("0.00123");
  o.limit_price = Decimal::of("64250.12");
  std::int64_t ts = 1'700'000'000'000;
  for (auto _ : state) {
    auto p = order_params(o, "BTCUSDT");
    p->emplace_back("recvWindow", "5000");
    p->emplace_back("timestamp", std::to_string(++ts));
    std::string q = encode_query(*p);
    std::string sig = sign_rest(kSecret, q);
    q += "&signature=";
    q += sig;
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_BuildAndSignOrder);

void BM_ParseExecutionReportToFill(benchmark::State& state) {
  UserStreamParser parser;
  const Symbol sym = Symbol::of("BTC-USDT");
  for (auto _ : state) {
    auto m = parser.parse(kTradeReport);
    OrderFilled f = fill_from_report(std::get<ExecutionReport>(*m), sym, "binance", "", Side::kBuy);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_ParseExecutionReportToFill);

// The same through the tracker (order lookup, duplicate check, event variant).
void BM_ExecutionReportThroughTracker(benchmark::State& state) {
  UserStreamParser parser;
  OrderTracker tracker("binance");
  OrderRequested o;
  o.client_order_id = ClientOrderId("at123456");
  o.symbol = Symbol::of("BTC-USDT");
  o.quantity = Decimal::of("1000000");
  tracker.track(o, "BTCUSDT");
  const Symbol sym = Symbol::of("BTC-USDT");
  std::vector<Event> out;
  std::int64_t trade = 0;
  for (auto _ : state) {
    auto m = parser.parse(kTradeReport);
    auto& r = std::get<ExecutionReport>(*m);
    r.trade_id = ++trade;  // a new trade each time, as on a live stream
    tracker.on_execution_report(r, sym, out);
    benchmark::DoNotOptimize(out);
    out.clear();
  }
}
BENCHMARK(BM_ExecutionReportThroughTracker);

}  // namespace
}  // namespace at::binance
