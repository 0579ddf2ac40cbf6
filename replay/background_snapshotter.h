// BackgroundSnapshotter: snapshots without stalling the writer.
//
// It keeps its own copy of the projections on a thread of its own. When the writer has made
// events up to some sequence durable it calls request(seq); the thread catches its copy up
// from the journal (catch_up: the snapshot is exactly a replay of the journal, recorded times
// included) and writes it to the snapshots topic. Requests that arrive while a snapshot is
// being taken coalesce into one for the highest sequence. The writer never pays for reading,
// applying or serializing.
//
// Thread-safety: request() from any one thread. The journal must outlive the snapshotter and
// support reads and put_snapshot() concurrently with appends (RocksJournal does). The
// destructor finishes the snapshot in progress, drops the rest and joins.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "domain/result.h"
#include "journal/journal.h"
#include "projections/projections.h"
#include "replay/replay.h"

namespace at::replay {

class BackgroundSnapshotter {
 public:
  // Called on the snapshotter's thread when a snapshot could not be taken at `sequence`.
  using OnError = std::function<void(std::uint64_t sequence, const Error& error)>;

  // `state`: the projections as of some sequence of `journal` (a replay's result).
  BackgroundSnapshotter(journal::Journal& journal, projections::Projections state,
                        OnError on_error);
  ~BackgroundSnapshotter();
  BackgroundSnapshotter(const BackgroundSnapshotter&) = delete;
  BackgroundSnapshotter& operator=(const BackgroundSnapshotter&) = delete;

  // Take a snapshot at `sequence` (every event up to it must already be in the journal).
  void request(std::uint64_t sequence);
  // Blocks until every request made so far has been handled (tests, orderly shutdown).
  void wait_idle();
  // Snapshots written so far.
  std::uint64_t written() const;

 private:
  void run();

  journal::Journal& journal_;
  projections::Projections state_;  // only the thread touches it after construction
  // Writes the snapshots (its buffer is reused from one to the next); the thread's too.
  Snapshotter writer_;
  OnError on_error_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::uint64_t requested_ = 0;  // highest sequence asked for
  std::uint64_t handled_ = 0;    // highest sequence handled (written or failed)
  std::uint64_t written_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace at::replay
