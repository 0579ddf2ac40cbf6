#include "market_data/readers.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/support/shared_data.h"

namespace at::md {
namespace {

// A FileSpec with defaults for what is not given.
FileSpec spec(std::string path, FileFormat f, std::optional<Symbol> sym = std::nullopt,
              std::string snapshot = "") {
  FileSpec s;
  s.path = std::move(path);
  s.format = f;
  s.symbol = std::move(sym);
  s.snapshot = std::move(snapshot);
  return s;
}

std::string data(const char* name) { return std::string(AT_SHARED_DATA) + "/" + name; }

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

std::vector<MarketEvent> read_ok(const FileSpec& spec) {
  auto r = read_file(spec);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : std::vector<MarketEvent>{};
}

// A temporary file with the given content, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static int n = 0;
    path_ = ::testing::TempDir() + "/md_" + std::to_string(::getpid()) + "_" + std::to_string(n++) +
            ".csv";
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string error_of(FileFormat f, const std::string& content,
                     std::optional<Symbol> sym = Symbol::of("EUR-USD")) {
  TempFile t(content);
  auto r = read_file(FileSpec{t.path(), f, sym, ""});
  return r ? "" : t.path() + "|" + r.error().message;
}

TEST(HistdataReader, ReadsAllEurUsdTicksWithExactPricesInUtc) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto ev = read_ok(spec(data("eurusd-quotes-histdata-2020-01.csv"), FileFormat::kHistdataQuotes,
                         Symbol::of("EUR-USD")));
  ASSERT_EQ(ev.size(), 9500u);
  const auto& first = std::get<Quote>(ev.front());
  EXPECT_EQ(first.symbol.str(), "EUR-USD");
  EXPECT_EQ(first.bid.to_string(), "1.121200");
  EXPECT_EQ(first.ask.to_string(), "1.121720");
  EXPECT_TRUE(first.bid_size.is_zero());
  // 2020-01-01 17:00:00.065 EST = 22:00:00.065 UTC.
  EXPECT_EQ(first.ts_ns, 1'577'916'000'065'000'000);
  const auto& last = std::get<Quote>(ev.back());
  EXPECT_EQ(last.bid.to_string(), "1.121300");
  EXPECT_EQ(last.ask.to_string(), "1.121320");
  EXPECT_EQ(last.ts_ns, 1'577'916'000'065'000'000 + (6LL * 3600 + 52) * 1'000'000'000 + 60'000'000);
}

TEST(TruefxReader, ReadsUsdJpyWithOffsetTimestamps) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto ev = read_ok(spec(data("usdjpy-quotes-truefx-2013-01-01.csv"), FileFormat::kTruefxQuotes,
                         Symbol::of("USD-JPY")));
  ASSERT_EQ(ev.size(), 1000u);
  const auto& first = std::get<Quote>(ev.front());
  EXPECT_EQ(first.bid.to_string(), "86.655");
  EXPECT_EQ(first.ask.to_string(), "86.728");
  EXPECT_EQ(first.ts_ns, 1'357'077'600'295'000'000);
  const auto& last = std::get<Quote>(ev.back());
  EXPECT_EQ(last.bid.to_string(), "86.836");
  EXPECT_EQ(last.ask.to_string(), "86.854");
}

TEST(BinanceKlinesReader, KeepsEightDecimalPricesAsText) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto ev = read_ok(spec(data("adabtc-bars-1m-binance-2021-11-27.csv"), FileFormat::kBinanceKlines,
                         Symbol::of("ADA-BTC")));
  ASSERT_EQ(ev.size(), 10u);
  const auto& b = std::get<Bar>(ev.front());
  EXPECT_EQ(b.symbol.str(), "ADA-BTC");
  EXPECT_EQ(b.open.to_string(), "0.00002853");
  EXPECT_EQ(b.high.to_string(), "0.00002854");
  EXPECT_EQ(b.low.to_string(), "0.00002851");
  EXPECT_EQ(b.close.to_string(), "0.00002854");
  EXPECT_EQ(b.volume.to_string(), "36304.20000000");
  EXPECT_EQ(b.open_ns, 1'637'971'200'000'000'000);
  EXPECT_EQ(b.close_ns, 1'637'971'259'999'000'000);
  EXPECT_EQ(event_ts_ns(ev.front()), b.close_ns);
  const auto& l = std::get<Bar>(ev.back());
  EXPECT_EQ(l.open.to_string(), "0.00002863");
  EXPECT_EQ(l.close.to_string(), "0.00002865");
  EXPECT_EQ(l.open_ns, 1'637'971'740'000'000'000);
}

TEST(BinanceBook5Reader, GivesTopOfBookWithSizes) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto ev = read_ok(spec(data("btcusdt-book5-binance-futures-2020-09-01.csv"),
                         FileFormat::kBinanceBook5, std::nullopt));
  ASSERT_EQ(ev.size(), 10u);
  const auto& q = std::get<Quote>(ev.front());
  EXPECT_EQ(q.symbol.str(), "BTC-USDT");
  EXPECT_EQ(q.bid.to_string(), "11657.07");
  EXPECT_EQ(q.bid_size.to_string(), "10.896");
  EXPECT_EQ(q.ask.to_string(), "11657.08");
  EXPECT_EQ(q.ask_size.to_string(), "1.714");
  EXPECT_EQ(q.ts_ns, 1'598'918'403'696'000'000);
  const auto& l = std::get<Quote>(ev.back());
  EXPECT_EQ(l.ask_size.to_string(), "1.393");
  EXPECT_EQ(l.bid_size.to_string(), "10.881");
}

TEST(BinanceDepthReader, SnapshotPlusUpdatesGiveTheTopOfTheBook) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  // The snapshot holds only bids, so it yields no quote; the update batch makes it two-sided.
  auto ev =
      read_ok(spec(data("btcusdt-depth-updates-binance-2022-11-01.csv"), FileFormat::kBinanceDepth,
                   std::nullopt, data("btcusdt-depth-snapshot-binance-2022-11-01.csv")));
  ASSERT_EQ(ev.size(), 1u);
  const auto& q = std::get<Quote>(ev.front());
  EXPECT_EQ(q.symbol.str(), "BTC-USDT");
  EXPECT_EQ(q.bid.to_string(), "20472.10");
  EXPECT_EQ(q.bid_size.to_string(), "22.276");
  EXPECT_EQ(q.ask.to_string(), "20472.20");
  EXPECT_EQ(q.ask_size.to_string(), "4.211");
  EXPECT_EQ(q.ts_ns, 1'667'347'199'939'000'000);
}

TEST(BinanceDepthReader, UpdatesAlreadyInTheSnapshotAreSkipped) {
  TempFile snap(
      "symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu\n"
      "BTCUSDT,1000,10,10,b,snap,100.0,1,-1\n"
      "BTCUSDT,1000,10,10,a,snap,101.0,2,-1\n");
  TempFile upd(
      "symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu\n"
      "BTCUSDT,1001,9,10,b,set,100.5,9,9\n"      // old: skipped
      "BTCUSDT,1002,11,12,b,set,100.0,0,10\n"    // batch 12: delete best bid ...
      "BTCUSDT,1002,11,12,b,set,99.5,3,10\n"     // ... and add a lower one
      "BTCUSDT,1003,13,13,a,set,100.5,1,12\n");  // batch 13: better ask
  auto ev = read_ok(spec(upd.path(), FileFormat::kBinanceDepth, std::nullopt, snap.path()));
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(std::get<Quote>(ev[0]).bid.to_string(), "100.0");
  EXPECT_EQ(std::get<Quote>(ev[1]).bid.to_string(), "99.5");
  EXPECT_EQ(std::get<Quote>(ev[1]).ts_ns, 1'002'000'000);
  EXPECT_EQ(std::get<Quote>(ev[2]).ask.to_string(), "100.5");
}

TEST(GenericQuotesReader, ReadsHeaderSizesIsoAndEpochTimes) {
  TempFile t(
      "ts,symbol,bid,ask,bid_size,ask_size\n"
      "# a comment\n"
      "1704205800123,eth-btc,0.05000000,0.05000010,1.23456789,0.5\r\n"
      "\n"
      "2024-01-02T14:30:00.5Z,AAPL,190.00,190.02,100,200\n");
  auto ev = read_ok(spec(t.path(), FileFormat::kGenericQuotes, std::nullopt));
  ASSERT_EQ(ev.size(), 2u);
  const auto& a = std::get<Quote>(ev[0]);
  EXPECT_EQ(a.symbol.str(), "ETH-BTC");
  EXPECT_EQ(a.ask.to_string(), "0.05000010");
  EXPECT_EQ(a.bid_size.to_string(), "1.23456789");
  EXPECT_EQ(a.ts_ns, 1'704'205'800'123'000'000);
  EXPECT_EQ(std::get<Quote>(ev[1]).ts_ns, 1'704'205'800'500'000'000);
}

TEST(GenericTradesReader, ReadsSides) {
  TempFile t("1704205800,BTC-USDT,65000.01,0.00100,sell\n1704205801,BTC-USDT,65000.02,2\n");
  auto ev = read_ok(spec(t.path(), FileFormat::kGenericTrades, std::nullopt));
  ASSERT_EQ(ev.size(), 2u);
  const auto& tr = std::get<Trade>(ev[0]);
  EXPECT_EQ(tr.price.to_string(), "65000.01");
  EXPECT_EQ(tr.quantity.to_string(), "0.00100");
  EXPECT_EQ(tr.aggressor, Side::kSell);
  EXPECT_EQ(tr.ts_ns, 1'704'205'800'000'000'000);
}

TEST(ReaderErrors, MalformedRowsNameFileAndLine) {
  struct Case {
    FileFormat f;
    std::string content, where, what;
  };
  const std::vector<Case> cases = {
      {FileFormat::kHistdataQuotes, "20200101 170000065,1.1212,1.1217,0\n20200101 1700,1.1,1.2,0\n",
       ":2: ", "expected 'YYYYMMDD HHMMSSmmm'"},
      {FileFormat::kHistdataQuotes, "20200101 170000065,1.1212,abc,0\n",
       ":1: ", "ask: expected a positive decimal, got 'abc'"},
      {FileFormat::kHistdataQuotes, "20200101 170000065,1.13,1.12,0\n", ":1: ", "crossed quote"},
      {FileFormat::kHistdataQuotes, "20200101 170000065,1.12\n", ":1: ", "expected 4 fields"},
      {FileFormat::kTruefxQuotes, "time,bid,ask\n", ":1: ", "expected the header"},
      {FileFormat::kTruefxQuotes, "timestamp,bid,ask\n2013-01-01 25:00:00,86.6,86.7\n",
       ":2: ", "expected ISO-8601"},
      {FileFormat::kBinanceKlines, "1637971200000,0.00002853,0.00002854\n",
       ":1: ", "expected 12 Binance kline fields"},
      {FileFormat::kBinanceKlines,
       "1637971200000,0.00002853,0.00002850,0.00002851,0.00002854,1,1637971259999,1,1,1,1,0\n",
       ":1: ", "inconsistent bar"},
      {FileFormat::kGenericQuotes, "ts,symbol,bid,ask\n1,AAPL,1,2\n1,AAPL,-1,2\n",
       ":3: ", "bid: expected a positive decimal, got '-1'"},
      {FileFormat::kGenericQuotes, "yesterday,AAPL,1,2\n", ":1: ", "ts: expected ISO-8601"},
      {FileFormat::kGenericTrades, "1,AAPL,1,2,hold\n", ":1: ", "side: expected buy or sell"},
      {FileFormat::kBinanceBook5, "exchange,symbol,timestamp\n",
       ":1: ", "missing column 'asks[0].price'"},
      {FileFormat::kBinanceDepth,
       "symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu\n"
       "BTCUSDT,1,1,1,x,set,1,1,0\n",
       ":2: ", "side: expected b or a, got 'x'"},
  };
  for (const auto& c : cases) {
    std::string got = error_of(c.f, c.content, Symbol::of("EUR-USD"));
    ASSERT_FALSE(got.empty()) << c.content;
    std::string path = got.substr(0, got.find('|'));
    std::string msg = got.substr(got.find('|') + 1);
    EXPECT_EQ(msg.rfind(path + c.where, 0), 0u) << msg;
    EXPECT_HAS(msg, c.what);
  }
}

TEST(ReaderErrors, ErrorIsStickyAndEventsBeforeItAreDelivered) {
  TempFile t("1,AAPL,1,2\nbad\n");
  auto src = open_file(spec(t.path(), FileFormat::kGenericQuotes, std::nullopt));
  ASSERT_TRUE(src);
  auto a = (*src)->next();
  ASSERT_TRUE(a && *a);
  EXPECT_FALSE((*src)->next());
  EXPECT_FALSE((*src)->next());
}

TEST(ReaderErrors, MissingFileAndMissingSymbolAreClear) {
  auto r = read_file(spec("/nonexistent/x.csv", FileFormat::kGenericQuotes, std::nullopt));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kIo);
  EXPECT_HAS(r.error().message, "/nonexistent/x.csv");
  r = read_file(spec(data("adabtc-bars-1m-binance-2021-11-27.csv"), FileFormat::kBinanceKlines));
  ASSERT_FALSE(r);
  EXPECT_HAS(r.error().message, "a symbol is required");
}

TEST(OpenFiles, MergesRecordedFilesByTime) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto src = open_files({spec(data("usdjpy-quotes-truefx-2013-01-01.csv"),
                              FileFormat::kTruefxQuotes, Symbol::of("USD-JPY")),
                         spec(data("eurusd-quotes-histdata-2020-01.csv"),
                              FileFormat::kHistdataQuotes, Symbol::of("EUR-USD"))});
  ASSERT_TRUE(src) << src.error().message;
  auto all = read_all(**src);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 10500u);
  EXPECT_EQ(event_symbol(all->front()).str(), "USD-JPY");  // 2013 comes before 2020
  EXPECT_EQ(event_symbol(all->back()).str(), "EUR-USD");
}

TEST(FileFormats, NamesRoundTrip) {
  for (auto f : {FileFormat::kGenericQuotes, FileFormat::kGenericTrades,
                 FileFormat::kHistdataQuotes, FileFormat::kTruefxQuotes, FileFormat::kBinanceKlines,
                 FileFormat::kBinanceBook5, FileFormat::kBinanceDepth})
    EXPECT_EQ(*parse_file_format(to_string(f)), f);
  EXPECT_FALSE(parse_file_format("parquet"));
}

TEST(BinanceSymbols, SplitOnTheQuoteAsset) {
  EXPECT_EQ(symbol_from_binance("BTCUSDT")->str(), "BTC-USDT");
  EXPECT_EQ(symbol_from_binance("ADABTC")->str(), "ADA-BTC");
  EXPECT_EQ(symbol_from_binance("ethbtc")->str(), "ETH-BTC");
  EXPECT_EQ(symbol_from_binance("BTCFDUSD")->str(), "BTC-FDUSD");
  EXPECT_FALSE(symbol_from_binance("XYZ"));
}

TEST(Timestamps, IsoAndEpochForms) {
  EXPECT_EQ(*parse_iso8601_ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_iso8601_ns("1970-01-01 01:00:00+01:00"), 0);
  EXPECT_EQ(*parse_iso8601_ns("2013-01-01 22:00:00.295000+00:00"), 1'357'077'600'295'000'000);
  EXPECT_EQ(*parse_iso8601_ns("2000-02-29T12:00:00.000000001"), 951'825'600'000'000'001);
  EXPECT_FALSE(parse_iso8601_ns("2000-02-29T12:00"));
  EXPECT_EQ(*parse_epoch_ns("1704205800"), 1'704'205'800'000'000'000);
  EXPECT_EQ(*parse_epoch_ns("1704205800123456"), 1'704'205'800'123'456'000);
  EXPECT_EQ(*parse_epoch_ns("1704205800123456789"), 1'704'205'800'123'456'789);
}

}  // namespace
}  // namespace at::md
