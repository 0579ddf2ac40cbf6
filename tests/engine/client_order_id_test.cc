// Client order ids: prefix + a journal-specific infix + the OrderRequested's sequence. The
// infix must not change across restarts of one journal, whatever time it is then.
#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine::testing {
namespace {

// The id without its sequence digits at the end.
std::string stem(const ClientOrderId& id) {
  std::string s = id.str();
  while (!s.empty() && s.back() >= '0' && s.back() <= '9') s.pop_back();
  return s;
}

TEST(ClientOrderId, InfixIsTheSameBeforeAndAfterARestart) {
  Harness h;
  h.build(std::nullopt);
  bool started = false;
  h.engine->start([&](Status st) { started = st.ok(); });
  // The journal writes the first batch a while after the engine staged it: the infix must be
  // the one a restart reads back, not the time of either moment alone.
  h.clock.advance_ms(1234);
  h.pump();
  for (int i = 0; i < 10 && !started; ++i) h.advance_ms(1);
  ASSERT_TRUE(started);
  h.engine->fund("paper", "USDT", Decimal::of("100000"));
  h.quote_now(quote("100.00", "100.01", "10", "10"));
  auto first = h.decide(decision("d1", Action::kLong, "0.5", "99.00"));
  ASSERT_EQ(first.kind, DecisionOutcome::Kind::kOrdered) << first.reason;
  ASSERT_EQ(h.events<EngineStarted>().size(), 1u);

  h.crash();
  h.clock.advance_ms(3'600'000);
  h.open();
  auto second = h.decide(decision("d2", Action::kLong, "0.6", "99.00"));
  ASSERT_EQ(second.kind, DecisionOutcome::Kind::kOrdered) << second.reason;
  EXPECT_EQ(stem(first.client_order_id), stem(second.client_order_id))
      << first.client_order_id.str() << " vs " << second.client_order_id.str();
  EXPECT_NE(first.client_order_id, second.client_order_id);
}

}  // namespace
}  // namespace at::engine::testing
