// Unsigned LEB128 varints (7 bits per byte, low first, high bit = more), the one encoding both
// the journal's by_order values and the projections' snapshot format use. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace at {

// Appends v to out. Built in a local buffer and appended once: one capacity check per value,
// not per byte.
inline void append_varint(std::string& out, std::uint64_t v) {
  char b[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out.append(b, n);
}

enum class VarintRead { kOk, kTruncated, kTooLong };

// Reads one varint from in at pos and advances pos past it. On kTruncated (in ends inside it)
// or kTooLong (more than 10 bytes, or more than 64 bits) pos and v are unspecified.
inline VarintRead read_varint(std::string_view in, std::size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos >= in.size()) return VarintRead::kTruncated;
    const auto b = static_cast<std::uint8_t>(in[pos++]);
    if (i == 9 && (b & 0x7f) > 1) return VarintRead::kTooLong;
    v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return VarintRead::kOk;
  }
  return VarintRead::kTooLong;
}

}  // namespace at
