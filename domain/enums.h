// The enums of the execution spec, with their one text form each (used in the CLI, JSON
// lines, config and logs). parse_*() return false on unknown text and leave `out` alone.
#pragma once

#include <cstdint>
#include <string_view>

namespace at {

enum class Side : std::uint8_t { kBuy, kSell };
enum class OrderType : std::uint8_t { kMarket, kLimit, kIoc, kFok, kStop, kStopLimit };
enum class TimeInForce : std::uint8_t { kGtc, kIoc, kFok, kDay };
// PENDING: intent journaled, no venue answer yet. UNKNOWN: a request's answer was lost; it is
// resolved by querying the venue, never by blind resubmission.
enum class OrderStatus : std::uint8_t {
  kPending,
  kSubmitted,
  kPartialFill,
  kFilled,
  kCancelled,
  kRejected,
  kExpired,
  kPendingCancel,
  kPendingReplace,
  kUnknown,
};
enum class Action : std::uint8_t { kLong, kShort, kFlat, kHold };
enum class TradingState : std::uint8_t { kActive, kReducing, kHalted };
enum class BreakerState : std::uint8_t { kClosed, kOpen, kHalfOpen };
enum class Liquidity : std::uint8_t { kUnknown, kMaker, kTaker };
enum class ConnectionState : std::uint8_t { kConnected, kDisconnected, kReconnecting };

std::string_view to_string(Side v);
std::string_view to_string(OrderType v);
std::string_view to_string(TimeInForce v);
std::string_view to_string(OrderStatus v);
std::string_view to_string(Action v);
std::string_view to_string(TradingState v);
std::string_view to_string(BreakerState v);
std::string_view to_string(Liquidity v);
std::string_view to_string(ConnectionState v);

// Case-insensitive; accepts the spec's lower-case names ("stop_limit") and upper case.
bool parse(std::string_view s, Side& out);
bool parse(std::string_view s, OrderType& out);
bool parse(std::string_view s, TimeInForce& out);
bool parse(std::string_view s, OrderStatus& out);
bool parse(std::string_view s, Action& out);
bool parse(std::string_view s, TradingState& out);
bool parse(std::string_view s, BreakerState& out);
bool parse(std::string_view s, Liquidity& out);
bool parse(std::string_view s, ConnectionState& out);

// Terminal: no further venue event can change the order (a late fill is an anomaly... except
// the documented races, see order_state.h).
bool is_terminal(OrderStatus s);
// Open: working, or possibly working, at the venue.
inline bool is_open(OrderStatus s) { return !is_terminal(s); }
inline Side opposite(Side s) { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

}  // namespace at
