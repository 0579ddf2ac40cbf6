// Durability `sync`: batches go to the group committer's writer thread, and a turn that stages
// more than EngineOptions::max_batch_events hands them over in several batches. Nothing may
// reach the venue before its intent is written, and the result must be what one batch per turn
// gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "projections/projections.h"
#include "tests/engine/harness.h"

namespace at::engine {
namespace {
using testing::decision;
using testing::Harness;
using testing::quote;

// Counts the OrderSent events readable in the journal (written, at least).
std::size_t sent_in_journal(const Harness& h) { return h.events<OrderSent>().size(); }

void run_burst(std::size_t max_batch_events, std::size_t decisions) {
  Harness h;
  h.durability = journal::Durability::kSync;
  EngineOptions opts = h.options();
  opts.max_batch_events = max_batch_events;
  opts.risk.max_open_orders = 1000;
  h.open(opts);
  h.quote_now(quote("49990.00", "50000.00", "100", "100"));
  ASSERT_TRUE(h.pump_until([&] { return h.engine->in_flight() == 0; }));

  const std::uint64_t appends_before = h.engine->counters().appends;
  const std::uint64_t events_before = h.engine->counters().appended_events;
  // One turn: every decision is staged before the engine's thread returns to its loop.
  std::vector<ClientOrderId> ids;
  for (std::size_t i = 0; i < decisions; ++i) {
    // Sizes differ: duplicate prevention refuses an identical open order.
    char size[16];
    std::snprintf(size, sizeof size, "0.%03zu", i + 1);
    h.engine->submit_decision(
        decision("b" + std::to_string(i), i % 2 == 0 ? Action::kLong : Action::kShort, size),
        [&](DecisionOutcome o) {
          ASSERT_EQ(o.kind, DecisionOutcome::Kind::kOrdered) << o.detail;
          ids.push_back(o.client_order_id);
        });
  }
  // Outcomes are reported once the intents are durable.
  ASSERT_TRUE(h.pump_until([&] { return ids.size() == decisions; })) << ids.size();

  // The venue never runs an order whose OrderSent is not in the journal yet.
  bool sent_first = true;
  auto all_filled = [&] {
    if (static_cast<std::size_t>(h.venue->executed(paper::PaperVenue::Op::kSubmit)) >
        sent_in_journal(h))
      sent_first = false;
    return std::all_of(ids.begin(), ids.end(), [&](const ClientOrderId& id) {
      return h.order(id).status == OrderStatus::kFilled;
    });
  };
  ASSERT_TRUE(h.pump_until(all_filled)) << "orders still open after the bounded wait";
  EXPECT_TRUE(sent_first);
  // The engine applies an event when it stages it: wait for the last batch to be reported.
  ASSERT_TRUE(h.pump_until([&] {
    const std::uint64_t staged = h.engine->state().last_sequence();
    return h.journal->last_sequence() == staged && h.engine->counters().appended_events == staged;
  }));

  const auto& c = h.engine->counters();
  const std::uint64_t appends = c.appends - appends_before;
  const std::uint64_t events = c.appended_events - events_before;
  EXPECT_GE(events, decisions * 4) << "requested, sent, accepted, filled at least";
  if (max_batch_events > 0) {
    EXPECT_GE(appends, events / max_batch_events) << "a batch held more than the limit";
  }

  // Every order's events in the journal in their causal order, each once.
  std::map<ClientOrderId, std::vector<EventType>> by_order;
  auto st = h.journal->read(1, h.journal->last_sequence(), [&](const Envelope& e) {
    if (const ClientOrderId* id = client_order_id_of(e.event))
      by_order[*id].push_back(type_of(e.event));
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.error().describe();
  for (const auto& id : ids) {
    const auto& t = by_order[id];
    ASSERT_GE(t.size(), 4u) << id.str();
    EXPECT_EQ(t[0], EventType::kOrderRequested) << id.str();
    EXPECT_EQ(t[1], EventType::kOrderSent) << id.str();
    EXPECT_EQ(std::count(t.begin(), t.end(), EventType::kOrderFilled), 1) << id.str();
  }

  // A replay of the journal is the engine's state, byte for byte: recorded times included, since
  // the journal keeps the stamps the engine applied (one per batch).
  projections::Projections replayed;
  st = h.journal->read(1, h.journal->last_sequence(), [&](const Envelope& e) {
    replayed.apply(e);
    return true;
  });
  ASSERT_TRUE(st.ok());
  for (const auto& id : ids) {
    const auto* r = replayed.oms().find(id);
    ASSERT_NE(r, nullptr) << id.str();
    EXPECT_EQ(r->order.status, h.order(id).status) << id.str();
    EXPECT_EQ(r->order.filled_quantity, h.order(id).filled_quantity) << id.str();
  }
  const Symbol btc = Symbol::of("BTC-USDT");
  const auto* live = h.engine->state().positions().find("paper", btc);
  const auto* again = replayed.positions().find("paper", btc);
  ASSERT_TRUE(live && again);
  EXPECT_EQ(live->quantity, again->quantity);
  EXPECT_EQ(live->cost_basis, again->cost_basis);
  EXPECT_EQ(live->realized_pnl, again->realized_pnl);
  EXPECT_EQ(live->fills, again->fills);
  EXPECT_EQ(live->fills, decisions);
  EXPECT_TRUE(replayed.serialize() == h.engine->state().serialize())
      << "the engine's projections differ from a replay of its journal";
}

TEST(EngineSyncBatches, ATurnLargerThanTheBatchLimitIsWrittenInSeveralBatches) {
  run_burst(/*max_batch_events=*/3, /*decisions=*/60);
}

TEST(EngineSyncBatches, WithoutALimitTheSameTurnGivesTheSameLifecycle) {
  run_burst(/*max_batch_events=*/0, /*decisions=*/60);
}

}  // namespace
}  // namespace at::engine
