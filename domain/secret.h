// Secret: a credential (API key, API secret, token, passphrase) that must never be printed,
// logged or journaled.
//
// Every formatting path (operator<<, to_string(), redacted config) gives "***"; the value is
// reachable only through reveal(), which adapters call when they sign a request. Empty
// secrets print "" so that "not configured" stays visible.
//
// One type for the whole service: config reads secrets into it and adapters sign with it, so a
// credential is never copied out into a plain string on the way.
//
// Thread-safety: a value type; no shared state.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace at {

class Secret {
 public:
  static constexpr std::string_view kMask = "***";  // what logs, errors and dumps show

  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  // The credential itself. Call sites: signing and authentication only.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // "***" when set, "" when empty. Never the value.
  std::string to_string() const { return value_.empty() ? std::string() : std::string(kMask); }

  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }
  friend std::ostream& operator<<(std::ostream& os, const Secret& s) { return os << s.to_string(); }

 private:
  std::string value_;
};

}  // namespace at
