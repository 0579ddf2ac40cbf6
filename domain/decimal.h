// Decimal: an exact base-10 number for prices, quantities and money.
//
// Value = mantissa / 10^scale, with a signed 128-bit mantissa (38 significant digits) and a
// scale of 0..18. The scale is kept, so text round-trips unchanged: "0.00001234" and
// "52000.00" print back exactly as parsed. Comparison is by value (1.0 == 1.00).
// Products whose scale would exceed 18 are rounded half-to-even to 18 places; results that do
// not fit 38 digits throw std::overflow_error (a value that large is a programmer error: every
// input reaches the engine through parse(), which rejects out-of-range text).
//
// Thread-safety: a value type; no shared state.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace at {

enum class Rounding : std::uint8_t { kHalfEven, kDown /* toward zero */, kUp /* away from zero */,
                                     kFloor, kCeiling };

class Decimal {
 public:
  static constexpr int kMaxScale = 18;
  using Int = __int128;

  constexpr Decimal() = default;
  static Decimal from_int(std::int64_t v) { return Decimal(v, 0); }
  // mantissa / 10^scale; scale must be 0..18.
  static Decimal from_raw(Int mantissa, int scale);
  // Parses "[-+]digits[.digits]" (also "1e-8" style exponents). Errors name the text.
  static Result<Decimal> parse(std::string_view text);
  // parse() for literals in code and tests; throws std::invalid_argument on bad text.
  static Decimal of(std::string_view text);

  Int mantissa() const { return m_; }
  int scale() const { return s_; }
  std::int64_t mantissa_hi() const { return static_cast<std::int64_t>(m_ >> 64); }
  std::uint64_t mantissa_lo() const { return static_cast<std::uint64_t>(m_); }
  static Decimal from_parts(std::int64_t hi, std::uint64_t lo, int scale) {
    return from_raw((static_cast<Int>(hi) << 64) | static_cast<Int>(lo), scale);
  }

  std::string to_string() const;
  bool is_zero() const { return m_ == 0; }
  bool is_negative() const { return m_ < 0; }
  bool is_positive() const { return m_ > 0; }
  int sign() const { return m_ < 0 ? -1 : (m_ > 0 ? 1 : 0); }
  Decimal abs() const { return m_ < 0 ? Decimal(-m_, s_) : *this; }
  Decimal operator-() const { return Decimal(-m_, s_); }

  // Same value, trailing fractional zeros removed ("1.500" -> "1.5").
  Decimal normalized() const;
  // The value at exactly `scale` places, rounded as asked when places are dropped.
  Decimal rescaled(int scale, Rounding r = Rounding::kHalfEven) const;
  // True when *this is an integer multiple of step (step > 0). Used for tick and lot rules.
  bool is_multiple_of(const Decimal& step) const;
  // Rounds to a multiple of step (step > 0).
  Decimal round_to_step(const Decimal& step, Rounding r) const;

  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  friend Decimal operator*(const Decimal& a, const Decimal& b);
  Decimal& operator+=(const Decimal& o) { return *this = *this + o; }
  Decimal& operator-=(const Decimal& o) { return *this = *this - o; }
  // a / b at `scale` places. b must not be zero (throws std::domain_error).
  static Decimal divide(const Decimal& a, const Decimal& b, int scale,
                        Rounding r = Rounding::kHalfEven);

  friend bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    int c = compare(a, b);
    return c < 0 ? std::strong_ordering::less
                 : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
  // Exact identity, including scale ("1.0" vs "1.00" differ). For codec round-trip tests.
  bool identical(const Decimal& o) const { return m_ == o.m_ && s_ == o.s_; }

 private:
  constexpr Decimal(Int m, int s) : m_(m), s_(static_cast<std::uint8_t>(s)) {}
  static int compare(const Decimal& a, const Decimal& b);

  Int m_ = 0;
  std::uint8_t s_ = 0;
};

using Price = Decimal;
using Quantity = Decimal;
using Money = Decimal;

}  // namespace at
