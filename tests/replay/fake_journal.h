// FakeJournal: journal::Journal in memory, for replay tests that need no disk and want to inject
// failures (an undecodable record at a sequence, a failing snapshot write). Indexes are computed
// by scanning, which is fine at test sizes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "journal/journal.h"

namespace at::testing {

class FakeJournal final : public journal::Journal {
 public:
  std::vector<Envelope> records;  // records[i].sequence == i + 1
  std::map<std::uint64_t, std::string> snapshots;
  std::optional<std::uint64_t> corrupt_at;  // read() fails there with kCorruption
  bool fail_snapshot_writes = false;
  mutable std::uint64_t reads = 0;  // envelopes handed out by read()

  void add_all(const std::vector<Envelope>& envs) {
    for (const Envelope& e : envs) records.push_back(e);
  }

  Result<std::uint64_t> append(std::span<const journal::PendingEvent> events) override {
    std::uint64_t first = records.size() + 1;
    std::int64_t now = records.empty() ? 1'700'000'000'000'000'000 : records.back().recorded_ns;
    for (const auto& p : events) {
      Envelope e;
      e.sequence = records.size() + 1;
      e.recorded_ns = now + 1000;
      e.causation = p.causation;
      e.event = p.event;
      records.push_back(std::move(e));
    }
    return first;
  }
  std::uint64_t last_sequence() const override { return records.size(); }
  Status refresh() override { return {}; }

  Status read(std::uint64_t from, std::uint64_t to,
              const std::function<bool(const Envelope&)>& visit) const override {
    for (std::uint64_t s = std::max<std::uint64_t>(from, 1); s <= to && s <= records.size(); ++s) {
      if (corrupt_at && *corrupt_at == s)
        return make_error(ErrorKind::kCorruption,
                          "undecodable record at sequence " + std::to_string(s));
      ++reads;
      if (!visit(records[s - 1])) break;
    }
    return {};
  }
  Result<std::optional<Envelope>> get(std::uint64_t sequence) const override {
    if (sequence == 0 || sequence > records.size()) return std::optional<Envelope>();
    return std::optional<Envelope>(records[sequence - 1]);
  }
  Result<std::vector<std::uint64_t>> sequences_for_order(const ClientOrderId& id) const override {
    std::vector<std::uint64_t> out;
    for (const Envelope& e : records) {
      const ClientOrderId* c = client_order_id_of(e.event);
      bool hit = c && *c == id;
      std::visit(
          [&](const auto& x) {
            if constexpr (requires { x.new_client_order_id; })
              hit = hit || x.new_client_order_id == id;
          },
          e.event);
      if (hit) out.push_back(e.sequence);
    }
    return out;
  }
  Result<std::optional<ClientOrderId>> order_for_venue_id(const VenueOrderId& id) const override {
    std::optional<ClientOrderId> out;
    for (const Envelope& e : records) {
      if (auto* a = std::get_if<OrderAccepted>(&e.event); a && a->venue_order_id == id)
        out = a->client_order_id;
      if (auto* r = std::get_if<OrderReplaced>(&e.event); r && r->new_venue_order_id == id)
        out = r->new_client_order_id;
    }
    return out;
  }
  Result<std::uint64_t> first_sequence_at_or_after(std::int64_t recorded_ns) const override {
    for (const Envelope& e : records)
      if (e.recorded_ns >= recorded_ns) return e.sequence;
    return records.size() + 1;
  }
  Result<std::vector<std::uint64_t>> open_dead_letters() const override {
    return std::vector<std::uint64_t>();
  }
  Status put_snapshot(std::uint64_t sequence, std::string_view bytes) override {
    if (fail_snapshot_writes) return make_error(ErrorKind::kIo, "snapshot write failed");
    snapshots[sequence] = std::string(bytes);
    return {};
  }
  Result<std::optional<std::pair<std::uint64_t, std::string>>> latest_snapshot(
      std::uint64_t at_or_before) const override {
    auto it = snapshots.upper_bound(at_or_before);
    if (it == snapshots.begin()) return std::optional<std::pair<std::uint64_t, std::string>>();
    --it;
    return std::optional<std::pair<std::uint64_t, std::string>>(*it);
  }
  Result<journal::Stats> stats() const override { return journal::Stats{}; }
  Result<journal::VerifyReport> verify() const override { return journal::VerifyReport{}; }
};

}  // namespace at::testing
