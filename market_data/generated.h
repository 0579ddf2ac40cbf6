// GeneratedMarket: a seeded sample market for running without any recorded data.
//
// Four instruments across asset classes (sample_instruments()): AAPL (equity, 2-decimal
// prices), EUR-USD (FX, 5 decimals), BTC-USDT (crypto, 2-decimal prices, 5-decimal sizes) and
// ETH-BTC (crypto, 8-decimal prices and sizes). Each step (every interval_ns) every selected
// instrument moves its mid by a random walk of whole ticks, draws a spread and sizes, and emits
// a Quote; with probability trade_per_mille / 1000 a Trade follows, at the bid or the ask, for
// at most the displayed size. The model is documented in docs/market-data.md.
//
// Deterministic: the same seed, options and instrument give the same stream on every platform
// (integer arithmetic on ticks and lots, our own PRNG). Each instrument draws from its own
// generator seeded from (seed, symbol), so selecting more symbols does not change the others.
//
// Thread-safety: none; one consumer.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "market_data/prng.h"
#include "market_data/source.h"

namespace at::md {

struct SampleInstrument {
  Symbol symbol;
  std::string asset_class;  // "equity", "fx", "crypto"
  Price start_mid;          // a multiple of tick
  Price tick;
  Quantity lot;               // size step
  std::int64_t min_lots = 1;  // displayed size range, in lots
  std::int64_t max_lots = 1;
  int min_spread_ticks = 1;
  int max_spread_ticks = 1;
  int max_step_ticks = 1;  // mid moves by -max..+max ticks per step
};

// AAPL, EUR-USD, BTC-USDT, ETH-BTC (config/ validates market.symbols against the same list).
const std::vector<SampleInstrument>& sample_instruments();
const SampleInstrument* find_sample_instrument(const Symbol& s);

struct GeneratedMarketOptions {
  std::uint64_t seed = 7;
  std::vector<Symbol> symbols;                        // empty: all sample instruments
  std::int64_t start_ns = 1'704'205'800'000'000'000;  // 2024-01-02T14:30:00Z
  std::int64_t interval_ns = 100'000'000;             // 100 ms
  std::uint64_t max_events = 0;                       // 0: endless
  unsigned trade_per_mille = 300;
};

class GeneratedMarket final : public EventSource {
 public:
  // kInvalidArgument when a symbol is not a sample instrument or interval_ns <= 0.
  static Result<GeneratedMarket> create(const GeneratedMarketOptions& options);

  NextEvent next() override;

 private:
  struct Walk {
    const SampleInstrument* inst;
    Xoshiro256 rng;
    std::int64_t mid_ticks;
    std::int64_t start_ticks;
  };
  explicit GeneratedMarket(GeneratedMarketOptions o) : opt_(std::move(o)) {}
  void step();

  GeneratedMarketOptions opt_;
  std::vector<Walk> walks_;
  std::deque<MarketEvent> pending_;
  std::int64_t now_ns_ = 0;
  std::uint64_t emitted_ = 0;
};

}  // namespace at::md
