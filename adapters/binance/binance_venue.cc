#include "adapters/binance/binance_venue.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <mutex>

#include "adapters/binance/codec.h"
#include "adapters/binance/rate_limiter.h"
#include "adapters/binance/tracker.h"
#include "adapters/net/http_client.h"
#include "adapters/net/ws_client.h"

namespace at::binance {

namespace asio = boost::asio;
using adapters::Done;
using adapters::QueryDone;
using adapters::QueryOutcome;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Builds Params outside coroutine bodies (GCC 12 mishandles initializer lists inside them).
Params kv(std::string k1, std::string v1, std::string k2 = {}, std::string v2 = {},
          std::string k3 = {}, std::string v3 = {}) {
  Params p;
  p.emplace_back(std::move(k1), std::move(v1));
  if (!k2.empty()) p.emplace_back(std::move(k2), std::move(v2));
  if (!k3.empty()) p.emplace_back(std::move(k3), std::move(v3));
  return p;
}

// {"id":..,"method":"userDataStream.subscribe.signature","params":{apiKey,timestamp,signature}}
std::string subscribe_request(const std::string& id, const Params& p, const std::string& sig) {
  boost::json::object params;
  for (const auto& [k, v] : p) params[k] = v;
  params["signature"] = sig;
  boost::json::object req;
  req["id"] = id;
  req["method"] = "userDataStream.subscribe.signature";
  req["params"] = std::move(params);
  return boost::json::serialize(req);
}

struct BinanceVenue::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const Clock& c, BinanceConfig conf)
      : ioc(io),
        strand(asio::make_strand(io)),
        clock(c),
        cfg(std::move(conf)),
        signer(cfg.api_secret.reveal()),
        tracker("binance"),
        limiter(RateLimiter::Options{cfg.rate_limit_threshold, 15000}) {
    if (cfg.base_url.empty()) cfg.base_url = default_base_url(cfg.environment);
    if (cfg.ws_url.empty()) cfg.ws_url = default_ws_url(cfg.environment);
  }

  asio::io_context& ioc;
  asio::strand<asio::io_context::executor_type> strand;
  const Clock& clock;
  BinanceConfig cfg;
  net::HmacSha256 signer;  // keyed once with cfg.api_secret
  std::unique_ptr<net::HttpClient> http;
  adapters::VenueSink* sink = nullptr;
  OrderTracker tracker;
  SymbolMap symbols;
  RateLimiter limiter;
  UserStreamParser parser;
  std::int64_t offset_ms = 0;  // venue time - local time
  mutable std::mutex rules_mu;
  std::vector<InstrumentRules> rules;

  std::unique_ptr<net::WsClient> ws;
  std::unique_ptr<asio::steady_timer> backoff;
  bool stopping = false;
  bool stopped = false;
  int loops = 0;
  Done stop_done;
  Done start_done;
  bool ever_subscribed = false;
  std::uint64_t request_seq = 0;
  // The first stream's events wait until the owner has told us which orders are ours
  // (recover(), or any order operation) or kGateMs have passed: after a restart, a fill of a
  // journaled order may arrive between the subscription and recover(), and would otherwise be
  // an "order we never sent" anomaly (and reach the journal only through reconciliation).
  static constexpr std::chrono::milliseconds kGateMs{250};
  std::unique_ptr<asio::steady_timer> gate;
  bool gate_open = false;
  void open_gate() {
    gate_open = true;
    if (gate) gate->cancel();
  }

  std::atomic<std::uint64_t> n_sent{0}, n_refused{0}, n_connects{0}, n_reconciles{0},
      n_anomalies{0};

  // --- helpers -------------------------------------------------------------------------------

  std::int64_t now_ns() const { return clock.now_ns(); }
  std::int64_t venue_ms() const { return clock.now_ns() / 1'000'000 + offset_ms; }

  void emit(std::vector<Event>& events) {
    for (auto& e : events) {
      if (std::holds_alternative<AnomalyDetected>(e)) ++n_anomalies;
      if (sink && !stopped) sink->on_venue_event(std::move(e));
    }
    events.clear();
  }
  void emit_one(Event e) {
    std::vector<Event> v;
    v.push_back(std::move(e));
    emit(v);
  }
  void anomaly(std::string kind, std::string detail, ClientOrderId id = {}) {
    std::vector<Event> v;
    tracker.anomaly(std::move(kind), id, std::move(detail), now_ns(), v);
    emit(v);
  }
  Symbol canonical(const std::string& venue_symbol, const TrackedOrder* o) const {
    if (o) return o->symbol;
    if (auto s = symbols.to_canonical(venue_symbol)) return *s;
    return Symbol::parse(venue_symbol).ok() ? Symbol::of(venue_symbol) : Symbol();
  }

  // Runs `body` on the strand, turning any escaped exception into an error for `fail`.
  template <typename Body, typename Fail>
  void spawn(Body body, Fail fail) {
    asio::co_spawn(strand, std::move(body), [fail = std::move(fail)](std::exception_ptr e) mutable {
      if (!e) return;
      std::string what = "internal error";
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        what += std::string(": ") + ex.what();
      } catch (...) {
      }
      fail(make_error(ErrorKind::kUnknownOutcome, "binance: " + what));
    });
  }

  // --- REST ----------------------------------------------------------------------------------

  // What a request does when the rate limiter says "not yet" (usage near a limit):
  //   kRefuse  fail at once with kRateLimited and retry_after_ms, sending nothing. Order
  //            operations and engine queries: the engine defers the retry on its own scheduler
  //            (injected clock), so nothing here blocks or waits on a timer.
  //   kWait    background work the engine does not retry (time sync, exchangeInfo,
  //            reconciliation, recovery): wait on a timer, then ask the limiter again; send
  //            only when it says go, and give up with kRateLimited after a few waits.
  //   kStartup start-up requests (time, exchangeInfo): sent even when the usage estimate is
  //            near a limit (see call()).
  // In every case, while banned (429/418 Retry-After) nothing is sent.
  enum class Pace { kRefuse, kWait, kStartup };

  // Sends one REST request, signed when `sign`. Rate limits are applied before sending;
  // usage headers and 429/418 are recorded after. A non-2xx answer is returned as a response.
  // Pace::kStartup (time and exchangeInfo) sends even when the usage estimate is
  // near a limit: until exchangeInfo is read, the limits are Binance's published defaults,
  // which may not be the venue's, and holding back the request that tells them would leave
  // the adapter without instruments. A ban (429/418 Retry-After) is still honoured.
  awaitable<Result<net::HttpResponse>> call(std::string method, std::string path, Params params,
                                            bool sign, int weight, bool is_order,
                                            Pace pace = Pace::kWait) {
    if (!http) co_return make_error(ErrorKind::kDisconnected, "binance: not started");
    if (pace == Pace::kStartup && venue_ms() < limiter.banned_until_ms()) {
      ++n_refused;
      Error e = make_error(ErrorKind::kRateLimited, "binance: rate limited by the venue");
      e.retry_after_ms = limiter.banned_until_ms() - venue_ms();
      co_return e;
    }
    for (int waits = 0; pace != Pace::kStartup; ++waits) {
      auto adm = limiter.admit(weight, is_order, venue_ms());
      if (!adm) {
        ++n_refused;
        co_return adm.error();
      }
      if (*adm == 0) break;
      if (pace == Pace::kRefuse || waits == 3) {
        ++n_refused;
        Error e = make_error(ErrorKind::kRateLimited,
                             "binance: " + path + " deferred: usage is near a rate limit; next " +
                                 "window in " + std::to_string(*adm) + " ms");
        e.retry_after_ms = *adm;
        co_return e;
      }
      asio::steady_timer t(strand, std::chrono::milliseconds(*adm));
      co_await t.async_wait(kTuple);
      if (stopping) co_return make_error(ErrorKind::kDisconnected, "binance: stopping");
    }
    if (sign) {
      params.emplace_back("recvWindow", std::to_string(cfg.recv_window_ms));
      params.emplace_back("timestamp", std::to_string(venue_ms()));
    }
    std::string query = encode_query(params);
    if (sign) {
      query += "&signature=";
      query += sign_rest(signer, std::string_view(query).substr(0, query.size() - 11));
    }
    net::HttpRequest req;
    req.method = std::move(method);
    req.target = query.empty() ? path : path + "?" + query;
    if (!cfg.api_key.empty())
      req.headers.push_back({"X-MBX-APIKEY", std::string(cfg.api_key.reveal())});
    limiter.record_sent(weight, is_order, venue_ms());
    ++n_sent;
    auto r = co_await http->request(std::move(req));
    if (!r) co_return r.error();
    for (const auto& h : r->headers) limiter.observe_header(h.name, h.value, venue_ms());
    if (auto e = net::classify_http_status(*r); e && e->kind == ErrorKind::kRateLimited)
      limiter.on_rate_limited(e->retry_after_ms, venue_ms());
    co_return r;
  }

  static std::int64_t retry_after_s(const net::HttpResponse& r) {
    std::int64_t s = 0;
    if (const std::string* v = r.header("Retry-After"))
      std::from_chars(v->data(), v->data() + v->size(), s);
    return s;
  }

  awaitable<Status> sync_time() {
    auto r = co_await call("GET", "/api/v3/time", Params(), false, 1, false, Pace::kStartup);
    if (!r) co_return r.error();
    if (r->status != 200)
      co_return classify_error(r->status, r->body, retry_after_s(*r), Operation::kOther).error;
    auto t = parse_server_time(r->body);
    if (!t) co_return make_error(ErrorKind::kTransient, t.error().message);
    offset_ms = *t - clock.now_ns() / 1'000'000;
    co_return Status{};
  }

  awaitable<Status> load_exchange_info() {
    auto r =
        co_await call("GET", "/api/v3/exchangeInfo", Params(), false, 20, false, Pace::kStartup);
    if (!r) co_return r.error();
    if (r->status != 200)
      co_return classify_error(r->status, r->body, retry_after_s(*r), Operation::kOther).error;
    std::vector<std::string> skipped;
    auto info = parse_exchange_info(r->body, &skipped);
    if (!info) co_return make_error(ErrorKind::kTransient, info.error().message);
    for (auto& s : skipped) anomaly("malformed_message", "exchangeInfo: " + s);
    limiter.set_limits(info->rate_limits);
    std::vector<InstrumentRules> v;
    for (auto& s : info->symbols) {
      symbols.add(s.rules.venue_symbol, s.rules.symbol);
      v.push_back(s.rules);
    }
    std::lock_guard lk(rules_mu);
    rules = std::move(v);
    co_return Status{};
  }

  // Applies a classified REST failure of an order operation: emits its business event and
  // returns the error for the completion handler.
  awaitable<Error> fail_with(const net::HttpResponse& r, Operation op, TrackedOrder* o,
                             const ClientOrderId& new_id) {
    Classified c = classify_error(r.status, r.body, retry_after_s(r), op);
    std::vector<Event> ev;
    const ClientOrderId coid = o ? o->client_order_id : ClientOrderId();
    ApiError api = parse_api_error(r.body);
    switch (c.effect) {
      case Classified::Effect::kOrderRejected:
        if (o && !o->terminal) {
          o->terminal = true;
          ev.push_back(OrderRejected{coid, api.msg, api.code, now_ns()});
        }
        break;
      case Classified::Effect::kCancelRejected:
        ev.push_back(CancelRejected{coid, api.msg, api.code, now_ns()});
        break;
      case Classified::Effect::kReplaceRejected: {
        std::string msg = api.cancel_code ? api.cancel_msg : api.msg;
        ev.push_back(ReplaceRejected{coid, new_id, msg, now_ns()});
        if (auto* n = tracker.find(new_id); n && !n->terminal) {
          n->terminal = true;
          ev.push_back(OrderRejected{new_id, "replace rejected: " + msg,
                                     api.cancel_code.value_or(api.code), now_ns()});
        }
        break;
      }
      case Classified::Effect::kReplaceCancelledOnly:
        if (o) tracker.cancelled(*o, "replaced; new order refused", now_ns(), ev);
        if (auto* n = tracker.find(new_id); n && !n->terminal) {
          n->terminal = true;
          ev.push_back(OrderRejected{new_id, api.new_order_code ? api.new_order_msg : api.msg,
                                     api.new_order_code.value_or(api.code), now_ns()});
        }
        break;
      case Classified::Effect::kResyncTime:
        (void)co_await sync_time();
        break;
      default:
        break;
    }
    emit(ev);
    co_return c.error;
  }

  // --- order operations ----------------------------------------------------------------------

  awaitable<Status> do_submit(OrderRequested o) {
    std::string vsym = symbols.to_venue(o.symbol);
    TrackedOrder& t = tracker.track(o, vsym);
    auto params = order_params(o, vsym);
    if (!params) {
      std::vector<Event> ev;
      if (!t.terminal) {
        t.terminal = true;
        ev.push_back(OrderRejected{o.client_order_id, params.error().message, 0, now_ns()});
      }
      emit(ev);
      co_return make_error(ErrorKind::kPermanent, params.error().message);
    }
    auto r =
        co_await call("POST", "/api/v3/order", std::move(*params), true, 1, true, Pace::kRefuse);
    if (!r) co_return r.error();
    TrackedOrder* tp = tracker.find(o.client_order_id);
    if (r->status != 200) co_return co_await fail_with(*r, Operation::kSubmit, tp, {});
    auto id = parse_order_ack(r->body);
    if (!id) {
      anomaly("malformed_message", "order ack: " + id.error().message, o.client_order_id);
      co_return make_error(ErrorKind::kUnknownOutcome,
                           "binance: order answer unreadable: " + id.error().message);
    }
    std::vector<Event> ev;
    tracker.set_venue_order_id(*tp, *id);
    tracker.accepted(*tp, now_ns(), ev);
    emit(ev);
    co_return Status{};
  }

  awaitable<Status> do_cancel(Order o) {
    std::string vsym = symbols.to_venue(o.symbol);
    TrackedOrder& t = tracker.track(o, vsym);
    Params p = kv("symbol", vsym, "origClientOrderId", o.client_order_id.str());
    auto r = co_await call("DELETE", "/api/v3/order", std::move(p), true, 1, false, Pace::kRefuse);
    if (!r) co_return r.error();
    TrackedOrder* tp = tracker.find(o.client_order_id);
    if (r->status != 200) co_return co_await fail_with(*r, Operation::kCancel, tp, {});
    std::vector<Event> ev;
    auto row = parse_order_row(r->body);
    if (row && row->order_id) tracker.set_venue_order_id(*tp, row->order_id);
    if (!row)
      anomaly("malformed_message", "cancel answer: " + row.error().message, t.client_order_id);
    // The answer says how much had executed; fills the stream has not delivered yet would
    // otherwise arrive after the order's end (or never, if we stop first): fetch them now.
    if (row && row->executed_qty > tp->filled) {
      if (auto st = co_await fetch_order_trades(*tp, Pace::kWait); !st)
        anomaly("reconciliation_failed", "fills before cancel: " + st.error().describe(),
                t.client_order_id);
      tp = tracker.find(o.client_order_id);
    }
    tracker.cancelled(*tp, "cancelled", now_ns(), ev);
    emit(ev);
    co_return Status{};
  }

  awaitable<Status> do_replace(Order old, OrderRequested repl) {
    std::string vsym = symbols.to_venue(old.symbol);
    tracker.track(old, vsym);
    tracker.track(repl, vsym);
    auto params = order_params(repl, vsym);
    if (!params) {
      std::vector<Event> ev;
      ev.push_back(ReplaceRejected{old.client_order_id, repl.client_order_id,
                                   params.error().message, now_ns()});
      if (auto* n = tracker.find(repl.client_order_id)) n->terminal = true;
      ev.push_back(OrderRejected{repl.client_order_id, params.error().message, 0, now_ns()});
      emit(ev);
      co_return make_error(ErrorKind::kPermanent, params.error().message);
    }
    params->emplace_back("cancelReplaceMode", "STOP_ON_FAILURE");
    params->emplace_back("cancelOrigClientOrderId", old.client_order_id.str());
    auto r = co_await call("POST", "/api/v3/order/cancelReplace", std::move(*params), true, 1, true,
                           Pace::kRefuse);
    if (!r) co_return r.error();
    TrackedOrder* to = tracker.find(old.client_order_id);
    TrackedOrder* tn = tracker.find(repl.client_order_id);
    if (r->status != 200)
      co_return co_await fail_with(*r, Operation::kReplace, to, repl.client_order_id);
    auto res = parse_cancel_replace(r->body);
    if (!res) {
      anomaly("malformed_message", "cancelReplace answer: " + res.error().message,
              old.client_order_id);
      co_return make_error(ErrorKind::kUnknownOutcome,
                           "binance: cancelReplace answer unreadable: " + res.error().message);
    }
    std::vector<Event> ev;
    tracker.set_venue_order_id(*tn, res->new_order_id);
    to->terminal = true;
    ev.push_back(OrderReplaced{old.client_order_id, repl.client_order_id,
                               VenueOrderId(std::to_string(res->new_order_id)), now_ns()});
    tracker.accepted(*tn, now_ns(), ev);
    emit(ev);
    co_return Status{};
  }

  // Fetches fills of one order that we have not emitted (myTrades by orderId).
  awaitable<Status> fetch_order_trades(TrackedOrder& o, Pace pace) {
    if (o.venue_order_id == 0) co_return Status{};
    Params p = kv("symbol", o.venue_symbol, "orderId", std::to_string(o.venue_order_id));
    auto r = co_await call("GET", "/api/v3/myTrades", std::move(p), true, 5, false, pace);
    if (!r) co_return r.error();
    if (r->status != 200)
      co_return classify_error(r->status, r->body, retry_after_s(*r), Operation::kQuery).error;
    auto rows = parse_trade_rows(r->body);
    if (!rows) {
      anomaly("malformed_message", "myTrades: " + rows.error().message, o.client_order_id);
      co_return make_error(ErrorKind::kTransient, rows.error().message);
    }
    std::vector<Event> ev;
    Symbol sym = o.symbol;
    for (const auto& t : *rows) tracker.on_trade(t, sym, now_ns(), ev);
    emit(ev);
    co_return Status{};
  }

  // Brings one order up to date from the venue: ack, missed fills, final status.
  awaitable<Result<QueryOutcome>> resolve(const ClientOrderId& id, Pace pace) {
    TrackedOrder* o = tracker.find(id);
    if (!o) co_return make_error(ErrorKind::kNotFound, "binance: order not tracked");
    std::string vsym = o->venue_symbol;
    Params p = kv("symbol", vsym, "origClientOrderId", id.str());
    auto r = co_await call("GET", "/api/v3/order", std::move(p), true, 4, false, pace);
    if (!r) co_return r.error();
    if (r->status != 200) {
      Classified c = classify_error(r->status, r->body, retry_after_s(*r), Operation::kQuery);
      if (c.effect == Classified::Effect::kNotFound) co_return QueryOutcome{};
      if (c.effect == Classified::Effect::kResyncTime) (void)co_await sync_time();
      co_return c.error;
    }
    auto row = parse_order_row(r->body);
    if (!row) {
      anomaly("malformed_message", "order query: " + row.error().message, id);
      co_return make_error(ErrorKind::kTransient, row.error().message);
    }
    o = tracker.find(id);
    if (o->venue_order_id == 0) tracker.set_venue_order_id(*o, row->order_id);
    if (row->executed_qty > o->filled) {
      auto st = co_await fetch_order_trades(*o, pace);
      if (!st) co_return st.error();
      o = tracker.find(id);
    }
    std::vector<Event> ev;
    tracker.on_order_row(*o, *row, now_ns(), ev);
    emit(ev);
    QueryOutcome q;
    q.found = true;
    q.status = map_order_status(row->status).value_or(OrderStatus::kUnknown);
    q.venue_order_id = VenueOrderId(std::to_string(row->order_id));
    q.filled_quantity = row->executed_qty;
    co_return q;
  }

  // After a reconnect or a stream end: what happened while we were not listening.
  awaitable<Status> reconcile_all() {
    ++n_reconciles;
    Status first;
    for (const std::string& vsym : tracker.symbols()) {
      auto st = co_await reconcile_symbol(vsym);
      if (!st && first.ok()) first = st;
    }
    co_return first;
  }

  awaitable<Status> reconcile_symbol(std::string vsym) {
    // 1. Open orders: learn venue ids of orders whose ack we may have missed.
    std::map<std::string, OrderRow> open;
    {
      Params op;
      op.emplace_back("symbol", vsym);
      auto r = co_await call("GET", "/api/v3/openOrders", std::move(op), true, 6, false);
      if (!r) co_return r.error();
      if (r->status != 200)
        co_return classify_error(r->status, r->body, retry_after_s(*r), Operation::kQuery).error;
      auto rows = parse_order_rows(r->body);
      if (!rows) {
        anomaly("malformed_message", "openOrders: " + rows.error().message);
        co_return make_error(ErrorKind::kTransient, rows.error().message);
      }
      for (auto& row : *rows) {
        if (auto* o = tracker.find(ClientOrderId(row.client_order_id)); o && o->venue_order_id == 0)
          tracker.set_venue_order_id(*o, row.order_id);
        open.emplace(row.client_order_id, std::move(row));
      }
    }
    // 2. Fills since the last trade id seen on the symbol.
    if (auto last = tracker.last_trade_id(vsym)) {
      std::int64_t from = *last + 1;
      for (int page = 0; page < 20; ++page) {
        Params p = kv("symbol", vsym, "fromId", std::to_string(from), "limit", "1000");
        auto r = co_await call("GET", "/api/v3/myTrades", std::move(p), true, 20, false);
        if (!r) co_return r.error();
        if (r->status != 200)
          co_return classify_error(r->status, r->body, retry_after_s(*r), Operation::kQuery).error;
        auto rows = parse_trade_rows(r->body);
        if (!rows) {
          anomaly("malformed_message", "myTrades: " + rows.error().message);
          co_return make_error(ErrorKind::kTransient, rows.error().message);
        }
        std::vector<Event> ev;
        for (const auto& t : *rows) {
          if (!tracker.find(vsym, t.order_id)) co_await learn_order_id(vsym, t.order_id);
          tracker.on_trade(t, canonical(vsym, tracker.find(vsym, t.order_id)), now_ns(), ev);
          from = std::max(from, t.id + 1);
        }
        emit(ev);
        if (rows->size() < 1000) break;
      }
    }
    // 3. Orders we think are working: still open -> ack if missed, fills by order if behind;
    //    gone -> resolve their final state.
    std::vector<ClientOrderId> ids;
    for (auto* o : tracker.open_orders(vsym)) ids.push_back(o->client_order_id);
    for (const auto& id : ids) {
      TrackedOrder* o = tracker.find(id);
      if (!o || o->terminal) continue;
      auto it = open.find(id.str());
      if (it == open.end()) {
        auto q = co_await resolve(id, Pace::kWait);
        if (!q) co_return q.error();
        continue;
      }
      if (it->second.executed_qty > o->filled) {
        auto st = co_await fetch_order_trades(*o, Pace::kWait);
        if (!st) co_return st;
        o = tracker.find(id);
      }
      std::vector<Event> ev;
      tracker.on_order_row(*o, it->second, now_ns(), ev);
      emit(ev);
    }
    co_return Status{};
  }

  // A trade names an order id we do not know: look the order up to learn its client id.
  awaitable<void> learn_order_id(std::string vsym, std::int64_t order_id) {
    Params p = kv("symbol", vsym, "orderId", std::to_string(order_id));
    auto r = co_await call("GET", "/api/v3/order", std::move(p), true, 4, false);
    if (!r || r->status != 200) co_return;
    auto row = parse_order_row(r->body);
    if (!row) co_return;
    if (auto* o = tracker.find(ClientOrderId(row->client_order_id)))
      tracker.set_venue_order_id(*o, row->order_id);
  }

  // --- user-data stream ----------------------------------------------------------------------

  void handle_frame(const std::string& frame) {
    auto m = parser.parse(frame);
    if (!m) {
      anomaly("malformed_message",
              m.error().message + " (" + std::to_string(frame.size()) + " bytes)");
      return;
    }
    std::vector<Event> ev;
    if (auto* r = std::get_if<ExecutionReport>(&*m)) {
      TrackedOrder* o = tracker.find(ClientOrderId(r->client_order_id));
      if (!o && !r->orig_client_order_id.empty())
        o = tracker.find(ClientOrderId(r->orig_client_order_id));
      tracker.on_execution_report(*r, canonical(r->symbol, o), ev);
    } else if (auto* p = std::get_if<AccountPosition>(&*m)) {
      for (auto& b : p->balances)
        ev.push_back(
            BalanceUpdated{cfg.account, b.asset, b.free, b.locked, p->event_time_ms * 1'000'000});
    } else if (auto* d = std::get_if<BalanceDelta>(&*m)) {
      ev.push_back(AccountFunded{cfg.account, d->asset, d->delta, d->event_time_ms * 1'000'000});
    }
    emit(ev);
  }

  awaitable<Status> stream_session() {
    net::WsOptions wo;
    wo.connect_timeout = cfg.connect_timeout;
    wo.idle_timeout = cfg.ws_idle_timeout;
    wo.ca_file = cfg.ca_file;
    wo.verify_peer = cfg.verify_peer;
    auto c = co_await net::WsClient::connect(strand, cfg.ws_url, wo);
    if (!c) co_return c.error();
    ws = std::move(*c);
    if (stopping) {
      ws->abort();
      co_return make_error(ErrorKind::kDisconnected, "stopping");
    }
    Params p =
        kv("apiKey", std::string(cfg.api_key.reveal()), "timestamp", std::to_string(venue_ms()));
    std::string sig = sign_ws(signer, p);
    std::string id = "sub" + std::to_string(++request_seq);
    if (auto st = co_await ws->send(subscribe_request(id, p, sig)); !st) co_return st;
    // Wait for our subscription's answer; events may not precede it, but tolerate them.
    for (;;) {
      auto f = co_await ws->read();
      if (!f) co_return f.error();
      auto m = parser.parse(*f);
      if (m) {
        if (auto* resp = std::get_if<WsApiResponse>(&*m); resp && resp->id == id) {
          if (resp->status != 200) {
            Error e =
                make_error(resp->status == 429 || resp->status == 418 ? ErrorKind::kRateLimited
                                                                      : ErrorKind::kTransient,
                           "binance: user stream subscription refused: status " +
                               std::to_string(resp->status) + " code " +
                               std::to_string(resp->error_code) + " " + resp->error_msg);
            e.venue_code = resp->error_code;
            co_return e;
          }
          break;
        }
      }
      handle_frame(*f);
    }
    ++n_connects;
    emit_one(VenueConnectionChanged{"binance", ConnectionState::kConnected,
                                    "user data stream subscribed", now_ns()});
    if (start_done) std::exchange(start_done, nullptr)(Status{});
    if (!gate_open) {
      gate = std::make_unique<asio::steady_timer>(strand, kGateMs);
      co_await gate->async_wait(kTuple);
      gate_open = true;
    }
    if (ever_subscribed) {
      // Reconcile concurrently with reading, so the new stream is not left unread meanwhile;
      // fills found by both are deduplicated on trade id.
      auto self = shared_from_this();
      asio::co_spawn(
          strand,
          [self]() -> awaitable<void> {
            ++self->loops;
            auto st = co_await self->reconcile_all();
            if (!st) self->anomaly("reconciliation_failed", st.error().describe());
            self->loop_done();
          },
          asio::detached);
    }
    ever_subscribed = true;
    for (;;) {
      auto f = co_await ws->read();
      if (!f) co_return f.error();
      auto m = parser.parse(*f);
      if (m) {
        if (auto* end = std::get_if<StreamEnded>(&*m)) {
          ws->abort();
          // Whatever happened between this event and the next subscription is reconciled
          // then; a reconcile now would race the new connection for nothing.
          co_return make_error(ErrorKind::kDisconnected, "binance: stream ended: " + end->reason);
        }
      }
      handle_frame(*f);
    }
  }

  // Start-up requests (server time, exchangeInfo), retried with the reconnect backoff until
  // they succeed or the venue is stopped: a venue that was down when the service started is
  // picked up when it comes back. The first failure is reported to `done` at once, so the
  // engine goes on recovering; it adopts the instruments when the stream reports connected.
  awaitable<void> startup_loop(Done done) {
    auto delay = cfg.reconnect_min;
    while (!stopping) {
      Status st = co_await sync_time();
      if (st) st = co_await load_exchange_info();
      if (st) break;
      if (done) std::exchange(done, nullptr)(st.error());
      emit_one(VenueConnectionChanged{"binance", ConnectionState::kReconnecting,
                                      "start-up: " + st.error().message, now_ns()});
      backoff = std::make_unique<asio::steady_timer>(strand, delay);
      co_await backoff->async_wait(kTuple);
      delay = std::min(delay * 2, cfg.reconnect_max);
    }
    if (stopping) {
      if (done)
        std::exchange(done, nullptr)(
            make_error(ErrorKind::kDisconnected, "binance: stopped during start-up"));
      co_return;
    }
    start_done = std::move(done);
    ++loops;
    asio::co_spawn(
        strand, [self = shared_from_this()]() { return self->stream_loop(); }, asio::detached);
  }

  awaitable<void> stream_loop() {
    auto delay = cfg.reconnect_min;
    while (!stopping) {
      auto st = co_await stream_session();
      if (stopping) break;
      std::string why = st.ok() ? "closed" : st.error().message;
      if (start_done)
        std::exchange(start_done, nullptr)(make_error(
            st.ok() ? ErrorKind::kDisconnected : st.error().kind, "binance: user stream: " + why));
      if (ever_subscribed && n_connects > 0) delay = cfg.reconnect_min;
      emit_one(VenueConnectionChanged{"binance", ConnectionState::kReconnecting, why, now_ns()});
      backoff = std::make_unique<asio::steady_timer>(strand, delay);
      co_await backoff->async_wait(kTuple);
      delay = std::min(delay * 2, cfg.reconnect_max);
    }
    loop_done();
  }

  void loop_done() {
    if (--loops == 0 && stopping && stop_done) finish_stop();
  }

  void finish_stop() {
    if (stopped) return;
    emit_one(
        VenueConnectionChanged{"binance", ConnectionState::kDisconnected, "stopped", now_ns()});
    stopped = true;
    sink = nullptr;
    if (http) http->close_idle();
    std::exchange(stop_done, nullptr)(Status{});
  }
};

BinanceVenue::BinanceVenue(asio::io_context& ioc, const Clock& clock, BinanceConfig config)
    : impl_(std::make_shared<Impl>(ioc, clock, std::move(config))) {}

BinanceVenue::~BinanceVenue() = default;

void BinanceVenue::start(adapters::VenueSink& sink, Done done) {
  auto I = impl_;
  I->spawn(
      [I, &sink, done]() mutable -> awaitable<void> {
        I->sink = &sink;
        net::HttpClientOptions ho;
        ho.connect_timeout = I->cfg.connect_timeout;
        ho.request_timeout = I->cfg.request_timeout;
        ho.ca_file = I->cfg.ca_file;
        ho.verify_peer = I->cfg.verify_peer;
        auto h = net::HttpClient::create(I->strand, I->cfg.base_url, ho);
        if (!h) {
          done(h.error());
          co_return;
        }
        I->http = std::move(*h);
        if (auto u = net::parse_url(I->cfg.ws_url); !u) {
          done(u.error());
          co_return;
        } else if (auto st = net::check_transport_allowed(*u); !st) {
          done(st.error());
          co_return;
        }
        ++I->loops;
        co_await I->startup_loop(std::move(done));
        I->loop_done();
      },
      [done](Error e) { done(std::move(e)); });
}

void BinanceVenue::stop(Done done) {
  auto I = impl_;
  asio::post(I->strand, [I, done = std::move(done)]() mutable {
    I->stopping = true;
    I->stop_done = std::move(done);
    I->open_gate();
    if (I->ws) I->ws->abort();
    if (I->backoff) I->backoff->cancel();
    if (I->loops == 0) I->finish_stop();
  });
}

std::vector<InstrumentRules> BinanceVenue::instruments() const {
  std::lock_guard lk(impl_->rules_mu);
  return impl_->rules;
}

void BinanceVenue::submit(const OrderRequested& order, std::uint32_t, Done done) {
  auto I = impl_;
  I->spawn(
      [I, order, done]() -> awaitable<void> {
        I->tracker.track(order, I->symbols.to_venue(order.symbol));
        I->open_gate();
        done(co_await I->do_submit(order));
      },
      done);
}

void BinanceVenue::cancel(const Order& order, Done done) {
  auto I = impl_;
  I->spawn([I, order, done]() -> awaitable<void> { done(co_await I->do_cancel(order)); }, done);
}

void BinanceVenue::replace(const Order& order, const OrderRequested& replacement, Done done) {
  auto I = impl_;
  I->spawn([I, order, replacement,
            done]() -> awaitable<void> { done(co_await I->do_replace(order, replacement)); },
           done);
}

void BinanceVenue::query(const Order& order, QueryDone done) {
  auto I = impl_;
  I->spawn(
      [I, order, done]() -> awaitable<void> {
        I->tracker.track(order, I->symbols.to_venue(order.symbol));
        I->open_gate();
        done(co_await I->resolve(order.client_order_id, Impl::Pace::kRefuse));
      },
      [done](Error e) { done(std::move(e)); });
}

void BinanceVenue::recover(const std::vector<Order>& open_orders, Done done) {
  auto I = impl_;
  I->spawn(
      [I, open_orders, done]() -> awaitable<void> {
        Status first;
        for (const auto& o : open_orders) I->tracker.track(o, I->symbols.to_venue(o.symbol));
        for (const auto& o : open_orders) {
          auto q = co_await I->resolve(o.client_order_id, Impl::Pace::kWait);
          if (!q && first.ok()) first = q.error();
        }
        I->open_gate();
        done(first);
      },
      done);
}

BinanceVenue::Stats BinanceVenue::stats() const {
  return Stats{impl_->n_sent.load(), impl_->n_refused.load(), impl_->n_connects.load(),
               impl_->n_reconciles.load(), impl_->n_anomalies.load()};
}

}  // namespace at::binance
