// SystemClock: the real clock, for main() to hand to everything that needs time.
#pragma once

#include "domain/clock.h"

namespace at {

class SystemClock final : public Clock {
 public:
  std::int64_t now_ns() const override;
  std::int64_t monotonic_ns() const override;
};

}  // namespace at
