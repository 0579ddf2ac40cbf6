// The audit commands over projections: `orders list|show`, `positions`, `balances`, `fills`,
// `dlq list|show`, `replay`, and `stats` (stats_command.h). Each replays the journal
// (read-only) into the projections first.
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

void add_query_commands(CLI::App& app);

}  // namespace at::cli
