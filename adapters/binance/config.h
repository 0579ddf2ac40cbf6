// BinanceConfig: what the Binance adapter needs to connect. The engine maps the YAML config
// (`binance: {api_key, api_secret, environment, base_url, ws_url}`) onto this plain struct.
// Secrets are net::Secret, which prints "***".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/net/secret.h"

namespace at::binance {

enum class Environment : std::uint8_t { kLive, kTestnet, kSim };

struct BinanceConfig {
  net::Secret api_key;
  net::Secret api_secret;
  Environment environment = Environment::kLive;
  // Empty = the environment's default (see default_base_url / default_ws_url).
  std::string base_url;  // REST origin, e.g. "https://api.binance.com"
  std::string ws_url;    // WebSocket API, e.g. "wss://ws-api.binance.com:443/ws-api/v3"
  // Public market streams origin (bookTicker), e.g. "wss://stream.binance.com:9443";
  // empty = the environment's default (default_stream_url). Used by BookTickerFeed.
  std::string stream_url;
  std::string account;  // account name put in events ("" = the default account)
  std::int64_t recv_window_ms = 5000;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds ws_idle_timeout{30000};  // no frame (and no pong) this long = dead
  std::chrono::milliseconds reconnect_min{100};      // backoff doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{2000};
  double rate_limit_threshold = 0.8;  // slow down above this share of a venue limit
  std::string ca_file;                // extra trust anchors (a simulator's certificate)
  bool verify_peer = true;            // false only accepted for loopback hosts
};

std::string_view to_string(Environment e);
// "live" | "testnet" | "sim" (case-insensitive).
bool parse_environment(std::string_view text, Environment& out);
std::string default_base_url(Environment e);
std::string default_ws_url(Environment e);
std::string default_stream_url(Environment e);

}  // namespace at::binance
