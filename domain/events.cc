#include "domain/events.h"

#include <array>
#include <type_traits>

namespace at {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "DecisionReceived",     "RiskRejected",          "OrderRequested",
    "OrderSent",            "OrderAccepted",         "OrderRejected",
    "OrderFilled",          "CancelRequested",       "OrderCancelled",
    "CancelRejected",       "ReplaceRequested",      "OrderReplaced",
    "ReplaceRejected",      "OrderExpired",          "OrderStatusUnknown",
    "OrderNotFoundAtVenue", "VenueConnectionChanged", "VenueErrorOccurred",
    "RetryScheduled",       "CircuitBreakerChanged", "DeadLettered",
    "DeadLetterRetried",    "DeadLetterDropped",     "AnomalyDetected",
    "TradingStateChanged",  "KillSwitchActivated",   "MarkPriceUpdated",
    "BalanceUpdated",       "AccountFunded",         "InstrumentDefined",
    "EngineStarted",        "EngineStopped",         "RecoveryCompleted",
};

template <typename T, typename = void>
struct HasCoid : std::false_type {};
template <typename T>
struct HasCoid<T, std::void_t<decltype(std::declval<T>().client_order_id)>> : std::true_type {};
template <typename T, typename = void>
struct HasVoid : std::false_type {};
template <typename T>
struct HasVoid<T, std::void_t<decltype(std::declval<T>().venue_order_id)>> : std::true_type {};
template <typename T, typename = void>
struct HasSymbol : std::false_type {};
template <typename T>
struct HasSymbol<T, std::void_t<decltype(std::declval<T>().symbol)>> : std::true_type {};

}  // namespace

std::string_view to_string(EventType t) {
  auto i = static_cast<std::size_t>(t);
  return i < kNames.size() ? kNames[i] : std::string_view("Unknown");
}

bool parse_event_type(std::string_view s, EventType& out) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) {
      out = static_cast<EventType>(i);
      return true;
    }
  return false;
}

std::int64_t event_time_ns(const Event& e) {
  return std::visit([](const auto& x) { return x.ts_ns; }, e);
}

const ClientOrderId* client_order_id_of(const Event& e) {
  return std::visit(
      [](const auto& x) -> const ClientOrderId* {
        using T = std::decay_t<decltype(x)>;
        if constexpr (HasCoid<T>::value) {
          return x.client_order_id.empty() ? nullptr : &x.client_order_id;
        } else {
          return nullptr;
        }
      },
      e);
}

const VenueOrderId* venue_order_id_of(const Event& e) {
  if (auto* r = std::get_if<OrderReplaced>(&e))
    return r->new_venue_order_id.empty() ? nullptr : &r->new_venue_order_id;
  return std::visit(
      [](const auto& x) -> const VenueOrderId* {
        using T = std::decay_t<decltype(x)>;
        if constexpr (HasVoid<T>::value) {
          return x.venue_order_id.empty() ? nullptr : &x.venue_order_id;
        } else {
          return nullptr;
        }
      },
      e);
}

const Symbol* symbol_of(const Event& e) {
  if (auto* d = std::get_if<InstrumentDefined>(&e)) return &d->rules.symbol;
  return std::visit(
      [](const auto& x) -> const Symbol* {
        using T = std::decay_t<decltype(x)>;
        if constexpr (HasSymbol<T>::value) {
          return x.symbol.empty() ? nullptr : &x.symbol;
        } else {
          return nullptr;
        }
      },
      e);
}

}  // namespace at
