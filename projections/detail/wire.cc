#include "projections/detail/wire.h"

namespace at::projections::detail {

// Section lengths are written as a fixed 4-byte little-endian field so that the body can be
// written first and the length patched in afterwards without moving bytes.
std::size_t Writer::begin_section(std::uint8_t tag) {
  u8(tag);
  std::size_t at = out_.size();
  out_.append(4, '\0');
  return at;
}

void Writer::end_section(std::size_t at) {
  std::uint32_t len = static_cast<std::uint32_t>(out_.size() - at - 4);
  for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<char>((len >> (8 * i)) & 0xff);
}

void Reader::fail(std::string what) {
  if (!error_.empty()) return;
  error_ = std::move(what) + " at byte " + std::to_string(pos_);
  pos_ = in_.size();
}

std::uint8_t Reader::u8() {
  if (pos_ >= in_.size()) {
    fail("truncated");
    return 0;
  }
  return static_cast<std::uint8_t>(in_[pos_++]);
}

std::uint64_t Reader::varint() {
  std::uint64_t v = 0;
  switch (read_varint(in_, pos_, v)) {
    case VarintRead::kOk:
      return v;
    case VarintRead::kTruncated:
      fail("truncated varint");
      return 0;
    case VarintRead::kTooLong:
      break;
  }
  fail("varint too long");
  return 0;
}

std::string_view Reader::str_view() {
  std::uint64_t n = varint();
  if (!ok()) return {};
  if (n > in_.size() - pos_) {
    fail("string longer than its input");
    return {};
  }
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::string Reader::str() { return std::string(str_view()); }

Symbol Reader::symbol() {
  std::string_view s = str_view();
  if (s.empty() || !ok()) return Symbol();
  auto r = Symbol::parse(s);
  if (!r) {
    fail("bad symbol");
    return Symbol();
  }
  return *r;
}

Decimal Reader::dec() {
  int scale = u8();
  using U = unsigned __int128;
  U z = 0;
  for (int shift = 0;; shift += 7) {
    if (shift >= 133 || pos_ >= in_.size()) {
      fail("bad decimal");
      return Decimal();
    }
    auto b = static_cast<std::uint8_t>(in_[pos_++]);
    z |= static_cast<U>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  auto m = static_cast<Decimal::Int>((z >> 1) ^ (~(z & 1) + 1));
  if (!ok()) return Decimal();
  if (scale > Decimal::kMaxScale) {
    fail("bad decimal scale");
    return Decimal();
  }
  // from_raw checks the 38-digit range; a corrupt mantissa must not throw out of a parser.
  constexpr Decimal::Int kLimit = static_cast<Decimal::Int>(1000000000000000000LL) *
                                  static_cast<Decimal::Int>(1000000000000000000LL) * 100;
  if (m >= kLimit || m <= -kLimit) {
    fail("decimal out of range");
    return Decimal();
  }
  return Decimal::from_raw(m, scale);
}

std::optional<Decimal> Reader::opt_dec() {
  if (!u8()) return std::nullopt;
  return dec();
}

std::uint64_t Reader::count() {
  std::uint64_t n = varint();
  if (n > in_.size() - pos_) {
    fail("count larger than its input");
    return 0;
  }
  return n;
}

bool Reader::section(std::uint8_t& tag, Reader& body) {
  tag = u8();
  if (in_.size() - pos_ < 4) {
    fail("truncated section header");
    return false;
  }
  std::uint32_t len = 0;
  for (int i = 0; i < 4; ++i)
    len |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 4;
  if (len > in_.size() - pos_) {
    fail("section longer than its input");
    return false;
  }
  body = Reader(in_.substr(pos_, len));
  pos_ += len;
  return ok();
}

}  // namespace at::projections::detail
