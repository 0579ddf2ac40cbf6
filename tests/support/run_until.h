// Bounded waiting for tests that drive an io_context: shared by every test layer.
// Header-only on purpose: tests/CMakeLists.txt turns each folder with .cc files into a test
// executable, and this folder must stay a plain include directory.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace at::testing {

// Runs `ioc` until pred() holds or `limit_ms` of real time passed (a safety net, not a wait:
// the predicate is checked after every handler). Returns whether pred() held.
inline bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& pred,
                      int limit_ms = 5000) {
  auto guard = boost::asio::make_work_guard(ioc);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  if (ioc.stopped()) ioc.restart();
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ioc.run_one_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace at::testing
