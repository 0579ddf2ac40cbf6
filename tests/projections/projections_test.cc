#include "projections/projections.h"

#include <gtest/gtest.h>

#include "tests/projections/builders.h"

namespace at::projections {
namespace {

using testing::D;
using testing::Script;

Projections run(const std::vector<Envelope>& envs, std::size_t from = 0,
                std::size_t to = SIZE_MAX) {
  Projections p;
  for (std::size_t i = from; i < envs.size() && i < to; ++i) p.apply(envs[i]);
  return p;
}

TEST(Projections, DuplicateFillReachesNeitherPositionsNorBalances) {
  Script s;
  s.fund("USDT", "1000");
  s.request("c1", Side::kBuy, "2", "100");
  s.accept("c1");
  s.fill("c1", "t1", "1", "100");
  s.fill("c1", "t1", "1", "100");
  s.fill("ghost", "t2", "1", "100");
  Projections p = run(s.envelopes);
  EXPECT_EQ(p.positions().find("main", Symbol::of("BTC-USDT"))->quantity, D("1"));
  EXPECT_EQ(p.balances().find("main", "USDT")->free, D("900"));
  EXPECT_EQ(p.oms().duplicate_fills(), 1u);
  EXPECT_EQ(p.metrics().duplicate_fills(), 1u);
  EXPECT_EQ(p.metrics().fills(), 1u);
  ASSERT_EQ(p.oms().anomalies().size(), 1u);
  EXPECT_EQ(p.oms().anomalies()[0].sequence, 6u);
}

TEST(Projections, TwoReplaysOfOneJournalAreByteIdentical) {
  Script s;
  s.realistic(300);
  std::string a = run(s.envelopes).serialize();
  std::string b = run(s.envelopes).serialize();
  EXPECT_EQ(a, b);
  EXPECT_GT(a.size(), 1000u);
}

TEST(Projections, SerializationRoundTripsExactly) {
  Script s;
  s.realistic(120);
  s.add(DeadLettered{ClientOrderId("at5"), "submit", "retries exhausted", 5, 0});
  s.add(CircuitBreakerChanged{"paper", BreakerState::kClosed, BreakerState::kOpen, "5 errors", 0});
  s.add(KillSwitchActivated{"ops", "drill", true, 0});
  s.add(InstrumentDefined{"paper",
                          InstrumentRules{Symbol::of("BTC-USDT"), "BTCUSDT", D("0.01"),
                                          D("0.00001"), D("0.00001"), D("9000"), D("5")},
                          0});
  s.add(EngineStarted{"0.1.0", "paper", "abc", 0});
  Projections p = run(s.envelopes);
  std::string bytes = p.serialize();
  auto parsed = Projections::parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->serialize(), bytes);
  EXPECT_EQ(parsed->last_sequence(), s.last_sequence());
  EXPECT_EQ(parsed->oms().order_count(), 120u);
  EXPECT_EQ(parsed->control().trading().state, TradingState::kHalted);
  EXPECT_EQ(parsed->control().breaker("paper"), BreakerState::kOpen);
  std::vector<std::string> ids;
  p.oms().for_each_order(
      [&](const OrderRecord& r) { ids.push_back(r.order.client_order_id.str()); });
  ASSERT_GE(ids.size(), 4u);
  const std::string& id = ids[3];
  ASSERT_NE(parsed->oms().find(ClientOrderId(id)), nullptr);
  EXPECT_EQ(parsed->oms().find_by_venue_id(VenueOrderId("V" + id))->order.client_order_id.str(),
            id);
  EXPECT_EQ(parsed->oms().open_count(), p.oms().open_count());
}

TEST(Projections, SnapshotPlusTailEqualsFullReplay) {
  Script s;
  s.realistic(200);
  std::string full = run(s.envelopes).serialize();
  for (std::size_t cut :
       {std::size_t{1}, std::size_t{17}, s.envelopes.size() / 2, s.envelopes.size() - 1}) {
    auto snap = Projections::parse(run(s.envelopes, 0, cut).serialize());
    ASSERT_TRUE(snap.ok());
    Projections p = std::move(snap.value());
    for (std::size_t i = cut; i < s.envelopes.size(); ++i) p.apply(s.envelopes[i]);
    EXPECT_EQ(p.serialize(), full)
        << "cut at " << cut << ": " << Projections::first_difference(p.serialize(), full);
  }
}

TEST(Projections, AnEnvelopeAtOrBelowTheLastSequenceIsIgnored) {
  Script s;
  s.request("c1", Side::kBuy, "2", "100");
  s.fill("c1", "t1", "1", "100");
  Projections p = run(s.envelopes);
  Envelope again = s.envelopes[1];
  again.event = OrderFilled(std::get<OrderFilled>(again.event));
  std::get<OrderFilled>(again.event).trade_id = TradeId("t2");
  p.apply(again);
  EXPECT_EQ(p.stale(), 1u);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1"))->order.filled_quantity, D("1"));
}

TEST(Projections, EveryTruncationIsRefusedWithoutCrashing) {
  Script s;
  s.realistic(20);
  std::string bytes = run(s.envelopes).serialize();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = Projections::parse(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "accepted a snapshot truncated to " << n << " bytes";
    EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
  }
}

TEST(Projections, CorruptBytesAreRefusedOrParsedButNeverCrash) {
  Script s;
  s.realistic(10);
  std::string bytes = run(s.envelopes).serialize();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    auto r = Projections::parse(bad);
    (void)r;
  }
  EXPECT_FALSE(Projections::parse("ATPJ\x09").ok());
  EXPECT_FALSE(Projections::parse("nope").ok());
}

// What the engine derives its own state from after a restart survives a snapshot: a risk
// rejection's detail and whether a pending replace is cancel-then-submit.
TEST(Projections, SnapshotKeepsRiskDetailAndCancelThenSubmitReplaces) {
  Script s;
  s.decision("d1");
  s.add(RiskRejected{DecisionId("d1"), ClientOrderId(), Symbol::of("BTC-USDT"),
                     std::string(risk_reasons::kMaxNotional), "notional 1e9 exceeds 1e6", 0});
  s.request("old", Side::kBuy, "1", "100");
  s.accept("old");
  s.request("new", Side::kBuy, "2", "101", "BTC-USDT", "", "old");
  s.add(ReplaceRequested{ClientOrderId("old"), ClientOrderId("new"), D("2"), D("101"), false, 0});
  s.request("nat", Side::kBuy, "1", "100");
  s.accept("nat");
  s.request("nat2", Side::kBuy, "2", "101", "BTC-USDT", "", "nat");
  s.add(ReplaceRequested{ClientOrderId("nat"), ClientOrderId("nat2"), D("2"), D("101"), true, 0});
  auto parsed = Projections::parse(run(s.envelopes).serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const DecisionRecord* d = parsed->oms().find_decision(DecisionId("d1"));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->risk_rejection, "max_notional");
  EXPECT_EQ(d->risk_detail, "notional 1e9 exceeds 1e6");
  const OrderRecord* old = parsed->oms().find(ClientOrderId("old"));
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->order.status, OrderStatus::kPendingReplace);
  EXPECT_TRUE(old->replace_by_cancel);
  EXPECT_FALSE(parsed->oms().find(ClientOrderId("nat"))->replace_by_cancel);
}

// A snapshot of another format version is refused by name (replay then skips it), never
// misread.
TEST(Projections, SnapshotOfAnotherFormatVersionIsRefused) {
  Script s;
  s.realistic(10);
  std::string bytes = run(s.envelopes).serialize();
  ASSERT_EQ(static_cast<std::uint8_t>(bytes[4]), Projections::kFormatVersion);
  bytes[4] = 1;
  auto r = Projections::parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
  EXPECT_NE(r.error().message.find("unsupported format version 1"), std::string::npos)
      << r.error().message;
}

TEST(Projections, FirstDifferenceNamesTheSection) {
  Script s;
  s.realistic(10);
  Projections a = run(s.envelopes);
  EXPECT_EQ(Projections::first_difference(a.serialize(), a.serialize()), "");
  Projections b = run(s.envelopes);
  Envelope m;
  m.sequence = s.last_sequence() + 1;
  m.event = MarkPriceUpdated{Symbol::of("BTC-USDT"), D("1"), 0};
  a.apply(m);
  b.apply(m);
  EXPECT_EQ(Projections::first_difference(a.serialize(), b.serialize()), "");
  Envelope f;
  f.sequence = s.last_sequence() + 2;
  f.event = AccountFunded{"main", "USDT", D("1"), 0};
  a.apply(f);
  f.recorded_ns = 0;
  f.event = AccountFunded{"main", "USDT", D("2"), 0};
  b.apply(f);
  EXPECT_EQ(Projections::first_difference(a.serialize(), b.serialize()).substr(0, 16),
            "section balances");
}

TEST(Projections, DeadLettersOpenUntilRetriedOrDropped) {
  Script s;
  s.request("c1", Side::kBuy, "1", "100");
  s.request("c2", Side::kBuy, "1", "100");
  auto d1 = s.add(DeadLettered{ClientOrderId("c1"), "submit", "503 x5", 5, 0});
  s.add(DeadLettered{ClientOrderId("c2"), "submit", "503 x5", 5, 0});
  s.add(DeadLetterDropped{ClientOrderId("c2"), "ops", "stale", 0});
  Projections p = run(s.envelopes);
  auto open = p.dead_letters().open();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]->client_order_id.str(), "c1");
  EXPECT_EQ(open[0]->sequence, d1);
  EXPECT_EQ(p.dead_letters().find(ClientOrderId("c2"))->state, DeadLetterState::kDropped);
  EXPECT_EQ(p.dead_letters().find(ClientOrderId("c2"))->drop_reason, "stale");

  s.add(DeadLetterRetried{ClientOrderId("c1"), "ops", 0});
  s.accept("c1");
  s.add(DeadLetterRetried{ClientOrderId("c1"), "ops", 0});  // nothing open: unmatched
  p = run(s.envelopes);
  EXPECT_EQ(p.dead_letters().open_count(), 0u);
  EXPECT_EQ(p.dead_letters().find(ClientOrderId("c1"))->history.size(), 2u);
  EXPECT_EQ(p.dead_letters().unmatched(), 1u);
  EXPECT_EQ(p.oms().find(ClientOrderId("c1"))->order.status, OrderStatus::kSubmitted);
  EXPECT_DOUBLE_EQ(p.metrics().dead_letter_rate(), 1.0);
}

TEST(Projections, ControlStateFollowsBreakersTradingStateAndConnections) {
  Script s;
  s.add(VenueConnectionChanged{"paper", ConnectionState::kConnected, "", 0});
  s.add(CircuitBreakerChanged{"paper", BreakerState::kClosed, BreakerState::kOpen, "errors", 0});
  s.add(CircuitBreakerChanged{"paper", BreakerState::kOpen, BreakerState::kHalfOpen, "probe", 0});
  s.add(TradingStateChanged{TradingState::kActive, TradingState::kReducing, "ops", "drift", 0});
  Projections p = run(s.envelopes);
  EXPECT_EQ(p.control().breaker("paper"), BreakerState::kHalfOpen);
  EXPECT_EQ(p.control().breakers().at("paper").changes, 2u);
  EXPECT_EQ(p.control().breaker("other"), BreakerState::kClosed);
  EXPECT_EQ(p.control().trading().state, TradingState::kReducing);
  EXPECT_EQ(p.control().connections().at("paper").state, ConnectionState::kConnected);
  s.add(KillSwitchActivated{"ops", "loss limit", false, 0});
  p = run(s.envelopes);
  EXPECT_EQ(p.control().trading().state, TradingState::kHalted);
  EXPECT_EQ(p.control().trading().kill_reason, "loss limit");
}

TEST(Projections, MetricsMeasureLatencyBetweenJournalRecords) {
  Script s;
  s.step_ns = 0;
  s.decision("d1");
  s.request("c1", Side::kBuy, "1", "100", "BTC-USDT", "d1");
  s.now_ns += 2'000'000;  // ack 2 ms after the decision
  s.accept("c1");
  s.now_ns += 5'000'000;  // fill 5 ms after the ack
  s.fill("c1", "t1", "1", "100");
  s.request("c2", Side::kBuy, "1", "100");
  s.reject("c2", "insufficient balance");
  s.add(RiskRejected{DecisionId("d2"), ClientOrderId(), Symbol::of("BTC-USDT"),
                     std::string(risk_reasons::kPriceCollar), "", 0});
  Projections p = run(s.envelopes);
  const Metrics& m = p.metrics();
  EXPECT_EQ(m.decision_to_ack().count(), 1u);
  EXPECT_NEAR(m.decision_to_ack().quantile_ns(0.5), 2'000'000, 2'000'000 / 8);
  EXPECT_EQ(m.decision_to_ack().min_ns(), 2'000'000);
  EXPECT_EQ(m.ack_to_fill().max_ns(), 5'000'000);
  EXPECT_EQ(m.decision_to_fill().max_ns(), 7'000'000);
  EXPECT_EQ(m.orders_requested(), 2u);
  EXPECT_EQ(m.orders_reached_venue(), 1u);
  EXPECT_EQ(m.orders_rejected(), 1u);
  EXPECT_DOUBLE_EQ(m.order_success_rate(), 0.5);
  EXPECT_EQ(m.venue_rejects().at("insufficient balance"), 1u);
  EXPECT_EQ(m.risk_rejects().at("price_collar"), 1u);
  EXPECT_EQ(m.events_of(EventType::kOrderRequested), 2u);
  EXPECT_EQ(m.events(), s.envelopes.size());
}

TEST(LatencyHistogram, BucketsCoverTheRangeWithBoundedError) {
  for (std::uint64_t v :
       {0ull, 1ull, 15ull, 16ull, 17ull, 1000ull, 123456789ull, (1ull << 62) + 12345}) {
    int b = LatencyHistogram::bucket_of(v);
    EXPECT_LE(LatencyHistogram::bucket_low(b), v) << v;
    EXPECT_GE(LatencyHistogram::bucket_high(b), v) << v;
  }
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 1000);
  EXPECT_NEAR(static_cast<double>(h.quantile_ns(0.5)), 500'000, 500'000 * 0.125);
  EXPECT_NEAR(static_cast<double>(h.quantile_ns(0.99)), 990'000, 990'000 * 0.125);
  EXPECT_EQ(h.quantile_ns(1.0), 1'000'000);
  h.record(-5);
  EXPECT_EQ(h.negative(), 1u);
  EXPECT_EQ(h.min_ns(), 0);
}

// With few samples p99 is the top rank: it must be the largest value seen, not the middle of
// that value's bucket (961 and 1000 share the bucket [960, 1023], whose midpoint is 991).
TEST(LatencyHistogram, TopRankIsTheExactMaxAndNoQuantileExceedsIt) {
  LatencyHistogram h;
  h.record(1000);
  h.record(961);
  EXPECT_EQ(LatencyHistogram::bucket_of(961), LatencyHistogram::bucket_of(1000));
  EXPECT_EQ(h.quantile_ns(0.99), 1000);
  EXPECT_EQ(h.quantile_ns(0.99), h.max_ns());
  EXPECT_EQ(h.quantile_ns(0.5), 961);  // the first rank is the exact min
  h.record(100);
  std::int64_t prev = 0;
  for (int i = 0; i <= 100; ++i) {
    std::int64_t v = h.quantile_ns(i / 100.0);
    EXPECT_LE(v, h.max_ns()) << "q=" << i;
    EXPECT_GE(v, h.min_ns()) << "q=" << i;
    EXPECT_GE(v, prev) << "q=" << i;
    prev = v;
  }
  EXPECT_EQ(h.quantile_ns(0.99), 1000);
}

}  // namespace
}  // namespace at::projections
