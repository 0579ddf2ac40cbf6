// TCP connect with a deadline, shared by HttpClient and WsClient (internal: include only from
// .cc files, it pulls in Beast).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "adapters/net/url.h"
#include "domain/result.h"

namespace at::net::detail {

// Resolves url.host and connects `stream` to the first endpoint that answers, all within
// `timeout`. For plain (non-TLS) URLs only loopback endpoints are tried. Failures are
// kTransient: nothing was sent.
boost::asio::awaitable<Status> connect_tcp(boost::beast::tcp_stream& stream, const Url& url,
                                           std::chrono::milliseconds timeout);

}  // namespace at::net::detail
