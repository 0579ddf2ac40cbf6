#include "cli/app.h"

#include <cstdio>

namespace at::cli {

int run_main(int argc, char** argv) {
  std::fprintf(stderr, "autotrader: no subcommands yet\n");
  return 2;
}

}  // namespace at::cli
