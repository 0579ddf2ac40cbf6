// Positions: signed quantity, cost basis, realized P&L and commissions per (account, symbol),
// and the last mark price per symbol. Average-cost accounting in exact decimals.
//
// The cost basis is the signed sum of quantity x price of the open quantity (positive when
// long, negative when short). Reducing a position by c of |q| removes cost x c / |q| (exact
// when the position closes fully; otherwise rounded half-even at the cost's scale, never below
// 8 places) and realizes sign(q) x c x price - removed. A fill larger than the position closes
// it and opens the rest on the other side at the fill price.
//
// Realized P&L is gross, in the symbol's quote asset; commissions are kept per asset.
//
// Pure fold; iteration is ordered by (account, symbol). Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/events.h"
#include "projections/keys.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

struct Position {
  std::string account;
  Symbol symbol;
  Quantity quantity;  // signed: > 0 long, < 0 short
  Money cost_basis;   // signed, see above
  Money realized_pnl;
  std::map<std::string, Money> commissions;  // by asset
  Quantity bought;                           // gross traded quantities
  Quantity sold;
  std::uint64_t fills = 0;
  std::uint64_t updated_seq = 0;

  // cost / |quantity| at `scale` places (0 when flat).
  Price average_price(int scale = 8) const;
  // quantity x mark - cost basis.
  Money unrealized_pnl(const Price& mark) const;
};

struct MarkPrice {
  Price price;
  std::uint64_t sequence = 0;
  std::int64_t ts_ns = 0;
};

class Positions {
 public:
  using Key = std::pair<std::string, Symbol>;  // (account, symbol)

  // Applies fills (every OrderFilled it is given: the aggregate passes only new fills) and
  // mark prices; ignores other events.
  void apply(const Envelope& env);
  void apply_fill(const OrderFilled& f, std::uint64_t sequence);

  const std::map<Key, Position, PairKeyLess>& all() const { return positions_; }
  const Position* find(const std::string& account, const Symbol& symbol) const;
  const std::map<Symbol, MarkPrice>& marks() const { return marks_; }
  const MarkPrice* mark(const Symbol& symbol) const;
  // Unrealized P&L at the last mark, or nullopt when no mark has been seen.
  std::optional<Money> unrealized_pnl(const Position& p) const;

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  std::map<Key, Position, PairKeyLess> positions_;
  std::map<Symbol, MarkPrice> marks_;
};

}  // namespace at::projections
