// Secret: an API key, secret or token. It never prints: streams and fmt-style formatting show
// "***". Read the value only where it is used (signing, the one header that carries it).
// Thread-safety: a value type.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace at::net {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : v_(std::move(value)) {}
  // The secret itself. Named loudly so that a grep finds every use.
  std::string_view reveal() const { return v_; }
  bool empty() const { return v_.empty(); }
  // What logs, errors and config dumps show.
  static constexpr std::string_view kRedacted = "***";
  std::string_view redacted() const { return kRedacted; }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << kRedacted; }
  friend bool operator==(const Secret&, const Secret&) = default;

 private:
  std::string v_;
};

}  // namespace at::net
