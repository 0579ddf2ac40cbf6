// Projections: every projection of the journal in one value, applied together, serialized
// together (snapshots; the "two replays are byte-identical" check).
//
// apply() order per event: the OMS first; a fill reaches positions and balances only when the
// OMS applied it (not a duplicate, not for an unknown order, not an illegal transition); then
// balances, dead letters, control state; metrics last (they read what the OMS did). An
// envelope whose sequence is not above the last applied one is ignored and counted in stale().
//
// Serialized form (deterministic: same events in, same bytes out):
//
//   snapshot := "ATPJ" u8 version(=3) varint last_sequence svarint last_recorded_ns
//               varint applied varint stale svarint archive_after_ns section*
//   section  := u8 tag, u32 little-endian body length, body
//   tags     := 1 oms | 2 positions | 3 balances | 4 dead letters | 5 control | 6 metrics
// archive_after_ns is the OMS's archive age (-1 = never; oms.h): a snapshot serves only a
// replay asking for the same. Every section of version 3 must be present. Unknown tags are skipped,
// so later versions can add sections; a section's own fields are only ever appended. Primitive
// encodings are in detail/wire.h.
//
// Thread-safety: none; a value owned by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/events.h"
#include "domain/result.h"
#include "projections/balances.h"
#include "projections/control.h"
#include "projections/dead_letters.h"
#include "projections/metrics.h"
#include "projections/oms.h"
#include "projections/positions.h"

namespace at::projections {

// How the projections fold: the OMS's archive age (oms.h), in nanoseconds of journal time;
// Oms::kNeverArchive keeps every order and decision.
struct ProjectionOptions {
  std::int64_t archive_after_ns = Oms::kNeverArchive;
  bool operator==(const ProjectionOptions&) const = default;
};

class Projections {
 public:
  // 2: OMS decisions keep the risk rejection's detail, orders whether a pending replace is a
  // cancel-then-submit (what the engine derives its own state from after a snapshot).
  // 3: the archive age in the header; the OMS's archiving state and each order's last
  // recorded time.
  // parse() rejects other versions; replay then skips such a snapshot.
  static constexpr std::uint8_t kFormatVersion = 3;

  explicit Projections(const ProjectionOptions& options = {})
      : options_(options), oms_(options.archive_after_ns) {}
  const ProjectionOptions& options() const { return options_; }

  void apply(const Envelope& env);

  // Sequence / recorded time of the last applied envelope (0 when none).
  std::uint64_t last_sequence() const { return last_sequence_; }
  std::int64_t last_recorded_ns() const { return last_recorded_ns_; }
  std::uint64_t applied() const { return applied_; }
  std::uint64_t stale() const { return stale_; }

  const Oms& oms() const { return oms_; }
  const Positions& positions() const { return positions_; }
  const Balances& balances() const { return balances_; }
  const DeadLetters& dead_letters() const { return dead_letters_; }
  const ControlState& control() const { return control_; }
  const Metrics& metrics() const { return metrics_; }

  std::string serialize() const;
  // Appends the serialized form to `out`.
  void serialize_to(std::string& out) const;
  // kCorruption naming the section and byte when `bytes` is not a valid serialization. The
  // result folds with the options the snapshot was taken with.
  static Result<Projections> parse(std::string_view bytes);
  // The options a serialization was taken with, read from its header alone (cheap); nullopt
  // when it is not one of this version.
  static std::optional<ProjectionOptions> options_of(std::string_view bytes);
  // The format version a serialization says it has; nullopt when it is not one (bad magic,
  // too short). Lets a reader tell a snapshot of an older build from a damaged one.
  static std::optional<std::uint8_t> format_version(std::string_view bytes);

  // Where two serializations first differ: "" when equal, else e.g. "section oms, byte 812"
  // or "header". For verify's messages.
  static std::string first_difference(std::string_view a, std::string_view b);

 private:
  std::uint64_t last_sequence_ = 0;
  std::int64_t last_recorded_ns_ = 0;
  std::uint64_t applied_ = 0;
  std::uint64_t stale_ = 0;
  ProjectionOptions options_;
  Oms oms_;
  Positions positions_;
  Balances balances_;
  DeadLetters dead_letters_;
  ControlState control_;
  Metrics metrics_;
};

}  // namespace at::projections
