// FakeServer: a tiny HTTP/1.1 + WebSocket server on 127.0.0.1 for adapter unit tests.
// HTTP requests go to `on_http`; a WebSocket upgrade (any path) becomes a session whose text
// frames go to `on_ws` (default: answer every request frame with status 200 and a
// subscriptionId). Tests push frames to sessions and drop them to simulate venue behaviour.
// Runs on the test's io_context; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/run_until.h"

namespace at::testing {

struct FakeRequest {
  std::string method;
  std::string target;
  std::string path;
  std::map<std::string, std::string> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;
  std::string param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct FakeReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "{}";
  std::string raw;     // when set: written verbatim, then the connection is closed
  bool hang = false;   // read the request, never answer (the client times out)
  bool close = false;  // close after answering
};

class FakeServer {
 public:
  explicit FakeServer(boost::asio::io_context& ioc);
  ~FakeServer();
  std::uint16_t port() const;
  std::string http_url() const;
  std::string ws_url() const;  // ws://127.0.0.1:<port>/ws-api/v3

  std::function<FakeReply(const FakeRequest&)> on_http;
  // Receives each text frame of a session; return frames to send back.
  std::function<std::vector<std::string>(const std::string&)> on_ws;

  void ws_push(const std::string& frame);  // to every open session
  void ws_drop_all();                      // closes every session's socket abruptly
  std::size_t ws_open() const;
  std::uint64_t ws_frames_received() const;
  std::uint64_t connections() const;
  const std::vector<FakeRequest>& requests() const;    // HTTP requests (not upgrades)
  const std::vector<std::string>& ws_targets() const;  // targets of WebSocket upgrades
  void stop();

  struct State;

 private:
  std::shared_ptr<State> s_;
};

}  // namespace at::testing
