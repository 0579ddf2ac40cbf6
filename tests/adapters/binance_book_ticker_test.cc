// Binance public bookTicker -> md::Quote: decoding (exact decimals, symbol mapping, bad frames)
// and BookTickerFeed against a fake stream server on 127.0.0.1 (anomalies, stale updates,
// reconnect after a drop). Against the real simulator: tests/integration/binance_sim_e2e_test.cc.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "adapters/binance/book_ticker.h"
#include "tests/adapters/net_fake_server.h"

namespace at::binance {
namespace {

namespace asio = boost::asio;

SymbolMap btc_eth() {
  SymbolMap m;
  m.add("BTCUSDT", Symbol::of("BTC-USDT"));
  m.add("ETHBTC", Symbol::of("ETH-BTC"));
  return m;
}

TEST(BinanceBookTicker, UrlNamesEveryStreamInLowerCase) {
  EXPECT_EQ(book_ticker_url("wss://stream.binance.com:9443/", {"BTCUSDT", "ETHBTC"}),
            "wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker/ethbtc@bookTicker");
}

TEST(BinanceBookTicker, CombinedFrameBecomesAQuoteWithExactDecimals) {
  auto u = parse_book_ticker(
      R"({"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT",)"
      R"("b":"64250.12000000","B":"31.21000000","a":"64250.13000000","A":"40.66000000"}})",
      btc_eth(), 42);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->update_id, 400900217);
  EXPECT_EQ(u->quote.symbol, Symbol::of("BTC-USDT"));
  EXPECT_TRUE(u->quote.bid.identical(Decimal::of("64250.12000000")));  // as sent, no rounding
  EXPECT_TRUE(u->quote.ask.identical(Decimal::of("64250.13000000")));
  EXPECT_EQ(u->quote.bid_size, Decimal::of("31.21"));
  EXPECT_EQ(u->quote.ask_size, Decimal::of("40.66"));
  EXPECT_EQ(u->quote.ts_ns, 42);
}

TEST(BinanceBookTicker, BareFrameAndUnknownFieldsDecode) {
  auto u = parse_book_ticker(
      R"({"u":7,"s":"ETHBTC","b":"0.05123000","B":"1","a":"0.05124000","A":"2","T":1,"new":[1]})",
      btc_eth(), 0);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->quote.symbol, Symbol::of("ETH-BTC"));
  EXPECT_EQ(u->quote.bid, Decimal::of("0.05123"));
}

TEST(BinanceBookTicker, BadFramesAreErrorsNamingWhatIsWrong) {
  auto m = btc_eth();
  auto err = [&](std::string_view f) {
    auto u = parse_book_ticker(f, m, 0);
    return u.ok() ? std::string("ok") : u.error().message;
  };
  EXPECT_NE(err("{not json").find("malformed JSON"), std::string::npos);
  EXPECT_NE(err("[1,2]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"s":"BTCUSDT","b":"1","B":"1","a":"1","A":"1"})").find("'u'"),
            std::string::npos);
  EXPECT_NE(err(R"({"u":1,"s":"BTCUSDT","B":"1","a":"1","A":"1"})").find("missing field 'b'"),
            std::string::npos);
  EXPECT_NE(err(R"({"u":1,"s":"BTCUSDT","b":1.5,"B":"1","a":"1","A":"1"})").find("'b'"),
            std::string::npos);
  EXPECT_NE(err(R"({"u":1,"s":"BTCUSDT","b":"abc","B":"1","a":"1","A":"1"})").find("decimal"),
            std::string::npos);
  EXPECT_NE(err(R"({"u":1,"s":"XRPUSDT","b":"1","B":"1","a":"1","A":"1"})").find("XRPUSDT"),
            std::string::npos);
  EXPECT_NE(err(R"({"stream":"x","data":"y"})").find("'data'"), std::string::npos);
}

std::string frame(std::int64_t u, const std::string& bid, const std::string& ask) {
  return R"({"stream":"btcusdt@bookTicker","data":{"u":)" + std::to_string(u) +
         R"(,"s":"BTCUSDT","b":")" + bid + R"(","B":"1.5","a":")" + ask + R"(","A":"2.5"}})";
}

struct FeedFixture : ::testing::Test {
  asio::io_context ioc;
  ManualClock clock{1'700'000'000'000'000'000};
  testing::FakeServer server{ioc};
  std::vector<md::Quote> quotes;
  std::vector<Event> events;
  std::unique_ptr<BookTickerFeed> feed;

  void SetUp() override {
    BookTickerOptions o;
    o.stream_url = "ws://127.0.0.1:" + std::to_string(server.port());
    o.symbols = {Symbol::of("BTC-USDT")};
    o.reconnect_min = std::chrono::milliseconds(10);
    o.reconnect_max = std::chrono::milliseconds(50);
    feed = std::make_unique<BookTickerFeed>(ioc, clock, o);
    auto st = feed->start([this](const md::Quote& q) { quotes.push_back(q); },
                          [this](Event e) { events.push_back(std::move(e)); });
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_TRUE(testing::run_until(ioc, [&] { return server.ws_open() == 1; }));
  }
  void TearDown() override {
    bool stopped = false;
    feed->stop([&] { stopped = true; });
    EXPECT_TRUE(testing::run_until(ioc, [&] { return stopped; }));
  }
  template <typename T>
  std::vector<T> all() const {
    std::vector<T> v;
    for (auto& e : events)
      if (auto* p = std::get_if<T>(&e)) v.push_back(*p);
    return v;
  }
};

TEST_F(FeedFixture, SubscribesToTheCombinedStreamAndDeliversQuotes) {
  ASSERT_EQ(server.ws_targets().size(), 1u);
  EXPECT_EQ(server.ws_targets()[0], "/stream?streams=btcusdt@bookTicker");
  clock.advance_ms(5);
  server.ws_push(frame(10, "100.01", "100.02"));
  ASSERT_TRUE(testing::run_until(ioc, [&] { return quotes.size() == 1; }));
  EXPECT_EQ(quotes[0].symbol, Symbol::of("BTC-USDT"));
  EXPECT_TRUE(quotes[0].bid.identical(Decimal::of("100.01")));
  EXPECT_TRUE(quotes[0].ask_size.identical(Decimal::of("2.5")));
  EXPECT_EQ(quotes[0].ts_ns, clock.now_ns());
  ASSERT_EQ(all<VenueConnectionChanged>().size(), 1u);
  EXPECT_EQ(all<VenueConnectionChanged>()[0].state, ConnectionState::kConnected);
}

TEST_F(FeedFixture, BadFramesBecomeAnomaliesAndTheFeedCarriesOn) {
  server.ws_push("{{{ nope");
  server.ws_push(R"({"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT"}})");
  server.ws_push(frame(11, "100.01", "100.02"));
  ASSERT_TRUE(testing::run_until(ioc, [&] { return quotes.size() == 1; }));
  auto an = all<AnomalyDetected>();
  ASSERT_EQ(an.size(), 2u);
  EXPECT_EQ(an[0].kind, "malformed_message");
  EXPECT_EQ(an[0].venue, "binance-md");
  EXPECT_NE(an[1].detail.find("missing field 'b'"), std::string::npos) << an[1].detail;
  EXPECT_EQ(feed->stats().malformed, 2u);
}

TEST_F(FeedFixture, AnOlderUpdateAfterANewerOneIsDroppedAsStale) {
  server.ws_push(frame(20, "100.05", "100.06"));
  server.ws_push(frame(19, "100.01", "100.02"));
  server.ws_push(frame(21, "100.07", "100.08"));
  ASSERT_TRUE(testing::run_until(ioc, [&] { return quotes.size() == 2; }));
  EXPECT_EQ(quotes[1].bid, Decimal::of("100.07"));
  EXPECT_EQ(feed->stats().stale, 1u);
}

TEST_F(FeedFixture, ReconnectsAfterADropAndKeepsDelivering) {
  server.ws_push(frame(30, "100.01", "100.02"));
  ASSERT_TRUE(testing::run_until(ioc, [&] { return quotes.size() == 1; }));
  server.ws_drop_all();
  ASSERT_TRUE(testing::run_until(ioc, [&] { return feed->stats().connects == 2; }));
  ASSERT_TRUE(testing::run_until(ioc, [&] { return server.ws_open() == 1; }));
  server.ws_push(frame(1, "99.01", "99.02"));  // a restarted venue may count from 1 again
  ASSERT_TRUE(testing::run_until(ioc, [&] { return quotes.size() == 2; }));
  EXPECT_EQ(quotes[1].bid, Decimal::of("99.01"));
  auto conn = all<VenueConnectionChanged>();
  ASSERT_EQ(conn.size(), 3u);
  EXPECT_EQ(conn[1].state, ConnectionState::kReconnecting);
  EXPECT_EQ(conn[2].state, ConnectionState::kConnected);
}

TEST(BinanceBookTickerFeed, RefusesNoSymbolsAndPlainWebSocketToARemoteHost) {
  asio::io_context ioc;
  ManualClock clock;
  BookTickerOptions o;
  o.stream_url = "ws://stream.binance.com:9443";
  BookTickerFeed none(ioc, clock, o);
  auto st = none.start([](const md::Quote&) {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("no symbols"), std::string::npos);
  o.symbols = {Symbol::of("BTC-USDT")};
  BookTickerFeed remote(ioc, clock, o);
  st = remote.start([](const md::Quote&) {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("loopback"), std::string::npos) << st.error().message;
  bool a = false, b = false;
  none.stop([&] { a = true; });
  remote.stop([&] { b = true; });
  EXPECT_TRUE(testing::run_until(ioc, [&] { return a && b; }));
}

TEST(BinanceBookTickerFeed, OptionsComeFromTheAdapterConfig) {
  BinanceConfig c;
  c.environment = Environment::kLive;
  auto o = book_ticker_options(c, {Symbol::of("BTC-USDT")});
  EXPECT_EQ(o.stream_url, "wss://stream.binance.com:9443");
  c.environment = Environment::kTestnet;
  EXPECT_EQ(book_ticker_options(c, {}).stream_url, "wss://stream.testnet.binance.vision");
  c.stream_url = "ws://127.0.0.1:9100";
  EXPECT_EQ(book_ticker_options(c, {}).stream_url, "ws://127.0.0.1:9100");
}

}  // namespace
}  // namespace at::binance
