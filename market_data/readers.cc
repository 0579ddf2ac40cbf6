// Recorded-file readers. The grammar of each format is at the top of readers.h.
#include "market_data/readers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <vector>

namespace at::md {
namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;

Error row_error(const std::string& file, std::uint64_t line, const std::string& what) {
  return make_error(ErrorKind::kInvalidArgument, file + ":" + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view s) { return "'" + std::string(s.substr(0, 80)) + "'"; }

std::vector<std::string_view> split(std::string_view line, char sep = ',') {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = line.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, p - start));
    start = p + 1;
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

template <typename Int>
bool to_int(std::string_view s, Int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// A text file read line by line, with the current line number for errors.
class LineReader {
 public:
  static Result<LineReader> open(const std::string& path) {
    LineReader r(path);
    if (!*r.in_) return make_error(ErrorKind::kIo, path + ": cannot open market data file");
    return r;
  }
  // Next non-blank line (without '\r'), or false at the end.
  bool next(std::string& line) {
    while (std::getline(*in_, line)) {
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) return true;
    }
    return false;
  }
  bool failed() const { return in_->bad(); }
  std::uint64_t line_no() const { return line_no_; }
  const std::string& path() const { return path_; }
  Error error(const std::string& what) const { return row_error(path_, line_no_, what); }

 private:
  explicit LineReader(std::string path)
      : path_(std::move(path)), in_(std::make_unique<std::ifstream>(path_, std::ios::binary)) {}
  std::string path_;
  std::unique_ptr<std::ifstream> in_;
  std::uint64_t line_no_ = 0;
};

// Field parsing with errors naming the column.
struct Row {
  const LineReader& r;
  std::vector<std::string_view> f;

  Result<Decimal> dec(std::size_t i, const char* name, bool positive) const {
    auto d = Decimal::parse(f[i]);
    if (!d || (positive ? !d->is_positive() : d->is_negative()))
      return r.error(std::string(name) + ": expected a " +
                     (positive ? "positive" : "non-negative") + " decimal, got " + quoted(f[i]));
    return *d;
  }
  Result<std::int64_t> integer(std::size_t i, const char* name) const {
    std::int64_t v = 0;
    if (!to_int(f[i], v))
      return r.error(std::string(name) + ": expected an integer, got " + quoted(f[i]));
    return v;
  }
};

Result<Quote> make_quote(const LineReader& r, const Symbol& s, const Row& row, std::size_t bid_i,
                         std::size_t ask_i, std::optional<std::size_t> bsz_i,
                         std::optional<std::size_t> asz_i, std::int64_t ts) {
  auto bid = row.dec(bid_i, "bid", true);
  if (!bid) return bid.error();
  auto ask = row.dec(ask_i, "ask", true);
  if (!ask) return ask.error();
  if (*bid > *ask)
    return r.error("crossed quote: bid " + bid->to_string() + " > ask " + ask->to_string());
  Quote q{s, *bid, *ask, Quantity(), Quantity(), ts};
  if (bsz_i) {
    auto b = row.dec(*bsz_i, "bid_size", false);
    if (!b) return b.error();
    q.bid_size = *b;
  }
  if (asz_i) {
    auto a = row.dec(*asz_i, "ask_size", false);
    if (!a) return a.error();
    q.ask_size = *a;
  }
  return q;
}

// The base of all row-by-row readers: subclasses parse one line into zero or one event.
class CsvSource : public EventSource {
 public:
  explicit CsvSource(LineReader r) : r_(std::move(r)) {}
  NextEvent next() override {
    if (error_) return *error_;
    std::string line;
    while (r_.next(line)) {
      auto ev = parse(line);
      if (!ev) {
        error_ = ev.error();
        return *error_;
      }
      if (*ev) return std::move(*ev);
    }
    if (r_.failed()) {
      error_ = make_error(ErrorKind::kIo, r_.path() + ": read failed");
      return *error_;
    }
    return std::optional<MarketEvent>{};
  }

 protected:
  // nullopt: a line without an event (a header, a comment).
  virtual NextEvent parse(const std::string& line) = 0;
  LineReader r_;

 private:
  std::optional<Error> error_;
};

Result<std::int64_t> parse_ts(std::string_view s) {
  if (all_digits(s)) return parse_epoch_ns(s);
  return parse_iso8601_ns(s);
}

class GenericQuotes final : public CsvSource {
 public:
  GenericQuotes(LineReader r, std::optional<Symbol> sym) : CsvSource(std::move(r)), sym_(sym) {}

 private:
  NextEvent parse(const std::string& line) override {
    if (line[0] == '#') return std::optional<MarketEvent>{};
    Row row{r_, split(line)};
    if (r_.line_no() == 1 && row.f[0] == "ts") return std::optional<MarketEvent>{};
    if (row.f.size() != 4 && row.f.size() != 6)
      return r_.error("expected 4 or 6 fields (ts,symbol,bid,ask[,bid_size,ask_size]), got " +
                      std::to_string(row.f.size()));
    auto ts = parse_ts(row.f[0]);
    if (!ts) return r_.error("ts: " + ts.error().message);
    Symbol s;
    if (sym_)
      s = *sym_;
    else {
      auto p = Symbol::parse(row.f[1]);
      if (!p) return r_.error("symbol: " + p.error().message);
      s = *p;
    }
    bool sizes = row.f.size() == 6;
    auto q = make_quote(r_, s, row, 2, 3, sizes ? std::optional<std::size_t>(4) : std::nullopt,
                        sizes ? std::optional<std::size_t>(5) : std::nullopt, *ts);
    if (!q) return q.error();
    return std::optional<MarketEvent>(*q);
  }
  std::optional<Symbol> sym_;
};

class GenericTrades final : public CsvSource {
 public:
  GenericTrades(LineReader r, std::optional<Symbol> sym) : CsvSource(std::move(r)), sym_(sym) {}

 private:
  NextEvent parse(const std::string& line) override {
    if (line[0] == '#') return std::optional<MarketEvent>{};
    Row row{r_, split(line)};
    if (r_.line_no() == 1 && row.f[0] == "ts") return std::optional<MarketEvent>{};
    if (row.f.size() != 4 && row.f.size() != 5)
      return r_.error("expected 4 or 5 fields (ts,symbol,price,quantity[,side]), got " +
                      std::to_string(row.f.size()));
    auto ts = parse_ts(row.f[0]);
    if (!ts) return r_.error("ts: " + ts.error().message);
    Trade t;
    if (sym_)
      t.symbol = *sym_;
    else {
      auto p = Symbol::parse(row.f[1]);
      if (!p) return r_.error("symbol: " + p.error().message);
      t.symbol = *p;
    }
    auto px = row.dec(2, "price", true);
    if (!px) return px.error();
    auto qty = row.dec(3, "quantity", true);
    if (!qty) return qty.error();
    t.price = *px;
    t.quantity = *qty;
    t.ts_ns = *ts;
    if (row.f.size() == 5 && !at::parse(row.f[4], t.aggressor))
      return r_.error("side: expected buy or sell, got " + quoted(row.f[4]));
    return std::optional<MarketEvent>(t);
  }
  std::optional<Symbol> sym_;
};

class HistdataQuotes final : public CsvSource {
 public:
  HistdataQuotes(LineReader r, Symbol sym, int offset_min)
      : CsvSource(std::move(r)), sym_(std::move(sym)), offset_ns_(offset_min * 60 * kNsPerSec) {}

 private:
  NextEvent parse(const std::string& line) override {
    Row row{r_, split(line)};
    if (row.f.size() != 4)
      return r_.error("expected 4 fields (YYYYMMDD HHMMSSmmm,bid,ask,volume), got " +
                      std::to_string(row.f.size()));
    std::string_view t = row.f[0];
    if (t.size() != 18 || t[8] != ' ' || !all_digits(t.substr(0, 8)) || !all_digits(t.substr(9)))
      return r_.error("timestamp: expected 'YYYYMMDD HHMMSSmmm', got " + quoted(t));
    auto num = [&](std::size_t pos, std::size_t len) {
      int v = 0;
      to_int(t.substr(pos, len), v);
      return v;
    };
    int y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2),
        s = num(13, 2), ms = num(15, 3);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
      return r_.error("timestamp: out of range: " + quoted(t));
    std::int64_t local = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * kNsPerSec +
                         std::int64_t(ms) * 1'000'000;
    auto q = make_quote(r_, sym_, row, 1, 2, std::nullopt, std::nullopt, local - offset_ns_);
    if (!q) return q.error();
    return std::optional<MarketEvent>(*q);
  }
  Symbol sym_;
  std::int64_t offset_ns_;
};

class TruefxQuotes final : public CsvSource {
 public:
  TruefxQuotes(LineReader r, Symbol sym) : CsvSource(std::move(r)), sym_(std::move(sym)) {}

 private:
  NextEvent parse(const std::string& line) override {
    Row row{r_, split(line)};
    if (r_.line_no() == 1) {
      if (line != "timestamp,bid,ask")
        return r_.error("expected the header 'timestamp,bid,ask', got " + quoted(line));
      return std::optional<MarketEvent>{};
    }
    if (row.f.size() != 3)
      return r_.error("expected 3 fields (timestamp,bid,ask), got " + std::to_string(row.f.size()));
    auto ts = parse_iso8601_ns(row.f[0]);
    if (!ts) return r_.error("timestamp: " + ts.error().message);
    auto q = make_quote(r_, sym_, row, 1, 2, std::nullopt, std::nullopt, *ts);
    if (!q) return q.error();
    return std::optional<MarketEvent>(*q);
  }
  Symbol sym_;
};

class BinanceKlines final : public CsvSource {
 public:
  BinanceKlines(LineReader r, Symbol sym) : CsvSource(std::move(r)), sym_(std::move(sym)) {}

 private:
  NextEvent parse(const std::string& line) override {
    Row row{r_, split(line)};
    if (row.f.size() != 12)
      return r_.error("expected 12 Binance kline fields, got " + std::to_string(row.f.size()));
    auto open_ms = row.integer(0, "open_time");
    if (!open_ms) return open_ms.error();
    auto close_ms = row.integer(6, "close_time");
    if (!close_ms) return close_ms.error();
    Bar b;
    b.symbol = sym_;
    const char* names[] = {"open", "high", "low", "close"};
    Price* out[] = {&b.open, &b.high, &b.low, &b.close};
    for (int i = 0; i < 4; ++i) {
      auto d = row.dec(1 + i, names[i], true);
      if (!d) return d.error();
      *out[i] = *d;
    }
    auto vol = row.dec(5, "volume", false);
    if (!vol) return vol.error();
    b.volume = *vol;
    if (b.high < b.low || b.high < b.open || b.high < b.close || b.low > b.open || b.low > b.close)
      return r_.error("inconsistent bar: high " + b.high.to_string() + ", low " +
                      b.low.to_string());
    if (*close_ms < *open_ms) return r_.error("close_time before open_time");
    b.open_ns = *open_ms * 1'000'000;
    b.close_ns = *close_ms * 1'000'000;
    return std::optional<MarketEvent>(b);
  }
  Symbol sym_;
};

// Column positions found by name in a header line.
class Columns {
 public:
  bool load(std::string_view header) {
    auto f = split(header);
    for (std::size_t i = 0; i < f.size(); ++i) idx_[std::string(f[i])] = i;
    count_ = f.size();
    return true;
  }
  std::optional<std::size_t> find(const std::string& name) const {
    auto it = idx_.find(name);
    if (it == idx_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t count() const { return count_; }

 private:
  std::map<std::string, std::size_t> idx_;
  std::size_t count_ = 0;
};

Result<Symbol> row_symbol(const LineReader& r, const std::optional<Symbol>& override_sym,
                          std::string_view text) {
  if (override_sym) return *override_sym;
  auto s = symbol_from_binance(text);
  if (!s) return r.error("symbol: " + s.error().message);
  return *s;
}

class BinanceBook5 final : public CsvSource {
 public:
  BinanceBook5(LineReader r, std::optional<Symbol> sym) : CsvSource(std::move(r)), sym_(sym) {}

 private:
  NextEvent parse(const std::string& line) override {
    if (r_.line_no() == 1) {
      cols_.load(line);
      for (const char* c : {"symbol", "timestamp", "asks[0].price", "asks[0].amount",
                            "bids[0].price", "bids[0].amount"})
        if (!cols_.find(c))
          return r_.error(std::string("header: missing column '") + c + "' of a book5 file");
      return std::optional<MarketEvent>{};
    }
    Row row{r_, split(line)};
    if (row.f.size() != cols_.count())
      return r_.error("expected " + std::to_string(cols_.count()) + " fields, got " +
                      std::to_string(row.f.size()));
    auto us = row.integer(*cols_.find("timestamp"), "timestamp");
    if (!us) return us.error();
    auto sym = row_symbol(r_, sym_, row.f[*cols_.find("symbol")]);
    if (!sym) return sym.error();
    auto q = make_quote(r_, *sym, row, *cols_.find("bids[0].price"), *cols_.find("asks[0].price"),
                        cols_.find("bids[0].amount"), cols_.find("asks[0].amount"), *us * 1000);
    if (!q) return q.error();
    return std::optional<MarketEvent>(*q);
  }
  std::optional<Symbol> sym_;
  Columns cols_;
};

// One parsed depth row.
struct DepthRow {
  Symbol symbol;
  std::int64_t ts_ms = 0;
  std::int64_t last_update_id = 0;
  Side side = Side::kBuy;
  Price price;
  Quantity qty;
};

const char* kDepthColumns[] = {"symbol", "timestamp", "last_update_id", "side", "price", "qty"};

Result<DepthRow> parse_depth_row(const LineReader& r, const Columns& cols,
                                 const std::optional<Symbol>& sym, const std::string& line) {
  Row row{r, split(line)};
  if (row.f.size() != cols.count())
    return r.error("expected " + std::to_string(cols.count()) + " fields, got " +
                   std::to_string(row.f.size()));
  DepthRow d;
  auto s = row_symbol(r, sym, row.f[*cols.find("symbol")]);
  if (!s) return s.error();
  d.symbol = *s;
  auto ts = row.integer(*cols.find("timestamp"), "timestamp");
  if (!ts) return ts.error();
  d.ts_ms = *ts;
  auto lu = row.integer(*cols.find("last_update_id"), "last_update_id");
  if (!lu) return lu.error();
  d.last_update_id = *lu;
  std::string_view side = row.f[*cols.find("side")];
  if (side == "b")
    d.side = Side::kBuy;
  else if (side == "a")
    d.side = Side::kSell;
  else
    return r.error("side: expected b or a, got " + quoted(side));
  auto px = row.dec(*cols.find("price"), "price", true);
  if (!px) return px.error();
  auto q = row.dec(*cols.find("qty"), "qty", false);
  if (!q) return q.error();
  d.price = *px;
  d.qty = *q;
  return d;
}

Status check_depth_header(const LineReader& r, Columns& cols, const std::string& line) {
  cols.load(line);
  for (const char* c : kDepthColumns)
    if (!cols.find(c))
      return r.error(std::string("header: missing column '") + c + "' of a depth file");
  return {};
}

class BinanceDepth final : public EventSource {
 public:
  BinanceDepth(LineReader r, std::optional<Symbol> sym, OrderBook book,
               std::int64_t snapshot_last_id, std::optional<Quote> initial)
      : r_(std::move(r)),
        sym_(sym),
        book_(std::move(book)),
        snapshot_last_id_(snapshot_last_id),
        pending_quote_(initial) {}

  NextEvent next() override {
    if (error_) return *error_;
    if (pending_quote_) {
      last_top_ = pending_quote_;
      return std::optional<MarketEvent>(*std::exchange(pending_quote_, std::nullopt));
    }
    while (true) {
      std::optional<DepthRow> row = std::move(lookahead_);
      lookahead_.reset();
      if (!row) {
        std::string line;
        if (!r_.next(line)) break;
        if (!header_seen_) {
          header_seen_ = true;
          if (auto st = check_depth_header(r_, cols_, line); !st) return fail(st.error());
          continue;
        }
        auto d = parse_depth_row(r_, cols_, sym_, line);
        if (!d) return fail(d.error());
        row = std::move(*d);
      }
      if (row->last_update_id <= snapshot_last_id_) continue;  // already in the snapshot
      if (book_.symbol().empty()) book_ = OrderBook(row->symbol);
      book_.set(row->side, row->price, row->qty);
      // Peek: the batch ends when the next row has another update id (or at the end).
      std::string line;
      bool batch_end = true;
      if (r_.next(line)) {
        auto d = parse_depth_row(r_, cols_, sym_, line);
        if (!d) return fail(d.error());
        batch_end = d->last_update_id != row->last_update_id;
        lookahead_ = std::move(*d);
      }
      if (!batch_end) continue;
      auto top = book_.top(row->ts_ms * 1'000'000);
      if (top && (!last_top_ || top->bid != last_top_->bid || top->ask != last_top_->ask ||
                  top->bid_size != last_top_->bid_size || top->ask_size != last_top_->ask_size)) {
        last_top_ = top;
        return std::optional<MarketEvent>(*top);
      }
    }
    if (r_.failed()) return fail(make_error(ErrorKind::kIo, r_.path() + ": read failed"));
    return std::optional<MarketEvent>{};
  }

 private:
  NextEvent fail(Error e) {
    error_ = std::move(e);
    return *error_;
  }
  LineReader r_;
  std::optional<Symbol> sym_;
  OrderBook book_;
  std::int64_t snapshot_last_id_;
  std::optional<Quote> pending_quote_;
  std::optional<Quote> last_top_;
  std::optional<DepthRow> lookahead_;
  Columns cols_;
  bool header_seen_ = false;
  std::optional<Error> error_;
};

Result<std::unique_ptr<EventSource>> open_depth(const FileSpec& spec) {
  OrderBook book(spec.symbol.value_or(Symbol()));
  std::int64_t snap_id = -1;
  std::optional<Quote> initial;
  if (!spec.snapshot.empty()) {
    auto sr = LineReader::open(spec.snapshot);
    if (!sr) return sr.error();
    Columns cols;
    std::string line;
    bool header = false;
    std::int64_t ts_ms = 0;
    while (sr->next(line)) {
      if (!header) {
        header = true;
        if (auto st = check_depth_header(*sr, cols, line); !st) return st.error();
        continue;
      }
      auto d = parse_depth_row(*sr, cols, spec.symbol, line);
      if (!d) return d.error();
      if (book.symbol().empty()) book = OrderBook(d->symbol);
      book.set(d->side, d->price, d->qty);
      snap_id = std::max(snap_id, d->last_update_id);
      ts_ms = d->ts_ms;
    }
    if (sr->failed()) return make_error(ErrorKind::kIo, spec.snapshot + ": read failed");
    initial = book.top(ts_ms * 1'000'000);
  }
  auto r = LineReader::open(spec.path);
  if (!r) return r.error();
  return std::unique_ptr<EventSource>(
      new BinanceDepth(std::move(*r), spec.symbol, std::move(book), snap_id, initial));
}

struct FormatName {
  FileFormat f;
  std::string_view name;
};
constexpr std::array<FormatName, 7> kFormats = {{
    {FileFormat::kGenericQuotes, "generic_quotes"},
    {FileFormat::kGenericTrades, "generic_trades"},
    {FileFormat::kHistdataQuotes, "histdata_quotes"},
    {FileFormat::kTruefxQuotes, "truefx_quotes"},
    {FileFormat::kBinanceKlines, "binance_klines"},
    {FileFormat::kBinanceBook5, "binance_book5"},
    {FileFormat::kBinanceDepth, "binance_depth"},
}};

}  // namespace

std::string_view to_string(FileFormat f) {
  for (const auto& n : kFormats)
    if (n.f == f) return n.name;
  return "?";
}

Result<FileFormat> parse_file_format(std::string_view name) {
  std::string all;
  for (const auto& n : kFormats) {
    if (n.name == name) return n.f;
    all += (all.empty() ? "" : ", ") + std::string(n.name);
  }
  return make_error(ErrorKind::kInvalidArgument,
                    "unknown market data format " + quoted(name) + "; expected one of " + all);
}

Result<std::unique_ptr<EventSource>> open_file(const FileSpec& spec) {
  auto needs_symbol = [&]() -> Status {
    if (spec.symbol) return {};
    return make_error(ErrorKind::kInvalidArgument,
                      spec.path + ": format " + std::string(to_string(spec.format)) +
                          " has no symbol column; a symbol is required");
  };
  if (spec.format == FileFormat::kBinanceDepth) return open_depth(spec);
  if (spec.format == FileFormat::kHistdataQuotes || spec.format == FileFormat::kTruefxQuotes ||
      spec.format == FileFormat::kBinanceKlines)
    if (auto st = needs_symbol(); !st) return st.error();
  auto r = LineReader::open(spec.path);
  if (!r) return r.error();
  std::unique_ptr<EventSource> src;
  switch (spec.format) {
    case FileFormat::kGenericQuotes:
      src.reset(new GenericQuotes(std::move(*r), spec.symbol));
      break;
    case FileFormat::kGenericTrades:
      src.reset(new GenericTrades(std::move(*r), spec.symbol));
      break;
    case FileFormat::kHistdataQuotes:
      src.reset(new HistdataQuotes(std::move(*r), *spec.symbol, spec.histdata_utc_offset_minutes));
      break;
    case FileFormat::kTruefxQuotes:
      src.reset(new TruefxQuotes(std::move(*r), *spec.symbol));
      break;
    case FileFormat::kBinanceKlines:
      src.reset(new BinanceKlines(std::move(*r), *spec.symbol));
      break;
    case FileFormat::kBinanceBook5:
      src.reset(new BinanceBook5(std::move(*r), spec.symbol));
      break;
    case FileFormat::kBinanceDepth:
      break;  // handled above
  }
  return src;
}

Result<std::unique_ptr<EventSource>> open_files(const std::vector<FileSpec>& specs) {
  std::vector<std::unique_ptr<EventSource>> sources;
  for (const auto& s : specs) {
    auto src = open_file(s);
    if (!src) return src.error();
    sources.push_back(std::move(*src));
  }
  return std::unique_ptr<EventSource>(new MergedSource(std::move(sources)));
}

Result<std::vector<MarketEvent>> read_file(const FileSpec& spec) {
  auto src = open_file(spec);
  if (!src) return src.error();
  return read_all(**src);
}

Result<Symbol> symbol_from_binance(std::string_view v) {
  static constexpr std::array<std::string_view, 16> kQuotes = {
      "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "DAI", "BTC", "ETH",
      "BNB",   "EUR",  "GBP",  "TRY",  "BRL",  "JPY", "USD", "AUD"};
  if (v.find('-') != std::string_view::npos || v.find('_') != std::string_view::npos)
    return Symbol::parse(v);
  std::string up;
  for (char c : v) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view q : kQuotes)  // longest first where it matters (FDUSD before USD)
    if (up.size() > q.size() && up.compare(up.size() - q.size(), q.size(), q) == 0)
      return Symbol::parse(up.substr(0, up.size() - q.size()) + "-" + std::string(q));
  return make_error(ErrorKind::kInvalidArgument,
                    "cannot split Binance symbol " + quoted(v) + " into base and quote");
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Result<std::int64_t> parse_iso8601_ns(std::string_view t) {
  auto bad = [&]() -> Error {
    return make_error(ErrorKind::kInvalidArgument,
                      "expected ISO-8601 'YYYY-MM-DD HH:MM:SS[.fff][Z|+HH:MM]', got " + quoted(t));
  };
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') ||
      t[13] != ':' || t[16] != ':')
    return bad();
  int y, mo, d, h, mi, s;
  if (!to_int(t.substr(0, 4), y) || !to_int(t.substr(5, 2), mo) || !to_int(t.substr(8, 2), d) ||
      !to_int(t.substr(11, 2), h) || !to_int(t.substr(14, 2), mi) || !to_int(t.substr(17, 2), s))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  std::size_t i = 19;
  std::int64_t frac = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (digits < 9) frac = frac * 10 + (t[i] - '0'), ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    while (digits++ < 9) frac *= 10;
  }
  std::int64_t offset_s = 0;
  if (i < t.size()) {
    if (t[i] == 'Z' && i + 1 == t.size()) {
      ++i;
    } else if ((t[i] == '+' || t[i] == '-') && t.size() - i == 6 && t[i + 3] == ':') {
      int oh, om;
      if (!to_int(t.substr(i + 1, 2), oh) || !to_int(t.substr(i + 4, 2), om)) return bad();
      offset_s = (t[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      i = t.size();
    } else {
      return bad();
    }
  }
  std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
  return secs * kNsPerSec + frac;
}

Result<std::int64_t> parse_epoch_ns(std::string_view t) {
  std::int64_t v = 0;
  if (!all_digits(t) || t.size() > 19 || !to_int(t, v))
    return make_error(ErrorKind::kInvalidArgument,
                      "expected an integer epoch timestamp, got " + quoted(t));
  if (t.size() <= 10) return v * kNsPerSec;
  if (t.size() <= 13) return v * 1'000'000;
  if (t.size() <= 16) return v * 1'000;
  return v;
}

}  // namespace at::md
