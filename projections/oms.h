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
// Iteration (for_each_order(), open_orders()) is in the order orders were requested: journal
// order, so replay-stable. Lookup tables are hashed but never iterated.
//
// Archiving (a long-running service must not keep every order it ever sent in memory, nor
// write them all into every snapshot): with an archive age A (default: never), an order that is
// terminal, has had no event for A of journal time (recorded_ns) and has no open dead letter
// (`dlq retry` needs it) leaves the OMS, and so does
// a decision once it is A old and none of its orders is left. The journal keeps their whole
// history (audit queries read it there, or replay with archiving off). What stays:
//   - the count of archived orders and decisions;
//   - for decision-id deduplication, every archived decision as (64-bit FNV-1a hash of its id,
//     sequence of its DecisionReceived): archived_decisions() gives the candidate sequences and
//     the caller confirms the id in the journal (the OMS does no I/O).
// An event for an archived order is what it would be for an order never requested: an
// "unknown_order" anomaly (a fill is then not applied to positions). With A minutes or more
// that is a venue reporting on an order long finished.
// Archiving depends only on the events (their recorded_ns), so it is replay-stable: two
// replays with the same A give byte-identical state, and a snapshot records its A.
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
#include "projections/detail/box.h"
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
  // recorded_ns of the last event applied to this order (archiving counts from it).
  std::int64_t last_recorded_ns = 0;
  // A DeadLettered for it is not yet retried or dropped: it is not archived meanwhile.
  bool dead_letter_open = false;
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
  static constexpr std::int64_t kNeverArchive = -1;
  // `archive_after_ns`: the archive age A above, in nanoseconds of journal time; kNeverArchive
  // keeps everything.
  explicit Oms(std::int64_t archive_after_ns = kNeverArchive);
  std::int64_t archive_after_ns() const { return archive_after_ns_; }

  // Applies one event and says what changed. Pointers in the effect, and from find() and the
  // others, are valid until the next apply() or load().
  OmsEffect apply(const Envelope& env);

  // nullptr when absent.
  const OrderRecord* find(const ClientOrderId& id) const;
  const OrderRecord* find_by_venue_id(const VenueOrderId& id) const;
  const DecisionRecord* find_decision(const DecisionId& id) const;

  // The orders held (every order, unless archived), in request order.
  void for_each_order(const std::function<void(const OrderRecord&)>& f) const;
  std::size_t order_count() const { return order_count_; }
  // Open (non-terminal) orders, in request order.
  std::vector<const OrderRecord*> open_orders() const;
  std::size_t open_count() const { return open_.size(); }
  void for_each_open(const std::function<void(const OrderRecord&)>& f) const;

  const std::vector<Anomaly>& anomalies() const { return anomalies_; }
  std::uint64_t duplicate_fills() const { return duplicate_fills_; }
  // Decisions held (not archived).
  std::size_t decision_count() const { return decision_count_; }
  std::uint64_t archived_orders() const { return archived_orders_; }
  std::uint64_t archived_decisions() const { return archived_.size() + archived_recent_.size(); }
  // Every decision applied, held or archived (what a generator of fresh ids counts past).
  std::uint64_t decisions_seen() const { return decision_count_ + archived_decisions(); }
  // Sequences of the DecisionReceived events of archived decisions whose id has the same hash
  // as `id` (almost always none or exactly the one): the caller reads the journal to confirm.
  std::vector<std::uint64_t> archived_decision_candidates(const DecisionId& id) const;

  void save(detail::Writer& w) const;
  // Replaces this state with the saved one; false (reader's error set) when malformed.
  bool load(detail::Reader& r);

 private:
  friend struct OmsApply;
  static constexpr std::uint32_t kNone = 0xffffffffu;

  OrderRecord& at(std::uint32_t i) { return *orders_[i - orders_base_]; }
  const OrderRecord& at(std::uint32_t i) const { return *orders_[i - orders_base_]; }
  DecisionRecord& decision_at(std::uint32_t i) { return *decisions_[i - decisions_base_]; }
  const DecisionRecord& decision_at(std::uint32_t i) const {
    return *decisions_[i - decisions_base_];
  }
  std::uint32_t lookup(const ClientOrderId& id) const;
  std::uint32_t lookup_decision(const DecisionId& id) const;
  // Runs the transition; on success updates status and history, else records an anomaly.
  bool step(std::uint32_t i, OrderEventKind kind, const Envelope& env);
  void note(const Envelope& env, std::string kind, const ClientOrderId& id, std::string detail);
  void set_status(std::uint32_t i, OrderStatus to);
  void touch(std::uint32_t i, const Envelope& env);
  // Archiving (see the top of this file).
  void archive_through(std::int64_t cutoff_ns);
  void archive_order(std::uint32_t i);
  bool decision_done(const DecisionRecord& d) const;
  void archive_decision(std::uint32_t di);
  FillOutcome apply_fill(const OrderFilled& f, const Envelope& env);
  void on_requested(const OrderRequested& r, const Envelope& env);
  void rebuild_indexes();

  std::int64_t archive_after_ns_ = kNeverArchive;
  // Records by index; an archived record's slot is null until the slots before it go too.
  // orders_[k] holds index orders_base_ + k. Indexes are assigned in request order.
  std::deque<detail::Box<OrderRecord>> orders_;
  std::uint32_t orders_base_ = 0;
  std::size_t order_count_ = 0;
  // Keys are read back from the records (see id_index.h).
  // An index whose record was archived reads as "" (no key is empty): by_venue_id may still
  // hold a slot for an order's earlier venue id (a later one replaced it), which archiving
  // cannot find to erase.
  const OrderRecord* held(std::uint32_t i) const {
    if (i < orders_base_ || i - orders_base_ >= orders_.size()) return nullptr;
    const auto& b = orders_[i - orders_base_];
    return b ? &*b : nullptr;
  }
  auto client_key() const {
    return [this](std::uint32_t i) -> std::string_view {
      const OrderRecord* r = held(i);
      return r ? std::string_view(r->order.client_order_id.str()) : std::string_view();
    };
  }
  auto venue_key() const {
    return [this](std::uint32_t i) -> std::string_view {
      const OrderRecord* r = held(i);
      return r ? std::string_view(r->order.venue_order_id.str()) : std::string_view();
    };
  }
  auto decision_key() const {
    return [this](std::uint32_t i) -> std::string_view { return decision_at(i).decision_id.str(); };
  }
  void index_venue_id(std::uint32_t i, const VenueOrderId& id);

  detail::IdIndex by_client_id_;
  detail::IdIndex by_venue_id_;
  std::set<std::uint32_t> open_;                       // indexes into orders_
  std::deque<detail::Box<DecisionRecord>> decisions_;  // like orders_
  std::uint32_t decisions_base_ = 0;
  std::size_t decision_count_ = 0;
  detail::IdIndex by_decision_id_;
  // Archiving state: terminal orders as (index, last_recorded_ns) in the order they were last
  // touched (an entry whose order was touched again since is stale and skipped); the first
  // decision not yet old enough to archive; the archived decisions (hash, sequence), sorted,
  // with the latest ones in a set until they are merged in.
  std::deque<std::pair<std::uint32_t, std::int64_t>> terminal_;
  std::uint32_t decision_scan_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> archived_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> archived_recent_;
  std::uint64_t archived_orders_ = 0;
  std::vector<Anomaly> anomalies_;
  std::uint64_t duplicate_fills_ = 0;
  OmsEffect fx_;
};

}  // namespace at::projections
