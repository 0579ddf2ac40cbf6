// DeadLetters: the dead-letter queue as a fold over the journal. An entry opens with
// DeadLettered and closes with DeadLetterRetried or DeadLetterDropped; a retried intent that
// exhausts its retries again reopens the same entry (one client order id throughout).
//
// Pure fold; ordered by client order id. Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/events.h"

namespace at::projections {

namespace detail {
class Writer;
class Reader;
}  // namespace detail

enum class DeadLetterState : std::uint8_t { kOpen, kRetried, kDropped };
std::string_view to_string(DeadLetterState s);

struct DeadLetter {
  ClientOrderId client_order_id;
  DeadLetterState state = DeadLetterState::kOpen;
  std::uint64_t sequence = 0;  // of the latest DeadLettered
  std::string operation;       // "submit", "cancel", "replace"
  std::string reason;
  std::uint32_t attempts = 0;
  std::int64_t ts_ns = 0;
  std::uint32_t times_dead_lettered = 0;
  std::string closed_by;  // who retried or dropped it
  std::string drop_reason;
  std::vector<std::uint64_t> history;  // sequences of its DLQ events
};

class DeadLetters {
 public:
  void apply(const Envelope& env);

  const std::map<ClientOrderId, DeadLetter>& all() const { return entries_; }
  std::vector<const DeadLetter*> open() const;
  std::size_t open_count() const { return open_count_; }
  const DeadLetter* find(const ClientOrderId& id) const;
  // Retry or drop events for an id that was never dead-lettered (also journal anomalies).
  std::uint64_t unmatched() const { return unmatched_; }

  void save(detail::Writer& w) const;
  bool load(detail::Reader& r);

 private:
  std::map<ClientOrderId, DeadLetter> entries_;
  std::size_t open_count_ = 0;
  std::uint64_t unmatched_ = 0;
};

}  // namespace at::projections
