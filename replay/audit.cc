#include "replay/audit.h"

#include <algorithm>

namespace at::replay {

using projections::DeadLetter;
using projections::DeadLetterState;
using projections::OrderRecord;

Result<OrderHistory> order_history(const journal::Journal& journal, std::string_view id) {
  OrderHistory out;
  out.client_order_id = ClientOrderId(std::string(id));
  auto seqs = journal.sequences_for_order(out.client_order_id);
  if (!seqs) return seqs.error();
  if (seqs->empty()) {
    auto coid = journal.order_for_venue_id(VenueOrderId(std::string(id)));
    if (!coid) return coid.error();
    if (coid->has_value()) {
      out.client_order_id = **coid;
      seqs = journal.sequences_for_order(out.client_order_id);
      if (!seqs) return seqs.error();
    }
  }
  if (seqs->empty())
    return make_error(ErrorKind::kNotFound,
                      "no order with client or venue id '" + std::string(id) + "'");
  out.events.reserve(seqs->size());
  for (std::uint64_t s : *seqs) {
    auto env = journal.get(s);
    if (!env) return env.error();
    if (!env->has_value())
      return make_error(ErrorKind::kCorruption,
                        "index by_order names sequence " + std::to_string(s) + " for order '" +
                            out.client_order_id.str() + "' but the journal has no such record");
    out.events.push_back(std::move(**env));
  }
  return out;
}

std::vector<const OrderRecord*> list_orders(const Projections& state, const OrderFilter& filter) {
  std::vector<const OrderRecord*> out;
  auto keep = [&](const OrderRecord& r) {
    return !filter.symbol || r.order.symbol == *filter.symbol;
  };
  if (filter.open_only) {
    state.oms().for_each_open([&](const OrderRecord& r) {
      if (keep(r)) out.push_back(&r);
    });
  } else {
    state.oms().for_each_order([&](const OrderRecord& r) {
      if (keep(r)) out.push_back(&r);
    });
  }
  return out;
}

std::vector<PositionRow> position_rows(const Projections& state, bool include_flat) {
  std::vector<PositionRow> out;
  for (const auto& [key, p] : state.positions().all()) {
    if (!include_flat && p.quantity.is_zero()) continue;
    PositionRow row;
    row.account = p.account;
    row.symbol = p.symbol;
    row.quantity = p.quantity;
    row.cost_basis = p.cost_basis;
    row.average_price =
        p.average_price(std::min(Decimal::kMaxScale, std::max(8, p.cost_basis.scale())))
            .normalized();
    row.realized_pnl = p.realized_pnl;
    if (const projections::MarkPrice* m = state.positions().mark(p.symbol)) {
      row.mark = m->price;
      row.unrealized_pnl = p.unrealized_pnl(m->price);
    }
    for (const auto& [asset, amount] : p.commissions) row.commissions.emplace_back(asset, amount);
    row.fills = p.fills;
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<PositionRow>> positions_as_of(const journal::Journal& journal, const AsOf& as_of,
                                                 bool include_flat) {
  auto r = replay(journal, as_of);
  if (!r) return r.error();
  return position_rows(r->state, include_flat);
}

std::vector<BalanceRow> balance_rows(const Projections& state) {
  std::vector<BalanceRow> out;
  for (const auto& [key, b] : state.balances().all())
    out.push_back({key.first, key.second, b.free, b.locked, b.total()});
  return out;
}

std::string_view to_string(FillDisposition d) {
  switch (d) {
    case FillDisposition::kApplied:
      return "applied";
    case FillDisposition::kDuplicate:
      return "duplicate";
    case FillDisposition::kRejected:
      return "rejected";
  }
  return "?";
}

Result<std::vector<FillRow>> fills_since(const journal::Journal& journal, std::int64_t since_ns,
                                         const AsOf& to) {
  auto target = resolve(journal, to);
  if (!target) return target.error();
  auto first = journal.first_sequence_at_or_after(since_ns);
  if (!first) return first.error();
  std::vector<FillRow> out;
  if (*first > *target) return out;
  // The state just before `since` tells duplicates from first reports.
  auto before = replay(journal, AsOf::at_sequence(*first - 1));
  if (!before) return before.error();
  Projections& state = before->state;
  Status st = journal.read(state.last_sequence() + 1, *target, [&](const Envelope& e) {
    const auto* f = std::get_if<OrderFilled>(&e.event);
    if (!f) {
      state.apply(e);
      return true;
    }
    std::uint64_t dup_before = state.oms().duplicate_fills();
    std::uint64_t fills_before = state.metrics().fills();
    state.apply(e);
    if (e.sequence < *first) return true;
    FillRow row;
    row.sequence = e.sequence;
    row.recorded_ns = e.recorded_ns;
    row.fill = *f;
    if (state.metrics().fills() > fills_before)
      row.disposition = FillDisposition::kApplied;
    else if (state.oms().duplicate_fills() > dup_before)
      row.disposition = FillDisposition::kDuplicate;
    else
      row.disposition = FillDisposition::kRejected;
    out.push_back(std::move(row));
    return true;
  });
  if (!st) return st.error();
  return out;
}

std::vector<const DeadLetter*> dead_letters(const Projections& state, bool include_closed) {
  if (!include_closed) return state.dead_letters().open();
  std::vector<const DeadLetter*> out;
  for (const auto& [id, e] : state.dead_letters().all()) out.push_back(&e);
  return out;
}

}  // namespace at::replay
