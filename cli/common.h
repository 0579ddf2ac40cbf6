// Shared pieces of the `autotrader` subcommands: the --journal option, output formats
// (table / JSON lines / CSV), TIME and SEQ|TIME arguments, opening the journal, and how a
// command reports failure. Every subcommand, including run/sim, should use these so the
// whole CLI behaves alike (docs/cli.md describes the behaviour).
//
// Failure: a command handler throws CliError(exit code, one-line message). run_main() prints
// "autotrader: <message>" on stderr and exits with the code. Nothing else is printed.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "journal/journal.h"

namespace CLI {
class App;
}

namespace at::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // I/O or corruption; verify found problems
inline constexpr int kExitUsage = 2;     // bad flags or argument values
inline constexpr int kExitNotFound = 3;  // no journal at PATH, unknown order id, missing file
inline constexpr int kExitBadInput = 4;  // an input file failed validation; nothing written
inline constexpr int kExitLocked = 5;    // the journal is locked by another writer

class CliError : public std::runtime_error {
 public:
  CliError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// --- options --------------------------------------------------------------------------------

// The journal directory: --journal PATH, else $AUTOTRADER_JOURNAL, else ./autotrader-journal.
std::string default_journal_path();
void add_journal_option(CLI::App& cmd, std::string& path);

enum class Format { kTable, kJson, kCsv };
struct OutputOptions {
  bool json = false;
  bool csv = false;
  Format format() const { return json ? Format::kJson : (csv ? Format::kCsv : Format::kTable); }
};
// --json and --csv (mutually exclusive).
void add_output_options(CLI::App& cmd, OutputOptions& out);

// --- time and sequence arguments -----------------------------------------------------------

// TIME: ISO-8601 UTC ("2026-01-02T14:03:07Z", fractions allowed, date alone = midnight),
// an integer of ns since the epoch, or "HH:MM[:SS[.f]]" meaning that UTC time on the date of
// `reference_ns` (the commands pass the journal's last recorded time). Throws CliError(usage).
std::int64_t parse_time_arg(std::string_view text, std::int64_t reference_ns,
                            std::string_view option_name);

// SEQ|TIME: an integer below 10^15 is a sequence number; anything else is a TIME as above.
struct SeqOrTime {
  std::optional<std::uint64_t> sequence;
  std::optional<std::int64_t> time_ns;
};
SeqOrTime parse_seq_or_time(std::string_view text, std::int64_t reference_ns,
                            std::string_view option_name);
// Whether a TIME argument needs the journal's date (the HH:MM form).
bool is_time_of_day(std::string_view text);

// --- the journal ------------------------------------------------------------------------------

// Read commands: opens an existing journal read-only (works while a writer runs).
// Throws CliError: kExitNotFound "no journal at PATH", kExitFailed for I/O or corruption.
std::unique_ptr<journal::Journal> open_journal_read_only(const std::string& path,
                                                         const Clock& clock);
// Write commands: opens (creating if asked) for writing. Throws CliError: kExitLocked when
// another process holds the journal, kExitNotFound when missing and !create, else kExitFailed.
std::unique_ptr<journal::Journal> open_journal_for_write(
    const std::string& path, const Clock& clock, bool create,
    journal::Durability durability = journal::Durability::kSync);
// Throws CliError(kExitFailed) with `what` and the error's message when `s` failed.
void check(const Status& s, std::string_view what);
template <typename T>
T check(Result<T> r, std::string_view what) {
  if (!r) check(Status(r.error()), what);
  return std::move(r).value();
}

// The journal's last recorded time (0 when empty): the reference date for HH:MM times.
std::int64_t last_recorded_ns(const journal::Journal& j);

// --- output -----------------------------------------------------------------------------------

// A cell: its text, and whether it is an integer (then JSON prints it as a number; decimals
// stay strings so they remain exact).
struct Cell {
  std::string text;
  bool integer = false;
  Cell() = default;
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT
  Cell(const char* t) : text(t) {}             // NOLINT
  Cell(std::string_view t) : text(t) {}        // NOLINT
  static Cell number(std::uint64_t v) { return Cell(std::to_string(v), true); }
  static Cell number(std::int64_t v) { return Cell(std::to_string(v), true); }

 private:
  Cell(std::string t, bool i) : text(std::move(t)), integer(i) {}
};

// Rows with named columns, printed as an aligned table, JSON lines (one object per row, keys
// are the column names in snake_case), or CSV with a header row.
class Table {
 public:
  explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  std::size_t size() const { return rows_.size(); }
  // `empty_note` is printed (table format only) when there are no rows, e.g. "(no orders)".
  void print(std::ostream& out, Format f, std::string_view empty_note = {}) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// "key: value" pairs for one record (journal stats): aligned text, one JSON object, or a
// two-column CSV (key,value).
class Record {
 public:
  void add(std::string key, Cell value) { fields_.emplace_back(std::move(key), std::move(value)); }
  void print(std::ostream& out, Format f) const;

 private:
  std::vector<std::pair<std::string, Cell>> fields_;
};

std::string csv_escape(std::string_view s);
std::string json_string(std::string_view s);  // a quoted, escaped JSON string
// "2026-01-02T14:03:07.123456789Z"; "-" for 0.
std::string format_time(std::int64_t ns);

}  // namespace at::cli
