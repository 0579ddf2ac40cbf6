#include "cli/common.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "journal/json/time_text.h"

namespace at::cli {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

}  // namespace

std::string default_journal_path() {
  const char* env = std::getenv("AUTOTRADER_JOURNAL");
  return env && *env ? std::string(env) : std::string("./autotrader-journal");
}

void add_journal_option(CLI::App& cmd, std::string& path) {
  path = default_journal_path();
  cmd.add_option("--journal", path,
                 "journal directory (default: $AUTOTRADER_JOURNAL, else ./autotrader-journal)")
      ->type_name("PATH");
}

void add_output_options(CLI::App& cmd, OutputOptions& out) {
  auto* j = cmd.add_flag("--json", out.json, "print JSON (one object per line) instead of a table");
  auto* c = cmd.add_flag("--csv", out.csv, "print CSV with a header row instead of a table");
  j->excludes(c);
}

bool is_time_of_day(std::string_view text) {
  return text.size() >= 5 && text[2] == ':' && text.find('-') == std::string_view::npos;
}

std::int64_t parse_time_arg(std::string_view text, std::int64_t reference_ns,
                            std::string_view option_name) {
  if (all_digits(text)) {
    std::int64_t ns = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (ec != std::errc() || p != text.data() + text.size())
      throw CliError(kExitUsage, std::string(option_name) + ": '" + std::string(text) +
                                     "' is out of range for ns since the epoch");
    return ns;
  }
  if (is_time_of_day(text)) {
    auto tod = journal::json::parse_time_of_day_ns(text);
    if (!tod) throw CliError(kExitUsage, std::string(option_name) + ": " + tod.error().message);
    return journal::json::utc_midnight_ns(reference_ns) + *tod;
  }
  auto r = journal::json::parse_iso_ns(text);
  if (!r)
    throw CliError(kExitUsage, std::string(option_name) + ": " + r.error().message +
                                   " (or HH:MM[:SS] on the journal's date, or ns since the epoch)");
  return *r;
}

SeqOrTime parse_seq_or_time(std::string_view text, std::int64_t reference_ns,
                            std::string_view option_name) {
  SeqOrTime out;
  if (all_digits(text) && text.size() < 16) {
    std::uint64_t seq = 0;
    std::from_chars(text.data(), text.data() + text.size(), seq);
    out.sequence = seq;
    return out;
  }
  out.time_ns = parse_time_arg(text, reference_ns, option_name);
  return out;
}

std::unique_ptr<journal::Journal> open_journal_read_only(const std::string& path,
                                                         const Clock& clock) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) ||
      (std::filesystem::is_directory(path, ec) && std::filesystem::is_empty(path, ec)))
    throw CliError(kExitNotFound, "no journal at " + path);
  if (!std::filesystem::is_directory(path, ec))
    throw CliError(kExitNotFound, "no journal at " + path + " (not a directory)");
  auto r = journal::Journal::open_read_only(path, clock);
  if (!r) throw CliError(kExitFailed, "cannot open journal at " + path + ": " + r.error().message);
  return std::move(r).value();
}

std::unique_ptr<journal::Journal> open_journal_for_write(const std::string& path,
                                                         const Clock& clock, bool create,
                                                         journal::Durability durability) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(path, ec))
    throw CliError(kExitNotFound, "no journal at " + path);
  journal::Options o;
  o.path = path;
  o.create_if_missing = create;
  o.durability = durability;
  auto r = journal::Journal::open(o, clock);
  if (!r) {
    const std::string& m = r.error().message;
    if (contains_ci(m, "lock") || contains_ci(m, "temporarily unavailable"))
      throw CliError(kExitLocked, "journal at " + path +
                                      " is locked by another process (is `autotrader run` "
                                      "writing it?); nothing was written");
    throw CliError(kExitFailed, "cannot open journal at " + path + ": " + m);
  }
  return std::move(r).value();
}

void check(const Status& s, std::string_view what) {
  if (s.ok()) return;
  throw CliError(kExitFailed, std::string(what) + ": " + s.error().message);
}

std::int64_t last_recorded_ns(const journal::Journal& j) {
  std::uint64_t last = j.last_sequence();
  if (last == 0) return 0;
  auto e = j.get(last);
  if (!e || !e.value()) return 0;
  return (*e.value()).recorded_ns;
}

// --- output -----------------------------------------------------------------------------------

std::string csv_escape(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string format_time(std::int64_t ns) {
  return ns == 0 ? std::string("-") : journal::json::format_iso_ns(ns);
}

namespace {

std::string json_key(std::string_view column) {
  std::string k;
  for (char c : column) {
    if (c == ' ' || c == '-' || c == '/') {
      k += '_';
    } else {
      k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return k;
}

std::string json_cell(const Cell& c) { return c.integer ? c.text : json_string(c.text); }

// Display width: count UTF-8 code points, not bytes.
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

void Table::print(std::ostream& out, Format f, std::string_view empty_note) const {
  switch (f) {
    case Format::kJson:
      for (const auto& row : rows_) {
        out << '{';
        for (std::size_t i = 0; i < columns_.size(); ++i) {
          if (i) out << ',';
          out << json_string(json_key(columns_[i])) << ':'
              << (i < row.size() ? json_cell(row[i]) : std::string("\"\""));
        }
        out << "}\n";
      }
      return;
    case Format::kCsv:
      for (std::size_t i = 0; i < columns_.size(); ++i)
        out << (i ? "," : "") << csv_escape(json_key(columns_[i]));
      out << '\n';
      for (const auto& row : rows_) {
        for (std::size_t i = 0; i < columns_.size(); ++i)
          out << (i ? "," : "") << (i < row.size() ? csv_escape(row[i].text) : "");
        out << '\n';
      }
      return;
    case Format::kTable:
      break;
  }
  if (rows_.empty()) {
    if (!empty_note.empty()) out << empty_note << '\n';
    return;
  }
  std::vector<std::size_t> w(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) w[i] = width(columns_[i]);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size() && i < w.size(); ++i)
      w[i] = std::max(w[i], width(row[i].text));
  auto line = [&](auto cell_of, auto right_of) {
    std::string s;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      std::string t = cell_of(i);
      std::string pad(w[i] - width(t), ' ');
      bool last = i + 1 == columns_.size();
      s += right_of(i) ? pad + t : (last ? t : t + pad);
      if (!last) s += "  ";
    }
    out << s << '\n';
  };
  line([&](std::size_t i) { return columns_[i]; }, [](std::size_t) { return false; });
  for (const auto& row : rows_)
    line([&](std::size_t i) { return i < row.size() ? row[i].text : std::string(); },
         [&](std::size_t i) { return i < row.size() && row[i].integer; });
}

void Record::print(std::ostream& out, Format f) const {
  switch (f) {
    case Format::kJson: {
      out << '{';
      bool first = true;
      for (const auto& [k, v] : fields_) {
        out << (first ? "" : ",") << json_string(json_key(k)) << ':' << json_cell(v);
        first = false;
      }
      out << "}\n";
      return;
    }
    case Format::kCsv:
      out << "key,value\n";
      for (const auto& [k, v] : fields_)
        out << csv_escape(json_key(k)) << ',' << csv_escape(v.text) << '\n';
      return;
    case Format::kTable: {
      std::size_t w = 0;
      for (const auto& [k, v] : fields_) w = std::max(w, width(k));
      for (const auto& [k, v] : fields_)
        out << k << ':' << std::string(w - width(k) + 1, ' ') << v.text << '\n';
      return;
    }
  }
}

}  // namespace at::cli
