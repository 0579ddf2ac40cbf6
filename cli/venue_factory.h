// Builds the venue adapter the config selects, with what `run` needs around it: the account
// the engine trades in, the deposits to journal on a new journal, where market data goes, and
// how the venue's state is restored from the journal after a restart.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/venue.h"
#include "config/config.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/result.h"
#include "market_data/types.h"
#include "projections/projections.h"

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace at::cli {

// The venue's own market data (Binance: the public bookTicker stream), for venues that have it.
class VenueMarketFeed {
 public:
  virtual ~VenueMarketFeed() = default;
  // Quotes go to `on_quote`; connection changes and malformed frames to `on_event` as events to
  // journal. Both run on the io_context the venue was made with.
  virtual Status start(std::function<void(const md::Quote&)> on_quote,
                       std::function<void(Event)> on_event) = 0;
  // Must have called `done` before the feed is destroyed.
  virtual void stop(std::function<void()> done) = 0;
};

struct VenueHandle {
  std::unique_ptr<adapters::Venue> venue;
  std::string account;
  std::vector<std::pair<std::string, Money>> initial_funding;
  std::function<void(const md::Quote&)> quote_sink;
  std::function<void(const md::Trade&)> trade_sink;
  std::function<void(const projections::Projections&)> restore;
  std::vector<std::shared_ptr<void>> keep_alive;  // schedulers and bridges the venue borrows
  // Empty for venues without a market stream of their own (paper is fed by `run`).
  std::function<std::unique_ptr<VenueMarketFeed>(std::vector<Symbol>)> market_feed;

  void on_quote(const md::Quote& q) {
    if (quote_sink) quote_sink(q);
  }
  void on_trade(const md::Trade& t) {
    if (trade_sink) trade_sink(t);
  }
  void restore_balances(const projections::Projections& p) {
    if (restore) restore(p);
  }
};

// Throws CliError on a config the venue cannot run with (the message names the key).
std::unique_ptr<VenueHandle> make_venue(const config::Config& cfg, const Clock& clock,
                                        boost::asio::io_context& io, spdlog::logger& log);

// The instruments of the configured market (generated sample instruments, or the symbols of
// recorded files with their rules left open).
std::vector<InstrumentRules> market_instruments(const config::Config& cfg);

}  // namespace at::cli
