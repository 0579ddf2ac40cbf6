// Small, fully specified pseudo-random generators for deterministic simulations.
//
// std::uniform_int_distribution and friends may differ between standard libraries, so seeded
// output would change with the toolchain; these do not. SplitMix64 expands a seed, Xoshiro256**
// (Blackman & Vigna) draws; uniform() uses rejection so every value in range is equally likely.
//
// Thread-safety: a value type; one generator per thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace at::md {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t s_;
};

class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    SplitMix64 sm(seed);
    for (auto& v : s_) v = sm.next();
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [lo, hi] (inclusive); lo <= hi.
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    const std::uint64_t n = static_cast<std::uint64_t>(hi - lo) + 1;
    if (n == 0) return static_cast<std::int64_t>(next());  // the full 64-bit range
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return lo + static_cast<std::int64_t>(x % n);
  }

  // True with probability per_mille / 1000.
  bool chance(unsigned per_mille) { return uniform(0, 999) < static_cast<std::int64_t>(per_mille); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// FNV-1a: a stable 64-bit hash of text (for deriving per-symbol seeds).
inline std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace at::md
