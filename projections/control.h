// ControlState: the service's operating state as journaled: circuit breaker and connection per
// venue, trading state (ACTIVE / REDUCING / HALTED) with the kill switch, instrument rules,
// and the engine's lifecycle (last start, stop, recovery).
//
// Pure fold; maps ordered by venue / symbol. Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "domain/events.h"
#include "projections/keys.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

struct BreakerStatus {
  BreakerState state = BreakerState::kClosed;
  std::string reason;
  std::uint64_t since_seq = 0;
  std::int64_t since_ns = 0;
  std::uint64_t changes = 0;
};

struct ConnectionStatus {
  ConnectionState state = ConnectionState::kDisconnected;
  std::string detail;
  std::uint64_t since_seq = 0;
  std::int64_t since_ns = 0;
  std::uint64_t changes = 0;
};

struct TradingStatus {
  TradingState state = TradingState::kActive;
  std::string who;
  std::string reason;
  std::uint64_t since_seq = 0;
  std::int64_t since_ns = 0;
  // The last kill switch (0 = never).
  std::uint64_t kill_seq = 0;
  std::string kill_who;
  std::string kill_reason;
  bool kill_flatten = false;
};

struct EngineStatus {
  std::uint64_t started_seq = 0;
  std::string version;
  std::string venue;
  std::string config_digest;
  std::uint64_t stopped_seq = 0;
  std::string stop_reason;
  std::uint64_t recovered_seq = 0;
  std::uint64_t starts = 0;
  // True when the last start has no clean stop after it (a crash, or still running).
  bool running() const { return started_seq > stopped_seq; }
};

class ControlState {
 public:
  void apply(const Envelope& env);

  // A venue never mentioned is CLOSED / DISCONNECTED.
  const std::map<std::string, BreakerStatus>& breakers() const { return breakers_; }
  BreakerState breaker(const std::string& venue) const;
  const std::map<std::string, ConnectionStatus>& connections() const { return connections_; }
  const TradingStatus& trading() const { return trading_; }
  const EngineStatus& engine() const { return engine_; }
  // Instrument rules by (venue, symbol).
  const std::map<std::pair<std::string, Symbol>, InstrumentRules, PairKeyLess>& instruments()
      const {
    return instruments_;
  }
  const InstrumentRules* instrument(const std::string& venue, const Symbol& symbol) const;

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  std::map<std::string, BreakerStatus> breakers_;
  std::map<std::string, ConnectionStatus> connections_;
  TradingStatus trading_;
  EngineStatus engine_;
  std::map<std::pair<std::string, Symbol>, InstrumentRules, PairKeyLess> instruments_;
};

}  // namespace at::projections
