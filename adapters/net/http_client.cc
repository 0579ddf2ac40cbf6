#include "adapters/net/http_client.h"

#include <strings.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <deque>
#include <variant>

#include "adapters/net/connect.h"
#include "adapters/net/tls.h"

namespace at::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0)
      return &h.value;
  return nullptr;
}

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  std::variant<std::unique_ptr<PlainStream>, std::unique_ptr<TlsStream>> stream;
  beast::flat_buffer buffer;
  Clock::time_point last_used;

  beast::tcp_stream& tcp() {
    if (auto* p = std::get_if<0>(&stream)) return **p;
    return beast::get_lowest_layer(*std::get<1>(stream));
  }
  // True when the peer has closed (or sent unexpected bytes on) an idle connection.
  bool stale() {
    auto& sock = tcp().socket();
    if (!sock.is_open()) return true;
    char c;
    ssize_t n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;                            // orderly close
    if (n > 0) return true;                             // bytes nobody asked for
    return !(errno == EAGAIN || errno == EWOULDBLOCK);  // error: reset etc.
  }
};

// How far a request got before it failed: it decides the error kind.
enum class Stage { kConnect, kWrite, kRead };

}  // namespace

struct HttpClient::Impl {
  asio::any_io_executor ex;
  Url url;
  HttpClientOptions opt;
  std::shared_ptr<ssl::context> tls;
  std::deque<std::unique_ptr<Connection>> idle;
  std::uint64_t opened = 0;

  std::unique_ptr<Connection> take_idle() {
    auto now = Clock::now();
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (now - c->last_used <= opt.max_idle_time && !c->stale()) return c;
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> c) {
    c->last_used = Clock::now();
    c->tcp().expires_never();
    idle.push_back(std::move(c));
    while (idle.size() > opt.max_idle) idle.pop_front();
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect() {
    auto c = std::make_unique<Connection>();
    if (url.tls()) {
      auto s = std::make_unique<TlsStream>(ex, *tls);
      if (auto st = detail::prepare_tls_stream(s->native_handle(), url.host, opt.verify_peer); !st)
        co_return st.error();
      auto& tcp = beast::get_lowest_layer(*s);
      if (auto st = co_await detail::connect_tcp(tcp, url, opt.connect_timeout); !st)
        co_return st.error();
      tcp.expires_after(opt.connect_timeout);
      auto [ec] = co_await s->async_handshake(ssl::stream_base::client, kTuple);
      if (ec) co_return detail::classify_tls_handshake_error(s->native_handle(), ec, url.host);
      c->stream = std::move(s);
    } else {
      auto s = std::make_unique<PlainStream>(ex);
      if (auto st = co_await detail::connect_tcp(*s, url, opt.connect_timeout); !st)
        co_return st.error();
      c->stream = std::move(s);
    }
    ++opened;
    co_return c;
  }

  // One attempt on one connection. On success the connection goes back to the pool when the
  // server keeps it alive.
  asio::awaitable<Result<HttpResponse>> attempt(const http::request<http::string_body>& req,
                                                std::unique_ptr<Connection> c, Stage& stage) {
    stage = Stage::kWrite;
    c->tcp().expires_after(opt.request_timeout);
    boost::system::error_code wec;
    if (auto* p = std::get_if<0>(&c->stream)) {
      auto [ec, n] = co_await http::async_write(**p, req, kTuple);
      wec = ec;
    } else {
      auto [ec, n] = co_await http::async_write(*std::get<1>(c->stream), req, kTuple);
      wec = ec;
    }
    if (wec)
      co_return make_error(ErrorKind::kDisconnected, "http: request to " + url.host_header() +
                                                         " not sent completely: " + wec.message());
    stage = Stage::kRead;
    http::response_parser<http::string_body> parser;
    parser.body_limit(opt.body_limit);
    boost::system::error_code rec;
    std::size_t got = 0;
    if (auto* p = std::get_if<0>(&c->stream)) {
      auto [ec, n] = co_await http::async_read(**p, c->buffer, parser, kTuple);
      rec = ec;
      got = n;
    } else {
      auto [ec, n] = co_await http::async_read(*std::get<1>(c->stream), c->buffer, parser, kTuple);
      rec = ec;
      got = n;
    }
    if (rec) {
      std::string what =
          rec == beast::error::timeout ? "timed out waiting for the response"
          : got == 0 && (rec == http::error::end_of_stream || rec == asio::error::eof)
              ? "connection closed before any response"
              : "response lost or cut (" + std::to_string(got) + " bytes read): " + rec.message();
      Error e =
          make_error(ErrorKind::kUnknownOutcome,
                     "http: " + std::string(req.method_string()) + " " +
                         std::string(req.target().substr(0, req.target().find('?'))) + " " + what);
      if (got == 0 && rec != beast::error::timeout) e.venue_code = -1;  // marks "nothing read"
      co_return e;
    }
    auto& msg = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg)
      out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    bool keep = msg.keep_alive();
    out.body = std::move(msg.body());
    if (keep) give_back(std::move(c));
    co_return out;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::create(asio::any_io_executor ex,
                                                       std::string_view base_url,
                                                       HttpClientOptions options) {
  auto u = parse_url(base_url);
  if (!u) return u.error();
  if (u->websocket())
    return make_error(ErrorKind::kInvalidArgument,
                      "http client needs an http(s) url, got " + u->scheme + "://");
  if (auto st = check_transport_allowed(*u); !st) return st.error();
  if (!options.verify_peer && !is_loopback_host(u->host))
    return make_error(ErrorKind::kInvalidArgument,
                      "certificate verification may be disabled only for loopback hosts");
  auto impl = std::make_unique<Impl>();
  impl->ex = std::move(ex);
  impl->url = std::move(*u);
  impl->opt = std::move(options);
  if (impl->url.tls()) {
    auto ctx = detail::make_tls_client_context(impl->opt.ca_file, impl->opt.verify_peer);
    if (!ctx) return ctx.error();
    impl->tls = std::move(*ctx);
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

asio::awaitable<Result<HttpResponse>> HttpClient::request(HttpRequest request) {
  Impl& I = *impl_;
  http::request<http::string_body> req;
  auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown)
    co_return make_error(ErrorKind::kInvalidArgument, "http: unknown method " + request.method);
  req.method(verb);
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, I.url.host_header());
  req.set(http::field::user_agent, I.opt.user_agent);
  req.keep_alive(true);
  for (const auto& h : request.headers) req.set(h.name, h.value);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
    req.body() = std::move(request.body);
    req.prepare_payload();
  }

  for (int round = 0; round < 2; ++round) {
    auto c = I.take_idle();
    bool reused = c != nullptr;
    if (!c) {
      auto fresh = co_await I.connect();
      if (!fresh) co_return fresh.error();
      c = std::move(*fresh);
    }
    Stage stage = Stage::kConnect;
    auto r = co_await I.attempt(req, std::move(c), stage);
    if (r.ok()) co_return r;
    // A pooled connection the server closed just before we wrote: an idempotent request may
    // safely go again once on a fresh connection. Anything else is reported as classified.
    bool stale_hint = stage == Stage::kWrite || r.error().venue_code == -1;
    if (reused && stale_hint && request.idempotent() && round == 0) continue;
    Error e = r.error();
    e.venue_code = 0;
    co_return e;
  }
  co_return make_error(ErrorKind::kTransient, "http: unreachable");
}

void HttpClient::close_idle() { impl_->idle.clear(); }
const Url& HttpClient::url() const { return impl_->url; }
std::uint64_t HttpClient::connections_opened() const { return impl_->opened; }

std::optional<Error> classify_http_status(const HttpResponse& response) {
  int s = response.status;
  if (s == 429 || s == 418) {
    Error e = make_error(ErrorKind::kRateLimited,
                         s == 418 ? "http 418: IP banned for exceeding rate limits"
                                  : "http 429: rate limit exceeded");
    std::int64_t secs = 0;
    if (const std::string* ra = response.header("Retry-After")) {
      std::from_chars(ra->data(), ra->data() + ra->size(), secs);
    }
    e.retry_after_ms = (secs > 0 ? secs : 1) * 1000;
    return e;
  }
  if (s >= 500 && s <= 599)
    return make_error(ErrorKind::kUnknownOutcome,
                      "http " + std::to_string(s) + ": server error, execution status unknown");
  return std::nullopt;
}

}  // namespace at::net
