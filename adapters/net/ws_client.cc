#include "adapters/net/ws_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "adapters/net/connect.h"
#include "adapters/net/tls.h"

namespace at::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

template <typename NextLayer>
class WsImpl final : public WsClient {
 public:
  template <typename... Args>
  explicit WsImpl(Url url, WsOptions opt, std::shared_ptr<ssl::context> tls, Args&&... args)
      : url_(std::move(url)),
        opt_(std::move(opt)),
        tls_(std::move(tls)),
        ws_(std::forward<Args>(args)...) {}

  websocket::stream<NextLayer>& ws() { return ws_; }

  asio::awaitable<Status> handshake() {
    auto& tcp = beast::get_lowest_layer(ws_);
    if constexpr (std::is_same_v<NextLayer, beast::ssl_stream<beast::tcp_stream>>) {
      if (auto st = detail::prepare_tls_stream(ws_.next_layer().native_handle(), url_.host,
                                               opt_.verify_peer);
          !st)
        co_return st;
      if (auto st = co_await detail::connect_tcp(tcp, url_, opt_.connect_timeout); !st)
        co_return st;
      tcp.expires_after(opt_.connect_timeout);
      auto [ec] = co_await ws_.next_layer().async_handshake(ssl::stream_base::client, kTuple);
      if (ec)
        co_return detail::classify_tls_handshake_error(ws_.next_layer().native_handle(), ec,
                                                       url_.host);
    } else {
      if (auto st = co_await detail::connect_tcp(tcp, url_, opt_.connect_timeout); !st)
        co_return st;
    }
    // From here the websocket stream runs its own timers (handshake, idle + keepalive pings).
    tcp.expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = opt_.connect_timeout;
    t.idle_timeout = opt_.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(opt_.max_message_size);
    ws_.set_option(
        websocket::stream_base::decorator([ua = opt_.user_agent](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, ua);
        }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) ++pings_;  // Beast answers with the same payload
    });
    auto [ec] = co_await ws_.async_handshake(url_.host_header(), url_.path, kTuple);
    if (ec)
      co_return make_error(ErrorKind::kTransient,
                           "ws: upgrade to " + url_.to_string() + " failed: " + ec.message());
    ws_.text(true);
    open_ = true;
    co_return Status{};
  }

  asio::awaitable<Status> send(std::string text) override {
    if (!open_) co_return make_error(ErrorKind::kDisconnected, "ws: not connected");
    auto [ec, n] = co_await ws_.async_write(asio::buffer(text), kTuple);
    if (ec) {
      open_ = false;
      co_return make_error(ErrorKind::kDisconnected, "ws: send failed: " + ec.message());
    }
    co_return Status{};
  }

  asio::awaitable<Result<std::string>> read() override {
    if (!open_) co_return make_error(ErrorKind::kDisconnected, "ws: not connected");
    buf_.clear();
    auto [ec, n] = co_await ws_.async_read(buf_, kTuple);
    if (ec) {
      open_ = false;
      std::string why;
      if (ec == websocket::error::closed) {
        auto r = ws_.reason();
        why = "closed by peer (code " + std::to_string(static_cast<int>(r.code)) +
              (r.reason.empty() ? "" : ", " + std::string(r.reason.c_str())) + ")";
      } else if (ec == beast::error::timeout) {
        why = "idle timeout: no frame and no pong for " +
              std::to_string(opt_.idle_timeout.count()) + " ms";
      } else {
        why = ec.message();
      }
      co_return make_error(ErrorKind::kDisconnected, "ws: " + why);
    }
    co_return beast::buffers_to_string(buf_.data());
  }

  asio::awaitable<void> close() override {
    if (!open_) co_return;
    open_ = false;
    auto [ec] = co_await ws_.async_close(websocket::close_code::normal, kTuple);
    (void)ec;
    abort();
  }

  void abort() override {
    open_ = false;
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

  bool is_open() const override { return open_ && ws_.is_open(); }
  std::uint64_t pings_received() const override { return pings_; }

 private:
  Url url_;
  WsOptions opt_;
  std::shared_ptr<ssl::context> tls_;  // outlives the stream that refers to it
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  bool open_ = false;
  std::uint64_t pings_ = 0;
};

}  // namespace

asio::awaitable<Result<std::unique_ptr<WsClient>>> WsClient::connect(asio::any_io_executor ex,
                                                                     std::string_view url,
                                                                     WsOptions options) {
  auto u = parse_url(url);
  if (!u) co_return u.error();
  if (!u->websocket())
    co_return make_error(ErrorKind::kInvalidArgument,
                         "websocket client needs a ws(s) url, got " + u->scheme + "://");
  if (auto st = check_transport_allowed(*u); !st) co_return st.error();
  if (!options.verify_peer && !is_loopback_host(u->host))
    co_return make_error(ErrorKind::kInvalidArgument,
                         "certificate verification may be disabled only for loopback hosts");
  if (u->tls()) {
    auto ctx = detail::make_tls_client_context(options.ca_file, options.verify_peer);
    if (!ctx) co_return ctx.error();
    auto& ctx_ref = **ctx;
    auto impl = std::make_unique<WsImpl<beast::ssl_stream<beast::tcp_stream>>>(
        *u, std::move(options), *ctx, ex, ctx_ref);
    if (auto st = co_await impl->handshake(); !st) co_return st.error();
    co_return std::unique_ptr<WsClient>(std::move(impl));
  }
  auto impl = std::make_unique<WsImpl<beast::tcp_stream>>(*u, std::move(options), nullptr, ex);
  if (auto st = co_await impl->handshake(); !st) co_return st.error();
  co_return std::unique_ptr<WsClient>(std::move(impl));
}

}  // namespace at::net
