#include "engine/decision.h"

#include <algorithm>
#include <boost/json.hpp>

namespace at::engine {
namespace json = boost::json;
namespace {

Error bad(std::string msg) { return make_error(ErrorKind::kInvalidArgument, std::move(msg)); }

Result<std::string> get_string(const json::object& o, std::string_view key, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return bad("missing field '" + std::string(key) + "'");
    return std::string();
  }
  if (!v->is_string()) return bad("field '" + std::string(key) + "' must be a string");
  return std::string(v->as_string());
}

Result<std::optional<Decimal>> get_decimal(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<Decimal>();
  std::string text;
  if (v->is_string())
    text = std::string(v->as_string());
  else if (v->is_int64())
    text = std::to_string(v->as_int64());
  else if (v->is_uint64())
    text = std::to_string(v->as_uint64());
  else if (v->is_double())
    return bad("field '" + std::string(key) +
               "' must be a decimal string (e.g. \"0.01\"), not a "
               "binary floating-point number");
  else
    return bad("field '" + std::string(key) + "' must be a decimal string");
  auto d = Decimal::parse(text);
  if (!d) return bad("field '" + std::string(key) + "': " + d.error().message);
  return std::optional<Decimal>(*d);
}

}  // namespace

Result<DecisionReceived> parse_decision(std::string_view line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) return bad("not valid JSON: " + ec.message());
  if (!v.is_object()) return bad("a decision must be a JSON object");
  const auto& o = v.as_object();
  static constexpr std::string_view kKnown[] = {
      "decision_id", "action",     "symbol",        "size",    "order_type",
      "limit_price", "stop_price", "time_in_force", "account", "metadata"};
  for (const auto& kv : o) {
    bool known = false;
    for (auto k : kKnown) known |= (kv.key() == k);
    if (!known) return bad("unknown field '" + std::string(kv.key()) + "'");
  }
  DecisionReceived d;
  auto id = get_string(o, "decision_id", true);
  if (!id) return id.error();
  if (id->empty() || id->size() > 128) return bad("decision_id must be 1-128 characters");
  d.decision_id = DecisionId(*id);
  auto action = get_string(o, "action", true);
  if (!action) return action.error();
  if (!parse(*action, d.action))
    return bad("field 'action': expected LONG, SHORT, FLAT or HOLD, got '" + *action + "'");
  auto sym = get_string(o, "symbol", true);
  if (!sym) return sym.error();
  auto s = Symbol::parse(*sym);
  if (!s) return bad("field 'symbol': " + s.error().message);
  d.symbol = *s;
  auto size = get_decimal(o, "size");
  if (!size) return size.error();
  if (*size)
    d.size = **size;
  else if (d.action == Action::kLong || d.action == Action::kShort)
    return bad("missing field 'size'");
  auto ot = get_string(o, "order_type", false);
  if (!ot) return ot.error();
  if (!ot->empty()) {
    OrderType t;
    if (!parse(*ot, t))
      return bad("field 'order_type': expected MARKET, LIMIT, IOC, FOK, STOP or STOP_LIMIT, got '" +
                 *ot + "'");
    d.order_type = t;
  }
  auto lp = get_decimal(o, "limit_price");
  if (!lp) return lp.error();
  d.limit_price = *lp;
  auto sp = get_decimal(o, "stop_price");
  if (!sp) return sp.error();
  d.stop_price = *sp;
  auto tif = get_string(o, "time_in_force", false);
  if (!tif) return tif.error();
  if (!tif->empty()) {
    TimeInForce t;
    if (!parse(*tif, t))
      return bad("field 'time_in_force': expected GTC, IOC, FOK or DAY, got '" + *tif + "'");
    d.tif = t;
  }
  auto acct = get_string(o, "account", false);
  if (!acct) return acct.error();
  d.account = *acct;
  if (auto* m = o.if_contains("metadata"); m && !m->is_null()) {
    if (!m->is_object()) return bad("field 'metadata' must be an object");
    for (const auto& kv : m->as_object()) {
      std::string val = kv.value().is_string() ? std::string(kv.value().as_string())
                                               : json::serialize(kv.value());
      d.metadata.emplace_back(std::string(kv.key()), std::move(val));
    }
    std::sort(d.metadata.begin(), d.metadata.end());
  }
  return d;
}

OrderType effective_order_type(const DecisionReceived& d) {
  if (d.order_type) return *d.order_type;
  if (d.limit_price && d.stop_price) return OrderType::kStopLimit;
  if (d.stop_price) return OrderType::kStop;
  return d.limit_price ? OrderType::kLimit : OrderType::kMarket;
}

TimeInForce effective_tif(const DecisionReceived& d) {
  switch (effective_order_type(d)) {
    case OrderType::kIoc:
      return TimeInForce::kIoc;
    case OrderType::kFok:
      return TimeInForce::kFok;
    default:
      return d.tif.value_or(TimeInForce::kGtc);
  }
}

Status validate_decision(const DecisionReceived& d) {
  if (d.action == Action::kHold) return {};
  if ((d.action == Action::kLong || d.action == Action::kShort) && !d.size.is_positive())
    return bad("size must be positive, got " + d.size.to_string());
  if (d.action == Action::kFlat && d.size.is_negative())
    return bad("size must not be negative, got " + d.size.to_string());
  OrderType t = effective_order_type(d);
  bool needs_limit = t == OrderType::kLimit || t == OrderType::kIoc || t == OrderType::kFok ||
                     t == OrderType::kStopLimit;
  bool needs_stop = t == OrderType::kStop || t == OrderType::kStopLimit;
  if (needs_limit && !d.limit_price)
    return bad(std::string(to_string(t)) + " order needs a limit_price");
  if (needs_stop && !d.stop_price)
    return bad(std::string(to_string(t)) + " order needs a stop_price");
  if (t == OrderType::kMarket && d.limit_price)
    return bad("MARKET order must not have a limit_price");
  if (d.limit_price && !d.limit_price->is_positive())
    return bad("limit_price must be positive, got " + d.limit_price->to_string());
  if (d.stop_price && !d.stop_price->is_positive())
    return bad("stop_price must be positive, got " + d.stop_price->to_string());
  if (d.tif && (t == OrderType::kIoc || t == OrderType::kFok) &&
      *d.tif != (t == OrderType::kIoc ? TimeInForce::kIoc : TimeInForce::kFok))
    return bad(std::string(to_string(t)) + " order cannot have time_in_force " +
               std::string(to_string(*d.tif)));
  return {};
}

std::string_view to_string(DecisionOutcome::Kind k) {
  switch (k) {
    case DecisionOutcome::Kind::kOrdered:
      return "ordered";
    case DecisionOutcome::Kind::kHeld:
      return "held";
    case DecisionOutcome::Kind::kRiskRejected:
      return "risk_rejected";
    case DecisionOutcome::Kind::kInvalid:
      return "invalid";
    case DecisionOutcome::Kind::kNothingToDo:
      return "nothing_to_do";
  }
  return "?";
}

std::string outcome_json(const DecisionOutcome& o) {
  json::object j;
  j["decision_id"] = o.decision_id.str();
  j["outcome"] = std::string(to_string(o.kind));
  if (!o.client_order_id.empty()) j["client_order_id"] = o.client_order_id.str();
  if (!o.reason.empty()) j["reason"] = o.reason;
  if (!o.detail.empty()) j["detail"] = o.detail;
  if (o.sequence) j["sequence"] = o.sequence;
  if (o.duplicate) j["duplicate"] = true;
  return json::serialize(j);
}

}  // namespace at::engine
