#include "projections/oms.h"

#include <gtest/gtest.h>

#include "tests/projections/builders.h"

namespace at::projections {
namespace {

using testing::D;
using testing::Script;

Oms run(const Script& s) {
  Oms oms;
  for (const Envelope& e : s.envelopes) (void)oms.apply(e);
  return oms;
}

const Order& order(const Oms& oms, const char* id) {
  const OrderRecord* r = oms.find(ClientOrderId(id));
  EXPECT_NE(r, nullptr) << id;
  return r->order;
}

TEST(Oms, LifecycleFromRequestToFillTracksQuantitiesAndHistory) {
  Script s;
  s.decision("d1");
  auto req = s.request("c1", Side::kBuy, "1.5", "43000.10", "BTC-USDT", "d1");
  auto snt = s.sent("c1");
  auto acc = s.accept("c1", "V1");
  auto f1 = s.fill("c1", "t1", "0.5", "43000.10", "0.01");
  auto f2 = s.fill("c1", "t2", "1.0", "42999.90", "0.02");
  Oms oms = run(s);

  const OrderRecord* r = oms.find(ClientOrderId("c1"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->order.status, OrderStatus::kFilled);
  EXPECT_EQ(r->order.filled_quantity, D("1.5"));
  EXPECT_EQ(r->order.filled_notional.to_string(), "64499.950");  // 21500.050 + 42999.900
  EXPECT_EQ(r->order.commission, D("0.03"));
  EXPECT_EQ(r->order.average_price().to_string(), "42999.9666667");
  EXPECT_EQ(r->order.venue_order_id.str(), "V1");
  EXPECT_EQ(r->history, (std::vector<std::uint64_t>{req, snt, acc, f1, f2}));
  ASSERT_EQ(r->fills.size(), 2u);
  EXPECT_EQ(r->fills[1].sequence, f2);
  EXPECT_EQ(r->fills[1].price, D("42999.90"));
  EXPECT_EQ(oms.find_by_venue_id(VenueOrderId("V1")), r);
  EXPECT_EQ(oms.open_count(), 0u);
  EXPECT_TRUE(oms.anomalies().empty());
  const DecisionRecord* d = oms.find_decision(DecisionId("d1"));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->orders, std::vector<ClientOrderId>{ClientOrderId("c1")});
}

TEST(Oms, OpenOrdersAreListedInRequestOrder) {
  Script s;
  s.request("b", Side::kBuy, "1", "10");
  s.request("a", Side::kBuy, "1", "10");
  s.request("c", Side::kBuy, "1", "10");
  s.accept("a");
  s.reject("c");
  Oms oms = run(s);
  auto open = oms.open_orders();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0]->order.client_order_id.str(), "b");
  EXPECT_EQ(open[1]->order.client_order_id.str(), "a");
  EXPECT_EQ(open[1]->order.status, OrderStatus::kSubmitted);
}

TEST(Oms, DuplicateFillIsCountedNotAppliedTwice) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");
  s.fill("c1", "t1", "1", "100");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").filled_quantity, D("1"));
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kPartialFill);
  EXPECT_EQ(oms.duplicate_fills(), 1u);
  EXPECT_EQ(oms.find(ClientOrderId("c1"))->fills.size(), 1u);
}

TEST(Oms, FillForUnknownOrderIsAnAnomalyWithItsSequence) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  auto seq = s.fill("ghost", "t9", "1", "100");
  Oms oms = run(s);
  ASSERT_EQ(oms.anomalies().size(), 1u);
  EXPECT_EQ(oms.anomalies()[0].sequence, seq);
  EXPECT_EQ(oms.anomalies()[0].kind, "unknown_order");
  EXPECT_EQ(oms.anomalies()[0].client_order_id.str(), "ghost");
  EXPECT_EQ(oms.find(ClientOrderId("ghost")), nullptr);
  EXPECT_EQ(oms.order_count(), 1u);
}

TEST(Oms, IllegalTransitionIsRecordedAndChangesNothing) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  auto rej = s.reject("c1");
  auto bad = s.fill("c1", "t1", "1", "100");
  auto bad2 = s.accept("c1");
  Oms oms = run(s);
  const OrderRecord* r = oms.find(ClientOrderId("c1"));
  EXPECT_EQ(r->order.status, OrderStatus::kRejected);
  EXPECT_TRUE(r->order.filled_quantity.is_zero());
  EXPECT_TRUE(r->fills.empty());
  EXPECT_TRUE(r->order.venue_order_id.empty());
  EXPECT_EQ(r->order.updated_seq, rej);
  ASSERT_EQ(oms.anomalies().size(), 2u);
  EXPECT_EQ(oms.anomalies()[0].sequence, bad);
  EXPECT_EQ(oms.anomalies()[0].kind, "illegal_transition");
  EXPECT_NE(oms.anomalies()[0].detail.find("REJECTED + final_fill"), std::string::npos);
  EXPECT_EQ(oms.anomalies()[1].sequence, bad2);
}

TEST(Oms, FillAfterCancelRequestIsAppliedAndCompletesTheOrder) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.cancel_request("c1");
  s.fill("c1", "t1", "1", "100");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kPendingCancel);
  Script s2 = s;
  s2.fill("c1", "t2", "1", "100");
  s2.cancel_rejected("c1", "order filled");
  Oms oms2 = run(s2);
  EXPECT_EQ(order(oms2, "c1").status, OrderStatus::kFilled);
  EXPECT_EQ(order(oms2, "c1").filled_quantity, D("2"));
  EXPECT_TRUE(oms2.anomalies().empty());
}

TEST(Oms, LateFillAfterCancelKeepsTheOrderCancelledWithTheFillCounted) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.cancel_request("c1");
  s.cancelled("c1");
  s.fill("c1", "t1", "0.5", "100");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kCancelled);
  EXPECT_EQ(order(oms, "c1").filled_quantity, D("0.5"));
  EXPECT_EQ(oms.open_count(), 0u);
  EXPECT_TRUE(oms.anomalies().empty());
}

TEST(Oms, CancelRejectedWhileWorkingReturnsToPartialFill) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.fill("c1", "t1", "0.5", "100");
  s.cancel_request("c1");
  s.cancel_rejected("c1", "too late");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kPartialFill);
  EXPECT_EQ(order(oms, "c1").last_reason, "too late");
}

TEST(Oms, NativeReplaceLinksBothOrdersAndMovesTheVenueId) {
  Script s;
  s.request("old", Side::kBuy, "1", "100");
  s.accept("old", "V-old");
  s.request("new", Side::kBuy, "2", "101", "BTC-USDT", "", "old");
  s.add(ReplaceRequested{ClientOrderId("old"), ClientOrderId("new"), D("2"), D("101"), true, 0});
  s.add(OrderReplaced{ClientOrderId("old"), ClientOrderId("new"), VenueOrderId("V-new"), 0});
  Oms oms = run(s);
  const Order& o = order(oms, "old");
  const Order& n = order(oms, "new");
  EXPECT_EQ(o.status, OrderStatus::kCancelled);
  EXPECT_EQ(o.last_reason, "replaced");
  EXPECT_EQ(o.replaced_by.str(), "new");
  EXPECT_EQ(n.replaces.str(), "old");
  EXPECT_EQ(n.status, OrderStatus::kSubmitted);
  EXPECT_EQ(n.venue_order_id.str(), "V-new");
  EXPECT_EQ(oms.find_by_venue_id(VenueOrderId("V-new"))->order.client_order_id.str(), "new");
  EXPECT_TRUE(oms.anomalies().empty());
}

TEST(Oms, ReplaceRejectedKeepsTheOldOrderWorkingAndEndsTheNewOne) {
  Script s;
  s.request("old", Side::kBuy, "1", "100");
  s.accept("old");
  s.request("new", Side::kBuy, "2", "101", "BTC-USDT", "", "old");
  s.add(ReplaceRequested{ClientOrderId("old"), ClientOrderId("new"), D("2"), D("101"), true, 0});
  s.add(ReplaceRejected{ClientOrderId("old"), ClientOrderId("new"), "filled", 0});
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "old").status, OrderStatus::kSubmitted);
  EXPECT_EQ(order(oms, "new").status, OrderStatus::kRejected);
  EXPECT_EQ(oms.open_count(), 1u);
}

TEST(Oms, UnknownOutcomeIsResolvedByTheVenueQuery) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  s.sent("c1");
  s.add(OrderStatusUnknown{ClientOrderId("c1"), "submit", "timeout", 0});
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kUnknown);
  EXPECT_EQ(oms.open_count(), 1u);

  Script had = s;
  had.accept("c1");
  EXPECT_EQ(order(run(had), "c1").status, OrderStatus::kSubmitted);

  Script never = s;
  never.add(OrderNotFoundAtVenue{ClientOrderId("c1"), 0});
  never.sent("c1", 2);
  Oms o = run(never);
  EXPECT_EQ(order(o, "c1").status, OrderStatus::kPending);
  EXPECT_EQ(order(o, "c1").send_attempts, 2u);
}

TEST(Oms, ReusedClientOrderIdIsAnAnomalyAndKeepsTheFirstOrder) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  auto dup = s.request("c1", Side::kSell, "5", "1");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").side, Side::kBuy);
  ASSERT_EQ(oms.anomalies().size(), 1u);
  EXPECT_EQ(oms.anomalies()[0].kind, "duplicate_client_order_id");
  EXPECT_EQ(oms.anomalies()[0].sequence, dup);
}

TEST(Oms, JournaledAnomaliesAndResiliencyEventsAreKept) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  auto retry = s.add(RetryScheduled{ClientOrderId("c1"), "submit", 2, 100, 0});
  auto an = s.add(AnomalyDetected{"malformed", "paper", ClientOrderId("c1"), "bad json", 0});
  Oms oms = run(s);
  ASSERT_EQ(oms.anomalies().size(), 1u);
  EXPECT_EQ(oms.anomalies()[0].kind, "malformed");
  EXPECT_EQ(oms.anomalies()[0].sequence, an);
  const auto& h = oms.find(ClientOrderId("c1"))->history;
  EXPECT_EQ(h, (std::vector<std::uint64_t>{1, retry, an}));
}

TEST(Oms, RepeatedDecisionIsCountedAndKeepsItsOutcome) {
  Script s;
  s.decision("d1");
  s.add(RiskRejected{DecisionId("d1"), ClientOrderId(), Symbol::of("BTC-USDT"),
                     std::string(risk_reasons::kMaxNotional), "1e9 > 1e6", 0});
  s.decision("d1");
  Oms oms = run(s);
  const DecisionRecord* d = oms.find_decision(DecisionId("d1"));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->risk_rejection, "max_notional");
  EXPECT_EQ(d->repeats, 1u);
  EXPECT_EQ(d->sequence, 1u);
}

TEST(Oms, OverfillIsAppliedAndFlagged) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  s.fill("c1", "t1", "0.7", "100");
  s.fill("c1", "t2", "0.7", "100");
  Oms oms = run(s);
  EXPECT_EQ(order(oms, "c1").status, OrderStatus::kFilled);
  EXPECT_EQ(order(oms, "c1").filled_quantity, D("1.4"));
  ASSERT_EQ(oms.anomalies().size(), 1u);
  EXPECT_EQ(oms.anomalies()[0].kind, "overfill");
}

}  // namespace
}  // namespace at::projections
