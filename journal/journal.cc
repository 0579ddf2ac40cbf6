#include "journal/journal.h"

#include <string>

#include "journal/codec.h"

namespace at::journal {

Status Journal::read_raw(std::uint64_t from, std::uint64_t to,
                         const std::function<bool(std::string_view record)>& visit) const {
  std::string buf;
  return read(from, to, [&](const Envelope& e) {
    buf.clear();
    encode_to(e.sequence, e.recorded_ns, e.causation, e.event, buf);
    return visit(buf);
  });
}

Status Journal::visit_snapshots(
    std::uint64_t at_or_before,
    const std::function<bool(std::uint64_t sequence, std::string_view bytes)>& visit) const {
  std::uint64_t bound = at_or_before;
  for (;;) {
    auto snap = latest_snapshot(bound);
    if (!snap) return snap.error();
    if (!snap->has_value()) return {};
    const auto& [seq, bytes] = **snap;
    if (!visit(seq, bytes) || seq == 0) return {};
    bound = seq - 1;
  }
}

}  // namespace at::journal
