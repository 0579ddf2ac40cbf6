// Binance adapter hot paths: building + signing an order request, and decoding an
// executionReport into an OrderFilled event (goals, issue 4: <= 2 us each on this machine);
// and the submit -> venue acknowledgement round trip through BinanceVenue against the
// in-process simulator over loopback (p50 / p99 reported as counters, in microseconds).
// Run: build/bench/binance_bench --benchmark_min_time=1s
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "adapters/binance/binance_venue.h"
#include "adapters/binance/codec.h"
#include "adapters/binance/tracker.h"
#include "sim/binance/binance_sim.h"
#include "tests/support/run_until.h"

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

OrderRequested limit_order() {
  OrderRequested o;
  o.client_order_id = ClientOrderId("at123456");
  o.symbol = Symbol::of("BTC-USDT");
  o.side = Side::kBuy;
  o.type = OrderType::kLimit;
  o.quantity = Decimal::of("0.00123");
  o.limit_price = Decimal::of("64250.12");
  return o;
}

// As the adapter does it: the secret is keyed once (net::HmacSha256), each request signs with
// a copy of the keyed context.
void BM_BuildAndSignOrder(benchmark::State& state) {
  const OrderRequested o = limit_order();
  const net::HmacSha256 key(kSecret);
  std::int64_t ts = 1'700'000'000'000;
  for (auto _ : state) {
    auto p = order_params(o, "BTCUSDT");
    p->emplace_back("recvWindow", "5000");
    p->emplace_back("timestamp", std::to_string(++ts));
    std::string q = encode_query(*p);
    std::string sig = sign_rest(key, q);
    q += "&signature=";
    q += sig;
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_BuildAndSignOrder);

// The same with a one-shot HMAC per request (key pads derived every time): the old cost.
void BM_BuildAndSignOrderOneShotKey(benchmark::State& state) {
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
BENCHMARK(BM_BuildAndSignOrderOneShotKey);

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

// --- submit -> acknowledgement over loopback ------------------------------------------------

struct NullSink : adapters::VenueSink {
  std::uint64_t events = 0;
  void on_venue_event(Event) override { ++events; }
};

// BinanceVenue::submit of a resting LIMIT order until its completion handler says the venue
// acknowledged it (signed REST POST /api/v3/order, newOrderRespType=ACK, keep-alive
// connection), against sim::BinanceSim on 127.0.0.1 running on its own thread. The venue
// runs on this thread's io_context. Manual time per iteration: only the round trip counts.
void BM_SubmitToAckRoundTrip(benchmark::State& state) {
  boost::asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  sim::BinanceSimOptions so;
  so.market = "none";
  so.limits.orders_per_10s = 1'000'000;  // the simulated clock barely moves; measure, not pace
  so.limits.orders_per_day = 100'000'000;
  so.limits.weight_per_minute = 100'000'000;
  sim::BinanceSim sim(so, clock);
  if (auto st = sim.start(); !st) {
    state.SkipWithError(("simulator: " + st.error().message).c_str());
    return;
  }
  md::Quote q;
  q.symbol = Symbol::of("BTC-USDT");
  q.bid = Decimal::of("50000.00");
  q.ask = Decimal::of("50001.00");
  q.bid_size = Decimal::of("5");
  q.ask_size = Decimal::of("5");
  sim.push_quote(q);
  binance::BinanceConfig c;
  auto key = sim::binance_example_key();
  c.api_key = net::Secret(key.key);
  c.api_secret = net::Secret(key.secret);
  c.environment = Environment::kSim;
  c.base_url = sim.rest_base_url();
  c.ws_url = sim.ws_api_url();
  BinanceVenue venue(ioc, clock, c);
  NullSink sink;
  std::optional<Status> started;
  venue.start(sink, [&](Status s) { started = s; });
  if (!testing::run_until(
          ioc, [&] { return started.has_value(); }, 10'000) ||
      !started->ok()) {
    state.SkipWithError("venue did not start");
    return;
  }
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(state.max_iterations));
  int n = 0;
  for (auto _ : state) {
    OrderRequested o;
    o.client_order_id = ClientOrderId("rt" + std::to_string(++n));
    o.symbol = Symbol::of("BTC-USDT");
    o.side = Side::kBuy;
    o.type = OrderType::kLimit;
    o.quantity = Decimal::of("0.001");
    o.limit_price = Decimal::of("40000.00");
    clock.advance_ms(1);
    std::optional<Status> st;
    const auto t0 = std::chrono::steady_clock::now();
    venue.submit(o, 1, [&](Status s) { st = s; });
    const bool done = testing::run_until(
        ioc, [&] { return st.has_value(); }, 10'000);
    const auto t1 = std::chrono::steady_clock::now();
    if (!done || !st->ok()) {
      state.SkipWithError(done ? st->error().message.c_str() : "no answer in 10 s");
      break;
    }
    const double d = std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(d);
    us.push_back(d * 1e6);
  }
  bool stopped = false;
  venue.stop([&](Status) { stopped = true; });
  testing::run_until(
      ioc, [&] { return stopped; }, 5'000);
  sim.stop();
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["max_us"] = us.back();
}
BENCHMARK(BM_SubmitToAckRoundTrip)
    ->UseManualTime()
    ->Iterations(2000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace at::binance
