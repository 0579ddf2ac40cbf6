// The autotrader executable: main() wires the program; cli/ holds the subcommands.
#include "cli/app.h"

int main(int argc, char** argv) { return at::cli::run_main(argc, argv); }
