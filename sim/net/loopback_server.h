// LoopbackServer: the HTTP/1.1 + WebSocket server that venue simulators put their wire protocol
// behind. Boost.Beast underneath, but this header carries no Beast types: a simulator sees plain
// request/response structs and a WsPeer handle, so its protocol code compiles without Beast.
//
// Threading: the server owns one io_context run by one thread it starts. Each connection is a
// coroutine on its own strand. Hooks are called on the connection's strand, one request at a
// time per connection; different connections may call hooks concurrently if the server ever
// runs more threads, so a simulator guards its shared state itself. WsPeer::send/close and
// post()/every() are safe from any thread.
//
// TLS (optional): a self-signed certificate for 127.0.0.1/localhost is generated at start();
// certificate_pem() returns it so a client can trust exactly that certificate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace at::sim::net {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as sent: "/api/v3/order?symbol=..."
  std::string path;                                          // target before '?'
  std::string query;                                         // target after '?', raw (not decoded)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;

  // The first header of that (case-insensitive) name, or nullptr.
  const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json;charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Faults, applied by the server: wait this long before answering; close the connection
  // instead of answering (the request was read and possibly acted upon).
  std::chrono::milliseconds delay{0};
  bool drop_connection = false;
};

// One accepted WebSocket connection. Thread-safe; outlives the connection harmlessly
// (send() after close is a no-op).
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  virtual std::uint64_t id() const = 0;
  // Queues one text frame. Frames go out in the order send() was called. A peer that lets
  // its queue grow past a bound is disconnected (as Binance drops slow consumers).
  virtual void send(std::string text) = 0;
  // Closes abruptly (TCP close, no close frame): what a network failure looks like.
  virtual void drop() = 0;
  // Closes with a WebSocket close frame.
  virtual void close(int code = 1000) = 0;
  virtual bool is_open() const = 0;
};

// Receives the frames of one WebSocket connection, on its strand.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_text(std::string text) = 0;
  virtual void on_closed() = 0;
};

struct ServerHooks {
  // Every plain HTTP request.
  std::function<HttpResponse(const HttpRequest&)> http;
  // A WebSocket upgrade request. Return nullptr to refuse (answered with `refusal`, 404 if
  // unset). The peer is usable (send) from inside this call; frames sent here go out first.
  std::function<std::shared_ptr<WsHandler>(const HttpRequest&, std::shared_ptr<WsPeer>,
                                           HttpResponse& refusal)>
      ws_open;
};

class LoopbackServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port; port() tells which
    bool tls = false;
    // Server ping interval (Binance: 20 s; a connection silent for 3x this is dropped).
    std::chrono::seconds ping_interval{20};
    std::size_t max_queued_frames = 10000;
  };

  LoopbackServer(Options options, ServerHooks hooks);
  ~LoopbackServer();  // stop()s
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Binds and starts the I/O thread. Fails (kIo) if the address cannot be bound or the
  // certificate cannot be made.
  Status start();
  // Cancels every connection, then joins the I/O thread. Idempotent.
  void stop();
  std::uint16_t port() const;
  const std::string& certificate_pem() const;

  // Runs fn on the I/O thread.
  void post(std::function<void()> fn);
  // Runs fn on the I/O thread after `delay` (real time), unless stop() comes first.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);
  // Runs fn on the I/O thread every `period` until stop().
  void every(std::chrono::milliseconds period, std::function<void()> fn);
  // Number of open connections (HTTP and WebSocket).
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace at::sim::net
