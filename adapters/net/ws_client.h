// WsClient: one WebSocket client connection (ws:// to loopback only, or wss://) carrying text
// frames, for venue streams and WebSocket request/response APIs.
//
// Keepalive: incoming pings are answered with a pong echoing their payload (Binance requires
// it); when nothing arrives for idle_timeout/2 we ping, and when nothing at all arrives for
// idle_timeout the connection is considered dead and read() fails with kDisconnected.
// Closing: close() sends a close frame and waits (bounded) for the peer's; abort() drops the
// socket at once, so that a pending read() completes.
//
// Failure classification: connect/DNS/TLS/upgrade failures are kTransient (kPermanent for a
// certificate that does not verify); a dropped, timed-out or closed connection is kDisconnected.
//
// Thread-safety: none. One strand; at most one read() and one send() outstanding at a time.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/net/url.h"
#include "domain/result.h"

namespace at::net {

struct WsOptions {
  std::chrono::milliseconds connect_timeout{5000};  // DNS + TCP + TLS + upgrade
  std::chrono::milliseconds idle_timeout{30000};    // see above
  std::size_t max_message_size = 4 * 1024 * 1024;
  std::string ca_file;
  bool verify_peer = true;  // false allowed only for loopback hosts
  std::string user_agent = "autotrader/0.1";
};

class WsClient {
 public:
  // Connects and performs the upgrade on url's path (e.g. "/ws-api/v3").
  static boost::asio::awaitable<Result<std::unique_ptr<WsClient>>> connect(
      boost::asio::any_io_executor ex, std::string_view url, WsOptions options = {});
  virtual ~WsClient() = default;

  // Sends one text frame.
  virtual boost::asio::awaitable<Status> send(std::string text) = 0;
  // The next text (or binary) message. kDisconnected when the connection closed or died; the
  // message says why (close code and reason, idle timeout, reset).
  virtual boost::asio::awaitable<Result<std::string>> read() = 0;
  // Graceful close, bounded by a short deadline. Safe to call when already closed.
  virtual boost::asio::awaitable<void> close() = 0;
  // Drops the connection now; pending operations complete with kDisconnected.
  virtual void abort() = 0;
  virtual bool is_open() const = 0;
  // Pings received from the peer and answered (tests check keepalive).
  virtual std::uint64_t pings_received() const = 0;
};

}  // namespace at::net
