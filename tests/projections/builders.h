// Test builders: a Script appends envelopes with consecutive sequences and a recorded clock
// that advances 1 ms per event (or as told), with defaults for everything a test does not
// care about. Fills copy the order's symbol, side, account and venue from its request.
// Shared by tests/projections and tests/replay.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "domain/events.h"

namespace at {
// GoogleTest prints decimals as text.
inline void PrintTo(const Decimal& d, std::ostream* os) { *os << d.to_string(); }
}  // namespace at

namespace at::testing {

inline Decimal D(const char* s) { return Decimal::of(s); }

class Script {
 public:
  static constexpr std::int64_t kStartNs = 1'700'000'000'000'000'000;

  std::vector<Envelope> envelopes;
  std::int64_t now_ns = kStartNs;
  std::int64_t step_ns = 1'000'000;

  std::uint64_t next_sequence() const { return envelopes.size() + 1; }
  std::uint64_t last_sequence() const { return envelopes.size(); }

  std::uint64_t add(Event e) {
    now_ns += step_ns;
    Envelope env;
    env.sequence = next_sequence();
    env.recorded_ns = now_ns;
    env.event = std::move(e);
    envelopes.push_back(std::move(env));
    return envelopes.back().sequence;
  }

  std::uint64_t decision(const std::string& id, const char* symbol = "BTC-USDT") {
    DecisionReceived d;
    d.decision_id = DecisionId(id);
    d.source = "test";
    d.symbol = Symbol::of(symbol);
    d.action = Action::kLong;
    d.size = D("1");
    d.ts_ns = now_ns;
    return add(d);
  }

  std::uint64_t request(const std::string& coid, Side side, const char* qty, const char* price,
                        const char* symbol = "BTC-USDT", const std::string& decision = "",
                        const std::string& replaces = "", const std::string& account = "main") {
    OrderRequested r;
    r.client_order_id = ClientOrderId(coid);
    r.decision_id = DecisionId(decision);
    r.account = account;
    r.venue = "paper";
    r.symbol = Symbol::of(symbol);
    r.side = side;
    r.type = OrderType::kLimit;
    r.quantity = D(qty);
    r.limit_price = D(price);
    r.replaces = ClientOrderId(replaces);
    r.ts_ns = now_ns;
    requests_[coid] = r;
    return add(r);
  }

  std::uint64_t sent(const std::string& coid, std::uint32_t attempt = 1) {
    return add(OrderSent{ClientOrderId(coid), attempt, now_ns});
  }
  std::uint64_t accept(const std::string& coid, const std::string& venue_id = "") {
    return add(OrderAccepted{ClientOrderId(coid),
                             VenueOrderId(venue_id.empty() ? "V" + coid : venue_id), now_ns});
  }
  std::uint64_t reject(const std::string& coid, const std::string& reason = "insufficient") {
    return add(OrderRejected{ClientOrderId(coid), reason, -2010, now_ns});
  }
  std::uint64_t fill(const std::string& coid, const std::string& trade_id, const char* qty,
                     const char* price, const char* commission = "0",
                     const std::string& commission_asset = "USDT") {
    OrderFilled f;
    auto it = requests_.find(coid);
    if (it != requests_.end()) {
      f.account = it->second.account;
      f.venue = it->second.venue;
      f.symbol = it->second.symbol;
      f.side = it->second.side;
    } else {
      f.account = "main";
      f.venue = "paper";
      f.symbol = Symbol::of("BTC-USDT");
    }
    f.client_order_id = ClientOrderId(coid);
    f.venue_order_id = VenueOrderId("V" + coid);
    f.trade_id = TradeId(trade_id);
    f.quantity = D(qty);
    f.price = D(price);
    f.commission = D(commission);
    f.commission_asset = commission_asset;
    f.liquidity = Liquidity::kMaker;
    f.ts_ns = now_ns;
    return add(f);
  }
  std::uint64_t cancel_request(const std::string& coid) {
    return add(CancelRequested{ClientOrderId(coid), "user", now_ns});
  }
  std::uint64_t cancelled(const std::string& coid, const std::string& reason = "user") {
    return add(OrderCancelled{ClientOrderId(coid), reason, now_ns});
  }
  std::uint64_t cancel_rejected(const std::string& coid, const std::string& reason = "filled") {
    return add(CancelRejected{ClientOrderId(coid), reason, -2011, now_ns});
  }
  std::uint64_t mark(const char* symbol, const char* price) {
    return add(MarkPriceUpdated{Symbol::of(symbol), D(price), now_ns});
  }
  std::uint64_t fund(const std::string& asset, const char* amount,
                     const std::string& account = "main") {
    return add(AccountFunded{account, asset, D(amount), now_ns});
  }

  // A realistic order flow for replay tests: funding, marks, and `orders` orders of which most
  // fill in one or two parts, some are cancelled, some rejected, with a duplicate fill now
  // and then.
  void realistic(int orders) {
    fund("USDT", "1000000");
    for (int i = 0; i < orders; ++i) {
      std::string coid = "at" + std::to_string(next_sequence());
      std::string dec = "d" + std::to_string(i);
      const char* symbol = (i % 3 == 0) ? "ETH-BTC" : "BTC-USDT";
      const char* price = (i % 3 == 0) ? "0.05123456" : "43000.12";
      if (i % 7 == 0) mark(symbol, (i % 3 == 0) ? "0.05130000" : "43010.50");
      decision(dec, symbol);
      request(coid, i % 2 ? Side::kSell : Side::kBuy, "0.50000000", price, symbol, dec);
      sent(coid);
      switch (i % 5) {
        case 0:
        case 1:
          accept(coid);
          fill(coid, "t" + coid, "0.50000000", price, "0.00050000");
          break;
        case 2:
          accept(coid);
          fill(coid, "t" + coid + "a", "0.20000000", price);
          fill(coid, "t" + coid + "a", "0.20000000", price);  // duplicate report
          fill(coid, "t" + coid + "b", "0.30000000", price);
          break;
        case 3:
          accept(coid);
          cancel_request(coid);
          cancelled(coid);
          break;
        case 4:
          reject(coid);
          break;
      }
    }
  }

 private:
  std::map<std::string, OrderRequested> requests_;
};

}  // namespace at::testing
