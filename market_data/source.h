// EventSource: a pull stream of market events (a recorded file, the generated market, a merge).
//
// next() returns the next event, std::nullopt at the end, or an error (a malformed file row,
// named by file and line). After an error or the end, further calls repeat it.
//
// Thread-safety: none; one consumer.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "domain/result.h"
#include "market_data/types.h"

namespace at::md {

using NextEvent = Result<std::optional<MarketEvent>>;

class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual NextEvent next() = 0;
};

// Replays a vector (tests, preloaded files).
class VectorSource final : public EventSource {
 public:
  explicit VectorSource(std::vector<MarketEvent> events) : events_(std::move(events)) {}
  NextEvent next() override;

 private:
  std::vector<MarketEvent> events_;
  std::size_t i_ = 0;
};

// Merges sources by event time; ties go to the earlier source in the list, so the output is
// deterministic. Each input should itself be in time order.
class MergedSource final : public EventSource {
 public:
  explicit MergedSource(std::vector<std::unique_ptr<EventSource>> sources);
  NextEvent next() override;

 private:
  std::vector<std::unique_ptr<EventSource>> sources_;
  std::vector<std::optional<MarketEvent>> heads_;
  std::vector<bool> done_;
  std::optional<Error> error_;
};

// Drains a source into a vector (stops at `limit` events when limit > 0).
Result<std::vector<MarketEvent>> read_all(EventSource& src, std::size_t limit = 0);

}  // namespace at::md
