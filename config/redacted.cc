// redacted_yaml() and config_digest(): the effective configuration without secrets, in a
// fixed key order so that the same configuration always gives the same text and digest.
#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "config/config.h"

namespace at::config {
namespace {

std::string seconds(Millis ms) { return Decimal::from_raw(ms.count(), 3).normalized().to_string(); }

std::string num(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

void kv(YAML::Emitter& e, const char* k, const std::string& v) {
  e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
}
void kv_plain(YAML::Emitter& e, const char* k, const std::string& v) {
  e << YAML::Key << k << YAML::Value << v;
}
void kv(YAML::Emitter& e, const char* k, const Secret& s) {
  e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << s.to_string();
}
void kv(YAML::Emitter& e, const char* k, const Decimal& d) { kv_plain(e, k, d.to_string()); }
void kv(YAML::Emitter& e, const char* k, std::uint64_t v) { kv_plain(e, k, std::to_string(v)); }
void kv(YAML::Emitter& e, const char* k, int v) { kv_plain(e, k, std::to_string(v)); }
void kv(YAML::Emitter& e, const char* k, bool v) { kv_plain(e, k, v ? "true" : "false"); }
void kv(YAML::Emitter& e, const char* k, std::string_view v) { kv_plain(e, k, std::string(v)); }

template <typename T>
void kv(YAML::Emitter& e, const char* k, const std::optional<T>& v) {
  if (v) kv(e, k, *v);
}

void symbols(YAML::Emitter& e, const char* k, const std::vector<Symbol>& v) {
  e << YAML::Key << k << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& s : v) e << s.str();
  e << YAML::EndSeq;
}

void limits(YAML::Emitter& e, const RiskLimits& l) {
  e << YAML::BeginMap;
  kv(e, "max_order_quantity", l.max_order_quantity);
  kv(e, "max_notional", l.max_notional);
  kv(e, "position_limit", l.position_limit);
  kv(e, "price_collar_bps", l.price_collar_bps);
  kv(e, "max_orders_per_second", l.max_orders_per_second);
  kv(e, "reduce_only", l.reduce_only);
  e << YAML::EndMap;
}

// SHA-256 (FIPS 180-4). Small and local so config/ needs no crypto library.
std::string sha256_hex(const std::string& msg) {
  static constexpr std::array<std::uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string m = msg;
  std::uint64_t bits = static_cast<std::uint64_t>(msg.size()) * 8;
  m += static_cast<char>(0x80);
  while (m.size() % 64 != 56) m += '\0';
  for (int i = 7; i >= 0; --i) m += static_cast<char>((bits >> (i * 8)) & 0xff);
  auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (std::size_t off = 0; off < m.size(); off += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(m.data() + off + i * 4);
      w[i] = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
             (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
    }
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, hh] = h;
    for (int i = 0; i < 64; ++i) {
      std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      std::uint32_t ch = (e & f) ^ (~e & g);
      std::uint32_t t1 = hh + S1 + ch + k[i] + w[i];
      std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      std::uint32_t t2 = S0 + maj;
      hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::uint32_t v : h)
    for (int i = 7; i >= 0; --i) out += hex[(v >> (i * 4)) & 0xf];
  return out;
}

}  // namespace

std::string redacted_yaml(const Config& c) {
  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "execution" << YAML::Value << YAML::BeginMap;
  kv(e, "broker", to_string(c.broker));

  e << YAML::Key << "binance" << YAML::Value << YAML::BeginMap;
  kv(e, "api_key", c.binance.api_key);
  kv(e, "api_secret", c.binance.api_secret);
  kv(e, "environment", to_string(c.binance.environment));
  kv(e, "base_url", c.binance.base_url);
  kv(e, "ws_url", c.binance.ws_url);
  kv(e, "stream_url", c.binance.stream_url);
  kv(e, "recv_window_ms", c.binance.recv_window_ms);
  e << YAML::EndMap;

  e << YAML::Key << "ibkr" << YAML::Value << YAML::BeginMap;
  kv(e, "host", c.ibkr.host);
  kv(e, "port", c.ibkr.port);
  kv(e, "client_id", c.ibkr.client_id);
  kv(e, "account", c.ibkr.account);
  e << YAML::EndMap;

  e << YAML::Key << "coinbase" << YAML::Value << YAML::BeginMap;
  kv(e, "api_key", c.coinbase.api_key);
  kv(e, "api_secret", c.coinbase.api_secret);
  kv(e, "environment", to_string(c.coinbase.environment));
  kv(e, "base_url", c.coinbase.base_url);
  kv(e, "ws_url", c.coinbase.ws_url);
  e << YAML::EndMap;

  e << YAML::Key << "okx" << YAML::Value << YAML::BeginMap;
  kv(e, "api_key", c.okx.api_key);
  kv(e, "api_secret", c.okx.api_secret);
  kv(e, "passphrase", c.okx.passphrase);
  kv(e, "environment", to_string(c.okx.environment));
  kv(e, "base_url", c.okx.base_url);
  kv(e, "ws_url", c.okx.ws_url);
  e << YAML::EndMap;

  e << YAML::Key << "oanda" << YAML::Value << YAML::BeginMap;
  kv(e, "account_id", c.oanda.account_id);
  kv(e, "access_token", c.oanda.access_token);
  kv(e, "environment", to_string(c.oanda.environment));
  kv(e, "base_url", c.oanda.base_url);
  kv(e, "stream_url", c.oanda.stream_url);
  e << YAML::EndMap;

  e << YAML::Key << "paper" << YAML::Value << YAML::BeginMap;
  kv(e, "initial_balance", c.paper.initial_balance);
  kv(e, "asset", c.paper.asset);
  e << YAML::Key << "balances" << YAML::Value << YAML::BeginMap;
  for (const auto& [a, m] : c.paper.balances) kv(e, a.c_str(), m);
  e << YAML::EndMap;
  e << YAML::Key << "latency_ms" << YAML::Value << YAML::Flow << YAML::BeginSeq
    << c.paper.latency_min_ms << c.paper.latency_max_ms << YAML::EndSeq;
  kv(e, "slippage_bps", c.paper.slippage_bps);
  kv(e, "commission_bps", c.paper.commission_bps);
  kv(e, "seed", c.paper.seed);
  e << YAML::EndMap;

  e << YAML::Key << "oms" << YAML::Value << YAML::BeginMap;
  kv(e, "max_open_orders", c.oms.max_open_orders);
  kv(e, "order_timeout_seconds", c.oms.order_timeout_seconds);
  kv(e, "archive_after_seconds", c.oms.archive_after_seconds);
  kv(e, "client_order_id_prefix", c.oms.client_order_id_prefix);
  e << YAML::EndMap;

  const auto& r = c.resiliency;
  e << YAML::Key << "resiliency" << YAML::Value << YAML::BeginMap;
  kv(e, "max_retries", r.max_retries);
  kv_plain(e, "initial_backoff", seconds(r.initial_backoff));
  kv_plain(e, "backoff_multiplier", num(r.backoff_multiplier));
  kv_plain(e, "max_backoff", seconds(r.max_backoff));
  kv_plain(e, "jitter", num(r.jitter));
  kv(e, "circuit_breaker_threshold", r.circuit_breaker_threshold);
  kv_plain(e, "breaker_cooldown_seconds", seconds(r.breaker_cooldown));
  kv(e, "half_open_max_calls", r.half_open_max_calls);
  kv(e, "enable_dlq", r.enable_dlq);
  kv_plain(e, "request_timeout_seconds", seconds(r.request_timeout));
  kv_plain(e, "reconnect_initial_backoff", seconds(r.reconnect_initial_backoff));
  kv_plain(e, "reconnect_max_backoff", seconds(r.reconnect_max_backoff));
  e << YAML::EndMap;

  e << YAML::Key << "risk" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "default" << YAML::Value;
  limits(e, c.risk.defaults);
  e << YAML::Key << "symbols" << YAML::Value << YAML::BeginMap;
  for (const auto& [s, l] : c.risk.symbols) {
    e << YAML::Key << s.str() << YAML::Value;
    limits(e, l);
  }
  e << YAML::EndMap;
  const auto& k = c.risk.kill_switch;
  e << YAML::Key << "kill_switch" << YAML::Value << YAML::BeginMap;
  kv(e, "max_rejects", k.max_rejects);
  kv(e, "window_seconds", k.window_seconds);
  kv(e, "max_loss", k.max_loss);
  kv(e, "max_position_drift", k.max_position_drift);
  kv(e, "flatten_on_trip", k.flatten_on_trip);
  e << YAML::EndMap << YAML::EndMap;

  e << YAML::Key << "journal" << YAML::Value << YAML::BeginMap;
  kv(e, "path", c.journal.path);
  kv(e, "durability", to_string(c.journal.durability));
  kv(e, "batch_interval_ms", c.journal.batch_interval_ms);
  kv(e, "snapshot_every", c.journal.snapshot_every);
  e << YAML::EndMap;

  const auto& m = c.market;
  e << YAML::Key << "market" << YAML::Value << YAML::BeginMap;
  kv(e, "source", to_string(m.source));
  symbols(e, "symbols", m.symbols);
  kv(e, "seed", m.seed);
  kv(e, "pace", to_string(m.pace));
  kv(e, "speed", m.speed);
  kv(e, "tick_interval_ms", m.tick_interval_ms);
  kv(e, "max_events", m.max_events);
  e << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
  for (const auto& f : m.files) {
    e << YAML::BeginMap;
    kv(e, "path", f.path);
    kv(e, "format", to_string(f.format));
    if (f.symbol) kv(e, "symbol", f.symbol->str());
    if (!f.snapshot.empty()) kv(e, "snapshot", f.snapshot);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;

  const auto& d = c.strategy.demo;
  e << YAML::Key << "strategy" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "demo" << YAML::Value << YAML::BeginMap;
  kv(e, "enabled", d.enabled);
  symbols(e, "symbols", d.symbols);
  kv(e, "interval_ms", d.interval_ms);
  e << YAML::Key << "quantity" << YAML::Value << YAML::BeginMap;
  for (const auto& [s, q] : d.quantity) kv(e, s.str().c_str(), q);
  e << YAML::EndMap;
  kv(e, "order_type", std::string_view(d.order_type));
  kv(e, "limit_offset_bps", d.limit_offset_bps);
  kv(e, "seed", d.seed);
  e << YAML::EndMap;
  e << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
  for (const auto& [pk, pv] : c.strategy.params) kv(e, pk.c_str(), pv);
  e << YAML::EndMap << YAML::EndMap;

  e << YAML::Key << "gateway" << YAML::Value << YAML::BeginMap;
  kv(e, "enabled", c.gateway.enabled);
  kv(e, "listen", c.gateway.listen);
  kv(e, "port", c.gateway.port);
  kv(e, "auth_token", c.gateway.auth_token);
  kv(e, "tls_cert", c.gateway.tls_cert);
  kv(e, "tls_key", c.gateway.tls_key);
  e << YAML::EndMap;

  e << YAML::EndMap << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

std::string config_digest(const Config& c) { return "sha256:" + sha256_hex(redacted_yaml(c)); }

}  // namespace at::config
