// Venue: the interface every adapter implements (paper, binance, ...).
//
// Adapters consume durable commands and emit venue events. The engine calls submit/cancel/
// replace/query only after the intent event is durable. Business outcomes (accepted, rejected,
// filled, cancelled, expired) are *events*, delivered through VenueSink; the completion handler
// of a command only says whether the request reached the venue, as a Result whose ErrorKind
// decides the engine's reaction:
//   ok                 the venue received and answered the request (its events follow/precede)
//   kTransient         it certainly did not take effect (e.g. connect refused): retry, same id
//   kRateLimited       wait error.retry_after_ms, then retry
//   kDisconnected      connection lost before sending: reconnect, then retry
//   kUnknownOutcome    it may have taken effect: query by client order id before anything else
//   kPermanent         refused for a reason that retrying cannot fix (the adapter has also
//                      emitted OrderRejected / CancelRejected where that applies)
//
// Threading: an adapter does its I/O on its own strand/thread. It may call VenueSink and the
// completion handlers from any thread; the engine hops them onto its own strand.
// Ownership: the engine owns the Venue (unique_ptr) and outlives every callback (stop() first).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/order.h"
#include "domain/result.h"
#include "domain/symbol.h"

namespace at::adapters {

// Where an adapter delivers what happened at the venue. Thread-safe (implemented by the engine).
class VenueSink {
 public:
  virtual ~VenueSink() = default;
  virtual void on_venue_event(Event event) = 0;
};

// What a query by client order id found.
struct QueryOutcome {
  bool found = false;
  OrderStatus status = OrderStatus::kPending;  // the venue's view, mapped
  VenueOrderId venue_order_id;
  Quantity filled_quantity;
};

using Done = std::function<void(Status)>;
using QueryDone = std::function<void(Result<QueryOutcome>)>;

class Venue {
 public:
  virtual ~Venue() = default;

  // The venue's name as used in events and config ("paper", "binance").
  virtual std::string_view name() const = 0;
  // Connects and subscribes to order/fill updates; emits VenueConnectionChanged through sink.
  virtual void start(VenueSink& sink, Done done) = 0;
  // Closes connections; no sink calls after `done`.
  virtual void stop(Done done) = 0;

  // The instrument rules the venue enforces (tick, lot, min notional) for the risk checks.
  virtual std::vector<InstrumentRules> instruments() const = 0;
  virtual bool supports_native_replace() const = 0;

  // Places the order with order.client_order_id; `attempt` counts retries of the same intent.
  virtual void submit(const OrderRequested& order, std::uint32_t attempt, Done done) = 0;
  virtual void cancel(const Order& order, Done done) = 0;
  // Native replace of `order` by `replacement` (whose client order id is new). Only called when
  // supports_native_replace(); otherwise the engine cancels, then submits.
  virtual void replace(const Order& order, const OrderRequested& replacement, Done done) = 0;
  // Looks the order up by client order id. When found, the adapter also emits whatever events
  // bring the journal up to date (OrderAccepted, missed OrderFilled, OrderCancelled, ...).
  virtual void query(const Order& order, QueryDone done) = 0;

  // After a restart: the orders the journal says may be working at the venue. The paper venue
  // restores its resting orders from them; a real venue reconciles (open orders, fills since
  // the last trade id) and emits what the journal missed. Fills may be re-emitted; the engine
  // deduplicates them on (venue, trade id).
  virtual void recover(const std::vector<Order>& open_orders, Done done) = 0;
};

}  // namespace at::adapters
