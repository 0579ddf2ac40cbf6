// Balances: free and locked amounts per (account, asset).
//
//   AccountFunded    free += amount (a deposit, or a withdrawal when negative)
//   BalanceUpdated   free, locked := the venue's absolute figures (the venue's word wins)
//   OrderFilled      buy:  base += qty, quote -= qty x price; sell: the reverse;
//                    commission -= in its own asset
// A balance may go negative between a fill and the venue's next BalanceUpdated; that is shown,
// not hidden. Pure fold; ordered by (account, asset). Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "domain/events.h"
#include "projections/keys.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

struct Balance {
  Money free;
  Money locked;
  std::uint64_t updated_seq = 0;
  Money total() const { return free + locked; }
};

class Balances {
 public:
  using Key = std::pair<std::string, std::string>;  // (account, asset)

  // Applies funding, venue balance reports and fills (the aggregate passes only new fills).
  void apply(const Envelope& env);
  void apply_fill(const OrderFilled& f, std::uint64_t sequence);

  const std::map<Key, Balance, PairKeyLess>& all() const { return balances_; }
  // nullptr when the asset was never seen for the account.
  const Balance* find(const std::string& account, const std::string& asset) const;

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  Balance& at(std::string_view account, std::string_view asset);
  std::map<Key, Balance, PairKeyLess> balances_;
};

}  // namespace at::projections
