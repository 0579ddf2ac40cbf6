// BookTickerFeed: Binance's public bookTicker stream as normalized market_data quotes.
//
// Connects to `<stream_url>/stream?streams=btcusdt@bookTicker/...` (the combined-stream form,
// frames {"stream":"btcusdt@bookTicker","data":{"u":..,"s":"BTCUSDT","b":"..","B":"..",
// "a":"..","A":".."}}; bare data frames of the /ws/<stream> form decode too), and hands each
// update to `on_quote` as an md::Quote with the canonical symbol (BTCUSDT -> BTC-USDT, from
// the symbols it was asked for), exact decimals as sent, and ts_ns = the injected clock's
// time of arrival (Spot bookTicker carries no event time). Public data: no key, no signature.
//
// Reconnects with exponential backoff (reconnect_min .. reconnect_max) after a drop, an idle
// timeout or a refused connection, forever until stop(). Each connection change is reported as
// VenueConnectionChanged (venue "binance-md") through `on_event`; a frame it cannot decode (not
// JSON, a missing or mistyped field, a symbol it did not subscribe to) is reported as
// AnomalyDetected{kind:"malformed_message"} and skipped — never a crash. Within one connection
// an update whose id `u` is not newer than the last one seen for its symbol is dropped as
// stale (counted in stats().stale).
//
// Threading: I/O and callbacks on one strand of the given io_context; start/stop may be
// called from any thread. The io_context must outlive the feed; stop() must have completed
// (its callback called) before the feed is destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/binance/codec.h"
#include "adapters/binance/config.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/result.h"
#include "domain/symbol.h"
#include "market_data/types.h"

namespace boost::asio {
class io_context;
}

namespace at::binance {

struct BookTickerOptions {
  std::string stream_url;       // origin, e.g. "wss://stream.binance.com:9443"
  std::vector<Symbol> symbols;  // canonical, e.g. BTC-USDT; venue form = without the dash
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::string ca_file;
  bool verify_peer = true;
};

// Options for `symbols` from the adapter's config: stream_url (or the environment's default),
// timeouts, reconnect backoff and trust settings.
BookTickerOptions book_ticker_options(const BinanceConfig& config, std::vector<Symbol> symbols);

// One decoded bookTicker update.
struct BookTickerUpdate {
  std::int64_t update_id = 0;  // `u`
  md::Quote quote;
};

// "<origin>/stream?streams=btcusdt@bookTicker/ethbtc@bookTicker" (lower-case stream names).
std::string book_ticker_url(std::string_view stream_url,
                            const std::vector<std::string>& venue_symbols);
// Decodes one frame (combined or bare). The symbol must be in `symbols`; errors name the field.
Result<BookTickerUpdate> parse_book_ticker(std::string_view frame, const SymbolMap& symbols,
                                           std::int64_t ts_ns);

class BookTickerFeed {
 public:
  struct Stats {
    std::uint64_t quotes = 0;     // handed to on_quote
    std::uint64_t connects = 0;   // successful connections
    std::uint64_t malformed = 0;  // frames reported as anomalies
    std::uint64_t stale = 0;      // updates dropped as not newer than the last
  };
  using OnQuote = std::function<void(const md::Quote&)>;
  using OnEvent = std::function<void(Event)>;

  BookTickerFeed(boost::asio::io_context& ioc, const Clock& clock, BookTickerOptions options);
  ~BookTickerFeed();
  BookTickerFeed(const BookTickerFeed&) = delete;
  BookTickerFeed& operator=(const BookTickerFeed&) = delete;

  // Starts connecting (in the background). `on_event` may be empty. Fails at once, before any
  // I/O, on an empty symbol list or a URL that is malformed or plain ws:// to a non-loopback host.
  Status start(OnQuote on_quote, OnEvent on_event = {});
  // Closes the connection, stops reconnecting; `done` runs once nothing more will be called.
  void stop(std::function<void()> done);
  Stats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace at::binance
