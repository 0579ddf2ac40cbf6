// `autotrader stats`: latency histograms, order outcomes, reject reasons and decision outcomes
// computed from the journal alone (replay/stats.h does the work; this file only prints).
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

void add_stats_command(CLI::App& app);

}  // namespace at::cli
