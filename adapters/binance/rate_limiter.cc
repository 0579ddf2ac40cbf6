#include "adapters/binance/rate_limiter.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace at::binance {

namespace {
bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

RateLimiter::RateLimiter() : RateLimiter(Options{}) {}

RateLimiter::RateLimiter(Options options) : opt_(options) {
  set_limits({{"REQUEST_WEIGHT", "MINUTE", 1, 6000},
              {"ORDERS", "SECOND", 10, 50},
              {"ORDERS", "DAY", 1, 160000}});
}

void RateLimiter::set_limits(const std::vector<RateLimitRule>& rules) {
  std::map<std::int64_t, Counter> w, o;
  for (const auto& r : rules) {
    std::int64_t win = r.window_ms();
    if (win <= 0 || r.limit <= 0) continue;
    auto* target = r.type == "REQUEST_WEIGHT" ? &w : r.type == "ORDERS" ? &o : nullptr;
    if (!target) continue;
    Counter c;
    c.window_ms = win;
    c.limit = r.limit;
    // Keep what we already know of the current usage.
    auto& old = r.type == "REQUEST_WEIGHT" ? weight_ : orders_;
    if (auto it = old.find(win); it != old.end()) {
      c.used = it->second.used;
      c.window_start_ms = it->second.window_start_ms;
    }
    (*target)[win] = c;
  }
  if (!w.empty()) weight_ = std::move(w);
  if (!o.empty()) orders_ = std::move(o);
}

std::int64_t RateLimiter::window_of(std::string_view s) {
  if (s.size() < 2) return 0;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || p != s.data() + s.size() - 1 || n <= 0) return 0;
  switch (std::toupper(static_cast<unsigned char>(s.back()))) {
    case 'S':
      return n * 1000;
    case 'M':
      return n * 60'000;
    case 'H':
      return n * 3'600'000;
    case 'D':
      return n * 86'400'000;
  }
  return 0;
}

bool RateLimiter::observe_header(std::string_view name, std::string_view value,
                                 std::int64_t now_ms) {
  static constexpr std::string_view kWeight = "X-MBX-USED-WEIGHT-";
  static constexpr std::string_view kOrders = "X-MBX-ORDER-COUNT-";
  std::map<std::int64_t, Counter>* target = nullptr;
  std::string_view suffix;
  if (iequals_prefix(name, kWeight)) {
    target = &weight_;
    suffix = name.substr(kWeight.size());
  } else if (iequals_prefix(name, kOrders)) {
    target = &orders_;
    suffix = name.substr(kOrders.size());
  } else {
    return false;
  }
  std::int64_t win = window_of(suffix);
  std::int64_t used = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), used);
  if (win <= 0 || ec != std::errc()) return false;
  Counter& c = (*target)[win];  // a window we have no limit for is tracked, not enforced
  c.window_ms = win;
  c.set(used, now_ms);
  return true;
}

void RateLimiter::on_rate_limited(std::int64_t retry_after_ms, std::int64_t now_ms) {
  banned_until_ms_ = std::max(banned_until_ms_, now_ms + std::max<std::int64_t>(retry_after_ms, 1));
}

std::int64_t RateLimiter::wait_for(const Counter& c, std::int64_t add, std::int64_t now_ms) const {
  if (c.limit <= 0) return 0;
  auto allowed = static_cast<std::int64_t>(static_cast<double>(c.limit) * opt_.threshold);
  if (c.current(now_ms) + add <= allowed) return 0;
  // Wait for the next window (plus a little, for clock offset error).
  return c.window_ms - now_ms % c.window_ms + 50;
}

Result<std::int64_t> RateLimiter::admit(int weight, bool is_order, std::int64_t now_ms) const {
  if (now_ms < banned_until_ms_) {
    Error e = make_error(ErrorKind::kRateLimited,
                         "binance: rate limited by the venue; nothing is sent for another " +
                             std::to_string(banned_until_ms_ - now_ms) + " ms");
    e.retry_after_ms = banned_until_ms_ - now_ms;
    return e;
  }
  std::int64_t wait = 0;
  for (const auto& [w, c] : weight_) wait = std::max(wait, wait_for(c, weight, now_ms));
  if (is_order)
    for (const auto& [w, c] : orders_) wait = std::max(wait, wait_for(c, 1, now_ms));
  if (wait > opt_.max_wait_ms) {
    Error e =
        make_error(ErrorKind::kRateLimited, "binance: close to a rate limit; next window in " +
                                                std::to_string(wait) + " ms");
    e.retry_after_ms = wait;
    return e;
  }
  return wait;
}

void RateLimiter::record_sent(int weight, bool is_order, std::int64_t now_ms) {
  for (auto& [w, c] : weight_) c.add(weight, now_ms);
  if (is_order)
    for (auto& [w, c] : orders_) c.add(1, now_ms);
}

std::int64_t RateLimiter::used_weight(std::int64_t now_ms) const {
  auto it = weight_.find(60000);
  return it == weight_.end() ? 0 : it->second.current(now_ms);
}

}  // namespace at::binance
