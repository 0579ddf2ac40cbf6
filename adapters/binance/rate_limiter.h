// RateLimiter: keeps the adapter under Binance's limits so that the venue never has to refuse.
//
// Inputs: the limits from exchangeInfo.rateLimits (REQUEST_WEIGHT, ORDERS), the usage the
// venue reports in X-MBX-USED-WEIGHT-<n><u> / X-MBX-ORDER-COUNT-<n><u> headers, and 429/418
// answers with Retry-After. Binance counts in fixed windows aligned to the epoch (a minute
// window starts at hh:mm:00 server time), so "wait" means "until the current window ends".
// Before each request admit() answers: go now, wait N ms (usage would cross `threshold` of a
// limit), or refuse (banned: nothing may be sent until the ban ends; or the wait would exceed
// max_wait_ms, e.g. the daily order count).
// All times are the venue's clock in ms (local clock + measured offset), passed in by the
// caller, so tests drive it with a manual clock. Pure; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/binance/codec.h"
#include "domain/result.h"

namespace at::binance {

class RateLimiter {
 public:
  struct Options {
    double threshold = 0.8;            // slow down above this share of a limit
    std::int64_t max_wait_ms = 15000;  // longer waits are returned as kRateLimited
  };
  RateLimiter();
  explicit RateLimiter(Options options);

  // Replaces the limits (exchangeInfo.rateLimits). Defaults until then: 6000 weight/minute,
  // 50 orders/10 s, 160000 orders/day (the documented examples).
  void set_limits(const std::vector<RateLimitRule>& rules);

  // Usage reported by a response header, e.g. ("X-MBX-USED-WEIGHT-1M", "1200"). Unknown
  // headers are ignored; returns true when the header was a usage header.
  bool observe_header(std::string_view name, std::string_view value, std::int64_t now_ms);
  // A 429/418 answer: nothing may be sent before now + retry_after_ms.
  void on_rate_limited(std::int64_t retry_after_ms, std::int64_t now_ms);

  // Before sending a request of `weight` (and one order when `is_order`). ok(0) = go now,
  // ok(n) = wait n ms first, kRateLimited (retry_after_ms set) = do not send.
  Result<std::int64_t> admit(int weight, bool is_order, std::int64_t now_ms) const;
  // The request went out: count it until the venue's next header corrects the estimate.
  void record_sent(int weight, bool is_order, std::int64_t now_ms);

  std::int64_t banned_until_ms() const { return banned_until_ms_; }
  std::int64_t used_weight(std::int64_t now_ms) const;

 private:
  struct Counter {
    std::int64_t window_ms = 60000;
    std::int64_t limit = 0;  // 0 = unknown, not enforced
    std::int64_t used = 0;
    std::int64_t window_start_ms = 0;
    std::int64_t current(std::int64_t now_ms) const {
      return now_ms - now_ms % window_ms == window_start_ms ? used : 0;
    }
    void set(std::int64_t value, std::int64_t now_ms) {
      window_start_ms = now_ms - now_ms % window_ms;
      used = value;
    }
    void add(std::int64_t n, std::int64_t now_ms) { set(current(now_ms) + n, now_ms); }
  };
  // "<n><unit>" -> window in ms (e.g. "1M" -> 60000); 0 when unparsable.
  static std::int64_t window_of(std::string_view suffix);
  std::int64_t wait_for(const Counter& c, std::int64_t add, std::int64_t now_ms) const;

  Options opt_;
  std::map<std::int64_t, Counter> weight_;  // by window length
  std::map<std::int64_t, Counter> orders_;
  std::int64_t banned_until_ms_ = 0;
};

}  // namespace at::binance
