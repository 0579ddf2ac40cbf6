// Oms: the order management projection. Orders by client order id and venue order id, open
// orders, each order's history (the sequences of the events applied to it), its fills, the
// decisions that led to orders, and the anomalies seen on the way.
//
// A pure fold: apply() reads only the envelope. Every status change goes through the domain's
// transition(). An event that is not a legal transition, or that names an order we never
// requested, is recorded in anomalies() with its sequence and changes nothing else.
//
// Fills are deduplicated on (venue, trade id) within their order: a duplicate is counted in
// duplicate_fills() and not applied. (Per order rather than globally because a venue gives
// both legs of a self-trade the same trade id, and both legs are real executions.)
//
// Iteration (orders(), open_orders()) is in the order orders were requested: journal order,
// so replay-stable. Lookup tables are hashed but never iterated.
//
// Thread-safety: none; one writer (the engine's strand) or one replay owns an instance.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "domain/events.h"
#include "domain/order.h"
#include "domain/order_state.h"
#include "projections/detail/id_index.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

// One execution of one order, as applied.
struct OrderFill {
  std::uint64_t sequence = 0;
  std::int64_t ts_ns = 0;
  TradeId trade_id;
  Quantity quantity;
  Price price;
  Money commission;
  std::string commission_asset;
  Liquidity liquidity = Liquidity::kUnknown;
};

struct OrderRecord {
  Order order;
  std::vector<std::uint64_t> history;  // sequences of the events applied to this order
  std::vector<OrderFill> fills;
  // Journal times (recorded_ns) used by the latency metrics; 0 = not seen yet.
  std::int64_t decision_recorded_ns = 0;
  std::int64_t accepted_recorded_ns = 0;
  std::int64_t first_fill_recorded_ns = 0;
  // The last ReplaceRequested that put this order in PENDING_REPLACE was a cancel-then-submit
  // (not native): once the cancel is confirmed the engine submits the replacement.
  bool replace_by_cancel = false;
};

// A strategy decision and what became of it (the engine answers a repeated decision id with
// this, never by executing it again).
struct DecisionRecord {
  DecisionId decision_id;
  std::uint64_t sequence = 0;
  std::int64_t recorded_ns = 0;
  Symbol symbol;
  Action action = Action::kHold;
  std::vector<ClientOrderId> orders;  // orders requested for it, in order
  std::string risk_rejection;         // RiskRejected::reason, empty if none
  std::string risk_detail;            // RiskRejected::detail of that rejection
  std::uint32_t repeats = 0;          // DecisionReceived seen again with the same id
};

struct Anomaly {
  std::uint64_t sequence = 0;
  std::string kind;  // "illegal_transition", "unknown_order", "duplicate_client_order_id",
                     // "overfill", or an AnomalyDetected event's own kind
  ClientOrderId client_order_id;
  std::string detail;
};

// What apply() did with a fill; the aggregate passes only kApplied fills to positions and
// balances.
enum class FillOutcome : std::uint8_t { kNotAFill, kApplied, kDuplicate, kRejected };

// What one apply() changed, for the projections that derive from the OMS (metrics).
struct OmsEffect {
  FillOutcome fill = FillOutcome::kNotAFill;
  const OrderRecord* created = nullptr;     // a new order was requested
  const OrderRecord* first_ack = nullptr;   // an order was acknowledged for the first time
  const OrderRecord* first_fill = nullptr;  // an order filled for the first time
  const OrderRecord* rejected = nullptr;    // an order became REJECTED
};

class Oms {
 public:
  // Applies one event and says what changed. Pointers in the effect are valid until the next
  // apply() or load().
  OmsEffect apply(const Envelope& env);

  // nullptr when absent.
  const OrderRecord* find(const ClientOrderId& id) const;
  const OrderRecord* find_by_venue_id(const VenueOrderId& id) const;
  const DecisionRecord* find_decision(const DecisionId& id) const;

  // All orders in request order.
  const std::deque<OrderRecord>& orders() const { return orders_; }
  // Open (non-terminal) orders, in request order.
  std::vector<const OrderRecord*> open_orders() const;
  std::size_t open_count() const { return open_.size(); }
  void for_each_open(const std::function<void(const OrderRecord&)>& f) const;

  const std::vector<Anomaly>& anomalies() const { return anomalies_; }
  std::uint64_t duplicate_fills() const { return duplicate_fills_; }
  std::size_t decision_count() const { return decisions_.size(); }

  void save(detail::Writer& w) const;
  // Replaces this state with the saved one; false (reader's error set) when malformed.
  bool load(detail::Reader& r);

 private:
  friend struct OmsApply;
  static constexpr std::uint32_t kNone = 0xffffffffu;

  std::uint32_t lookup(const ClientOrderId& id) const;
  // Runs the transition; on success updates status and history, else records an anomaly.
  bool step(std::uint32_t i, OrderEventKind kind, const Envelope& env);
  void note(const Envelope& env, std::string kind, const ClientOrderId& id, std::string detail);
  void set_status(std::uint32_t i, OrderStatus to);
  void touch(OrderRecord& rec, const Envelope& env);
  FillOutcome apply_fill(const OrderFilled& f, const Envelope& env);
  void on_requested(const OrderRequested& r, const Envelope& env);
  void rebuild_indexes();

  std::deque<OrderRecord> orders_;
  // Keys are read back from the records (see id_index.h).
  auto client_key() const {
    return [this](std::uint32_t i) -> std::string_view {
      return orders_[i].order.client_order_id.str();
    };
  }
  auto venue_key() const {
    return [this](std::uint32_t i) -> std::string_view {
      return orders_[i].order.venue_order_id.str();
    };
  }
  auto decision_key() const {
    return [this](std::uint32_t i) -> std::string_view { return decisions_[i].decision_id.str(); };
  }
  void index_venue_id(std::uint32_t i, const VenueOrderId& id);

  detail::IdIndex by_client_id_;
  detail::IdIndex by_venue_id_;
  std::set<std::uint32_t> open_;  // indexes into orders_
  std::deque<DecisionRecord> decisions_;
  detail::IdIndex by_decision_id_;
  std::vector<Anomaly> anomalies_;
  std::uint64_t duplicate_fills_ = 0;
  OmsEffect fx_;
};

}  // namespace at::projections
