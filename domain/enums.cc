#include "domain/enums.h"

#include <array>
#include <cctype>
#include <utility>

namespace at {
namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<Side, 2> kSide{{{Side::kBuy, "BUY"}, {Side::kSell, "SELL"}}};
constexpr Names<OrderType, 6> kOrderType{{{OrderType::kMarket, "MARKET"},
                                          {OrderType::kLimit, "LIMIT"},
                                          {OrderType::kIoc, "IOC"},
                                          {OrderType::kFok, "FOK"},
                                          {OrderType::kStop, "STOP"},
                                          {OrderType::kStopLimit, "STOP_LIMIT"}}};
constexpr Names<TimeInForce, 4> kTif{{{TimeInForce::kGtc, "GTC"},
                                      {TimeInForce::kIoc, "IOC"},
                                      {TimeInForce::kFok, "FOK"},
                                      {TimeInForce::kDay, "DAY"}}};
constexpr Names<OrderStatus, 10> kStatus{{{OrderStatus::kPending, "PENDING"},
                                          {OrderStatus::kSubmitted, "SUBMITTED"},
                                          {OrderStatus::kPartialFill, "PARTIAL_FILL"},
                                          {OrderStatus::kFilled, "FILLED"},
                                          {OrderStatus::kCancelled, "CANCELLED"},
                                          {OrderStatus::kRejected, "REJECTED"},
                                          {OrderStatus::kExpired, "EXPIRED"},
                                          {OrderStatus::kPendingCancel, "PENDING_CANCEL"},
                                          {OrderStatus::kPendingReplace, "PENDING_REPLACE"},
                                          {OrderStatus::kUnknown, "UNKNOWN"}}};
constexpr Names<Action, 4> kAction{{{Action::kLong, "LONG"},
                                    {Action::kShort, "SHORT"},
                                    {Action::kFlat, "FLAT"},
                                    {Action::kHold, "HOLD"}}};
constexpr Names<TradingState, 3> kTrading{{{TradingState::kActive, "ACTIVE"},
                                           {TradingState::kReducing, "REDUCING"},
                                           {TradingState::kHalted, "HALTED"}}};
constexpr Names<BreakerState, 3> kBreaker{{{BreakerState::kClosed, "CLOSED"},
                                           {BreakerState::kOpen, "OPEN"},
                                           {BreakerState::kHalfOpen, "HALF_OPEN"}}};
constexpr Names<Liquidity, 3> kLiq{{{Liquidity::kUnknown, "UNKNOWN"},
                                    {Liquidity::kMaker, "MAKER"},
                                    {Liquidity::kTaker, "TAKER"}}};
constexpr Names<ConnectionState, 3> kConn{{{ConnectionState::kConnected, "CONNECTED"},
                                           {ConnectionState::kDisconnected, "DISCONNECTED"},
                                           {ConnectionState::kReconnecting, "RECONNECTING"}}};

template <typename E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E v) {
  for (const auto& [e, n] : names)
    if (e == v) return n;
  return "?";
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = static_cast<char>(std::toupper(static_cast<unsigned char>(a[i])));
    char y = static_cast<char>(std::toupper(static_cast<unsigned char>(b[i])));
    if (x == '-') x = '_';
    if (x != y) return false;
  }
  return true;
}

template <typename E, std::size_t N>
bool parse_of(const Names<E, N>& names, std::string_view s, E& out) {
  for (const auto& [e, n] : names)
    if (iequal(s, n)) {
      out = e;
      return true;
    }
  return false;
}

}  // namespace

std::string_view to_string(Side v) { return name_of(kSide, v); }
std::string_view to_string(OrderType v) { return name_of(kOrderType, v); }
std::string_view to_string(TimeInForce v) { return name_of(kTif, v); }
std::string_view to_string(OrderStatus v) { return name_of(kStatus, v); }
std::string_view to_string(Action v) { return name_of(kAction, v); }
std::string_view to_string(TradingState v) { return name_of(kTrading, v); }
std::string_view to_string(BreakerState v) { return name_of(kBreaker, v); }
std::string_view to_string(Liquidity v) { return name_of(kLiq, v); }
std::string_view to_string(ConnectionState v) { return name_of(kConn, v); }

bool parse(std::string_view s, Side& out) { return parse_of(kSide, s, out); }
bool parse(std::string_view s, OrderType& out) { return parse_of(kOrderType, s, out); }
bool parse(std::string_view s, TimeInForce& out) { return parse_of(kTif, s, out); }
bool parse(std::string_view s, OrderStatus& out) { return parse_of(kStatus, s, out); }
bool parse(std::string_view s, Action& out) { return parse_of(kAction, s, out); }
bool parse(std::string_view s, TradingState& out) { return parse_of(kTrading, s, out); }
bool parse(std::string_view s, BreakerState& out) { return parse_of(kBreaker, s, out); }
bool parse(std::string_view s, Liquidity& out) { return parse_of(kLiq, s, out); }
bool parse(std::string_view s, ConnectionState& out) { return parse_of(kConn, s, out); }

bool is_terminal(OrderStatus s) {
  return s == OrderStatus::kFilled || s == OrderStatus::kCancelled ||
         s == OrderStatus::kRejected || s == OrderStatus::kExpired;
}

}  // namespace at
