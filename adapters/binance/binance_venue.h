// BinanceVenue: the Binance Spot adapter (VENUES.md §1).
//
// Orders go over signed REST (HMAC-SHA256, X-MBX-APIKEY, timestamp from the injected Clock
// plus the measured server offset, recvWindow). Order and fill updates arrive on the
// WebSocket API user-data stream (userDataStream.subscribe.signature); after every reconnect,
// and when the server ends the stream, the adapter reconciles over REST (openOrders, myTrades
// from the last trade id seen, the order itself) and emits what it missed, each fill once.
// Rate limits are tracked from the usage headers and exchangeInfo so that requests slow down
// before Binance refuses; after a 429/418 nothing is sent until Retry-After has passed.
//
// Error contract (venue.h): ok = Binance answered; business refusals are also events
// (OrderRejected, CancelRejected, ReplaceRejected). 5xx, -1007, a lost answer, a duplicate
// client order id -> kUnknownOutcome (query, never resend). -1021 -> kTransient after a time
// resync. 429/418 -> kRateLimited. Malformed venue messages -> AnomalyDetected, never a crash.
//
// Threading: all I/O and state live on one strand of the given io_context; the public methods
// may be called from any thread. Sink and completion calls happen on that strand.
// Ownership: the caller owns the venue; the io_context must outlive it, and stop() must have
// completed before it is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/binance/config.h"
#include "adapters/venue.h"
#include "domain/clock.h"

namespace boost::asio {
class io_context;
}

namespace at::binance {

class BinanceVenue final : public adapters::Venue {
 public:
  BinanceVenue(boost::asio::io_context& ioc, const Clock& clock, BinanceConfig config);
  ~BinanceVenue() override;

  std::string_view name() const override { return "binance"; }
  // Syncs time, loads exchangeInfo (rules, symbols, limits), subscribes to the user-data
  // stream. `done` is called once the subscription succeeds, or with the first failure (the
  // stream keeps retrying in the background; VenueConnectionChanged reports it).
  void start(adapters::VenueSink& sink, adapters::Done done) override;
  void stop(adapters::Done done) override;
  std::vector<InstrumentRules> instruments() const override;
  bool supports_native_replace() const override { return true; }
  void submit(const OrderRequested& order, std::uint32_t attempt, adapters::Done done) override;
  void cancel(const Order& order, adapters::Done done) override;
  void replace(const Order& order, const OrderRequested& replacement, adapters::Done done) override;
  void query(const Order& order, adapters::QueryDone done) override;
  void recover(const std::vector<Order>& open_orders, adapters::Done done) override;

  // Counters for tests, benchmarks and metrics. Safe to read from any thread.
  struct Stats {
    std::uint64_t requests_sent = 0;
    std::uint64_t requests_refused_locally = 0;  // rate-limited without sending
    std::uint64_t stream_connects = 0;
    std::uint64_t reconciliations = 0;
    std::uint64_t anomalies = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace at::binance
