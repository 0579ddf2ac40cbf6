// The WebSocket side of BinanceSim: the WebSocket API (/ws-api/v3), market streams
// (/ws/<stream>[/<stream>...], /stream?streams=a/b, live SUBSCRIBE/UNSUBSCRIBE) and the legacy
// listenKey user stream (/ws/<listenKey>, events unwrapped).
//
// WebSocket API frames (Binance):
//   request   {"id":<str|int|null>,"method":"order.place","params":{...}}
//   success   {"id":..,"status":200,"result":{..}|[..],"rateLimits":[..]}
//   failure {"id":..,"status":4xx|5xx,"error":{"code":..,"msg":"..",["data":..]},"rateLimits":[..]}
//   user data {"subscriptionId":N,"event":{"e":"executionReport",...}}
// Signed requests: HMAC-SHA256 (hex) of every param except `signature`, sorted by name,
// joined "k=v&k=v" with values as UTF-8 text (not percent-encoded).
#include <algorithm>

#include "adapters/net/signing.h"
#include "sim/binance/detail/sim_state.h"

namespace at::sim {

using detail::Params;
using detail::Reply;
using detail::json::array;
using detail::json::object;
using detail::json::value;

namespace {

class Handler final : public net::WsHandler {
 public:
  Handler(BinanceSim::Impl* impl, std::uint64_t id) : impl_(impl), id_(id) {}
  void on_text(std::string text) override { impl_->on_ws_text(id_, std::move(text)); }
  void on_closed() override { impl_->on_ws_closed(id_); }

 private:
  BinanceSim::Impl* impl_;  // outlives the server, which outlives every handler
  std::uint64_t id_;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool stream_name_ok(const BinanceSim::Impl& I, std::string_view name) {
  auto at = name.find('@');
  if (at == std::string_view::npos) return false;
  std::string sym(name.substr(0, at));
  bool known = false;
  for (const auto& s : I.opt.symbols) {
    if (lower(s.rules.venue_symbol) == sym) known = true;
  }
  if (!known) return false;
  std::string_view kind = name.substr(at + 1);
  static constexpr std::string_view kKinds[] = {
      "bookTicker",    "trade",         "depth",          "depth@100ms",   "depth@1000ms",
      "depth5",        "depth10",       "depth20",        "depth5@100ms",  "depth10@100ms",
      "depth20@100ms", "depth5@1000ms", "depth10@1000ms", "depth20@1000ms"};
  return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto n = s.find(sep, pos);
    auto item = s.substr(pos, n == std::string_view::npos ? s.npos : n - pos);
    if (!item.empty()) out.emplace_back(item);
    if (n == std::string_view::npos) break;
    pos = n + 1;
  }
  return out;
}

struct Method {
  const char* name;
  int weight;
  bool is_order_write;  // 5xx faults apply
  bool counts_order;    // ORDERS limit
};
constexpr Method kMethods[] = {
    {"ping", 1, false, false},
    {"time", 1, false, false},
    {"exchangeInfo", 20, false, false},
    {"session.logon", 2, false, false},
    {"session.status", 2, false, false},
    {"session.logout", 2, false, false},
    {"session.subscriptions", 2, false, false},
    {"order.place", 1, true, true},
    {"order.cancel", 1, true, false},
    {"order.status", 4, false, false},
    {"order.cancelReplace", 1, true, true},
    {"openOrders.status", 6, false, false},
    {"openOrders.cancelAll", 1, true, false},
    {"allOrders", 20, false, false},
    {"myTrades", 20, false, false},
    {"account.status", 20, false, false},
    {"userDataStream.subscribe", 2, false, false},
    {"userDataStream.subscribe.signature", 2, false, false},
    {"userDataStream.unsubscribe", 2, false, false},
    {"userDataStream.start", 2, false, false},
    {"userDataStream.ping", 2, false, false},
    {"userDataStream.stop", 2, false, false},
};

}  // namespace

std::shared_ptr<net::WsHandler> BinanceSim::Impl::open_ws(const net::HttpRequest& req,
                                                          std::shared_ptr<net::WsPeer> peer,
                                                          net::HttpResponse& refusal) {
  std::lock_guard lk(mu);
  auto c = std::make_shared<detail::Conn>();
  c->id = peer->id();
  c->peer = peer;
  c->ip = req.remote_ip;
  if (req.path == "/ws-api/v3") {
    c->kind = detail::ConnKind::kWsApi;
  } else if (req.path == "/stream" || req.path == "/ws" || req.path.rfind("/ws/", 0) == 0) {
    std::vector<std::string> names;
    if (req.path == "/stream") {
      c->combined = true;
      Params p;
      std::string dup;
      detail::parse_form(req.query, p, dup);
      if (const auto* s = p.get("streams")) names = split(*s, '/');
    } else if (req.path.size() > 4) {
      names = split(req.path.substr(4), '/');
    }
    if (names.size() == 1 && listen_keys.count(names[0])) {
      c->kind = detail::ConnKind::kLegacyUser;
      c->listen_key_account = listen_keys[names[0]];
    } else {
      c->kind = detail::ConnKind::kMarket;
      for (const auto& n : names) {
        if (!stream_name_ok(*this, n)) {
          refusal.status = 400;
          refusal.body = R"({"code":-1121,"msg":"Invalid symbol."})";
          return nullptr;
        }
        c->streams.insert(n);
      }
    }
  } else {
    return nullptr;
  }
  conns[c->id] = c;
  return std::make_shared<Handler>(this, c->id);
}

void BinanceSim::Impl::on_ws_closed(std::uint64_t conn_id) {
  std::lock_guard lk(mu);
  conns.erase(conn_id);
  for (auto it = held_frames.begin(); it != held_frames.end();) {
    it = it->first.first == conn_id ? held_frames.erase(it) : std::next(it);
  }
}

void BinanceSim::Impl::drop_user_streams_locked() {
  for (auto& [id, c] : conns) {
    if (c->kind == detail::ConnKind::kLegacyUser ||
        (c->kind == detail::ConnKind::kWsApi && !c->subscriptions.empty())) {
      c->subscriptions.clear();
      c->peer->drop();
    }
  }
  held_frames.clear();
}

void BinanceSim::Impl::on_ws_text(std::uint64_t conn_id, std::string text) {
  std::lock_guard lk(mu);
  auto cit = conns.find(conn_id);
  if (cit == conns.end()) return;
  auto conn = cit->second;
  boost::system::error_code ec;
  value msg = detail::json::parse(text, ec);

  if (conn->kind != detail::ConnKind::kWsApi) {
    // Market streams: SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS.
    if (ec || !msg.is_object()) {
      conn->peer->send(
          R"({"error":{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}})");
      return;
    }
    auto& o = msg.as_object();
    value id = o.contains("id") ? o["id"] : value(nullptr);
    std::string method = o.contains("method") && o["method"].is_string()
                             ? std::string(o["method"].as_string())
                             : std::string();
    object reply;
    if (method == "SUBSCRIBE" || method == "UNSUBSCRIBE") {
      if (!o.contains("params") || !o["params"].is_array()) {
        reply["error"] = object{{"code", 2}, {"msg", "Invalid request: missing field `params`"}};
      } else {
        for (const auto& s : o["params"].as_array()) {
          if (!s.is_string()) continue;
          std::string n(s.as_string());
          if (method == "SUBSCRIBE" && stream_name_ok(*this, n)) conn->streams.insert(n);
          if (method == "UNSUBSCRIBE") conn->streams.erase(n);
        }
        reply["result"] = nullptr;
      }
    } else if (method == "LIST_SUBSCRIPTIONS") {
      array a;
      for (const auto& s : conn->streams) a.push_back(value(s));
      reply["result"] = std::move(a);
    } else {
      reply["error"] = object{{"code", 2}, {"msg", "Invalid request: unknown variant"}};
    }
    reply["id"] = id;
    conn->peer->send(detail::json::serialize(reply));
    return;
  }

  // WebSocket API.
  value id = nullptr;
  std::string method;
  Params p;
  const object* params_obj = nullptr;
  if (!ec && msg.is_object()) {
    auto& o = msg.as_object();
    if (auto* v = o.if_contains("id")) id = *v;
    if (auto* v = o.if_contains("method"); v && v->is_string())
      method = std::string(v->as_string());
    if (auto* v = o.if_contains("params"); v && v->is_object()) params_obj = &v->as_object();
  }
  std::string account = conn->logged_on_account.value_or("");
  auto send_frame = [&](const object& frame, bool drop_after = false) {
    std::string s = detail::json::serialize(frame);
    auto peer = conn->peer;
    if (faults.latency_ms > 0 && server) {
      server->after(std::chrono::milliseconds(faults.latency_ms),
                    [peer, s = std::move(s), drop_after] {
                      if (drop_after) {
                        peer->drop();
                      } else {
                        peer->send(s);
                      }
                    });
    } else if (drop_after) {
      peer->drop();
    } else {
      peer->send(std::move(s));
    }
  };
  auto respond = [&](const Reply& r, const std::string* order_account) {
    object f;
    f["id"] = id;
    f["status"] = r.http;
    if (r.ok()) {
      f["result"] = r.result;
    } else {
      object e;
      e["code"] = r.code;
      e["msg"] = r.msg;
      if (r.data) e["data"] = *r.data;
      f["error"] = std::move(e);
    }
    f["rateLimits"] = rate_limits_json(conn->ip, order_account);
    send_frame(f);
  };
  if (ec || !msg.is_object() || method.empty()) {
    respond(Reply::error(400, -1000, "Malformed request."), nullptr);
    return;
  }
  const Method* m = nullptr;
  for (const auto& x : kMethods) {
    if (method == x.name) m = &x;
  }
  if (!m) {
    respond(Reply::error(400, -1000, "Unknown method."), nullptr);
    return;
  }
  if (faults.ban_s > 0) {
    ip_limits[conn->ip].banned_until_ms = now_ms() + std::int64_t{faults.ban_s} * 1000;
    faults.ban_s = 0;
  }
  auto with_retry = [&](Reply r) {
    std::int64_t secs = 1;
    for (const auto& [k, v] : r.headers) {
      if (k == "Retry-After") secs = std::atoll(v.c_str());
    }
    r.data = value(object{{"serverTime", now_ms()}, {"retryAfter", now_ms() + secs * 1000}});
    return r;
  };
  if (faults.storm_429 > 0) {
    --faults.storm_429;
    Reply e = Reply::error(429, -1003,
                           "Too much request weight used; current limit is " +
                               std::to_string(opt.limits.weight_per_minute) +
                               " request weight per 1 MINUTE. Please use WebSocket Streams for "
                               "live updates to avoid polling the API.");
    e.headers.emplace_back("Retry-After", std::to_string(faults.retry_after_s));
    respond(with_retry(e), nullptr);
    return;
  }
  int weight = m->weight;
  if (method == "openOrders.status" && !(params_obj && params_obj->contains("symbol"))) {
    weight = 80;
  }
  if (auto refused = charge(conn->ip, weight)) {
    respond(with_retry(*refused), nullptr);
    return;
  }
  // Params as text; std::map keeps them sorted for the signature payload.
  std::map<std::string, std::string> sorted;
  if (params_obj) {
    for (const auto& [k, v] : *params_obj) sorted[std::string(k)] = detail::json_value_text(v);
  }
  for (const auto& [k, v] : sorted) p.items.emplace_back(k, v);

  std::string_view mname = method;
  bool needs_auth = !(mname == "ping" || mname == "time" || mname == "exchangeInfo" ||
                      mname == "session.status" || mname == "session.logout");
  bool key_only = mname.rfind("userDataStream.", 0) == 0 &&
                  (mname == "userDataStream.start" || mname == "userDataStream.ping" ||
                   mname == "userDataStream.stop");
  bool signed_request = p.has("signature");
  if (needs_auth && mname != "userDataStream.subscribe" && mname != "userDataStream.unsubscribe" &&
      mname != "session.subscriptions") {
    if (key_only) {
      const std::string* k = p.get("apiKey");
      auto it = k ? by_key.find(*k) : by_key.end();
      if (!k) {
        respond(Reply::error(400, -1102,
                             "Mandatory parameter 'apiKey' was not sent, was empty/null, or "
                             "malformed."),
                nullptr);
        return;
      }
      if (it == by_key.end()) {
        respond(Reply::error(401, -2015, "Invalid API-key, IP, or permissions for action."),
                nullptr);
        return;
      }
      account = it->second->account;
    } else if (signed_request || !conn->logged_on_account || mname == "session.logon" ||
               mname == "userDataStream.subscribe.signature") {
      const std::string* k = p.get("apiKey");
      if (!k || k->empty()) {
        respond(Reply::error(400, -1102,
                             "Mandatory parameter 'apiKey' was not sent, was empty/null, or "
                             "malformed."),
                nullptr);
        return;
      }
      auto it = by_key.find(*k);
      if (it == by_key.end()) {
        respond(Reply::error(401, -2015, "Invalid API-key, IP, or permissions for action."),
                nullptr);
        return;
      }
      if (auto bad = check_timestamp(p)) {
        respond(*bad, nullptr);
        return;
      }
      const std::string* sig = p.get("signature");
      if (!sig || sig->empty()) {
        respond(Reply::error(400, -1102,
                             "Mandatory parameter 'signature' was not sent, was empty/null, or "
                             "malformed."),
                nullptr);
        return;
      }
      std::string payload;
      for (const auto& [k2, v] : sorted) {
        if (k2 == "signature") continue;
        if (!payload.empty()) payload += '&';
        payload += k2 + "=" + v;
      }
      if (!at::net::signatures_equal(at::net::hmac_sha256_hex(it->second->secret, payload), *sig,
                                     true)) {
        respond(Reply::error(400, -1022, "Signature for this request is not valid."), nullptr);
        return;
      }
      account = it->second->account;
      if (mname == "session.logon") {
        conn->logged_on_account = account;
        conn->logged_on_key = *k;
      }
    } else {
      // Logged-on session: apiKey/signature omitted, timestamp still required.
      if (auto bad = check_timestamp(p)) {
        respond(*bad, nullptr);
        return;
      }
    }
  }
  if ((mname == "userDataStream.subscribe" || mname == "userDataStream.unsubscribe" ||
       mname == "session.subscriptions") &&
      !conn->logged_on_account && mname == "userDataStream.subscribe") {
    respond(Reply::error(401, -2015, "Invalid API-key, IP, or permissions for action."), nullptr);
    return;
  }
  const std::string* order_account = m->counts_order ? &account : nullptr;
  if (m->counts_order) {
    if (auto refused = charge_order(account)) {
      respond(with_retry(*refused), order_account);
      return;
    }
  }
  if (m->is_order_write && faults.http_5xx > 0) {
    --faults.http_5xx;
    std::size_t idx = log_request("ws", method, account, p);
    log.requests[idx].outcome = "answered_5xx_not_executed";
    log.requests[idx].code = -1007;
    Reply e = Reply::error(faults.http_5xx_status, -1007,
                           "Timeout waiting for response from backend server. Send status "
                           "unknown; execution status unknown.");
    respond(e, order_account);
    return;
  }

  Reply out;
  std::int64_t now = now_ms();
  if (mname == "ping") {
    out.result = object{};
  } else if (mname == "time") {
    out.result = object{{"serverTime", now}};
  } else if (mname == "exchangeInfo") {
    out = op_exchange_info(p);
  } else if (mname == "session.logon" || mname == "session.status") {
    object r;
    if (conn->logged_on_account) {
      r["apiKey"] = conn->logged_on_key;
    } else {
      r["apiKey"] = nullptr;
    }
    r["authorizedSince"] = conn->logged_on_account ? value(now) : value(nullptr);
    r["connectedSince"] = now;
    r["returnRateLimits"] = true;
    r["serverTime"] = now;
    r["userDataStream"] = !conn->subscriptions.empty();
    out.result = std::move(r);
  } else if (mname == "session.logout") {
    conn->logged_on_account.reset();
    conn->logged_on_key.clear();
    out.result =
        object{{"apiKey", nullptr},        {"authorizedSince", nullptr}, {"connectedSince", now},
               {"returnRateLimits", true}, {"serverTime", now},          {"userDataStream", false}};
  } else if (mname == "session.subscriptions") {
    array a;
    for (const auto& [sub, acct] : conn->subscriptions)
      a.push_back(object{{"subscriptionId", sub}});
    out.result = std::move(a);
  } else if (mname == "order.place") {
    out = op_place(account, p, "ws");
  } else if (mname == "order.cancel") {
    out = op_cancel(account, p, "ws");
  } else if (mname == "order.status") {
    out = op_query(account, p);
  } else if (mname == "order.cancelReplace") {
    out = op_cancel_replace(account, p, "ws");
  } else if (mname == "openOrders.status") {
    out = op_open_orders(account, p);
  } else if (mname == "openOrders.cancelAll") {
    out = op_cancel_all(account, p, "ws");
  } else if (mname == "allOrders") {
    out = op_all_orders(account, p);
  } else if (mname == "myTrades") {
    out = op_my_trades(account, p);
  } else if (mname == "account.status") {
    out = op_account(account, p);
  } else if (mname == "userDataStream.subscribe" || mname == "userDataStream.subscribe.signature") {
    for (const auto& [sub, acct] : conn->subscriptions) {
      if (acct == account) {
        out = Reply::error(400, -1000, "This account is already subscribed on this connection.");
      }
    }
    if (out.ok()) {
      int sub = conn->next_subscription++;
      conn->subscriptions[sub] = account;
      out.result = object{{"subscriptionId", sub}};
    }
  } else if (mname == "userDataStream.unsubscribe") {
    if (const auto* s = p.get("subscriptionId")) {
      int sub = std::atoi(s->c_str());
      if (!conn->subscriptions.erase(sub)) {
        out = Reply::error(400, -1000, "Invalid subscriptionId.");
      } else {
        out.result = object{};
      }
    } else {
      conn->subscriptions.clear();
      out.result = object{};
    }
  } else if (mname == "userDataStream.start") {
    std::string lk;
    for (int i = 0; i < 3; ++i) lk += detail::random_client_id(rng);
    lk.resize(60);
    listen_keys[lk] = account;
    out.result = object{{"listenKey", lk}};
  } else if (mname == "userDataStream.ping" || mname == "userDataStream.stop") {
    const std::string* lk = p.get("listenKey");
    if (!lk || !listen_keys.count(*lk)) {
      out = Reply::error(400, -1125, "This listenKey does not exist.");
    } else {
      if (mname == "userDataStream.stop") listen_keys.erase(*lk);
      out.result = object{};
    }
  }

  if (out.log_index && out.executed && faults.http_5xx_exec > 0) {
    --faults.http_5xx_exec;
    log.requests[*out.log_index].outcome = "executed_answered_5xx";
    respond(Reply::error(faults.http_5xx_status, -1007,
                         "Timeout waiting for response from backend server. Send status "
                         "unknown; execution status unknown."),
            order_account);
    return;
  }
  if (out.log_index && out.is_order_placement && out.executed && faults.drop_after_accept > 0) {
    --faults.drop_after_accept;
    log.requests[*out.log_index].outcome = "executed_connection_dropped";
    send_frame(object{}, true);
    return;
  }
  respond(out, order_account);
}

// --- market streams -----------------------------------------------------------------------

void BinanceSim::Impl::publish_quote(const md::Quote& q) {
  std::string vs;
  for (const auto& s : opt.symbols) {
    if (s.rules.symbol == q.symbol) vs = s.rules.venue_symbol;
  }
  if (vs.empty()) return;
  auto& m = markets[vs];
  std::optional<md::Quote> prev = m.last_quote;
  m.last_quote = q;
  std::uint64_t first_id = m.update_id;
  m.update_id += 2;
  std::uint64_t last_id = m.update_id - 1;
  std::string lsym = lower(vs);
  bool any = false;
  for (const auto& [id, c] : conns) {
    if (c->kind == detail::ConnKind::kMarket && !c->streams.empty()) any = true;
  }
  if (!any) return;

  auto level = [](const Price& p, const Quantity& q) {
    return array{value(detail::fmt8(p)), value(detail::fmt8(q))};
  };
  object book;
  book["u"] = last_id;
  book["s"] = vs;
  book["b"] = detail::fmt8(q.bid);
  book["B"] = detail::fmt8(q.bid_size);
  book["a"] = detail::fmt8(q.ask);
  book["A"] = detail::fmt8(q.ask_size);
  object diff;
  diff["e"] = "depthUpdate";
  diff["E"] = now_ms();
  diff["s"] = vs;
  diff["U"] = first_id;
  diff["u"] = last_id;
  array bids, asks;
  if (prev && prev->bid != q.bid) bids.push_back(level(prev->bid, Decimal()));
  bids.push_back(level(q.bid, q.bid_size));
  if (prev && prev->ask != q.ask) asks.push_back(level(prev->ask, Decimal()));
  asks.push_back(level(q.ask, q.ask_size));
  diff["b"] = std::move(bids);
  diff["a"] = std::move(asks);
  object partial;
  partial["lastUpdateId"] = last_id;
  partial["bids"] = array{level(q.bid, q.bid_size)};
  partial["asks"] = array{level(q.ask, q.ask_size)};

  for (const auto& [id, c] : conns) {
    if (c->kind != detail::ConnKind::kMarket) continue;
    for (const auto& name : c->streams) {
      if (name.rfind(lsym + "@", 0) != 0) continue;
      std::string_view kind = std::string_view(name).substr(lsym.size() + 1);
      const object* data = nullptr;
      if (kind == "bookTicker") {
        data = &book;
      } else if (kind.rfind("depth@", 0) == 0 || kind == "depth") {
        data = &diff;
      } else if (kind.rfind("depth", 0) == 0) {
        data = &partial;
      }
      if (!data) continue;
      if (c->combined) {
        c->peer->send(detail::json::serialize(object{{"stream", name}, {"data", *data}}));
      } else {
        c->peer->send(detail::json::serialize(*data));
      }
    }
  }
}

void BinanceSim::Impl::publish_trade(const std::string& venue_symbol, const Price& px,
                                     const Quantity& qty, bool buyer_maker, std::uint64_t trade_id,
                                     std::int64_t ts_ms) {
  std::string name = lower(venue_symbol) + "@trade";
  std::optional<std::string> raw, combined;
  for (const auto& [id, c] : conns) {
    if (c->kind != detail::ConnKind::kMarket || !c->streams.count(name)) continue;
    if (!raw) {
      object t;
      t["e"] = "trade";
      t["E"] = now_ms();
      t["s"] = venue_symbol;
      t["t"] = trade_id;
      t["p"] = detail::fmt8(px);
      t["q"] = detail::fmt8(qty);
      t["T"] = ts_ms;
      t["m"] = buyer_maker;
      t["M"] = true;
      raw = detail::json::serialize(t);
      combined = R"({"stream":")" + name + R"(","data":)" + *raw + "}";
    }
    c->peer->send(c->combined ? *combined : *raw);
  }
}

}  // namespace at::sim
