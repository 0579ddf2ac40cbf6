#include "adapters/binance/codec.h"

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/net/signing.h"

namespace at::binance {

namespace json = boost::json;

// --- signing ---------------------------------------------------------------------------------

std::string encode_query(const Params& params) {
  std::string out;
  out.reserve(params.size() * 24);
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += net::url_encode(k);
    out += '=';
    out += net::url_encode(v);
  }
  return out;
}

std::string sign_rest(const net::HmacSha256& key, std::string_view query, std::string_view body) {
  if (body.empty()) return key.hex(query);
  std::string payload;
  payload.reserve(query.size() + body.size());
  payload.append(query).append(body);
  return key.hex(payload);
}

std::string sign_rest(std::string_view secret, std::string_view query, std::string_view body) {
  return sign_rest(net::HmacSha256(secret), query, body);
}

std::string ws_signature_payload(Params params) {
  std::sort(params.begin(), params.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : params) {
    if (k == "signature") continue;
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string sign_ws(const net::HmacSha256& key, const Params& params) {
  return key.hex(ws_signature_payload(params));
}

std::string sign_ws(std::string_view secret, const Params& params) {
  return sign_ws(net::HmacSha256(secret), params);
}

// --- symbols ---------------------------------------------------------------------------------

void SymbolMap::add(const std::string& venue_symbol, const Symbol& canonical) {
  to_canonical_[venue_symbol] = canonical;
  to_venue_[canonical] = venue_symbol;
}

std::string SymbolMap::to_venue(const Symbol& s) const {
  if (auto it = to_venue_.find(s); it != to_venue_.end()) return it->second;
  std::string v;
  for (char c : s.str())
    if (c != '-') v += c;
  return v;
}

std::optional<Symbol> SymbolMap::to_canonical(std::string_view venue_symbol) const {
  if (auto it = to_canonical_.find(venue_symbol); it != to_canonical_.end()) return it->second;
  return std::nullopt;
}

// --- JSON helpers ----------------------------------------------------------------------------

namespace {

// Reads fields of one object, remembering the first problem. Accessors return a default after
// an error so that decoding code reads straight through and checks `ok()` once.
class Fields {
 public:
  explicit Fields(const json::object& o, std::string_view what) : o_(o), what_(what) {}
  bool ok() const { return err_.empty(); }
  const std::string& error() const { return err_; }
  void fail(std::string msg) {
    if (err_.empty()) err_ = std::string(what_) + ": " + std::move(msg);
  }
  const json::value* find(std::string_view k) const { return o_.if_contains(k); }

  std::string str(std::string_view k) {
    const json::value* v = need(k);
    if (!v) return {};
    if (!v->is_string()) {
      fail("field '" + std::string(k) + "' is not a string");
      return {};
    }
    return std::string(v->get_string());
  }
  // Absent or null -> "".
  std::string opt_str(std::string_view k) {
    const json::value* v = find(k);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) {
      fail("field '" + std::string(k) + "' is not a string");
      return {};
    }
    return std::string(v->get_string());
  }
  std::int64_t integer(std::string_view k) {
    const json::value* v = need(k);
    if (!v) return 0;
    return as_int(*v, k);
  }
  std::int64_t opt_integer(std::string_view k, std::int64_t def) {
    const json::value* v = find(k);
    if (!v || v->is_null()) return def;
    return as_int(*v, k);
  }
  Decimal dec(std::string_view k) {
    const json::value* v = need(k);
    if (!v) return {};
    return as_dec(*v, k);
  }
  Decimal opt_dec(std::string_view k) {
    const json::value* v = find(k);
    if (!v || v->is_null()) return {};
    return as_dec(*v, k);
  }
  bool boolean(std::string_view k) {
    const json::value* v = need(k);
    if (!v) return false;
    if (!v->is_bool()) {
      fail("field '" + std::string(k) + "' is not a boolean");
      return false;
    }
    return v->get_bool();
  }
  bool opt_bool(std::string_view k, bool def) {
    const json::value* v = find(k);
    if (!v || v->is_null()) return def;
    if (!v->is_bool()) {
      fail("field '" + std::string(k) + "' is not a boolean");
      return def;
    }
    return v->get_bool();
  }

 private:
  const json::value* need(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (!v) fail("missing field '" + std::string(k) + "'");
    return v;
  }
  std::int64_t as_int(const json::value& v, std::string_view k) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v.get_uint64());
    fail("field '" + std::string(k) + "' is not an integer");
    return 0;
  }
  Decimal as_dec(const json::value& v, std::string_view k) {
    if (v.is_string()) {
      auto d = Decimal::parse(v.get_string());
      if (d) return *d;
      fail("field '" + std::string(k) + "' is not a decimal: " + d.error().message);
      return {};
    }
    if (v.is_int64()) return Decimal::from_int(v.get_int64());
    fail("field '" + std::string(k) + "' is not a decimal string");
    return {};
  }

  const json::object& o_;
  std::string_view what_;
  std::string err_;
};

Error bad(std::string msg) { return make_error(ErrorKind::kInvalidArgument, std::move(msg)); }

Result<json::value> parse_json(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return bad(std::string(what) + ": malformed JSON: " + ec.message());
  return v;
}

Result<const json::object*> as_object(const json::value& v, std::string_view what) {
  if (!v.is_object()) return bad(std::string(what) + ": expected a JSON object");
  return &v.get_object();
}

Result<OrderRow> order_row_from(const json::object& o) {
  Fields f(o, "order");
  OrderRow r;
  r.symbol = f.str("symbol");
  r.order_id = f.integer("orderId");
  r.client_order_id = f.str("clientOrderId");
  r.orig_client_order_id = f.opt_str("origClientOrderId");
  r.status = f.str("status");
  r.orig_qty = f.opt_dec("origQty");
  r.executed_qty = f.opt_dec("executedQty");
  r.update_time_ms = f.opt_integer("updateTime", f.opt_integer("transactTime", 0));
  if (!f.ok()) return bad(f.error());
  return r;
}

}  // namespace

// --- exchangeInfo ----------------------------------------------------------------------------

std::int64_t RateLimitRule::window_ms() const {
  std::int64_t unit = interval == "SECOND"   ? 1000
                      : interval == "MINUTE" ? 60'000
                      : interval == "HOUR"   ? 3'600'000
                      : interval == "DAY"    ? 86'400'000
                                             : 0;
  return unit * interval_num;
}

Result<ExchangeInfo> parse_exchange_info(std::string_view text, std::vector<std::string>* skipped) {
  auto v = parse_json(text, "exchangeInfo");
  if (!v) return v.error();
  auto o = as_object(*v, "exchangeInfo");
  if (!o) return o.error();
  ExchangeInfo info;
  Fields top(**o, "exchangeInfo");
  info.server_time_ms = top.opt_integer("serverTime", 0);
  const json::value* syms = top.find("symbols");
  if (!syms || !syms->is_array()) return bad("exchangeInfo: missing array 'symbols'");
  if (const json::value* rl = top.find("rateLimits"); rl && rl->is_array()) {
    for (const auto& e : rl->get_array()) {
      if (!e.is_object()) continue;
      Fields f(e.get_object(), "rateLimit");
      RateLimitRule r;
      r.type = f.str("rateLimitType");
      r.interval = f.str("interval");
      r.interval_num = static_cast<int>(f.integer("intervalNum"));
      r.limit = f.integer("limit");
      if (f.ok()) info.rate_limits.push_back(std::move(r));
    }
  }
  for (const auto& e : syms->get_array()) {
    if (!e.is_object()) continue;
    Fields f(e.get_object(), "symbol");
    SymbolInfo si;
    si.rules.venue_symbol = f.str("symbol");
    std::string base = f.str("baseAsset");
    std::string quote = f.str("quoteAsset");
    si.status = f.opt_str("status");
    si.cancel_replace_allowed = f.opt_bool("cancelReplaceAllowed", false);
    if (f.ok()) {
      auto sym = Symbol::parse(base + "-" + quote);
      if (!sym)
        f.fail(sym.error().message);
      else
        si.rules.symbol = *sym;
    }
    if (const json::value* filters = f.find("filters"); f.ok() && filters && filters->is_array()) {
      for (const auto& fv : filters->get_array()) {
        if (!fv.is_object()) continue;
        Fields ff(fv.get_object(), "filter");
        std::string type = ff.opt_str("filterType");
        if (type == "PRICE_FILTER") {
          si.rules.tick_size = ff.opt_dec("tickSize");
        } else if (type == "LOT_SIZE") {
          si.rules.lot_size = ff.opt_dec("stepSize");
          si.rules.min_qty = ff.opt_dec("minQty");
          si.rules.max_qty = ff.opt_dec("maxQty");
        } else if (type == "NOTIONAL" || type == "MIN_NOTIONAL") {
          // NOTIONAL supersedes MIN_NOTIONAL; take the larger when a venue lists both.
          Decimal mn = ff.opt_dec("minNotional");
          if (mn > si.rules.min_notional) si.rules.min_notional = mn;
        }
        if (!ff.ok()) f.fail(ff.error());
      }
    }
    if (!f.ok()) {
      if (skipped) skipped->push_back(f.error());
      continue;
    }
    info.symbols.push_back(std::move(si));
  }
  return info;
}

// --- orders ----------------------------------------------------------------------------------

Result<Params> order_params(const OrderRequested& o, std::string_view venue_symbol) {
  Params p;
  p.reserve(10);
  p.emplace_back("symbol", std::string(venue_symbol));
  p.emplace_back("side", o.side == Side::kBuy ? "BUY" : "SELL");
  auto tif_text = [&](TimeInForce t) -> std::optional<std::string> {
    switch (t) {
      case TimeInForce::kGtc:
        return "GTC";
      case TimeInForce::kIoc:
        return "IOC";
      case TimeInForce::kFok:
        return "FOK";
      case TimeInForce::kDay:
        return std::nullopt;
    }
    return std::nullopt;
  };
  auto need_price = [&]() -> Status {
    if (!o.limit_price) return bad("order " + o.client_order_id.str() + ": limit price required");
    return {};
  };
  std::optional<std::string> tif;
  switch (o.type) {
    case OrderType::kMarket:
      p.emplace_back("type", "MARKET");
      break;
    case OrderType::kLimit:
      if (auto st = need_price(); !st) return st.error();
      p.emplace_back("type", "LIMIT");
      tif = tif_text(o.tif);
      if (!tif) return bad("binance spot has no DAY time in force; use GTC");
      p.emplace_back("timeInForce", *tif);
      break;
    case OrderType::kIoc:
    case OrderType::kFok:
      if (!o.limit_price) {
        if (o.type == OrderType::kFok)
          return bad("order " + o.client_order_id.str() + ": FOK needs a limit price");
        p.emplace_back("type", "MARKET");  // a market order is immediate-or-cancel already
      } else {
        p.emplace_back("type", "LIMIT");
        p.emplace_back("timeInForce", o.type == OrderType::kIoc ? "IOC" : "FOK");
      }
      break;
    case OrderType::kStop:
      if (!o.stop_price) return bad("order " + o.client_order_id.str() + ": stop price required");
      p.emplace_back("type", "STOP_LOSS");
      break;
    case OrderType::kStopLimit:
      if (!o.stop_price) return bad("order " + o.client_order_id.str() + ": stop price required");
      if (auto st = need_price(); !st) return st.error();
      p.emplace_back("type", "STOP_LOSS_LIMIT");
      tif = tif_text(o.tif);
      if (!tif) return bad("binance spot has no DAY time in force; use GTC");
      p.emplace_back("timeInForce", *tif);
      break;
  }
  if (!o.quantity.is_positive())
    return bad("order " + o.client_order_id.str() + ": quantity must be positive");
  p.emplace_back("quantity", o.quantity.to_string());
  bool limit_like = o.type == OrderType::kLimit || o.type == OrderType::kStopLimit ||
                    ((o.type == OrderType::kIoc || o.type == OrderType::kFok) && o.limit_price);
  if (limit_like) p.emplace_back("price", o.limit_price->to_string());
  if (o.type == OrderType::kStop || o.type == OrderType::kStopLimit)
    p.emplace_back("stopPrice", o.stop_price->to_string());
  p.emplace_back("newClientOrderId", o.client_order_id.str());
  p.emplace_back("newOrderRespType", "ACK");
  return p;
}

std::optional<OrderStatus> map_order_status(std::string_view s) {
  if (s == "NEW" || s == "PENDING_NEW") return OrderStatus::kSubmitted;
  if (s == "PARTIALLY_FILLED") return OrderStatus::kPartialFill;
  if (s == "FILLED") return OrderStatus::kFilled;
  if (s == "CANCELED" || s == "PENDING_CANCEL") return OrderStatus::kCancelled;
  if (s == "REJECTED") return OrderStatus::kRejected;
  if (s == "EXPIRED" || s == "EXPIRED_IN_MATCH") return OrderStatus::kExpired;
  return std::nullopt;
}

// --- REST rows -------------------------------------------------------------------------------

Result<OrderRow> parse_order_row(std::string_view text) {
  auto v = parse_json(text, "order");
  if (!v) return v.error();
  auto o = as_object(*v, "order");
  if (!o) return o.error();
  return order_row_from(**o);
}

Result<std::vector<OrderRow>> parse_order_rows(std::string_view text) {
  auto v = parse_json(text, "orders");
  if (!v) return v.error();
  if (!v->is_array()) return bad("orders: expected a JSON array");
  std::vector<OrderRow> rows;
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) return bad("orders: element is not an object");
    auto r = order_row_from(e.get_object());
    if (!r) return r.error();
    rows.push_back(std::move(*r));
  }
  return rows;
}

Result<std::vector<TradeRow>> parse_trade_rows(std::string_view text) {
  auto v = parse_json(text, "myTrades");
  if (!v) return v.error();
  if (!v->is_array()) return bad("myTrades: expected a JSON array");
  std::vector<TradeRow> rows;
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) return bad("myTrades: element is not an object");
    Fields f(e.get_object(), "trade");
    TradeRow t;
    t.symbol = f.str("symbol");
    t.id = f.integer("id");
    t.order_id = f.integer("orderId");
    t.price = f.dec("price");
    t.qty = f.dec("qty");
    t.commission = f.opt_dec("commission");
    t.commission_asset = f.opt_str("commissionAsset");
    t.time_ms = f.opt_integer("time", 0);
    t.is_buyer = f.boolean("isBuyer");
    t.is_maker = f.boolean("isMaker");
    if (!f.ok()) return bad(f.error());
    rows.push_back(std::move(t));
  }
  return rows;
}

Result<std::int64_t> parse_order_ack(std::string_view text) {
  auto v = parse_json(text, "order ack");
  if (!v) return v.error();
  auto o = as_object(*v, "order ack");
  if (!o) return o.error();
  Fields f(**o, "order ack");
  std::int64_t id = f.integer("orderId");
  if (!f.ok()) return bad(f.error());
  return id;
}

Result<std::int64_t> parse_server_time(std::string_view text) {
  auto v = parse_json(text, "time");
  if (!v) return v.error();
  auto o = as_object(*v, "time");
  if (!o) return o.error();
  Fields f(**o, "time");
  std::int64_t t = f.integer("serverTime");
  if (!f.ok()) return bad(f.error());
  return t;
}

Result<std::vector<Balance>> parse_account_balances(std::string_view text) {
  auto v = parse_json(text, "account");
  if (!v) return v.error();
  auto o = as_object(*v, "account");
  if (!o) return o.error();
  const json::value* b = (*o)->if_contains("balances");
  if (!b || !b->is_array()) return bad("account: missing array 'balances'");
  std::vector<Balance> out;
  for (const auto& e : b->get_array()) {
    if (!e.is_object()) return bad("account: balance is not an object");
    Fields f(e.get_object(), "balance");
    Balance bal{f.str("asset"), f.dec("free"), f.dec("locked")};
    if (!f.ok()) return bad(f.error());
    out.push_back(std::move(bal));
  }
  return out;
}

ApiError parse_api_error(std::string_view text) {
  ApiError e;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    e.msg = "non-JSON error body (" + std::to_string(text.size()) + " bytes)";
    return e;
  }
  const auto& o = v.get_object();
  if (auto* c = o.if_contains("code"); c && c->is_int64())
    e.code = static_cast<int>(c->get_int64());
  if (auto* m = o.if_contains("msg"); m && m->is_string()) e.msg = std::string(m->get_string());
  if (auto* d = o.if_contains("data"); d && d->is_object()) {
    const auto& data = d->get_object();
    auto leg = [&](std::string_view key, std::optional<int>& code, std::string& msg) {
      auto* r = data.if_contains(key);
      if (!r || !r->is_object()) return;
      const auto& ro = r->get_object();
      if (auto* c = ro.if_contains("code"); c && c->is_int64()) {
        code = static_cast<int>(c->get_int64());
        if (auto* m = ro.if_contains("msg"); m && m->is_string())
          msg = std::string(m->get_string());
      }
    };
    leg("cancelResponse", e.cancel_code, e.cancel_msg);
    leg("newOrderResponse", e.new_order_code, e.new_order_msg);
  }
  return e;
}

Result<CancelReplaceResult> parse_cancel_replace(std::string_view text) {
  auto v = parse_json(text, "cancelReplace");
  if (!v) return v.error();
  auto o = as_object(*v, "cancelReplace");
  if (!o) return o.error();
  Fields f(**o, "cancelReplace");
  CancelReplaceResult r;
  r.cancel_result = f.str("cancelResult");
  r.new_order_result = f.str("newOrderResult");
  if (const json::value* n = f.find("newOrderResponse"); n && n->is_object()) {
    Fields nf(n->get_object(), "newOrderResponse");
    r.new_order_id = nf.opt_integer("orderId", 0);
    if (!nf.ok()) f.fail(nf.error());
  }
  if (!f.ok()) return bad(f.error());
  return r;
}

// --- error classification --------------------------------------------------------------------

Classified classify_error(int http_status, std::string_view body, std::int64_t retry_after_s,
                          Operation op) {
  using E = Classified::Effect;
  ApiError api = parse_api_error(body);
  auto make = [&](ErrorKind k, E effect) {
    Classified c;
    c.error =
        make_error(k, "binance http " + std::to_string(http_status) +
                          (api.code ? " code " + std::to_string(api.code) : "") + ": " + api.msg);
    c.error.venue_code = api.code;
    c.effect = effect;
    return c;
  };
  if (http_status == 429 || http_status == 418) {
    Classified c = make(ErrorKind::kRateLimited, E::kNone);
    c.error.retry_after_ms = (retry_after_s > 0 ? retry_after_s : 1) * 1000;
    return c;
  }
  // 5xx and -1007: the request may have been executed. Query by client order id, never resend.
  if (http_status >= 500 || api.code == -1007 || api.code == -1006)
    return make(ErrorKind::kUnknownOutcome, E::kNone);
  if (api.code == -1021) return make(ErrorKind::kTransient, E::kResyncTime);
  if (api.code == -1003 || api.code == -1015) {
    Classified c = make(ErrorKind::kRateLimited, E::kNone);
    c.error.retry_after_ms = (retry_after_s > 0 ? retry_after_s : 1) * 1000;
    return c;
  }
  if (api.code == -1008) return make(ErrorKind::kTransient, E::kNone);  // server overloaded
  if (api.code == -1001) {
    // "Internal error; unable to process your request": not a refusal we can trust.
    return make(op == Operation::kQuery || op == Operation::kOther ? ErrorKind::kTransient
                                                                   : ErrorKind::kUnknownOutcome,
                E::kNone);
  }
  switch (op) {
    case Operation::kSubmit:
      if (api.code == -2010 && api.msg.find("Duplicate") != std::string::npos)
        return make(ErrorKind::kUnknownOutcome, E::kNone);  // an order with this id exists
      return make(ErrorKind::kPermanent, E::kOrderRejected);
    case Operation::kCancel:
      return make(ErrorKind::kPermanent, E::kCancelRejected);
    case Operation::kReplace:
      if (api.code == -2021) return make(ErrorKind::kPermanent, E::kReplaceCancelledOnly);
      return make(ErrorKind::kPermanent, E::kReplaceRejected);
    case Operation::kQuery:
      if (api.code == -2013 || api.code == -2026) return make(ErrorKind::kNotFound, E::kNotFound);
      return make(ErrorKind::kPermanent, E::kNone);
    case Operation::kOther:
      return make(ErrorKind::kPermanent, E::kNone);
  }
  return make(ErrorKind::kPermanent, E::kNone);
}

// --- user-data stream ------------------------------------------------------------------------

struct UserStreamParser::Impl {
  alignas(16) unsigned char buffer[16 * 1024];
};

UserStreamParser::UserStreamParser() : impl_(std::make_unique<Impl>()) {}
UserStreamParser::~UserStreamParser() = default;

namespace {

Result<UserMessage> decode_event(const json::object& ev) {
  const json::value* type = ev.if_contains("e");
  if (!type || !type->is_string()) return bad("user event: missing string field 'e'");
  std::string_view t = type->get_string();
  if (t == "executionReport") {
    Fields f(ev, "executionReport");
    ExecutionReport r;
    r.event_time_ms = f.integer("E");
    r.symbol = f.str("s");
    r.client_order_id = f.str("c");
    r.orig_client_order_id = f.opt_str("C");
    r.side = f.str("S");
    r.order_type = f.opt_str("o");
    r.exec_type = f.str("x");
    r.order_status = f.str("X");
    r.reject_reason = f.opt_str("r");
    r.order_id = f.integer("i");
    r.order_qty = f.opt_dec("q");
    r.last_qty = f.dec("l");
    r.cum_qty = f.dec("z");
    r.last_price = f.dec("L");
    r.commission = f.opt_dec("n");
    r.commission_asset = f.opt_str("N");
    r.transact_time_ms = f.opt_integer("T", r.event_time_ms);
    r.trade_id = f.opt_integer("t", -1);
    r.maker = f.opt_bool("m", false);
    if (f.ok() && r.side != "BUY" && r.side != "SELL") f.fail("field 'S' is not BUY or SELL");
    if (f.ok() && r.exec_type == "TRADE" && r.trade_id < 0) f.fail("TRADE without trade id 't'");
    if (!f.ok()) return bad(f.error());
    return UserMessage(std::move(r));
  }
  if (t == "outboundAccountPosition") {
    Fields f(ev, "outboundAccountPosition");
    AccountPosition p;
    p.event_time_ms = f.integer("E");
    const json::value* b = f.find("B");
    if (!b || !b->is_array()) f.fail("missing array 'B'");
    if (f.ok()) {
      for (const auto& e : b->get_array()) {
        if (!e.is_object()) {
          f.fail("balance is not an object");
          break;
        }
        Fields bf(e.get_object(), "outboundAccountPosition.B");
        Balance bal{bf.str("a"), bf.dec("f"), bf.dec("l")};
        if (!bf.ok()) {
          f.fail(bf.error());
          break;
        }
        p.balances.push_back(std::move(bal));
      }
    }
    if (!f.ok()) return bad(f.error());
    return UserMessage(std::move(p));
  }
  if (t == "balanceUpdate") {
    Fields f(ev, "balanceUpdate");
    BalanceDelta d;
    d.event_time_ms = f.integer("E");
    d.asset = f.str("a");
    d.delta = f.dec("d");
    if (!f.ok()) return bad(f.error());
    return UserMessage(std::move(d));
  }
  if (t == "serverShutdown" || t == "eventStreamTerminated" || t == "listenKeyExpired")
    return UserMessage(StreamEnded{std::string(t)});
  return UserMessage(IgnoredEvent{std::string(t)});
}

}  // namespace

Result<UserMessage> UserStreamParser::parse(std::string_view frame) {
  json::monotonic_resource mr(impl_->buffer, sizeof impl_->buffer);
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec, &mr);
  if (ec) return bad("user stream: malformed JSON: " + ec.message());
  if (!v.is_object()) return bad("user stream: frame is not a JSON object");
  const json::object& o = v.get_object();
  if (const json::value* ev = o.if_contains("event")) {
    if (!ev->is_object()) return bad("user stream: 'event' is not an object");
    return decode_event(ev->get_object());
  }
  if (o.contains("e")) return decode_event(o);  // legacy listenKey stream: unwrapped
  if (const json::value* st = o.if_contains("status")) {
    WsApiResponse r;
    if (!st->is_int64()) return bad("ws api response: 'status' is not an integer");
    r.status = static_cast<int>(st->get_int64());
    if (const json::value* id = o.if_contains("id")) {
      if (id->is_string())
        r.id = std::string(id->get_string());
      else if (id->is_int64())
        r.id = std::to_string(id->get_int64());
    }
    if (const json::value* err = o.if_contains("error"); err && err->is_object()) {
      const auto& eo = err->get_object();
      if (auto* c = eo.if_contains("code"); c && c->is_int64())
        r.error_code = static_cast<int>(c->get_int64());
      if (auto* m = eo.if_contains("msg"); m && m->is_string())
        r.error_msg = std::string(m->get_string());
    }
    if (const json::value* res = o.if_contains("result"); res && res->is_object()) {
      if (auto* s = res->get_object().if_contains("subscriptionId"); s && s->is_int64())
        r.subscription_id = s->get_int64();
    }
    return UserMessage(std::move(r));
  }
  return bad("user stream: frame is neither an event nor a response");
}

OrderFilled fill_from_report(const ExecutionReport& r, const Symbol& symbol, std::string venue,
                             std::string account, Side side) {
  OrderFilled f;
  f.client_order_id = ClientOrderId(r.client_order_id);
  f.venue_order_id = VenueOrderId(std::to_string(r.order_id));
  f.trade_id = TradeId(std::to_string(r.trade_id));
  f.venue = std::move(venue);
  f.account = std::move(account);
  f.symbol = symbol;
  f.side = side;
  f.quantity = r.last_qty;
  f.price = r.last_price;
  f.commission = r.commission;
  f.commission_asset = r.commission_asset;
  f.liquidity = r.maker ? Liquidity::kMaker : Liquidity::kTaker;
  f.ts_ns = r.transact_time_ms * 1'000'000;
  return f;
}

}  // namespace at::binance
