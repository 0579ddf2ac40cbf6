// BinanceVenue against a scripted fake Binance on 127.0.0.1 (REST + WebSocket API): order
// flow, stream events, rate limits, unknown outcomes, reconnect with gap recovery.
#include "adapters/binance/binance_venue.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <map>
#include <optional>

#include "adapters/binance/codec.h"
#include "tests/adapters/net_fake_server.h"
#include "tests/support/recording_sink.h"

namespace at::binance {
namespace {

namespace asio = boost::asio;
using testing::FakeReply;
using testing::FakeRequest;
using testing::FakeServer;

constexpr const char* kKey = "test-api-key-0123456789";
constexpr const char* kSecret = "test-secret-abcdefghijklmnop";

using Sink = at::testing::RecordingSink;

std::string exec_report(const std::string& coid, std::int64_t oid, const std::string& x,
                        const std::string& X, std::int64_t trade_id = -1,
                        const std::string& qty = "0", const std::string& px = "0") {
  return R"({"subscriptionId":0,"event":{"e":"executionReport","E":1700000000000,"s":"BTCUSDT",)"
         R"("c":")" +
         coid +
         R"(","S":"BUY","o":"LIMIT","f":"GTC","q":"1.0","p":"100.00",)"
         R"("x":")" +
         x + R"(","X":")" + X + R"(","r":"NONE","i":)" + std::to_string(oid) + R"(,"l":")" + qty +
         R"(","z":"0","L":")" + px +
         R"(","n":"0.001","N":"BNB",)"
         R"("T":1700000000000,"t":)" +
         std::to_string(trade_id) + R"(,"m":false}})";
}

// A scripted Binance: keeps orders and trades, verifies signatures and the API key.
struct FakeBinance {
  asio::io_context& ioc;
  ManualClock& clock;
  FakeServer server;
  struct Trade {
    std::int64_t id, order_id;
    std::string qty, price;
  };
  std::map<std::string, std::int64_t> orders;  // client id -> order id
  std::map<std::string, std::string> status;   // client id -> status
  std::vector<Trade> trades;
  std::int64_t next_order_id = 1000;
  std::optional<FakeReply> next_order_reply;        // one-shot override for POST /api/v3/order
  std::map<std::string, FakeReply> next_reply_for;  // one-shot override by path (any method)
  int order_posts = 0;
  int bad_signatures = 0;
  std::string used_weight = "10";  // X-MBX-USED-WEIGHT-1M on every answer

  FakeBinance(asio::io_context& io, ManualClock& c) : ioc(io), clock(c), server(io) {
    server.on_http = [this](const FakeRequest& r) { return handle(r); };
  }

  static std::string sig_check_payload(const std::string& target) {
    auto q = target.find('?');
    auto s = target.rfind("&signature=");
    return target.substr(q + 1, s - q - 1);
  }

  FakeReply json(std::string body, int status = 200) {
    FakeReply r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("X-MBX-USED-WEIGHT-1M", used_weight);
    return r;
  }

  FakeReply handle(const FakeRequest& r) {
    if (!r.param("signature").empty()) {
      if (r.header("X-MBX-APIKEY") != kKey ||
          sign_rest(kSecret, sig_check_payload(r.target)) != r.param("signature")) {
        ++bad_signatures;
        return json(R"({"code":-1022,"msg":"Signature for this request is not valid."})", 400);
      }
    }
    if (auto it = next_reply_for.find(r.path); it != next_reply_for.end()) {
      auto rep = it->second;
      next_reply_for.erase(it);
      return rep;
    }
    if (r.path == "/api/v3/time")
      return json(R"({"serverTime":)" + std::to_string(clock.now_ns() / 1'000'000) + "}");
    if (r.path == "/api/v3/exchangeInfo")
      return json(
          R"({"serverTime":1,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000}],)"
          R"("symbols":[{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT",)"
          R"("filters":[{"filterType":"PRICE_FILTER","tickSize":"0.01"},{"filterType":"LOT_SIZE","stepSize":"0.001","minQty":"0.001","maxQty":"100"},)"
          R"({"filterType":"NOTIONAL","minNotional":"5"}]}]})");
    if (r.path == "/api/v3/order" && r.method == "POST") {
      ++order_posts;
      if (next_order_reply) {
        auto rep = *next_order_reply;
        next_order_reply.reset();
        return rep;
      }
      std::string coid = r.param("newClientOrderId");
      std::int64_t id = next_order_id++;
      orders[coid] = id;
      status[coid] = "NEW";
      server.ws_push(exec_report(coid, id, "NEW", "NEW"));
      return json(R"({"symbol":"BTCUSDT","orderId":)" + std::to_string(id) +
                  R"(,"orderListId":-1,"clientOrderId":")" + coid + R"(","transactTime":1})");
    }
    if (r.path == "/api/v3/order" && r.method == "DELETE") {
      std::string coid = r.param("origClientOrderId");
      if (!orders.count(coid) || status[coid] != "NEW")
        return json(R"({"code":-2011,"msg":"Unknown order sent."})", 400);
      status[coid] = "CANCELED";
      return json(row(coid));
    }
    if (r.path == "/api/v3/order" && r.method == "GET") {
      std::string coid = r.param("origClientOrderId");
      if (coid.empty()) {
        for (auto& [c, id] : orders)
          if (std::to_string(id) == r.param("orderId")) coid = c;
      }
      if (!orders.count(coid)) return json(R"({"code":-2013,"msg":"Order does not exist."})", 400);
      return json(row(coid));
    }
    if (r.path == "/api/v3/openOrders") {
      std::string out = "[";
      for (auto& [c, s] : status)
        if (s == "NEW" || s == "PARTIALLY_FILLED") out += (out.size() > 1 ? "," : "") + row(c);
      return json(out + "]");
    }
    if (r.path == "/api/v3/myTrades") {
      std::string out = "[";
      for (auto& t : trades) {
        if (!r.param("fromId").empty() && t.id < std::stoll(r.param("fromId"))) continue;
        if (!r.param("orderId").empty() && t.order_id != std::stoll(r.param("orderId"))) continue;
        out +=
            (out.size() > 1 ? "," : "") + std::string(R"({"symbol":"BTCUSDT","id":)") +
            std::to_string(t.id) + R"(,"orderId":)" + std::to_string(t.order_id) + R"(,"price":")" +
            t.price + R"(","qty":")" + t.qty +
            R"(","commission":"0","commissionAsset":"BNB","time":1700000000000,"isBuyer":true,"isMaker":false})";
      }
      return json(out + "]");
    }
    return json(R"({"code":-1000,"msg":"no route"})", 404);
  }

  std::string executed(const std::string& coid) {
    Decimal sum;
    for (auto& t : trades)
      if (t.order_id == orders[coid]) sum += Decimal::of(t.qty);
    return sum.to_string();
  }

  std::string row(const std::string& coid) {
    return R"({"symbol":"BTCUSDT","orderId":)" + std::to_string(orders[coid]) +
           R"(,"clientOrderId":")" + coid + R"(","origQty":"1.0","executedQty":")" +
           executed(coid) + R"(","status":")" + status[coid] + R"(","updateTime":1700000000000})";
  }

  // A fill happens at the venue; `push` says whether it reaches the stream.
  void fill(const std::string& coid, std::int64_t trade_id, const std::string& qty, bool push) {
    trades.push_back({trade_id, orders[coid], qty, "100.00"});
    if (push)
      server.ws_push(
          exec_report(coid, orders[coid], "TRADE", "PARTIALLY_FILLED", trade_id, qty, "100.00"));
  }
};

// The adapter's config for the fake: test keys, short reconnect backoff.
BinanceConfig sim_config(FakeBinance& fake) {
  BinanceConfig c;
  c.api_key = net::Secret(kKey);
  c.api_secret = net::Secret(kSecret);
  c.environment = Environment::kSim;
  c.base_url = fake.server.http_url();
  c.ws_url = fake.server.ws_url();
  c.reconnect_min = std::chrono::milliseconds(10);
  c.reconnect_max = std::chrono::milliseconds(50);
  return c;
}

struct VenueFixture : ::testing::Test {
  asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  FakeBinance fake{ioc, clock};
  Sink sink;
  std::unique_ptr<BinanceVenue> venue;

  BinanceConfig config() {
    BinanceConfig c = sim_config(fake);
    c.request_timeout = std::chrono::milliseconds(2000);
    return c;
  }

  void SetUp() override {
    venue = std::make_unique<BinanceVenue>(ioc, clock, config());
    std::optional<Status> started;
    venue->start(sink, [&](Status s) { started = s; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return started.has_value(); }));
    ASSERT_TRUE(started->ok()) << started->error().message;
  }

  void TearDown() override {
    bool stopped = false;
    venue->stop([&](Status) { stopped = true; });
    EXPECT_TRUE(testing::run_until(ioc, [&] { return stopped; }));
  }

  Status submit(const OrderRequested& o) {
    std::optional<Status> st;
    venue->submit(o, 1, [&](Status s) { st = s; });
    EXPECT_TRUE(testing::run_until(ioc, [&] { return st.has_value(); }));
    return *st;
  }

  Order as_order(const OrderRequested& r) {
    Order o;
    o.client_order_id = r.client_order_id;
    o.symbol = r.symbol;
    o.side = r.side;
    o.quantity = r.quantity;
    o.limit_price = r.limit_price;
    o.status = OrderStatus::kUnknown;
    return o;
  }

  bool settle(const std::function<bool()>& pred) { return testing::run_until(ioc, pred); }
};

OrderRequested limit_buy(const std::string& id) {
  OrderRequested o;
  o.client_order_id = ClientOrderId(id);
  o.symbol = Symbol::of("BTC-USDT");
  o.side = Side::kBuy;
  o.type = OrderType::kLimit;
  o.quantity = Decimal::of("1.0");
  o.limit_price = Decimal::of("100.00");
  o.account = "main";
  return o;
}

TEST_F(VenueFixture, StartLoadsRulesAndSubscribes) {
  auto rules = venue->instruments();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].symbol, Symbol::of("BTC-USDT"));
  EXPECT_EQ(rules[0].tick_size, Decimal::of("0.01"));
  EXPECT_EQ(rules[0].min_notional, Decimal::of("5"));
  auto conn = sink.all<VenueConnectionChanged>();
  ASSERT_EQ(conn.size(), 1u);
  EXPECT_EQ(conn[0].state, ConnectionState::kConnected);
  EXPECT_EQ(fake.bad_signatures, 0);
}

TEST_F(VenueFixture, SubmittedOrderIsAcceptedOnceAndFillsArriveOnTheStream) {
  ASSERT_TRUE(submit(limit_buy("at1")).ok());
  fake.fill("at1", 501, "0.4", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  auto acks = sink.all<OrderAccepted>();
  ASSERT_EQ(acks.size(), 1u);  // REST ack and stream NEW: one event
  EXPECT_EQ(acks[0].venue_order_id.str(), "1000");
  auto f = sink.all<OrderFilled>()[0];
  EXPECT_EQ(f.trade_id.str(), "501");
  EXPECT_EQ(f.symbol, Symbol::of("BTC-USDT"));
  EXPECT_EQ(f.account, "main");
  EXPECT_TRUE(f.quantity.identical(Decimal::of("0.4")));
  EXPECT_EQ(fake.bad_signatures, 0);
}

TEST_F(VenueFixture, BadStreamInputBecomesAnomaliesNotCrashes) {
  fake.server.ws_push("{{{{ not json");
  fake.server.ws_push(R"({"subscriptionId":0,"event":{"e":"executionReport","E":1}})");
  fake.server.ws_push(exec_report("neverSent", 9, "TRADE", "FILLED", 77, "1", "1"));
  fake.server.ws_push(R"({"subscriptionId":0,"event":{"e":"somethingNew","E":1,"zz":[1]}})");
  fake.server.ws_push(
      R"({"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1700000000000,"u":1,"B":[{"a":"USDT","f":"1000.5","l":"0"}]}})");
  ASSERT_TRUE(settle([&] { return sink.all<BalanceUpdated>().size() == 1; }));
  auto an = sink.all<AnomalyDetected>();
  ASSERT_EQ(an.size(), 3u);
  EXPECT_EQ(an[0].kind, "malformed_message");
  EXPECT_EQ(an[1].kind, "malformed_message");
  EXPECT_EQ(an[2].kind, "unknown_order");
  EXPECT_TRUE(sink.all<BalanceUpdated>()[0].free.identical(Decimal::of("1000.5")));
  EXPECT_TRUE(sink.all<OrderFilled>().empty());
}

TEST_F(VenueFixture, FilterFailureIsARejection) {
  FakeReply r;
  r.status = 400;
  r.body = R"({"code":-1013,"msg":"Filter failure: LOT_SIZE"})";
  fake.next_order_reply = r;
  auto st = submit(limit_buy("at2"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kPermanent);
  auto rej = sink.all<OrderRejected>();
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].venue_code, -1013);
  EXPECT_EQ(rej[0].reason, "Filter failure: LOT_SIZE");
}

TEST_F(VenueFixture, RateLimitIsHonouredAndNothingIsSentWhileBanned) {
  FakeReply r;
  r.status = 429;
  r.body = R"({"code":-1003,"msg":"Too much request weight used"})";
  r.headers.emplace_back("Retry-After", "30");
  fake.next_order_reply = r;
  auto st = submit(limit_buy("at3"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(st.error().retry_after_ms, 30000);
  const int posts = fake.order_posts;
  const auto before = fake.server.requests().size();
  clock.advance_ms(29'000);
  auto again = submit(limit_buy("at3"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kRateLimited);
  EXPECT_LE(again.error().retry_after_ms, 1000);
  EXPECT_EQ(fake.server.requests().size(), before);  // nothing reached the venue
  EXPECT_EQ(venue->stats().requests_refused_locally, 1u);
  clock.advance_ms(1'000);
  ASSERT_TRUE(submit(limit_buy("at3")).ok());
  EXPECT_EQ(fake.order_posts, posts + 1);
}

TEST_F(VenueFixture, NearTheWeightLimitOrdersAreDeferredToTheCallerWithoutWaiting) {
  // The venue reports 4900 of 6000 weight used this minute (threshold 80 % = 4800).
  ASSERT_TRUE(submit(limit_buy("rl1")).ok());
  fake.used_weight = "4900";
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(as_order(limit_buy("rl1")), [&](Result<adapters::QueryOutcome> x) { q.emplace(x); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok());
  const auto before = fake.server.requests().size();
  const auto refused = venue->stats().requests_refused_locally;
  // The clock does not move: an adapter that waited for the next window would never answer.
  auto st = submit(limit_buy("rl2"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kRateLimited);
  // Binance's windows are aligned to the clock: the minute started 20 s ago, 40 s are left.
  const std::int64_t to_next_window = 60'000 - (clock.now_ns() / 1'000'000) % 60'000;
  EXPECT_GE(st.error().retry_after_ms, to_next_window);
  EXPECT_LE(st.error().retry_after_ms, to_next_window + 1'000);
  EXPECT_EQ(fake.server.requests().size(), before);  // nothing reached the venue
  EXPECT_EQ(venue->stats().requests_refused_locally, refused + 1);
  // A cancel is paced the same way.
  std::optional<Status> cst;
  venue->cancel(as_order(limit_buy("rl1")), [&](Status s) { cst = s; });
  ASSERT_TRUE(settle([&] { return cst.has_value(); }));
  EXPECT_EQ(cst->error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(fake.server.requests().size(), before);
  // In the next window the same order goes out.
  fake.used_weight = "10";
  clock.advance_ms(st.error().retry_after_ms);
  auto again = submit(limit_buy("rl2"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(fake.server.requests().size(), before + 1);
}

TEST_F(VenueFixture, ServerErrorIsUnknownOutcomeResolvedByQueryWithoutResending) {
  // The venue takes the order, then answers 503.
  fake.orders["at4"] = 2000;
  fake.status["at4"] = "FILLED";
  fake.trades.push_back({900, 2000, "1.0", "100.00"});
  FakeReply r;
  r.status = 503;
  r.body = "Service Unavailable";
  fake.next_order_reply = r;
  auto st = submit(limit_buy("at4"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome);
  const int posts = fake.order_posts;
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(as_order(limit_buy("at4")), [&](Result<adapters::QueryOutcome> x) { q.emplace(x); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_TRUE((*q)->found);
  EXPECT_EQ((*q)->status, OrderStatus::kFilled);
  EXPECT_EQ((*q)->venue_order_id.str(), "2000");
  EXPECT_EQ(fake.order_posts, posts);  // resolved by query, never resent
  ASSERT_EQ(sink.all<OrderAccepted>().size(), 1u);
  ASSERT_EQ(sink.all<OrderFilled>().size(), 1u);
  EXPECT_EQ(sink.all<OrderFilled>()[0].trade_id.str(), "900");
}

TEST_F(VenueFixture, QueryOfAnOrderTheVenueNeverGotIsNotFound) {
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(as_order(limit_buy("at5")), [&](Result<adapters::QueryOutcome> x) { q.emplace(x); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok());
  EXPECT_FALSE((*q)->found);
}

TEST_F(VenueFixture, CancelOfAFinishedOrderIsACancelReject) {
  ASSERT_TRUE(submit(limit_buy("at6")).ok());
  fake.status["at6"] = "FILLED";
  std::optional<Status> st;
  venue->cancel(as_order(limit_buy("at6")), [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_FALSE(st->ok());
  EXPECT_EQ(st->error().kind, ErrorKind::kPermanent);
  auto cr = sink.all<CancelRejected>();
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(cr[0].venue_code, -2011);
}

TEST_F(VenueFixture, CancelledOrderEmitsOneCancel) {
  ASSERT_TRUE(submit(limit_buy("at7")).ok());
  std::optional<Status> st;
  venue->cancel(as_order(limit_buy("at7")), [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_TRUE(st->ok()) << st->error().message;
  std::string late = exec_report("cxl1", 1000, "CANCELED", "CANCELED");
  late.replace(late.find(R"("c":"cxl1")"), 10, R"("c":"cxl1","C":"at7")");
  fake.server.ws_push(late);  // the stream's copy of the same cancel
  fake.server.ws_push(
      R"({"subscriptionId":0,"event":{"e":"balanceUpdate","E":1700000000000,"a":"BTC","d":"-1.5","T":1}})");
  ASSERT_TRUE(settle([&] { return sink.all<AccountFunded>().size() == 1; }));
  EXPECT_TRUE(sink.all<AccountFunded>()[0].amount.identical(Decimal::of("-1.5")));
  ASSERT_EQ(sink.all<OrderCancelled>().size(), 1u);
}

TEST_F(VenueFixture, FillsMissedDuringADisconnectAreRecoveredExactlyOnce) {
  ASSERT_TRUE(submit(limit_buy("at8")).ok());
  fake.fill("at8", 601, "0.1", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  const auto connects = venue->stats().stream_connects;
  fake.server.ws_drop_all();
  // While we are away: two fills the stream never delivers.
  fake.fill("at8", 602, "0.2", false);
  fake.fill("at8", 603, "0.3", false);
  ASSERT_TRUE(settle([&] {
    return venue->stats().stream_connects > connects && sink.all<OrderFilled>().size() >= 3;
  }));
  // The new stream also delivers the last one late: still one event per trade.
  fake.server.ws_push(exec_report("at8", 1000, "TRADE", "PARTIALLY_FILLED", 603, "0.3", "100.00"));
  fake.fill("at8", 604, "0.1", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() >= 4; }));
  std::map<std::string, int> per_trade;
  for (auto& f : sink.all<OrderFilled>()) ++per_trade[f.trade_id.str()];
  EXPECT_EQ(per_trade.size(), 4u);
  for (auto& [id, n] : per_trade) EXPECT_EQ(n, 1) << "trade " << id;
  auto conn = sink.all<VenueConnectionChanged>();
  ASSERT_GE(conn.size(), 3u);
  EXPECT_EQ(conn[1].state, ConnectionState::kReconnecting);
  EXPECT_GE(venue->stats().reconciliations, 1u);
}

TEST_F(VenueFixture, ServerShutdownTriggersReconnectAndReconciliation) {
  ASSERT_TRUE(submit(limit_buy("at9")).ok());
  const auto connects = venue->stats().stream_connects;
  fake.fill("at9", 701, "0.5", false);
  fake.server.ws_push(R"({"event":{"e":"serverShutdown","E":1700000000000}})");
  ASSERT_TRUE(settle([&] {
    return venue->stats().stream_connects > connects && sink.all<OrderFilled>().size() == 1;
  }));
  EXPECT_EQ(sink.all<OrderFilled>()[0].trade_id.str(), "701");
}

TEST_F(VenueFixture, RecoverAfterRestartEmitsWhatTheJournalMissed) {
  fake.orders["at10"] = 3000;
  fake.status["at10"] = "CANCELED";
  fake.trades.push_back({800, 3000, "0.25", "100.00"});
  std::optional<Status> st;
  venue->recover({as_order(limit_buy("at10"))}, [&](Status s) { st = s; });
  ASSERT_TRUE(settle([&] { return st.has_value(); }));
  ASSERT_TRUE(st->ok()) << st->error().message;
  ASSERT_EQ(sink.all<OrderFilled>().size(), 1u);
  ASSERT_EQ(sink.all<OrderCancelled>().size(), 1u);
}

TEST_F(VenueFixture, SecretsNeverAppearInEventsOrErrors) {
  FakeReply r;
  r.status = 400;
  r.body = R"({"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."})";
  fake.next_order_reply = r;
  auto st = submit(limit_buy("at11"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.find(kKey), std::string::npos);
  EXPECT_EQ(st.error().message.find(kSecret), std::string::npos);
  for (auto& e : sink.all<OrderRejected>()) EXPECT_EQ(e.reason.find(kKey), std::string::npos);
}

// --- bad input from the venue: each is a classified error or an anomaly, never a crash -------

FakeReply answer(const std::string& body, int status = 200) {
  FakeReply r;
  r.status = status;
  r.body = body;
  return r;
}

TEST_F(VenueFixture, OrderAnswerThatIsNotJsonIsUnknownOutcomeAndAnAnomaly) {
  fake.next_order_reply = answer(R"({"symbol":"BTCUSDT","orderId":12)");  // truncated JSON
  auto st = submit(limit_buy("bad1"));
  ASSERT_FALSE(st.ok());
  // The venue may well have the order: not a rejection; the engine must query.
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_NE(st.error().message.find("order answer unreadable"), std::string::npos)
      << st.error().message;
  auto an = sink.all<AnomalyDetected>();
  ASSERT_EQ(an.size(), 1u);
  EXPECT_EQ(an[0].kind, "malformed_message");
  EXPECT_EQ(an[0].client_order_id.str(), "bad1");
  EXPECT_TRUE(sink.all<OrderAccepted>().empty());
  EXPECT_TRUE(sink.all<OrderRejected>().empty());
}

TEST_F(VenueFixture, OrderAnswerMissingTheOrderIdIsUnknownOutcomeNamingTheField) {
  fake.next_order_reply = answer(R"({"symbol":"BTCUSDT","clientOrderId":"bad2"})");
  auto st = submit(limit_buy("bad2"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_NE(st.error().message.find("orderId"), std::string::npos) << st.error().message;
  ASSERT_EQ(sink.all<AnomalyDetected>().size(), 1u);
  EXPECT_TRUE(sink.all<OrderAccepted>().empty());
}

TEST_F(VenueFixture, UnknownFieldsInAnswersAndReportsAreIgnored) {
  fake.orders["unk1"] = 4242;
  fake.status["unk1"] = "NEW";
  fake.next_order_reply =
      answer(R"({"symbol":"BTCUSDT","orderId":4242,"clientOrderId":"unk1","transactTime":1,)"
             R"("brandNewField":{"nested":[1,2,3]},"anotherOne":"x"})");
  ASSERT_TRUE(submit(limit_buy("unk1")).ok());
  ASSERT_EQ(sink.all<OrderAccepted>().size(), 1u);
  EXPECT_EQ(sink.all<OrderAccepted>()[0].venue_order_id.str(), "4242");
  std::string report = exec_report("unk1", 4242, "TRADE", "PARTIALLY_FILLED", 950, "0.5", "100.00");
  report.replace(report.find(R"("m":false)"), 9, R"("m":false,"newThing":{"a":[null]},"W":17)");
  fake.server.ws_push(report);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  EXPECT_TRUE(sink.all<OrderFilled>()[0].quantity.identical(Decimal::of("0.5")));
  EXPECT_TRUE(sink.all<AnomalyDetected>().empty());
}

TEST_F(VenueFixture, MistypedFieldInAReportIsAnAnomalyNamingTheField) {
  ASSERT_TRUE(submit(limit_buy("typ1")).ok());
  std::string report = exec_report("typ1", 1000, "TRADE", "PARTIALLY_FILLED", 951, "0.5", "100");
  report.replace(report.find(R"("l":"0.5")"), 9, R"("l":0.5)");  // a number, not a string
  fake.server.ws_push(report);
  fake.fill("typ1", 952, "0.25", true);  // the stream keeps working after it
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  EXPECT_EQ(sink.all<OrderFilled>()[0].trade_id.str(), "952");
  auto an = sink.all<AnomalyDetected>();
  ASSERT_EQ(an.size(), 1u);
  EXPECT_EQ(an[0].kind, "malformed_message");
  EXPECT_NE(an[0].detail.find("field 'l'"), std::string::npos) << an[0].detail;
}

TEST_F(VenueFixture, OrderAnswerCutInHalfIsUnknownOutcomeResolvedByQuery) {
  // The venue took the order; its answer stops half way (Content-Length promises more).
  fake.orders["cut1"] = 2500;
  fake.status["cut1"] = "NEW";
  FakeReply r;
  r.raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n"
      R"({"symbol":"BTCUSDT","orderId":25)";
  fake.next_order_reply = r;
  auto st = submit(limit_buy("cut1"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kUnknownOutcome) << st.error().message;
  EXPECT_TRUE(sink.all<OrderAccepted>().empty());
  const int posts = fake.order_posts;
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(as_order(limit_buy("cut1")),
               [&](Result<adapters::QueryOutcome> x) { q.emplace(x); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_TRUE(q->ok()) << q->error().message;
  EXPECT_TRUE((*q)->found);
  EXPECT_EQ((*q)->venue_order_id.str(), "2500");
  EXPECT_EQ(fake.order_posts, posts);
  EXPECT_EQ(sink.all<OrderAccepted>().size(), 1u);
}

TEST_F(VenueFixture, MalformedQueryAnswerIsAnErrorAndAnAnomalyNotAGuess) {
  ASSERT_TRUE(submit(limit_buy("qry1")).ok());
  fake.next_reply_for["/api/v3/order"] = answer(R"({"symbol":"BTCUSDT","status":42})");
  std::optional<Result<adapters::QueryOutcome>> q;
  venue->query(as_order(limit_buy("qry1")),
               [&](Result<adapters::QueryOutcome> x) { q.emplace(x); });
  ASSERT_TRUE(settle([&] { return q.has_value(); }));
  ASSERT_FALSE(q->ok());
  EXPECT_EQ(q->error().kind, ErrorKind::kTransient);  // ask again later; nothing was decided
  ASSERT_EQ(sink.all<AnomalyDetected>().size(), 1u);
  EXPECT_EQ(sink.all<AnomalyDetected>()[0].client_order_id.str(), "qry1");
  EXPECT_TRUE(sink.all<OrderCancelled>().empty());
}

TEST_F(VenueFixture, GarbageDuringReconciliationIsReportedAndTheStreamCarriesOn) {
  ASSERT_TRUE(submit(limit_buy("rec1")).ok());
  fake.fill("rec1", 961, "0.1", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  const auto connects = venue->stats().stream_connects;
  fake.next_reply_for["/api/v3/myTrades"] = answer("[{\"id\":\"not a number\"}]");
  fake.server.ws_drop_all();
  ASSERT_TRUE(settle([&] {
    for (auto& a : sink.all<AnomalyDetected>())
      if (a.kind == "reconciliation_failed") return true;
    return false;
  }));
  EXPECT_GT(venue->stats().stream_connects, connects);
  bool malformed = false;
  for (auto& a : sink.all<AnomalyDetected>()) malformed |= a.kind == "malformed_message";
  EXPECT_TRUE(malformed);
  // The new stream still applies fills.
  fake.fill("rec1", 962, "0.2", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 2; }));
  EXPECT_EQ(sink.all<OrderFilled>()[1].trade_id.str(), "962");
}

TEST_F(VenueFixture, ReconciledTradeOfAnOrderWeNeverSentIsAnAnomalyNotAFill) {
  ASSERT_TRUE(submit(limit_buy("own1")).ok());
  fake.fill("own1", 971, "0.1", true);
  ASSERT_TRUE(settle([&] { return sink.all<OrderFilled>().size() == 1; }));
  const auto connects = venue->stats().stream_connects;
  fake.server.ws_drop_all();
  // While away: a trade of an order placed by someone else on this account (another client).
  fake.orders["foreign"] = 7777;
  fake.status["foreign"] = "FILLED";
  fake.trades.push_back({972, 7777, "0.3", "100.00"});
  ASSERT_TRUE(settle([&] {
    for (auto& a : sink.all<AnomalyDetected>())
      if (a.kind == "unknown_order") return venue->stats().stream_connects > connects;
    return false;
  }));
  EXPECT_EQ(sink.all<OrderFilled>().size(), 1u);
}

// A venue started against the fake; the first start-up answer is what the test scripted.
struct StartRig {
  asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  FakeBinance fake{ioc, clock};
  Sink sink;
  std::optional<Status> started;

  void start(BinanceVenue& v) {
    v.start(sink, [this](Status s) { started = s; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return started.has_value(); }));
  }
  void stop(BinanceVenue& v) {
    bool stopped = false;
    v.stop([&](Status) { stopped = true; });
    EXPECT_TRUE(testing::run_until(ioc, [&] { return stopped; }));
  }
};

TEST(BinanceVenueStart, ExchangeInfoThatIsNotJsonFailsStartWithAClearError) {
  StartRig r;
  r.fake.next_reply_for["/api/v3/exchangeInfo"] = answer("<html>maintenance</html>");
  BinanceVenue v(r.ioc, r.clock, sim_config(r.fake));
  r.start(v);
  ASSERT_FALSE(r.started->ok());
  EXPECT_EQ(r.started->error().kind, ErrorKind::kTransient);
  EXPECT_NE(r.started->error().message.find("exchangeInfo"), std::string::npos)
      << r.started->error().message;
  r.stop(v);
}

TEST(BinanceVenueStart, AFailedStartUpIsRetriedUntilTheVenueAnswers) {
  StartRig r;
  r.fake.next_reply_for["/api/v3/time"] = answer("<html>502 bad gateway</html>");
  BinanceVenue v(r.ioc, r.clock, sim_config(r.fake));
  r.start(v);
  ASSERT_FALSE(r.started->ok()) << "the first failure is reported at once";
  EXPECT_TRUE(v.instruments().empty());

  // The next attempt gets real answers: rules loaded, stream subscribed, orders go through.
  ASSERT_TRUE(testing::run_until(r.ioc, [&] {
    auto c = r.sink.all<VenueConnectionChanged>();
    return !c.empty() && c.back().state == ConnectionState::kConnected;
  }));
  auto conn = r.sink.all<VenueConnectionChanged>();
  ASSERT_GE(conn.size(), 2u);
  EXPECT_EQ(conn[0].state, ConnectionState::kReconnecting);
  EXPECT_NE(conn[0].detail.find("start-up"), std::string::npos) << conn[0].detail;
  ASSERT_EQ(v.instruments().size(), 1u);
  std::optional<Status> sent;
  v.submit(limit_buy("at1"), 1, [&](Status s) { sent = s; });
  ASSERT_TRUE(testing::run_until(r.ioc, [&] { return sent.has_value(); }));
  EXPECT_TRUE(sent->ok()) << sent->error().message;
  EXPECT_EQ(r.fake.order_posts, 1);
  r.stop(v);
}

TEST(BinanceVenueStart, StopDuringStartUpRetriesEndsTheVenue) {
  StartRig r;
  r.fake.next_reply_for["/api/v3/time"] = answer("<html>502 bad gateway</html>");
  BinanceConfig c = sim_config(r.fake);
  c.reconnect_min = std::chrono::seconds(30);  // stop comes while it waits to retry
  c.reconnect_max = std::chrono::seconds(30);
  BinanceVenue v(r.ioc, r.clock, c);
  r.start(v);
  ASSERT_FALSE(r.started->ok());
  r.stop(v);
  EXPECT_TRUE(v.instruments().empty());
}

}  // namespace
}  // namespace at::binance
