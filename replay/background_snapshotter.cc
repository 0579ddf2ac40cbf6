#include "replay/background_snapshotter.h"

#include <utility>

#include "platform/thread_name.h"
#include "replay/replay.h"

namespace at::replay {

BackgroundSnapshotter::BackgroundSnapshotter(journal::Journal& journal,
                                             projections::Projections state, OnError on_error)
    : journal_(journal),
      state_(std::move(state)),
      writer_(journal, /*every_events=*/1),
      on_error_(std::move(on_error)) {
  handled_ = requested_ = state_.last_sequence();
  thread_ = std::thread([this] { run(); });
}

BackgroundSnapshotter::~BackgroundSnapshotter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundSnapshotter::request(std::uint64_t sequence) {
  {
    std::lock_guard lock(mu_);
    if (sequence <= requested_) return;
    requested_ = sequence;
  }
  cv_.notify_one();
}

void BackgroundSnapshotter::wait_idle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return stopping_ || handled_ >= requested_; });
}

std::uint64_t BackgroundSnapshotter::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

void BackgroundSnapshotter::run() {
  name_this_thread("at-snapshot");
  for (;;) {
    std::uint64_t target = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || requested_ > handled_; });
      if (stopping_) break;
      target = requested_;
    }
    Status st = catch_up(journal_, state_, target);
    if (st && state_.last_sequence() != target)
      st = make_error(ErrorKind::kCorruption, "snapshot: the journal ends at " +
                                                  std::to_string(state_.last_sequence()) +
                                                  ", expected " + std::to_string(target));
    if (st) st = writer_.snapshot(state_);
    if (!st && on_error_) on_error_(target, st.error());
    {
      std::lock_guard lock(mu_);
      handled_ = target;
      if (st) ++written_;
    }
    idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

}  // namespace at::replay
