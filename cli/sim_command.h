// PLACEHOLDER created by the CLI owner so the CLI links; the simulator owner replaces
// this file (and sim_command.cc) with the real `autotrader sim` subcommands.
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

// Registers the `sim` subcommand(s) on the top-level app.
void add_sim_commands(CLI::App& app);

}  // namespace at::cli
