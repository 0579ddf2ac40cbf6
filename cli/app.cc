#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/common.h"
#include "cli/demo_command.h"
#include "cli/journal_commands.h"
#include "cli/query_commands.h"
#include "cli/run_command.h"
#include "cli/sim_command.h"

namespace at::cli {

int run_main(int argc, char** argv) {
  CLI::App app{
      "autotrader: event-sourced execution service. The journal is the truth; orders, positions,\n"
      "balances and dead letters are projections rebuilt from it. See docs/cli.md.",
      "autotrader"};
  app.require_subcommand(1);
  app.fallthrough(false);
  add_journal_commands(app);
  add_query_commands(app);
  add_demo_command(app);
  add_run_commands(app);
  add_sim_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    // A subcommand (run/sim) asked for a non-zero exit; its message, if any, is already out.
    if (*e.what()) std::cerr << "autotrader: " << e.what() << '\n';
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    std::cerr << "autotrader: " << e.what() << " (see --help)\n";
    return kExitUsage;
  } catch (const CliError& e) {
    std::cout.flush();
    std::cerr << "autotrader: " << e.what() << '\n';
    return e.code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "autotrader: " << e.what() << '\n';
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace at::cli
