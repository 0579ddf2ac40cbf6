// Strong identifier types: a ClientOrderId can never be passed where a VenueOrderId is meant.
#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace at {

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string v) : v_(std::move(v)) {}
  const std::string& str() const { return v_; }
  bool empty() const { return v_.empty(); }
  friend auto operator<=>(const StrongId&, const StrongId&) = default;
  friend bool operator==(const StrongId&, const StrongId&) = default;

 private:
  std::string v_;
};

struct ClientOrderIdTag {};
struct VenueOrderIdTag {};
struct TradeIdTag {};
struct DecisionIdTag {};

// Our id for an order, derived from the journal ("at" + sequence), reused on every retry.
using ClientOrderId = StrongId<ClientOrderIdTag>;
// The venue's id for an order.
using VenueOrderId = StrongId<VenueOrderIdTag>;
// The venue's id for one execution (fill). Fills are deduplicated on (venue, symbol, trade id).
using TradeId = StrongId<TradeIdTag>;
// The strategy's id for one decision; a decision id seen before is never executed twice.
using DecisionId = StrongId<DecisionIdTag>;

// Client order ids fit every venue: [A-Za-z0-9], at most 32 characters (OKX's limit).
ClientOrderId make_client_order_id(std::string_view prefix, unsigned long long sequence);

}  // namespace at

template <typename Tag>
struct std::hash<at::StrongId<Tag>> {
  std::size_t operator()(const at::StrongId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};
