// Journal: the append-only RocksDB event store that is the service's single source of truth.
//
// Topics are column families:
//   events      key = 8-byte big-endian first sequence of the value, value = a batch of up to
//               64 consecutive events' Cap'n Proto Envelopes (codec.h; schema-1 journals hold
//               one Envelope per key, and stay readable)
//   dlq         key = sequence of the DeadLettered event; value = empty. Deleted when a
//               DeadLetterRetried / DeadLetterDropped for that client order id is appended.
//   by_order    key = client order id + 0x00 + 8-byte sequence; value = empty
//               (also under new_client_order_id for the replace events)
//   by_venue_id key = venue order id; value = client order id
//   by_time     key = 8-byte big-endian recorded_ns + 8-byte sequence; value = empty
//               (sparse: at the first sequence of an append and wherever recorded_ns changes
//               inside it; recorded_ns never decreases along the sequence)
//   snapshots   key = 8-byte big-endian sequence; value = serialized projections (replay/)
//   meta        "schema_version", "first_sequence"
// Every append writes the events and their index entries in one WriteBatch (group commit).
// Byte-level grammar: codec.h; the whole format, durability and compatibility rules:
// docs/journal-format.md.
//
// Thread-safety: one writer at a time (the engine's single writer, or GroupCommitter's thread);
// reads may run concurrently with the writer. A second process can open the same directory
// read-only (open_read_only) while a writer holds it.
//
// Failure: when a write or sync fails, the journal refuses every later append (durability is
// unknown, so nothing may act on it): append() returns kIo from then on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/events.h"
#include "domain/result.h"

namespace at::journal {

enum class Durability : std::uint8_t {
  kSync,   // every append is fsynced (WAL sync) before it returns: durable when acknowledged
  kBatch,  // WAL written per append; fsync at most every `batch_sync_interval_ms`
  kNone,   // no WAL sync; survives a process crash (OS page cache), not a power loss
};
std::string_view to_string(Durability d);
bool parse(std::string_view s, Durability& out);

struct Options {
  std::string path;
  Durability durability = Durability::kSync;
  bool create_if_missing = true;
  std::int64_t batch_sync_interval_ms = 50;
};

// An event to append, with the sequence of the event that caused it (0 = none) and, when the
// writer has already applied it somewhere, the recorded_ns it gave it (0 = the journal stamps
// its clock at the write). Either way the journal keeps recorded_ns from going backwards:
// recorded = max(given or now, previous recorded), so a writer that stamps with the same rule
// from the same start holds exactly what a replay will read.
struct PendingEvent {
  Event event;
  std::uint64_t causation = 0;
  std::int64_t recorded_ns = 0;
};

struct VerifyIssue {
  std::uint64_t sequence = 0;  // where (0 when not tied to one record)
  std::string topic;           // "events", "by_order", ...
  std::string problem;         // "gap: expected 41, found 43", "undecodable: ...", ...
};

struct VerifyReport {
  std::uint64_t records = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::vector<VerifyIssue> issues;
  bool ok() const { return issues.empty(); }
};

struct Stats {
  std::uint64_t records = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::int64_t first_recorded_ns = 0;
  std::int64_t last_recorded_ns = 0;
  std::vector<std::pair<std::string, std::uint64_t>> by_type;  // event type name -> count
  std::uint64_t dlq_open = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t disk_bytes = 0;
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Opens for writing. Errors: kIo naming the path (missing and !create_if_missing, not a
  // directory, permission, locked by another process), kCorruption (unreadable store).
  static Result<std::unique_ptr<Journal>> open(const Options& options, const Clock& clock);
  // Opens an existing journal for reading only; works while another process writes it.
  static Result<std::unique_ptr<Journal>> open_read_only(const std::string& path,
                                                         const Clock& clock);

  // Appends `events` as one WriteBatch with consecutive sequence numbers, recorded now (or at
  // the stamps the events carry, see PendingEvent).
  // Returns the sequence of the first event. Under kSync the batch is durable on success.
  virtual Result<std::uint64_t> append(std::span<const PendingEvent> events) = 0;
  Result<std::uint64_t> append(const Event& e, std::uint64_t causation = 0) {
    PendingEvent p{e, causation};
    return append(std::span<const PendingEvent>(&p, 1));
  }

  // Pipelined group commit (GroupCommitter): append_unsynced() writes the batch exactly like
  // append() (one WriteBatch, WAL written to the OS) but never waits for an fsync, whatever
  // the durability mode; sync() then fsyncs the WAL, making every append that returned before
  // sync() was called durable. sync() may run on another thread concurrently with appends.
  // A failed sync() also makes the journal refuse every later append.
  // (The defaults suit a test double: plain append(), nothing to sync.)
  virtual Result<std::uint64_t> append_unsynced(std::span<const PendingEvent> events) {
    return append(events);
  }
  virtual Status sync() { return {}; }
  // True once a write or sync has failed (every later append fails with kIo).
  virtual bool failed() const { return false; }
  // The durability the journal was opened with (kNone for a read-only journal).
  virtual Durability durability() const { return Durability::kSync; }
  // Writes everything to sorted table files and syncs them, leaving the write-ahead log
  // empty (for fixtures and before copying a journal). No-op for a read-only journal.
  virtual Status flush() { return {}; }

  // Last sequence appended (0 when empty). In read-only mode, as of the last refresh().
  virtual std::uint64_t last_sequence() const = 0;
  // Read-only mode: catch up with what the writer appended since open. No-op for the writer.
  virtual Status refresh() = 0;

  // Visits [from, to] in sequence order until `visit` returns false. An undecodable record is
  // kCorruption naming its sequence.
  virtual Status read(std::uint64_t from, std::uint64_t to,
                      const std::function<bool(const Envelope&)>& visit) const = 0;
  // The same records undecoded (the codec's bytes), for readers that decode elsewhere, e.g.
  // on another thread (replay's pipeline). The default encodes what read() decodes.
  virtual Status read_raw(std::uint64_t from, std::uint64_t to,
                          const std::function<bool(std::string_view record)>& visit) const;
  virtual Result<std::optional<Envelope>> get(std::uint64_t sequence) const = 0;

  // Index lookups.
  virtual Result<std::vector<std::uint64_t>> sequences_for_order(const ClientOrderId& id) const = 0;
  virtual Result<std::optional<ClientOrderId>> order_for_venue_id(const VenueOrderId& id) const = 0;
  // The first sequence recorded at or after `ns` (last_sequence()+1 if none).
  virtual Result<std::uint64_t> first_sequence_at_or_after(std::int64_t recorded_ns) const = 0;

  // The open dead letters: sequences of DeadLettered events not yet retried or dropped.
  virtual Result<std::vector<std::uint64_t>> open_dead_letters() const = 0;

  // Snapshots of the projections as of `sequence` (bytes are replay/'s business).
  virtual Status put_snapshot(std::uint64_t sequence, std::string_view bytes) = 0;
  // The latest snapshot at or before `at_or_before`, if any.
  virtual Result<std::optional<std::pair<std::uint64_t, std::string>>> latest_snapshot(
      std::uint64_t at_or_before) const = 0;
  // Visits the snapshots at or before `at_or_before`, newest first, until `visit` returns false.
  // `bytes` is valid only during the call: the RocksDB journal hands out the table's own bytes
  // instead of a copy (a snapshot is hundreds of MB, read when recovery waits for it). The
  // default walks latest_snapshot().
  virtual Status visit_snapshots(
      std::uint64_t at_or_before,
      const std::function<bool(std::uint64_t sequence, std::string_view bytes)>& visit) const;

  virtual Result<Stats> stats() const = 0;
  // Checks sequence continuity, decodability, index agreement and snapshot placement.
  // (Snapshot-vs-replay equality is checked by replay::verify, which can rebuild projections.)
  virtual Result<VerifyReport> verify() const = 0;
};

}  // namespace at::journal
