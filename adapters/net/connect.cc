#include "adapters/net/connect.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace at::net::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<Status> connect_tcp(boost::beast::tcp_stream& stream, const Url& url,
                                    std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code ec;
  auto literal = asio::ip::make_address(url.host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, url.port);
  } else {
    tcp::resolver resolver(ex);
    asio::steady_timer timer(ex, timeout);
    auto r = co_await (resolver.async_resolve(url.host, std::to_string(url.port), kTuple) ||
                       timer.async_wait(kTuple));
    if (r.index() == 1)
      co_return make_error(ErrorKind::kTransient, "dns: resolving " + url.host + " timed out");
    auto& [rec, results] = std::get<0>(r);
    if (rec)
      co_return make_error(ErrorKind::kTransient,
                           "dns: cannot resolve " + url.host + ": " + rec.message());
    for (const auto& e : results) endpoints.push_back(e.endpoint());
  }
  if (!url.tls()) {
    // Plain transport only to loopback, even when a name like "localhost" resolves elsewhere.
    std::erase_if(endpoints, [](const tcp::endpoint& e) { return !e.address().is_loopback(); });
    if (endpoints.empty())
      co_return make_error(ErrorKind::kInvalidArgument,
                           "refusing plain connection to " + url.host + ": not a loopback address");
  }
  if (endpoints.empty())
    co_return make_error(ErrorKind::kTransient, "dns: no address for " + url.host);
  stream.expires_after(timeout);
  auto [cec, ep] = co_await stream.async_connect(endpoints, kTuple);
  if (cec)
    co_return make_error(ErrorKind::kTransient,
                         "connect to " + url.host_header() + " failed: " + cec.message());
  stream.socket().set_option(tcp::no_delay(true), ec);
  co_return Status{};
}

}  // namespace at::net::detail
