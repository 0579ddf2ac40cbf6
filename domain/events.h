// The event types: everything that happens is one of these, appended to the journal before
// anything acts on it. Names are past tense (OrderFilled); they are plain structs grouped in
// one std::variant. Every event carries `ts_ns`: when it happened, by the clock of whoever
// observed it (engine or venue); the journal adds the sequence number and the time it was
// recorded (see Envelope).
//
// Compatibility: the variant's alternatives are identified on disk by EventType, whose numbers
// never change; new events and new fields are only ever added at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/decimal.h"
#include "domain/enums.h"
#include "domain/ids.h"
#include "domain/symbol.h"

namespace at {

using Metadata = std::vector<std::pair<std::string, std::string>>;  // ordered, replay-stable

// --- decisions -------------------------------------------------------------------------------

// A strategy decision entered the engine (from a file, the demo strategy or the API).
struct DecisionReceived {
  DecisionId decision_id;
  std::string source;  // "file:<path>", "demo", "api:<client>"
  Symbol symbol;
  Action action = Action::kHold;
  Quantity size;                        // target size; for FLAT ignored
  std::optional<OrderType> order_type;  // default LIMIT when a limit price is given, else MARKET
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;
  std::optional<TimeInForce> tif;
  Metadata metadata;
  std::string account;  // "" = the default account
  std::int64_t ts_ns = 0;
};

// Pre-trade risk refused a decision or order. `reason` is a machine-readable code from
// risk_reasons below; `detail` says the numbers.
struct RiskRejected {
  DecisionId decision_id;
  ClientOrderId client_order_id;  // empty when refused before an order was formed
  Symbol symbol;
  std::string reason;
  std::string detail;
  std::int64_t ts_ns = 0;
};

// --- order intents and venue answers ---------------------------------------------------------

// The durable intent to place an order. Nothing reaches a venue before this is durable.
struct OrderRequested {
  ClientOrderId client_order_id;
  DecisionId decision_id;
  std::string account;
  std::string venue;
  Symbol symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  Quantity quantity;
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;
  TimeInForce tif = TimeInForce::kGtc;
  ClientOrderId replaces;  // set when this order replaces another (cancel/replace)
  std::int64_t ts_ns = 0;
};

// A request for the order left for the venue (attempt 1, 2, ... all with the same id).
struct OrderSent {
  ClientOrderId client_order_id;
  std::uint32_t attempt = 1;
  std::int64_t ts_ns = 0;
};

struct OrderAccepted {
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;
  std::int64_t ts_ns = 0;
};

struct OrderRejected {
  ClientOrderId client_order_id;
  std::string reason;
  int venue_code = 0;
  std::int64_t ts_ns = 0;
};

// One execution. Deduplicated on (venue, trade_id).
struct OrderFilled {
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;
  TradeId trade_id;
  std::string venue;
  std::string account;
  Symbol symbol;
  Side side = Side::kBuy;
  Quantity quantity;
  Price price;
  Money commission;
  std::string commission_asset;
  Liquidity liquidity = Liquidity::kUnknown;
  std::int64_t ts_ns = 0;
};

struct CancelRequested {
  ClientOrderId client_order_id;
  std::string reason;  // "user", "timeout", "kill_switch", "replace"
  std::int64_t ts_ns = 0;
};

struct OrderCancelled {
  ClientOrderId client_order_id;
  std::string reason;
  std::int64_t ts_ns = 0;
};

// The venue refused a cancel, usually because the order had already filled (a real race).
struct CancelRejected {
  ClientOrderId client_order_id;
  std::string reason;
  int venue_code = 0;
  std::int64_t ts_ns = 0;
};

// Replace `client_order_id` by `new_client_order_id` (whose OrderRequested comes first).
struct ReplaceRequested {
  ClientOrderId client_order_id;
  ClientOrderId new_client_order_id;
  Quantity new_quantity;
  std::optional<Price> new_limit_price;
  bool native = true;  // venue-native replace; false = cancel-then-submit
  std::int64_t ts_ns = 0;
};

// The old order is gone (CANCELLED, reason "replaced") and the new one is working.
struct OrderReplaced {
  ClientOrderId client_order_id;
  ClientOrderId new_client_order_id;
  VenueOrderId new_venue_order_id;
  std::int64_t ts_ns = 0;
};

struct ReplaceRejected {
  ClientOrderId client_order_id;
  ClientOrderId new_client_order_id;
  std::string reason;
  std::int64_t ts_ns = 0;
};

struct OrderExpired {
  ClientOrderId client_order_id;
  std::string reason;
  std::int64_t ts_ns = 0;
};

// A request's answer was lost (timeout after sending, 5xx, -1007, dropped connection).
// The order is UNKNOWN until a query by client order id resolves it.
struct OrderStatusUnknown {
  ClientOrderId client_order_id;
  std::string operation;  // "submit", "cancel", "replace"
  std::string detail;
  std::int64_t ts_ns = 0;
};

// A query by client order id found no such order at the venue: the request never took effect,
// so the order returns to PENDING and may be sent again with the same id.
struct OrderNotFoundAtVenue {
  ClientOrderId client_order_id;
  std::int64_t ts_ns = 0;
};

// --- resiliency ------------------------------------------------------------------------------

struct VenueConnectionChanged {
  std::string venue;
  ConnectionState state = ConnectionState::kConnected;
  std::string detail;
  std::int64_t ts_ns = 0;
};

// A classified venue or I/O failure (ErrorKind's text in `kind`).
struct VenueErrorOccurred {
  std::string venue;
  ClientOrderId client_order_id;
  std::string operation;
  std::string kind;
  int venue_code = 0;
  std::string message;
  std::int64_t retry_after_ms = 0;
  std::int64_t ts_ns = 0;
};

struct RetryScheduled {
  ClientOrderId client_order_id;
  std::string operation;
  std::uint32_t attempt = 0;
  std::int64_t delay_ms = 0;
  std::int64_t ts_ns = 0;
};

struct CircuitBreakerChanged {
  std::string venue;
  BreakerState from = BreakerState::kClosed;
  BreakerState to = BreakerState::kClosed;
  std::string reason;
  std::int64_t ts_ns = 0;
};

// An intent that exhausted its retries; also written to the `dlq` topic.
struct DeadLettered {
  ClientOrderId client_order_id;
  std::string operation;
  std::string reason;
  std::uint32_t attempts = 0;
  std::int64_t ts_ns = 0;
};

struct DeadLetterRetried {
  ClientOrderId client_order_id;
  std::string who;
  std::int64_t ts_ns = 0;
};

struct DeadLetterDropped {
  ClientOrderId client_order_id;
  std::string who;
  std::string reason;
  std::int64_t ts_ns = 0;
};

// Something that is not a legal transition (a fill for an order we never sent, a duplicate
// trade id, a malformed venue message): recorded and surfaced, never a crash, never dropped.
struct AnomalyDetected {
  std::string kind;
  std::string venue;
  ClientOrderId client_order_id;
  std::string detail;
  std::int64_t ts_ns = 0;
};

// --- trading state and safety ----------------------------------------------------------------

struct TradingStateChanged {
  TradingState from = TradingState::kActive;
  TradingState to = TradingState::kActive;
  std::string who;
  std::string reason;
  std::int64_t ts_ns = 0;
};

struct KillSwitchActivated {
  std::string who;
  std::string reason;
  bool flatten = false;
  std::int64_t ts_ns = 0;
};

// --- market and account ----------------------------------------------------------------------

struct MarkPriceUpdated {
  Symbol symbol;
  Price price;
  std::int64_t ts_ns = 0;
};

// Absolute balance as reported by the venue (Binance outboundAccountPosition, paper).
struct BalanceUpdated {
  std::string account;
  std::string asset;
  Money free;
  Money locked;
  std::int64_t ts_ns = 0;
};

// A deposit or withdrawal (the paper venue's initial balance, a Binance balanceUpdate).
struct AccountFunded {
  std::string account;
  std::string asset;
  Money amount;  // negative for a withdrawal
  std::int64_t ts_ns = 0;
};

struct InstrumentDefined {
  std::string venue;
  InstrumentRules rules;
  std::int64_t ts_ns = 0;
};

// --- engine lifecycle ------------------------------------------------------------------------

struct EngineStarted {
  std::string version;
  std::string venue;
  std::string config_digest;  // hash of the redacted config
  std::int64_t ts_ns = 0;
};

struct EngineStopped {
  std::string reason;
  std::int64_t ts_ns = 0;
};

struct RecoveryCompleted {
  std::uint64_t replayed_events = 0;
  std::uint32_t in_flight = 0;
  std::uint32_t resolved = 0;
  std::uint32_t restored_resting = 0;
  std::int64_t ts_ns = 0;
};

using Event = std::variant<DecisionReceived, RiskRejected, OrderRequested, OrderSent,
                           OrderAccepted, OrderRejected, OrderFilled, CancelRequested,
                           OrderCancelled, CancelRejected, ReplaceRequested, OrderReplaced,
                           ReplaceRejected, OrderExpired, OrderStatusUnknown, OrderNotFoundAtVenue,
                           VenueConnectionChanged, VenueErrorOccurred, RetryScheduled,
                           CircuitBreakerChanged, DeadLettered, DeadLetterRetried,
                           DeadLetterDropped, AnomalyDetected, TradingStateChanged,
                           KillSwitchActivated, MarkPriceUpdated, BalanceUpdated, AccountFunded,
                           InstrumentDefined, EngineStarted, EngineStopped, RecoveryCompleted>;

// Stable on-disk numbers: EventType(n) is Event's alternative n. Only append.
enum class EventType : std::uint16_t {
  kDecisionReceived = 0,
  kRiskRejected,
  kOrderRequested,
  kOrderSent,
  kOrderAccepted,
  kOrderRejected,
  kOrderFilled,
  kCancelRequested,
  kOrderCancelled,
  kCancelRejected,
  kReplaceRequested,
  kOrderReplaced,
  kReplaceRejected,
  kOrderExpired,
  kOrderStatusUnknown,
  kOrderNotFoundAtVenue,
  kVenueConnectionChanged,
  kVenueErrorOccurred,
  kRetryScheduled,
  kCircuitBreakerChanged,
  kDeadLettered,
  kDeadLetterRetried,
  kDeadLetterDropped,
  kAnomalyDetected,
  kTradingStateChanged,
  kKillSwitchActivated,
  kMarkPriceUpdated,
  kBalanceUpdated,
  kAccountFunded,
  kInstrumentDefined,
  kEngineStarted,
  kEngineStopped,
  kRecoveryCompleted,
};
inline constexpr std::size_t kEventTypeCount = std::variant_size_v<Event>;

inline EventType type_of(const Event& e) { return static_cast<EventType>(e.index()); }
// "OrderFilled" etc; parse_event_type accepts the same names (case-sensitive).
std::string_view to_string(EventType t);
bool parse_event_type(std::string_view s, EventType& out);
std::int64_t event_time_ns(const Event& e);
// The client order id an event is about, or nullptr (used for the by-order index).
const ClientOrderId* client_order_id_of(const Event& e);
// The venue order id an event carries, or nullptr (used for the by-venue-id index).
const VenueOrderId* venue_order_id_of(const Event& e);
// The symbol an event is about, or nullptr.
const Symbol* symbol_of(const Event& e);

// An event as stored: its place in the journal, when it was recorded, and what caused it.
struct Envelope {
  std::uint64_t sequence = 0;
  std::int64_t recorded_ns = 0;
  std::uint64_t causation = 0;  // sequence of the event that caused this one; 0 if none
  Event event;
};

// Machine-readable risk rejection reasons (RiskRejected::reason).
namespace risk_reasons {
inline constexpr std::string_view kInsufficientBalance = "insufficient_balance";
inline constexpr std::string_view kPositionLimit = "position_limit";
inline constexpr std::string_view kMaxOrderQuantity = "max_order_quantity";
inline constexpr std::string_view kMaxNotional = "max_notional";
inline constexpr std::string_view kPriceCollar = "price_collar";
inline constexpr std::string_view kMaxOpenOrders = "max_open_orders";
inline constexpr std::string_view kOrderRate = "order_rate";
inline constexpr std::string_view kDuplicate = "duplicate_order";
inline constexpr std::string_view kTickSize = "tick_size";
inline constexpr std::string_view kLotSize = "lot_size";
inline constexpr std::string_view kMinNotional = "min_notional";
inline constexpr std::string_view kTradingHalted = "trading_halted";
inline constexpr std::string_view kReduceOnly = "reduce_only";
inline constexpr std::string_view kUnknownSymbol = "unknown_symbol";
inline constexpr std::string_view kNoMarkPrice = "no_mark_price";
inline constexpr std::string_view kInvalidOrder = "invalid_order";
}  // namespace risk_reasons

}  // namespace at
