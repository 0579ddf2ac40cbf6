// Readers of recorded market data files, as streaming EventSources.
//
// Every reader keeps prices and sizes as the file's own decimal text (Decimal::parse, never a
// double), skips blank lines and strips a trailing '\r', and reports a malformed row as
// kInvalidArgument "<file>:<line>: <what was wrong>" (the offending text quoted). Quotes with
// bid > ask, non-positive prices or negative sizes are malformed.
//
// Formats (see docs/market-data.md for examples):
//   generic_quotes   [header "ts,symbol,..."] ts,symbol,bid,ask[,bid_size,ask_size]
//   generic_trades   [header "ts,symbol,..."] ts,symbol,price,quantity[,side buy|sell]
//                    ts: integer epoch (digits decide the unit: <=10 s, <=13 ms, <=16 us,
//                    else ns) or ISO-8601 "2024-01-02T14:30:00.123Z" / "+01:00". Lines starting
//                    with '#' are comments.
//   histdata_quotes  YYYYMMDD HHMMSSmmm,bid,ask,volume   (no header; HistData time is EST
//                    without daylight saving, i.e. UTC-5: utc_offset_minutes = -300)
//   truefx_quotes    header timestamp,bid,ask; ISO-8601 with fraction and offset
//   binance_klines   open_time_ms,open,high,low,close,volume,close_time_ms,quote_volume,
//                    trades,taker_buy_base,taker_buy_quote,ignore   (no header) -> Bar
//   binance_book5    header exchange,symbol,timestamp(us),local_timestamp,asks[0].price,
//                    asks[0].amount,bids[0].price,bids[0].amount,...  -> Quote (level 0)
//   binance_depth    header symbol,timestamp(ms),first_update_id,last_update_id,side(b|a),
//                    update_type,price,qty,pu. An optional snapshot file (same columns) seeds an
//                    L2 OrderBook; update rows with last_update_id <= the snapshot's are
//                    skipped; rows sharing a last_update_id form one batch; qty 0 deletes a
//                    level. After each batch the top of book is emitted as a Quote when the
//                    book is two-sided and the top changed.
//
// Symbols: formats without a symbol column need FileSpec::symbol; for the others it overrides
// the file's symbol. Binance symbols ("BTCUSDT") become canonical ("BTC-USDT").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/result.h"
#include "market_data/order_book.h"
#include "market_data/source.h"

namespace at::md {

enum class FileFormat : std::uint8_t {
  kGenericQuotes,
  kGenericTrades,
  kHistdataQuotes,
  kTruefxQuotes,
  kBinanceKlines,
  kBinanceBook5,
  kBinanceDepth,
};
// "generic_quotes", "histdata_quotes", ... (the names config uses).
std::string_view to_string(FileFormat f);
Result<FileFormat> parse_file_format(std::string_view name);

struct FileSpec {
  std::string path;
  FileFormat format = FileFormat::kGenericQuotes;
  std::optional<Symbol> symbol;
  std::string snapshot;                    // binance_depth only; optional
  int histdata_utc_offset_minutes = -300;  // EST
};

// Opens the file (kIo naming the path when it cannot be read) and returns a source that reads
// it row by row. For binance_depth the snapshot is read here; its errors are returned here.
Result<std::unique_ptr<EventSource>> open_file(const FileSpec& spec);

// Opens several files merged by event time into one stream (ties: earlier spec first). The
// first file that cannot be opened is the error.
Result<std::unique_ptr<EventSource>> open_files(const std::vector<FileSpec>& specs);

// Reads a whole file (convenience for tests and small files).
Result<std::vector<MarketEvent>> read_file(const FileSpec& spec);

// "BTCUSDT" -> "BTC-USDT", "ADABTC" -> "ADA-BTC": splits on the longest known quote asset.
Result<Symbol> symbol_from_binance(std::string_view venue_symbol);

// Timestamp helpers (exposed for tests and other feeds).
// ISO-8601 "YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]" -> ns since epoch (UTC when no
// offset is given).
Result<std::int64_t> parse_iso8601_ns(std::string_view text);
// Integer epoch, unit from the number of digits (see above) -> ns.
Result<std::int64_t> parse_epoch_ns(std::string_view text);
// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

}  // namespace at::md
