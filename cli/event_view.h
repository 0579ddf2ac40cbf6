// How the CLI shows journal events: one row per event (seq, recorded time, type, order,
// symbol, details) for `journal dump`, `journal tail` and `orders show`.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/common.h"
#include "domain/events.h"

namespace at::cli {

// "price=42000.5 quantity=0.1 side=BUY ...": every field of the event except type, ts,
// client order id and symbol (those have their own columns), in the JSON key order.
std::string event_details(const Event& e);

// Prints events one at a time (streaming: works for `tail --follow` and huge dumps).
// Table rows use fixed column widths so they line up without seeing every row first.
class EventPrinter {
 public:
  EventPrinter(std::ostream& out, Format f) : out_(out), format_(f) {}
  void header();  // table: the column titles; CSV: the header row; JSON: nothing
  void print(const Envelope& e);
  std::uint64_t printed() const { return printed_; }

 private:
  std::ostream& out_;
  Format format_;
  std::uint64_t printed_ = 0;
};

}  // namespace at::cli
