#include "cli/stats_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/common.h"
#include "platform/system_clock.h"
#include "replay/stats.h"

namespace at::cli {
namespace {

namespace json = boost::json;

struct StatsOpts {
  std::string journal;
  OutputOptions out;
  std::string since;
  std::string symbol;
};

std::string ms(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

std::string percent(const std::optional<double>& r) {
  if (!r) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", *r * 100.0);
  return buf;
}

json::value rate_json(const std::optional<double>& r) {
  return r ? json::value(*r) : json::value(nullptr);
}

json::object counts_json(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

json::object latency_json(const replay::LatencySummary& l) {
  return json::object{{"count", l.count},
                      {"p50_ns", l.p50_ns},
                      {"p90_ns", l.p90_ns},
                      {"p99_ns", l.p99_ns},
                      {"max_ns", l.max_ns}};
}

struct NamedLatency {
  const char* name;
  const replay::LatencySummary* l;
};

// The counts the table and the CSV show, in that order: the CSV key, the table's label.
struct Count {
  const char* key;
  const char* label;
  std::uint64_t value;
};

std::vector<Count> counts(const replay::Stats& s) {
  return {{"decisions", "decisions", s.decisions},
          {"orders_requested", "orders requested", s.orders},
          {"orders_sent", "orders sent", s.sent},
          {"filled", "filled", s.filled},
          {"rejected", "rejected", s.rejected},
          {"cancelled", "cancelled", s.cancelled},
          {"expired", "expired", s.expired},
          {"open", "still open", s.open},
          {"dead_lettered", "dead-lettered", s.dead_lettered},
          {"fills", "fills", s.fills},
          {"duplicate_fills", "duplicate fills", s.duplicate_fills},
          {"retries", "retries", s.retries}};
}

void print_json(const replay::Stats& s, const StatsOpts& o, std::int64_t since_ns) {
  json::object v;
  v["journal"] = o.journal;
  v["symbol"] = o.symbol.empty() ? json::value(nullptr) : json::value(o.symbol);
  v["since"] = since_ns ? json::value(format_time(since_ns)) : json::value(nullptr);
  v["events_read"] = s.events_read;
  v["events_in_scope"] = s.events_in_scope;
  v["first_sequence"] = s.first_sequence;
  v["last_sequence"] = s.last_sequence;
  v["latency"] = json::object{{"decision_to_ack", latency_json(s.decision_to_ack)},
                              {"ack_to_fill", latency_json(s.ack_to_fill)},
                              {"decision_to_fill", latency_json(s.decision_to_fill)},
                              {"fill_to_report", latency_json(s.fill_to_report)}};
  v["orders"] = json::object{{"requested", s.orders},
                             {"sent", s.sent},
                             {"filled", s.filled},
                             {"rejected", s.rejected},
                             {"cancelled", s.cancelled},
                             {"expired", s.expired},
                             {"open", s.open},
                             {"dead_lettered", s.dead_lettered},
                             {"by_status", counts_json(s.orders_by_status)}};
  v["success_rate"] = rate_json(s.success_rate());
  v["dead_letter_rate"] = rate_json(s.dead_letter_rate());
  v["fills"] = s.fills;
  v["duplicate_fills"] = s.duplicate_fills;
  v["retries"] = s.retries;
  v["venue_rejects"] = counts_json(s.venue_rejects);
  v["risk_rejects"] = counts_json(s.risk_rejects);
  v["cancels_by_reason"] = counts_json(s.cancels_by_reason);
  v["decisions"] = s.decisions;
  v["decisions_by_outcome"] = counts_json(s.decisions_by_outcome);
  std::cout << json::serialize(v) << '\n';
}

void print_table(const replay::Stats& s, const StatsOpts& o, std::int64_t since_ns) {
  Record head;
  head.add("journal", o.journal);
  head.add("symbol", o.symbol.empty() ? std::string("all") : o.symbol);
  head.add("since", since_ns ? format_time(since_ns) : std::string("the start"));
  head.add("events in scope",
           Cell(std::to_string(s.events_in_scope) + " of " + std::to_string(s.events_read)));
  for (const Count& c : counts(s)) head.add(c.label, Cell::number(c.value));
  head.add("success rate", percent(s.success_rate()) + " (filled / sent)");
  head.add("dlq rate", percent(s.dead_letter_rate()) + " (dead-lettered / sent)");
  head.print(std::cout, Format::kTable);

  std::cout << '\n';
  Table lat({"LATENCY", "COUNT", "P50 MS", "P90 MS", "P99 MS", "MAX MS"});
  for (const NamedLatency& n : {NamedLatency{"decision->ack", &s.decision_to_ack},
                                NamedLatency{"ack->fill", &s.ack_to_fill},
                                NamedLatency{"decision->fill", &s.decision_to_fill},
                                NamedLatency{"fill->report", &s.fill_to_report}})
    lat.add({n.name, Cell::number(n.l->count), ms(n.l->p50_ns), ms(n.l->p90_ns), ms(n.l->p99_ns),
             ms(n.l->max_ns)});
  lat.print(std::cout, Format::kTable);

  std::cout << '\n';
  Table rej({"REJECTED BY", "REASON", "COUNT"});
  for (const auto& [reason, n] : s.risk_rejects) rej.add({"risk", reason, Cell::number(n)});
  for (const auto& [reason, n] : s.venue_rejects) rej.add({"venue", reason, Cell::number(n)});
  rej.print(std::cout, Format::kTable, "(no rejections)");

  if (!s.cancels_by_reason.empty()) {
    std::cout << '\n';
    Table can({"CANCEL REASON", "COUNT"});
    for (const auto& [reason, n] : s.cancels_by_reason) can.add({reason, Cell::number(n)});
    can.print(std::cout, Format::kTable);
  }

  std::cout << '\n';
  Table dec({"DECISION OUTCOME", "COUNT"});
  for (const auto& [outcome, n] : s.decisions_by_outcome) dec.add({outcome, Cell::number(n)});
  dec.print(std::cout, Format::kTable, "(no decisions)");
}

// CSV: one key,value row per figure (nested names joined with '.').
void print_csv(const replay::Stats& s) {
  Record r;
  for (const Count& c : counts(s)) r.add(c.key, Cell::number(c.value));
  for (const NamedLatency& n : {NamedLatency{"decision_to_ack", &s.decision_to_ack},
                                NamedLatency{"ack_to_fill", &s.ack_to_fill},
                                NamedLatency{"decision_to_fill", &s.decision_to_fill},
                                NamedLatency{"fill_to_report", &s.fill_to_report}}) {
    std::string p = n.name;
    r.add(p + ".count", Cell::number(n.l->count));
    r.add(p + ".p50_ns", Cell::number(n.l->p50_ns));
    r.add(p + ".p90_ns", Cell::number(n.l->p90_ns));
    r.add(p + ".p99_ns", Cell::number(n.l->p99_ns));
    r.add(p + ".max_ns", Cell::number(n.l->max_ns));
  }
  for (const auto& [k, v] : s.risk_rejects) r.add("risk_rejects." + k, Cell::number(v));
  for (const auto& [k, v] : s.venue_rejects) r.add("venue_rejects." + k, Cell::number(v));
  for (const auto& [k, v] : s.decisions_by_outcome)
    r.add("decisions_by_outcome." + k, Cell::number(v));
  r.print(std::cout, Format::kCsv);
}

void run_stats(const StatsOpts& o) {
  replay::StatsFilter filter;
  if (!o.symbol.empty()) {
    auto s = Symbol::parse(o.symbol);
    if (!s) throw CliError(kExitUsage, "--symbol: " + s.error().message);
    filter.symbol = *s;
  }
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  if (!o.since.empty()) filter.since_ns = parse_time_arg(o.since, last_recorded_ns(*j), "--since");
  auto s = check(replay::compute_stats(*j, filter), "stats");
  switch (o.out.format()) {
    case Format::kJson:
      return print_json(s, o, filter.since_ns);
    case Format::kCsv:
      return print_csv(s);
    case Format::kTable:
      return print_table(s, o, filter.since_ns);
  }
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto o = std::make_shared<StatsOpts>();
  auto* c = app.add_subcommand(
      "stats", "latency histograms, order success and dead-letter rates, rejections by reason");
  add_journal_option(*c, o->journal);
  add_output_options(*c, o->out);
  c->add_option("--since", o->since,
                "only decisions and orders recorded at or after TIME (ISO-8601 UTC, HH:MM[:SS], "
                "or ns)")
      ->type_name("TIME");
  c->add_option("--symbol", o->symbol, "only decisions and orders for this symbol")->type_name("S");
  c->callback([o] { run_stats(*o); });
}

}  // namespace at::cli
