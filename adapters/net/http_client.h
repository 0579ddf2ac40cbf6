// HttpClient: an async HTTP/1.1 client for venue REST APIs (TLS or, to loopback only, plain).
//
// Keeps a small pool of keep-alive connections to one origin; each connection carries one
// request at a time, so concurrent requests open more connections (up to `max_idle` are kept).
// Every step has a deadline: connect (DNS + TCP + TLS) within connect_timeout, the whole
// request/response within request_timeout.
//
// Failure classification (the contract venue adapters build on):
//   DNS failure, connect refused/timeout, TLS handshake failure   -> kTransient (never sent)
//   certificate or hostname verification failure                   -> kPermanent
//   the request could not be written completely                   -> kDisconnected (the
//     server never saw a complete request, so it cannot have acted on it)
//   timeout, connection drop, cut or unparsable response AFTER the
//     request was written                                          -> kUnknownOutcome
// A response with any HTTP status is a success of this layer; classify_http_status() maps
// 429/418 and 5xx. Idempotent requests (GET) that meet a stale pooled connection are retried
// once on a fresh one; nothing else is ever retried here.
//
// TLS verifies the certificate chain against the system store (or `ca_file`) and the host
// name. Plain http:// is refused unless the host is a loopback address (see url.h).
//
// Thread-safety: none. Use one HttpClient from one strand; it must outlive its requests.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/url.h"
#include "domain/result.h"

namespace at::net {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query, e.g. "/api/v3/order?symbol=BTCUSDT"
  std::vector<HttpHeader> headers;
  std::string body;
  std::string content_type;  // set when body is not empty
  // Safe to resend after a stale-connection failure (GET, HEAD). POST/DELETE never are.
  bool idempotent() const { return method == "GET" || method == "HEAD"; }
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
  // Case-insensitive header lookup; nullptr when absent.
  const std::string* header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  // Pooled connections idle longer than this are closed rather than reused (servers drop
  // idle keep-alive connections; reusing one risks an ambiguous failure).
  std::chrono::milliseconds max_idle_time{20000};
  std::size_t max_idle = 4;
  std::size_t body_limit = 16 * 1024 * 1024;
  std::string ca_file;      // extra trust anchors (PEM); empty = the system store only
  bool verify_peer = true;  // may be false only for loopback hosts (a self-signed simulator)
  std::string user_agent = "autotrader/0.1";
};

class HttpClient {
 public:
  // Fails with kInvalidArgument for a bad URL, plain http to a non-loopback host, or
  // verify_peer=false to a non-loopback host; kIo when the trust store cannot be loaded.
  static Result<std::unique_ptr<HttpClient>> create(boost::asio::any_io_executor ex,
                                                    std::string_view base_url,
                                                    HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` to the origin of base_url (its target is used as is).
  boost::asio::awaitable<Result<HttpResponse>> request(HttpRequest request);
  // Closes pooled idle connections.
  void close_idle();
  const Url& url() const;
  // Connections opened so far (tests check keep-alive reuse).
  std::uint64_t connections_opened() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Errors every venue shares: 429/418 -> kRateLimited with Retry-After (seconds) in
// retry_after_ms; 5xx -> kUnknownOutcome. nullopt for any other status.
std::optional<Error> classify_http_status(const HttpResponse& response);

}  // namespace at::net
