// Events as JSON lines: the text form of the journal used by `autotrader journal import` and
// `autotrader journal dump --json`, by the bundled fixture and by tests.
//
// Grammar (one JSON object per line; blank lines are skipped):
//   line     = "{" "type": EventTypeName, "ts": time, field* [, envelope]* "}"
//   time     = "2026-01-02T14:03:07.123456789Z" (ISO-8601 UTC, 0-9 fractional digits)
//            | integer (ns since the Unix epoch)
//   field    = snake_case member name of the event struct (domain/events.h): value
//              decimals   -> strings, exact ("0.00001234" stays "0.00001234"); numbers refused
//              ids, text  -> strings;  symbols -> strings, canonicalised ("btc/usdt" -> BTC-USDT)
//              enums      -> their text names (domain/enums.h), case-insensitive on input
//              integers   -> JSON integers; booleans -> true/false
//              metadata   -> an object of string values, order kept
//              rules      -> an object (InstrumentDefined)
//              optionals  -> absent when unset
//   envelope = "seq": integer | "recorded_ts": time | "causation": integer
// Every event's `ts_ns` member is the "ts" key. Fields whose value may legitimately be empty
// (e.g. OrderRequested.replaces, RiskRejected.client_order_id, venue_code) may be omitted on
// input and are omitted on output when empty; all others are required. Unknown keys are an
// error. On import "seq" and "recorded_ts" are accepted (so dump output re-imports) but
// ignored: the journal assigns both when it appends.
//
// Errors are kInvalidArgument values whose message names the field and what was expected, e.g.
//   OrderFilled: field 'price': expected a decimal string like "0.00001234", got number
// parse_json_lines() prefixes "line N: ".
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/result.h"

namespace at::journal::json {

// One decoded line: the event plus the envelope keys it carried, if any.
struct DecodedEvent {
  Event event;
  std::uint64_t causation = 0;
  std::optional<std::uint64_t> sequence;
  std::optional<std::int64_t> recorded_ns;
};

// {"type":..., "ts":..., fields...} on one line, no trailing newline.
std::string to_json_line(const Event& e);
// As above with "seq", "recorded_ts" and (when non-zero) "causation" first.
std::string to_json_line(const Envelope& e);

// Decodes one line (exactly one object; trailing text other than whitespace is an error).
Result<DecodedEvent> from_json_line(std::string_view line);

// Decodes a whole JSON-lines text. All or nothing: the first bad line is the error
// ("line 7: ..."), and nothing is returned.
Result<std::vector<DecodedEvent>> parse_json_lines(std::string_view text);

}  // namespace at::journal::json
