#include "cli/venue_factory.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/binance/binance_venue.h"
#include "adapters/binance/book_ticker.h"
#include "adapters/binance/codec.h"
#include "adapters/net/http_client.h"
#include "adapters/paper/paper_venue.h"
#include "platform/scheduler.h"
#include "cli/common.h"
#include "market_data/generated.h"

namespace at::cli {

namespace {

class BinanceMarketFeed final : public VenueMarketFeed {
 public:
  BinanceMarketFeed(boost::asio::io_context& io, const Clock& clock,
                    binance::BookTickerOptions options)
      : feed_(io, clock, std::move(options)) {}
  Status start(std::function<void(const md::Quote&)> on_quote,
               std::function<void(Event)> on_event) override {
    return feed_.start(std::move(on_quote), std::move(on_event));
  }
  void stop(std::function<void()> done) override { feed_.stop(std::move(done)); }

 private:
  binance::BookTickerFeed feed_;
};

}  // namespace

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

namespace {

// The Binance account's balances now (signed GET /api/v3/account, after a server time sync),
// read once before the engine starts: on a new journal they become its opening AccountFunded
// events, so that positions and balance checks start from what the venue holds.
Result<std::vector<std::pair<std::string, Money>>> binance_balances(
    const binance::BinanceConfig& bc) {
  namespace asio = boost::asio;
  asio::io_context io;
  net::HttpClientOptions ho;
  ho.connect_timeout = bc.connect_timeout;
  ho.request_timeout = bc.request_timeout;
  ho.ca_file = bc.ca_file;
  ho.verify_peer = bc.verify_peer;
  std::string base = bc.base_url.empty() ? binance::default_base_url(bc.environment) : bc.base_url;
  auto client = net::HttpClient::create(io.get_executor(), base, ho);
  if (!client) return client.error();
  Result<std::vector<std::pair<std::string, Money>>> out =
      make_error(ErrorKind::kTransient, "binance: account not read");
  auto body = [&]() -> asio::awaitable<void> {
    auto fail = [&](const std::string& what, const net::HttpResponse* r) {
      out = make_error(ErrorKind::kTransient,
                       "binance: " + what +
                           (r ? ": HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200)
                              : std::string()));
    };
    net::HttpRequest t;
    t.target = "/api/v3/time";
    auto tr = co_await (*client)->request(std::move(t));
    if (!tr) co_return fail("GET /api/v3/time: " + tr.error().message, nullptr);
    if (tr->status != 200) co_return fail("GET /api/v3/time", &*tr);
    auto server_ms = binance::parse_server_time(tr->body);
    if (!server_ms) co_return fail("GET /api/v3/time: " + server_ms.error().message, nullptr);
    binance::Params p;
    p.emplace_back("omitZeroBalances", "true");
    p.emplace_back("recvWindow", std::to_string(bc.recv_window_ms));
    p.emplace_back("timestamp", std::to_string(*server_ms));
    std::string query = binance::encode_query(p);
    query += "&signature=" + binance::sign_rest(bc.api_secret.reveal(), query);
    net::HttpRequest a;
    a.target = "/api/v3/account?" + query;
    a.headers.push_back({"X-MBX-APIKEY", std::string(bc.api_key.reveal())});
    auto ar = co_await (*client)->request(std::move(a));
    if (!ar) co_return fail("GET /api/v3/account: " + ar.error().message, nullptr);
    if (ar->status != 200) co_return fail("GET /api/v3/account", &*ar);
    auto balances = binance::parse_account_balances(ar->body);
    if (!balances) co_return fail("GET /api/v3/account: " + balances.error().message, nullptr);
    std::vector<std::pair<std::string, Money>> v;
    for (const auto& b : *balances) {
      Money total = b.free + b.locked;
      if (!total.is_zero()) v.emplace_back(b.asset, total);
    }
    out = std::move(v);
  };
  asio::co_spawn(io, body, [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      out = make_error(ErrorKind::kTransient, std::string("binance: ") + ex.what());
    }
  });
  io.run();
  (*client)->close_idle();
  return out;
}

}  // namespace

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
      auto sched = std::make_shared<AsioScheduler>(io.get_executor(), clock);
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
      bc.api_key = b.api_key;
      bc.api_secret = b.api_secret;
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
      bc.stream_url = b.stream_url;
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
      // Read every start (only a new journal uses it): a venue that cannot be read now could
      // not be traded either; the message says why.
      auto funding = binance_balances(bc);
      if (!funding)
        throw CliError(kExitFailed,
                       "cannot read the Binance account at " +
                           (bc.base_url.empty() ? std::string("the default URL") : bc.base_url) +
                           ": " + funding.error().message);
      h->initial_funding = std::move(*funding);
      h->market_feed = [&io, &clock, bc](std::vector<Symbol> symbols) {
        return std::unique_ptr<VenueMarketFeed>(std::make_unique<BinanceMarketFeed>(
            io, clock, binance::book_ticker_options(bc, std::move(symbols))));
      };
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
