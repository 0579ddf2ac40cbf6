// HttpClient / WsClient: failure classification, loopback-only plain transport, keep-alive.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "adapters/net/http_client.h"
#include "adapters/net/url.h"
#include "adapters/net/ws_client.h"
#include "tests/adapters/net_fake_server.h"

namespace at::net {
namespace {

namespace asio = boost::asio;
using testing::FakeReply;
using testing::FakeServer;

template <typename T>
asio::awaitable<void> store(asio::awaitable<T> a, std::optional<T>* out) {
  out->emplace(co_await std::move(a));
}

template <typename T>
T run(asio::io_context& ioc, asio::awaitable<T> a) {
  std::optional<T> out;
  asio::co_spawn(ioc, store(std::move(a), &out), asio::detached);
  EXPECT_TRUE(testing::run_until(ioc, [&] { return out.has_value(); }));
  return std::move(*out);
}

std::unique_ptr<HttpClient> client(asio::io_context& ioc, const std::string& url,
                                   int timeout_ms = 2000) {
  HttpClientOptions o;
  o.request_timeout = std::chrono::milliseconds(timeout_ms);
  auto c = HttpClient::create(ioc.get_executor(), url, o);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return std::move(*c);
}

HttpRequest post(std::string target = "/api/v3/order") {
  HttpRequest r;
  r.method = "POST";
  r.target = std::move(target);
  return r;
}

TEST(NetUrl, ParsesSchemesHostsAndPorts) {
  auto u = parse_url("wss://ws-api.binance.com:443/ws-api/v3");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "ws-api.binance.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/ws-api/v3");
  EXPECT_EQ(u->host_header(), "ws-api.binance.com");
  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->path, "/");
  EXPECT_FALSE(parse_url("ftp://x").ok());
  EXPECT_FALSE(parse_url("http://:80").ok());
  EXPECT_FALSE(parse_url("http://h:99999").ok());
}

TEST(NetUrl, PlainTransportIsAllowedOnlyToLoopback) {
  EXPECT_TRUE(check_transport_allowed(*parse_url("http://127.0.0.1:9000")).ok());
  EXPECT_TRUE(check_transport_allowed(*parse_url("ws://localhost:9000/ws")).ok());
  EXPECT_TRUE(check_transport_allowed(*parse_url("http://[::1]:9000")).ok());
  EXPECT_TRUE(check_transport_allowed(*parse_url("https://api.binance.com")).ok());
  auto bad = check_transport_allowed(*parse_url("http://api.binance.com"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("loopback"), std::string::npos);
  EXPECT_FALSE(check_transport_allowed(*parse_url("ws://10.1.2.3/ws")).ok());
  EXPECT_FALSE(check_transport_allowed(*parse_url("http://128.0.0.1")).ok());
}

TEST(NetHttpClient, RefusesPlainHttpToARemoteHost) {
  asio::io_context ioc;
  auto c = HttpClient::create(ioc.get_executor(), "http://api.binance.com");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kInvalidArgument);
  HttpClientOptions noverify;
  noverify.verify_peer = false;
  EXPECT_FALSE(HttpClient::create(ioc.get_executor(), "https://api.binance.com", noverify).ok());
  EXPECT_TRUE(HttpClient::create(ioc.get_executor(), "https://api.binance.com").ok());
}

TEST(NetWsClient, RefusesPlainWebSocketToARemoteHost) {
  asio::io_context ioc;
  auto r = run(ioc, WsClient::connect(ioc.get_executor(), "ws://192.0.2.1/ws-api/v3"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
}

TEST(NetHttpClient, ConnectRefusedIsTransient) {
  asio::io_context ioc;
  std::uint16_t port;
  {
    asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto c = client(ioc, "http://127.0.0.1:" + std::to_string(port));
  auto r = run(ioc, c->request(post()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTransient);
}

TEST(NetHttpClient, ResponseCutInHalfIsUnknownOutcome) {
  asio::io_context ioc;
  FakeServer s(ioc);
  s.on_http = [](const testing::FakeRequest&) {
    FakeReply r;
    r.raw =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n"
        "{\"symbol\":\"BTCUSDT\",\"orderId\":";
    return r;
  };
  auto c = client(ioc, s.http_url());
  auto r = run(ioc, c->request(post()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome) << r.error().message;
}

TEST(NetHttpClient, ConnectionClosedAfterTheRequestIsUnknownOutcome) {
  asio::io_context ioc;
  FakeServer s(ioc);
  s.on_http = [](const testing::FakeRequest&) {
    FakeReply r;
    r.raw = "H";  // one byte, then the socket closes
    return r;
  };
  auto c = client(ioc, s.http_url());
  auto r = run(ioc, c->request(post()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome);
}

TEST(NetHttpClient, GarbageInsteadOfHttpIsUnknownOutcome) {
  asio::io_context ioc;
  FakeServer s(ioc);
  s.on_http = [](const testing::FakeRequest&) {
    FakeReply r;
    r.raw = "SSH-2.0-OpenSSH\r\n\r\n";
    return r;
  };
  auto c = client(ioc, s.http_url());
  auto r = run(ioc, c->request(post()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome);
}

TEST(NetHttpClient, NoAnswerWithinTheTimeoutIsUnknownOutcome) {
  asio::io_context ioc;
  FakeServer s(ioc);
  s.on_http = [](const testing::FakeRequest&) {
    FakeReply r;
    r.hang = true;
    return r;
  };
  auto c = client(ioc, s.http_url(), 150);
  auto r = run(ioc, c->request(post()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos);
}

TEST(NetHttpClient, KeepAliveReusesOneConnection) {
  asio::io_context ioc;
  FakeServer s(ioc);
  s.on_http = [](const testing::FakeRequest& q) {
    FakeReply r;
    r.body = "{\"path\":\"" + q.path + "\"}";
    r.headers.emplace_back("X-MBX-USED-WEIGHT-1M", "7");
    return r;
  };
  auto c = client(ioc, s.http_url());
  for (int i = 0; i < 3; ++i) {
    HttpRequest get;
    get.target = "/api/v3/time";
    auto r = run(ioc, c->request(get));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    ASSERT_NE(r->header("x-mbx-used-weight-1m"), nullptr);
    EXPECT_EQ(*r->header("x-mbx-used-weight-1m"), "7");
  }
  EXPECT_EQ(s.connections(), 1u);
  EXPECT_EQ(c->connections_opened(), 1u);
}

TEST(NetHttpClient, StaleKeepAliveConnectionIsNotReused) {
  asio::io_context ioc;
  FakeServer s(ioc);
  int n = 0;
  s.on_http = [&](const testing::FakeRequest&) {
    FakeReply r;
    r.close = ++n == 1;  // the server drops the first connection after answering
    return r;
  };
  auto c = client(ioc, s.http_url());
  ASSERT_TRUE(run(ioc, c->request(post())).ok());
  auto r = run(ioc, c->request(post()));
  ASSERT_TRUE(r.ok()) << r.error().message;  // a POST is never resent: it went on a fresh one
  EXPECT_EQ(s.connections(), 2u);
}

TEST(NetHttpClient, StatusClassification) {
  HttpResponse r;
  r.status = 429;
  r.headers.push_back({"Retry-After", "12"});
  auto e = classify_http_status(r);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e->retry_after_ms, 12000);
  r.status = 418;
  EXPECT_EQ(classify_http_status(r)->kind, ErrorKind::kRateLimited);
  r.status = 503;
  EXPECT_EQ(classify_http_status(r)->kind, ErrorKind::kUnknownOutcome);
  r.status = 400;
  EXPECT_FALSE(classify_http_status(r).has_value());
}

TEST(NetWsClient, ExchangesTextFramesAndReportsDrops) {
  asio::io_context ioc;
  FakeServer s(ioc);
  auto c = run(ioc, WsClient::connect(ioc.get_executor(), s.ws_url()));
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto& ws = **c;
  ASSERT_TRUE(run(ioc, ws.send(R"({"id":"a1","method":"ping"})")).ok());
  auto m = run(ioc, ws.read());
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->find("\"a1\""), std::string::npos);
  s.ws_drop_all();
  auto gone = run(ioc, ws.read());
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, ErrorKind::kDisconnected);
}

TEST(NetWsClient, ConnectRefusedIsTransient) {
  asio::io_context ioc;
  std::uint16_t port;
  {
    asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto r = run(
      ioc, WsClient::connect(ioc.get_executor(), "ws://127.0.0.1:" + std::to_string(port) + "/ws"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTransient);
}

}  // namespace
}  // namespace at::net
