// The engine's subcommands: `run` (the main job), and the operator commands that act on a
// running engine through its control socket, or on the journal directly when none runs:
// `kill`, `resume`, `reduce`, `cancel`, `replace`, `dlq show|retry|drop`, and `stats`.
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

void add_run_commands(CLI::App& app);

}  // namespace at::cli
