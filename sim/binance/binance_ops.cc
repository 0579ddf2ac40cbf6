// Binance Spot order operations over the paper MatchingEngine, shared by REST and the WS API:
// parameter validation (Binance's codes and messages), the response shapes of
// ACK/RESULT/FULL, queries, cancel/replace, and the user-data events built from the engine's
// execution reports. Called with Impl::mu held.
#include <algorithm>

#include "adapters/net/signing.h"
#include "sim/binance/detail/sim_state.h"

namespace at::sim {

using detail::Params;
using detail::Reply;
using detail::json::array;
using detail::json::object;
using detail::json::value;

namespace detail {

const std::string* Params::get(std::string_view name) const {
  for (const auto& [k, v] : items) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool parse_form(std::string_view text, Params& p, std::string& duplicate) {
  std::size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    auto amp = text.find('&', pos);
    std::string_view item = text.substr(pos, amp == std::string_view::npos ? text.npos : amp - pos);
    if (!item.empty()) {
      auto eq = item.find('=');
      std::string k = at::net::url_decode(item.substr(0, eq));
      std::string v = eq == std::string_view::npos ? "" : at::net::url_decode(item.substr(eq + 1));
      if (p.has(k)) {
        duplicate = k;
        return false;
      }
      p.items.emplace_back(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return true;
}

std::string json_value_text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_null()) return "";
  return json::serialize(v);
}

std::string fmt8(const Decimal& d) {
  if (d.scale() > 8) return d.to_string();
  return d.rescaled(8).to_string();
}

std::string random_client_id(std::mt19937_64& rng) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(22, 'x');
  for (auto& c : s) c = kAlphabet[rng() % 62];
  return s;
}

std::string_view binance_type(paper::OrdType t) { return paper::to_string(t); }
std::string_view binance_status(paper::OrdStatus s) { return paper::to_string(s); }

}  // namespace detail

namespace {

std::int64_t ms(std::int64_t ns) { return ns / 1'000'000; }

const std::string& venue_of(const BinanceSim::Impl& I, const Symbol& s) {
  for (const auto& sym : I.opt.symbols) {
    if (sym.rules.symbol == s) return sym.rules.venue_symbol;
  }
  return s.str();
}

std::string mandatory_msg(std::string_view name) {
  return "Mandatory parameter '" + std::string(name) +
         "' was not sent, was empty/null, or malformed.";
}

Reply missing(std::string_view name) { return Reply::error(400, -1102, mandatory_msg(name)); }

// Binance's decimal grammar for prices and quantities.
bool decimal_text_ok(std::string_view s) {
  if (s.empty() || s.size() > 41) return false;
  std::size_t dot = s.find('.');
  std::string_view ip = s.substr(0, dot);
  if (ip.empty() || ip.size() > 20) return false;
  for (char c : ip) {
    if (c < '0' || c > '9') return false;
  }
  if (dot == std::string_view::npos) return true;
  std::string_view fp = s.substr(dot + 1);
  if (fp.empty() || fp.size() > 20) return false;
  for (char c : fp) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses a decimal parameter: -1100 on bad text, -1111 beyond `precision` places.
std::optional<Decimal> decimal_param(const Params& p, std::string_view name, int precision,
                                     Reply& err) {
  const std::string* v = p.get(name);
  if (!v || v->empty()) return std::nullopt;
  if (!decimal_text_ok(*v)) {
    err = Reply::error(400, -1100,
                       "Illegal characters found in parameter '" + std::string(name) +
                           "'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.");
    return std::nullopt;
  }
  auto d = Decimal::parse(*v);
  if (!d) {
    err = Reply::error(400, -1100,
                       "Illegal characters found in parameter '" + std::string(name) + "'.");
    return std::nullopt;
  }
  if (d->normalized().scale() > precision) {
    err = Reply::error(400, -1111, "Parameter '" + std::string(name) + "' has too much precision.");
    return std::nullopt;
  }
  return d->normalized();
}

std::optional<std::int64_t> int_param(const Params& p, std::string_view name, Reply& err) {
  const std::string* v = p.get(name);
  if (!v || v->empty()) return std::nullopt;
  std::int64_t out = 0;
  bool neg = false;
  std::size_t i = 0;
  if ((*v)[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == v->size() || v->size() > 19) {
    err = Reply::error(400, -1100,
                       "Illegal characters found in parameter '" + std::string(name) +
                           "'; legal range is '^-?[0-9]{1,19}$'.");
    return std::nullopt;
  }
  for (; i < v->size(); ++i) {
    char c = (*v)[i];
    if (c < '0' || c > '9') {
      err = Reply::error(400, -1100,
                         "Illegal characters found in parameter '" + std::string(name) +
                             "'; legal range is '^-?[0-9]{1,19}$'.");
      return std::nullopt;
    }
    out = out * 10 + (c - '0');
  }
  return neg ? -out : out;
}

bool client_id_ok(std::string_view s) {
  if (s.empty() || s.size() > 36) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == ':' || c == '/' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Reply bad_client_id(std::string_view name) {
  return Reply::error(400, -1100,
                      "Illegal characters found in parameter '" + std::string(name) +
                          "'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
}

Reply engine_reject(paper::Reject r) {
  int code = paper::binance_code(r);
  std::string msg(paper::message(r));
  if (r == paper::Reject::kBadParameter) msg = "Unsupported order combination.", code = -1014;
  return Reply::error(400, code, msg);
}

object fill_json(const paper::Fill& f) {
  object o;
  o["price"] = detail::fmt8(f.price);
  o["qty"] = detail::fmt8(f.quantity);
  o["commission"] = detail::fmt8(f.commission);
  o["commissionAsset"] = f.commission_asset;
  o["tradeId"] = f.trade_id;
  return o;
}

struct ParsedOrder {
  paper::NewOrder order;
  std::string resp_type;
};

// Validates new-order parameters as Binance does; fills `out` or returns the error.
std::optional<Reply> parse_new_order(const BinanceSim::Impl& I, const std::string& account,
                                     const Params& p, const SimSymbol& sym, ParsedOrder& out) {
  auto& o = out.order;
  o.account = account;
  o.symbol = sym.rules.symbol;
  const std::string* side = p.get("side");
  if (!side || side->empty()) return missing("side");
  if (*side == "BUY") {
    o.side = Side::kBuy;
  } else if (*side == "SELL") {
    o.side = Side::kSell;
  } else {
    return Reply::error(400, -1117, "Invalid side.");
  }
  const std::string* type = p.get("type");
  if (!type || type->empty()) return missing("type");
  if (*type == "LIMIT") {
    o.type = paper::OrdType::kLimit;
  } else if (*type == "MARKET") {
    o.type = paper::OrdType::kMarket;
  } else if (*type == "STOP_LOSS") {
    o.type = paper::OrdType::kStopLoss;
  } else if (*type == "STOP_LOSS_LIMIT") {
    o.type = paper::OrdType::kStopLossLimit;
  } else if (*type == "LIMIT_MAKER") {
    o.type = paper::OrdType::kLimitMaker;
  } else if (*type == "TAKE_PROFIT" || *type == "TAKE_PROFIT_LIMIT") {
    return Reply::error(400, -1014, "Unsupported order combination.");
  } else {
    return Reply::error(400, -1116, "Invalid orderType.");
  }
  bool needs_tif = o.type == paper::OrdType::kLimit || o.type == paper::OrdType::kStopLossLimit;
  bool needs_price = needs_tif || o.type == paper::OrdType::kLimitMaker;
  bool needs_stop = o.type == paper::OrdType::kStopLoss || o.type == paper::OrdType::kStopLossLimit;
  const std::string* tif = p.get("timeInForce");
  if (tif && !tif->empty()) {
    if (*tif == "GTC") {
      o.tif = paper::Tif::kGtc;
    } else if (*tif == "IOC") {
      o.tif = paper::Tif::kIoc;
    } else if (*tif == "FOK") {
      o.tif = paper::Tif::kFok;
    } else {
      return Reply::error(400, -1115, "Invalid timeInForce.");
    }
    if (!needs_tif && o.type != paper::OrdType::kMarket) {
      return Reply::error(400, -1106, "Parameter 'timeInForce' sent when not required.");
    }
  } else if (needs_tif) {
    return missing("timeInForce");
  }
  Reply err;
  err.code = 0;
  auto qty = decimal_param(p, "quantity", sym.base_precision, err);
  if (err.code) return err;
  auto qqty = decimal_param(p, "quoteOrderQty", sym.quote_precision, err);
  if (err.code) return err;
  auto price = decimal_param(p, "price", sym.quote_precision, err);
  if (err.code) return err;
  auto stop = decimal_param(p, "stopPrice", sym.quote_precision, err);
  if (err.code) return err;
  if (o.type == paper::OrdType::kMarket) {
    if (!qty && !qqty) {
      return Reply::error(400, -1102,
                          "Param 'quantity' or 'quoteOrderQty' must be sent, but both were "
                          "empty/null!");
    }
    if (qty && qqty) {
      return Reply::error(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
    }
  } else {
    if (!qty) return missing("quantity");
    if (qqty) return Reply::error(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
  }
  if (needs_price && !price) return missing("price");
  if (!needs_price && price) {
    return Reply::error(400, -1106, "Parameter 'price' sent when not required.");
  }
  if (needs_stop && !stop) return missing("stopPrice");
  if (qty) o.quantity = *qty;
  if (qqty) o.quote_order_qty = *qqty;
  if (price) {
    if (!sym.max_price.is_zero() && *price > sym.max_price) {
      return Reply::error(400, -1013, "Filter failure: PRICE_FILTER");
    }
    o.price = *price;
  }
  if (stop) o.stop_price = *stop;
  if (const std::string* c = p.get("newClientOrderId"); c && !c->empty()) {
    if (!client_id_ok(*c)) return bad_client_id("newClientOrderId");
    o.client_order_id = *c;
  }
  out.resp_type =
      (o.type == paper::OrdType::kMarket || o.type == paper::OrdType::kLimit) ? "FULL" : "ACK";
  if (const std::string* rt = p.get("newOrderRespType"); rt && !rt->empty()) {
    if (*rt != "ACK" && *rt != "RESULT" && *rt != "FULL") {
      return Reply::error(400, -1100,
                          "Illegal characters found in parameter 'newOrderRespType'; legal "
                          "range is 'ACK, RESULT, FULL'.");
    }
    out.resp_type = *rt;
  }
  (void)I;
  return std::nullopt;
}

object place_response(const paper::OrderState& o, const std::vector<paper::Fill>& fills,
                      const std::string& venue_symbol, const std::string& resp_type,
                      std::int64_t transact_ms) {
  object r;
  r["symbol"] = venue_symbol;
  r["orderId"] = o.order_id;
  r["orderListId"] = -1;
  r["clientOrderId"] = o.client_order_id;
  r["transactTime"] = transact_ms;
  if (resp_type == "ACK") return r;
  r["price"] = detail::fmt8(o.price.value_or(Decimal()));
  r["origQty"] = detail::fmt8(o.quantity);
  r["executedQty"] = detail::fmt8(o.executed_qty);
  r["origQuoteOrderQty"] = detail::fmt8(o.quote_order_qty.value_or(Decimal()));
  r["cummulativeQuoteQty"] = detail::fmt8(o.cumulative_quote_qty);
  r["status"] = detail::binance_status(o.status);
  r["timeInForce"] = paper::to_string(o.tif);
  r["type"] = detail::binance_type(o.type);
  r["side"] = o.side == Side::kBuy ? "BUY" : "SELL";
  if (o.stop_price) r["stopPrice"] = detail::fmt8(*o.stop_price);
  r["workingTime"] = o.working ? ms(o.created_ns) : -1;
  r["selfTradePreventionMode"] = "EXPIRE_MAKER";
  if (resp_type == "FULL") {
    array fa;
    for (const auto& f : fills) fa.push_back(fill_json(f));
    r["fills"] = std::move(fa);
  }
  return r;
}

object cancel_response(const paper::OrderState& o, const std::string& venue_symbol,
                       const std::string& cancel_client_id, std::int64_t transact_ms) {
  object r;
  r["symbol"] = venue_symbol;
  r["origClientOrderId"] = o.client_order_id;
  r["orderId"] = o.order_id;
  r["orderListId"] = -1;
  r["clientOrderId"] = cancel_client_id;
  r["transactTime"] = transact_ms;
  r["price"] = detail::fmt8(o.price.value_or(Decimal()));
  r["origQty"] = detail::fmt8(o.quantity);
  r["executedQty"] = detail::fmt8(o.executed_qty);
  r["origQuoteOrderQty"] = detail::fmt8(o.quote_order_qty.value_or(Decimal()));
  r["cummulativeQuoteQty"] = detail::fmt8(o.cumulative_quote_qty);
  r["status"] = detail::binance_status(o.status);
  r["timeInForce"] = paper::to_string(o.tif);
  r["type"] = detail::binance_type(o.type);
  r["side"] = o.side == Side::kBuy ? "BUY" : "SELL";
  if (o.stop_price) r["stopPrice"] = detail::fmt8(*o.stop_price);
  r["selfTradePreventionMode"] = "EXPIRE_MAKER";
  return r;
}

// Resolves orderId / origClientOrderId (names configurable for cancelReplace) to an order of
// this account on this symbol.
std::optional<paper::OrderState> find_order(const BinanceSim::Impl& I, const std::string& account,
                                            const SimSymbol& sym, const Params& p,
                                            std::string_view id_name, std::string_view coid_name,
                                            Reply& err, paper::OrderRef& ref) {
  auto oid = int_param(p, id_name, err);
  if (err.code) return std::nullopt;
  const std::string* coid = p.get(coid_name);
  if (!oid && (!coid || coid->empty())) {
    err = Reply::error(400, -1102,
                       "Param '" + std::string(coid_name) + "' or '" + std::string(id_name) +
                           "' must be sent, but both were empty/null!");
    return std::nullopt;
  }
  std::optional<paper::OrderState> o;
  if (oid) {
    ref.order_id = static_cast<paper::OrderId>(*oid);
    o = I.engine.find(static_cast<paper::OrderId>(*oid));
    // Both given: they must name the same order.
    if (o && coid && !coid->empty() && o->client_order_id != *coid) o.reset();
  } else {
    ref.client_order_id = *coid;
    o = I.engine.find(account, *coid);
  }
  if (o && (o->account != account || o->symbol != sym.rules.symbol)) o.reset();
  return o;
}

}  // namespace

detail::json::object detail::order_json(const paper::OrderState& o,
                                        const std::string& venue_symbol) {
  object r;
  r["symbol"] = venue_symbol;
  r["orderId"] = o.order_id;
  r["orderListId"] = -1;
  r["clientOrderId"] = o.client_order_id;
  r["price"] = fmt8(o.price.value_or(Decimal()));
  r["origQty"] = fmt8(o.quantity);
  r["executedQty"] = fmt8(o.executed_qty);
  r["cummulativeQuoteQty"] = fmt8(o.cumulative_quote_qty);
  r["status"] = binance_status(o.status);
  r["timeInForce"] = paper::to_string(o.tif);
  r["type"] = binance_type(o.type);
  r["side"] = o.side == Side::kBuy ? "BUY" : "SELL";
  r["stopPrice"] = fmt8(o.stop_price.value_or(Decimal()));
  r["icebergQty"] = fmt8(Decimal());
  r["time"] = ms(o.created_ns);
  r["updateTime"] = ms(o.updated_ns);
  r["isWorking"] = o.working;
  r["workingTime"] = o.working ? ms(o.created_ns) : -1;
  r["origQuoteOrderQty"] = fmt8(o.quote_order_qty.value_or(Decimal()));
  r["selfTradePreventionMode"] = "EXPIRE_MAKER";
  return r;
}

const SimSymbol* BinanceSim::Impl::find_symbol(const Params& p, Reply& err) const {
  const std::string* s = p.get("symbol");
  if (!s || s->empty()) {
    err = missing("symbol");
    return nullptr;
  }
  auto it = by_venue_symbol.find(*s);
  if (it == by_venue_symbol.end()) {
    err = Reply::error(400, -1121, "Invalid symbol.");
    return nullptr;
  }
  return it->second;
}

std::size_t BinanceSim::Impl::log_request(const std::string& transport,
                                          const std::string& operation, const std::string& account,
                                          const Params& p) {
  OrderRequestRecord r;
  r.seq = next_log_seq++;
  r.ts_ms = now_ms();
  r.transport = transport;
  r.operation = operation;
  r.account = account;
  if (const auto* s = p.get("symbol")) r.symbol = *s;
  if (const auto* c = p.get("newClientOrderId")) r.client_order_id = *c;
  if (const auto* c = p.get("origClientOrderId")) r.orig_client_order_id = *c;
  if (const auto* c = p.get("cancelOrigClientOrderId")) r.orig_client_order_id = *c;
  r.outcome = "received";
  log.requests.push_back(std::move(r));
  return log.requests.size() - 1;
}

namespace {
void finish_log(BinanceSim::Impl& I, std::size_t idx, const Reply& r, std::uint64_t order_id,
                const std::string& client_id) {
  auto& rec = I.log.requests[idx];
  rec.code = r.code;
  rec.outcome = r.ok() ? "ok" : "rejected";
  if (order_id) rec.order_id = order_id;
  if (!client_id.empty()) rec.client_order_id = client_id;
}
}  // namespace

Reply BinanceSim::Impl::op_place(const std::string& account, const Params& p,
                                 const std::string& transport) {
  std::size_t idx = log_request(transport, "order.place", account, p);
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  ParsedOrder po;
  if (sym) {
    if (auto e = parse_new_order(*this, account, p, *sym, po)) err = *e;
  }
  if (err.code) {
    finish_log(*this, idx, err, 0, "");
    err.log_index = idx;
    return err;
  }
  std::int64_t ts = clock.now_ns();
  auto res = engine.place(po.order, ts);
  flush_events();
  Reply r;
  r.log_index = idx;
  r.is_order_placement = true;
  if (!res.ok()) {
    r = engine_reject(res.reject);
    r.log_index = idx;
    finish_log(*this, idx, r, 0, po.order.client_order_id);
    return r;
  }
  r.executed = true;
  r.result = place_response(res.order, res.fills, sym->rules.venue_symbol, po.resp_type, ms(ts));
  finish_log(*this, idx, r, res.order.order_id, res.order.client_order_id);
  return r;
}

Reply BinanceSim::Impl::op_cancel(const std::string& account, const Params& p,
                                  const std::string& transport) {
  std::size_t idx = log_request(transport, "order.cancel", account, p);
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  paper::OrderRef ref;
  std::optional<paper::OrderState> o;
  if (sym) o = find_order(*this, account, *sym, p, "orderId", "origClientOrderId", err, ref);
  std::string cancel_id;
  if (!err.code) {
    if (const auto* c = p.get("newClientOrderId"); c && !c->empty()) {
      if (!client_id_ok(*c)) err = bad_client_id("newClientOrderId");
      cancel_id = *c;
    } else {
      cancel_id = detail::random_client_id(rng);
    }
  }
  if (!err.code && !(o && paper::is_open(o->status))) {
    err = Reply::error(400, -2011, "Unknown order sent.");
  }
  if (!err.code) {
    if (const auto* cr = p.get("cancelRestrictions"); cr && !cr->empty()) {
      bool allowed =
          (*cr == "ONLY_NEW" && o->status == paper::OrdStatus::kNew) ||
          (*cr == "ONLY_PARTIALLY_FILLED" && o->status == paper::OrdStatus::kPartiallyFilled);
      if (*cr != "ONLY_NEW" && *cr != "ONLY_PARTIALLY_FILLED") {
        err = Reply::error(400, -1100,
                           "Illegal characters found in parameter 'cancelRestrictions'; legal "
                           "range is 'ONLY_NEW, ONLY_PARTIALLY_FILLED'.");
      } else if (!allowed) {
        err = Reply::error(400, -2011, "Order was not canceled due to cancel restrictions.");
      }
    }
  }
  if (err.code) {
    err.log_index = idx;
    finish_log(*this, idx, err, o ? o->order_id : 0, "");
    return err;
  }
  std::int64_t ts = clock.now_ns();
  auto res =
      engine.cancel(account, sym->rules.symbol, paper::OrderRef{o->order_id, {}}, ts, cancel_id);
  flush_events();
  Reply r;
  r.log_index = idx;
  if (!res.ok()) {
    r = Reply::error(400, -2011, "Unknown order sent.");
    r.log_index = idx;
  } else {
    r.executed = true;
    r.result = cancel_response(res.order, sym->rules.venue_symbol, cancel_id, ms(ts));
  }
  finish_log(*this, idx, r, o->order_id, "");
  log.requests[idx].client_order_id = o->client_order_id;
  return r;
}

Reply BinanceSim::Impl::op_query(const std::string& account, const Params& p) {
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  if (!sym) return err;
  paper::OrderRef ref;
  auto o = find_order(*this, account, *sym, p, "orderId", "origClientOrderId", err, ref);
  if (err.code) return err;
  if (!o) return Reply::error(400, -2013, "Order does not exist.");
  Reply r;
  r.result = detail::order_json(*o, sym->rules.venue_symbol);
  return r;
}

Reply BinanceSim::Impl::op_cancel_replace(const std::string& account, const Params& p,
                                          const std::string& transport) {
  std::size_t idx = log_request(transport, "order.cancelReplace", account, p);
  auto fail = [&](Reply e) {
    e.log_index = idx;
    finish_log(*this, idx, e, 0, "");
    return e;
  };
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  if (!sym) return fail(err);
  const std::string* mode = p.get("cancelReplaceMode");
  if (!mode || mode->empty()) return fail(missing("cancelReplaceMode"));
  if (*mode != "STOP_ON_FAILURE" && *mode != "ALLOW_FAILURE") {
    return fail(Reply::error(400, -1100,
                             "Illegal characters found in parameter 'cancelReplaceMode'; legal "
                             "range is 'STOP_ON_FAILURE, ALLOW_FAILURE'."));
  }
  ParsedOrder po;
  if (auto e = parse_new_order(*this, account, p, *sym, po)) return fail(*e);
  paper::OrderRef ref;
  auto target =
      find_order(*this, account, *sym, p, "cancelOrderId", "cancelOrigClientOrderId", err, ref);
  if (err.code) return fail(err);
  std::string cancel_id;
  if (const auto* c = p.get("cancelNewClientOrderId"); c && !c->empty()) {
    if (!client_id_ok(*c)) return fail(bad_client_id("cancelNewClientOrderId"));
    cancel_id = *c;
  } else {
    cancel_id = detail::random_client_id(rng);
  }

  std::int64_t ts = clock.now_ns();
  object data;
  bool cancel_ok = false;
  if (target && paper::is_open(target->status)) {
    auto c = engine.cancel(account, sym->rules.symbol, paper::OrderRef{target->order_id, {}}, ts,
                           cancel_id);
    flush_events();
    if (c.ok()) {
      cancel_ok = true;
      data["cancelResult"] = "SUCCESS";
      data["cancelResponse"] = cancel_response(c.order, sym->rules.venue_symbol, cancel_id, ms(ts));
    }
  }
  if (!cancel_ok) {
    object cr;
    cr["code"] = -2011;
    cr["msg"] = "Unknown order sent.";
    data["cancelResult"] = "FAILURE";
    data["cancelResponse"] = std::move(cr);
  }
  bool attempt_new = cancel_ok || *mode == "ALLOW_FAILURE";
  bool new_ok = false;
  std::uint64_t new_id = 0;
  if (attempt_new) {
    auto res = engine.place(po.order, ts);
    flush_events();
    if (res.ok()) {
      new_ok = true;
      new_id = res.order.order_id;
      data["newOrderResult"] = "SUCCESS";
      data["newOrderResponse"] =
          place_response(res.order, res.fills, sym->rules.venue_symbol, po.resp_type, ms(ts));
    } else {
      object nr;
      nr["code"] = paper::binance_code(res.reject);
      nr["msg"] = std::string(paper::message(res.reject));
      data["newOrderResult"] = "FAILURE";
      data["newOrderResponse"] = std::move(nr);
    }
  } else {
    data["newOrderResult"] = "NOT_ATTEMPTED";
    data["newOrderResponse"] = nullptr;
  }
  Reply r;
  r.log_index = idx;
  r.is_order_placement = true;
  r.executed = cancel_ok || new_ok;
  if (cancel_ok && new_ok) {
    r.result = std::move(data);
  } else if (!cancel_ok && !new_ok) {
    r = Reply::error(400, -2022, "Order cancel-replace failed.");
    r.data = value(std::move(data));
  } else {
    r = Reply::error(409, -2021, "Order cancel-replace partially failed.");
    r.data = value(std::move(data));
    r.executed = true;
  }
  r.log_index = idx;
  finish_log(*this, idx, r, new_id ? new_id : (target ? target->order_id : 0),
             po.order.client_order_id);
  return r;
}

Reply BinanceSim::Impl::op_open_orders(const std::string& account, const Params& p) {
  std::optional<Symbol> filter;
  if (p.has("symbol")) {
    Reply err;
    const SimSymbol* sym = find_symbol(p, err);
    if (!sym) return err;
    filter = sym->rules.symbol;
  }
  array out;
  for (const auto& o : engine.open_orders(account, filter)) {
    out.push_back(detail::order_json(o, venue_of(*this, o.symbol)));
  }
  Reply r;
  r.result = std::move(out);
  return r;
}

Reply BinanceSim::Impl::op_cancel_all(const std::string& account, const Params& p,
                                      const std::string& transport) {
  std::size_t idx = log_request(transport, "openOrders.cancelAll", account, p);
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  if (!sym) {
    err.log_index = idx;
    finish_log(*this, idx, err, 0, "");
    return err;
  }
  std::int64_t ts = clock.now_ns();
  if (engine.open_orders(account, sym->rules.symbol).empty()) {
    Reply r = Reply::error(400, -2011, "Unknown order sent.");
    r.log_index = idx;
    finish_log(*this, idx, r, 0, "");
    return r;
  }
  auto cancelled = engine.cancel_all(account, sym->rules.symbol, ts);
  flush_events();
  array out;
  for (const auto& o : cancelled) {
    out.push_back(
        cancel_response(o, sym->rules.venue_symbol, detail::random_client_id(rng), ms(ts)));
  }
  Reply r;
  r.executed = true;
  r.log_index = idx;
  r.result = std::move(out);
  finish_log(*this, idx, r, 0, "");
  return r;
}

Reply BinanceSim::Impl::op_all_orders(const std::string& account, const Params& p) {
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  if (!sym) return err;
  auto from = int_param(p, "orderId", err);
  auto start = int_param(p, "startTime", err);
  auto end = int_param(p, "endTime", err);
  auto limit = int_param(p, "limit", err);
  if (err.code) return err;
  std::int64_t lim = std::clamp<std::int64_t>(limit.value_or(500), 1, 1000);
  if (start && end && (*end - *start > 24 * 3600 * 1000 || *end < *start)) {
    return Reply::error(400, -1127, "More than 24 hours between startTime and endTime.");
  }
  auto orders =
      engine.all_orders(account, sym->rules.symbol,
                        from ? static_cast<paper::OrderId>(std::max<std::int64_t>(*from, 0)) : 0);
  std::vector<paper::OrderState> kept;
  for (auto& o : orders) {
    std::int64_t t = ms(o.created_ns);
    if (start && t < *start) continue;
    if (end && t > *end) continue;
    kept.push_back(std::move(o));
  }
  // With orderId: the first `limit` from it; otherwise the most recent `limit`.
  if (static_cast<std::int64_t>(kept.size()) > lim) {
    if (from) {
      kept.resize(static_cast<std::size_t>(lim));
    } else {
      kept.erase(kept.begin(), kept.end() - lim);
    }
  }
  array out;
  for (const auto& o : kept) out.push_back(detail::order_json(o, sym->rules.venue_symbol));
  Reply r;
  r.result = std::move(out);
  return r;
}

Reply BinanceSim::Impl::op_my_trades(const std::string& account, const Params& p) {
  Reply err;
  const SimSymbol* sym = find_symbol(p, err);
  if (!sym) return err;
  auto order_id = int_param(p, "orderId", err);
  auto from = int_param(p, "fromId", err);
  auto start = int_param(p, "startTime", err);
  auto end = int_param(p, "endTime", err);
  auto limit = int_param(p, "limit", err);
  if (err.code) return err;
  std::int64_t lim = std::clamp<std::int64_t>(limit.value_or(500), 1, 1000);
  auto fills =
      engine.trades(account, sym->rules.symbol,
                    from ? static_cast<paper::TradeNo>(std::max<std::int64_t>(*from, 0)) : 0);
  std::vector<paper::Fill> kept;
  for (auto& f : fills) {
    if (order_id && f.order_id != static_cast<paper::OrderId>(*order_id)) continue;
    std::int64_t t = ms(f.ts_ns);
    if (start && t < *start) continue;
    if (end && t > *end) continue;
    kept.push_back(std::move(f));
  }
  if (static_cast<std::int64_t>(kept.size()) > lim) {
    if (from) {
      kept.resize(static_cast<std::size_t>(lim));
    } else {
      kept.erase(kept.begin(), kept.end() - lim);
    }
  }
  array out;
  for (const auto& f : kept) {
    object t;
    t["symbol"] = sym->rules.venue_symbol;
    t["id"] = f.trade_id;
    t["orderId"] = f.order_id;
    t["orderListId"] = -1;
    t["price"] = detail::fmt8(f.price);
    t["qty"] = detail::fmt8(f.quantity);
    t["quoteQty"] = detail::fmt8(f.quote_qty);
    t["commission"] = detail::fmt8(f.commission);
    t["commissionAsset"] = f.commission_asset;
    t["time"] = ms(f.ts_ns);
    t["isBuyer"] = f.side == Side::kBuy;
    t["isMaker"] = f.maker;
    t["isBestMatch"] = true;
    out.push_back(std::move(t));
  }
  Reply r;
  r.result = std::move(out);
  return r;
}

Reply BinanceSim::Impl::op_account(const std::string& account, const Params& p) {
  bool omit_zero = false;
  if (const auto* z = p.get("omitZeroBalances")) omit_zero = *z == "true";
  auto bps = opt.commission_bps;
  auto rate = Decimal::divide(bps, Decimal::from_int(10000), 8);
  object r;
  std::int64_t c = static_cast<std::int64_t>(bps.rescaled(0).mantissa());
  r["makerCommission"] = c;
  r["takerCommission"] = c;
  r["buyerCommission"] = 0;
  r["sellerCommission"] = 0;
  object rates;
  rates["maker"] = detail::fmt8(rate);
  rates["taker"] = detail::fmt8(rate);
  rates["buyer"] = detail::fmt8(Decimal());
  rates["seller"] = detail::fmt8(Decimal());
  r["commissionRates"] = std::move(rates);
  r["canTrade"] = true;
  r["canWithdraw"] = true;
  r["canDeposit"] = true;
  r["brokered"] = false;
  r["requireSelfTradePrevention"] = false;
  r["preventSor"] = false;
  r["updateTime"] = now_ms();
  r["accountType"] = "SPOT";
  array bal;
  for (const auto& [asset, b] : engine.balances(account)) {
    if (omit_zero && b.free.is_zero() && b.locked.is_zero()) continue;
    object e;
    e["asset"] = asset;
    e["free"] = detail::fmt8(b.free);
    e["locked"] = detail::fmt8(b.locked);
    bal.push_back(std::move(e));
  }
  r["balances"] = std::move(bal);
  r["permissions"] = array{"SPOT"};
  std::uint64_t uid = 0;
  for (char ch : account) uid = uid * 31 + static_cast<unsigned char>(ch);
  r["uid"] = uid % 1'000'000'000;
  Reply out;
  out.result = std::move(r);
  return out;
}

Reply BinanceSim::Impl::op_exchange_info(const Params& p) {
  std::set<std::string> wanted;
  if (const auto* s = p.get("symbol"); s && !s->empty()) wanted.insert(*s);
  if (const auto* s = p.get("symbols"); s && !s->empty()) {
    // ["BTCUSDT","ETHUSDT"]
    boost::system::error_code ec;
    auto v = detail::json::parse(*s, ec);
    if (ec || !v.is_array()) {
      return Reply::error(400, -1100,
                          "Illegal characters found in parameter 'symbols'; legal range is "
                          "'^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
    }
    for (const auto& e : v.as_array()) {
      if (e.is_string()) wanted.insert(std::string(e.as_string()));
    }
  }
  for (const auto& w : wanted) {
    if (!by_venue_symbol.count(w)) return Reply::error(400, -1121, "Invalid symbol.");
  }
  object r;
  r["timezone"] = "UTC";
  r["serverTime"] = now_ms();
  r["rateLimits"] = rate_limits_json("", nullptr);
  for (auto& rl : r["rateLimits"].as_array()) rl.as_object().erase("count");
  r["exchangeFilters"] = array{};
  array syms;
  for (const auto& s : opt.symbols) {
    if (!wanted.empty() && !wanted.count(s.rules.venue_symbol)) continue;
    object o;
    o["symbol"] = s.rules.venue_symbol;
    o["status"] = "TRADING";
    o["baseAsset"] = std::string(s.rules.symbol.base());
    o["baseAssetPrecision"] = s.base_precision;
    o["quoteAsset"] = std::string(s.rules.symbol.quote());
    o["quotePrecision"] = s.quote_precision;
    o["quoteAssetPrecision"] = s.quote_precision;
    o["baseCommissionPrecision"] = 8;
    o["quoteCommissionPrecision"] = 8;
    o["orderTypes"] = array{"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"};
    o["icebergAllowed"] = false;
    o["ocoAllowed"] = false;
    o["otoAllowed"] = false;
    o["quoteOrderQtyMarketAllowed"] = true;
    o["allowTrailingStop"] = false;
    o["cancelReplaceAllowed"] = true;
    o["amendAllowed"] = false;
    o["pegInstructionsAllowed"] = false;
    o["isSpotTradingAllowed"] = true;
    o["isMarginTradingAllowed"] = false;
    array filters;
    object pf;
    pf["filterType"] = "PRICE_FILTER";
    pf["minPrice"] = detail::fmt8(s.rules.tick_size);
    pf["maxPrice"] = detail::fmt8(s.max_price);
    pf["tickSize"] = detail::fmt8(s.rules.tick_size);
    filters.push_back(std::move(pf));
    object ls;
    ls["filterType"] = "LOT_SIZE";
    ls["minQty"] = detail::fmt8(s.rules.min_qty);
    ls["maxQty"] = detail::fmt8(s.rules.max_qty);
    ls["stepSize"] = detail::fmt8(s.rules.lot_size);
    filters.push_back(std::move(ls));
    object nf;
    nf["filterType"] = "NOTIONAL";
    nf["minNotional"] = detail::fmt8(s.rules.min_notional);
    nf["applyMinToMarket"] = true;
    nf["maxNotional"] = "9000000.00000000";
    nf["applyMaxToMarket"] = false;
    nf["avgPriceMins"] = 5;
    filters.push_back(std::move(nf));
    o["filters"] = std::move(filters);
    o["permissions"] = array{};
    o["permissionSets"] = array{array{"SPOT"}};
    o["defaultSelfTradePreventionMode"] = "EXPIRE_MAKER";
    o["allowedSelfTradePreventionModes"] = array{"EXPIRE_MAKER"};
    syms.push_back(std::move(o));
  }
  r["symbols"] = std::move(syms);
  Reply out;
  out.result = std::move(r);
  return out;
}

// --- user-data events -------------------------------------------------------------------

void BinanceSim::Impl::on_execution(const paper::ExecutionReport& rep) {
  const auto& o = rep.order;
  const std::string& vs = venue_of(*this, o.symbol);
  object e;
  e["e"] = "executionReport";
  e["E"] = ms(rep.ts_ns);
  e["s"] = vs;
  bool cancel_like =
      rep.exec_type == paper::ExecType::kCanceled || rep.exec_type == paper::ExecType::kReplaced;
  if (cancel_like) {
    e["c"] = rep.cancel_client_order_id.empty() ? o.client_order_id : rep.cancel_client_order_id;
    e["C"] = o.client_order_id;
  } else {
    e["c"] = o.client_order_id;
    e["C"] = "";
  }
  e["S"] = o.side == Side::kBuy ? "BUY" : "SELL";
  e["o"] = detail::binance_type(o.type);
  e["f"] = paper::to_string(o.tif);
  e["q"] = detail::fmt8(o.quantity);
  e["p"] = detail::fmt8(o.price.value_or(Decimal()));
  e["P"] = detail::fmt8(o.stop_price.value_or(Decimal()));
  e["F"] = detail::fmt8(Decimal());
  e["g"] = -1;
  std::string_view x;
  switch (rep.exec_type) {
    case paper::ExecType::kNew:
      x = "NEW";
      break;
    case paper::ExecType::kTrade:
      x = "TRADE";
      break;
    case paper::ExecType::kCanceled:
    case paper::ExecType::kReplaced:  // Binance's cancelReplace reports the old order CANCELED
      x = "CANCELED";
      break;
    case paper::ExecType::kRejected:
      x = "REJECTED";
      break;
    case paper::ExecType::kExpired:
      x = rep.reason == "self_trade_prevention" ? "TRADE_PREVENTION" : "EXPIRED";
      break;
  }
  e["x"] = x;
  e["X"] = detail::binance_status(o.status);
  e["r"] = rep.reject == paper::Reject::kInsufficientBalance ? "INSUFFICIENT_BALANCES" : "NONE";
  e["i"] = o.order_id;
  if (rep.fill) {
    const auto& f = *rep.fill;
    e["l"] = detail::fmt8(f.quantity);
    e["L"] = detail::fmt8(f.price);
    e["n"] = detail::fmt8(f.commission);
    e["N"] = f.commission_asset;
    e["t"] = f.trade_id;
    e["m"] = f.maker;
    e["Y"] = detail::fmt8(f.quote_qty);
    log.fills.push_back(f);
  } else {
    e["l"] = detail::fmt8(Decimal());
    e["L"] = detail::fmt8(Decimal());
    e["n"] = "0";
    e["N"] = nullptr;
    e["t"] = -1;
    e["m"] = false;
    e["Y"] = detail::fmt8(Decimal());
  }
  e["z"] = detail::fmt8(o.executed_qty);
  e["T"] = ms(rep.ts_ns);
  e["I"] = next_execution_id++;
  e["w"] = o.working && paper::is_open(o.status);
  e["M"] = false;
  e["O"] = ms(o.created_ns);
  e["Z"] = detail::fmt8(o.cumulative_quote_qty);
  e["Q"] = detail::fmt8(o.quote_order_qty.value_or(Decimal()));
  e["W"] = o.working ? ms(o.created_ns) : -1;
  e["V"] = "EXPIRE_MAKER";
  if (rep.exec_type == paper::ExecType::kExpired && !rep.reason.empty()) e["eR"] = rep.reason;
  pending_events.emplace_back(o.account, std::move(e));
  if (rep.fill) {
    auto& m = markets[vs];
    if (rep.fill->trade_id > m.last_published_fill_trade) {
      m.last_published_fill_trade = rep.fill->trade_id;
      publish_trade(vs, rep.fill->price, rep.fill->quantity,
                    (rep.fill->side == Side::kBuy) == rep.fill->maker, rep.fill->trade_id,
                    ms(rep.ts_ns));
    }
  }
}

void BinanceSim::Impl::on_account_update(const paper::AccountUpdate& u) {
  object e;
  e["e"] = "outboundAccountPosition";
  e["E"] = ms(u.ts_ns);
  e["u"] = ms(u.ts_ns);
  array b;
  for (const auto& [asset, bal] : u.balances) {
    object x;
    x["a"] = asset;
    x["f"] = detail::fmt8(bal.free);
    x["l"] = detail::fmt8(bal.locked);
    b.push_back(std::move(x));
  }
  e["B"] = std::move(b);
  pending_events.emplace_back(u.account, std::move(e));
}

void BinanceSim::Impl::flush_events() {
  auto events = std::move(pending_events);
  pending_events.clear();
  for (const auto& [account, ev] : events) push_user_frame(account, ev);
}

void BinanceSim::Impl::push_user_frame(const std::string& account, const object& event) {
  bool any = false;
  for (auto& [id, c] : conns) {
    if (c->kind == detail::ConnKind::kLegacyUser) {
      if (c->listen_key_account != account) continue;
      c->peer->send(detail::json::serialize(event));
      any = true;
      continue;
    }
    if (c->kind != detail::ConnKind::kWsApi) continue;
    for (const auto& [sub, acct] : c->subscriptions) {
      if (acct != account) continue;
      any = true;
      object env;
      env["subscriptionId"] = sub;
      env["event"] = event;
      std::string frame = detail::json::serialize(env);
      auto key = std::make_pair(id, sub);
      if (faults.reorder_events > 0 && !held_frames.count(key)) {
        // Hold this one back; it goes out right after the next event.
        held_frames[key] = std::move(frame);
        continue;
      }
      c->peer->send(frame);
      if (faults.duplicate_events > 0) {
        --faults.duplicate_events;
        c->peer->send(frame);
      }
      if (auto h = held_frames.find(key); h != held_frames.end()) {
        c->peer->send(std::move(h->second));
        held_frames.erase(h);
        --faults.reorder_events;
      }
    }
  }
  if (any && faults.ws_drop_after_events > 0) {
    if (--faults.ws_drop_after_events == 0) drop_user_streams_locked();
  }
}

}  // namespace at::sim
