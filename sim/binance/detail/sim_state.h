// Internal to sim/binance: the simulator's state and the pieces its .cc files share.
// Everything here runs under Impl::mu (REST hooks, WS frames, market ticks, public API).
#pragma once

#include <boost/json.hpp>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/paper/matching_engine.h"
#include "market_data/source.h"
#include "sim/binance/binance_sim.h"
#include "sim/net/loopback_server.h"

namespace at::sim::detail {

namespace json = boost::json;

// Request parameters in arrival order, values decoded.
struct Params {
  std::vector<std::pair<std::string, std::string>> items;
  const std::string* get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
};

// The outcome of one operation, shaped for either transport by the caller.
struct Reply {
  int http = 200;
  int code = 0;  // 0: success
  std::string msg;
  json::value result;               // success body
  std::optional<json::value> data;  // error detail (cancelReplace)
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by order operations: index of the OrderRequestRecord to amend after faults.
  std::optional<std::size_t> log_index;
  bool is_order_placement = false;  // drop-after-accept applies
  bool executed = false;            // the engine acted (for 5xx-exec / drop-after-accept)

  static Reply error(int http, int code, std::string msg) {
    Reply r;
    r.http = http;
    r.code = code;
    r.msg = std::move(msg);
    return r;
  }
  bool ok() const { return code == 0; }
};

// Fixed-bucket counters keyed by (key, bucket index) of the injected clock.
struct Window {
  std::int64_t bucket = -1;
  int count = 0;
  int add(std::int64_t b, int n) {
    if (b != bucket) {
      bucket = b;
      count = 0;
    }
    count += n;
    return count;
  }
  int peek(std::int64_t b) const { return b == bucket ? count : 0; }
};

struct IpLimits {
  Window weight_1m;
  Window raw_5m;
  int strikes = 0;
  std::int64_t strikes_bucket = -1;
  std::int64_t banned_until_ms = 0;
};

struct AccountLimits {
  Window orders_10s;
  Window orders_1d;
};

enum class ConnKind { kWsApi, kMarket, kLegacyUser };

struct Conn {
  std::uint64_t id = 0;
  ConnKind kind = ConnKind::kWsApi;
  std::shared_ptr<net::WsPeer> peer;
  std::string ip;
  // kWsApi
  std::optional<std::string> logged_on_account;
  std::string logged_on_key;
  std::map<int, std::string> subscriptions;  // subscriptionId -> account
  int next_subscription = 0;
  // kMarket
  bool combined = false;
  std::set<std::string> streams;  // "btcusdt@trade"
  // kLegacyUser
  std::string listen_key_account;
};

class Impl;

// One per symbol: book-top state for the streams.
struct MarketState {
  std::uint64_t update_id = 1;
  std::uint64_t market_trade_id = 1'000'000'000;  // prints of the generated market
  std::uint64_t last_published_fill_trade = 0;
  std::optional<md::Quote> last_quote;
};

}  // namespace at::sim::detail

namespace at::sim {

struct BinanceSim::Impl : paper::EngineListener {
  Impl(BinanceSimOptions o, const Clock& c);
  ~Impl() override;

  // --- configuration and collaborators ---
  BinanceSimOptions opt;
  const Clock& clock;
  mutable std::mutex mu;
  paper::MatchingEngine engine;
  std::unique_ptr<net::LoopbackServer> server;
  std::mt19937_64 rng;
  FaultPlan faults;

  // --- protocol state ---
  std::map<std::string, const SimSymbol*> by_venue_symbol;  // "BTCUSDT"
  std::map<std::string, const SimApiKey*> by_key;
  std::map<std::string, detail::IpLimits> ip_limits;
  std::map<std::string, detail::AccountLimits> account_limits;
  std::map<std::uint64_t, std::shared_ptr<detail::Conn>> conns;
  std::map<std::string, detail::MarketState> markets;  // by venue symbol
  std::map<std::string, std::string> listen_keys;      // legacy: listenKey -> account
  std::unique_ptr<md::EventSource> market_source;
  std::string market_error;  // why the market stopped, if it did
  OrderLog log;
  std::uint64_t next_execution_id = 1;
  std::uint64_t next_log_seq = 1;

  // User-data events produced during one engine interaction, flushed after it.
  std::vector<std::pair<std::string, detail::json::object>> pending_events;
  // reorder-events: an event held back to go out after the next one, per connection+sub.
  std::map<std::pair<std::uint64_t, int>, std::string> held_frames;

  // --- time ---
  std::int64_t now_ms() const { return clock.now_ns() / 1'000'000; }
  std::int64_t now_us() const { return clock.now_ns() / 1'000; }

  // --- paper::EngineListener ---
  void on_execution(const paper::ExecutionReport& r) override;
  void on_account_update(const paper::AccountUpdate& u) override;

  // --- binance_sim.cc: HTTP ---
  net::HttpResponse handle_http(const net::HttpRequest& req);
  net::HttpResponse handle_control(const net::HttpRequest& req);
  // Rate limits: adds weight; returns a refusal (429/418) or nullopt.
  std::optional<detail::Reply> charge(const std::string& ip, int weight);
  std::optional<detail::Reply> charge_order(const std::string& account);
  void usage_headers(const std::string& ip, const std::string* account,
                     std::vector<std::pair<std::string, std::string>>& out) const;
  detail::json::array rate_limits_json(const std::string& ip, const std::string* account) const;
  // Timestamp/recvWindow rule; nullopt when fine.
  std::optional<detail::Reply> check_timestamp(const detail::Params& p) const;

  // --- binance_ops.cc: operations shared by REST and the WS API ---
  detail::Reply op_place(const std::string& account, const detail::Params& p,
                         const std::string& transport);
  detail::Reply op_cancel(const std::string& account, const detail::Params& p,
                          const std::string& transport);
  detail::Reply op_query(const std::string& account, const detail::Params& p);
  detail::Reply op_cancel_replace(const std::string& account, const detail::Params& p,
                                  const std::string& transport);
  detail::Reply op_open_orders(const std::string& account, const detail::Params& p);
  detail::Reply op_cancel_all(const std::string& account, const detail::Params& p,
                              const std::string& transport);
  detail::Reply op_all_orders(const std::string& account, const detail::Params& p);
  detail::Reply op_my_trades(const std::string& account, const detail::Params& p);
  detail::Reply op_account(const std::string& account, const detail::Params& p);
  detail::Reply op_exchange_info(const detail::Params& p);
  std::size_t log_request(const std::string& transport, const std::string& operation,
                          const std::string& account, const detail::Params& p);
  const SimSymbol* find_symbol(const detail::Params& p, detail::Reply& err) const;
  void flush_events();
  void push_user_frame(const std::string& account, const detail::json::object& event);

  // --- binance_ws.cc: WebSocket API, market and legacy user streams ---
  std::shared_ptr<net::WsHandler> open_ws(const net::HttpRequest& req,
                                          std::shared_ptr<net::WsPeer> peer,
                                          net::HttpResponse& refusal);
  void on_ws_text(std::uint64_t conn_id, std::string text);
  void on_ws_closed(std::uint64_t conn_id);
  void publish_quote(const md::Quote& q);
  void publish_trade(const std::string& venue_symbol, const Price& px, const Quantity& qty,
                     bool buyer_maker, std::uint64_t trade_id, std::int64_t ts_ms);
  void drop_user_streams_locked();

  // --- market ---
  void market_tick_locked();
  void feed_quote_locked(const md::Quote& q);
  void feed_trade_locked(const md::Trade& t);
  Status open_market();
};

}  // namespace at::sim

namespace at::sim::detail {

// Shared helpers (binance_ops.cc).
std::string fmt8(const Decimal& d);
std::string random_client_id(std::mt19937_64& rng);
std::string_view binance_type(paper::OrdType t);
std::string_view binance_status(paper::OrdStatus s);
json::object order_json(const paper::OrderState& o, const std::string& venue_symbol);
// Parses "k=v&k=v" (percent-decoded) into p; false and the duplicated name on a repeat.
bool parse_form(std::string_view text, Params& p, std::string& duplicate);
std::string json_value_text(const json::value& v);

}  // namespace at::sim::detail
