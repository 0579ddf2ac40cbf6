// Sample events for the journal tests: one of every event type with every field set (and
// decimals at odd scales), plus a variant with every optional empty. The fixture journal
// (tests/fixtures/journal_v1) was written from all_events_full(): change it only by adding.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "domain/events.h"

namespace at::journal::testing {

inline Decimal D(const char* s) { return Decimal::of(s); }

// Every event type, in EventType order, all fields and optionals set.
inline std::vector<Event> all_events_full() {
  std::vector<Event> v;
  const std::int64_t t = 1'700'000'000'123'456'789;
  v.push_back(DecisionReceived{
      DecisionId("dec-1"), "file:/tmp/decisions.jsonl", Symbol::of("BTC-USDT"), Action::kLong,
      D("0.00001234"), OrderType::kStopLimit, D("52000.00"), D("51999.5"), TimeInForce::kIoc,
      Metadata{{"strategy", "mom"}, {"k", "v=1"}}, "acct-main", t + 0});
  v.push_back(RiskRejected{DecisionId("dec-2"), ClientOrderId("at2"), Symbol::of("ETH-USDT"),
                           "max_notional", "notional 1000001.5 > 1000000", t + 1});
  v.push_back(OrderRequested{ClientOrderId("at3"), DecisionId("dec-1"), "acct-main", "binance",
                             Symbol::of("BTC-USDT"), Side::kSell, OrderType::kStopLimit,
                             D("1.500000000000000001"), D("52000.00"), D("51000.10"),
                             TimeInForce::kFok, ClientOrderId("at1"), t + 2});
  v.push_back(OrderSent{ClientOrderId("at3"), 3, t + 3});
  v.push_back(OrderAccepted{ClientOrderId("at3"), VenueOrderId("V-998877"), t + 4});
  v.push_back(OrderRejected{ClientOrderId("at4"), "insufficient balance", -2010, t + 5});
  v.push_back(OrderFilled{ClientOrderId("at3"), VenueOrderId("V-998877"), TradeId("T-1"), "binance",
                          "acct-main", Symbol::of("BTC-USDT"), Side::kSell, D("0.75"),
                          D("52000.00"), D("-0.00000001"), "BNB", Liquidity::kMaker, t + 6});
  v.push_back(CancelRequested{ClientOrderId("at3"), "user", t + 7});
  v.push_back(OrderCancelled{ClientOrderId("at3"), "user", t + 8});
  v.push_back(CancelRejected{ClientOrderId("at3"), "order filled", -2011, t + 9});
  v.push_back(ReplaceRequested{ClientOrderId("at3"), ClientOrderId("at11"), D("2.0"), D("51500.25"),
                               false, t + 10});
  v.push_back(
      OrderReplaced{ClientOrderId("at3"), ClientOrderId("at11"), VenueOrderId("V-2"), t + 11});
  v.push_back(ReplaceRejected{ClientOrderId("at3"), ClientOrderId("at12"), "too late", t + 12});
  v.push_back(OrderExpired{ClientOrderId("at5"), "DAY session end", t + 13});
  v.push_back(OrderStatusUnknown{ClientOrderId("at6"), "submit", "timeout after 5000 ms", t + 14});
  v.push_back(OrderNotFoundAtVenue{ClientOrderId("at6"), t + 15});
  v.push_back(
      VenueConnectionChanged{"okx", ConnectionState::kReconnecting, "ws closed 1006", t + 16});
  v.push_back(VenueErrorOccurred{"binance", ClientOrderId("at7"), "submit", "rate_limited", -1003,
                                 "too many requests", 1500, t + 17});
  v.push_back(RetryScheduled{ClientOrderId("at7"), "submit", 2, 250, t + 18});
  v.push_back(CircuitBreakerChanged{"binance", BreakerState::kClosed, BreakerState::kHalfOpen,
                                    "5 failures in 10 s", t + 19});
  v.push_back(DeadLettered{ClientOrderId("at8"), "submit", "retries exhausted", 5, t + 20});
  v.push_back(DeadLetterRetried{ClientOrderId("at8"), "operator:alice", t + 21});
  v.push_back(DeadLetterDropped{ClientOrderId("at9"), "operator:bob", "stale", t + 22});
  v.push_back(AnomalyDetected{"unknown_order_fill", "binance", ClientOrderId("zz1"),
                              "fill for an order we never sent", t + 23});
  v.push_back(TradingStateChanged{TradingState::kActive, TradingState::kHalted, "risk",
                                  "drawdown 5%", t + 24});
  v.push_back(KillSwitchActivated{"operator:carol", "manual", true, t + 25});
  v.push_back(MarkPriceUpdated{Symbol::of("EUR-USD"), D("1.08515"), t + 26});
  v.push_back(BalanceUpdated{"acct-main", "USDT", D("100000.123456789012345678"),
                             D("0.000000000000000001"), t + 27});
  v.push_back(AccountFunded{"acct-main", "USDT", D("-2500.50"), t + 28});
  v.push_back(
      InstrumentDefined{"binance",
                        InstrumentRules{Symbol::of("BTC-USDT"), "BTCUSDT", D("0.01"), D("0.00001"),
                                        D("0.00001"), D("9000.00000"), D("5.0")},
                        t + 29});
  v.push_back(EngineStarted{"0.1.0", "paper", "sha256:abcdef", t + 30});
  v.push_back(EngineStopped{"signal SIGTERM", t + 31});
  v.push_back(RecoveryCompleted{10'000'000, 3, 2, 1, t + 32});
  return v;
}

// The same events with every optional empty (and every defaulted field at its default).
inline std::vector<Event> all_events_minimal() {
  std::vector<Event> v;
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    Event e = all_events_full()[i];
    std::visit(
        [](auto& x) {
          using T = std::decay_t<decltype(x)>;
          x = T{};
        },
        e);
    v.push_back(std::move(e));
  }
  if (auto* d = std::get_if<DecisionReceived>(&v[0])) d->symbol = Symbol::of("AAPL");
  return v;
}

// A realistic fill, as the benchmarks and throughput tests append.
inline Event sample_fill(std::uint64_t n) {
  return OrderFilled{make_client_order_id("at", n),
                     VenueOrderId("V" + std::to_string(100000 + n)),
                     TradeId("T" + std::to_string(n)),
                     "binance",
                     "acct-main",
                     Symbol::of("BTC-USDT"),
                     n % 2 ? Side::kSell : Side::kBuy,
                     D("0.00150000"),
                     D("52000.12"),
                     D("0.0780001800"),
                     "USDT",
                     Liquidity::kTaker,
                     1'700'000'000'000'000'000 + static_cast<std::int64_t>(n)};
}

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("at-journal-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace at::journal::testing
