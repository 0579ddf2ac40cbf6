#include "cli/sim_command.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "platform/system_clock.h"
#include "sim/binance/binance_sim.h"

namespace at::cli {

namespace {

struct BinanceArgs {
  std::uint16_t port = 0;
  std::string host = "127.0.0.1";
  bool tls = false;
  std::string tls_cert_out;
  std::uint64_t seed = 1;
  std::string market = "generated";
  std::string market_format = "generic_quotes";
  int market_interval_ms = 200;
  std::vector<std::string> faults;
  std::string api_key;
  std::string api_secret;
  std::vector<std::string> balances;
  int weight_per_minute = 6000;
  int orders_per_10s = 50;
  std::string commission_bps = "10";
};

void run_binance(const BinanceArgs& a) {
  sim::BinanceSimOptions o;
  o.host = a.host == "localhost" ? "127.0.0.1" : a.host;
  o.port = a.port;
  o.tls = a.tls;
  o.seed = a.seed;
  o.market = a.market;
  o.market_format = a.market_format;
  o.market_interval = std::chrono::milliseconds(a.market_interval_ms);
  o.limits.weight_per_minute = a.weight_per_minute;
  o.limits.orders_per_10s = a.orders_per_10s;
  auto bps = Decimal::parse(a.commission_bps);
  if (!bps) throw CliError(kExitUsage, "--commission-bps: " + bps.error().message);
  o.commission_bps = *bps;
  if (!a.api_key.empty() || !a.api_secret.empty()) {
    if (a.api_key.empty() || a.api_secret.empty()) {
      throw CliError(kExitUsage, "--api-key and --api-secret go together");
    }
    // Binance API keys are alphanumeric; the simulator answers any other key with -2014, so
    // refusing it here saves a confusing 401 on every signed request later.
    bool alnum = a.api_key.size() <= 128;
    for (char ch : a.api_key) alnum = alnum && std::isalnum(static_cast<unsigned char>(ch));
    if (!alnum)
      throw CliError(kExitUsage, "--api-key '" + a.api_key +
                                     "': a Binance API key is 1-128 letters and digits "
                                     "(the simulator answers any other key with -2014)");
    o.keys = {sim::SimApiKey{a.api_key, a.api_secret, "main"}};
  }
  if (!a.balances.empty()) {
    auto& main = o.balances["main"];
    main.clear();
    for (const auto& b : a.balances) {
      auto eq = b.find('=');
      auto amount = eq == std::string::npos
                        ? Result<Decimal>(make_error(ErrorKind::kInvalidArgument, "missing '='"))
                        : Decimal::parse(b.substr(eq + 1));
      if (!amount) throw CliError(kExitUsage, "--balance '" + b + "': want ASSET=AMOUNT");
      main[b.substr(0, eq)] = *amount;
    }
  }
  for (const auto& f : a.faults) {
    if (auto st = o.faults.apply(f); !st)
      throw CliError(kExitUsage, "--fault: " + st.error().message);
  }

  // Block the stop signals in every thread (the server's included), then wait for one here.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  SystemClock clock;
  sim::BinanceSim simulator(o, clock);
  if (auto st = simulator.start(); !st) throw CliError(kExitFailed, st.error().message);
  if (a.tls && !a.tls_cert_out.empty()) {
    std::ofstream out(a.tls_cert_out);
    out << simulator.certificate_pem();
    if (!out) throw CliError(kExitFailed, "cannot write " + a.tls_cert_out);
  }
  // One machine-readable line first: scripts (and the crash test) read the port from it.
  std::cout << "sim.binance.listening port=" << simulator.port()
            << " rest=" << simulator.rest_base_url() << " ws_api=" << simulator.ws_api_url()
            << " streams=" << simulator.stream_base_url() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  simulator.stop();
  std::cout << "sim.binance.stopped signal=" << sig << std::endl;
}

}  // namespace

void add_sim_commands(CLI::App& app) {
  auto* sim = app.add_subcommand("sim",
                                 "Venue simulators speaking each venue's real protocol "
                                 "on loopback (docs/venues/binance-sim.md)");
  sim->require_subcommand(1);
  auto args = std::make_shared<BinanceArgs>();
  auto* bn = sim->add_subcommand("binance",
                                 "Binance Spot: REST /api/v3, WebSocket API "
                                 "/ws-api/v3, market streams, /sim control");
  bn->add_option("--port", args->port, "TCP port (0: any free port; printed at start)")->required();
  bn->add_option("--host", args->host, "Address to bind (loopback only)")->capture_default_str();
  bn->add_flag("--tls", args->tls, "Serve HTTPS/WSS with a self-signed certificate");
  bn->add_option("--tls-cert-out", args->tls_cert_out, "Write the certificate (PEM) here");
  bn->add_option("--seed", args->seed, "Seed of the generated market and generated ids")
      ->capture_default_str();
  bn->add_option("--market", args->market,
                 "generated | none | FILE (a recording; see --market-format)")
      ->capture_default_str();
  bn->add_option("--market-format", args->market_format,
                 "Format of a --market FILE (market_data readers: generic_quotes, "
                 "generic_trades, binance_book5, ...)")
      ->capture_default_str();
  bn->add_option("--market-interval-ms", args->market_interval_ms,
                 "Market tick period (0: only POST /sim/market/step)")
      ->capture_default_str();
  bn->add_option("--fault", args->faults,
                 "Fault to inject, repeatable: latency=MS 5xx=N 5xx-exec=N drop-after-accept=N "
                 "429=N retry-after=S ban=S ws-drop-after=N dup-events=N reorder-events=N");
  bn->add_option("--api-key", args->api_key, "API key (default: Binance's documented example)");
  bn->add_option("--api-secret", args->api_secret, "API secret for --api-key");
  bn->add_option("--balance", args->balances,
                 "Starting balance ASSET=AMOUNT, repeatable (replaces the defaults)");
  bn->add_option("--weight-limit", args->weight_per_minute, "REQUEST_WEIGHT per minute")
      ->capture_default_str();
  bn->add_option("--orders-per-10s", args->orders_per_10s, "ORDERS per 10 seconds")
      ->capture_default_str();
  bn->add_option("--commission-bps", args->commission_bps, "Commission, basis points")
      ->capture_default_str();
  bn->callback([args] {
    if (args->host != "127.0.0.1" && args->host != "localhost" && args->host != "::1") {
      throw CliError(kExitUsage, "--host must be a loopback address");
    }
    run_binance(*args);
  });
}

}  // namespace at::cli
