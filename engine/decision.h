// Strategy decisions: parsing (JSON lines) and validation, before anything is journaled.
//
// A decision line:
//   {"decision_id":"d-17","action":"LONG","symbol":"BTC-USDT","size":"0.01",
//    "order_type":"LIMIT","limit_price":"50000.00","stop_price":"...","time_in_force":"GTC",
//    "account":"main","metadata":{"signal":"x"}}
// action LONG buys `size`, SHORT sells `size`, FLAT closes the position of the symbol, HOLD
// does nothing (but is recorded). Decimals must be JSON strings (exact); integers are accepted.
// order_type defaults to LIMIT when limit_price is given, else MARKET.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/result.h"

namespace at::engine {

// Parses one JSON line into a DecisionReceived (source and ts_ns left for the caller).
// Errors are kInvalidArgument and name the field and what was expected.
Result<DecisionReceived> parse_decision(std::string_view json_line);

// Checks the decision's own consistency: positive size (LONG/SHORT), a limit price for
// LIMIT / IOC / FOK / STOP_LIMIT, a stop price for STOP / STOP_LIMIT, positive prices,
// a time in force that fits the order type.
Status validate_decision(const DecisionReceived& d);

// The order type a decision asks for, after defaults.
OrderType effective_order_type(const DecisionReceived& d);
TimeInForce effective_tif(const DecisionReceived& d);

// What happened to a decision: reported to whoever sent it. The same decision id sent again
// gets the original outcome back (`duplicate` = true).
struct DecisionOutcome {
  enum class Kind : std::uint8_t { kOrdered, kHeld, kRiskRejected, kInvalid, kNothingToDo };
  DecisionId decision_id;
  Kind kind = Kind::kInvalid;
  ClientOrderId client_order_id;  // kOrdered
  std::string reason;             // risk reason code, or the validation error
  std::string detail;
  std::uint64_t sequence = 0;  // journal sequence of the DecisionReceived
  bool duplicate = false;
};
std::string_view to_string(DecisionOutcome::Kind k);
// One JSON line for the outcome (what `autotrader run` prints per decision).
std::string outcome_json(const DecisionOutcome& o);

}  // namespace at::engine
