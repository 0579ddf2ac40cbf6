// The FakeServer used by the adapter tests (see net_fake_server.h), plus its own smoke test.
#include "tests/adapters/net_fake_server.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>

#include "adapters/net/signing.h"

namespace at::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string FakeRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

struct WsSession {
  websocket::stream<beast::tcp_stream> ws;
  std::vector<std::string> outbox;
  bool writing = false;
  bool open = true;
  explicit WsSession(tcp::socket s) : ws(std::move(s)) {}
};

struct FakeServer::State : std::enable_shared_from_this<FakeServer::State> {
  asio::io_context& ioc;
  tcp::acceptor acceptor;
  FakeServer* owner;
  std::vector<FakeRequest> requests;
  std::vector<std::string> ws_targets;
  std::vector<std::shared_ptr<WsSession>> sessions;
  std::vector<std::shared_ptr<tcp::socket>> held;  // hung connections
  std::uint64_t frames = 0, conns = 0;
  bool stopped = false;

  State(asio::io_context& io, FakeServer* o)
      : ioc(io), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), owner(o) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      ++conns;
      asio::co_spawn(ioc, self->serve(std::move(sock)), asio::detached);
    }
  }

  static FakeRequest to_fake(const http::request<http::string_body>& req) {
    FakeRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) {
      std::string qs = r.target.substr(q + 1);
      std::size_t pos = 0;
      while (pos <= qs.size()) {
        auto amp = qs.find('&', pos);
        std::string kvp = qs.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        auto eq = kvp.find('=');
        if (eq != std::string::npos)
          r.query[net::url_decode(kvp.substr(0, eq))] = net::url_decode(kvp.substr(eq + 1));
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
    }
    for (const auto& f : req)
      r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = req.body();
    return r;
  }

  asio::awaitable<void> serve(tcp::socket sock) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buf, req, kTuple);
      if (ec) co_return;
      if (websocket::is_upgrade(req)) {
        ws_targets.emplace_back(req.target());
        auto s = std::make_shared<WsSession>(stream.release_socket());
        auto [aec] = co_await s->ws.async_accept(req, kTuple);
        if (aec) co_return;
        s->ws.text(true);
        sessions.push_back(s);
        co_await ws_read_loop(s);
        co_return;
      }
      FakeRequest fr = to_fake(req);
      requests.push_back(fr);
      FakeReply rep = owner && owner->on_http ? owner->on_http(fr) : FakeReply{};
      if (rep.hang) {
        held.push_back(std::make_shared<tcp::socket>(stream.release_socket()));
        co_return;
      }
      if (!rep.raw.empty()) {
        co_await asio::async_write(stream.socket(), asio::buffer(rep.raw), kTuple);
        beast::error_code ignore;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignore);
        stream.close();
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(rep.status), 11};
      res.set(http::field::content_type, "application/json");
      for (auto& [k, v] : rep.headers) res.set(k, v);
      res.body() = rep.body;
      res.keep_alive(!rep.close && req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      if (wec || rep.close || !req.keep_alive()) {
        stream.close();
        co_return;
      }
    }
  }

  asio::awaitable<void> ws_read_loop(std::shared_ptr<WsSession> s) {
    auto self = shared_from_this();
    beast::flat_buffer b;
    for (;;) {
      b.clear();
      auto [ec, n] = co_await s->ws.async_read(b, kTuple);
      if (ec) {
        s->open = false;
        co_return;
      }
      ++frames;
      std::string frame = beast::buffers_to_string(b.data());
      std::vector<std::string> replies;
      if (owner && owner->on_ws) replies = owner->on_ws(frame);
      for (auto& r : replies) push(s, r);
    }
  }

  void push(const std::shared_ptr<WsSession>& s, std::string frame) {
    if (!s->open) return;
    s->outbox.push_back(std::move(frame));
    if (s->writing) return;
    s->writing = true;
    asio::co_spawn(ioc, write_loop(s), asio::detached);
  }

  asio::awaitable<void> write_loop(std::shared_ptr<WsSession> s) {
    auto self = shared_from_this();
    while (!s->outbox.empty() && s->open) {
      std::string f = std::move(s->outbox.front());
      s->outbox.erase(s->outbox.begin());
      auto [ec, n] = co_await s->ws.async_write(asio::buffer(f), kTuple);
      if (ec) s->open = false;
    }
    s->writing = false;
  }
};

FakeServer::FakeServer(asio::io_context& ioc) : s_(std::make_shared<State>(ioc, this)) {
  on_ws = [](const std::string& frame) -> std::vector<std::string> {
    // Answer any request with status 200, echoing its id.
    auto p = frame.find("\"id\":\"");
    std::string id = "null";
    if (p != std::string::npos) {
      auto e = frame.find('"', p + 6);
      id = "\"" + frame.substr(p + 6, e - p - 6) + "\"";
    }
    return {"{\"id\":" + id + ",\"status\":200,\"result\":{\"subscriptionId\":0}}"};
  };
  asio::co_spawn(ioc, s_->accept_loop(), asio::detached);
}

FakeServer::~FakeServer() { stop(); }

std::uint16_t FakeServer::port() const { return s_->acceptor.local_endpoint().port(); }
std::string FakeServer::http_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
std::string FakeServer::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(port()) + "/ws-api/v3";
}

void FakeServer::ws_push(const std::string& frame) {
  for (auto& s : s_->sessions) s_->push(s, frame);
}

void FakeServer::ws_drop_all() {
  for (auto& s : s_->sessions) {
    s->open = false;
    beast::error_code ec;
    beast::get_lowest_layer(s->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(s->ws).socket().close(ec);
  }
  s_->sessions.clear();
}

std::size_t FakeServer::ws_open() const {
  std::size_t n = 0;
  for (auto& s : s_->sessions) n += s->open ? 1 : 0;
  return n;
}
std::uint64_t FakeServer::ws_frames_received() const { return s_->frames; }
std::uint64_t FakeServer::connections() const { return s_->conns; }
const std::vector<FakeRequest>& FakeServer::requests() const { return s_->requests; }
const std::vector<std::string>& FakeServer::ws_targets() const { return s_->ws_targets; }

void FakeServer::stop() {
  if (s_->stopped) return;
  s_->stopped = true;
  beast::error_code ec;
  s_->acceptor.close(ec);
  ws_drop_all();
  for (auto& h : s_->held) h->close(ec);
  s_->owner = nullptr;  // sessions still winding down must not call back into us
}

TEST(FakeServer, ListensOnLoopbackWithAnEphemeralPort) {
  asio::io_context ioc;
  FakeServer s(ioc);
  EXPECT_GT(s.port(), 0);
  EXPECT_EQ(s.http_url().rfind("http://127.0.0.1:", 0), 0u);
}

}  // namespace at::testing
