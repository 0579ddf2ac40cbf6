// A venue whose start-up failed (down, or answering garbage) and that comes back later: the
// engine keeps running, refuses decisions for symbols it does not know yet, and adopts the
// venue's instruments when the venue reports it is connected.
#include <gtest/gtest.h>

#include "tests/engine/harness.h"

namespace at::engine::testing {
namespace {

// The paper venue behind a start-up that fails: no instruments until `come_back()`, which
// also reports the connection the way a real adapter does.
class LateVenue : public adapters::Venue {
  using Done = adapters::Done;
  using QueryDone = adapters::QueryDone;

 public:
  explicit LateVenue(paper::PaperVenue& inner) : inner_(inner) {}

  std::string_view name() const override { return inner_.name(); }
  void start(adapters::VenueSink& sink, Done done) override {
    sink_ = &sink;
    inner_.start(sink, [done = std::move(done)](Status) {
      done(make_error(ErrorKind::kTransient, "venue down: exchangeInfo answered 503"));
    });
  }
  void stop(Done done) override { inner_.stop(std::move(done)); }
  std::vector<InstrumentRules> instruments() const override {
    return up_ ? inner_.instruments() : std::vector<InstrumentRules>{};
  }
  bool supports_native_replace() const override { return inner_.supports_native_replace(); }
  void submit(const OrderRequested& o, std::uint32_t attempt, Done done) override {
    inner_.submit(o, attempt, std::move(done));
  }
  void cancel(const Order& o, Done done) override { inner_.cancel(o, std::move(done)); }
  void replace(const Order& o, const OrderRequested& r, Done done) override {
    inner_.replace(o, r, std::move(done));
  }
  void query(const Order& o, QueryDone done) override { inner_.query(o, std::move(done)); }
  void recover(const std::vector<Order>& open, Done done) override {
    inner_.recover(open, std::move(done));
  }

  void come_back(std::int64_t now_ns) {
    up_ = true;
    sink_->on_venue_event(VenueConnectionChanged{std::string(name()), ConnectionState::kConnected,
                                                 "start-up done", now_ns});
  }

 private:
  paper::PaperVenue& inner_;
  adapters::VenueSink* sink_ = nullptr;
  bool up_ = false;
};

TEST(VenueStart, InstrumentsAreAdoptedWhenAVenueThatFailedToStartConnects) {
  Harness h;
  h.build(std::nullopt);  // journal and paper venue; the engine below trades through LateVenue
  LateVenue late(*h.venue);
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  h.engine =
      std::make_unique<Engine>(h.options(), *h.journal, late, h.scheduler, h.clock, h.io, log);
  bool started = false;
  h.engine->start([&](Status st) { started = st.ok(); });
  h.pump();
  for (int i = 0; i < 10 && !started; ++i) h.advance_ms(1);
  ASSERT_TRUE(started) << "a failed venue start must not stop the engine";
  h.engine->fund("paper", "USDT", Decimal::of("100000"));
  h.quote_now(quote("100.00", "100.01", "10", "10"));

  auto before = h.decide(decision("d1", Action::kLong, "0.5", "100.01"));
  EXPECT_EQ(before.reason, "unknown_symbol");
  EXPECT_TRUE(h.events<InstrumentDefined>().empty());

  late.come_back(h.clock.now_ns());
  h.pump();
  ASSERT_EQ(h.events<InstrumentDefined>().size(), 1u);
  EXPECT_EQ(h.events<InstrumentDefined>()[0].rules.symbol, Symbol::of("BTC-USDT"));

  auto after = h.decide(decision("d2", Action::kLong, "0.5", "100.01"));
  EXPECT_EQ(after.kind, DecisionOutcome::Kind::kOrdered) << after.reason << " " << after.detail;
  h.advance_ms(5);
  EXPECT_EQ(h.order(after.client_order_id).status, OrderStatus::kFilled);
}

}  // namespace
}  // namespace at::engine::testing
