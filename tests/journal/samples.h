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

// Serialises an event to text with exact decimals (scale kept), so equal text means
// identical events.

template <typename T>
inline std::string f(const T& v) {
  if constexpr (std::is_same_v<T, Decimal>) {
    return v.to_string();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "'" + v + "'";
  } else if constexpr (std::is_same_v<T, Symbol>) {
    return v.str();
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(to_string(v));
  } else if constexpr (std::is_arithmetic_v<T>) {
    return std::to_string(v);
  } else {
    return v.str();  // ids
  }
}
template <typename T>
inline std::string f(const std::optional<T>& v) {
  return v ? f(*v) : "<none>";
}

inline std::string dump(const Event& e) {
  std::string s(to_string(type_of(e)));
  s += "{";
  auto add = [&s](const auto&... xs) { ((s += f(xs) + ","), ...); };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, DecisionReceived>) {
          add(x.decision_id, x.source, x.symbol, x.action, x.size, x.order_type, x.limit_price,
              x.stop_price, x.tif, x.account, x.ts_ns);
          for (auto& [k, v] : x.metadata) s += k + "=" + v + ";";
        } else if constexpr (std::is_same_v<T, RiskRejected>) {
          add(x.decision_id, x.client_order_id, x.symbol, x.reason, x.detail, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderRequested>) {
          add(x.client_order_id, x.decision_id, x.account, x.venue, x.symbol, x.side, x.type,
              x.quantity, x.limit_price, x.stop_price, x.tif, x.replaces, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderSent>) {
          add(x.client_order_id, x.attempt, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderAccepted>) {
          add(x.client_order_id, x.venue_order_id, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderRejected> ||
                             std::is_same_v<T, CancelRejected>) {
          add(x.client_order_id, x.reason, x.venue_code, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderFilled>) {
          add(x.client_order_id, x.venue_order_id, x.trade_id, x.venue, x.account, x.symbol, x.side,
              x.quantity, x.price, x.commission, x.commission_asset, x.liquidity, x.ts_ns);
        } else if constexpr (std::is_same_v<T, CancelRequested> ||
                             std::is_same_v<T, OrderCancelled> || std::is_same_v<T, OrderExpired>) {
          add(x.client_order_id, x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, ReplaceRequested>) {
          add(x.client_order_id, x.new_client_order_id, x.new_quantity, x.new_limit_price, x.native,
              x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderReplaced>) {
          add(x.client_order_id, x.new_client_order_id, x.new_venue_order_id, x.ts_ns);
        } else if constexpr (std::is_same_v<T, ReplaceRejected>) {
          add(x.client_order_id, x.new_client_order_id, x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderStatusUnknown>) {
          add(x.client_order_id, x.operation, x.detail, x.ts_ns);
        } else if constexpr (std::is_same_v<T, OrderNotFoundAtVenue>) {
          add(x.client_order_id, x.ts_ns);
        } else if constexpr (std::is_same_v<T, VenueConnectionChanged>) {
          add(x.venue, x.state, x.detail, x.ts_ns);
        } else if constexpr (std::is_same_v<T, VenueErrorOccurred>) {
          add(x.venue, x.client_order_id, x.operation, x.kind, x.venue_code, x.message,
              x.retry_after_ms, x.ts_ns);
        } else if constexpr (std::is_same_v<T, RetryScheduled>) {
          add(x.client_order_id, x.operation, x.attempt, x.delay_ms, x.ts_ns);
        } else if constexpr (std::is_same_v<T, CircuitBreakerChanged>) {
          add(x.venue, x.from, x.to, x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, DeadLettered>) {
          add(x.client_order_id, x.operation, x.reason, x.attempts, x.ts_ns);
        } else if constexpr (std::is_same_v<T, DeadLetterRetried>) {
          add(x.client_order_id, x.who, x.ts_ns);
        } else if constexpr (std::is_same_v<T, DeadLetterDropped>) {
          add(x.client_order_id, x.who, x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, AnomalyDetected>) {
          add(x.kind, x.venue, x.client_order_id, x.detail, x.ts_ns);
        } else if constexpr (std::is_same_v<T, TradingStateChanged>) {
          add(x.from, x.to, x.who, x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, KillSwitchActivated>) {
          add(x.who, x.reason, x.flatten, x.ts_ns);
        } else if constexpr (std::is_same_v<T, MarkPriceUpdated>) {
          add(x.symbol, x.price, x.ts_ns);
        } else if constexpr (std::is_same_v<T, BalanceUpdated>) {
          add(x.account, x.asset, x.free, x.locked, x.ts_ns);
        } else if constexpr (std::is_same_v<T, AccountFunded>) {
          add(x.account, x.asset, x.amount, x.ts_ns);
        } else if constexpr (std::is_same_v<T, InstrumentDefined>) {
          add(x.venue, x.rules.symbol, x.rules.venue_symbol, x.rules.tick_size, x.rules.lot_size,
              x.rules.min_qty, x.rules.max_qty, x.rules.min_notional, x.ts_ns);
        } else if constexpr (std::is_same_v<T, EngineStarted>) {
          add(x.version, x.venue, x.config_digest, x.ts_ns);
        } else if constexpr (std::is_same_v<T, EngineStopped>) {
          add(x.reason, x.ts_ns);
        } else if constexpr (std::is_same_v<T, RecoveryCompleted>) {
          add(x.replayed_events, x.in_flight, x.resolved, x.restored_resting, x.ts_ns);
        } else {
          static_assert(sizeof(T) == 0, "dump() misses an event type");
        }
      },
      e);
  return s + "}";
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
