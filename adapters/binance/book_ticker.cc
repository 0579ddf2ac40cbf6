#include "adapters/binance/book_ticker.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <map>

#include "adapters/net/url.h"
#include "adapters/net/ws_client.h"

namespace at::binance {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* kVenue = "binance-md";

Error bad(std::string msg) { return make_error(ErrorKind::kInvalidArgument, std::move(msg)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string venue_form(const Symbol& s) {
  std::string out;
  for (char c : s.str())
    if (c != '-') out += c;
  return out;
}

Result<Decimal> decimal_field(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (!v) return bad("bookTicker: missing field '" + std::string(k) + "'");
  if (!v->is_string()) return bad("bookTicker: field '" + std::string(k) + "' is not a string");
  auto d = Decimal::parse(v->get_string());
  if (!d)
    return bad("bookTicker: field '" + std::string(k) + "' is not a decimal: " + d.error().message);
  if (d->is_negative()) return bad("bookTicker: field '" + std::string(k) + "' is negative");
  return *d;
}

}  // namespace

BookTickerOptions book_ticker_options(const BinanceConfig& c, std::vector<Symbol> symbols) {
  BookTickerOptions o;
  o.stream_url = c.stream_url.empty() ? default_stream_url(c.environment) : c.stream_url;
  o.symbols = std::move(symbols);
  o.connect_timeout = c.connect_timeout;
  o.idle_timeout = c.ws_idle_timeout;
  o.reconnect_min = c.reconnect_min;
  o.reconnect_max = c.reconnect_max;
  o.ca_file = c.ca_file;
  o.verify_peer = c.verify_peer;
  return o;
}

std::string book_ticker_url(std::string_view stream_url,
                            const std::vector<std::string>& venue_symbols) {
  std::string url(stream_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/stream?streams=";
  for (std::size_t i = 0; i < venue_symbols.size(); ++i) {
    if (i) url += '/';
    url += lower(venue_symbols[i]) + "@bookTicker";
  }
  return url;
}

Result<BookTickerUpdate> parse_book_ticker(std::string_view frame, const SymbolMap& symbols,
                                           std::int64_t ts_ns) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  if (ec) return bad("bookTicker: malformed JSON: " + ec.message());
  if (!v.is_object()) return bad("bookTicker: expected a JSON object");
  const json::object* o = &v.get_object();
  if (const json::value* data = o->if_contains("data")) {  // combined-stream envelope
    if (!data->is_object()) return bad("bookTicker: field 'data' is not an object");
    o = &data->get_object();
  }
  BookTickerUpdate u;
  const json::value* id = o->if_contains("u");
  if (!id) return bad("bookTicker: missing field 'u'");
  if (id->is_int64()) {
    u.update_id = id->get_int64();
  } else if (id->is_uint64() && id->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    u.update_id = static_cast<std::int64_t>(id->get_uint64());
  } else {
    return bad("bookTicker: field 'u' is not an integer");
  }
  const json::value* s = o->if_contains("s");
  if (!s) return bad("bookTicker: missing field 's'");
  if (!s->is_string()) return bad("bookTicker: field 's' is not a string");
  auto sym = symbols.to_canonical(std::string_view(s->get_string()));
  if (!sym)
    return bad("bookTicker: symbol '" + std::string(s->get_string()) + "' was not subscribed");
  u.quote.symbol = *sym;
  auto b = decimal_field(*o, "b");
  if (!b) return b.error();
  auto bq = decimal_field(*o, "B");
  if (!bq) return bq.error();
  auto a = decimal_field(*o, "a");
  if (!a) return a.error();
  auto aq = decimal_field(*o, "A");
  if (!aq) return aq.error();
  u.quote.bid = *b;
  u.quote.bid_size = *bq;
  u.quote.ask = *a;
  u.quote.ask_size = *aq;
  u.quote.ts_ns = ts_ns;
  return u;
}

struct BookTickerFeed::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, const Clock& c, BookTickerOptions o)
      : strand(asio::make_strand(io)), clock(c), opt(std::move(o)) {}

  asio::strand<asio::io_context::executor_type> strand;
  const Clock& clock;
  BookTickerOptions opt;
  SymbolMap symbols;
  std::string url;
  OnQuote on_quote;
  OnEvent on_event;
  std::unique_ptr<net::WsClient> ws;
  std::unique_ptr<asio::steady_timer> backoff;
  std::map<Symbol, std::int64_t> last_id;
  bool running = false;
  bool stopping = false;
  std::function<void()> stop_done;
  std::atomic<std::uint64_t> n_quotes{0}, n_connects{0}, n_malformed{0}, n_stale{0};

  void event(Event e) {
    if (on_event && !stopping) on_event(std::move(e));
  }

  void handle(const std::string& frame) {
    auto u = parse_book_ticker(frame, symbols, clock.now_ns());
    if (!u) {
      ++n_malformed;
      event(AnomalyDetected{"malformed_message",
                            kVenue,
                            {},
                            u.error().message + " (" + std::to_string(frame.size()) + " bytes)",
                            clock.now_ns()});
      return;
    }
    auto [it, fresh] = last_id.try_emplace(u->quote.symbol, u->update_id);
    if (!fresh) {
      if (u->update_id <= it->second) {
        ++n_stale;
        return;
      }
      it->second = u->update_id;
    }
    ++n_quotes;
    if (on_quote && !stopping) on_quote(u->quote);
  }

  asio::awaitable<Status> session() {
    net::WsOptions wo;
    wo.connect_timeout = opt.connect_timeout;
    wo.idle_timeout = opt.idle_timeout;
    wo.ca_file = opt.ca_file;
    wo.verify_peer = opt.verify_peer;
    auto c = co_await net::WsClient::connect(strand, url, wo);
    if (!c) co_return c.error();
    ws = std::move(*c);
    if (stopping) {
      ws->abort();
      co_return Status{};
    }
    ++n_connects;
    last_id.clear();  // ids are per connection as far as we can tell (a restarted venue resets)
    event(VenueConnectionChanged{kVenue, ConnectionState::kConnected, "bookTicker stream open",
                                 clock.now_ns()});
    for (;;) {
      auto f = co_await ws->read();
      if (!f) co_return f.error();
      handle(*f);
    }
  }

  asio::awaitable<void> loop() {
    auto delay = opt.reconnect_min;
    while (!stopping) {
      const auto connects = n_connects.load();
      auto st = co_await session();
      if (stopping) break;
      if (n_connects > connects) delay = opt.reconnect_min;  // it worked for a while
      event(VenueConnectionChanged{kVenue, ConnectionState::kReconnecting,
                                   st.ok() ? std::string("closed") : st.error().message,
                                   clock.now_ns()});
      backoff = std::make_unique<asio::steady_timer>(strand, delay);
      co_await backoff->async_wait(asio::as_tuple(asio::use_awaitable));
      delay = std::min(delay * 2, opt.reconnect_max);
    }
    finish();
  }

  void finish() {
    running = false;
    ws.reset();
    if (auto d = std::exchange(stop_done, nullptr)) d();
  }
};

BookTickerFeed::BookTickerFeed(asio::io_context& ioc, const Clock& clock, BookTickerOptions options)
    : impl_(std::make_shared<Impl>(ioc, clock, std::move(options))) {}

BookTickerFeed::~BookTickerFeed() = default;

Status BookTickerFeed::start(OnQuote on_quote, OnEvent on_event) {
  auto I = impl_;
  if (I->opt.symbols.empty()) return bad("binance bookTicker: no symbols to subscribe");
  std::vector<std::string> venue_symbols;
  for (const auto& s : I->opt.symbols) {
    venue_symbols.push_back(venue_form(s));
    I->symbols.add(venue_symbols.back(), s);
  }
  I->url = book_ticker_url(I->opt.stream_url, venue_symbols);
  auto u = net::parse_url(I->url);
  if (!u) return u.error();
  if (auto st = net::check_transport_allowed(*u); !st) return st;
  I->on_quote = std::move(on_quote);
  I->on_event = std::move(on_event);
  I->running = true;
  asio::co_spawn(
      I->strand, [I]() { return I->loop(); }, asio::detached);
  return {};
}

void BookTickerFeed::stop(std::function<void()> done) {
  auto I = impl_;
  asio::post(I->strand, [I, done = std::move(done)]() mutable {
    I->stopping = true;
    if (!I->running) {
      if (done) done();
      return;
    }
    I->stop_done = std::move(done);
    if (I->ws) I->ws->abort();
    if (I->backoff) I->backoff->cancel();
  });
}

BookTickerFeed::Stats BookTickerFeed::stats() const {
  return Stats{impl_->n_quotes.load(), impl_->n_connects.load(), impl_->n_malformed.load(),
               impl_->n_stale.load()};
}

}  // namespace at::binance
