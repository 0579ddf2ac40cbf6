#include "cli/query_commands.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/common.h"
#include "cli/event_view.h"
#include "cli/stats_command.h"
#include "journal/json/event_json.h"
#include "platform/system_clock.h"
#include "replay/audit.h"
#include "replay/replay.h"

namespace at::cli {
namespace {

using projections::Projections;

std::string dec(const Decimal& d) { return d.to_string(); }
std::string opt_dec(const std::optional<Decimal>& d) { return d ? d->to_string() : "-"; }
std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

// Parses --as-of/--to into an AsOf. HH:MM times are on the journal's last recorded date.
replay::AsOf parse_as_of(const std::string& text, const journal::Journal& j,
                         std::string_view option) {
  if (text.empty()) return replay::AsOf::latest();
  SeqOrTime st = parse_seq_or_time(text, last_recorded_ns(j), option);
  if (st.sequence) return replay::AsOf::at_sequence(*st.sequence);
  return replay::AsOf::at_time(*st.time_ns);
}

// Replays with every order and decision kept (the audit view: orders list/show, dead letters).
replay::Replayed replay_to(const journal::Journal& j, const replay::AsOf& as_of) {
  return check(replay::replay(j, as_of), "replay");
}

// For positions and balances, which read no order records: any snapshot serves, so replay
// with the newest one's options (the engine's snapshots archive old orders).
replay::Replayed replay_state_to(const journal::Journal& j, const replay::AsOf& as_of) {
  replay::ReplayOptions ro;
  ro.projections = check(replay::newest_snapshot_options(j, as_of), "replay");
  return check(replay::replay(j, as_of, ro), "replay");
}

// "as of sequence 37 (2026-01-02T14:02:33.905000000Z)" for table output.
std::string as_of_line(const journal::Journal& j, std::uint64_t seq) {
  if (seq == 0) return "as of the start of the journal (no events)";
  std::string when;
  auto e = j.get(seq);
  if (e && e.value()) when = " (recorded " + format_time(e.value()->recorded_ns) + ")";
  return "as of sequence " + std::to_string(seq) + when;
}

// --- orders list ------------------------------------------------------------------------------

struct OrdersListOpts {
  std::string journal;
  OutputOptions out;
  bool open = false;
  std::string symbol;
};

void run_orders_list(const OrdersListOpts& o) {
  replay::OrderFilter filter;
  filter.open_only = o.open;
  if (!o.symbol.empty()) {
    auto s = Symbol::parse(o.symbol);
    if (!s) throw CliError(kExitUsage, "--symbol: " + s.error().message);
    filter.symbol = *s;
  }
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto r = replay_to(*j, replay::AsOf::latest());
  Table t({"ORDER", "VENUE ORDER", "VENUE", "SYMBOL", "SIDE", "TYPE", "QUANTITY", "LIMIT", "FILLED",
           "AVG PRICE", "STATUS", "UPDATED"});
  for (const auto* rec : replay::list_orders(r.state, filter)) {
    const Order& ord = rec->order;
    t.add({ord.client_order_id.str(), or_dash(ord.venue_order_id.str()), ord.venue,
           ord.symbol.str(), std::string(to_string(ord.side)), std::string(to_string(ord.type)),
           dec(ord.quantity), opt_dec(ord.limit_price), dec(ord.filled_quantity),
           ord.filled_quantity.is_zero() ? "-" : dec(ord.average_price()),
           std::string(to_string(ord.status)), format_time(ord.updated_ns)});
  }
  t.print(std::cout, o.out.format(), o.open ? "(no open orders)" : "(no orders)");
}

// --- orders show ------------------------------------------------------------------------------

struct OrdersShowOpts {
  std::string journal;
  OutputOptions out;
  std::string id;
};

void run_orders_show(const OrdersShowOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto h = replay::order_history(*j, o.id);
  if (!h) {
    if (h.error().kind == ErrorKind::kNotFound)
      throw CliError(kExitNotFound, "no order with client or venue id '" + o.id + "'");
    check(Status(h.error()), "order history");
  }
  auto r = replay_to(*j, replay::AsOf::latest());
  const projections::OrderRecord* rec = r.state.oms().find(h->client_order_id);
  // The decision that led to the order belongs to its history too.
  std::vector<Envelope> events;
  if (rec && !rec->order.decision_id.empty()) {
    if (const auto* d = r.state.oms().find_decision(rec->order.decision_id)) {
      auto e = check(j->get(d->sequence), "read");
      if (e && (h->events.empty() || e->sequence < h->events.front().sequence))
        events.push_back(*e);
    }
  }
  events.insert(events.end(), h->events.begin(), h->events.end());

  Format f = o.out.format();
  if (f == Format::kJson) {
    // One object: the order as the OMS sees it, then every event in the dump format.
    std::ostringstream s;
    s << "{\"client_order_id\":" << json_string(h->client_order_id.str());
    if (rec) {
      const Order& ord = rec->order;
      s << ",\"venue_order_id\":" << json_string(ord.venue_order_id.str())
        << ",\"status\":" << json_string(to_string(ord.status))
        << ",\"symbol\":" << json_string(ord.symbol.str())
        << ",\"side\":" << json_string(to_string(ord.side))
        << ",\"quantity\":" << json_string(dec(ord.quantity))
        << ",\"filled_quantity\":" << json_string(dec(ord.filled_quantity))
        << ",\"average_price\":" << json_string(dec(ord.average_price()));
    }
    s << ",\"events\":[";
    for (std::size_t i = 0; i < events.size(); ++i)
      s << (i ? "," : "") << journal::json::to_json_line(events[i]);
    s << "]}\n";
    std::cout << s.str();
    return;
  }
  if (f == Format::kTable && rec) {
    const Order& ord = rec->order;
    Record head;
    head.add("client order id", ord.client_order_id.str());
    head.add("venue order id", or_dash(ord.venue_order_id.str()));
    head.add("decision", or_dash(ord.decision_id.str()));
    head.add("account", or_dash(ord.account));
    head.add("venue", ord.venue);
    head.add("symbol", ord.symbol.str());
    head.add("side", to_string(ord.side));
    head.add("type", to_string(ord.type));
    head.add("time in force", to_string(ord.tif));
    head.add("quantity", dec(ord.quantity));
    head.add("limit price", opt_dec(ord.limit_price));
    head.add("status", to_string(ord.status));
    head.add("filled", dec(ord.filled_quantity));
    head.add("average price", ord.filled_quantity.is_zero() ? "-" : dec(ord.average_price()));
    head.add("commission", dec(ord.commission));
    head.add("send attempts", Cell::number(static_cast<std::uint64_t>(ord.send_attempts)));
    if (!ord.replaces.empty()) head.add("replaces", ord.replaces.str());
    if (!ord.replaced_by.empty()) head.add("replaced by", ord.replaced_by.str());
    if (!ord.last_reason.empty()) head.add("last reason", ord.last_reason);
    head.print(std::cout, f);
    std::cout << '\n';
  }
  EventPrinter p(std::cout, f);
  p.header();
  for (const auto& e : events) p.print(e);
}

// --- positions ----------------------------------------------------------------------------------

struct PositionsOpts {
  std::string journal;
  OutputOptions out;
  std::string as_of;
  bool open_only = false;
};

void run_positions(const PositionsOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  replay::AsOf as_of = parse_as_of(o.as_of, *j, "--as-of");
  auto r = replay_state_to(*j, as_of);
  auto rows = replay::position_rows(r.state, !o.open_only);
  Table t({"ACCOUNT", "SYMBOL", "QUANTITY", "AVG PRICE", "COST BASIS", "REALIZED PNL", "MARK",
           "UNREALIZED PNL", "FILLS", "COMMISSIONS"});
  for (const auto& p : rows) {
    std::string comm;
    for (const auto& [asset, m] : p.commissions)
      comm += (comm.empty() ? "" : " ") + m.to_string() + " " + asset;
    t.add({or_dash(p.account), p.symbol.str(), dec(p.quantity),
           p.quantity.is_zero() ? "-" : dec(p.average_price), dec(p.cost_basis),
           dec(p.realized_pnl), opt_dec(p.mark), opt_dec(p.unrealized_pnl), Cell::number(p.fills),
           comm.empty() ? "-" : comm});
  }
  if (o.out.format() == Format::kTable) std::cout << as_of_line(*j, r.info.to_sequence) << '\n';
  t.print(std::cout, o.out.format(), "(no positions)");
}

// --- balances -----------------------------------------------------------------------------------

struct BalancesOpts {
  std::string journal;
  OutputOptions out;
  std::string as_of;
};

void run_balances(const BalancesOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  replay::AsOf as_of = parse_as_of(o.as_of, *j, "--as-of");
  auto r = replay_state_to(*j, as_of);
  Table t({"ACCOUNT", "ASSET", "FREE", "LOCKED", "TOTAL"});
  for (const auto& b : replay::balance_rows(r.state))
    t.add({or_dash(b.account), b.asset, dec(b.free), dec(b.locked), dec(b.total)});
  if (o.out.format() == Format::kTable) std::cout << as_of_line(*j, r.info.to_sequence) << '\n';
  t.print(std::cout, o.out.format(), "(no balances)");
}

// --- fills --------------------------------------------------------------------------------------

struct FillsOpts {
  std::string journal;
  OutputOptions out;
  std::string since;
  std::string symbol;
  std::string order;
};

void run_fills(const FillsOpts& o) {
  std::optional<Symbol> symbol;
  if (!o.symbol.empty()) {
    auto s = Symbol::parse(o.symbol);
    if (!s) throw CliError(kExitUsage, "--symbol: " + s.error().message);
    symbol = *s;
  }
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  std::int64_t since =
      o.since.empty() ? 0 : parse_time_arg(o.since, last_recorded_ns(*j), "--since");
  std::optional<ClientOrderId> order;
  if (!o.order.empty()) {
    auto h = replay::order_history(*j, o.order);
    if (!h) throw CliError(kExitNotFound, "no order with client or venue id '" + o.order + "'");
    order = h->client_order_id;
  }
  auto rows = check(replay::fills_since(*j, since), "fills");
  Table t({"SEQ", "RECORDED", "ORDER", "VENUE ORDER", "TRADE ID", "SYMBOL", "SIDE", "QUANTITY",
           "PRICE", "COMMISSION", "ASSET", "LIQUIDITY", "DISPOSITION"});
  for (const auto& r : rows) {
    const OrderFilled& f = r.fill;
    if (symbol && f.symbol != *symbol) continue;
    if (order && f.client_order_id != *order) continue;
    t.add({Cell::number(r.sequence), format_time(r.recorded_ns), f.client_order_id.str(),
           or_dash(f.venue_order_id.str()), f.trade_id.str(), f.symbol.str(),
           std::string(to_string(f.side)), dec(f.quantity), dec(f.price), dec(f.commission),
           or_dash(f.commission_asset), std::string(to_string(f.liquidity)),
           std::string(replay::to_string(r.disposition))});
  }
  t.print(std::cout, o.out.format(), "(no fills)");
}

// --- dlq list -----------------------------------------------------------------------------------

struct DlqOpts {
  std::string journal;
  OutputOptions out;
  bool all = false;
};

void run_dlq_list(const DlqOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto r = replay_to(*j, replay::AsOf::latest());
  Table t({"ORDER", "STATE", "OPERATION", "ATTEMPTS", "REASON", "SEQ", "DEAD LETTERED", "TIMES",
           "CLOSED BY"});
  for (const auto* d : replay::dead_letters(r.state, o.all))
    t.add({d->client_order_id.str(), std::string(projections::to_string(d->state)), d->operation,
           Cell::number(static_cast<std::uint64_t>(d->attempts)), d->reason,
           Cell::number(d->sequence), format_time(d->ts_ns),
           Cell::number(static_cast<std::uint64_t>(d->times_dead_lettered)),
           or_dash(d->closed_by)});
  t.print(std::cout, o.out.format(), o.all ? "(no dead letters)" : "(no open dead letters)");
}

// --- dlq show -----------------------------------------------------------------------------------

struct DlqShowOpts {
  std::string journal;
  OutputOptions out;
  std::string id;
};

// The latest venue error of the dead-lettered operation: the error kind and message behind it.
const VenueErrorOccurred* last_error(const std::vector<Envelope>& events,
                                     const std::string& operation) {
  const VenueErrorOccurred* found = nullptr;
  for (const auto& e : events)
    if (const auto* v = std::get_if<VenueErrorOccurred>(&e.event))
      if (operation.empty() || v->operation == operation) found = v;
  return found;
}

void run_dlq_show(const DlqShowOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  auto r = replay_to(*j, replay::AsOf::latest());
  // The id is a client order id; a venue order id is accepted too, as for `orders show`.
  ClientOrderId coid(o.id);
  if (!r.state.dead_letters().find(coid)) {
    if (const auto* rec = r.state.oms().find_by_venue_id(VenueOrderId(o.id)))
      coid = rec->order.client_order_id;
  }
  const projections::DeadLetter* d = r.state.dead_letters().find(coid);
  if (!d) {
    if (r.state.oms().find(coid))
      throw CliError(kExitNotFound, "order '" + coid.str() + "' was never dead-lettered");
    throw CliError(kExitNotFound, "no dead letter with order id '" + o.id + "'");
  }
  auto h = check(replay::order_history(*j, coid.str()), "order history");
  const projections::OrderRecord* rec = r.state.oms().find(coid);
  const OrderRequested* intent = nullptr;
  for (const auto& e : h.events)
    if ((intent = std::get_if<OrderRequested>(&e.event))) break;
  const VenueErrorOccurred* err = last_error(h.events, d->operation);
  const char* next =
      d->state == projections::DeadLetterState::kOpen
          ? "waiting: `autotrader dlq retry` re-sends it (same client order id), `dlq drop` "
            "gives it up"
      : d->state == projections::DeadLetterState::kRetried ? "retried: sent again"
                                                           : "dropped: the order was given up";

  Format f = o.out.format();
  if (f == Format::kJson) {
    std::ostringstream s;
    s << "{\"client_order_id\":" << json_string(coid.str())
      << ",\"state\":" << json_string(projections::to_string(d->state))
      << ",\"operation\":" << json_string(d->operation) << ",\"reason\":" << json_string(d->reason)
      << ",\"error_kind\":" << json_string(err ? err->kind : "")
      << ",\"error_message\":" << json_string(err ? err->message : "")
      << ",\"venue_code\":" << (err ? err->venue_code : 0) << ",\"attempts\":" << d->attempts
      << ",\"times_dead_lettered\":" << d->times_dead_lettered
      << ",\"dead_lettered_seq\":" << d->sequence
      << ",\"dead_lettered_at\":" << json_string(format_time(d->ts_ns))
      << ",\"closed_by\":" << json_string(d->closed_by)
      << ",\"drop_reason\":" << json_string(d->drop_reason) << ",\"order_status\":"
      << json_string(rec ? std::string(to_string(rec->order.status)) : std::string());
    s << ",\"intent\":";
    if (intent) {
      s << journal::json::to_json_line(Event(*intent));
    } else {
      s << "null";
    }
    s << ",\"events\":[";
    for (std::size_t i = 0; i < h.events.size(); ++i)
      s << (i ? "," : "") << journal::json::to_json_line(h.events[i]);
    s << "]}\n";
    std::cout << s.str();
    return;
  }
  if (f == Format::kTable) {
    Record head;
    head.add("client order id", coid.str());
    head.add("state", projections::to_string(d->state));
    head.add("next", next);
    head.add("operation", d->operation);
    head.add("reason", d->reason);
    head.add("error kind", err ? err->kind : "-");
    head.add("error message", err ? err->message : "-");
    if (err && err->venue_code) head.add("venue code", std::to_string(err->venue_code));
    head.add("attempts", Cell::number(static_cast<std::uint64_t>(d->attempts)));
    head.add("times dead-lettered",
             Cell::number(static_cast<std::uint64_t>(d->times_dead_lettered)));
    head.add("dead-lettered", format_time(d->ts_ns) + " (seq " + std::to_string(d->sequence) + ")");
    if (!d->closed_by.empty()) head.add("closed by", d->closed_by);
    if (!d->drop_reason.empty()) head.add("drop reason", d->drop_reason);
    if (rec) head.add("order status", to_string(rec->order.status));
    if (intent) {
      std::string what = std::string(to_string(intent->side)) + " " + intent->quantity.to_string() +
                         " " + intent->symbol.str() + " " + std::string(to_string(intent->type));
      if (intent->limit_price) what += " @ " + intent->limit_price->to_string();
      what += " " + std::string(to_string(intent->tif)) + " on " + intent->venue;
      head.add("intent", what);
      head.add("decision", or_dash(intent->decision_id.str()));
    }
    head.print(std::cout, f);
    std::cout << '\n';
  }
  EventPrinter p(std::cout, f);
  p.header();
  for (const auto& e : h.events) p.print(e);
}

// --- replay -------------------------------------------------------------------------------------

struct ReplayOpts {
  std::string journal;
  OutputOptions out;
  std::string to;
  bool verify = false;
};

void run_replay(const ReplayOpts& o) {
  SystemClock clock;
  auto j = open_journal_read_only(o.journal, clock);
  replay::AsOf to = parse_as_of(o.to, *j, "--to");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = check(replay::replay(*j, to), "replay");
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const Projections& s = r.state;

  std::vector<std::string> problems;
  std::uint64_t snapshots_checked = 0;
  std::vector<std::string> notes;  // not problems: old-format snapshots
  if (o.verify) {
    replay::ReplayOptions full;
    full.use_snapshots = false;
    auto a = check(replay::replay(*j, to, full), "replay");
    auto b = check(replay::replay(*j, to, full), "replay");
    const std::string sa = a.state.serialize(), sb = b.state.serialize(), ss = s.serialize();
    if (sa != sb)
      problems.push_back("two full replays differ: " + Projections::first_difference(sa, sb));
    if (sa != ss)
      problems.push_back("replay from snapshot " + std::to_string(r.info.snapshot_sequence) +
                         " differs from a full replay: " + Projections::first_difference(sa, ss));
    auto snaps = check(replay::verify_snapshots(*j), "verify snapshots");
    snapshots_checked = snaps.checked.size();
    for (const auto& i : snaps.issues)
      problems.push_back("snapshot at sequence " + std::to_string(i.sequence) + ": " + i.problem);
    for (const auto& i : snaps.outdated) notes.push_back(i.problem);
  }

  Record rec;
  rec.add("journal", o.journal);
  rec.add("replayed to sequence", Cell::number(r.info.to_sequence));
  rec.add("last recorded", format_time(s.last_recorded_ns()));
  rec.add("from snapshot", Cell::number(r.info.snapshot_sequence));
  rec.add("events applied", Cell::number(r.info.events_applied));
  rec.add("orders", Cell::number(static_cast<std::uint64_t>(s.oms().order_count())));
  rec.add("open orders", Cell::number(static_cast<std::uint64_t>(s.oms().open_count())));
  rec.add("positions", Cell::number(static_cast<std::uint64_t>(s.positions().all().size())));
  rec.add("balances", Cell::number(static_cast<std::uint64_t>(s.balances().all().size())));
  rec.add("open dead letters",
          Cell::number(static_cast<std::uint64_t>(s.dead_letters().open_count())));
  rec.add("anomalies", Cell::number(static_cast<std::uint64_t>(s.oms().anomalies().size())));
  rec.add("duplicate fills", Cell::number(s.oms().duplicate_fills()));
  if (o.out.format() == Format::kTable) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
    rec.add("replay time", buf);
  }
  for (const auto& w : r.info.warnings) rec.add("warning", w);
  if (o.verify) {
    rec.add("snapshots checked", Cell::number(snapshots_checked));
    for (const auto& n : notes) rec.add("note", n);
    rec.add("verify", problems.empty() ? "ok: two full replays identical, snapshot replay "
                                         "identical, every snapshot matches"
                                       : std::to_string(problems.size()) + " problem(s)");
  }
  rec.print(std::cout, o.out.format());
  if (!problems.empty()) {
    for (const auto& p : problems) std::cout << "problem: " << p << '\n';
    throw CliError(kExitFailed, "replay --verify: " + problems.front());
  }
}

}  // namespace

void add_query_commands(CLI::App& app) {
  add_stats_command(app);
  {
    auto* oc = app.add_subcommand("orders", "orders as the OMS projection sees them");
    oc->require_subcommand(1);
    auto lo = std::make_shared<OrdersListOpts>();
    auto* l = oc->add_subcommand("list", "every order in request order (or only open ones)");
    add_journal_option(*l, lo->journal);
    add_output_options(*l, lo->out);
    l->add_flag("--open", lo->open, "only orders that are (or may be) working at a venue");
    l->add_option("--symbol", lo->symbol, "only orders for this symbol")->type_name("S");
    l->callback([lo] { run_orders_list(*lo); });

    auto so = std::make_shared<OrdersShowOpts>();
    auto* s = oc->add_subcommand("show", "one order and its whole event history");
    add_journal_option(*s, so->journal);
    add_output_options(*s, so->out);
    s->add_option("ID", so->id, "client order id (at11) or the venue's order id")->required();
    s->callback([so] { run_orders_show(*so); });
  }
  {
    auto o = std::make_shared<PositionsOpts>();
    auto* c = app.add_subcommand("positions",
                                 "quantity, average price, realized/unrealized P&L per symbol");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("--as-of", o->as_of,
                  "replay only through SEQ, or through everything recorded at or before TIME "
                  "(ISO-8601 UTC, HH:MM[:SS] on the journal's date, or ns)")
        ->type_name("SEQ|TIME");
    c->add_flag("--open", o->open_only, "hide positions that are flat");
    c->callback([o] { run_positions(*o); });
  }
  {
    auto o = std::make_shared<BalancesOpts>();
    auto* c = app.add_subcommand("balances", "free and locked amounts per account and asset");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("--as-of", o->as_of, "as for positions")->type_name("SEQ|TIME");
    c->callback([o] { run_balances(*o); });
  }
  {
    auto o = std::make_shared<FillsOpts>();
    auto* c =
        app.add_subcommand("fills", "executions in journal order, with what the OMS made of each");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("--since", o->since,
                  "only fills recorded at or after TIME (ISO-8601 UTC, HH:MM[:SS], or ns)")
        ->type_name("TIME");
    c->add_option("--symbol", o->symbol, "only fills for this symbol")->type_name("S");
    c->add_option("--order", o->order, "only fills of this order (client or venue id)")
        ->type_name("ID");
    c->callback([o] { run_fills(*o); });
  }
  {
    auto* dc = app.add_subcommand("dlq", "the dead-letter queue");
    dc->require_subcommand(1);
    auto o = std::make_shared<DlqOpts>();
    auto* l = dc->add_subcommand("list", "open dead letters (--all: also retried and dropped)");
    add_journal_option(*l, o->journal);
    add_output_options(*l, o->out);
    l->add_flag("--all", o->all, "include dead letters already retried or dropped");
    l->callback([o] { run_dlq_list(*o); });

    auto so = std::make_shared<DlqShowOpts>();
    auto* s = dc->add_subcommand(
        "show", "one dead letter in full: intent, error, attempts, status, event history");
    add_journal_option(*s, so->journal);
    add_output_options(*s, so->out);
    s->add_option("ID", so->id, "client order id (at39) or the venue's order id")->required();
    s->callback([so] { run_dlq_show(*so); });
  }
  {
    auto o = std::make_shared<ReplayOpts>();
    auto* c =
        app.add_subcommand("replay", "rebuild every projection from the journal and summarise it");
    add_journal_option(*c, o->journal);
    add_output_options(*c, o->out);
    c->add_option("--to", o->to, "stop at SEQ, or after everything recorded at or before TIME")
        ->type_name("SEQ|TIME");
    c->add_flag("--verify", o->verify,
                "also check: two full replays are byte-identical, the snapshot replay equals "
                "the full one, every snapshot matches its replay");
    c->callback([o] { run_replay(*o); });
  }
}

}  // namespace at::cli
