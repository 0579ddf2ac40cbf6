#include "adapters/paper/matching_engine.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <set>
#include <utility>

namespace at::paper {

int binance_code(Reject r) {
  switch (r) {
    case Reject::kNone:
      return 0;
    case Reject::kUnknownSymbol:
      return -1121;
    case Reject::kBadParameter:
      return -1102;
    case Reject::kPriceFilter:
    case Reject::kLotSize:
    case Reject::kNotional:
      return -1013;
    case Reject::kInsufficientBalance:
    case Reject::kDuplicateClientOrderId:
    case Reject::kStopWouldTrigger:
    case Reject::kWouldMatch:
    case Reject::kNoMarketPrice:
      return -2010;
    case Reject::kUnknownOrder:
      return -2011;
  }
  return -1000;
}

std::string_view message(Reject r) {
  switch (r) {
    case Reject::kNone:
      return "";
    case Reject::kUnknownSymbol:
      return "Invalid symbol.";
    case Reject::kBadParameter:
      return "Mandatory parameter was not sent, was empty/null, or malformed.";
    case Reject::kPriceFilter:
      return "Filter failure: PRICE_FILTER";
    case Reject::kLotSize:
      return "Filter failure: LOT_SIZE";
    case Reject::kNotional:
      return "Filter failure: NOTIONAL";
    case Reject::kInsufficientBalance:
      return "Account has insufficient balance for requested action.";
    case Reject::kDuplicateClientOrderId:
      return "Duplicate order sent.";
    case Reject::kStopWouldTrigger:
      return "Stop price would trigger immediately.";
    case Reject::kWouldMatch:
      return "Order would immediately match and take.";
    case Reject::kNoMarketPrice:
      return "Market is closed.";
    case Reject::kUnknownOrder:
      return "Unknown order sent.";
  }
  return "?";
}

std::string_view to_string(Reject r) {
  switch (r) {
    case Reject::kNone:
      return "none";
    case Reject::kUnknownSymbol:
      return "unknown_symbol";
    case Reject::kBadParameter:
      return "bad_parameter";
    case Reject::kPriceFilter:
      return "price_filter";
    case Reject::kLotSize:
      return "lot_size";
    case Reject::kNotional:
      return "notional";
    case Reject::kInsufficientBalance:
      return "insufficient_balance";
    case Reject::kDuplicateClientOrderId:
      return "duplicate_client_order_id";
    case Reject::kStopWouldTrigger:
      return "stop_would_trigger";
    case Reject::kWouldMatch:
      return "would_match";
    case Reject::kNoMarketPrice:
      return "no_market_price";
    case Reject::kUnknownOrder:
      return "unknown_order";
  }
  return "?";
}

std::string_view to_string(OrdType t) {
  switch (t) {
    case OrdType::kMarket:
      return "MARKET";
    case OrdType::kLimit:
      return "LIMIT";
    case OrdType::kStopLoss:
      return "STOP_LOSS";
    case OrdType::kStopLossLimit:
      return "STOP_LOSS_LIMIT";
    case OrdType::kLimitMaker:
      return "LIMIT_MAKER";
  }
  return "?";
}

std::string_view to_string(Tif t) {
  switch (t) {
    case Tif::kGtc:
      return "GTC";
    case Tif::kIoc:
      return "IOC";
    case Tif::kFok:
      return "FOK";
  }
  return "?";
}

std::string_view to_string(OrdStatus s) {
  switch (s) {
    case OrdStatus::kNew:
      return "NEW";
    case OrdStatus::kPartiallyFilled:
      return "PARTIALLY_FILLED";
    case OrdStatus::kFilled:
      return "FILLED";
    case OrdStatus::kCanceled:
      return "CANCELED";
    case OrdStatus::kRejected:
      return "REJECTED";
    case OrdStatus::kExpired:
      return "EXPIRED";
  }
  return "?";
}

std::string_view to_string(ExecType e) {
  switch (e) {
    case ExecType::kNew:
      return "NEW";
    case ExecType::kTrade:
      return "TRADE";
    case ExecType::kCanceled:
      return "CANCELED";
    case ExecType::kReplaced:
      return "REPLACED";
    case ExecType::kRejected:
      return "REJECTED";
    case ExecType::kExpired:
      return "EXPIRED";
  }
  return "?";
}

bool is_open(OrdStatus s) { return s == OrdStatus::kNew || s == OrdStatus::kPartiallyFilled; }

namespace {

// bps / 10000, exactly.
Decimal rate_of_bps(const Decimal& bps) {
  if (bps.scale() + 4 <= Decimal::kMaxScale)
    return Decimal::from_raw(bps.mantissa(), bps.scale() + 4);
  return Decimal::divide(bps, Decimal::from_int(10000), Decimal::kMaxScale);
}

bool is_market_like(OrdType t) { return t == OrdType::kMarket || t == OrdType::kStopLoss; }
bool is_stop(OrdType t) { return t == OrdType::kStopLoss || t == OrdType::kStopLossLimit; }
bool needs_price(OrdType t) {
  return t == OrdType::kLimit || t == OrdType::kStopLossLimit || t == OrdType::kLimitMaker;
}

// Does `price` satisfy a limit for `side`? (buy: price <= limit; sell: price >= limit)
bool within(Side side, const Price& price, const Price& limit) {
  return side == Side::kBuy ? price <= limit : price >= limit;
}
// Is a better than b for a taker on `side`? (buy: lower; sell: higher)
bool better_for_taker(Side side, const Price& a, const Price& b) {
  return side == Side::kBuy ? a < b : a > b;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

struct MatchingEngine::Impl {
  struct Rec {
    OrderState st;
    // External size displayed ahead of this order at its price; nullopt = not known yet (the
    // order joined behind the top of book; it is set when its price becomes the touch).
    std::optional<Quantity> ahead;
    std::string lock_asset;
    Money locked;
    std::vector<Fill> fills;
    bool on_book = false;  // in a price level's queue
  };

  struct Book {
    InstrumentRules rules;
    std::string base, quote_asset;
    std::map<Price, std::deque<OrderId>, std::greater<Price>> bids;  // best (highest) first
    std::map<Price, std::deque<OrderId>> asks;                       // best (lowest) first
    std::vector<OrderId> markets;  // working marketable orders, by time
    std::vector<OrderId> stops;    // untriggered stops, by time
    std::optional<md::Quote> quote;
    Quantity bid_avail, ask_avail;  // external size left on the current quote
    bool bid_unlimited = false, ask_unlimited = false;
    std::optional<Price> reference;  // last trade price or quote mid: the stop trigger
    std::optional<Price> last_trade;
    TradeNo next_trade = 1;
    // Both sides of every trade, by trade id: where each fill is kept (its order's `fills`;
    // orders are never erased and their fills only grow), not a second copy of it. A deque:
    // the log only grows, and a vector's regrowth would move every entry so far inside one
    // action (a stall that grows with the session).
    struct TradeRef {
      TradeNo trade_id = 0;
      OrderId order_id = 0;
      std::size_t fill = 0;  // index in orders[order_id].fills
    };
    std::deque<TradeRef> trades;
  };

  EngineConfig cfg;
  Decimal slip_rate, comm_rate;
  EngineListener* listener = nullptr;
  std::map<Symbol, Book> books;
  std::map<OrderId, Rec> orders;
  std::map<std::pair<std::string, std::string>, OrderId> by_client;  // (account, coid) -> latest
  std::map<std::string, std::map<std::string, Balance>, std::less<>> accounts;
  std::map<std::string, std::set<std::string>> touched;  // balances changed by this action
  OrderId next_order_id = 1;
  std::uint64_t rng = 1;

  explicit Impl(EngineConfig c) : cfg(std::move(c)) {
    slip_rate = rate_of_bps(cfg.slippage_bps);
    comm_rate = rate_of_bps(cfg.commission_bps);
    next_order_id = cfg.first_order_id ? cfg.first_order_id : 1;
    rng = cfg.seed;
  }

  // --- helpers ------------------------------------------------------------------------------

  Balance& bal(const std::string& account, const std::string& asset) {
    touched[account].insert(asset);
    return accounts[account][asset];
  }

  void report(ExecutionReport r) {
    if (listener) listener->on_execution(r);
  }

  void flush(std::int64_t ts) {
    for (auto& [account, assets] : touched) {
      AccountUpdate u;
      u.account = account;
      u.ts_ns = ts;
      for (const auto& a : assets) u.balances.emplace_back(a, accounts[account][a]);
      if (listener) listener->on_account_update(u);
    }
    touched.clear();
  }

  std::string generate_client_id() {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    while (s.size() < 22) {
      std::uint64_t x = splitmix64(rng);
      for (int i = 0; i < 8 && s.size() < 22; ++i, x >>= 8) s += kAlphabet[(x & 0xff) % 62];
    }
    return s;
  }

  // a / b rounded down to the instrument's lot (or 8 places).
  Quantity div_floor(const Book& b, const Decimal& a, const Decimal& d) const {
    int scale = std::max(12, b.rules.lot_size.scale());
    return floor_qty(b, Decimal::divide(a, d, scale, Rounding::kDown));
  }

  Quantity floor_qty(const Book& b, const Decimal& q) const {
    if (b.rules.lot_size.is_positive()) return q.round_to_step(b.rules.lot_size, Rounding::kDown);
    return q.scale() > 8 ? q.rescaled(8, Rounding::kDown) : q;
  }

  // The price a taker on `side` gets against external liquidity at `p`.
  Price slipped(const Book& b, Side side, const Price& p) const {
    if (slip_rate.is_zero()) return p;
    Price s = side == Side::kBuy ? p * (Decimal::from_int(1) + slip_rate)
                                 : p * (Decimal::from_int(1) - slip_rate);
    if (b.rules.tick_size.is_positive())
      s = s.round_to_step(b.rules.tick_size,
                          side == Side::kBuy ? Rounding::kCeiling : Rounding::kFloor);
    return s;
  }

  // The external price a market order on `side` would see now, or nullopt.
  std::optional<Price> market_reference(const Book& b, Side side) const {
    if (b.quote) {
      const Price& p = side == Side::kBuy ? b.quote->ask : b.quote->bid;
      if (p.is_positive()) return p;
    }
    if (b.last_trade) return b.last_trade;
    return std::nullopt;
  }

  bool ext_available(const Book& b, Side taker_side) const {
    if (!b.quote) return false;
    if (taker_side == Side::kBuy)
      return b.quote->ask.is_positive() && (b.ask_unlimited || b.ask_avail.is_positive());
    return b.quote->bid.is_positive() && (b.bid_unlimited || b.bid_avail.is_positive());
  }

  void lock(Rec& o, const std::string& asset, const Money& amount) {
    if (!amount.is_positive()) return;
    Balance& b = bal(o.st.account, asset);
    b.free -= amount;
    b.locked += amount;
    o.lock_asset = asset;
    o.locked += amount;
  }

  void release(Rec& o) {
    if (o.locked.is_zero()) return;
    Balance& b = bal(o.st.account, o.lock_asset);
    b.free += o.locked;
    b.locked -= o.locked;
    o.locked = Money{};
  }

  // Takes up to `amount` from the order's lock, the rest from free.
  void spend(Rec& o, const std::string& asset, const Money& amount) {
    Balance& b = bal(o.st.account, asset);
    if (o.lock_asset == asset && o.locked.is_positive()) {
      Money from_lock = std::min(amount, o.locked);
      o.locked -= from_lock;
      b.locked -= from_lock;
      b.free -= amount - from_lock;
    } else {
      b.free -= amount;
    }
  }

  // Funds an order needs reserved for its remaining quantity (asset, amount).
  std::pair<std::string, Money> needed_lock(const Book& b, const Rec& o) const {
    const OrderState& s = o.st;
    if (!cfg.enforce_balances) return {"", Money{}};
    if (s.side == Side::kSell) {
      if (cfg.allow_short) return {"", Money{}};
      return {b.base, s.remaining()};
    }
    std::optional<Price> p;
    if (needs_price(s.type)) {
      p = s.price;
    } else if (s.type == OrdType::kStopLoss && !s.working) {
      p = slipped(b, Side::kBuy, *s.stop_price);
    } else if (auto r = market_reference(b, Side::kBuy)) {
      p = slipped(b, Side::kBuy, *r);
    }
    if (!p) return {b.quote_asset, Money{}};
    Money notional =
        s.quote_order_qty ? (*s.quote_order_qty - s.cumulative_quote_qty) : s.remaining() * *p;
    return {b.quote_asset, notional + notional * comm_rate};
  }

  // The most of the order that may fill at `price` now, given its quote budget and, for
  // marketable buys, the funds left. `funds_bound` says the account's funds were the limit.
  Quantity cap(const Book& b, Rec& o, const Price& price, bool& funds_bound) const {
    Quantity q = o.st.remaining();
    if (o.st.quote_order_qty) {
      Money left = *o.st.quote_order_qty - o.st.cumulative_quote_qty;
      q = std::min(q, left.is_positive() ? div_floor(b, left, price) : Quantity{});
    }
    if (cfg.enforce_balances && o.st.side == Side::kBuy && is_market_like(o.st.type)) {
      auto acc = accounts.find(o.st.account);
      Money free;
      if (acc != accounts.end()) {
        auto it = acc->second.find(b.quote_asset);
        if (it != acc->second.end()) free = it->second.free;
      }
      Money budget = o.locked + (free.is_positive() ? free : Money{});
      Money unit = price + price * comm_rate;
      Quantity affordable = budget.is_positive() ? div_floor(b, budget, unit) : Quantity{};
      if (affordable < q) {
        q = affordable;
        funds_bound = true;
      }
    }
    return q.is_negative() ? Quantity{} : q;
  }

  // --- executions ---------------------------------------------------------------------------

  Fill execute(Book& b, Rec& o, const Price& price, const Quantity& qty, bool maker,
               TradeNo trade_id, std::int64_t ts) {
    Money notional = price * qty;
    Money commission = notional * comm_rate;
    if (o.st.side == Side::kBuy) {
      spend(o, b.quote_asset, notional + commission);
      bal(o.st.account, b.base).free += qty;
    } else {
      spend(o, b.base, qty);
      bal(o.st.account, b.quote_asset).free += notional - commission;
    }
    o.st.executed_qty += qty;
    o.st.cumulative_quote_qty += notional;
    o.st.updated_ns = ts;
    bool done = o.st.remaining() <= Quantity{};
    if (o.st.quote_order_qty) {
      // Spent: what is left of the quote amount cannot buy one more lot at this price.
      Money left = *o.st.quote_order_qty - o.st.cumulative_quote_qty;
      if (!left.is_positive() || !div_floor(b, left, price).is_positive()) {
        done = true;
        o.st.quantity = o.st.executed_qty;  // as Binance reports origQty for quoteOrderQty
      }
    }
    o.st.status = done ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled;
    if (done) {
      o.st.working = false;
      release(o);
    }
    Fill f;
    f.trade_id = trade_id;
    f.order_id = o.st.order_id;
    f.client_order_id = o.st.client_order_id;
    f.account = o.st.account;
    f.symbol = o.st.symbol;
    f.side = o.st.side;
    f.price = price;
    f.quantity = qty;
    f.quote_qty = notional;
    f.commission = commission;
    f.commission_asset = b.quote_asset;
    f.maker = maker;
    f.ts_ns = ts;
    b.trades.push_back({trade_id, o.st.order_id, o.fills.size()});
    o.fills.push_back(f);
    ExecutionReport r;
    r.exec_type = ExecType::kTrade;
    r.order = o.st;
    r.fill = f;
    r.ts_ns = ts;
    report(std::move(r));
    return f;
  }

  // Ends an open order as CANCELED / EXPIRED and releases its funds.
  void close(Rec& o, OrdStatus status, ExecType type, std::string reason, std::int64_t ts,
             std::string_view cancel_id = {}) {
    o.st.status = status;
    o.st.working = false;
    o.st.updated_ns = ts;
    release(o);
    ExecutionReport r;
    r.exec_type = type;
    r.order = o.st;
    r.reason = std::move(reason);
    r.cancel_client_order_id = std::string(cancel_id);
    r.ts_ns = ts;
    report(std::move(r));
  }

  // Front of a price level's queue: skips (and drops) orders that are no longer resting.
  template <typename Level>
  Rec* front(Level& level) {
    while (!level.empty()) {
      auto it = orders.find(level.front());
      if (it != orders.end() && it->second.on_book && is_open(it->second.st.status))
        return &it->second;
      if (it != orders.end()) it->second.on_book = false;
      level.pop_front();
    }
    return nullptr;
  }

  // The taker side of matching: `o` takes what crosses now (external quote and own resting
  // orders, best price first, the external touch first at equal prices). Returns true when it
  // stopped because the account's funds ran out.
  bool take(Book& b, Rec& o, std::int64_t ts) {
    bool funds_bound = false;
    const Side side = o.st.side;
    std::optional<Price> limit;
    if (needs_price(o.st.type)) limit = o.st.price;
    while (o.st.remaining().is_positive() && is_open(o.st.status)) {
      // Best own contra level.
      Rec* maker = nullptr;
      std::optional<Price> own_price;
      if (side == Side::kBuy) {
        while (!b.asks.empty() && !(maker = front(b.asks.begin()->second)))
          b.asks.erase(b.asks.begin());
        if (maker) own_price = b.asks.begin()->first;
      } else {
        while (!b.bids.empty() && !(maker = front(b.bids.begin()->second)))
          b.bids.erase(b.bids.begin());
        if (maker) own_price = b.bids.begin()->first;
      }
      std::optional<Price> ext_price;
      if (ext_available(b, side)) ext_price = side == Side::kBuy ? b.quote->ask : b.quote->bid;

      bool use_ext = ext_price && (!own_price || !better_for_taker(side, *own_price, *ext_price));
      if (!use_ext && !own_price) break;
      const Price level_price = use_ext ? *ext_price : *own_price;
      if (limit && !within(side, level_price, *limit)) break;

      if (use_ext) {
        Price px = slipped(b, side, level_price);
        if (limit && !within(side, px, *limit)) px = *limit;
        Quantity q = cap(b, o, px, funds_bound);
        bool unlimited = side == Side::kBuy ? b.ask_unlimited : b.bid_unlimited;
        Quantity& avail = side == Side::kBuy ? b.ask_avail : b.bid_avail;
        if (!unlimited) q = std::min(q, avail);
        if (!q.is_positive()) break;
        if (!unlimited) avail -= q;
        execute(b, o, px, q, /*maker=*/false, b.next_trade++, ts);
        continue;
      }

      // Own resting order: same account -> expire the maker (self-trade prevention).
      if (maker->st.account == o.st.account) {
        maker->on_book = false;
        close(*maker, OrdStatus::kExpired, ExecType::kExpired, "self_trade_prevention", ts);
        continue;
      }
      Quantity q = std::min(cap(b, o, level_price, funds_bound), maker->st.remaining());
      if (!q.is_positive()) break;
      TradeNo id = b.next_trade++;
      execute(b, o, level_price, q, /*maker=*/false, id, ts);
      execute(b, *maker, level_price, q, /*maker=*/true, id, ts);
      if (!is_open(maker->st.status)) maker->on_book = false;
    }
    return funds_bound;
  }

  // How much a FOK order could fill right now.
  bool fok_fillable(Book& b, const Rec& o) {
    const Side side = o.st.side;
    std::optional<Price> limit;
    if (needs_price(o.st.type)) limit = o.st.price;
    Quantity need = o.st.remaining();
    Quantity got;
    if (ext_available(b, side)) {
      Price p = side == Side::kBuy ? b.quote->ask : b.quote->bid;
      if (!limit || within(side, p, *limit)) {
        if (side == Side::kBuy ? b.ask_unlimited : b.bid_unlimited) return true;
        got += side == Side::kBuy ? b.ask_avail : b.bid_avail;
      }
    }
    auto count = [&](auto& levels) {
      for (auto& [price, q] : levels) {
        if (limit && !within(side, price, *limit)) break;
        for (OrderId id : q) {
          const Rec& m = orders.at(id);
          if (!m.on_book || !is_open(m.st.status) || m.st.account == o.st.account) continue;
          got += m.st.remaining();
          if (got >= need) return;
        }
      }
    };
    if (side == Side::kBuy)
      count(b.asks);
    else
      count(b.bids);
    return got >= need;
  }

  // Puts a limit order on the book with its queue position.
  void rest(Book& b, Rec& o) {
    o.st.working = true;
    o.on_book = true;
    const Price& p = *o.st.price;
    o.ahead = queue_ahead(b, o.st.side, p);
    if (o.st.side == Side::kBuy)
      b.bids[p].push_back(o.st.order_id);
    else
      b.asks[p].push_back(o.st.order_id);
  }

  std::optional<Quantity> queue_ahead(const Book& b, Side side, const Price& p) const {
    if (!b.quote) return std::nullopt;
    const Price& t = side == Side::kBuy ? b.quote->bid : b.quote->ask;
    if (!t.is_positive()) return Quantity{};
    if (p == t) return side == Side::kBuy ? b.quote->bid_size : b.quote->ask_size;
    bool better = side == Side::kBuy ? p > t : p < t;
    if (better) return Quantity{};
    return std::nullopt;
  }

  // After an order became NEW (or its stop triggered): match, then rest, work or expire.
  void work(Book& b, Rec& o, std::int64_t ts) {
    o.st.working = true;
    const bool market = is_market_like(o.st.type);
    if (o.st.tif == Tif::kFok && !fok_fillable(b, o)) {
      close(o, OrdStatus::kExpired, ExecType::kExpired, "fok", ts);
      return;
    }
    bool funds_bound = take(b, o, ts);
    if (!is_open(o.st.status)) return;
    if (o.st.tif != Tif::kGtc || o.st.quote_order_qty) {
      close(o, OrdStatus::kExpired, ExecType::kExpired, o.st.tif == Tif::kFok ? "fok" : "ioc", ts);
    } else if (funds_bound) {
      close(o, OrdStatus::kExpired, ExecType::kExpired, "insufficient_balance", ts);
    } else if (market) {
      b.markets.push_back(o.st.order_id);
    } else {
      rest(b, o);
    }
  }

  // --- market data --------------------------------------------------------------------------

  void trigger_stops(Book& b, std::int64_t ts) {
    if (!b.reference || b.stops.empty()) return;
    std::vector<OrderId> fired;
    std::vector<OrderId> keep;
    for (OrderId id : b.stops) {
      Rec& o = orders.at(id);
      if (!is_open(o.st.status) || o.st.working) continue;
      bool hit = o.st.side == Side::kBuy ? *b.reference >= *o.st.stop_price
                                         : *b.reference <= *o.st.stop_price;
      (hit ? fired : keep).push_back(id);
    }
    b.stops = std::move(keep);
    for (OrderId id : fired) {
      Rec& o = orders.at(id);
      if (!is_open(o.st.status)) continue;  // an earlier trigger's match may have expired it
      // A buy stop-market's funds were reserved at the stop price; re-reserve at the market.
      if (o.st.type == OrdType::kStopLoss && o.st.side == Side::kBuy && cfg.enforce_balances) {
        release(o);
        o.st.working = true;
        auto [asset, amount] = needed_lock(b, o);
        Balance& bl = bal(o.st.account, asset);
        lock(o, asset, std::min(amount, bl.free.is_positive() ? bl.free : Money{}));
      }
      work(b, o, ts);
    }
  }

  void run_markets(Book& b, std::int64_t ts) {
    std::vector<OrderId> keep;
    std::vector<OrderId> ids = std::move(b.markets);
    b.markets.clear();
    for (OrderId id : ids) {
      Rec& o = orders.at(id);
      if (!is_open(o.st.status)) continue;
      bool funds_bound = take(b, o, ts);
      if (!is_open(o.st.status)) continue;
      if (funds_bound)
        close(o, OrdStatus::kExpired, ExecType::kExpired, "insufficient_balance", ts);
      else
        keep.push_back(id);
    }
    keep.insert(keep.end(), b.markets.begin(), b.markets.end());
    b.markets = std::move(keep);
  }

  // Resting orders crossed by the opposite external quote fill as makers at their own price.
  template <typename Levels>
  void cross_resting(Book& b, Levels& levels, Side side, std::int64_t ts) {
    const Price& contra = side == Side::kBuy ? b.quote->ask : b.quote->bid;
    if (!contra.is_positive()) return;
    bool unlimited = side == Side::kBuy ? b.ask_unlimited : b.bid_unlimited;
    Quantity& avail = side == Side::kBuy ? b.ask_avail : b.bid_avail;
    for (auto it = levels.begin(); it != levels.end();) {
      if (!within(side, contra, it->first)) break;
      while (Rec* o = front(it->second)) {
        if (!unlimited && !avail.is_positive()) return;
        Quantity q = o->st.remaining();
        if (!unlimited) q = std::min(q, avail);
        if (!unlimited) avail -= q;
        execute(b, *o, it->first, q, /*maker=*/true, b.next_trade++, ts);
        if (is_open(o->st.status)) return;  // the quote's size is used up
        o->on_book = false;
      }
      it = levels.erase(it);
    }
  }

  template <typename Levels>
  void update_queues(Book& b, Levels& levels, Side side) {
    const Price& touch = side == Side::kBuy ? b.quote->bid : b.quote->ask;
    const Quantity& size = side == Side::kBuy ? b.quote->bid_size : b.quote->ask_size;
    for (auto& [price, q] : levels) {
      bool better = !touch.is_positive() || (side == Side::kBuy ? price > touch : price < touch);
      if (!better && price != touch) break;
      for (OrderId id : q) {
        Rec& o = orders.at(id);
        if (better)
          o.ahead = Quantity{};  // the level we queued in is gone: nothing is ahead any more
        else if (!o.ahead)
          o.ahead = size;
      }
    }
  }

  void on_quote(Book& b, const md::Quote& q, std::int64_t ts) {
    b.quote = q;
    b.ask_avail = q.ask_size;
    b.bid_avail = q.bid_size;
    b.ask_unlimited = q.ask_size.is_zero();
    b.bid_unlimited = q.bid_size.is_zero();
    if (q.bid.is_positive() && q.ask.is_positive()) {
      Price sum = q.bid + q.ask;
      b.reference = Decimal::divide(sum, Decimal::from_int(2), std::min(sum.scale() + 1, 18));
    }
    trigger_stops(b, ts);
    run_markets(b, ts);
    cross_resting(b, b.bids, Side::kBuy, ts);
    cross_resting(b, b.asks, Side::kSell, ts);
    update_queues(b, b.bids, Side::kBuy);
    update_queues(b, b.asks, Side::kSell);
  }

  // Trades at a resting level: through the price fills all; at the price fills what is left of
  // the print after the size ahead (external, then own orders earlier in the queue).
  template <typename Levels>
  void trade_resting(Book& b, Levels& levels, Side side, const md::Trade& t, std::int64_t ts) {
    for (auto it = levels.begin(); it != levels.end();) {
      const Price price = it->first;
      bool through = side == Side::kBuy ? t.price < price : t.price > price;
      if (!through && price != t.price) break;
      if (through) {
        while (Rec* o = front(it->second)) {
          execute(b, *o, price, o->st.remaining(), /*maker=*/true, b.next_trade++, ts);
          o->on_book = false;
        }
        it = levels.erase(it);
        continue;
      }
      Quantity own_ahead;
      std::vector<std::pair<OrderId, Quantity>> fills;
      for (OrderId id : it->second) {
        Rec& o = orders.at(id);
        if (!o.on_book || !is_open(o.st.status)) continue;
        Quantity rem = o.st.remaining();
        if (o.ahead) {
          Quantity q = t.quantity - *o.ahead - own_ahead;
          q = std::min(q, rem);
          if (q.is_positive()) fills.emplace_back(id, q);
          Quantity left = *o.ahead - t.quantity;
          o.ahead = left.is_positive() ? left : Quantity{};
        }
        own_ahead += rem;
      }
      for (auto& [id, q] : fills) {
        Rec& o = orders.at(id);
        execute(b, o, price, q, /*maker=*/true, b.next_trade++, ts);
        if (!is_open(o.st.status)) o.on_book = false;
      }
      if (front(it->second) == nullptr)
        it = levels.erase(it);
      else
        ++it;
    }
  }

  void on_trade(Book& b, const md::Trade& t, std::int64_t ts) {
    b.last_trade = t.price;
    b.reference = t.price;
    trigger_stops(b, ts);
    // Working market orders fill against the print, in time order, up to its size.
    Quantity volume = t.quantity;
    std::vector<OrderId> ids = std::move(b.markets);
    b.markets.clear();
    std::vector<OrderId> keep;
    for (OrderId id : ids) {
      Rec& o = orders.at(id);
      if (!is_open(o.st.status)) continue;
      if (volume.is_positive()) {
        bool funds_bound = false;
        Price px = slipped(b, o.st.side, t.price);
        Quantity q = std::min(cap(b, o, px, funds_bound), volume);
        if (q.is_positive()) {
          volume -= q;
          execute(b, o, px, q, /*maker=*/false, b.next_trade++, ts);
        }
        if (is_open(o.st.status) && funds_bound && !q.is_positive()) {
          close(o, OrdStatus::kExpired, ExecType::kExpired, "insufficient_balance", ts);
          continue;
        }
      }
      if (is_open(o.st.status)) keep.push_back(id);
    }
    b.markets = std::move(keep);
    trade_resting(b, b.bids, Side::kBuy, t, ts);
    trade_resting(b, b.asks, Side::kSell, t, ts);
  }

  // --- entry --------------------------------------------------------------------------------

  Reject validate(const Book& b, const NewOrder& n, Quantity& qty) const {
    const InstrumentRules& r = b.rules;
    if (n.quote_order_qty) {
      if (n.type != OrdType::kMarket || !n.quote_order_qty->is_positive() ||
          n.quantity.is_positive())
        return Reject::kBadParameter;
    } else if (!n.quantity.is_positive()) {
      return Reject::kBadParameter;
    }
    if (needs_price(n.type) && (!n.price || !n.price->is_positive())) return Reject::kBadParameter;
    if (is_stop(n.type) && (!n.stop_price || !n.stop_price->is_positive()))
      return Reject::kBadParameter;
    if (!n.client_order_id.empty() && n.client_order_id.size() > 36) return Reject::kBadParameter;
    if (r.tick_size.is_positive()) {
      if (needs_price(n.type) && !n.price->is_multiple_of(r.tick_size)) return Reject::kPriceFilter;
      if (is_stop(n.type) && !n.stop_price->is_multiple_of(r.tick_size))
        return Reject::kPriceFilter;
    }
    // Reference price for market orders (and quote quantities).
    std::optional<Price> ref;
    if (needs_price(n.type))
      ref = n.price;
    else if (n.type == OrdType::kStopLoss)
      ref = n.stop_price;
    else
      ref = market_reference(b, n.side);
    if (!ref) return Reject::kNoMarketPrice;
    qty = n.quantity;
    if (n.quote_order_qty) qty = div_floor(b, *n.quote_order_qty, slipped(b, n.side, *ref));
    if (!qty.is_positive()) return Reject::kLotSize;
    if (r.lot_size.is_positive() && !qty.is_multiple_of(r.lot_size)) return Reject::kLotSize;
    if (r.min_qty.is_positive() && qty < r.min_qty) return Reject::kLotSize;
    if (r.max_qty.is_positive() && qty > r.max_qty) return Reject::kLotSize;
    Money notional = n.quote_order_qty ? *n.quote_order_qty : qty * *ref;
    if (r.min_notional.is_positive() && notional < r.min_notional) return Reject::kNotional;
    return Reject::kNone;
  }

  void reject_report(const NewOrder& n, Reject why, std::int64_t ts) {
    ExecutionReport r;
    r.exec_type = ExecType::kRejected;
    r.order.client_order_id = n.client_order_id;
    r.order.account = n.account;
    r.order.symbol = n.symbol;
    r.order.side = n.side;
    r.order.type = n.type;
    r.order.tif = n.tif;
    r.order.quantity = n.quantity;
    r.order.price = n.price;
    r.order.stop_price = n.stop_price;
    r.order.status = OrdStatus::kRejected;
    r.order.created_ns = r.order.updated_ns = ts;
    r.reject = why;
    r.reason = std::string(to_string(why));
    r.ts_ns = ts;
    report(std::move(r));
  }

  bool duplicate(const std::string& account, const std::string& coid, OrderId except = 0) const {
    auto it = by_client.find({account, coid});
    if (it == by_client.end() || it->second == except) return false;
    return is_open(orders.at(it->second).st.status);
  }

  // Checks everything place() checks without changing anything. `freed` is money that a
  // replace would release first (the old order's lock) in `freed_asset`.
  Reject check(const NewOrder& n, Quantity& qty, OrderId replacing, Rec& probe) {
    auto bit = books.find(n.symbol);
    if (bit == books.end()) return Reject::kUnknownSymbol;
    Book& b = bit->second;
    if (Reject r = validate(b, n, qty); r != Reject::kNone) return r;
    if (!n.client_order_id.empty() && duplicate(n.account, n.client_order_id, replacing))
      return Reject::kDuplicateClientOrderId;
    if (is_stop(n.type) && b.reference) {
      bool hit =
          n.side == Side::kBuy ? *b.reference >= *n.stop_price : *b.reference <= *n.stop_price;
      if (hit) return Reject::kStopWouldTrigger;
    }
    if (n.type == OrdType::kLimitMaker) {
      const Price& p = *n.price;
      bool takes = false;
      if (ext_available(b, n.side))
        takes = within(n.side, n.side == Side::kBuy ? b.quote->ask : b.quote->bid, p);
      if (!takes) {
        auto crosses = [&](auto& levels) {
          for (auto& [price, q] : levels) {
            if (!within(n.side, price, p)) return false;
            for (OrderId id : q) {
              const Rec& m = orders.at(id);
              if (m.on_book && is_open(m.st.status)) return true;
            }
          }
          return false;
        };
        takes = n.side == Side::kBuy ? crosses(b.asks) : crosses(b.bids);
      }
      if (takes) return Reject::kWouldMatch;
    }
    probe.st.account = n.account;
    probe.st.symbol = n.symbol;
    probe.st.side = n.side;
    probe.st.type = n.type;
    probe.st.tif = n.type == OrdType::kLimitMaker ? Tif::kGtc : n.tif;
    probe.st.quantity = qty;
    probe.st.quote_order_qty = n.quote_order_qty;
    probe.st.price = needs_price(n.type) ? n.price : std::nullopt;
    probe.st.stop_price = is_stop(n.type) ? n.stop_price : std::nullopt;
    probe.st.working = !is_stop(n.type);
    auto [asset, amount] = needed_lock(b, probe);
    if (amount.is_positive()) {
      Money free;
      auto acc = accounts.find(n.account);
      if (acc != accounts.end()) {
        auto it = acc->second.find(asset);
        if (it != acc->second.end()) free = it->second.free;
      }
      if (replacing) {
        const Rec& old = orders.at(replacing);
        if (old.lock_asset == asset) free += old.locked;
      }
      if (free < amount) return Reject::kInsufficientBalance;
    }
    probe.lock_asset = asset;
    probe.locked = amount;
    return Reject::kNone;
  }

  PlaceResult place(const NewOrder& n, std::int64_t ts, OrderId replacing) {
    PlaceResult res;
    Quantity qty;
    Rec probe;
    Reject why = check(n, qty, replacing, probe);
    if (why != Reject::kNone) {
      res.reject = why;
      reject_report(n, why, ts);
      return res;
    }
    return admit(n, std::move(probe), ts, replacing);
  }

  PlaceResult admit(const NewOrder& n, Rec probe, std::int64_t ts, OrderId replaces) {
    Book& b = books.at(n.symbol);
    OrderId id = next_order_id++;
    Money amount = probe.locked;
    std::string asset = probe.lock_asset;
    probe.locked = Money{};
    auto [it, inserted] = orders.emplace(id, std::move(probe));
    Rec& o = it->second;
    o.st.order_id = id;
    o.st.client_order_id = n.client_order_id.empty() ? generate_client_id() : n.client_order_id;
    o.st.status = OrdStatus::kNew;
    o.st.created_ns = o.st.updated_ns = ts;
    o.st.replaces = replaces;
    by_client[{o.st.account, o.st.client_order_id}] = id;
    lock(o, asset, amount);
    ExecutionReport r;
    r.exec_type = ExecType::kNew;
    r.order = o.st;
    r.ts_ns = ts;
    report(std::move(r));
    std::size_t first_fill = o.fills.size();
    if (is_stop(o.st.type)) {
      o.st.working = false;
      b.stops.push_back(id);
    } else {
      work(b, o, ts);
    }
    PlaceResult res;
    res.order = o.st;
    res.fills.assign(o.fills.begin() + static_cast<std::ptrdiff_t>(first_fill), o.fills.end());
    return res;
  }

  Rec* lookup(std::string_view account, const Symbol& symbol, const OrderRef& ref) {
    Rec* o = nullptr;
    if (ref.order_id != 0) {
      auto it = orders.find(ref.order_id);
      if (it != orders.end()) o = &it->second;
    } else if (!ref.client_order_id.empty()) {
      auto it = by_client.find({std::string(account), ref.client_order_id});
      if (it != by_client.end()) o = &orders.at(it->second);
    }
    if (o && (o->st.account != account || o->st.symbol != symbol)) return nullptr;
    return o;
  }
};

// --- public API ------------------------------------------------------------------------------

MatchingEngine::MatchingEngine(EngineConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
MatchingEngine::~MatchingEngine() = default;

void MatchingEngine::set_listener(EngineListener* listener) { impl_->listener = listener; }

void MatchingEngine::add_instrument(const InstrumentRules& rules) {
  auto [it, inserted] = impl_->books.try_emplace(rules.symbol);
  Impl::Book& b = it->second;
  b.rules = rules;
  b.base = std::string(rules.symbol.base());
  b.quote_asset = std::string(rules.symbol.quote());
  if (inserted) b.next_trade = impl_->cfg.first_trade_id ? impl_->cfg.first_trade_id : 1;
}

std::vector<InstrumentRules> MatchingEngine::instruments() const {
  std::vector<InstrumentRules> out;
  for (const auto& [s, b] : impl_->books) out.push_back(b.rules);
  return out;
}

const InstrumentRules* MatchingEngine::find_instrument(const Symbol& symbol) const {
  auto it = impl_->books.find(symbol);
  return it == impl_->books.end() ? nullptr : &it->second.rules;
}

void MatchingEngine::deposit(std::string_view account, std::string_view asset, const Money& amount,
                             std::int64_t ts_ns) {
  impl_->bal(std::string(account), std::string(asset)).free += amount;
  impl_->flush(ts_ns);
}

void MatchingEngine::set_balance(std::string_view account, std::string_view asset,
                                 const Balance& balance, std::int64_t ts_ns) {
  impl_->bal(std::string(account), std::string(asset)) = balance;
  impl_->flush(ts_ns);
}

std::map<std::string, Balance> MatchingEngine::balances(std::string_view account) const {
  auto it = impl_->accounts.find(account);
  if (it == impl_->accounts.end()) return {};
  return it->second;
}

PlaceResult MatchingEngine::place(const NewOrder& order, std::int64_t ts_ns) {
  PlaceResult r = impl_->place(order, ts_ns, 0);
  impl_->flush(ts_ns);
  return r;
}

CancelResult MatchingEngine::cancel(std::string_view account, const Symbol& symbol,
                                    const OrderRef& ref, std::int64_t ts_ns,
                                    std::string_view cancel_client_order_id) {
  CancelResult res;
  Impl::Rec* o = impl_->lookup(account, symbol, ref);
  if (o) res.order = o->st;
  if (!o || !is_open(o->st.status)) {
    res.reject = Reject::kUnknownOrder;
    return res;
  }
  o->on_book = false;
  impl_->close(*o, OrdStatus::kCanceled, ExecType::kCanceled, "user", ts_ns,
               cancel_client_order_id);
  res.order = o->st;
  impl_->flush(ts_ns);
  return res;
}

std::vector<OrderState> MatchingEngine::cancel_all(std::string_view account, const Symbol& symbol,
                                                   std::int64_t ts_ns) {
  std::vector<OrderState> out;
  for (auto& [id, o] : impl_->orders) {
    if (o.st.account != account || o.st.symbol != symbol || !is_open(o.st.status)) continue;
    o.on_book = false;
    impl_->close(o, OrdStatus::kCanceled, ExecType::kCanceled, "user", ts_ns);
    out.push_back(o.st);
  }
  impl_->flush(ts_ns);
  return out;
}

ReplaceResult MatchingEngine::replace(std::string_view account, const Symbol& symbol,
                                      const OrderRef& target, const NewOrder& replacement,
                                      std::int64_t ts_ns) {
  ReplaceResult res;
  Impl::Rec* old = impl_->lookup(account, symbol, target);
  if (old) res.cancelled = old->st;
  if (!old || !is_open(old->st.status) || replacement.symbol != symbol ||
      replacement.account != account) {
    res.cancel_reject = Reject::kUnknownOrder;
    return res;
  }
  Quantity qty;
  Impl::Rec probe;
  OrderId old_id = old->st.order_id;
  Reject why = impl_->check(replacement, qty, old_id, probe);
  if (why != Reject::kNone) {
    res.placed.reject = why;
    impl_->reject_report(replacement, why, ts_ns);
    impl_->flush(ts_ns);
    return res;
  }
  // Cancel the old order (reported as REPLACED), then admit the new one.
  old->on_book = false;
  old->st.status = OrdStatus::kCanceled;
  old->st.working = false;
  old->st.updated_ns = ts_ns;
  impl_->release(*old);
  OrderId new_id = impl_->next_order_id;
  old->st.replaced_by = new_id;
  ExecutionReport r;
  r.exec_type = ExecType::kReplaced;
  r.order = old->st;
  r.reason = "replaced";
  r.new_order_id = new_id;
  r.new_client_order_id = replacement.client_order_id;
  r.ts_ns = ts_ns;
  res.cancelled = old->st;
  // The new order's client id may be generated: fill it in after admission.
  NewOrder n = replacement;
  if (n.client_order_id.empty()) n.client_order_id = impl_->generate_client_id();
  r.new_client_order_id = n.client_order_id;
  impl_->report(std::move(r));
  res.placed = impl_->admit(n, std::move(probe), ts_ns, old_id);
  impl_->flush(ts_ns);
  return res;
}

bool MatchingEngine::restore(const RestoredOrder& ro) {
  const NewOrder& n = ro.order;
  auto bit = impl_->books.find(n.symbol);
  if (bit == impl_->books.end() || ro.order_id == 0 || n.client_order_id.empty()) return false;
  if (impl_->orders.count(ro.order_id)) return false;
  if (!(n.quantity - ro.executed_qty).is_positive()) return false;
  if (needs_price(n.type) && !n.price) return false;
  if (is_stop(n.type) && !n.stop_price) return false;
  Impl::Book& b = bit->second;
  Impl::Rec o;
  o.st.order_id = ro.order_id;
  o.st.client_order_id = n.client_order_id;
  o.st.account = n.account;
  o.st.symbol = n.symbol;
  o.st.side = n.side;
  o.st.type = n.type;
  o.st.tif = n.tif;
  o.st.quantity = n.quantity;
  o.st.price = needs_price(n.type) ? n.price : std::nullopt;
  o.st.stop_price = is_stop(n.type) ? n.stop_price : std::nullopt;
  o.st.executed_qty = ro.executed_qty;
  o.st.cumulative_quote_qty = ro.cumulative_quote_qty;
  o.st.status = ro.executed_qty.is_positive() ? OrdStatus::kPartiallyFilled : OrdStatus::kNew;
  o.st.created_ns = o.st.updated_ns = ro.created_ns;
  // A stop with fills had triggered before the restart.
  o.st.working = !is_stop(n.type) || ro.executed_qty.is_positive();
  auto [it, inserted] = impl_->orders.emplace(ro.order_id, std::move(o));
  Impl::Rec& rec = it->second;
  impl_->by_client[{rec.st.account, rec.st.client_order_id}] = ro.order_id;
  if (ro.order_id >= impl_->next_order_id) impl_->next_order_id = ro.order_id + 1;
  auto [asset, amount] = impl_->needed_lock(b, rec);
  if (amount.is_positive()) {
    Balance& bl = impl_->bal(rec.st.account, asset);
    impl_->lock(rec, asset, std::min(amount, bl.free.is_positive() ? bl.free : Money{}));
  }
  if (!rec.st.working)
    b.stops.push_back(ro.order_id);
  else if (is_market_like(n.type))
    b.markets.push_back(ro.order_id);
  else
    impl_->rest(b, rec);
  impl_->flush(ro.created_ns);
  return true;
}

void MatchingEngine::on_quote(const md::Quote& quote, std::int64_t ts_ns) {
  auto it = impl_->books.find(quote.symbol);
  if (it == impl_->books.end()) return;
  impl_->on_quote(it->second, quote, ts_ns);
  impl_->flush(ts_ns);
}

void MatchingEngine::on_trade(const md::Trade& trade, std::int64_t ts_ns) {
  auto it = impl_->books.find(trade.symbol);
  if (it == impl_->books.end() || !trade.quantity.is_positive()) return;
  impl_->on_trade(it->second, trade, ts_ns);
  impl_->flush(ts_ns);
}

std::optional<md::Quote> MatchingEngine::last_quote(const Symbol& symbol) const {
  auto it = impl_->books.find(symbol);
  if (it == impl_->books.end()) return std::nullopt;
  return it->second.quote;
}

std::optional<OrderState> MatchingEngine::find(OrderId order_id) const {
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) return std::nullopt;
  return it->second.st;
}

std::optional<OrderState> MatchingEngine::find(std::string_view account,
                                               std::string_view client_order_id) const {
  auto it = impl_->by_client.find({std::string(account), std::string(client_order_id)});
  if (it == impl_->by_client.end()) return std::nullopt;
  return impl_->orders.at(it->second).st;
}

std::vector<OrderState> MatchingEngine::open_orders(std::string_view account,
                                                    const std::optional<Symbol>& symbol) const {
  std::vector<OrderState> out;
  for (const auto& [id, o] : impl_->orders) {
    if (!is_open(o.st.status)) continue;
    if (!account.empty() && o.st.account != account) continue;
    if (symbol && o.st.symbol != *symbol) continue;
    out.push_back(o.st);
  }
  return out;
}

std::vector<OrderState> MatchingEngine::all_orders(std::string_view account, const Symbol& symbol,
                                                   OrderId from_order_id) const {
  std::vector<OrderState> out;
  for (auto it = impl_->orders.lower_bound(from_order_id); it != impl_->orders.end(); ++it) {
    const OrderState& s = it->second.st;
    if (s.account == account && s.symbol == symbol) out.push_back(s);
  }
  return out;
}

std::vector<Fill> MatchingEngine::trades(std::string_view account, const Symbol& symbol,
                                         TradeNo from_trade_id) const {
  std::vector<Fill> out;
  auto it = impl_->books.find(symbol);
  if (it == impl_->books.end()) return out;
  const auto& log = it->second.trades;
  auto first = std::lower_bound(log.begin(), log.end(), from_trade_id,
                                [](const auto& t, TradeNo id) { return t.trade_id < id; });
  for (; first != log.end(); ++first) {
    const Fill& f = impl_->orders.at(first->order_id).fills[first->fill];
    if (f.account == account) out.push_back(f);
  }
  return out;
}

std::vector<Fill> MatchingEngine::order_fills(OrderId order_id) const {
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) return {};
  return it->second.fills;
}

}  // namespace at::paper
