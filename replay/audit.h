// Audit queries: what the CLI (orders, positions, balances, fills, dlq) and the gateway ask
// of the journal. Queries over a point in time replay to it (from a snapshot); queries over
// current state take a Projections the caller already has (e.g. from replay()).
//
// Every row is plain data in a stable order (request order for orders, (account, symbol) for
// positions, (account, asset) for balances, client order id for dead letters), so tables,
// JSON and CSV built from them are replay-stable.
//
// Thread-safety: as replay.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replay/replay.h"

namespace at::replay {

// --- orders ----------------------------------------------------------------------------------

// Every journaled event about one order, in sequence order. `id` is tried as a client order id,
// then as a venue order id. kNotFound ("no order with client or venue id 'X'") when neither.
struct OrderHistory {
  ClientOrderId client_order_id;
  std::vector<Envelope> events;
};
Result<OrderHistory> order_history(const journal::Journal& journal, std::string_view id);

struct OrderFilter {
  bool open_only = false;
  std::optional<Symbol> symbol;
};
// Orders in request order.
std::vector<const projections::OrderRecord*> list_orders(const Projections& state,
                                                         const OrderFilter& filter = {});

// --- positions and balances -------------------------------------------------------------------

struct PositionRow {
  std::string account;
  Symbol symbol;
  Quantity quantity;
  Price average_price;  // 8 places beyond the cost's own scale is more than any venue quotes
  Money cost_basis;
  Money realized_pnl;
  std::optional<Price> mark;
  std::optional<Money> unrealized_pnl;
  std::vector<std::pair<std::string, Money>> commissions;  // by asset
  std::uint64_t fills = 0;
};
// `include_flat`: also positions that traded but are now zero.
std::vector<PositionRow> position_rows(const Projections& state, bool include_flat = true);
Result<std::vector<PositionRow>> positions_as_of(const journal::Journal& journal, const AsOf& as_of,
                                                 bool include_flat = true);

struct BalanceRow {
  std::string account;
  std::string asset;
  Money free;
  Money locked;
  Money total;
};
std::vector<BalanceRow> balance_rows(const Projections& state);

// --- fills -----------------------------------------------------------------------------------

enum class FillDisposition : std::uint8_t { kApplied, kDuplicate, kRejected };
std::string_view to_string(FillDisposition d);

struct FillRow {
  std::uint64_t sequence = 0;
  std::int64_t recorded_ns = 0;
  OrderFilled fill;
  FillDisposition disposition = FillDisposition::kApplied;
};
// Fills recorded at or after `since_ns` (journal time) through `to`, each with what the OMS made
// of it (applied, a duplicate report, or refused as an anomaly).
Result<std::vector<FillRow>> fills_since(const journal::Journal& journal, std::int64_t since_ns,
                                         const AsOf& to = AsOf::latest());

// --- dead letters ----------------------------------------------------------------------------

// Open dead letters (or all, with closed ones) ordered by client order id.
std::vector<const projections::DeadLetter*> dead_letters(const Projections& state,
                                                         bool include_closed = false);

}  // namespace at::replay
