// PLACEHOLDER created by the CLI owner so the CLI links; the engine owner replaces
// this file (and run_command.cc) with the real `autotrader run` subcommands.
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

// Registers the `run` subcommand(s) on the top-level app.
void add_run_commands(CLI::App& app);

}  // namespace at::cli
