// Config: the typed form of the service's YAML configuration (the `execution:` block of the
// phase-10 spec, plus risk, journal, market, strategy and gateway blocks).
//
// Loading is strict: every key is known (a typo is an error, with a suggestion), every value
// is checked, and every error names its key path and what was expected, e.g.
//   "execution.paper.latency_ms[1] (line 12): expected a non-negative integer, got 'ten'".
// All errors of a file are reported together, one per line, in one Error (kInvalidArgument;
// kIo when the file cannot be read). Prices, quantities and money are read from the scalar
// text as exact decimals, never through a double.
//
// Scalars may use `${NAME}` and `${NAME:-default}` (default used when NAME is unset or empty);
// `$${` is a literal `${`. Substitution happens after YAML parsing, inside one scalar, so an
// environment value can never inject YAML structure. A missing variable without a default is
// an error naming the variable and the key path, except inside the section of a broker that
// is not selected: there the field stays empty and `unresolved` lists it, so one file can hold
// every venue while only the selected venue's variables are needed.
//
// Secrets (Secret) print as "***"; error messages quote the raw text of a scalar (`${VAR}`),
// never a substituted value, so a secret cannot leak through a validation error.
//
// Thread-safety: plain values; load functions are reentrant.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/secret.h"
#include "domain/decimal.h"
#include "domain/result.h"
#include "domain/symbol.h"

namespace at::config {

using Millis = std::chrono::milliseconds;

enum class BrokerKind : std::uint8_t { kPaper, kBinance, kIbkr, kCoinbase, kOkx, kOanda };
std::string_view to_string(BrokerKind b);

struct BinanceConfig {
  enum class Environment : std::uint8_t { kLive, kTestnet, kSim };
  Secret api_key;
  Secret api_secret;
  Environment environment = Environment::kTestnet;
  // Filled from `environment` when not given (see docs/configuration.md for the defaults).
  std::string base_url;    // REST root, without /api: "https://testnet.binance.vision"
  std::string ws_url;      // WebSocket API: ".../ws-api/v3"
  std::string stream_url;  // public market streams
  int recv_window_ms = 5000;
};
std::string_view to_string(BinanceConfig::Environment e);

struct IbkrConfig {
  std::string host = "127.0.0.1";
  int port = 7497;  // TWS paper 7497, live 7496; IB Gateway 4002 / 4001
  int client_id = 1;
  std::string account;  // empty: the only account of the login
};

struct CoinbaseConfig {
  enum class Environment : std::uint8_t { kLive, kSandbox, kSim };
  Secret api_key;     // CDP key name ("organizations/.../apiKeys/...")
  Secret api_secret;  // EC private key, PEM
  Environment environment = Environment::kSandbox;
  std::string base_url;
  std::string ws_url;
};
std::string_view to_string(CoinbaseConfig::Environment e);

struct OkxConfig {
  enum class Environment : std::uint8_t { kLive, kDemo, kSim };
  Secret api_key;
  Secret api_secret;
  Secret passphrase;
  Environment environment = Environment::kDemo;
  std::string base_url;
  std::string ws_url;  // private WebSocket
};
std::string_view to_string(OkxConfig::Environment e);

struct OandaConfig {
  enum class Environment : std::uint8_t { kPractice, kLive, kSim };
  std::string account_id;
  Secret access_token;
  Environment environment = Environment::kPractice;
  std::string base_url;
  std::string stream_url;
};
std::string_view to_string(OandaConfig::Environment e);

struct PaperConfig {
  Money initial_balance = Money::from_int(100000);
  // Asset that receives initial_balance. Empty: every quote currency of market.symbols gets it
  // (USD for AAPL and EUR-USD, USDT for BTC-USDT, BTC for ETH-BTC). See initial_balances().
  std::string asset;
  std::map<std::string, Money> balances;  // extra starting balances by asset
  int latency_min_ms = 10;
  int latency_max_ms = 50;
  Decimal slippage_bps = Decimal::from_int(5);
  Decimal commission_bps = Decimal::from_int(10);
  std::uint64_t seed = 42;
};

struct OmsConfig {
  int max_open_orders = 100;
  int order_timeout_seconds = 300;  // 0: orders never time out
  // A finished order leaves memory (and snapshots) this long after its last event; 0: never.
  int archive_after_seconds = 600;
  std::string client_order_id_prefix = "at";
};

struct ResiliencyConfig {
  int max_retries = 3;
  Millis initial_backoff{1000};
  double backoff_multiplier = 2.0;
  Millis max_backoff{30000};
  double jitter = 0.2;  // fraction of each backoff drawn at random: delay * (1 +- jitter)
  int circuit_breaker_threshold = 5;
  Millis breaker_cooldown{30000};  // open -> half-open after this long
  int half_open_max_calls = 1;
  bool enable_dlq = true;
  Millis request_timeout{10000};
  Millis reconnect_initial_backoff{250};
  Millis reconnect_max_backoff{4000};
};

// Limits for one symbol. An absent value means "no limit".
struct RiskLimits {
  std::optional<Quantity> max_order_quantity;
  std::optional<Money> max_notional;        // per order, in the symbol's quote currency
  std::optional<Quantity> position_limit;   // absolute net position
  std::optional<Decimal> price_collar_bps;  // limit price vs last mark
  std::optional<int> max_orders_per_second;
  bool reduce_only = false;  // only exposure-reducing orders pass
};

struct KillSwitchConfig {
  // Trip after max_rejects venue rejects within window_seconds. 0 disables.
  int max_rejects = 0;
  int window_seconds = 60;
  std::optional<Money> max_loss;               // realized + unrealized, account currency
  std::optional<Quantity> max_position_drift;  // |ours - venue's| on any symbol
  bool flatten_on_trip = false;
};

struct RiskConfig {
  RiskLimits defaults;
  // Per-symbol overrides; a field left out inherits from `defaults`.
  std::map<Symbol, RiskLimits> symbols;
  KillSwitchConfig kill_switch;

  // `defaults` overlaid with the symbol's own limits.
  RiskLimits limits_for(const Symbol& s) const;
};

struct JournalConfig {
  enum class Durability : std::uint8_t { kSync, kBatch, kNone };
  std::string path = "./autotrader-journal";
  Durability durability = Durability::kSync;
  int batch_interval_ms = 5;              // durability: batch
  std::uint64_t snapshot_every = 100000;  // events between snapshots; 0: never
};
std::string_view to_string(JournalConfig::Durability d);

enum class MarketFileFormat : std::uint8_t {
  kGenericQuotes,   // ts,symbol,bid,ask[,bid_size,ask_size]
  kGenericTrades,   // ts,symbol,price,quantity[,side]
  kHistdataQuotes,  // YYYYMMDD HHMMSSmmm,bid,ask,0
  kTruefxQuotes,    // timestamp,bid,ask
  kBinanceKlines,   // Binance kline rows
  kBinanceBook5,    // Binance 5-level book snapshots
  kBinanceDepth,    // Binance depth updates (+ optional snapshot) -> L2 book
};
std::string_view to_string(MarketFileFormat f);

struct MarketFile {
  std::string path;
  MarketFileFormat format = MarketFileFormat::kGenericQuotes;
  std::optional<Symbol> symbol;  // required by formats that carry no symbol
  std::string snapshot;          // binance_depth: optional snapshot file
};

struct MarketConfig {
  enum class Source : std::uint8_t { kGenerated, kFile };
  enum class Pace : std::uint8_t { kRealtime, kFast };
  Source source = Source::kGenerated;
  std::vector<Symbol> symbols;  // generated: which sample instruments; default all
  std::uint64_t seed = 7;
  Pace pace = Pace::kRealtime;
  Decimal speed = Decimal::from_int(1);  // realtime: 2 = twice as fast as recorded
  int tick_interval_ms = 100;            // generated: time between steps
  std::uint64_t max_events = 0;          // 0: no limit (generated markets never end)
  std::vector<MarketFile> files;         // source: file
};
std::string_view to_string(MarketConfig::Source s);
std::string_view to_string(MarketConfig::Pace p);

struct DemoStrategyConfig {
  bool enabled = true;
  std::vector<Symbol> symbols;          // empty: market.symbols
  int interval_ms = 1000;               // between decisions
  std::map<Symbol, Quantity> quantity;  // order size per symbol; missing: strategy default
  std::string order_type = "limit";     // market | limit | ioc
  Decimal limit_offset_bps = Decimal::from_int(2);
  std::uint64_t seed = 1;
};

struct StrategyConfig {
  DemoStrategyConfig demo;
  std::map<std::string, std::string> params;  // free-form, passed to the strategy as text
};

struct GatewayConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1";
  int port = 8080;
  Secret auth_token;  // bearer token; required when enabled and listen is not loopback
  std::string tls_cert;
  std::string tls_key;
};

struct Config {
  BrokerKind broker = BrokerKind::kPaper;
  BinanceConfig binance;
  IbkrConfig ibkr;
  CoinbaseConfig coinbase;
  OkxConfig okx;
  OandaConfig oanda;
  PaperConfig paper;
  OmsConfig oms;
  ResiliencyConfig resiliency;
  RiskConfig risk;
  JournalConfig journal;
  MarketConfig market;
  StrategyConfig strategy;
  GatewayConfig gateway;

  // Key paths of fields whose ${VAR} was unset in an unselected broker's section.
  std::vector<std::string> unresolved;
  std::string source;  // file path, or "<embedded default>"
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment (getenv).
EnvLookup process_env();

// Parses YAML text. `source_name` prefixes nothing but is stored in Config::source.
Result<Config> load_config_string(std::string_view yaml, std::string_view source_name = "<string>",
                                  const EnvLookup& env = process_env());
// Reads and parses a file. kIo if it cannot be read; errors are prefixed with the path.
Result<Config> load_config_file(const std::string& path, const EnvLookup& env = process_env());

// The embedded default: paper venue, generated market, journal ./autotrader-journal with sync
// durability, demo strategy on. Also shipped as examples/paper.yaml.
std::string_view default_config_yaml();
Config default_config();

// The effective configuration (defaults filled in) as YAML under `execution:`, with every
// secret replaced by "***". Deterministic: safe to journal and to diff.
std::string redacted_yaml(const Config& c);
// "sha256:<hex>" of redacted_yaml(): identifies a configuration in the journal without secrets.
std::string config_digest(const Config& c);

// Starting balances of the paper venue: `balances`, plus initial_balance in `asset` (or, when
// asset is empty, in each quote currency of `symbols`; USD when there are none) for every such
// asset that `balances` does not already list.
std::map<std::string, Money> initial_balances(const PaperConfig& p,
                                              const std::vector<Symbol>& symbols);

}  // namespace at::config
