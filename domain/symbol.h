// Symbol: the one canonical form of an instrument: "BTC-USDT", "EUR-USD", "AAPL".
// Pairs are BASE-QUOTE in upper case; a bare equity ticker is quoted in USD.
// Venues map it to their own form (BTCUSDT, BTC-USD, EUR_USD, an IB contract).
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "domain/decimal.h"
#include "domain/result.h"

namespace at {

class Symbol {
 public:
  Symbol() = default;
  // Validates and canonicalises ("btc-usdt" -> "BTC-USDT"; "EUR/USD" and "EUR_USD" -> "EUR-USD").
  static Result<Symbol> parse(std::string_view text);
  static Symbol of(std::string_view text);  // throws std::invalid_argument; for literals

  const std::string& str() const { return s_; }
  bool empty() const { return s_.empty(); }
  std::string_view base() const;
  std::string_view quote() const;  // "USD" for a bare ticker
  friend auto operator<=>(const Symbol&, const Symbol&) = default;
  friend bool operator==(const Symbol&, const Symbol&) = default;

 private:
  explicit Symbol(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

// Trading rules of one instrument at one venue (Binance's PRICE_FILTER/LOT_SIZE/NOTIONAL etc).
// A zero field disables its rule.
struct InstrumentRules {
  Symbol symbol;
  std::string venue_symbol;
  Price tick_size;
  Quantity lot_size;
  Quantity min_qty;
  Quantity max_qty;
  Money min_notional;
};

}  // namespace at
