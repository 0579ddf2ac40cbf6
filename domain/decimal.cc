#include "domain/decimal.h"

#include <stdexcept>

namespace at {
namespace {

using Int = Decimal::Int;
using UInt = unsigned __int128;

constexpr Int kPow10[39] = {
    Int(1), Int(10), Int(100), Int(1000), Int(10000), Int(100000), Int(1000000), Int(10000000),
    Int(100000000), Int(1000000000), Int(10000000000LL), Int(100000000000LL),
    Int(1000000000000LL), Int(10000000000000LL), Int(100000000000000LL),
    Int(1000000000000000LL), Int(10000000000000000LL), Int(100000000000000000LL),
    Int(1000000000000000000LL), Int(1000000000000000000LL) * 10,
    Int(1000000000000000000LL) * 100, Int(1000000000000000000LL) * 1000,
    Int(1000000000000000000LL) * 10000, Int(1000000000000000000LL) * 100000,
    Int(1000000000000000000LL) * 1000000, Int(1000000000000000000LL) * 10000000,
    Int(1000000000000000000LL) * 100000000, Int(1000000000000000000LL) * 1000000000,
    Int(1000000000000000000LL) * 10000000000LL, Int(1000000000000000000LL) * 100000000000LL,
    Int(1000000000000000000LL) * 1000000000000LL, Int(1000000000000000000LL) * 10000000000000LL,
    Int(1000000000000000000LL) * 100000000000000LL,
    Int(1000000000000000000LL) * 1000000000000000LL,
    Int(1000000000000000000LL) * 10000000000000000LL,
    Int(1000000000000000000LL) * 100000000000000000LL,
    Int(1000000000000000000LL) * 1000000000000000000LL,
    Int(1000000000000000000LL) * 1000000000000000000LL * 10,
    Int(1000000000000000000LL) * 1000000000000000000LL * 100,
};
// 10^38 is the largest power below 2^127; mantissas are limited to 38 digits.
constexpr Int kMaxMantissa = kPow10[38] - 1;

[[noreturn]] void overflow(const char* what) {
  throw std::overflow_error(std::string("decimal overflow in ") + what);
}

Int checked_mul(Int a, Int b, const char* what) {
  Int r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxMantissa || r < -kMaxMantissa) overflow(what);
  return r;
}

Int checked_add(Int a, Int b, const char* what) {
  Int r;
  if (__builtin_add_overflow(a, b, &r) || r > kMaxMantissa || r < -kMaxMantissa) overflow(what);
  return r;
}

// q = n / d rounded as asked (d > 0).
Int div_round(Int n, Int d, Rounding r) {
  Int q = n / d;
  Int rem = n % d;
  if (rem == 0) return q;
  bool neg = n < 0;
  Int arem = rem < 0 ? -rem : rem;
  bool away = false;
  switch (r) {
    case Rounding::kDown: away = false; break;
    case Rounding::kUp: away = true; break;
    case Rounding::kFloor: away = neg; break;
    case Rounding::kCeiling: away = !neg; break;
    case Rounding::kHalfEven: {
      Int twice = arem * 2;  // arem < d <= 10^38/ ... safe: d fits, 2*arem < 2^127
      if (twice > d) away = true;
      else if (twice == d) away = (q % 2) != 0;
      break;
    }
  }
  if (away) q += neg ? -1 : 1;
  return q;
}

}  // namespace

Decimal Decimal::from_raw(Int mantissa, int scale) {
  if (scale < 0 || scale > kMaxScale) throw std::invalid_argument("decimal scale out of range");
  if (mantissa > kMaxMantissa || mantissa < -kMaxMantissa) overflow("from_raw");
  return Decimal(mantissa, scale);
}

Result<Decimal> Decimal::parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return make_error(ErrorKind::kInvalidArgument,
                      std::string("invalid decimal '") + std::string(text.substr(0, 64)) +
                          "': " + why);
  };
  std::size_t i = 0, n = text.size();
  if (n == 0) return bad("empty");
  bool neg = false;
  if (text[i] == '+' || text[i] == '-') {
    neg = text[i] == '-';
    ++i;
  }
  Int m = 0;
  int digits = 0, scale = 0;
  bool seen_dot = false, any_digit = false;
  for (; i < n; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (m != 0 || c != '0') ++digits;
      if (digits > 38) return bad("more than 38 significant digits");
      m = m * 10 + (c - '0');
      if (seen_dot) ++scale;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (c == 'e' || c == 'E') {
      break;
    } else {
      return bad("unexpected character");
    }
  }
  if (!any_digit) return bad("no digits");
  if (i < n) {  // exponent
    ++i;
    bool eneg = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      eneg = text[i] == '-';
      ++i;
    }
    if (i >= n) return bad("empty exponent");
    int e = 0;
    for (; i < n; ++i) {
      if (text[i] < '0' || text[i] > '9') return bad("bad exponent");
      e = e * 10 + (text[i] - '0');
      if (e > 100) return bad("exponent out of range");
    }
    scale += eneg ? e : -e;
    if (scale < 0) {
      if (digits - scale > 38) return bad("out of range");
      m *= kPow10[-scale];
      scale = 0;
    }
  }
  if (scale > kMaxScale) {
    // Accept extra trailing zeros; refuse real precision beyond 18 places.
    while (scale > kMaxScale && m % 10 == 0) {
      m /= 10;
      --scale;
    }
    if (scale > kMaxScale) return bad("more than 18 decimal places");
  }
  return Decimal(neg ? -m : m, scale);
}

Decimal Decimal::of(std::string_view text) {
  auto r = parse(text);
  if (!r) throw std::invalid_argument(r.error().message);
  return *r;
}

std::string Decimal::to_string() const {
  UInt a = m_ < 0 ? static_cast<UInt>(-m_) : static_cast<UInt>(m_);
  char buf[64];
  int p = 63;
  buf[p] = '\0';
  int written = 0;
  do {
    buf[--p] = static_cast<char>('0' + static_cast<int>(a % 10));
    a /= 10;
    ++written;
    if (written == s_ && s_ > 0) buf[--p] = '.';
  } while (a != 0 || written < s_);
  if (s_ > 0 && buf[p] == '.') buf[--p] = '0';
  if (m_ < 0) buf[--p] = '-';
  return std::string(buf + p);
}

Decimal Decimal::normalized() const {
  Int m = m_;
  int s = s_;
  while (s > 0 && m % 10 == 0) {
    m /= 10;
    --s;
  }
  return Decimal(m, s);
}

Decimal Decimal::rescaled(int scale, Rounding r) const {
  if (scale < 0 || scale > kMaxScale) throw std::invalid_argument("decimal scale out of range");
  if (scale == s_) return *this;
  if (scale > s_) return Decimal(checked_mul(m_, kPow10[scale - s_], "rescale"), scale);
  return Decimal(div_round(m_, kPow10[s_ - scale], r), scale);
}

int Decimal::compare(const Decimal& a, const Decimal& b) {
  if (a.s_ == b.s_) return a.m_ < b.m_ ? -1 : (a.m_ > b.m_ ? 1 : 0);
  if (a.sign() != b.sign()) return a.sign() < b.sign() ? -1 : 1;
  // Bring both to the larger scale; if that overflows, compare integer parts first.
  int s = a.s_ > b.s_ ? a.s_ : b.s_;
  Int am, bm;
  if (!__builtin_mul_overflow(a.m_, kPow10[s - a.s_], &am) &&
      !__builtin_mul_overflow(b.m_, kPow10[s - b.s_], &bm)) {
    return am < bm ? -1 : (am > bm ? 1 : 0);
  }
  Int ai = a.m_ / kPow10[a.s_], bi = b.m_ / kPow10[b.s_];
  if (ai != bi) return ai < bi ? -1 : 1;
  Decimal af(a.m_ % kPow10[a.s_], a.s_), bf(b.m_ % kPow10[b.s_], b.s_);
  return compare(af, bf);
}

Decimal operator+(const Decimal& a, const Decimal& b) {
  int s = a.s_ > b.s_ ? a.s_ : b.s_;
  Int am = checked_mul(a.m_, kPow10[s - a.s_], "add");
  Int bm = checked_mul(b.m_, kPow10[s - b.s_], "add");
  return Decimal(checked_add(am, bm, "add"), s);
}

Decimal operator-(const Decimal& a, const Decimal& b) { return a + (-b); }

Decimal operator*(const Decimal& a, const Decimal& b) {
  Decimal x = a, y = b;
  Int r;
  int s = x.s_ + y.s_;
  if (__builtin_mul_overflow(x.m_, y.m_, &r) || r > kMaxMantissa || r < -kMaxMantissa) {
    x = a.normalized();
    y = b.normalized();
    s = x.s_ + y.s_;
    // Drop precision from the operand with more places until the product fits, rounding each
    // step; only reached for products with more than 38 significant digits.
    while (__builtin_mul_overflow(x.m_, y.m_, &r) || r > kMaxMantissa || r < -kMaxMantissa) {
      if (x.s_ == 0 && y.s_ == 0) overflow("multiply");
      if (x.s_ >= y.s_) x = x.rescaled(x.s_ - 1);
      else y = y.rescaled(y.s_ - 1);
      s = x.s_ + y.s_;
    }
  }
  if (s > Decimal::kMaxScale) {
    r = div_round(r, kPow10[s - Decimal::kMaxScale], Rounding::kHalfEven);
    s = Decimal::kMaxScale;
  }
  return Decimal(r, s);
}

Decimal Decimal::divide(const Decimal& a, const Decimal& b, int scale, Rounding r) {
  if (b.m_ == 0) throw std::domain_error("decimal division by zero");
  if (scale < 0 || scale > kMaxScale) throw std::invalid_argument("decimal scale out of range");
  // a/b at `scale` = (a.m * 10^(scale + b.s - a.s)) / b.m
  int shift = scale + b.s_ - a.s_;
  Int num = a.m_, den = b.m_;
  if (shift >= 0) {
    if (__builtin_mul_overflow(num, kPow10[shift], &num)) {
      // Reduce the divisor's precision instead of overflowing the numerator.
      Decimal bn = b.normalized();
      Decimal an = a.normalized();
      if (bn.s_ != b.s_ || an.s_ != a.s_) return divide(an, bn, scale, r);
      overflow("divide");
    }
  } else {
    den = checked_mul(den, kPow10[-shift], "divide");
  }
  if (den < 0) {
    den = -den;
    num = -num;
  }
  return Decimal(div_round(num, den, r), scale);
}

bool Decimal::is_multiple_of(const Decimal& step) const {
  if (!step.is_positive()) return false;
  int s = s_ > step.s_ ? s_ : step.s_;
  Int am, bm;
  if (__builtin_mul_overflow(m_, kPow10[s - s_], &am) ||
      __builtin_mul_overflow(step.m_, kPow10[s - step.s_], &bm))
    return false;
  return am % bm == 0;
}

Decimal Decimal::round_to_step(const Decimal& step, Rounding r) const {
  if (!step.is_positive()) throw std::invalid_argument("step must be positive");
  int s = s_ > step.s_ ? s_ : step.s_;
  Int am = checked_mul(m_, kPow10[s - s_], "round_to_step");
  Int bm = checked_mul(step.m_, kPow10[s - step.s_], "round_to_step");
  Int q = div_round(am, bm, r);
  return Decimal(checked_mul(q, bm, "round_to_step"), s).rescaled(step.s_, Rounding::kHalfEven);
}

}  // namespace at
