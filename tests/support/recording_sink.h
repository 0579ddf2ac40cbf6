// A VenueSink that keeps every event a venue emits, for adapter tests.
#pragma once

#include <utility>
#include <variant>
#include <vector>

#include "adapters/venue.h"

namespace at::testing {

struct RecordingSink : adapters::VenueSink {
  std::vector<Event> events;
  void on_venue_event(Event e) override { events.push_back(std::move(e)); }

  // The events of one type, in the order they came.
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
    return out;
  }
};

}  // namespace at::testing
