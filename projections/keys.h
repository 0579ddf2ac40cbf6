// PairKeyLess: orders (account, name) keys and lets maps be searched with string_view pairs,
// so the per-fill lookup of a position or balance builds no strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "domain/symbol.h"

namespace at::projections {

inline std::string_view key_view(const std::string& s) { return s; }
inline std::string_view key_view(std::string_view s) { return s; }
inline std::string_view key_view(const Symbol& s) { return s.str(); }

struct PairKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    int c = key_view(a.first).compare(key_view(b.first));
    if (c != 0) return c < 0;
    return key_view(a.second) < key_view(b.second);
  }
};

using KeyView = std::pair<std::string_view, std::string_view>;

}  // namespace at::projections
