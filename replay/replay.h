// Replay: rebuilding projections from the journal. Full replay, as-of replay (by sequence or by
// recorded time), replay from the latest snapshot plus the tail, the Snapshotter that writes
// those snapshots, and verify_snapshots, which checks every snapshot against a replay.
//
// Journal errors come back as values (the journal's Status / Result), never as exceptions.
// Snapshots are an optimisation only: an unreadable or inconsistent snapshot is skipped (with a
// warning in ReplayInfo) in favour of an earlier one or a full replay.
//
// Thread-safety: free functions over a journal whose reads may run beside its writer; a
// Snapshotter belongs to the journal's single writer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "journal/journal.h"
#include "projections/projections.h"

namespace at::replay {

using projections::Projections;

// How far to replay: to the end, through a sequence, or through everything recorded at or
// before a time (journal recorded_ns).
struct AsOf {
  enum class Kind : std::uint8_t { kLatest, kSequence, kTime };
  Kind kind = Kind::kLatest;
  std::uint64_t sequence = 0;
  std::int64_t recorded_ns = 0;

  static AsOf latest() { return {}; }
  static AsOf at_sequence(std::uint64_t s) { return {Kind::kSequence, s, 0}; }
  static AsOf at_time(std::int64_t ns) { return {Kind::kTime, 0, ns}; }
};

// The last sequence an AsOf covers, clamped to the journal's end (0 = nothing).
Result<std::uint64_t> resolve(const journal::Journal& journal, const AsOf& as_of);

struct ReplayInfo {
  std::uint64_t to_sequence = 0;        // the resolved target
  std::uint64_t snapshot_sequence = 0;  // where replay started from (0 = from the beginning)
  std::uint64_t events_applied = 0;     // events read and applied after the snapshot
  std::vector<std::string> warnings;    // skipped snapshots, with why
};

struct Replayed {
  Projections state;
  ReplayInfo info;
};

struct ReplayOptions {
  bool use_snapshots = true;
  // How to fold (the OMS's archive age). Only a snapshot taken with the same options serves;
  // others are passed over without a warning (the engine's snapshots archive, an audit
  // replay keeps everything).
  projections::ProjectionOptions projections{};
};

// Projections as of `to`: from the latest usable snapshot at or before it (unless
// use_snapshots is false), then the events after it.
Result<Replayed> replay(const journal::Journal& journal, const AsOf& to = AsOf::latest(),
                        const ReplayOptions& options = {});

// The options of the newest snapshot at or before `to` (the default, keep-everything options
// when there is none): for a query that reads no order records (positions, balances), replaying
// with these starts from that snapshot whatever the writer's archive age.
Result<projections::ProjectionOptions> newest_snapshot_options(const journal::Journal& journal,
                                                               const AsOf& to = AsOf::latest());

// Calls `apply` for each event in [from, to], in sequence order, and adds their count to
// *visited. Long ranges (tens of thousands of events and up) are read and decoded on a second
// thread while this one applies: same order, same result, about twice the rate on two cores.
// An error (kCorruption naming the sequence, kIo) comes after the events before it.
Status for_each_event(const journal::Journal& journal, std::uint64_t from, std::uint64_t to,
                      const std::function<void(const Envelope&)>& apply,
                      std::uint64_t* visited = nullptr);

// Applies events (state.last_sequence(), to] to `state`; adds their count to *applied.
Status catch_up(const journal::Journal& journal, Projections& state, std::uint64_t to,
                std::uint64_t* applied = nullptr);

// Writes a snapshot of the projections every `every_events` events. The engine calls
// maybe_snapshot() after it has applied an append; snapshots are written to the journal's
// snapshots topic keyed by the state's last sequence.
class Snapshotter {
 public:
  // `last_snapshot_sequence`: where the latest existing snapshot is (ReplayInfo tells).
  Snapshotter(journal::Journal& journal, std::uint64_t every_events,
              std::uint64_t last_snapshot_sequence = 0);

  // Snapshots when at least `every_events` events were applied since the last snapshot.
  // Returns whether a snapshot was written, or the journal's error.
  Result<bool> maybe_snapshot(const Projections& state);
  // Snapshots now (no-op for an empty state).
  Status snapshot(const Projections& state);

  std::uint64_t last_snapshot_sequence() const { return last_; }
  std::uint64_t snapshots_written() const { return written_; }
  std::size_t last_snapshot_bytes() const { return buffer_.size(); }

 private:
  journal::Journal& journal_;
  std::uint64_t every_;
  std::uint64_t last_;
  std::uint64_t written_ = 0;
  std::string buffer_;  // reused between snapshots
};

// Checks every snapshot in the journal: it must decode, sit at its own last sequence, and equal
// (byte for byte, once re-serialized by this build) the projections replayed to that sequence
// with the snapshot's own options. One forward replay per set of options serves all snapshots.
// Issues name the snapshot's sequence. A snapshot in an older format (an earlier build wrote it;
// replay skips it) is not an issue but `outdated`: newer snapshots replace it as the journal keeps
// only the newest few.
struct SnapshotVerifyReport {
  std::vector<std::uint64_t> checked;
  std::vector<journal::VerifyIssue> issues;
  std::vector<journal::VerifyIssue> outdated;
  bool ok() const { return issues.empty(); }
};
Result<SnapshotVerifyReport> verify_snapshots(const journal::Journal& journal);

}  // namespace at::replay
