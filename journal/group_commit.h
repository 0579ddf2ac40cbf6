// GroupCommitter: many producers, one journal writer, few fsyncs.
//
// Producers submit() events with a completion callback. A writer thread takes everything
// queued, appends it as one WriteBatch (Journal::append_unsynced) and hands the batch to a
// syncer thread; the syncer fsyncs the WAL once for every batch written since its last sync
// (Journal::sync) and only then completes their callbacks. So:
//   * every event is reported durable only after an fsync that covers it;
//   * while one fsync is in flight, the writer already encodes and writes the next batch, so
//     one fsync covers everything that arrived during the previous one (events per fsync grows
//     with the load; latency stays near one to two fsyncs);
//   * a small batch written while nothing else is queued and the syncer is idle is fsynced by
//     the writer itself, which saves a thread hand-off when requests come one at a time.
// With a journal opened in kBatch or kNone the syncer does not fsync (Journal::append's own
// policy applies) and completions follow the write.
//
// Callbacks run on the syncer thread (or the writer thread, for a batch it synced itself), in
// submission order, and must be quick (post to your own executor). A failed write or sync completes
// the affected callbacks with the error; the journal then refuses every later append, so every
// later submission fails too.
//
// Thread-safety: submit()/append() from any number of threads. The journal must not be
// appended to by anyone else while the committer runs. Ownership: the committer borrows the
// journal, which must outlive it. The destructor completes everything queued, then joins.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "journal/journal.h"

namespace at::journal {

struct GroupCommitOptions {
  // At most this many events per WriteBatch (bounds a batch's size and latency).
  std::size_t max_batch_events = 8192;
  // submit() blocks while this many events are queued and not yet written (back-pressure).
  std::size_t max_queued_events = 1 << 18;
  // Emptied request vectors kept for take_buffer() (their capacity is what is reused).
  std::size_t spare_buffers = 4;
  // A batch of at most this many events, written when nothing else is queued and the syncer
  // is idle, is fsynced by the writer itself: a lone small batch (one decision at a time)
  // saves the hand-off to the syncer thread, a wake-up that costs tens of µs on a VM. Larger
  // batches, or any batch under load, are fsynced by the syncer while the writer goes on
  // writing. 0: always the syncer.
  std::size_t inline_sync_max_events = 64;
};

class GroupCommitter {
 public:
  // Receives the sequence of the request's first event, or the error.
  using Callback = std::function<void(const Result<std::uint64_t>&)>;

  struct Counters {
    std::uint64_t events = 0;        // events written
    std::uint64_t batches = 0;       // WriteBatches written
    std::uint64_t syncs = 0;         // fsyncs done
    std::uint64_t inline_syncs = 0;  // of which the writer did itself
  };

  explicit GroupCommitter(Journal& journal, GroupCommitOptions options = {});
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `events` (consecutive sequences, one WriteBatch) and returns at once; `done` is
  // called once they are durable or failed. After stop(), `done` gets kIo at once.
  void submit(std::vector<PendingEvent> events, Callback done);
  void submit(PendingEvent event, Callback done);
  // submit() and wait for the outcome.
  Result<std::uint64_t> append(std::vector<PendingEvent> events);
  // An empty vector, with the capacity of one that an earlier submit() handed in when there is
  // one spare: staging the next batch into it spares the allocations of growing a new one.
  std::vector<PendingEvent> take_buffer();

  // Completes everything queued, then stops the threads. Idempotent.
  void stop();
  Counters counters() const;

 private:
  struct Request {
    std::vector<PendingEvent> events;
    Callback done;
  };
  struct Written {
    std::vector<Callback> done;
    std::vector<Result<std::uint64_t>> results;
  };

  void writer_loop();
  void syncer_loop();
  // Appends `events` (one WriteBatch) and queues their completions for the syncer, or syncs
  // and completes them itself (GroupCommitOptions::inline_sync_max_events). Called by the
  // writer thread, without mu_ held.
  void write(std::span<const PendingEvent> events, std::vector<Request>& requests);
  // fsyncs for the written batches `todo` and completes their callbacks, in order; the writer
  // thread (`by_writer`) or the syncer.
  void sync_and_complete(std::span<Written> todo, bool by_writer);

  Journal& journal_;
  GroupCommitOptions options_;
  const bool fsync_ = false;  // journal opened kSync: the syncer fsyncs

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;   // writer waits for requests
  std::condition_variable space_cv_;   // producers wait for room
  std::condition_variable synced_cv_;  // syncer waits for written batches
  std::deque<Request> queue_;
  std::size_t queued_events_ = 0;
  std::vector<Written> written_;  // written, waiting for the covering fsync
  bool syncer_busy_ = false;      // the syncer holds batches it has not completed yet
  std::vector<std::vector<PendingEvent>> spare_;
  bool stopping_ = false;
  bool writer_done_ = false;
  Counters counters_;

  std::thread writer_;
  std::thread syncer_;
};

}  // namespace at::journal
