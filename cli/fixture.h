// The bundled fixture session (examples/fixture-events.jsonl), compiled into the binary.
#pragma once

#include <string_view>

namespace at::cli {

// The fixture's JSON lines, exactly as in examples/fixture-events.jsonl.
std::string_view fixture_events();

}  // namespace at::cli
