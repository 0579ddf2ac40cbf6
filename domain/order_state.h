// The order state machine: every order status change goes through transition().
//
// It is one table with a line per legal edge (order_state.cc). Anything not in the table is
// illegal: the caller records an AnomalyDetected event and leaves the order as it was.
// Real venue races are legal edges, commented where they occur in the table:
//   fill after a cancel request, cancel rejected because the order filled, a late fill after
//   the cancel was confirmed, an acknowledgement arriving after a fill or a cancel request.
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/enums.h"

namespace at {

enum class OrderEventKind : std::uint8_t {
  kSent,
  kAccepted,
  kRejected,
  kPartialFill,   // a fill that leaves quantity open
  kFinalFill,     // a fill that completes the order quantity
  kCancelRequested,
  kCancelled,
  kCancelRejected,
  kReplaceRequested,
  kReplaced,
  kReplaceRejected,
  kExpired,
  kStatusUnknown,
  kNotFoundAtVenue,
};

std::string_view to_string(OrderEventKind k);

struct OrderTransition {
  bool legal = false;
  OrderStatus to = OrderStatus::kPending;
  std::string_view note;  // why an odd edge is legal, or why an edge is refused
};

// `has_fills`: some quantity already executed (decides where a cancel reject returns to).
OrderTransition transition(OrderStatus from, OrderEventKind event, bool has_fills);

}  // namespace at
