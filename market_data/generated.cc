#include "market_data/generated.h"

#include <algorithm>

namespace at::md {
namespace {

// ticks * tick, exactly: tick = mantissa / 10^scale.
Decimal scaled(std::int64_t n, const Decimal& step) {
  return Decimal::from_raw(static_cast<Decimal::Int>(n) * step.mantissa(), step.scale());
}

std::int64_t to_ticks(const Decimal& v, const Decimal& tick) {
  return static_cast<std::int64_t>(v.rescaled(tick.scale()).mantissa() / tick.mantissa());
}

}  // namespace

const std::vector<SampleInstrument>& sample_instruments() {
  static const std::vector<SampleInstrument> v = {
      {Symbol::of("AAPL"), "equity", Price::of("190.00"), Price::of("0.01"), Quantity::of("1"), 1,
       500, 1, 3, 3},
      {Symbol::of("EUR-USD"), "fx", Price::of("1.08500"), Price::of("0.00001"),
       Quantity::of("1000"), 1, 5000, 1, 4, 3},
      {Symbol::of("BTC-USDT"), "crypto", Price::of("65000.00"), Price::of("0.01"),
       Quantity::of("0.00001"), 1000, 200000, 1, 50, 500},
      {Symbol::of("ETH-BTC"), "crypto", Price::of("0.05000000"), Price::of("0.00000001"),
       Quantity::of("0.00000001"), 10'000'000, 500'000'000, 1, 20, 300},
  };
  return v;
}

const SampleInstrument* find_sample_instrument(const Symbol& s) {
  for (const auto& i : sample_instruments())
    if (i.symbol == s) return &i;
  return nullptr;
}

Result<GeneratedMarket> GeneratedMarket::create(const GeneratedMarketOptions& options) {
  if (options.interval_ns <= 0)
    return make_error(ErrorKind::kInvalidArgument, "generated market: interval must be positive");
  GeneratedMarket m(options);
  std::vector<Symbol> syms = options.symbols;
  if (syms.empty())
    for (const auto& i : sample_instruments()) syms.push_back(i.symbol);
  for (const auto& s : syms) {
    const SampleInstrument* inst = find_sample_instrument(s);
    if (!inst) {
      std::string all;
      for (const auto& i : sample_instruments()) all += (all.empty() ? "" : ", ") + i.symbol.str();
      return make_error(ErrorKind::kInvalidArgument,
                        "generated market has no symbol '" + s.str() + "'; expected one of " + all);
    }
    std::int64_t start = to_ticks(inst->start_mid, inst->tick);
    m.walks_.push_back(
        Walk{inst, Xoshiro256(SplitMix64(options.seed ^ fnv1a64(s.str())).next()), start, start});
  }
  m.now_ns_ = options.start_ns;
  return m;
}

void GeneratedMarket::step() {
  for (auto& w : walks_) {
    const SampleInstrument& in = *w.inst;
    std::int64_t move = w.rng.uniform(-in.max_step_ticks, in.max_step_ticks);
    // Mean reversion: beyond +-20% of the start the walk only moves back.
    if (w.mid_ticks > w.start_ticks + w.start_ticks / 5) move = -std::abs(move);
    if (w.mid_ticks < w.start_ticks - w.start_ticks / 5) move = std::abs(move);
    w.mid_ticks += move;
    std::int64_t spread = w.rng.uniform(in.min_spread_ticks, in.max_spread_ticks);
    std::int64_t bid = std::max<std::int64_t>(1, w.mid_ticks - spread / 2);
    std::int64_t ask = bid + spread;
    std::int64_t bid_lots = w.rng.uniform(in.min_lots, in.max_lots);
    std::int64_t ask_lots = w.rng.uniform(in.min_lots, in.max_lots);
    Quote q{in.symbol,
            scaled(bid, in.tick),
            scaled(ask, in.tick),
            scaled(bid_lots, in.lot),
            scaled(ask_lots, in.lot),
            now_ns_};
    pending_.emplace_back(q);
    if (w.rng.chance(opt_.trade_per_mille)) {
      bool buy = w.rng.uniform(0, 1) == 1;
      std::int64_t lots = w.rng.uniform(1, buy ? ask_lots : bid_lots);
      pending_.emplace_back(Trade{in.symbol, buy ? q.ask : q.bid, scaled(lots, in.lot),
                                  buy ? Side::kBuy : Side::kSell, now_ns_});
    }
  }
  now_ns_ += opt_.interval_ns;
}

NextEvent GeneratedMarket::next() {
  if (opt_.max_events > 0 && emitted_ >= opt_.max_events) return std::optional<MarketEvent>{};
  if (walks_.empty()) return std::optional<MarketEvent>{};
  while (pending_.empty()) step();
  MarketEvent e = std::move(pending_.front());
  pending_.pop_front();
  ++emitted_;
  return std::optional<MarketEvent>(std::move(e));
}

}  // namespace at::md
