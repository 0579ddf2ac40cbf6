#include "journal/group_commit.h"

#include <future>
#include <utility>

#include "platform/thread_name.h"

namespace at::journal {

GroupCommitter::GroupCommitter(Journal& journal, GroupCommitOptions options)
    : journal_(journal), options_(options), fsync_(journal.durability() == Durability::kSync) {
  if (options_.max_batch_events == 0) options_.max_batch_events = 1;
  if (options_.max_queued_events < options_.max_batch_events)
    options_.max_queued_events = options_.max_batch_events;
  writer_ = std::thread([this] { writer_loop(); });
  syncer_ = std::thread([this] { syncer_loop(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  space_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (syncer_.joinable()) syncer_.join();
}

void GroupCommitter::submit(PendingEvent event, Callback done) {
  std::vector<PendingEvent> v;
  v.push_back(std::move(event));
  submit(std::move(v), std::move(done));
}

void GroupCommitter::submit(std::vector<PendingEvent> events, Callback done) {
  std::unique_lock lock(mu_);
  // Back-pressure: wait for room (a request larger than the limit waits for an empty queue).
  space_cv_.wait(lock, [&] {
    return stopping_ || queued_events_ == 0 ||
           queued_events_ + events.size() <= options_.max_queued_events;
  });
  if (stopping_) {
    lock.unlock();
    done(make_error(ErrorKind::kIo, "group committer is stopped"));
    return;
  }
  queued_events_ += events.size();
  queue_.push_back(Request{std::move(events), std::move(done)});
  bool wake = queue_.size() == 1;
  lock.unlock();
  if (wake) queue_cv_.notify_one();
}

Result<std::uint64_t> GroupCommitter::append(std::vector<PendingEvent> events) {
  std::promise<Result<std::uint64_t>> p;
  auto f = p.get_future();
  submit(std::move(events), [&p](const Result<std::uint64_t>& r) { p.set_value(r); });
  return f.get();
}

GroupCommitter::Counters GroupCommitter::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

std::vector<PendingEvent> GroupCommitter::take_buffer() {
  std::lock_guard lock(mu_);
  if (spare_.empty()) return {};
  auto v = std::move(spare_.back());
  spare_.pop_back();
  return v;
}

void GroupCommitter::write(std::span<const PendingEvent> events, std::vector<Request>& requests) {
  auto first = fsync_ ? journal_.append_unsynced(events) : journal_.append(events);

  Written w;
  w.done.reserve(requests.size());
  w.results.reserve(requests.size());
  std::uint64_t seq = first ? *first : 0;
  for (auto& r : requests) {
    if (first) {
      w.results.emplace_back(seq);
      seq += r.events.size();
    } else {
      w.results.emplace_back(first.error());
    }
    w.done.push_back(std::move(r.done));
  }
  // Destroyed here, outside the lock; the emptied vectors keep their capacity.
  for (auto& r : requests) r.events.clear();
  bool sync_here = false;
  {
    std::lock_guard lock(mu_);
    if (first) {
      counters_.events += events.size();
      ++counters_.batches;
    }
    // Alone and small: nothing waits to be written, and every earlier batch is completed (so
    // completing this one now keeps submission order).
    sync_here = events.size() <= options_.inline_sync_max_events && queue_.empty() &&
                written_.empty() && !syncer_busy_;
    // Pushed in the same critical section that ends the write: written_ stays in write order.
    if (!sync_here) written_.push_back(std::move(w));
    for (auto& r : requests)
      if (spare_.size() < options_.spare_buffers) spare_.push_back(std::move(r.events));
  }
  if (!sync_here) {
    synced_cv_.notify_one();
    return;
  }
  sync_and_complete(std::span<Written>(&w, 1), /*by_writer=*/true);
}

void GroupCommitter::sync_and_complete(std::span<Written> todo, bool by_writer) {
  bool any_ok = false;
  for (auto& w : todo)
    for (auto& r : w.results) any_ok = any_ok || r.ok();
  if (fsync_ && any_ok) {
    // Every batch in `todo` was written before this call: one fsync covers them all.
    auto st = journal_.sync();
    {
      std::lock_guard lock(mu_);
      ++counters_.syncs;
      if (by_writer) ++counters_.inline_syncs;
    }
    if (!st)
      for (auto& w : todo)
        for (auto& r : w.results)
          if (r.ok()) r = st.error();
  }
  for (auto& w : todo)
    for (std::size_t i = 0; i < w.done.size(); ++i)
      if (w.done[i]) w.done[i](w.results[i]);
}

void GroupCommitter::writer_loop() {
  name_this_thread("at-jwriter");
  std::vector<Request> taken;
  std::vector<PendingEvent> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping and drained
        writer_done_ = true;
        lock.unlock();
        synced_cv_.notify_all();
        return;
      }
      std::size_t n = 0;
      taken.clear();
      while (!queue_.empty() &&
             (taken.empty() || n + queue_.front().events.size() <= options_.max_batch_events)) {
        n += queue_.front().events.size();
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= n;
    }
    space_cv_.notify_all();

    if (taken.size() == 1) {
      write(taken.front().events, taken);  // the usual case: one request, no copy
    } else {
      batch.clear();
      for (auto& r : taken)
        for (auto& e : r.events) batch.push_back(std::move(e));
      write(batch, taken);
    }
  }
}

void GroupCommitter::syncer_loop() {
  name_this_thread("at-jsyncer");
  std::vector<Written> todo;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      synced_cv_.wait(lock, [&] { return writer_done_ || !written_.empty(); });
      if (written_.empty()) return;  // writer finished and everything is completed
      todo.swap(written_);
      syncer_busy_ = true;
    }
    sync_and_complete(todo, /*by_writer=*/false);
    todo.clear();
    std::lock_guard lock(mu_);
    syncer_busy_ = false;
  }
}

}  // namespace at::journal
