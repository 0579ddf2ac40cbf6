// The `autotrader` command line: parses argv, runs one subcommand, returns the exit code.
#pragma once

namespace at::cli {

int run_main(int argc, char** argv);

}  // namespace at::cli
