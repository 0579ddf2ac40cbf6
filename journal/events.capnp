@0xc5d1a2f3b4e60718;
# The journal's on-disk schema: one Envelope per record in the `events` column family.
#
# Compatibility rules (docs/journal-format.md):
#   * field numbers (@n) are never reused or renumbered; fields are only ever added;
#   * a new event type gets a new struct and the next EventType number (domain/events.h);
#   * enums only gain enumerants at the end;
#   * old journals (tests/fixtures/journal_v1) must keep decoding.
#
# Optionals: a Decimal field is a struct pointer, absent (null) when the domain optional is
# empty (reader.hasX() == false). A plain value that can be absent gets an explicit has-flag
# (e.g. hasOrderType). Text fields hold ids and names; an empty text is an empty id.

$import "/capnp/c++.capnp".namespace("at::journal::schema");

# value = (hi << 64 | lo) / 10^scale, exactly domain/decimal.h's int128 mantissa and scale.
struct Decimal {
  hi @0 :Int64;
  lo @1 :UInt64;
  scale @2 :UInt8;
}

struct KeyValue {
  key @0 :Text;
  value @1 :Text;
}

# Same order as domain/enums.h.
enum Side { buy @0; sell @1; }
enum OrderType { market @0; limit @1; ioc @2; fok @3; stop @4; stopLimit @5; }
enum TimeInForce { gtc @0; ioc @1; fok @2; day @3; }
enum Action { long @0; short @1; flat @2; hold @3; }
enum TradingState { active @0; reducing @1; halted @2; }
enum BreakerState { closed @0; open @1; halfOpen @2; }
enum Liquidity { unknown @0; maker @1; taker @2; }
enum ConnectionState { connected @0; disconnected @1; reconnecting @2; }

# One journal record. `eventType` is domain EventType's stable number; `payload` is the
# struct of that type below (DecisionReceived for 0, RiskRejected for 1, ...).
struct Envelope {
  sequence @0 :UInt64;
  recordedNs @1 :Int64;
  causation @2 :UInt64;     # sequence of the event that caused this one; 0 = none
  eventType @3 :UInt16;
  payload @4 :AnyPointer;
}

# --- decisions ---------------------------------------------------------------------------

struct DecisionReceived {            # EventType 0
  decisionId @0 :Text;
  source @1 :Text;
  symbol @2 :Text;
  action @3 :Action;
  size @4 :Decimal;
  orderType @5 :OrderType;
  hasOrderType @6 :Bool;
  limitPrice @7 :Decimal;            # absent = no limit price
  stopPrice @8 :Decimal;
  tif @9 :TimeInForce;
  hasTif @10 :Bool;
  metadata @11 :List(KeyValue);
  account @12 :Text;
  tsNs @13 :Int64;
}

struct RiskRejected {                # 1
  decisionId @0 :Text;
  clientOrderId @1 :Text;
  symbol @2 :Text;
  reason @3 :Text;
  detail @4 :Text;
  tsNs @5 :Int64;
}

# --- order intents and venue answers -----------------------------------------------------

struct OrderRequested {              # 2
  clientOrderId @0 :Text;
  decisionId @1 :Text;
  account @2 :Text;
  venue @3 :Text;
  symbol @4 :Text;
  side @5 :Side;
  type @6 :OrderType;
  quantity @7 :Decimal;
  limitPrice @8 :Decimal;            # absent = none
  stopPrice @9 :Decimal;             # absent = none
  tif @10 :TimeInForce;
  replaces @11 :Text;
  tsNs @12 :Int64;
}

struct OrderSent {                   # 3
  clientOrderId @0 :Text;
  attempt @1 :UInt32;
  tsNs @2 :Int64;
}

struct OrderAccepted {               # 4
  clientOrderId @0 :Text;
  venueOrderId @1 :Text;
  tsNs @2 :Int64;
}

struct OrderRejected {               # 5
  clientOrderId @0 :Text;
  reason @1 :Text;
  venueCode @2 :Int32;
  tsNs @3 :Int64;
}

struct OrderFilled {                 # 6
  clientOrderId @0 :Text;
  venueOrderId @1 :Text;
  tradeId @2 :Text;
  venue @3 :Text;
  account @4 :Text;
  symbol @5 :Text;
  side @6 :Side;
  quantity @7 :Decimal;
  price @8 :Decimal;
  commission @9 :Decimal;
  commissionAsset @10 :Text;
  liquidity @11 :Liquidity;
  tsNs @12 :Int64;
}

struct CancelRequested {             # 7
  clientOrderId @0 :Text;
  reason @1 :Text;
  tsNs @2 :Int64;
}

struct OrderCancelled {              # 8
  clientOrderId @0 :Text;
  reason @1 :Text;
  tsNs @2 :Int64;
}

struct CancelRejected {              # 9
  clientOrderId @0 :Text;
  reason @1 :Text;
  venueCode @2 :Int32;
  tsNs @3 :Int64;
}

struct ReplaceRequested {            # 10
  clientOrderId @0 :Text;
  newClientOrderId @1 :Text;
  newQuantity @2 :Decimal;
  newLimitPrice @3 :Decimal;         # absent = none
  native @4 :Bool = true;
  tsNs @5 :Int64;
}

struct OrderReplaced {               # 11
  clientOrderId @0 :Text;
  newClientOrderId @1 :Text;
  newVenueOrderId @2 :Text;
  tsNs @3 :Int64;
}

struct ReplaceRejected {             # 12
  clientOrderId @0 :Text;
  newClientOrderId @1 :Text;
  reason @2 :Text;
  tsNs @3 :Int64;
}

struct OrderExpired {                # 13
  clientOrderId @0 :Text;
  reason @1 :Text;
  tsNs @2 :Int64;
}

struct OrderStatusUnknown {          # 14
  clientOrderId @0 :Text;
  operation @1 :Text;
  detail @2 :Text;
  tsNs @3 :Int64;
}

struct OrderNotFoundAtVenue {        # 15
  clientOrderId @0 :Text;
  tsNs @1 :Int64;
}

# --- resiliency --------------------------------------------------------------------------

struct VenueConnectionChanged {      # 16
  venue @0 :Text;
  state @1 :ConnectionState;
  detail @2 :Text;
  tsNs @3 :Int64;
}

struct VenueErrorOccurred {          # 17
  venue @0 :Text;
  clientOrderId @1 :Text;
  operation @2 :Text;
  kind @3 :Text;
  venueCode @4 :Int32;
  message @5 :Text;
  retryAfterMs @6 :Int64;
  tsNs @7 :Int64;
}

struct RetryScheduled {              # 18
  clientOrderId @0 :Text;
  operation @1 :Text;
  attempt @2 :UInt32;
  delayMs @3 :Int64;
  tsNs @4 :Int64;
}

struct CircuitBreakerChanged {       # 19
  venue @0 :Text;
  from @1 :BreakerState;
  to @2 :BreakerState;
  reason @3 :Text;
  tsNs @4 :Int64;
}

struct DeadLettered {                # 20
  clientOrderId @0 :Text;
  operation @1 :Text;
  reason @2 :Text;
  attempts @3 :UInt32;
  tsNs @4 :Int64;
}

struct DeadLetterRetried {           # 21
  clientOrderId @0 :Text;
  who @1 :Text;
  tsNs @2 :Int64;
}

struct DeadLetterDropped {           # 22
  clientOrderId @0 :Text;
  who @1 :Text;
  reason @2 :Text;
  tsNs @3 :Int64;
}

struct AnomalyDetected {             # 23
  kind @0 :Text;
  venue @1 :Text;
  clientOrderId @2 :Text;
  detail @3 :Text;
  tsNs @4 :Int64;
}

# --- trading state and safety ------------------------------------------------------------

struct TradingStateChanged {         # 24
  from @0 :TradingState;
  to @1 :TradingState;
  who @2 :Text;
  reason @3 :Text;
  tsNs @4 :Int64;
}

struct KillSwitchActivated {         # 25
  who @0 :Text;
  reason @1 :Text;
  flatten @2 :Bool;
  tsNs @3 :Int64;
}

# --- market and account ------------------------------------------------------------------

struct MarkPriceUpdated {            # 26
  symbol @0 :Text;
  price @1 :Decimal;
  tsNs @2 :Int64;
}

struct BalanceUpdated {              # 27
  account @0 :Text;
  asset @1 :Text;
  free @2 :Decimal;
  locked @3 :Decimal;
  tsNs @4 :Int64;
}

struct AccountFunded {               # 28
  account @0 :Text;
  asset @1 :Text;
  amount @2 :Decimal;
  tsNs @3 :Int64;
}

struct InstrumentRules {
  symbol @0 :Text;
  venueSymbol @1 :Text;
  tickSize @2 :Decimal;
  lotSize @3 :Decimal;
  minQty @4 :Decimal;
  maxQty @5 :Decimal;
  minNotional @6 :Decimal;
}

struct InstrumentDefined {           # 29
  venue @0 :Text;
  rules @1 :InstrumentRules;
  tsNs @2 :Int64;
}

# --- engine lifecycle --------------------------------------------------------------------

struct EngineStarted {               # 30
  version @0 :Text;
  venue @1 :Text;
  configDigest @2 :Text;
  tsNs @3 :Int64;
}

struct EngineStopped {               # 31
  reason @0 :Text;
  tsNs @1 :Int64;
}

struct RecoveryCompleted {           # 32
  replayedEvents @0 :UInt64;
  inFlight @1 :UInt32;
  resolved @2 :UInt32;
  restoredResting @3 :UInt32;
  tsNs @4 :Int64;
}
