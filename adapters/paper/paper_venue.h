// PaperVenue: the in-process venue adapter around MatchingEngine.
//
// It implements adapters::Venue like any real adapter: commands go in, domain events come out
// through VenueSink. Each command (submit, cancel, replace, query, recover) reaches the engine
// after a latency drawn uniformly from [latency_min_ms, latency_max_ms] by a seeded PRNG
// (splitmix64) and scheduled on the injected Scheduler; its events are delivered, then its
// completion handler runs. Fills caused by market data (on_quote / on_trade) are delivered at
// once. With a ManualClock and a ManualScheduler the whole thing is deterministic for a seed.
//
// Engine reports map to events:
//   NEW -> OrderAccepted           TRADE -> OrderFilled (trade id "<SYMBOL>:<n>", commission in
//   CANCELED -> OrderCancelled               the quote asset, liquidity maker/taker)
//   EXPIRED -> OrderExpired        REPLACED -> OrderReplaced (then OrderAccepted of the new order)
//   REJECTED -> OrderRejected (reason = Binance's message, venue_code = Binance's code)
//   balance changes -> BalanceUpdated (absolute free/locked per asset)
// Completion handlers: ok when the venue answered, including a business refusal of a cancel;
// a refused submit or replace also completes with kPermanent carrying the venue code (after
// OrderRejected / ReplaceRejected was emitted). A refused cancel emits CancelRejected and
// completes with kPermanent (-2011).
//
// Ids: venue order ids are decimal numbers and trade ids "<SYMBOL>:<n>", both starting at
// `id_base` (default: the wall clock in microseconds at construction), so they never repeat
// across restarts. Balances are not persisted: after a restart call set_balance() with the
// journal's balances before recover().
//
// Thread-safety: every public function may be called from any thread; one recursive mutex
// serializes the engine. Sink calls happen under it, so a sink may call back into the venue
// (the engine's sink posts to its strand anyway).
// Ownership: the venue does not own the clock, the scheduler or the sink; they outlive it.
// Scheduled work that runs after the venue is destroyed does nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/paper/matching_engine.h"
#include "platform/scheduler.h"
#include "adapters/venue.h"
#include "domain/clock.h"
#include "market_data/types.h"

namespace at::paper {

struct PaperConfig {
  std::string name = "paper";
  // The venue-side account for orders whose account is "" (and the one that is funded).
  std::string account = "paper";
  // Deposited into `account` at construction: the spec's initial_balance, per asset.
  std::vector<std::pair<std::string, Money>> initial_balances;
  std::int64_t latency_min_ms = 10;
  std::int64_t latency_max_ms = 50;
  Decimal slippage_bps = Decimal::from_int(5);
  Decimal commission_bps = Decimal::from_int(10);
  bool enforce_balances = true;
  bool allow_short = false;
  std::uint64_t seed = 1;
  std::vector<InstrumentRules> instruments;
  std::uint64_t id_base = 0;  // 0: clock.now_ns() / 1000 at construction
};

class PaperVenue final : public adapters::Venue {
 public:
  PaperVenue(PaperConfig config, const Clock& clock, Scheduler& scheduler);
  ~PaperVenue() override;

  // --- adapters::Venue ---
  std::string_view name() const override;
  void start(adapters::VenueSink& sink, adapters::Done done) override;
  void stop(adapters::Done done) override;
  std::vector<InstrumentRules> instruments() const override;
  bool supports_native_replace() const override { return true; }
  void submit(const OrderRequested& order, std::uint32_t attempt, adapters::Done done) override;
  void cancel(const Order& order, adapters::Done done) override;
  void replace(const Order& order, const OrderRequested& replacement, adapters::Done done) override;
  void query(const Order& order, adapters::QueryDone done) override;
  // Puts back every order that has a venue order id and is open in the journal's view, with
  // its remaining quantity and the same ids; orders without a venue id are left to query().
  void recover(const std::vector<Order>& open_orders, adapters::Done done) override;

  // --- market data: fills it causes are delivered at once ---
  void on_quote(const md::Quote& quote);
  void on_trade(const md::Trade& trade);

  // --- state ---
  // Sets a balance outright (restoring the journal's balances after a restart), as free +
  // locked = what the account holds; recover() then re-reserves what the restored orders need,
  // so call it before recover(). No event.
  void set_balance(std::string_view asset, const Money& free, const Money& locked = Money{});
  std::map<std::string, Balance> balances() const;
  // Runs `fn` with the engine under the venue's lock (tests inspect orders and trades).
  template <typename Fn>
  auto with_engine(Fn&& fn) const {
    std::lock_guard lock(mu_);
    return fn(static_cast<const MatchingEngine&>(*engine_));
  }

  // --- fault injection, for the engine's resiliency tests ---
  // Each rule applies to the next `n` commands of its kind, in the order rules were added.
  enum class Op : std::uint8_t { kSubmit, kCancel, kReplace, kQuery };
  // The command never reaches the engine; after the latency its handler gets `error` (e.g.
  // kTransient, kRateLimited with retry_after_ms, kDisconnected). No events.
  void fail_next(Op op, int n, Error error);
  // The command is executed by the engine, but its answer is lost: none of the events it
  // produced reach the sink and the handler gets kUnknownOutcome. Events caused later (fills
  // from market data) are delivered normally; query() then brings the journal up to date.
  void drop_answer_next(Op op, int n);
  // The next `n` submits are refused by the venue (OrderRejected with `reason`, handler
  // kPermanent) without reaching the engine.
  void reject_next_submits(int n, std::string reason);
  // Simulates a lost connection: VenueConnectionChanged(disconnected); while down, commands
  // complete with kDisconnected and every event (including market-data fills, which still
  // happen at the venue) is lost. set_connected(true) emits VenueConnectionChanged(connected).
  void set_connected(bool connected);
  // How many commands of a kind reached the engine (executed, even if the answer was lost).
  int executed(Op op) const;

 private:
  struct Fault {
    enum class Kind : std::uint8_t { kFail, kDrop, kReject } kind;
    Error error;
    int remaining = 0;
  };
  class Listener;

  std::int64_t draw_latency_ns();
  // Schedules `fn` after a latency; it runs under the lock unless the venue is gone.
  void later(std::function<void()> fn);
  std::optional<Fault> take_fault(Op op);
  void deliver();
  void emit(Event e);
  std::string engine_account(const std::string& account) const;
  std::optional<NewOrder> to_new_order(const OrderRequested& o) const;

  PaperConfig cfg_;
  const Clock& clock_;
  Scheduler& scheduler_;
  mutable std::recursive_mutex mu_;
  std::unique_ptr<MatchingEngine> engine_;
  std::unique_ptr<Listener> listener_;
  adapters::VenueSink* sink_ = nullptr;
  bool started_ = false;
  bool connected_ = true;
  bool suppress_ = false;
  std::vector<Event> pending_;
  std::uint64_t rng_;
  std::map<Op, std::vector<Fault>> faults_;
  std::map<Op, int> executed_;
  std::shared_ptr<int> alive_;
};

}  // namespace at::paper
