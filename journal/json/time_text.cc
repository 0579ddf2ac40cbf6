#include "journal/json/time_text.h"

#include <cstdio>

namespace at::journal::json {
namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;
constexpr std::int64_t kNsPerDay = 86'400 * kNsPerSec;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, UTC).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at text[pos]; advances pos.
bool digits(std::string_view text, std::size_t& pos, int n, std::int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

// HH:MM[:SS[.f{1,9}]] starting at pos; on success pos is just past it.
bool time_part(std::string_view text, std::size_t& pos, std::int64_t& ns) {
  std::int64_t hh, mm, ss = 0, frac = 0;
  if (!digits(text, pos, 2, hh) || pos >= text.size() || text[pos++] != ':' ||
      !digits(text, pos, 2, mm))
    return false;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!digits(text, pos, 2, ss)) return false;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int n = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (++n > 9) return false;
        frac = frac * 10 + (text[pos++] - '0');
      }
      if (n == 0) return false;
      for (; n < 9; ++n) frac *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: a leap second, folded into :59+1
  ns = ((hh * 60 + mm) * 60 + ss) * kNsPerSec + frac;
  return true;
}

Error bad(std::string_view text, std::string_view expected) {
  return make_error(ErrorKind::kInvalidArgument,
                    "invalid time '" + std::string(text) + "': expected " + std::string(expected));
}

constexpr std::string_view kIsoForm =
    "ISO-8601 UTC like 2026-01-02T14:03:07Z or 2026-01-02T14:03:07.123456789Z";

}  // namespace

std::string format_iso_ns(std::int64_t ns) {
  std::int64_t days = ns / kNsPerDay;
  std::int64_t rem = ns % kNsPerDay;
  if (rem < 0) {
    rem += kNsPerDay;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const std::int64_t secs = rem / kNsPerSec;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                static_cast<long long>(rem % kNsPerSec));
  return buf;
}

Result<std::int64_t> parse_iso_ns(std::string_view text) {
  std::size_t pos = 0;
  std::int64_t y, mo, d;
  if (!digits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !digits(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
      !digits(text, pos, 2, d))
    return bad(text, kIsoForm);
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(mo)))
    return bad(text, "a real calendar date");
  std::int64_t tod = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad(text, kIsoForm);
    ++pos;
    if (!time_part(text, pos, tod)) return bad(text, kIsoForm);
    std::string_view zone = text.substr(pos);
    if (!(zone.empty() || zone == "Z" || zone == "z" || zone == "+00:00"))
      return bad(text, "a UTC time (suffix Z or +00:00, or none)");
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  // Range of int64 ns: 1677-09-21 .. 2262-04-11.
  if (days < -106751 || days > 106750) return bad(text, "a date between 1678 and 2262");
  return days * kNsPerDay + tod;
}

Result<std::int64_t> parse_time_of_day_ns(std::string_view text) {
  std::size_t pos = 0;
  std::int64_t ns = 0;
  if (!time_part(text, pos, ns)) return bad(text, "HH:MM[:SS[.fraction]]");
  std::string_view zone = text.substr(pos);
  if (!(zone.empty() || zone == "Z" || zone == "z")) return bad(text, "HH:MM[:SS[.fraction]]");
  return ns;
}

std::int64_t utc_midnight_ns(std::int64_t ns) {
  std::int64_t days = ns / kNsPerDay;
  if (ns % kNsPerDay < 0) --days;
  return days * kNsPerDay;
}

}  // namespace at::journal::json
