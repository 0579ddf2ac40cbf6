// Binance Spot wire codec: request building and signing, and decoding of REST answers and
// user-data stream frames into plain structs. Pure: no I/O, no clock, no state beyond the
// reusable JSON parser in UserStreamParser. (VENUES.md §1 is the protocol reference.)
//
// Signing (§1.2, §1.3):
//   REST    payload = query string (values percent-encoded) ++ body; HMAC-SHA256 -> hex
//   WS API  payload = every param but `signature`, sorted by name, "k=v" joined with '&',
//           values raw UTF-8 (no percent-encoding); HMAC-SHA256 -> hex
//
// User-data frames (§1.6), WebSocket API envelope:
//   {"subscriptionId":N,"event":{"e":"executionReport",...}}
//   {"event":{"e":"serverShutdown","E":...}}                 (no subscription id)
//   {"id":..,"status":200,"result":{...}}  /  {"id":..,"status":4xx,"error":{code,msg}}
// and the legacy listenKey stream's bare {"e":"executionReport",...}. Unknown fields and
// unknown event types are ignored (they are normal); missing or mistyped required fields make
// the frame a decoding error, which the adapter turns into an AnomalyDetected event.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/net/signing.h"
#include "domain/decimal.h"
#include "domain/enums.h"
#include "domain/events.h"
#include "domain/result.h"
#include "domain/symbol.h"

namespace at::binance {

// Request parameters in wire order.
using Params = std::vector<std::pair<std::string, std::string>>;

// "k=v&k=v" with keys and values percent-encoded (RFC 3986 unreserved kept).
std::string encode_query(const Params& params);
// REST signature: HMAC-SHA256(secret, query ++ body) as lower-case hex. The adapter keeps a
// keyed net::HmacSha256 for its secret (the key pads are derived once); the string_view
// overloads key a fresh one per call.
std::string sign_rest(const net::HmacSha256& key, std::string_view query,
                      std::string_view body = {});
std::string sign_rest(std::string_view secret, std::string_view query, std::string_view body = {});
// WS API signature payload: params sorted by name, "k=v&..." with raw values.
std::string ws_signature_payload(Params params);
std::string sign_ws(const net::HmacSha256& key, const Params& params);
std::string sign_ws(std::string_view secret, const Params& params);

// --- symbols ---------------------------------------------------------------------------------

// BTC-USDT <-> BTCUSDT. Learned from exchangeInfo (baseAsset/quoteAsset); before that, and for
// symbols it does not list, the canonical form without its dash.
class SymbolMap {
 public:
  void add(const std::string& venue_symbol, const Symbol& canonical);
  std::string to_venue(const Symbol& s) const;
  // nullopt for a venue symbol we cannot split (not in exchangeInfo).
  std::optional<Symbol> to_canonical(std::string_view venue_symbol) const;
  bool empty() const { return to_canonical_.empty(); }

 private:
  std::map<std::string, Symbol, std::less<>> to_canonical_;
  std::map<Symbol, std::string> to_venue_;
};

// --- exchangeInfo ----------------------------------------------------------------------------

struct RateLimitRule {
  std::string type;      // REQUEST_WEIGHT | ORDERS | RAW_REQUESTS
  std::string interval;  // SECOND | MINUTE | HOUR | DAY
  int interval_num = 1;
  std::int64_t limit = 0;
  std::int64_t window_ms() const;
};

struct SymbolInfo {
  InstrumentRules rules;
  std::string status;  // TRADING, HALT, ...
  bool cancel_replace_allowed = false;
};

struct ExchangeInfo {
  std::int64_t server_time_ms = 0;
  std::vector<RateLimitRule> rate_limits;
  std::vector<SymbolInfo> symbols;
};

// tick from PRICE_FILTER.tickSize, lot from LOT_SIZE.stepSize (min/max qty too), min notional
// from NOTIONAL (or legacy MIN_NOTIONAL). Symbols whose entries do not decode are skipped and
// named in `skipped` (never fatal); a body that is not exchangeInfo at all is an error.
Result<ExchangeInfo> parse_exchange_info(std::string_view json, std::vector<std::string>* skipped);

// --- orders ----------------------------------------------------------------------------------

// POST /api/v3/order parameters (without timestamp/signature) for an intent:
//   MARKET -> MARKET; LIMIT -> LIMIT + timeInForce; IOC / FOK -> LIMIT with that timeInForce
//   (MARKET when no price); STOP -> STOP_LOSS; STOP_LIMIT -> STOP_LOSS_LIMIT.
// DAY time in force does not exist on Binance Spot: kInvalidArgument.
Result<Params> order_params(const OrderRequested& order, std::string_view venue_symbol);

// OrderStatus for a Binance order status ("NEW", "PARTIALLY_FILLED", ...).
std::optional<OrderStatus> map_order_status(std::string_view binance_status);

// --- REST rows -------------------------------------------------------------------------------

// GET/DELETE /api/v3/order, openOrders and allOrders rows, cancelReplace's responses.
struct OrderRow {
  std::string symbol;
  std::int64_t order_id = 0;
  std::string client_order_id;
  std::string orig_client_order_id;  // DELETE answers carry it
  std::string status;
  Quantity orig_qty;
  Quantity executed_qty;
  std::int64_t update_time_ms = 0;
};

// myTrades rows.
struct TradeRow {
  std::string symbol;
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  Price price;
  Quantity qty;
  Money commission;
  std::string commission_asset;
  std::int64_t time_ms = 0;
  bool is_buyer = false;
  bool is_maker = false;
};

Result<OrderRow> parse_order_row(std::string_view json);
Result<std::vector<OrderRow>> parse_order_rows(std::string_view json);
Result<std::vector<TradeRow>> parse_trade_rows(std::string_view json);
// {"orderId":..} of an ACK answer (also accepts RESULT/FULL).
Result<std::int64_t> parse_order_ack(std::string_view json);
Result<std::int64_t> parse_server_time(std::string_view json);

struct Balance {
  std::string asset;
  Money free;
  Money locked;
};
Result<std::vector<Balance>> parse_account_balances(std::string_view json);

// {"code":-1121,"msg":"Invalid symbol."}; for cancelReplace also data.cancelResponse /
// data.newOrderResponse.
struct ApiError {
  int code = 0;
  std::string msg;
  std::optional<int> cancel_code;  // cancelReplace: the cancel leg's error code
  std::string cancel_msg;
  std::optional<int> new_order_code;  // cancelReplace: the new order's error code
  std::string new_order_msg;
};
ApiError parse_api_error(std::string_view json);

struct CancelReplaceResult {
  std::string cancel_result;     // SUCCESS | FAILURE | NOT_ATTEMPTED
  std::string new_order_result;  // SUCCESS | FAILURE | NOT_ATTEMPTED
  std::int64_t new_order_id = 0;
};
Result<CancelReplaceResult> parse_cancel_replace(std::string_view json);

// --- error classification --------------------------------------------------------------------

enum class Operation : std::uint8_t { kSubmit, kCancel, kReplace, kQuery, kOther };

// What a non-2xx answer means. `effect` says which business event the adapter emits besides
// returning `error`.
struct Classified {
  enum class Effect : std::uint8_t {
    kNone,
    kOrderRejected,         // permanent refusal of a new order (filters, balance, symbol)
    kCancelRejected,        // -2011 on cancel
    kReplaceRejected,       // -2022: cancel leg failed, old order still works
    kReplaceCancelledOnly,  // -2021: old order cancelled, new order refused
    kResyncTime,            // -1021: resync the clock offset, then retry
    kNotFound,              // -2013 on query
  };
  Error error;
  Effect effect = Effect::kNone;
};
// http_status with body (and Retry-After seconds when present, else 0).
Classified classify_error(int http_status, std::string_view body, std::int64_t retry_after_s,
                          Operation op);

// --- user-data stream ------------------------------------------------------------------------

struct ExecutionReport {
  std::int64_t event_time_ms = 0;     // E
  std::string symbol;                 // s
  std::string client_order_id;        // c
  std::string orig_client_order_id;   // C ("" unless a cancel names the original)
  std::string side;                   // S
  std::string order_type;             // o
  std::string exec_type;              // x
  std::string order_status;           // X
  std::string reject_reason;          // r
  std::int64_t order_id = 0;          // i
  Quantity order_qty;                 // q
  Quantity last_qty;                  // l
  Quantity cum_qty;                   // z
  Price last_price;                   // L
  Money commission;                   // n
  std::string commission_asset;       // N (null -> "")
  std::int64_t transact_time_ms = 0;  // T
  std::int64_t trade_id = -1;         // t
  bool maker = false;                 // m
};

struct AccountPosition {  // outboundAccountPosition
  std::int64_t event_time_ms = 0;
  std::vector<Balance> balances;
};

struct BalanceDelta {  // balanceUpdate
  std::int64_t event_time_ms = 0;
  std::string asset;
  Money delta;
};

// serverShutdown, eventStreamTerminated, listenKeyExpired: the stream is ending; reconnect
// and reconcile.
struct StreamEnded {
  std::string reason;
};

// A WebSocket API response to one of our requests.
struct WsApiResponse {
  std::string id;  // as text
  int status = 0;
  int error_code = 0;
  std::string error_msg;
  std::optional<std::int64_t> subscription_id;  // result.subscriptionId
};

// Anything else that decoded fine (listStatus, externalLockUpdate, future events).
struct IgnoredEvent {
  std::string type;
};

using UserMessage = std::variant<ExecutionReport, AccountPosition, BalanceDelta, StreamEnded,
                                 WsApiResponse, IgnoredEvent>;

// Reusable decoder (keeps its JSON parser's memory between frames). Not thread-safe.
class UserStreamParser {
 public:
  UserStreamParser();
  ~UserStreamParser();
  // kInvalidArgument with a one-line reason for malformed JSON or a bad required field.
  Result<UserMessage> parse(std::string_view frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The OrderFilled event of a TRADE executionReport (no checks on whether the order is ours).
OrderFilled fill_from_report(const ExecutionReport& r, const Symbol& symbol, std::string venue,
                             std::string account, Side side);

}  // namespace at::binance
