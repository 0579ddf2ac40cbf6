#include "engine/scheduler.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace at::engine {

void ManualScheduler::at(std::int64_t at_ns, std::function<void()> fn) {
  tasks_.emplace(at_ns, std::move(fn));
}

int ManualScheduler::run_due() {
  int n = 0;
  // Bounded: a task that schedules another due task runs in the next call if it is past the
  // snapshot of `now`, so a zero-delay loop cannot spin forever here.
  const std::int64_t now = clock_.monotonic_ns();
  for (int guard = 0; guard < 1'000'000 && !tasks_.empty(); ++guard) {
    auto it = tasks_.begin();
    if (it->first > now) break;
    auto fn = std::move(it->second);
    tasks_.erase(it);
    fn();
    ++n;
  }
  return n;
}

void AsioScheduler::at(std::int64_t at_ns, std::function<void()> fn) {
  auto delay = std::chrono::nanoseconds(std::max<std::int64_t>(0, at_ns - clock_.monotonic_ns()));
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

}  // namespace at::engine
