// What a graceful stop and `run --until-exhausted` wait for: orders whose outcome is still to
// come. A resting limit order is not in flight; a market order still filling is.
#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine::testing {
namespace {

TEST(InFlight, AMarketOrderStillFillingIsInFlightARestingLimitIsNot) {
  Harness h;
  h.open();
  h.quote_now(quote("100.00", "100.01", "10", "0.2"));

  auto limit = h.decide(decision("rest", Action::kLong, "0.5", "90.00"));
  ASSERT_EQ(limit.kind, DecisionOutcome::Kind::kOrdered) << limit.reason;
  EXPECT_EQ(h.engine->in_flight(), 1u) << "sent, not yet acknowledged";
  h.advance_ms(5);
  ASSERT_EQ(h.order(limit.client_order_id).status, OrderStatus::kSubmitted);
  EXPECT_EQ(h.engine->in_flight(), 0u) << "a resting limit order may rest for ever";

  // Only 0.2 is offered: the market order fills part now, the rest as the market moves.
  auto market = h.decide(decision("mkt", Action::kLong, "0.5"));
  ASSERT_EQ(market.kind, DecisionOutcome::Kind::kOrdered) << market.reason;
  h.advance_ms(5);
  ASSERT_EQ(h.order(market.client_order_id).status, OrderStatus::kPartialFill);
  EXPECT_EQ(h.engine->in_flight(), 1u);

  h.quote_now(quote("100.00", "100.01", "10", "5"));
  h.advance_ms(5);
  EXPECT_EQ(h.order(market.client_order_id).status, OrderStatus::kFilled);
  EXPECT_EQ(h.engine->in_flight(), 0u);
}

}  // namespace
}  // namespace at::engine::testing
