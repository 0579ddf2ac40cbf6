// Normalized market data: what every feed (generated, recorded file, venue stream) produces.
#pragma once

#include <cstdint>
#include <variant>

#include "domain/decimal.h"
#include "domain/enums.h"
#include "domain/symbol.h"

namespace at::md {

// Top of book. A zero size means "size unknown" (e.g. FX quotes carry no size).
struct Quote {
  Symbol symbol;
  Price bid;
  Price ask;
  Quantity bid_size;
  Quantity ask_size;
  std::int64_t ts_ns = 0;  // exchange/recorded time
};

// One trade print. `aggressor` is the taker's side when known.
struct Trade {
  Symbol symbol;
  Price price;
  Quantity quantity;
  Side aggressor = Side::kBuy;
  std::int64_t ts_ns = 0;
};

// An OHLCV bar (recorded klines).
struct Bar {
  Symbol symbol;
  Price open, high, low, close;
  Quantity volume;
  std::int64_t open_ns = 0;
  std::int64_t close_ns = 0;
};

// One item of a market data stream (file, generated market, venue feed).
using MarketEvent = std::variant<Quote, Trade, Bar>;

// The time the event became known: a quote's or trade's ts_ns, a bar's close_ns.
inline std::int64_t event_ts_ns(const MarketEvent& e) {
  if (const auto* b = std::get_if<Bar>(&e)) return b->close_ns;
  if (const auto* q = std::get_if<Quote>(&e)) return q->ts_ns;
  return std::get<Trade>(e).ts_ns;
}

inline const Symbol& event_symbol(const MarketEvent& e) {
  return std::visit([](const auto& v) -> const Symbol& { return v.symbol; }, e);
}

}  // namespace at::md
