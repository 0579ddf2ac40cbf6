// OrderTracker: what the Binance adapter remembers about the orders it handles, so that
// venue messages become domain events exactly once.
//
// It is a cache of facts the journal also holds (client order id, symbol, side, venue order
// id, whether the ack/terminal event was already emitted, fills seen by trade id); after a
// restart it is rebuilt from the engine's open orders (recover()). It turns executionReports,
// REST order rows and myTrades rows into events, suppressing duplicates (the REST answer and
// the stream often report the same thing) and reporting messages about orders it never saw as
// AnomalyDetected. Pure: no I/O, no clock (callers pass `now_ns` for REST-derived events).
// Thread-safety: none (used on the adapter's strand).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/binance/codec.h"
#include "domain/events.h"
#include "domain/order.h"

namespace at::binance {

struct TrackedOrder {
  ClientOrderId client_order_id;
  Symbol symbol;
  std::string venue_symbol;
  Side side = Side::kBuy;
  std::string account;
  Quantity quantity;
  Quantity filled;                  // sum of fills emitted (or known at recovery)
  std::int64_t venue_order_id = 0;  // 0 until known
  bool accepted = false;            // OrderAccepted emitted (or implied)
  bool terminal = false;            // a terminal event emitted; later ones are duplicates
};

class OrderTracker {
 public:
  explicit OrderTracker(std::string venue) : venue_(std::move(venue)) {}

  // Start tracking an order we are about to send (or that the journal says may be working).
  TrackedOrder& track(const OrderRequested& o, const std::string& venue_symbol);
  TrackedOrder& track(const Order& o, const std::string& venue_symbol);
  TrackedOrder* find(const ClientOrderId& id);
  TrackedOrder* find(const std::string& venue_symbol, std::int64_t venue_order_id);
  void set_venue_order_id(TrackedOrder& o, std::int64_t id);

  // Each appends the events it implies to `out`.
  void accepted(TrackedOrder& o, std::int64_t ts_ns, std::vector<Event>& out);
  void cancelled(TrackedOrder& o, std::string reason, std::int64_t ts_ns, std::vector<Event>& out);
  void on_execution_report(const ExecutionReport& r, const Symbol& symbol, std::vector<Event>& out);
  // A myTrades row (recovery): a fill, unless its trade id was seen. Unknown order -> anomaly.
  void on_trade(const TradeRow& t, const Symbol& symbol, std::int64_t now_ns,
                std::vector<Event>& out);
  // An order row from a query / openOrders: ack if not yet, terminal status if not yet.
  // Fills are not derived from rows (they come from myTrades); call on_trade first.
  void on_order_row(TrackedOrder& o, const OrderRow& row, std::int64_t now_ns,
                    std::vector<Event>& out);
  void anomaly(std::string kind, const ClientOrderId& id, std::string detail, std::int64_t ts_ns,
               std::vector<Event>& out) const;

  bool seen_trade(const std::string& venue_symbol, std::int64_t trade_id) const;
  // Highest trade id seen on the symbol, if any.
  std::optional<std::int64_t> last_trade_id(const std::string& venue_symbol) const;
  // Symbols with tracked orders or seen trades (what a reconciliation walks).
  std::vector<std::string> symbols() const;
  // Tracked orders on a symbol that are not known to be finished.
  std::vector<TrackedOrder*> open_orders(const std::string& venue_symbol);
  std::size_t size() const { return orders_.size(); }

 private:
  bool note_trade(const std::string& venue_symbol, std::int64_t trade_id);
  void add_fill(TrackedOrder& o, const Quantity& q);

  std::string venue_;
  std::map<ClientOrderId, TrackedOrder> orders_;
  std::map<std::pair<std::string, std::int64_t>, ClientOrderId> by_venue_id_;
  // Trade ids seen per symbol; pruned to the most recent kKeepTrades.
  std::map<std::string, std::set<std::int64_t>> trades_;
  static constexpr std::size_t kKeepTrades = 100000;
};

}  // namespace at::binance
