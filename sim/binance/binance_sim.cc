// BinanceSim: lifecycle, REST routing, API-key/signature/timestamp checks, rate limits,
// faults on REST answers, the /sim/* control endpoints and the market feed.
#include "sim/binance/binance_sim.h"

#include <fstream>

#include "adapters/net/signing.h"
#include "market_data/generated.h"
#include "market_data/readers.h"
#include "sim/binance/detail/sim_state.h"

namespace at::sim {

using detail::Params;
using detail::Reply;
using detail::json::array;
using detail::json::object;
using detail::json::value;

SimApiKey binance_example_key() {
  return {"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
          "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", "main"};
}

std::vector<SimSymbol> default_symbols() {
  std::vector<SimSymbol> v(2);
  v[0].rules = {
      Symbol::of("BTC-USDT"), "BTCUSDT",           Decimal::of("0.01"), Decimal::of("0.00001"),
      Decimal::of("0.00001"), Decimal::of("9000"), Decimal::of("5")};
  v[0].max_price = Decimal::of("1000000");
  v[1].rules = {Symbol::of("ETH-BTC"),     "ETHBTC",
                Decimal::of("0.00000001"), Decimal::of("0.00000001"),
                Decimal::of("0.00000001"), Decimal::of("100000"),
                Decimal::of("0.0001")};
  v[1].max_price = Decimal::of("1000");
  return v;
}

namespace {

paper::EngineConfig engine_config(const BinanceSimOptions& o) {
  paper::EngineConfig c;
  c.commission_bps = o.commission_bps;
  c.slippage_bps = o.slippage_bps;
  c.seed = o.seed;
  return c;
}

// Endpoint table: weight and security type (NONE, USER_STREAM: key only, SIGNED).
enum class Sec { kNone, kKey, kSigned };
struct Endpoint {
  const char* method;
  const char* path;
  int weight;
  Sec sec;
  bool order_count;  // counts towards ORDERS and returns X-MBX-ORDER-COUNT-*
};
constexpr Endpoint kEndpoints[] = {
    {"GET", "/api/v3/ping", 1, Sec::kNone, false},
    {"GET", "/api/v3/time", 1, Sec::kNone, false},
    {"GET", "/api/v3/exchangeInfo", 20, Sec::kNone, false},
    {"POST", "/api/v3/order", 1, Sec::kSigned, true},
    {"POST", "/api/v3/order/test", 1, Sec::kSigned, false},
    {"DELETE", "/api/v3/order", 1, Sec::kSigned, false},
    {"GET", "/api/v3/order", 4, Sec::kSigned, false},
    {"POST", "/api/v3/order/cancelReplace", 1, Sec::kSigned, true},
    {"GET", "/api/v3/openOrders", 6, Sec::kSigned, false},
    {"DELETE", "/api/v3/openOrders", 1, Sec::kSigned, false},
    {"GET", "/api/v3/allOrders", 20, Sec::kSigned, false},
    {"GET", "/api/v3/myTrades", 20, Sec::kSigned, false},
    {"GET", "/api/v3/account", 20, Sec::kSigned, false},
    {"POST", "/api/v3/userDataStream", 2, Sec::kKey, false},
    {"PUT", "/api/v3/userDataStream", 2, Sec::kKey, false},
    {"DELETE", "/api/v3/userDataStream", 2, Sec::kKey, false},
};

std::string strip_signature(std::string_view raw) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    auto amp = raw.find('&', pos);
    std::string_view item = raw.substr(pos, amp == std::string_view::npos ? raw.npos : amp - pos);
    if (item.substr(0, 10) != "signature=") {
      if (!out.empty()) out += '&';
      out += item;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool key_format_ok(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  for (char c : k) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

net::HttpResponse json_response(int status, const value& body) {
  net::HttpResponse r;
  r.status = status;
  r.body = detail::json::serialize(body);
  return r;
}

net::HttpResponse error_response(const Reply& e) {
  object o;
  o["code"] = e.code;
  o["msg"] = e.msg;
  if (e.data) o["data"] = *e.data;
  auto r = json_response(e.http, o);
  r.headers = e.headers;
  return r;
}

bool is_loopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1" || ip.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

BinanceSim::Impl::Impl(BinanceSimOptions o, const Clock& c)
    : opt(std::move(o)), clock(c), engine(engine_config(opt)), rng(opt.seed), faults(opt.faults) {
  engine.set_listener(this);
  for (const auto& s : opt.symbols) {
    engine.add_instrument(s.rules);
    by_venue_symbol[s.rules.venue_symbol] = &s;
    markets[s.rules.venue_symbol];
  }
  for (const auto& k : opt.keys) by_key[k.key] = &k;
  std::int64_t ts = clock.now_ns();
  for (const auto& [account, assets] : opt.balances) {
    for (const auto& [asset, amount] : assets) engine.deposit(account, asset, amount, ts);
  }
  pending_events.clear();
}

BinanceSim::Impl::~Impl() = default;

// --- rate limits ------------------------------------------------------------------------

std::optional<Reply> BinanceSim::Impl::charge(const std::string& ip, int weight) {
  auto& L = ip_limits[ip];
  std::int64_t now = now_ms();
  if (L.banned_until_ms > now) {
    std::int64_t secs = (L.banned_until_ms - now + 999) / 1000;
    Reply r = Reply::error(418, -1003,
                           "Way too much request weight used; IP banned until " +
                               std::to_string(L.banned_until_ms) +
                               ". Please use WebSocket Streams for live updates to avoid bans.");
    r.headers.emplace_back("Retry-After", std::to_string(secs));
    return r;
  }
  std::int64_t minute = now / 60'000;
  int used = L.weight_1m.add(minute, weight);
  L.raw_5m.add(now / 300'000, 1);
  bool over = used > opt.limits.weight_per_minute ||
              L.raw_5m.peek(now / 300'000) > opt.limits.raw_requests_per_5m;
  if (!over) return std::nullopt;
  if (L.strikes_bucket != minute) {
    L.strikes_bucket = minute;
    L.strikes = 0;
  }
  if (++L.strikes > opt.limits.strikes_before_ban) {
    L.banned_until_ms = now + std::int64_t{opt.limits.ban_seconds} * 1000;
    L.strikes = 0;
    Reply r = Reply::error(418, -1003,
                           "Way too much request weight used; IP banned until " +
                               std::to_string(L.banned_until_ms) +
                               ". Please use WebSocket Streams for live updates to avoid bans.");
    r.headers.emplace_back("Retry-After", std::to_string(opt.limits.ban_seconds));
    return r;
  }
  std::int64_t secs = ((minute + 1) * 60'000 - now + 999) / 1000;
  Reply r = Reply::error(429, -1003,
                         "Too much request weight used; current limit is " +
                             std::to_string(opt.limits.weight_per_minute) +
                             " request weight per 1 MINUTE. Please use WebSocket Streams for "
                             "live updates to avoid polling the API.");
  r.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(secs, 1)));
  return r;
}

std::optional<Reply> BinanceSim::Impl::charge_order(const std::string& account) {
  auto& L = account_limits[account];
  std::int64_t now = now_ms();
  int n10 = L.orders_10s.add(now / 10'000, 1);
  int nd = L.orders_1d.add(now / 86'400'000, 1);
  if (n10 > opt.limits.orders_per_10s) {
    Reply r =
        Reply::error(429, -1015,
                     "Too many new orders; current limit is " +
                         std::to_string(opt.limits.orders_per_10s) + " orders per 10 SECOND.");
    r.headers.emplace_back("Retry-After",
                           std::to_string(((now / 10'000 + 1) * 10'000 - now + 999) / 1000));
    return r;
  }
  if (nd > opt.limits.orders_per_day) {
    Reply r = Reply::error(429, -1015,
                           "Too many new orders; current limit is " +
                               std::to_string(opt.limits.orders_per_day) + " orders per 1 DAY.");
    r.headers.emplace_back("Retry-After",
                           std::to_string(((now / 86'400'000 + 1) * 86'400'000 - now) / 1000));
    return r;
  }
  return std::nullopt;
}

void BinanceSim::Impl::usage_headers(const std::string& ip, const std::string* account,
                                     std::vector<std::pair<std::string, std::string>>& out) const {
  std::int64_t now = now_ms();
  auto it = ip_limits.find(ip);
  int used = it == ip_limits.end() ? 0 : it->second.weight_1m.peek(now / 60'000);
  out.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(used));
  if (account) {
    auto a = account_limits.find(*account);
    int n10 = a == account_limits.end() ? 0 : a->second.orders_10s.peek(now / 10'000);
    int nd = a == account_limits.end() ? 0 : a->second.orders_1d.peek(now / 86'400'000);
    out.emplace_back("X-MBX-ORDER-COUNT-10S", std::to_string(n10));
    out.emplace_back("X-MBX-ORDER-COUNT-1D", std::to_string(nd));
  }
}

array BinanceSim::Impl::rate_limits_json(const std::string& ip, const std::string* account) const {
  std::int64_t now = now_ms();
  auto it = ip_limits.find(ip);
  auto entry = [](const char* type, const char* interval, int num, int limit, int count) {
    object o;
    o["rateLimitType"] = type;
    o["interval"] = interval;
    o["intervalNum"] = num;
    o["limit"] = limit;
    o["count"] = count;
    return o;
  };
  array a;
  a.push_back(entry("REQUEST_WEIGHT", "MINUTE", 1, opt.limits.weight_per_minute,
                    it == ip_limits.end() ? 0 : it->second.weight_1m.peek(now / 60'000)));
  if (account || ip.empty()) {
    auto ac = account ? account_limits.find(*account) : account_limits.end();
    bool have = account && ac != account_limits.end();
    a.push_back(entry("ORDERS", "SECOND", 10, opt.limits.orders_per_10s,
                      have ? ac->second.orders_10s.peek(now / 10'000) : 0));
    a.push_back(entry("ORDERS", "DAY", 1, opt.limits.orders_per_day,
                      have ? ac->second.orders_1d.peek(now / 86'400'000) : 0));
  }
  if (ip.empty()) {
    a.push_back(entry("RAW_REQUESTS", "MINUTE", 5, opt.limits.raw_requests_per_5m, 0));
  }
  return a;
}

std::optional<Reply> BinanceSim::Impl::check_timestamp(const Params& p) const {
  const std::string* ts = p.get("timestamp");
  if (!ts || ts->empty()) {
    return Reply::error(400, -1102,
                        "Mandatory parameter 'timestamp' was not sent, was empty/null, or "
                        "malformed.");
  }
  std::int64_t t = 0;
  for (char c : *ts) {
    if (c < '0' || c > '9' || ts->size() > 17) {
      return Reply::error(400, -1100,
                          "Illegal characters found in parameter 'timestamp'; legal range is "
                          "'^[0-9]{1,17}$'.");
    }
    t = t * 10 + (c - '0');
  }
  // Milliseconds (13 digits today) or microseconds (16 digits).
  std::int64_t ts_us = t >= 10'000'000'000'000LL ? t : t * 1000;
  std::int64_t window_us = 5'000'000;
  if (const std::string* rw = p.get("recvWindow"); rw && !rw->empty()) {
    auto d = Decimal::parse(*rw);
    if (!d || d->is_negative() || d->normalized().scale() > 3) {
      return Reply::error(400, -1100,
                          "Illegal characters found in parameter 'recvWindow'; legal range is "
                          "'^[0-9]{1,5}(\\.[0-9]{1,3})?$'.");
    }
    if (*d > Decimal::from_int(60000)) {
      return Reply::error(400, -1131, "recvWindow must be less than 60000");
    }
    window_us = static_cast<std::int64_t>((*d * Decimal::from_int(1000)).rescaled(0).mantissa());
  }
  std::int64_t server_us = now_us();
  if (ts_us >= server_us + 1'000'000) {
    return Reply::error(400, -1021,
                        "Timestamp for this request was 1000ms ahead of the server's time.");
  }
  if (server_us - ts_us > window_us) {
    return Reply::error(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  }
  return std::nullopt;
}

// --- REST -------------------------------------------------------------------------------

net::HttpResponse BinanceSim::Impl::handle_http(const net::HttpRequest& req) {
  if (req.path.rfind("/sim/", 0) == 0) return handle_control(req);
  std::lock_guard lk(mu);
  const Endpoint* ep = nullptr;
  bool path_known = false;
  for (const auto& e : kEndpoints) {
    if (req.path == e.path) {
      path_known = true;
      if (req.method == e.method) ep = &e;
    }
  }
  std::vector<std::pair<std::string, std::string>> hdrs;
  auto finish = [&](net::HttpResponse r, const std::string* account) {
    usage_headers(req.remote_ip, account, hdrs);
    for (auto& h : hdrs) r.headers.push_back(h);
    if (faults.latency_ms > 0) r.delay = std::chrono::milliseconds(faults.latency_ms);
    return r;
  };
  if (!ep) {
    Reply e = path_known ? Reply::error(405, -1000, "Method not allowed.")
                         : Reply::error(404, -1000, "Not found.");
    return finish(error_response(e), nullptr);
  }
  // Faults that refuse before anything is read.
  if (faults.ban_s > 0) {
    ip_limits[req.remote_ip].banned_until_ms = now_ms() + std::int64_t{faults.ban_s} * 1000;
    faults.ban_s = 0;
  }
  if (faults.storm_429 > 0) {
    --faults.storm_429;
    Reply e = Reply::error(429, -1003,
                           "Too much request weight used; current limit is " +
                               std::to_string(opt.limits.weight_per_minute) +
                               " request weight per 1 MINUTE. Please use WebSocket Streams for "
                               "live updates to avoid polling the API.");
    e.headers.emplace_back("Retry-After", std::to_string(faults.retry_after_s));
    return finish(error_response(e), nullptr);
  }
  int weight = ep->weight;
  Params p;
  std::string dup;
  bool parsed = detail::parse_form(req.query, p, dup);
  if (parsed && !req.body.empty()) parsed = detail::parse_form(req.body, p, dup);
  if (std::string_view(ep->path) == "/api/v3/openOrders" && req.method == "GET" &&
      !p.has("symbol")) {
    weight = 80;
  }
  if (std::string_view(ep->path) == "/api/v3/myTrades" && p.has("orderId")) weight = 5;
  if (auto refused = charge(req.remote_ip, weight)) {
    return finish(error_response(*refused), nullptr);
  }
  if (!parsed) {
    return finish(
        error_response(Reply::error(400, -1101, "Duplicate values for parameter '" + dup + "'.")),
        nullptr);
  }

  // Authentication.
  std::string account;
  const SimApiKey* key = nullptr;
  if (ep->sec != Sec::kNone) {
    const std::string* k = req.header("x-mbx-apikey");
    if (!k || !key_format_ok(*k)) {
      return finish(error_response(Reply::error(401, -2014, "API-key format invalid.")), nullptr);
    }
    auto it = by_key.find(*k);
    if (it == by_key.end()) {
      return finish(error_response(Reply::error(401, -2015,
                                                "Invalid API-key, IP, or permissions for action.")),
                    nullptr);
    }
    key = it->second;
    account = key->account;
  }
  if (ep->sec == Sec::kSigned) {
    if (auto bad = check_timestamp(p)) return finish(error_response(*bad), nullptr);
    const std::string* sig = p.get("signature");
    if (!sig || sig->empty()) {
      return finish(error_response(Reply::error(400, -1102,
                                                "Mandatory parameter 'signature' was not sent, "
                                                "was empty/null, or malformed.")),
                    nullptr);
    }
    std::string payload = strip_signature(req.query) + strip_signature(req.body);
    std::string expect = at::net::hmac_sha256_hex(key->secret, payload);
    if (!at::net::signatures_equal(expect, *sig, true)) {
      return finish(
          error_response(Reply::error(400, -1022, "Signature for this request is not valid.")),
          nullptr);
    }
  }
  const std::string* acct_ptr = ep->order_count ? &account : nullptr;
  if (ep->order_count) {
    if (auto refused = charge_order(account)) {
      return finish(error_response(*refused), acct_ptr);
    }
  }

  // 5xx without executing.
  bool is_order_write = ep->order_count || (std::string_view(ep->method) == "DELETE" &&
                                            std::string_view(ep->path) != "/api/v3/userDataStream");
  if (is_order_write && faults.http_5xx > 0) {
    --faults.http_5xx;
    std::size_t idx = log_request("rest", std::string(ep->method) + " " + ep->path, account, p);
    log.requests[idx].outcome = "answered_5xx_not_executed";
    log.requests[idx].code = -1007;
    net::HttpResponse r;
    r.status = faults.http_5xx_status;
    r.body =
        R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})";
    return finish(r, acct_ptr);
  }

  std::string_view path = ep->path;
  std::string_view method = ep->method;
  Reply out;
  if (path == "/api/v3/ping") {
    out.result = object{};
  } else if (path == "/api/v3/time") {
    out.result = object{{"serverTime", now_ms()}};
  } else if (path == "/api/v3/exchangeInfo") {
    out = op_exchange_info(p);
  } else if (path == "/api/v3/order/test") {
    Reply err;
    if (!find_symbol(p, err)) {
      out = err;
    } else {
      out.result = object{};
    }
  } else if (path == "/api/v3/order") {
    if (method == "POST") out = op_place(account, p, "rest");
    if (method == "DELETE") out = op_cancel(account, p, "rest");
    if (method == "GET") out = op_query(account, p);
  } else if (path == "/api/v3/order/cancelReplace") {
    out = op_cancel_replace(account, p, "rest");
  } else if (path == "/api/v3/openOrders") {
    out = method == "GET" ? op_open_orders(account, p) : op_cancel_all(account, p, "rest");
  } else if (path == "/api/v3/allOrders") {
    out = op_all_orders(account, p);
  } else if (path == "/api/v3/myTrades") {
    out = op_my_trades(account, p);
  } else if (path == "/api/v3/account") {
    out = op_account(account, p);
  } else if (path == "/api/v3/userDataStream") {
    // Legacy listenKey flow (compatibility mode).
    if (method == "POST") {
      std::string lk;
      for (int i = 0; i < 3; ++i) lk += detail::random_client_id(rng);
      lk.resize(60);
      listen_keys[lk] = account;
      out.result = object{{"listenKey", lk}};
    } else {
      const std::string* lk = p.get("listenKey");
      if (!lk || !listen_keys.count(*lk)) {
        out = Reply::error(400, -1125, "This listenKey does not exist.");
      } else {
        if (method == "DELETE") listen_keys.erase(*lk);
        out.result = object{};
      }
    }
  }

  // Faults after executing.
  if (out.log_index && out.executed && faults.http_5xx_exec > 0) {
    --faults.http_5xx_exec;
    log.requests[*out.log_index].outcome = "executed_answered_5xx";
    net::HttpResponse r;
    r.status = faults.http_5xx_status;
    r.body =
        R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})";
    return finish(r, acct_ptr);
  }
  if (out.log_index && out.is_order_placement && out.executed && faults.drop_after_accept > 0) {
    --faults.drop_after_accept;
    log.requests[*out.log_index].outcome = "executed_connection_dropped";
    net::HttpResponse r;
    r.drop_connection = true;
    return r;
  }
  if (!out.ok()) return finish(error_response(out), acct_ptr);
  return finish(json_response(200, out.result), acct_ptr);
}

// --- control endpoints --------------------------------------------------------------------

namespace {

object request_json(const OrderRequestRecord& r) {
  object o;
  o["seq"] = r.seq;
  o["time"] = r.ts_ms;
  o["transport"] = r.transport;
  o["operation"] = r.operation;
  o["account"] = r.account;
  o["symbol"] = r.symbol;
  o["clientOrderId"] = r.client_order_id;
  o["origClientOrderId"] = r.orig_client_order_id;
  o["orderId"] = r.order_id;
  o["code"] = r.code;
  o["outcome"] = r.outcome;
  return o;
}

object fill_log_json(const paper::Fill& f) {
  object o;
  o["tradeId"] = f.trade_id;
  o["orderId"] = f.order_id;
  o["clientOrderId"] = f.client_order_id;
  o["account"] = f.account;
  o["symbol"] = f.symbol.str();
  o["side"] = f.side == Side::kBuy ? "BUY" : "SELL";
  o["price"] = f.price.to_string();
  o["qty"] = f.quantity.to_string();
  o["quoteQty"] = f.quote_qty.to_string();
  o["commission"] = f.commission.to_string();
  o["commissionAsset"] = f.commission_asset;
  o["maker"] = f.maker;
  o["time"] = f.ts_ns / 1'000'000;
  return o;
}

}  // namespace

net::HttpResponse BinanceSim::Impl::handle_control(const net::HttpRequest& req) {
  if (!is_loopback(req.remote_ip)) {
    return json_response(403, object{{"error", "control endpoints are loopback-only"}});
  }
  Params p;
  std::string dup;
  detail::parse_form(req.query, p, dup);
  std::lock_guard lk(mu);
  const std::string& path = req.path;
  if (path == "/sim/orders" && req.method == "GET") {
    array reqs, fills;
    for (const auto& r : log.requests) reqs.push_back(request_json(r));
    for (const auto& f : log.fills) fills.push_back(fill_log_json(f));
    return json_response(200, object{{"requests", std::move(reqs)}, {"fills", std::move(fills)}});
  }
  if (path == "/sim/fault") {
    if (req.method == "GET") {
      net::HttpResponse r;
      r.body = faults.to_json();
      return r;
    }
    if (req.method == "DELETE") {
      faults = FaultPlan{};
      held_frames.clear();
      return json_response(200, object{});
    }
    if (req.method == "POST") {
      FaultPlan next = faults;
      if (auto st = next.apply_json(req.body); !st) {
        return json_response(400, object{{"error", st.error().message}});
      }
      faults = next;
      if (faults.ws_drop_now) {
        faults.ws_drop_now = false;
        drop_user_streams_locked();
      }
      net::HttpResponse r;
      r.body = faults.to_json();
      return r;
    }
  }
  if (path == "/sim/balances" && req.method == "GET") {
    const std::string* a = p.get("account");
    object o;
    for (const auto& [asset, b] : engine.balances(a ? *a : "main")) {
      o[asset] = object{{"free", b.free.to_string()}, {"locked", b.locked.to_string()}};
    }
    return json_response(200, o);
  }
  if (path == "/sim/deposit" && req.method == "POST") {
    boost::system::error_code ec;
    auto v = detail::json::parse(req.body, ec);
    if (ec || !v.is_object()) return json_response(400, object{{"error", "JSON object expected"}});
    auto& o = v.as_object();
    auto* asset = o.if_contains("asset");
    auto* amount = o.if_contains("amount");
    auto* account = o.if_contains("account");
    if (!asset || !asset->is_string() || !amount || !amount->is_string()) {
      return json_response(400, object{{"error", "asset and amount (strings) are required"}});
    }
    auto d = Decimal::parse(amount->as_string());
    if (!d) return json_response(400, object{{"error", d.error().message}});
    std::string acct = account && account->is_string() ? std::string(account->as_string()) : "main";
    std::int64_t ts = clock.now_ns();
    engine.deposit(acct, std::string(asset->as_string()), *d, ts);
    object bu;
    bu["e"] = "balanceUpdate";
    bu["E"] = ts / 1'000'000;
    bu["a"] = std::string(asset->as_string());
    bu["d"] = d->to_string();
    bu["T"] = ts / 1'000'000;
    pending_events.emplace_back(acct, std::move(bu));
    flush_events();
    return json_response(200, object{});
  }
  if (path == "/sim/market" && req.method == "POST") {
    boost::system::error_code ec;
    auto v = detail::json::parse(req.body, ec);
    if (ec || !v.is_object()) return json_response(400, object{{"error", "JSON object expected"}});
    auto& o = v.as_object();
    auto str = [&](const char* k) -> std::string {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto it = by_venue_symbol.find(str("symbol"));
    if (it == by_venue_symbol.end()) return json_response(400, object{{"error", "unknown symbol"}});
    std::int64_t ts = clock.now_ns();
    if (o.contains("price")) {
      auto px = Decimal::parse(str("price"));
      auto q = Decimal::parse(str("qty"));
      if (!px || !q) return json_response(400, object{{"error", "price and qty must be decimals"}});
      md::Trade t{it->second->rules.symbol, *px, *q,
                  str("side") == "SELL" ? Side::kSell : Side::kBuy, ts};
      feed_trade_locked(t);
    } else {
      auto bid = Decimal::parse(str("bid"));
      auto ask = Decimal::parse(str("ask"));
      if (!bid || !ask)
        return json_response(400, object{{"error", "bid and ask must be decimals"}});
      auto bq = Decimal::parse(str("bidQty").empty() ? "0" : str("bidQty"));
      auto aq = Decimal::parse(str("askQty").empty() ? "0" : str("askQty"));
      md::Quote q{it->second->rules.symbol, *bid, *ask, bq ? *bq : Decimal(),
                  aq ? *aq : Decimal(),     ts};
      feed_quote_locked(q);
    }
    return json_response(200, object{});
  }
  if (path == "/sim/market/step" && req.method == "POST") {
    int n = 1;
    if (const auto* s = p.get("n")) n = std::clamp(std::atoi(s->c_str()), 1, 100000);
    for (int i = 0; i < n; ++i) market_tick_locked();
    return json_response(200, object{});
  }
  if (path == "/sim/ws/drop" && req.method == "POST") {
    drop_user_streams_locked();
    return json_response(200, object{});
  }
  return json_response(404, object{{"error", "unknown control endpoint"}});
}

// --- market -------------------------------------------------------------------------------

void BinanceSim::Impl::feed_quote_locked(const md::Quote& q) {
  engine.on_quote(q, clock.now_ns());
  flush_events();
  publish_quote(q);
}

void BinanceSim::Impl::feed_trade_locked(const md::Trade& t) {
  engine.on_trade(t, clock.now_ns());
  flush_events();
  for (const auto& s : opt.symbols) {
    if (s.rules.symbol != t.symbol) continue;
    auto& m = markets[s.rules.venue_symbol];
    publish_trade(s.rules.venue_symbol, t.price, t.quantity, t.aggressor == Side::kSell,
                  m.market_trade_id++, clock.now_ns() / 1'000'000);
  }
}

void BinanceSim::Impl::market_tick_locked() {
  if (!market_source) return;
  auto next = market_source->next();
  if (!next.ok() || !next->has_value()) {
    if (!next.ok()) market_error = next.error().message;
    // End of a recording: start it again, so the market keeps moving.
    if (next.ok() && opt.market != "generated") {
      if (auto st = open_market(); !st) market_error = st.error().message;
    } else {
      market_source.reset();
    }
    return;
  }
  std::int64_t ts = clock.now_ns();
  if (auto* q = std::get_if<md::Quote>(&**next)) {
    md::Quote copy = *q;
    copy.ts_ns = ts;
    feed_quote_locked(copy);
  } else if (auto* t = std::get_if<md::Trade>(&**next)) {
    md::Trade copy = *t;
    copy.ts_ns = ts;
    feed_trade_locked(copy);
  }
}

Status BinanceSim::Impl::open_market() {
  market_source.reset();
  if (opt.market == "none") return {};
  if (opt.market == "generated") {
    md::GeneratedMarketOptions g;
    g.seed = opt.seed;
    for (const auto& s : opt.symbols) {
      if (md::find_sample_instrument(s.rules.symbol)) g.symbols.push_back(s.rules.symbol);
    }
    if (g.symbols.empty()) return {};
    auto m = md::GeneratedMarket::create(g);
    if (!m) return m.error();
    market_source = std::make_unique<md::GeneratedMarket>(std::move(*m));
    return {};
  }
  md::FileSpec spec;
  spec.path = opt.market;
  auto fmt = md::parse_file_format(opt.market_format);
  if (!fmt) return fmt.error();
  spec.format = *fmt;
  auto src = md::open_file(spec);
  if (!src) return src.error();
  market_source = std::move(*src);
  return {};
}

// --- public API -----------------------------------------------------------------------------

BinanceSim::BinanceSim(BinanceSimOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

BinanceSim::~BinanceSim() { stop(); }

Status BinanceSim::start() {
  auto& I = *impl_;
  if (I.server) return make_error(ErrorKind::kInvalidArgument, "simulator already started");
  {
    std::lock_guard lk(I.mu);
    if (auto st = I.open_market(); !st) return st;
  }
  net::LoopbackServer::Options so;
  so.host = I.opt.host;
  so.port = I.opt.port;
  so.tls = I.opt.tls;
  net::ServerHooks hooks;
  hooks.http = [impl = &I](const net::HttpRequest& r) { return impl->handle_http(r); };
  hooks.ws_open = [impl = &I](const net::HttpRequest& r, std::shared_ptr<net::WsPeer> peer,
                              net::HttpResponse& refusal) {
    return impl->open_ws(r, std::move(peer), refusal);
  };
  I.server = std::make_unique<net::LoopbackServer>(so, std::move(hooks));
  if (auto st = I.server->start(); !st) {
    I.server.reset();
    return st;
  }
  if (I.opt.market_interval.count() > 0) {
    I.server->every(I.opt.market_interval, [impl = &I] {
      std::lock_guard lk(impl->mu);
      impl->market_tick_locked();
    });
  }
  return {};
}

void BinanceSim::stop() {
  if (impl_->server) impl_->server->stop();
  std::lock_guard lk(impl_->mu);
  impl_->conns.clear();
}

std::uint16_t BinanceSim::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string BinanceSim::rest_base_url() const {
  return std::string(impl_->opt.tls ? "https://" : "http://") + impl_->opt.host + ":" +
         std::to_string(port());
}
std::string BinanceSim::ws_api_url() const { return stream_base_url() + "/ws-api/v3"; }
std::string BinanceSim::stream_base_url() const {
  return std::string(impl_->opt.tls ? "wss://" : "ws://") + impl_->opt.host + ":" +
         std::to_string(port());
}
const std::string& BinanceSim::certificate_pem() const {
  static const std::string kEmpty;
  return impl_->server ? impl_->server->certificate_pem() : kEmpty;
}

void BinanceSim::set_faults(const FaultPlan& plan) {
  std::lock_guard lk(impl_->mu);
  impl_->faults = plan;
  if (impl_->faults.ws_drop_now) {
    impl_->faults.ws_drop_now = false;
    impl_->drop_user_streams_locked();
  }
}

FaultPlan BinanceSim::faults() const {
  std::lock_guard lk(impl_->mu);
  return impl_->faults;
}

void BinanceSim::drop_user_streams() {
  std::lock_guard lk(impl_->mu);
  impl_->drop_user_streams_locked();
}

void BinanceSim::push_quote(const md::Quote& quote) {
  std::lock_guard lk(impl_->mu);
  impl_->feed_quote_locked(quote);
}

void BinanceSim::push_trade(const md::Trade& trade) {
  std::lock_guard lk(impl_->mu);
  impl_->feed_trade_locked(trade);
}

void BinanceSim::step_market(int n) {
  std::lock_guard lk(impl_->mu);
  for (int i = 0; i < n; ++i) impl_->market_tick_locked();
}

OrderLog BinanceSim::order_log() const {
  std::lock_guard lk(impl_->mu);
  return impl_->log;
}

std::map<std::string, paper::Balance> BinanceSim::balances(const std::string& account) const {
  std::lock_guard lk(impl_->mu);
  return impl_->engine.balances(account);
}

void BinanceSim::deposit(const std::string& account, const std::string& asset,
                         const Decimal& amount) {
  std::lock_guard lk(impl_->mu);
  std::int64_t ts = impl_->clock.now_ns();
  impl_->engine.deposit(account, asset, amount, ts);
  object bu;
  bu["e"] = "balanceUpdate";
  bu["E"] = ts / 1'000'000;
  bu["a"] = asset;
  bu["d"] = amount.to_string();
  bu["T"] = ts / 1'000'000;
  impl_->pending_events.emplace_back(account, std::move(bu));
  impl_->flush_events();
}

std::size_t BinanceSim::user_stream_subscriptions() const {
  std::lock_guard lk(impl_->mu);
  std::size_t n = 0;
  for (const auto& [id, c] : impl_->conns) {
    n += c->subscriptions.size();
    if (c->kind == detail::ConnKind::kLegacyUser) ++n;
  }
  return n;
}

}  // namespace at::sim
