#include "cli/journal_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "cli/common.h"
#include "cli/event_view.h"
#include "journal/json/event_json.h"
#include "platform/system_clock.h"

namespace at::cli {
namespace {

// The clock the journal stamps imported events with: each batch is recorded at the time the
// events happened (or their recorded_ts), so as-of-TIME queries over an imported session see
// the session's own times. Never goes backwards (the time index assumes order).
class ImportClock final : public Clock {
 public:
  std::int64_t now_ns() const override { return now_.load(); }
  std::int64_t monotonic_ns() const override { return real_.monotonic_ns(); }
  void set(std::int64_t ns) { now_.store(ns); }

 private:
  std::atomic<std::int64_t> now_{0};
  SystemClock real_;
};

constexpr std::size_t kImportBatch = 10'000;

// --- stats ------------------------------------------------------------------------------------

struct StatsOpts {
  std::string journal;
  OutputOptions out;
};

void run_stats(const StatsOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto s = check(j->stats(), "journal stats");
  Format f = o.out.format();
  if (f == Format::kJson) {
    std::ostringstream by_type;
    bool first = true;
    for (const auto& [t, n] : s.by_type) {
      by_type << (first ? "" : ",") << json_string(t) << ':' << n;
      first = false;
    }
    std::cout << "{\"journal\":" << json_string(o.journal) << ",\"records\":" << s.records
              << ",\"first_sequence\":" << s.first_sequence
              << ",\"last_sequence\":" << s.last_sequence
              << ",\"first_recorded\":" << json_string(format_time(s.first_recorded_ns))
              << ",\"last_recorded\":" << json_string(format_time(s.last_recorded_ns))
              << ",\"open_dead_letters\":" << s.dlq_open << ",\"snapshots\":" << s.snapshots
              << ",\"disk_bytes\":" << s.disk_bytes << ",\"by_type\":{" << by_type.str() << "}}\n";
    return;
  }
  Record r;
  r.add("journal", o.journal);
  r.add("records", Cell::number(s.records));
  r.add("first sequence", Cell::number(s.first_sequence));
  r.add("last sequence", Cell::number(s.last_sequence));
  r.add("first recorded", format_time(s.first_recorded_ns));
  r.add("last recorded", format_time(s.last_recorded_ns));
  r.add("open dead letters", Cell::number(s.dlq_open));
  r.add("snapshots", Cell::number(s.snapshots));
  r.add("disk bytes", Cell::number(s.disk_bytes));
  if (f == Format::kCsv) {
    for (const auto& [t, n] : s.by_type) r.add("events " + t, Cell::number(n));
    r.print(std::cout, f);
    return;
  }
  r.print(std::cout, f);
  if (!s.by_type.empty()) {
    std::cout << '\n';
    Table t({"TYPE", "COUNT"});
    for (const auto& [name, n] : s.by_type) t.add({name, Cell::number(n)});
    t.print(std::cout, f);
  }
}

// --- dump ---------------------------------------------------------------------------------------

struct DumpOpts {
  std::string journal;
  OutputOptions out;
  std::uint64_t from = 1;
  std::uint64_t to = 0;  // 0 = last
  std::string type;
  std::string order;
  std::string symbol;
};

// The client order id for a client-or-venue id, or nullopt.
std::optional<ClientOrderId> resolve_order(const journal::Journal& j, const std::string& id) {
  ClientOrderId coid(id);
  auto seqs = check(j.sequences_for_order(coid), "order index");
  if (!seqs.empty()) return coid;
  auto via = check(j.order_for_venue_id(VenueOrderId(id)), "venue id index");
  return via;
}

void run_dump(const DumpOpts& o) {
  SystemClock clock;
  std::optional<EventType> type;
  if (!o.type.empty()) {
    EventType t;
    if (!parse_event_type(o.type, t))
      throw CliError(kExitUsage, "--type: unknown event type '" + o.type +
                                     "' (names as in docs/events.md, e.g. OrderFilled)");
    type = t;
  }
  std::optional<Symbol> symbol;
  if (!o.symbol.empty()) {
    auto s = Symbol::parse(o.symbol);
    if (!s) throw CliError(kExitUsage, "--symbol: " + s.error().message);
    symbol = *s;
  }
  auto j = open_journal_read_only(o.journal, clock);
  const std::uint64_t last = j->last_sequence();
  const std::uint64_t to = o.to == 0 ? last : std::min(o.to, last);
  EventPrinter p(std::cout, o.out.format());
  p.header();

  auto wanted = [&](const Envelope& e) { return !type || type_of(e.event) == *type; };

  if (!o.order.empty()) {
    auto coid = resolve_order(*j, o.order);
    if (!coid) throw CliError(kExitNotFound, "no order with client or venue id '" + o.order + "'");
    for (std::uint64_t seq : check(j->sequences_for_order(*coid), "order index")) {
      if (seq < o.from || seq > to) continue;
      auto e = check(j->get(seq), "read");
      if (!e) continue;
      if (wanted(*e) && (!symbol || !symbol_of(e->event) || *symbol_of(e->event) == *symbol))
        p.print(*e);
    }
    return;
  }

  // --symbol also matches events that name only the order (OrderAccepted, OrderSent...): the
  // order's symbol comes from its OrderRequested, so the scan starts at 1 when filtering.
  std::map<ClientOrderId, Symbol> order_symbol;
  const std::uint64_t scan_from = symbol ? 1 : std::max<std::uint64_t>(o.from, 1);
  if (scan_from > to) return;
  check(j->read(scan_from, to,
                [&](const Envelope& e) {
                  if (symbol) {
                    if (auto* r = std::get_if<OrderRequested>(&e.event))
                      order_symbol[r->client_order_id] = r->symbol;
                  }
                  if (e.sequence < o.from || !wanted(e)) return true;
                  if (symbol) {
                    const Symbol* s = symbol_of(e.event);
                    if (!s) {
                      const ClientOrderId* c = client_order_id_of(e.event);
                      auto it = c ? order_symbol.find(*c) : order_symbol.end();
                      s = it == order_symbol.end() ? nullptr : &it->second;
                    }
                    if (!s || *s != *symbol) return true;
                  }
                  p.print(e);
                  return true;
                }),
        "read journal");
}

// --- tail ---------------------------------------------------------------------------------------

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

struct TailOpts {
  std::string journal;
  OutputOptions out;
  std::uint64_t n = 10;
  bool follow = false;
  std::int64_t interval_ms = 200;
};

void run_tail(const TailOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  EventPrinter p(std::cout, o.out.format());
  p.header();
  std::uint64_t last = j->last_sequence();
  std::uint64_t from = last >= o.n ? last - o.n + 1 : 1;
  auto print_range = [&](std::uint64_t a, std::uint64_t b) {
    if (a > b) return;
    check(j->read(a, b,
                  [&](const Envelope& e) {
                    p.print(e);
                    return true;
                  }),
          "read journal");
    std::cout.flush();
  };
  if (o.n > 0) print_range(from, last);
  if (!o.follow) return;
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);
  // Poll with a bounded wait: the writer is another process, so there is nothing to block on.
  while (!g_interrupted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
    if (g_interrupted.load()) break;
    check(j->refresh(), "refresh");
    std::uint64_t now_last = j->last_sequence();
    print_range(last + 1, now_last);
    last = std::max(last, now_last);
  }
}

// --- verify -------------------------------------------------------------------------------------

struct VerifyOpts {
  std::string journal;
  OutputOptions out;
};

void run_verify(const VerifyOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto rep = check(j->verify(), "journal verify");
  Format f = o.out.format();
  Table t({"SEQUENCE", "TOPIC", "PROBLEM"});
  for (const auto& i : rep.issues) t.add({Cell::number(i.sequence), i.topic, i.problem});
  if (f == Format::kTable) {
    Record r;
    r.add("journal", o.journal);
    r.add("records", Cell::number(rep.records));
    r.add("first sequence", Cell::number(rep.first_sequence));
    r.add("last sequence", Cell::number(rep.last_sequence));
    r.add("result", rep.ok() ? "ok" : std::to_string(rep.issues.size()) + " problem(s)");
    r.print(std::cout, f);
    if (!rep.ok()) {
      std::cout << '\n';
      t.print(std::cout, f);
    }
  } else {
    t.print(std::cout, f);
  }
  if (!rep.ok()) {
    const auto& i = rep.issues.front();
    throw CliError(kExitFailed, "journal verify found " + std::to_string(rep.issues.size()) +
                                    " problem(s); first at sequence " + std::to_string(i.sequence) +
                                    " (" + i.topic + "): " + i.problem);
  }
}

// --- import -------------------------------------------------------------------------------------

struct ImportOpts {
  std::string journal;
  std::string file;
  bool recorded_now = false;
};

void run_import(const ImportOpts& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in)
    throw CliError(kExitNotFound, "cannot read " + o.file + ": no such file or not readable");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::uint64_t n = import_events(o.journal, o.file, ss.str(), o.recorded_now);
  std::cout << "imported " << n << " event" << (n == 1 ? "" : "s") << " into " << o.journal << '\n';
}

}  // namespace

std::uint64_t import_events(const std::string& path, const std::string& source,
                            const std::string& jsonl, bool recorded_now) {
  // Validate everything before touching (or creating) the journal.
  auto parsed = journal::json::parse_json_lines(jsonl);
  if (!parsed)
    throw CliError(kExitBadInput, source + ": " + parsed.error().message + "; nothing imported");
  const auto& events = *parsed;
  if (events.empty()) return 0;

  ImportClock clock;
  SystemClock real;
  auto j = open_journal_for_write(path, clock, /*create=*/true);
  const std::uint64_t base = j->last_sequence();
  std::int64_t prev = last_recorded_ns(*j);

  // Recorded times (non-decreasing) and causation remapped to the new sequence numbers when
  // the file carries "seq" (a dump from another journal).
  std::map<std::uint64_t, std::uint64_t> new_seq;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].sequence) new_seq[*events[i].sequence] = base + 1 + i;
  std::vector<std::int64_t> rec(events.size());
  const std::int64_t now = real.now_ns();
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::int64_t t =
        recorded_now ? now : events[i].recorded_ns.value_or(event_time_ns(events[i].event));
    prev = std::max(prev, t);
    rec[i] = prev;
  }

  std::vector<journal::PendingEvent> batch;
  std::uint64_t appended = 0;
  std::size_t i = 0;
  while (i < events.size()) {
    batch.clear();
    const std::int64_t t = rec[i];
    while (i < events.size() && rec[i] == t && batch.size() < kImportBatch) {
      std::uint64_t cause = events[i].causation;
      if (auto it = new_seq.find(cause); it != new_seq.end()) cause = it->second;
      batch.push_back(journal::PendingEvent{events[i].event, cause});
      ++i;
    }
    clock.set(t);
    auto r = j->append(std::span<const journal::PendingEvent>(batch));
    if (!r)
      throw CliError(kExitFailed, "append failed after " + std::to_string(appended) + " of " +
                                      std::to_string(events.size()) +
                                      " events: " + r.error().message);
    appended += batch.size();
  }
  return appended;
}

void add_journal_commands(CLI::App& app) {
  auto* jc = app.add_subcommand("journal", "inspect, verify and seed the event journal");
  jc->require_subcommand(1);

  {
    auto o = std::make_shared<StatsOpts>();
    auto* c =
        jc->add_subcommand("stats", "record count, sequence range, time range, counts by type");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->callback([o] { run_stats(*o); });
  }
  {
    auto o = std::make_shared<TailOpts>();
    auto* c = jc->add_subcommand("tail", "the last N events; --follow keeps printing new ones");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("-n,--lines", o->n, "how many of the last events to print (default 10)");
    c->add_flag("-f,--follow", o->follow,
                "keep printing events as they are appended (Ctrl-C ends)");
    c->add_option("--interval-ms", o->interval_ms, "poll interval for --follow (default 200)")
        ->check(CLI::Range(10, 60'000));
    c->callback([o] { run_tail(*o); });
  }
  {
    auto o = std::make_shared<DumpOpts>();
    auto* c = jc->add_subcommand("dump", "events in sequence order, optionally filtered");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("--from", o->from, "first sequence (default 1)")->type_name("SEQ");
    c->add_option("--to", o->to, "last sequence (default: the last)")->type_name("SEQ");
    c->add_option("--type", o->type, "only events of this type, e.g. OrderFilled")->type_name("T");
    c->add_option("--order", o->order, "only events of this order (client or venue id)")
        ->type_name("ID");
    c->add_option("--symbol", o->symbol, "only events about this symbol, e.g. BTC-USDT")
        ->type_name("S");
    c->callback([o] { run_dump(*o); });
  }
  {
    auto o = std::make_shared<VerifyOpts>();
    auto* c = jc->add_subcommand("verify",
                                 "check sequence continuity, decodability, indexes and snapshots");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->callback([o] { run_verify(*o); });
  }
  {
    auto o = std::make_shared<ImportOpts>();
    auto* c = jc->add_subcommand(
        "import", "append events from a JSON-lines file (all lines validated first)");
    add_journal_option(*c, o->journal);
    c->add_option("FILE", o->file, "JSON lines, one event per line (docs/events.md)")->required();
    c->add_flag("--recorded-now", o->recorded_now,
                "record events at the current time instead of their own ts");
    c->callback([o] { run_import(*o); });
  }
}

}  // namespace at::cli
