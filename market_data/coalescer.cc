#include "market_data/coalescer.h"

namespace at::md {

bool QuoteCoalescer::update(const Quote& q) {
  auto [it, inserted] = latest_.try_emplace(q.symbol, q);
  if (!inserted) {
    if (q.ts_ns < it->second.ts_ns) {
      ++stale_;
      return false;
    }
    it->second = q;
  }
  if (!changed_.insert(q.symbol).second) ++coalesced_;
  return true;
}

const Quote* QuoteCoalescer::find(const Symbol& s) const {
  auto it = latest_.find(s);
  return it == latest_.end() ? nullptr : &it->second;
}

std::vector<Quote> QuoteCoalescer::drain_changed() {
  std::vector<Quote> out;
  out.reserve(changed_.size());
  for (const auto& s : changed_) out.push_back(latest_.at(s));
  changed_.clear();
  return out;
}

}  // namespace at::md
