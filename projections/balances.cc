#include "projections/balances.h"

#include "projections/detail/wire.h"

namespace at::projections {

Balance& Balances::at(std::string_view account, std::string_view asset) {
  auto it = balances_.find(KeyView(account, asset));
  if (it == balances_.end())
    it = balances_.emplace(Key(std::string(account), std::string(asset)), Balance()).first;
  return it->second;
}

void Balances::apply(const Envelope& env) {
  if (auto* f = std::get_if<OrderFilled>(&env.event)) {
    apply_fill(*f, env.sequence);
  } else if (auto* a = std::get_if<AccountFunded>(&env.event)) {
    Balance& b = at(a->account, a->asset);
    b.free += a->amount;
    b.updated_seq = env.sequence;
  } else if (auto* u = std::get_if<BalanceUpdated>(&env.event)) {
    Balance& b = at(u->account, u->asset);
    b.free = u->free;
    b.locked = u->locked;
    b.updated_seq = env.sequence;
  }
}

void Balances::apply_fill(const OrderFilled& f, std::uint64_t sequence) {
  Money notional = f.quantity * f.price;
  Balance& base = at(f.account, f.symbol.base());
  Balance& quote = at(f.account, f.symbol.quote());
  if (f.side == Side::kBuy) {
    base.free += f.quantity;
    quote.free -= notional;
  } else {
    base.free -= f.quantity;
    quote.free += notional;
  }
  base.updated_seq = quote.updated_seq = sequence;
  if (!f.commission.is_zero() && !f.commission_asset.empty()) {
    Balance& fee = at(f.account, f.commission_asset);
    fee.free -= f.commission;
    fee.updated_seq = sequence;
  }
}

const Balance* Balances::find(const std::string& account, const std::string& asset) const {
  auto it = balances_.find(KeyView(account, asset));
  return it == balances_.end() ? nullptr : &it->second;
}

void Balances::save(detail::Writer& w) const {
  w.varint(balances_.size());
  for (const auto& [key, b] : balances_) {
    w.str(key.first);
    w.str(key.second);
    w.dec(b.free);
    w.dec(b.locked);
    w.varint(b.updated_seq);
  }
}

bool Balances::load(detail::Reader& r) {
  *this = Balances();
  std::uint64_t n = r.count();
  for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
    std::string account = r.str();
    std::string asset = r.str();
    Balance b;
    b.free = r.dec();
    b.locked = r.dec();
    b.updated_seq = r.varint();
    balances_.emplace(Key(std::move(account), std::move(asset)), b);
  }
  return r.ok();
}

}  // namespace at::projections
