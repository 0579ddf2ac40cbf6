// Normalized market data: what every feed (generated, recorded file, venue stream) produces.
#pragma once

#include <cstdint>

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

}  // namespace at::md
