#include "domain/order_state.h"

#include <array>

namespace at {
namespace {

using S = OrderStatus;
using E = OrderEventKind;

// `kWorking` in the table means "SUBMITTED, or PARTIAL_FILL when some quantity has filled".
constexpr S kWorking = static_cast<S>(255);

struct Edge {
  S from;
  E event;
  S to;
  std::string_view note;
};

// clang-format off
constexpr Edge kEdges[] = {
  // PENDING: intent durable, no venue answer yet.
  {S::kPending, E::kSent,             S::kPending,        ""},
  {S::kPending, E::kAccepted,         S::kSubmitted,      ""},
  {S::kPending, E::kRejected,         S::kRejected,       ""},
  {S::kPending, E::kPartialFill,      S::kPartialFill,    "fill report overtook the ack"},
  {S::kPending, E::kFinalFill,        S::kFilled,         "fill report overtook the ack"},
  {S::kPending, E::kCancelRequested,  S::kPendingCancel,  "cancel before the ack"},
  {S::kPending, E::kCancelled,        S::kCancelled,      "IOC/FOK killed before the ack"},
  {S::kPending, E::kExpired,          S::kExpired,        ""},
  {S::kPending, E::kStatusUnknown,    S::kUnknown,        ""},
  {S::kPending, E::kNotFoundAtVenue,  S::kPending,        "recovery query: never reached the venue"},

  // SUBMITTED / PARTIAL_FILL: working at the venue.
  {S::kSubmitted, E::kAccepted,         S::kSubmitted,      "duplicate ack"},
  {S::kSubmitted, E::kPartialFill,      S::kPartialFill,    ""},
  {S::kSubmitted, E::kFinalFill,        S::kFilled,         ""},
  {S::kSubmitted, E::kCancelRequested,  S::kPendingCancel,  ""},
  {S::kSubmitted, E::kReplaceRequested, S::kPendingReplace, ""},
  {S::kSubmitted, E::kCancelled,        S::kCancelled,      "unsolicited venue cancel"},
  {S::kSubmitted, E::kExpired,          S::kExpired,        ""},
  {S::kSubmitted, E::kStatusUnknown,    S::kUnknown,        ""},
  {S::kSubmitted, E::kCancelRejected,   S::kSubmitted,      "late reject of an earlier cancel"},
  {S::kSubmitted, E::kReplaceRejected,  S::kSubmitted,      "late reject of an earlier replace"},
  {S::kPartialFill, E::kAccepted,         S::kPartialFill,    "late ack"},
  {S::kPartialFill, E::kPartialFill,      S::kPartialFill,    ""},
  {S::kPartialFill, E::kFinalFill,        S::kFilled,         ""},
  {S::kPartialFill, E::kCancelRequested,  S::kPendingCancel,  ""},
  {S::kPartialFill, E::kReplaceRequested, S::kPendingReplace, ""},
  {S::kPartialFill, E::kCancelled,        S::kCancelled,      "unsolicited venue cancel"},
  {S::kPartialFill, E::kExpired,          S::kExpired,        ""},
  {S::kPartialFill, E::kStatusUnknown,    S::kUnknown,        ""},
  {S::kPartialFill, E::kCancelRejected,   S::kPartialFill,    "late reject of an earlier cancel"},
  {S::kPartialFill, E::kReplaceRejected,  S::kPartialFill,    "late reject of an earlier replace"},

  // PENDING_CANCEL: cancel sent, answer outstanding.
  {S::kPendingCancel, E::kCancelled,        S::kCancelled,      ""},
  {S::kPendingCancel, E::kCancelRejected,   kWorking,           "cancel refused; order still works"},
  {S::kPendingCancel, E::kPartialFill,      S::kPendingCancel,  "fill after cancel request: venue race"},
  {S::kPendingCancel, E::kFinalFill,        S::kFilled,         "filled before the cancel arrived: venue race"},
  {S::kPendingCancel, E::kAccepted,         S::kPendingCancel,  "ack of the order after the cancel left"},
  {S::kPendingCancel, E::kRejected,         S::kRejected,       "order rejected before the cancel applied"},
  {S::kPendingCancel, E::kExpired,          S::kExpired,        ""},
  {S::kPendingCancel, E::kStatusUnknown,    S::kUnknown,        "cancel answer lost"},
  {S::kPendingCancel, E::kCancelRequested,  S::kPendingCancel,  "cancel retried"},

  // PENDING_REPLACE: replace sent (native, or cancel-then-submit), answer outstanding.
  {S::kPendingReplace, E::kReplaced,         S::kCancelled,      "old order replaced by the new one"},
  {S::kPendingReplace, E::kCancelled,        S::kCancelled,      "cancel leg of cancel-then-submit"},
  {S::kPendingReplace, E::kReplaceRejected,  kWorking,           "replace refused; order still works"},
  {S::kPendingReplace, E::kCancelRejected,   kWorking,           "cancel leg refused; order still works"},
  {S::kPendingReplace, E::kPartialFill,      S::kPendingReplace, "fill during replace: venue race"},
  {S::kPendingReplace, E::kFinalFill,        S::kFilled,         "filled before the replace: venue race"},
  {S::kPendingReplace, E::kExpired,          S::kExpired,        ""},
  {S::kPendingReplace, E::kStatusUnknown,    S::kUnknown,        "replace answer lost"},

  // UNKNOWN: an answer was lost; only a venue query (or a venue event) resolves it.
  {S::kUnknown, E::kAccepted,         S::kSubmitted,   "query: the venue has it"},
  {S::kUnknown, E::kRejected,         S::kRejected,    ""},
  {S::kUnknown, E::kPartialFill,      S::kPartialFill, ""},
  {S::kUnknown, E::kFinalFill,        S::kFilled,      ""},
  {S::kUnknown, E::kCancelled,        S::kCancelled,   ""},
  {S::kUnknown, E::kCancelRejected,   kWorking,        ""},
  {S::kUnknown, E::kReplaced,         S::kCancelled,   ""},
  {S::kUnknown, E::kReplaceRejected,  kWorking,        ""},
  {S::kUnknown, E::kExpired,          S::kExpired,     ""},
  {S::kUnknown, E::kStatusUnknown,    S::kUnknown,     "still unknown"},
  {S::kUnknown, E::kNotFoundAtVenue,  S::kPending,     "query: the venue never had it; resend with the same id"},
  {S::kUnknown, E::kSent,             S::kUnknown,     ""},

  // Terminal states: only the documented races and duplicates.
  {S::kCancelled, E::kPartialFill,    S::kCancelled, "late fill after cancel: venue race"},
  {S::kCancelled, E::kFinalFill,      S::kFilled,    "Cancelled + Filled -> Filled: venue race"},
  {S::kCancelled, E::kCancelled,      S::kCancelled, "duplicate cancel confirmation"},
  {S::kCancelled, E::kCancelRejected, S::kCancelled, "duplicate cancel of a cancelled order"},
  {S::kCancelled, E::kStatusUnknown,  S::kCancelled, "late timeout of a finished request"},
  {S::kExpired,   E::kPartialFill,    S::kExpired,   "late fill after expiry: venue race"},
  {S::kExpired,   E::kFinalFill,      S::kFilled,    "late fill after expiry: venue race"},
  {S::kExpired,   E::kExpired,        S::kExpired,   "duplicate"},
  {S::kExpired,   E::kCancelRejected, S::kExpired,   "cancel crossed the expiry: venue race"},
  {S::kExpired,   E::kStatusUnknown,  S::kExpired,   "late timeout of a finished request"},
  {S::kFilled,    E::kCancelRejected, S::kFilled,    "cancel rejected because filled: venue race"},
  {S::kFilled,    E::kReplaceRejected, S::kFilled,   "replace rejected because filled: venue race"},
  {S::kFilled,    E::kAccepted,       S::kFilled,    "late ack"},
  {S::kFilled,    E::kStatusUnknown,  S::kFilled,    "late timeout of a finished request"},
  {S::kRejected,  E::kRejected,       S::kRejected,  "duplicate"},
  {S::kRejected,  E::kCancelRejected, S::kRejected,  "cancel of an order the venue refused: race"},
  {S::kRejected,  E::kStatusUnknown,  S::kRejected,  "late timeout of a finished request"},
};
// clang-format on

}  // namespace

std::string_view to_string(OrderEventKind k) {
  constexpr std::array<std::string_view, 14> names = {
      "sent",      "accepted",          "rejected", "partial_fill",      "final_fill",
      "cancel_requested", "cancelled", "cancel_rejected", "replace_requested", "replaced",
      "replace_rejected", "expired", "status_unknown", "not_found_at_venue"};
  auto i = static_cast<std::size_t>(k);
  return i < names.size() ? names[i] : "?";
}

OrderTransition transition(OrderStatus from, OrderEventKind event, bool has_fills) {
  for (const Edge& e : kEdges) {
    if (e.from == from && e.event == event) {
      S to = e.to;
      if (to == kWorking) to = has_fills ? S::kPartialFill : S::kSubmitted;
      return {true, to, e.note};
    }
  }
  return {false, from, "no such edge"};
}

}  // namespace at
