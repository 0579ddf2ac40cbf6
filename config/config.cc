// Loader for config.h. One pass over the YAML tree with a Loader that collects every error;
// each section function knows its keys, so unknown keys are caught where they appear.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "config/env.h"

namespace at::config {
namespace {

// Symbols the generated sample market knows (market_data/generated.h keeps the same list).
const std::vector<std::string> kSampleSymbols = {"AAPL", "EUR-USD", "BTC-USDT", "ETH-BTC"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string r;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) r += sep;
    r += v[i];
  }
  return r;
}

bool is_loopback(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

// A scalar after substitution. `raw` is what the file says and the only text errors quote.
struct Scalar {
  std::string text;
  std::string raw;
  bool from_env = false;
};

class Loader {
 public:
  explicit Loader(const EnvLookup& env) : env_(env) {}

  std::vector<std::string> errors;
  std::vector<std::string> unresolved;
  // True while reading the section of a broker that is not selected.
  bool lenient_env = false;

  void error(const std::string& path, const YAML::Node& n, const std::string& msg) {
    std::string where = path;
    if (n.IsDefined() && n.Mark().line >= 0)
      where += " (line " + std::to_string(n.Mark().line + 1) + ")";
    errors.push_back(where + ": " + msg);
  }

  // Checks that `n` is a map whose keys are all in `known`. Returns false if not a map.
  bool map(const YAML::Node& n, const std::string& path, const std::vector<std::string>& known) {
    if (!n.IsMap()) {
      error(path, n, "expected a mapping with keys " + join(known, ", "));
      return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) {
        error(path, kv.first, "expected text keys");
        continue;
      }
      const std::string key = kv.first.Scalar();
      const std::string kpath = path.empty() ? key : path + "." + key;
      if (!seen.insert(key).second) error(kpath, kv.first, "duplicate key");
      if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
        std::string msg = "unknown key";
        std::string best;
        std::size_t best_d = 3;
        for (const auto& k : known) {
          std::size_t d = edit_distance(lower(key), k);
          if (d < best_d) best_d = d, best = k;
        }
        if (!best.empty())
          msg += " (did you mean '" + best + "'?)";
        else
          msg += "; expected one of " + join(known, ", ");
        error(kpath, kv.first, msg);
      }
    }
    return true;
  }

  // The substituted scalar, or nullopt (with an error recorded) when it is not a scalar or a
  // variable is missing. Null nodes give nullopt without error: callers treat them as absent.
  std::optional<Scalar> scalar(const YAML::Node& n, const std::string& path,
                               bool* unresolved_out = nullptr) {
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    if (!n.IsScalar()) {
      error(path, n,
            "expected a single value, got a " + std::string(n.IsMap() ? "mapping" : "sequence"));
      return std::nullopt;
    }
    Scalar s{n.Scalar(), n.Scalar(), false};
    auto sub = substitute_env(s.raw, env_);
    if (!sub) {
      error(path, n, sub.error().message);
      return std::nullopt;
    }
    if (!sub->missing.empty()) {
      if (lenient_env) {
        unresolved.push_back(path);
        if (unresolved_out) *unresolved_out = true;
        return std::nullopt;
      }
      error(path, n,
            "environment variable " + join(sub->missing, ", ") +
                " is not set (use ${NAME:-default} for an optional value)");
      return std::nullopt;
    }
    s.text = std::move(sub->text);
    s.from_env = sub->substituted;
    return s;
  }

  // What an error may quote: the raw text; a substituted value is never echoed.
  static std::string shown(const Scalar& s) { return "'" + s.raw.substr(0, 60) + "'"; }

  void get(const YAML::Node& n, const std::string& path, std::string& out) {
    if (auto s = scalar(n, path)) out = s->text;
  }

  void get(const YAML::Node& n, const std::string& path, Secret& out) {
    if (auto s = scalar(n, path)) out = Secret(s->text);
  }

  void get(const YAML::Node& n, const std::string& path, bool& out) {
    auto s = scalar(n, path);
    if (!s) return;
    std::string v = lower(s->text);
    if (v == "true" || v == "yes" || v == "on")
      out = true;
    else if (v == "false" || v == "no" || v == "off")
      out = false;
    else
      error(path, n, "expected true or false, got " + shown(*s));
  }

  template <typename Int>
  void get_int(const YAML::Node& n, const std::string& path, Int& out, Int min, Int max,
               const std::string& what) {
    auto s = scalar(n, path);
    if (!s) return;
    Int v{};
    const char* b = s->text.data();
    const char* e = b + s->text.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || p != e || v < min || v > max) {
      error(path, n, "expected " + what + ", got " + shown(*s));
      return;
    }
    out = v;
  }

  void get(const YAML::Node& n, const std::string& path, int& out, int min = 0,
           int max = 1'000'000'000) {
    std::string what = min == 0   ? "a non-negative integer"
                       : min == 1 ? "a positive integer"
                                  : "an integer";
    if (max < 1'000'000'000) what += " up to " + std::to_string(max);
    get_int<int>(n, path, out, min, max, what);
  }

  void get(const YAML::Node& n, const std::string& path, std::uint64_t& out) {
    get_int<std::uint64_t>(n, path, out, 0, UINT64_MAX, "a non-negative integer");
  }

  // Exact decimal from the scalar text. min_exclusive: value must be > 0.
  enum class Sign { kAny, kNonNegative, kPositive };
  void get(const YAML::Node& n, const std::string& path, Decimal& out,
           Sign sign = Sign::kNonNegative) {
    auto s = scalar(n, path);
    if (!s) return;
    auto d = Decimal::parse(s->text);
    const char* what = sign == Sign::kPositive      ? "a positive decimal number"
                       : sign == Sign::kNonNegative ? "a non-negative decimal number"
                                                    : "a decimal number";
    if (!d || (sign == Sign::kPositive && !d->is_positive()) ||
        (sign == Sign::kNonNegative && d->is_negative())) {
      error(path, n, std::string("expected ") + what + ", got " + shown(*s));
      return;
    }
    out = *d;
  }

  void get(const YAML::Node& n, const std::string& path, std::optional<Decimal>& out,
           Sign sign = Sign::kPositive) {
    if (!n.IsDefined() || n.IsNull()) return;
    Decimal d;
    std::size_t before = errors.size();
    get(n, path, d, sign);
    if (errors.size() == before && scalar_present(n)) out = d;
  }

  void get(const YAML::Node& n, const std::string& path, std::optional<int>& out) {
    if (!n.IsDefined() || n.IsNull()) return;
    int v = 0;
    std::size_t before = errors.size();
    get(n, path, v, 1);
    if (errors.size() == before && scalar_present(n)) out = v;
  }

  void get(const YAML::Node& n, const std::string& path, double& out, double min, double max) {
    auto s = scalar(n, path);
    if (!s) return;
    // Not money: a plain number is fine here. Parsed exactly, then converted.
    auto d = Decimal::parse(s->text);
    double v = 0;
    if (d) {
      std::string t = d->to_string();
      std::from_chars(t.data(), t.data() + t.size(), v);
    }
    if (!d || v < min || v > max) {
      std::ostringstream m;
      m << "expected a number from " << min << " to " << max << ", got " << shown(*s);
      error(path, n, m.str());
      return;
    }
    out = v;
  }

  // Seconds, possibly fractional ("1.5"), to whole milliseconds.
  void get_seconds(const YAML::Node& n, const std::string& path, Millis& out) {
    auto s = scalar(n, path);
    if (!s) return;
    auto d = Decimal::parse(s->text);
    if (!d || d->is_negative() || d->scale() > 3 || *d > Decimal::from_int(365LL * 24 * 3600)) {
      error(path, n,
            "expected a duration in seconds (non-negative, at most 3 decimals), got " + shown(*s));
      return;
    }
    out = Millis(static_cast<std::int64_t>(d->rescaled(3).mantissa()));
  }

  template <typename E>
  void get_enum(const YAML::Node& n, const std::string& path, E& out,
                const std::vector<std::pair<std::string, E>>& names) {
    auto s = scalar(n, path);
    if (!s) return;
    std::string v = lower(s->text);
    for (const auto& [name, e] : names)
      if (name == v) {
        out = e;
        return;
      }
    std::vector<std::string> all;
    for (const auto& p : names) all.push_back(p.first);
    error(path, n, "expected one of " + join(all, ", ") + ", got " + shown(*s));
  }

  void get(const YAML::Node& n, const std::string& path, Symbol& out) {
    auto s = scalar(n, path);
    if (!s) return;
    auto sym = Symbol::parse(s->text);
    if (!sym) {
      error(path, n, "expected a symbol such as BTC-USDT, EUR-USD or AAPL, got " + shown(*s));
      return;
    }
    out = *sym;
  }

  void get(const YAML::Node& n, const std::string& path, std::vector<Symbol>& out) {
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsSequence()) {
      error(path, n, "expected a list of symbols, e.g. [BTC-USDT, AAPL]");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < n.size(); ++i) {
      Symbol s;
      get(n[i], path + "[" + std::to_string(i) + "]", s);
      if (!s.empty()) out.push_back(s);
    }
  }

  bool scalar_present(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

 private:
  const EnvLookup& env_;
};

using P = std::vector<std::pair<std::string, BinanceConfig::Environment>>;

void load_binance(Loader& L, const YAML::Node& n, const std::string& path, BinanceConfig& c) {
  if (!L.map(n, path,
             {"api_key", "api_secret", "environment", "testnet", "base_url", "ws_url", "stream_url",
              "recv_window_ms"}))
    return;
  L.get(n["api_key"], path + ".api_key", c.api_key);
  L.get(n["api_secret"], path + ".api_secret", c.api_secret);
  using E = BinanceConfig::Environment;
  L.get_enum<E>(n["environment"], path + ".environment", c.environment,
                {{"live", E::kLive}, {"testnet", E::kTestnet}, {"sim", E::kSim}});
  if (n["testnet"]) {  // the spec's form: testnet: true|false
    bool t = c.environment == E::kTestnet;
    L.get(n["testnet"], path + ".testnet", t);
    E implied = t ? E::kTestnet : E::kLive;
    if (n["environment"] && implied != c.environment)
      L.error(path + ".testnet", n["testnet"], "contradicts " + path + ".environment");
    c.environment = implied;
  }
  L.get(n["base_url"], path + ".base_url", c.base_url);
  L.get(n["ws_url"], path + ".ws_url", c.ws_url);
  L.get(n["stream_url"], path + ".stream_url", c.stream_url);
  L.get(n["recv_window_ms"], path + ".recv_window_ms", c.recv_window_ms, 1, 60000);
}

void fill_binance_urls(BinanceConfig& c) {
  using E = BinanceConfig::Environment;
  const char* base = "https://api.binance.com";
  const char* ws = "wss://ws-api.binance.com:443/ws-api/v3";
  const char* stream = "wss://stream.binance.com:9443";
  if (c.environment == E::kTestnet) {
    base = "https://testnet.binance.vision";
    ws = "wss://ws-api.testnet.binance.vision/ws-api/v3";
    stream = "wss://stream.testnet.binance.vision";
  } else if (c.environment == E::kSim) {
    base = "http://127.0.0.1:9100";
    ws = "ws://127.0.0.1:9100/ws-api/v3";
    stream = "ws://127.0.0.1:9100";
  }
  // The simulator serves REST, the WebSocket API and market streams on one port: given only
  // base_url, the other two follow it instead of the default port.
  if (c.environment == E::kSim && !c.base_url.empty() && c.base_url.rfind("http", 0) == 0) {
    std::string origin = "ws" + c.base_url.substr(4);
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    if (c.ws_url.empty()) c.ws_url = origin + "/ws-api/v3";
    if (c.stream_url.empty()) c.stream_url = origin;
  }
  if (c.base_url.empty()) c.base_url = base;
  if (c.ws_url.empty()) c.ws_url = ws;
  if (c.stream_url.empty()) c.stream_url = stream;
}

void load_ibkr(Loader& L, const YAML::Node& n, const std::string& path, IbkrConfig& c) {
  if (!L.map(n, path, {"host", "port", "client_id", "account"})) return;
  L.get(n["host"], path + ".host", c.host);
  L.get(n["port"], path + ".port", c.port, 1, 65535);
  L.get(n["client_id"], path + ".client_id", c.client_id, 0, 2147483647);
  L.get(n["account"], path + ".account", c.account);
}

void load_coinbase(Loader& L, const YAML::Node& n, const std::string& path, CoinbaseConfig& c) {
  if (!L.map(n, path, {"api_key", "api_secret", "environment", "base_url", "ws_url"})) return;
  L.get(n["api_key"], path + ".api_key", c.api_key);
  L.get(n["api_secret"], path + ".api_secret", c.api_secret);
  using E = CoinbaseConfig::Environment;
  L.get_enum<E>(n["environment"], path + ".environment", c.environment,
                {{"live", E::kLive}, {"sandbox", E::kSandbox}, {"sim", E::kSim}});
  L.get(n["base_url"], path + ".base_url", c.base_url);
  L.get(n["ws_url"], path + ".ws_url", c.ws_url);
  using E2 = CoinbaseConfig::Environment;
  if (c.base_url.empty())
    c.base_url = c.environment == E2::kLive      ? "https://api.coinbase.com"
                 : c.environment == E2::kSandbox ? "https://api-sandbox.coinbase.com"
                                                 : "http://127.0.0.1:9101";
  if (c.ws_url.empty())
    c.ws_url = c.environment == E2::kSim ? "ws://127.0.0.1:9101/ws"
                                         : "wss://advanced-trade-ws-user.coinbase.com";
}

void load_okx(Loader& L, const YAML::Node& n, const std::string& path, OkxConfig& c) {
  if (!L.map(n, path, {"api_key", "api_secret", "passphrase", "environment", "base_url", "ws_url"}))
    return;
  L.get(n["api_key"], path + ".api_key", c.api_key);
  L.get(n["api_secret"], path + ".api_secret", c.api_secret);
  L.get(n["passphrase"], path + ".passphrase", c.passphrase);
  using E = OkxConfig::Environment;
  L.get_enum<E>(n["environment"], path + ".environment", c.environment,
                {{"live", E::kLive}, {"demo", E::kDemo}, {"sim", E::kSim}});
  L.get(n["base_url"], path + ".base_url", c.base_url);
  L.get(n["ws_url"], path + ".ws_url", c.ws_url);
  if (c.base_url.empty())
    c.base_url = c.environment == E::kSim ? "http://127.0.0.1:9102" : "https://www.okx.com";
  if (c.ws_url.empty())
    c.ws_url = c.environment == E::kSim    ? "ws://127.0.0.1:9102/ws/v5/private"
               : c.environment == E::kDemo ? "wss://wspap.okx.com:8443/ws/v5/private"
                                           : "wss://ws.okx.com:8443/ws/v5/private";
}

void load_oanda(Loader& L, const YAML::Node& n, const std::string& path, OandaConfig& c) {
  if (!L.map(n, path, {"account_id", "access_token", "environment", "base_url", "stream_url"}))
    return;
  L.get(n["account_id"], path + ".account_id", c.account_id);
  L.get(n["access_token"], path + ".access_token", c.access_token);
  using E = OandaConfig::Environment;
  L.get_enum<E>(n["environment"], path + ".environment", c.environment,
                {{"practice", E::kPractice}, {"live", E::kLive}, {"sim", E::kSim}});
  L.get(n["base_url"], path + ".base_url", c.base_url);
  L.get(n["stream_url"], path + ".stream_url", c.stream_url);
  if (c.base_url.empty())
    c.base_url = c.environment == E::kLive       ? "https://api-fxtrade.oanda.com"
                 : c.environment == E::kPractice ? "https://api-fxpractice.oanda.com"
                                                 : "http://127.0.0.1:9103";
  if (c.stream_url.empty())
    c.stream_url = c.environment == E::kLive       ? "https://stream-fxtrade.oanda.com"
                   : c.environment == E::kPractice ? "https://stream-fxpractice.oanda.com"
                                                   : "http://127.0.0.1:9103";
}

bool valid_asset(std::string_view a) {
  if (a.empty() || a.size() > 16) return false;
  for (char c : a)
    if (!std::isupper(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

void load_paper(Loader& L, const YAML::Node& n, const std::string& path, PaperConfig& c) {
  if (!L.map(n, path,
             {"initial_balance", "asset", "balances", "latency_ms", "slippage_bps",
              "commission_bps", "seed"}))
    return;
  L.get(n["initial_balance"], path + ".initial_balance", c.initial_balance);
  if (n["asset"]) {
    L.get(n["asset"], path + ".asset", c.asset);
    if (!c.asset.empty() && !valid_asset(c.asset))
      L.error(path + ".asset", n["asset"], "expected an upper-case asset code such as USD or USDT");
  }
  if (const auto b = n["balances"]; b && !b.IsNull()) {
    if (L.map(b, path + ".balances", {})) {
      for (const auto& kv : b) {
        std::string asset = kv.first.Scalar();
        std::string p = path + ".balances." + asset;
        if (!valid_asset(asset)) {
          L.error(p, kv.first, "expected an upper-case asset code such as USD or USDT");
          continue;
        }
        Money m;
        std::size_t before = L.errors.size();
        L.get(kv.second, p, m);
        if (L.errors.size() == before && kv.second.IsScalar()) c.balances[asset] = m;
      }
    }
  }
  if (const auto l = n["latency_ms"]; l && !l.IsNull()) {
    std::string p = path + ".latency_ms";
    if (l.IsScalar()) {  // one number: fixed latency
      L.get(l, p, c.latency_min_ms, 0, 600000);
      c.latency_max_ms = c.latency_min_ms;
    } else if (!l.IsSequence() || l.size() != 2) {
      L.error(p, l, "expected [min, max] in milliseconds, e.g. [10, 50]");
    } else {
      L.get(l[0], p + "[0]", c.latency_min_ms, 0, 600000);
      L.get(l[1], p + "[1]", c.latency_max_ms, 0, 600000);
      if (c.latency_min_ms > c.latency_max_ms)
        L.error(p, l,
                "expected min <= max, got [" + std::to_string(c.latency_min_ms) + ", " +
                    std::to_string(c.latency_max_ms) + "]");
    }
  }
  L.get(n["slippage_bps"], path + ".slippage_bps", c.slippage_bps);
  L.get(n["commission_bps"], path + ".commission_bps", c.commission_bps);
  L.get(n["seed"], path + ".seed", c.seed);
}

void load_oms(Loader& L, const YAML::Node& n, const std::string& path, OmsConfig& c) {
  if (!L.map(n, path,
             {"max_open_orders", "order_timeout_seconds", "archive_after_seconds",
              "client_order_id_prefix"}))
    return;
  L.get(n["max_open_orders"], path + ".max_open_orders", c.max_open_orders, 1);
  L.get(n["order_timeout_seconds"], path + ".order_timeout_seconds", c.order_timeout_seconds);
  L.get(n["archive_after_seconds"], path + ".archive_after_seconds", c.archive_after_seconds);
  if (n["client_order_id_prefix"]) {
    L.get(n["client_order_id_prefix"], path + ".client_order_id_prefix", c.client_order_id_prefix);
    bool ok = !c.client_order_id_prefix.empty() && c.client_order_id_prefix.size() <= 8;
    for (char ch : c.client_order_id_prefix)
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-');
    if (!ok)
      L.error(path + ".client_order_id_prefix", n["client_order_id_prefix"],
              "expected 1-8 characters of [A-Za-z0-9_-] (client order ids must fit every "
              "venue's limit)");
  }
}

void load_resiliency(Loader& L, const YAML::Node& n, const std::string& path, ResiliencyConfig& c) {
  if (!L.map(n, path,
             {"max_retries", "initial_backoff", "backoff_multiplier", "max_backoff", "jitter",
              "circuit_breaker_threshold", "breaker_cooldown_seconds", "half_open_max_calls",
              "enable_dlq", "request_timeout_seconds", "reconnect_initial_backoff",
              "reconnect_max_backoff"}))
    return;
  L.get(n["max_retries"], path + ".max_retries", c.max_retries, 0, 100);
  L.get_seconds(n["initial_backoff"], path + ".initial_backoff", c.initial_backoff);
  L.get(n["backoff_multiplier"], path + ".backoff_multiplier", c.backoff_multiplier, 1.0, 100.0);
  L.get_seconds(n["max_backoff"], path + ".max_backoff", c.max_backoff);
  L.get(n["jitter"], path + ".jitter", c.jitter, 0.0, 1.0);
  L.get(n["circuit_breaker_threshold"], path + ".circuit_breaker_threshold",
        c.circuit_breaker_threshold, 1);
  L.get_seconds(n["breaker_cooldown_seconds"], path + ".breaker_cooldown_seconds",
                c.breaker_cooldown);
  L.get(n["half_open_max_calls"], path + ".half_open_max_calls", c.half_open_max_calls, 1);
  L.get(n["enable_dlq"], path + ".enable_dlq", c.enable_dlq);
  L.get_seconds(n["request_timeout_seconds"], path + ".request_timeout_seconds", c.request_timeout);
  L.get_seconds(n["reconnect_initial_backoff"], path + ".reconnect_initial_backoff",
                c.reconnect_initial_backoff);
  L.get_seconds(n["reconnect_max_backoff"], path + ".reconnect_max_backoff",
                c.reconnect_max_backoff);
  if (c.max_backoff < c.initial_backoff)
    L.error(path + ".max_backoff", n["max_backoff"], "expected >= initial_backoff");
  if (c.reconnect_max_backoff < c.reconnect_initial_backoff)
    L.error(path + ".reconnect_max_backoff", n["reconnect_max_backoff"],
            "expected >= reconnect_initial_backoff");
  if (c.request_timeout.count() == 0)
    L.error(path + ".request_timeout_seconds", n["request_timeout_seconds"],
            "expected a positive duration (every network wait has a timeout)");
}

const std::vector<std::string> kLimitKeys = {"max_order_quantity",    "max_notional",
                                             "position_limit",        "price_collar_bps",
                                             "max_orders_per_second", "reduce_only"};

void load_limits(Loader& L, const YAML::Node& n, const std::string& path, RiskLimits& c) {
  if (!L.map(n, path, kLimitKeys)) return;
  L.get(n["max_order_quantity"], path + ".max_order_quantity", c.max_order_quantity);
  L.get(n["max_notional"], path + ".max_notional", c.max_notional);
  L.get(n["position_limit"], path + ".position_limit", c.position_limit);
  L.get(n["price_collar_bps"], path + ".price_collar_bps", c.price_collar_bps);
  L.get(n["max_orders_per_second"], path + ".max_orders_per_second", c.max_orders_per_second);
  L.get(n["reduce_only"], path + ".reduce_only", c.reduce_only);
}

void load_risk(Loader& L, const YAML::Node& n, const std::string& path, RiskConfig& c) {
  if (!L.map(n, path, {"default", "symbols", "kill_switch"})) return;
  if (const auto d = n["default"]; d && !d.IsNull())
    load_limits(L, d, path + ".default", c.defaults);
  if (const auto s = n["symbols"]; s && !s.IsNull()) {
    if (L.map(s, path + ".symbols", {})) {
      for (const auto& kv : s) {
        std::string key = kv.first.Scalar();
        std::string p = path + ".symbols." + key;
        auto sym = Symbol::parse(key);
        if (!sym) {
          L.error(p, kv.first, "expected a symbol such as BTC-USDT, EUR-USD or AAPL");
          continue;
        }
        RiskLimits lim;
        if (!kv.second.IsNull()) load_limits(L, kv.second, p, lim);
        c.symbols[*sym] = lim;
      }
    }
  }
  if (const auto k = n["kill_switch"]; k && !k.IsNull()) {
    std::string p = path + ".kill_switch";
    if (L.map(k, p,
              {"max_rejects", "window_seconds", "max_loss", "max_position_drift",
               "flatten_on_trip"})) {
      L.get(k["max_rejects"], p + ".max_rejects", c.kill_switch.max_rejects);
      L.get(k["window_seconds"], p + ".window_seconds", c.kill_switch.window_seconds, 1);
      L.get(k["max_loss"], p + ".max_loss", c.kill_switch.max_loss);
      L.get(k["max_position_drift"], p + ".max_position_drift", c.kill_switch.max_position_drift);
      L.get(k["flatten_on_trip"], p + ".flatten_on_trip", c.kill_switch.flatten_on_trip);
    }
  }
}

void load_journal(Loader& L, const YAML::Node& n, const std::string& path, JournalConfig& c) {
  if (!L.map(n, path, {"path", "durability", "batch_interval_ms", "snapshot_every"})) return;
  L.get(n["path"], path + ".path", c.path);
  if (c.path.empty()) L.error(path + ".path", n["path"], "expected a directory path");
  using D = JournalConfig::Durability;
  L.get_enum<D>(n["durability"], path + ".durability", c.durability,
                {{"sync", D::kSync}, {"batch", D::kBatch}, {"none", D::kNone}});
  L.get(n["batch_interval_ms"], path + ".batch_interval_ms", c.batch_interval_ms, 1, 10000);
  L.get(n["snapshot_every"], path + ".snapshot_every", c.snapshot_every);
}

void load_market(Loader& L, const YAML::Node& n, const std::string& path, MarketConfig& c) {
  if (!L.map(n, path,
             {"source", "symbols", "seed", "pace", "speed", "tick_interval_ms", "max_events",
              "files"}))
    return;
  using S = MarketConfig::Source;
  using Pc = MarketConfig::Pace;
  L.get_enum<S>(n["source"], path + ".source", c.source,
                {{"generated", S::kGenerated}, {"file", S::kFile}});
  L.get(n["symbols"], path + ".symbols", c.symbols);
  L.get(n["seed"], path + ".seed", c.seed);
  L.get_enum<Pc>(n["pace"], path + ".pace", c.pace,
                 {{"realtime", Pc::kRealtime}, {"fast", Pc::kFast}});
  L.get(n["speed"], path + ".speed", c.speed, Loader::Sign::kPositive);
  L.get(n["tick_interval_ms"], path + ".tick_interval_ms", c.tick_interval_ms, 1, 3600000);
  L.get(n["max_events"], path + ".max_events", c.max_events);
  if (const auto f = n["files"]; f && !f.IsNull()) {
    std::string fp = path + ".files";
    if (!f.IsSequence()) {
      L.error(fp, f, "expected a list of {path, format, symbol} entries");
    } else {
      using F = MarketFileFormat;
      for (std::size_t i = 0; i < f.size(); ++i) {
        std::string p = fp + "[" + std::to_string(i) + "]";
        const auto e = f[i];
        MarketFile mf;
        if (!L.map(e, p, {"path", "format", "symbol", "snapshot"})) continue;
        L.get(e["path"], p + ".path", mf.path);
        if (mf.path.empty()) L.error(p + ".path", e, "expected a file path");
        if (!e["format"]) L.error(p + ".format", e, "missing; expected a file format");
        L.get_enum<F>(e["format"], p + ".format", mf.format,
                      {{"generic_quotes", F::kGenericQuotes},
                       {"generic_trades", F::kGenericTrades},
                       {"histdata_quotes", F::kHistdataQuotes},
                       {"truefx_quotes", F::kTruefxQuotes},
                       {"binance_klines", F::kBinanceKlines},
                       {"binance_book5", F::kBinanceBook5},
                       {"binance_depth", F::kBinanceDepth}});
        if (e["symbol"] && !e["symbol"].IsNull()) {
          Symbol s;
          L.get(e["symbol"], p + ".symbol", s);
          if (!s.empty()) mf.symbol = s;
        }
        bool needs_symbol = mf.format == F::kHistdataQuotes || mf.format == F::kTruefxQuotes ||
                            mf.format == F::kBinanceKlines;
        if (needs_symbol && !mf.symbol && !e["symbol"])
          L.error(p + ".symbol", e,
                  "missing; format " + std::string(to_string(mf.format)) +
                      " carries no symbol, so one is required");
        L.get(e["snapshot"], p + ".snapshot", mf.snapshot);
        if (!mf.snapshot.empty() && mf.format != F::kBinanceDepth)
          L.error(p + ".snapshot", e["snapshot"], "only valid with format binance_depth");
        c.files.push_back(std::move(mf));
      }
    }
  }
  if (c.source == S::kFile && c.files.empty())
    L.error(path + ".files", n, "expected at least one file when source is file");
  if (c.source == S::kGenerated) {
    for (std::size_t i = 0; i < c.symbols.size(); ++i)
      if (std::find(kSampleSymbols.begin(), kSampleSymbols.end(), c.symbols[i].str()) ==
          kSampleSymbols.end())
        L.error(path + ".symbols[" + std::to_string(i) + "]", n["symbols"][i],
                "the generated market has no '" + c.symbols[i].str() + "'; expected one of " +
                    join(kSampleSymbols, ", "));
    if (c.symbols.empty())
      for (const auto& s : kSampleSymbols) c.symbols.push_back(Symbol::of(s));
  }
}

void load_strategy(Loader& L, const YAML::Node& n, const std::string& path, StrategyConfig& c) {
  if (!L.map(n, path, {"demo", "params"})) return;
  if (const auto d = n["demo"]; d && !d.IsNull()) {
    std::string p = path + ".demo";
    auto& s = c.demo;
    if (L.map(d, p,
              {"enabled", "symbols", "interval_ms", "quantity", "order_type", "limit_offset_bps",
               "seed"})) {
      L.get(d["enabled"], p + ".enabled", s.enabled);
      L.get(d["symbols"], p + ".symbols", s.symbols);
      L.get(d["interval_ms"], p + ".interval_ms", s.interval_ms, 1, 86400000);
      if (const auto q = d["quantity"]; q && !q.IsNull() && L.map(q, p + ".quantity", {})) {
        for (const auto& kv : q) {
          std::string qp = p + ".quantity." + kv.first.Scalar();
          auto sym = Symbol::parse(kv.first.Scalar());
          if (!sym) {
            L.error(qp, kv.first, "expected a symbol such as BTC-USDT");
            continue;
          }
          Quantity qty;
          std::size_t before = L.errors.size();
          L.get(kv.second, qp, qty, Loader::Sign::kPositive);
          if (L.errors.size() == before && kv.second.IsScalar()) s.quantity[*sym] = qty;
        }
      }
      std::string ot = s.order_type;
      L.get_enum<std::string>(d["order_type"], p + ".order_type", ot,
                              {{"market", "market"}, {"limit", "limit"}, {"ioc", "ioc"}});
      s.order_type = ot;
      L.get(d["limit_offset_bps"], p + ".limit_offset_bps", s.limit_offset_bps);
      L.get(d["seed"], p + ".seed", s.seed);
    }
  }
  if (const auto pr = n["params"]; pr && !pr.IsNull() && L.map(pr, path + ".params", {})) {
    for (const auto& kv : pr) {
      std::string v;
      L.get(kv.second, path + ".params." + kv.first.Scalar(), v);
      c.params[kv.first.Scalar()] = v;
    }
  }
}

void load_gateway(Loader& L, const YAML::Node& n, const std::string& path, GatewayConfig& c) {
  if (!L.map(n, path, {"enabled", "listen", "port", "auth_token", "tls_cert", "tls_key"})) return;
  L.get(n["enabled"], path + ".enabled", c.enabled);
  L.get(n["listen"], path + ".listen", c.listen);
  L.get(n["port"], path + ".port", c.port, 0, 65535);
  L.get(n["auth_token"], path + ".auth_token", c.auth_token);
  L.get(n["tls_cert"], path + ".tls_cert", c.tls_cert);
  L.get(n["tls_key"], path + ".tls_key", c.tls_key);
  if (c.tls_cert.empty() != c.tls_key.empty())
    L.error(path + (c.tls_cert.empty() ? ".tls_cert" : ".tls_key"), n,
            "tls_cert and tls_key go together");
  if (c.enabled && !is_loopback(c.listen) && c.auth_token.empty())
    L.error(path + ".auth_token", n,
            "required when the gateway listens on a non-loopback address (" + c.listen + ")");
}

// Credentials the selected broker cannot run without.
void check_credentials(Loader& L, const YAML::Node& root, const Config& c) {
  auto need = [&](bool missing, const std::string& section, const std::string& key) {
    if (missing)
      L.error(
          "execution." + section + "." + key, root[section],
          "required when execution.broker is " + section + " (usually ${ENV_VAR}, e.g. " + key +
              ": ${" +
              [&] {
                std::string v = section + "_" + key;
                for (char& ch : v) ch = static_cast<char>(std::toupper(ch));
                return v;
              }() +
              "})");
  };
  switch (c.broker) {
    case BrokerKind::kBinance:
      if (c.binance.environment != BinanceConfig::Environment::kSim) {
        need(c.binance.api_key.empty(), "binance", "api_key");
        need(c.binance.api_secret.empty(), "binance", "api_secret");
      }
      break;
    case BrokerKind::kCoinbase:
      if (c.coinbase.environment != CoinbaseConfig::Environment::kSim) {
        need(c.coinbase.api_key.empty(), "coinbase", "api_key");
        need(c.coinbase.api_secret.empty(), "coinbase", "api_secret");
      }
      break;
    case BrokerKind::kOkx:
      if (c.okx.environment != OkxConfig::Environment::kSim) {
        need(c.okx.api_key.empty(), "okx", "api_key");
        need(c.okx.api_secret.empty(), "okx", "api_secret");
        need(c.okx.passphrase.empty(), "okx", "passphrase");
      }
      break;
    case BrokerKind::kOanda:
      if (c.oanda.environment != OandaConfig::Environment::kSim) {
        need(c.oanda.account_id.empty(), "oanda", "account_id");
        need(c.oanda.access_token.empty(), "oanda", "access_token");
      }
      break;
    case BrokerKind::kIbkr:
    case BrokerKind::kPaper:
      break;
  }
}

Result<Config> load_tree(const YAML::Node& doc, std::string_view source, const EnvLookup& env) {
  Loader L(env);
  Config c;
  c.source = std::string(source);
  if (!doc.IsDefined() || doc.IsNull()) {
    L.error("execution", doc, "missing; expected a top-level 'execution:' block");
  } else if (L.map(doc, "", {"execution"}) && !doc["execution"]) {
    L.error("execution", doc, "missing; expected a top-level 'execution:' block");
  }
  if (L.errors.empty()) {
    const YAML::Node n = doc["execution"];
    static const std::vector<std::string> keys = {
        "broker", "binance",    "ibkr", "coinbase", "okx",    "oanda",    "paper",
        "oms",    "resiliency", "risk", "journal",  "market", "strategy", "gateway"};
    if (L.map(n, "execution", keys)) {
      L.get_enum<BrokerKind>(n["broker"], "execution.broker", c.broker,
                             {{"paper", BrokerKind::kPaper},
                              {"binance", BrokerKind::kBinance},
                              {"ibkr", BrokerKind::kIbkr},
                              {"coinbase", BrokerKind::kCoinbase},
                              {"okx", BrokerKind::kOkx},
                              {"oanda", BrokerKind::kOanda}});
      auto section = [&](const char* key, BrokerKind kind, auto fn, auto& out) {
        const auto s = n[key];
        if (!s || s.IsNull()) return;
        L.lenient_env = c.broker != kind;
        fn(L, s, std::string("execution.") + key, out);
        L.lenient_env = false;
      };
      section("binance", BrokerKind::kBinance, load_binance, c.binance);
      section("ibkr", BrokerKind::kIbkr, load_ibkr, c.ibkr);
      section("coinbase", BrokerKind::kCoinbase, load_coinbase, c.coinbase);
      section("okx", BrokerKind::kOkx, load_okx, c.okx);
      section("oanda", BrokerKind::kOanda, load_oanda, c.oanda);
      auto block = [&](const char* key, auto fn, auto& out) {
        const auto s = n[key];
        if (!s || s.IsNull()) return;
        fn(L, s, std::string("execution.") + key, out);
      };
      block("paper", load_paper, c.paper);
      block("oms", load_oms, c.oms);
      block("resiliency", load_resiliency, c.resiliency);
      block("risk", load_risk, c.risk);
      block("journal", load_journal, c.journal);
      block("market", load_market, c.market);
      block("strategy", load_strategy, c.strategy);
      block("gateway", load_gateway, c.gateway);
      if (!n["market"] || n["market"].IsNull()) {
        for (const auto& s : kSampleSymbols) c.market.symbols.push_back(Symbol::of(s));
      }
      fill_binance_urls(c.binance);
      if (!n["coinbase"]) load_coinbase(L, YAML::Load("{}"), "execution.coinbase", c.coinbase);
      if (!n["okx"]) load_okx(L, YAML::Load("{}"), "execution.okx", c.okx);
      if (!n["oanda"]) load_oanda(L, YAML::Load("{}"), "execution.oanda", c.oanda);
      check_credentials(L, n, c);
      const auto& ms = c.market.symbols;
      for (std::size_t i = 0; i < c.strategy.demo.symbols.size(); ++i)
        if (!ms.empty() && std::find(ms.begin(), ms.end(), c.strategy.demo.symbols[i]) == ms.end())
          L.error("execution.strategy.demo.symbols[" + std::to_string(i) + "]",
                  n["strategy"]["demo"]["symbols"][i],
                  "'" + c.strategy.demo.symbols[i].str() + "' is not in execution.market.symbols");
    }
  }
  c.unresolved = std::move(L.unresolved);
  if (!L.errors.empty()) {
    std::string prefix = source.empty() ? "" : std::string(source) + ": ";
    std::string msg;
    for (std::size_t i = 0; i < L.errors.size(); ++i) {
      if (i) msg += "\n";
      msg += prefix + L.errors[i];
    }
    return make_error(ErrorKind::kInvalidArgument, msg);
  }
  return c;
}

}  // namespace

std::string_view to_string(BrokerKind b) {
  switch (b) {
    case BrokerKind::kPaper:
      return "paper";
    case BrokerKind::kBinance:
      return "binance";
    case BrokerKind::kIbkr:
      return "ibkr";
    case BrokerKind::kCoinbase:
      return "coinbase";
    case BrokerKind::kOkx:
      return "okx";
    case BrokerKind::kOanda:
      return "oanda";
  }
  return "?";
}

std::string_view to_string(BinanceConfig::Environment e) {
  using E = BinanceConfig::Environment;
  return e == E::kLive ? "live" : e == E::kTestnet ? "testnet" : "sim";
}
std::string_view to_string(CoinbaseConfig::Environment e) {
  using E = CoinbaseConfig::Environment;
  return e == E::kLive ? "live" : e == E::kSandbox ? "sandbox" : "sim";
}
std::string_view to_string(OkxConfig::Environment e) {
  using E = OkxConfig::Environment;
  return e == E::kLive ? "live" : e == E::kDemo ? "demo" : "sim";
}
std::string_view to_string(OandaConfig::Environment e) {
  using E = OandaConfig::Environment;
  return e == E::kLive ? "live" : e == E::kPractice ? "practice" : "sim";
}
std::string_view to_string(JournalConfig::Durability d) {
  using D = JournalConfig::Durability;
  return d == D::kSync ? "sync" : d == D::kBatch ? "batch" : "none";
}
std::string_view to_string(MarketFileFormat f) {
  using F = MarketFileFormat;
  switch (f) {
    case F::kGenericQuotes:
      return "generic_quotes";
    case F::kGenericTrades:
      return "generic_trades";
    case F::kHistdataQuotes:
      return "histdata_quotes";
    case F::kTruefxQuotes:
      return "truefx_quotes";
    case F::kBinanceKlines:
      return "binance_klines";
    case F::kBinanceBook5:
      return "binance_book5";
    case F::kBinanceDepth:
      return "binance_depth";
  }
  return "?";
}
std::string_view to_string(MarketConfig::Source s) {
  return s == MarketConfig::Source::kGenerated ? "generated" : "file";
}
std::string_view to_string(MarketConfig::Pace p) {
  return p == MarketConfig::Pace::kRealtime ? "realtime" : "fast";
}

RiskLimits RiskConfig::limits_for(const Symbol& s) const {
  RiskLimits r = defaults;
  auto it = symbols.find(s);
  if (it == symbols.end()) return r;
  const RiskLimits& o = it->second;
  if (o.max_order_quantity) r.max_order_quantity = o.max_order_quantity;
  if (o.max_notional) r.max_notional = o.max_notional;
  if (o.position_limit) r.position_limit = o.position_limit;
  if (o.price_collar_bps) r.price_collar_bps = o.price_collar_bps;
  if (o.max_orders_per_second) r.max_orders_per_second = o.max_orders_per_second;
  r.reduce_only = r.reduce_only || o.reduce_only;
  return r;
}

Result<Config> load_config_string(std::string_view yaml, std::string_view source_name,
                                  const EnvLookup& env) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    std::string where = std::string(source_name) + ": ";
    if (!e.mark.is_null())
      where += "line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1) + ": ";
    return make_error(ErrorKind::kInvalidArgument, where + "not valid YAML: " + e.msg);
  }
  return load_tree(doc, source_name, env);
}

Result<Config> load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, path + ": cannot open config file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::kIo, path + ": cannot read config file");
  return load_config_string(ss.str(), path, env);
}

Config default_config() {
  auto r = load_config_string(default_config_yaml(), "<embedded default>", EnvLookup{});
  if (!r) throw std::logic_error("embedded default config is invalid: " + r.error().message);
  return std::move(r).value();
}

std::map<std::string, Money> initial_balances(const PaperConfig& p,
                                              const std::vector<Symbol>& symbols) {
  std::map<std::string, Money> out = p.balances;
  std::set<std::string> assets;
  if (!p.asset.empty())
    assets.insert(p.asset);
  else
    for (const auto& s : symbols) assets.insert(std::string(s.quote()));
  if (assets.empty()) assets.insert("USD");
  for (const auto& a : assets)
    if (!out.count(a)) out[a] = p.initial_balance;  // an explicit balance wins
  return out;
}

}  // namespace at::config
