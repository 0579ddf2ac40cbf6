// IdIndex: string id -> record index, as a flat open-addressing table of (hash, index) pairs.
// The key itself is not stored: the caller's `key_of(index)` gives it back from the record,
// so an insert copies no string and allocates nothing beyond the table's occasional growth,
// and a lookup touches one cache line of the table plus the record it finds.
//
// Replay-stable by construction: it is never iterated. erase() needs the record still readable
// through key_of (erase before the record goes).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace at::projections::detail {

class IdIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  static std::uint64_t hash(std::string_view s) {
    std::uint64_t h = std::hash<std::string_view>{}(s);
    return h | 1;  // never 0, so a zero hash marks an empty slot
  }

  void reserve(std::size_t n) {
    std::size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    if (cap > slots_.size()) rehash(cap);
  }

  // The index stored for `key`, or kNone.
  template <typename KeyOf>
  std::uint32_t find(std::string_view key, const KeyOf& key_of) const {
    if (slots_.empty()) return kNone;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return kNone;
      if (s.hash == h && key_of(s.index) == key) return s.index;
    }
  }

  // Maps `key` to `index`, replacing an existing mapping of the same key.
  template <typename KeyOf>
  void put(std::string_view key, std::uint32_t index, const KeyOf& key_of) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = h;
        s.index = index;
        ++size_;
        return;
      }
      if (s.hash == h && key_of(s.index) == key) {
        s.index = index;
        return;
      }
    }
  }

  // Removes the slot that maps `key` to `index` (and no other); no-op when there is none.
  // Backward-shift deletion: the entries after it in the probe run move up, so lookups never
  // need tombstones.
  template <typename KeyOf>
  void erase(std::string_view key, std::uint32_t index, const KeyOf& key_of) {
    if (slots_.empty()) return;
    const std::uint64_t h = hash(key);
    std::size_t i = h & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.hash == 0) return;
      if (s.hash == h && s.index == index && key_of(s.index) == key) break;
    }
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].hash == 0) break;
      // The entry at j may move to the hole at i only if its home slot is not in (i, j].
      const std::size_t home = slots_[j].hash & mask_;
      const bool home_in_between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (home_in_between) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot();
    --size_;
  }

  std::size_t size() const { return size_; }
  void clear() {
    slots_.clear();
    size_ = 0;
    mask_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t index = kNone;
  };

  void rehash(std::size_t cap) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(cap, Slot());
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.hash == 0) continue;
      for (std::size_t i = s.hash & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].hash == 0) {
          slots_[i] = s;
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace at::projections::detail
