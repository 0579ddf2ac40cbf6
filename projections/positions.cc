#include "projections/positions.h"

#include <algorithm>

#include "projections/detail/wire.h"

namespace at::projections {

Price Position::average_price(int scale) const {
  if (quantity.is_zero()) return Price();
  return Decimal::divide(cost_basis.abs(), quantity.abs(), scale);
}

Money Position::unrealized_pnl(const Price& mark) const { return quantity * mark - cost_basis; }

void Positions::apply(const Envelope& env) {
  if (auto* f = std::get_if<OrderFilled>(&env.event)) {
    apply_fill(*f, env.sequence);
  } else if (auto* m = std::get_if<MarkPriceUpdated>(&env.event)) {
    MarkPrice& mp = marks_[m->symbol];
    mp.price = m->price;
    mp.sequence = env.sequence;
    mp.ts_ns = m->ts_ns;
  }
}

void Positions::apply_fill(const OrderFilled& f, std::uint64_t sequence) {
  // Find before building a key: the common case allocates nothing.
  auto it = positions_.find(KeyView(f.account, f.symbol.str()));
  if (it == positions_.end()) {
    it = positions_.emplace(Key(f.account, f.symbol), Position()).first;
    it->second.account = f.account;
    it->second.symbol = f.symbol;
  }
  Position& p = it->second;
  const bool buy = f.side == Side::kBuy;
  const Quantity& qty = f.quantity;
  if (buy)
    p.bought += qty;
  else
    p.sold += qty;
  ++p.fills;
  p.updated_seq = sequence;
  if (!f.commission.is_zero() || !f.commission_asset.empty()) {
    auto c = p.commissions.find(f.commission_asset);
    if (c == p.commissions.end())
      p.commissions.emplace(f.commission_asset, f.commission);
    else
      c->second += f.commission;
  }

  const int pos_sign = p.quantity.sign();
  const int fill_sign = buy ? 1 : -1;
  if (pos_sign == 0 || pos_sign == fill_sign) {  // opening or adding
    Money notional = qty * f.price;
    if (buy) {
      p.quantity += qty;
      p.cost_basis += notional;
    } else {
      p.quantity -= qty;
      p.cost_basis -= notional;
    }
    return;
  }
  // Reducing, closing or flipping.
  Quantity open = p.quantity.abs();
  Quantity closed = std::min(open, qty);
  Money removed;
  if (closed == open) {
    removed = p.cost_basis;
  } else {
    int scale = std::max(8, p.cost_basis.scale());
    removed = Decimal::divide(p.cost_basis * closed, open, scale);
  }
  Money proceeds = closed * f.price;
  // sign(q) x c x price - removed
  p.realized_pnl += (pos_sign > 0 ? proceeds : -proceeds) - removed;
  p.cost_basis -= removed;
  if (buy)
    p.quantity += closed;
  else
    p.quantity -= closed;
  if (closed == open) p.cost_basis = Money();  // exactly flat: drop any scale residue
  if (qty > closed) {                          // flip: the rest opens the other side
    Quantity rest = qty - closed;
    Money notional = rest * f.price;
    if (buy) {
      p.quantity += rest;
      p.cost_basis += notional;
    } else {
      p.quantity -= rest;
      p.cost_basis -= notional;
    }
  }
}

const Position* Positions::find(const std::string& account, const Symbol& symbol) const {
  auto it = positions_.find(KeyView(account, symbol.str()));
  return it == positions_.end() ? nullptr : &it->second;
}

const MarkPrice* Positions::mark(const Symbol& symbol) const {
  auto it = marks_.find(symbol);
  return it == marks_.end() ? nullptr : &it->second;
}

std::optional<Money> Positions::unrealized_pnl(const Position& p) const {
  const MarkPrice* m = mark(p.symbol);
  if (!m) return std::nullopt;
  return p.unrealized_pnl(m->price);
}

void Positions::save(detail::Writer& w) const {
  w.varint(positions_.size());
  for (const auto& [key, p] : positions_) {
    w.str(p.account);
    w.symbol(p.symbol);
    w.dec(p.quantity);
    w.dec(p.cost_basis);
    w.dec(p.realized_pnl);
    w.varint(p.commissions.size());
    for (const auto& [asset, amount] : p.commissions) {
      w.str(asset);
      w.dec(amount);
    }
    w.dec(p.bought);
    w.dec(p.sold);
    w.varint(p.fills);
    w.varint(p.updated_seq);
  }
  w.varint(marks_.size());
  for (const auto& [symbol, m] : marks_) {
    w.symbol(symbol);
    w.dec(m.price);
    w.varint(m.sequence);
    w.svarint(m.ts_ns);
  }
}

bool Positions::load(detail::Reader& r) {
  *this = Positions();
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    Position p;
    p.account = r.str();
    p.symbol = r.symbol();
    p.quantity = r.dec();
    p.cost_basis = r.dec();
    p.realized_pnl = r.dec();
    std::uint64_t nc = r.count();
    for (std::uint64_t j = 0; j < nc && r.ok(); ++j) {
      std::string asset = r.str();
      p.commissions[asset] = r.dec();
    }
    p.bought = r.dec();
    p.sold = r.dec();
    p.fills = r.varint();
    p.updated_seq = r.varint();
    Key key(p.account, p.symbol);
    positions_.emplace(std::move(key), std::move(p));
  }
  n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    Symbol s = r.symbol();
    MarkPrice& m = marks_[s];
    m.price = r.dec();
    m.sequence = r.varint();
    m.ts_ns = r.svarint();
  }
  return r.ok();
}

}  // namespace at::projections
