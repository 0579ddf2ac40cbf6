// The primitives of the projections' snapshot format (see projections.h for the grammar).
//
//   varint   unsigned LEB128 (7 bits per byte, low first, high bit = more)
//   svarint  zigzag-encoded signed varint
//   str      varint length + bytes
//   dec      u8 scale + svarint128 mantissa (zigzag over 128 bits, LEB128)
//   opt<T>   u8 0 | u8 1 T
//   fixed64  8 bytes, little-endian (hashes: no gain from a varint)
//
// Reader never throws and never reads past its input: the first malformed field sets a sticky
// error (what and where) and every later read returns zero values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/decimal.h"
#include "domain/ids.h"
#include "domain/symbol.h"
#include "domain/varint.h"

namespace at::projections::detail {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(std::uint64_t v) { append_varint(out_, v); }
  void svarint(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s.data(), s.size());
  }
  template <typename Tag>
  void id(const StrongId<Tag>& v) {
    str(v.str());
  }
  void symbol(const Symbol& s) { str(s.str()); }
  void dec(const Decimal& d) {
    char b[1 + 19];  // the scale, then at most 19 groups of 7 bits for 128 bits
    std::size_t n = 0;
    b[n++] = static_cast<char>(static_cast<std::uint8_t>(d.scale()));
    using U = unsigned __int128;
    Decimal::Int m = d.mantissa();
    U z = (static_cast<U>(m) << 1) ^ static_cast<U>(m >> 127);
    while (z >= 0x80) {
      b[n++] = static_cast<char>((static_cast<unsigned>(z) & 0x7f) | 0x80);
      z >>= 7;
    }
    b[n++] = static_cast<char>(static_cast<unsigned>(z));
    out_.append(b, n);
  }
  void opt_dec(const std::optional<Decimal>& d) {
    u8(d ? 1 : 0);
    if (d) dec(*d);
  }
  void boolean(bool b) { u8(b ? 1 : 0); }
  void fixed64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(b, 8);
  }

  std::size_t size() const { return out_.size(); }
  // Reserves room for a section length, returns its position for end_section().
  std::size_t begin_section(std::uint8_t tag);
  void end_section(std::size_t at);

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return pos_ >= in_.size(); }
  std::size_t position() const { return pos_; }
  void fail(std::string what);

  std::uint8_t u8();
  std::uint64_t varint();
  std::int64_t svarint() {
    std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string str();
  // Reads a string without copying; valid while the input is.
  std::string_view str_view();
  template <typename Id>
  Id id() {
    return Id(str());
  }
  Symbol symbol();
  Decimal dec();
  std::optional<Decimal> opt_dec();
  bool boolean() { return u8() != 0; }
  std::uint64_t fixed64() {
    if (in_.size() - pos_ < 8) {
      fail("truncated");
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += 8;
    return v;
  }
  // A length-prefixed count, bounded by the bytes left (each item needs at least one byte), so
  // a corrupt count cannot make the caller reserve gigabytes.
  std::uint64_t count();
  // Reads a section header; returns the tag and a reader over exactly its body.
  bool section(std::uint8_t& tag, Reader& body);

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace at::projections::detail
