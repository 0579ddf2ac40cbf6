// The embedded default configuration. examples/paper.yaml holds the same text (a test checks
// that both load to the same configuration).
#include "config/config.h"

namespace at::config {

std::string_view default_config_yaml() {
  static constexpr std::string_view kYaml =
      R"yaml(# Paper trading on the generated sample market. This is the configuration `autotrader run`
# uses when no --config is given (it is embedded in the binary); every key is described in
# docs/configuration.md.
execution:
  broker: paper

  paper:
    initial_balance: 100000     # in each quote currency (USD, USDT, BTC) unless `asset` is set
    balances:
      BTC: 2                    # ETH-BTC is quoted in BTC: 100000 BTC would be silly
    latency_ms: [10, 50]
    slippage_bps: 5
    commission_bps: 10
    seed: 42

  oms:
    max_open_orders: 100
    order_timeout_seconds: 300
    archive_after_seconds: 600  # finished orders leave memory and snapshots (the journal keeps them)

  resiliency:
    max_retries: 3
    initial_backoff: 1.0
    backoff_multiplier: 2.0
    circuit_breaker_threshold: 5
    enable_dlq: true

  risk:
    default:
      price_collar_bps: 500
      max_orders_per_second: 50
    symbols:
      AAPL:     { max_order_quantity: 1000,   max_notional: 250000, position_limit: 5000 }
      EUR-USD:  { max_order_quantity: 1000000, max_notional: 1500000, position_limit: 5000000 }
      BTC-USDT: { max_order_quantity: 5,      max_notional: 500000, position_limit: 20 }
      ETH-BTC:  { max_order_quantity: 50,     max_notional: 5,      position_limit: 200 }
    kill_switch:
      max_rejects: 20
      window_seconds: 60
      max_loss: 25000

  journal:
    path: ./autotrader-journal
    durability: sync

  market:
    source: generated
    symbols: [AAPL, EUR-USD, BTC-USDT, ETH-BTC]
    seed: 7
    pace: realtime
    tick_interval_ms: 100

  strategy:
    demo:
      enabled: true
      interval_ms: 1000
      order_type: limit
      limit_offset_bps: 2
      quantity:
        AAPL: 10
        EUR-USD: 10000
        BTC-USDT: 0.01
        ETH-BTC: 0.1
)yaml";
  return kYaml;
}

}  // namespace at::config
