#include "replay/replay.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "journal/codec.h"
#include "platform/thread_name.h"

namespace at::replay {

Result<std::uint64_t> resolve(const journal::Journal& journal, const AsOf& as_of) {
  const std::uint64_t last = journal.last_sequence();
  switch (as_of.kind) {
    case AsOf::Kind::kLatest:
      return last;
    case AsOf::Kind::kSequence:
      return std::min(as_of.sequence, last);
    case AsOf::Kind::kTime: {
      if (as_of.recorded_ns == std::numeric_limits<std::int64_t>::max()) return last;
      auto first_after = journal.first_sequence_at_or_after(as_of.recorded_ns + 1);
      if (!first_after) return first_after.error();
      std::uint64_t s = *first_after;
      return s == 0 ? 0 : std::min(s - 1, last);
    }
  }
  return last;
}

namespace {

// Below this many events a second thread costs more than it saves.
constexpr std::uint64_t kPipelineMinEvents = 20000;
constexpr std::size_t kBatchEvents = 2048;

// Two-stage replay for long ranges, one stage per core: a reader thread iterates the journal
// and decodes into batches of envelopes; this thread applies them, in sequence order, so the
// result is byte for byte what the serial fold gives. Batches circulate between a free list
// and a full list (three of them: one being filled, one being applied, one spare); decoding
// into a recycled envelope reuses its storage. Hand-offs block on condition variables: no
// spinning. An error stops the reader after the events before it, which are still applied,
// exactly as the serial path does.
Status visit_pipelined(const journal::Journal& journal, std::uint64_t from, std::uint64_t to,
                       const std::function<void(const Envelope&)>& apply, std::uint64_t& n) {
  struct Batch {
    std::vector<Envelope> envs = std::vector<Envelope>(kBatchEvents);
    std::size_t size = 0;
  };
  std::vector<Batch> batches(3);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Batch*> free_list, full_list;
  for (auto& b : batches) free_list.push_back(&b);
  bool reader_done = false, stop = false;
  Status reader_status;

  std::thread reader([&] {
    name_this_thread("at-replay-read");
    Batch* cur = nullptr;
    auto take_free = [&]() -> bool {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stop || !free_list.empty(); });
      if (stop) return false;
      cur = free_list.front();
      free_list.pop_front();
      cur->size = 0;
      return true;
    };
    auto hand_over = [&] {
      {
        std::lock_guard lock(mu);
        full_list.push_back(cur);
      }
      cur = nullptr;
      cv.notify_all();
    };
    std::uint64_t expected = from;
    Status st = journal.read_raw(from, to, [&](std::string_view bytes) {
      if (!cur && !take_free()) return false;
      auto d = journal::decode_into(bytes, cur->envs[cur->size]);
      if (!d) {
        reader_status =
            make_error(ErrorKind::kCorruption,
                       "events: sequence " + std::to_string(expected) + ": " + d.error().message);
        return false;
      }
      ++expected;
      if (++cur->size == kBatchEvents) hand_over();
      return true;
    });
    if (cur && cur->size > 0) hand_over();
    std::lock_guard lock(mu);
    if (reader_status.ok() && !st.ok()) reader_status = st;
    reader_done = true;
    cv.notify_all();
  });

  for (;;) {
    Batch* b = nullptr;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return reader_done || !full_list.empty(); });
      if (full_list.empty()) break;
      b = full_list.front();
      full_list.pop_front();
    }
    for (std::size_t i = 0; i < b->size; ++i) apply(b->envs[i]);
    n += b->size;
    {
      std::lock_guard lock(mu);
      free_list.push_back(b);
    }
    cv.notify_all();
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  reader.join();
  return reader_status;
}

}  // namespace

Status for_each_event(const journal::Journal& journal, std::uint64_t from, std::uint64_t to,
                      const std::function<void(const Envelope&)>& apply, std::uint64_t* visited) {
  if (from > to) return {};
  std::uint64_t n = 0;
  Status st;
  if (to - from + 1 >= kPipelineMinEvents && std::thread::hardware_concurrency() > 1) {
    st = visit_pipelined(journal, from, to, apply, n);
  } else {
    st = journal.read(from, to, [&](const Envelope& e) {
      apply(e);
      ++n;
      return true;
    });
  }
  if (visited) *visited += n;
  return st;
}

Status catch_up(const journal::Journal& journal, Projections& state, std::uint64_t to,
                std::uint64_t* applied) {
  return for_each_event(
      journal, state.last_sequence() + 1, to, [&](const Envelope& e) { state.apply(e); }, applied);
}

Result<Replayed> replay(const journal::Journal& journal, const AsOf& to,
                        const ReplayOptions& options) {
  auto target = resolve(journal, to);
  if (!target) return target.error();
  Replayed out{Projections(options.projections), {}};
  out.info.to_sequence = *target;
  if (options.use_snapshots && *target > 0) {
    // Newest first; parsed straight from the journal's bytes (no copy of the snapshot).
    Status st = journal.visit_snapshots(*target, [&](std::uint64_t seq, std::string_view bytes) {
      if (auto o = Projections::options_of(bytes); o && *o != options.projections) return true;
      auto parsed = Projections::parse(bytes);
      if (parsed && parsed->last_sequence() == seq) {
        out.state = std::move(parsed.value());
        out.info.snapshot_sequence = seq;
        return false;
      }
      out.info.warnings.push_back(
          "snapshot at sequence " + std::to_string(seq) + " skipped: " +
          (parsed ? "it holds sequence " + std::to_string(parsed->last_sequence())
                  : parsed.error().message));
      return seq > 1;
    });
    if (!st) return st.error();
  }
  Status st = catch_up(journal, out.state, *target, &out.info.events_applied);
  if (!st) return st.error();
  return out;
}

Result<projections::ProjectionOptions> newest_snapshot_options(const journal::Journal& journal,
                                                               const AsOf& to) {
  auto target = resolve(journal, to);
  if (!target) return target.error();
  projections::ProjectionOptions out;
  if (*target == 0) return out;
  Status st = journal.visit_snapshots(*target, [&](std::uint64_t, std::string_view bytes) {
    auto o = Projections::options_of(bytes);
    if (!o) return true;  // another version: replay passes over it too
    out = *o;
    return false;
  });
  if (!st) return st.error();
  return out;
}

// --- Snapshotter -----------------------------------------------------------------------------

Snapshotter::Snapshotter(journal::Journal& journal, std::uint64_t every_events,
                         std::uint64_t last_snapshot_sequence)
    : journal_(journal),
      every_(std::max<std::uint64_t>(every_events, 1)),
      last_(last_snapshot_sequence) {}

Result<bool> Snapshotter::maybe_snapshot(const Projections& state) {
  if (state.last_sequence() < last_ + every_) return false;
  Status st = snapshot(state);
  if (!st) return st.error();
  return true;
}

Status Snapshotter::snapshot(const Projections& state) {
  if (state.last_sequence() == 0 || state.last_sequence() == last_) return {};
  buffer_.clear();
  state.serialize_to(buffer_);
  Status st = journal_.put_snapshot(state.last_sequence(), buffer_);
  if (!st) return st;
  last_ = state.last_sequence();
  ++written_;
  return {};
}

// --- verify ----------------------------------------------------------------------------------

Result<SnapshotVerifyReport> verify_snapshots(const journal::Journal& journal) {
  SnapshotVerifyReport report;
  std::vector<std::uint64_t> seqs;  // every snapshot's sequence, oldest first
  Status listed = journal.visit_snapshots(std::numeric_limits<std::uint64_t>::max(),
                                          [&](std::uint64_t seq, std::string_view) {
                                            seqs.push_back(seq);
                                            return true;
                                          });
  if (!listed) return listed.error();
  std::reverse(seqs.begin(), seqs.end());
  const std::uint64_t last = journal.last_sequence();
  auto issue = [&](std::uint64_t seq, std::string problem) {
    report.issues.push_back({seq, "snapshots", std::move(problem)});
  };

  // One replay per set of options the snapshots were taken with (keyed by the archive age).
  std::map<std::int64_t, Projections> states;
  for (std::uint64_t seq : seqs) {
    if (seq > last) {
      issue(seq, "snapshot at sequence " + std::to_string(seq) +
                     " is beyond the journal's last sequence " + std::to_string(last));
      continue;
    }
    auto snap = journal.latest_snapshot(seq);
    if (!snap) return snap.error();
    if (!snap->has_value() || (*snap)->first != seq) {
      report.checked.push_back(seq);
      issue(seq, "snapshot at sequence " + std::to_string(seq) + " vanished during verify");
      continue;
    }
    const projections::ProjectionOptions options =
        Projections::options_of((*snap)->second).value_or(projections::ProjectionOptions());
    Projections& state =
        states.try_emplace(options.archive_after_ns, Projections(options)).first->second;
    Status st = catch_up(journal, state, seq);
    if (!st) return st.error();
    report.checked.push_back(seq);
    if (auto v = Projections::format_version((*snap)->second);
        v && *v < Projections::kFormatVersion) {
      report.outdated.push_back(
          {seq, "snapshots",
           "snapshot at sequence " + std::to_string(seq) + " is in format v" + std::to_string(*v) +
               " of an earlier build (this one writes v" +
               std::to_string(Projections::kFormatVersion) + "); recovery skips it"});
      continue;
    }
    auto parsed = Projections::parse((*snap)->second);
    if (!parsed) {
      issue(seq, "snapshot at sequence " + std::to_string(seq) +
                     " is undecodable: " + parsed.error().message);
      continue;
    }
    if (parsed->last_sequence() != seq) {
      issue(seq, "snapshot at sequence " + std::to_string(seq) + " holds projections as of " +
                     std::to_string(parsed->last_sequence()));
      continue;
    }
    std::string replayed = state.serialize();
    std::string stored = parsed->serialize();
    if (replayed != stored) {
      issue(seq, "snapshot at sequence " + std::to_string(seq) +
                     " differs from a replay to that sequence (" +
                     Projections::first_difference(stored, replayed) + ")");
    }
  }
  return report;
}

}  // namespace at::replay
