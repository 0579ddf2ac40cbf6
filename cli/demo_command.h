// `autotrader demo`: seeds a fresh journal with the bundled fixture session and runs the audit
// commands over it (the README's first command runs this until the engine exists).
#pragma once

namespace CLI {
class App;
}

namespace at::cli {

void add_demo_command(CLI::App& app);

}  // namespace at::cli
