// Timestamps as text: ISO-8601 UTC with nanoseconds, the form used in JSON lines and by the CLI.
//
//   format:  2026-01-02T14:03:07.123456789Z   (always 9 fractional digits, always 'Z')
//   parse:   YYYY-MM-DDTHH:MM[:SS[.f{1,9}]][Z]  ('T' or ' ' between date and time; no offsets
//            other than Z/+00:00, because the journal is UTC throughout)
//            YYYY-MM-DD                          (midnight UTC)
//
// Pure functions of their arguments; no clock, no locale, no time zone database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace at::journal::json {

// ns since the Unix epoch -> "2026-01-02T14:03:07.123456789Z".
std::string format_iso_ns(std::int64_t ns);
// The parse grammar above. Errors (kInvalidArgument) name the text and the expected form.
Result<std::int64_t> parse_iso_ns(std::string_view text);
// "HH:MM[:SS[.f]]" -> ns since midnight; used by the CLI for times on the journal's date.
Result<std::int64_t> parse_time_of_day_ns(std::string_view text);
// Midnight UTC of the day that contains `ns`.
std::int64_t utc_midnight_ns(std::int64_t ns);

}  // namespace at::journal::json
