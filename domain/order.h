// Order: the OMS projection's view of one order, built only from events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/decimal.h"
#include "domain/enums.h"
#include "domain/ids.h"
#include "domain/symbol.h"

namespace at {

struct Order {
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;
  DecisionId decision_id;
  std::string account;
  std::string venue;
  Symbol symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  Quantity quantity;
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;
  TimeInForce tif = TimeInForce::kGtc;
  OrderStatus status = OrderStatus::kPending;
  Quantity filled_quantity;
  Money filled_notional;  // sum of qty * price over fills; avg price = notional / filled
  Money commission;
  std::uint32_t send_attempts = 0;
  ClientOrderId replaces;
  ClientOrderId replaced_by;
  std::string last_reason;
  std::uint64_t created_seq = 0;
  std::uint64_t updated_seq = 0;
  std::int64_t created_ns = 0;
  std::int64_t updated_ns = 0;

  Quantity remaining() const { return quantity - filled_quantity; }
  // Average fill price at the order's price scale + 4 places (0 when nothing filled).
  Price average_price() const;
};

}  // namespace at
