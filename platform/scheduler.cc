#include "platform/scheduler.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace at {

void ManualScheduler::at(std::int64_t at_ns, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  tasks_.emplace(at_ns, std::move(fn));
}

int ManualScheduler::run_due() {
  int n = 0;
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mu_);
      if (tasks_.empty() || tasks_.begin()->first > clock_.monotonic_ns()) break;
      fn = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
    }
    fn();
    ++n;
  }
  return n;
}

int ManualScheduler::advance(std::int64_t ns) {
  const std::int64_t end = clock_.monotonic_ns() + ns;
  int n = run_due();
  for (;;) {
    std::int64_t next = next_due();
    if (next < 0 || next > end) break;
    if (next > clock_.monotonic_ns()) clock_.advance_ns(next - clock_.monotonic_ns());
    n += run_due();
  }
  if (end > clock_.monotonic_ns()) clock_.advance_ns(end - clock_.monotonic_ns());
  return n + run_due();
}

int ManualScheduler::run_all(int limit) {
  int n = run_due();
  while (n < limit) {
    std::int64_t next = next_due();
    if (next < 0) break;
    if (next > clock_.monotonic_ns()) clock_.advance_ns(next - clock_.monotonic_ns());
    n += run_due();
  }
  return n;
}

std::size_t ManualScheduler::pending() const {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

std::int64_t ManualScheduler::next_due() const {
  std::lock_guard lock(mu_);
  return tasks_.empty() ? -1 : tasks_.begin()->first;
}

void AsioScheduler::at(std::int64_t at_ns, std::function<void()> fn) {
  std::int64_t delay = at_ns - clock_.monotonic_ns();
  if (delay <= 0) {
    boost::asio::post(executor_, std::move(fn));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(executor_);
  timer->expires_after(std::chrono::nanoseconds(delay));
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

}  // namespace at
