// Stats: the operator's metrics over a journal (`autotrader stats`), optionally restricted to
// one symbol and to what was decided or requested at or after a time.
//
// A pure fold over envelopes, built on the projections it reuses: its own Oms follows every
// order, and a projections::Metrics fed only the in-scope envelopes gives the decision -> ack
// and ack -> fill histograms, reject reasons and dead-letter counts exactly as the engine's
// summary computes them. What the fold adds:
//   fill_to_report   an applied OrderFilled's own ts (when the venue executed it) -> the time
//                    the journal recorded the report (recorded_ns). A venue clock ahead of
//                    ours gives negative samples; they count as 0 (LatencyHistogram).
//   orders by final status, cancels by reason, decisions by outcome, distinct orders
//   dead-lettered.
//
// Scope: a decision is in scope when its DecisionReceived was recorded at or after since_ns and
// names the symbol; an order when its OrderRequested was. Every later event of an in-scope
// order (or decision) is in scope whatever its time, so an order's latencies and final status
// are never cut in half. Events tied to no order or decision (marks, funding, engine start)
// are in scope when recorded at or after since_ns and, with a symbol, naming it.
//
// Decisions rejected as invalid are never journaled, so they do not appear here.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "domain/result.h"
#include "journal/journal.h"
#include "projections/metrics.h"
#include "projections/oms.h"

namespace at::replay {

struct StatsFilter {
  std::int64_t since_ns = 0;     // journal recorded time; 0 = from the start
  std::optional<Symbol> symbol;  // nullopt = every symbol
};

// count, p50, p90, p99 and max of one histogram, in ns (quantiles as LatencyHistogram gives
// them: within its bucket's 12.5 %, exact when all samples are equal).
struct LatencySummary {
  std::uint64_t count = 0;
  std::int64_t p50_ns = 0;
  std::int64_t p90_ns = 0;
  std::int64_t p99_ns = 0;
  std::int64_t max_ns = 0;
};
LatencySummary summarize(const projections::LatencyHistogram& h);

struct Stats {
  std::uint64_t events_read = 0;      // every envelope folded
  std::uint64_t events_in_scope = 0;  // those that passed the filter
  std::uint64_t first_sequence = 0;   // of the in-scope events; 0 = none
  std::uint64_t last_sequence = 0;

  LatencySummary decision_to_ack;
  LatencySummary ack_to_fill;
  LatencySummary decision_to_fill;
  LatencySummary fill_to_report;

  // Orders in scope, by what became of them (final status at the end of the journal).
  std::uint64_t orders = 0;  // requested
  std::uint64_t sent = 0;    // handed to the venue at least once (an OrderSent)
  std::uint64_t filled = 0;
  std::uint64_t rejected = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t expired = 0;
  std::uint64_t open = 0;  // still pending, working, partially filled or unknown
  std::map<std::string, std::uint64_t> orders_by_status;  // "FILLED" -> n, ...
  std::uint64_t dead_lettered = 0;                        // distinct orders ever dead-lettered
  std::uint64_t fills = 0;                                // executions applied
  std::uint64_t duplicate_fills = 0;                      // fill reports seen again and ignored
  std::uint64_t retries = 0;                              // RetryScheduled events

  std::map<std::string, std::uint64_t> venue_rejects;      // OrderRejected reason -> n
  std::map<std::string, std::uint64_t> risk_rejects;       // RiskRejected reason -> n
  std::map<std::string, std::uint64_t> cancels_by_reason;  // CancelRequested reason -> n
  std::uint64_t decisions = 0;
  // "ordered", "risk_rejected", "held", "nothing_to_do" -> n
  std::map<std::string, std::uint64_t> decisions_by_outcome;

  // filled / sent; nullopt when nothing was sent.
  std::optional<double> success_rate() const;
  // dead-lettered / sent; nullopt when nothing was sent.
  std::optional<double> dead_letter_rate() const;
};

class StatsFold {
 public:
  explicit StatsFold(StatsFilter filter = {});

  // Envelopes in journal order.
  void apply(const Envelope& env);
  Stats result() const;

 private:
  bool symbol_ok(const Symbol& s) const;
  bool in_scope(const Envelope& env, const projections::OmsEffect& fx) const;

  StatsFilter filter_;
  projections::Oms oms_;
  projections::Metrics metrics_;
  projections::LatencyHistogram fill_to_report_;
  std::set<ClientOrderId> orders_;         // in scope, for lookup
  std::vector<ClientOrderId> order_list_;  // in scope, in request order
  std::set<DecisionId> decisions_;
  std::vector<DecisionId> decision_list_;
  std::set<ClientOrderId> dead_lettered_;
  std::map<std::string, std::uint64_t> cancels_by_reason_;
  std::uint64_t events_read_ = 0;
  std::uint64_t events_in_scope_ = 0;
  std::uint64_t first_sequence_ = 0;
  std::uint64_t last_sequence_ = 0;
};

// Folds the whole journal. Journal errors come back as values.
Result<Stats> compute_stats(const journal::Journal& journal, const StatsFilter& filter = {});

}  // namespace at::replay
