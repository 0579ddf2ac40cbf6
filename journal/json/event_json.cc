// Event <-> JSON lines. The grammar is at the top of event_json.h; this file holds one
// describe() per event that lists its JSON keys, used by both the encoder and the decoder, so
// the two directions cannot drift apart.
#include "journal/json/event_json.h"

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <utility>

#include "journal/json/time_text.h"

namespace at::journal::json {
namespace {

namespace bj = boost::json;

// Whether a field may be left out (on input) and is left out when empty (on output).
enum Presence { kRequired, kOmittable };

// --- the field lists ------------------------------------------------------------------------
// V is Encoder or Decoder. v(key, member[, presence]); v.time(key, ns_member); optionals are
// always omittable.

template <class V>
void describe(V& v, DecisionReceived& e) {
  v("decision_id", e.decision_id);
  v("source", e.source, kOmittable);
  v("symbol", e.symbol);
  v("action", e.action);
  v("size", e.size, kOmittable);
  v("order_type", e.order_type);
  v("limit_price", e.limit_price);
  v("stop_price", e.stop_price);
  v("tif", e.tif);
  v("metadata", e.metadata, kOmittable);
  v("account", e.account, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, RiskRejected& e) {
  v("decision_id", e.decision_id, kOmittable);
  v("client_order_id", e.client_order_id, kOmittable);
  v("symbol", e.symbol, kOmittable);
  v("reason", e.reason);
  v("detail", e.detail, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderRequested& e) {
  v("client_order_id", e.client_order_id);
  v("decision_id", e.decision_id, kOmittable);
  v("account", e.account, kOmittable);
  v("venue", e.venue);
  v("symbol", e.symbol);
  v("side", e.side);
  v("order_type", e.type);
  v("quantity", e.quantity);
  v("limit_price", e.limit_price);
  v("stop_price", e.stop_price);
  v("tif", e.tif);
  v("replaces", e.replaces, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderSent& e) {
  v("client_order_id", e.client_order_id);
  v("attempt", e.attempt);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderAccepted& e) {
  v("client_order_id", e.client_order_id);
  v("venue_order_id", e.venue_order_id);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderRejected& e) {
  v("client_order_id", e.client_order_id);
  v("reason", e.reason);
  v("venue_code", e.venue_code, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderFilled& e) {
  v("client_order_id", e.client_order_id);
  v("venue_order_id", e.venue_order_id, kOmittable);
  v("trade_id", e.trade_id);
  v("venue", e.venue);
  v("account", e.account, kOmittable);
  v("symbol", e.symbol);
  v("side", e.side);
  v("quantity", e.quantity);
  v("price", e.price);
  v("commission", e.commission, kOmittable);
  v("commission_asset", e.commission_asset, kOmittable);
  v("liquidity", e.liquidity, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, CancelRequested& e) {
  v("client_order_id", e.client_order_id);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderCancelled& e) {
  v("client_order_id", e.client_order_id);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, CancelRejected& e) {
  v("client_order_id", e.client_order_id);
  v("reason", e.reason);
  v("venue_code", e.venue_code, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, ReplaceRequested& e) {
  v("client_order_id", e.client_order_id);
  v("new_client_order_id", e.new_client_order_id);
  v("new_quantity", e.new_quantity);
  v("new_limit_price", e.new_limit_price);
  v("native", e.native);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderReplaced& e) {
  v("client_order_id", e.client_order_id);
  v("new_client_order_id", e.new_client_order_id);
  v("new_venue_order_id", e.new_venue_order_id, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, ReplaceRejected& e) {
  v("client_order_id", e.client_order_id);
  v("new_client_order_id", e.new_client_order_id);
  v("reason", e.reason);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderExpired& e) {
  v("client_order_id", e.client_order_id);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderStatusUnknown& e) {
  v("client_order_id", e.client_order_id);
  v("operation", e.operation);
  v("detail", e.detail, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, OrderNotFoundAtVenue& e) {
  v("client_order_id", e.client_order_id);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, VenueConnectionChanged& e) {
  v("venue", e.venue);
  v("state", e.state);
  v("detail", e.detail, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, VenueErrorOccurred& e) {
  v("venue", e.venue);
  v("client_order_id", e.client_order_id, kOmittable);
  v("operation", e.operation);
  v("kind", e.kind);
  v("venue_code", e.venue_code, kOmittable);
  v("message", e.message, kOmittable);
  v("retry_after_ms", e.retry_after_ms, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, RetryScheduled& e) {
  v("client_order_id", e.client_order_id);
  v("operation", e.operation);
  v("attempt", e.attempt);
  v("delay_ms", e.delay_ms);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, CircuitBreakerChanged& e) {
  v("venue", e.venue);
  v("from", e.from);
  v("to", e.to);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, DeadLettered& e) {
  v("client_order_id", e.client_order_id);
  v("operation", e.operation);
  v("reason", e.reason);
  v("attempts", e.attempts);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, DeadLetterRetried& e) {
  v("client_order_id", e.client_order_id);
  v("who", e.who);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, DeadLetterDropped& e) {
  v("client_order_id", e.client_order_id);
  v("who", e.who);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, AnomalyDetected& e) {
  v("kind", e.kind);
  v("venue", e.venue, kOmittable);
  v("client_order_id", e.client_order_id, kOmittable);
  v("detail", e.detail, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, TradingStateChanged& e) {
  v("from", e.from);
  v("to", e.to);
  v("who", e.who);
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, KillSwitchActivated& e) {
  v("who", e.who);
  v("reason", e.reason, kOmittable);
  v("flatten", e.flatten, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, MarkPriceUpdated& e) {
  v("symbol", e.symbol);
  v("price", e.price);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, BalanceUpdated& e) {
  v("account", e.account, kOmittable);
  v("asset", e.asset);
  v("free", e.free);
  v("locked", e.locked);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, AccountFunded& e) {
  v("account", e.account, kOmittable);
  v("asset", e.asset);
  v("amount", e.amount);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, InstrumentRules& r) {
  v("symbol", r.symbol);
  v("venue_symbol", r.venue_symbol, kOmittable);
  v("tick_size", r.tick_size, kOmittable);
  v("lot_size", r.lot_size, kOmittable);
  v("min_qty", r.min_qty, kOmittable);
  v("max_qty", r.max_qty, kOmittable);
  v("min_notional", r.min_notional, kOmittable);
}
template <class V>
void describe(V& v, InstrumentDefined& e) {
  v("venue", e.venue);
  v("rules", e.rules);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, EngineStarted& e) {
  v("version", e.version);
  v("venue", e.venue, kOmittable);
  v("config_digest", e.config_digest, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, EngineStopped& e) {
  v("reason", e.reason, kOmittable);
  v.time("ts", e.ts_ns);
}
template <class V>
void describe(V& v, RecoveryCompleted& e) {
  v("replayed_events", e.replayed_events);
  v("in_flight", e.in_flight);
  v("resolved", e.resolved);
  v("restored_resting", e.restored_resting);
  v.time("ts", e.ts_ns);
}

// --- value kinds ----------------------------------------------------------------------------

template <class T>
struct IsStrongId : std::false_type {};
template <class Tag>
struct IsStrongId<StrongId<Tag>> : std::true_type {};

template <class T>
constexpr bool kIsEnum = std::is_enum_v<T>;

// The accepted names of an enum, for error messages ("BUY, SELL").
template <class E>
std::string enum_names() {
  std::string out;
  for (int i = 0; i < 64; ++i) {
    std::string_view n = to_string(static_cast<E>(i));
    if (n == "?") break;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

template <class T>
bool is_empty_value(const T& x) {
  if constexpr (std::is_same_v<T, Decimal>) {
    return x.identical(Decimal());
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Metadata>) {
    return x.empty();
  } else if constexpr (IsStrongId<T>::value || std::is_same_v<T, Symbol>) {
    return x.empty();
  } else if constexpr (std::is_same_v<T, InstrumentRules>) {
    return false;
  } else {
    return x == T{};
  }
}

// --- encoder --------------------------------------------------------------------------------

struct Encoder {
  bj::object& out;

  template <class T>
  bj::value encode(const T& x) {
    if constexpr (std::is_same_v<T, std::string>) {
      return bj::value(x);
    } else if constexpr (IsStrongId<T>::value || std::is_same_v<T, Symbol>) {
      return bj::value(x.str());
    } else if constexpr (std::is_same_v<T, Decimal>) {
      return bj::value(x.to_string());
    } else if constexpr (std::is_same_v<T, bool>) {
      return bj::value(x);
    } else if constexpr (kIsEnum<T>) {
      return bj::value(std::string(to_string(x)));
    } else if constexpr (std::is_same_v<T, Metadata>) {
      bj::object o;
      for (const auto& [k, v] : x) o[k] = v;
      return o;
    } else if constexpr (std::is_same_v<T, InstrumentRules>) {
      bj::object o;
      Encoder nested{o};
      describe(nested, const_cast<InstrumentRules&>(x));
      return o;
    } else if constexpr (std::is_unsigned_v<T>) {
      return bj::value(static_cast<std::uint64_t>(x));
    } else {
      static_assert(std::is_integral_v<T>);
      return bj::value(static_cast<std::int64_t>(x));
    }
  }

  template <class T>
  void operator()(const char* key, const T& x, Presence p = kRequired) {
    if (p == kOmittable && is_empty_value(x)) return;
    out[key] = encode(x);
  }
  template <class T>
  void operator()(const char* key, const std::optional<T>& x, Presence = kRequired) {
    if (x) out[key] = encode(*x);
  }
  void time(const char* key, const std::int64_t& ns) { out[key] = format_iso_ns(ns); }
};

// --- decoder --------------------------------------------------------------------------------

std::string describe_json(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return "null";
    case bj::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case bj::kind::int64:
    case bj::kind::uint64:
      return "number " + bj::serialize(v);
    case bj::kind::double_: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v.get_double());
      return std::string("number ") + buf;
    }
    case bj::kind::string: {
      std::string s(v.get_string());
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "string '" + s + "'";
    }
    case bj::kind::array:
      return "an array";
    case bj::kind::object:
      return "an object";
  }
  return "?";
}

// Decodes one value; returns "" on success, else what was expected ("expected ..., got ...").
template <class T>
std::string decode_value(const bj::value& v, T& out);

template <class T>
std::string decode_integer(const bj::value& v, T& out) {
  std::string what = std::is_unsigned_v<T> ? "a non-negative integer" : "an integer";
  if (v.is_int64()) {
    std::int64_t i = v.get_int64();
    if constexpr (std::is_unsigned_v<T>) {
      if (i < 0 || static_cast<std::uint64_t>(i) > std::numeric_limits<T>::max())
        return "expected " + what + " in range, got " + describe_json(v);
    } else {
      if (i < std::numeric_limits<T>::min() || i > std::numeric_limits<T>::max())
        return "expected " + what + " in range, got " + describe_json(v);
    }
    out = static_cast<T>(i);
    return "";
  }
  if (v.is_uint64()) {
    std::uint64_t u = v.get_uint64();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
      return "expected " + what + " in range, got " + describe_json(v);
    out = static_cast<T>(u);
    return "";
  }
  return "expected " + what + ", got " + describe_json(v);
}

struct Decoder {
  const bj::object& in;
  std::string prefix;  // "rules." inside nested objects
  std::vector<std::string> known;
  std::string error;  // first error, "field 'x': ..."

  void fail(const char* key, const std::string& what) {
    if (error.empty()) error = "field '" + prefix + key + "': " + what;
  }

  template <class T>
  void operator()(const char* key, T& x, Presence p = kRequired) {
    known.emplace_back(key);
    if (!error.empty()) return;
    const bj::value* v = in.if_contains(key);
    if (!v) {
      if (p == kRequired) fail(key, "missing (required)");
      return;
    }
    std::string e;
    if constexpr (std::is_same_v<T, InstrumentRules>) {
      if (!v->is_object()) {
        e = "expected an object, got " + describe_json(*v);
      } else {
        Decoder nested{v->get_object(), prefix + key + ".", {}, {}};
        describe(nested, x);
        nested.check_unknown();
        if (!nested.error.empty()) {
          error = nested.error;
          return;
        }
      }
    } else {
      e = decode_value(*v, x);
      if (e.empty() && p == kRequired) {
        if constexpr (IsStrongId<T>::value || std::is_same_v<T, std::string>) {
          if (x.empty()) e = "expected a non-empty string";
        }
      }
    }
    if (!e.empty()) fail(key, e);
  }

  template <class T>
  void operator()(const char* key, std::optional<T>& x, Presence = kRequired) {
    known.emplace_back(key);
    if (!error.empty()) return;
    const bj::value* v = in.if_contains(key);
    if (!v || v->is_null()) {
      x.reset();
      return;
    }
    T inner{};
    std::string e = decode_value(*v, inner);
    if (!e.empty()) return fail(key, e);
    x = std::move(inner);
  }

  void time(const char* key, std::int64_t& ns) {
    known.emplace_back(key);
    if (!error.empty()) return;
    const bj::value* v = in.if_contains(key);
    if (!v) return fail(key, "missing (required)");
    std::string e = decode_time(*v, ns);
    if (!e.empty()) fail(key, e);
  }

  static std::string decode_time(const bj::value& v, std::int64_t& ns) {
    if (v.is_string()) {
      auto r = parse_iso_ns(std::string_view(v.get_string()));
      if (!r) return r.error().message;
      ns = *r;
      return "";
    }
    if (v.is_int64() || v.is_uint64()) return decode_integer(v, ns);
    return "expected an ISO-8601 UTC time string or an integer of ns, got " + describe_json(v);
  }

  void check_unknown() {
    if (!error.empty()) return;
    for (const auto& kv : in) {
      bool ok = false;
      for (const auto& k : known) ok = ok || k == std::string_view(kv.key());
      if (!ok) {
        error = "unknown field '" + prefix + std::string(kv.key()) + "'";
        return;
      }
    }
  }
};

template <class T>
std::string decode_value(const bj::value& v, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return "expected a string, got " + describe_json(v);
    out = std::string(v.get_string());
  } else if constexpr (IsStrongId<T>::value) {
    if (!v.is_string()) return "expected an id string, got " + describe_json(v);
    out = T(std::string(v.get_string()));
  } else if constexpr (std::is_same_v<T, Symbol>) {
    if (!v.is_string())
      return "expected a symbol string like \"BTC-USDT\", got " + describe_json(v);
    auto r = Symbol::parse(std::string_view(v.get_string()));
    if (!r) return r.error().message;
    out = *r;
  } else if constexpr (std::is_same_v<T, Decimal>) {
    if (!v.is_string())
      return "expected a decimal string like \"0.00001234\", got " + describe_json(v);
    auto r = Decimal::parse(std::string_view(v.get_string()));
    if (!r) return "expected a decimal string like \"0.00001234\", got " + describe_json(v);
    out = *r;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) return "expected true or false, got " + describe_json(v);
    out = v.get_bool();
  } else if constexpr (kIsEnum<T>) {
    if (!v.is_string() || !parse(std::string_view(v.get_string()), out))
      return "expected one of " + enum_names<T>() + ", got " + describe_json(v);
  } else if constexpr (std::is_same_v<T, Metadata>) {
    if (!v.is_object()) return "expected an object of strings, got " + describe_json(v);
    out.clear();
    for (const auto& kv : v.get_object()) {
      if (!kv.value().is_string())
        return "expected string values, got " + describe_json(kv.value()) + " for key '" +
               std::string(kv.key()) + "'";
      out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
    }
  } else {
    static_assert(std::is_integral_v<T>);
    return decode_integer(v, out);
  }
  return "";
}

// --- dispatch by event type -----------------------------------------------------------------

using DecodeFn = std::string (*)(Decoder&, Event&);

template <std::size_t I>
std::string decode_alternative(Decoder& d, Event& out) {
  std::variant_alternative_t<I, Event> e{};
  describe(d, e);
  out = std::move(e);
  return d.error;
}

template <std::size_t... I>
constexpr std::array<DecodeFn, sizeof...(I)> make_decoders(std::index_sequence<I...>) {
  return {&decode_alternative<I>...};
}
constexpr auto kDecoders = make_decoders(std::make_index_sequence<kEventTypeCount>{});

Error invalid(std::string msg) { return make_error(ErrorKind::kInvalidArgument, std::move(msg)); }

void encode_event(bj::object& o, const Event& e) {
  o["type"] = std::string(to_string(type_of(e)));
  o["ts"] = nullptr;  // placeholder: keeps "ts" second; describe() fills it in place
  Encoder enc{o};
  // describe() takes non-const refs so one list serves both directions; the encoder only reads.
  std::visit([&](const auto& x) { describe(enc, const_cast<std::decay_t<decltype(x)>&>(x)); }, e);
}

}  // namespace

std::string to_json_line(const Event& e) {
  bj::object o;
  encode_event(o, e);
  return bj::serialize(o);
}

std::string to_json_line(const Envelope& env) {
  bj::object o;
  o["seq"] = env.sequence;
  o["recorded_ts"] = format_iso_ns(env.recorded_ns);
  if (env.causation != 0) o["causation"] = env.causation;
  encode_event(o, env.event);
  return bj::serialize(o);
}

Result<DecodedEvent> from_json_line(std::string_view line) {
  bj::parser p;
  boost::system::error_code ec;
  std::size_t n = p.write_some(line.data(), line.size(), ec);
  if (ec) return invalid("malformed JSON at column " + std::to_string(n + 1) + ": " + ec.message());
  for (std::size_t i = n; i < line.size(); ++i) {
    char c = line[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
      return invalid("trailing text after the JSON object at column " + std::to_string(i + 1));
  }
  bj::value v = p.release();
  if (!v.is_object()) return invalid("expected a JSON object, got " + describe_json(v));
  const bj::object& o = v.get_object();

  const bj::value* type = o.if_contains("type");
  if (!type) return invalid("field 'type': missing (required)");
  if (!type->is_string())
    return invalid("field 'type': expected an event type name, got " + describe_json(*type));
  EventType t;
  std::string_view tname(type->get_string());
  if (!parse_event_type(tname, t))
    return invalid("unknown event type '" + std::string(tname) +
                   "' (see docs/events.md for the catalogue)");

  DecodedEvent out;
  Decoder d{o, "", {"type", "seq", "recorded_ts", "causation"}, {}};
  if (const bj::value* s = o.if_contains("seq")) {
    std::uint64_t seq = 0;
    std::string e = decode_integer(*s, seq);
    if (!e.empty()) return invalid(std::string(tname) + ": field 'seq': " + e);
    out.sequence = seq;
  }
  if (const bj::value* r = o.if_contains("recorded_ts")) {
    std::int64_t ns = 0;
    std::string e = Decoder::decode_time(*r, ns);
    if (!e.empty()) return invalid(std::string(tname) + ": field 'recorded_ts': " + e);
    out.recorded_ns = ns;
  }
  if (const bj::value* c = o.if_contains("causation")) {
    std::string e = decode_integer(*c, out.causation);
    if (!e.empty()) return invalid(std::string(tname) + ": field 'causation': " + e);
  }
  std::string err = kDecoders[static_cast<std::size_t>(t)](d, out.event);
  if (err.empty()) {
    d.check_unknown();
    err = d.error;
  }
  if (!err.empty()) return invalid(std::string(tname) + ": " + err);
  return out;
}

Result<std::vector<DecodedEvent>> parse_json_lines(std::string_view text) {
  std::vector<DecodedEvent> out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    bool blank = true;
    for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r');
    if (blank) continue;
    auto r = from_json_line(line);
    if (!r) return invalid("line " + std::to_string(line_no) + ": " + r.error().message);
    out.push_back(std::move(r).value());
  }
  return out;
}

}  // namespace at::journal::json
