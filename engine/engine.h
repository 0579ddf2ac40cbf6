// Engine: the single writer. Decisions come in, pass validation and pre-trade risk, become
// journaled order intents, and are handed to the venue through the resiliency layer only once
// the intent is durable; venue events come back, are checked against the order state machine,
// journaled, and folded into the live projections.
//
// Threading: every member function except the thread-safe entry points (post_*) runs on the
// engine thread — the thread that runs the io_context handed in. Venue callbacks and the
// post_* functions hop onto it with asio::post. No locks guard engine state.
//
// Group commit: events staged during one turn of the loop are appended as one WriteBatch (one
// fsync under `sync`); effects waiting on them (venue requests, replies to callers) run only
// after that append returned. A failed append stops the engine: durability unknown means stop.
//
// Ownership: the engine borrows the journal, venue, scheduler, clock and io_context; main()
// owns them and keeps them alive until stop() completed.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/venue.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "engine/decision.h"
#include "engine/open_order_totals.h"
#include "engine/resiliency.h"
#include "engine/risk.h"
#include "journal/journal.h"
#include "platform/scheduler.h"
#include "projections/projections.h"

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace at::journal {
class GroupCommitter;
}
namespace at::replay {
class BackgroundSnapshotter;
}

namespace at::engine {

struct KillSwitchOptions {
  int max_rejects = 0;                         // automatic trip after this many venue rejects ...
  double reject_window_s = 60;                 // ... within this window (0 rejects = off)
  std::optional<Money> max_loss;               // trip when realized + unrealized P&L <= -max_loss
  std::optional<Quantity> max_position_drift;  // trip when venue and journal disagree by more
};

struct EngineOptions {
  std::string account = "main";
  std::string client_id_prefix = "at";
  RiskLimits risk;
  ResiliencyOptions resiliency;
  double order_timeout_s = 300;  // oms.order_timeout_seconds: open longer -> cancel
  // journal.snapshot_every: at least this many events between snapshots (0: never). A snapshot
  // serializes the whole state, so they are also spaced by kSnapshotEventsPerRecord events
  // per order and decision held: its cost per event then stays bounded however large the
  // state grows, and recovery's tail stays within a small multiple of what the snapshot holds.
  std::uint64_t snapshot_every = 100000;
  static constexpr std::uint64_t kSnapshotEventsPerRecord = 2;
  // With durability `sync`: a batch is handed to the journal's writer once it holds this many
  // events, without waiting for the engine's turn to end. A long turn (thousands of fills
  // reported by one durable batch) then overlaps with the writing and syncing of its first
  // events instead of waiting for all of them (docs/PERFORMANCE.md, Engine). 0: no limit.
  std::size_t max_batch_events = 1024;
  // oms.archive_after_seconds: a terminal order leaves the in-memory OMS (and the snapshots)
  // this long after its last event, a decision once it is this old and its orders are gone
  // (projections/oms.h). The journal keeps everything; a repeated decision id is still
  // answered from it. Oms::kNeverArchive (the default here) keeps everything.
  std::int64_t archive_after_ns = projections::Oms::kNeverArchive;
  KillSwitchOptions kill_switch;
  std::uint64_t seed = 42;
  std::int64_t mark_journal_interval_ms = 1000;  // MarkPriceUpdated at most this often per symbol
  std::string version = "0.1.0";
  std::string config_digest;
  // Test aid: every risk check also scans the open orders and throws std::logic_error when the
  // running totals disagree with the scan. Off in production (the scan is what the totals save).
  bool verify_open_order_totals = false;
};

// How start() or open_offline() rebuilt the state: from which snapshot, and how much of the
// journal it read after it.
struct RecoveryInfo {
  std::uint64_t snapshot_sequence = 0;  // 0: no usable snapshot, the whole journal was read
  std::uint64_t events_read = 0;        // journal events read and applied after the snapshot
  std::vector<std::string> warnings;    // snapshots skipped, with why
};

struct EngineCounters {
  std::uint64_t decisions = 0;
  std::uint64_t orders = 0;
  std::uint64_t fills = 0;
  std::uint64_t risk_rejects = 0;
  std::uint64_t venue_rejects = 0;
  std::uint64_t invalid_decisions = 0;
  std::uint64_t duplicate_fills = 0;
  std::uint64_t retries = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t anomalies = 0;
  std::uint64_t appends = 0;  // WriteBatches
  std::uint64_t appended_events = 0;
};

class Engine final : public adapters::VenueSink {
 public:
  using FillListener = std::function<void(const OrderFilled&)>;

  Engine(EngineOptions options, journal::Journal& journal, adapters::Venue& venue,
         Scheduler& scheduler, const Clock& clock, boost::asio::io_context& io,
         std::shared_ptr<spdlog::logger> log);
  ~Engine() override;

  // Recovery, then the venue: rebuilds the projections from the latest snapshot plus the
  // journal's tail, derives the engine's own state from them (decision outcomes, dead letters,
  // marks, breaker, pending cancel-then-submit replaces), restores trading state, hands
  // the venue the orders that may be working there, resolves every in-flight order (query,
  // resend what never left, re-send pending cancels) and journals RecoveryCompleted.
  void start(std::function<void(Status)> done);
  // Offline mode, for operator commands while no engine runs: recovers the state as start()
  // does and accepts
  // the engine-thread API, but never talks to the venue and journals no start or stop. The
  // events it appends (cancel requests, kill switch, DLQ retries) are acted on by the next
  // engine that starts, exactly as if they had been made while it ran.
  Status open_offline();
  // Called during start() with the replayed projections, before the venue is handed the
  // orders to recover (the paper venue restores its balances from them).
  void set_before_venue_recover(std::function<void(const projections::Projections&)> f) {
    before_venue_recover_ = std::move(f);
  }
  // Journals a deposit (AccountFunded), e.g. the paper venue's initial balance on a new journal.
  void fund(const std::string& account, const std::string& asset, Money amount);
  // Stops intake, journals EngineStopped, stops the venue.
  void stop(std::string reason, std::function<void()> done);

  // --- engine-thread API (tests drive these directly; others use post_*) ---
  void submit_decision(DecisionReceived d, std::function<void(DecisionOutcome)> done);
  void cancel_order(const ClientOrderId& id, std::string reason, std::function<void(Status)> done);
  // Replace: new total quantity and/or new limit price; answers the new client order id.
  void replace_order(const ClientOrderId& id, Quantity new_quantity, std::optional<Price> new_price,
                     std::function<void(Result<ClientOrderId>)> done);
  void kill(std::string who, std::string reason, bool flatten, std::function<void(Status)> done);
  void resume(std::string who, std::function<void(Status)> done);
  void set_trading_state(TradingState s, std::string who, std::string reason,
                         std::function<void(Status)> done);
  void dlq_retry(const ClientOrderId& id, std::string who, std::function<void(Status)> done);
  void dlq_drop(const ClientOrderId& id, std::string who, std::string reason,
                std::function<void(Status)> done);
  void on_mark(const Symbol& symbol, Price mark);
  void add_fill_listener(FillListener l) { fill_listeners_.push_back(std::move(l)); }

  // --- thread-safe entry points ---
  void post_decision(DecisionReceived d, std::function<void(DecisionOutcome)> done);
  void post_mark(Symbol symbol, Price mark);
  // VenueSink: venue events from any thread.
  void on_venue_event(Event event) override;

  // --- engine-thread observers ---
  const projections::Projections& state() const { return state_; }
  const EngineCounters& counters() const { return counters_; }
  bool running() const { return running_; }
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  // Orders not waiting in the DLQ whose outcome is still to come: sent or about to be, asked
  // to cancel or replace, unknown, or working but unable to rest (market, IOC, FOK). What a
  // graceful stop and `run --until-exhausted` wait for.
  std::size_t in_flight() const;
  std::uint64_t last_sequence() const { return next_seq_ - 1; }
  const RecoveryInfo& recovery() const { return recovery_; }
  // Blocks until the snapshots requested so far are written (tests; an orderly shutdown).
  void wait_for_snapshots();

 private:
  struct Pending;  // per-order retry bookkeeping

  // Group commit.
  std::uint64_t stage(Event e, std::uint64_t causation = 0);
  void after_durable(std::function<void()> fn);
  void schedule_flush();
  // Durability `sync` with the journal up: batches go to the group committer's writer thread.
  bool syncs_in_writer() const;
  template <typename F>
  void defer(F&& fn);
  void flush();
  void on_written(std::uint64_t first, std::uint64_t last, const Result<std::uint64_t>& r);
  void on_batch_durable(std::uint64_t first, std::uint64_t last, const Result<std::uint64_t>& r);
  void run_effects(std::vector<std::function<void()>> effects);
  void fail(std::string why);

  // Decisions and orders.
  DecisionOutcome decide(DecisionReceived d);
  // The outcome of an archived decision with this id, read back from the journal; nullopt when
  // there is none. A journal that cannot answer gives an invalid outcome (never a re-execution).
  std::optional<DecisionOutcome> archived_outcome(const DecisionId& id);
  std::optional<OrderRequested> order_for(const DecisionReceived& d, std::uint64_t seq);
  RiskInput risk_input(const OrderRequested& o) const;
  // The open-order part of risk_input() by a scan of every open order (the reference the
  // running totals must equal; also the fallback when they cannot answer exactly).
  void scan_open_orders(RiskInput& in, const OrderRequested& o) const;
  ClientOrderId next_client_order_id(std::uint64_t seq) const;
  void send_submit(const ClientOrderId& id, std::uint32_t attempt);
  void on_submit_done(const ClientOrderId& id, std::uint32_t attempt, Status st);
  void send_cancel(const ClientOrderId& id, std::uint32_t attempt);
  void on_cancel_done(const ClientOrderId& id, std::uint32_t attempt, Status st);
  void send_replace(const ClientOrderId& old_id, const ClientOrderId& new_id,
                    std::uint32_t attempt);
  void on_replace_done(const ClientOrderId& old_id, const ClientOrderId& new_id,
                       std::uint32_t attempt, Status st);
  void query(const ClientOrderId& id, std::string operation, std::uint32_t attempt);
  void on_query_done(const ClientOrderId& id, std::string operation, std::uint32_t attempt,
                     Result<adapters::QueryOutcome> r);
  // Retry bookkeeping shared by submit/cancel/replace/query: journals the error, feeds the
  // breaker, and either schedules `again` or dead-letters the intent.
  void handle_failure(const ClientOrderId& id, const std::string& operation, std::uint32_t attempt,
                      const Error& err, std::function<void()> again);
  bool breaker_allows(std::function<void()> retry_later);
  void breaker_success();
  void breaker_failure();
  void arm_timeout(const ClientOrderId& id);
  // scheduler_.at(), but `fn` does nothing once this engine is gone: the scheduler (shared
  // with the venue, owned by main) may outlive it and run its stale timers.
  void schedule_at(std::int64_t at_ns, std::function<void()> fn);
  void start_cancel_then_submit(const ClientOrderId& old_id);

  // Venue events.
  void handle_venue_event(Event e);
  std::optional<OrderEventKind> kind_of(const Event& e, const Order& o) const;
  void check_kill_switch_trips();
  void adopt_venue_instruments();

  // Recovery.
  void recover(std::function<void(Status)> done);
  // Snapshot plus tail into state_, then derive_engine_state(); fails the engine on error.
  Status restore_state();
  void derive_engine_state();
  // Keeps the engine-only state in step with an event as it is staged.
  void track_engine_state(const Envelope& env);

  EngineOptions opt_;
  journal::Journal& journal_;
  adapters::Venue& venue_;
  Scheduler& scheduler_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;

  projections::Projections state_;
  // Risk's view of the open orders, kept in step with state_ by stage() and restore_state().
  OpenOrderTotals open_totals_;
  // Snapshots are taken of this state, folded from the journal's own records (its recorded
  // times), so snapshot + tail replay equals a full replay byte for byte. The live state_
  // stamps events when staged, a little before the journal records them.
  std::unique_ptr<replay::BackgroundSnapshotter> snapshotter_;
  std::uint64_t next_snapshot_at_ = 0;  // the first batch ending at or after it asks for one
  RetryPolicy retry_;
  CircuitBreaker breaker_;
  std::map<Symbol, InstrumentRules> rules_;
  std::map<Symbol, Price> marks_;
  std::map<Symbol, std::int64_t> mark_journaled_ns_;
  std::deque<std::int64_t> recent_orders_ns_;   // order-rate throttle window
  std::deque<std::int64_t> recent_rejects_ns_;  // kill-switch reject window
  std::set<ClientOrderId> dead_lettered_;
  std::map<ClientOrderId, ClientOrderId> replace_after_cancel_;  // old -> new (non-native)
  // Decision outcomes are not kept here: the OMS's decision records are the one copy.
  std::string id_infix_;  // journal-specific part of client order ids

  std::vector<journal::PendingEvent> pending_;
  std::int64_t batch_ns_ = 0;  // recorded_ns of the events in pending_
  // stop()'s completion, once the venue has stopped, until what it reported is durable.
  std::function<void()> stop_done_;
  void finish_stop();
  std::vector<std::function<void()>> effects_;
  // Under durability sync: batches handed to the committer and not yet reported durable,
  // oldest first, each with the effects that wait for it.
  struct InFlight {
    std::uint64_t last = 0;
    std::vector<std::function<void()>> effects;
  };
  std::deque<InFlight> in_flight_;
  std::unique_ptr<journal::GroupCommitter> committer_;
  std::shared_ptr<void> work_;  // an executor_work_guard on io_ while in_flight_ is not empty
  // Expires with the engine; handlers queued by defer() and timers set by schedule_at() check it.
  std::shared_ptr<const char> alive_ = std::make_shared<const char>('\0');
  std::uint64_t next_seq_ = 1;
  bool flush_posted_ = false;
  bool running_ = false;
  bool stopping_ = false;
  bool offline_ = false;
  std::function<void(const projections::Projections&)> before_venue_recover_;
  bool failed_ = false;
  std::string failure_;
  EngineCounters counters_;
  RecoveryInfo recovery_;
  std::vector<FillListener> fill_listeners_;
};

}  // namespace at::engine
