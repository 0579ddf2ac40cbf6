// PLACEHOLDER (see run_command.h): registers nothing until its owner replaces it.
#include "cli/run_command.h"

namespace at::cli {

void add_run_commands(CLI::App&) {}

}  // namespace at::cli
