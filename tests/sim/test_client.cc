#include "tests/sim/test_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

namespace at::sim::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return {};
}

namespace {

template <class Stream>
HttpReply exchange(asio::io_context& ioc, Stream& stream, const std::string& method,
                   const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body, std::chrono::milliseconds timeout) {
  HttpReply out;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = body;
  }
  req.prepare_payload();
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  bool done = false;
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      done = true;
      return;
    }
    http::async_read(stream, buf, res, [&](beast::error_code ec2, std::size_t) {
      done = true;
      if (!ec2) {
        out.status = static_cast<int>(res.result_int());
        out.body = res.body();
        for (const auto& f : res) {
          out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        }
      }
    });
  });
  ioc.run_for(timeout);
  if (!done) out.status = 0;
  return out;
}

}  // namespace

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  return exchange(ioc, stream, method, target, headers, body, timeout);
}

HttpReply https_request(std::uint16_t port, const std::string& ca_pem, const std::string& method,
                        const std::string& target, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  beast::error_code ec;
  ctx.add_certificate_authority(asio::buffer(ca_pem), ec);
  if (ec) return {};
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).socket().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  bool ok = false;
  stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ok = !e; });
  ioc.run_for(timeout);
  if (!ok) return {};
  ioc.restart();
  return exchange(ioc, stream, method, target, {}, {}, timeout);
}

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buf;
  bool is_closed = false;
  std::string err;
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() = default;

bool WsClient::connect(std::uint16_t port, const std::string& target,
                       std::chrono::milliseconds timeout) {
  auto& I = *impl_;
  beast::error_code ec;
  beast::get_lowest_layer(I.ws).socket().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    I.err = ec.message();
    return false;
  }
  bool done = false;
  I.ws.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](beast::error_code e) {
    done = true;
    if (e) I.err = e.message();
  });
  I.ioc.restart();
  I.ioc.run_for(timeout);
  return done && I.err.empty();
}

bool WsClient::send(const std::string& text) {
  auto& I = *impl_;
  bool ok = false, done = false;
  I.ws.text(true);
  I.ws.async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
    done = true;
    ok = !e;
  });
  I.ioc.restart();
  I.ioc.run_for(std::chrono::seconds(5));
  return done && ok;
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds timeout) {
  auto& I = *impl_;
  if (I.is_closed) return std::nullopt;
  std::optional<std::string> out;
  bool done = false;
  I.ws.async_read(I.buf, [&](beast::error_code e, std::size_t) {
    done = true;
    if (e) {
      I.is_closed = true;
      I.err = e.message();
      return;
    }
    out = beast::buffers_to_string(I.buf.data());
    I.buf.consume(I.buf.size());
  });
  I.ioc.restart();
  I.ioc.run_for(timeout);
  if (!done) {
    // Timed out: cancel the read so the stream stays usable (Beast allows one more read).
    beast::get_lowest_layer(I.ws).cancel();
    I.ioc.restart();
    I.ioc.run_for(std::chrono::milliseconds(200));
    if (!out) {
      // A cancelled websocket read leaves the stream unusable: reconnecting is the caller's.
      I.is_closed = true;
      I.err = "timeout";
    }
  }
  return out;
}

bool WsClient::closed() const { return impl_->is_closed; }
const std::string& WsClient::error() const { return impl_->err; }

}  // namespace at::sim::testing
