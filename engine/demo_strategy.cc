#include "engine/demo_strategy.h"

#include <algorithm>

namespace at::engine {

DemoStrategy::DemoStrategy(DemoStrategyOptions o) : o_(std::move(o)), rng_(o_.seed ? o_.seed : 1) {}

std::uint64_t DemoStrategy::next_random() {
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::optional<DecisionReceived> DemoStrategy::on_quote(const md::Quote& q,
                                                       std::int64_t monotonic_ns) {
  if (std::find(o_.symbols.begin(), o_.symbols.end(), q.symbol) == o_.symbols.end())
    return std::nullopt;
  auto qty = o_.quantity.find(q.symbol);
  if (qty == o_.quantity.end() || !q.bid.is_positive() || !q.ask.is_positive()) return std::nullopt;
  auto [it, fresh] = last_ns_.try_emplace(q.symbol, monotonic_ns);
  if (!fresh && monotonic_ns - it->second < o_.interval_ms * 1'000'000) return std::nullopt;
  it->second = monotonic_ns;

  bool& go_long = long_next_.try_emplace(q.symbol, (next_random() & 1) == 0).first->second;
  DecisionReceived d;
  d.decision_id = DecisionId("demo-" + q.symbol.str() + "-" + std::to_string(++counter_));
  d.source = "demo";
  d.symbol = q.symbol;
  d.action = go_long ? Action::kLong : Action::kShort;
  d.size = qty->second;
  d.order_type = o_.order_type;
  if (o_.order_type != OrderType::kMarket) {
    // Through the touch by the offset: a buy a little above the ask, a sell below the bid,
    // so it takes now; every fourth decision rests behind the touch instead.
    bool rest = (next_random() % 4) == 0;
    Price ref = go_long ? (rest ? q.bid : q.ask) : (rest ? q.ask : q.bid);
    Decimal off = Decimal::divide(ref * o_.limit_offset_bps, Decimal::from_int(10000), 10);
    Price px = (go_long != rest) ? ref + off : ref - off;
    if (auto t = o_.tick.find(q.symbol); t != o_.tick.end() && t->second.is_positive())
      px = px.round_to_step(t->second, go_long != rest ? Rounding::kCeiling : Rounding::kFloor);
    d.limit_price = px;
    if (o_.order_type == OrderType::kIoc) d.tif = TimeInForce::kIoc;
  }
  d.metadata.emplace_back("strategy", "demo");
  go_long = !go_long;
  return d;
}

}  // namespace at::engine
