#include "sim/net/loopback_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace at::sim::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return &v;
  }
  return nullptr;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day.
struct CertPair {
  std::string cert_pem;
  std::string key_pem;
};

Result<CertPair> make_self_signed() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return make_error(ErrorKind::kIo, "tls: key generation failed");
  X509* x = X509_new();
  auto cleanup = [&] {
    X509_free(x);
    EVP_PKEY_free(key);
  };
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext =
          X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost")) {
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, key, EVP_sha256()) == 0) {
    cleanup();
    return make_error(ErrorKind::kIo, "tls: certificate signing failed");
  }
  CertPair out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  out.cert_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(b, &data);
  out.key_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  cleanup();
  return out;
}

}  // namespace

// Handlers and coroutines refer to Impl by raw pointer: stop() joins the I/O thread before
// Impl (and with it the io_context, which destroys whatever handlers are left) goes away.
struct LoopbackServer::Impl {
  Options opt;
  ServerHooks hooks;
  asio::io_context ioc{1};
  std::optional<ssl::context> tls_ctx;
  std::string cert_pem;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_id{1};

  // Every live connection's "cancel" function, so stop() can end them.
  mutable std::mutex conn_mu;
  std::condition_variable conn_cv;
  std::map<std::uint64_t, std::function<void()>> connections;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;

  std::uint64_t register_conn(std::function<void()> cancel) {
    std::uint64_t id = next_id++;
    std::lock_guard lk(conn_mu);
    connections.emplace(id, std::move(cancel));
    return id;
  }
  void unregister_conn(std::uint64_t id) {
    std::lock_guard lk(conn_mu);
    connections.erase(id);
    conn_cv.notify_all();
  }
  // stop() closes this socket (on its strand). The stream must stay put until unregistered.
  void set_cancel(std::uint64_t id, beast::tcp_stream& s) {
    std::lock_guard lk(conn_mu);
    connections[id] = [sock = &s.socket(), ex = s.get_executor()] {
      asio::post(ex, [sock] {
        beast::error_code ec;
        sock->close(ec);
      });
    };
  }

  awaitable<void> accept_loop();
  template <class Stream>
  awaitable<void> serve(Stream stream, std::string remote_ip, std::uint64_t conn_id);
  template <class Stream>
  awaitable<void> serve_ws(Stream stream, http::request<http::string_body> req, HttpRequest view,
                           std::uint64_t conn_id);
};

namespace {

HttpRequest to_view(const http::request<http::string_body>& req, const std::string& ip) {
  HttpRequest v;
  v.method = std::string(req.method_string());
  v.target = std::string(req.target());
  auto q = v.target.find('?');
  v.path = v.target.substr(0, q);
  if (q != std::string::npos) v.query = v.target.substr(q + 1);
  for (const auto& f : req) v.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
  v.body = req.body();
  v.remote_ip = ip;
  return v;
}

http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version,
                                           bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "autotrader-sim");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// The WebSocket side of one connection. Writes go through a queue drained by one writer
// coroutine, so at most one write is in flight.
template <class WsStream>
class WsPeerImpl final : public WsPeer, public std::enable_shared_from_this<WsPeerImpl<WsStream>> {
 public:
  WsPeerImpl(std::shared_ptr<WsStream> ws, std::uint64_t id, std::size_t max_queue)
      : ws_(std::move(ws)), id_(id), max_queue_(max_queue), exec_(ws_->get_executor()) {}

  std::uint64_t id() const override { return id_; }
  bool is_open() const override { return open_.load(); }

  void send(std::string text) override {
    if (!open_.load()) return;
    asio::post(exec_, [self = this->shared_from_this(), t = std::move(text)]() mutable {
      self->enqueue(std::move(t));
    });
  }
  void drop() override {
    asio::post(exec_, [self = this->shared_from_this()] { self->do_drop(); });
  }
  void close(int code) override {
    asio::post(exec_, [self = this->shared_from_this(), code] {
      if (!self->open_.load()) return;
      self->close_code_ = code;
      self->enqueue({});  // marker: close after everything queued before it
    });
  }

  // Called on the strand once the handshake is done: frames queued before it go out now
  // (writing during async_accept would corrupt the stream).
  void mark_accepted() {
    accepted_ = true;
    if (!queue_.empty() && !writing_ && open_.load()) {
      writing_ = true;
      asio::co_spawn(exec_, write_loop(this->shared_from_this()), asio::detached);
    }
  }
  // Called on the strand.
  void mark_closed() {
    open_.store(false);
    queue_.clear();
  }
  void do_drop() {
    if (!open_.exchange(false)) return;
    queue_.clear();
    beast::error_code ec;
    beast::get_lowest_layer(*ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(*ws_).socket().close(ec);
  }

 private:
  void enqueue(std::string t) {
    if (!open_.load()) return;
    if (queue_.size() >= max_queue_) {
      do_drop();
      return;
    }
    queue_.push_back(std::move(t));
    if (accepted_ && !writing_) {
      writing_ = true;
      asio::co_spawn(exec_, write_loop(this->shared_from_this()), asio::detached);
    }
  }

  static awaitable<void> write_loop(std::shared_ptr<WsPeerImpl> self) {
    while (!self->queue_.empty() && self->open_.load()) {
      std::string msg = std::move(self->queue_.front());
      self->queue_.pop_front();
      if (msg.empty() && self->close_code_ != 0) {
        co_await self->ws_->async_close(static_cast<websocket::close_code>(self->close_code_),
                                        kTuple);
        self->open_.store(false);
        break;
      }
      self->ws_->text(true);
      auto [ec, n] = co_await self->ws_->async_write(asio::buffer(msg), kTuple);
      if (ec) {
        self->open_.store(false);
        break;
      }
    }
    self->writing_ = false;
  }

  std::shared_ptr<WsStream> ws_;  // shared with the reading coroutine
  std::uint64_t id_;
  std::size_t max_queue_;
  asio::any_io_executor exec_;
  std::atomic<bool> open_{true};
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool accepted_ = false;
  int close_code_ = 0;
};

}  // namespace

template <class Stream>
awaitable<void> LoopbackServer::Impl::serve_ws(Stream stream, http::request<http::string_body> req,
                                               HttpRequest view, std::uint64_t conn_id) {
  using Ws = websocket::stream<Stream>;
  auto ws = std::make_shared<Ws>(std::move(stream));
  websocket::stream_base::timeout to{};
  to.handshake_timeout = std::chrono::seconds(30);
  to.idle_timeout = opt.ping_interval * 2;  // Beast pings at half the idle timeout
  to.keep_alive_pings = true;
  ws->set_option(to);
  ws->read_message_max(1 << 20);
  auto peer = std::make_shared<WsPeerImpl<Ws>>(ws, conn_id, opt.max_queued_frames);
  HttpResponse refusal;
  refusal.status = 0;
  std::shared_ptr<WsHandler> handler;
  if (hooks.ws_open) handler = hooks.ws_open(view, peer, refusal);
  if (!handler) {
    peer->mark_closed();
    if (refusal.status == 0) {
      refusal.status = 404;
      refusal.body = R"({"code":-1000,"msg":"Unknown stream."})";
    }
    auto res = to_beast(refusal, req.version(), false);
    co_await http::async_write(ws->next_layer(), res, kTuple);
    beast::error_code ec;
    beast::get_lowest_layer(*ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  {
    // Cancel for stop(): drop the socket.
    std::lock_guard lk(conn_mu);
    connections[conn_id] = [peer] { peer->drop(); };
  }
  beast::get_lowest_layer(*ws).expires_never();
  auto [aec] = co_await ws->async_accept(req, kTuple);
  if (aec) {
    peer->mark_closed();
    handler->on_closed();
    co_return;
  }
  peer->mark_accepted();
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buf, kTuple);
    if (ec) break;
    std::string text = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    handler->on_text(std::move(text));
  }
  peer->mark_closed();
  handler->on_closed();
  beast::error_code ec;
  beast::get_lowest_layer(*ws).socket().close(ec);
}

template <class Stream>
awaitable<void> LoopbackServer::Impl::serve(Stream stream, std::string remote_ip,
                                            std::uint64_t conn_id) {
  set_cancel(conn_id, beast::get_lowest_layer(stream));
  beast::flat_buffer buf;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(120));
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    auto [ec, n] = co_await http::async_read(stream, buf, parser, kTuple);
    if (ec) break;
    auto req = parser.release();
    HttpRequest view = to_view(req, remote_ip);
    if (websocket::is_upgrade(req)) {
      co_await serve_ws(std::move(stream), std::move(req), std::move(view), conn_id);
      co_return;
    }
    HttpResponse r;
    if (hooks.http) {
      r = hooks.http(view);
    } else {
      r.status = 404;
    }
    if (r.delay.count() > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(r.delay);
      co_await t.async_wait(kTuple);
      if (stopping.load()) break;
    }
    if (r.drop_connection) break;
    bool keep = req.keep_alive();
    auto res = to_beast(r, req.version(), keep);
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !keep) break;
  }
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(stream).socket().close(ec);
}

awaitable<void> LoopbackServer::Impl::accept_loop() {
  for (;;) {
    auto strand = asio::make_strand(ioc);
    tcp::socket sock(strand);
    auto [ec] = co_await acceptor.async_accept(sock, kTuple);
    if (ec) {
      if (stopping.load() || !acceptor.is_open()) co_return;
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    std::string ip = sock.remote_endpoint(ec).address().to_string();
    Impl* self = this;
    auto tcp_stream = std::make_shared<beast::tcp_stream>(std::move(sock));
    if (tls_ctx) {
      using S = ssl::stream<beast::tcp_stream>;
      auto body = [](Impl* self, S stream, std::string ip) -> awaitable<void> {
        std::uint64_t id = self->register_conn({});
        self->set_cancel(id, beast::get_lowest_layer(stream));
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
        auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
        if (!hec) co_await self->serve(std::move(stream), std::move(ip), id);
        self->unregister_conn(id);
      };
      asio::co_spawn(strand, body(self, S(std::move(*tcp_stream), *tls_ctx), std::move(ip)),
                     asio::detached);
    } else {
      auto body = [](Impl* self, beast::tcp_stream stream, std::string ip) -> awaitable<void> {
        std::uint64_t id = self->register_conn({});
        co_await self->serve(std::move(stream), std::move(ip), id);
        self->unregister_conn(id);
      };
      asio::co_spawn(strand, body(self, std::move(*tcp_stream), std::move(ip)), asio::detached);
    }
  }
}

LoopbackServer::LoopbackServer(Options options, ServerHooks hooks)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->hooks = std::move(hooks);
}

LoopbackServer::~LoopbackServer() { stop(); }

Status LoopbackServer::start() {
  auto& I = *impl_;
  if (I.opt.tls) {
    auto cert = make_self_signed();
    if (!cert) return cert.error();
    I.cert_pem = cert->cert_pem;
    I.tls_ctx.emplace(ssl::context::tls_server);
    I.tls_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3);
    beast::error_code ec;
    I.tls_ctx->use_certificate_chain(asio::buffer(cert->cert_pem), ec);
    if (!ec) I.tls_ctx->use_private_key(asio::buffer(cert->key_pem), ssl::context::pem, ec);
    if (ec) return make_error(ErrorKind::kIo, "tls: " + ec.message());
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(I.opt.host, ec);
  if (ec) return make_error(ErrorKind::kInvalidArgument, "bad host '" + I.opt.host + "'");
  tcp::endpoint ep(addr, I.opt.port);
  I.acceptor.open(ep.protocol(), ec);
  if (!ec) I.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) I.acceptor.bind(ep, ec);
  if (!ec) I.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorKind::kIo, "listen " + I.opt.host + ":" + std::to_string(I.opt.port) +
                                          ": " + ec.message());
  }
  I.bound_port = I.acceptor.local_endpoint().port();
  asio::co_spawn(I.ioc, I.accept_loop(), asio::detached);
  I.thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
  return {};
}

void LoopbackServer::stop() {
  auto& I = *impl_;
  if (I.stopping.exchange(true)) return;
  if (!I.thread.joinable()) return;
  asio::post(I.ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    for (auto& t : impl->timers) t->cancel();
    std::map<std::uint64_t, std::function<void()>> conns;
    {
      std::lock_guard lk(impl->conn_mu);
      conns = impl->connections;
    }
    for (auto& [id, cancel] : conns) {
      if (cancel) cancel();
    }
  });
  // Give connections a bounded moment to unwind, then force.
  {
    std::unique_lock lk(I.conn_mu);
    I.conn_cv.wait_for(lk, std::chrono::seconds(2), [&] { return I.connections.empty(); });
  }
  I.ioc.stop();
  I.thread.join();
}

std::uint16_t LoopbackServer::port() const { return impl_->bound_port.load(); }
const std::string& LoopbackServer::certificate_pem() const { return impl_->cert_pem; }

void LoopbackServer::post(std::function<void()> fn) { asio::post(impl_->ioc, std::move(fn)); }

void LoopbackServer::every(std::chrono::milliseconds period, std::function<void()> fn) {
  asio::post(impl_->ioc, [impl = impl_.get(), period, fn = std::move(fn)]() mutable {
    if (impl->stopping.load()) return;
    auto timer = std::make_shared<asio::steady_timer>(impl->ioc);
    impl->timers.push_back(timer);
    asio::co_spawn(
        impl->ioc,
        [](Impl* impl, std::shared_ptr<asio::steady_timer> timer, std::chrono::milliseconds period,
           std::function<void()> fn) -> awaitable<void> {
          while (!impl->stopping.load()) {
            timer->expires_after(period);
            auto [ec] = co_await timer->async_wait(kTuple);
            if (ec || impl->stopping.load()) co_return;
            fn();
          }
        }(impl, timer, period, std::move(fn)),
        asio::detached);
  });
}

void LoopbackServer::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  Impl* impl = impl_.get();
  auto timer = std::make_shared<asio::steady_timer>(impl->ioc, delay);
  timer->async_wait([impl, timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec && !impl->stopping.load()) fn();
  });
}

std::size_t LoopbackServer::connection_count() const {
  std::lock_guard lk(impl_->conn_mu);
  return impl_->connections.size();
}

}  // namespace at::sim::net
