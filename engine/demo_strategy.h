// DemoStrategy: the built-in strategy of the embedded default. Not a trading idea — a steady,
// deterministic source of realistic decisions for the paper venue: every `interval` per symbol
// it alternates LONG and SHORT of a fixed size, as a limit order a few bps through the touch
// (so most fill at once and some rest), as a market order, or as IOC, by configuration.
// Decision ids are "demo-<symbol>-<n>", so a restart never repeats an id it already used as
// long as `start_counter` is set past the journal's last demo decision.
//
// Pure: quotes and monotonic times in, decisions out. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/events.h"
#include "market_data/types.h"

namespace at::engine {

struct DemoStrategyOptions {
  std::vector<Symbol> symbols;
  std::int64_t interval_ms = 1000;
  std::map<Symbol, Quantity> quantity;  // per symbol; required for each traded symbol
  OrderType order_type = OrderType::kLimit;
  Decimal limit_offset_bps = Decimal::from_int(2);
  std::map<Symbol, Price> tick;  // limit prices are rounded to the tick
  std::uint64_t seed = 1;
};

class DemoStrategy {
 public:
  explicit DemoStrategy(DemoStrategyOptions o);
  // A decision for quote.symbol if its interval elapsed since the last one, else nothing.
  std::optional<DecisionReceived> on_quote(const md::Quote& q, std::int64_t monotonic_ns);
  void set_counter(std::uint64_t n) { counter_ = n; }
  std::uint64_t counter() const { return counter_; }

 private:
  std::uint64_t next_random();
  DemoStrategyOptions o_;
  std::map<Symbol, std::int64_t> last_ns_;
  std::map<Symbol, bool> long_next_;
  std::uint64_t counter_ = 0;
  std::uint64_t rng_;
};

}  // namespace at::engine
