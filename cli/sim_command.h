// `autotrader sim binance`: runs the Binance Spot simulator (sim/binance/binance_sim.h) on
// loopback until SIGINT/SIGTERM. docs/venues/binance-sim.md describes the flags.
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

// Registers `sim` and its venue subcommands on the top-level app.
void add_sim_commands(CLI::App& app);

}  // namespace at::cli
