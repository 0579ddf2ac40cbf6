// PLACEHOLDER (see sim_command.h): registers nothing until its owner replaces it.
#include "cli/sim_command.h"

namespace at::cli {

void add_sim_commands(CLI::App&) {}

}  // namespace at::cli
