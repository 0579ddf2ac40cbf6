#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "config/env.h"

namespace at::config {
namespace {

// The spec's example configuration, verbatim.
constexpr const char* kSpecYaml = R"(
# config/execution.yaml

execution:
  broker: binance  # ibkr, binance, coinbase, okx, oanda, paper

  # Broker-specific configs
  binance:
    api_key: ${BINANCE_API_KEY}
    api_secret: ${BINANCE_API_SECRET}
    testnet: true

  ibkr:
    host: 127.0.0.1
    port: 7497  # Paper trading
    client_id: 1

  oanda:
    account_id: ${OANDA_ACCOUNT_ID}
    access_token: ${OANDA_TOKEN}
    environment: practice

  paper:
    initial_balance: 100000
    latency_ms: [10, 50]
    slippage_bps: 5
    commission_bps: 10

  # OMS settings
  oms:
    max_open_orders: 100
    order_timeout_seconds: 300

  # Resiliency
  resiliency:
    max_retries: 3
    initial_backoff: 1.0
    backoff_multiplier: 2.0
    circuit_breaker_threshold: 5
    enable_dlq: true
)";

constexpr const char* kApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr const char* kApiSecret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup binance_env() {
  return env({{"BINANCE_API_KEY", kApiKey}, {"BINANCE_API_SECRET", kApiSecret}});
}

// Loads `body` placed under "execution:" and returns the error text ("" when it loads).
std::string error_of(const std::string& body, const EnvLookup& e = env({})) {
  auto r = load_config_string("execution:\n" + body, "test.yaml", e);
  return r ? "" : r.error().message;
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(ConfigLoad, SpecExampleLoadsWithTypedValues) {
  auto r = load_config_string(kSpecYaml, "spec.yaml", binance_env());
  ASSERT_TRUE(r) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.broker, BrokerKind::kBinance);
  EXPECT_EQ(c.binance.api_key.reveal(), kApiKey);
  EXPECT_EQ(c.binance.api_secret.reveal(), kApiSecret);
  EXPECT_EQ(c.binance.environment, BinanceConfig::Environment::kTestnet);
  EXPECT_EQ(c.binance.base_url, "https://testnet.binance.vision");
  EXPECT_EQ(c.ibkr.host, "127.0.0.1");
  EXPECT_EQ(c.ibkr.port, 7497);
  EXPECT_EQ(c.ibkr.client_id, 1);
  EXPECT_EQ(c.oanda.environment, OandaConfig::Environment::kPractice);
  EXPECT_EQ(c.paper.initial_balance, Decimal::of("100000"));
  EXPECT_EQ(c.paper.latency_min_ms, 10);
  EXPECT_EQ(c.paper.latency_max_ms, 50);
  EXPECT_EQ(c.paper.slippage_bps, Decimal::of("5"));
  EXPECT_EQ(c.paper.commission_bps, Decimal::of("10"));
  EXPECT_EQ(c.oms.max_open_orders, 100);
  EXPECT_EQ(c.oms.order_timeout_seconds, 300);
  EXPECT_EQ(c.oms.archive_after_seconds, 600);
  EXPECT_EQ(c.resiliency.max_retries, 3);
  EXPECT_EQ(c.resiliency.initial_backoff, Millis(1000));
  EXPECT_EQ(c.resiliency.backoff_multiplier, 2.0);
  EXPECT_EQ(c.resiliency.circuit_breaker_threshold, 5);
  EXPECT_TRUE(c.resiliency.enable_dlq);
  EXPECT_EQ(c.journal.durability, JournalConfig::Durability::kSync);
}

TEST(ConfigLoad, UnsetVariablesOfAnUnselectedBrokerAreListedNotFatal) {
  auto r = load_config_string(kSpecYaml, "spec.yaml", binance_env());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->unresolved, (std::vector<std::string>{"execution.oanda.account_id",
                                                     "execution.oanda.access_token"}));
  EXPECT_TRUE(r->oanda.access_token.empty());
}

TEST(ConfigLoad, UnsetVariableOfTheSelectedBrokerNamesVariableAndKeyPath) {
  auto r = load_config_string(kSpecYaml, "spec.yaml", env({{"BINANCE_API_KEY", kApiKey}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_HAS(r.error().message, "spec.yaml: execution.binance.api_secret (line 10)");
  EXPECT_HAS(r.error().message, "BINANCE_API_SECRET is not set");
  EXPECT_EQ(r.error().message.find(kApiKey), std::string::npos);
}

TEST(ConfigLoad, EmbeddedDefaultIsPaperOnGeneratedMarketWithSyncJournal) {
  Config c = default_config();
  EXPECT_EQ(c.broker, BrokerKind::kPaper);
  EXPECT_EQ(c.market.source, MarketConfig::Source::kGenerated);
  EXPECT_EQ(c.market.symbols.size(), 4u);
  EXPECT_EQ(c.journal.path, "./autotrader-journal");
  EXPECT_EQ(c.journal.durability, JournalConfig::Durability::kSync);
  EXPECT_TRUE(c.strategy.demo.enabled);
  EXPECT_EQ(c.strategy.demo.quantity.at(Symbol::of("ETH-BTC")), Decimal::of("0.1"));
  EXPECT_EQ(c.risk.limits_for(Symbol::of("ETH-BTC")).max_notional, Decimal::of("5"));
  EXPECT_EQ(c.risk.limits_for(Symbol::of("ETH-BTC")).price_collar_bps, Decimal::of("500"));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConfigLoad, ExamplePaperYamlIsTheEmbeddedDefault) {
  EXPECT_EQ(read_file(std::string(AT_SOURCE_DIR) + "/examples/paper.yaml"),
            std::string(default_config_yaml()));
  auto r = load_config_file(std::string(AT_SOURCE_DIR) + "/examples/paper.yaml", env({}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(redacted_yaml(*r), redacted_yaml(default_config()));
}

TEST(ConfigLoad, BinanceSimUrlsFollowTheGivenBaseUrl) {
  auto r = load_config_string(
      "execution:\n  broker: binance\n  binance:\n    api_key: k\n    api_secret: s\n"
      "    environment: sim\n    base_url: http://127.0.0.1:4321/\n",
      "t.yaml", env({}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->binance.ws_url, "ws://127.0.0.1:4321/ws-api/v3");
  EXPECT_EQ(r->binance.stream_url, "ws://127.0.0.1:4321");
  auto d = load_config_string(
      "execution:\n  broker: binance\n  binance:\n    api_key: k\n    api_secret: s\n"
      "    environment: sim\n",
      "t.yaml", env({}));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->binance.stream_url, "ws://127.0.0.1:9100");
}

TEST(ConfigLoad, ExampleBinanceSimLoadsWithoutEnvironment) {
  auto r = load_config_file(std::string(AT_SOURCE_DIR) + "/examples/binance-sim.yaml", env({}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->broker, BrokerKind::kBinance);
  EXPECT_EQ(r->binance.environment, BinanceConfig::Environment::kSim);
  // The simulator's default key: Binance's documented example key.
  EXPECT_EQ(r->binance.api_key.reveal(),
            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A");
  EXPECT_EQ(r->binance.ws_url, "ws://127.0.0.1:9100/ws-api/v3");
}

TEST(ConfigLoad, MissingFileIsAnIoErrorNamingThePath) {
  auto r = load_config_file("/nonexistent/autotrader.yaml", env({}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kIo);
  EXPECT_HAS(r.error().message, "/nonexistent/autotrader.yaml");
}

TEST(ConfigLoad, MoneyKeepsItsExactText) {
  auto r = load_config_string(
      "execution:\n  paper:\n    initial_balance: 0.00002853\n    balances: {BTC: "
      "1.10000000}\n  risk:\n    default: {max_notional: 12345678901234567.123456789}\n",
      "t", env({}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->paper.initial_balance.to_string(), "0.00002853");
  EXPECT_EQ(r->paper.balances.at("BTC").to_string(), "1.10000000");
  EXPECT_EQ(r->risk.defaults.max_notional->to_string(), "12345678901234567.123456789");
}

TEST(ConfigErrors, EveryKindNamesItsKeyPathAndExpectation) {
  struct Case {
    std::string body, path, expected;
  };
  const std::vector<Case> cases = {
      {"  broker: kraken\n", "execution.broker (line 2)", "expected one of paper, binance"},
      {"  paper:\n    latency_ms: [10, ten]\n", "execution.paper.latency_ms[1] (line 3)",
       "expected a non-negative integer up to 600000, got 'ten'"},
      {"  paper:\n    latency_ms: [50, 10]\n", "execution.paper.latency_ms", "min <= max"},
      {"  paper:\n    latency_ms: 10-50\n", "execution.paper.latency_ms",
       "expected a non-negative integer"},
      {"  paper:\n    latency_ms: [1, 2, 3]\n", "execution.paper.latency_ms", "[min, max]"},
      {"  paper:\n    initial_balance: lots\n", "execution.paper.initial_balance",
       "non-negative decimal number, got 'lots'"},
      {"  paper:\n    slippage_bps: -1\n", "execution.paper.slippage_bps", "non-negative"},
      {"  oms:\n    max_open_orders: 0\n", "execution.oms.max_open_orders", "positive integer"},
      {"  oms:\n    max_open_orders: 1.5\n", "execution.oms.max_open_orders", "got '1.5'"},
      {"  oms:\n    archive_after_seconds: -5\n", "execution.oms.archive_after_seconds",
       "non-negative integer"},
      {"  resiliency:\n    initial_backoff: soon\n", "execution.resiliency.initial_backoff",
       "duration in seconds"},
      {"  resiliency:\n    backoff_multiplier: 0.5\n", "execution.resiliency.backoff_multiplier",
       "number from 1 to 100"},
      {"  resiliency:\n    enable_dlq: maybe\n", "execution.resiliency.enable_dlq",
       "expected true or false, got 'maybe'"},
      {"  resiliency:\n    initial_backoff: 10\n    max_backoff: 1\n",
       "execution.resiliency.max_backoff", ">= initial_backoff"},
      {"  journal:\n    durability: fast\n", "execution.journal.durability",
       "expected one of sync, batch, none"},
      {"  journal: [a, b]\n", "execution.journal", "expected a mapping"},
      {"  risk:\n    symbols:\n      'BTC USDT': {max_notional: 1}\n",
       "execution.risk.symbols.BTC USDT", "expected a symbol"},
      {"  risk:\n    default: {max_order_quantity: 0}\n",
       "execution.risk.default.max_order_quantity", "positive decimal"},
      {"  market:\n    source: file\n", "execution.market.files", "at least one file"},
      {"  market:\n    source: file\n    files: [{path: x.csv, format: binance_klines}]\n",
       "execution.market.files[0].symbol", "carries no symbol"},
      {"  market:\n    symbols: [AAPL, DOGE-USD]\n", "execution.market.symbols[1]",
       "generated market has no 'DOGE-USD'"},
      {"  strategy:\n    demo: {symbols: [AAPL], quantity: {AAPL: -1}}\n",
       "execution.strategy.demo.quantity.AAPL", "positive decimal"},
      {"  gateway: {enabled: true, listen: 0.0.0.0}\n", "execution.gateway.auth_token",
       "non-loopback"},
      {"  broker: binance\n  binance: {environment: live}\n", "execution.binance.api_key",
       "required when execution.broker is binance"},
      {"  broker: okx\n  okx: {api_key: a, api_secret: b}\n", "execution.okx.passphrase",
       "required"},
      {"  binance: {testnet: true, environment: live}\n", "execution.binance.testnet",
       "contradicts"},
      {"  paper:\n    seed: ${SEED\n", "execution.paper.seed", "unterminated '${'"},
  };
  for (const auto& c : cases) {
    std::string err = error_of(c.body);
    EXPECT_HAS(err, "test.yaml: " + c.path);
    EXPECT_HAS(err, c.expected);
  }
}

TEST(ConfigErrors, UnknownKeyIsRejectedWithASuggestion) {
  std::string err = error_of("  paper:\n    slipage_bps: 5\n");
  EXPECT_HAS(err,
             "execution.paper.slipage_bps (line 3): unknown key (did you mean 'slippage_bps'?)");
  err = error_of("  brokr: paper\n");
  EXPECT_HAS(err, "execution.brokr (line 2): unknown key (did you mean 'broker'?)");
  err = error_of("  colour: blue\n");
  EXPECT_HAS(err, "execution.colour");
  EXPECT_HAS(err, "expected one of broker, binance");
  auto r = load_config_string("exec:\n  broker: paper\n", "t", env({}));
  ASSERT_FALSE(r);
  EXPECT_HAS(r.error().message, "exec (line 1): unknown key");
}

TEST(ConfigErrors, DuplicateKeyIsAnError) {
  EXPECT_HAS(error_of("  broker: paper\n  broker: binance\n"),
             "execution.broker (line 3): duplicate key");
}

TEST(ConfigErrors, AllErrorsAreReportedTogether) {
  std::string err = error_of("  oms: {max_open_orders: x}\n  journal: {durability: y}\n");
  EXPECT_HAS(err, "execution.oms.max_open_orders");
  EXPECT_HAS(err, "execution.journal.durability");
}

TEST(ConfigErrors, BadYamlNamesLineAndColumn) {
  auto r = load_config_string("execution:\n  broker: [paper\n", "bad.yaml", env({}));
  ASSERT_FALSE(r);
  EXPECT_HAS(r.error().message, "bad.yaml: line ");
  EXPECT_HAS(r.error().message, "not valid YAML");
}

TEST(ConfigErrors, EmptyDocumentAsksForTheExecutionBlock) {
  EXPECT_HAS(load_config_string("", "e.yaml", env({})).error().message,
             "execution: missing; expected a top-level 'execution:' block");
}

TEST(EnvSubstitution, ReplacesVariablesDefaultsAndEscapes) {
  auto e = env({{"HOST", "10.0.0.1"}, {"EMPTY", ""}});
  auto s = substitute_env("http://${HOST}:${PORT:-8080}/x", e);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->text, "http://10.0.0.1:8080/x");
  EXPECT_TRUE(s->missing.empty());
  EXPECT_EQ(substitute_env("${EMPTY:-fallback}", e)->text, "fallback");
  EXPECT_EQ(substitute_env("${EMPTY}", e)->text, "");
  EXPECT_EQ(substitute_env("cost $${HOST} $5", e)->text, "cost ${HOST} $5");
  EXPECT_EQ(substitute_env("${NOPE}", e)->missing, std::vector<std::string>{"NOPE"});
  EXPECT_FALSE(substitute_env("${1BAD}", e));
  EXPECT_FALSE(substitute_env("${OPEN", e));
}

TEST(EnvSubstitution, AppliesToNumbersAndPathsInAnySection) {
  auto r = load_config_string(
      "execution:\n  oms: {max_open_orders: '${MAX_OPEN:-7}'}\n  journal: {path: '"
      "${JDIR}/j'}\n",
      "t", env({{"JDIR", "/var/lib/at"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->oms.max_open_orders, 7);
  EXPECT_EQ(r->journal.path, "/var/lib/at/j");
}

TEST(EnvSubstitution, MissingVariableOutsideBrokerSectionsIsAlwaysAnError) {
  EXPECT_HAS(error_of("  journal: {path: '${JOURNAL_DIR}'}\n"),
             "execution.journal.path (line 2): environment variable JOURNAL_DIR is not set");
}

TEST(EnvSubstitution, ValueCannotInjectYamlStructure) {
  auto r = load_config_string("execution:\n  journal: {path: '${P}'}\n", "t",
                              env({{"P", "x}\n  broker: binance"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->broker, BrokerKind::kPaper);
  EXPECT_EQ(r->journal.path, "x}\n  broker: binance");
}

TEST(Secrets, NeverPrintedByFormatting) {
  Secret s(kApiSecret);
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "***");
  EXPECT_EQ(s.to_string(), "***");
  EXPECT_EQ(Secret().to_string(), "");
  EXPECT_EQ(s.reveal(), kApiSecret);
}

TEST(Secrets, AbsentFromRedactedYamlAndDigestIgnoresThem) {
  auto r = load_config_string(kSpecYaml, "spec.yaml", binance_env());
  ASSERT_TRUE(r);
  std::string y = redacted_yaml(*r);
  EXPECT_EQ(y.find(kApiKey), std::string::npos);
  EXPECT_EQ(y.find(kApiSecret), std::string::npos);
  EXPECT_HAS(y, "api_key: \"***\"");
  EXPECT_HAS(y, "environment: testnet");

  auto other = load_config_string(kSpecYaml, "spec.yaml",
                                  env({{"BINANCE_API_KEY", "k2"}, {"BINANCE_API_SECRET", "s2"}}));
  ASSERT_TRUE(other);
  EXPECT_EQ(config_digest(*r), config_digest(*other));
  EXPECT_EQ(config_digest(*r).rfind("sha256:", 0), 0u);
  EXPECT_EQ(config_digest(*r).size(), 7u + 64u);
  EXPECT_NE(config_digest(*r), config_digest(default_config()));
}

TEST(Secrets, NeverQuotedInErrorMessages) {
  // A secret that lands in a checked field is reported by its ${NAME}, not its value.
  std::string err = error_of("  oms: {max_open_orders: '${BINANCE_API_SECRET}'}\n", binance_env());
  EXPECT_HAS(err, "execution.oms.max_open_orders");
  EXPECT_HAS(err, "${BINANCE_API_SECRET}");
  EXPECT_EQ(err.find(kApiSecret), std::string::npos);
  // A misspelt secret key is reported by its name only.
  err = error_of("  binance: {api_secrett: '${BINANCE_API_SECRET}'}\n", binance_env());
  EXPECT_HAS(err, "api_secrett");
  EXPECT_EQ(err.find(kApiSecret), std::string::npos);
}

TEST(RedactedYaml, ReloadsToTheSameConfiguration) {
  Config c = default_config();
  auto r = load_config_string(redacted_yaml(c), "redacted", env({}));
  ASSERT_TRUE(r) << r.error().message << "\n" << redacted_yaml(c);
  EXPECT_EQ(redacted_yaml(*r), redacted_yaml(c));
}

TEST(RedactedYaml, SpecExampleReloadsWithMaskedSecrets) {
  auto r = load_config_string(kSpecYaml, "spec.yaml", binance_env());
  ASSERT_TRUE(r);
  auto again = load_config_string(redacted_yaml(*r), "redacted", env({}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->binance.api_key.reveal(), "***");
  EXPECT_EQ(again->binance.environment, BinanceConfig::Environment::kTestnet);
  EXPECT_EQ(redacted_yaml(*again), redacted_yaml(*r));
}

TEST(PaperConfig, OneLatencyNumberMeansAFixedLatency) {
  auto r = load_config_string("execution:\n  paper: {latency_ms: 25}\n", "t", env({}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->paper.latency_min_ms, 25);
  EXPECT_EQ(r->paper.latency_max_ms, 25);
}

TEST(RiskConfig, SymbolLimitsOverrideDefaultsFieldByField) {
  auto r = load_config_string(
      "execution:\n  risk:\n    default: {max_notional: 1000, price_collar_bps: 50}\n"
      "    symbols:\n      btc-usdt: {max_notional: 5000, reduce_only: true}\n",
      "t", env({}));
  ASSERT_TRUE(r) << r.error().message;
  RiskLimits l = r->risk.limits_for(Symbol::of("BTC-USDT"));
  EXPECT_EQ(l.max_notional, Decimal::of("5000"));
  EXPECT_EQ(l.price_collar_bps, Decimal::of("50"));
  EXPECT_TRUE(l.reduce_only);
  EXPECT_FALSE(l.max_order_quantity);
  EXPECT_EQ(r->risk.limits_for(Symbol::of("AAPL")).max_notional, Decimal::of("1000"));
}

TEST(PaperConfig, InitialBalancesGoToEachQuoteCurrencyUnlessListed) {
  Config c = default_config();
  auto b = initial_balances(c.paper, c.market.symbols);
  EXPECT_EQ(b.at("USD"), Decimal::of("100000"));
  EXPECT_EQ(b.at("USDT"), Decimal::of("100000"));
  EXPECT_EQ(b.at("BTC"), Decimal::of("2"));
  c.paper.asset = "USDT";
  c.paper.balances.clear();
  b = initial_balances(c.paper, c.market.symbols);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.at("USDT"), Decimal::of("100000"));
}

}  // namespace
}  // namespace at::config
