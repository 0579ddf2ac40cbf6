#include "cli/demo_command.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/common.h"
#include "cli/fixture.h"
#include "cli/journal_commands.h"
#include "platform/system_clock.h"

namespace at::cli {
namespace {

struct DemoOpts {
  std::string journal;  // empty: a fresh directory under $TMPDIR
};

std::string fresh_directory() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "autotrader-demo-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw CliError(kExitFailed, "cannot create a temporary directory under " +
                                    std::filesystem::temp_directory_path().string());
  return (std::filesystem::path(buf.data()) / "journal").string();
}

// Runs one CLI command in-process, echoing it first as a shell prompt would.
int show(const std::vector<std::string>& args) {
  std::cout << "\n$ autotrader";
  for (std::size_t i = 0; i < args.size(); ++i)
    if (args[i] != "--journal" && (i == 0 || args[i - 1] != "--journal"))
      std::cout << ' ' << args[i];
  std::cout << '\n';
  std::cout.flush();
  std::vector<std::string> storage{"autotrader"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  return run_main(static_cast<int>(argv.size()), argv.data());
}

void run_demo(const DemoOpts& o) {
  std::string path = o.journal;
  if (path.empty()) {
    path = fresh_directory();
  } else {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_empty(path, ec)) {
      SystemClock clock;
      auto j = open_journal_read_only(path, clock);
      if (j->last_sequence() != 0)
        throw CliError(kExitFailed, "demo needs an empty journal, but " + path + " holds " +
                                        std::to_string(j->last_sequence()) +
                                        " events; pass a new --journal PATH or none");
    }
  }
  std::uint64_t n = import_events(path, "bundled fixture", std::string(fixture_events()), false);
  std::cout << "autotrader demo: imported the bundled fixture session (" << n
            << " events: decisions, orders, fills, a cancel, a risk rejection, a venue error\n"
               "with a retry, a dead letter, mark prices) into "
            << path << '\n';
  int rc = 0;
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"journal", "stats"},
           {"orders", "list"},
           {"positions"},
           {"balances"},
           {"dlq", "list"},
       }) {
    std::vector<std::string> args = cmd;
    args.push_back("--journal");
    args.push_back(path);
    int r = show(args);
    if (r != 0) rc = r;
  }
  std::cout << "\nThe journal is kept at " << path << ". Try, for example:\n"
            << "  autotrader orders show at11 --journal " << path << '\n'
            << "  autotrader positions --as-of 14:02 --journal " << path << '\n'
            << "  autotrader journal dump --order 8842113355 --journal " << path << '\n'
            << "  autotrader replay --verify --journal " << path << '\n';
  if (rc != 0) throw CliError(rc, "demo: a command above failed");
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto o = std::make_shared<DemoOpts>();
  auto* c = app.add_subcommand(
      "demo", "import the bundled fixture session into a fresh journal and audit it");
  c->add_option("--journal", o->journal,
                "journal directory to seed (must be new or empty; default: a fresh temp dir)")
      ->type_name("PATH");
  c->callback([o] { run_demo(*o); });
}

}  // namespace at::cli
