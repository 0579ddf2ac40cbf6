#include "adapters/binance/config.h"

#include <strings.h>

namespace at::binance {

std::string_view to_string(Environment e) {
  switch (e) {
    case Environment::kLive:
      return "live";
    case Environment::kTestnet:
      return "testnet";
    case Environment::kSim:
      return "sim";
  }
  return "live";
}

bool parse_environment(std::string_view text, Environment& out) {
  for (auto e : {Environment::kLive, Environment::kTestnet, Environment::kSim}) {
    auto n = to_string(e);
    if (n.size() == text.size() && strncasecmp(n.data(), text.data(), n.size()) == 0) {
      out = e;
      return true;
    }
  }
  return false;
}

std::string default_base_url(Environment e) {
  switch (e) {
    case Environment::kLive:
      return "https://api.binance.com";
    case Environment::kTestnet:
      return "https://testnet.binance.vision";
    case Environment::kSim:
      return "http://127.0.0.1:9100";
  }
  return {};
}

std::string default_ws_url(Environment e) {
  switch (e) {
    case Environment::kLive:
      return "wss://ws-api.binance.com:443/ws-api/v3";
    case Environment::kTestnet:
      return "wss://ws-api.testnet.binance.vision/ws-api/v3";
    case Environment::kSim:
      return "ws://127.0.0.1:9100/ws-api/v3";
  }
  return {};
}

std::string default_stream_url(Environment e) {
  switch (e) {
    case Environment::kLive:
      return "wss://stream.binance.com:9443";
    case Environment::kTestnet:
      return "wss://stream.testnet.binance.vision";
    case Environment::kSim:
      return "ws://127.0.0.1:9100";
  }
  return {};
}

}  // namespace at::binance
