// `autotrader journal stats|tail|dump|verify|import`: the journal's own commands.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace at::cli {

void add_journal_commands(CLI::App& app);

// Validates every line of `jsonl` (named `source` in errors), then appends the events to the
// journal at `path` (created when missing) in batches. Throws CliError: kExitBadInput naming
// the line (nothing written), kExitLocked, kExitFailed. Returns the number of events appended.
// `recorded_now`: stamp events with the current time instead of their own times.
std::uint64_t import_events(const std::string& path, const std::string& source,
                            const std::string& jsonl, bool recorded_now);

}  // namespace at::cli
