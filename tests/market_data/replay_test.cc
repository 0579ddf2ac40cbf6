#include <gtest/gtest.h>

#include <vector>

#include "market_data/generated.h"
#include "market_data/readers.h"
#include "market_data/replayer.h"
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

constexpr std::int64_t kMs = 1'000'000;

MarketEvent quote_at(std::int64_t ts) {
  return Quote{Symbol::of("AAPL"), Price::of("1.00"), Price::of("1.01"),
               Quantity(),         Quantity(),        ts};
}

TEST(Replayer, RealtimePaceWaitsForEachRecordedGapOnTheInjectedClock) {
  ManualClock clock(0);
  VectorSource src(
      {quote_at(1000 * kMs), quote_at(1250 * kMs), quote_at(1250 * kMs), quote_at(2000 * kMs)});
  std::vector<std::int64_t> waits;
  Replayer r(src, clock, [&](std::int64_t deadline) {
    waits.push_back(deadline);
    clock.set_ns(deadline);
    return true;
  });
  std::vector<std::int64_t> emitted_at;
  auto n = r.run([&](const MarketEvent&) {
    emitted_at.push_back(clock.monotonic_ns());
    return true;
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(emitted_at, (std::vector<std::int64_t>{0, 250 * kMs, 250 * kMs, 1000 * kMs}));
  EXPECT_EQ(waits, (std::vector<std::int64_t>{250 * kMs, 1000 * kMs}));  // no wait for a zero gap
}

TEST(Replayer, SpeedAndMaxGapShortenTheSchedule) {
  ManualClock clock(0);
  VectorSource src({quote_at(0), quote_at(1000 * kMs), quote_at(3'600'000 * kMs)});
  Replayer r(src, clock, advancing_wait(clock),
             ReplayOptions{Pace::kRealtime, 2.0, 5000 * kMs, false});
  std::vector<std::int64_t> at;
  ASSERT_TRUE(r.run([&](const MarketEvent&) {
    at.push_back(clock.monotonic_ns());
    return true;
  }));
  EXPECT_EQ(at, (std::vector<std::int64_t>{0, 500 * kMs, 3000 * kMs}));
}

TEST(Replayer, FastPaceNeverWaits) {
  ManualClock clock(0);
  VectorSource src({quote_at(0), quote_at(1000 * kMs), quote_at(2000 * kMs)});
  Replayer r(
      src, clock,
      [](std::int64_t) -> bool {
        ADD_FAILURE() << "fast replay waited";
        return true;
      },
      ReplayOptions{Pace::kFast});
  EXPECT_EQ(*r.run([](const MarketEvent&) { return true; }), 3u);
}

TEST(Replayer, PollingApiReleasesEventsOnlyWhenDue) {
  ManualClock clock(100);
  VectorSource src({quote_at(0), quote_at(10 * kMs)});
  Replayer r(src, clock, advancing_wait(clock));
  auto first = r.pop_if_due();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(**r.next_due_ns(), 100 + 10 * kMs);
  EXPECT_FALSE(*r.pop_if_due());
  clock.advance_ns(10 * kMs - 1);
  EXPECT_FALSE(*r.pop_if_due());
  clock.advance_ns(1);
  EXPECT_TRUE(*r.pop_if_due());
  EXPECT_FALSE(*r.next_due_ns());  // end of stream
}

TEST(Replayer, RestampGivesEventsTheClocksTime) {
  ManualClock clock(5 * kMs);
  VectorSource src({quote_at(0), quote_at(7 * kMs)});
  Replayer r(src, clock, advancing_wait(clock), ReplayOptions{Pace::kRealtime, 1.0, 0, true});
  std::vector<std::int64_t> ts;
  ASSERT_TRUE(r.run([&](const MarketEvent& e) {
    ts.push_back(event_ts_ns(e));
    return true;
  }));
  EXPECT_EQ(ts, (std::vector<std::int64_t>{5 * kMs, 12 * kMs}));
}

TEST(Replayer, StopsWhenTheSinkOrWaitSaysSo) {
  ManualClock clock(0);
  VectorSource src({quote_at(0), quote_at(kMs), quote_at(2 * kMs)});
  Replayer r(src, clock, advancing_wait(clock));
  EXPECT_EQ(*r.run([](const MarketEvent&) { return false; }), 1u);
  // The first event is due at once; the next needs a wait, which refuses.
  Replayer r2(src, clock, [](std::int64_t) { return false; });
  EXPECT_EQ(*r2.run([](const MarketEvent&) { return true; }), 1u);
}

TEST(Replayer, ReplaysARecordedFileAtItsPace) {
  AT_SKIP_WITHOUT_SHARED_DATA();
  auto src = open_file(spec(std::string(AT_SHARED_DATA) + "/usdjpy-quotes-truefx-2013-01-01.csv",
                            FileFormat::kTruefxQuotes, Symbol::of("USD-JPY")));
  ASSERT_TRUE(src);
  ManualClock clock(0);
  Replayer r(**src, clock, advancing_wait(clock));
  std::int64_t first_ts = 0, last_ts = 0;
  auto n = r.run([&](const MarketEvent& e) {
    if (!first_ts) first_ts = event_ts_ns(e);
    last_ts = event_ts_ns(e);
    return true;
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1000u);
  EXPECT_EQ(clock.monotonic_ns(), last_ts - first_ts);  // the whole recorded span, exactly
}

TEST(Replayer, SourceErrorsStopTheRun) {
  struct Failing : EventSource {
    NextEvent next() override { return make_error(ErrorKind::kInvalidArgument, "f.csv:3: bad"); }
  } src;
  ManualClock clock(0);
  Replayer r(src, clock, advancing_wait(clock));
  auto n = r.run([](const MarketEvent&) { return true; });
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message, "f.csv:3: bad");
}

TEST(MergedSource, InterleavesByTimeWithTiesToTheEarlierSource) {
  std::vector<std::unique_ptr<EventSource>> v;
  v.push_back(std::make_unique<VectorSource>(std::vector<MarketEvent>{quote_at(1), quote_at(3)}));
  v.push_back(std::make_unique<VectorSource>(std::vector<MarketEvent>{quote_at(1), quote_at(2)}));
  MergedSource m(std::move(v));
  auto all = read_all(m);
  ASSERT_TRUE(all);
  std::vector<std::int64_t> ts;
  for (const auto& e : *all) ts.push_back(event_ts_ns(e));
  EXPECT_EQ(ts, (std::vector<std::int64_t>{1, 1, 2, 3}));
}

}  // namespace
}  // namespace at::md
