// MatchingEngine: the venue side of the paper venue and of the protocol simulators (sim/).
//
// One order book per symbol with price-time priority, fed by market data (md::Quote, md::Trade).
// It has the notions a real venue has and nothing of ours: venue order ids it assigns, client
// order ids as given (unique among an account's *open* orders, like Binance), accounts with
// free/locked balances per asset, executions with trade ids that increase per symbol, and
// execution reports pushed to a listener as a venue's user stream would push them. It does not
// know whether it runs in-process (PaperVenue) or behind a wire protocol (sim/).
//
// Liquidity comes from two places:
//   * the external market: the last quote's bid/ask and their sizes (a zero size means
//     "unknown" and is treated as unlimited), and trade prints;
//   * the book's own resting orders (from any account), which match each other in price-time
//     priority. Same-account crosses are prevented by expiring the resting order (Binance's
//     EXPIRE_MAKER self-trade prevention) so the two sides of a trade id are never one account.
//
// Semantics (docs/venues/paper.md has the long form):
//   MARKET     walks the external quote size at the touch (price slipped `slippage_bps` against
//              the taker), then better-priced own orders; what is left keeps working as a
//              marketable order that fills against later quotes and trade prints ("as the price
//              moves"). With tif IOC/FOK it never works: the rest expires.
//   LIMIT      takes what crosses now (never at a price worse than its limit), then rests.
//              Resting, it fills as maker at its own price when the opposite quote crosses it,
//              when a trade prints through it, or when trades at its price have consumed the
//              size that was displayed ahead of it when it joined (queue position).
//   IOC / FOK  limit (or market) orders that only take now; FOK all-or-nothing. The rest, or all
//              of a FOK that cannot fill completely, is EXPIRED.
//   STOP_LOSS / STOP_LOSS_LIMIT
//              wait (not on the book) until the reference price (last trade, or quote mid)
//              reaches the stop (buy: >= stop, sell: <= stop), then work as MARKET / LIMIT.
//              A stop that would trigger at entry is rejected, as Binance does.
//   LIMIT_MAKER post-only: rejected if it would take.
//   Commission: `commission_bps` of the notional, charged in the quote asset to both maker
//   and taker. Balance check on entry: a buy locks quote (notional at the limit, or the
//   slipped reference price, plus commission), a sell locks base; unused locks are released
//   when the order ends.
//
// Determinism: no clock and no randomness except the generator of missing client order ids,
// seeded from EngineConfig::seed. The same calls with the same timestamps give the same reports.
// Thread-safety: none. The owner serializes every call (one strand / one thread). The listener
// is called synchronously from inside place/cancel/replace/on_quote/on_trade and must not call
// back into the engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/decimal.h"
#include "domain/enums.h"
#include "domain/symbol.h"
#include "market_data/types.h"

namespace at::paper {

using OrderId = std::uint64_t;  // venue order id, assigned by the engine, increasing
using TradeNo = std::uint64_t;  // trade id, increasing per symbol

enum class OrdType : std::uint8_t { kMarket, kLimit, kStopLoss, kStopLossLimit, kLimitMaker };
enum class Tif : std::uint8_t { kGtc, kIoc, kFok };
// Binance's order statuses. An untriggered stop is kNew with working == false.
enum class OrdStatus : std::uint8_t {
  kNew,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kRejected,
  kExpired,
};
enum class ExecType : std::uint8_t { kNew, kTrade, kCanceled, kReplaced, kRejected, kExpired };

// Why a request was refused. binance_code()/message() give Binance's code and text.
enum class Reject : std::uint8_t {
  kNone,
  kUnknownSymbol,           // -1121 "Invalid symbol."
  kBadParameter,            // -1102 missing/invalid parameter (quantity <= 0, no price, ...)
  kPriceFilter,             // -1013 "Filter failure: PRICE_FILTER"
  kLotSize,                 // -1013 "Filter failure: LOT_SIZE"
  kNotional,                // -1013 "Filter failure: NOTIONAL"
  kInsufficientBalance,     // -2010 "Account has insufficient balance for requested action."
  kDuplicateClientOrderId,  // -2010 "Duplicate order sent."
  kStopWouldTrigger,        // -2010 "Stop price would trigger immediately."
  kWouldMatch,              // -2010 "Order would immediately match and take." (LIMIT_MAKER)
  kNoMarketPrice,           // -2010 "Market is closed." (no quote or trade seen yet)
  kUnknownOrder,            // -2011 "Unknown order sent." (cancel of an absent or closed order)
};
int binance_code(Reject r);
std::string_view message(Reject r);
std::string_view to_string(Reject r);   // "insufficient_balance", ...
std::string_view to_string(OrdType t);  // "LIMIT", "STOP_LOSS_LIMIT", ...
std::string_view to_string(Tif t);
std::string_view to_string(OrdStatus s);  // "PARTIALLY_FILLED", ...
std::string_view to_string(ExecType e);
bool is_open(OrdStatus s);

struct EngineConfig {
  Decimal slippage_bps;    // against the taker, on fills against external liquidity
  Decimal commission_bps;  // of the notional, in the quote asset, maker and taker
  // Reserve funds on entry and refuse orders the account cannot pay for.
  bool enforce_balances = true;
  // Sells need no base asset (the base balance may go negative): FX / equity style shorting.
  bool allow_short = false;
  OrderId first_order_id = 1;
  TradeNo first_trade_id = 1;
  std::uint64_t seed = 1;  // for generated client order ids only
};

// What a client sends to place an order (Binance's order.place).
struct NewOrder {
  std::string account;
  Symbol symbol;
  Side side = Side::kBuy;
  OrdType type = OrdType::kLimit;
  Tif tif = Tif::kGtc;
  Quantity quantity;
  std::optional<Money> quote_order_qty;  // MARKET only, instead of quantity: spend this much
  std::optional<Price> price;            // LIMIT, STOP_LOSS_LIMIT, LIMIT_MAKER
  std::optional<Price> stop_price;       // STOP_LOSS, STOP_LOSS_LIMIT
  std::string client_order_id;           // empty: the engine generates one (22 characters)
};

// The venue's view of one order (what a query returns).
struct OrderState {
  OrderId order_id = 0;
  std::string client_order_id;
  std::string account;
  Symbol symbol;
  Side side = Side::kBuy;
  OrdType type = OrdType::kLimit;
  Tif tif = Tif::kGtc;
  Quantity quantity;
  std::optional<Money> quote_order_qty;
  std::optional<Price> price;
  std::optional<Price> stop_price;
  OrdStatus status = OrdStatus::kNew;
  Quantity executed_qty;
  Money cumulative_quote_qty;  // sum of price * qty over fills (average price = this / executed)
  bool working = false;        // on the book or marketable (false for an untriggered stop)
  std::int64_t created_ns = 0;
  std::int64_t updated_ns = 0;
  OrderId replaced_by = 0;  // set on an order cancelled by replace()
  OrderId replaces = 0;     // set on the order that replace() placed

  Quantity remaining() const { return quantity - executed_qty; }
};

// One side of one execution.
struct Fill {
  TradeNo trade_id = 0;
  OrderId order_id = 0;
  std::string client_order_id;
  std::string account;
  Symbol symbol;
  Side side = Side::kBuy;
  Price price;
  Quantity quantity;
  Money quote_qty;  // price * quantity
  Money commission;
  std::string commission_asset;
  bool maker = false;
  std::int64_t ts_ns = 0;
};

// What the listener hears: one per state change of one order, in the order they happened.
struct ExecutionReport {
  ExecType exec_type = ExecType::kNew;
  OrderState order;  // after this execution
  // kTrade: the fill.
  std::optional<Fill> fill;
  // kRejected: why; kExpired / kCanceled: a short reason ("ioc", "fok", "self_trade_prevention",
  // "insufficient_balance", "user", "replaced").
  Reject reject = Reject::kNone;
  std::string reason;
  // kCanceled: the client id of the cancel request itself, when the client gave one.
  std::string cancel_client_order_id;
  // kReplaced (the old order, now CANCELED): the order that replaced it.
  OrderId new_order_id = 0;
  std::string new_client_order_id;
  std::int64_t ts_ns = 0;
};

struct Balance {
  Money free;
  Money locked;
};

// The balances of one account that one action changed (Binance's outboundAccountPosition).
struct AccountUpdate {
  std::string account;
  std::vector<std::pair<std::string, Balance>> balances;  // by asset, sorted
  std::int64_t ts_ns = 0;
};

class EngineListener {
 public:
  virtual ~EngineListener() = default;
  virtual void on_execution(const ExecutionReport& report) = 0;
  virtual void on_account_update(const AccountUpdate& update) {}
};

struct PlaceResult {
  Reject reject = Reject::kNone;  // kNone: accepted (it may still have expired at once)
  OrderState order;               // after the immediate matching (order_id 0 when rejected)
  std::vector<Fill> fills;        // executions that happened during place()
  bool ok() const { return reject == Reject::kNone; }
};

// Names an order: by venue order id when non-zero, else by the account's client order id.
struct OrderRef {
  OrderId order_id = 0;
  std::string client_order_id;
};

struct CancelResult {
  Reject reject = Reject::kNone;
  OrderState order;  // the cancelled order; when rejected, the order as found (if any)
  bool ok() const { return reject == Reject::kNone; }
};

// replace() is atomic: either the old order is cancelled and the new one placed, or nothing
// changed. `cancel_reject` says the old order could not be cancelled (Binance -2022 / -2011);
// `placed.reject` says the new order was refused (the old one then stays working).
struct ReplaceResult {
  Reject cancel_reject = Reject::kNone;
  OrderState cancelled;
  PlaceResult placed;
  bool ok() const { return cancel_reject == Reject::kNone && placed.ok(); }
};

// An order restored after a restart from someone else's record (the journal): it goes back on
// the book with its ids, quantity and executed quantity, without reports and without matching.
struct RestoredOrder {
  OrderId order_id = 0;
  NewOrder order;  // client_order_id must be set
  Quantity executed_qty;
  Money cumulative_quote_qty;
  std::int64_t created_ns = 0;
};

class MatchingEngine {
 public:
  explicit MatchingEngine(EngineConfig config);
  ~MatchingEngine();
  MatchingEngine(const MatchingEngine&) = delete;
  MatchingEngine& operator=(const MatchingEngine&) = delete;

  // The listener (not owned; may be null) hears every report and balance change.
  void set_listener(EngineListener* listener);

  // Instruments. Base and quote assets come from the symbol ("BTC-USDT" -> BTC, USDT). Adding a
  // symbol twice replaces its rules.
  void add_instrument(const InstrumentRules& rules);
  std::vector<InstrumentRules> instruments() const;
  const InstrumentRules* find_instrument(const Symbol& symbol) const;

  // Accounts. deposit() adds (or, negative, withdraws) free balance.
  void deposit(std::string_view account, std::string_view asset, const Money& amount,
               std::int64_t ts_ns);
  // Sets an account's balance outright (restoring a known state after a restart).
  void set_balance(std::string_view account, std::string_view asset, const Balance& balance,
                   std::int64_t ts_ns);
  std::map<std::string, Balance> balances(std::string_view account) const;

  // Orders. Each reports to the listener before returning.
  PlaceResult place(const NewOrder& order, std::int64_t ts_ns);
  CancelResult cancel(std::string_view account, const Symbol& symbol, const OrderRef& ref,
                      std::int64_t ts_ns, std::string_view cancel_client_order_id = {});
  // Cancels every open order of `account` on `symbol`; returns them.
  std::vector<OrderState> cancel_all(std::string_view account, const Symbol& symbol,
                                     std::int64_t ts_ns);
  ReplaceResult replace(std::string_view account, const Symbol& symbol, const OrderRef& target,
                        const NewOrder& replacement, std::int64_t ts_ns);
  // Puts a known order back on the book (after a restart). Fails (returns false) on an unknown
  // symbol, a closed order (nothing remaining) or a duplicate id. Locks what it can of the
  // funds the order needs, never more than the account has.
  bool restore(const RestoredOrder& order);

  // Market data. Fills triggered by it are reported to the listener.
  void on_quote(const md::Quote& quote, std::int64_t ts_ns);
  void on_trade(const md::Trade& trade, std::int64_t ts_ns);
  std::optional<md::Quote> last_quote(const Symbol& symbol) const;

  // Queries. find() returns orders in any status; a client order id names the account's most
  // recent order with that id.
  std::optional<OrderState> find(OrderId order_id) const;
  std::optional<OrderState> find(std::string_view account, std::string_view client_order_id) const;
  // Open orders of `account` ("" = every account), on `symbol` (nullopt = every symbol), by id.
  std::vector<OrderState> open_orders(std::string_view account,
                                      const std::optional<Symbol>& symbol = std::nullopt) const;
  // Every order of `account` on `symbol` with order_id >= from_order_id, by id.
  std::vector<OrderState> all_orders(std::string_view account, const Symbol& symbol,
                                     OrderId from_order_id = 0) const;
  // The account's fills on `symbol` with trade_id >= from_trade_id, in trade id order.
  std::vector<Fill> trades(std::string_view account, const Symbol& symbol,
                           TradeNo from_trade_id = 0) const;
  // Fills of one order, in order.
  std::vector<Fill> order_fills(OrderId order_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace at::paper
