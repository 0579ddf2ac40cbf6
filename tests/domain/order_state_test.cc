// The order state machine, transition by transition: every legal edge of the table, a sample of
// illegal ones, and the venue races the design calls out by name.
#include "domain/order_state.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <vector>

namespace at {
namespace {

using S = OrderStatus;
using E = OrderEventKind;

constexpr S kAllStatuses[] = {S::kPending,        S::kSubmitted, S::kPartialFill, S::kFilled,
                              S::kCancelled,      S::kRejected,  S::kExpired,     S::kPendingCancel,
                              S::kPendingReplace, S::kUnknown};
constexpr E kAllEvents[] = {E::kSent,          E::kAccepted,        E::kRejected,
                            E::kPartialFill,   E::kFinalFill,       E::kCancelRequested,
                            E::kCancelled,     E::kCancelRejected,  E::kReplaceRequested,
                            E::kReplaced,      E::kReplaceRejected, E::kExpired,
                            E::kStatusUnknown, E::kNotFoundAtVenue};

// The expected legal edges, written independently of order_state.cc. `to_unfilled` is the
// target when nothing has filled, `to_filled` when some quantity has (they differ only for
// the "back to working" edges).
struct Expected {
  S from;
  E event;
  S to_unfilled;
  S to_filled;
};

// clang-format off
const std::vector<Expected> kExpected = {
  {S::kPending, E::kSent,            S::kPending,       S::kPending},
  {S::kPending, E::kAccepted,        S::kSubmitted,     S::kSubmitted},
  {S::kPending, E::kRejected,        S::kRejected,      S::kRejected},
  {S::kPending, E::kPartialFill,     S::kPartialFill,   S::kPartialFill},
  {S::kPending, E::kFinalFill,       S::kFilled,        S::kFilled},
  {S::kPending, E::kCancelRequested, S::kPendingCancel, S::kPendingCancel},
  {S::kPending, E::kCancelled,       S::kCancelled,     S::kCancelled},
  {S::kPending, E::kExpired,         S::kExpired,       S::kExpired},
  {S::kPending, E::kStatusUnknown,   S::kUnknown,       S::kUnknown},
  {S::kPending, E::kNotFoundAtVenue, S::kPending,       S::kPending},

  {S::kSubmitted, E::kAccepted,         S::kSubmitted,      S::kSubmitted},
  {S::kSubmitted, E::kPartialFill,      S::kPartialFill,    S::kPartialFill},
  {S::kSubmitted, E::kFinalFill,        S::kFilled,         S::kFilled},
  {S::kSubmitted, E::kCancelRequested,  S::kPendingCancel,  S::kPendingCancel},
  {S::kSubmitted, E::kReplaceRequested, S::kPendingReplace, S::kPendingReplace},
  {S::kSubmitted, E::kCancelled,        S::kCancelled,      S::kCancelled},
  {S::kSubmitted, E::kExpired,          S::kExpired,        S::kExpired},
  {S::kSubmitted, E::kStatusUnknown,    S::kUnknown,        S::kUnknown},
  {S::kSubmitted, E::kCancelRejected,   S::kSubmitted,      S::kSubmitted},
  {S::kSubmitted, E::kReplaceRejected,  S::kSubmitted,      S::kSubmitted},

  {S::kPartialFill, E::kAccepted,         S::kPartialFill,    S::kPartialFill},
  {S::kPartialFill, E::kPartialFill,      S::kPartialFill,    S::kPartialFill},
  {S::kPartialFill, E::kFinalFill,        S::kFilled,         S::kFilled},
  {S::kPartialFill, E::kCancelRequested,  S::kPendingCancel,  S::kPendingCancel},
  {S::kPartialFill, E::kReplaceRequested, S::kPendingReplace, S::kPendingReplace},
  {S::kPartialFill, E::kCancelled,        S::kCancelled,      S::kCancelled},
  {S::kPartialFill, E::kExpired,          S::kExpired,        S::kExpired},
  {S::kPartialFill, E::kStatusUnknown,    S::kUnknown,        S::kUnknown},
  {S::kPartialFill, E::kCancelRejected,   S::kPartialFill,    S::kPartialFill},
  {S::kPartialFill, E::kReplaceRejected,  S::kPartialFill,    S::kPartialFill},

  {S::kPendingCancel, E::kCancelled,       S::kCancelled,     S::kCancelled},
  {S::kPendingCancel, E::kCancelRejected,  S::kSubmitted,     S::kPartialFill},
  {S::kPendingCancel, E::kPartialFill,     S::kPendingCancel, S::kPendingCancel},
  {S::kPendingCancel, E::kFinalFill,       S::kFilled,        S::kFilled},
  {S::kPendingCancel, E::kAccepted,        S::kPendingCancel, S::kPendingCancel},
  {S::kPendingCancel, E::kRejected,        S::kRejected,      S::kRejected},
  {S::kPendingCancel, E::kExpired,         S::kExpired,       S::kExpired},
  {S::kPendingCancel, E::kStatusUnknown,   S::kUnknown,       S::kUnknown},
  {S::kPendingCancel, E::kCancelRequested, S::kPendingCancel, S::kPendingCancel},

  {S::kPendingReplace, E::kReplaced,        S::kCancelled,      S::kCancelled},
  {S::kPendingReplace, E::kCancelled,       S::kCancelled,      S::kCancelled},
  {S::kPendingReplace, E::kReplaceRejected, S::kSubmitted,      S::kPartialFill},
  {S::kPendingReplace, E::kCancelRejected,  S::kSubmitted,      S::kPartialFill},
  {S::kPendingReplace, E::kPartialFill,     S::kPendingReplace, S::kPendingReplace},
  {S::kPendingReplace, E::kFinalFill,       S::kFilled,         S::kFilled},
  {S::kPendingReplace, E::kExpired,         S::kExpired,        S::kExpired},
  {S::kPendingReplace, E::kStatusUnknown,   S::kUnknown,        S::kUnknown},

  {S::kUnknown, E::kAccepted,        S::kSubmitted,   S::kSubmitted},
  {S::kUnknown, E::kRejected,        S::kRejected,    S::kRejected},
  {S::kUnknown, E::kPartialFill,     S::kPartialFill, S::kPartialFill},
  {S::kUnknown, E::kFinalFill,       S::kFilled,      S::kFilled},
  {S::kUnknown, E::kCancelled,       S::kCancelled,   S::kCancelled},
  {S::kUnknown, E::kCancelRejected,  S::kSubmitted,   S::kPartialFill},
  {S::kUnknown, E::kReplaced,        S::kCancelled,   S::kCancelled},
  {S::kUnknown, E::kReplaceRejected, S::kSubmitted,   S::kPartialFill},
  {S::kUnknown, E::kExpired,         S::kExpired,     S::kExpired},
  {S::kUnknown, E::kStatusUnknown,   S::kUnknown,     S::kUnknown},
  {S::kUnknown, E::kNotFoundAtVenue, S::kPending,     S::kPending},
  {S::kUnknown, E::kSent,            S::kUnknown,     S::kUnknown},

  {S::kCancelled, E::kPartialFill,     S::kCancelled, S::kCancelled},
  {S::kCancelled, E::kFinalFill,       S::kFilled,    S::kFilled},
  {S::kCancelled, E::kCancelled,       S::kCancelled, S::kCancelled},
  {S::kCancelled, E::kCancelRejected,  S::kCancelled, S::kCancelled},
  {S::kCancelled, E::kStatusUnknown,   S::kCancelled, S::kCancelled},
  {S::kExpired,   E::kPartialFill,     S::kExpired,   S::kExpired},
  {S::kExpired,   E::kFinalFill,       S::kFilled,    S::kFilled},
  {S::kExpired,   E::kExpired,         S::kExpired,   S::kExpired},
  {S::kExpired,   E::kCancelRejected,  S::kExpired,   S::kExpired},
  {S::kExpired,   E::kStatusUnknown,   S::kExpired,   S::kExpired},
  {S::kFilled,    E::kCancelRejected,  S::kFilled,    S::kFilled},
  {S::kFilled,    E::kReplaceRejected, S::kFilled,    S::kFilled},
  {S::kFilled,    E::kAccepted,        S::kFilled,    S::kFilled},
  {S::kFilled,    E::kStatusUnknown,   S::kFilled,    S::kFilled},
  {S::kRejected,  E::kRejected,        S::kRejected,  S::kRejected},
  {S::kRejected,  E::kCancelRejected,  S::kRejected,  S::kRejected},
  {S::kRejected,  E::kStatusUnknown,   S::kRejected,  S::kRejected},
};
// clang-format on

TEST(OrderStateMachine, EveryLegalEdgeLeadsWhereTheTableSays) {
  for (const Expected& x : kExpected) {
    for (bool has_fills : {false, true}) {
      OrderTransition t = transition(x.from, x.event, has_fills);
      EXPECT_TRUE(t.legal) << to_string(x.from) << " + " << to_string(x.event);
      EXPECT_EQ(t.to, has_fills ? x.to_filled : x.to_unfilled)
          << to_string(x.from) << " + " << to_string(x.event) << " has_fills=" << has_fills
          << " went to " << to_string(t.to);
    }
  }
}

// Exhaustive: every (status, event) pair not listed above is refused and leaves the status.
TEST(OrderStateMachine, EveryUnlistedPairIsIllegalAndLeavesTheStatus) {
  std::set<std::pair<S, E>> legal;
  for (const Expected& x : kExpected) legal.insert({x.from, x.event});
  int illegal = 0;
  for (S from : kAllStatuses) {
    for (E ev : kAllEvents) {
      if (legal.count({from, ev})) continue;
      for (bool has_fills : {false, true}) {
        OrderTransition t = transition(from, ev, has_fills);
        EXPECT_FALSE(t.legal) << to_string(from) << " + " << to_string(ev);
        EXPECT_EQ(t.to, from);
        EXPECT_FALSE(t.note.empty());
      }
      ++illegal;
    }
  }
  EXPECT_EQ(illegal + static_cast<int>(kExpected.size()),
            static_cast<int>(std::size(kAllStatuses) * std::size(kAllEvents)));
}

TEST(OrderStateMachine, ASampleOfIllegalEdgesIsRefused) {
  // A filled order cannot fill again, be cancelled, or be accepted into working state.
  EXPECT_FALSE(transition(S::kFilled, E::kPartialFill, true).legal);
  EXPECT_FALSE(transition(S::kFilled, E::kFinalFill, true).legal);
  EXPECT_FALSE(transition(S::kFilled, E::kCancelled, true).legal);
  // A rejected order never reached the venue: nothing can fill it.
  EXPECT_FALSE(transition(S::kRejected, E::kPartialFill, false).legal);
  EXPECT_FALSE(transition(S::kRejected, E::kAccepted, false).legal);
  // A replace needs a working order.
  EXPECT_FALSE(transition(S::kPending, E::kReplaceRequested, false).legal);
  EXPECT_FALSE(transition(S::kCancelled, E::kReplaced, false).legal);
  // No way back from a terminal state into a working one.
  EXPECT_FALSE(transition(S::kCancelled, E::kAccepted, false).legal);
  EXPECT_FALSE(transition(S::kExpired, E::kCancelRequested, false).legal);
  // The venue cannot reject an order it already accepted.
  EXPECT_FALSE(transition(S::kSubmitted, E::kRejected, false).legal);
}

TEST(OrderStateMachine, FillAfterCancelRequestIsAccepted) {
  OrderTransition partial = transition(S::kPendingCancel, E::kPartialFill, false);
  ASSERT_TRUE(partial.legal);
  EXPECT_EQ(partial.to, S::kPendingCancel);
  OrderTransition final_fill = transition(S::kPendingCancel, E::kFinalFill, true);
  ASSERT_TRUE(final_fill.legal);
  EXPECT_EQ(final_fill.to, S::kFilled);
  EXPECT_NE(final_fill.note.find("race"), std::string_view::npos);
}

TEST(OrderStateMachine, CancelRejectedBecauseFilledKeepsTheOrderFilled) {
  OrderTransition t = transition(S::kFilled, E::kCancelRejected, true);
  ASSERT_TRUE(t.legal);
  EXPECT_EQ(t.to, S::kFilled);
  EXPECT_NE(t.note.find("race"), std::string_view::npos);
}

TEST(OrderStateMachine, CancelRejectedWhileWorkingReturnsToWorking) {
  EXPECT_EQ(transition(S::kPendingCancel, E::kCancelRejected, false).to, S::kSubmitted);
  EXPECT_EQ(transition(S::kPendingCancel, E::kCancelRejected, true).to, S::kPartialFill);
}

TEST(OrderStateMachine, LateFillAfterCancelIsAcceptedAndTheOrderStaysCancelled) {
  OrderTransition partial = transition(S::kCancelled, E::kPartialFill, true);
  ASSERT_TRUE(partial.legal);
  EXPECT_EQ(partial.to, S::kCancelled);
  OrderTransition final_fill = transition(S::kCancelled, E::kFinalFill, true);
  ASSERT_TRUE(final_fill.legal);
  EXPECT_EQ(final_fill.to, S::kFilled);
}

// A cancel in flight when the venue expires or rejects the order is answered "unknown order"
// (or times out): the order stays where the venue put it; this is a race, not an anomaly.
TEST(OrderStateMachine, CancelAnswerAfterExpiryOrRejectIsARace) {
  for (S end : {S::kExpired, S::kRejected}) {
    ASSERT_TRUE(
        transition(S::kPendingCancel, end == S::kExpired ? E::kExpired : E::kRejected, false)
            .legal);
    OrderTransition late_reject = transition(end, E::kCancelRejected, false);
    EXPECT_TRUE(late_reject.legal) << to_string(end);
    EXPECT_EQ(late_reject.to, end);
    OrderTransition late_timeout = transition(end, E::kStatusUnknown, false);
    EXPECT_TRUE(late_timeout.legal) << to_string(end);
    EXPECT_EQ(late_timeout.to, end);
  }
}

TEST(OrderStateMachine, AckAfterFillDoesNotReopenTheOrder) {
  EXPECT_EQ(transition(S::kFilled, E::kAccepted, true).to, S::kFilled);
  EXPECT_EQ(transition(S::kPartialFill, E::kAccepted, true).to, S::kPartialFill);
  EXPECT_EQ(transition(S::kPendingCancel, E::kAccepted, false).to, S::kPendingCancel);
}

TEST(OrderStateMachine, UnknownIsResolvedOnlyByTheVenue) {
  // The venue had it.
  EXPECT_EQ(transition(S::kUnknown, E::kAccepted, false).to, S::kSubmitted);
  // The venue never had it: back to PENDING, resent with the same client order id.
  EXPECT_EQ(transition(S::kUnknown, E::kNotFoundAtVenue, false).to, S::kPending);
  // Still nothing: stays UNKNOWN; a retry is sent only after the query.
  EXPECT_EQ(transition(S::kUnknown, E::kStatusUnknown, false).to, S::kUnknown);
  EXPECT_FALSE(transition(S::kUnknown, E::kCancelRequested, false).legal);
}

TEST(OrderStateMachine, EveryEventKindHasAName) {
  std::set<std::string_view> names;
  for (E ev : kAllEvents) {
    EXPECT_NE(to_string(ev), "?");
    names.insert(to_string(ev));
  }
  EXPECT_EQ(names.size(), std::size(kAllEvents));
}

}  // namespace
}  // namespace at
