#include "market_data/source.h"

namespace at::md {

NextEvent VectorSource::next() {
  if (i_ >= events_.size()) return std::optional<MarketEvent>{};
  return std::optional<MarketEvent>(events_[i_++]);
}

MergedSource::MergedSource(std::vector<std::unique_ptr<EventSource>> sources)
    : sources_(std::move(sources)), heads_(sources_.size()), done_(sources_.size(), false) {}

NextEvent MergedSource::next() {
  if (error_) return *error_;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (done_[i] || heads_[i]) continue;
    auto r = sources_[i]->next();
    if (!r) {
      error_ = r.error();
      return *error_;
    }
    if (!*r)
      done_[i] = true;
    else
      heads_[i] = std::move(*r);
  }
  std::size_t best = sources_.size();
  for (std::size_t i = 0; i < sources_.size(); ++i)
    if (heads_[i] &&
        (best == sources_.size() || event_ts_ns(*heads_[i]) < event_ts_ns(*heads_[best])))
      best = i;
  if (best == sources_.size()) return std::optional<MarketEvent>{};
  std::optional<MarketEvent> out = std::move(heads_[best]);
  heads_[best].reset();
  return out;
}

Result<std::vector<MarketEvent>> read_all(EventSource& src, std::size_t limit) {
  std::vector<MarketEvent> out;
  while (limit == 0 || out.size() < limit) {
    auto r = src.next();
    if (!r) return r.error();
    if (!*r) break;
    out.push_back(std::move(**r));
  }
  return out;
}

}  // namespace at::md
