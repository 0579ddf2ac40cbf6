// A minimal loopback HTTP and WebSocket client for the simulator tests. Every call is bounded
// in time; nothing here sleeps. Beast lives in test_client.cc only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace at::sim::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection closed or timed out)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;  // "" when absent
};

// One request on a fresh connection. `headers` are added as given.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// HTTPS with the server's certificate as the only trust anchor.
HttpReply https_request(std::uint16_t port, const std::string& ca_pem, const std::string& method,
                        const std::string& target,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

class WsClient {
 public:
  WsClient();
  ~WsClient();
  // Connects and upgrades; false (and error()) on failure.
  bool connect(std::uint16_t port, const std::string& target,
               std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send(const std::string& text);
  // The next text frame, or nullopt on timeout or close (closed() tells which).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool closed() const;
  const std::string& error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace at::sim::testing
