// BinanceSim: Binance Spot's wire protocol on loopback, in front of the paper venue's
// MatchingEngine (adapters/paper/matching_engine.h). REST /api/v3/*, the WebSocket API at
// /ws-api/v3 (orders and the user-data stream in the current {"subscriptionId","event"}
// envelope), market streams (/ws/<stream>, /stream?streams=), and /sim/* control endpoints.
// docs/venues/binance-sim.md lists every endpoint, fault and known difference from Binance.
//
// Time: server time, timestamp/recvWindow checks and rate-limit windows read the injected
// Clock, so tests use a ManualClock. Only fault latency and the generated market's tick
// period are real time (timers on the I/O thread).
//
// Threading: start() runs the server on its own I/O thread. Every public method is safe from
// any thread; simulator state sits behind one mutex (the engine is single-threaded).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/paper/matching_engine.h"
#include "domain/clock.h"
#include "domain/decimal.h"
#include "domain/result.h"
#include "domain/symbol.h"
#include "market_data/types.h"
#include "sim/binance/fault_plan.h"

namespace at::sim {

// One API key the simulator accepts. Secrets stay in memory; never logged.
struct SimApiKey {
  std::string key;
  std::string secret;
  std::string account = "main";
};

// Binance's documented example key pair (VENUES.md §6.1): the default key of the simulator.
SimApiKey binance_example_key();

struct SimSymbol {
  InstrumentRules rules;    // symbol "BTC-USDT", venue_symbol "BTCUSDT", tick, lot, ...
  Price max_price;          // PRICE_FILTER maxPrice (the engine has no max); 0 = none
  Price start_price;        // generated market's first mid
  Quantity quote_size;      // generated market's size at bid and ask
  int base_precision = 8;   // baseAssetPrecision: more decimals -> -1111
  int quote_precision = 8;  // quoteAssetPrecision
};

// BTCUSDT (tick 0.01, step 0.00001, min notional 5) and ETHBTC (tick and step 0.00000001,
// min notional 0.0001): the crypto instruments of market_data's generated market.
std::vector<SimSymbol> default_symbols();

// exchangeInfo.rateLimits, enforced. Windows are fixed buckets of the injected clock.
struct SimRateLimits {
  int weight_per_minute = 6000;  // REQUEST_WEIGHT, per IP
  int orders_per_10s = 50;       // ORDERS, per account
  int orders_per_day = 160000;   // ORDERS, per account
  int raw_requests_per_5m = 61000;
  // After this many requests refused with 429 within one window, the IP is banned (418).
  int strikes_before_ban = 5;
  int ban_seconds = 120;
};

struct BinanceSimOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  bool tls = false;        // self-signed certificate made at start()
  std::uint64_t seed = 1;
  std::vector<SimApiKey> keys = {binance_example_key()};
  std::vector<SimSymbol> symbols = default_symbols();
  // Starting balances per account, asset -> free amount.
  std::map<std::string, std::map<std::string, Decimal>> balances = {
      {"main",
       {{"USDT", Decimal::of("1000000")},
        {"BTC", Decimal::of("10")},
        {"ETH", Decimal::of("100")}}}};
  SimRateLimits limits;
  FaultPlan faults;
  Decimal commission_bps = Decimal::of("10");
  Decimal slippage_bps;
  // Market data: "generated" (market_data's seeded GeneratedMarket, for the configured symbols
  // that are sample instruments), "none" (only push_quote/push_trade and POST /sim/market), or
  // the path of a recorded file read with market_data's readers in `market_format`
  // ("generic_quotes", "binance_book5", ...; see market_data/readers.h). A recording restarts
  // at its end.
  std::string market = "generated";
  std::string market_format = "generic_quotes";
  // Period of the generated/recorded market ticks on the I/O thread; 0 = step_market() only.
  std::chrono::milliseconds market_interval{0};
};

// One order-changing request the simulator received, in arrival order.
struct OrderRequestRecord {
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;  // server time
  std::string transport;   // "rest" | "ws"
  std::string operation;   // "order.place", "order.cancel", "order.cancelReplace",
                           // "openOrders.cancelAll"
  std::string account;
  std::string symbol;                // venue form, "BTCUSDT"
  std::string client_order_id;       // newClientOrderId as sent (may be empty) or generated
  std::string orig_client_order_id;  // cancel/replace target when named by client id
  std::uint64_t order_id = 0;        // the order placed or cancelled, 0 if none
  int code = 0;                      // 0: accepted; else the Binance error code answered
  std::string outcome;               // "ok" | "rejected" | "answered_5xx" | "dropped" | ...
};

struct OrderLog {
  std::vector<OrderRequestRecord> requests;
  std::vector<paper::Fill> fills;  // every execution, both sides, in order
};

class BinanceSim {
 public:
  // The clock is not owned and must outlive the simulator.
  BinanceSim(BinanceSimOptions options, const Clock& clock);
  ~BinanceSim();  // stop()s
  BinanceSim(const BinanceSim&) = delete;
  BinanceSim& operator=(const BinanceSim&) = delete;

  // Binds and serves. Fails on a port in use, a bad market file or a bad option.
  Status start();
  // Closes every connection and joins the I/O thread. Idempotent.
  void stop();
  std::uint16_t port() const;
  std::string rest_base_url() const;    // "http://127.0.0.1:PORT" (https with tls)
  std::string ws_api_url() const;       // ".../ws-api/v3"
  std::string stream_base_url() const;  // "ws://127.0.0.1:PORT" (append /ws/<s> or /stream?...)
  const std::string& certificate_pem() const;  // empty without tls

  // Faults: replace the plan, merge counters into it, or read what is left of it.
  void set_faults(const FaultPlan& plan);
  FaultPlan faults() const;
  // Drops every user-data WebSocket connection now (abrupt TCP close).
  void drop_user_streams();

  // Market data into the engine and the market streams.
  void push_quote(const md::Quote& quote);
  void push_trade(const md::Trade& trade);
  // Advances the generated or recorded market by n ticks.
  void step_market(int n = 1);

  OrderLog order_log() const;
  std::map<std::string, paper::Balance> balances(const std::string& account) const;
  // Adds to an account's free balance and pushes balanceUpdate to its user streams.
  void deposit(const std::string& account, const std::string& asset, const Decimal& amount);
  // Number of active user-data subscriptions (for tests that wait for a reconnect).
  std::size_t user_stream_subscriptions() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace at::sim
