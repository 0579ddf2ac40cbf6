#include "cli/event_view.h"

#include <boost/json.hpp>
#include <cstdio>
#include <ostream>

#include "journal/json/event_json.h"

namespace at::cli {

std::string event_details(const Event& e) {
  // The JSON codec already knows every field of every event; reuse its key order and text.
  auto v = boost::json::parse(journal::json::to_json_line(e));
  std::string out;
  for (const auto& kv : v.as_object()) {
    std::string_view k = kv.key();
    if (k == "type" || k == "ts" || k == "client_order_id" || k == "symbol") continue;
    if (!out.empty()) out += ' ';
    out += k;
    out += '=';
    const auto& val = kv.value();
    if (val.is_string()) {
      std::string_view s = val.get_string();
      bool quote = s.empty() || s.find(' ') != std::string_view::npos;
      out += quote ? json_string(s) : std::string(s);
    } else {
      out += boost::json::serialize(val);
    }
  }
  return out;
}

namespace {

std::string order_of(const Event& e) {
  const ClientOrderId* c = client_order_id_of(e);
  return c ? c->str() : std::string();
}

std::string symbol_text(const Event& e) {
  const Symbol* s = symbol_of(e);
  return s ? s->str() : std::string();
}

std::string fit(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

}  // namespace

void EventPrinter::header() {
  switch (format_) {
    case Format::kTable:
      out_ << fit("SEQ", 8) << "  " << fit("RECORDED", 30) << "  " << fit("TYPE", 22) << "  "
           << fit("ORDER", 12) << "  " << fit("SYMBOL", 10) << "  DETAILS\n";
      break;
    case Format::kCsv:
      out_ << "seq,recorded_ts,ts,type,client_order_id,symbol,details\n";
      break;
    case Format::kJson:
      break;
  }
}

void EventPrinter::print(const Envelope& e) {
  ++printed_;
  switch (format_) {
    case Format::kJson:
      out_ << journal::json::to_json_line(e) << '\n';
      return;
    case Format::kCsv:
      out_ << e.sequence << ',' << format_time(e.recorded_ns) << ','
           << format_time(event_time_ns(e.event)) << ',' << to_string(type_of(e.event)) << ','
           << csv_escape(order_of(e.event)) << ',' << csv_escape(symbol_text(e.event)) << ','
           << csv_escape(event_details(e.event)) << '\n';
      return;
    case Format::kTable: {
      std::string seq = std::to_string(e.sequence);
      out_ << std::string(seq.size() < 8 ? 8 - seq.size() : 0, ' ') << seq << "  "
           << fit(format_time(e.recorded_ns), 30) << "  "
           << fit(std::string(to_string(type_of(e.event))), 22) << "  "
           << fit(order_of(e.event), 12) << "  " << fit(symbol_text(e.event), 10) << "  "
           << event_details(e.event) << '\n';
      return;
    }
  }
}

}  // namespace at::cli
