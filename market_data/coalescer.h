// QuoteCoalescer: the latest quote per symbol, for consumers slower than the feed.
//
// A feed may deliver many quotes per symbol between two turns of the consumer; only the last
// matters for matching and marks. update() overwrites; drain_changed() hands out each symbol
// that changed since the previous drain exactly once, in symbol order (deterministic), and
// find() always answers with the latest quote.
//
// Thread-safety: none; owned by one strand (the engine's or a venue's).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "market_data/types.h"

namespace at::md {

class QuoteCoalescer {
 public:
  // Stores q as the latest quote of q.symbol. A quote older (ts_ns) than the stored one is
  // ignored and returns false: recorded or venue streams may repeat or reorder.
  bool update(const Quote& q);

  // The latest quote of `s`, or nullptr if none has been seen. Valid until the next update().
  const Quote* find(const Symbol& s) const;

  // Latest quotes of the symbols updated since the last drain, in symbol order; clears the
  // changed set.
  std::vector<Quote> drain_changed();

  bool has_changes() const { return !changed_.empty(); }
  std::size_t size() const { return latest_.size(); }
  // Updates that replaced a quote nobody had drained yet (a measure of consumer lag).
  std::uint64_t coalesced_count() const { return coalesced_; }
  std::uint64_t stale_count() const { return stale_; }

 private:
  std::map<Symbol, Quote> latest_;
  std::set<Symbol> changed_;
  std::uint64_t coalesced_ = 0;
  std::uint64_t stale_ = 0;
};

}  // namespace at::md
