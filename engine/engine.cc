#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "engine/state_view.h"
#include "journal/group_commit.h"
#include "replay/background_snapshotter.h"
#include "replay/replay.h"

namespace at::engine {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerSec = 1'000'000'000;

std::int64_t seconds_to_ns(double s) { return static_cast<std::int64_t>(s * 1e9); }

// Base36 of the journal's first event time: a stable, journal-specific part of client order
// ids so two journals trading one venue account never reuse an id.
std::string journal_infix(std::int64_t ns) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::uint64_t v = static_cast<std::uint64_t>(ns / 1000) % (36ULL * 36 * 36 * 36 * 36);
  std::string s(5, '0');
  for (int i = 4; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = kDigits[v % 36];
    v /= 36;
  }
  return s;
}

// The time the infix is made of: the engine's first event is its EngineStarted, whose time the
// engine sets when it stages it (before any client order id is made), whereas the journal
// records it a little later when the batch is written; a journal begun by `journal import`
// has no such event first, and its recorded time serves.
std::string journal_infix(const Envelope& first) {
  if (const auto* s = std::get_if<EngineStarted>(&first.event)) return journal_infix(s->ts_ns);
  return journal_infix(first.recorded_ns);
}

// What a decision came to, read back from its OMS record: the outcome the engine answered when
// it decided, which a repeated decision id gets again (before a restart or after it).
DecisionOutcome outcome_of(const projections::Oms& oms, const projections::DecisionRecord& d) {
  DecisionOutcome out;
  out.decision_id = d.decision_id;
  out.sequence = d.sequence;
  // The decision's own order (replacements carry its decision id too, and name what they
  // replace).
  for (const ClientOrderId& id : d.orders)
    if (const auto* rec = oms.find(id); rec && rec->order.replaces.empty()) {
      out.kind = DecisionOutcome::Kind::kOrdered;
      out.client_order_id = id;
    }
  if (!out.client_order_id.empty()) return out;
  if (d.action == Action::kHold) {
    out.kind = DecisionOutcome::Kind::kHeld;
  } else if (!d.risk_rejection.empty()) {
    out.kind = DecisionOutcome::Kind::kRiskRejected;
    out.reason = d.risk_rejection;
    out.detail = d.risk_detail;
  } else {
    out.kind = DecisionOutcome::Kind::kNothingToDo;
    out.detail = "no position in " + d.symbol.str() + " to flatten";
  }
  return out;
}

// The orders whose state an event can change (the OMS's apply touches no others): its own
// client order id, and for replace events the replacement's too. Duplicates and empty ids are
// left out.
std::array<const ClientOrderId*, 2> orders_changed_by(const Event& e) {
  std::array<const ClientOrderId*, 2> ids{client_order_id_of(e), nullptr};
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ReplaceRequested> || std::is_same_v<T, OrderReplaced> ||
                      std::is_same_v<T, ReplaceRejected>)
          ids[1] = &x.new_client_order_id;
      },
      e);
  for (auto& id : ids)
    if (id && id->empty()) id = nullptr;
  if (ids[0] && ids[1] && *ids[0] == *ids[1]) ids[1] = nullptr;
  return ids;
}

}  // namespace

Engine::Engine(EngineOptions options, journal::Journal& journal, adapters::Venue& venue,
               Scheduler& scheduler, const Clock& clock, boost::asio::io_context& io,
               std::shared_ptr<spdlog::logger> log)
    : opt_(std::move(options)),
      journal_(journal),
      venue_(venue),
      scheduler_(scheduler),
      clock_(clock),
      io_(io),
      log_(log ? std::move(log) : spdlog::default_logger()),
      retry_(opt_.resiliency, opt_.seed),
      breaker_(opt_.resiliency.circuit_breaker_threshold,
               seconds_to_ns(opt_.resiliency.breaker_cooldown_s)) {
  next_seq_ = journal_.last_sequence() + 1;
}

Engine::~Engine() {
  // Completes (or fails) what is queued; its callbacks find the engine gone and do nothing.
  committer_.reset();
  snapshotter_.reset();
}

// Everything the engine posts to its io_context goes through here: a handler still queued
// when the engine is destroyed (a crash in a test, a stop with work pending) does nothing.
template <typename F>
void Engine::defer(F&& fn) {
  boost::asio::post(
      io_, [alive = std::weak_ptr<const char>(alive_), fn = std::forward<F>(fn)]() mutable {
        if (!alive.expired()) fn();
      });
}

// ---------------------------------------------------------------------------------------------
// Group commit

std::uint64_t Engine::stage(Event e, std::uint64_t causation) {
  std::uint64_t seq = next_seq_++;
  // One stamp per batch, taken when it starts, never behind the last one: the journal keeps it
  // (journal::PendingEvent), so what the engine applies now is what a replay will read.
  if (pending_.empty()) batch_ns_ = std::max(clock_.now_ns(), state_.last_recorded_ns());
  Envelope env{seq, batch_ns_, causation, std::move(e)};
  // The orders this event may change leave the risk totals while it is applied, and come back
  // if they are still open.
  std::array<const ClientOrderId*, 2> ids = orders_changed_by(env.event);
  for (const ClientOrderId* id : ids)
    if (id)
      if (const Order* o = view::find_order(state_, *id); o && is_open(o->status))
        open_totals_.remove(*o);
  state_.apply(env);
  for (const ClientOrderId* id : ids)
    if (id)
      if (const Order* o = view::find_order(state_, *id); o && is_open(o->status))
        open_totals_.add(*o);
  track_engine_state(env);
  pending_.push_back(journal::PendingEvent{std::move(env.event), causation, batch_ns_});
  // A full batch goes to the writer now (the committer path only: it returns at once, and the
  // effects of what is already staged wait for this batch; effects added later wait for a
  // later one, which is never earlier than they need).
  if (opt_.max_batch_events > 0 && pending_.size() >= opt_.max_batch_events && syncs_in_writer())
    flush();
  else
    schedule_flush();
  return seq;
}

void Engine::after_durable(std::function<void()> fn) {
  effects_.push_back(std::move(fn));
  schedule_flush();
}

bool Engine::syncs_in_writer() const {
  return journal_.durability() == journal::Durability::kSync && !offline_;
}

void Engine::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  defer([this] { flush(); });
}

void Engine::flush() {
  flush_posted_ = false;
  if (failed_) return;
  if (pending_.empty()) {
    // Nothing new to write: the effects depend only on batches already submitted.
    if (!in_flight_.empty()) {
      auto& last = in_flight_.back().effects;
      for (auto& fn : effects_) last.push_back(std::move(fn));
      effects_.clear();
      return;
    }
    return run_effects(std::move(effects_));
  }
  const std::uint64_t first = next_seq_ - pending_.size();
  const std::uint64_t last = next_seq_ - 1;
  if (syncs_in_writer()) {
    // Pipelined: the committer's writer thread encodes and writes the batch, its syncer
    // fsyncs; meanwhile this thread goes on staging the next batch. The effects wait in
    // in_flight_ until the covering fsync is reported.
    if (!committer_) committer_ = std::make_unique<journal::GroupCommitter>(journal_);
    // The committer owns the batch now; the next one is staged into a vector it has emptied
    // (no regrowth, no page faults on fresh memory for each batch).
    auto batch = std::move(pending_);
    pending_ = committer_->take_buffer();
    in_flight_.push_back(InFlight{last, std::move(effects_)});
    effects_.clear();
    // The completion arrives from another thread: keep io_.run() from returning meanwhile.
    if (!work_)
      work_ = std::make_shared<
          boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          io_.get_executor());
    committer_->submit(std::move(batch), [this, first, last](const Result<std::uint64_t>& r) {
      defer([this, first, last, r] { on_batch_durable(first, last, r); });
    });
    return;
  }
  auto r = journal_.append(pending_);
  pending_.clear();  // keeps its capacity for the next batch
  on_written(first, last, r);
  if (failed_) return;
  run_effects(std::move(effects_));
}

void Engine::on_written(std::uint64_t first, std::uint64_t last, const Result<std::uint64_t>& r) {
  if (!r) return fail("journal append failed: " + r.error().describe());
  if (*r != first)
    return fail("journal sequence drift: expected " + std::to_string(first) + ", got " +
                std::to_string(*r));
  ++counters_.appends;
  counters_.appended_events += last - first + 1;
  // Snapshots are taken off this thread, from the journal itself (so that snapshot + tail
  // replay equals a full replay, recorded times included).
  if (snapshotter_ && last >= next_snapshot_at_) {
    snapshotter_->request(last);
    const std::uint64_t held = state_.oms().order_count() + state_.oms().decision_count();
    next_snapshot_at_ =
        last + std::max(opt_.snapshot_every, EngineOptions::kSnapshotEventsPerRecord * held);
  }
}

void Engine::on_batch_durable(std::uint64_t first, std::uint64_t last,
                              const Result<std::uint64_t>& r) {
  if (failed_) return;
  on_written(first, last, r);
  if (failed_) return;
  // Batches complete in submission order: run the effects of everything now durable.
  while (!in_flight_.empty() && in_flight_.front().last <= last) {
    auto effects = std::move(in_flight_.front().effects);
    in_flight_.pop_front();
    run_effects(std::move(effects));
    if (failed_) return;
  }
  if (in_flight_.empty()) work_.reset();
}

// Effects run only once everything they depend on is durable. An effect may stage more
// events; those go into the next batch.
void Engine::run_effects(std::vector<std::function<void()>> effects) {
  for (auto& fn : effects) fn();
}

void Engine::fail(std::string why) {
  failed_ = true;
  failure_ = std::move(why);
  running_ = false;
  log_->critical("engine.failed reason=\"{}\"", failure_);
  pending_.clear();
  effects_.clear();
  in_flight_.clear();
  work_.reset();
  // A stop waiting for its last batch would otherwise wait for ever.
  finish_stop();
}

// ---------------------------------------------------------------------------------------------
// Decisions

void Engine::post_decision(DecisionReceived d, std::function<void(DecisionOutcome)> done) {
  defer([this, d = std::move(d), done = std::move(done)]() mutable {
    submit_decision(std::move(d), std::move(done));
  });
}

void Engine::submit_decision(DecisionReceived d, std::function<void(DecisionOutcome)> done) {
  DecisionOutcome out = decide(std::move(d));
  if (!done) return;
  if (out.kind == DecisionOutcome::Kind::kInvalid || out.duplicate) {
    // Answered now, but never inline: a caller that submits the next decision from this
    // callback (a file replayed after a crash answers thousands of duplicates in a row) must
    // not recurse.
    defer([done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
    return;
  }
  after_durable([done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
}

DecisionOutcome Engine::decide(DecisionReceived d) {
  DecisionOutcome out;
  out.decision_id = d.decision_id;
  if (const auto* rec = state_.oms().find_decision(d.decision_id)) {
    out = outcome_of(state_.oms(), *rec);
    out.duplicate = true;
    return out;
  }
  if (auto archived = archived_outcome(d.decision_id)) return *archived;
  if (failed_ || !running_ || stopping_) {
    out.kind = DecisionOutcome::Kind::kInvalid;
    out.reason = "engine_not_running";
    out.detail = failed_ ? failure_ : "the engine is not accepting decisions";
    return out;
  }
  if (auto st = validate_decision(d); !st) {
    ++counters_.invalid_decisions;
    out.kind = DecisionOutcome::Kind::kInvalid;
    out.reason = "invalid_decision";
    out.detail = st.error().message;
    return out;
  }
  if (!rules_.count(d.symbol)) {
    ++counters_.invalid_decisions;
    out.kind = DecisionOutcome::Kind::kInvalid;
    out.reason = "unknown_symbol";
    out.detail =
        "symbol " + d.symbol.str() + " is not traded at venue " + std::string(venue_.name());
    return out;
  }
  if (d.account.empty()) d.account = opt_.account;
  if (d.ts_ns == 0) d.ts_ns = clock_.now_ns();
  ++counters_.decisions;
  std::uint64_t dseq = stage(d);
  out.sequence = dseq;

  if (d.action == Action::kHold) {
    out.kind = DecisionOutcome::Kind::kHeld;
    return out;
  }
  auto order = order_for(d, dseq);
  if (!order) {
    out.kind = DecisionOutcome::Kind::kNothingToDo;
    out.detail = "no position in " + d.symbol.str() + " to flatten";
    return out;
  }
  if (auto rej = check_risk(opt_.risk, risk_input(*order), *order)) {
    ++counters_.risk_rejects;
    stage(RiskRejected{d.decision_id, ClientOrderId(), d.symbol, rej->reason, rej->detail,
                       clock_.now_ns()},
          dseq);
    out.kind = DecisionOutcome::Kind::kRiskRejected;
    out.reason = rej->reason;
    out.detail = rej->detail;
    return out;
  }
  ++counters_.orders;
  recent_orders_ns_.push_back(clock_.monotonic_ns());
  std::uint64_t oseq = stage(*order, dseq);
  ClientOrderId id = order->client_order_id;
  (void)oseq;
  out.kind = DecisionOutcome::Kind::kOrdered;
  out.client_order_id = id;
  // OrderSent joins the intent's batch (send_submit stages it and defers the venue call until
  // it is durable): one fsync before the venue hears of the order, not two.
  send_submit(id, 1);
  after_durable([this, id] { arm_timeout(id); });
  return out;
}

ClientOrderId Engine::next_client_order_id(std::uint64_t seq) const {
  return make_client_order_id(opt_.client_id_prefix + id_infix_, seq);
}

// An archived decision left (hash of its id, sequence) in the OMS. Its outcome is in the journal
// at that sequence and the next: the engine stages a decision's order or risk rejection right
// after it (order_for relies on the same), with the decision as causation.
std::optional<DecisionOutcome> Engine::archived_outcome(const DecisionId& id) {
  for (std::uint64_t seq : state_.oms().archived_decision_candidates(id)) {
    DecisionOutcome out;
    out.decision_id = id;
    out.sequence = seq;
    out.duplicate = true;
    auto unreadable = [&](const std::string& why) {
      out.kind = DecisionOutcome::Kind::kInvalid;
      out.reason = "duplicate_check_failed";
      out.detail = "decision " + id.str() + " may repeat the one at sequence " +
                   std::to_string(seq) + ", which the journal cannot show: " + why;
      return out;
    };
    std::optional<Envelope> events[2];
    Status st = journal_.read(seq, seq + 1, [&](const Envelope& e) {
      events[e.sequence - seq] = e;
      return true;
    });
    if (!st) return unreadable(st.error().describe());
    if (!events[0]) return unreadable("no such event");
    const auto* d = std::get_if<DecisionReceived>(&events[0]->event);
    if (!d) return unreadable("it is not a DecisionReceived");
    if (d->decision_id != id) continue;  // another id with the same hash
    if (events[1] && events[1]->causation == seq) {
      if (const auto* o = std::get_if<OrderRequested>(&events[1]->event);
          o && o->decision_id == id) {
        out.kind = DecisionOutcome::Kind::kOrdered;
        out.client_order_id = o->client_order_id;
        return out;
      }
      if (const auto* r = std::get_if<RiskRejected>(&events[1]->event); r && r->decision_id == id) {
        out.kind = DecisionOutcome::Kind::kRiskRejected;
        out.reason = r->reason;
        out.detail = r->detail;
        return out;
      }
    }
    if (d->action == Action::kHold) {
      out.kind = DecisionOutcome::Kind::kHeld;
    } else {
      out.kind = DecisionOutcome::Kind::kNothingToDo;
      out.detail = "no position in " + d->symbol.str() + " to flatten";
    }
    return out;
  }
  return std::nullopt;
}

std::optional<OrderRequested> Engine::order_for(const DecisionReceived& d, std::uint64_t dseq) {
  OrderRequested o;
  // The order's sequence is the next one after the decision (staged right after it, unless a
  // risk rejection intervenes, in which case this id is never used).
  o.client_order_id = next_client_order_id(next_seq_);
  o.decision_id = d.decision_id;
  o.account = d.account;
  o.venue = std::string(venue_.name());
  o.symbol = d.symbol;
  o.type = effective_order_type(d);
  o.tif = effective_tif(d);
  o.limit_price = d.limit_price;
  o.stop_price = d.stop_price;
  o.ts_ns = clock_.now_ns();
  switch (d.action) {
    case Action::kLong:
      o.side = Side::kBuy;
      o.quantity = d.size;
      break;
    case Action::kShort:
      o.side = Side::kSell;
      o.quantity = d.size;
      break;
    case Action::kFlat: {
      Quantity pos = view::position(state_, d.account, d.symbol);
      if (pos.is_zero()) return std::nullopt;
      o.side = pos.is_positive() ? Side::kSell : Side::kBuy;
      o.quantity = pos.abs();
      if (d.size.is_positive() && d.size < o.quantity) o.quantity = d.size;
      break;
    }
    case Action::kHold:
      return std::nullopt;
  }
  (void)dseq;
  return o;
}

RiskInput Engine::risk_input(const OrderRequested& o) const {
  RiskInput in;
  in.trading_state = view::trading_state(state_);
  if (auto it = marks_.find(o.symbol); it != marks_.end()) in.mark = it->second;
  if (auto it = rules_.find(o.symbol); it != rules_.end()) in.rules = &it->second;
  in.position = view::position(state_, o.account, o.symbol);
  const RiskInput base = in;
  if (!open_totals_.fill(in, o, marks_,
                         view::balance(state_, o.account, std::string(o.symbol.quote())),
                         view::balance(state_, o.account, std::string(o.symbol.base()))))
    scan_open_orders(in, o);
  if (opt_.verify_open_order_totals) {
    RiskInput scanned = base;
    scan_open_orders(scanned, o);
    auto same = [](const std::optional<Decimal>& a, const std::optional<Decimal>& b) {
      return a.has_value() == b.has_value() && (!a || a->identical(*b));
    };
    if (in.open_orders != scanned.open_orders ||
        !in.open_buy_quantity.identical(scanned.open_buy_quantity) ||
        !in.open_sell_quantity.identical(scanned.open_sell_quantity) ||
        in.duplicate_open != scanned.duplicate_open ||
        !same(in.available_quote, scanned.available_quote) ||
        !same(in.available_base, scanned.available_base))
      throw std::logic_error(
          "open-order totals disagree with a scan for " + o.client_order_id.str() + ": open " +
          std::to_string(in.open_orders) + "/" + std::to_string(scanned.open_orders) + " buy " +
          in.open_buy_quantity.to_string() + "/" + scanned.open_buy_quantity.to_string() +
          " sell " + in.open_sell_quantity.to_string() + "/" +
          scanned.open_sell_quantity.to_string() + " quote " +
          (in.available_quote ? in.available_quote->to_string() : "-") + "/" +
          (scanned.available_quote ? scanned.available_quote->to_string() : "-") + " base " +
          (in.available_base ? in.available_base->to_string() : "-") + "/" +
          (scanned.available_base ? scanned.available_base->to_string() : "-"));
  }
  std::int64_t now = clock_.monotonic_ns();
  auto& recent = const_cast<std::deque<std::int64_t>&>(recent_orders_ns_);
  while (!recent.empty() && now - recent.front() >= kNsPerSec) recent.pop_front();
  in.orders_in_last_second = static_cast<int>(recent.size());
  return in;
}

void Engine::scan_open_orders(RiskInput& in, const OrderRequested& o) const {
  engine::scan_open_orders(
      in, o, [this](const auto& visit) { view::for_each_open_order(state_, visit); }, marks_,
      view::balance(state_, o.account, std::string(o.symbol.quote())),
      view::balance(state_, o.account, std::string(o.symbol.base())));
}

// ---------------------------------------------------------------------------------------------
// Venue requests with retry, breaker and dead letters

bool Engine::breaker_allows(std::function<void()> retry_later) {
  std::optional<CircuitBreaker::Change> change;
  if (breaker_.allow(clock_.monotonic_ns(), change)) {
    if (change)
      stage(CircuitBreakerChanged{std::string(venue_.name()), change->from, change->to,
                                  change->reason, clock_.now_ns()});
    return true;
  }
  std::int64_t at = breaker_.state() == BreakerState::kOpen
                        ? breaker_.reopen_at_ns()
                        : clock_.monotonic_ns() + 100 * kNsPerMs;
  schedule_at(at, std::move(retry_later));
  return false;
}

void Engine::breaker_success() {
  if (auto c = breaker_.on_success())
    stage(CircuitBreakerChanged{std::string(venue_.name()), c->from, c->to, c->reason,
                                clock_.now_ns()});
}

void Engine::breaker_failure() {
  if (auto c = breaker_.on_failure(clock_.monotonic_ns()))
    stage(CircuitBreakerChanged{std::string(venue_.name()), c->from, c->to, c->reason,
                                clock_.now_ns()});
}

void Engine::send_submit(const ClientOrderId& id, std::uint32_t attempt) {
  if (failed_ || offline_) return;
  const Order* o = view::find_order(state_, id);
  if (!o || o->status != OrderStatus::kPending || dead_lettered_.count(id)) return;
  if (!breaker_allows([this, id, attempt] { send_submit(id, attempt); })) return;
  auto req = view::order_request(state_, id);
  if (!req) return;
  stage(OrderSent{id, attempt, clock_.now_ns()});
  // Only once OrderSent is durable: a crash in between would otherwise leave an order at the
  // venue that the journal says was never sent, and recovery would send it again (a second
  // order for one intent wherever client order ids are unique only among open orders).
  after_durable([this, id, attempt, req = *req] {
    if (failed_ || offline_) return;
    venue_.submit(req, attempt, [this, id, attempt](Status st) {
      defer([this, id, attempt, st = std::move(st)] { on_submit_done(id, attempt, st); });
    });
  });
}

void Engine::on_submit_done(const ClientOrderId& id, std::uint32_t attempt, Status st) {
  if (st.ok()) {
    breaker_success();
    return;
  }
  const Error& err = st.error();
  if (err.kind == ErrorKind::kUnknownOutcome) {
    breaker_failure();
    stage(VenueErrorOccurred{std::string(venue_.name()), id, "submit",
                             std::string(to_string(err.kind)), err.venue_code, err.message,
                             err.retry_after_ms, clock_.now_ns()});
    const Order* o = view::find_order(state_, id);
    if (o && !is_terminal(o->status) && o->status != OrderStatus::kSubmitted &&
        o->status != OrderStatus::kPartialFill)
      stage(OrderStatusUnknown{id, "submit", err.message, clock_.now_ns()});
    after_durable([this, id, attempt] { query(id, "submit", attempt); });
    return;
  }
  if (err.kind == ErrorKind::kPermanent || err.kind == ErrorKind::kInvalidArgument) {
    breaker_success();  // the venue answered: the connection is healthy
    stage(VenueErrorOccurred{std::string(venue_.name()), id, "submit",
                             std::string(to_string(err.kind)), err.venue_code, err.message, 0,
                             clock_.now_ns()});
    const Order* o = view::find_order(state_, id);
    if (o && o->status == OrderStatus::kPending) {
      ++counters_.venue_rejects;
      stage(OrderRejected{id, err.message, err.venue_code, clock_.now_ns()});
      recent_rejects_ns_.push_back(clock_.monotonic_ns());
      check_kill_switch_trips();
    }
    return;
  }
  handle_failure(id, "submit", attempt, err, [this, id, attempt] { send_submit(id, attempt + 1); });
}

void Engine::handle_failure(const ClientOrderId& id, const std::string& operation,
                            std::uint32_t attempt, const Error& err, std::function<void()> again) {
  // Being told to slow down is not a sign of an unhealthy venue (and a refusal by our own
  // rate limiter never reached it): Retry-After paces it, the breaker does not count it.
  if (err.kind != ErrorKind::kRateLimited) breaker_failure();
  stage(VenueErrorOccurred{std::string(venue_.name()), id, operation,
                           std::string(to_string(err.kind)), err.venue_code, err.message,
                           err.retry_after_ms, clock_.now_ns()});
  auto delay = RetryPolicy::retryable(err.kind)
                   ? retry_.delay_ms(static_cast<int>(attempt), err.retry_after_ms)
                   : std::nullopt;
  if (!delay) {
    if (opt_.resiliency.enable_dlq) {
      ++counters_.dead_letters;
      dead_lettered_.insert(id);
      stage(DeadLettered{id, operation, err.describe(), attempt, clock_.now_ns()});
      log_->warn("order.dead_lettered coid={} operation={} attempts={} error=\"{}\"", id.str(),
                 operation, attempt, err.describe());
    } else if (operation == "submit") {
      stage(OrderRejected{id, "retries exhausted: " + err.describe(), err.venue_code,
                          clock_.now_ns()});
    }
    return;
  }
  ++counters_.retries;
  stage(RetryScheduled{id, operation, attempt + 1, *delay, clock_.now_ns()});
  after_durable([this, delay = *delay, again = std::move(again)]() mutable {
    schedule_at(clock_.monotonic_ns() + delay * kNsPerMs, std::move(again));
  });
}

void Engine::query(const ClientOrderId& id, std::string operation, std::uint32_t attempt) {
  if (failed_ || offline_) return;
  const Order* o = view::find_order(state_, id);
  if (!o) return;
  if (!breaker_allows([this, id, operation, attempt] { query(id, operation, attempt); })) return;
  Order copy = *o;
  venue_.query(copy, [this, id, operation, attempt](Result<adapters::QueryOutcome> r) {
    defer([this, id, operation, attempt, r = std::move(r)]() mutable {
      on_query_done(id, operation, attempt, std::move(r));
    });
  });
}

void Engine::on_query_done(const ClientOrderId& id, std::string operation, std::uint32_t attempt,
                           Result<adapters::QueryOutcome> r) {
  if (!r) {
    handle_failure(id, "query", attempt, r.error(),
                   [this, id, operation, attempt] { query(id, operation, attempt + 1); });
    return;
  }
  breaker_success();
  const Order* o = view::find_order(state_, id);
  if (!o) return;
  if (!r->found) {
    const auto req = view::order_request(state_, id);
    const Order* replaced =
        req && !req->replaces.empty() ? view::find_order(state_, req->replaces) : nullptr;
    if (operation == "submit" && replaced &&
        (o->status == OrderStatus::kUnknown || o->status == OrderStatus::kPending)) {
      // The replacement of a replace whose answer was lost is not at the venue: the replace was
      // not applied and the old order is still the one working. Sending the replacement as a
      // new order would double the exposure; it ends here, and the old order goes back to
      // where it was.
      if (replaced->status == OrderStatus::kPendingReplace)
        stage(ReplaceRejected{replaced->client_order_id, id,
                              "replacement not found at the venue: the replace was not applied",
                              clock_.now_ns()});
      stage(OrderRejected{id, "replace not applied at the venue", 0, clock_.now_ns()});
    } else if (operation == "submit" &&
               (o->status == OrderStatus::kUnknown || o->status == OrderStatus::kPending)) {
      // The venue never had it: safe to send again, with the same client order id.
      stage(OrderNotFoundAtVenue{id, clock_.now_ns()});
      after_durable([this, id, attempt] { send_submit(id, attempt + 1); });
    } else if (o->status == OrderStatus::kUnknown || o->status == OrderStatus::kPendingCancel) {
      stage(AnomalyDetected{"order_missing_at_venue", std::string(venue_.name()), id,
                            "query after " + operation + " found no order; status " +
                                std::string(to_string(o->status)),
                            clock_.now_ns()});
      ++counters_.anomalies;
    }
    return;
  }
  // Found. The adapter has emitted what it knows; make sure the order leaves UNKNOWN.
  if (o->status == OrderStatus::kUnknown || o->status == OrderStatus::kPending) {
    if (r->status == OrderStatus::kRejected) {
      stage(OrderRejected{id, "venue reports rejected", 0, clock_.now_ns()});
    } else {
      stage(OrderAccepted{id, r->venue_order_id, clock_.now_ns()});
      if (r->status == OrderStatus::kCancelled)
        stage(OrderCancelled{id, "venue reports cancelled", clock_.now_ns()});
      else if (r->status == OrderStatus::kExpired)
        stage(OrderExpired{id, "venue reports expired", clock_.now_ns()});
    }
  }
  if (operation == "cancel") {
    const Order* now = view::find_order(state_, id);
    if (now && is_open(now->status) && now->status != OrderStatus::kPendingCancel)
      after_durable([this, id] { cancel_order(id, "retry after unknown outcome", nullptr); });
  }
}

void Engine::schedule_at(std::int64_t at_ns, std::function<void()> fn) {
  scheduler_.at(at_ns, [alive = std::weak_ptr<const char>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

void Engine::arm_timeout(const ClientOrderId& id) {
  if (opt_.order_timeout_s <= 0 || offline_) return;
  schedule_at(clock_.monotonic_ns() + seconds_to_ns(opt_.order_timeout_s), [this, id] {
    const Order* o = view::find_order(state_, id);
    if (!o || is_terminal(o->status) || o->status == OrderStatus::kPendingCancel ||
        o->status == OrderStatus::kPendingReplace || dead_lettered_.count(id))
      return;
    if (o->status == OrderStatus::kPending || o->status == OrderStatus::kUnknown) {
      arm_timeout(id);  // still being resolved; look again later
      return;
    }
    cancel_order(id, "timeout", nullptr);
  });
}

// ---------------------------------------------------------------------------------------------
// Cancel and replace

void Engine::cancel_order(const ClientOrderId& id, std::string reason,
                          std::function<void(Status)> done) {
  const Order* o = view::find_order(state_, id);
  auto reply = [&](Status st) {
    if (done) done(std::move(st));
  };
  if (!o)
    return reply(
        make_error(ErrorKind::kNotFound, "no order with client order id '" + id.str() + "'"));
  if (is_terminal(o->status))
    return reply(make_error(ErrorKind::kInvalidArgument, "order " + id.str() + " is already " +
                                                             std::string(to_string(o->status))));
  if (o->status == OrderStatus::kPendingCancel) return reply({});
  auto t =
      transition(o->status, OrderEventKind::kCancelRequested, o->filled_quantity.is_positive());
  if (!t.legal)
    return reply(make_error(
        ErrorKind::kInvalidArgument,
        "order " + id.str() + " cannot be cancelled while " + std::string(to_string(o->status))));
  bool was_pending = o->status == OrderStatus::kPending;
  stage(CancelRequested{id, reason, clock_.now_ns()});
  after_durable([this, id, was_pending, done = std::move(done)] {
    if (!was_pending || view::was_sent(state_, id)) send_cancel(id, 1);
    if (done) done({});
  });
}

void Engine::send_cancel(const ClientOrderId& id, std::uint32_t attempt) {
  if (failed_ || offline_) return;
  const Order* o = view::find_order(state_, id);
  if (!o || o->status != OrderStatus::kPendingCancel) return;
  if (!breaker_allows([this, id, attempt] { send_cancel(id, attempt); })) return;
  Order copy = *o;
  venue_.cancel(copy, [this, id, attempt](Status st) {
    defer([this, id, attempt, st = std::move(st)] { on_cancel_done(id, attempt, st); });
  });
}

void Engine::on_cancel_done(const ClientOrderId& id, std::uint32_t attempt, Status st) {
  if (st.ok()) return breaker_success();
  const Error& err = st.error();
  if (err.kind == ErrorKind::kUnknownOutcome) {
    breaker_failure();
    stage(VenueErrorOccurred{std::string(venue_.name()), id, "cancel",
                             std::string(to_string(err.kind)), err.venue_code, err.message, 0,
                             clock_.now_ns()});
    after_durable([this, id, attempt] { query(id, "cancel", attempt); });
    return;
  }
  if (err.kind == ErrorKind::kPermanent || err.kind == ErrorKind::kInvalidArgument ||
      err.kind == ErrorKind::kNotFound) {
    breaker_success();
    const Order* o = view::find_order(state_, id);
    // As if the venue had said so on its stream (which follows it up with a query).
    if (o && o->status == OrderStatus::kPendingCancel)
      handle_venue_event(CancelRejected{id, err.message, err.venue_code, clock_.now_ns()});
    return;
  }
  handle_failure(id, "cancel", attempt, err, [this, id, attempt] { send_cancel(id, attempt + 1); });
}

void Engine::replace_order(const ClientOrderId& id, Quantity new_quantity,
                           std::optional<Price> new_price,
                           std::function<void(Result<ClientOrderId>)> done) {
  auto reply = [&](Result<ClientOrderId> r) {
    if (done) done(std::move(r));
  };
  const Order* o = view::find_order(state_, id);
  if (!o)
    return reply(
        make_error(ErrorKind::kNotFound, "no order with client order id '" + id.str() + "'"));
  auto t =
      transition(o->status, OrderEventKind::kReplaceRequested, o->filled_quantity.is_positive());
  if (!t.legal)
    return reply(make_error(
        ErrorKind::kInvalidArgument,
        "order " + id.str() + " cannot be replaced while " + std::string(to_string(o->status))));
  if (!new_quantity.is_positive() || new_quantity <= o->filled_quantity)
    return reply(make_error(ErrorKind::kInvalidArgument, "new quantity must exceed the filled " +
                                                             o->filled_quantity.to_string()));
  auto old_req = view::order_request(state_, id);
  if (!old_req) return reply(make_error(ErrorKind::kNotFound, "no request for " + id.str()));
  OrderRequested repl = *old_req;
  repl.client_order_id = next_client_order_id(next_seq_);
  repl.quantity = new_quantity - o->filled_quantity;  // the new order works what is left
  if (new_price) repl.limit_price = new_price;
  repl.replaces = id;
  repl.ts_ns = clock_.now_ns();
  if (auto rej = check_risk(opt_.risk, risk_input(repl), repl);
      rej && rej->reason != risk_reasons::kDuplicate &&
      rej->reason != risk_reasons::kMaxOpenOrders) {
    ++counters_.risk_rejects;
    stage(RiskRejected{repl.decision_id, repl.client_order_id, repl.symbol, rej->reason,
                       rej->detail, clock_.now_ns()});
    return reply(make_error(ErrorKind::kInvalidArgument, rej->reason + ": " + rej->detail));
  }
  ClientOrderId new_id = repl.client_order_id;
  bool native = venue_.supports_native_replace();
  stage(repl);
  stage(ReplaceRequested{id, new_id, new_quantity, new_price, native, clock_.now_ns()});
  if (!native) replace_after_cancel_[id] = new_id;
  after_durable([this, id, new_id, native, done = std::move(done)] {
    if (native)
      send_replace(id, new_id, 1);
    else
      start_cancel_then_submit(id);
    if (done) done(new_id);
  });
}

void Engine::start_cancel_then_submit(const ClientOrderId& old_id) {
  if (failed_ || offline_) return;
  const Order* o = view::find_order(state_, old_id);
  if (!o) return;
  Order copy = *o;
  venue_.cancel(copy, [this, old_id](Status st) {
    defer([this, old_id, st = std::move(st)] {
      if (st.ok()) return;
      auto it = replace_after_cancel_.find(old_id);
      if (it == replace_after_cancel_.end()) return;
      ClientOrderId new_id = it->second;
      replace_after_cancel_.erase(it);
      stage(CancelRejected{old_id, st.error().message, st.error().venue_code, clock_.now_ns()});
      stage(OrderRejected{new_id, "replace aborted: cancel of " + old_id.str() + " failed", 0,
                          clock_.now_ns()});
    });
  });
}

void Engine::send_replace(const ClientOrderId& old_id, const ClientOrderId& new_id,
                          std::uint32_t attempt) {
  if (failed_ || offline_) return;
  const Order* o = view::find_order(state_, old_id);
  auto req = view::order_request(state_, new_id);
  if (!o || !req) return;
  if (!breaker_allows([this, old_id, new_id, attempt] { send_replace(old_id, new_id, attempt); }))
    return;
  stage(OrderSent{new_id, attempt, clock_.now_ns()});
  // As for a submit: the venue hears of the replacement only once OrderSent is durable.
  after_durable([this, old_id, new_id, attempt, copy = *o, req = *req] {
    if (failed_ || offline_) return;
    venue_.replace(copy, req, [this, old_id, new_id, attempt](Status st) {
      defer([this, old_id, new_id, attempt, st = std::move(st)] {
        on_replace_done(old_id, new_id, attempt, st);
      });
    });
  });
}

void Engine::on_replace_done(const ClientOrderId& old_id, const ClientOrderId& new_id,
                             std::uint32_t attempt, Status st) {
  if (st.ok()) return breaker_success();
  const Error& err = st.error();
  if (err.kind == ErrorKind::kUnknownOutcome) {
    breaker_failure();
    stage(VenueErrorOccurred{std::string(venue_.name()), old_id, "replace",
                             std::string(to_string(err.kind)), err.venue_code, err.message, 0,
                             clock_.now_ns()});
    after_durable([this, old_id, new_id, attempt] {
      query(old_id, "replace", attempt);
      query(new_id, "submit", attempt);
    });
    return;
  }
  if (err.kind == ErrorKind::kPermanent || err.kind == ErrorKind::kInvalidArgument) {
    breaker_success();
    const Order* o = view::find_order(state_, old_id);
    if (o && o->status == OrderStatus::kPendingReplace)
      stage(ReplaceRejected{old_id, new_id, err.message, clock_.now_ns()});
    const Order* n = view::find_order(state_, new_id);
    if (n && n->status == OrderStatus::kPending)
      stage(OrderRejected{new_id, "replace rejected: " + err.message, err.venue_code,
                          clock_.now_ns()});
    return;
  }
  handle_failure(old_id, "replace", attempt, err,
                 [this, old_id, new_id, attempt] { send_replace(old_id, new_id, attempt + 1); });
}

// ---------------------------------------------------------------------------------------------
// Venue events

void Engine::on_venue_event(Event event) {
  defer([this, e = std::move(event)]() mutable { handle_venue_event(std::move(e)); });
}

std::optional<OrderEventKind> Engine::kind_of(const Event& e, const Order& o) const {
  return std::visit(
      [&](const auto& x) -> std::optional<OrderEventKind> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, OrderAccepted>) return OrderEventKind::kAccepted;
        if constexpr (std::is_same_v<T, OrderRejected>) return OrderEventKind::kRejected;
        if constexpr (std::is_same_v<T, OrderFilled>)
          return o.filled_quantity + x.quantity >= o.quantity ? OrderEventKind::kFinalFill
                                                              : OrderEventKind::kPartialFill;
        if constexpr (std::is_same_v<T, OrderCancelled>) return OrderEventKind::kCancelled;
        if constexpr (std::is_same_v<T, CancelRejected>) return OrderEventKind::kCancelRejected;
        if constexpr (std::is_same_v<T, OrderReplaced>) return OrderEventKind::kReplaced;
        if constexpr (std::is_same_v<T, ReplaceRejected>) return OrderEventKind::kReplaceRejected;
        if constexpr (std::is_same_v<T, OrderExpired>) return OrderEventKind::kExpired;
        return std::nullopt;
      },
      e);
}

void Engine::handle_venue_event(Event e) {
  if (failed_) return;
  const ClientOrderId* idp = client_order_id_of(e);
  if (auto* f = std::get_if<OrderFilled>(&e)) {
    if (view::fill_seen(state_, f->client_order_id, f->trade_id)) {
      ++counters_.duplicate_fills;  // re-emitted by gap recovery: already journaled
      return;
    }
  }
  if (idp && !std::holds_alternative<AnomalyDetected>(e)) {
    ClientOrderId id = *idp;
    const Order* o = view::find_order(state_, id);
    if (!o) {
      ++counters_.anomalies;
      stage(AnomalyDetected{
          "unknown_order", std::string(venue_.name()), id,
          std::string(to_string(type_of(e))) + " for an order this journal never requested",
          clock_.now_ns()});
      return;
    }
    if (auto k = kind_of(e, *o)) {
      auto t = transition(o->status, *k, o->filled_quantity.is_positive());
      bool overfill = false;
      if (auto* f = std::get_if<OrderFilled>(&e))
        overfill = o->filled_quantity + f->quantity > o->quantity;
      if (!t.legal || overfill) {
        ++counters_.anomalies;
        stage(AnomalyDetected{"illegal_transition", std::string(venue_.name()), id,
                              std::string(to_string(type_of(e))) + " while " +
                                  std::string(to_string(o->status)) +
                                  (overfill ? " (overfill)" : ""),
                              clock_.now_ns()});
        return;
      }
    }
    OrderStatus before = o->status;
    if (auto* f = std::get_if<OrderFilled>(&e)) {
      if (f->account.empty()) f->account = o->account;
      if (f->venue.empty()) f->venue = o->venue;
      if (f->symbol.empty()) f->symbol = o->symbol;
    }
    stage(e);
    if (std::holds_alternative<CancelRejected>(e) && is_open(before))
      // Refused mostly because the order has already ended (Binance -2011) and we have not
      // heard yet: ask, so that the journal catches up now rather than at the next start.
      after_durable([this, id] { query(id, "reconcile", 1); });
    if (std::holds_alternative<OrderRejected>(e)) {
      ++counters_.venue_rejects;
      recent_rejects_ns_.push_back(clock_.monotonic_ns());
    }
    if (auto* f = std::get_if<OrderFilled>(&e)) {
      ++counters_.fills;
      OrderFilled copy = *f;
      after_durable([this, copy] {
        for (auto& l : fill_listeners_) l(copy);
      });
    }
    // Cancel-then-submit replace: the old order is gone, send the new one.
    if (std::holds_alternative<OrderCancelled>(e) && before == OrderStatus::kPendingReplace) {
      if (auto it = replace_after_cancel_.find(id); it != replace_after_cancel_.end()) {
        ClientOrderId new_id = it->second;
        replace_after_cancel_.erase(it);
        after_durable([this, new_id] {
          send_submit(new_id, 1);
          arm_timeout(new_id);
        });
      }
    }
    // Replace that can no longer happen: the old order filled or the venue refused.
    if ((std::holds_alternative<OrderFilled>(e) || std::holds_alternative<CancelRejected>(e)) &&
        replace_after_cancel_.count(id)) {
      const Order* now = view::find_order(state_, id);
      if (now && now->status != OrderStatus::kPendingReplace) {
        ClientOrderId new_id = replace_after_cancel_[id];
        replace_after_cancel_.erase(id);
        stage(OrderRejected{
            new_id, "replace aborted: " + id.str() + " is " + std::string(to_string(now->status)),
            0, clock_.now_ns()});
      }
    }
    if (auto* rr = std::get_if<ReplaceRejected>(&e)) {
      const Order* n = view::find_order(state_, rr->new_client_order_id);
      if (n && n->status == OrderStatus::kPending)
        stage(OrderRejected{rr->new_client_order_id, "replace rejected: " + rr->reason, 0,
                            clock_.now_ns()});
    }
    check_kill_switch_trips();
    return;
  }
  if (auto* c = std::get_if<VenueConnectionChanged>(&e)) {
    log_->info("venue.connection venue={} state={} detail=\"{}\"", c->venue, to_string(c->state),
               c->detail);
    // A venue whose start-up failed learns its instruments when it comes back.
    if (c->state == ConnectionState::kConnected) adopt_venue_instruments();
  }
  if (auto* m = std::get_if<MarkPriceUpdated>(&e)) marks_[m->symbol] = m->price;
  if (auto* b = std::get_if<BalanceUpdated>(&e); b && opt_.kill_switch.max_position_drift) {
    // Position drift: the venue's balance against what the journal's own fold (funding, fills,
    // earlier venue reports) expects. A difference means the venue moved funds we never saw.
    if (auto expected = view::balance(state_, b->account, b->asset)) {
      Money drift = (b->free + b->locked - *expected).abs();
      if (drift > *opt_.kill_switch.max_position_drift) {
        stage(std::move(e));
        kill("auto",
             "position drift " + drift.to_string() + " " + b->asset + " exceeds " +
                 opt_.kill_switch.max_position_drift->to_string(),
             false, nullptr);
        return;
      }
    }
  }
  if (auto* d = std::get_if<InstrumentDefined>(&e)) rules_[d->rules.symbol] = d->rules;
  if (std::holds_alternative<AnomalyDetected>(e)) ++counters_.anomalies;
  stage(std::move(e));
}

void Engine::check_kill_switch_trips() {
  if (view::trading_state(state_) == TradingState::kHalted) return;
  const auto& ks = opt_.kill_switch;
  std::int64_t now = clock_.monotonic_ns();
  while (!recent_rejects_ns_.empty() &&
         now - recent_rejects_ns_.front() > seconds_to_ns(ks.reject_window_s))
    recent_rejects_ns_.pop_front();
  if (ks.max_rejects > 0 && static_cast<int>(recent_rejects_ns_.size()) >= ks.max_rejects) {
    recent_rejects_ns_.clear();
    kill("auto",
         std::to_string(ks.max_rejects) + " venue rejects within " +
             std::to_string(static_cast<int>(ks.reject_window_s)) + " s",
         false, nullptr);
    return;
  }
  if (ks.max_loss) {
    Money pnl = view::total_pnl(state_, marks_);
    if (pnl <= -*ks.max_loss) {
      kill("auto", "loss limit: P&L " + pnl.to_string() + " <= -" + ks.max_loss->to_string(), false,
           nullptr);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kill switch and trading state

void Engine::kill(std::string who, std::string reason, bool flatten,
                  std::function<void(Status)> done) {
  TradingState from = view::trading_state(state_);
  log_->warn("kill_switch.activated who={} reason=\"{}\" flatten={}", who, reason, flatten);
  stage(KillSwitchActivated{who, reason, flatten, clock_.now_ns()});
  if (from != TradingState::kHalted)
    stage(TradingStateChanged{from, TradingState::kHalted, who, reason, clock_.now_ns()});
  std::vector<ClientOrderId> open;
  view::for_each_open_order(state_, [&](const Order& o) { open.push_back(o.client_order_id); });
  for (const auto& id : open) {
    const Order* o = view::find_order(state_, id);
    if (!o || o->status == OrderStatus::kPendingCancel) continue;
    if (dead_lettered_.count(id)) {
      stage(DeadLetterDropped{id, who, "kill switch", clock_.now_ns()});
      stage(OrderRejected{id, "dropped by kill switch", 0, clock_.now_ns()});
      dead_lettered_.erase(id);
      continue;
    }
    cancel_order(id, "kill_switch", nullptr);
  }
  if (flatten) {
    // Market orders closing every position; risk is bypassed on purpose (they only reduce).
    view::for_each_position(state_,
                            [&](const std::string& account, const Symbol& sym, Quantity qty) {
                              if (qty.is_zero() || !rules_.count(sym)) return;
                              OrderRequested o;
                              o.client_order_id = next_client_order_id(next_seq_);
                              o.decision_id = DecisionId("kill-flatten");
                              o.account = account;
                              o.venue = std::string(venue_.name());
                              o.symbol = sym;
                              o.side = qty.is_positive() ? Side::kSell : Side::kBuy;
                              o.type = OrderType::kMarket;
                              o.quantity = qty.abs();
                              o.tif = TimeInForce::kGtc;
                              o.ts_ns = clock_.now_ns();
                              ClientOrderId id = o.client_order_id;
                              stage(o);
                              after_durable([this, id] { send_submit(id, 1); });
                            });
  }
  if (done) after_durable([done = std::move(done)] { done({}); });
}

void Engine::resume(std::string who, std::function<void(Status)> done) {
  set_trading_state(TradingState::kActive, std::move(who), "resume", std::move(done));
}

void Engine::set_trading_state(TradingState s, std::string who, std::string reason,
                               std::function<void(Status)> done) {
  TradingState from = view::trading_state(state_);
  if (from != s)
    stage(TradingStateChanged{from, s, std::move(who), std::move(reason), clock_.now_ns()});
  if (done) after_durable([done = std::move(done)] { done({}); });
}

// ---------------------------------------------------------------------------------------------
// Dead letters

void Engine::dlq_retry(const ClientOrderId& id, std::string who, std::function<void(Status)> done) {
  if (!view::dead_letter_open(state_, id)) {
    if (done) done(make_error(ErrorKind::kNotFound, "no open dead letter for '" + id.str() + "'"));
    return;
  }
  dead_lettered_.erase(id);
  stage(DeadLetterRetried{id, who, clock_.now_ns()});
  std::string op = view::dead_letter_operation(state_, id);
  after_durable([this, id, op, done = std::move(done)] {
    if (op == "cancel")
      send_cancel(id, 1);
    else if (op == "query")
      query(id, "submit", 1);
    else
      send_submit(id, 1);
    if (done) done({});
  });
}

void Engine::dlq_drop(const ClientOrderId& id, std::string who, std::string reason,
                      std::function<void(Status)> done) {
  if (!view::dead_letter_open(state_, id)) {
    if (done) done(make_error(ErrorKind::kNotFound, "no open dead letter for '" + id.str() + "'"));
    return;
  }
  dead_lettered_.erase(id);
  stage(DeadLetterDropped{id, who, reason, clock_.now_ns()});
  const Order* o = view::find_order(state_, id);
  if (o && o->status == OrderStatus::kPending)
    stage(OrderRejected{id, "dead letter dropped: " + reason, 0, clock_.now_ns()});
  if (done) after_durable([done = std::move(done)] { done({}); });
}

// ---------------------------------------------------------------------------------------------
// Marks

void Engine::post_mark(Symbol symbol, Price mark) {
  defer([this, symbol = std::move(symbol), mark] { on_mark(symbol, mark); });
}

void Engine::on_mark(const Symbol& symbol, Price mark) {
  marks_[symbol] = mark;
  if (failed_ || !running_) return;
  std::int64_t now = clock_.monotonic_ns();
  auto& last = mark_journaled_ns_[symbol];
  if (last != 0 && now - last < opt_.mark_journal_interval_ms * kNsPerMs) return;
  last = now;
  stage(MarkPriceUpdated{symbol, mark, clock_.now_ns()});
  if (opt_.kill_switch.max_loss) check_kill_switch_trips();
}

namespace {
bool can_rest(const Order& o) {
  return o.type != OrderType::kMarket && o.type != OrderType::kIoc && o.type != OrderType::kFok &&
         o.tif != TimeInForce::kIoc && o.tif != TimeInForce::kFok;
}
}  // namespace

std::size_t Engine::in_flight() const {
  std::size_t n = 0;
  view::for_each_open_order(state_, [&](const Order& o) {
    if (dead_lettered_.count(o.client_order_id)) return;
    if (o.status == OrderStatus::kPending || o.status == OrderStatus::kUnknown ||
        o.status == OrderStatus::kPendingCancel || o.status == OrderStatus::kPendingReplace)
      ++n;
    // Working, but not for long: an order that cannot rest ends within moments, and its fills
    // may still be on their way (a venue's stream lags its REST answer).
    else if (!can_rest(o))
      ++n;
  });
  return n;
}

// ---------------------------------------------------------------------------------------------
// Start, recovery, stop

void Engine::track_engine_state(const Envelope& env) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, DeadLettered>) {
          dead_lettered_.insert(x.client_order_id);
        } else if constexpr (std::is_same_v<T, DeadLetterRetried> ||
                             std::is_same_v<T, DeadLetterDropped>) {
          dead_lettered_.erase(x.client_order_id);
        } else if constexpr (std::is_same_v<T, MarkPriceUpdated>) {
          marks_[x.symbol] = x.price;
        } else if constexpr (std::is_same_v<T, CircuitBreakerChanged>) {
          breaker_.restore(x.to, clock_.monotonic_ns());
        } else if constexpr (std::is_same_v<T, ReplaceRequested>) {
          if (!x.native) replace_after_cancel_[x.client_order_id] = x.new_client_order_id;
        }
      },
      env.event);
  if (env.sequence == 1) id_infix_ = journal_infix(env);
}

void Engine::start(std::function<void(Status)> done) { recover(std::move(done)); }

// The venue's instrument rules are what risk checks orders against; each one new to the
// journal (or changed) is journaled as InstrumentDefined.
void Engine::adopt_venue_instruments() {
  for (const auto& r : venue_.instruments()) rules_[r.symbol] = r;
  for (const auto& [sym, r] : rules_)
    if (!view::instrument_known(state_, venue_.name(), r))
      stage(InstrumentDefined{std::string(venue_.name()), r, clock_.now_ns()});
}

// Recovery reads the latest usable snapshot and the journal after it (replay::replay), never
// the whole journal when a snapshot exists, then derives the engine-only state from the
// projections: they hold everything it needs.
Status Engine::restore_state() {
  replay::ReplayOptions ro;
  ro.projections.archive_after_ns = opt_.archive_after_ns;
  auto replayed = replay::replay(journal_, replay::AsOf::latest(), ro);
  if (!replayed) {
    fail("recovery: " + replayed.error().describe());
    return replayed.error();
  }
  state_ = std::move(replayed->state);
  open_totals_.clear();
  view::for_each_open_order(state_, [&](const Order& o) { open_totals_.add(o); });
  recovery_ = RecoveryInfo{replayed->info.snapshot_sequence, replayed->info.events_applied,
                           std::move(replayed->info.warnings)};
  for (const auto& w : recovery_.warnings) log_->warn("recovery.snapshot_skipped {}", w);
  if (state_.last_sequence() != journal_.last_sequence()) {
    auto err =
        make_error(ErrorKind::kCorruption, "recovery: replay reached sequence " +
                                               std::to_string(state_.last_sequence()) + " of " +
                                               std::to_string(journal_.last_sequence()));
    fail(err.message);
    return err;
  }
  next_seq_ = journal_.last_sequence() + 1;
  if (next_seq_ > 1) {  // a new journal's infix comes with its first event (staged below)
    auto first = journal_.get(1);
    if (!first || !first->has_value()) {
      Error err = first ? make_error(ErrorKind::kCorruption,
                                     "recovery: the journal has no event 1 (its recorded time "
                                     "is part of every client order id)")
                        : first.error();
      fail(err.message);
      return err;
    }
    id_infix_ = journal_infix(**first);
  }
  derive_engine_state();
  for (const auto& r : venue_.instruments()) rules_[r.symbol] = r;
  for (const auto& [key, r] : state_.control().instruments())
    if (key.first == venue_.name()) rules_.try_emplace(r.symbol, r);
  return {};
}

// The state track_engine_state() keeps while running, read back from the projections.
// (Decision outcomes need nothing: decide() reads them from the OMS.)
void Engine::derive_engine_state() {
  for (const auto& [id, dl] : state_.dead_letters().all())
    if (dl.state == projections::DeadLetterState::kOpen) dead_lettered_.insert(id);
  for (const auto& [symbol, mark] : state_.positions().marks()) marks_[symbol] = mark.price;
  const auto& breakers = state_.control().breakers();
  if (auto it = breakers.find(std::string(venue_.name())); it != breakers.end())
    breaker_.restore(it->second.state, clock_.monotonic_ns());
  state_.oms().for_each_open([&](const projections::OrderRecord& rec) {
    if (rec.order.status == OrderStatus::kPendingReplace && rec.replace_by_cancel &&
        !rec.order.replaced_by.empty())
      replace_after_cancel_[rec.order.client_order_id] = rec.order.replaced_by;
  });
}

void Engine::wait_for_snapshots() {
  if (snapshotter_) snapshotter_->wait_idle();
}

Status Engine::open_offline() {
  offline_ = true;
  if (auto st = restore_state(); !st) return st;
  running_ = true;
  return {};
}

void Engine::fund(const std::string& account, const std::string& asset, Money amount) {
  stage(AccountFunded{account, asset, amount, clock_.now_ns()});
}

void Engine::recover(std::function<void(Status)> done) {
  if (auto st = restore_state(); !st) return done(st);
  const std::uint64_t replayed = recovery_.events_read;
  if (opt_.snapshot_every > 0) {
    // The first snapshot at the next multiple of snapshot_every; later ones by size
    // (on_written).
    next_snapshot_at_ = (journal_.last_sequence() / opt_.snapshot_every + 1) * opt_.snapshot_every;
    snapshotter_ = std::make_unique<replay::BackgroundSnapshotter>(
        journal_, state_,  // snapshot + tail of the journal: exact
        [log = log_](std::uint64_t seq, const Error& e) {
          log->warn("snapshot.failed seq={} error={}", seq, e.describe());
        });
  }
  if (before_venue_recover_) before_venue_recover_(state_);

  running_ = true;
  stage(
      EngineStarted{opt_.version, std::string(venue_.name()), opt_.config_digest, clock_.now_ns()});
  adopt_venue_instruments();
  // Orders that may be working at the venue, and those whose fate is unknown.
  std::vector<Order> working;
  // Sent but unanswered orders may be working too: the venue learns of them before its stream
  // can report their fills (they are also queried once recovery is done).
  std::vector<Order> maybe_working;
  std::vector<ClientOrderId> to_send, to_query, to_cancel, replace_pending;
  view::for_each_open_order(state_, [&](const Order& o) {
    if (dead_lettered_.count(o.client_order_id)) return;
    switch (o.status) {
      case OrderStatus::kPending:
        if (view::was_sent(state_, o.client_order_id)) {
          to_query.push_back(o.client_order_id);
          maybe_working.push_back(o);
        } else {
          to_send.push_back(o.client_order_id);
        }
        break;
      case OrderStatus::kUnknown:
        to_query.push_back(o.client_order_id);
        maybe_working.push_back(o);
        break;
      case OrderStatus::kPendingCancel:
        working.push_back(o);
        to_cancel.push_back(o.client_order_id);
        break;
      case OrderStatus::kPendingReplace:
        working.push_back(o);
        replace_pending.push_back(o.client_order_id);
        break;
      default:
        working.push_back(o);
    }
  });
  auto in_flight = static_cast<std::uint32_t>(to_send.size() + to_query.size() + to_cancel.size() +
                                              replace_pending.size());
  auto restored = static_cast<std::uint32_t>(working.size());
  working.insert(working.end(), maybe_working.begin(), maybe_working.end());
  log_->info(
      "engine.recovering snapshot_seq={} replayed={} working={} to_send={} to_query={} "
      "to_cancel={}",
      recovery_.snapshot_sequence, replayed, restored, to_send.size(), to_query.size(),
      to_cancel.size());

  venue_.start(*this,
               [this, done = std::move(done), working = std::move(working), to_send, to_query,
                to_cancel, replace_pending, replayed, in_flight, restored](Status st) mutable {
                 defer([=, this, done = std::move(done), working = std::move(working)]() mutable {
                   if (!st) {
                     log_->error("venue.start_failed error=\"{}\"", st.error().describe());
                     // Keep going: resiliency retries requests; the venue reconnects by itself.
                   }
                   // A real venue knows its instruments only once connected (exchangeInfo).
                   adopt_venue_instruments();
                   venue_.recover(working, [=, this, done = std::move(done)](Status rs) mutable {
                     defer([=, this, done = std::move(done)]() mutable {
                       if (!rs)
                         log_->warn("venue.recover_failed error=\"{}\"", rs.error().describe());
                       for (const auto& id : to_send) send_submit(id, 1);
                       for (const auto& id : to_query) query(id, "submit", 1);
                       for (const auto& id : to_cancel) send_cancel(id, 1);
                       for (const auto& id : replace_pending) {
                         auto it = replace_after_cancel_.find(id);
                         if (it != replace_after_cancel_.end())
                           start_cancel_then_submit(id);
                         else
                           query(id, "replace", 1);
                       }
                       view::for_each_open_order(
                           state_, [&](const Order& o) { arm_timeout(o.client_order_id); });
                       stage(RecoveryCompleted{replayed, in_flight, 0, restored, clock_.now_ns()});
                       after_durable([done = std::move(done)] { done({}); });
                     });
                   });
                 });
               });
}

// Runs stop()'s completion as a handler of its own (never inside an effect loop, so a
// completion that tears the engine down does not pull it from under a running loop).
void Engine::finish_stop() {
  if (!stop_done_) return;
  auto done = std::move(stop_done_);
  stop_done_ = nullptr;
  defer(std::move(done));
}

void Engine::stop(std::string reason, std::function<void()> done) {
  stopping_ = true;
  auto stop_venue = [this, done = std::move(done)]() mutable {
    running_ = false;
    if (offline_) return defer(std::move(done));
    // What the venue reports while it stops (its disconnection, a last fill) is staged like
    // any report; the stop completes only once that is durable too, or the caller would tear
    // the engine down with events applied in memory and never journaled.
    venue_.stop([this, done = std::move(done)](Status) mutable {
      defer([this, done = std::move(done)]() mutable {
        stop_done_ = std::move(done);
        if (failed_) return finish_stop();
        after_durable([this] { finish_stop(); });  // fail() finishes it too
      });
    });
  };
  if (failed_) return stop_venue();
  if (!offline_) stage(EngineStopped{std::move(reason), clock_.now_ns()});
  after_durable(std::move(stop_venue));
}

}  // namespace at::engine
