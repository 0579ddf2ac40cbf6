#include "cli/venue_factory.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "adapters/binance/binance_venue.h"
#include "adapters/paper/paper_venue.h"
#include "adapters/paper/scheduler.h"
#include "cli/common.h"
#include "market_data/generated.h"

namespace at::cli {

std::vector<InstrumentRules> market_instruments(const config::Config& cfg) {
  std::vector<InstrumentRules> out;
  if (cfg.market.source == config::MarketConfig::Source::kGenerated) {
    for (const auto& s : md::sample_instruments()) {
      const auto& want = cfg.market.symbols;
      if (!want.empty() && std::find(want.begin(), want.end(), s.symbol) == want.end()) continue;
      InstrumentRules r;
      r.symbol = s.symbol;
      r.venue_symbol = s.symbol.str();
      r.tick_size = s.tick;
      r.lot_size = s.lot;
      r.min_qty = s.lot;
      out.push_back(r);
    }
  } else {
    for (const auto& f : cfg.market.files) {
      if (!f.symbol) continue;
      InstrumentRules r;
      r.symbol = *f.symbol;
      r.venue_symbol = f.symbol->str();
      out.push_back(r);
    }
  }
  return out;
}

std::unique_ptr<VenueHandle> make_venue(const config::Config& cfg, const Clock& clock,
                                        boost::asio::io_context& io, spdlog::logger& log) {
  auto h = std::make_unique<VenueHandle>();
  switch (cfg.broker) {
    case config::BrokerKind::kPaper: {
      auto instruments = market_instruments(cfg);
      if (instruments.empty())
        throw CliError(kExitUsage,
                       "execution.market: no instruments (give market.symbols, or a "
                       "symbol for each market.files entry)");
      std::vector<Symbol> symbols;
      for (const auto& r : instruments) symbols.push_back(r.symbol);
      paper::PaperConfig pc;
      pc.account = "paper";
      for (const auto& [asset, amount] : config::initial_balances(cfg.paper, symbols))
        pc.initial_balances.emplace_back(asset, amount);
      pc.latency_min_ms = cfg.paper.latency_min_ms;
      pc.latency_max_ms = cfg.paper.latency_max_ms;
      pc.slippage_bps = cfg.paper.slippage_bps;
      pc.commission_bps = cfg.paper.commission_bps;
      pc.seed = cfg.paper.seed;
      pc.allow_short = true;  // paper trades equities and FX short; crypto as on margin
      pc.instruments = instruments;
      auto sched = std::make_shared<paper::AsioScheduler>(io.get_executor(), clock);
      auto venue = std::make_unique<paper::PaperVenue>(pc, clock, *sched);
      auto* pv = venue.get();
      h->account = pc.account;
      h->initial_funding = pc.initial_balances;
      h->quote_sink = [pv](const md::Quote& q) { pv->on_quote(q); };
      h->trade_sink = [pv](const md::Trade& t) { pv->on_trade(t); };
      h->restore = [pv, account = pc.account](const projections::Projections& p) {
        for (const auto& [key, b] : p.balances().all())
          if (key.first == account) pv->set_balance(key.second, b.total());
      };
      h->keep_alive.push_back(sched);
      h->venue = std::move(venue);
      break;
    }
    case config::BrokerKind::kBinance: {
      const auto& b = cfg.binance;
      binance::BinanceConfig bc;
      bc.api_key = net::Secret(b.api_key.reveal());
      bc.api_secret = net::Secret(b.api_secret.reveal());
      switch (b.environment) {
        case config::BinanceConfig::Environment::kLive:
          bc.environment = binance::Environment::kLive;
          break;
        case config::BinanceConfig::Environment::kTestnet:
          bc.environment = binance::Environment::kTestnet;
          break;
        case config::BinanceConfig::Environment::kSim:
          bc.environment = binance::Environment::kSim;
          break;
      }
      bc.base_url = b.base_url;
      bc.ws_url = b.ws_url;
      bc.account = "binance";
      bc.recv_window_ms = b.recv_window_ms;
      bc.request_timeout = std::chrono::milliseconds(cfg.resiliency.request_timeout.count());
      bc.reconnect_min =
          std::chrono::milliseconds(cfg.resiliency.reconnect_initial_backoff.count());
      bc.reconnect_max = std::chrono::milliseconds(cfg.resiliency.reconnect_max_backoff.count());
      if (bc.api_key.reveal().empty() || bc.api_secret.reveal().empty())
        throw CliError(kExitUsage,
                       "execution.binance.api_key / api_secret: required for broker binance "
                       "(set them, usually as ${BINANCE_API_KEY} / ${BINANCE_API_SECRET})");
      h->account = bc.account;
      h->venue = std::make_unique<binance::BinanceVenue>(io, clock, std::move(bc));
      break;
    }
    default:
      throw CliError(kExitUsage, "execution.broker: '" +
                                     std::string(config::to_string(cfg.broker)) +
                                     "' is not available in this build yet (paper is)");
  }
  (void)log;
  return h;
}

}  // namespace at::cli
