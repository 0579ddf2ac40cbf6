#include "journal/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <exception>
#include <type_traits>
#include <vector>

#include "events.capnp.h"

namespace at::journal {
namespace {

namespace s = schema;

// The list of event types, in EventType order. X(Name) must name both at::Name and s::Name.
#define AT_JOURNAL_EVENTS(X) \
  X(DecisionReceived)        \
  X(RiskRejected)            \
  X(OrderRequested)          \
  X(OrderSent)               \
  X(OrderAccepted)           \
  X(OrderRejected)           \
  X(OrderFilled)             \
  X(CancelRequested)         \
  X(OrderCancelled)          \
  X(CancelRejected)          \
  X(ReplaceRequested)        \
  X(OrderReplaced)           \
  X(ReplaceRejected)         \
  X(OrderExpired)            \
  X(OrderStatusUnknown)      \
  X(OrderNotFoundAtVenue)    \
  X(VenueConnectionChanged)  \
  X(VenueErrorOccurred)      \
  X(RetryScheduled)          \
  X(CircuitBreakerChanged)   \
  X(DeadLettered)            \
  X(DeadLetterRetried)       \
  X(DeadLetterDropped)       \
  X(AnomalyDetected)         \
  X(TradingStateChanged)     \
  X(KillSwitchActivated)     \
  X(MarkPriceUpdated)        \
  X(BalanceUpdated)          \
  X(AccountFunded)           \
  X(InstrumentDefined)       \
  X(EngineStarted)           \
  X(EngineStopped)           \
  X(RecoveryCompleted)

template <typename T>
struct SchemaOf;
#define AT_SCHEMA_OF(Name)    \
  template <>                 \
  struct SchemaOf<at::Name> { \
    using type = s::Name;     \
  };
AT_JOURNAL_EVENTS(AT_SCHEMA_OF)
#undef AT_SCHEMA_OF

// Checks that the macro list and the variant agree: same count, and each Name sits at
// variant index EventType::kName (encode uses the index, decode the enum).
template <typename T, std::size_t I = 0>
constexpr std::size_t index_in_event() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Event>, T>) {
    return I;
  } else {
    return index_in_event<T, I + 1>();
  }
}
#define AT_CHECK_INDEX(Name) \
  static_assert(index_in_event<at::Name>() == static_cast<std::size_t>(EventType::k##Name));
AT_JOURNAL_EVENTS(AT_CHECK_INDEX)
#undef AT_CHECK_INDEX
#define AT_COUNT(Name) +1
static_assert(0 AT_JOURNAL_EVENTS(AT_COUNT) == kEventTypeCount);
#undef AT_COUNT

// A decoding failure inside the codec; turned into kCorruption at the boundary.
struct DecodeFailure {
  std::string what;
};

// --- encode helpers ------------------------------------------------------------------------

inline capnp::Text::Reader text(const std::string& s) {
  return capnp::Text::Reader(s.data(), s.size());
}
template <typename Tag>
inline capnp::Text::Reader text(const StrongId<Tag>& id) {
  return text(id.str());
}
inline capnp::Text::Reader text(const Symbol& sym) { return text(sym.str()); }

inline void put(s::Decimal::Builder b, const Decimal& d) {
  b.setHi(d.mantissa_hi());
  b.setLo(d.mantissa_lo());
  b.setScale(static_cast<std::uint8_t>(d.scale()));
}

template <typename To, typename From>
inline To en(From v) {
  return static_cast<To>(static_cast<std::uint16_t>(v));
}

// --- decode helpers ------------------------------------------------------------------------

inline void get(capnp::Text::Reader t, std::string& out) { out.assign(t.begin(), t.size()); }
template <typename Tag>
inline void get(capnp::Text::Reader t, StrongId<Tag>& out) {
  // StrongId has no mutable access; construct (short ids stay in the SSO buffer).
  if (out.str().size() == t.size() && std::memcmp(out.str().data(), t.begin(), t.size()) == 0)
    return;
  out = StrongId<Tag>(std::string(t.begin(), t.size()));
}
inline void get(capnp::Text::Reader t, Symbol& out, const char* field) {
  std::string_view v(t.begin(), t.size());
  if (v == out.str()) return;
  if (v.empty()) {
    out = Symbol();
    return;
  }
  // Journals name few symbols: a small direct-mapped cache skips re-validating each one.
  struct Slot {
    std::string text;
    Symbol symbol;
  };
  thread_local Slot cache[64];
  auto& slot = cache[std::hash<std::string_view>{}(v)&63];
  if (slot.text != v) {
    auto r = Symbol::parse(v);
    if (!r) throw DecodeFailure{std::string(field) + ": " + r.error().message};
    slot.text.assign(v);
    slot.symbol = std::move(*r);
  }
  out = slot.symbol;
}
inline Decimal get(s::Decimal::Reader r, const char* field) {
  int scale = r.getScale();
  if (scale > Decimal::kMaxScale)
    throw DecodeFailure{std::string(field) + ": decimal scale " + std::to_string(scale) +
                        " out of range"};
  try {
    return Decimal::from_parts(r.getHi(), r.getLo(), scale);
  } catch (const std::exception& e) {
    throw DecodeFailure{std::string(field) + ": " + e.what()};
  }
}
template <typename To, typename From>
inline To de(From v, std::uint16_t count, const char* field) {
  auto n = static_cast<std::uint16_t>(v);
  if (n >= count)
    throw DecodeFailure{std::string(field) + ": enum value " + std::to_string(n) + " out of range"};
  return static_cast<To>(n);
}

// Domain enum sizes (the last enumerant + 1).
constexpr std::uint16_t kSides = 2, kOrderTypes = 6, kTifs = 4, kActions = 4, kTradingStates = 3,
                        kBreakerStates = 3, kLiquidities = 3, kConnectionStates = 3;

// --- per-event encode / decode ---------------------------------------------------------------
// Field by field, in schema order. A new field is added to the schema, to enc and to dec.

void enc(s::DecisionReceived::Builder b, const DecisionReceived& e) {
  b.setDecisionId(text(e.decision_id));
  b.setSource(text(e.source));
  b.setSymbol(text(e.symbol));
  b.setAction(en<s::Action>(e.action));
  put(b.initSize(), e.size);
  if (e.order_type) {
    b.setOrderType(en<s::OrderType>(*e.order_type));
    b.setHasOrderType(true);
  }
  if (e.limit_price) put(b.initLimitPrice(), *e.limit_price);
  if (e.stop_price) put(b.initStopPrice(), *e.stop_price);
  if (e.tif) {
    b.setTif(en<s::TimeInForce>(*e.tif));
    b.setHasTif(true);
  }
  if (!e.metadata.empty()) {
    auto l = b.initMetadata(static_cast<unsigned>(e.metadata.size()));
    for (unsigned i = 0; i < e.metadata.size(); ++i) {
      l[i].setKey(text(e.metadata[i].first));
      l[i].setValue(text(e.metadata[i].second));
    }
  }
  b.setAccount(text(e.account));
  b.setTsNs(e.ts_ns);
}
void dec(s::DecisionReceived::Reader r, DecisionReceived& e) {
  get(r.getDecisionId(), e.decision_id);
  get(r.getSource(), e.source);
  get(r.getSymbol(), e.symbol, "symbol");
  e.action = de<Action>(r.getAction(), kActions, "action");
  e.size = get(r.getSize(), "size");
  e.order_type.reset();
  if (r.getHasOrderType()) e.order_type = de<OrderType>(r.getOrderType(), kOrderTypes, "orderType");
  e.limit_price.reset();
  if (r.hasLimitPrice()) e.limit_price = get(r.getLimitPrice(), "limitPrice");
  e.stop_price.reset();
  if (r.hasStopPrice()) e.stop_price = get(r.getStopPrice(), "stopPrice");
  e.tif.reset();
  if (r.getHasTif()) e.tif = de<TimeInForce>(r.getTif(), kTifs, "tif");
  e.metadata.clear();
  for (auto kv : r.getMetadata())
    e.metadata.emplace_back(std::string(kv.getKey().begin(), kv.getKey().size()),
                            std::string(kv.getValue().begin(), kv.getValue().size()));
  get(r.getAccount(), e.account);
  e.ts_ns = r.getTsNs();
}

void enc(s::RiskRejected::Builder b, const RiskRejected& e) {
  b.setDecisionId(text(e.decision_id));
  b.setClientOrderId(text(e.client_order_id));
  b.setSymbol(text(e.symbol));
  b.setReason(text(e.reason));
  b.setDetail(text(e.detail));
  b.setTsNs(e.ts_ns);
}
void dec(s::RiskRejected::Reader r, RiskRejected& e) {
  get(r.getDecisionId(), e.decision_id);
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getSymbol(), e.symbol, "symbol");
  get(r.getReason(), e.reason);
  get(r.getDetail(), e.detail);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderRequested::Builder b, const OrderRequested& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setDecisionId(text(e.decision_id));
  b.setAccount(text(e.account));
  b.setVenue(text(e.venue));
  b.setSymbol(text(e.symbol));
  b.setSide(en<s::Side>(e.side));
  b.setType(en<s::OrderType>(e.type));
  put(b.initQuantity(), e.quantity);
  if (e.limit_price) put(b.initLimitPrice(), *e.limit_price);
  if (e.stop_price) put(b.initStopPrice(), *e.stop_price);
  b.setTif(en<s::TimeInForce>(e.tif));
  b.setReplaces(text(e.replaces));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderRequested::Reader r, OrderRequested& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getDecisionId(), e.decision_id);
  get(r.getAccount(), e.account);
  get(r.getVenue(), e.venue);
  get(r.getSymbol(), e.symbol, "symbol");
  e.side = de<Side>(r.getSide(), kSides, "side");
  e.type = de<OrderType>(r.getType(), kOrderTypes, "type");
  e.quantity = get(r.getQuantity(), "quantity");
  e.limit_price.reset();
  if (r.hasLimitPrice()) e.limit_price = get(r.getLimitPrice(), "limitPrice");
  e.stop_price.reset();
  if (r.hasStopPrice()) e.stop_price = get(r.getStopPrice(), "stopPrice");
  e.tif = de<TimeInForce>(r.getTif(), kTifs, "tif");
  get(r.getReplaces(), e.replaces);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderSent::Builder b, const OrderSent& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setAttempt(e.attempt);
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderSent::Reader r, OrderSent& e) {
  get(r.getClientOrderId(), e.client_order_id);
  e.attempt = r.getAttempt();
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderAccepted::Builder b, const OrderAccepted& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setVenueOrderId(text(e.venue_order_id));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderAccepted::Reader r, OrderAccepted& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getVenueOrderId(), e.venue_order_id);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderRejected::Builder b, const OrderRejected& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setReason(text(e.reason));
  b.setVenueCode(e.venue_code);
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderRejected::Reader r, OrderRejected& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getReason(), e.reason);
  e.venue_code = r.getVenueCode();
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderFilled::Builder b, const OrderFilled& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setVenueOrderId(text(e.venue_order_id));
  b.setTradeId(text(e.trade_id));
  b.setVenue(text(e.venue));
  b.setAccount(text(e.account));
  b.setSymbol(text(e.symbol));
  b.setSide(en<s::Side>(e.side));
  put(b.initQuantity(), e.quantity);
  put(b.initPrice(), e.price);
  put(b.initCommission(), e.commission);
  b.setCommissionAsset(text(e.commission_asset));
  b.setLiquidity(en<s::Liquidity>(e.liquidity));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderFilled::Reader r, OrderFilled& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getVenueOrderId(), e.venue_order_id);
  get(r.getTradeId(), e.trade_id);
  get(r.getVenue(), e.venue);
  get(r.getAccount(), e.account);
  get(r.getSymbol(), e.symbol, "symbol");
  e.side = de<Side>(r.getSide(), kSides, "side");
  e.quantity = get(r.getQuantity(), "quantity");
  e.price = get(r.getPrice(), "price");
  e.commission = get(r.getCommission(), "commission");
  get(r.getCommissionAsset(), e.commission_asset);
  e.liquidity = de<Liquidity>(r.getLiquidity(), kLiquidities, "liquidity");
  e.ts_ns = r.getTsNs();
}

void enc(s::CancelRequested::Builder b, const CancelRequested& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::CancelRequested::Reader r, CancelRequested& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderCancelled::Builder b, const OrderCancelled& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderCancelled::Reader r, OrderCancelled& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::CancelRejected::Builder b, const CancelRejected& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setReason(text(e.reason));
  b.setVenueCode(e.venue_code);
  b.setTsNs(e.ts_ns);
}
void dec(s::CancelRejected::Reader r, CancelRejected& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getReason(), e.reason);
  e.venue_code = r.getVenueCode();
  e.ts_ns = r.getTsNs();
}

void enc(s::ReplaceRequested::Builder b, const ReplaceRequested& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setNewClientOrderId(text(e.new_client_order_id));
  put(b.initNewQuantity(), e.new_quantity);
  if (e.new_limit_price) put(b.initNewLimitPrice(), *e.new_limit_price);
  b.setNative(e.native);
  b.setTsNs(e.ts_ns);
}
void dec(s::ReplaceRequested::Reader r, ReplaceRequested& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getNewClientOrderId(), e.new_client_order_id);
  e.new_quantity = get(r.getNewQuantity(), "newQuantity");
  e.new_limit_price.reset();
  if (r.hasNewLimitPrice()) e.new_limit_price = get(r.getNewLimitPrice(), "newLimitPrice");
  e.native = r.getNative();
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderReplaced::Builder b, const OrderReplaced& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setNewClientOrderId(text(e.new_client_order_id));
  b.setNewVenueOrderId(text(e.new_venue_order_id));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderReplaced::Reader r, OrderReplaced& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getNewClientOrderId(), e.new_client_order_id);
  get(r.getNewVenueOrderId(), e.new_venue_order_id);
  e.ts_ns = r.getTsNs();
}

void enc(s::ReplaceRejected::Builder b, const ReplaceRejected& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setNewClientOrderId(text(e.new_client_order_id));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::ReplaceRejected::Reader r, ReplaceRejected& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getNewClientOrderId(), e.new_client_order_id);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderExpired::Builder b, const OrderExpired& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderExpired::Reader r, OrderExpired& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderStatusUnknown::Builder b, const OrderStatusUnknown& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setOperation(text(e.operation));
  b.setDetail(text(e.detail));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderStatusUnknown::Reader r, OrderStatusUnknown& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getOperation(), e.operation);
  get(r.getDetail(), e.detail);
  e.ts_ns = r.getTsNs();
}

void enc(s::OrderNotFoundAtVenue::Builder b, const OrderNotFoundAtVenue& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setTsNs(e.ts_ns);
}
void dec(s::OrderNotFoundAtVenue::Reader r, OrderNotFoundAtVenue& e) {
  get(r.getClientOrderId(), e.client_order_id);
  e.ts_ns = r.getTsNs();
}

void enc(s::VenueConnectionChanged::Builder b, const VenueConnectionChanged& e) {
  b.setVenue(text(e.venue));
  b.setState(en<s::ConnectionState>(e.state));
  b.setDetail(text(e.detail));
  b.setTsNs(e.ts_ns);
}
void dec(s::VenueConnectionChanged::Reader r, VenueConnectionChanged& e) {
  get(r.getVenue(), e.venue);
  e.state = de<ConnectionState>(r.getState(), kConnectionStates, "state");
  get(r.getDetail(), e.detail);
  e.ts_ns = r.getTsNs();
}

void enc(s::VenueErrorOccurred::Builder b, const VenueErrorOccurred& e) {
  b.setVenue(text(e.venue));
  b.setClientOrderId(text(e.client_order_id));
  b.setOperation(text(e.operation));
  b.setKind(text(e.kind));
  b.setVenueCode(e.venue_code);
  b.setMessage(text(e.message));
  b.setRetryAfterMs(e.retry_after_ms);
  b.setTsNs(e.ts_ns);
}
void dec(s::VenueErrorOccurred::Reader r, VenueErrorOccurred& e) {
  get(r.getVenue(), e.venue);
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getOperation(), e.operation);
  get(r.getKind(), e.kind);
  e.venue_code = r.getVenueCode();
  get(r.getMessage(), e.message);
  e.retry_after_ms = r.getRetryAfterMs();
  e.ts_ns = r.getTsNs();
}

void enc(s::RetryScheduled::Builder b, const RetryScheduled& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setOperation(text(e.operation));
  b.setAttempt(e.attempt);
  b.setDelayMs(e.delay_ms);
  b.setTsNs(e.ts_ns);
}
void dec(s::RetryScheduled::Reader r, RetryScheduled& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getOperation(), e.operation);
  e.attempt = r.getAttempt();
  e.delay_ms = r.getDelayMs();
  e.ts_ns = r.getTsNs();
}

void enc(s::CircuitBreakerChanged::Builder b, const CircuitBreakerChanged& e) {
  b.setVenue(text(e.venue));
  b.setFrom(en<s::BreakerState>(e.from));
  b.setTo(en<s::BreakerState>(e.to));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::CircuitBreakerChanged::Reader r, CircuitBreakerChanged& e) {
  get(r.getVenue(), e.venue);
  e.from = de<BreakerState>(r.getFrom(), kBreakerStates, "from");
  e.to = de<BreakerState>(r.getTo(), kBreakerStates, "to");
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::DeadLettered::Builder b, const DeadLettered& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setOperation(text(e.operation));
  b.setReason(text(e.reason));
  b.setAttempts(e.attempts);
  b.setTsNs(e.ts_ns);
}
void dec(s::DeadLettered::Reader r, DeadLettered& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getOperation(), e.operation);
  get(r.getReason(), e.reason);
  e.attempts = r.getAttempts();
  e.ts_ns = r.getTsNs();
}

void enc(s::DeadLetterRetried::Builder b, const DeadLetterRetried& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setWho(text(e.who));
  b.setTsNs(e.ts_ns);
}
void dec(s::DeadLetterRetried::Reader r, DeadLetterRetried& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getWho(), e.who);
  e.ts_ns = r.getTsNs();
}

void enc(s::DeadLetterDropped::Builder b, const DeadLetterDropped& e) {
  b.setClientOrderId(text(e.client_order_id));
  b.setWho(text(e.who));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::DeadLetterDropped::Reader r, DeadLetterDropped& e) {
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getWho(), e.who);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::AnomalyDetected::Builder b, const AnomalyDetected& e) {
  b.setKind(text(e.kind));
  b.setVenue(text(e.venue));
  b.setClientOrderId(text(e.client_order_id));
  b.setDetail(text(e.detail));
  b.setTsNs(e.ts_ns);
}
void dec(s::AnomalyDetected::Reader r, AnomalyDetected& e) {
  get(r.getKind(), e.kind);
  get(r.getVenue(), e.venue);
  get(r.getClientOrderId(), e.client_order_id);
  get(r.getDetail(), e.detail);
  e.ts_ns = r.getTsNs();
}

void enc(s::TradingStateChanged::Builder b, const TradingStateChanged& e) {
  b.setFrom(en<s::TradingState>(e.from));
  b.setTo(en<s::TradingState>(e.to));
  b.setWho(text(e.who));
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::TradingStateChanged::Reader r, TradingStateChanged& e) {
  e.from = de<TradingState>(r.getFrom(), kTradingStates, "from");
  e.to = de<TradingState>(r.getTo(), kTradingStates, "to");
  get(r.getWho(), e.who);
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::KillSwitchActivated::Builder b, const KillSwitchActivated& e) {
  b.setWho(text(e.who));
  b.setReason(text(e.reason));
  b.setFlatten(e.flatten);
  b.setTsNs(e.ts_ns);
}
void dec(s::KillSwitchActivated::Reader r, KillSwitchActivated& e) {
  get(r.getWho(), e.who);
  get(r.getReason(), e.reason);
  e.flatten = r.getFlatten();
  e.ts_ns = r.getTsNs();
}

void enc(s::MarkPriceUpdated::Builder b, const MarkPriceUpdated& e) {
  b.setSymbol(text(e.symbol));
  put(b.initPrice(), e.price);
  b.setTsNs(e.ts_ns);
}
void dec(s::MarkPriceUpdated::Reader r, MarkPriceUpdated& e) {
  get(r.getSymbol(), e.symbol, "symbol");
  e.price = get(r.getPrice(), "price");
  e.ts_ns = r.getTsNs();
}

void enc(s::BalanceUpdated::Builder b, const BalanceUpdated& e) {
  b.setAccount(text(e.account));
  b.setAsset(text(e.asset));
  put(b.initFree(), e.free);
  put(b.initLocked(), e.locked);
  b.setTsNs(e.ts_ns);
}
void dec(s::BalanceUpdated::Reader r, BalanceUpdated& e) {
  get(r.getAccount(), e.account);
  get(r.getAsset(), e.asset);
  e.free = get(r.getFree(), "free");
  e.locked = get(r.getLocked(), "locked");
  e.ts_ns = r.getTsNs();
}

void enc(s::AccountFunded::Builder b, const AccountFunded& e) {
  b.setAccount(text(e.account));
  b.setAsset(text(e.asset));
  put(b.initAmount(), e.amount);
  b.setTsNs(e.ts_ns);
}
void dec(s::AccountFunded::Reader r, AccountFunded& e) {
  get(r.getAccount(), e.account);
  get(r.getAsset(), e.asset);
  e.amount = get(r.getAmount(), "amount");
  e.ts_ns = r.getTsNs();
}

void enc(s::InstrumentDefined::Builder b, const InstrumentDefined& e) {
  b.setVenue(text(e.venue));
  auto rb = b.initRules();
  rb.setSymbol(text(e.rules.symbol));
  rb.setVenueSymbol(text(e.rules.venue_symbol));
  put(rb.initTickSize(), e.rules.tick_size);
  put(rb.initLotSize(), e.rules.lot_size);
  put(rb.initMinQty(), e.rules.min_qty);
  put(rb.initMaxQty(), e.rules.max_qty);
  put(rb.initMinNotional(), e.rules.min_notional);
  b.setTsNs(e.ts_ns);
}
void dec(s::InstrumentDefined::Reader r, InstrumentDefined& e) {
  get(r.getVenue(), e.venue);
  auto rr = r.getRules();
  get(rr.getSymbol(), e.rules.symbol, "rules.symbol");
  get(rr.getVenueSymbol(), e.rules.venue_symbol);
  e.rules.tick_size = get(rr.getTickSize(), "rules.tickSize");
  e.rules.lot_size = get(rr.getLotSize(), "rules.lotSize");
  e.rules.min_qty = get(rr.getMinQty(), "rules.minQty");
  e.rules.max_qty = get(rr.getMaxQty(), "rules.maxQty");
  e.rules.min_notional = get(rr.getMinNotional(), "rules.minNotional");
  e.ts_ns = r.getTsNs();
}

void enc(s::EngineStarted::Builder b, const EngineStarted& e) {
  b.setVersion(text(e.version));
  b.setVenue(text(e.venue));
  b.setConfigDigest(text(e.config_digest));
  b.setTsNs(e.ts_ns);
}
void dec(s::EngineStarted::Reader r, EngineStarted& e) {
  get(r.getVersion(), e.version);
  get(r.getVenue(), e.venue);
  get(r.getConfigDigest(), e.config_digest);
  e.ts_ns = r.getTsNs();
}

void enc(s::EngineStopped::Builder b, const EngineStopped& e) {
  b.setReason(text(e.reason));
  b.setTsNs(e.ts_ns);
}
void dec(s::EngineStopped::Reader r, EngineStopped& e) {
  get(r.getReason(), e.reason);
  e.ts_ns = r.getTsNs();
}

void enc(s::RecoveryCompleted::Builder b, const RecoveryCompleted& e) {
  b.setReplayedEvents(e.replayed_events);
  b.setInFlight(e.in_flight);
  b.setResolved(e.resolved);
  b.setRestoredResting(e.restored_resting);
  b.setTsNs(e.ts_ns);
}
void dec(s::RecoveryCompleted::Reader r, RecoveryCompleted& e) {
  e.replayed_events = r.getReplayedEvents();
  e.in_flight = r.getInFlight();
  e.resolved = r.getResolved();
  e.restored_resting = r.getRestoredResting();
  e.ts_ns = r.getTsNs();
}

// --- framing -----------------------------------------------------------------------------------

// Scratch first segment for the builder: most envelopes fit, so encoding allocates nothing.
constexpr unsigned kScratchWords = 512;  // 4 KiB

// Appends the stream framing and the segments to `out`.
void frame(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments, std::string& out) {
  auto put32 = [&out](std::uint32_t v) {
    char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                 static_cast<char>(v >> 24)};
    out.append(b, 4);
  };
  std::size_t words = 0;
  for (auto& seg : segments) words += seg.size();
  std::size_t table = (segments.size() / 2 + 1) * 8;  // count + sizes, padded to 8 bytes
  out.reserve(out.size() + table + words * 8);
  put32(static_cast<std::uint32_t>(segments.size() - 1));
  for (auto& seg : segments) put32(static_cast<std::uint32_t>(seg.size()));
  if (segments.size() % 2 == 0) put32(0);
  for (auto& seg : segments) out.append(reinterpret_cast<const char*>(seg.begin()), seg.size() * 8);
}

// Word-aligned view of `bytes`: the bytes themselves when aligned, else a thread-local copy.
kj::ArrayPtr<const capnp::word> aligned_words(std::string_view bytes) {
  std::size_t words = bytes.size() / 8;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0)
    return kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), words);
  thread_local std::vector<capnp::word> copy;
  if (copy.size() < words) copy.resize(words);
  std::memcpy(copy.data(), bytes.data(), words * 8);
  return kj::arrayPtr(copy.data(), words);
}

capnp::ReaderOptions reader_options() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = 1u << 26;  // 512 MiB: bounded, far above any real record
  o.nestingLimit = 16;
  return o;
}

Error corruption(std::string what) {
  return make_error(ErrorKind::kCorruption, "undecodable record: " + std::move(what));
}

Status decode_payload(std::uint16_t type, capnp::AnyPointer::Reader payload, Event& out) {
  switch (type) {
#define AT_DECODE_CASE(Name)                                \
  case static_cast<std::uint16_t>(EventType::k##Name): {    \
    auto* cur = std::get_if<Name>(&out);                    \
    if (!cur) cur = &out.emplace<Name>(); /* no big move */ \
    dec(payload.getAs<s::Name>(), *cur);                    \
    return {};                                              \
  }
    AT_JOURNAL_EVENTS(AT_DECODE_CASE)
#undef AT_DECODE_CASE
    default:
      return make_error(ErrorKind::kCorruption, "unknown event type " + std::to_string(type) +
                                                    " (written by a newer version of autotrader?)");
  }
}

}  // namespace

void encode_to(const Envelope& e, std::string& out) {
  encode_to(e.sequence, e.recorded_ns, e.causation, e.event, out);
}

void encode_to(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
               const Event& event, std::string& out) {
  out.clear();
  encode_append(sequence, recorded_ns, causation, event, out);
}

void encode_append(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
                   const Event& event, std::string& out) {
  thread_local std::vector<capnp::word> scratch(kScratchWords);  // zeroed; builder re-zeroes
  capnp::MallocMessageBuilder message(kj::arrayPtr(scratch.data(), scratch.size()));
  auto env = message.initRoot<s::Envelope>();
  env.setSequence(sequence);
  env.setRecordedNs(recorded_ns);
  env.setCausation(causation);
  env.setEventType(static_cast<std::uint16_t>(event.index()));
  auto payload = env.getPayload();
  std::visit(
      [&payload](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        enc(payload.initAs<typename SchemaOf<T>::type>(), ev);
      },
      event);
  frame(message.getSegmentsForOutput(), out);
}

std::string encode(const Envelope& e) {
  std::string out;
  encode_to(e, out);
  return out;
}

Status decode_into(std::string_view bytes, Envelope& out) {
  if (is_batch_value(bytes)) return corruption("a batch of events, not one event");
  if (bytes.size() < 16 || bytes.size() % 8 != 0)
    return corruption("length " + std::to_string(bytes.size()) +
                      " is not a Cap'n Proto message (expected a multiple of 8, >= 16)");
  try {
    capnp::FlatArrayMessageReader reader(aligned_words(bytes), reader_options());
    auto env = reader.getRoot<s::Envelope>();
    out.sequence = env.getSequence();
    out.recorded_ns = env.getRecordedNs();
    out.causation = env.getCausation();
    auto st = decode_payload(env.getEventType(), env.getPayload(), out.event);
    if (!st) return st;
    return {};
  } catch (const DecodeFailure& f) {
    return corruption(f.what);
  } catch (const kj::Exception& e) {
    return corruption(std::string(e.getDescription().cStr()));
  } catch (const std::exception& e) {
    return corruption(e.what());
  }
}

Result<Envelope> decode(std::string_view bytes) {
  Envelope e;
  auto st = decode_into(bytes, e);
  if (!st) return st.error();
  return e;
}

Result<RecordHeader> decode_header(std::string_view bytes) {
  if (is_batch_value(bytes)) return corruption("a batch of events, not one event");
  if (bytes.size() < 16 || bytes.size() % 8 != 0)
    return corruption("length " + std::to_string(bytes.size()) +
                      " is not a Cap'n Proto message (expected a multiple of 8, >= 16)");
  try {
    capnp::FlatArrayMessageReader reader(aligned_words(bytes), reader_options());
    auto env = reader.getRoot<s::Envelope>();
    RecordHeader h;
    h.sequence = env.getSequence();
    h.recorded_ns = env.getRecordedNs();
    h.causation = env.getCausation();
    h.event_type = env.getEventType();
    return h;
  } catch (const kj::Exception& e) {
    return corruption(std::string(e.getDescription().cStr()));
  } catch (const std::exception& e) {
    return corruption(e.what());
  }
}

// --- batch values ------------------------------------------------------------------------------

namespace {
inline void store_u32le(char* p, std::uint32_t v) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
  p[2] = static_cast<char>(v >> 16);
  p[3] = static_cast<char>(v >> 24);
}
inline std::uint32_t load_u32le(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
         static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}
// Bytes before the first message: magic, count, one end offset per event, padded to 8.
inline std::size_t batch_header_size(std::size_t count) { return (8 + 4 * count + 7) / 8 * 8; }
}  // namespace

void BatchEncoder::start(std::size_t count, std::string& out) {
  out_ = &out;
  count_ = count;
  added_ = 0;
  header_ = batch_header_size(count);
  out.assign(header_, '\0');
  store_u32le(out.data(), kBatchMagic);
  store_u32le(out.data() + 4, static_cast<std::uint32_t>(count));
}

void BatchEncoder::add(std::uint64_t sequence, std::int64_t recorded_ns, std::uint64_t causation,
                       const Event& event) {
  encode_append(sequence, recorded_ns, causation, event, *out_);
  store_u32le(out_->data() + 8 + 4 * added_, static_cast<std::uint32_t>(out_->size() - header_));
  ++added_;
}

bool is_batch_value(std::string_view value) {
  return value.size() >= 4 && load_u32le(value.data()) == kBatchMagic;
}

Result<EventsValue> EventsValue::parse(std::string_view value) {
  EventsValue v;
  v.value_ = value;
  if (!is_batch_value(value)) {  // a schema-1 record: one capnp message
    v.count_ = 1;
    return v;
  }
  auto bad = [&](std::string what) {
    return make_error(ErrorKind::kCorruption, "undecodable batch record: " + std::move(what));
  };
  if (value.size() < 8) return bad("length " + std::to_string(value.size()));
  std::uint32_t count = load_u32le(value.data() + 4);
  if (count == 0) return bad("it holds no events");
  if (batch_header_size(count) > value.size())
    return bad("count " + std::to_string(count) + " does not fit in " +
               std::to_string(value.size()) + " bytes");
  std::size_t header = batch_header_size(count);
  std::uint32_t prev = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t end = load_u32le(value.data() + 8 + 4 * i);
    if (end < prev + 16 || end % 8 != 0 || end > value.size() - header)
      return bad("event " + std::to_string(i) + " ends at " + std::to_string(end) + " (previous " +
                 std::to_string(prev) + ", " + std::to_string(value.size() - header) +
                 " bytes of events)");
    prev = end;
  }
  if (prev != value.size() - header)
    return bad(std::to_string(value.size() - header - prev) + " bytes after the last event");
  v.count_ = count;
  v.header_ = header;
  v.batch_ = true;
  return v;
}

std::string_view EventsValue::record(std::uint32_t i) const {
  if (!batch_) return value_;
  std::uint32_t begin = i == 0 ? 0 : load_u32le(value_.data() + 8 + 4 * (i - 1));
  std::uint32_t end = load_u32le(value_.data() + 8 + 4 * i);
  return value_.substr(header_ + begin, end - begin);
}

Status by_order_sequences(std::string_view key, std::string_view value,
                          std::vector<std::uint64_t>& out) {
  if (key.size() < 9 || key[key.size() - 9] != '\0')
    return make_error(ErrorKind::kCorruption,
                      "by_order: malformed key of " + std::to_string(key.size()) + " bytes");
  const std::uint64_t first = get_u64be(key.substr(key.size() - 8));
  std::uint64_t seq = first;
  out.push_back(seq);
  for (std::size_t pos = 0; pos < value.size();) {
    std::uint64_t delta = 0;
    if (read_varint(value, pos, delta) != VarintRead::kOk || delta == 0 || seq + delta < seq)
      return make_error(ErrorKind::kCorruption,
                        "by_order entry for '" + std::string(key.substr(0, key.size() - 9)) +
                            "' at " + std::to_string(first) + ": malformed value");
    seq += delta;
    out.push_back(seq);
  }
  return {};
}

OrderIds order_ids_of(const Event& e) {
  OrderIds out;
  auto add = [&out](const ClientOrderId& id) {
    if (!id.empty() && (out.count == 0 || *out.ids[0] != id)) out.ids[out.count++] = &id;
  };
  if (const auto* c = client_order_id_of(e)) add(*c);
  if (const auto* r = std::get_if<ReplaceRequested>(&e)) add(r->new_client_order_id);
  if (const auto* r = std::get_if<OrderReplaced>(&e)) add(r->new_client_order_id);
  if (const auto* r = std::get_if<ReplaceRejected>(&e)) add(r->new_client_order_id);
  return out;
}

VenueLink venue_link_of(const Event& e) {
  if (const auto* r = std::get_if<OrderReplaced>(&e)) {
    if (r->new_venue_order_id.empty() || r->new_client_order_id.empty()) return {};
    return {&r->new_venue_order_id, &r->new_client_order_id};
  }
  const VenueOrderId* v = venue_order_id_of(e);
  const ClientOrderId* c = client_order_id_of(e);
  if (!v || !c) return {};
  return {v, c};
}

}  // namespace at::journal
